//! Record linkage storage (多头、重复鉴定核查): the examined persons the online index is built
//! from, the case facts the checks need, and the alert queue regulators decide — every raise and
//! decision an event in the same transaction.
use crate::column::split_codes;
use crate::db::Args;
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Actor, Db, NewEvent, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;

/// One examined person as sealed in the database, for the index.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub case_id: i64,
    pub name_sealed: String,
    pub id_sealed: Option<String>,
}

/// Examined persons with `id > after`, ascending, at most `limit`.
pub async fn persons_after(db: &Db, after: i64, limit: i64) -> Result<Vec<PersonRow>, StoreError> {
    db.fetch_all(
        "SELECT id, case_id, name_sealed, id_sealed FROM case_persons WHERE id > $1 ORDER BY id LIMIT $2",
        args![after, limit],
    )
    .await
}

/// The persons of one case.
pub async fn persons_of(db: &Db, case_id: i64) -> Result<Vec<PersonRow>, StoreError> {
    db.fetch_all(
        "SELECT id, case_id, name_sealed, id_sealed FROM case_persons WHERE case_id = $1 ORDER BY id",
        args![case_id],
    )
    .await
}

/// What the checks need of a case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFacts {
    pub id: i64,
    pub institution_id: i64,
    pub institution_name: String,
    pub region_path: String,
    pub stage: String,
    pub items: String,
    pub category: String,
    pub received_on: String,
    pub lineage: String,
    pub parent_id: Option<i64>,
    pub case_number_key: Option<String>,
}

impl CaseFacts {
    pub fn item_codes(&self) -> Vec<String> {
        split_codes(&self.items)
    }
}

const FACTS: &str = "SELECT k.id, k.institution_id, i.name AS institution_name, k.region_path, k.stage, k.items, k.category, \
     k.received_on, k.lineage, k.parent_id, k.case_number_key FROM cases k JOIN institutions i ON i.id = k.institution_id";

/// Facts of the given cases (any order; unknown ids are left out).
pub async fn facts(db: &Db, ids: &[i64]) -> Result<Vec<CaseFacts>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let list: Vec<String> = ids.iter().map(|&id| a.push(id)).collect();
    db.fetch_all(&format!("{FACTS} WHERE k.id IN ({})", list.join(", ")), a)
        .await
}

/// Other cases with the same case-number key, and the re-appraisals of the given cases (so a
/// repeated finding can count them).
pub async fn related(
    db: &Db,
    case_number_key: Option<&str>,
    parents: &[i64],
) -> Result<Vec<CaseFacts>, StoreError> {
    let mut a = Args::new();
    let mut conds = Vec::new();
    if let Some(k) = case_number_key {
        conds.push(format!("k.case_number_key = {}", a.push(k)));
    }
    if !parents.is_empty() {
        let list: Vec<String> = parents.iter().map(|&id| a.push(id)).collect();
        conds.push(format!(
            "(k.lineage = 'reappraisal' AND k.parent_id IN ({}))",
            list.join(", ")
        ));
    }
    if conds.is_empty() {
        return Ok(Vec::new());
    }
    db.fetch_all(
        &format!("{FACTS} WHERE {} LIMIT 200", conds.join(" OR ")),
        a,
    )
    .await
}

/// A finding to record.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub other_case_id: i64,
    pub kind: &'static str,
    pub level: &'static str,
    pub probability: f64,
    /// JSON array of reviewer-facing reasons.
    pub reasons: Vec<String>,
}

api_row! { linkage_alert_row:
    /// One alert with what the queue shows.
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Alert {
        pub id: i64,
        pub case_id: i64,
        pub other_case_id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        /// The checked case's region, which decides who may see and decide the alert.
        pub region_path: String,
        pub client_name: String,
        pub other_institution_name: Option<String>,
        pub kind: String,
        pub level: String,
        pub probability_ppm: i64,
        /// JSON array of reasons.
        pub explanation: String,
        pub status: String,
        pub raised_at: i64,
        pub decided_by: Option<i64>,
        pub decided_by_name: Option<String>,
        pub decided_at: Option<i64>,
        pub reason: String,
    }
}

impl Alert {
    pub fn reasons(&self) -> Vec<String> {
        serde_json::from_str(&self.explanation).unwrap_or_default()
    }
    pub fn probability(&self) -> f64 {
        self.probability_ppm as f64 / 1e6
    }
}

const ALERT_SELECT: &str = "al.id, al.case_id, al.other_case_id, al.institution_id, i.name AS institution_name, al.region_path, k.client_name, \
     oi.name AS other_institution_name, al.kind, al.level, al.probability_ppm, al.explanation, al.status, al.raised_at, \
     al.decided_by, u.display_name AS decided_by_name, al.decided_at, al.reason";
const ALERT_FROM: &str = "linkage_alerts al JOIN cases k ON k.id = al.case_id JOIN institutions i ON i.id = al.institution_id \
     LEFT JOIN cases ok ON ok.id = al.other_case_id LEFT JOIN institutions oi ON oi.id = ok.institution_id \
     LEFT JOIN users u ON u.id = al.decided_by";
const ALERT_SORTS: &[(&str, &str)] = &[
    ("raised", "al.raised_at"),
    ("kind", "al.kind"),
    ("level", "al.level"),
    ("status", "al.status"),
    ("institution", "i.name"),
];

fn alert_event<'a>(
    kind: &'a str,
    case_id: i64,
    region_path: &str,
    institution_id: i64,
    payload: serde_json::Value,
) -> NewEvent<'a> {
    NewEvent {
        kind,
        entity_type: "case",
        entity_id: case_id.to_string(),
        scope_path: region_path.to_owned(),
        institution_id: Some(institution_id),
        payload,
    }
}

/// Records the findings of a check that are new (an alert per case, other case and kind);
/// each new one is an event `linkage.alert_raised`. Returns how many were new.
pub async fn raise(
    db: &Db,
    actor: &Actor,
    case: &CaseFacts,
    alerts: &[NewAlert],
) -> Result<usize, StoreError> {
    if alerts.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let now = now_ms();
    let mut events = Vec::new();
    for al in alerts {
        let ppm = (al.probability.clamp(0.0, 1.0) * 1e6).round() as i64;
        let explanation = serde_json::to_string(&al.reasons).unwrap_or_else(|_| "[]".into());
        let inserted = tx
            .execute(
                "INSERT INTO linkage_alerts (case_id, other_case_id, institution_id, region_path, kind, level, probability_ppm, explanation, raised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (case_id, other_case_id, kind) DO NOTHING",
                args![case.id, al.other_case_id, case.institution_id, case.region_path.as_str(), al.kind, al.level, ppm, explanation, now],
            )
            .await?;
        if inserted == 1 {
            events.push(alert_event(
                "linkage.alert_raised",
                case.id,
                &case.region_path,
                case.institution_id,
                serde_json::json!({
                    "kind": al.kind,
                    "level": al.level,
                    "other_case_id": al.other_case_id,
                    "probability_ppm": ppm,
                    "reasons": al.reasons,
                }),
            ));
        }
    }
    let n = events.len();
    if n > 0 {
        crate::events::append_many(&mut tx, actor, events).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Filters of the queue.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub case_id: Option<i64>,
}

/// Alerts in scope (by the checked case's region and institution), newest first by default.
pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &AlertFilter,
    q: &ListQuery,
) -> Result<Page<Alert>, StoreError> {
    let mut l = Listing::new(ALERT_SELECT, ALERT_FROM);
    let p = predicate(scope, Scoped::Case, &mut l.args);
    l.push(p);
    l.eq("al.status", f.status.clone());
    l.eq("al.kind", f.kind.clone());
    if let Some(c) = f.case_id {
        let ph = l.args.push(c);
        l.push(format!("al.case_id = {ph}"));
    }
    l.search(q.search(), &["k.client_name", "i.name", "oi.name"]);
    let q = q.newest_first(Some("raised"));
    l.run(db, &q, ALERT_SORTS, "al.id").await
}

/// All alerts of one case, newest first as in the queue (no scope: the caller has checked the
/// case's).
pub async fn of_case(db: &Db, case_id: i64) -> Result<Vec<Alert>, StoreError> {
    db.fetch_all(
        &format!("SELECT {ALERT_SELECT} FROM {ALERT_FROM} WHERE al.case_id = $1 ORDER BY al.raised_at DESC, al.id DESC"),
        args![case_id],
    )
    .await
}

/// The alerts raised on other cases that name `case_id` as the other case: the matter this case
/// holds turned up elsewhere after it (no scope: the caller has checked the case's).
pub async fn naming_case(db: &Db, case_id: i64) -> Result<Vec<Alert>, StoreError> {
    db.fetch_all(
        &format!("SELECT {ALERT_SELECT} FROM {ALERT_FROM} WHERE al.other_case_id = $1 ORDER BY al.raised_at DESC, al.id DESC"),
        args![case_id],
    )
    .await
}

const ALERT_ROWS: ScopedRows = ScopedRows::new(Scoped::Case, ALERT_SELECT, ALERT_FROM, "al.id");

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Alert, StoreError> {
    ALERT_ROWS.one(db, scope, id).await
}

/// A regulator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Dismiss,
    Override,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "confirm" => Some(Decision::Confirm),
            "dismiss" => Some(Decision::Dismiss),
            "override" => Some(Decision::Override),
            _ => None,
        }
    }
    fn status(self) -> &'static str {
        match self {
            Decision::Confirm => "confirmed",
            Decision::Dismiss => "dismissed",
            Decision::Override => "overridden",
        }
    }
    fn event(self) -> &'static str {
        match self {
            Decision::Confirm => "linkage.alert_confirmed",
            Decision::Dismiss => "linkage.alert_dismissed",
            Decision::Override => "linkage.alert_overridden",
        }
    }
}

fn invalid(message: &str) -> StoreError {
    StoreError::Invalid {
        field: "decision".into(),
        message: message.into(),
    }
}

/// Confirm or dismiss an open alert, or override a blocking one (confirmed, or certain and
/// open) so that acceptance may go ahead; always with a reason. One event per decision.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    decision: Decision,
    reason: &str,
) -> Result<Alert, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid {
            field: "reason".into(),
            message: "请写明理由".into(),
        });
    }
    let al = get(db, scope, id).await?;
    let allowed = match decision {
        Decision::Confirm | Decision::Dismiss => al.status == "open",
        Decision::Override => {
            al.kind == "multi_institution"
                && (al.status == "confirmed" || (al.status == "open" && al.level == "certain"))
        }
    };
    if !allowed {
        return Err(invalid(match decision {
            Decision::Override => "只有已确认（或系统判定为确定）的多头鉴定预警才需要准予受理",
            _ => "该预警已处理",
        }));
    }
    let mut tx = db.begin().await?;
    let now = now_ms();
    let changed = tx
        .execute(
            "UPDATE linkage_alerts SET status = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5 AND status = $6",
            args![decision.status(), actor.user_id, now, reason, id, al.status.as_str()],
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::Conflict);
    }
    crate::events::append(
        &mut tx,
        actor,
        alert_event(
            decision.event(),
            al.case_id,
            &al.region_path,
            al.institution_id,
            serde_json::json!({
                "alert_id": id,
                "kind": al.kind,
                "other_case_id": al.other_case_id,
                "from": al.status,
                "reason": reason,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    get(db, scope, id).await
}

/// 通则第十五条第六项: the multi-institution alerts that stop `case_id` from being accepted —
/// confirmed, or certain and still open; not overridden or dismissed. One line each.
pub async fn blocking(exec: crate::db::Exec<'_>, case_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = exec
        .fetch_all(
            "SELECT al.status FROM linkage_alerts al \
             WHERE al.case_id = $1 AND al.kind = 'multi_institution' \
             AND (al.status = 'confirmed' OR (al.status = 'open' AND al.level = 'certain')) ORDER BY al.id",
            args![case_id],
        )
        .await?;
    // The institution learns that another institution holds the matter, not which one, when or
    // at what stage (issue 14, point 5); the regulator's alert page has the details.
    Ok(rows
        .into_iter()
        .map(|(status,)| {
            if status == "confirmed" {
                "另一司法鉴定机构的委托，已经司法行政机关确认".to_string()
            } else {
                "另一司法鉴定机构的委托，系统判定为确定，已提交司法行政机关核查".to_string()
            }
        })
        .collect())
}

/// Records that a new examined person joined two or more persons of the index (the oldest
/// person ID kept): event `linkage.persons_merged`.
pub async fn record_merge(
    db: &Db,
    actor: &Actor,
    case: &CaseFacts,
    kept: i64,
    absorbed: &[i64],
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::events::append(
        &mut tx,
        actor,
        alert_event(
            "linkage.persons_merged",
            case.id,
            &case.region_path,
            case.institution_id,
            serde_json::json!({"kept": kept, "absorbed": absorbed}),
        ),
    )
    .await?;
    tx.commit().await
}

/// The highest id of an examined person stored so far (`None` when there is none).
pub async fn max_person_id(db: &Db) -> Result<Option<i64>, StoreError> {
    db.scalar("SELECT MAX(id) FROM case_persons", args![]).await
}

/// The institution asks the regulators to check the duplicate-appraisal alerts that hold a
/// case's acceptance back (通则第十五条第六项): records `case.linkage_review_requested` with the
/// institution's note, which tells the region's regulators. Refused when no alert holds the case
/// back. The case must be in `scope`; answers how many alerts are concerned.
pub async fn request_review(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    case_id: i64,
    note: &str,
) -> Result<usize, StoreError> {
    let mut tx = db.begin().await?;
    let mut a = Args::new();
    let idp = a.push(case_id);
    let pred = predicate(scope, Scoped::Case, &mut a);
    let (region_path, institution_id): (String, i64) = tx
        .fetch_optional(
            &format!(
                "SELECT k.region_path, k.institution_id FROM cases k WHERE k.id = {idp} AND {pred}"
            ),
            a,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let alerts = blocking(tx.exec(), case_id).await?.len();
    if alerts == 0 {
        return Err(StoreError::Invalid {
            field: "linkage".into(),
            message: "本案没有阻止受理的多头、重复鉴定预警，无需请求核查（通则第十五条第六项）"
                .into(),
        });
    }
    crate::events::append(
        &mut tx,
        actor,
        NewEvent {
            kind: "case.linkage_review_requested",
            entity_type: "case",
            entity_id: case_id.to_string(),
            scope_path: region_path,
            institution_id: Some(institution_id),
            payload: serde_json::json!({ "note": note, "alerts": alerts }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(alerts)
}
