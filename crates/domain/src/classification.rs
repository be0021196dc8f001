//! The classification of practice (执业分类): category → sub-category (子类) → item (项目), as
//! versioned reference data. Institutions register a business scope and appraisers practice items
//! from this tree; seed clause 7 limits registration to the four categories.
//!
//! Sources (version "2020"): 《法医类司法鉴定执业分类规定》(司法部, 2020-05-14),
//! 《物证类司法鉴定执业分类规定》 and 《声像资料司法鉴定执业分类规定》(司规〔2020〕5号, 2020-06-23),
//! 《环境损害司法鉴定执业分类规定》(司发通〔2019〕56号, 司法部、生态环境部). Together they replace
//! 《司法鉴定执业分类规定（试行）》(司发通〔2000〕159号).
//!
//! Codes. The rules enumerate items in prose and assign no numbers, so the codes are ours:
//! `C` (category digit of [`Category::digit`]), `C.SS` (sub-category), `C.SS.II` (item), with `SS`
//! and `II` two digits from 01 to 99 in the order the rules list them. A code never changes meaning:
//! a later version keeps every code of the previous one, adds new codes after the last used
//! number, and marks withdrawn entries `retired_in`; nothing is renumbered or reused. Each version
//! is its own embedded snapshot (`data/classification-<id>.tsv`) and stays loadable by id, so a
//! registration or case recorded under an older version can still be read as it was.
//!
//! 环境损害: the 2019 rule lists seven 鉴定事项 directly under the category, and their own
//! 分领域 are not known here. The sub-category level is the grouping 4.01 named after that rule,
//! and the seven are its items 4.01.01–4.01.07. Scope checks on environmental work therefore
//! compare items, not the sub-category.
//!
//! `verified` is false where the wording was recalled rather than seen in a retrieved source;
//! confirm those entries against the official text before relying on their exact wording.
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::category::Category;

/// Id of the version in force for new registrations.
pub const CURRENT_VERSION: &str = "2020";

/// Level of a code in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Category,
    SubCategory,
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassificationError {
    #[error(
        "执业分类代码“{0}”格式不正确，应为“类别”“类别.子类”或“类别.子类.项目”，如 1、1.02、1.02.03"
    )]
    Malformed(String),
    #[error("鉴定类别不在四大类之内（《意见》第7条）：“{0}”")]
    OutsideFourCategories(String),
    #[error("执业分类代码“{code}”不在 {version} 版执业分类中")]
    Unknown { code: String, version: &'static str },
    #[error("执业分类代码“{code}”已于 {retired_in} 版执业分类停用")]
    Retired {
        code: String,
        retired_in: &'static str,
    },
}

/// A well-formed code within the four categories; whether it exists is a question for a
/// [`Classification`]. Ordering equals the order of the canonical strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    category: Category,
    sub: Option<u8>,
    item: Option<u8>,
}

impl Code {
    pub fn for_category(category: Category) -> Self {
        Self {
            category,
            sub: None,
            item: None,
        }
    }

    /// `None` unless `sub` is 1–99.
    pub fn sub_category(category: Category, sub: u8) -> Option<Self> {
        (1..=99).contains(&sub).then_some(Self {
            category,
            sub: Some(sub),
            item: None,
        })
    }

    /// `None` unless `sub` and `item` are 1–99.
    pub fn item(category: Category, sub: u8, item: u8) -> Option<Self> {
        let mut code = Self::sub_category(category, sub)?;
        code.item = (1..=99).contains(&item).then_some(item);
        code.item.map(|_| code)
    }

    /// Accepts only the canonical form, so a stored code compares equal as a string.
    /// Shape is checked before the category, so `5.01` is refused under clause 7 while `5.x`
    /// is malformed.
    pub fn parse(s: &str) -> Result<Self, ClassificationError> {
        let malformed = || ClassificationError::Malformed(s.to_owned());
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() > 3 {
            return Err(malformed());
        }
        let head = parts[0];
        if head.is_empty() || !head.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let mut numbers = Vec::with_capacity(2);
        for part in &parts[1..] {
            let n = match part.as_bytes() {
                [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => (a - b'0') * 10 + (b - b'0'),
                _ => return Err(malformed()),
            };
            if n == 0 {
                return Err(malformed());
            }
            numbers.push(n);
        }
        let category = match head.as_bytes() {
            [d] => Category::from_digit(d - b'0'),
            _ => None,
        }
        .ok_or_else(|| ClassificationError::OutsideFourCategories(s.to_owned()))?;
        Ok(Self {
            category,
            sub: numbers.first().copied(),
            item: numbers.get(1).copied(),
        })
    }

    pub fn level(self) -> Level {
        match (self.sub, self.item) {
            (None, _) => Level::Category,
            (Some(_), None) => Level::SubCategory,
            (Some(_), Some(_)) => Level::Item,
        }
    }

    pub fn category(self) -> Category {
        self.category
    }

    pub fn parent(self) -> Option<Self> {
        match self.level() {
            Level::Category => None,
            Level::SubCategory => Some(Self::for_category(self.category)),
            Level::Item => Some(Self { item: None, ..self }),
        }
    }

    /// True if `self` is `other` or one of its ancestors.
    pub fn covers(self, other: Code) -> bool {
        self.category == other.category
            && (self.sub.is_none() || self.sub == other.sub)
            && (self.item.is_none() || self.item == other.item)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.category.digit())?;
        for n in [self.sub, self.item].into_iter().flatten() {
            write!(f, ".{n:02}")?;
        }
        Ok(())
    }
}

impl FromStr for Code {
    type Err = ClassificationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// Stored and exchanged as the canonical string, never as a struct.
impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// True if the scope lists `item_code` or one of its ancestors, e.g. an appraiser's item
/// `1.02.01` is within an institution scope of `["1.02"]` or `["1"]`. Structural only: validate
/// codes against a [`Classification`] first. Malformed codes are never within anything.
pub fn is_within(item_code: &str, scope: &[&str]) -> bool {
    let Ok(code) = Code::parse(item_code) else {
        return false;
    };
    scope
        .iter()
        .filter_map(|s| Code::parse(s).ok())
        .any(|s| s.covers(code))
}

/// One entry of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub code: Code,
    pub level: Level,
    pub category: Category,
    pub parent: Option<Code>,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// False where the wording is recalled, not seen in a retrieved source.
    pub verified: bool,
    /// Id of the version that withdrew this entry; `None` while in force.
    pub retired_in: Option<&'static str>,
}

impl Entry {
    pub fn in_force(&self) -> bool {
        self.retired_in.is_none()
    }
}

/// A rule document a version is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    pub title: &'static str,
    pub issuer: &'static str,
    pub number: &'static str,
    /// False where the document number is recalled, not seen in a retrieved source.
    pub number_verified: bool,
    /// Issue date `YYYY-MM-DD`; `None` where only the year (from the number) is known.
    pub issued: Option<&'static str>,
    pub categories: &'static [Category],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassificationVersion {
    pub id: &'static str,
    /// `YYYY-MM-DD`.
    pub effective_from: &'static str,
    pub sources: &'static [SourceDocument],
}

struct Shipped {
    info: ClassificationVersion,
    table: &'static str,
}

// Oldest first. Append new versions; never edit or remove a shipped one.
static SHIPPED: [Shipped; 1] = [Shipped {
    info: ClassificationVersion {
        id: "2020",
        // Issue date of 司规〔2020〕5号, the last of the three documents; no separate
        // commencement date is known, so the set applies from that issue.
        effective_from: "2020-06-23",
        sources: &[
            SourceDocument {
                title: "法医类司法鉴定执业分类规定",
                issuer: "司法部",
                number: "司规〔2020〕3号",
                number_verified: false,
                issued: Some("2020-05-14"),
                categories: &[Category::Forensic],
            },
            SourceDocument {
                title: "物证类司法鉴定执业分类规定",
                issuer: "司法部",
                number: "司规〔2020〕5号",
                number_verified: true,
                issued: Some("2020-06-23"),
                categories: &[Category::PhysicalEvidence],
            },
            SourceDocument {
                title: "声像资料司法鉴定执业分类规定",
                issuer: "司法部",
                number: "司规〔2020〕5号",
                number_verified: true,
                issued: Some("2020-06-23"),
                categories: &[Category::AudioVisual],
            },
            SourceDocument {
                title: "环境损害司法鉴定执业分类规定",
                issuer: "司法部、生态环境部",
                number: "司发通〔2019〕56号",
                number_verified: true,
                issued: None,
                categories: &[Category::Environmental],
            },
        ],
    },
    table: include_str!("../data/classification-2020.tsv"),
}];

/// One version of the classification, loaded from its embedded snapshot.
#[derive(Debug)]
pub struct Classification {
    info: &'static ClassificationVersion,
    /// Sorted by code, unique.
    entries: Vec<Entry>,
}

fn loaded() -> &'static [Classification] {
    static LOADED: OnceLock<Vec<Classification>> = OnceLock::new();
    LOADED.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|s| {
                Classification::load(&s.info, s.table)
                    .unwrap_or_else(|e| panic!("执业分类 {} 数据有误：{e}", s.info.id))
            })
            .collect()
    })
}

impl Classification {
    /// The version in force for new registrations.
    pub fn current() -> &'static Classification {
        Self::version(CURRENT_VERSION).expect("current version is shipped")
    }

    /// A shipped version by id, including superseded ones.
    pub fn version(id: &str) -> Option<&'static Classification> {
        loaded().iter().find(|c| c.info.id == id)
    }

    /// All shipped versions, oldest first.
    pub fn versions() -> &'static [Classification] {
        loaded()
    }

    /// The latest version effective on `date` (`YYYY-MM-DD`), for reading records by the rules of
    /// their time; `None` before the first shipped version.
    pub fn in_force_on(date: &str) -> Option<&'static Classification> {
        loaded()
            .iter()
            .rev()
            .find(|c| c.info.effective_from <= date)
    }

    pub fn info(&self) -> &'static ClassificationVersion {
        self.info
    }

    /// Every entry of this version, retired ones included, sorted by code.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, code: Code) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.code.cmp(&code))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Retired entries are found too: old records still name them.
    pub fn find(&self, code: &str) -> Option<&Entry> {
        self.parse(code).ok()
    }

    /// Refuses malformed codes, codes outside the four categories (seed clause 7) and codes this
    /// version does not know.
    pub fn parse(&self, code: &str) -> Result<&Entry, ClassificationError> {
        let c = Code::parse(code)?;
        self.get(c).ok_or_else(|| ClassificationError::Unknown {
            code: code.to_owned(),
            version: self.info.id,
        })
    }

    /// As [`parse`](Self::parse), and refuses retired entries: for new registrations.
    pub fn parse_in_force(&self, code: &str) -> Result<&Entry, ClassificationError> {
        let entry = self.parse(code)?;
        match entry.retired_in {
            None => Ok(entry),
            Some(retired_in) => Err(ClassificationError::Retired {
                code: code.to_owned(),
                retired_in,
            }),
        }
    }

    pub fn category_of(&self, code: &str) -> Result<Category, ClassificationError> {
        self.parse(code).map(|e| e.category)
    }

    /// Sub-categories in force, in code order.
    pub fn sub_categories(&self, category: Category) -> impl Iterator<Item = &Entry> + '_ {
        self.children(Code::for_category(category))
    }

    /// Items in force under a sub-category, in code order; empty for an unknown or non-sub-category
    /// code.
    pub fn items(&self, sub_category_code: &str) -> impl Iterator<Item = &Entry> + '_ {
        let parent = Code::parse(sub_category_code)
            .ok()
            .filter(|c| c.level() == Level::SubCategory);
        self.entries
            .iter()
            .filter(move |e| parent.is_some() && e.parent == parent && e.in_force())
    }

    fn children(&self, parent: Code) -> impl Iterator<Item = &Entry> + '_ {
        self.entries
            .iter()
            .filter(move |e| e.parent == Some(parent) && e.in_force())
    }

    fn load(
        info: &'static ClassificationVersion,
        table: &'static str,
    ) -> Result<Classification, String> {
        // Category rows come from `Category` so the four names live in one place.
        let mut entries: Vec<Entry> = Category::ALL
            .into_iter()
            .map(|c| Entry {
                code: Code::for_category(c),
                level: Level::Category,
                category: c,
                parent: None,
                name_zh: c.label_zh(),
                name_en: c.label_en(),
                verified: true,
                retired_in: None,
            })
            .collect();
        for (n, line) in table.lines().enumerate() {
            let line_no = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&'static str> = line.split('\t').collect();
            // The last column may lose its trailing tab when empty.
            let [code, status, name_zh, name_en, rest @ ..] = cols.as_slice() else {
                return Err(format!("第 {line_no} 行列数不足"));
            };
            let retired_in = match rest {
                [] | [""] => None,
                [v] => Some(*v),
                _ => return Err(format!("第 {line_no} 行列数过多")),
            };
            let code = Code::parse(code).map_err(|e| format!("第 {line_no} 行：{e}"))?;
            if code.level() == Level::Category {
                return Err(format!("第 {line_no} 行：类别行由 Category 提供"));
            }
            let verified = match *status {
                "V" => true,
                "R" => false,
                other => return Err(format!("第 {line_no} 行：状态“{other}”应为 V 或 R")),
            };
            if name_zh.is_empty() || name_en.is_empty() {
                return Err(format!("第 {line_no} 行：名称为空"));
            }
            entries.push(Entry {
                code,
                level: code.level(),
                category: code.category(),
                parent: code.parent(),
                name_zh,
                name_en,
                verified,
                retired_in,
            });
        }
        entries.sort_by_key(|e| e.code);
        if let Some(w) = entries.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(format!("代码 {} 重复", w[0].code));
        }
        Ok(Classification { info, entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur() -> &'static Classification {
        Classification::current()
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        for v in Classification::versions() {
            assert!(v.entries().windows(2).all(|w| w[0].code < w[1].code));
            let mut strings: Vec<String> = v.entries().iter().map(|e| e.code.to_string()).collect();
            let n = strings.len();
            strings.sort();
            strings.dedup();
            assert_eq!(strings.len(), n);
        }
    }

    #[test]
    fn duplicate_rows_are_refused() {
        let table = "1.01\tV\t甲\tA\n1.01\tV\t乙\tB\n";
        let err = Classification::load(&SHIPPED[0].info, table).unwrap_err();
        assert!(err.contains("1.01"), "{err}");
    }

    #[test]
    fn every_parent_exists_in_the_same_category_one_level_up() {
        for v in Classification::versions() {
            for e in v.entries() {
                assert_eq!(e.level, e.code.level());
                let Some(p) = e.parent else {
                    assert_eq!(e.level, Level::Category);
                    continue;
                };
                let parent = v
                    .get(p)
                    .unwrap_or_else(|| panic!("{} has no parent", e.code));
                assert_eq!(parent.category, e.category, "{}", e.code);
                assert!(parent.level < e.level);
                assert!(parent.code.covers(e.code) && parent.code != e.code);
                // Withdrawing a node withdraws what lies under it.
                if e.in_force() {
                    assert!(parent.in_force(), "{} under retired {}", e.code, p);
                }
            }
        }
    }

    #[test]
    fn counts_match_the_rules() {
        let expected: [(Category, &[(&str, usize)]); 4] = [
            (
                Category::Forensic,
                &[
                    ("1.01", 8),
                    ("1.02", 9),
                    ("1.03", 9),
                    ("1.04", 9),
                    ("1.05", 12),
                ],
            ),
            (
                Category::PhysicalEvidence,
                &[("2.01", 11), ("2.02", 12), ("2.03", 11)],
            ),
            (
                Category::AudioVisual,
                &[("3.01", 5), ("3.02", 6), ("3.03", 4)],
            ),
            (Category::Environmental, &[("4.01", 7)]),
        ];
        for (cat, subs) in expected {
            let got: Vec<String> = cur()
                .sub_categories(cat)
                .map(|e| e.code.to_string())
                .collect();
            let want: Vec<&str> = subs.iter().map(|(c, _)| *c).collect();
            assert_eq!(got, want, "{cat:?}");
            for (sub, n) in subs {
                assert_eq!(cur().items(sub).count(), *n, "{sub}");
            }
        }
        assert_eq!(cur().entries().len(), 4 + 12 + 103);
    }

    #[test]
    fn verified_flags_follow_the_sources() {
        let v = |c: &str| cur().find(c).unwrap().verified;
        // Sub-category names are verified; some item lists are recalled.
        assert!(v("1.01") && v("2.02") && v("4.01"));
        assert!(!v("1.01.01") && !v("1.03.09") && !v("1.05.12") && !v("2.02.12"));
        assert!(v("1.02.01") && v("1.04.09") && v("2.01.11") && v("3.03.04"));
        assert!(v("2.03.09") && !v("2.03.10") && !v("2.03.11"));
        assert!(!v("3.02.01") && v("3.02.02") && !v("3.02.06"));
        assert!(v("4.01.06") && !v("4.01.07"));
        let fy = &cur().info().sources[0];
        assert_eq!(fy.categories, &[Category::Forensic]);
        assert!(!fy.number_verified);
    }

    #[test]
    fn names_are_present() {
        for e in cur().entries() {
            assert!(!e.name_zh.trim().is_empty(), "{}", e.code);
            assert!(
                !e.name_en.trim().is_empty() && e.name_en.is_ascii(),
                "{}",
                e.code
            );
            assert!(e.retired_in.is_none());
        }
    }

    #[test]
    fn lookups() {
        let c = cur();
        let e = c.find("1.04.02").unwrap();
        assert_eq!(e.name_zh, "三联体亲子关系鉴定");
        assert_eq!(e.parent, Code::parse("1.04").ok());
        assert_eq!(e.level, Level::Item);
        assert_eq!(c.find("2.01").unwrap().name_zh, "文书鉴定");
        assert_eq!(
            c.find("3").unwrap().name_zh,
            Category::AudioVisual.label_zh()
        );
        assert_eq!(c.find("4.01.01").unwrap().name_zh, "污染物性质鉴定");
        assert_eq!(c.category_of("3.03.01"), Ok(Category::AudioVisual));
        assert_eq!(c.category_of("4"), Ok(Category::Environmental));
        assert_eq!(c.category_of("2.02"), Ok(Category::PhysicalEvidence));
        assert_eq!(c.items("2.01").next().unwrap().name_zh, "笔迹");
        assert_eq!(c.items("2.01.01").count(), 0);
        assert_eq!(c.items("1.09").count(), 0);
        assert_eq!(c.items("9.01").count(), 0);
        assert!(c.find("1.06").is_none());
        assert!(c.parse_in_force("1.02.03").is_ok());
        // The same wording under different sub-categories stays distinct.
        let medical: Vec<String> = c
            .entries()
            .iter()
            .filter(|e| e.name_zh == "医疗损害鉴定")
            .map(|e| e.code.to_string())
            .collect();
        assert_eq!(medical, ["1.01.07", "1.02.07", "1.03.06"]);
    }

    #[test]
    fn refusals_name_their_rule() {
        let c = cur();
        for s in ["5", "5.01", "0.01.01", "9.99.99", "12.01"] {
            let err = c.parse(s).unwrap_err();
            assert_eq!(err, ClassificationError::OutsideFourCategories(s.into()));
            let msg = err.to_string();
            assert!(
                msg.starts_with("鉴定类别不在四大类之内（《意见》第7条）"),
                "{msg}"
            );
        }
        let err = c.parse("1.06.01").unwrap_err();
        assert!(matches!(
            err,
            ClassificationError::Unknown {
                version: "2020",
                ..
            }
        ));
        assert!(err.to_string().contains("1.06.01"));
        for s in [
            "",
            "a",
            "1.2",
            "1.002",
            "1.02.",
            ".1",
            "1.00",
            "1.01.00",
            "1.01.01.01",
            " 1",
        ] {
            assert_eq!(
                c.parse(s).unwrap_err(),
                ClassificationError::Malformed(s.into()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn within_scope() {
        assert!(is_within("1.02.03", &["1.02.03"]));
        assert!(is_within("1.02.03", &["2.01", "1.02"]));
        assert!(is_within("1.02.03", &["1"]));
        assert!(is_within("1.02", &["1"]));
        assert!(!is_within("1.02.03", &["1.02.04", "1.01", "2"]));
        assert!(
            !is_within("1.02", &["1.02.03"]),
            "an item does not cover its sub-category"
        );
        assert!(!is_within("1.02.03", &[]));
        assert!(!is_within("1.02.03", &["1.2", "x", "5"]));
        assert!(!is_within("bad", &["1"]));
        // An appraiser's items must all lie within the institution's scope.
        let scope = ["1.02", "1.04.02", "4"];
        assert!(
            ["1.02.01", "1.04.02", "4.01.03"]
                .iter()
                .all(|i| is_within(i, &scope))
        );
        assert!(!["1.02.01", "1.04.03"].iter().all(|i| is_within(i, &scope)));
    }

    #[test]
    fn versions_are_loadable_by_id() {
        let c = cur();
        assert_eq!(c.info().id, CURRENT_VERSION);
        assert!(std::ptr::eq(Classification::version("2020").unwrap(), c));
        assert!(Classification::version("2000").is_none());
        assert!(Classification::in_force_on("2020-06-22").is_none());
        assert!(std::ptr::eq(
            Classification::in_force_on("2024-01-01").unwrap(),
            c
        ));
        let numbers: Vec<&str> = c.info().sources.iter().map(|s| s.number).collect();
        assert!(numbers.contains(&"司规〔2020〕5号") && numbers.contains(&"司发通〔2019〕56号"));
        // Every category is covered by exactly one source document.
        for cat in Category::ALL {
            let n = c
                .info()
                .sources
                .iter()
                .filter(|s| s.categories.contains(&cat));
            assert_eq!(n.count(), 1, "{cat:?}");
        }
    }

    fn is_date(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    }

    #[test]
    fn history_is_append_only() {
        let all = Classification::versions();
        assert_eq!(all.last().unwrap().info().id, CURRENT_VERSION);
        for v in all {
            assert!(is_date(v.info().effective_from));
            for s in v.info().sources {
                assert!(s.issued.is_none_or(is_date));
            }
            // A retirement names this version or an earlier one.
            let ids: Vec<&str> = all
                .iter()
                .map(|x| x.info().id)
                .take_while(|id| *id != v.info().id)
                .chain([v.info().id])
                .collect();
            for e in v.entries() {
                assert!(e.retired_in.is_none_or(|r| ids.contains(&r)), "{}", e.code);
            }
        }
        for w in all.windows(2) {
            let (old, new) = (&w[0], &w[1]);
            assert!(old.info().effective_from < new.info().effective_from);
            for e in old.entries() {
                let n = new
                    .get(e.code)
                    .unwrap_or_else(|| panic!("{} dropped by {}", e.code, new.info().id));
                assert_eq!(n.name_zh, e.name_zh, "{} changed meaning", e.code);
                if e.retired_in.is_some() {
                    assert_eq!(n.retired_in, e.retired_in, "{}", e.code);
                }
            }
        }
    }

    #[test]
    fn code_format_round_trips() {
        for e in cur().entries() {
            let s = e.code.to_string();
            assert_eq!(Code::parse(&s), Ok(e.code));
        }
        let c = Code::item(Category::Forensic, 2, 3).unwrap();
        assert_eq!(c.to_string(), "1.02.03");
        assert_eq!(c.parent().unwrap().to_string(), "1.02");
        assert_eq!(c.parent().unwrap().parent().unwrap().to_string(), "1");
        assert_eq!(Code::sub_category(Category::Forensic, 0), None);
        assert_eq!(Code::item(Category::Forensic, 1, 100), None);
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("3.03.01");
        assert_eq!(
            Code::deserialize(de).unwrap(),
            Code::item(Category::AudioVisual, 3, 1).unwrap()
        );
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("5.01");
        assert!(Code::deserialize(de).is_err());
    }

    fn any_code() -> impl Strategy<Value = Code> {
        (
            0..4usize,
            prop::option::of((1..=99u8, prop::option::of(1..=99u8))),
        )
            .prop_map(|(c, rest)| {
                let cat = Category::ALL[c];
                match rest {
                    None => Code::for_category(cat),
                    Some((s, None)) => Code::sub_category(cat, s).unwrap(),
                    Some((s, Some(i))) => Code::item(cat, s, i).unwrap(),
                }
            })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(code in any_code()) {
            let s = code.to_string();
            prop_assert_eq!(Code::parse(&s), Ok(code));
            prop_assert!(is_within(&s, &[&s]));
            if let Some(p) = code.parent() {
                prop_assert!(is_within(&s, &[&p.to_string()]));
                prop_assert!(!is_within(&p.to_string(), &[&s]));
            }
        }

        #[test]
        fn parse_is_canonical(s in "[0-9.]{0,10}") {
            if let Ok(code) = Code::parse(&s) {
                prop_assert_eq!(code.to_string(), s);
            }
        }

        #[test]
        fn order_matches_string_order(a in any_code(), b in any_code()) {
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }
    }
}
