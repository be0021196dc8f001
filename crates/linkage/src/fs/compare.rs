//! Generic comparators returning a level index of their own level list, so a caller can build
//! a [`super::Gamma`] for common field types. Inputs are expected already normalised (see
//! `crate::normalise`); blank values count as missing. Every comparator is symmetric.
//!
//! Level lists follow Splink's comparison library in spirit ("exact", fuzzy tiers, "else",
//! null) with levels ordered from most to least similar and the null level last.

use super::model::LevelSpec;

/// Date levels, see [`date_levels`].
pub mod date_level {
    pub const EXACT: u8 = 0;
    /// Same year, month and day swapped (a common keying error, e.g. 03-05 vs 05-03).
    pub const DAY_MONTH_TRANSPOSED: u8 = 1;
    pub const SAME_YEAR_MONTH: u8 = 2;
    /// The later date is at most one calendar year after the earlier one.
    pub const WITHIN_ONE_YEAR: u8 = 3;
    pub const DIFFERENT: u8 = 4;
    pub const MISSING: u8 = 5;
}

/// Identifier levels, see [`id_levels`].
pub mod id_level {
    pub const EXACT: u8 = 0;
    /// Levenshtein distance 1: one character substituted, inserted or deleted.
    pub const ONE_CHAR_DIFFERENT: u8 = 1;
    /// Two adjacent characters swapped, everything else equal.
    pub const ADJACENT_TRANSPOSITION: u8 = 2;
    pub const DIFFERENT: u8 = 3;
    pub const MISSING: u8 = 4;
}

/// Resident identity number levels, see [`resident_id_levels`]: [`id_level`] with the
/// disagreement split in two. Two well-formed numbers whose check characters both hold and that
/// differ by more than one slip were issued to two people (GB 11643-1999: the check character
/// catches every single-digit error and most transpositions), which is far stronger evidence
/// than a difference involving a malformed or mistyped number.
pub mod resident_id_level {
    pub const EXACT: u8 = 0;
    pub const ONE_CHAR_DIFFERENT: u8 = 1;
    pub const ADJACENT_TRANSPOSITION: u8 = 2;
    /// Both numbers valid (check character holds) and different beyond one slip.
    pub const BOTH_VALID_DIFFERENT: u8 = 3;
    /// Different, at least one of them malformed or failing its check character.
    pub const DIFFERENT: u8 = 4;
    pub const MISSING: u8 = 5;
}

/// Sex levels, see [`sex_levels`].
pub mod sex_level {
    pub const SAME: u8 = 0;
    pub const DIFFERENT: u8 = 1;
    pub const MISSING: u8 = 2;
}

/// String levels, see [`string_levels`].
pub mod string_level {
    pub const EXACT: u8 = 0;
    pub const JW_092: u8 = 1;
    pub const JW_080: u8 = 2;
    pub const DIFFERENT: u8 = 3;
    pub const MISSING: u8 = 4;
}

/// Phone levels, see [`phone_levels`].
pub mod phone_level {
    pub const EXACT: u8 = 0;
    /// Last eight digits equal (same subscriber number with or without area/country code).
    pub const LAST_8_SAME: u8 = 1;
    pub const DIFFERENT: u8 = 2;
    pub const MISSING: u8 = 3;
}

/// Levels of [`compare_date`], indices as in [`date_level`].
pub fn date_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("完全相同"),
        LevelSpec::new("日月颠倒"),
        LevelSpec::new("同年同月"),
        LevelSpec::new("相差一年内"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// Levels of [`compare_id`], indices as in [`id_level`].
pub fn id_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("完全相同"),
        LevelSpec::new("相差一个字符"),
        LevelSpec::new("相邻字符颠倒"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// Levels of a resident identity number, indices as in [`resident_id_level`].
pub fn resident_id_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("完全相同"),
        LevelSpec::new("相差一个字符"),
        LevelSpec::new("相邻字符颠倒"),
        LevelSpec::new("不同（均为有效号码）"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// Levels of a sex comparison, indices as in [`sex_level`].
pub fn sex_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("相同"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// Compare two resident identity numbers, each with whether its check character holds;
/// returns a [`resident_id_level`].
pub fn compare_resident_id(a: Option<(&str, bool)>, b: Option<(&str, bool)>) -> u8 {
    let (Some((a, a_valid)), Some((b, b_valid))) = (a, b) else {
        return resident_id_level::MISSING;
    };
    match compare_id(Some(a), Some(b)) {
        id_level::EXACT => resident_id_level::EXACT,
        id_level::ONE_CHAR_DIFFERENT => resident_id_level::ONE_CHAR_DIFFERENT,
        id_level::ADJACENT_TRANSPOSITION => resident_id_level::ADJACENT_TRANSPOSITION,
        id_level::DIFFERENT if a_valid && b_valid => resident_id_level::BOTH_VALID_DIFFERENT,
        id_level::DIFFERENT => resident_id_level::DIFFERENT,
        _ => resident_id_level::MISSING,
    }
}

/// Compare two sexes (`None` = not recorded); returns a [`sex_level`].
pub fn compare_sex(a: Option<bool>, b: Option<bool>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => sex_level::SAME,
        (Some(_), Some(_)) => sex_level::DIFFERENT,
        _ => sex_level::MISSING,
    }
}

/// Levels of [`compare_string`], indices as in [`string_level`].
pub fn string_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("完全相同"),
        LevelSpec::new("高度相似（JW≥0.92）"),
        LevelSpec::new("相似（JW≥0.80）"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// Levels of [`compare_phone`], indices as in [`phone_level`].
pub fn phone_levels() -> Vec<LevelSpec> {
    vec![
        LevelSpec::new("完全相同"),
        LevelSpec::new("后八位相同"),
        LevelSpec::new("不同"),
        LevelSpec::null("缺失"),
    ]
}

/// A calendar date (proleptic Gregorian), validated on construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Ymd {
    /// `None` unless the date exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        (day >= 1 && day <= days_in_month(year, month)).then_some(Self { year, month, day })
    }

    /// Parse `YYYYMMDD` or three digit groups separated by anything non-digit
    /// (`1980-05-03`, `1980/5/3`, `1980年5月3日`), or with the year last as registers abroad
    /// write it (`05/03/1980` read month first, `25.12.1980` day first when the first group
    /// cannot be a month).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Self::new(
                s[..4].parse().ok()?,
                s[4..6].parse().ok()?,
                s[6..].parse().ok()?,
            );
        }
        let groups: Vec<&str> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        match groups.as_slice() {
            [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
            }
            [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 => {
                let (a, b, y): (u8, u8, i32) = (a.parse().ok()?, b.parse().ok()?, y.parse().ok()?);
                Self::new(y, a, b).or_else(|| Self::new(y, b, a))
            }
            _ => None,
        }
    }
}

/// Compare two dates (`None` = missing); returns a [`date_level`].
pub fn compare_date(a: Option<Ymd>, b: Option<Ymd>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return date_level::MISSING;
    };
    if a == b {
        return date_level::EXACT;
    }
    if a.year == b.year && a.month == b.day && a.day == b.month {
        return date_level::DAY_MONTH_TRANSPOSED;
    }
    if a.year == b.year && a.month == b.month {
        return date_level::SAME_YEAR_MONTH;
    }
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    if (hi.year, hi.month, hi.day) <= (lo.year.saturating_add(1), lo.month, lo.day) {
        return date_level::WITHIN_ONE_YEAR;
    }
    date_level::DIFFERENT
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Levenshtein distance ≤ 1, in O(n).
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if a.len() == b.len() {
        p == a.len() || a[p + 1..] == b[p + 1..]
    } else {
        a[p..] == b[p + 1..]
    }
}

fn adjacent_transposition(a: &[char], b: &[char]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    p + 1 < a.len() && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..]
}

/// Compare two identifiers (resident ID, case number, licence number) character by
/// character; returns an [`id_level`].
pub fn compare_id(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (blank(a), blank(b)) else {
        return id_level::MISSING;
    };
    if a == b {
        return id_level::EXACT;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if within_one_edit(&a, &b) {
        id_level::ONE_CHAR_DIFFERENT
    } else if adjacent_transposition(&a, &b) {
        id_level::ADJACENT_TRANSPOSITION
    } else {
        id_level::DIFFERENT
    }
}

/// Jaro similarity over characters (Jaro 1989).
fn jaro(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = vec![false; b.len()];
    let mut a_matched = Vec::with_capacity(a.len());
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == *ca {
                b_used[j] = true;
                a_matched.push(*ca);
                break;
            }
        }
    }
    let m = a_matched.len();
    if m == 0 {
        return 0.0;
    }
    let b_matched = b.iter().zip(&b_used).filter(|(_, u)| **u).map(|(c, _)| c);
    let half_t = a_matched
        .iter()
        .zip(b_matched)
        .filter(|(x, y)| x != y)
        .count();
    let m = m as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (half_t / 2) as f64) / m) / 3.0
}

/// Jaro–Winkler similarity (Winkler 1990): prefix scale 0.1, common prefix up to 4
/// characters, boost applied only above a Jaro similarity of 0.7 — the same definition as
/// `strsim` and DuckDB's `jaro_winkler_similarity`, which Splink uses. Inputs are put in a
/// canonical order first so the result is exactly symmetric.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let j = jaro(&a, &b);
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    j + 0.1 * prefix as f64 * (1.0 - j)
}

/// Compare two strings; returns a [`string_level`].
pub fn compare_string(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (blank(a), blank(b)) else {
        return string_level::MISSING;
    };
    if a == b {
        return string_level::EXACT;
    }
    let s = jaro_winkler(a, b);
    if s >= 0.92 {
        string_level::JW_092
    } else if s >= 0.80 {
        string_level::JW_080
    } else {
        string_level::DIFFERENT
    }
}

/// Compare two phone numbers on their digits only (separators, `+` and spaces ignored);
/// returns a [`phone_level`].
pub fn compare_phone(a: Option<&str>, b: Option<&str>) -> u8 {
    let digits = |s: Option<&str>| -> Option<Vec<u8>> {
        let d: Vec<u8> = s?.bytes().filter(u8::is_ascii_digit).collect();
        (!d.is_empty()).then_some(d)
    };
    let (Some(a), Some(b)) = (digits(a), digits(b)) else {
        return phone_level::MISSING;
    };
    if a == b {
        phone_level::EXACT
    } else if a.len() >= 8 && b.len() >= 8 && a[a.len() - 8..] == b[b.len() - 8..] {
        phone_level::LAST_8_SAME
    } else {
        phone_level::DIFFERENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_with_the_year_last_read_month_first() {
        assert_eq!(Ymd::parse("05/03/1980"), Ymd::new(1980, 5, 3));
        assert_eq!(Ymd::parse("25.12.1980"), Ymd::new(1980, 12, 25));
        assert_eq!(Ymd::parse("05/18/11022"), None);
        assert_eq!(Ymd::parse("13/13/1980"), None);
    }

    fn d(s: &str) -> Option<Ymd> {
        Some(Ymd::parse(s).unwrap())
    }

    #[test]
    fn dates() {
        use date_level::*;
        assert_eq!(compare_date(d("1980-05-03"), d("19800503")), EXACT);
        assert_eq!(
            compare_date(d("1980-05-03"), d("1980年3月5日")),
            DAY_MONTH_TRANSPOSED
        );
        assert_eq!(
            compare_date(d("1980-05-03"), d("1980/5/30")),
            SAME_YEAR_MONTH
        );
        assert_eq!(
            compare_date(d("1980-05-03"), d("1981-05-03")),
            WITHIN_ONE_YEAR
        );
        assert_eq!(
            compare_date(d("1980-05-03"), d("1979-12-01")),
            WITHIN_ONE_YEAR
        );
        assert_eq!(compare_date(d("1980-05-03"), d("1981-05-04")), DIFFERENT);
        assert_eq!(
            compare_date(d("2000-02-29"), d("2001-02-28")),
            WITHIN_ONE_YEAR
        );
        assert_eq!(compare_date(None, d("1980-05-03")), MISSING);
        assert!(Ymd::parse("1981-02-29").is_none());
        assert!(Ymd::parse("1980-13-01").is_none());
        assert!(Ymd::parse("80-1-1").is_none());
        assert_eq!(date_levels().len(), 6);
        assert!(date_levels()[usize::from(MISSING)].is_null);
    }

    #[test]
    fn identifiers() {
        use id_level::*;
        let id = "11010519491231002X";
        assert_eq!(compare_id(Some(id), Some(id)), EXACT);
        assert_eq!(
            compare_id(Some(id), Some("110105194912310021")),
            ONE_CHAR_DIFFERENT
        );
        assert_eq!(
            compare_id(Some(id), Some("11010519491231002")),
            ONE_CHAR_DIFFERENT
        );
        assert_eq!(
            compare_id(Some(id), Some("11010591491231002X")),
            ADJACENT_TRANSPOSITION
        );
        assert_eq!(compare_id(Some(id), Some("11010519491231012Y")), DIFFERENT);
        assert_eq!(compare_id(Some(""), Some(id)), MISSING);
        assert_eq!(compare_id(None, None), MISSING);
        assert!(id_levels()[usize::from(MISSING)].is_null);
    }

    #[test]
    fn jaro_winkler_reference_values() {
        // Winkler's published examples (also strsim's tests).
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.9611).abs() < 1e-4);
        assert!((jaro_winkler("DWAYNE", "DUANE") - 0.84).abs() < 1e-4);
        assert!((jaro_winkler("DIXON", "DICKSONX") - 0.8133).abs() < 1e-4);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("张伟", "张伟"), 1.0);
    }

    #[test]
    fn strings_and_phones() {
        use string_level as s;
        assert_eq!(compare_string(Some("MARTHA"), Some("MARTHA")), s::EXACT);
        assert_eq!(compare_string(Some("MARTHA"), Some("MARHTA")), s::JW_092);
        assert_eq!(compare_string(Some("DWAYNE"), Some("DUANE")), s::JW_080);
        assert_eq!(compare_string(Some("abc"), Some("xyz")), s::DIFFERENT);
        assert_eq!(compare_string(Some("  "), Some("xyz")), s::MISSING);
        use phone_level as p;
        assert_eq!(
            compare_phone(Some("138-0013-8000"), Some("13800138000")),
            p::EXACT
        );
        assert_eq!(
            compare_phone(Some("+86 13800138000"), Some("13800138000")),
            p::LAST_8_SAME
        );
        assert_eq!(
            compare_phone(Some("13900138000"), Some("13800138000")),
            p::LAST_8_SAME
        );
        assert_eq!(
            compare_phone(Some("13800138001"), Some("13800138000")),
            p::DIFFERENT
        );
        assert_eq!(compare_phone(Some("--"), Some("13800138000")), p::MISSING);
    }

    fn arb_date() -> impl Strategy<Value = Option<Ymd>> {
        proptest::option::weighted(0.9, (1995i32..2002, 1u8..13, 1u8..29))
            .prop_map(|o| o.and_then(|(y, m, d)| Ymd::new(y, m, d)))
    }

    proptest! {
        #[test]
        fn comparators_are_symmetric(
            a in "[0-9X]{0,6}", b in "[0-9X]{0,6}",
            s in "[a-c张王伟]{0,6}", t in "[a-c张王伟]{0,6}",
            da in arb_date(), db in arb_date(),
        ) {
            prop_assert_eq!(compare_id(Some(&a), Some(&b)), compare_id(Some(&b), Some(&a)));
            prop_assert_eq!(compare_phone(Some(&a), Some(&b)), compare_phone(Some(&b), Some(&a)));
            prop_assert_eq!(compare_string(Some(&s), Some(&t)), compare_string(Some(&t), Some(&s)));
            prop_assert_eq!(jaro_winkler(&s, &t), jaro_winkler(&t, &s));
            prop_assert_eq!(compare_date(da, db), compare_date(db, da));
        }

        #[test]
        fn identical_inputs_are_exact(a in "[0-9X]{1,18}", s in "[a-z张王伟]{1,8}") {
            prop_assert_eq!(compare_id(Some(&a), Some(&a)), id_level::EXACT);
            prop_assert_eq!(compare_string(Some(&s), Some(&s)), string_level::EXACT);
            prop_assert!((0.0..=1.0).contains(&jaro_winkler(&s, &a)));
        }

        #[test]
        fn one_edit_agrees_with_levenshtein(a in "[ab]{0,6}", b in "[ab]{0,6}") {
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            prop_assert_eq!(within_one_edit(&x, &y), levenshtein(&x, &y) <= 1);
        }
    }

    fn levenshtein(a: &[char], b: &[char]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
}
