//! Case-level checks on top of person matches (seed clause 22: 多头、重复和虚假鉴定):
//!
//! - **multi-institution** (多头鉴定): the same person and the same or an overlapping matter open at
//!   another institution — 《司法鉴定程序通则》第十五条第六项 forbids accepting it;
//! - **repeated** (重复鉴定): the same person and matter after an issued opinion, other than the
//!   re-appraisal or supplementary appraisal of that opinion, with the earlier re-appraisals
//!   counted;
//! - **volume**: one person at many institutions within a short window.
//!
//! A shared court case number (案号) is evidence too: the same matter, whoever the person is.
use serde::{Deserialize, Serialize};
use sijian_domain::procedure::{Lineage, Stage};

/// What the checks need of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub id: i64,
    pub institution_id: i64,
    pub institution_name: String,
    pub stage: Stage,
    /// Classification item codes (`01.02.03`).
    pub items: Vec<String>,
    /// The category code (first segment of the items).
    pub category: String,
    /// `YYYY-MM-DD`.
    pub received_on: String,
    pub lineage: Lineage,
    pub parent_id: Option<i64>,
    pub case_number_key: Option<String>,
}

/// The best person match between the checked case and another case.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMatch {
    pub other_case: i64,
    pub probability: f64,
    /// The per-field explanation (`Scored::explain_zh`).
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    MultiInstitution,
    Repeated,
    Volume,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MultiInstitution => "multi_institution",
            Kind::Repeated => "repeated",
            Kind::Volume => "volume",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Kind::MultiInstitution, Kind::Repeated, Kind::Volume]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::MultiInstitution => "多头鉴定",
            Kind::Repeated => "重复鉴定",
            Kind::Volume => "短期内多机构鉴定",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Kind::MultiInstitution => "Multiple appraisal",
            Kind::Repeated => "Repeated appraisal",
            Kind::Volume => "Many institutions in a short time",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Possible,
    Certain,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Possible => "possible",
            Level::Certain => "certain",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Possible => "可能",
            Level::Certain => "确定",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Level::Possible => "Possible",
            Level::Certain => "Certain",
        }
    }
}

/// One finding about the checked case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    pub level: Level,
    /// The other case (0 for a volume finding).
    pub other_case_id: i64,
    pub probability: f64,
    /// Reviewer-facing reasons, the person match's explanation last.
    pub reasons: Vec<String>,
}

/// Thresholds with their documented defaults (`linkage.*` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// A person match at or above this is reported as possible. Default 0.5.
    pub possible: f64,
    /// A person match at or above this, with a shared matter, is certain. Default 0.99.
    pub certain: f64,
    /// Institutions within the window that make a volume finding. Default 3.
    pub volume_institutions: usize,
    /// The window, in days before and after the case's receipt. Default 180.
    pub volume_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            possible: 0.5,
            certain: 0.99,
            volume_institutions: 3,
            volume_days: 180,
        }
    }
}

fn day_number(ymd: &str) -> Option<i64> {
    sijian_domain::calendar::Date::parse(ymd)
        .ok()
        .map(|d| d.to_days())
}

/// How two cases' matters relate: `Some(true)` the same item, `Some(false)` the same category
/// only, `None` unrelated.
fn matter(a: &CaseView, b: &CaseView) -> Option<bool> {
    if a.items.iter().any(|i| b.items.contains(i)) {
        Some(true)
    } else if !a.category.is_empty() && a.category == b.category {
        Some(false)
    } else {
        None
    }
}

/// The findings for `case` given the other cases its persons (or its case number) lead to and
/// the best person match per other case.
pub fn assess(
    case: &CaseView,
    others: &[CaseView],
    matches: &[PersonMatch],
    th: &Thresholds,
) -> Vec<Finding> {
    let best = |id: i64| {
        matches
            .iter()
            .filter(|m| m.other_case == id)
            .max_by(|a, b| a.probability.total_cmp(&b.probability))
    };
    let mut out = Vec::new();
    let mut window_institutions = vec![case.institution_id];
    let here = day_number(&case.received_on);
    for o in others {
        // The case itself and its own lineage are not duplicates: its parent, its follow-ups,
        // and the other follow-ups of the same opinion (a supplementary appraisal at the
        // original institution beside a re-appraisal elsewhere, 通则第三十条至第三十二条).
        if o.id == case.id
            || Some(o.id) == case.parent_id
            || o.parent_id == Some(case.id)
            || (o.parent_id.is_some() && o.parent_id == case.parent_id)
        {
            continue;
        }
        let person = best(o.id).filter(|m| m.probability >= th.possible);
        let same_number =
            case.case_number_key.is_some() && case.case_number_key == o.case_number_key;
        if person.is_none() && !same_number {
            continue;
        }
        let p = person.map_or(0.0, |m| m.probability);
        if person.is_some()
            && let (Some(a), Some(b)) = (here, day_number(&o.received_on))
            && (a - b).abs() <= th.volume_days
            && !window_institutions.contains(&o.institution_id)
        {
            window_institutions.push(o.institution_id);
        }
        let Some(same_item) = matter(case, o) else {
            continue;
        };
        let certain = same_item && (p >= th.certain || (same_number && person.is_some()));
        let level = if certain {
            Level::Certain
        } else {
            Level::Possible
        };
        let mut reasons = Vec::new();
        if same_number {
            reasons.push("案号相同".to_owned());
        }
        reasons.push(if same_item {
            "委托鉴定事项相同".to_owned()
        } else {
            "委托鉴定事项属同一类别".to_owned()
        });
        let kind = if o.stage.is_open() && o.institution_id != case.institution_id {
            reasons.insert(
                0,
                format!(
                    "{}于 {} 收到的委托尚在办理（{}）",
                    o.institution_name,
                    o.received_on,
                    o.stage.label_zh()
                ),
            );
            Kind::MultiInstitution
        } else if matches!(o.stage, Stage::Issued | Stage::Archived) {
            let follows_it = matches!(case.lineage, Lineage::Reappraisal | Lineage::Supplementary)
                && case.parent_id == Some(o.id);
            if follows_it {
                continue;
            }
            let reappraisals = others
                .iter()
                .filter(|x| x.lineage == Lineage::Reappraisal && x.parent_id == Some(o.id))
                .count();
            reasons.insert(
                0,
                format!("{}已于此前就同一人出具鉴定意见", o.institution_name),
            );
            if reappraisals > 0 {
                reasons.push(format!("该意见此前已有 {reappraisals} 次重新鉴定"));
            }
            Kind::Repeated
        } else {
            continue;
        };
        if let Some(m) = person {
            reasons.extend(m.explanation.iter().cloned());
        }
        out.push(Finding {
            kind,
            level,
            other_case_id: o.id,
            probability: p,
            reasons,
        });
    }
    if window_institutions.len() >= th.volume_institutions {
        out.push(Finding {
            kind: Kind::Volume,
            level: Level::Possible,
            other_case_id: 0,
            probability: 0.0,
            reasons: vec![format!(
                "同一被鉴定人在前后 {} 天内涉及 {} 家鉴定机构",
                th.volume_days,
                window_institutions.len()
            )],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: i64, inst: i64, stage: Stage, items: &[&str], received: &str) -> CaseView {
        CaseView {
            id,
            institution_id: inst,
            institution_name: format!("机构{inst}"),
            stage,
            items: items.iter().map(|s| s.to_string()).collect(),
            category: items[0].split('.').next().unwrap().to_owned(),
            received_on: received.into(),
            lineage: Lineage::Original,
            parent_id: None,
            case_number_key: None,
        }
    }

    fn person(other: i64, p: f64) -> PersonMatch {
        PersonMatch {
            other_case: other,
            probability: p,
            explanation: vec!["姓名：完全一致（+14.8）".into()],
        }
    }

    #[test]
    fn open_elsewhere_is_multi_institution_and_certain_with_the_same_item() {
        let me = case(1, 10, Stage::Received, &["01.01.01"], "2026-11-20");
        let other = case(2, 20, Stage::InProgress, &["01.01.01"], "2026-11-01");
        let f = assess(
            &me,
            std::slice::from_ref(&other),
            &[person(2, 0.999)],
            &Thresholds::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, Kind::MultiInstitution);
        assert_eq!(f[0].level, Level::Certain);
        assert!(f[0].reasons[0].contains("机构20"));
        assert!(f[0].reasons.last().unwrap().contains("姓名"));
        // A weaker match is only possible; below the floor, nothing.
        let f = assess(
            &me,
            std::slice::from_ref(&other),
            &[person(2, 0.7)],
            &Thresholds::default(),
        );
        assert_eq!(f[0].level, Level::Possible);
        assert!(
            assess(
                &me,
                std::slice::from_ref(&other),
                &[person(2, 0.2)],
                &Thresholds::default()
            )
            .is_empty()
        );
        // Same institution: not 多头 (the institution sees its own case).
        let mine = case(3, 10, Stage::InProgress, &["01.01.01"], "2026-11-01");
        assert!(assess(&me, &[mine], &[person(3, 0.999)], &Thresholds::default()).is_empty());
        // An unrelated matter: nothing.
        let unrelated = case(4, 20, Stage::InProgress, &["02.01.01"], "2026-11-01");
        assert!(
            assess(
                &me,
                &[unrelated],
                &[person(4, 0.999)],
                &Thresholds::default()
            )
            .is_empty()
        );
        // Same category, other item: possible even with a certain person.
        let near = case(5, 20, Stage::InProgress, &["01.02.01"], "2026-11-01");
        let f = assess(&me, &[near], &[person(5, 0.999)], &Thresholds::default());
        assert_eq!(f[0].level, Level::Possible);
    }

    #[test]
    fn case_number_alone_is_possible_and_with_a_person_certain() {
        let mut me = case(1, 10, Stage::Received, &["01.01.01"], "2026-11-20");
        me.case_number_key = Some("2024|京0105|民初|1234".into());
        let mut other = case(2, 20, Stage::Accepted, &["01.01.01"], "2026-11-01");
        other.case_number_key = me.case_number_key.clone();
        let f = assess(
            &me,
            std::slice::from_ref(&other),
            &[],
            &Thresholds::default(),
        );
        assert_eq!(
            (f[0].kind, f[0].level),
            (Kind::MultiInstitution, Level::Possible)
        );
        assert!(f[0].reasons.contains(&"案号相同".to_owned()));
        let f = assess(&me, &[other], &[person(2, 0.6)], &Thresholds::default());
        assert_eq!(f[0].level, Level::Certain);
    }

    #[test]
    fn after_an_issued_opinion_is_repeated_unless_it_follows_that_opinion() {
        let issued = case(2, 20, Stage::Issued, &["01.01.01"], "2026-01-05");
        let me = case(1, 10, Stage::Received, &["01.01.01"], "2026-11-20");
        let f = assess(
            &me,
            std::slice::from_ref(&issued),
            &[person(2, 0.995)],
            &Thresholds::default(),
        );
        assert_eq!((f[0].kind, f[0].level), (Kind::Repeated, Level::Certain));
        // A re-appraisal of that opinion is the lawful route.
        let mut re = me.clone();
        re.lineage = Lineage::Reappraisal;
        re.parent_id = Some(2);
        assert!(
            assess(
                &re,
                std::slice::from_ref(&issued),
                &[person(2, 0.995)],
                &Thresholds::default()
            )
            .is_empty()
        );
        // A supplementary appraisal of the same opinion, open at the original institution, is
        // not a concurrent commission of the re-appraisal.
        let mut supplementary = case(4, 20, Stage::InProgress, &["01.01.01"], "2026-11-02");
        supplementary.lineage = Lineage::Supplementary;
        supplementary.parent_id = Some(2);
        assert!(
            assess(
                &re,
                &[issued.clone(), supplementary],
                &[person(2, 0.995), person(4, 0.995)],
                &Thresholds::default()
            )
            .is_empty()
        );
        // Earlier re-appraisals are counted.
        let mut earlier = case(3, 30, Stage::Issued, &["01.01.01"], "2026-05-01");
        earlier.lineage = Lineage::Reappraisal;
        earlier.parent_id = Some(2);
        let f = assess(
            &me,
            &[issued, earlier],
            &[person(2, 0.995), person(3, 0.995)],
            &Thresholds::default(),
        );
        assert!(
            f.iter()
                .any(|x| x.reasons.iter().any(|r| r.contains("已有 1 次重新鉴定")))
        );
    }

    #[test]
    fn many_institutions_in_the_window_is_a_volume_finding() {
        let me = case(1, 10, Stage::Received, &["01.01.01"], "2026-11-20");
        let others = vec![
            case(2, 20, Stage::Refused, &["03.01.01"], "2026-09-01"),
            case(3, 30, Stage::Terminated, &["03.01.01"], "2026-10-01"),
            // Outside the window: not counted.
            case(4, 40, Stage::Terminated, &["03.01.01"], "2025-01-01"),
        ];
        let m = [person(2, 0.99), person(3, 0.99), person(4, 0.99)];
        let f = assess(&me, &others, &m, &Thresholds::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, Kind::Volume);
        assert!(f[0].reasons[0].contains("3 家"));
        let strict = Thresholds {
            volume_institutions: 4,
            ..Thresholds::default()
        };
        assert!(assess(&me, &others, &m, &strict).is_empty());
    }
}
