//! Appraisal cases on the server side, shared by the API and the pages: reading a commission
//! (checking every field at once, sealing the examined persons' identities), the procedure's
//! numbers for the case's province, and the running clock as users see it.
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::licensing::{AttachmentInput, decode_attachments};
use crate::services::{Services, today};
use serde::{Deserialize, Serialize};
use sijian_domain::calendar::{Date, WorkingCalendar};
use sijian_domain::case_number::CaseNumber;
use sijian_domain::identifiers::ResidentId;
use sijian_domain::procedure::{self, Lineage, Policy, Urgency};
use sijian_domain::role::OrganKind;
use sijian_domain::{Problems, Scope};
use sijian_store::cases::{Case, Ctx, NewCase, NewMaterial, NewPerson};
use utoipa::ToSchema;

/// Most examined persons and materials one commission lists.
const MAX_PERSONS: usize = 50;
const MAX_MATERIALS: usize = 200;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    /// Resident ID number (GB 11643), optional.
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommissionBody {
    /// The institution commissioned. Institution staff entering a paper commission: their own.
    pub institution_id: Option<i64>,
    /// The commissioning organ (an organ's own account: its own).
    pub organ_id: Option<i64>,
    /// 委托人 (the organ's name when commissioned by an organ).
    pub client_name: String,
    /// court | procuratorate | police | other
    pub client_kind: String,
    pub client_contact: String,
    /// 案号, e.g. （2026）浙0106民初1234号; normalised on input.
    pub case_number: Option<String>,
    /// civil | criminal | administrative | other
    pub case_type: String,
    /// The matter: classification item codes (2020 classification).
    pub items: Vec<String>,
    /// 鉴定用途.
    pub purpose: String,
    /// 基本案情.
    pub summary: String,
    /// original (default) | supplementary | reappraisal
    pub lineage: Option<String>,
    /// For supplementary and re-appraisal: the case whose opinion it follows — a case the
    /// caller may read, or else named by the opinion's code and verification key below.
    pub parent_id: Option<i64>,
    /// The code of the opinion a supplementary or re-appraisal follows (as printed on it).
    pub original_opinion_code: Option<String>,
    /// The verification key printed beside that code; with the code it names the original
    /// case for a caller who may not read it.
    pub original_verification_key: Option<String>,
    /// 通则第三十二条: why a re-appraisal is done at the original institution.
    pub same_institution_reason: Option<String>,
    /// Date the commission and materials were received (default today).
    pub received_on: Option<String>,
    pub persons: Vec<PersonInput>,
    #[schema(value_type = Vec<crate::schema::cases::NewMaterial>)]
    pub materials: Vec<NewMaterial>,
    pub attachments: Vec<AttachmentInput>,
}

pub const CASE_TYPES: &[(&str, &str)] = &[
    ("civil", "民事"),
    ("criminal", "刑事"),
    ("administrative", "行政"),
    ("other", "其他"),
];

/// 张三 → 张*; a one-character name stays masked entirely.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

fn lineage_of(p: &mut Problems, v: Option<&str>) -> Lineage {
    match v.unwrap_or("original") {
        "original" | "" => Lineage::Original,
        "supplementary" => Lineage::Supplementary,
        "reappraisal" => Lineage::Reappraisal,
        other => {
            p.add(
                "lineage",
                format!("未知的鉴定类型：{other}（original、supplementary 或 reappraisal）"),
            );
            Lineage::Original
        }
    }
}

/// Reads and checks a commission; every problem is reported at once.
pub fn prepare(s: &Services, a: &Caller, b: &CommissionBody) -> Result<NewCase> {
    let mut p = Problems::default();
    // Institution staff enter paper commissions: a named organ account is only claimed, the
    // case becoming the organ's when it confirms (`answer_claim`).
    let (institution_id, organ_id, claimed_organ_id) = match a.scope() {
        Scope::Institution(id) => (Some(id), None, b.organ_id),
        Scope::Organ(id) => (b.institution_id, Some(id), None),
        _ => (b.institution_id, b.organ_id, None),
    };
    if institution_id.is_none() {
        p.add("institution_id", "请选择受委托的司法鉴定机构");
    }
    let client_name = p.required("client_name", "委托人", &b.client_name, 100);
    let client_kind = OrganKind::parse(b.client_kind.trim()).unwrap_or_else(|| {
        p.add(
            "client_kind",
            "委托人类别应为 court、procuratorate、police 或 other",
        );
        OrganKind::Other
    });
    let client_contact = p.optional("client_contact", "联系方式", &b.client_contact, 100);
    let case_number = match b
        .case_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(t) => match CaseNumber::parse(t) {
            Ok(n) => Some((n.as_str().to_string(), n.key())),
            Err(e) => {
                p.add("case_number", e.to_string());
                None
            }
        },
        None => None,
    };
    if !CASE_TYPES.iter().any(|(k, _)| *k == b.case_type) {
        p.add(
            "case_type",
            "案件类型应为 civil、criminal、administrative 或 other",
        );
    }
    let items = procedure::commission_items(&mut p, &b.items);
    let purpose = p.required("purpose", "鉴定用途", &b.purpose, 500);
    let summary = p.required("summary", "基本案情", &b.summary, 5000);
    let lineage = lineage_of(&mut p, b.lineage.as_deref());
    let received_on = match b
        .received_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Date::parse(d).unwrap_or_else(|e| {
            p.add(
                "received_on",
                format!("收到委托的日期：{e}（格式 YYYY-MM-DD）"),
            );
            today()
        }),
        None => today(),
    };
    if b.persons.len() > MAX_PERSONS {
        p.add("persons", format!("被鉴定人最多 {MAX_PERSONS} 名"));
    }
    let mut persons = Vec::new();
    for (n, x) in b.persons.iter().enumerate() {
        let name = x.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            p.add(
                "persons",
                format!("第{}名被鉴定人：请填写姓名（不超过 50 字）", n + 1),
            );
            continue;
        }
        let id = match x
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(v) => match ResidentId::parse(v) {
                Ok(r) => Some(s.keys.seal_resident_id(&r)),
                Err(e) => {
                    p.add("persons", format!("第{}名被鉴定人：{e}", n + 1));
                    None
                }
            },
            None => None,
        };
        persons.push(NewPerson {
            name_sealed: s.keys.seal(name),
            name_masked: mask_name(name),
            name_hash: s.keys.hash("person_name", name),
            id,
        });
    }
    if b.materials.len() > MAX_MATERIALS {
        p.add("materials", format!("鉴定材料最多 {MAX_MATERIALS} 项"));
    }
    let materials: Vec<procedure::MaterialRecord<'_>> = b
        .materials
        .iter()
        .map(|m| procedure::MaterialRecord {
            name: &m.name,
            kind: &m.kind,
            quantity: &m.quantity,
            condition: &m.condition,
            storage: &m.storage,
            received_at: &m.received_at,
        })
        .collect();
    // 第十二条: an institution entering a commission has the materials in hand and records all
    // six facts; an organ describes what it sends and the institution records the rest on
    // receipt (`StepInput::RecordMaterials`).
    let at_receipt = a.role().is_institution_staff();
    procedure::material_problems(&mut p, &materials, at_receipt);
    let attachments = match decode_attachments(&b.attachments) {
        Ok(v) => v,
        Err(e) => {
            for f in e.fields {
                p.add(&f.field, f.message);
            }
            Vec::new()
        }
    };
    if !p.is_empty() {
        return Err(Error::validation(p.0));
    }
    Ok(NewCase {
        institution_id: institution_id.unwrap_or_default(),
        organ_id,
        claimed_organ_id,
        client_name,
        client_kind,
        client_contact,
        case_number,
        case_type: b.case_type.clone(),
        items,
        purpose,
        summary,
        lineage,
        parent_id: b.parent_id,
        same_institution_reason: b.same_institution_reason.clone(),
        received_on,
        persons,
        materials: b.materials.clone(),
        attachments: attachments
            .into_iter()
            .map(|f| ("commission".to_string(), f))
            .collect(),
    })
}

/// Today, the calendar and the procedure numbers for cases at an institution in `region_path`.
pub struct Env {
    pub today: Date,
    pub cal: std::sync::Arc<WorkingCalendar>,
    pub policy: Policy,
}

impl Env {
    pub async fn load(s: &Services, region_path: &str) -> Result<Env> {
        Ok(Env {
            today: today(),
            cal: s.calendar.current(&s.db).await?,
            policy: s.cfg.procedure.for_path(region_path),
        })
    }
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            today: self.today,
            cal: &self.cal,
            policy: &self.policy,
        }
    }
}

impl Env {
    /// A list filter for a work queue and stage, with today and the due-soon horizon.
    pub fn filter(
        &self,
        queue: Option<String>,
        stage: Option<String>,
    ) -> sijian_store::cases::CaseFilter {
        sijian_store::cases::CaseFilter {
            stage,
            queue,
            today: Some(self.today.to_string()),
            due_soon_until: self
                .cal
                .reckon_add_working_days(self.today, self.policy.due_soon_days)
                .map(|d| d.value.to_string())
                .ok(),
            ..Default::default()
        }
    }
}

/// Who sees an opinion's verification key: the issuing institution (it prints it), the
/// commissioning organ, administrators.
pub fn may_see_key(role: sijian_domain::Role) -> bool {
    role.is_institution_staff()
        || matches!(
            role,
            sijian_domain::Role::Organ | sijian_domain::Role::Admin
        )
}

/// Labels of stored reason codes (`a,b`), joined for display.
pub fn reason_labels<T: Copy>(
    codes: &str,
    parse: impl Fn(&str) -> Option<T>,
    label: impl Fn(T) -> &'static str,
) -> String {
    codes
        .split(',')
        .filter_map(parse)
        .map(label)
        .collect::<Vec<_>>()
        .join("；")
}

/// The running deadline as the list and the case page show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseClock {
    /// accept | complete | none | unknown (a year the calendar cannot count at all)
    pub deadline: String,
    pub due_on: Option<String>,
    /// `due_on` is provisional: it counted a year whose State Council holiday table is not
    /// loaded yet (from the statutory holidays, without make-up working days), and is
    /// recomputed when the table is loaded.
    pub due_provisional: bool,
    /// Working days left; negative when overdue.
    pub days_left: Option<i64>,
    /// on_time | due_soon | overdue | none
    pub urgency: String,
    /// Chinese, e.g. 完成期限 2026-04-16，还剩 12 个工作日.
    pub text: String,
}

/// Written after a provisional date.
pub const PROVISIONAL_MARK: &str = "（暂定）";

/// The clock of a stored case, from its stored deadline.
pub fn clock_of(c: &Case, today: Date, cal: &WorkingCalendar, policy: &Policy) -> CaseClock {
    let none = |deadline: &str, text: &str| CaseClock {
        deadline: deadline.into(),
        due_on: None,
        due_provisional: false,
        days_left: None,
        urgency: "none".into(),
        text: text.into(),
    };
    if c.deadline == "unknown" {
        return none("unknown", "工作日历缺少所需年份，期限暂无法计算");
    }
    let Some(due) = c.due_on else {
        return none("none", "");
    };
    let days = if today <= due {
        cal.reckon_working_days_between(today, due)
            .map(|d| d.value as i64)
    } else {
        cal.reckon_working_days_between(due, today)
            .map(|d| -(d.value as i64))
    };
    let Ok(days) = days else {
        return none("unknown", "工作日历缺少所需年份，期限暂无法计算");
    };
    let urgency = if days < 0 {
        Urgency::Overdue
    } else if days <= policy.due_soon_days as i64 {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    };
    let label = if c.deadline == "accept" {
        "受理期限"
    } else {
        "完成期限"
    };
    let stopped = if c.stage() == procedure::Stage::ClockStopped {
        "（中止计时中）"
    } else {
        ""
    };
    let mark = if c.due_provisional {
        PROVISIONAL_MARK
    } else {
        ""
    };
    let text = if days < 0 {
        format!("{label} {due}{mark}，已逾期 {} 个工作日{stopped}", -days)
    } else {
        format!("{label} {due}{mark}，还剩 {days} 个工作日{stopped}")
    };
    CaseClock {
        deadline: c.deadline.clone(),
        due_on: Some(due.to_string()),
        due_provisional: c.due_provisional,
        days_left: Some(days),
        urgency: match urgency {
            Urgency::OnTime => "on_time",
            Urgency::DueSoon => "due_soon",
            Urgency::Overdue => "overdue",
        }
        .into(),
        text,
    }
}

// ---------------------------------------------------------------------------------------------
// Steps: one dispatcher for the API and the pages
// ---------------------------------------------------------------------------------------------

use sijian_domain::Action;
use sijian_domain::procedure::{
    Appearance, CaseCommand, RefusalReason, StopReason, TerminationReason,
};
use sijian_store::cases::NewAttachment;
use sijian_store::cases::steps::{self, Issued, SignedBy};

/// One step of the procedure with its parsed input.
#[derive(Debug, Clone)]
pub enum StepInput {
    Accept,
    /// 第十二条: the institution's check of the materials the client sent.
    RecordMaterials {
        receipts: Vec<procedure::MaterialReceipt>,
    },
    AgreeAcceptDate {
        date: Date,
        agreement: String,
    },
    Refuse {
        reasons: Vec<RefusalReason>,
        explanation: String,
        materials_returned: bool,
    },
    Contract {
        effective_on: Option<Date>,
        is_reappraisal: bool,
        agreed_complete_by: Option<Date>,
        contract: Option<NewAttachment>,
    },
    Assign {
        appraiser_ids: Vec<i64>,
    },
    Conflict {
        appraiser_id: i64,
        kind: String,
        detail: String,
    },
    Recusal {
        appraiser_id: i64,
        granted: bool,
        decision: String,
    },
    Start,
    StopClock {
        reason: StopReason,
    },
    ResumeClock,
    Extend {
        days: u32,
        reason: String,
        client_notified: bool,
    },
    Terminate {
        reasons: Vec<TerminationReason>,
        explanation: String,
        materials_returned: bool,
    },
    RequestReview {
        reviewer_ids: Vec<i64>,
    },
    Review {
        reviewer_id: Option<i64>,
        agrees: bool,
        opinion: String,
    },
    Sign {
        appraiser_id: Option<i64>,
        dissent: String,
    },
    Seal,
    Issue {
        document: NewAttachment,
        conclusion: ConclusionBody,
    },
    Archive,
    Correct {
        signer_id: i64,
        what: String,
        conclusion: ConclusionBody,
        document: Option<NewAttachment>,
    },
    RevokeOpinion {
        reason: String,
    },
    NotifyAppearance {
        appraiser_ids: Vec<i64>,
        court: String,
        hearing_on: Date,
    },
    RecordAppearance {
        appearance_id: i64,
        outcome: Appearance,
        note: String,
    },
}

impl StepInput {
    /// What the caller's role must be allowed to do.
    pub fn action(&self) -> Action {
        match self {
            StepInput::Review { .. } | StepInput::Sign { .. } => Action::SignOpinion,
            StepInput::RevokeOpinion { .. } => Action::RevokeOpinion,
            _ => Action::HandleCase,
        }
    }
}

/// An opinion's conclusion as entered (通则第四十一条): its kind — `injury_degree` (1.02.01),
/// `disability_grade` (1.02.02), `parentage` (1.04.02, 1.04.03) or `text` — and one value: a
/// degree (`below_minor`, `minor`, `light_2`, `light_1`, `serious_2`, `serious_1`), a grade
/// 1–10, `supported` or `excluded`, or the words.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConclusionBody {
    pub kind: String,
    pub value: String,
}

impl ConclusionBody {
    pub fn read(&self) -> Result<sijian_domain::conclusion::Conclusion> {
        sijian_domain::conclusion::Conclusion::parse(sijian_domain::conclusion::ConclusionInput {
            kind: &self.kind,
            value: &self.value,
        })
        .map_err(|e| Error::field("conclusion", e))
    }
}

/// Whom a signature or review is for: an appraiser's account acts for itself only; staff
/// record a signature made on paper.
fn signer(a: &Caller, given: Option<i64>) -> Result<(i64, SignedBy)> {
    match (a.role(), a.principal.appraiser_id, given) {
        (sijian_domain::Role::Appraiser, Some(me), None) => Ok((me, SignedBy::Appraiser(me))),
        (sijian_domain::Role::Appraiser, Some(me), Some(x)) => Ok((x, SignedBy::Appraiser(me))),
        (r, _, Some(x)) if r.is_institution_staff() => Ok((x, SignedBy::Staff)),
        _ => Err(Error::field("appraiser_id", "请指明鉴定人")),
    }
}

/// The paper commissions institutions say came from the signed-in organ, awaiting its answer.
pub async fn claims(
    s: &Services,
    a: &Caller,
    q: &sijian_store::ListQuery,
) -> Result<sijian_store::Page<sijian_store::cases::claims::Claim>> {
    let Scope::Organ(organ) = a.scope() else {
        return Err(Error::forbidden());
    };
    Ok(sijian_store::cases::claims::pending(&s.db, organ, q).await?)
}

/// One claim awaiting the signed-in organ's answer; not found when there is none for it.
pub async fn claim(
    s: &Services,
    a: &Caller,
    case_id: i64,
) -> Result<sijian_store::cases::claims::Claim> {
    let Scope::Organ(organ) = a.scope() else {
        return Err(Error::forbidden());
    };
    sijian_store::cases::claims::get(&s.db, organ, case_id)
        .await?
        .ok_or_else(Error::not_found)
}

/// The signed-in organ confirms a paper commission as its own (the case joins its list and its
/// webhook is told of every step from now on) or declines it (the claim is withdrawn). A claim
/// not made for this organ, or already answered, is not found.
pub async fn answer_claim(s: &Services, a: &Caller, case_id: i64, confirm: bool) -> Result<Case> {
    a.require_write(Action::CommissionCase)?;
    let Scope::Organ(organ) = a.scope() else {
        return Err(Error::forbidden());
    };
    Ok(sijian_store::cases::claims::answer(&s.db, &a.actor(), organ, case_id, confirm).await?)
}

/// A court, procuratorate or police organ commissions a case online, or institution staff
/// enter a paper commission: every field checked at once, the case stored with its first event,
/// then checked against every other case on the platform (多头、重复鉴定).
pub async fn commission(s: &Services, a: &Caller, b: &CommissionBody) -> Result<Case> {
    a.require_write(Action::CommissionCase)?;
    let b = &parties(s, a, b).await?;
    let n = prepare(s, a, b)?;
    let env = Env::load(s, "").await?;
    let c = sijian_store::cases::create(&s.db, &a.actor(), &a.scope(), &n, env.ctx()).await?;
    crate::linkage::after_commission(s, &a.actor(), c.id).await;
    Ok(c)
}

/// Who commissions and what opinion the commission follows, taken from what the platform
/// knows rather than from the request (issue 14, point 6):
/// - an organ commissions as itself: the client's name and kind are the organ's own (a
///   legal-aid centre cannot present itself as a court to obtain a re-appraisal, which
///   通则第三十一条 reserves to case-handling organs);
/// - a paper commission entered by institution staff names its client in words, and may name the
///   organ's account it came from; that organ must confirm it before the case is in its list or
///   fires its webhook (`answer_claim`);
/// - the original case of a supplementary or re-appraisal is one the caller may read, or is
///   named by its opinion code together with the verification key printed on the opinion.
async fn parties(s: &Services, a: &Caller, b: &CommissionBody) -> Result<CommissionBody> {
    let mut b = b.clone();
    match a.scope() {
        Scope::Organ(id) => {
            let (name, kind) = sijian_store::cases::organ_client(&s.db, id)
                .await?
                .ok_or_else(Error::not_found)?;
            b.organ_id = Some(id);
            b.client_name = name;
            b.client_kind = kind;
        }
        Scope::Institution(_) => {
            if let Some(id) = b.organ_id
                && sijian_store::cases::organ_client(&s.db, id)
                    .await?
                    .is_none()
            {
                return Err(Error::field("organ_id", "未找到该办案机关"));
            }
        }
        _ => {}
    }
    let code = b
        .original_opinion_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(code) = code {
        let key = b.original_verification_key.as_deref().unwrap_or("");
        let wrong = || {
            Error::field(
                "original_opinion_code",
                "原鉴定意见书编码或核验码不正确（均以意见书上印制的为准）",
            )
        };
        let code = sijian_domain::opinion_code::OpinionCode::parse(code).map_err(|_| wrong())?;
        let o = sijian_store::cases::opinions::by_code(&s.db, &code)
            .await?
            .ok_or_else(wrong)?;
        let key = crate::verification::normalise_key(key);
        if !crate::secrets::same_secret(&key, &o.verification_key) {
            return Err(wrong());
        }
        b.parent_id = Some(o.case_id);
    } else if let Some(parent) = b.parent_id {
        // Only a case the caller may read; otherwise ids, stages and codes could be probed.
        if sijian_store::cases::get(&s.db, &a.scope(), parent)
            .await
            .is_err()
        {
            return Err(Error::field(
                "parent_id",
                "找不到该原鉴定案件，或您无权查看；请改填原鉴定意见书编码及核验码",
            ));
        }
    }
    Ok(b)
}

/// The case `id` if the caller may take a step needing `action` on it: a refusal (403, or 404
/// out of scope) comes before any of the step's input is read, so a refused caller is told and
/// logged as refused whatever they sent (issue 14, point 20: the access matrix).
/// The keyed hashes an examined person is stored under that `text` may be: the resident ID
/// number it spells (checked), and the full name it is. A search never holds the person in clear.
pub fn person_hashes(s: &Services, text: &str) -> Vec<String> {
    let text = text.trim();
    let mut out = Vec::new();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(id) = sijian_domain::identifiers::ResidentId::parse(&compact) {
        out.push(s.keys.seal_resident_id(&id).hash);
    }
    let name_chars = text.chars().count();
    if (2..=50).contains(&name_chars) && !text.chars().any(|c| c.is_ascii_digit()) {
        out.push(s.keys.hash("person_name", text));
    }
    out
}

/// Longest note of a request for review, in characters (as a step's free text).
const MAX_REVIEW_NOTE_CHARS: usize = 2000;

/// The institution asks the region's regulators to check the duplicate-appraisal alerts that
/// hold a case's acceptance back (通则第十五条第六项), saying why; the regulators are told.
pub async fn request_linkage_review(
    s: &Services,
    a: &Caller,
    id: i64,
    note: &str,
) -> Result<usize> {
    reach(s, a, id, Action::HandleCase).await?;
    let note = note.trim();
    if note.is_empty() || note.chars().count() > MAX_REVIEW_NOTE_CHARS {
        return Err(Error::field(
            "note",
            format!("请说明请求核查的理由（不超过 {MAX_REVIEW_NOTE_CHARS} 字）"),
        ));
    }
    Ok(sijian_store::linkage::request_review(&s.db, &a.actor(), &a.scope(), id, note).await?)
}

pub async fn reach(s: &Services, a: &Caller, id: i64, action: Action) -> Result<Case> {
    a.require_write(action)?;
    Ok(sijian_store::cases::get(&s.db, &a.scope(), id).await?)
}

/// Runs one step on a case the caller may act on, at the version they saw. Returns the case as
/// it now is, and for an issue the code and key.
pub async fn apply(
    s: &Services,
    a: &Caller,
    id: i64,
    version: i64,
    input: StepInput,
) -> Result<(Case, Option<Issued>)> {
    let current = reach(s, a, id, input.action()).await?;
    let env = Env::load(s, &current.region_path).await?;
    let (actor, scope) = (&a.actor(), &a.scope());
    let at = steps::At {
        actor,
        scope,
        id,
        version,
        ctx: env.ctx(),
    };
    if matches!(input, StepInput::Accept) {
        // 通则第十五条第六项: check against every other institution's cases first; the
        // store's acceptance reads the resulting alerts.
        s.linkage.check(&s.db, &s.keys, actor, id).await?;
    }
    let (command, file) = command_of(a, input, env.today)?;
    let out = steps::run(&s.db, &at, command, file.as_ref()).await?;
    Ok((out.case, out.issued))
}

/// The domain's command for a step, and the file it carries.
fn command_of(
    a: &Caller,
    input: StepInput,
    today: Date,
) -> Result<(CaseCommand, Option<NewAttachment>)> {
    use CaseCommand as C;
    Ok(match input {
        StepInput::Accept => (C::Accept, None),
        StepInput::RecordMaterials { receipts } => (C::RecordMaterials { receipts }, None),
        StepInput::AgreeAcceptDate { date, agreement } => {
            (C::AgreeAcceptDate { date, agreement }, None)
        }
        StepInput::Refuse {
            reasons,
            explanation,
            materials_returned,
        } => (
            C::Refuse {
                reasons,
                explanation,
                materials_returned,
            },
            None,
        ),
        StepInput::Contract {
            effective_on,
            is_reappraisal,
            agreed_complete_by,
            contract,
        } => (
            C::SignContract {
                effective_on: effective_on.unwrap_or(today),
                declares_reappraisal: is_reappraisal,
                agreed_complete_by,
                contract_sha256: None,
            },
            contract,
        ),
        StepInput::Assign { appraiser_ids } => (C::Assign { appraiser_ids }, None),
        StepInput::Conflict {
            appraiser_id,
            kind,
            detail,
        } => (
            C::DeclareConflict {
                appraiser_id,
                kind,
                detail,
            },
            None,
        ),
        StepInput::Recusal {
            appraiser_id,
            granted,
            decision,
        } => (
            C::DecideRecusal {
                appraiser_id,
                granted,
                decision,
            },
            None,
        ),
        StepInput::Start => (C::Start, None),
        StepInput::StopClock { reason } => (C::StopClock { reason }, None),
        StepInput::ResumeClock => (C::ResumeClock, None),
        StepInput::Extend {
            days,
            reason,
            client_notified,
        } => (
            C::Extend {
                days,
                reason,
                head_approved: a.role().may(Action::ApproveExtension),
                client_notified,
            },
            None,
        ),
        StepInput::Terminate {
            reasons,
            explanation,
            materials_returned,
        } => (
            C::Terminate {
                reasons,
                explanation,
                materials_returned,
            },
            None,
        ),
        StepInput::RequestReview { reviewer_ids } => (C::SubmitForReview { reviewer_ids }, None),
        StepInput::Review {
            reviewer_id,
            agrees,
            opinion,
        } => {
            let (reviewer_id, by) = signer(a, reviewer_id)?;
            (
                C::Review {
                    reviewer_id,
                    agrees,
                    opinion,
                    by,
                },
                None,
            )
        }
        StepInput::Sign {
            appraiser_id,
            dissent,
        } => {
            let (appraiser_id, by) = signer(a, appraiser_id)?;
            (
                C::Sign {
                    appraiser_id,
                    dissent,
                    by,
                },
                None,
            )
        }
        StepInput::Seal => (C::Seal, None),
        StepInput::Issue {
            document,
            conclusion,
        } => {
            let conclusion = conclusion.read()?;
            if document.content_type != "application/pdf" {
                return Err(Error::field("document", "鉴定意见书须为 PDF 文件"));
            }
            (
                C::Issue {
                    document_sha256: String::new(),
                    conclusion,
                },
                Some(document),
            )
        }
        StepInput::Archive => (C::Archive, None),
        StepInput::Correct {
            signer_id,
            what,
            conclusion,
            document,
        } => (
            C::Correct {
                signer_id,
                what,
                conclusion: conclusion.read()?,
                document_sha256: None,
            },
            document,
        ),
        StepInput::RevokeOpinion { reason } => (C::Revoke { reason }, None),
        StepInput::NotifyAppearance {
            appraiser_ids,
            court,
            hearing_on,
        } => (
            C::NotifyAppearance {
                appraiser_ids,
                court,
                hearing_on,
            },
            None,
        ),
        StepInput::RecordAppearance {
            appearance_id,
            outcome,
            note,
        } => (
            C::RecordAppearance {
                appearance_id,
                outcome,
                note,
            },
            None,
        ),
    })
}

/// A date field: YYYY-MM-DD.
pub fn date_field(field: &str, v: &str) -> Result<Date> {
    Date::parse(v.trim()).map_err(|e| Error::field(field, format!("{e}（格式 YYYY-MM-DD）")))
}

/// An optional date field (empty = none).
pub fn opt_date_field(field: &str, v: Option<&str>) -> Result<Option<Date>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => date_field(field, v).map(Some),
        None => Ok(None),
    }
}

/// Codes of a closed list; an unknown one names itself.
pub fn parse_all<T>(
    field: &str,
    v: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>> {
    v.iter()
        .map(|x| parse(x.trim()).ok_or_else(|| Error::field(field, format!("未知的情形：{x}"))))
        .collect()
}

/// Runs the deadline sweeper until the process ends (every node; the work is idempotent).
pub async fn sweeper(s: Services) {
    let minutes = s.cfg.procedure.sweep_minutes.max(1);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let cal = match s.calendar.current(&s.db).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "deadline sweep skipped");
                continue;
            }
        };
        let cfg = s.cfg.clone();
        match sijian_store::cases::sweep(&s.db, today(), &cal, |p| cfg.procedure.for_path(p)).await
        {
            Ok(r) if r.raised + r.cleared + r.refreshed > 0 => {
                tracing::info!(
                    raised = r.raised,
                    cleared = r.cleared,
                    refreshed = r.refreshed,
                    "deadline sweep"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
        }
    }
}
