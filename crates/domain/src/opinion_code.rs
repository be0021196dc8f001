//! 鉴定意见书编码: the code the platform gives every appraisal opinion (鉴定意见书赋码). It is
//! printed on the opinion and typed in by courts and the public to verify one, so it is a
//! public contract: the format below must not change.
//!
//! 19 characters, shown grouped as `310000-2026-1-0001234-5`:
//!
//! | positions | content                                                             |
//! |-----------|---------------------------------------------------------------------|
//! | 1–6       | 行政区划代码 of the registering authority (GB/T 2260 shape, first digit 1–9) |
//! | 7–10      | year, 2000–2099                                                     |
//! | 11        | 鉴定类别: 1 法医类, 2 物证类, 3 声像资料类, 4 环境损害类 ([`Category::digit`]) |
//! | 12–18     | serial, 0000001–9999999                                             |
//! | 19        | check character, ISO/IEC 7064 MOD 11-2 over positions 1–18, 10 written `X` |
//!
//! The check is the one of 公民身份号码 (GB 11643-1999) over one more digit: it catches every
//! single substitution and every adjacent transposition, so a mistyped code is refused before
//! any lookup.
use crate::category::Category;
use crate::identifiers::mod11_2;
use crate::region::RegionCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Length of the plain code.
const LEN: usize = 19;

/// A well-formed opinion code whose check character is right. Holds the plain 19 characters;
/// [`fmt::Display`] gives the grouped form, serde the plain one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpinionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpinionCodeError {
    #[error("鉴定意见书编码应为 19 位（如 310000-2026-1-0001234-5），实际为 {0} 位")]
    Length(usize),
    #[error("鉴定意见书编码第 {0} 位应为数字")]
    NotDigit(usize),
    #[error("鉴定意见书编码第 19 位校验码应为数字或 X")]
    CheckShape,
    #[error("鉴定意见书编码第 1–6 位应为登记机关的 6 位行政区划代码，首位不能为 0")]
    Region,
    #[error("鉴定意见书编码第 7–10 位年度应在 2000–2099 之间，实际为 {0}")]
    Year(u16),
    #[error(
        "鉴定意见书编码第 11 位鉴定类别应为 1–4（1 法医类、2 物证类、3 声像资料类、4 环境损害类），实际为 {0}"
    )]
    Category(u8),
    #[error("鉴定意见书编码第 12–18 位流水号应在 0000001–9999999 之间")]
    Serial,
    /// The message does not say which check character would fit: a code mistyped anywhere but
    /// its last character, "corrected" there, could be another opinion's.
    #[error(
        "鉴定意见书编码未通过校验（ISO 7064 MOD 11-2），可能有一位输错或两位颠倒：请逐位核对后重新输入"
    )]
    Check { expected: char },
}

/// Value of a run of ASCII digits (callers have checked the bytes).
fn digits_value(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'))
}

/// Separators allowed between the groups (anywhere, in fact: they carry no information).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '－' | '‐' | '‑' | '–' | '—')
}

impl OpinionCode {
    /// Issues a code: validates the parts and computes the check character.
    pub fn new(
        region: &str,
        year: u16,
        category: u8,
        serial: u32,
    ) -> Result<Self, OpinionCodeError> {
        let r = region.as_bytes();
        if r.len() != 6 || !r.iter().all(u8::is_ascii_digit) || r[0] == b'0' {
            return Err(OpinionCodeError::Region);
        }
        if !(2000..=2099).contains(&year) {
            return Err(OpinionCodeError::Year(year));
        }
        if !(1..=4).contains(&category) {
            return Err(OpinionCodeError::Category(category));
        }
        if !(1..=9_999_999).contains(&serial) {
            return Err(OpinionCodeError::Serial);
        }
        let mut code = format!("{region}{year:04}{category}{serial:07}");
        code.push(mod11_2(code.as_bytes()));
        Ok(OpinionCode(code))
    }

    /// Reads the plain 19 characters or the grouped form (`-` or spaces between the groups).
    /// A lower-case `x` and full-width digits are accepted and normalised.
    pub fn parse(s: &str) -> Result<Self, OpinionCodeError> {
        let code: String = s
            .chars()
            .filter(|&c| !is_separator(c))
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
                'x' | 'ｘ' | 'Ｘ' => 'X',
                c => c,
            })
            .collect();
        let n = code.chars().count();
        if n != LEN {
            return Err(OpinionCodeError::Length(n));
        }
        if let Some(i) = code.chars().take(LEN - 1).position(|c| !c.is_ascii_digit()) {
            return Err(OpinionCodeError::NotDigit(i + 1));
        }
        if !code
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(OpinionCodeError::CheckShape);
        }
        // All ASCII from here on.
        let b = code.as_bytes();
        if b[0] == b'0' {
            return Err(OpinionCodeError::Region);
        }
        let year = digits_value(&b[6..10]) as u16;
        if !(2000..=2099).contains(&year) {
            return Err(OpinionCodeError::Year(year));
        }
        let category = b[10] - b'0';
        if !(1..=4).contains(&category) {
            return Err(OpinionCodeError::Category(category));
        }
        if digits_value(&b[11..18]) == 0 {
            return Err(OpinionCodeError::Serial);
        }
        let expected = mod11_2(&b[..18]);
        if char::from(b[18]) != expected {
            return Err(OpinionCodeError::Check { expected });
        }
        Ok(OpinionCode(code))
    }

    /// The plain 19 characters, e.g. `3100002026100012345`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `310000-2026-1-0001234-5`, as printed on the opinion.
    pub fn grouped(&self) -> String {
        let c = &self.0;
        format!(
            "{}-{}-{}-{}-{}",
            &c[..6],
            &c[6..10],
            &c[10..11],
            &c[11..18],
            &c[18..]
        )
    }

    /// Region code of the registering authority (positions 1–6) as written.
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    /// The region part as a GB/T 2260 code, when it has a valid shape.
    pub fn region_code(&self) -> Option<RegionCode> {
        RegionCode::parse(self.region()).ok()
    }

    pub fn year(&self) -> u16 {
        digits_value(&self.0.as_bytes()[6..10]) as u16
    }

    /// Category digit, 1–4.
    pub fn category(&self) -> u8 {
        self.0.as_bytes()[10] - b'0'
    }

    /// The category as the domain type.
    pub fn appraisal_category(&self) -> Option<Category> {
        Category::from_digit(self.category())
    }

    pub fn serial(&self) -> u32 {
        digits_value(&self.0.as_bytes()[11..18])
    }

    /// Check character, `0`–`9` or `X`.
    pub fn check(&self) -> char {
        char::from(self.0.as_bytes()[18])
    }
}

impl fmt::Display for OpinionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl FromStr for OpinionCode {
    type Err = OpinionCodeError;
    fn from_str(s: &str) -> Result<Self, OpinionCodeError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for OpinionCode {
    type Error = OpinionCodeError;
    fn try_from(s: String) -> Result<Self, OpinionCodeError> {
        Self::parse(&s)
    }
}

impl From<OpinionCode> for String {
    fn from(v: OpinionCode) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn deserialize<'de, T: Deserialize<'de>>(s: &'de str) -> Result<T, DeError> {
        let d: StrDeserializer<'de, DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    /// MOD 11-2 weights of positions 1–18: 2^(19−i) mod 11.
    const WEIGHTS: [u32; 18] = [3, 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// Check character from the weighted sum S: the value c with S + c ≡ 1 (mod 11).
    fn weighted_check(first18: &str) -> char {
        let s: u32 = first18
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        match (12 - s % 11) % 11 {
            10 => 'X',
            v => char::from(b'0' + v as u8),
        }
    }

    fn swapped(s: &str, i: usize) -> String {
        let mut b = s.as_bytes().to_vec();
        b.swap(i, i + 1);
        String::from_utf8(b).unwrap()
    }

    /// Valid codes used by the error-detection tests: the two known answers and a spread of
    /// other fields and check characters.
    fn sample_codes() -> Vec<OpinionCode> {
        let mut v = vec![
            OpinionCode::parse("3100002026100012345").unwrap(),
            OpinionCode::parse("330100202520000002X").unwrap(),
        ];
        for (region, year, category, serial) in [
            ("440300", 2024, 4, 12_345),
            ("110105", 2000, 3, 9_999_999),
            ("650000", 2099, 1, 1),
            ("530102", 2031, 2, 8_070_605),
        ] {
            v.push(OpinionCode::new(region, year, category, serial).unwrap());
        }
        v
    }

    #[test]
    fn known_answers() {
        // 310000 2026 1 0001234:
        //   digits  3 1 0 0  0 0 2 0 2 6  1 0 0 0 1  2 3 4
        //   weights 3 7 9 10 5 8 4 2 1 6  3 7 9 10 5 8 4 2
        //   S = 9+7+0+0+0+0+8+0+2+36+3+0+0+0+5+16+12+8 = 106; 106 mod 11 = 7;
        //   check = (12 − 7) mod 11 = 5.
        let a = OpinionCode::new("310000", 2026, 1, 1234).unwrap();
        assert_eq!(a.as_str(), "3100002026100012345");
        assert_eq!(a.grouped(), "310000-2026-1-0001234-5");
        assert_eq!(a.to_string(), "310000-2026-1-0001234-5");
        assert_eq!(a.check(), '5');
        // 330100 2025 2 0000002:
        //   digits  3 3 0 1  0 0 2 0 2 5  2 0 0 0 0  0 0 2
        //   S = 9+21+0+10+0+0+8+0+2+30+6+0+0+0+0+0+0+4 = 90; 90 mod 11 = 2;
        //   check = (12 − 2) mod 11 = 10, written X.
        let b = OpinionCode::new("330100", 2025, 2, 2).unwrap();
        assert_eq!(b.as_str(), "330100202520000002X");
        assert_eq!(b.grouped(), "330100-2025-2-0000002-X");
        assert_eq!(b.check(), 'X');
        // The shared implementation agrees with the explicit weights.
        for c in sample_codes() {
            assert_eq!(weighted_check(&c.as_str()[..18]), c.check(), "{c}");
        }
    }

    #[test]
    fn accessors() {
        let c = OpinionCode::parse("310000-2026-1-0001234-5").unwrap();
        assert_eq!(c.region(), "310000");
        assert_eq!(c.region_code(), RegionCode::parse("310000").ok());
        assert_eq!(c.year(), 2026);
        assert_eq!(c.category(), 1);
        assert_eq!(c.appraisal_category(), Some(Category::Forensic));
        assert_eq!(c.serial(), 1234);
        assert_eq!(c.check(), '5');
        let e = OpinionCode::new("440300", 2024, 4, 12_345).unwrap();
        assert_eq!(e.appraisal_category(), Some(Category::Environmental));
    }

    #[test]
    fn accepted_spellings() {
        let b = OpinionCode::parse("330100202520000002X").unwrap();
        for s in [
            "330100-2025-2-0000002-X",
            "330100-2025-2-0000002-x",
            "330100 2025 2 0000002 X",
            " 330100202520000002x\n",
            "３３０１００－２０２５－２－００００００２－Ｘ",
            "330100 - 2025 - 2 - 0000002 - X",
        ] {
            assert_eq!(OpinionCode::parse(s).unwrap(), b, "{s}");
        }
    }

    #[test]
    fn new_validates_parts() {
        use OpinionCodeError as E;
        let n = OpinionCode::new;
        assert_eq!(n("010000", 2026, 1, 1), Err(E::Region));
        assert_eq!(n("31000", 2026, 1, 1), Err(E::Region));
        assert_eq!(n("3100000", 2026, 1, 1), Err(E::Region));
        assert_eq!(n("31000A", 2026, 1, 1), Err(E::Region));
        assert_eq!(n("３10000", 2026, 1, 1), Err(E::Region));
        assert_eq!(n("310000", 1999, 1, 1), Err(E::Year(1999)));
        assert_eq!(n("310000", 2100, 1, 1), Err(E::Year(2100)));
        assert_eq!(n("310000", 2026, 0, 1), Err(E::Category(0)));
        assert_eq!(n("310000", 2026, 5, 1), Err(E::Category(5)));
        assert_eq!(n("310000", 2026, 1, 0), Err(E::Serial));
        assert_eq!(n("310000", 2026, 1, 10_000_000), Err(E::Serial));
        assert!(n("310000", 2026, 1, 9_999_999).is_ok());
    }

    #[test]
    fn parse_errors() {
        use OpinionCodeError as E;
        let p = OpinionCode::parse;
        assert_eq!(p(""), Err(E::Length(0)));
        assert_eq!(p("310000-2026-1-0001234"), Err(E::Length(18)));
        assert_eq!(p("3100002026100012345 5"), Err(E::Length(20)));
        assert_eq!(p("31000A2026100012345"), Err(E::NotDigit(6)));
        assert_eq!(p("310000202610001234X"), Err(E::Check { expected: '5' }));
        assert_eq!(p("31000020261000123X5"), Err(E::NotDigit(18)));
        assert_eq!(p("310000202610001234Y"), Err(E::CheckShape));
        assert_eq!(p("0100002026100012345"), Err(E::Region));
        assert_eq!(p("3100001999100012345"), Err(E::Year(1999)));
        assert_eq!(p("3100002026500012345"), Err(E::Category(5)));
        assert_eq!(p("3100002026000012345"), Err(E::Category(0)));
        assert_eq!(p("3100002026100000005"), Err(E::Serial));
        assert_eq!(p("3100002026100012346"), Err(E::Check { expected: '5' }));
        assert_eq!(p("330100202520000002０"), Err(E::Check { expected: 'X' }));
    }

    #[test]
    fn messages() {
        use OpinionCodeError as E;
        let check = E::Check { expected: 'X' }.to_string();
        assert!(
            check.contains("未通过校验") && check.contains("重新输入"),
            "{check}"
        );
        assert!(
            !check.contains('X'),
            "the check character is not given away: {check}"
        );
        assert!(
            OpinionCode::parse("310000-2026-1-0001234-X")
                .unwrap_err()
                .to_string()
                .contains("意见书编码未通过校验（ISO 7064 MOD 11-2）")
        );
        assert_eq!(
            E::Length(18).to_string(),
            "鉴定意见书编码应为 19 位（如 310000-2026-1-0001234-5），实际为 18 位"
        );
        assert!(E::Category(5).to_string().contains("4 环境损害类"));
        assert!(E::Year(1999).to_string().contains("2000–2099"));
    }

    #[test]
    fn every_single_substitution_detected() {
        let alphabet = b"0123456789X";
        for code in sample_codes() {
            let s = code.as_str();
            for i in 0..LEN {
                for &x in alphabet.iter().filter(|&&x| x != s.as_bytes()[i]) {
                    let mut b = s.as_bytes().to_vec();
                    b[i] = x;
                    let bad = String::from_utf8(b).unwrap();
                    assert!(OpinionCode::parse(&bad).is_err(), "{bad} accepted");
                    // And by the check itself, whatever field rule would also refuse it.
                    if i < LEN - 1 && x != b'X' {
                        assert_ne!(mod11_2(&bad.as_bytes()[..18]), code.check(), "{bad}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_adjacent_transposition_detected() {
        let mut tested = 0;
        for code in sample_codes() {
            let s = code.as_str();
            for i in 0..LEN - 1 {
                if s.as_bytes()[i] == s.as_bytes()[i + 1] {
                    continue;
                }
                let bad = swapped(s, i);
                assert!(OpinionCode::parse(&bad).is_err(), "{bad} accepted");
                let b = bad.as_bytes();
                if b[..18].iter().all(u8::is_ascii_digit) {
                    assert_ne!(char::from(b[18]), mod11_2(&b[..18]), "{bad}");
                }
                tested += 1;
            }
        }
        assert!(tested > 50, "{tested}");
    }

    #[test]
    fn every_transposition_detected_by_the_algorithm() {
        // Exhaustively over the algorithm's state: MOD 11-2 processes a digit d as
        // p -> (p + d)·2 mod 11, so a pair (a, b) and (b, a) lead to the same state iff
        // 4a + 2b ≡ 4b + 2a (mod 11), i.e. 2(a − b) ≡ 0 — never for distinct digits.
        let step = |p: u32, d: u32| (p + d) * 2 % 11;
        for p in 0..11 {
            for a in 0..10 {
                for b in (0..10).filter(|&b| b != a) {
                    assert_ne!(step(step(p, a), b), step(step(p, b), a));
                }
            }
        }
    }

    #[test]
    fn round_trips_and_serde() {
        for c in sample_codes() {
            assert_eq!(OpinionCode::parse(c.as_str()).unwrap(), c);
            assert_eq!(OpinionCode::parse(&c.grouped()).unwrap(), c);
            assert_eq!(c.to_string().parse::<OpinionCode>().unwrap(), c);
            let again = OpinionCode::new(c.region(), c.year(), c.category(), c.serial()).unwrap();
            assert_eq!(again, c);
        }
        let c: OpinionCode = deserialize("330100-2025-2-0000002-x").unwrap();
        assert_eq!(String::from(c), "330100202520000002X");
        assert_eq!(
            deserialize::<OpinionCode>("3100002026100012346")
                .unwrap_err()
                .to_string(),
            OpinionCodeError::Check { expected: '5' }.to_string()
        );
    }

    proptest! {
        #[test]
        fn new_then_parse_grouped(
            region in 100_000u32..1_000_000,
            year in 2000u16..=2099,
            category in 1u8..=4,
            serial in 1u32..=9_999_999,
        ) {
            let region = region.to_string();
            let c = OpinionCode::new(&region, year, category, serial).unwrap();
            let grouped = c.grouped();
            let parsed = OpinionCode::parse(&grouped).unwrap();
            prop_assert_eq!(parsed.region(), region.as_str());
            prop_assert_eq!(parsed.year(), year);
            prop_assert_eq!(parsed.category(), category);
            prop_assert_eq!(parsed.serial(), serial);
            prop_assert_eq!(parsed.check(), weighted_check(&c.as_str()[..18]));
            prop_assert_eq!(OpinionCode::parse(&grouped.replace('-', " ")).unwrap(), c.clone());
            prop_assert_eq!(OpinionCode::parse(&c.as_str().to_lowercase()).unwrap(), c);
        }

        #[test]
        fn random_substitution_refused(
            region in 100_000u32..1_000_000,
            year in 2000u16..=2099,
            category in 1u8..=4,
            serial in 1u32..=9_999_999,
            pos in 0usize..LEN,
            x in prop::sample::select(b"0123456789X".to_vec()),
        ) {
            let c = OpinionCode::new(&region.to_string(), year, category, serial).unwrap();
            let mut b = c.as_str().as_bytes().to_vec();
            prop_assume!(b[pos] != x);
            b[pos] = x;
            let bad = String::from_utf8(b).unwrap();
            prop_assert!(OpinionCode::parse(&bad).is_err(), "{} accepted", bad);
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = OpinionCode::parse(&s);
        }
    }
}
