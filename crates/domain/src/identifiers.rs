//! National identifiers that reach the platform from outside, each parsed once into a type that
//! cannot hold an invalid value ("parse, don't validate"). Every refusal names the rule and its
//! source in Chinese. Sources and the verified samples are in `reference/domain-research.md` §3.
//!
//! * [`Uscc`] — 统一社会信用代码, GB 32100-2015 (with the embedded GB 11714-1997 组织机构代码).
//! * [`ResidentId`] — 公民身份号码, GB 11643-1999.
//! * [`ElectronicLicenceId`] — 电子证照标识, GB/T 36904-2018.
//! * [`LicenceNo`], [`CertificateNo`] — 司法鉴定许可证号 and 执业证号: no national rule, shape only.
use crate::region::RegionCode;
use crate::validate::licence_shape_ok;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Check characters
// ---------------------------------------------------------------------------------------------

/// Alphabet of ISO/IEC 7064 MOD 37,36 and of GB 11714 character values: a character's value is
/// its base-36 digit.
const ALNUM36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// GB 32100-2015 code alphabet: digits and capitals without I, O, S, V, Z (value = index).
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015 weights for positions 1–17: 3^(i-1) mod 31.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714-1997 weights for the eight body characters of an organisation code.
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Base-36 value of an ASCII digit or capital letter.
fn base36_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

fn uscc_value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    USCC_CHARSET
        .iter()
        .position(|&x| x == b)
        .and_then(|i| u32::try_from(i).ok())
}

/// ISO/IEC 7064 MOD 11-2 (pure system, radix 2) over decimal digits; value 10 is written `X`.
/// Detects every single substitution and every adjacent transposition.
pub(crate) fn mod11_2(digits: &[u8]) -> char {
    let p = digits
        .iter()
        .fold(0, |p, &d| (p + u32::from(d - b'0')) * 2 % 11);
    match (12 - p) % 11 {
        10 => 'X',
        v => char::from(b'0' + v as u8),
    }
}

/// ISO/IEC 7064 MOD 37,36 (hybrid system) over `0-9A-Z`; bytes outside the alphabet (the dots
/// of an identifier) are skipped. Detects every single substitution; misses an adjacent
/// transposition only when the two values differ by 1 (mod 36) and the running state puts them
/// on 18 and 19 — 72 of the 45,360 (state, a, b) cases.
fn mod37_36(text: &[u8]) -> char {
    let p = text
        .iter()
        .filter_map(|&b| base36_value(b))
        .fold(36, |p, v| {
            let s = (p + v) % 36;
            let s = if s == 0 { 36 } else { s };
            s * 2 % 37
        });
    // `p` lies in 1..=36 (37 is prime, so 2s mod 37 is never 0).
    char::from(ALNUM36[((37 - p) % 36) as usize])
}

/// GB 32100-2015 check character: C18 = alphabet[(31 - Σ Ci·Wi mod 31) mod 31] over the
/// values of positions 1–17. 31 is prime and every weight is non-zero, so any single
/// substitution is caught; consecutive weights differ (W(i+1) = 3·Wi), so is any adjacent
/// transposition, including one with the check character (W17 − 1 = 27 ≠ 0).
fn gb32100_check(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    char::from(USCC_CHARSET[((31 - sum % 31) % 31) as usize])
}

/// GB 11714-1997 organisation-code check over the 8 body characters (base-36 values):
/// C9 = 11 − (Σ Ci·Wi mod 11), with 10 written `X` and 11 written `0`.
fn gb11714_check(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .filter_map(|&b| base36_value(b))
        .zip(ORG_CODE_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    }
}

fn is_leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Value of a run of ASCII digits (callers have checked the bytes).
fn digits_value(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'))
}

/// Display, `FromStr` and the string conversions serde uses, all through `parse`/`as_str`.
macro_rules! string_identifier {
    ($t:ident, $e:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $t {
            type Err = $e;
            fn from_str(s: &str) -> Result<Self, $e> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = $e;
            fn try_from(s: String) -> Result<Self, $e> {
                Self::parse(&s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_owned()
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码
// ---------------------------------------------------------------------------------------------

/// 统一社会信用代码 (GB 32100-2015): 18 characters — 1 登记管理部门码, 2 机构类别码,
/// 3–8 登记管理机关行政区划码, 9–17 主体标识码 (organisation code, GB 11714-1997), 18 校验码.
///
/// Input is trimmed and upper-cased. Positions 3–8 must be digits but need not be a current
/// GB/T 2260 code (early pilot codes and since-renamed regions occur); see [`Uscc::region`].
///
/// Equality and hashing look at the code only, not at an override reason. Serde writes the bare
/// code and reads it back with the strict [`Uscc::parse`]: an overridden code must be stored
/// with its reason and re-read through [`Uscc::parse_with_override`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc {
    code: String,
    override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为 18 位（GB 32100-2015），实际为 {0} 位")]
    Length(usize),
    #[error(
        "统一社会信用代码第 {position} 位“{found}”不是允许的字符：只能使用数字和除 I、O、S、V、Z 以外的大写字母（GB 32100-2015）"
    )]
    Charset { position: usize, found: char },
    #[error("统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为 6 位数字（GB 32100-2015）")]
    Region,
    #[error(
        "统一社会信用代码第 9–17 位（组织机构代码）校验码错误，应为 {expected}（GB 11714-1997）"
    )]
    OrganisationCheck { expected: char },
    #[error("统一社会信用代码校验码错误，应为 {expected}（GB 32100-2015）")]
    Check { expected: char },
}

impl Uscc {
    /// Parses a code, refusing any shape or check-character error.
    pub fn parse(s: &str) -> Result<Self, UsccError> {
        let code = Self::parse_shape(s)?;
        match Self::check_problem(&code) {
            Some(e) => Err(e),
            None => Ok(Uscc {
                code,
                override_reason: None,
            }),
        }
    }

    /// As [`Uscc::parse`], but a code whose check characters fail is accepted when a non-empty
    /// `reason` is given: early pilot codes were issued before the check was enforced (e.g. 福建
    /// `91350100M0001TGQXM`, reference §3.4). Shape errors are never overridable. A code that
    /// passes its checks keeps no reason.
    pub fn parse_with_override(s: &str, reason: &str) -> Result<Self, UsccError> {
        let code = Self::parse_shape(s)?;
        let reason = reason.trim();
        match Self::check_problem(&code) {
            None => Ok(Uscc {
                code,
                override_reason: None,
            }),
            Some(e) if reason.is_empty() => Err(e),
            Some(_) => Ok(Uscc {
                code,
                override_reason: Some(reason.to_owned()),
            }),
        }
    }

    /// Completes the first 16 characters (registration authority, category, 6-digit region,
    /// 8-character organisation-code body) with both check characters, GB 11714 and GB 32100.
    /// Used to issue codes for test and demonstration data.
    pub fn with_checks(first16: &str) -> Result<Self, UsccError> {
        let body = first16.trim().to_ascii_uppercase();
        let padded = format!("{body}00");
        Self::parse_shape(&padded)?;
        let b = body.as_bytes();
        let org = gb11714_check(&b[8..16]);
        let mut code = format!("{body}{org}");
        let values: Vec<u32> = code.chars().filter_map(uscc_value).collect();
        code.push(gb32100_check(&values));
        Self::parse(&code)
    }

    /// Length, alphabet and the all-digit region part; returns the normalised code.
    fn parse_shape(s: &str) -> Result<String, UsccError> {
        let code = s.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        if let Some((i, c)) = code
            .chars()
            .enumerate()
            .find(|&(_, c)| uscc_value(c).is_none())
        {
            return Err(UsccError::Charset {
                position: i + 1,
                found: c,
            });
        }
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(UsccError::Region);
        }
        Ok(code)
    }

    /// The first failing check of a well-shaped code: the organisation code first, because a
    /// failure there narrows the error down to positions 9–17.
    fn check_problem(code: &str) -> Option<UsccError> {
        let b = code.as_bytes();
        let org = gb11714_check(&b[8..16]);
        if char::from(b[16]) != org {
            return Some(UsccError::OrganisationCheck { expected: org });
        }
        let values: Vec<u32> = code.chars().take(17).filter_map(uscc_value).collect();
        let check = gb32100_check(&values);
        if char::from(b[17]) != check {
            return Some(UsccError::Check { expected: check });
        }
        None
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// 登记管理部门码 (position 1), e.g. `3` 司法行政, `9` 市场监管.
    pub fn registration_authority(&self) -> char {
        char::from(self.code.as_bytes()[0])
    }

    /// 机构类别码 (position 2), read together with the registration authority.
    pub fn category(&self) -> char {
        char::from(self.code.as_bytes()[1])
    }

    /// 登记管理机关行政区划码 (positions 3–8) as written.
    pub fn region_digits(&self) -> &str {
        &self.code[2..8]
    }

    /// The region part as a GB/T 2260 code, when it has a valid shape.
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(self.region_digits()).ok()
    }

    /// 主体标识码: the 9-character organisation code (GB 11714-1997), positions 9–17.
    pub fn organisation_code(&self) -> &str {
        &self.code[8..17]
    }

    /// `34` = 司法行政 / 司法鉴定机构 (reference §3.4). Institutions set up inside hospitals,
    /// universities or companies carry their parent's code type, so this is a hint, never a
    /// reason to refuse an institution.
    pub fn is_appraisal_institution(&self) -> bool {
        self.code.starts_with("34")
    }

    /// Why a code failing its check characters was accepted, if it was.
    pub fn override_reason(&self) -> Option<&str> {
        self.override_reason.as_deref()
    }
}

impl PartialEq for Uscc {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Uscc {}

impl Hash for Uscc {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code.hash(state);
    }
}

string_identifier!(Uscc, UsccError);

// ---------------------------------------------------------------------------------------------
// 公民身份号码
// ---------------------------------------------------------------------------------------------

/// 公民身份号码 (GB 11643-1999): 6-digit region, 8-digit birth date `YYYYMMDD`, 3-digit sequence
/// (odd for men, even for women), check character by ISO/IEC 7064 MOD 11-2 (`X` for 10).
///
/// The pre-1999 15-digit form (region, `YYMMDD` in the 1900s, sequence, no check) is accepted
/// and upgraded: the value always holds the 18-digit form. Birth years outside 1850–2100 are
/// refused as implausible. Input is trimmed; a lower-case `x` is accepted.
///
/// Personal data: `Debug` prints only the masked form. `Display`, `as_str` and serde give the
/// number in clear, for the code paths that must store or compare it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("公民身份号码应为 18 位（旧式号码为 15 位）（GB 11643-1999），实际为 {0} 位")]
    Length(usize),
    #[error("公民身份号码第 {0} 位应为数字（GB 11643-1999）")]
    NotDigit(usize),
    #[error("公民身份号码第 18 位校验码应为数字或 X（GB 11643-1999）")]
    CheckShape,
    #[error("公民身份号码中的出生日期不是 1850–2100 年间的有效日期（GB 11643-1999）")]
    BirthDate,
    #[error("公民身份号码校验码错误，应为 {expected}（GB 11643-1999，ISO 7064 MOD 11-2）")]
    Check { expected: char },
}

impl ResidentId {
    /// Parses the 18-digit form, or the 15-digit form which it upgrades to 18 digits.
    pub fn parse(s: &str) -> Result<Self, ResidentIdError> {
        let s = s.trim().to_ascii_uppercase();
        let n = s.chars().count();
        let body_len = match n {
            18 => 17,
            15 => 15,
            _ => return Err(ResidentIdError::Length(n)),
        };
        if let Some(i) = s.chars().take(body_len).position(|c| !c.is_ascii_digit()) {
            return Err(ResidentIdError::NotDigit(i + 1));
        }
        if n == 18
            && !s
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(ResidentIdError::CheckShape);
        }
        // All ASCII from here on.
        let mut full = if n == 15 {
            format!("{}19{}", &s[..6], &s[6..])
        } else {
            s[..17].to_owned()
        };
        let b = full.as_bytes();
        let (y, m, d) = (
            digits_value(&b[6..10]) as u16,
            digits_value(&b[10..12]) as u8,
            digits_value(&b[12..14]) as u8,
        );
        if !(1850..=2100).contains(&y)
            || !(1..=12).contains(&m)
            || d == 0
            || d > days_in_month(y, m)
        {
            return Err(ResidentIdError::BirthDate);
        }
        let expected = mod11_2(b);
        if n == 18 && s.as_bytes()[17] != expected as u8 {
            return Err(ResidentIdError::Check { expected });
        }
        full.push(expected);
        Ok(ResidentId(full))
    }

    /// The check character (position 18) for the first 17 digits, `None` unless they are 17
    /// ASCII digits (GB 11643-1999, ISO 7064 MOD 11-2).
    pub fn check_char(first17: &str) -> Option<char> {
        (first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()))
            .then(|| mod11_2(first17.as_bytes()))
    }

    /// The 18-digit form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth date `(year, month, day)`, positions 7–14.
    pub fn birth_date(&self) -> (u16, u8, u8) {
        let b = self.0.as_bytes();
        (
            digits_value(&b[6..10]) as u16,
            digits_value(&b[10..12]) as u8,
            digits_value(&b[12..14]) as u8,
        )
    }

    /// GB 11643-1999: the sequence (positions 15–17) is odd for men, even for women.
    pub fn is_female(&self) -> bool {
        (self.0.as_bytes()[16] - b'0').is_multiple_of(2)
    }

    /// Region of first registration (positions 1–6) as written.
    pub fn region_digits(&self) -> &str {
        &self.0[..6]
    }

    /// The region part as a GB/T 2260 code. `None` when the shape is not a current one, e.g.
    /// `830000` of 台湾居民居住证 numbers, which share this format.
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(self.region_digits()).ok()
    }

    /// For screens, exports and records: the first and the last character, the 16 between as
    /// `*`. Showing more gives the number back: the region (positions 1–6) and the sequence with
    /// its check digit (15–18) beside a birth date shown elsewhere leave nothing to guess.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..1], "*".repeat(16), &self.0[17..])
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

string_identifier!(ResidentId, ResidentIdError);

// ---------------------------------------------------------------------------------------------
// 电子证照标识
// ---------------------------------------------------------------------------------------------

/// 电子证照根代码 (GB/T 36904-2018).
const LICENCE_ROOT: &str = "1.2.156.3005.2";

/// 电子证照标识 (GB/T 36904-2018, as implemented by the provincial licence platforms, reference
/// §3.3): `1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>`.
///
/// * 证照类型代码: the defining authority's 统一社会信用代码 followed by 3 digits
///   (e.g. `11100000000013338W032`).
/// * 颁发机构代码: the issuing authority's 统一社会信用代码, checked strictly: issuers are
///   government bodies, never pilot codes.
/// * 流水号: the reference gives no width. Rule chosen here: 1–32 characters of `0-9A-Z`,
///   covering the forms seen on platforms (7–11 digit counters, the 20-character random
///   serial of the 湖北 access guide, 32-character upper-case UUID hex).
/// * 版本号: 3 digits; `000` is refused (versions count from `001`).
/// * 校验位: ISO/IEC 7064 MOD 37,36 over type code + issuer + serial + version with the dots
///   removed and the root excluded (reference §3.3; matches the identifiers from real
///   platforms in the tests).
///
/// Input is trimmed and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ElectronicLicenceId {
    id: String,
    issuer: Uscc,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectronicLicenceIdError {
    #[error("电子证照标识应以电子证照根代码 1.2.156.3005.2 开头（GB/T 36904-2018）")]
    Root,
    #[error("电子证照标识只能包含数字、大写字母和“.”（GB/T 36904-2018）")]
    Charset,
    #[error(
        "电子证照标识应由根代码和证照类型代码、颁发机构代码、流水号、版本号、校验位五段组成，以“.”分隔（GB/T 36904-2018）"
    )]
    Fields,
    #[error("证照类型代码应为 18 位统一社会信用代码加 3 位数字（GB/T 36904-2018）")]
    TypeCode,
    #[error("证照类型代码中的定义机构代码无效：{0}")]
    TypeAuthority(UsccError),
    #[error("证照颁发机构代码无效：{0}")]
    Issuer(UsccError),
    #[error("颁发机构的统一社会信用代码未通过校验（经人工放行），不能用于生成电子证照标识")]
    IssuerOverridden,
    #[error("流水号应为 1–32 位数字或大写字母（电子证照标识，GB/T 36904-2018）")]
    Serial,
    #[error("版本号应为 001–999 的 3 位数字（GB/T 36904-2018）")]
    Version,
    #[error("电子证照标识校验位应为 1 位数字或大写字母（GB/T 36904-2018）")]
    CheckShape,
    #[error("电子证照标识校验位错误，应为 {expected}（GB/T 36904-2018，ISO/IEC 7064 MOD 37,36）")]
    Check { expected: char },
}

impl ElectronicLicenceId {
    /// Assembles an identifier and computes its check character. The parts are upper-cased
    /// and validated exactly as [`ElectronicLicenceId::parse`] does.
    pub fn build(
        type_code: &str,
        issuer: &Uscc,
        serial: &str,
        version: u16,
    ) -> Result<Self, ElectronicLicenceIdError> {
        if issuer.override_reason().is_some() {
            return Err(ElectronicLicenceIdError::IssuerOverridden);
        }
        if !(1..=999).contains(&version) {
            return Err(ElectronicLicenceIdError::Version);
        }
        let body = format!("{LICENCE_ROOT}.{type_code}.{issuer}.{serial}.{version:03}")
            .to_ascii_uppercase();
        let (issuer, check) = Self::parse_body(&body)?;
        Ok(ElectronicLicenceId {
            id: format!("{body}.{check}"),
            issuer,
        })
    }

    pub fn parse(s: &str) -> Result<Self, ElectronicLicenceIdError> {
        let id = s.trim().to_ascii_uppercase();
        let Some((body, check)) = id.rsplit_once('.') else {
            return Err(ElectronicLicenceIdError::Root);
        };
        let (issuer, expected) = Self::parse_body(body)?;
        if check.len() != 1 || base36_value(check.as_bytes()[0]).is_none() {
            return Err(ElectronicLicenceIdError::CheckShape);
        }
        if check.as_bytes()[0] != expected as u8 {
            return Err(ElectronicLicenceIdError::Check { expected });
        }
        Ok(ElectronicLicenceId { id, issuer })
    }

    /// Validates everything before the check character; returns the issuer and the check
    /// character the body calls for.
    fn parse_body(body: &str) -> Result<(Uscc, char), ElectronicLicenceIdError> {
        use ElectronicLicenceIdError as E;
        let rest = body
            .strip_prefix(LICENCE_ROOT)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(E::Root)?;
        if !rest.bytes().all(|b| b == b'.' || base36_value(b).is_some()) {
            return Err(E::Charset);
        }
        let fields: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version] = fields[..] else {
            return Err(E::Fields);
        };
        let tb = type_code.as_bytes();
        if tb.len() != 21 || !tb[18..].iter().all(u8::is_ascii_digit) {
            return Err(E::TypeCode);
        }
        Uscc::parse(&type_code[..18]).map_err(E::TypeAuthority)?;
        let issuer = Uscc::parse(issuer).map_err(E::Issuer)?;
        if !(1..=32).contains(&serial.len()) {
            return Err(E::Serial);
        }
        if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) || version == "000" {
            return Err(E::Version);
        }
        Ok((issuer, mod37_36(rest.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The fields after the root: type code, issuer, serial, version, check.
    fn field(&self, i: usize) -> &str {
        self.id[LICENCE_ROOT.len() + 1..]
            .split('.')
            .nth(i)
            .unwrap_or_default()
    }

    /// 证照类型代码 (21 characters).
    pub fn type_code(&self) -> &str {
        self.field(0)
    }

    /// The authority that defined the licence type: first 18 characters of the type code.
    pub fn type_authority(&self) -> &str {
        &self.type_code()[..18]
    }

    /// 证照颁发机构.
    pub fn issuer(&self) -> &Uscc {
        &self.issuer
    }

    /// 流水号.
    pub fn serial(&self) -> &str {
        self.field(2)
    }

    /// 版本号, 1–999.
    pub fn version(&self) -> u16 {
        digits_value(self.field(3).as_bytes()) as u16
    }

    /// 校验位.
    pub fn check_char(&self) -> char {
        char::from(*self.id.as_bytes().last().unwrap_or(&b'0'))
    }
}

string_identifier!(ElectronicLicenceId, ElectronicLicenceIdError);

// ---------------------------------------------------------------------------------------------
// 许可证号 and 执业证号
// ---------------------------------------------------------------------------------------------

/// 司法鉴定许可证号. Opaque: 司发通〔2001〕019号 Art 9 defined a 7-digit number and current
/// licences show 9 digits, but no rule for the present form was found (reference §3.2), so
/// only the shape is checked (`validate::licence_shape_ok`, after trimming).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNo(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenceNoError {
    #[error("请填写司法鉴定许可证号")]
    Empty,
    #[error(
        "司法鉴定许可证号格式不正确：应为 4–40 个字符，只能包含字母、数字、汉字和 -()（）〔〕[]"
    )]
    Shape,
}

impl LicenceNo {
    pub fn parse(s: &str) -> Result<Self, LicenceNoError> {
        let v = s.trim();
        if v.is_empty() {
            Err(LicenceNoError::Empty)
        } else if !licence_shape_ok(v) {
            Err(LicenceNoError::Shape)
        } else {
            Ok(LicenceNo(v.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_identifier!(LicenceNo, LicenceNoError);

/// 司法鉴定人执业证号. Opaque: no national format was found (reference §3.2); shape only
/// (`validate::licence_shape_ok`, after trimming).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateNo(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateNoError {
    #[error("请填写司法鉴定人执业证号")]
    Empty,
    #[error(
        "司法鉴定人执业证号格式不正确：应为 4–40 个字符，只能包含字母、数字、汉字和 -()（）〔〕[]"
    )]
    Shape,
}

impl CertificateNo {
    pub fn parse(s: &str) -> Result<Self, CertificateNoError> {
        let v = s.trim();
        if v.is_empty() {
            Err(CertificateNoError::Empty)
        } else if !licence_shape_ok(v) {
            Err(CertificateNoError::Shape)
        } else {
            Ok(CertificateNo(v.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_identifier!(CertificateNo, CertificateNoError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    /// Completes 8 leading characters and an 8-character organisation-code body into a valid
    /// code (both check characters computed).
    fn complete_uscc(first8: &str, org_body: &str) -> String {
        let mut s = format!("{first8}{org_body}{}", gb11714_check(org_body.as_bytes()));
        let values: Vec<u32> = s.chars().filter_map(uscc_value).collect();
        s.push(gb32100_check(&values));
        s
    }

    fn complete_resident_id(first17: &str) -> String {
        format!("{first17}{}", mod11_2(first17.as_bytes()))
    }

    fn swapped(s: &str, i: usize) -> String {
        let mut b = s.as_bytes().to_vec();
        b.swap(i, i + 1);
        String::from_utf8(b).unwrap()
    }

    /// Two MOD 37,36 values next to each other on the circle of 36.
    fn one_apart(a: u32, b: u32) -> bool {
        matches!((a + 36 - b) % 36, 1 | 35)
    }

    fn deserialize<'de, T: Deserialize<'de>>(s: &'de str) -> Result<T, DeError> {
        let d: StrDeserializer<'de, DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    // --- check algorithms -------------------------------------------------------------------

    #[test]
    fn mod11_2_published_example() {
        // ORCID iDs use ISO 7064 MOD 11-2; 0000-0002-1825-0097 is ORCID's documented sample.
        assert_eq!(mod11_2(b"000000021825009"), '7');
        assert_eq!(mod11_2(b"11010519491231002"), 'X');
    }

    #[test]
    fn mod37_36_published_example() {
        // GRid uses ISO 7064 MOD 37,36; A1-2425G-ABC1234002-M is its published sample.
        assert_eq!(mod37_36(b"A12425GABC1234002"), 'M');
    }

    #[test]
    fn mod37_36_transposition_blind_spots() {
        // One step of the hybrid system; a transposition is missed iff the state after the
        // pair is the same (every later step is a bijection of the state).
        let step = |p: u32, v: u32| {
            let s = (p + v) % 36;
            (if s == 0 { 36 } else { s }) * 2 % 37
        };
        let mut missed = 0;
        for p in 1..=36 {
            for a in 0..36 {
                for b in (0..36).filter(|&b| b != a) {
                    if step(step(p, a), b) == step(step(p, b), a) {
                        missed += 1;
                        assert!(one_apart(a, b), "{p} {a} {b}");
                        assert_eq!(((p + a) % 36).min((p + b) % 36), 18);
                    }
                }
            }
        }
        assert_eq!(missed, 72);
    }

    #[test]
    fn mod31_and_org_code_on_reference_codes() {
        // Real codes re-verified in reference §3.4, plus the defining authorities seen in
        // electronic-licence type codes.
        for code in [
            "11220000013544541J",
            "11430000006122244L",
            "11330105002500287C",
            "11100000000013338W",
            "11100000000013661B",
            "11100000MB0341032Y",
        ] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    // --- Uscc -------------------------------------------------------------------------------

    #[test]
    fn uscc_published_example() {
        let c = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(c.registration_authority(), '9');
        assert_eq!(c.category(), '1');
        assert_eq!(c.region_digits(), "350100");
        assert_eq!(c.region(), RegionCode::parse("350100").ok());
        assert_eq!(c.organisation_code(), "M000100Y4");
        assert!(!c.is_appraisal_institution());
        assert_eq!(c.override_reason(), None);
        assert_eq!(c.to_string(), "91350100M000100Y43");
        assert_eq!(Uscc::parse(" 91350100m000100y43 \n").unwrap(), c);
        assert_eq!("91350100M000100Y43".parse::<Uscc>().unwrap(), c);
    }

    #[test]
    fn uscc_appraisal_institution() {
        let code = complete_uscc("34330100", "MA2H0001");
        let c = Uscc::parse(&code).unwrap();
        assert!(c.is_appraisal_institution());
        assert_eq!(c.registration_authority(), '3');
        assert_eq!(c.category(), '4');
        // Hospital-run institution: parent's type 12 (事业单位), still a valid code.
        let hospital = Uscc::parse(&complete_uscc("12330100", "47000123")).unwrap();
        assert!(!hospital.is_appraisal_institution());
    }

    #[test]
    fn uscc_shape_errors() {
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(UsccError::Length(17)));
        assert_eq!(Uscc::parse(""), Err(UsccError::Length(0)));
        assert_eq!(
            Uscc::parse("91350100M000100I43"),
            Err(UsccError::Charset {
                position: 16,
                found: 'I'
            })
        );
        assert_eq!(
            Uscc::parse("９1350100M000100Y43"),
            Err(UsccError::Charset {
                position: 1,
                found: '９'
            })
        );
        assert_eq!(
            Uscc::parse(&complete_uscc("9135A100", "M000100Y")),
            Err(UsccError::Region)
        );
    }

    #[test]
    fn uscc_messages_name_the_standard() {
        let e = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(e, UsccError::Check { expected: '3' });
        assert_eq!(
            e.to_string(),
            "统一社会信用代码校验码错误，应为 3（GB 32100-2015）"
        );
        let e = Uscc::parse("91350100M000100Y53").unwrap_err();
        assert_eq!(e, UsccError::OrganisationCheck { expected: '4' });
        assert!(e.to_string().contains("GB 11714-1997"));
        assert!(UsccError::Length(3).to_string().contains("GB 32100-2015"));
        assert!(UsccError::Region.to_string().contains("GB 32100-2015"));
    }

    #[test]
    fn uscc_override() {
        let pilot = "91350100M0001TGQXM";
        assert_eq!(Uscc::parse(pilot), Err(UsccError::Check { expected: '1' }));
        assert_eq!(
            Uscc::parse_with_override(pilot, "  "),
            Err(UsccError::Check { expected: '1' })
        );
        let c = Uscc::parse_with_override(pilot, " 福建早期试点代码 ").unwrap();
        assert_eq!(c.as_str(), pilot);
        assert_eq!(c.override_reason(), Some("福建早期试点代码"));
        // Shape errors stay errors.
        assert_eq!(
            Uscc::parse_with_override("91350100M0001TGQX", "试点"),
            Err(UsccError::Length(17))
        );
        assert!(matches!(
            Uscc::parse_with_override("91350100M0001TGQXO", "试点"),
            Err(UsccError::Charset { position: 18, .. })
        ));
        // A valid code needs no override and keeps no reason.
        let ok = Uscc::parse_with_override("91350100M000100Y43", "试点").unwrap();
        assert_eq!(ok.override_reason(), None);
        // Identity is the code alone.
        assert_eq!(c, Uscc::parse_with_override(pilot, "另一理由").unwrap());
    }

    #[test]
    fn uscc_every_substitution_refused() {
        for code in ["91350100M000100Y43", "11100000000013338W"] {
            for i in 0..18 {
                for &x in USCC_CHARSET.iter().filter(|&&x| x != code.as_bytes()[i]) {
                    let mut b = code.as_bytes().to_vec();
                    b[i] = x;
                    let bad = String::from_utf8(b).unwrap();
                    assert!(Uscc::parse(&bad).is_err(), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn uscc_every_adjacent_transposition_refused() {
        // MOD 31 catches them all (see `gb32100_check`).
        for code in [
            "91350100M000100Y43",
            "11220000013544541J",
            "11100000000013338W",
        ] {
            for i in 0..17 {
                let bad = swapped(code, i);
                if bad != code {
                    assert!(Uscc::parse(&bad).is_err(), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn uscc_serde_reads_strictly() {
        let c: Uscc = deserialize("11100000000013338W").unwrap();
        assert_eq!(String::from(c), "11100000000013338W");
        assert!(deserialize::<Uscc>("91350100M0001TGQXM").is_err());
    }

    proptest! {
        #[test]
        fn uscc_round_trip(
            head in proptest::collection::vec(0usize..31, 2),
            region in 0u32..1_000_000,
            org in proptest::collection::vec(0usize..31, 8),
        ) {
            let pick = |v: &[usize]| v.iter().map(|&i| char::from(USCC_CHARSET[i])).collect::<String>();
            let first8 = format!("{}{region:06}", pick(&head));
            let code = complete_uscc(&first8, &pick(&org));
            let c = Uscc::parse(&code).unwrap();
            prop_assert_eq!(c.as_str(), code.as_str());
            prop_assert_eq!(c.region_digits(), format!("{region:06}"));
            prop_assert_eq!(Uscc::parse(&c.to_string()).unwrap(), c);
        }
    }

    // --- ResidentId ---------------------------------------------------------------------------

    #[test]
    fn resident_id_standard_example() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert!(id.is_female());
        assert_eq!(id.region_digits(), "110105");
        assert_eq!(id.region(), RegionCode::parse("110105").ok());
        assert_eq!(ResidentId::parse(" 11010519491231002x ").unwrap(), id);
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn resident_id_upgrades_15_digits() {
        let id = ResidentId::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id, ResidentId::parse("11010519491231002X").unwrap());
        assert_eq!(
            ResidentId::parse("110105490231002"),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            ResidentId::parse("11010549123100X"),
            Err(ResidentIdError::NotDigit(15))
        );
    }

    #[test]
    fn resident_id_masked_and_debug() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1****************X");
        let debug = format!("{id:?}");
        assert!(debug.contains("1****************X"), "{debug}");
        assert!(!debug.contains("19491231"), "{debug}");
    }

    #[test]
    fn resident_id_dates() {
        for first17 in [
            "11010519490230002", // 30 February
            "11010518491231002", // before 1850
            "11010521010101002", // after 2100
            "11010519491301002", // month 13
            "11010519490100002", // day 0
            "11010519000229002", // 1900 is not a leap year
        ] {
            assert_eq!(
                ResidentId::parse(&complete_resident_id(first17)),
                Err(ResidentIdError::BirthDate),
                "{first17}"
            );
        }
        for first17 in [
            "11010520000229001",
            "11010518500101001",
            "11010521001231001",
        ] {
            assert!(ResidentId::parse(&complete_resident_id(first17)).is_ok());
        }
    }

    #[test]
    fn resident_id_messages_name_the_standard() {
        let e = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(e, ResidentIdError::Check { expected: 'X' });
        assert_eq!(
            e.to_string(),
            "公民身份号码校验码错误，应为 X（GB 11643-1999，ISO 7064 MOD 11-2）"
        );
        for e in [
            ResidentIdError::Length(16),
            ResidentIdError::NotDigit(3),
            ResidentIdError::CheckShape,
            ResidentIdError::BirthDate,
        ] {
            assert!(e.to_string().contains("GB 11643-1999"), "{e}");
        }
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(ResidentIdError::CheckShape)
        );
    }

    #[test]
    fn resident_id_every_substitution_refused() {
        let alphabet = b"0123456789X";
        for id in [
            "11010519491231002X",
            "44030419851023001X",
            "32010219800101003X",
        ]
        .map(|s| complete_resident_id(&s[..17]))
        {
            assert!(ResidentId::parse(&id).is_ok(), "{id}");
            for i in 0..18 {
                for &x in alphabet.iter().filter(|&&x| x != id.as_bytes()[i]) {
                    let mut b = id.as_bytes().to_vec();
                    b[i] = x;
                    let bad = String::from_utf8(b).unwrap();
                    assert!(ResidentId::parse(&bad).is_err(), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn resident_id_every_adjacent_transposition_refused() {
        for id in [
            "11010519491231002X",
            "44030419851023001X",
            "32010219800101003X",
        ]
        .map(|s| complete_resident_id(&s[..17]))
        {
            for i in 0..17 {
                let bad = swapped(&id, i);
                if bad != id {
                    assert!(ResidentId::parse(&bad).is_err(), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn resident_id_serde() {
        let id: ResidentId = deserialize("110105491231002").unwrap();
        assert_eq!(String::from(id), "11010519491231002X");
        assert!(deserialize::<ResidentId>("11010519491231002").is_err());
    }

    proptest! {
        #[test]
        fn resident_id_round_trip(
            region in 0u32..1_000_000,
            y in 1850u16..=2100,
            m in 1u8..=12,
            d in 1u8..=31,
            seq in 0u32..1000,
        ) {
            let d = d.min(days_in_month(y, m));
            let id = complete_resident_id(&format!("{region:06}{y:04}{m:02}{d:02}{seq:03}"));
            let parsed = ResidentId::parse(&id).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
            prop_assert_eq!(parsed.birth_date(), (y, m, d));
            prop_assert_eq!(parsed.is_female(), seq % 2 == 0);
            prop_assert_eq!(ResidentId::parse(&parsed.to_string()).unwrap(), parsed);
        }

        #[test]
        fn resident_id_15_upgrade(
            region in 0u32..1_000_000,
            yy in 0u16..100,
            m in 1u8..=12,
            d in 1u8..=31,
            seq in 0u32..1000,
        ) {
            let d = d.min(days_in_month(1900 + yy, m));
            let old = format!("{region:06}{yy:02}{m:02}{d:02}{seq:03}");
            let new = complete_resident_id(&format!("{region:06}19{yy:02}{m:02}{d:02}{seq:03}"));
            let upgraded = ResidentId::parse(&old).unwrap();
            prop_assert_eq!(upgraded.as_str(), new.as_str());
        }
    }

    // --- ElectronicLicenceId ------------------------------------------------------------------

    /// Identifiers issued by real platforms (reference §3.3 and a 浙江 licence file name).
    const REAL_LICENCE_IDS: [&str; 3] = [
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
        "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    ];

    #[test]
    fn licence_id_real_examples() {
        for s in REAL_LICENCE_IDS {
            let id = ElectronicLicenceId::parse(s).unwrap();
            assert_eq!(id.as_str(), s);
            let rebuilt =
                ElectronicLicenceId::build(id.type_code(), id.issuer(), id.serial(), id.version())
                    .unwrap();
            assert_eq!(rebuilt, id);
        }
        let id = ElectronicLicenceId::parse(REAL_LICENCE_IDS[0]).unwrap();
        assert_eq!(id.type_code(), "11100000000013338W032");
        assert_eq!(id.type_authority(), "11100000000013338W");
        assert_eq!(id.issuer().as_str(), "11220000013544541J");
        assert_eq!(id.serial(), "2430599");
        assert_eq!(id.version(), 1);
        assert_eq!(id.check_char(), 'F');
    }

    #[test]
    fn licence_id_build() {
        let issuer = Uscc::parse("11330105002500287C").unwrap();
        let id =
            ElectronicLicenceId::build("11100000000013338W009", &issuer, "2025052201", 2).unwrap();
        assert_eq!(id.as_str(), REAL_LICENCE_IDS[2]);
        let lower =
            ElectronicLicenceId::build("11100000000013338w009", &issuer, "2025052201", 2).unwrap();
        assert_eq!(lower, id);
        use ElectronicLicenceIdError as E;
        let b = |t: &str, s: &str, v: u16| ElectronicLicenceId::build(t, &issuer, s, v);
        assert_eq!(b("11100000000013338W009", "1", 0), Err(E::Version));
        assert_eq!(b("11100000000013338W009", "1", 1000), Err(E::Version));
        assert_eq!(b("11100000000013338W09", "1", 1), Err(E::TypeCode));
        assert_eq!(b("11100000000013338WA09", "1", 1), Err(E::TypeCode));
        assert_eq!(
            b("11100000000013338X009", "1", 1),
            Err(E::TypeAuthority(UsccError::Check { expected: 'W' }))
        );
        assert_eq!(b("11100000000013338W009", "", 1), Err(E::Serial));
        assert_eq!(
            b("11100000000013338W009", &"1".repeat(33), 1),
            Err(E::Serial)
        );
        assert_eq!(b("11100000000013338W009", "12-3", 1), Err(E::Charset));
        assert_eq!(b("11100000000013338W009", "12.3", 1), Err(E::Fields));
        let pilot = Uscc::parse_with_override("91350100M0001TGQXM", "试点").unwrap();
        assert_eq!(
            ElectronicLicenceId::build("11100000000013338W009", &pilot, "1", 1),
            Err(E::IssuerOverridden)
        );
    }

    #[test]
    fn licence_id_parse_errors() {
        use ElectronicLicenceIdError as E;
        let good = REAL_LICENCE_IDS[0];
        let p = ElectronicLicenceId::parse;
        assert_eq!(p(&good.replace("3005", "3006")), Err(E::Root));
        assert_eq!(p("1.2.156.3005.2"), Err(E::Root));
        assert_eq!(p(&good.replace(".001.", ".000.")), Err(E::Version));
        assert_eq!(p(&good.replace(".001.", ".01.")), Err(E::Version));
        assert_eq!(p(&format!("{good}F")), Err(E::CheckShape));
        assert_eq!(
            p(&good.replace(".F", ".G")),
            Err(E::Check { expected: 'F' })
        );
        assert_eq!(p(&good.replace(".2430599.", ".")), Err(E::Fields));
        assert_eq!(
            p(&good.replace("541J", "541K")),
            Err(E::Issuer(UsccError::Check { expected: 'J' }))
        );
        assert_eq!(
            p(&format!(" {} ", good.to_lowercase())).unwrap().as_str(),
            good
        );
        let e = p(&good.replace(".F", ".G")).unwrap_err().to_string();
        assert!(
            e.contains("GB/T 36904-2018") && e.contains("MOD 37,36"),
            "{e}"
        );
    }

    #[test]
    fn licence_id_every_substitution_refused() {
        // Everything after the root is covered by the check (or is the check).
        for s in REAL_LICENCE_IDS {
            for i in LICENCE_ROOT.len() + 1..s.len() {
                if s.as_bytes()[i] == b'.' {
                    continue;
                }
                for &x in ALNUM36.iter().filter(|&&x| x != s.as_bytes()[i]) {
                    let mut b = s.as_bytes().to_vec();
                    b[i] = x;
                    let bad = String::from_utf8(b).unwrap();
                    assert!(ElectronicLicenceId::parse(&bad).is_err(), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn licence_id_transpositions() {
        // MOD 37,36 misses a transposition only of two values 1 apart (mod 36), see
        // `mod37_36_transposition_blind_spots`; nothing else may slip through.
        for s in REAL_LICENCE_IDS {
            for i in LICENCE_ROOT.len() + 1..s.len() - 1 {
                let (a, b) = (s.as_bytes()[i], s.as_bytes()[i + 1]);
                if a == b || a == b'.' || b == b'.' {
                    continue;
                }
                let bad = swapped(s, i);
                if ElectronicLicenceId::parse(&bad).is_ok() {
                    let (va, vb) = (base36_value(a).unwrap(), base36_value(b).unwrap());
                    assert!(one_apart(va, vb), "{bad} accepted");
                }
            }
        }
    }

    #[test]
    fn licence_id_serde() {
        let id: ElectronicLicenceId = deserialize(REAL_LICENCE_IDS[1]).unwrap();
        assert_eq!(String::from(id), REAL_LICENCE_IDS[1]);
    }

    proptest! {
        #[test]
        fn licence_id_round_trip(
            type_no in 0u32..1000,
            issuer in prop::sample::select(vec![
                "11220000013544541J", "11430000006122244L", "11330105002500287C",
            ]),
            serial in "[0-9A-Z]{1,32}",
            version in 1u16..=999,
        ) {
            let issuer = Uscc::parse(issuer).unwrap();
            let type_code = format!("11100000000013338W{type_no:03}");
            let id = ElectronicLicenceId::build(&type_code, &issuer, &serial, version).unwrap();
            let parsed = ElectronicLicenceId::parse(id.as_str()).unwrap();
            prop_assert_eq!(&parsed, &id);
            prop_assert_eq!(parsed.type_code(), type_code.as_str());
            prop_assert_eq!(parsed.issuer(), &issuer);
            prop_assert_eq!(parsed.serial(), serial.as_str());
            prop_assert_eq!(parsed.version(), version);
        }
    }

    // --- LicenceNo / CertificateNo --------------------------------------------------------------

    #[test]
    fn opaque_numbers() {
        assert_eq!(
            LicenceNo::parse(" 130119304 ").unwrap().as_str(),
            "130119304"
        );
        assert_eq!(LicenceNo::parse("4402701").unwrap().to_string(), "4402701");
        assert_eq!(LicenceNo::parse("  "), Err(LicenceNoError::Empty));
        assert_eq!(LicenceNo::parse("12"), Err(LicenceNoError::Shape));
        assert_eq!(
            CertificateNo::parse("浙司鉴〔2026〕001").unwrap().as_str(),
            "浙司鉴〔2026〕001"
        );
        assert_eq!(
            CertificateNo::parse("a b c d"),
            Err(CertificateNoError::Shape)
        );
        assert_eq!(CertificateNo::parse(""), Err(CertificateNoError::Empty));
        assert!(
            LicenceNoError::Shape
                .to_string()
                .starts_with("司法鉴定许可证号")
        );
        let c: CertificateNo = deserialize("33010512345").unwrap();
        assert_eq!(String::from(c), "33010512345");
        assert!(deserialize::<LicenceNo>("!").is_err());
    }
    #[test]
    fn with_checks_completes_a_valid_code() {
        assert_eq!(
            Uscc::with_checks("91350100M000100Y").unwrap().as_str(),
            "91350100M000100Y43"
        );
        assert!(matches!(
            Uscc::with_checks("91350100M000"),
            Err(UsccError::Length(_))
        ));
    }
}
