//! Who is told of a recorded event. Each kind of event that concerns someone besides the one
//! who made it names a group (what a reader switches SMS or e-mail on for) and its audiences:
//! the institution's staff, the organ that commissioned the case, or the regulators of the
//! record's region. Every audience is made only of roles whose scope reaches the record and
//! who may open its page, so a notification always links to a page its reader may open
//! (checked by the tests below against `Principal::scope` and `Role::may`).
use crate::role::{Action, Role};

/// What a reader chooses SMS or e-mail for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// A commission arrived at the institution (or its organ answered a paper one).
    Commissions,
    /// A case the organ commissioned moved on (accepted, refused, issued, closed, …).
    CaseProgress,
    /// A duplicate-appraisal alert in the regulator's region.
    Alerts,
    /// Licensing applications: submitted to the regulator, decided for the applicant.
    Licensing,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Self::Commissions,
        Self::CaseProgress,
        Self::Alerts,
        Self::Licensing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commissions => "commissions",
            Self::CaseProgress => "case_progress",
            Self::Alerts => "alerts",
            Self::Licensing => "licensing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// Whether an account of `role` can ever receive notifications of this group (the
    /// preferences page offers only these).
    pub fn reaches(self, role: Role) -> bool {
        RULES
            .iter()
            .filter(|(_, r)| r.group == self)
            .any(|(_, r)| r.audiences.iter().any(|a| a.roles(r).contains(&role)))
    }
}

/// A channel besides the application itself (which is always on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Self::Sms, Self::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Who, relative to the event's record, is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The heads and clerks of the institution the record belongs to.
    InstitutionStaff,
    /// The accounts of the organ that commissioned the case.
    CommissioningOrgan,
    /// The regulators whose region holds the record (nationwide accounts excepted: they would
    /// be told of everything).
    RegionRegulators,
}

impl Audience {
    /// The roles of this audience that may do everything `rule` needs.
    pub fn roles(self, rule: &Rule) -> Vec<Role> {
        let candidates: &[Role] = match self {
            Self::InstitutionStaff => &[Role::InstitutionHead, Role::InstitutionClerk],
            Self::CommissioningOrgan => &[Role::Organ],
            Self::RegionRegulators => &[
                Role::RegulatorMinistry,
                Role::RegulatorProvince,
                Role::RegulatorCity,
                Role::RegulatorCounty,
            ],
        };
        candidates
            .iter()
            .copied()
            .filter(|r| rule.needs.iter().all(|a| r.may(*a)))
            .collect()
    }
}

/// Who is told of one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub group: Group,
    pub audiences: &'static [Audience],
    /// What a reader must be allowed to do: open the record's page, and what the group is about.
    pub needs: &'static [Action],
}

const TO_INSTITUTION: Rule = Rule {
    group: Group::Commissions,
    audiences: &[Audience::InstitutionStaff],
    needs: &[Action::ViewCases],
};
const TO_ORGAN: Rule = Rule {
    group: Group::CaseProgress,
    audiences: &[Audience::CommissioningOrgan],
    needs: &[Action::ViewCases],
};
const ALERT: Rule = Rule {
    group: Group::Alerts,
    audiences: &[Audience::RegionRegulators],
    needs: &[Action::ViewCases, Action::ViewLinkageAlerts],
};
const TO_REGULATOR: Rule = Rule {
    group: Group::Licensing,
    audiences: &[Audience::RegionRegulators],
    needs: &[Action::ViewApplications, Action::HandleApplication],
};
const TO_APPLICANT: Rule = Rule {
    group: Group::Licensing,
    audiences: &[Audience::InstitutionStaff],
    needs: &[Action::ViewApplications],
};

/// Every kind of event someone is told of. (No event records a case falling overdue: the
/// deadline sweep keeps its warnings on the workbench instead.)
const RULES: &[(&str, Rule)] = &[
    ("case.commissioned", TO_INSTITUTION),
    ("case.client_confirmed", TO_INSTITUTION),
    ("case.client_declined", TO_INSTITUTION),
    ("case.accepted", TO_ORGAN),
    ("case.refused", TO_ORGAN),
    ("case.extended", TO_ORGAN),
    ("case.terminated", TO_ORGAN),
    ("case.issued", TO_ORGAN),
    ("case.archived", TO_ORGAN),
    ("case.corrected", TO_ORGAN),
    ("case.opinion_revoked", TO_ORGAN),
    ("case.appearance_notified", TO_ORGAN),
    ("linkage.alert_raised", ALERT),
    ("case.linkage_review_requested", ALERT),
    ("application.submitted", TO_REGULATOR),
    ("application.resubmitted", TO_REGULATOR),
    ("application.accepted", TO_APPLICANT),
    ("application.returned", TO_APPLICANT),
    ("application.extended", TO_APPLICANT),
    ("application.approved", TO_APPLICANT),
    ("application.refused", TO_APPLICANT),
];

/// Who is told of an event of `kind`, or None when nobody is.
pub fn rule(kind: &str) -> Option<Rule> {
    RULES.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r)
}

/// Every kind of event someone is told of.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Principal, RegionPath, Scope};

    fn principal(role: Role, region: Option<&str>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            region_path: region.and_then(RegionPath::parse),
            institution_id: Some(7),
            appraiser_id: None,
            organ_id: Some(9),
        }
    }

    #[test]
    fn the_court_learns_of_its_case_and_the_clerk_of_the_commission() {
        let r = rule("case.commissioned").unwrap();
        assert_eq!(r.group, Group::Commissions);
        assert_eq!(
            r.audiences[0].roles(&r),
            [Role::InstitutionHead, Role::InstitutionClerk]
        );
        for kind in [
            "case.accepted",
            "case.refused",
            "case.issued",
            "case.archived",
            "case.extended",
        ] {
            let r = rule(kind).unwrap();
            assert_eq!(r.audiences, [Audience::CommissioningOrgan], "{kind}");
            assert_eq!(r.audiences[0].roles(&r), [Role::Organ], "{kind}");
        }
        assert_eq!(
            rule("application.approved").unwrap().audiences,
            [Audience::InstitutionStaff]
        );
        assert!(rule("case.started").is_none() && rule("user.created").is_none());
    }

    #[test]
    fn alerts_and_applications_go_to_regulators_only() {
        let a = rule("linkage.alert_raised").unwrap();
        let roles = a.audiences[0].roles(&a);
        assert!(roles.iter().all(|r| r.is_regulator()), "{roles:?}");
        assert!(roles.contains(&Role::RegulatorCity));
        let s = rule("application.submitted").unwrap();
        assert_eq!(s.group, Group::Licensing);
        assert!(s.audiences[0].roles(&s).contains(&Role::RegulatorProvince));
        // An appraiser and an association are never told: they could not open the record.
        for (_, r) in RULES {
            for aud in r.audiences {
                let roles = aud.roles(r);
                assert!(!roles.contains(&Role::Appraiser) && !roles.contains(&Role::Association));
            }
        }
    }

    /// Every audience's every role may open the record and reaches it through its scope, the
    /// same rules the pages apply (`Role::may`, `Principal::scope`).
    #[test]
    fn every_recipient_can_open_the_record() {
        let region = RegionPath::parse("/330000/330100/330106/").unwrap();
        for (kind, r) in RULES {
            assert!(!r.audiences.is_empty(), "{kind}");
            for aud in r.audiences {
                let roles = aud.roles(r);
                assert!(!roles.is_empty(), "{kind}: {aud:?}");
                for role in roles {
                    let opens = if kind.starts_with("application.") {
                        Action::ViewApplications
                    } else {
                        Action::ViewCases
                    };
                    assert!(role.may(opens), "{kind}: {role:?}");
                    let p = principal(role, Some("/330000/"));
                    let reaches = match aud {
                        Audience::InstitutionStaff => p.scope() == Scope::Institution(7),
                        Audience::CommissioningOrgan => p.scope() == Scope::Organ(9),
                        Audience::RegionRegulators => p.scope().reaches_region(&region),
                    };
                    assert!(reaches, "{kind}: {role:?}");
                }
            }
        }
    }

    #[test]
    fn groups_and_channels_round_trip() {
        for g in Group::ALL {
            assert_eq!(Group::parse(g.as_str()), Some(g));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert!(Group::Commissions.reaches(Role::InstitutionClerk));
        assert!(!Group::Commissions.reaches(Role::Organ));
        assert!(Group::CaseProgress.reaches(Role::Organ));
        assert!(Group::Alerts.reaches(Role::RegulatorCounty));
        assert!(!Group::Alerts.reaches(Role::Admin));
        assert!(kinds().all(|k| rule(k).is_some()));
    }
}
