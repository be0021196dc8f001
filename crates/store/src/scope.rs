//! The data-scope predicate, in one place. Every read and every change of scoped records goes
//! through `predicate`, so no handler can forget to narrow a query.
use crate::db::Args;
use sijian_domain::Scope;

/// Kinds of scoped record, with the table alias the predicate refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoped {
    /// `i`: institutions.
    Institution,
    /// `a` joined with its institution `i`.
    Appraiser,
    /// `o`: commissioning organs.
    Organ,
    /// `u`: accounts, by `home_path`.
    User,
    /// `l`: operation and login logs, by `home_path`.
    Log,
    /// `e`: events, by `scope_path` and `institution_id`.
    Event,
    /// `p`: licence applications, by `region_path`, `institution_id` and `appraiser_id`.
    Application,
    /// `k`: appraisal cases, by `region_path`, `institution_id`, `organ_id`, and for an
    /// appraiser the cases they are or were assigned to or review.
    Case,
}

/// SQL condition (using `args` for values) that holds exactly for records in `scope`.
pub fn predicate(scope: &Scope, kind: Scoped, args: &mut Args) -> String {
    let path_col = match kind {
        Scoped::Institution | Scoped::Appraiser => "i.region_path",
        Scoped::Organ => "o.region_path",
        Scoped::User => "u.home_path",
        Scoped::Log => "l.home_path",
        Scoped::Event => "e.scope_path",
        Scoped::Application => "p.region_path",
        Scoped::Case => "k.region_path",
    };
    match scope {
        Scope::All => "1=1".into(),
        Scope::Region(path) => {
            let (lo, hi) = path.range();
            let lo = args.push(lo);
            let hi = args.push(hi);
            format!("({path_col} >= {lo} AND {path_col} < {hi})")
        }
        Scope::Institution(id) => match kind {
            Scoped::Institution => format!("i.id = {}", args.push(*id)),
            Scoped::Appraiser => format!("a.institution_id = {}", args.push(*id)),
            Scoped::Event => format!("e.institution_id = {}", args.push(*id)),
            Scoped::Application => format!("p.institution_id = {}", args.push(*id)),
            Scoped::Case => format!("k.institution_id = {}", args.push(*id)),
            _ => "1=0".into(),
        },
        Scope::Appraiser {
            appraiser_id,
            institution_id,
        } => match kind {
            Scoped::Institution => format!("i.id = {}", args.push(*institution_id)),
            Scoped::Appraiser => format!("a.id = {}", args.push(*appraiser_id)),
            Scoped::Application => format!("p.appraiser_id = {}", args.push(*appraiser_id)),
            Scoped::Case => {
                let p = args.push(*appraiser_id);
                format!(
                    "(k.id IN (SELECT ca.case_id FROM case_assignments ca WHERE ca.appraiser_id = {p}) \
                     OR k.id IN (SELECT cr.case_id FROM case_reviewers cr WHERE cr.reviewer_id = {p}))"
                )
            }
            _ => "1=0".into(),
        },
        Scope::Organ(id) => match kind {
            Scoped::Organ => format!("o.id = {}", args.push(*id)),
            Scoped::Case => format!("k.organ_id = {}", args.push(*id)),
            _ => "1=0".into(),
        },
        Scope::Nothing => "1=0".into(),
    }
}
