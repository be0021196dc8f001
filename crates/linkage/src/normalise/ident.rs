//! Identifiers: resident ID (through the domain's GB 11643-1999 parser) and case numbers (through
//! the domain's 案号 parser).
use sijian_domain::case_number::CaseNumber;
use sijian_domain::identifiers::ResidentId;
use unicode_normalization::UnicodeNormalization;

/// Canonical 18-character resident ID: full-width digits folded, spaces and dashes removed, `x`
/// upper-cased, a 15-digit pre-1999 number upgraded (`19` + check character, GB 11643-1999).
/// `None` for a wrong length, a bad date or a failing check character: such a number is certainly
/// mistyped (every single substitution and adjacent transposition fails the check).
pub fn resident_id(raw: &str) -> Option<String> {
    let compact: String = raw
        .nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '−' | '_'))
        .collect();
    ResidentId::parse(&compact).ok().map(String::from)
}

/// Birth date `(year, month, day)` of a resident ID in any form [`resident_id`] accepts.
pub fn id_birth_date(id: &str) -> Option<(u16, u8, u8)> {
    let id = resident_id(id)?;
    ResidentId::parse(&id).ok().map(|r| r.birth_date())
}

/// Matching key of a court, procuratorate or police case number (`（2024）京0105民初1234号` →
/// `2024|京0105|民初|1234`); `None` when it does not parse.
pub fn case_number(raw: &str) -> Option<String> {
    CaseNumber::parse(raw).ok().map(|c| c.key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// First 17 digits completed with the GB 11643-1999 check character (independent of the
    /// domain's implementation: weights 2^(17-i) mod 11).
    fn complete(body: &str) -> String {
        let sum: u32 = body
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * ((1u32 << (17 - i)) % 11))
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{body}{check}")
    }

    #[test]
    fn resident_ids() {
        assert_eq!(
            resident_id("11010519491231002X").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            resident_id(" 11010519491231002x ").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            resident_id("110105 19491231 002X").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            resident_id("110105-19491231-002X").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            resident_id("１１０１０５１９４９１２３１００２ｘ").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            resident_id("440524188001010014").as_deref(),
            Some("440524188001010014")
        );
        assert_eq!(
            resident_id("370101190102039973").as_deref(),
            Some("370101190102039973")
        );
        assert_eq!(
            resident_id("110105491231002").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(resident_id("110105194912310021"), None);
        assert_eq!(resident_id("11010519491231002"), None);
        assert_eq!(resident_id(""), None);
        assert_eq!(id_birth_date("11010519491231002X"), Some((1949, 12, 31)));
        assert_eq!(id_birth_date("110105491231002"), Some((1949, 12, 31)));
        assert_eq!(id_birth_date("bad"), None);
    }

    #[test]
    fn case_numbers() {
        assert_eq!(
            case_number("（2024）京0105民初1234号").as_deref(),
            Some("2024|京0105|民初|1234")
        );
        assert_eq!(
            case_number("(2024)京0105民初1234号"),
            case_number("（2024）京0105民初1234号")
        );
        assert_eq!(case_number("不是案号"), None);
    }

    proptest! {
        #[test]
        fn valid_18_is_itself(region in 110000u32..660000, y in 1900u16..2024, m in 1u8..=12, d in 1u8..=28, seq in 0u32..1000) {
            let id = complete(&format!("{region:06}{y:04}{m:02}{d:02}{seq:03}"));
            prop_assert_eq!(resident_id(&id), Some(id.clone()));
            prop_assert_eq!(id_birth_date(&id), Some((y, m, d)));
        }

        #[test]
        fn fifteen_upgrades(region in 110000u32..660000, yy in 0u16..100, m in 1u8..=12, d in 1u8..=28, seq in 0u32..1000) {
            let old = format!("{region:06}{yy:02}{m:02}{d:02}{seq:03}");
            let new = resident_id(&old).unwrap();
            prop_assert_eq!(new.len(), 18);
            prop_assert_eq!(&new, &complete(&format!("{region:06}19{yy:02}{m:02}{d:02}{seq:03}")));
            prop_assert_eq!(id_birth_date(&new), Some((1900 + yy, m, d)));
            prop_assert_eq!(resident_id(&new), Some(new.clone()));
        }
    }
}
