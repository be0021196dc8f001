//! Notifications: who is told of a recorded event, each reader's own list, their opt-ins to SMS
//! and e-mail, and the outbox of those external messages.
//!
//! A notification is written by `fan_out` inside the transaction that appends its event
//! (`events::append` and its siblings are the only writers of events, so no event is missed
//! and none is told twice). This was chosen over a worker reading events past a cursor: a
//! reader sees the notification as soon as the step is committed, the demo data gets its
//! notifications by the same path, and there is no cursor to keep across several nodes. The
//! cost is one `INSERT … SELECT` over the accounts of one institution, organ or region per
//! event that concerns anyone (`domain::notify::rule`), and one more for the outbox only when
//! a notification was written; other events cost nothing.
use crate::db::{Args, Tx};
use crate::list::{ListQuery, Listing, Page};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::notify::{self, Audience, Channel, Group};

/// `next_at` of an outbox message that will not be tried again.
pub const GIVEN_UP: i64 = i64::MAX;

/// An event as `fan_out` needs it.
pub(crate) struct Told<'a> {
    pub event_id: i64,
    pub kind: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub scope_path: &'a str,
    pub institution_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: i64,
}

/// Writes the notifications of freshly appended events, and queues an SMS or e-mail for each
/// reader who asked for that group on that channel and left an address. The one who made the
/// change is not told of it. Returns how many notifications were written.
pub(crate) async fn fan_out(tx: &mut Tx, events: &[Told<'_>]) -> Result<u64, StoreError> {
    let mut written = 0;
    let mut ids = Vec::new();
    for ev in events {
        let Some(rule) = notify::rule(ev.kind) else {
            continue;
        };
        let mut a = Args::new();
        let mut who = Vec::new();
        for aud in rule.audiences {
            let roles: Vec<String> = aud
                .roles(&rule)
                .iter()
                .map(|r| a.push(r.as_str()))
                .collect();
            if roles.is_empty() {
                continue;
            }
            let roles = roles.join(", ");
            match aud {
                Audience::InstitutionStaff => {
                    if let Some(i) = ev.institution_id {
                        who.push(format!(
                            "(u.role IN ({roles}) AND u.institution_id = {})",
                            a.push(i)
                        ));
                    }
                }
                Audience::CommissioningOrgan => {
                    if let (Ok(case_id), "case") = (ev.entity_id.parse::<i64>(), ev.entity_type) {
                        who.push(format!(
                            "(u.role IN ({roles}) AND u.organ_id = (SELECT k.organ_id FROM cases k WHERE k.id = {}))",
                            a.push(case_id)
                        ));
                    }
                }
                Audience::RegionRegulators => {
                    let path = a.push(ev.scope_path);
                    let root = a.push("/");
                    who.push(format!(
                        "(u.role IN ({roles}) AND u.home_path <> {root} AND substr({path}, 1, length(u.home_path)) = u.home_path)"
                    ));
                }
            }
        }
        if who.is_empty() {
            continue;
        }
        let mut cond = format!("u.active = {} AND ({})", a.push(true), who.join(" OR "));
        if let Some(actor) = ev.actor_id {
            cond.push_str(&format!(" AND u.id <> {}", a.push(actor)));
        }
        let vals = [
            a.push(ev.event_id),
            a.push(ev.kind),
            a.push(rule.group.as_str()),
            a.push(ev.entity_type),
            a.push(ev.entity_id),
            a.push(ev.at),
        ];
        let n = tx
            .execute(
                &format!(
                    "INSERT INTO notifications (user_id, event_id, kind, grp, entity_type, entity_id, created_at) \
                     SELECT u.id, {} FROM users u WHERE {cond}",
                    vals.join(", ")
                ),
                a,
            )
            .await?;
        if n > 0 {
            written += n;
            ids.push(ev.event_id);
        }
    }
    if !ids.is_empty() {
        let mut a = Args::new();
        let email = a.push(Channel::Email.as_str());
        let now = a.push(now_ms());
        let none = a.push("");
        let list: Vec<String> = ids.iter().map(|id| a.push(*id)).collect();
        let address = format!("CASE WHEN p.channel = {email} THEN u.email ELSE u.phone END");
        tx.execute(
            &format!(
                "INSERT INTO notification_outbox (notification_id, user_id, channel, address, next_at, created_at) \
                 SELECT n.id, n.user_id, p.channel, {address}, {now}, {now} \
                 FROM notifications n JOIN notification_prefs p ON p.user_id = n.user_id AND p.grp = n.grp \
                 JOIN users u ON u.id = n.user_id \
                 WHERE n.event_id IN ({}) AND COALESCE({address}, {none}) <> {none}",
                list.join(", ")
            ),
            a,
        )
        .await?;
    }
    Ok(written)
}

/// One notification with what its event says.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub event_id: i64,
    /// The event's kind (`case.accepted`, …).
    pub kind: String,
    /// Its group (`commissions`, `case_progress`, `alerts`, `licensing`).
    pub grp: String,
    pub entity_type: String,
    pub entity_id: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// Who made the change.
    pub actor_name: String,
    /// The event's payload as recorded (JSON text).
    pub payload: String,
}

const COLUMNS: &str = "n.id, n.event_id, n.kind, n.grp, n.entity_type, n.entity_id, n.created_at, n.read_at, e.actor_name, e.payload";
const FROM: &str = "notifications n JOIN events e ON e.id = n.event_id";

/// A reader's notifications: all, or only the unread (`unread`), newest first (or, with
/// `sort=unread`, the unread ones first).
pub async fn list(
    db: &Db,
    user_id: i64,
    unread: bool,
    q: &ListQuery,
) -> Result<Page<NotificationRow>, StoreError> {
    let mut l = Listing::new(COLUMNS, FROM);
    l.count_from = Some(("e.", "notifications n"));
    l.eq("n.user_id", Some(user_id));
    if unread {
        l.push("n.read_at IS NULL".into());
    }
    let mut q = q.clone();
    if q.sort.as_deref() != Some("unread") {
        q.sort = None;
        q.desc = true;
    }
    l.run(
        db,
        &q,
        &[
            ("created", "n.id"),
            ("unread", "CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END"),
        ],
        "n.id",
    )
    .await
}

/// One of the reader's notifications.
pub async fn get(db: &Db, user_id: i64, id: i64) -> Result<NotificationRow, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE n.id = $1 AND n.user_id = $2"),
        args![id, user_id],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// How many of the reader's notifications are unread.
pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        args![user_id],
    )
    .await
}

/// Marks one of the reader's notifications read (a read one stays as it was). NotFound when
/// it is not the reader's.
pub async fn mark_read(db: &Db, user_id: i64, id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM notifications WHERE id = $1 AND user_id = $2",
            args![id, user_id],
        )
        .await?;
    if found.is_none() {
        return Err(StoreError::NotFound);
    }
    tx.execute(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        args![now_ms(), id, user_id],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks all the reader's notifications read. Returns how many were unread.
pub async fn mark_all_read(db: &Db, user_id: i64) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        args![now_ms(), user_id],
    )
    .await
}

/// A reader's choices: for each (group, channel) opted in.
pub async fn prefs(db: &Db, user_id: i64) -> Result<Vec<(Group, Channel)>, StoreError> {
    let rows: Vec<(String, String)> = db
        .fetch_all(
            "SELECT grp, channel FROM notification_prefs WHERE user_id = $1 ORDER BY grp, channel",
            args![user_id],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(g, c)| Some((Group::parse(&g)?, Channel::parse(&c)?)))
        .collect())
}

/// Replaces a reader's choices with `chosen`.
pub async fn set_prefs(
    db: &Db,
    user_id: i64,
    chosen: &[(Group, Channel)],
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    tx.execute(
        "DELETE FROM notification_prefs WHERE user_id = $1",
        args![user_id],
    )
    .await?;
    let now = now_ms();
    for (g, c) in chosen {
        tx.execute(
            "INSERT INTO notification_prefs (user_id, grp, channel, updated_at) VALUES ($1, $2, $3, $4)",
            args![user_id, g.as_str(), c.as_str(), now],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Where a reader may be reached: (e-mail, mobile phone).
pub async fn contact(
    db: &Db,
    user_id: i64,
) -> Result<(Option<String>, Option<String>), StoreError> {
    db.fetch_optional(
        "SELECT email, phone FROM users WHERE id = $1",
        args![user_id],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Sets where a reader may be reached (None clears it).
pub async fn set_contact(
    db: &Db,
    user_id: i64,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET email = $1, phone = $2 WHERE id = $3",
        args![email, phone, user_id],
    )
    .await?;
    Ok(())
}

/// The language a reader chose (`zh` or `en`), for the text of their messages.
pub async fn lang_of(db: &Db, user_id: i64) -> Result<String, StoreError> {
    db.scalar("SELECT lang FROM users WHERE id = $1", args![user_id])
        .await
}

/// One external message waiting or sent.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub notification_id: i64,
    pub user_id: i64,
    /// `sms` or `email`.
    pub channel: String,
    pub address: String,
    /// The text sent (empty until it is first tried).
    pub body: String,
    /// `pending`, `sent` or `given_up`.
    pub status: String,
    pub attempts: i64,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
}

const OUTBOX_COLUMNS: &str = "x.id, x.notification_id, x.user_id, x.channel, x.address, x.body, x.status, x.attempts, x.next_at, x.sent_at, x.last_error, x.created_at";

/// Pending messages due at `now`, oldest first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {OUTBOX_COLUMNS} FROM notification_outbox x WHERE x.status = $1 AND x.next_at <= $2 ORDER BY x.id LIMIT {}",
            limit.max(1)
        ),
        args!["pending", now],
    )
    .await
}

/// Claims a due message for one attempt (see `webhooks::claim`): true when this caller holds it.
pub async fn claim(
    db: &Db,
    id: i64,
    seen_next_at: i64,
    lease_until: i64,
) -> Result<bool, StoreError> {
    let n = db
        .execute(
            "UPDATE notification_outbox SET next_at = $1 WHERE id = $2 AND next_at = $3 AND status = $4",
            args![lease_until, id, seen_next_at, "pending"],
        )
        .await?;
    Ok(n == 1)
}

/// Records a message sent, with the text that was sent.
pub async fn mark_sent(db: &Db, id: i64, body: &str, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE notification_outbox SET status = $1, body = $2, sent_at = $3, attempts = attempts + 1 WHERE id = $4 AND status = $5",
        args!["sent", body, now, id, "pending"],
    )
    .await?;
    Ok(())
}

/// Records a failed attempt: the attempts so far, when to try again (`GIVEN_UP`: never) and why.
pub async fn mark_failed(
    db: &Db,
    id: i64,
    body: &str,
    attempts: i64,
    next_at: i64,
    error: &str,
) -> Result<(), StoreError> {
    let error: String = error.chars().take(500).collect();
    let status = if next_at == GIVEN_UP {
        "given_up"
    } else {
        "pending"
    };
    db.execute(
        "UPDATE notification_outbox SET status = $1, body = $2, attempts = $3, next_at = $4, last_error = $5 WHERE id = $6 AND status = $7",
        args![status, body, attempts, next_at, error, id, "pending"],
    )
    .await?;
    Ok(())
}

/// A reader's external messages, newest first.
pub async fn outbox_of(
    db: &Db,
    user_id: i64,
    q: &ListQuery,
) -> Result<Page<OutboxRow>, StoreError> {
    let mut l = Listing::new(OUTBOX_COLUMNS, "notification_outbox x");
    l.eq("x.user_id", Some(user_id));
    let mut q = q.clone();
    q.sort = None;
    q.desc = true;
    l.run(db, &q, &[("id", "x.id")], "x.id").await
}
