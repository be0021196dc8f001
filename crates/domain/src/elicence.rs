//! Electronic licences (电子证照) for institution licences (司法鉴定许可证) and appraiser
//! certificates (司法鉴定人执业证): their GB/T 36904 identifiers and their status, which follows
//! the register (seed clause 22; 证照状态 as in the national schema, reference §3.3).
use crate::calendar::Date;
use crate::identifiers::{ElectronicLicenceId, ElectronicLicenceIdError, Uscc};
use crate::status::{AppraiserStatus, InstitutionStatus};

/// Which licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenceKind {
    /// 司法鉴定许可证.
    Institution,
    /// 司法鉴定人执业证.
    Appraiser,
}

impl LicenceKind {
    pub const ALL: [LicenceKind; 2] = [LicenceKind::Institution, LicenceKind::Appraiser];
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceKind::Institution => "institution",
            LicenceKind::Appraiser => "appraiser",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            LicenceKind::Institution => "司法鉴定许可证",
            LicenceKind::Appraiser => "司法鉴定人执业证",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            LicenceKind::Institution => "Forensic appraisal licence",
            LicenceKind::Appraiser => "Forensic appraiser's certificate",
        }
    }
    /// First character of the serial: tells the two apart inside one issuer's numbering.
    fn serial_prefix(self) -> char {
        match self {
            LicenceKind::Institution => '1',
            LicenceKind::Appraiser => '2',
        }
    }
}

/// 证照状态 (national schema codes: 01 有效, 02 暂扣, 03 撤销, 04 注销, 05 失效, 07 吊销).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenceStatus {
    Valid,
    /// 暂扣: the holder is suspended from practice (暂停执业).
    Withheld,
    /// 撤销: the registration was revoked.
    Withdrawn,
    /// 注销: the registration was cancelled.
    Cancelled,
    /// 失效: past its term, or an appraiser whose institution may no longer practise.
    Expired,
    /// 吊销: revoked as a penalty (from the penalty register, when it records one).
    RevokedAsPenalty,
}

impl LicenceStatus {
    pub const ALL: [LicenceStatus; 6] = [
        LicenceStatus::Valid,
        LicenceStatus::Withheld,
        LicenceStatus::Withdrawn,
        LicenceStatus::Cancelled,
        LicenceStatus::Expired,
        LicenceStatus::RevokedAsPenalty,
    ];
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "valid",
            LicenceStatus::Withheld => "withheld",
            LicenceStatus::Withdrawn => "withdrawn",
            LicenceStatus::Cancelled => "cancelled",
            LicenceStatus::Expired => "expired",
            LicenceStatus::RevokedAsPenalty => "revoked",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "01",
            LicenceStatus::Withheld => "02",
            LicenceStatus::Withdrawn => "03",
            LicenceStatus::Cancelled => "04",
            LicenceStatus::Expired => "05",
            LicenceStatus::RevokedAsPenalty => "07",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "有效",
            LicenceStatus::Withheld => "暂扣",
            LicenceStatus::Withdrawn => "撤销",
            LicenceStatus::Cancelled => "注销",
            LicenceStatus::Expired => "失效",
            LicenceStatus::RevokedAsPenalty => "吊销",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            LicenceStatus::Valid => "Valid",
            LicenceStatus::Withheld => "Withheld",
            LicenceStatus::Withdrawn => "Revoked",
            LicenceStatus::Cancelled => "Deregistered",
            LicenceStatus::Expired => "Lapsed",
            LicenceStatus::RevokedAsPenalty => "Revoked as a penalty",
        }
    }
}

/// An institution's licence status: the register's status, and 失效 past the licence's term.
pub fn institution_status(
    status: InstitutionStatus,
    valid_to: Option<Date>,
    today: Date,
) -> LicenceStatus {
    match status {
        InstitutionStatus::Normal if valid_to.is_some_and(|d| d < today) => LicenceStatus::Expired,
        InstitutionStatus::Normal => LicenceStatus::Valid,
        InstitutionStatus::Suspended => LicenceStatus::Withheld,
        InstitutionStatus::Cancelled => LicenceStatus::Cancelled,
        InstitutionStatus::Revoked => LicenceStatus::Withdrawn,
    }
}

/// An appraiser's certificate status: the register's status; a practising appraiser's
/// certificate lapses (失效) while the institution's licence is not valid, since an appraiser
/// practises only within an institution (《司法鉴定人登记管理办法》第三条).
pub fn appraiser_status(status: AppraiserStatus, institution: LicenceStatus) -> LicenceStatus {
    match status {
        AppraiserStatus::Active if institution == LicenceStatus::Valid => LicenceStatus::Valid,
        AppraiserStatus::Active if institution == LicenceStatus::Withheld => {
            LicenceStatus::Withheld
        }
        AppraiserStatus::Active => LicenceStatus::Expired,
        AppraiserStatus::Suspended => LicenceStatus::Withheld,
        AppraiserStatus::Cancelled => LicenceStatus::Cancelled,
        AppraiserStatus::Revoked => LicenceStatus::Withdrawn,
    }
}

/// How the platform numbers electronic licences: the two licence type codes and the issuing
/// authority (configuration `licences.*`).
#[derive(Debug, Clone)]
pub struct LicenceScheme {
    /// 证照类型代码 of the institution licence: defining authority's USCC + 3 digits.
    pub institution_type: String,
    /// 证照类型代码 of the appraiser certificate.
    pub appraiser_type: String,
    /// 颁发机构代码.
    pub issuer: Uscc,
}

/// Width of the holder number in the serial (after the kind prefix).
const SERIAL_DIGITS: usize = 9;

impl LicenceScheme {
    /// Checks the type codes by building an identifier with each.
    pub fn new(
        institution_type: &str,
        appraiser_type: &str,
        issuer: &str,
    ) -> Result<Self, ElectronicLicenceIdError> {
        let issuer = Uscc::parse(issuer).map_err(ElectronicLicenceIdError::Issuer)?;
        let s = LicenceScheme {
            institution_type: institution_type.trim().to_ascii_uppercase(),
            appraiser_type: appraiser_type.trim().to_ascii_uppercase(),
            issuer,
        };
        s.id_for(LicenceKind::Institution, 1)?;
        s.id_for(LicenceKind::Appraiser, 1)?;
        Ok(s)
    }

    fn type_code(&self, kind: LicenceKind) -> &str {
        match kind {
            LicenceKind::Institution => &self.institution_type,
            LicenceKind::Appraiser => &self.appraiser_type,
        }
    }

    /// The identifier of a holder's licence: serial = kind digit + the holder's register
    /// number in 9 digits, version 001.
    pub fn id_for(
        &self,
        kind: LicenceKind,
        holder_id: i64,
    ) -> Result<ElectronicLicenceId, ElectronicLicenceIdError> {
        if !(0..10i64.pow(SERIAL_DIGITS as u32)).contains(&holder_id) {
            return Err(ElectronicLicenceIdError::Serial);
        }
        let serial = format!(
            "{}{holder_id:0width$}",
            kind.serial_prefix(),
            width = SERIAL_DIGITS
        );
        ElectronicLicenceId::build(self.type_code(kind), &self.issuer, &serial, 1)
    }

    /// Whose licence an identifier names, if this platform issued it.
    pub fn holder_of(&self, id: &ElectronicLicenceId) -> Option<(LicenceKind, i64)> {
        if id.issuer().as_str() != self.issuer.as_str() {
            return None;
        }
        let kind = [LicenceKind::Institution, LicenceKind::Appraiser]
            .into_iter()
            .find(|k| id.type_code() == self.type_code(*k))?;
        let serial = id.serial().strip_prefix(kind.serial_prefix())?;
        if serial.len() != SERIAL_DIGITS || !serial.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((kind, serial.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme() -> LicenceScheme {
        LicenceScheme::new(
            "11100000000013338W101",
            "11100000000013338W102",
            "113300000024820075",
        )
        .unwrap()
    }

    #[test]
    fn identifiers_carry_a_valid_check_character_and_name_their_holder() {
        let s = scheme();
        let id = s.id_for(LicenceKind::Institution, 42).unwrap();
        assert_eq!(
            &id.as_str()[..55],
            "1.2.156.3005.2.11100000000013338W101.113300000024820075"
        );
        assert_eq!(id.serial(), "1000000042");
        let parsed = ElectronicLicenceId::parse(&id.as_str().to_lowercase()).unwrap();
        assert_eq!(s.holder_of(&parsed), Some((LicenceKind::Institution, 42)));
        let a = s.id_for(LicenceKind::Appraiser, 7).unwrap();
        assert_eq!(s.holder_of(&a), Some((LicenceKind::Appraiser, 7)));
        // Another issuer's or type's identifiers are not ours.
        let other = LicenceScheme::new(
            "11100000000013338W103",
            "11100000000013338W102",
            "113300000024820075",
        )
        .unwrap();
        assert_eq!(other.holder_of(&id), None);
        // A changed character fails the check character.
        let mut bad = id.as_str().to_string();
        bad.replace_range(60..61, if &bad[60..61] == "1" { "2" } else { "1" });
        assert!(ElectronicLicenceId::parse(&bad).is_err());
    }

    #[test]
    fn configuration_is_checked() {
        assert!(LicenceScheme::new("123", "11100000000013338W102", "113300000024820075").is_err());
        assert!(
            LicenceScheme::new(
                "11100000000013338W101",
                "11100000000013338W102",
                "113300000024820074"
            )
            .is_err()
        );
        assert!(
            scheme()
                .id_for(LicenceKind::Institution, 1_000_000_000)
                .is_err()
        );
    }

    #[test]
    fn status_follows_the_register() {
        let today = Date::parse("2026-11-29").unwrap();
        let past = Date::parse("2026-11-28").unwrap();
        use InstitutionStatus as I;
        use LicenceStatus as L;
        for (status, valid_to, want) in [
            (I::Normal, Some(today), L::Valid),
            (I::Normal, Some(past), L::Expired),
            (I::Suspended, None, L::Withheld),
            (I::Cancelled, None, L::Cancelled),
            (I::Revoked, None, L::Withdrawn),
        ] {
            assert_eq!(
                institution_status(status, valid_to, today),
                want,
                "{status:?} to {valid_to:?}"
            );
        }
        use AppraiserStatus as A;
        for (status, institution, want) in [
            (A::Active, L::Valid, L::Valid),
            (A::Active, L::Cancelled, L::Expired),
            (A::Active, L::Withheld, L::Withheld),
            (A::Suspended, L::Valid, L::Withheld),
            (A::Revoked, L::Valid, L::Withdrawn),
        ] {
            assert_eq!(
                appraiser_status(status, institution),
                want,
                "{status:?} at an institution {institution:?}"
            );
        }
        let labels: Vec<_> = [
            LicenceStatus::Valid,
            LicenceStatus::Withheld,
            LicenceStatus::Withdrawn,
            LicenceStatus::Cancelled,
            LicenceStatus::Expired,
            LicenceStatus::RevokedAsPenalty,
        ]
        .map(|s| s.label_zh())
        .to_vec();
        assert_eq!(labels, ["有效", "暂扣", "撤销", "注销", "失效", "吊销"]);
    }
}
