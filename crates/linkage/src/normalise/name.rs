//! Person-name keys and the comparison levels the Fellegi–Sunter name field uses.
use super::reading::readings;
use super::shape::shape_similar;
use super::surname::{is_compound_surname, split_name, surname_reading};
use super::{NAME_DOT, simplify, text};
use serde::{Deserialize, Serialize};

/// Values clerks put in a name field when the name is unknown. A name with no given name but
/// 某 (`张某`, `李某某`: anonymised in judgments) is treated the same way.
const PLACEHOLDERS: [&str; 14] = [
    "不详",
    "未知",
    "无",
    "无名",
    "无名氏",
    "匿名",
    "某某",
    "暂无",
    "待定",
    "待查",
    "unknown",
    "none",
    "null",
    "na",
];

/// A person's name normalised once for repeated comparison: width, dots, traditional and variant
/// characters folded ([`text`], [`simplify`]); surname split off ([`split_name`]); one reading set
/// per character, the surname's forced reading ([`surname_reading`]) in place of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// Normalised name: CJK with `·` between parts, or lower-case Latin words.
    full: String,
    /// Length in bytes of the surname at the start of `full` (0: none, e.g. dotted names).
    surname_len: usize,
    /// CJK characters without the dots (empty for Latin names): what equality looks at.
    chars: Vec<char>,
    /// Reading set per entry of `chars`.
    readings: Vec<&'static [&'static str]>,
    /// Number of leading `chars` that form the surname.
    surname_chars: usize,
    pinyin_key: String,
    is_latin: bool,
}

impl NameKey {
    /// `None` when nothing usable is left: empty, a single character, a placeholder (`不详`,
    /// `unknown`) or an anonymised name (`张某`).
    pub fn new(raw: &str) -> Option<NameKey> {
        let t = text(raw);
        if t.is_ascii() {
            return Self::latin(t);
        }
        Self::build(simplify(&t))
    }

    /// The key of a name already normalised (what [`NameKey::full`] returned): skips the width,
    /// script and variant folding, which the index would otherwise repeat for every candidate.
    pub fn from_normalised(full: &str) -> Option<NameKey> {
        if full.is_ascii() {
            return Self::latin(full.to_owned());
        }
        Self::build(full.to_owned())
    }

    fn build(mut full: String) -> Option<NameKey> {
        // `欧阳 明明` arrives as `欧阳·明明`: a compound surname before the only dot is a Han name.
        if let Some((a, b)) = full.split_once(NAME_DOT)
            && !b.contains(NAME_DOT)
            && is_compound_surname(a)
        {
            full = format!("{a}{b}");
        }
        let chars: Vec<char> = full.chars().filter(|&c| c != NAME_DOT).collect();
        if chars.len() < 2 || PLACEHOLDERS.contains(&full.as_str()) {
            return None;
        }
        let (surname, given) = split_name(&full);
        if !surname.is_empty() && !given.is_empty() && given.chars().all(|c| c == '某') {
            return None;
        }
        let surname_chars = surname.chars().count();
        let forced = surname_reading(surname);
        let readings: Vec<&'static [&'static str]> = chars
            .iter()
            .enumerate()
            .map(|(i, &c)| match forced {
                Some(f) if i < surname_chars => &f[i..=i],
                _ => readings(c),
            })
            .collect();
        let mut pinyin_key = String::with_capacity(chars.len() * 4);
        for (c, r) in chars.iter().zip(&readings) {
            match r.first() {
                Some(p) => pinyin_key.push_str(p),
                None => pinyin_key.push(*c),
            }
        }
        Some(NameKey {
            surname_len: surname.len(),
            full,
            chars,
            readings,
            surname_chars,
            pinyin_key,
            is_latin: false,
        })
    }

    fn latin(full: String) -> Option<NameKey> {
        let pinyin_key: String = full.chars().filter(|c| *c != ' ').collect();
        if pinyin_key.len() < 2 || PLACEHOLDERS.contains(&pinyin_key.as_str()) {
            return None;
        }
        Some(NameKey {
            surname_len: split_name(&full).0.len(),
            full,
            chars: Vec::new(),
            readings: Vec::new(),
            surname_chars: 0,
            pinyin_key,
            is_latin: true,
        })
    }

    /// The normalised name (`張學良` → `张学良`, `ZHANG, Wei` → `zhang wei`).
    pub fn full(&self) -> &str {
        &self.full
    }

    /// The surname (compound surnames whole); empty for dotted names and single-word Latin names.
    pub fn surname(&self) -> &str {
        &self.full[..self.surname_len]
    }

    /// Everything after the surname.
    pub fn given(&self) -> &str {
        self.full[self.surname_len..].trim_start()
    }

    /// Toneless pinyin for blocking; see [`super::pinyin_key`].
    pub fn pinyin_key(&self) -> &str {
        &self.pinyin_key
    }

    /// Reading set per CJK character (dots excluded), surname readings forced; empty for Latin.
    pub fn readings(&self) -> &[&'static [&'static str]] {
        &self.readings
    }

    /// Whether the name was given in Latin letters (romanised).
    pub fn is_latin(&self) -> bool {
        self.is_latin
    }

    fn given_chars(&self) -> &[char] {
        &self.chars[self.surname_chars..]
    }

    /// Same number of characters and a shared reading at every position; a Latin name against a
    /// Chinese one: the Latin letters spell a reading sequence (surname first or last); two Latin
    /// names: the same letters.
    pub(crate) fn sounds_like(&self, other: &NameKey) -> bool {
        match (self.is_latin, other.is_latin) {
            (false, false) => {
                self.chars.len() == other.chars.len()
                    && self
                        .chars
                        .iter()
                        .zip(&other.chars)
                        .zip(self.readings.iter().zip(&other.readings))
                        .all(|((a, b), (ra, rb))| a == b || ra.iter().any(|p| rb.contains(p)))
            }
            (true, true) => self.pinyin_key == other.pinyin_key,
            (true, false) => other.spelled_by(self),
            (false, true) => self.spelled_by(other),
        }
    }

    /// Whether the Latin name `latin` spells this Chinese name: letters in order, surname first;
    /// or, for two or more words, the first word moved to the end (given name first).
    /// Whether a romanised name gives this name by initials: every character's initial
    /// (`zxm`), or the surname spelled out and the given name's initials (`zhang x m`,
    /// `zhang xm`).
    fn initials_in(&self, latin: &NameKey) -> bool {
        let initials = |letters: &[u8], readings: &[&'static [&'static str]]| {
            letters.len() == readings.len()
                && !letters.is_empty()
                && letters
                    .iter()
                    .zip(readings)
                    .all(|(l, r)| r.iter().any(|p| p.as_bytes().first() == Some(l)))
        };
        if initials(latin.pinyin_key.as_bytes(), &self.readings) {
            return true;
        }
        let n = self.surname_chars;
        if n == 0 || n >= self.readings.len() {
            return false;
        }
        let Some((first, rest)) = latin.full.split_once(' ') else {
            return false;
        };
        let rest: Vec<u8> = rest.bytes().filter(|b| *b != b' ').collect();
        spells(first.as_bytes(), &self.readings[..n]) && initials(&rest, &self.readings[n..])
    }

    fn spelled_by(&self, latin: &NameKey) -> bool {
        if spells(latin.pinyin_key.as_bytes(), &self.readings) {
            return true;
        }
        match latin.full.split_once(' ') {
            Some((first, rest)) => {
                let rotated: String = rest
                    .chars()
                    .filter(|c| *c != ' ')
                    .chain(first.chars())
                    .collect();
                spells(rotated.as_bytes(), &self.readings)
            }
            None => false,
        }
    }

    /// The Latin name's surname word spells this name's surname.
    fn surname_spelled_by(&self, latin: &NameKey) -> bool {
        let n = self.surname_chars;
        if n == 0 {
            return false;
        }
        let words: Vec<&str> = latin.full.split(' ').collect();
        if words.len() < 2 {
            return false;
        }
        let last = words[words.len() - 1];
        [words[0], last]
            .iter()
            .any(|w| spells(w.as_bytes(), &self.readings[..n]))
    }
}

/// Latin spellings accepted for a reading: itself, and for `v` (ü) also `u` and `yu` (passports
/// write 吕 as `LYU`, many systems as `LU`).
fn spellings(p: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    let alternatives = if p.contains('v') {
        vec![p.replace('v', "u"), p.replace('v', "yu")]
    } else {
        Vec::new()
    };
    std::iter::once(std::borrow::Cow::Borrowed(p)).chain(alternatives.into_iter().map(Into::into))
}

/// Whether `letters` is exactly a concatenation of one reading per position.
fn spells(letters: &[u8], readings: &[&'static [&'static str]]) -> bool {
    let Some((first, rest)) = readings.split_first() else {
        return letters.is_empty();
    };
    first.iter().any(|p| {
        spellings(p).any(|s| {
            letters
                .strip_prefix(s.as_bytes())
                .is_some_and(|tail| spells(tail, rest))
        })
    })
}

/// How two names agree, from the most to the least specific. [`compare_names`] returns the first
/// that holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NameLevel {
    /// Identical after width, dot, traditional/simplified and variant folding.
    Exact,
    /// Same length and a shared reading at every position (王芳/王方), or a romanised name that
    /// spells the Chinese one.
    Homophone,
    /// Same length; every differing character is a shape-similar pair (候/侯, 己/已).
    ShapeSimilar,
    /// Same surname, the given-name characters in a different order (张晓明/张明晓); for dotted
    /// names, the same parts in a different order; for Latin names, the words reversed.
    Transposed,
    /// Same surname, one given-name character missing or extra (张伟/张伟明).
    OneCharMissing,
    /// Written with initials for (part of) the name, consistent with the other (`ZXM`,
    /// `Zhang X. M.` for 张晓明; `j smith` for `john smith`).
    Initials,
    /// Same surname, given names differ otherwise.
    SameSurnameGivenDiffers,
    /// Nothing above holds.
    Different,
    /// At least one side has no usable name.
    Missing,
}

/// The most specific [`NameLevel`] that holds for two names; `Missing` when either is absent.
pub fn compare_names(a: Option<&NameKey>, b: Option<&NameKey>) -> NameLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return NameLevel::Missing;
    };
    match (a.is_latin, b.is_latin) {
        (false, false) => compare_cjk(a, b),
        (true, true) => compare_latin(a, b),
        (true, false) => compare_mixed(b, a),
        (false, true) => compare_mixed(a, b),
    }
}

fn compare_cjk(a: &NameKey, b: &NameKey) -> NameLevel {
    if a.chars == b.chars {
        return NameLevel::Exact;
    }
    if a.sounds_like(b) {
        return NameLevel::Homophone;
    }
    if a.chars.len() == b.chars.len()
        && a.chars
            .iter()
            .zip(&b.chars)
            .all(|(&x, &y)| x == y || shape_similar(x, y))
    {
        return NameLevel::ShapeSimilar;
    }
    let same_surname = !a.surname().is_empty() && a.surname() == b.surname();
    if same_surname {
        let (ga, gb) = (a.given_chars(), b.given_chars());
        if ga.len() == gb.len() && ga.len() >= 2 && same_multiset(ga, gb) {
            return NameLevel::Transposed;
        }
        if one_deletion(ga, gb) || one_deletion(gb, ga) {
            return NameLevel::OneCharMissing;
        }
        return NameLevel::SameSurnameGivenDiffers;
    }
    if a.full.contains(NAME_DOT) && b.full.contains(NAME_DOT) {
        let mut pa: Vec<&str> = a.full.split(NAME_DOT).collect();
        let mut pb: Vec<&str> = b.full.split(NAME_DOT).collect();
        pa.sort_unstable();
        pb.sort_unstable();
        if pa == pb {
            return NameLevel::Transposed;
        }
    }
    NameLevel::Different
}

/// Romanised names: the words may come in either order and carry typing errors.
fn compare_latin(a: &NameKey, b: &NameKey) -> NameLevel {
    if a.pinyin_key == b.pinyin_key {
        return NameLevel::Exact;
    }
    let wa: Vec<&str> = a.full.split(' ').filter(|w| !w.is_empty()).collect();
    let wb: Vec<&str> = b.full.split(' ').filter(|w| !w.is_empty()).collect();
    let mut sa = wa.clone();
    let mut sb = wb.clone();
    sa.sort_unstable();
    sb.sort_unstable();
    if wa.len() >= 2 && sa == sb {
        return NameLevel::Transposed;
    }
    // Same words but for one mistyped (a letter wrong, missing, doubled or swapped): the
    // counterpart of a shape-similar character.
    let typo = |x: &str, y: &str| crate::fs::jaro_winkler(x, y) >= 0.9;
    if wa.len() == wb.len() {
        let differing: Vec<(&str, &str)> = wa
            .iter()
            .zip(&wb)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| (*x, *y))
            .collect();
        if differing.len() == 1 && typo(differing[0].0, differing[0].1) {
            return NameLevel::ShapeSimilar;
        }
    }
    // Initials for words of the other (`j smith` / `john smith`), the rest the same.
    if wa.len() == wb.len()
        && wa
            .iter()
            .zip(&wb)
            .any(|(x, y)| x.len() == 1 || y.len() == 1)
        && wa.iter().zip(&wb).all(|(x, y)| {
            x == y || ((x.len() == 1 || y.len() == 1) && x.as_bytes()[0] == y.as_bytes()[0])
        })
    {
        return NameLevel::Initials;
    }
    // One name has a word the other lacks (a given or family name left out).
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if short.len() + 1 == long.len() && short.iter().all(|w| long.contains(w)) {
        return NameLevel::OneCharMissing;
    }
    if wa.len() >= 2 && wb.len() >= 2 && wa.first() == wb.first() {
        return NameLevel::SameSurnameGivenDiffers;
    }
    NameLevel::Different
}

/// A Chinese name against a romanised one: only sound can be compared.
fn compare_mixed(cjk: &NameKey, latin: &NameKey) -> NameLevel {
    if cjk.spelled_by(latin) {
        NameLevel::Homophone
    } else if cjk.initials_in(latin) {
        NameLevel::Initials
    } else if cjk.surname_spelled_by(latin) {
        NameLevel::SameSurnameGivenDiffers
    } else {
        NameLevel::Different
    }
}

fn same_multiset(a: &[char], b: &[char]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// `short` is `long` with exactly one character removed (and is not empty).
fn one_deletion(long: &[char], short: &[char]) -> bool {
    if short.is_empty() || long.len() != short.len() + 1 {
        return false;
    }
    let i = long.iter().zip(short).take_while(|(x, y)| x == y).count();
    long[i + 1..] == short[i..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(a: &str, b: &str) -> NameLevel {
        let (ka, kb) = (NameKey::new(a), NameKey::new(b));
        let l = compare_names(ka.as_ref(), kb.as_ref());
        assert_eq!(
            l,
            compare_names(kb.as_ref(), ka.as_ref()),
            "{a}/{b} not symmetric"
        );
        l
    }

    #[test]
    fn key_fields() {
        let k = NameKey::new(" 歐陽 娜娜 ").unwrap();
        assert_eq!(k.full(), "欧阳娜娜");
        assert_eq!(k.surname(), "欧阳");
        assert_eq!(k.given(), "娜娜");
        assert_eq!(k.pinyin_key(), "ouyangnana");
        assert!(!k.is_latin());
        let k = NameKey::new("尉迟恭").unwrap();
        assert_eq!(k.readings()[0], ["yu"]);
        assert_eq!(k.pinyin_key(), "yuchigong");
        let k = NameKey::new("ZHANG, Wei").unwrap();
        assert!(k.is_latin());
        assert_eq!((k.surname(), k.given()), ("zhang", "wei"));
        let k = NameKey::new("阿依古丽 买买提").unwrap();
        assert_eq!(k.full(), "阿依古丽·买买提");
        assert_eq!(k.surname(), "");
    }

    #[test]
    fn unusable() {
        for raw in [
            "",
            "  ",
            "张",
            "123",
            "不详",
            "无",
            "张某",
            "李某某",
            "Unknown",
            "N/A",
            "x",
        ] {
            assert_eq!(NameKey::new(raw), None, "{raw}");
        }
        assert_eq!(level("张伟", "不详"), NameLevel::Missing);
        assert_eq!(compare_names(None, None), NameLevel::Missing);
        assert!(NameKey::new("某明").is_some());
    }

    #[test]
    fn levels() {
        use NameLevel::*;
        assert_eq!(level("张学良", "張學良"), Exact);
        assert_eq!(level("王喆", "王哲"), Exact);
        assert_eq!(level("李堃", "李坤"), Exact);
        assert_eq!(level("王b國維", "王国维"), Exact);
        assert_eq!(level("周(恩)來", "周恩来"), Exact);
        assert_eq!(level("ＷＡＮＧ　Ｆａｎｇ", "wang fang"), Exact);
        assert_eq!(level("阿依古丽·买买提", "阿依古丽・买买提"), Exact);
        assert_eq!(level("阿依古丽·买买提", "阿依古丽买买提"), Exact);
        assert_eq!(level("欧阳 明明", "欧阳明明"), Exact);
        assert_eq!(level("zhangwei", "Zhang Wei"), Exact);

        assert_eq!(level("王芳", "王方"), Homophone);
        assert_eq!(level("李丽", "李莉"), Homophone);
        assert_eq!(level("张伟", "章伟"), Homophone);
        assert_eq!(level("Zhang Wei", "张伟"), Homophone);
        assert_eq!(level("ZHANG, Wei", "张伟"), Homophone);
        assert_eq!(level("zhangwei", "张伟"), Homophone);

        assert_eq!(level("余华", "佘华"), ShapeSimilar);
        assert_eq!(level("侯勇", "候勇"), Homophone);
        assert_eq!(level("王玉", "王主"), ShapeSimilar);
        assert_eq!(level("陈己", "陈巳"), ShapeSimilar);
        assert_eq!(level("陈晨", "程晨"), Different);

        assert_eq!(level("张晓明", "张明晓"), Transposed);
        assert_eq!(level("阿依古丽·买买提", "买买提·阿依古丽"), Transposed);
        assert_eq!(level("wei zhang", "zhang wei"), Transposed);

        assert_eq!(level("张伟", "张伟明"), OneCharMissing);
        assert_eq!(level("张晓明", "张明"), OneCharMissing);
        assert_eq!(level("欧阳明", "欧阳明明"), OneCharMissing);

        assert_eq!(level("蒋经国", "蒋纬国"), SameSurnameGivenDiffers);
        assert_eq!(level("宋庆龄", "宋美龄"), SameSurnameGivenDiffers);
        assert_eq!(level("Zhang Li", "张伟"), SameSurnameGivenDiffers);
        assert_eq!(level("zhang li", "zhang wei"), SameSurnameGivenDiffers);

        assert_eq!(level("张伟", "李娜"), Different);
        assert_eq!(level("Li Na", "张伟"), Different);
        // Romanised names with a typing error, or a word left out.
        assert_eq!(level("mitchell green", "mitchel green"), ShapeSimilar);
        assert_eq!(level("isabelle", "isabele"), ShapeSimilar);
        assert_eq!(level("j smith", "john smith"), Initials);
        assert_eq!(level("J. Smith", "John Smith"), Initials);
        assert_eq!(level("ZXM", "张晓明"), Initials);
        assert_eq!(level("Zhang X. M.", "张晓明"), Initials);
        assert_eq!(level("zhang xm", "张晓明"), Initials);
        assert_eq!(level("ZXY", "张晓明"), Different);
        assert_eq!(level("isabelle mason", "isabelle"), OneCharMissing);
        assert_eq!(
            level("harley mccarthy", "harley smith"),
            SameSurnameGivenDiffers
        );
        assert_eq!(level("harley mccarthy", "joan smith"), Different);
    }

    #[test]
    fn level_serde() {
        let s = serde_json::to_string(&NameLevel::OneCharMissing).unwrap();
        assert_eq!(s, "\"OneCharMissing\"");
        assert_eq!(
            serde_json::from_str::<NameLevel>(&s).unwrap(),
            NameLevel::OneCharMissing
        );
    }

    /// Run with `cargo test --release -p sijian-linkage namekey_throughput -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore]
    fn namekey_throughput() {
        let surnames = [
            "王", "李", "张", "刘", "陈", "欧阳", "張", "曾", "單", "尉迟",
        ];
        let given = [
            "伟", "芳", "娜", "秀英", "敏", "静", "學良", "丽", "强", "小明", "喆", "國維",
        ];
        let names: Vec<String> = (0..100_000)
            .map(|i| {
                format!(
                    "{}{}",
                    surnames[i % surnames.len()],
                    given[(i / surnames.len()) % given.len()]
                )
            })
            .collect();
        // Warm the tables.
        let _ = NameKey::new("张伟");
        let start = std::time::Instant::now();
        let mut n = 0usize;
        for _ in 0..5 {
            for name in &names {
                n += usize::from(NameKey::new(name).is_some());
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "NameKey::new: {:.0} names/s ({n} keys in {secs:.3} s)",
            n as f64 / secs
        );
        let keys: Vec<NameKey> = names.iter().filter_map(|s| NameKey::new(s)).collect();
        let start = std::time::Instant::now();
        let mut exact = 0usize;
        for pair in keys.windows(2) {
            exact += usize::from(compare_names(Some(&pair[0]), Some(&pair[1])) == NameLevel::Exact);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "compare_names: {:.0} pairs/s ({exact} exact)",
            (keys.len() - 1) as f64 / secs
        );
    }

    fn cjk_name() -> impl Strategy<Value = String> {
        let surname = prop::sample::select(vec![
            "王", "李", "张", "刘", "陈", "欧阳", "司马", "曾", "单", "解", "張", "尉迟", "阿",
        ]);
        let given = prop::collection::vec(
            prop::sample::select(vec![
                '伟', '芳', '方', '丽', '莉', '学', '學', '良', '明', '晓', '喆', '某', '国', '國',
                '已', '己', '乐', '华', '·',
            ]),
            1..4,
        );
        (surname, given).prop_map(|(s, g)| format!("{s}{}", g.into_iter().collect::<String>()))
    }

    proptest! {
        #[test]
        fn exact_with_itself(name in cjk_name()) {
            if let Some(k) = NameKey::new(&name) {
                prop_assert_eq!(compare_names(Some(&k), Some(&k)), NameLevel::Exact);
                let again = NameKey::new(k.full()).unwrap();
                prop_assert_eq!(compare_names(Some(&k), Some(&again)), NameLevel::Exact);
                // The index's shortcut rebuilds exactly the same key.
                prop_assert_eq!(NameKey::from_normalised(k.full()), Some(k.clone()));
            }
        }

        #[test]
        fn homophone_is_symmetric(a in cjk_name(), b in cjk_name()) {
            prop_assert_eq!(super::super::homophones(&a, &b), super::super::homophones(&b, &a));
        }

        #[test]
        fn comparison_is_symmetric(a in cjk_name(), b in cjk_name()) {
            let (ka, kb) = (NameKey::new(&a), NameKey::new(&b));
            prop_assert_eq!(
                compare_names(ka.as_ref(), kb.as_ref()),
                compare_names(kb.as_ref(), ka.as_ref())
            );
        }
    }
}
