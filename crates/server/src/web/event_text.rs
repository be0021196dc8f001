//! A recorded event as people read it: its payload's facts with labels and named values, and a
//! change's fields as "before → after". Keys without a label (ids, hashes, versions) and codes
//! without a name are left to the technical view, so a reader never sees a raw key or code.
use crate::i18n::{Lang, has};
use crate::labels::{Named, code_labels_in, education_label_in, qualification_label_in};
use serde_json::Value;
use sijian_domain::procedure::{RefusalReason, StopReason, TerminationReason};
use sijian_domain::{AppraiserStatus, InstitutionStatus, OrganKind, Role, licensing};

/// What an event says, in the reader's language.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EventFacts {
    /// (label, value) of each fact the event records.
    pub facts: Vec<(String, String)>,
    /// (field, before, after) of each field a change altered.
    pub changes: Vec<(String, String, String)>,
}

impl EventFacts {
    /// One line for a list cell: the facts, then the changes as "field: before → after".
    pub fn summary(&self, lang: Lang, max_chars: usize) -> String {
        let sep = lang.pick("；", "; ");
        let colon = lang.pick("：", ": ");
        let parts = self
            .changes
            .iter()
            .map(|(f, b, a)| format!("{f}{colon}{b} → {a}"))
            .chain(self.facts.iter().map(|(l, v)| format!("{l}{colon}{v}")));
        let text = parts.collect::<Vec<_>>().join(sep);
        if text.chars().count() > max_chars {
            let cut: String = text.chars().take(max_chars).collect();
            format!("{cut}…")
        } else {
            text
        }
    }
}

/// Payload keys whose label is not `field.{key}`: the key and its catalogue entry.
const LABELS: &[(&str, &str)] = &[
    ("on", "event.field.on"),
    ("reasons", "event.field.reasons"),
    ("reason", "cases.stop.reason"),
    ("late", "event.field.late"),
    ("names", "event.field.appraisers"),
    ("via", "event.field.via"),
    ("agreed_complete_by", "event.field.agreed_complete_by"),
    ("effective_on", "event.field.effective_on"),
    ("materials_returned_on", "event.field.materials_returned_on"),
    ("agrees", "event.field.agrees"),
    ("all_signed", "event.field.all_signed"),
    ("recorded_by_staff", "event.field.recorded_by_staff"),
    ("speciality", "event.field.speciality"),
    ("opinion", "event.field.opinion"),
    ("files", "event.field.files"),
    ("reviews", "event.field.reviews"),
    ("what", "cases.claim.what"),
    ("round", "cases.col.round"),
    ("code", "verify.field.code"),
    ("conclusion", "cases.field.conclusion"),
    ("issued_on", "verify.field.issued_on"),
    ("explanation", "linkage.col.explanation"),
    ("dissent", "cases.col.dissent"),
    ("is_reappraisal", "cases.field.is_reappraisal"),
    ("case_number", "cases.col.case_number"),
    ("client", "cases.col.client"),
    ("items", "cases.field.matter"),
    ("lineage", "cases.field.lineage"),
    ("materials", "cases.doc.materials"),
    ("persons", "cases.persons"),
    ("received_on", "cases.field.received_on"),
    ("attachments", "licensing.attachments"),
    ("agreed_accept_by", "event.field.agreed_accept_by"),
    ("agreement", "event.field.agreement"),
    ("appraiser", "event.field.appraiser"),
    ("assistant", "event.field.assistant"),
    ("client_notified_on", "event.field.client_notified_on"),
    ("court", "event.field.court"),
    ("days", "event.field.days"),
    ("decision", "event.field.decision"),
    ("granted", "event.field.granted"),
    ("returned_to_work", "event.field.returned_to_work"),
    ("hearing_on", "event.field.hearing_on"),
    ("outcome", "event.field.outcome"),
    ("refund_due", "event.field.refund_due"),
    ("note", "event.field.note"),
    ("revoked_on", "event.field.revoked_on"),
    ("fields_changed", "event.field.fields_changed"),
    ("url", "event.field.url"),
    ("year", "event.field.year"),
    ("tokens_revoked", "event.field.tokens_revoked"),
    ("organ", "event.field.organ"),
];

/// Keys that are references or integrity data, never facts for a reader.
fn technical(key: &str) -> bool {
    key == "id"
        || key.ends_with("_id")
        || key.ends_with("_ids")
        || key.ends_with("sha256")
        || matches!(
            key,
            "version"
                | "region_code"
                | "hours_total"
                | "expires_at"
                | "body"
                | "source"
                | "kept"
                | "absorbed"
                | "declarations"
                | "before"
        )
}

/// The label of a payload key in `lang`, or None for a key the reader is not shown.
fn label(lang: Lang, key: &str) -> Option<String> {
    if technical(key) {
        return None;
    }
    if let Some((_, k)) = LABELS.iter().find(|(k, _)| *k == key) {
        return Some(lang.t(k).to_string());
    }
    let field = format!("field.{key}");
    has(&field).then(|| lang.t(&field).to_string())
}

/// Reads `payload` (the event's JSON text) for an event of `kind`.
pub fn read(lang: Lang, kind: &str, payload: &str) -> EventFacts {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(payload) else {
        return EventFacts::default();
    };
    let entity = kind.split('.').next().unwrap_or("");
    let mut out = EventFacts::default();
    for (key, v) in &map {
        match (key.as_str(), v) {
            ("fields", Value::Object(fields)) => {
                for (k, v) in fields {
                    if let (Some(l), Some(v)) = (label(lang, k), value(lang, kind, entity, k, v)) {
                        out.facts.push((l, v));
                    }
                }
            }
            ("changes", Value::Object(changes)) => {
                for (k, pair) in changes {
                    let Some(l) = label(lang, k) else { continue };
                    let (before, after) = match pair {
                        Value::Array(p) if p.len() == 2 => (&p[0], &p[1]),
                        _ => continue,
                    };
                    let shown = |v: &Value| value(lang, kind, entity, k, v).unwrap_or("—".into());
                    out.changes.push((l, shown(before), shown(after)));
                }
            }
            (k, v) => {
                if let (Some(l), Some(v)) = (label(lang, k), value(lang, kind, entity, k, v)) {
                    out.facts.push((l, v));
                }
            }
        }
    }
    out
}

fn named<T: Named>(lang: Lang, parsed: Option<T>) -> Option<String> {
    parsed.map(|x| lang.pick(x.name_zh(), x.name_en()).to_string())
}

/// A value as a reader sees it, or None when there is nothing to show or no name for a code.
fn value(lang: Lang, kind: &str, entity: &str, key: &str, v: &Value) -> Option<String> {
    let text = match v {
        Value::Null => return None,
        Value::Bool(b) => return Some(lang.t(if *b { "yes" } else { "no" }).into()),
        Value::Number(n) if key == "persons" => {
            return Some(lang.tf("licensing.persons", &[("n", &n.to_string())]));
        }
        Value::Number(n) => return Some(n.to_string()),
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.as_str(),
        Value::Array(items) => return list(lang, kind, entity, key, items),
        Value::Object(_) => return None,
    };
    match key {
        "status" => match entity {
            "institution" => named(lang, InstitutionStatus::parse(text)),
            "appraiser" => named(lang, AppraiserStatus::parse(text)),
            _ => None,
        },
        "kind" => match entity {
            "organ" => named(lang, OrganKind::parse(text)),
            "application" => named(lang, licensing::ApplicationKind::parse(text)),
            _ => Some(text.to_string()),
        },
        "role" => named(lang, Role::parse(text)),
        "reasons" => match kind {
            "case.refused" => named(lang, RefusalReason::parse(text)),
            "case.terminated" => named(lang, TerminationReason::parse(text)),
            _ => Some(text.to_string()),
        },
        "reason" => Some(match StopReason::parse(text) {
            Some(r) => lang.pick(r.label_zh(), r.label_en()).into(),
            None => text.to_string(),
        }),
        "outcome" => sijian_domain::procedure::Appearance::parse(text)
            .map(|o| lang.pick(o.label_zh(), o.label_en()).into()),
        "education" => Some(education_label_in(lang, text)),
        "qualification_level" => Some(qualification_label_in(lang, text)),
        "gender" => Some(crate::web::registry::gender(lang, text)),
        "scope" | "items" | "speciality" => Some(code_labels_in(
            lang,
            &text
                .split(',')
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>(),
        )),
        "lineage" => Some(crate::web::cases::lineage_label(lang, text).to_string()),
        "via" => {
            let k = format!("event.via.{text}");
            has(&k).then(|| lang.t(&k).to_string())
        }
        _ => {
            let k = format!("value.{key}.{text}");
            Some(if has(&k) {
                lang.t(&k).to_string()
            } else {
                text.to_string()
            })
        }
    }
}

/// A list: codes as their names, records (materials, attachments) by their names.
fn list(lang: Lang, kind: &str, entity: &str, key: &str, items: &[Value]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    if key == "items" || key == "scope" {
        let codes: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        return Some(code_labels_in(lang, &codes));
    }
    let shown: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Value::Object(o) => {
                let name = o.get("name").and_then(Value::as_str);
                let number = o.get("certificate_no").and_then(Value::as_str);
                let kind_of = o.get("kind").and_then(Value::as_str);
                match (name, kind_of, number) {
                    (Some(n), _, _) => Some(n.to_string()),
                    (None, Some(k), Some(no)) => Some(format!("{k} {no}")),
                    (None, Some(k), None) => Some(k.to_string()),
                    _ => None,
                }
            }
            other => value(lang, kind, entity, key, other),
        })
        .collect();
    (!shown.is_empty()).then(|| shown.join(lang.pick("、", ", ")))
}

/// A record as an event names it: its label, and its page when the reader may open it.
pub fn entity_ref(
    a: &crate::auth::Authed,
    lang: Lang,
    entity_type: &str,
    id: &str,
) -> (String, Option<String>) {
    (
        entity_label(lang, entity_type, id),
        entity_href(a, entity_type, id),
    )
}

/// "鉴定机构 第 3 号" rather than "institution #3".
pub fn entity_label(lang: Lang, entity_type: &str, id: &str) -> String {
    let key = format!("entity.{entity_type}");
    let kind = if crate::i18n::has(&key) {
        lang.t(&key)
    } else {
        lang.t("entity.record")
    };
    lang.tf("entity.numbered", &[("kind", kind), ("id", id)])
}

/// The record's page, when it has one its reader may open.
fn entity_href(a: &crate::auth::Authed, entity_type: &str, id: &str) -> Option<String> {
    let needs = match entity_type {
        "case" => sijian_domain::Action::ViewCases,
        "institution" => sijian_domain::Action::ViewInstitutions,
        "appraiser" => sijian_domain::Action::ViewAppraisers,
        "organ" => sijian_domain::Action::ViewOrgans,
        "user" => sijian_domain::Action::ViewUsers,
        "application" => sijian_domain::Action::ViewApplications,
        _ => return None,
    };
    a.role().may(needs).then(|| format!("/{entity_type}s/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_in_words_without_codes() {
        let f = read(
            Lang::Zh,
            "case.refused",
            r#"{"explanation":"超出技术条件","materials_returned_on":"2026-11-12","reasons":"beyond_capability","case_id":7}"#,
        );
        let text = f.summary(Lang::Zh, 500);
        assert!(text.contains("超出技术条件"), "{text}");
        assert!(text.contains("2026-11-12"), "{text}");
        assert!(!text.contains("beyond_capability"), "{text}");
        assert!(!text.contains("case_id") && !text.contains('7'), "{text}");
    }

    #[test]
    fn a_change_reads_before_and_after_with_names() {
        let f = read(
            Lang::Zh,
            "appraiser.updated",
            r#"{"changes":{"education":["college","bachelor"],"status":["active","suspended"],"institution_id":[1,2]},"version":3}"#,
        );
        assert_eq!(f.changes.len(), 2, "{f:?}");
        let text = f.summary(Lang::Zh, 500);
        assert!(text.contains("大学专科 → 大学本科"), "{text}");
        assert!(
            !text.contains("active") && !text.contains("version"),
            "{text}"
        );
    }

    #[test]
    fn registered_fields_and_lists_read_in_english() {
        let f = read(
            Lang::En,
            "appraiser.created",
            r#"{"fields":{"name":"蔡伟","gender":"female","education":"bachelor","senior_title":true,"scope":"1.01.04","id_number":"3****9","institution_id":2}}"#,
        );
        let text = f.summary(Lang::En, 500);
        assert!(text.contains("Bachelor"), "{text}");
        assert!(text.contains("Yes"), "{text}");
        assert!(
            !text.contains("bachelor") && !text.contains("female"),
            "{text}"
        );
        let m = read(
            Lang::Zh,
            "case.commissioned",
            r#"{"materials":[{"name":"病历资料","kind":"书证"},{"name":"影像片"}],"items":["1.03.05"],"via":"paper"}"#,
        );
        let text = m.summary(Lang::Zh, 500);
        assert!(text.contains("病历资料、影像片"), "{text}");
        assert!(
            !text.contains("1.03.05") && !text.contains("paper"),
            "{text}"
        );
    }

    #[test]
    fn unreadable_payloads_and_long_summaries() {
        assert_eq!(read(Lang::Zh, "x.y", "not json"), EventFacts::default());
        let f = read(Lang::Zh, "case.archived", r#"{"on":"2026-09-20"}"#);
        assert_eq!(f.summary(Lang::Zh, 4), "日期：2…");
    }
}
