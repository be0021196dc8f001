//! Data scope: which rows a principal can reach. The store turns a `Scope` into one SQL
//! predicate per kind of record (store `scope.rs`); this module decides the scope itself.
use crate::region::RegionPath;
use crate::role::Role;

/// Who is acting: an account's role and the organisation it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// Region of a regional account (regulator, association, inspector).
    pub region_path: Option<RegionPath>,
    pub institution_id: Option<i64>,
    pub appraiser_id: Option<i64>,
    pub organ_id: Option<i64>,
}

/// The reach of a principal over the data tree (regions → institutions → appraisers, and
/// commissioning organs beside them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// System administrator and the ministry: everything.
    All,
    /// A region and everything below it.
    Region(RegionPath),
    /// One institution and its own staff and appraisers.
    Institution(i64),
    /// One appraiser: their own record (and, later, their own cases), and their institution's
    /// public entry.
    Appraiser {
        appraiser_id: i64,
        institution_id: i64,
    },
    /// One commissioning organ: itself (and, later, its own commissions).
    Organ(i64),
    /// Nothing that is not public.
    Nothing,
}

impl Principal {
    /// The scope follows from role and attachment; a missing attachment yields `Nothing`
    /// rather than a wider scope, so a misconfigured account can never see more than it should.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin => Scope::All,
            r if r.is_regional() => match &self.region_path {
                Some(p) if p.as_str() == "/" => Scope::All,
                Some(p) => Scope::Region(p.clone()),
                None if r == Role::RegulatorMinistry => Scope::All,
                None => Scope::Nothing,
            },
            Role::InstitutionHead | Role::InstitutionClerk => self
                .institution_id
                .map_or(Scope::Nothing, Scope::Institution),
            Role::Appraiser => match (self.appraiser_id, self.institution_id) {
                (Some(a), Some(i)) => Scope::Appraiser {
                    appraiser_id: a,
                    institution_id: i,
                },
                _ => Scope::Nothing,
            },
            Role::Organ => self.organ_id.map_or(Scope::Nothing, Scope::Organ),
            _ => Scope::Nothing,
        }
    }

    /// A key naming the organisation the account acts for; API tokens are bound to it.
    pub fn org_key(&self) -> String {
        match self.scope() {
            Scope::All => "all".into(),
            Scope::Region(p) => format!("region:{p}"),
            Scope::Institution(i) => format!("institution:{i}"),
            Scope::Appraiser { appraiser_id, .. } => format!("appraiser:{appraiser_id}"),
            Scope::Organ(o) => format!("organ:{o}"),
            Scope::Nothing => "none".into(),
        }
    }
}

impl Scope {
    /// Whether a record located at `region` and (optionally) belonging to `institution`
    /// is in reach. The store applies the same rule in SQL; this is used for single records
    /// already in memory and in tests that compare both.
    pub fn reaches_institution(&self, region: &RegionPath, institution_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(p) => p.contains(region),
            Scope::Institution(i) => *i == institution_id,
            Scope::Appraiser {
                institution_id: i, ..
            } => *i == institution_id,
            Scope::Organ(_) | Scope::Nothing => false,
        }
    }

    pub fn reaches_appraiser(
        &self,
        region: &RegionPath,
        institution_id: i64,
        appraiser_id: i64,
    ) -> bool {
        match self {
            Scope::Appraiser {
                appraiser_id: a, ..
            } => *a == appraiser_id,
            other => other.reaches_institution(region, institution_id),
        }
    }

    /// Region-level records (organs, accounts, logs) located at `region`.
    pub fn reaches_region(&self, region: &RegionPath) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(p) => p.contains(region),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            region_path: None,
            institution_id: None,
            appraiser_id: None,
            organ_id: None,
        }
    }

    #[test]
    fn misattached_accounts_see_nothing() {
        for r in [
            Role::RegulatorCity,
            Role::InstitutionHead,
            Role::Appraiser,
            Role::Organ,
            Role::Association,
        ] {
            assert_eq!(principal(r).scope(), Scope::Nothing, "{r:?}");
        }
        assert_eq!(principal(Role::Admin).scope(), Scope::All);
        assert_eq!(principal(Role::RegulatorMinistry).scope(), Scope::All);
    }

    #[test]
    fn regulator_reaches_below_not_beside() {
        let mut p = principal(Role::RegulatorCity);
        p.region_path = RegionPath::parse("/330000/330100/");
        let s = p.scope();
        assert!(s.reaches_institution(&RegionPath::parse("/330000/330100/330106/").unwrap(), 1));
        assert!(!s.reaches_institution(&RegionPath::parse("/330000/330200/330203/").unwrap(), 1));
        assert!(!s.reaches_region(&RegionPath::parse("/330000/").unwrap()));
    }

    #[test]
    fn appraiser_sees_own_record_only() {
        let mut p = principal(Role::Appraiser);
        p.appraiser_id = Some(7);
        p.institution_id = Some(3);
        let s = p.scope();
        let r = RegionPath::parse("/330000/").unwrap();
        assert!(s.reaches_appraiser(&r, 3, 7));
        assert!(!s.reaches_appraiser(&r, 3, 8));
        assert!(s.reaches_institution(&r, 3));
        assert!(!s.reaches_institution(&r, 4));
    }
}
