//! The four categories of judicial appraisal that may be registered (seed clause 7; 《全国人大常委会
//! 关于司法鉴定管理问题的决定》第二条 and the 2020 opinion). Sub-categories and items come with
//! the registry.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 法医类
    Forensic,
    /// 物证类
    PhysicalEvidence,
    /// 声像资料
    AudioVisual,
    /// 环境损害
    Environmental,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Self::Forensic,
        Self::PhysicalEvidence,
        Self::AudioVisual,
        Self::Environmental,
    ];

    /// One-digit code, as used in opinion codes (DESIGN.md: 1 法医 2 物证 3 声像资料 4 环境损害).
    pub fn digit(self) -> u8 {
        match self {
            Self::Forensic => 1,
            Self::PhysicalEvidence => 2,
            Self::AudioVisual => 3,
            Self::Environmental => 4,
        }
    }

    pub fn from_digit(d: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.digit() == d)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Forensic => "法医类",
            Self::PhysicalEvidence => "物证类",
            Self::AudioVisual => "声像资料类",
            Self::Environmental => "环境损害类",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Forensic => "Forensic medicine",
            Self::PhysicalEvidence => "Physical evidence",
            Self::AudioVisual => "Audio-visual material",
            Self::Environmental => "Environmental damage",
        }
    }

    /// Parses a stored set such as `"1,3"`. Refuses anything outside the four (seed clause 7).
    pub fn parse_set(s: &str) -> Result<Vec<Category>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let c = part
                .parse::<u8>()
                .ok()
                .and_then(Category::from_digit)
                .ok_or_else(|| format!("鉴定类别“{part}”不在四大类之内（《意见》第7条）"))?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out.sort();
        Ok(out)
    }

    pub fn format_set(set: &[Category]) -> String {
        let mut v: Vec<_> = set.iter().map(|c| c.digit().to_string()).collect();
        v.sort();
        v.dedup();
        v.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_round_trip_and_refusal() {
        let s = Category::parse_set("3, 1,1").unwrap();
        assert_eq!(s, vec![Category::Forensic, Category::AudioVisual]);
        assert_eq!(Category::format_set(&s), "1,3");
        assert!(Category::parse_set("5").is_err());
        assert!(Category::parse_set("x").is_err());
    }
}
