//! The data-scope predicate, in one place. Every read and every change of scoped records goes
//! through `predicate`, so no handler can forget to narrow a query.
use crate::StoreError;
use crate::db::{AnyRow, Args, Exec};
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

/// How one kind of scoped row is read: its columns, its tables and its id column.
pub(crate) struct ScopedRows {
    kind: Scoped,
    select: &'static str,
    from: &'static str,
    id_column: &'static str,
}

impl ScopedRows {
    pub(crate) const fn new(
        kind: Scoped,
        select: &'static str,
        from: &'static str,
        id_column: &'static str,
    ) -> ScopedRows {
        ScopedRows {
            kind,
            select,
            from,
            id_column,
        }
    }

    /// The row with this id if it is in `scope`, otherwise `NotFound` (so its existence is not
    /// revealed); on the pool (`&Db`) or inside a transaction (`&mut Tx`).
    pub(crate) async fn one<T: AnyRow>(
        &self,
        ex: impl Into<Exec<'_>>,
        scope: &Scope,
        id: i64,
    ) -> Result<T, StoreError> {
        let (select, from, id_column) = (self.select, self.from, self.id_column);
        let mut a = Args::new();
        let idp = a.push(id);
        let pred = predicate(scope, self.kind, &mut a);
        ex.into()
            .fetch_optional(
                &format!("SELECT {select} FROM {from} WHERE {id_column} = {idp} AND {pred}"),
                a,
            )
            .await?
            .ok_or(StoreError::NotFound)
    }
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
