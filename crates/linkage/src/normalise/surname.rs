//! Surnames: compound-surname segmentation, frequency shares and forced readings. Tables in
//! `data/compound_surnames.txt`, `data/surnames.txt`, `data/surname_readings.txt`; each names its
//! source.
use super::{NAME_DOT, data_lines};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const COMPOUND: &str = include_str!("../../data/compound_surnames.txt");
const SHARES: &str = include_str!("../../data/surnames.txt");
const READINGS: &str = include_str!("../../data/surname_readings.txt");

fn compound_set() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| data_lines(COMPOUND).collect())
}

fn share_table() -> &'static HashMap<&'static str, f64> {
    static TABLE: OnceLock<HashMap<&'static str, f64>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(SHARES)
            .filter_map(|l| {
                let (name, share) = l.split_once(char::is_whitespace)?;
                Some((name, share.trim().parse().ok()?))
            })
            .collect()
    })
}

fn reading_table() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(READINGS)
            .filter_map(|l| {
                let mut fields = l.split_whitespace();
                let name = fields.next()?;
                Some((name, fields.collect()))
            })
            .collect()
    })
}

/// Whether `s` is one of the compound surnames (欧阳, 司马, 尉迟 …).
pub fn is_compound_surname(s: &str) -> bool {
    compound_set().contains(s)
}

/// Splits a normalised name (output of [`super::text`] and [`super::simplify`]) into
/// `(surname, given name)`. A compound surname is preferred when at least one character is left
/// for the given name (`欧阳明` → `欧阳`/`明`, but `欧阳` alone is 欧 + 阳). Otherwise the first
/// character is the surname. Names with a middle dot (transliterated minority or foreign names)
/// have no surname in this sense: `("", name)`. Romanised names split at the first space.
pub fn split_name(name: &str) -> (&str, &str) {
    if name.contains(NAME_DOT) {
        return ("", name);
    }
    if name.is_ascii() {
        return name.split_once(' ').unwrap_or(("", name));
    }
    let mut indices = name.char_indices().map(|(i, _)| i).skip(1);
    let (Some(second), third) = (indices.next(), indices.next()) else {
        return (name, "");
    };
    if let Some(third) = third
        && is_compound_surname(&name[..third])
    {
        return name.split_at(third);
    }
    name.split_at(second)
}

/// Approximate share of the population, in percent, bearing this surname (王 ≈ 7.1); `None` for
/// surnames outside the table (then rarer than about 0.1 %).
pub fn surname_share(surname: &str) -> Option<f64> {
    share_table().get(surname).copied()
}

/// The surname table in descending order of share (ties by surname), for weighted sampling.
pub fn surnames_by_share() -> Vec<(&'static str, f64)> {
    let mut v: Vec<(&'static str, f64)> = share_table().iter().map(|(k, v)| (*k, *v)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// The forced toneless reading of each character of a surname whose surname reading differs from
/// the everyday one or is ambiguous (曾 → `zeng`, 尉迟 → `yu chi`); `None` when the character's own
/// readings apply.
pub fn surname_reading(surname: &str) -> Option<&'static [&'static str]> {
    reading_table().get(surname).map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split() {
        assert_eq!(split_name("欧阳明"), ("欧阳", "明"));
        assert_eq!(split_name("欧阳娜娜"), ("欧阳", "娜娜"));
        assert_eq!(split_name("欧阳"), ("欧", "阳"));
        assert_eq!(split_name("诸葛亮"), ("诸葛", "亮"));
        assert_eq!(split_name("尉迟恭"), ("尉迟", "恭"));
        assert_eq!(split_name("司马相如"), ("司马", "相如"));
        assert_eq!(split_name("张伟"), ("张", "伟"));
        assert_eq!(split_name("王"), ("王", ""));
        assert_eq!(split_name("宗政明"), ("宗", "政明"));
        assert_eq!(split_name("阿依古丽·买买提"), ("", "阿依古丽·买买提"));
        assert_eq!(split_name("zhang wei"), ("zhang", "wei"));
        assert_eq!(split_name("zhangwei"), ("", "zhangwei"));
        assert_eq!(split_name(""), ("", ""));
    }

    /// Surname readings missing from pinyin-data's heteronyms.
    const SURNAME_ONLY: [(char, &str); 1] = [('黑', "he")];

    #[test]
    fn tables() {
        let compound = data_lines(COMPOUND).count();
        assert_eq!(compound_set().len(), compound, "duplicate compound surname");
        for s in compound_set() {
            assert_eq!(s.chars().count(), 2, "{s}");
        }
        for s in [
            "欧阳", "司马", "上官", "诸葛", "尉迟", "慕容", "令狐", "东方", "皇甫", "公孙", "长孙",
            "宇文", "夏侯", "司徒", "轩辕", "端木", "万俟", "独孤", "南宫", "西门",
        ] {
            assert!(is_compound_surname(s), "{s}");
        }
        assert_eq!(share_table().len(), data_lines(SHARES).count());
        assert!(share_table().len() >= 100);
        assert_eq!(surname_share("王"), Some(7.10));
        assert_eq!(surname_share("鲜于"), None);
        let total: f64 = share_table().values().sum();
        assert!((70.0..90.0).contains(&total), "{total}");
        assert_eq!(reading_table().len(), data_lines(READINGS).count());
        for (s, r) in reading_table() {
            assert_eq!(s.chars().count(), r.len(), "{s}");
            for (c, p) in s.chars().zip(r) {
                assert!(p.bytes().all(|b| b.is_ascii_lowercase()), "{s} {p}");
                // The forced reading must be one the character has in pinyin-data, except where
                // that data lacks the surname reading (黑 Hè, 《现代汉语词典》).
                assert!(
                    super::super::readings(c).contains(p) || SURNAME_ONLY.contains(&(c, *p)),
                    "{s}: {c} {p}"
                );
            }
        }
    }

    #[test]
    fn forced_readings() {
        for (s, r) in [
            ("曾", "zeng"),
            ("单", "shan"),
            ("解", "xie"),
            ("仇", "qiu"),
            ("区", "ou"),
            ("朴", "piao"),
            ("查", "zha"),
            ("盖", "ge"),
            ("缪", "miao"),
            ("乐", "yue"),
            ("任", "ren"),
            ("华", "hua"),
            ("燕", "yan"),
            ("冼", "xian"),
            ("覃", "qin"),
            ("繁", "po"),
        ] {
            assert_eq!(surname_reading(s), Some(&[r][..]), "{s}");
        }
        assert_eq!(surname_reading("尉迟"), Some(&["yu", "chi"][..]));
        assert_eq!(surname_reading("王"), Some(&["wang"][..]));
        assert_eq!(surname_reading("李"), None);
        // Every listed surname with several readings has its reading forced.
        for s in share_table().keys() {
            let c = s.chars().next().unwrap();
            assert!(
                super::super::readings(c).len() == 1 || surname_reading(s).is_some(),
                "{s}: {:?}",
                super::super::readings(c)
            );
        }
    }
}
