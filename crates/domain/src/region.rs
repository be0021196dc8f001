//! Administrative regions (行政区划代码, GB/T 2260) and the materialised paths that scope data.
//!
//! A path lists the codes from the province down, each followed by `/`, e.g.
//! `/330000/330100/330106/`. The ministry (nationwide) scope is the root path `/`.
//! "This region and everything below it" is then a byte-order range on the path, which both
//! database engines answer from an index (see `RegionPath::range`).
use serde::{Deserialize, Serialize};
use std::fmt;

/// Level of a region code under GB/T 2260: digits 1–2 province, 3–4 prefecture, 5–6 county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Self::Province),
            "prefecture" => Some(Self::Prefecture),
            "county" => Some(Self::County),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::Prefecture => "市级",
            RegionLevel::County => "县级",
        }
    }
}

/// A six-digit administrative division code (GB/T 2260).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("行政区划代码应为 6 位数字（GB/T 2260）")]
    Shape,
    #[error("行政区划代码的省级部分无效（GB/T 2260：前两位为 11–82）")]
    Province,
    #[error("行政区划代码不能以 00 表示地级而以非 00 表示县级（GB/T 2260）")]
    Hierarchy,
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::Shape);
        }
        let n: u32 = s.parse().map_err(|_| RegionCodeError::Shape)?;
        let province = n / 10_000;
        if !(11..=82).contains(&province) {
            return Err(RegionCodeError::Province);
        }
        if (n / 100).is_multiple_of(100) && !n.is_multiple_of(100) {
            return Err(RegionCodeError::Hierarchy);
        }
        Ok(RegionCode(n))
    }

    pub fn level(self) -> RegionLevel {
        if self.0.is_multiple_of(10_000) {
            RegionLevel::Province
        } else if self.0.is_multiple_of(100) {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }

    pub fn province(self) -> RegionCode {
        RegionCode(self.0 / 10_000 * 10_000)
    }

    /// The parent code by shape. Directly administered counties (e.g. 省直辖县级 4290xx) still
    /// name a prefecture-shaped parent; the region table, not this function, is authoritative.
    pub fn parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::Prefecture => Some(self.province()),
            RegionLevel::County => Some(RegionCode(self.0 / 100 * 100)),
        }
    }

    pub fn as_string(self) -> String {
        format!("{:06}", self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.as_string()
    }
}

/// Materialised path of a region: `/` for the whole country, else `/p/…/c/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegionPath(String);

impl RegionPath {
    pub fn root() -> Self {
        RegionPath("/".into())
    }

    /// Builds a path from ancestor codes, outermost first.
    pub fn from_codes(codes: &[RegionCode]) -> Self {
        let mut s = String::from("/");
        for c in codes {
            s.push_str(&c.as_string());
            s.push('/');
        }
        RegionPath(s)
    }

    /// Accepts only well-formed paths (`/` or `/dddddd/…/`).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "/" {
            return Some(Self::root());
        }
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        // Each code exactly as written: `RegionCode::parse` trims, and a path with spaces or
        // line breaks would not compare or range as text (found by fuzzing, issue 14).
        if inner
            .split('/')
            .all(|c| RegionCode::parse(c).is_ok_and(|r| r.as_string() == c))
        {
            Some(RegionPath(s.to_string()))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Child path for a code directly below this one.
    pub fn child(&self, code: RegionCode) -> Self {
        RegionPath(format!("{}{}/", self.0, code))
    }

    /// True when `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Half-open byte range `[lo, hi)` holding exactly the paths at or below this one.
    /// `/` sorts just before `0`, so replacing the final `/` by `0` bounds the subtree.
    pub fn range(&self) -> (String, String) {
        let mut hi = self.0.clone();
        hi.pop();
        hi.push('0');
        (self.0.clone(), hi)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }

    /// The last code in the path, if any.
    pub fn leaf(&self) -> Option<RegionCode> {
        self.0
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .and_then(|c| RegionCode::parse(c).ok())
    }
}

impl fmt::Display for RegionPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_and_parents() {
        let c = RegionCode::parse("330106").unwrap();
        assert_eq!(c.level(), RegionLevel::County);
        assert_eq!(c.parent().unwrap().to_string(), "330100");
        assert_eq!(c.province().to_string(), "330000");
        assert_eq!(
            RegionCode::parse("330100").unwrap().level(),
            RegionLevel::Prefecture
        );
        assert_eq!(
            RegionCode::parse("330000").unwrap().level(),
            RegionLevel::Province
        );
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in [
            "", "33010", "3301066", "33O106", "990000", "100000", "330006",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn paths_are_written_one_way() {
        assert!(RegionPath::parse("/330000/330100/").is_some());
        for bad in [
            "/\n330000/",
            "/330000 /",
            "/ 330000/330100/",
            "//",
            "/330000//",
        ] {
            assert!(RegionPath::parse(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn path_range_bounds_subtree() {
        let p = RegionPath::parse("/330000/330100/").unwrap();
        let (lo, hi) = p.range();
        for inside in ["/330000/330100/", "/330000/330100/330106/"] {
            assert!(lo.as_str() <= inside && inside < hi.as_str(), "{inside}");
        }
        for outside in [
            "/330000/",
            "/330000/330200/",
            "/330000/3301000/",
            "/340000/",
        ] {
            assert!(
                !(lo.as_str() <= outside && outside < hi.as_str()),
                "{outside}"
            );
        }
        let (lo, hi) = RegionPath::root().range();
        assert!(lo.as_str() <= "/110000/" && "/820000/" < hi.as_str());
    }

    proptest! {
        #[test]
        fn range_agrees_with_prefix(a in 11u32..83, b in 0u32..100, c in 0u32..100, x in 11u32..83, y in 0u32..100, z in 0u32..100) {
            let mk = |p: u32, q: u32, r: u32| {
                let mut codes = vec![RegionCode(p * 10_000)];
                if q > 0 { codes.push(RegionCode(p * 10_000 + q * 100)); }
                if q > 0 && r > 0 { codes.push(RegionCode(p * 10_000 + q * 100 + r)); }
                RegionPath::from_codes(&codes)
            };
            let scope = mk(a, b, c);
            let other = mk(x, y, z);
            let (lo, hi) = scope.range();
            let in_range = lo.as_str() <= other.as_str() && other.as_str() < hi.as_str();
            prop_assert_eq!(in_range, scope.contains(&other));
        }
    }
}
