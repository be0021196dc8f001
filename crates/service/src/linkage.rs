//! Record linkage in the server (多头、重复鉴定核查; seed clause 22, 通则第十五条第六项): the online
//! person index over every examined person, kept current by tailing `case_persons` (the same
//! loop rebuilds it from the start at start-up), and the case check run at commission and
//! acceptance, whose findings become alerts for the regulators' queue.
use std::time::Instant;

use serde::Serialize;
use sijian_domain::procedure::{Lineage, Stage};
use sijian_domain::{Action, Role};
use sijian_linkage::cases::{CaseView, Finding, Level, PersonMatch, assess};
use sijian_linkage::index::{IndexOptions, PersonIndex, default_online_model};
use sijian_linkage::person::KeyHasher;
use sijian_store::linkage::{self as store, CaseFacts, NewAlert};
use sijian_store::{Actor, Db, StoreError};

use crate::config::LinkageConfig;
use crate::secrets::DataKey;

struct Indexed {
    index: PersonIndex,
    /// The last `case_persons.id` added.
    last_row: i64,
    /// Rows up to this id were already linked before this process started: their merges were
    /// recorded then and are not recorded again.
    replay_until: i64,
}

/// The index and the check.
pub struct Linkage {
    cfg: LinkageConfig,
    state: tokio::sync::Mutex<Indexed>,
}

impl std::fmt::Debug for Linkage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linkage").finish_non_exhaustive()
    }
}

/// What a rebuild or catch-up did.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatchUp {
    pub added: usize,
    pub seconds: f64,
}

/// The result of checking one case, as the clerk sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckResult {
    /// none | possible | certain; `referred` for a party to the case, who sees no details.
    pub level: String,
    /// Alerts of this case (all, including decided ones); empty for a party to the case.
    #[schema(value_type = Vec<crate::schema::linkage::Alert>)]
    pub alerts: Vec<store::Alert>,
}

impl CheckResult {
    /// What `role` may see of the result. The other cases (their institution, dates, stage,
    /// whether an opinion was issued, the explanation) go only to those who may view linkage
    /// alerts; a party to the case — the commissioning organ, the institution — learns only
    /// that the case was referred to the regulator for review. Otherwise anyone who can
    /// commission could probe a person's appraisal history (issue 14, point 5).
    pub fn seen_by(self, role: Role) -> CheckResult {
        if role.may(Action::ViewLinkageAlerts) {
            return self;
        }
        CheckResult {
            level: if self.level == "none" {
                self.level
            } else {
                "referred".into()
            },
            alerts: Vec::new(),
        }
    }
}

impl Linkage {
    pub fn new(cfg: &LinkageConfig, keys: &DataKey) -> anyhow::Result<Self> {
        let model = if cfg.model.trim().is_empty() {
            default_online_model()
        } else {
            let text = std::fs::read_to_string(&cfg.model)
                .map_err(|e| anyhow::anyhow!("无法读取 linkage.model {}：{e}", cfg.model))?;
            sijian_linkage::fs::Model::from_json(&text)
                .map_err(|e| anyhow::anyhow!("linkage.model {} 无效：{e}", cfg.model))?
        };
        // The index's keys are derived from the data key, so they differ per deployment and
        // cannot be recomputed without it.
        let derived = hex::decode(keys.hash("linkage_index", "v1")).unwrap_or_default();
        let mut secret = [0u8; 16];
        secret.copy_from_slice(&derived[..16]);
        let index = PersonIndex::new(
            KeyHasher::new(secret),
            model,
            IndexOptions {
                max_block: cfg.max_block,
                link_threshold: cfg.link_threshold,
                ..IndexOptions::default()
            },
        )?;
        Ok(Linkage {
            cfg: cfg.clone(),
            state: tokio::sync::Mutex::new(Indexed {
                index,
                last_row: 0,
                replay_until: -1,
            }),
        })
    }

    pub fn enabled(&self) -> bool {
        self.cfg.enabled
    }

    /// Marks every examined person stored so far as linked before this process: their merges
    /// were recorded when they happened. Called before the server takes requests, so a
    /// commission that reaches the index before the rebuild is not mistaken for one of them.
    pub async fn mark_replayed(&self, db: &Db) -> Result<(), StoreError> {
        let mut st = self.state.lock().await;
        if st.replay_until < 0 {
            st.replay_until = sijian_store::linkage::max_person_id(db).await?.unwrap_or(0);
        }
        Ok(())
    }

    /// Add every examined person not yet indexed, in id order; record merges of persons that
    /// happened now (not those replayed from before start-up).
    pub async fn catch_up(&self, db: &Db, keys: &DataKey) -> Result<CatchUp, StoreError> {
        self.mark_replayed(db).await?;
        let started = Instant::now();
        let mut st = self.state.lock().await;
        let mut added = 0;
        let mut merges = Vec::new();
        loop {
            let rows = store::persons_after(db, st.last_row, 5000).await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let name = keys.open(&r.name_sealed).unwrap_or_default();
                let id = r.id_sealed.as_deref().and_then(|s| keys.open(s));
                let out = st
                    .index
                    .add(r.id as u64, r.case_id as u64, &name, id.as_deref());
                if let Some(m) = out.merge
                    && r.id > st.replay_until
                {
                    merges.push((r.case_id, m));
                }
                st.last_row = r.id;
                added += 1;
            }
        }
        drop(st);
        for (case_id, m) in merges {
            if let Some(case) = store::facts(db, &[case_id]).await?.into_iter().next() {
                let absorbed: Vec<i64> = m.absorbed.iter().map(|&x| x as i64).collect();
                store::record_merge(
                    db,
                    &Actor::system("linkage"),
                    &case,
                    m.kept as i64,
                    &absorbed,
                )
                .await?;
            }
        }
        Ok(CatchUp {
            added,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Persons indexed and the heap bytes the index holds.
    pub async fn size(&self) -> (usize, usize) {
        let st = self.state.lock().await;
        (st.index.len(), st.index.heap_bytes())
    }

    /// Check one case: its persons against the index, then the case-level rules; new findings
    /// become alerts (each an event). Returns the case's alerts and the overall level.
    pub async fn check(
        &self,
        db: &Db,
        keys: &DataKey,
        actor: &Actor,
        case_id: i64,
    ) -> Result<CheckResult, StoreError> {
        if self.cfg.enabled {
            self.catch_up(db, keys).await?;
            if let Some(case) = store::facts(db, &[case_id]).await?.into_iter().next() {
                let alerts: Vec<NewAlert> = self
                    .findings(db, keys, &case)
                    .await?
                    .iter()
                    .map(|f| NewAlert {
                        other_case_id: f.other_case_id,
                        kind: f.kind.as_str(),
                        level: f.level.as_str(),
                        probability: f.probability,
                        reasons: f.reasons.clone(),
                    })
                    .collect();
                store::raise(db, actor, &case, &alerts).await?;
            }
        }
        Self::stored(db, case_id).await
    }

    /// The case's alerts as recorded (no new check).
    /// The findings on `case_id`: its own alerts, and those raised on later cases that name it
    /// (seen from this case: the other case is the later one), so both institutions' pages say
    /// the same as the acceptance check will.
    pub async fn stored(db: &Db, case_id: i64) -> Result<CheckResult, StoreError> {
        let mut alerts = store::of_case(db, case_id).await?;
        let own: Vec<i64> = alerts.iter().map(|a| a.other_case_id).collect();
        for mut a in store::naming_case(db, case_id).await? {
            if own.contains(&a.case_id) {
                continue;
            }
            let later = a.case_id;
            a.other_case_id = later;
            a.other_institution_name = Some(std::mem::take(&mut a.institution_name));
            // No reasons of its own: pages say in the reader's language that the later case's
            // check found this one.
            a.explanation = "[]".into();
            alerts.push(a);
        }
        let live = alerts
            .iter()
            .filter(|a| a.status != "dismissed")
            .map(|a| a.level.as_str());
        let level = live.fold("none", |acc, l| match (acc, l) {
            ("certain", _) | (_, "certain") => "certain",
            _ => "possible",
        });
        Ok(CheckResult {
            level: level.to_owned(),
            alerts,
        })
    }

    async fn findings(
        &self,
        db: &Db,
        keys: &DataKey,
        me: &CaseFacts,
    ) -> Result<Vec<Finding>, StoreError> {
        let case_id = me.id;
        let persons = store::persons_of(db, case_id).await?;
        let mut matches: Vec<PersonMatch> = Vec::new();
        {
            let st = self.state.lock().await;
            for p in &persons {
                let name = keys.open(&p.name_sealed).unwrap_or_default();
                let id = p.id_sealed.as_deref().and_then(|s| keys.open(s));
                let (found, _) = st.index.query(
                    &name,
                    id.as_deref(),
                    Some(case_id as u64),
                    self.cfg.possible,
                    50,
                );
                for c in found {
                    matches.push(PersonMatch {
                        other_case: c.case_id as i64,
                        probability: c.probability,
                        explanation: c.scored.explain_zh(),
                    });
                }
            }
        }
        let mut ids: Vec<i64> = matches.iter().map(|m| m.other_case).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut others = store::facts(db, &ids).await?;
        for r in store::related(db, me.case_number_key.as_deref(), &ids).await? {
            if !others.iter().any(|o| o.id == r.id) {
                others.push(r);
            }
        }
        let views: Vec<CaseView> = others.iter().filter_map(view).collect();
        let Some(me) = view(me) else {
            return Ok(Vec::new());
        };
        Ok(assess(&me, &views, &matches, &self.cfg.thresholds()))
    }
}

fn view(f: &CaseFacts) -> Option<CaseView> {
    Some(CaseView {
        id: f.id,
        institution_id: f.institution_id,
        institution_name: f.institution_name.clone(),
        stage: Stage::parse(&f.stage)?,
        items: f.item_codes(),
        category: f.category.clone(),
        received_on: f.received_on.clone(),
        lineage: match f.lineage.as_str() {
            "supplementary" => Lineage::Supplementary,
            "reappraisal" => Lineage::Reappraisal,
            _ => Lineage::Original,
        },
        parent_id: f.parent_id,
        case_number_key: f.case_number_key.clone(),
    })
}

/// The reviewer-facing label of a level string.
pub fn level_label(level: &str) -> &'static str {
    match level {
        "certain" => Level::Certain.label_zh(),
        "possible" => Level::Possible.label_zh(),
        "referred" => "已提交司法行政机关核查",
        _ => "未发现",
    }
}

/// After a commission: check it, and log (not fail) if the check cannot run — the commission is
/// recorded; acceptance checks again and cannot go ahead without it.
pub async fn after_commission(s: &crate::Services, actor: &Actor, case_id: i64) {
    if let Err(e) = s.linkage.check(&s.db, &s.keys, actor, case_id).await {
        tracing::error!(case_id, error = %e, "record-linkage check after commission failed");
    }
}

/// Rebuild at start-up in the background; the first check waits for it (the index lock).
/// What was stored before start-up is marked as replayed here, before the server serves.
pub async fn spawn_rebuild(s: crate::Services) {
    if !s.linkage.enabled() {
        return;
    }
    if let Err(e) = s.linkage.mark_replayed(&s.db).await {
        tracing::warn!(error = %e, "record-linkage: start-up mark not taken; the rebuild takes it");
    }
    tokio::spawn(async move {
        match s.linkage.catch_up(&s.db, &s.keys).await {
            Ok(r) => {
                let (n, bytes) = s.linkage.size().await;
                tracing::info!(
                    persons = n,
                    seconds = r.seconds,
                    heap_bytes = bytes,
                    "record-linkage index rebuilt"
                );
            }
            Err(e) => tracing::error!(error = %e, "record-linkage index rebuild failed"),
        }
    });
}
