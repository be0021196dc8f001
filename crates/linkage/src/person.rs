//! Person records as linkage sees them: which fields a data set has ([`Layout`]), each raw record
//! normalised once ([`Person`], with a clear reason when a value is malformed), the comparison
//! vector of two records, and the blocking keys of one.
//!
//! The same code serves the batch deduplication of any CSV and the online index of the server,
//! so a pair scores the same wherever it is compared.
use std::hash::{Hash, Hasher};

use crate::fs::{
    FieldSpec, LevelSpec, Settings, Ymd, compare_date, compare_phone, compare_resident_id,
    compare_sex, compare_string, date_levels, phone_levels, resident_id_levels, sex_levels,
    string_levels,
};
use crate::normalise::{self, NameKey, NameLevel, compare_names};
use unicode_normalization::UnicodeNormalization;

/// Which optional fields a data set carries, and its extra free-text fields (compared by
/// Jaro–Winkler). The name is always present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub birth: bool,
    pub id_number: bool,
    pub phone: bool,
    pub address: bool,
    /// Sex (男/女, M/F, male/female, 1/2): compared after the address.
    pub sex: bool,
    /// Names of extra fields, as the caller calls them (CSV column names).
    pub extra: Vec<String>,
}

/// The levels of the name comparison, in [`NameLevel`] order (index = level).
pub const NAME_LEVELS: [(NameLevel, &str); 9] = [
    (NameLevel::Exact, "完全一致"),
    (NameLevel::Homophone, "同音"),
    (NameLevel::ShapeSimilar, "形近"),
    (NameLevel::Transposed, "字序颠倒"),
    (NameLevel::OneCharMissing, "缺漏一字"),
    (NameLevel::Initials, "首字母相符"),
    (NameLevel::SameSurnameGivenDiffers, "同姓异名"),
    (NameLevel::Different, "不同"),
    (NameLevel::Missing, "缺失"),
];

/// The level index of a [`NameLevel`] in [`NAME_LEVELS`].
pub fn name_level_index(level: NameLevel) -> u8 {
    NAME_LEVELS
        .iter()
        .position(|(l, _)| *l == level)
        .expect("every NameLevel is listed") as u8
}

fn name_levels() -> Vec<LevelSpec> {
    NAME_LEVELS
        .iter()
        .map(|(l, label)| {
            if *l == NameLevel::Missing {
                LevelSpec::null(*label)
            } else {
                LevelSpec::new(*label)
            }
        })
        .collect()
}

impl Layout {
    /// Stable machine keys of the compared fields, in comparison order (`name`, `birth`,
    /// `id_number`, `phone`, `address`, `sex`, then the extra fields): CSV explanation columns
    /// use them.
    pub fn field_keys(&self) -> Vec<String> {
        let mut keys = vec!["name".to_owned()];
        for (on, key) in [
            (self.birth, "birth"),
            (self.id_number, "id_number"),
            (self.phone, "phone"),
            (self.address, "address"),
            (self.sex, "sex"),
        ] {
            if on {
                keys.push(key.to_owned());
            }
        }
        keys.extend(self.extra.iter().cloned());
        keys
    }

    /// The comparison settings: field names are the reviewer-facing Chinese labels.
    pub fn settings(&self) -> Settings {
        let mut fields = vec![FieldSpec::new("姓名", name_levels())];
        if self.birth {
            fields.push(FieldSpec::new("出生日期", date_levels()));
        }
        if self.id_number {
            fields.push(FieldSpec::new("身份号码", resident_id_levels()));
        }
        if self.phone {
            fields.push(FieldSpec::new("电话", phone_levels()));
        }
        if self.address {
            fields.push(FieldSpec::new("地址", string_levels()));
        }
        if self.sex {
            fields.push(FieldSpec::new("性别", sex_levels()));
        }
        for f in &self.extra {
            fields.push(FieldSpec::new(f.clone(), string_levels()));
        }
        Settings::new(fields)
    }

    /// Number of compared fields.
    pub fn width(&self) -> usize {
        1 + usize::from(self.birth)
            + usize::from(self.id_number)
            + usize::from(self.phone)
            + usize::from(self.address)
            + usize::from(self.sex)
            + self.extra.len()
    }

    /// Index of the phone field, if compared.
    pub fn phone_field(&self) -> Option<usize> {
        self.phone
            .then(|| 1 + usize::from(self.birth) + usize::from(self.id_number))
    }

    /// Index of the address field, if compared.
    pub fn address_field(&self) -> Option<usize> {
        self.address.then(|| {
            1 + usize::from(self.birth) + usize::from(self.id_number) + usize::from(self.phone)
        })
    }

    /// Index of the sex field, if compared.
    pub fn sex_field(&self) -> Option<usize> {
        self.sex.then(|| self.width() - self.extra.len() - 1)
    }

    /// Index of the first extra field.
    pub fn first_extra_field(&self) -> usize {
        self.width() - self.extra.len()
    }

    /// Index of the identity-number field, if compared.
    pub fn id_field(&self) -> Option<usize> {
        self.id_number.then(|| 1 + usize::from(self.birth))
    }

    /// Index of the birth-date field, if compared.
    pub fn birth_field(&self) -> Option<usize> {
        self.birth.then_some(1)
    }
}

/// One record's raw values (`None` or blank = missing). `extra` follows [`Layout::extra`].
#[derive(Debug, Clone, Default)]
pub struct RawPerson<'a> {
    pub name: Option<&'a str>,
    pub birth: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address: Option<&'a str>,
    pub sex: Option<&'a str>,
    pub extra: Vec<Option<&'a str>>,
}

/// Why a value cannot be used. A resident ID is never an error: a mistyped or malformed one is
/// still evidence, compared as text (finding the record despite the typo is what linkage is
/// for). An unreadable sex is treated as not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("出生日期“{0}”无法识别（应为 YYYY-MM-DD 或 YYYYMMDD）")]
    Birth(String),
    #[error("电话号码“{0}”无法识别")]
    Phone(String),
    #[error("姓名“{0}”无法识别")]
    Name(String),
}

/// A normalised record.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub name: Option<NameKey>,
    pub birth: Option<Ymd>,
    /// 18 characters, upper-case `X`; possibly with a failing check character (a typo), or a
    /// malformed number as text (width folded, spaces and dashes dropped, upper case).
    pub id_number: Option<String>,
    /// Whether `id_number` is a valid resident ID (its check character holds).
    pub id_valid: bool,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// `Some(true)` for male.
    pub sex: Option<bool>,
    pub extra: Vec<Option<String>>,
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// An identity number in linkage form: width folded, spaces and dashes dropped, `x` upper-cased,
/// a 15-digit number upgraded when it parses; `None` when it is not 18 (or 15) digits with an
/// optional final X. The check character is not enforced (see [`FieldError`]).
pub fn id_number_key(raw: &str) -> Option<String> {
    if let Some(valid) = normalise::resident_id(raw) {
        return Some(valid);
    }
    let s = id_number_text(raw);
    let ok = s.len() == 18
        && s.bytes().take(17).all(|b| b.is_ascii_digit())
        && s.as_bytes()[17].is_ascii_digit() | (s.as_bytes()[17] == b'X');
    ok.then_some(s)
}

/// Any identity number as comparable text: width folded, spaces and dashes dropped, upper case.
fn id_number_text(raw: &str) -> String {
    raw.nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '−' | '_'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A recorded sex: `Some(true)` for 男/男性/M/male/1, `Some(false)` for 女/女性/F/female/2 (any
/// case, width folded), `None` for anything else (not recorded, unknown).
pub fn sex_key(raw: &str) -> Option<bool> {
    let s: String = raw.nfkc().collect::<String>().trim().to_lowercase();
    match s.as_str() {
        "男" | "男性" | "m" | "male" | "man" | "1" => Some(true),
        "女" | "女性" | "f" | "female" | "woman" | "2" => Some(false),
        _ => None,
    }
}

impl Person {
    /// Normalise one record; the first malformed value is the error.
    pub fn prepare(layout: &Layout, raw: &RawPerson) -> Result<Person, FieldError> {
        let name = match present(raw.name) {
            None => None,
            Some(n) => Some(NameKey::new(n).ok_or_else(|| FieldError::Name(n.to_owned()))?),
        };
        let birth = match present(raw.birth).filter(|_| layout.birth) {
            None => None,
            Some(b) => Some(Ymd::parse(b).ok_or_else(|| FieldError::Birth(b.to_owned()))?),
        };
        // One check-character test per number: a valid one in its 18-digit form, anything
        // else (a mistyped or malformed number) as comparable text.
        let valid = present(raw.id_number)
            .filter(|_| layout.id_number)
            .map(|v| normalise::resident_id(v).ok_or(v));
        let id_valid = matches!(valid, Some(Ok(_)));
        let id_number = valid
            .map(|r| r.unwrap_or_else(id_number_text))
            .filter(|v| !v.is_empty());
        let phone = match present(raw.phone).filter(|_| layout.phone) {
            None => None,
            Some(v) => Some(normalise::phone(v).ok_or_else(|| FieldError::Phone(v.to_owned()))?),
        };
        let address = present(raw.address)
            .filter(|_| layout.address)
            .map(normalise::free_text)
            .filter(|a| !a.is_empty());
        let sex = present(raw.sex).filter(|_| layout.sex).and_then(sex_key);
        let extra = (0..layout.extra.len())
            .map(|i| {
                present(raw.extra.get(i).copied().flatten())
                    .map(normalise::free_text)
                    .filter(|v| !v.is_empty())
            })
            .collect();
        Ok(Person {
            name,
            birth,
            id_number,
            id_valid,
            phone,
            address,
            sex,
            extra,
        })
    }

    /// The birth date for blocking: the recorded one, else the one in a valid resident ID.
    pub fn blocking_birth(&self) -> Option<Ymd> {
        self.birth.or_else(|| {
            let id = self.id_number.as_deref().filter(|_| self.id_valid)?;
            let (y, m, d) = normalise::id_birth_date(id)?;
            Ymd::new(i32::from(y), m, d)
        })
    }
}

/// Extra fields that only repeat part of the name (a first-name or surname column beside the
/// full name): comparing them as well would count the same evidence twice, which makes a
/// shared first name outweigh a different birth date. A field is such a part when at least
/// `share` of the records holding both carry its value as a word of the name (or, in Chinese,
/// inside it). Indices into [`Layout::extra`].
pub fn name_part_fields(layout: &Layout, persons: &[Person], share: f64) -> Vec<usize> {
    (0..layout.extra.len())
        .filter(|&k| {
            let (mut both, mut inside) = (0usize, 0usize);
            for p in persons {
                let (Some(name), Some(v)) = (&p.name, p.extra[k].as_deref()) else {
                    continue;
                };
                both += 1;
                let full = name.full();
                let part = if name.is_latin() {
                    full.split(' ').any(|w| w == v) || full == v
                } else {
                    full.contains(v)
                };
                inside += usize::from(part);
            }
            both > 0 && inside as f64 >= share * both as f64
        })
        .collect()
}

/// The first extra field that holds a sex (at least 95 % of its values read as one, both sexes
/// present), when the layout has no sex field: a `--field gender` column is then compared as a
/// sex (same, different, missing) rather than as text. Index into [`Layout::extra`].
pub fn sex_field_among_extras(layout: &Layout, persons: &[Person]) -> Option<usize> {
    if layout.sex {
        return None;
    }
    (0..layout.extra.len()).find(|&k| {
        let (mut held, mut read, mut male, mut female) = (0usize, 0usize, false, false);
        for v in persons.iter().filter_map(|p| p.extra[k].as_deref()) {
            held += 1;
            match sex_key(v) {
                Some(true) => (read, male) = (read + 1, true),
                Some(false) => (read, female) = (read + 1, true),
                None => {}
            }
        }
        male && female && read as f64 >= 0.95 * held as f64
    })
}

/// Compare extra field `k` as the sex: its values read by [`sex_key`] into the sex, the field
/// dropped from the extras.
pub fn extra_as_sex(layout: &mut Layout, persons: &mut [Person], k: usize) {
    for p in persons.iter_mut() {
        p.sex = p.extra[k].as_deref().and_then(sex_key);
    }
    layout.sex = true;
    without_extras(layout, persons, &[k]);
}

/// `layout` and `persons` without the extra fields `drop` (indices into [`Layout::extra`]).
pub fn without_extras(layout: &mut Layout, persons: &mut [Person], drop: &[usize]) {
    let keep = |k: &usize| !drop.contains(k);
    layout.extra = (0..layout.extra.len())
        .filter(keep)
        .map(|k| layout.extra[k].clone())
        .collect();
    for p in persons {
        let old = std::mem::take(&mut p.extra);
        p.extra = old
            .into_iter()
            .enumerate()
            .filter(|(k, _)| keep(k))
            .map(|(_, v)| v)
            .collect();
    }
}

/// The comparison vector of two records under `layout`, appended to `out` (one level per field,
/// in [`Layout::field_keys`] order).
pub fn compare_into(layout: &Layout, a: &Person, b: &Person, out: &mut Vec<u8>) {
    out.push(name_level_index(compare_names(
        a.name.as_ref(),
        b.name.as_ref(),
    )));
    if layout.birth {
        out.push(compare_date(a.birth, b.birth));
    }
    if layout.id_number {
        out.push(compare_resident_id(
            a.id_number.as_deref().map(|v| (v, a.id_valid)),
            b.id_number.as_deref().map(|v| (v, b.id_valid)),
        ));
    }
    if layout.phone {
        out.push(compare_phone(a.phone.as_deref(), b.phone.as_deref()));
    }
    if layout.address {
        out.push(compare_string(a.address.as_deref(), b.address.as_deref()));
    }
    if layout.sex {
        out.push(compare_sex(a.sex, b.sex));
    }
    for (x, y) in a.extra.iter().zip(&b.extra) {
        out.push(compare_string(x.as_deref(), y.as_deref()));
    }
}

/// The value both records share in each field, for term-frequency adjustment, in
/// [`Layout::field_keys`] order into `out`: the normalised name, phone, address and extra
/// values where both records hold the same one (households share an address and a family
/// phone: agreeing on a value many records hold is weaker evidence).
pub fn shared_values<'p>(
    layout: &Layout,
    a: &'p Person,
    b: &Person,
    out: &mut Vec<Option<&'p str>>,
) {
    fn same<'p>(x: &'p Option<String>, y: &Option<String>) -> Option<&'p str> {
        match (x, y) {
            (Some(x), Some(y)) if x == y => Some(x.as_str()),
            _ => None,
        }
    }
    out.clear();
    out.push(shared_name(a, b));
    if layout.birth {
        out.push(None);
    }
    if layout.id_number {
        out.push(None);
    }
    if layout.phone {
        out.push(same(&a.phone, &b.phone));
    }
    if layout.address {
        out.push(same(&a.address, &b.address));
    }
    if layout.sex {
        out.push(None);
    }
    for (x, y) in a.extra.iter().zip(&b.extra) {
        out.push(same(x, y));
    }
}

/// The normalised name when both records carry the same one (the name's term frequency).
pub fn shared_name<'p>(a: &'p Person, b: &Person) -> Option<&'p str> {
    match (&a.name, &b.name) {
        (Some(x), Some(y)) if x.full() == y.full() => Some(x.full()),
        _ => None,
    }
}

/// Kinds of blocking key a record can have. Beyond the exact keys (identity number, phone), the
/// batch uses four "identity number with one quarter left out" keys, so a single mistyped digit
/// still meets its twin, and surname-or-given-name reading with the birth date, so a
/// shape-similar character in the other part still does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyKind {
    IdNumber,
    IdWithoutRegion,
    IdWithoutYear,
    IdWithoutMonthDay,
    IdWithoutSequence,
    Phone,
    ReadingBirth,
    SurnameBirth,
    GivenBirth,
    FullName,
    Address,
    Extra,
}

/// Keyed 64-bit hashing of blocking keys: SipHash-2-4 under a 128-bit secret, a keyed PRF, so
/// an index holding the hashes cannot be reversed by enumerating identity numbers without the
/// secret. A collision only adds a candidate pair, which scoring then rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHasher {
    k0: u64,
    k1: u64,
}

impl KeyHasher {
    pub fn new(secret: [u8; 16]) -> Self {
        let (a, b) = secret.split_at(8);
        KeyHasher {
            k0: u64::from_le_bytes(a.try_into().expect("8 bytes")),
            k1: u64::from_le_bytes(b.try_into().expect("8 bytes")),
        }
    }

    fn hash(&self, kind: KeyKind, parts: &[&str]) -> u64 {
        #[allow(deprecated)]
        let mut h = std::hash::SipHasher::new_with_keys(self.k0, self.k1);
        kind.hash(&mut h);
        for p in parts {
            p.hash(&mut h);
        }
        h.finish()
    }

    /// The keyed hash of a whole identity number (as [`id_number_key`] gives it).
    pub fn id_number(&self, id: &str) -> u64 {
        self.hash(KeyKind::IdNumber, &[id])
    }

    /// The keyed hashes of an identity number with each of its four parts left out (region,
    /// year, month-day, sequence + check), in that order.
    pub fn id_quarters(&self, id: &str) -> [u64; 4] {
        [
            self.hash(KeyKind::IdWithoutRegion, &[&id[6..]]),
            self.hash(KeyKind::IdWithoutYear, &[&id[..6], &id[10..]]),
            self.hash(KeyKind::IdWithoutMonthDay, &[&id[..10], &id[14..]]),
            self.hash(KeyKind::IdWithoutSequence, &[&id[..14]]),
        ]
    }

    /// The keyed hash of a normalised full name alone (the online index's key for records
    /// without an identity number).
    pub fn full_name(&self, name: &NameKey) -> u64 {
        self.hash(KeyKind::FullName, &[name.full()])
    }
}

/// The record's blocking keys as keyed 64-bit hashes (none for missing fields).
pub fn blocking_keys(h: &KeyHasher, p: &Person, out: &mut Vec<u64>) {
    if let Some(id) = p.id_number.as_deref() {
        out.push(h.id_number(id));
        if id.len() == 18 && id.is_ascii() {
            out.extend(h.id_quarters(id));
        }
    }
    if let Some(phone) = p.phone.as_deref() {
        out.push(h.hash(KeyKind::Phone, &[phone]));
    }
    // The address and each extra field, exactly: a moved person keeps the other fields, a
    // retyped name keeps the address. Values shared by many records make oversized blocks,
    // which the caller's cap leaves out.
    if let Some(a) = p.address.as_deref() {
        out.push(h.hash(KeyKind::Address, &[a]));
    }
    for (i, v) in p.extra.iter().enumerate() {
        if let Some(v) = v.as_deref() {
            out.push(h.hash(KeyKind::Extra, &[&i.to_string(), v]));
        }
    }
    if let (Some(name), Some(b)) = (&p.name, p.blocking_birth()) {
        let date = format!("{:04}{:02}{:02}", b.year, b.month, b.day);
        out.push(h.hash(KeyKind::ReadingBirth, &[name.pinyin_key(), &date]));
        if name.is_latin() {
            // Romanised names: each word with the date (catches a typo in the other word).
            for w in name.full().split(' ').filter(|w| !w.is_empty()) {
                out.push(h.hash(KeyKind::GivenBirth, &[w, &date]));
            }
        } else {
            let surname = name.surname();
            let given = name.given();
            if !surname.is_empty() {
                out.push(h.hash(KeyKind::SurnameBirth, &[surname, &date]));
            }
            if !given.is_empty() {
                out.push(h.hash(KeyKind::GivenBirth, &[given, &date]));
            }
        }
    }
}

/// Splits `id` for the quarter keys; exposed for tests.
#[cfg(test)]
fn quarters_differ(a: &str, b: &str) -> usize {
    [0..6, 6..10, 10..14, 14..18]
        .into_iter()
        .filter(|r| a[r.clone()] != b[r.clone()])
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: KeyHasher = KeyHasher { k0: 1, k1: 2 };

    fn layout() -> Layout {
        Layout {
            birth: true,
            id_number: true,
            phone: true,
            address: true,
            sex: true,
            extra: vec!["职业".into()],
        }
    }

    fn raw<'a>(name: &'a str, birth: &'a str, id: &'a str, phone: &'a str) -> RawPerson<'a> {
        RawPerson {
            name: Some(name),
            birth: Some(birth),
            id_number: Some(id),
            phone: Some(phone),
            address: Some("浙江省杭州市西湖区文三路 1 号"),
            sex: Some("女"),
            extra: vec![Some("教师")],
        }
    }

    /// A name and an identity number only.
    fn bare<'a>(name: &'a str, id: &'a str) -> RawPerson<'a> {
        RawPerson {
            name: Some(name),
            id_number: Some(id),
            ..RawPerson::default()
        }
    }

    #[test]
    fn settings_and_vectors_line_up() {
        let l = layout();
        let s = l.settings();
        assert_eq!(s.fields.len(), l.width());
        assert_eq!(l.field_keys().len(), l.width());
        assert_eq!(l.field_keys()[5], "sex");
        assert_eq!(l.field_keys()[6], "职业");
        assert_eq!(l.sex_field(), Some(5));
        assert_eq!(l.address_field(), Some(4));
        assert_eq!(l.phone_field(), Some(3));
        assert_eq!(l.first_extra_field(), 6);
        assert_eq!(l.id_field(), Some(2));
        let a = Person::prepare(
            &l,
            &raw("王芳", "1980-05-03", "11010519800503002X", "13812345678"),
        )
        .unwrap();
        let b = Person::prepare(
            &l,
            &raw("王方", "19800503", "110105198005030024", "138 1234 5678"),
        )
        .unwrap();
        let mut g = Vec::new();
        compare_into(&l, &a, &b, &mut g);
        assert_eq!(g.len(), l.width());
        s.check_gamma(&g).unwrap();
        assert_eq!(g[0], name_level_index(NameLevel::Homophone));
        assert_eq!(g[1], 0, "same date in two formats");
        assert_eq!(g[2], 1, "one character different");
        assert_eq!(g[3], 0, "same phone after normalisation");
        assert_eq!(g[5], 0, "same sex");
        let mut tf = Vec::new();
        shared_values(&l, &a, &b, &mut tf);
        assert_eq!(tf.len(), l.width());
        assert_eq!(tf[3], Some("13812345678"));
        assert_eq!(tf[4], Some("浙江省杭州市西湖区文三路 1 号"));
        assert_eq!(tf[6], Some("教师"));
        assert_eq!((tf[0], tf[1], tf[2], tf[5]), (None, None, None, None));
        assert_eq!(shared_name(&a, &b), None);
        assert_eq!(shared_name(&a, &a), Some("王芳"));
        // A missing field is the null level.
        let c = Person::prepare(&l, &RawPerson::default()).unwrap();
        g.clear();
        compare_into(&l, &a, &c, &mut g);
        for (f, &lv) in g.iter().enumerate() {
            assert!(s.fields[f].is_null(lv), "field {f} level {lv}");
        }
    }

    #[test]
    fn malformed_values_are_named() {
        let l = layout();
        let bad = |r: RawPerson| Person::prepare(&l, &r).unwrap_err();
        assert_eq!(
            bad(raw("王芳", "1980-13-40", "", "")),
            FieldError::Birth("1980-13-40".into())
        );
        // A malformed identity number is kept as text: it is still evidence.
        let p = Person::prepare(&l, &raw("王芳", "", " 3301 06X9 ", "")).unwrap();
        assert_eq!(p.id_number.as_deref(), Some("330106X9"));
        assert!(!p.id_valid);
        assert_eq!(
            bad(raw("王芳", "", "", "abc")),
            FieldError::Phone("abc".into())
        );
        // A check-character typo is kept: it is what linkage must see through.
        let p = Person::prepare(&l, &raw("王芳", "", "110105198005030021", "")).unwrap();
        assert_eq!(p.id_number.as_deref(), Some("110105198005030021"));
        assert!(!p.id_valid);
        let p = Person::prepare(
            &l,
            &raw("王芳", "", "１１０１０５１９８００５０３００２２", ""),
        )
        .unwrap();
        assert!(p.id_valid);
        // 15 digits are upgraded.
        let p = Person::prepare(&l, &raw("王芳", "", "110105800503002", "")).unwrap();
        assert_eq!(p.id_number.as_deref(), Some("110105198005030022"));
    }

    #[test]
    fn name_part_columns_are_found_and_dropped() {
        let mut l = Layout {
            birth: true,
            extra: vec!["first".into(), "city".into(), "姓".into()],
            ..Layout::default()
        };
        let rec = |name: &'static str, first, city, surname| RawPerson {
            name: Some(name),
            extra: vec![Some(first), Some(city), Some(surname)],
            ..RawPerson::default()
        };
        let mut persons: Vec<Person> = [
            rec("Daniel M Key", "Daniel", "Seattle", "王"),
            rec("Tyler Trost", "tyler", "Seattle", "李"),
            rec("张晓明", "晓明", "杭州", "张"),
        ]
        .iter()
        .map(|r| Person::prepare(&l, r).unwrap())
        .collect();
        // "first" is inside the name three times of three; "姓" once of three.
        assert_eq!(name_part_fields(&l, &persons, 0.8), vec![0]);
        assert_eq!(name_part_fields(&l, &persons, 0.3), vec![0, 2]);
        without_extras(&mut l, &mut persons, &[0]);
        assert_eq!(l.extra, vec!["city".to_owned(), "姓".to_owned()]);
        assert_eq!(persons[2].extra[1].as_deref(), Some("张"));
    }

    #[test]
    fn a_gender_column_is_compared_as_the_sex() {
        let mut l = Layout {
            extra: vec!["city".into(), "gender".into()],
            ..Layout::default()
        };
        let rec = |city, gender| RawPerson {
            name: Some("王芳"),
            extra: vec![Some(city), Some(gender)],
            ..RawPerson::default()
        };
        let mut persons: Vec<Person> = [rec("杭州", "女"), rec("宁波", "Male"), rec("宁波", "")]
            .iter()
            .map(|r| Person::prepare(&l, r).unwrap())
            .collect();
        assert_eq!(sex_field_among_extras(&l, &persons), Some(1));
        // Both sexes must be present.
        let mut one_sex = persons.clone();
        one_sex[0].extra[1] = Some("男".into());
        assert_eq!(sex_field_among_extras(&l, &one_sex), None);
        extra_as_sex(&mut l, &mut persons, 1);
        assert!(l.sex);
        assert_eq!(l.extra, vec!["city".to_owned()]);
        let sexes: Vec<Option<bool>> = persons.iter().map(|p| p.sex).collect();
        assert_eq!(sexes, [Some(false), Some(true), None]);
        assert_eq!(
            sex_field_among_extras(&l, &persons),
            None,
            "already has one"
        );
    }

    #[test]
    fn two_valid_numbers_are_two_people_and_sex_is_read_leniently() {
        use crate::fs::compare::resident_id_level as level;
        let l = layout();
        let id = |v: &str| Person::prepare(&l, &bare("王芳", v)).unwrap();
        let mut g = Vec::new();
        let mut level_of = |a: &Person, b: &Person| {
            g.clear();
            compare_into(&l, a, b, &mut g);
            g[2]
        };
        // Twins: the same birth date, consecutive sequence numbers, both valid.
        let (x, y) = (id("110105198005030022"), id("110105198005030030"));
        assert!(x.id_valid && y.id_valid);
        assert_eq!(level_of(&x, &y), level::BOTH_VALID_DIFFERENT);
        // A one-digit slip stays a slip; a malformed number differs only weakly.
        assert_eq!(
            level_of(&x, &id("11010519800503002")),
            level::ONE_CHAR_DIFFERENT
        );
        assert_eq!(
            level_of(&x, &id("110105198005030023")),
            level::ONE_CHAR_DIFFERENT
        );
        assert_eq!(level_of(&x, &id("3301X61990")), level::DIFFERENT);
        for (raw, want) in [
            ("男", Some(true)),
            (" Ｆ ", Some(false)),
            ("Female", Some(false)),
            ("1", Some(true)),
            ("未知", None),
            ("", None),
        ] {
            assert_eq!(sex_key(raw), want, "{raw}");
        }
    }

    #[test]
    fn one_mistyped_digit_keeps_a_shared_key() {
        let l = layout();
        let id = "11010519800503002X";
        let base = Person::prepare(&l, &bare("王芳", id)).unwrap();
        let mut kb = Vec::new();
        blocking_keys(&H, &base, &mut kb);
        for pos in 0..17 {
            let mut typo: Vec<u8> = id.bytes().collect();
            typo[pos] = if typo[pos] == b'9' {
                b'0'
            } else {
                typo[pos] + 1
            };
            let typo = String::from_utf8(typo).unwrap();
            assert_eq!(quarters_differ(id, &typo), 1);
            // Different name and no birth date: only the identity number can bring them together.
            let other = Person::prepare(&l, &bare("李丽", &typo)).unwrap();
            let mut ko = Vec::new();
            blocking_keys(&H, &other, &mut ko);
            assert!(kb.iter().any(|k| ko.contains(k)), "typo at {pos}");
        }
        // Another secret gives other keys.
        let mut k2 = Vec::new();
        blocking_keys(&KeyHasher::new([9; 16]), &base, &mut k2);
        assert!(!kb.iter().any(|k| k2.contains(k)));
        let stranger = Person::prepare(&l, &bare("李丽", "330106199001011234")).unwrap();
        let mut ks = Vec::new();
        blocking_keys(&H, &stranger, &mut ks);
        assert!(!kb.iter().any(|k| ks.contains(k)));
    }

    #[test]
    fn free_text_fields_keep_their_digits() {
        let l = layout();
        let mut r = raw("王芳", "", "", "");
        r.address = Some("  杭州市文三路１号  ");
        r.extra = vec![Some("Room  12B")];
        let p = Person::prepare(&l, &r).unwrap();
        assert_eq!(p.address.as_deref(), Some("杭州市文三路1号"));
        assert_eq!(p.extra[0].as_deref(), Some("room 12b"));
    }

    #[test]
    fn the_same_address_or_extra_value_is_a_key() {
        let l = layout();
        let a = Person::prepare(&l, &raw("王芳", "", "", "")).unwrap();
        let b = Person::prepare(&l, &raw("李丽", "", "", "")).unwrap();
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        blocking_keys(&H, &a, &mut ka);
        blocking_keys(&H, &b, &mut kb);
        assert_eq!(
            ka.iter().filter(|k| kb.contains(k)).count(),
            2,
            "address and 职业"
        );
    }

    #[test]
    fn given_name_typo_meets_through_surname_and_birth() {
        let l = layout();
        let a = Person::prepare(&l, &raw("张晓明", "1975-01-02", "", "")).unwrap();
        let b = Person::prepare(&l, &raw("张晓朋", "1975-01-02", "", "")).unwrap();
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        blocking_keys(&H, &a, &mut ka);
        blocking_keys(&H, &b, &mut kb);
        assert!(ka.iter().any(|k| kb.contains(k)));
    }
}
