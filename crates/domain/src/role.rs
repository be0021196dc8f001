//! Roles and what each may do. Data *scope* (which rows) is in `scope.rs`; this file decides
//! only which kinds of action a role may take at all.
use serde::{Deserialize, Serialize};

/// Every role of the platform. `Public` is the anonymous visitor and is never stored on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Public,
    Organ,
    InstitutionHead,
    InstitutionClerk,
    Appraiser,
    RegulatorMinistry,
    RegulatorProvince,
    RegulatorCity,
    RegulatorCounty,
    Association,
    Inspector,
    Admin,
}

/// Kinds of commissioning organ (办案机关 and other clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganKind {
    Court,
    Procuratorate,
    Police,
    Other,
}

impl OrganKind {
    pub const ALL: [OrganKind; 4] = [Self::Court, Self::Procuratorate, Self::Police, Self::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Court => "court",
            Self::Procuratorate => "procuratorate",
            Self::Police => "police",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Court => "人民法院",
            Self::Procuratorate => "人民检察院",
            Self::Police => "公安机关",
            Self::Other => "其他委托方",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Court => "Court",
            Self::Procuratorate => "Procuratorate",
            Self::Police => "Police",
            Self::Other => "Other client",
        }
    }
}

/// What a request wants to do. Each handler names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ViewInstitutions,
    CreateInstitution,
    EditInstitution,
    /// Changing name, credit code, licence, region or status: a licensing act (the licensing
    /// authority only: provincial regulators and the ministry).
    EditInstitutionRegistration,
    ViewAppraisers,
    CreateAppraiser,
    EditAppraiser,
    /// Changing an appraiser's registration fields (name, ID number, certificate, items,
    /// institution, status): a licensing act (the licensing authority only).
    EditAppraiserRegistration,
    ViewOrgans,
    EditOrgans,
    ViewUsers,
    ManageUsers,
    ViewOperationLog,
    ViewLoginLog,
    ViewEvents,
    UseApiTokens,
    /// Exporting the register as CSV (regulators).
    ExportRegister,
    /// Reading the working-day calendar and computing deadlines.
    ViewCalendar,
    /// Loading or correcting a year of the working-day calendar.
    ManageCalendar,
    /// See licence applications (regulators in region; institutions their own).
    ViewApplications,
    /// File an application (institutions for themselves; regulators at the window).
    SubmitApplication,
    /// Material check, expert reviews, extension (审查).
    HandleApplication,
    /// Approve or refuse (省级司法行政机关 registers institutions and appraisers).
    DecideApplication,
    /// Keep the expert list for licence reviews.
    ManageExperts,
    /// Add training, insurance and oath entries and assistants.
    AddAppraiserRecords,
    /// See appraisal cases in scope (regulators in region, institutions their own, appraisers
    /// theirs, commissioning organs their commissions).
    ViewCases,
    /// Commission an appraisal: online by an organ, or a paper commission entered by the
    /// institution (通则第十一条: the institution accepts commissions as a whole).
    CommissionCase,
    /// Carry a case through the procedure (accept, assign, stop the clock, review, seal, issue…).
    HandleCase,
    /// Approve an extension of the time limit (通则第二十八条: the head of the institution).
    ApproveExtension,
    /// Sign the opinion or record a review (the appraiser, or staff recording a paper signature).
    SignOpinion,
    /// Revoke an issued opinion (regulators in scope, e.g. after a penalty decision).
    RevokeOpinion,
    /// Print an opinion's cover label and see its verification counts (the issuing institution,
    /// regulators in scope, administrators).
    ViewOpinionRecord,
    /// See the record-linkage alert queue (多头、重复鉴定): regulators in scope and
    /// administrators; institutions see their own cases' alerts on the case.
    ViewLinkageAlerts,
    /// Confirm or dismiss an alert, or allow acceptance despite one (通则第十五条第六项):
    /// regulators.
    DecideLinkageAlert,
}

impl Role {
    /// Roles an account can hold (everything but the anonymous public).
    pub const ACCOUNT_ROLES: [Role; 11] = [
        Self::Organ,
        Self::InstitutionHead,
        Self::InstitutionClerk,
        Self::Appraiser,
        Self::RegulatorMinistry,
        Self::RegulatorProvince,
        Self::RegulatorCity,
        Self::RegulatorCounty,
        Self::Association,
        Self::Inspector,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Organ => "organ",
            Self::InstitutionHead => "institution_head",
            Self::InstitutionClerk => "institution_clerk",
            Self::Appraiser => "appraiser",
            Self::RegulatorMinistry => "regulator_ministry",
            Self::RegulatorProvince => "regulator_province",
            Self::RegulatorCity => "regulator_city",
            Self::RegulatorCounty => "regulator_county",
            Self::Association => "association",
            Self::Inspector => "inspector",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ACCOUNT_ROLES
            .into_iter()
            .chain([Self::Public])
            .find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Public => "公众",
            Self::Organ => "办案机关",
            Self::InstitutionHead => "鉴定机构负责人",
            Self::InstitutionClerk => "鉴定机构工作人员",
            Self::Appraiser => "司法鉴定人",
            Self::RegulatorMinistry => "司法部",
            Self::RegulatorProvince => "省级司法行政机关",
            Self::RegulatorCity => "市级司法行政机关",
            Self::RegulatorCounty => "县级司法行政机关",
            Self::Association => "司法鉴定协会",
            Self::Inspector => "检查人员",
            Self::Admin => "系统管理员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Organ => "Commissioning organ",
            Self::InstitutionHead => "Institution head",
            Self::InstitutionClerk => "Institution clerk",
            Self::Appraiser => "Appraiser",
            Self::RegulatorMinistry => "Ministry regulator",
            Self::RegulatorProvince => "Provincial regulator",
            Self::RegulatorCity => "City regulator",
            Self::RegulatorCounty => "County regulator",
            Self::Association => "Association",
            Self::Inspector => "Inspector",
            Self::Admin => "System administrator",
        }
    }

    pub fn is_regulator(self) -> bool {
        matches!(
            self,
            Self::RegulatorMinistry
                | Self::RegulatorProvince
                | Self::RegulatorCity
                | Self::RegulatorCounty
        )
    }

    /// Roles whose scope is a region (regulators, association, inspectors).
    pub fn is_regional(self) -> bool {
        self.is_regulator() || matches!(self, Self::Association | Self::Inspector)
    }

    /// The licensing authority (登记管理机关): provincial regulators and the ministry register
    /// institutions and appraisers (决定第六条; the rule in `register.rs`).
    pub fn is_licensing_authority(self) -> bool {
        matches!(self, Self::RegulatorProvince | Self::RegulatorMinistry)
    }

    pub fn is_institution_staff(self) -> bool {
        matches!(self, Self::InstitutionHead | Self::InstitutionClerk)
    }

    /// Which region depth a regional account must be attached to: the ministry is nationwide
    /// (no region); a provincial body to a province, and so on. Associations and inspectors may
    /// sit at any level.
    pub fn required_region_depth(self) -> Option<usize> {
        match self {
            Self::RegulatorMinistry => Some(0),
            Self::RegulatorProvince => Some(1),
            Self::RegulatorCity => Some(2),
            Self::RegulatorCounty => Some(3),
            _ => None,
        }
    }

    /// The permission table. Scope still narrows every allowed action to the rows in reach.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        let regulator = self.is_regulator();
        match action {
            ViewInstitutions | ViewAppraisers => !matches!(self, Self::Public | Self::Organ),
            // Registering and changing registration fields directly: the licensing authority
            // only (决定第六条; `register.rs`). Others change contact fields (EditInstitution,
            // EditAppraiser) and register through a licensing application.
            CreateInstitution
            | EditInstitutionRegistration
            | CreateAppraiser
            | EditAppraiserRegistration => self.is_licensing_authority(),
            EditInstitution => regulator || self == Self::Admin || self == Self::InstitutionHead,
            EditAppraiser => regulator || self == Self::Admin || self.is_institution_staff(),
            ViewOrgans => regulator || matches!(self, Self::Admin | Self::Organ),
            EditOrgans => regulator || self == Self::Admin,
            ViewUsers | ViewOperationLog | ViewLoginLog | ViewEvents => {
                regulator || self == Self::Admin
            }
            ManageUsers | ManageCalendar => self == Self::Admin,
            ExportRegister => regulator || self == Self::Admin,
            UseApiTokens | ViewCalendar => self != Self::Public,
            ViewApplications => {
                regulator
                    || self.is_institution_staff()
                    || matches!(self, Self::Admin | Self::Appraiser)
            }
            SubmitApplication => regulator || self == Self::InstitutionHead,
            HandleApplication | ManageExperts => regulator,
            DecideApplication => matches!(self, Self::RegulatorProvince | Self::RegulatorMinistry),
            AddAppraiserRecords => regulator || self.is_institution_staff(),
            ViewCases => {
                regulator
                    || self.is_institution_staff()
                    || matches!(self, Self::Admin | Self::Appraiser | Self::Organ)
            }
            CommissionCase => self == Self::Organ || self.is_institution_staff(),
            HandleCase => self.is_institution_staff(),
            ApproveExtension => self == Self::InstitutionHead,
            SignOpinion => self == Self::Appraiser || self.is_institution_staff(),
            RevokeOpinion => regulator,
            ViewOpinionRecord => regulator || self.is_institution_staff() || self == Self::Admin,
            ViewLinkageAlerts => regulator || self == Self::Admin,
            DecideLinkageAlert => regulator,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ACCOUNT_ROLES.into_iter().chain([Role::Public]) {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn public_may_do_nothing_but_read_public_pages() {
        use Action::*;
        for a in [
            ViewInstitutions,
            CreateInstitution,
            EditInstitution,
            ViewAppraisers,
            ViewUsers,
            ManageUsers,
            ViewOperationLog,
            UseApiTokens,
        ] {
            assert!(!Role::Public.may(a), "{a:?}");
        }
    }

    #[test]
    fn only_admin_manages_users_and_only_regulators_license() {
        for r in Role::ACCOUNT_ROLES {
            assert_eq!(r.may(Action::ManageUsers), r == Role::Admin);
            assert_eq!(
                r.may(Action::EditInstitutionRegistration),
                matches!(r, Role::RegulatorProvince | Role::RegulatorMinistry)
            );
        }
        assert!(!Role::InstitutionClerk.may(Action::EditInstitution));
        assert!(Role::InstitutionHead.may(Action::EditInstitution));
        assert!(!Role::Association.may(Action::EditAppraiser));
    }
}
