//! The conclusion of an opinion in structured form (鉴定意见), recorded when the opinion is
//! issued, so that a correction is compared with it rather than trusted: 通则第四十一条 allows a
//! correction only where it "不得改变司法鉴定意见的原意". Per matter: the degree of an injury
//! (1.02.01, 《人体损伤程度鉴定标准》), a disability grade (1.02.02, 《人体损伤致残程度分级》),
//! parentage supported or excluded (1.04.02, 1.04.03); the conclusion's words for any other
//! matter.
use serde::{Deserialize, Serialize};

/// Longest free-text conclusion, in characters. Platform rule, not configurable: a conclusion is
/// a paragraph, not the opinion.
pub const MAX_TEXT_CHARS: usize = 2000;

/// 《人体损伤程度鉴定标准》 degrees, and "below a minor injury".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjuryDegree {
    BelowMinor,
    Minor,
    Light2,
    Light1,
    Serious2,
    Serious1,
}

impl InjuryDegree {
    pub const ALL: [InjuryDegree; 6] = [
        Self::BelowMinor,
        Self::Minor,
        Self::Light2,
        Self::Light1,
        Self::Serious2,
        Self::Serious1,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BelowMinor => "below_minor",
            Self::Minor => "minor",
            Self::Light2 => "light_2",
            Self::Light1 => "light_1",
            Self::Serious2 => "serious_2",
            Self::Serious1 => "serious_1",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::BelowMinor => "未达轻微伤",
            Self::Minor => "轻微伤",
            Self::Light2 => "轻伤二级",
            Self::Light1 => "轻伤一级",
            Self::Serious2 => "重伤二级",
            Self::Serious1 => "重伤一级",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::BelowMinor => "Below minor injury",
            Self::Minor => "Minor injury",
            Self::Light2 => "Light injury, grade 2",
            Self::Light1 => "Light injury, grade 1",
            Self::Serious2 => "Serious injury, grade 2",
            Self::Serious1 => "Serious injury, grade 1",
        }
    }
}

/// An opinion's conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Conclusion {
    /// 1.02.01 人体损伤程度鉴定.
    InjuryDegree { degree: InjuryDegree },
    /// 1.02.02 人体残疾等级鉴定: 一级 (most severe) to 十级.
    DisabilityGrade { grade: u8 },
    /// 1.04.02 / 1.04.03 亲子关系鉴定: the relation is supported (true) or excluded.
    Parentage { supported: bool },
    /// Any matter: the conclusion in words (whitespace runs count as one space).
    Text { text: String },
}

const GRADES: [&str; 10] = [
    "一级", "二级", "三级", "四级", "五级", "六级", "七级", "八级", "九级", "十级",
];

/// A conclusion as entered: its kind and one value (a degree code, a grade 1–10, `supported` or
/// `excluded`, or the words).
#[derive(Debug, Clone, Copy)]
pub struct ConclusionInput<'a> {
    pub kind: &'a str,
    pub value: &'a str,
}

impl Conclusion {
    /// Reads a conclusion as entered; the error says what is expected.
    pub fn parse(input: ConclusionInput<'_>) -> Result<Conclusion, String> {
        let v = input.value.trim();
        match input.kind.trim() {
            "injury_degree" => InjuryDegree::parse(v)
                .map(|degree| Conclusion::InjuryDegree { degree })
                .ok_or_else(|| {
                    "损伤程度应为：未达轻微伤、轻微伤、轻伤二级、轻伤一级、重伤二级或重伤一级"
                        .into()
                }),
            "disability_grade" => match v.parse::<u8>() {
                Ok(grade @ 1..=10) => Ok(Conclusion::DisabilityGrade { grade }),
                _ => Err("伤残等级应为一级至十级（1–10）".into()),
            },
            "parentage" => match v {
                "supported" => Ok(Conclusion::Parentage { supported: true }),
                "excluded" => Ok(Conclusion::Parentage { supported: false }),
                _ => Err("亲子关系鉴定意见应为“支持”或“排除”".into()),
            },
            "text" => {
                let text = v.split_whitespace().collect::<Vec<_>>().join(" ");
                if text.is_empty() {
                    Err("请填写鉴定意见".into())
                } else if text.chars().count() > MAX_TEXT_CHARS {
                    Err(format!("鉴定意见不超过 {MAX_TEXT_CHARS} 字"))
                } else {
                    Ok(Conclusion::Text { text })
                }
            }
            _ => Err("请选择鉴定意见的类型".into()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::InjuryDegree { .. } => "injury_degree",
            Self::DisabilityGrade { .. } => "disability_grade",
            Self::Parentage { .. } => "parentage",
            Self::Text { .. } => "text",
        }
    }

    /// The value as entered (the inverse of [`Conclusion::parse`]).
    pub fn value(&self) -> String {
        match self {
            Self::InjuryDegree { degree } => degree.as_str().into(),
            Self::DisabilityGrade { grade } => grade.to_string(),
            Self::Parentage { supported } => {
                if *supported { "supported" } else { "excluded" }.into()
            }
            Self::Text { text } => text.clone(),
        }
    }

    /// The structured kinds the matter allows (text always fits).
    pub fn kinds_for(items: &[String]) -> Vec<&'static str> {
        let has = |code: &str| items.iter().any(|i| i == code);
        let mut out = Vec::new();
        if has("1.02.01") {
            out.push("injury_degree");
        }
        if has("1.02.02") {
            out.push("disability_grade");
        }
        if has("1.04.02") || has("1.04.03") {
            out.push("parentage");
        }
        out.push("text");
        out
    }

    /// Whether this kind of conclusion belongs to the matter `items`.
    pub fn fits(&self, items: &[String]) -> bool {
        Self::kinds_for(items).contains(&self.kind())
    }

    /// The conclusion as read: e.g. "人体损伤程度：轻伤二级".
    pub fn label_zh(&self) -> String {
        match self {
            Self::InjuryDegree { degree } => format!("人体损伤程度：{}", degree.label_zh()),
            Self::DisabilityGrade { grade } => {
                format!("伤残等级：{}", GRADES[usize::from(*grade).clamp(1, 10) - 1])
            }
            Self::Parentage { supported } => {
                format!("亲子关系：{}", if *supported { "支持" } else { "排除" })
            }
            Self::Text { text } => text.clone(),
        }
    }

    pub fn label_en(&self) -> String {
        match self {
            Self::InjuryDegree { degree } => format!("Degree of injury: {}", degree.label_en()),
            Self::DisabilityGrade { grade } => format!("Disability grade {grade}"),
            Self::Parentage { supported } => format!(
                "Parentage: {}",
                if *supported { "supported" } else { "excluded" }
            ),
            Self::Text { text } => text.clone(),
        }
    }

    /// Every structured choice the matter allows, as (kind:value, label), for a select list;
    /// the text kind last, its words entered beside it.
    pub fn choices(items: &[String]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for kind in Self::kinds_for(items) {
            match kind {
                "injury_degree" => out.extend(InjuryDegree::ALL.iter().map(|d| {
                    let c = Conclusion::InjuryDegree { degree: *d };
                    (format!("{kind}:{}", c.value()), c.label_zh())
                })),
                "disability_grade" => out.extend((1..=10).map(|grade| {
                    let c = Conclusion::DisabilityGrade { grade };
                    (format!("{kind}:{}", c.value()), c.label_zh())
                })),
                "parentage" => out.extend([true, false].map(|supported| {
                    let c = Conclusion::Parentage { supported };
                    (format!("{kind}:{}", c.value()), c.label_zh())
                })),
                _ => out.push(("text".into(), "文字表述的鉴定意见（在下方填写）".into())),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_kind_reads_its_values_and_refuses_others() {
        let p = |kind, value| Conclusion::parse(ConclusionInput { kind, value });
        assert_eq!(
            p("injury_degree", "light_2"),
            Ok(Conclusion::InjuryDegree {
                degree: InjuryDegree::Light2
            })
        );
        assert!(p("injury_degree", "轻伤").is_err());
        assert_eq!(
            p("disability_grade", "10"),
            Ok(Conclusion::DisabilityGrade { grade: 10 })
        );
        assert!(p("disability_grade", "0").is_err() && p("disability_grade", "11").is_err());
        assert_eq!(
            p("parentage", "excluded"),
            Ok(Conclusion::Parentage { supported: false })
        );
        assert!(p("parentage", "maybe").is_err());
        assert_eq!(
            p("text", "  不能排除\n 自伤 "),
            Ok(Conclusion::Text {
                text: "不能排除 自伤".into()
            })
        );
        assert!(p("text", " ").is_err());
        let long = "字".repeat(MAX_TEXT_CHARS + 1);
        assert!(p("text", &long).is_err());
        assert!(p("other", "x").is_err());
    }

    #[test]
    fn a_structured_conclusion_belongs_to_its_matter() {
        let injury = Conclusion::InjuryDegree {
            degree: InjuryDegree::Minor,
        };
        assert!(injury.fits(&items(&["1.02.01"])));
        assert!(!injury.fits(&items(&["1.02.02"])));
        assert!(Conclusion::Parentage { supported: true }.fits(&items(&["1.04.03"])));
        assert!(!Conclusion::Parentage { supported: true }.fits(&items(&["1.04.01"])));
        assert!(Conclusion::Text { text: "x".into() }.fits(&items(&["4.01.01"])));
        assert_eq!(
            Conclusion::DisabilityGrade { grade: 9 }.label_zh(),
            "伤残等级：九级"
        );
        let choices = Conclusion::choices(&items(&["1.02.01"]));
        assert_eq!(choices.len(), 7, "six degrees and the text");
        assert_eq!(choices[2].0, "injury_degree:light_2");
    }

    proptest! {
        /// What is shown and stored reads back as the same conclusion.
        #[test]
        fn value_reads_back(grade in 1u8..=10, d in 0usize..6, s in any::<bool>(), t in "[^\\s]{1,20}") {
            for c in [
                Conclusion::DisabilityGrade { grade },
                Conclusion::InjuryDegree { degree: InjuryDegree::ALL[d] },
                Conclusion::Parentage { supported: s },
                Conclusion::Text { text: t.clone() },
            ] {
                let v = c.value();
                prop_assert_eq!(Conclusion::parse(ConclusionInput { kind: c.kind(), value: &v }), Ok(c.clone()));
                let json = serde_json::to_string(&c).unwrap();
                prop_assert_eq!(serde_json::from_str::<Conclusion>(&json).unwrap(), c);
            }
        }
    }
}
