//! Who may change the register directly (not through a licensing application), and what.
//!
//! Registration is the licensing authority's act: the provincial judicial administration registers
//! institutions and appraisers, enters them in the roll and publishes it (《全国人民代表大会常务委员会
//! 关于司法鉴定管理问题的决定》第六条; 《司法鉴定机构登记管理办法》第六条; 《司法鉴定人登记管理办法》
//! 第六条), the Ministry of Justice above it (both 办法 第五条). A new institution or appraiser and
//! every change of a registration field (what the licence records) therefore comes either from an
//! approved licensing application (`licensing::decide`) or directly from that authority, which
//! names the basis of the change; the basis is stored with the change's event. Institution staff
//! and city or county regulators may change contact fields only.
use crate::role::{Action, Role};

/// Which register a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Institution,
    Appraiser,
}

/// The refusal for a role that is not the licensing authority (shown to people; the message
/// catalogue translates it).
pub const NOT_AUTHORITY: &str = "鉴定机构和鉴定人的登记及其登记事项的变更，只能经许可申请审核批准，或由登记管理机关（省级司法行政机关、司法部）直接办理（《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》第六条，《司法鉴定机构登记管理办法》《司法鉴定人登记管理办法》第五条、第六条）";

/// The refusal of a direct registration or change of registration without a basis.
pub const BASIS_MISSING: &str =
    "登记管理机关直接登记或变更登记事项须写明依据（法律依据或决定文书），依据记入变更记录";

/// The refusal of one registration field a role may not change.
pub const FIELD_NOT_AUTHORITY: &str = "登记事项，只能经许可申请审核批准或由登记管理机关变更";

/// The field of an input that carries the basis.
pub const BASIS_FIELD: &str = "status_reason";

/// An appraiser's registration fields: what the practice licence (执业证) records: name, ID number,
/// certificate number, practice items (and the categories derived from them), institution, status.
pub const APPRAISER_REGISTRATION_FIELDS: [&str; 7] = [
    "name",
    "id_number",
    "certificate_no",
    "scope",
    "categories",
    "institution_id",
    "status",
];

/// An institution's fields that are not registration (contact details, insurance and
/// party-organisation facts); every other field (name, codes, licence, region, scope, qualification,
/// status…) is what the licence records, hence registration.
pub const INSTITUTION_CONTACT_FIELDS: [&str; 9] = [
    "legal_rep",
    "head_name",
    "address",
    "phone",
    "insurer",
    "insurance_policy",
    "insurance_expires",
    "party_org",
    "party_members",
];

/// Why a direct change to the register is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role is not the licensing authority; the registration fields it tried to change
    /// (empty for a new record).
    NotAuthority { fields: Vec<String> },
    /// The licensing authority gave no basis.
    BasisMissing,
}

impl Refusal {
    /// The message, with the rule it applies.
    pub fn message(&self) -> &'static str {
        match self {
            Self::NotAuthority { .. } => NOT_AUTHORITY,
            Self::BasisMissing => BASIS_MISSING,
        }
    }
}

/// Whether `role` is the licensing authority (登记管理机关): a provincial regulator or the ministry.
pub fn is_licensing_authority(role: Role) -> bool {
    role.is_licensing_authority()
}

/// Whether `field` of a record is a registration field.
pub fn is_registration_field(register: Register, field: &str) -> bool {
    match register {
        Register::Appraiser => APPRAISER_REGISTRATION_FIELDS.contains(&field),
        Register::Institution => !INSTITUTION_CONTACT_FIELDS.contains(&field),
    }
}

/// The rule behind a register action a role may not take, for its refusal.
pub fn refusal_of(action: Action) -> Option<&'static str> {
    matches!(
        action,
        Action::CreateInstitution
            | Action::CreateAppraiser
            | Action::EditInstitutionRegistration
            | Action::EditAppraiserRegistration
    )
    .then_some(NOT_AUTHORITY)
}

/// May `role` register a new record directly, giving `basis`?
pub fn may_create(role: Role, basis: &str) -> Result<(), Refusal> {
    if !is_licensing_authority(role) {
        return Err(Refusal::NotAuthority { fields: Vec::new() });
    }
    if basis.trim().is_empty() {
        return Err(Refusal::BasisMissing);
    }
    Ok(())
}

/// May `role` change the fields `changed` of a record directly, giving `basis`? Contact fields
/// need neither the authority nor a basis (the role's permission to edit the record at all is
/// `Role::may`); any registration field needs both.
pub fn may_change(
    role: Role,
    register: Register,
    changed: &[&str],
    basis: &str,
) -> Result<(), Refusal> {
    let registration: Vec<String> = changed
        .iter()
        .filter(|f| is_registration_field(register, f))
        .map(|f| f.to_string())
        .collect();
    if registration.is_empty() {
        return Ok(());
    }
    if !is_licensing_authority(role) {
        return Err(Refusal::NotAuthority {
            fields: registration,
        });
    }
    if basis.trim().is_empty() {
        return Err(Refusal::BasisMissing);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_licensing_authority_registers_directly() {
        for r in Role::ACCOUNT_ROLES.into_iter().chain([Role::Public]) {
            let authority = matches!(r, Role::RegulatorProvince | Role::RegulatorMinistry);
            assert_eq!(is_licensing_authority(r), authority, "{r:?}");
            assert_eq!(may_create(r, "依据").is_ok(), authority, "{r:?}");
            for a in [
                Action::CreateInstitution,
                Action::CreateAppraiser,
                Action::EditInstitutionRegistration,
                Action::EditAppraiserRegistration,
            ] {
                assert_eq!(r.may(a), authority, "{r:?} {a:?}");
            }
        }
        assert_eq!(
            may_create(Role::InstitutionHead, "依据"),
            Err(Refusal::NotAuthority { fields: vec![] })
        );
        assert_eq!(
            may_create(Role::RegulatorProvince, "  "),
            Err(Refusal::BasisMissing)
        );
        assert!(NOT_AUTHORITY.contains("第六条"));
    }

    #[test]
    fn registration_fields_need_the_authority_and_a_basis() {
        for role in [
            Role::InstitutionHead,
            Role::InstitutionClerk,
            Role::RegulatorCity,
            Role::RegulatorCounty,
            Role::Admin,
        ] {
            for f in ["status", "certificate_no", "scope", "name", "id_number"] {
                assert_eq!(
                    may_change(role, Register::Appraiser, &["phone", f], "依据"),
                    Err(Refusal::NotAuthority {
                        fields: vec![f.to_string()]
                    }),
                    "{role:?} {f}"
                );
            }
            for f in ["name", "licence_no", "region_code", "scope", "status"] {
                assert!(
                    may_change(role, Register::Institution, &[f], "依据").is_err(),
                    "{role:?} {f}"
                );
            }
            assert_eq!(
                may_change(role, Register::Appraiser, &["phone", "title"], ""),
                Ok(())
            );
            assert_eq!(
                may_change(role, Register::Institution, &["phone", "address"], ""),
                Ok(())
            );
        }
        for role in [Role::RegulatorProvince, Role::RegulatorMinistry] {
            assert_eq!(
                may_change(role, Register::Appraiser, &["status"], ""),
                Err(Refusal::BasisMissing)
            );
            assert_eq!(
                may_change(role, Register::Institution, &["licence_no"], "省厅决定"),
                Ok(())
            );
            assert_eq!(
                may_change(role, Register::Institution, &["phone"], ""),
                Ok(())
            );
        }
    }
}
