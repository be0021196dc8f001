//! 案号: the number a court, procuratorate or police body gives a case, as it reaches the
//! platform on an appraisal commission (委托书). Parsed once into a normalised [`CaseNumber`]
//! so that the same case written in different hands links to the same records.
//!
//! Two shapes are accepted ([`CaseNumberShape`]):
//!
//! * **Court** — 《最高人民法院关于人民法院案件案号的若干规定》（法〔2015〕137号，2018 年修订）:
//!   `（收案年度）法院代字 类型代字 案件编号 号`, e.g. `（2024）京0105民初1234号`.
//!   法院代字 is the provincial abbreviation (高级法院), followed by 2 digits for an
//!   intermediate or specialised court (`沪01`, `京73` 知识产权法院, `沪74` 金融法院) or 4 digits
//!   for a basic court (`京0105`, `浙0192`), or `最高法`. 类型代字 is 1–4 Chinese characters
//!   (`民初`, `刑终`, `执恢`, `知民终`, `司救民`).
//! * **Prefixed** — procuratorate and police document numbers, which follow the 党政机关公文
//!   发文字号 pattern `机关代字〔年份〕序号号`: `杭西检刑诉〔2024〕123号`,
//!   `杭公（西）立字〔2024〕1234号`. The whole text before the year is kept as the
//!   [`CaseNumber::court`] part; there is no type code.
//!
//! Normalisation (so that `parse(as_str())` is the identity): all whitespace removed; full-width
//! digits made ASCII; the year brackets `（）()〔〕[]［］【】﹝﹞〖〗` made `（）` (court shape) or
//! `〔〕` (prefixed shape), other brackets in a prefix made `（）`; `號` read as `号`; a `第`
//! before the serial dropped; leading zeros of the serial dropped; a missing final `号` added.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The starts of 法院代字 that identify a people's court: the 31 provincial-level
/// abbreviations in the form the 2015 rules use for courts (内蒙古 `内`, 贵州 `黔`, 云南 `云`),
/// then `最高法` (最高人民法院, including its circuit courts) and `兵` (新疆生产建设兵团 courts).
pub const COURT_CODE_PREFIXES: [&str; 33] = [
    "京",
    "津",
    "冀",
    "晋",
    "内",
    "辽",
    "吉",
    "黑",
    "沪",
    "苏",
    "浙",
    "皖",
    "闽",
    "赣",
    "鲁",
    "豫",
    "鄂",
    "湘",
    "粤",
    "桂",
    "琼",
    "渝",
    "川",
    "黔",
    "云",
    "藏",
    "陕",
    "甘",
    "青",
    "宁",
    "新",
    "最高法",
    "兵",
];

/// Oldest and newest 收案年度 accepted. No clock here: only a plausibility range.
const YEAR_RANGE: std::ops::RangeInclusive<u16> = 1949..=2100;

/// Most significant digits a serial may have (after leading zeros are dropped).
const SERIAL_MAX_DIGITS: usize = 6;

/// Longest type code (类型代字) in Chinese characters.
const KIND_MAX_CHARS: usize = 4;

/// Longest run of Chinese characters before the digits of a court code (`京`, `最高法`).
const COURT_LETTERS_MAX: usize = 3;

/// Longest prefix (机关代字) of a procuratorate or police number, in characters.
const PREFIX_MAX_CHARS: usize = 30;

/// Which of the two accepted forms a case number has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseNumberShape {
    /// `（2024）京0105民初1234号` — 人民法院案号.
    Court,
    /// `杭西检刑诉〔2024〕123号` — procuratorate, police and other document numbers.
    Prefixed,
}

/// A normalised case number. Fields are private so that every value is one `parse` accepted;
/// equality and hashing follow the normalised text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber {
    text: String,
    shape: CaseNumberShape,
    year: u16,
    court: String,
    kind: String,
    serial: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    #[error("请填写案号")]
    Empty,
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：缺少收案年度（应以括号标明，如“（2024）”）"
    )]
    MissingYear,
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：收案年度应写在最前面，其前不应有“{0}”"
    )]
    Leading(String),
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：年度不合理：{0}（应为 1949–2100 年间的四位年份）"
    )]
    Year(String),
    #[error("案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：缺少法院代字")]
    MissingCourt,
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：法院代字“{0}”不正确（应为省级简称，中级或专门法院加 2 位数字，基层法院加 4 位数字，或“最高法”）"
    )]
    Court(String),
    #[error("案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：缺少类型代字")]
    MissingKind,
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：类型代字“{0}”不正确（应为 1–4 个汉字，如“民初”“刑终”“执恢”）"
    )]
    Kind(String),
    #[error("案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：缺少案件编号")]
    MissingSerial,
    #[error(
        "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：案件编号“{0}”不正确（应为 1–6 位数字，不能为 0）"
    )]
    Serial(String),
    #[error("案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：“号”字后不应再有“{0}”")]
    Trailing(String),
    #[error(
        "检察、公安文书编号格式不正确：机关代字“{0}”应为 1–30 个汉字、字母或数字（可含括号），形如“杭西检刑诉〔2024〕123号”"
    )]
    Prefix(String),
}

/// Chinese characters: the basic block, extension A, compatibility ideographs and the
/// supplementary-plane extensions (rare characters in place names).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{323AF}')
}

/// Removes whitespace and invisible marks, makes full-width digits ASCII, every bracket style
/// `(` or `)`, and `號` `号`.
fn normalise(input: &str) -> Vec<char> {
    input
        .chars()
        .filter(|&c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '（' | '(' | '〔' | '[' | '［' | '【' | '﹝' | '〖' => '(',
            '）' | ')' | '〕' | ']' | '］' | '】' | '﹞' | '〗' => ')',
            '號' => '号',
            c => c,
        })
        .collect()
}

fn text(chars: &[char]) -> String {
    chars.iter().collect()
}

/// A year written between brackets: digits only, four of them, inside [`YEAR_RANGE`].
fn parse_year(digits: &[char]) -> Result<u16, CaseNumberError> {
    if digits.is_empty() {
        return Err(CaseNumberError::MissingYear);
    }
    if digits.len() <= 4 && digits.iter().all(char::is_ascii_digit) {
        let y = digits.iter().fold(0u16, |n, &d| {
            n * 10 + (u32::from(d) - u32::from('0')) as u16
        });
        if YEAR_RANGE.contains(&y) {
            return Ok(y);
        }
    }
    Err(CaseNumberError::Year(text(digits)))
}

/// The serial as written (ASCII digits, possibly with leading zeros).
fn parse_serial(digits: &[char]) -> Result<u32, CaseNumberError> {
    if digits.is_empty() {
        return Err(CaseNumberError::MissingSerial);
    }
    let significant = digits
        .iter()
        .position(|&d| d != '0')
        .map_or(&[][..], |i| &digits[i..]);
    if significant.is_empty() || significant.len() > SERIAL_MAX_DIGITS {
        return Err(CaseNumberError::Serial(text(digits)));
    }
    Ok(significant
        .iter()
        .fold(0u32, |n, &d| n * 10 + (u32::from(d) - u32::from('0'))))
}

/// Splits the text between the year and the serial into 法院代字 and 类型代字.
fn split_court_kind(body: &[char]) -> Result<(String, String), CaseNumberError> {
    if body.is_empty() {
        return Err(CaseNumberError::MissingCourt);
    }
    let (court, kind): (&[char], &[char]) = match body.iter().position(char::is_ascii_digit) {
        // 京0105民初: letters, then 2 or 4 digits, then the type code.
        Some(first_digit) => {
            let digits_end = body[first_digit..]
                .iter()
                .position(|c| !c.is_ascii_digit())
                .map_or(body.len(), |n| first_digit + n);
            let (court, kind) = body.split_at(digits_end);
            let letters = &court[..first_digit];
            let digit_count = digits_end - first_digit;
            if letters.is_empty()
                || letters.len() > COURT_LETTERS_MAX
                || !letters.iter().all(|&c| is_cjk(c))
                || !matches!(digit_count, 2 | 4)
            {
                return Err(CaseNumberError::Court(text(court)));
            }
            (court, kind)
        }
        // 浙民终 or 最高法民申: a high court or the Supreme People's Court. Without digits the
        // court code can only be told from the type code by the list of known codes;
        // `（2024）民初1号` lacks its court code.
        None => {
            let known = COURT_CODE_PREFIXES.iter().find_map(|p| {
                let p: Vec<char> = p.chars().collect();
                body.starts_with(&p).then_some(p.len())
            });
            let Some(split) = known else {
                return Err(CaseNumberError::MissingCourt);
            };
            body.split_at(split)
        }
    };
    if kind.is_empty() {
        return Err(CaseNumberError::MissingKind);
    }
    // A 第 before the serial is dropped once; a second one would stay in the type code and the
    // normalised text would read back without it (found by fuzzing, issue 14).
    if kind.len() > KIND_MAX_CHARS || !kind.iter().all(|&c| is_cjk(c)) || kind.ends_with(&['第']) {
        return Err(CaseNumberError::Kind(text(kind)));
    }
    Ok((text(court), text(kind)))
}

/// A `（digits）` group inside a prefix: a second year, as in `案号（2024）京0105民初（2024）1号`.
/// Bracketed parts of a real prefix name a branch (`杭公（西）`), never a number.
fn holds_bracketed_number(prefix: &str) -> bool {
    prefix.split('（').skip(1).any(|part| {
        part.split_once('）').is_some_and(|(inner, _)| {
            !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit())
        })
    })
}

impl CaseNumber {
    /// Parses and normalises a court, procuratorate or police case number.
    pub fn parse(input: &str) -> Result<Self, CaseNumberError> {
        let chars = normalise(input);
        if chars.is_empty() {
            return Err(CaseNumberError::Empty);
        }
        // Final 号 (optional); nothing may follow it.
        let body = match chars.iter().rposition(|&c| c == '号') {
            Some(i) if i + 1 < chars.len() => {
                return Err(CaseNumberError::Trailing(text(&chars[i + 1..])));
            }
            Some(i) => &chars[..i],
            None => &chars[..],
        };
        // Serial: the digits at the end, optionally preceded by 第.
        let serial_start = body
            .iter()
            .rposition(|c| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        let serial_digits = &body[serial_start..];
        let mut head = &body[..serial_start];
        if let Some(rest) = head.strip_suffix(&['第']) {
            head = rest;
        }

        let year_close = head.iter().position(|&c| c == ')');
        let starts_with_year = head.first() == Some(&'(')
            && year_close
                .is_some_and(|close| close > 1 && head[1..close].iter().all(char::is_ascii_digit));
        if !starts_with_year
            && head.last() == Some(&')')
            && let Some(open) = head.iter().rposition(|&c| c == '(')
            && open > 0
        {
            return Self::prefixed(
                &head[..open],
                &head[open + 1..head.len() - 1],
                serial_digits,
            );
        }
        if head.first() != Some(&'(') {
            return match head.iter().position(|&c| c == '(') {
                Some(open) if head[open + 1..].contains(&')') => {
                    Err(CaseNumberError::Leading(text(&head[..open])))
                }
                _ => Err(CaseNumberError::MissingYear),
            };
        }
        let Some(close) = year_close else {
            return Err(CaseNumberError::MissingYear);
        };
        let year = parse_year(&head[1..close])?;
        let (court, kind) = split_court_kind(&head[close + 1..])?;
        let serial = parse_serial(serial_digits)?;
        Ok(CaseNumber {
            text: format!("（{year}）{court}{kind}{serial}号"),
            shape: CaseNumberShape::Court,
            year,
            court,
            kind,
            serial,
        })
    }

    /// `prefix〔year〕serial号`; `prefix` and `year` are the normalised characters around the
    /// year's brackets.
    fn prefixed(prefix: &[char], year: &[char], serial: &[char]) -> Result<Self, CaseNumberError> {
        let year = parse_year(year)?;
        let prefix: String = prefix
            .iter()
            .map(|&c| match c {
                '(' => '（',
                ')' => '）',
                c => c,
            })
            .collect();
        if prefix.chars().count() > PREFIX_MAX_CHARS
            || !prefix
                .chars()
                .all(|c| is_cjk(c) || c.is_ascii_alphanumeric() || c == '（' || c == '）')
            || holds_bracketed_number(&prefix)
        {
            return Err(CaseNumberError::Prefix(prefix));
        }
        let serial = parse_serial(serial)?;
        Ok(CaseNumber {
            text: format!("{prefix}〔{year}〕{serial}号"),
            shape: CaseNumberShape::Prefixed,
            year,
            court: prefix,
            kind: String::new(),
            serial,
        })
    }

    /// The normalised text: `（2024）京0105民初1234号` or `杭西检刑诉〔2024〕123号`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn shape(&self) -> CaseNumberShape {
        self.shape
    }

    /// 收案年度 (court shape) or the year of the document number.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// 法院代字 (`京0105`, `最高法`) or, for the prefixed shape, the whole text before the year
    /// (`杭公（西）立字`).
    pub fn court(&self) -> &str {
        &self.court
    }

    /// 类型代字 (`民初`); empty for the prefixed shape.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// 案件编号, without leading zeros.
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// Heuristic: a court-shape number whose court code is a provincial abbreviation (alone or
    /// followed by digits), `最高法` or `兵` — see [`COURT_CODE_PREFIXES`]. Numbers of other
    /// bodies (procuratorates, police) and unrecognised court codes give `false`.
    pub fn is_court(&self) -> bool {
        self.shape == CaseNumberShape::Court
            && COURT_CODE_PREFIXES.iter().any(|p| {
                self.court
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
            })
    }

    /// Canonical matching key for record linkage: `year|court|kind|serial`, e.g.
    /// `2024|京0105|民初|1234` or `2024|杭西检刑诉||123` (a court number always has a
    /// non-empty type code, so the two shapes never share a key).
    pub fn key(&self) -> String {
        format!("{}|{}|{}|{}", self.year, self.court, self.kind, self.serial)
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseNumber {
    type Err = CaseNumberError;
    fn from_str(s: &str) -> Result<Self, CaseNumberError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = CaseNumberError;
    fn try_from(s: String) -> Result<Self, CaseNumberError> {
        Self::parse(&s)
    }
}

impl From<CaseNumber> for String {
    fn from(v: CaseNumber) -> String {
        v.text
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

    fn ok(s: &str) -> CaseNumber {
        CaseNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn court_examples() {
        for (input, canonical, year, court, kind, serial) in [
            (
                "（2024）京0105民初1234号",
                "（2024）京0105民初1234号",
                2024,
                "京0105",
                "民初",
                1234,
            ),
            (
                "(2023)沪01刑终56号",
                "（2023）沪01刑终56号",
                2023,
                "沪01",
                "刑终",
                56,
            ),
            (
                "（2022）最高法民申789号",
                "（2022）最高法民申789号",
                2022,
                "最高法",
                "民申",
                789,
            ),
            (
                "（2024）浙0106执恢12号",
                "（2024）浙0106执恢12号",
                2024,
                "浙0106",
                "执恢",
                12,
            ),
            (
                "（2023）浙民终7号",
                "（2023）浙民终7号",
                2023,
                "浙",
                "民终",
                7,
            ),
            (
                "（2019）最高法知民终1号",
                "（2019）最高法知民终1号",
                2019,
                "最高法",
                "知民终",
                1,
            ),
            (
                "（2021）京73民初1001号",
                "（2021）京73民初1001号",
                2021,
                "京73",
                "民初",
                1001,
            ),
            (
                "（2020）沪74民终100号",
                "（2020）沪74民终100号",
                2020,
                "沪74",
                "民终",
                100,
            ),
            (
                "（2018）浙0192民初81号",
                "（2018）浙0192民初81号",
                2018,
                "浙0192",
                "民初",
                81,
            ),
            (
                "（2024）粤03破12号",
                "（2024）粤03破12号",
                2024,
                "粤03",
                "破",
                12,
            ),
            (
                "（2024）川01民特5号",
                "（2024）川01民特5号",
                2024,
                "川01",
                "民特",
                5,
            ),
            (
                "（2020）最高法司救民3号",
                "（2020）最高法司救民3号",
                2020,
                "最高法",
                "司救民",
                3,
            ),
            (
                "（1949）京民初1号",
                "（1949）京民初1号",
                1949,
                "京",
                "民初",
                1,
            ),
            (
                "（2100）京01执999999号",
                "（2100）京01执999999号",
                2100,
                "京01",
                "执",
                999_999,
            ),
        ] {
            let c = ok(input);
            assert_eq!(c.as_str(), canonical, "{input}");
            assert_eq!(c.to_string(), canonical);
            assert_eq!(c.shape(), CaseNumberShape::Court);
            assert_eq!(
                (c.year(), c.court(), c.kind(), c.serial()),
                (year, court, kind, serial),
                "{input}"
            );
            assert!(c.is_court(), "{input}");
        }
    }

    #[test]
    fn spellings_normalise_to_one_form() {
        let canonical = ok("（2024）京0105民初1234号");
        for input in [
            "(2024)京0105民初1234号",
            "〔2024〕京0105民初1234号",
            "[2024]京0105民初1234号",
            "［2024］京0105民初1234号",
            "【2024】京0105民初1234号",
            "﹝2024﹞京0105民初1234号",
            "（２０２４）京０１０５民初１２３４号",
            " （2024） 京 0105 民初 1234 号 ",
            "（2024）\u{3000}京0105民初1234号",
            "（2024）京0105民初1234",
            "（2024）京0105民初001234号",
            "（2024）京0105民初第1234号",
            "（2024）京0105民初1234號",
            "\u{FEFF}(2024)京0105民初01234",
        ] {
            let c = ok(input);
            assert_eq!(c, canonical, "{input}");
            assert_eq!(c.key(), "2024|京0105|民初|1234");
        }
    }

    #[test]
    fn prefixed_examples() {
        for (input, canonical, year, prefix, serial) in [
            (
                "杭西检刑诉〔2024〕123号",
                "杭西检刑诉〔2024〕123号",
                2024,
                "杭西检刑诉",
                123,
            ),
            (
                "京检一部刑诉[2023]45号",
                "京检一部刑诉〔2023〕45号",
                2023,
                "京检一部刑诉",
                45,
            ),
            (
                "杭公(西)立字(2024)1234号",
                "杭公（西）立字〔2024〕1234号",
                2024,
                "杭公（西）立字",
                1234,
            ),
            (
                "杭公（西）立字〔2024〕第1234号",
                "杭公（西）立字〔2024〕1234号",
                2024,
                "杭公（西）立字",
                1234,
            ),
            (
                "西公刑立字【2024】0088",
                "西公刑立字〔2024〕88号",
                2024,
                "西公刑立字",
                88,
            ),
            (
                "西公刑立字 ﹝２０２４﹞ 88 号",
                "西公刑立字〔2024〕88号",
                2024,
                "西公刑立字",
                88,
            ),
        ] {
            let c = ok(input);
            assert_eq!(c.as_str(), canonical, "{input}");
            assert_eq!(c.shape(), CaseNumberShape::Prefixed);
            assert_eq!(
                (c.year(), c.court(), c.kind(), c.serial()),
                (year, prefix, "", serial),
                "{input}"
            );
            assert!(!c.is_court(), "{input}");
        }
        assert_eq!(ok("杭西检刑诉〔2024〕123号").key(), "2024|杭西检刑诉||123");
    }

    #[test]
    fn errors() {
        use CaseNumberError as E;
        for (input, expected) in [
            ("", E::Empty),
            ("  \u{3000} ", E::Empty),
            ("京0105民初1234号", E::MissingYear),
            ("2024京0105民初1234号", E::MissingYear),
            ("（）京0105民初1234号", E::MissingYear),
            ("（2024京0105民初1234号", E::MissingYear),
            ("案号（2024）京0105民初1234号", E::Leading("案号".into())),
            ("（1899）京0105民初1234号", E::Year("1899".into())),
            ("（2101）京0105民初1234号", E::Year("2101".into())),
            ("（24）京0105民初1234号", E::Year("24".into())),
            ("（20245）京0105民初1234号", E::Year("20245".into())),
            ("（二〇二四）京0105民初1234号", E::Year("二〇二四".into())),
            ("（2024）1234号", E::MissingCourt),
            ("（2024）民初1234号", E::MissingCourt),
            ("（2024）军民终5号", E::MissingCourt), // no digits: only listed codes are known
            ("（2024）京01051234号", E::MissingKind),
            ("（2024）京0105号", E::MissingKind),
            ("（2024）0105民初1234号", E::Court("0105".into())),
            ("（2024）京105民初1234号", E::Court("京105".into())),
            ("（2024）京010501民初1234号", E::Court("京010501".into())),
            ("（2024）Ab01民初1234号", E::Court("Ab01".into())),
            ("（2024）京0105民初号", E::MissingSerial),
            (
                "（2024）京0105民事初审案件1234号",
                E::Kind("民事初审案件".into()),
            ),
            ("（2024）京0105民-初1234号", E::Kind("民-初".into())),
            ("（2024）京0105民初第第1234号", E::Kind("民初第".into())),
            ("（2024）京0105民初0号", E::Serial("0".into())),
            ("（2024）京0105民初1234567号", E::Serial("1234567".into())),
            ("（2019）最高法民申1234号之一", E::Trailing("之一".into())),
            ("（2024）京0105民初1234号。", E::Trailing("。".into())),
            ("杭西检刑诉〔1900〕123号", E::Year("1900".into())),
            ("杭西检刑诉〔2024〕号", E::MissingSerial),
            ("杭西检刑诉〔〕123号", E::MissingYear),
            ("杭西检-刑诉〔2024〕123号", E::Prefix("杭西检-刑诉".into())),
            ("〔2024〕123号", E::MissingCourt),
            (
                "案号（2024）京0105民初（2024）1号",
                E::Prefix("案号（2024）京0105民初".into()),
            ),
        ] {
            assert_eq!(CaseNumber::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn messages_cite_the_rule() {
        use CaseNumberError as E;
        let rule = "案号格式不符合《最高人民法院关于人民法院案件案号的若干规定》：";
        assert_eq!(
            E::MissingYear.to_string(),
            format!("{rule}缺少收案年度（应以括号标明，如“（2024）”）")
        );
        assert!(
            E::Year("1899".into())
                .to_string()
                .starts_with(&format!("{rule}年度不合理：1899"))
        );
        assert_eq!(E::MissingSerial.to_string(), format!("{rule}缺少案件编号"));
        assert_eq!(E::MissingKind.to_string(), format!("{rule}缺少类型代字"));
        for e in [
            E::Leading("x".into()),
            E::MissingCourt,
            E::Court("x".into()),
            E::Kind("x".into()),
            E::Serial("0".into()),
            E::Trailing("x".into()),
        ] {
            assert!(e.to_string().starts_with(rule), "{e}");
        }
        assert_eq!(E::Empty.to_string(), "请填写案号");
        assert!(E::Prefix("x".into()).to_string().contains("〔2024〕"));
    }

    #[test]
    fn is_court_heuristic() {
        assert!(ok("（2024）兵0101民初5号").is_court());
        assert!(ok("（2024）内01民终5号").is_court());
        // With digits any 1–3 Chinese characters are read as a court code, listed or not.
        let unknown = ok("（2024）军01民终5号");
        assert_eq!((unknown.court(), unknown.kind()), ("军01", "民终"));
        assert!(!unknown.is_court());
        let letters = ok("（2024）京检01民初5号");
        assert_eq!(letters.court(), "京检01");
        assert!(!letters.is_court());
        assert_eq!(COURT_CODE_PREFIXES.len(), 33);
    }

    #[test]
    fn keys_distinguish_cases() {
        let a = ok("（2024）京0105民初1234号");
        for other in [
            "（2023）京0105民初1234号",
            "（2024）京0106民初1234号",
            "（2024）京0105民终1234号",
            "（2024）京0105民初1235号",
        ] {
            assert_ne!(ok(other).key(), a.key(), "{other}");
        }
    }

    #[test]
    fn serde_and_from_str() {
        let c: CaseNumber = deserialize("(2023)沪01刑终056").unwrap();
        assert_eq!(String::from(c.clone()), "（2023）沪01刑终56号");
        assert_eq!("（2023）沪01刑终56号".parse::<CaseNumber>().unwrap(), c);
        assert!(deserialize::<CaseNumber>("沪01刑终56号").is_err());
    }

    const COURTS: [&str; 8] = [
        "京0105",
        "沪01",
        "最高法",
        "浙0106",
        "京73",
        "沪74",
        "粤",
        "兵0101",
    ];
    const KINDS: [&str; 10] = [
        "民初",
        "民终",
        "民申",
        "刑初",
        "刑终",
        "行初",
        "执",
        "执恢",
        "知民终",
        "司救民",
    ];
    const PREFIXES: [&str; 4] = ["杭西检刑诉", "京检一部刑诉", "杭公（西）立字", "西公刑立字"];
    const BRACKETS: [(&str, &str); 7] = [
        ("（", "）"),
        ("(", ")"),
        ("〔", "〕"),
        ("[", "]"),
        ("【", "】"),
        ("﹝", "﹞"),
        ("［", "］"),
    ];

    /// Slots of a number, each with right, variant and wrong fillers; one filler is taken from
    /// each slot in turn.
    const SLOTS: [&[&str]; 9] = [
        &["", "杭西检刑诉", "杭公(西)立字", "案号"],
        &["（", "(", "〔", "【", "", "（（"],
        &["2024", "２０２４", "1949", "24", "", "二〇二四"],
        &["）", ")", "〕", "】", ""],
        &["京0105", "沪01", "最高法", "浙", "京105", "", "军"],
        &["民初", "执恢", "司救民", "", "民-初", "（2024）"],
        &["", "第", " "],
        &["1234", "001234", "１２３４", "0", "", "1234567"],
        &["号", "", "號", "号之一", " 号 "],
    ];

    fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => {
                    char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap_or(c)
                }
                c => c,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn court_round_trip(
            year in 1949u16..=2100,
            court in prop::sample::select(COURTS.to_vec()),
            kind in prop::sample::select(KINDS.to_vec()),
            serial in 1u32..=999_999,
            (open, close) in prop::sample::select(BRACKETS.to_vec()),
            zeros in 0usize..3,
            wide in any::<bool>(),
            spaced in any::<bool>(),
            hao in any::<bool>(),
        ) {
            let sp = if spaced { " " } else { "" };
            let mut s = format!(
                "{open}{year}{close}{sp}{court}{sp}{kind}{sp}{}{serial}{sp}{}",
                "0".repeat(zeros),
                if hao { "号" } else { "" },
            );
            if wide {
                s = full_width(&s);
            }
            let c = CaseNumber::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), format!("（{year}）{court}{kind}{serial}号"));
            prop_assert_eq!((c.year(), c.court(), c.kind(), c.serial()), (year, court, kind, serial));
            prop_assert!(c.is_court());
            prop_assert_eq!(CaseNumber::parse(c.as_str()).unwrap(), c);
        }

        #[test]
        fn prefixed_round_trip(
            year in 1949u16..=2100,
            prefix in prop::sample::select(PREFIXES.to_vec()),
            serial in 1u32..=999_999,
            (open, close) in prop::sample::select(BRACKETS.to_vec()),
            di in any::<bool>(),
        ) {
            let s = format!("{prefix}{open}{year}{close}{}{serial}号", if di { "第" } else { "" });
            let c = CaseNumber::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), format!("{prefix}〔{year}〕{serial}号"));
            prop_assert_eq!(c.shape(), CaseNumberShape::Prefixed);
            prop_assert_eq!((c.year(), c.court(), c.kind(), c.serial()), (year, prefix, "", serial));
            prop_assert_eq!(CaseNumber::parse(c.as_str()).unwrap(), c);
        }

        /// Whatever is accepted is accepted again, unchanged, from its normalised text.
        #[test]
        fn normalisation_is_idempotent(
            s in "[（）()〔〕\\[\\]【】﹝﹞0-9０-９京沪浙最高法民刑初终执恢检公西立字第号之 \u{3000}-]{0,24}"
        ) {
            if let Ok(c) = CaseNumber::parse(&s) {
                prop_assert_eq!(CaseNumber::parse(c.as_str()).unwrap(), c);
            }
        }

        /// The same over strings assembled from the pieces of real numbers, which parse often.
        #[test]
        fn normalisation_is_idempotent_on_pieces(
            picks in prop::collection::vec(any::<prop::sample::Index>(), SLOTS.len())
        ) {
            let s: String = SLOTS.iter().zip(&picks).map(|(slot, i)| *i.get(slot)).collect();
            if let Ok(c) = CaseNumber::parse(&s) {
                prop_assert_eq!(CaseNumber::parse(c.as_str()).unwrap(), c);
            }
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            if let Ok(c) = CaseNumber::parse(&s) {
                prop_assert_eq!(CaseNumber::parse(c.as_str()).unwrap(), c);
            }
        }
    }
}
