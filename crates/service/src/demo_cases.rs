//! Demo appraisal cases in every stage, so the queues, the case pages and verification have
//! something to show: commissioned on paper and online, refused, terminated, stopped, under
//! review, signing, issued (one corrected) and archived. Every step goes through the store's
//! own steps, so each leaves its events and log entries.
use crate::secrets::DataKey;
use sijian_domain::Scope;
use sijian_domain::calendar::{Date, WorkingCalendar};
use sijian_domain::procedure::{
    CaseCommand, Lineage, Policy, RefusalReason, StopReason, TerminationReason,
};
use sijian_domain::role::OrganKind;
use sijian_store::cases::steps::{self, SignedBy};
use sijian_store::cases::{self, Case, Ctx, NewAttachment, NewCase, NewMaterial, NewPerson};
use sijian_store::registry::{self, AppraiserFilter};
use sijian_store::{Actor, Db, ListQuery, StoreError};

/// How far each demo case goes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Upto {
    Received,
    Refused,
    Accepted,
    InProgress,
    Stopped,
    UnderReview,
    Signing,
    Issued,
    Corrected,
    Archived,
    Terminated,
}

/// (received on, how far, client is the court online, serial of the 案号)
const PLAN: &[(&str, Upto, bool, u32)] = &[
    ("2026-11-24", Upto::Received, true, 5101),
    ("2026-11-20", Upto::Received, false, 5102),
    ("2026-11-10", Upto::Refused, false, 5103),
    ("2026-11-16", Upto::Accepted, true, 5104),
    ("2026-09-01", Upto::InProgress, false, 5105),
    ("2026-10-19", Upto::InProgress, true, 5106),
    ("2026-10-12", Upto::Stopped, false, 5107),
    ("2026-10-08", Upto::UnderReview, true, 5108),
    ("2026-09-21", Upto::Signing, false, 5109),
    ("2026-09-07", Upto::Issued, true, 5110),
    ("2026-09-14", Upto::Corrected, false, 5111),
    ("2026-08-17", Upto::Archived, true, 5112),
    ("2026-10-26", Upto::Terminated, false, 5113),
];

fn date(s: &str) -> Date {
    Date::parse(s).expect("demo dates are valid")
}

fn pdf(text: &str) -> NewAttachment {
    NewAttachment {
        name: "司法鉴定意见书.pdf".into(),
        content_type: "application/pdf".into(),
        data: format!("%PDF-1.4\n% 演示鉴定意见书 {text}\n%%EOF\n").into_bytes(),
    }
}

/// The conclusion a demo opinion states for its matter (通则第四十一条).
fn demo_conclusion(item: &str) -> sijian_domain::conclusion::Conclusion {
    use sijian_domain::conclusion::{Conclusion, InjuryDegree};
    match item {
        "1.02.01" => Conclusion::InjuryDegree {
            degree: InjuryDegree::Light2,
        },
        "1.02.02" => Conclusion::DisabilityGrade { grade: 10 },
        "1.04.02" | "1.04.03" => Conclusion::Parentage { supported: true },
        _ => Conclusion::Text {
            text: "送检材料所见符合委托事项所述情形（演示）".into(),
        },
    }
}

/// The institution's most widely held practice item and three who hold it: two to appraise
/// and one to review.
async fn team(db: &Db, institution_id: i64) -> Result<Option<(String, [i64; 3])>, StoreError> {
    let list = registry::list_appraisers_unbounded(
        db,
        &Scope::All,
        &AppraiserFilter {
            institution_id: Some(institution_id),
            status: Some("active".into()),
            ..Default::default()
        },
        &ListQuery::default(),
    )
    .await?;
    // Candidate items: every item-level code in a practice scope; holders: everyone whose
    // scope covers it (a sub-category covers its items).
    let scopes: Vec<(i64, Vec<String>)> = list
        .iter()
        .map(|a| (a.id, a.scope.split(',').map(str::to_string).collect()))
        .collect();
    let mut counts: Vec<(String, Vec<i64>)> = Vec::new();
    for (_, sc) in &scopes {
        for item in sc.iter().filter(|c| c.matches('.').count() == 2) {
            if counts.iter().any(|(c, _)| c == item) {
                continue;
            }
            let holders = scopes
                .iter()
                .filter(|(_, s)| sijian_domain::procedure::covers(s, item))
                .map(|(id, _)| *id)
                .collect();
            counts.push((item.clone(), holders));
        }
    }
    counts.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    // Two appraisers and a reviewer who also practises the item (通则第十九、三十五条).
    let Some((item, holders)) = counts.into_iter().next().filter(|(_, h)| h.len() >= 3) else {
        return Ok(None);
    };
    Ok(Some((item, [holders[0], holders[1], holders[2]])))
}

/// An examined person as the platform keeps one: the name sealed, masked and hashed, the
/// identity number sealed.
fn examined_person(
    keys: &DataKey,
    name: &str,
    id: Option<sijian_domain::identifiers::ResidentId>,
) -> NewPerson {
    NewPerson {
        name_sealed: keys.seal(name),
        name_masked: crate::cases::mask_name(name),
        name_hash: keys.hash("person_name", name),
        id: id.map(|d| keys.seal_resident_id(&d)),
    }
}

/// The demo's one material: medical records received at `received_at`.
fn records(received_at: &str) -> NewMaterial {
    NewMaterial {
        name: "病历资料".into(),
        kind: "书证".into(),
        quantity: "1 册".into(),
        condition: "完整、清晰".into(),
        storage: "常温档案柜".into(),
        received_at: received_at.into(),
    }
}

/// Creates the demo cases at `institution_id`; the online ones are commissioned by `court_id`.
pub async fn load(
    db: &Db,
    keys: &DataKey,
    institution_id: i64,
    court: (i64, &str),
) -> Result<(), StoreError> {
    let Some((item, [a1, a2, reviewer])) = team(db, institution_id).await? else {
        return Ok(());
    };
    let cal = WorkingCalendar::shipped();
    let policy = Policy::default();
    let actor = Actor::system("演示数据");
    let scope = Scope::All;
    let persons = ["王某某", "李某某", "赵某某", "陈某某"];
    for (n, &(received, upto, online, serial)) in PLAN.iter().enumerate() {
        let received = date(received);
        let at = |days: u32| cal.add_working_days(received, days).unwrap_or(received);
        let ctx = |d: Date| Ctx {
            today: d,
            cal: &cal,
            policy: &policy,
        };
        let name = persons[n % persons.len()];
        let new = NewCase {
            institution_id,
            organ_id: online.then_some(court.0),
            claimed_organ_id: None,
            client_name: if online {
                court.1.to_string()
            } else {
                format!("{}律师事务所（代理人）", ["西湖", "钱江", "之江"][n % 3])
            },
            client_kind: if online {
                OrganKind::Court
            } else {
                OrganKind::Other
            },
            client_contact: "0571-8700 0000".into(),
            case_number: Some((
                format!("（2026）浙0106民初{serial}号"),
                format!("2026|浙0106|民初|{serial}"),
            )),
            case_type: "civil".into(),
            items: vec![item.clone()],
            purpose: "为人民法院审理案件提供鉴定意见".into(),
            summary: "当事人因交通事故受伤，双方对损伤程度存在争议，申请司法鉴定。".into(),
            lineage: Lineage::Original,
            parent_id: None,
            same_institution_reason: None,
            received_on: received,
            persons: vec![examined_person(keys, name, None)],
            materials: vec![records(&format!("{received} 09:30"))],
            attachments: Vec::new(),
        };
        let create_scope = if online {
            Scope::Organ(court.0)
        } else {
            Scope::Institution(institution_id)
        };
        let mut c: Case = cases::create(db, &actor, &create_scope, &new, ctx(received)).await?;
        macro_rules! step {
            ($cmd:expr, $day:expr) => {
                step!($cmd, None, $day)
            };
            ($cmd:expr, $file:expr, $day:expr) => {
                steps::run(
                    db,
                    &steps::At {
                        actor: &actor,
                        scope: &scope,
                        id: c.id,
                        version: c.version,
                        ctx: ctx($day),
                    },
                    $cmd,
                    $file,
                )
                .await?
            };
        }
        macro_rules! go {
            ($cmd:expr, $day:expr) => {
                c = step!($cmd, $day).case;
            };
        }
        if upto == Upto::Received {
            continue;
        }
        if upto == Upto::Refused {
            step!(
                CaseCommand::Refuse {
                    reasons: vec![RefusalReason::BeyondCapability],
                    explanation: "所需检验项目超出本机构现有技术条件".into(),
                    materials_returned: true,
                },
                at(2)
            );
            continue;
        }
        go!(CaseCommand::Accept, at(2));
        if upto == Upto::Accepted {
            continue;
        }
        go!(
            CaseCommand::SignContract {
                effective_on: at(3),
                declares_reappraisal: false,
                agreed_complete_by: None,
                contract_sha256: None,
            },
            at(3)
        );
        if upto == Upto::Terminated {
            step!(
                CaseCommand::Terminate {
                    reasons: vec![TerminationReason::WithdrawnOrUnpaid],
                    explanation: "委托人撤回委托".into(),
                    materials_returned: true,
                },
                at(6)
            );
            continue;
        }
        go!(
            CaseCommand::Assign {
                appraiser_ids: vec![a1, a2]
            },
            at(3)
        );
        go!(CaseCommand::Start, at(4));
        if upto == Upto::InProgress {
            continue;
        }
        if upto == Upto::Stopped {
            step!(
                CaseCommand::StopClock {
                    reason: StopReason::MaterialSupplement
                },
                at(8)
            );
            continue;
        }
        go!(
            CaseCommand::SubmitForReview {
                reviewer_ids: vec![reviewer]
            },
            at(15)
        );
        if upto == Upto::UnderReview {
            continue;
        }
        go!(
            CaseCommand::Review {
                reviewer_id: reviewer,
                agrees: true,
                opinion: "鉴定程序合规，分析说明充分，同意出具".into(),
                by: SignedBy::Staff,
            },
            at(16)
        );
        go!(
            CaseCommand::Sign {
                appraiser_id: a1,
                dissent: String::new(),
                by: SignedBy::Staff,
            },
            at(17)
        );
        if upto == Upto::Signing {
            continue;
        }
        go!(
            CaseCommand::Sign {
                appraiser_id: a2,
                dissent: String::new(),
                by: SignedBy::Staff,
            },
            at(17)
        );
        go!(CaseCommand::Seal, at(18));
        let document = pdf(&serial.to_string());
        c = step!(
            CaseCommand::Issue {
                document_sha256: String::new(),
                conclusion: demo_conclusion(&item),
            },
            Some(&document),
            at(18)
        )
        .case;
        if upto == Upto::Corrected {
            let corrected = pdf(&format!("{serial} 补正"));
            step!(
                CaseCommand::Correct {
                    signer_id: a1,
                    what: "第 3 页检验所见中的错别字".into(),
                    conclusion: demo_conclusion(&item),
                    document_sha256: None,
                },
                Some(&corrected),
                at(22)
            );
        }
        if upto == Upto::Archived {
            step!(CaseCommand::Archive, at(25));
        }
    }
    Ok(())
}

/// A few issued opinions' codes and verification keys, for trying verification.
pub async fn codes(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sijian_store::cases::opinions::first_codes(db, 3).await?;
    Ok(rows
        .into_iter()
        .map(|(c, k)| (sijian_store::cases::opinions::grouped(&c), k))
        .collect())
}

/// A valid resident ID number from its first seventeen digits (the check character that
/// parses).
fn resident_id(first17: &str) -> sijian_domain::identifiers::ResidentId {
    "0123456789X"
        .chars()
        .find_map(|c| sijian_domain::identifiers::ResidentId::parse(&format!("{first17}{c}")).ok())
        .expect("a check character fits")
}

/// One commission of the duplicate-appraisal scenario, received as a paper commission.
async fn linkage_case(
    db: &Db,
    keys: &DataKey,
    institution_id: i64,
    item: &str,
    person: (&str, Option<&str>),
    received: &str,
    serial: u32,
) -> Result<Case, StoreError> {
    let cal = WorkingCalendar::shipped();
    let policy = Policy::default();
    let received = date(received);
    let (name, id) = person;
    let new = NewCase {
        institution_id,
        organ_id: None,
        claimed_organ_id: None,
        client_name: "钱江律师事务所（代理人）".into(),
        client_kind: OrganKind::Other,
        client_contact: "0571-8700 0000".into(),
        case_number: Some((
            format!("（2026）浙0105民初{serial}号"),
            format!("2026|浙0105|民初|{serial}"),
        )),
        case_type: "civil".into(),
        items: vec![item.to_string()],
        purpose: "为人民法院审理案件提供鉴定意见".into(),
        summary: "当事人因工受伤，对伤残等级存在争议，申请司法鉴定。".into(),
        lineage: Lineage::Original,
        parent_id: None,
        same_institution_reason: None,
        received_on: received,
        persons: vec![examined_person(keys, name, id.map(resident_id))],
        materials: vec![records(&format!("{received} 10:00"))],
        attachments: Vec::new(),
    };
    cases::create(
        db,
        &Actor::system("演示数据"),
        &Scope::Institution(institution_id),
        &new,
        Ctx {
            today: received,
            cal: &cal,
            policy: &policy,
        },
    )
    .await
}

/// The duplicate-appraisal alerts of the demo, one of each level, raised by the platform's own
/// check (通则第十五条第六项): the same person (same name and identity number) commissioned
/// for the same item at a second institution while the first still holds it — certain; and the
/// same person for another item of the same kind at a third institution — possible (the
/// matter may differ, so a regulator looks).
pub async fn load_linkage(db: &Db, keys: &DataKey, first: i64) -> Result<(), StoreError> {
    let Some((item, _)) = team(db, first).await? else {
        return Ok(());
    };
    let all = registry::list_institutions_unbounded(
        db,
        &Scope::All,
        &registry::InstitutionFilter {
            item: Some(item.clone()),
            status: Some("normal".into()),
            ..Default::default()
        },
        &ListQuery::default(),
    )
    .await?;
    let others: Vec<&registry::Institution> = all.iter().filter(|i| i.id != first).collect();
    let [second, third, ..] = others.as_slice() else {
        return Ok(());
    };
    let linkage = crate::linkage::Linkage::new(&crate::config::LinkageConfig::default(), keys)
        .map_err(|e| StoreError::Config(e.to_string()))?;
    let actor = Actor::system("演示数据");
    let third_scope: Vec<String> = third.scope.split(',').map(str::to_string).collect();
    let category = item.split('.').next().unwrap_or("");
    let other_item = sijian_domain::classification::Classification::current()
        .entries()
        .iter()
        .filter(|e| e.level == sijian_domain::classification::Level::Item && e.in_force())
        .map(|e| e.code.to_string())
        .find(|c| {
            c.split('.').next() == Some(category)
                && *c != item
                && sijian_domain::procedure::covers(&third_scope, c)
        })
        .unwrap_or_else(|| item.clone());
    let person = ("周晓梅", Some("33010419850612152"));
    // Each commission is checked when it arrives, as the platform does.
    for (institution, item, received, serial) in [
        (first, &item, "2026-11-25", 6201),
        (second.id, &item, "2026-11-30", 6202),
        (third.id, &other_item, "2026-12-02", 6203),
    ] {
        let c = linkage_case(db, keys, institution, item, person, received, serial).await?;
        linkage.check(db, keys, &actor, c.id).await?;
    }
    Ok(())
}
