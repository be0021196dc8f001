//! Appraisal cases over JSON: commission, every step of the procedure (通则), files, and the
//! coded opinion. Each step takes the `version` the caller last saw: a stale version is 409.
use super::schema;
use super::{Paging, nonempty};
use crate::auth::{ApiUser, Authed};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sijian_domain::procedure::{Appearance, RefusalReason, StopReason, TerminationReason};
use sijian_domain::{Action, Scope};
use sijian_service::cases::{
    CaseClock, CommissionBody, Env, StepInput, apply, clock_of, date_field, opt_date_field,
    parse_all, reach,
};
use sijian_service::licensing::{AttachmentInput, decode_attachments};
use sijian_store::cases::{self, Case, CaseParts, NewAttachment, opinions};
use sijian_store::list::Page;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItem {
    #[serde(flatten)]
    #[schema(value_type = schema::cases::Case)]
    pub case: Case,
    pub clock: CaseClock,
}

/// The coded opinion as its case shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpinionView {
    /// Grouped, e.g. 330000-2026-1-0000001-5.
    pub code: String,
    pub document_sha256: String,
    /// Only for the issuing institution and the commissioning organ (printed beside the code).
    pub verification_key: Option<String>,
    pub issued_on: String,
    /// valid | corrected | revoked
    pub status: String,
    pub version: i64,
    pub event_id: i64,
    /// The conclusion recorded at issue (通则第四十一条); none for an opinion issued before
    /// conclusions were recorded.
    pub conclusion: Option<ConclusionView>,
}

/// A recorded conclusion: kind and value as entered, and as read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConclusionView {
    pub kind: String,
    pub value: String,
    pub label: String,
}

impl ConclusionView {
    pub fn of(c: &sijian_domain::conclusion::Conclusion) -> Self {
        ConclusionView {
            kind: c.kind().into(),
            value: c.value(),
            label: c.label_zh(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    #[schema(value_type = schema::cases::Case)]
    pub case: Case,
    pub clock: CaseClock,
    #[serde(flatten)]
    #[schema(value_type = schema::cases::CaseParts)]
    pub parts: CaseParts,
    pub opinion: Option<OpinionView>,
    /// Record-linkage result (多头、重复鉴定核查) as checked at commission and acceptance.
    pub linkage: sijian_service::linkage::CheckResult,
}

async fn detail(s: &AppState, a: &Authed, c: Case, env: &Env) -> AppResult<CaseDetail> {
    let parts = cases::parts(&s.db, &Scope::All, c.id).await?;
    let clock = clock_of(&c, env.today, &env.cal, &env.policy);
    let may_see_key = sijian_service::cases::may_see_key(a.role());
    let opinion = opinions::by_case(&s.db, c.id).await?.map(|o| {
        let conclusion = o.conclusion().as_ref().map(ConclusionView::of);
        OpinionView {
            code: opinions::grouped(&o.code),
            document_sha256: o.document_sha256,
            verification_key: may_see_key.then_some(o.verification_key),
            issued_on: o.issued_on.to_string(),
            status: o.status,
            version: o.version,
            event_id: o.event_id,
            conclusion,
        }
    });
    let linkage = sijian_service::linkage::Linkage::stored(&s.db, c.id)
        .await?
        .seen_by(a.role());
    Ok(CaseDetail {
        case: c,
        clock,
        parts,
        opinion,
        linkage,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// A stage: received, accepted, refused, contracted, assigned, in_progress, clock_stopped,
    /// under_review, signing, sealed, issued, archived, terminated.
    pub stage: Option<String>,
    /// A work queue: to_accept | due_soon | overdue | to_review | to_sign | open.
    pub queue: Option<String>,
}

/// Cases in the caller's scope, each with its running deadline. Sort keys: received, due,
/// stage, client, updated.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseParams, Paging),
    responses((status = 200, body = schema::list::Page<CaseItem>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<CaseParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<CaseItem>>> {
    a.require(Action::ViewCases)?;
    Ok(Json(list_items(&s, &a, &p, &paging).await?))
}

pub async fn list_items(
    s: &AppState,
    a: &Authed,
    p: &CaseParams,
    paging: &Paging,
) -> AppResult<Page<CaseItem>> {
    let env = Env::load(s, "").await?;
    let f = env.filter(nonempty(&p.queue), nonempty(&p.stage));
    let page = cases::list(&s.db, &a.scope(), &f, &paging.query()).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|c| {
                let policy = s.cfg.procedure.for_path(&c.region_path);
                CaseItem {
                    clock: clock_of(&c, env.today, &env.cal, &policy),
                    case: c,
                }
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        total_capped: page.total_capped,
    })
}

/// Commission an appraisal (委托): online by a commissioning organ, or a paper commission
/// entered by the institution. Examined persons' names and ID numbers are stored sealed and
/// shown masked; every material needs the six facts of 通则第十二条.
#[utoipa::path(post, path = "/cases", tag = "cases", request_body = CommissionBody,
    responses((status = 201, body = CaseDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn commission(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<CommissionBody>,
) -> AppResult<(StatusCode, Json<CaseDetail>)> {
    let c = sijian_service::cases::commission(&s, &a, &b).await?;
    let env = Env::load(&s, &c.region_path).await?;
    Ok((StatusCode::CREATED, Json(detail(&s, &a, c, &env).await?)))
}

/// One case with its persons (masked), materials, files, appraisers, reviews, clock stops,
/// court appearances, follow-up cases and coded opinion.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CaseDetail>> {
    a.require(Action::ViewCases)?;
    let c = cases::get(&s.db, &a.scope(), id).await?;
    let env = Env::load(&s, &c.region_path).await?;
    Ok(Json(detail(&s, &a, c, &env).await?))
}

/// One file of a case.
#[utoipa::path(get, path = "/cases/{id}/files/{file_id}", tag = "cases", params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "文件内容"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn file(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, file_id)): ApiPath<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    a.require(Action::ViewCases)?;
    let (name, content_type, data) = cases::file_data(&s.db, &a.scope(), id, file_id).await?;
    Ok(crate::responses::download(&name, content_type, data))
}

/// Runs one step and answers with the case as it now is. The caller's access to a step needing
/// `action` on the case is checked before `input` reads the body (`reach`); `apply` checks it
/// again against the step the input turned out to be.
async fn step(
    s: &AppState,
    a: &Authed,
    id: i64,
    version: i64,
    action: Action,
    input: impl FnOnce() -> AppResult<StepInput>,
) -> AppResult<Json<CaseDetail>> {
    reach(s, a, id, action).await?;
    let (c, _) = apply(s, a, id, version, input()?).await?;
    let env = Env::load(s, &c.region_path).await?;
    Ok(Json(detail(s, a, c, &env).await?))
}

fn one_file(f: &Option<AttachmentInput>) -> AppResult<Option<NewAttachment>> {
    match f {
        Some(f) => Ok(decode_attachments(std::slice::from_ref(f))?.pop()),
        None => Ok(None),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: i64,
}

macro_rules! simple_step {
    ($name:ident, $path:literal, $doc:literal, $input:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "cases", params(("id" = i64, Path)), request_body = VersionBody,
            responses((status = 200, body = CaseDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
        pub async fn $name(
            State(s): State<AppState>,
            ApiUser(a): ApiUser,
            ApiPath(id): ApiPath<i64>,
            ApiJson(b): ApiJson<VersionBody>,
        ) -> AppResult<Json<CaseDetail>> {
            step(&s, &a, id, b.version, Action::HandleCase, || Ok($input)).await
        }
    };
}

simple_step!(
    accept,
    "/cases/{id}/accept",
    "Accept (通则第十三、十四条); a decision after the 7-working-day period is recorded as late.",
    StepInput::Accept
);
simple_step!(
    start,
    "/cases/{id}/start",
    "Start the appraisal once the appraisers are assigned.",
    StepInput::Start
);
simple_step!(
    resume_clock,
    "/cases/{id}/resume-clock",
    "Resume the completion clock (通则第二十八条).",
    StepInput::ResumeClock
);
simple_step!(
    seal,
    "/cases/{id}/seal",
    "Seal with the institution's appraisal seal once every appraiser has signed (通则第三十七、三十八条).",
    StepInput::Seal
);
simple_step!(
    archive,
    "/cases/{id}/archive",
    "Archive an issued opinion (通则第四十二条).",
    StepInput::Archive
);

/// A step whose JSON body turns into its input (with the version beside it).
macro_rules! body_step {
    ($name:ident, $path:literal, $doc:literal, $body:ty, |$b:ident| $input:expr) => {
        body_step!($name, $path, $doc, $body, Action::HandleCase, |$b| $input);
    };
    ($name:ident, $path:literal, $doc:literal, $body:ty, $action:expr, |$b:ident| $input:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "cases", params(("id" = i64, Path)), request_body = $body,
            responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
        pub async fn $name(
            State(s): State<AppState>,
            ApiUser(a): ApiUser,
            ApiPath(id): ApiPath<i64>,
            ApiJson($b): ApiJson<$body>,
        ) -> AppResult<Json<CaseDetail>> {
            step(&s, &a, id, $b.version, $action, || Ok($input)).await
        }
    };
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreeBody {
    pub version: i64,
    /// The agreed acceptance date, YYYY-MM-DD.
    pub date: String,
    /// How it was agreed with the client.
    pub agreement: String,
}

body_step!(
    agree_accept_date,
    "/cases/{id}/agree-accept-date",
    "Record a later acceptance date agreed with the client for a complex matter (通则第十三条).",
    AgreeBody,
    |b| StepInput::AgreeAcceptDate {
        date: date_field("date", &b.date)?,
        agreement: b.agreement.clone()
    }
);

/// One material as the institution found it on receipt (通则第十二条).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialReceiptBody {
    /// The material's `id` in the case's `materials`.
    pub material_id: i64,
    /// 性状.
    pub condition: String,
    /// 保存状况.
    pub storage: String,
    /// 收到时间, e.g. `2026-09-01 09:30`.
    pub received_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordMaterialsBody {
    pub version: i64,
    /// Every material still to be recorded (those with an empty `condition`, `storage` or
    /// `received_at`).
    pub materials: Vec<MaterialReceiptBody>,
}

body_step!(
    record_materials,
    "/cases/{id}/record-materials",
    "Record the condition, storage and time of receipt of the materials an organ sent (通则第十二条); required before acceptance.",
    RecordMaterialsBody,
    |b| StepInput::RecordMaterials {
        receipts: b
            .materials
            .iter()
            .map(|m| sijian_domain::procedure::MaterialReceipt {
                material_id: m.material_id,
                condition: m.condition.clone(),
                storage: m.storage.clone(),
                received_at: m.received_at.clone(),
            })
            .collect()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    pub version: i64,
    /// Grounds of 通则第十五条: out_of_scope, materials, unlawful_purpose,
    /// non_conforming_request, beyond_capability, concurrent_commission, other.
    pub reasons: Vec<String>,
    /// The reasons explained to the client (通则第十七条).
    pub explanation: String,
    /// The materials were returned (通则第十七条).
    pub materials_returned: bool,
}

body_step!(
    refuse,
    "/cases/{id}/refuse",
    "Refuse (不予受理) on the grounds of 通则第十五条, explaining and returning the materials.",
    RefuseBody,
    |b| StepInput::Refuse {
        reasons: parse_all("reasons", &b.reasons, RefusalReason::parse)?,
        explanation: b.explanation.clone(),
        materials_returned: b.materials_returned,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractBody {
    pub version: i64,
    /// The day the commission contract takes effect (default today).
    pub effective_on: Option<String>,
    /// Whether the contract states this is a re-appraisal (通则第十六条).
    pub is_reappraisal: bool,
    /// A completion date agreed with the client (通则第二十八条).
    pub agreed_complete_by: Option<String>,
    /// The signed 司法鉴定委托书.
    pub contract: Option<AttachmentInput>,
}

body_step!(
    contract,
    "/cases/{id}/contract",
    "The commission contract takes effect (通则第十六条); the 30-working-day clock starts.",
    ContractBody,
    |b| StepInput::Contract {
        effective_on: opt_date_field("effective_on", b.effective_on.as_deref())?,
        is_reappraisal: b.is_reappraisal,
        agreed_complete_by: opt_date_field("agreed_complete_by", b.agreed_complete_by.as_deref())?,
        contract: one_file(&b.contract)?,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    pub version: i64,
    /// The appraisers, at least two (通则第十九条).
    pub appraiser_ids: Vec<i64>,
}

body_step!(
    assign,
    "/cases/{id}/assign",
    "Assign the appraisers (通则第十八至二十条; 第三十条 for supplementary, 第三十二条 for re-appraisals).",
    AssignBody,
    |b| StepInput::Assign {
        appraiser_ids: b.appraiser_ids.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictBody {
    pub version: i64,
    pub appraiser_id: i64,
    /// same_matter_before | consultant | expert_witness | relation
    pub kind: String,
    #[serde(default)]
    pub detail: String,
}

body_step!(
    declare_conflict,
    "/cases/{id}/conflicts",
    "Declare a ground for recusal of one appraiser (通则第二十条).",
    ConflictBody,
    |b| StepInput::Conflict {
        appraiser_id: b.appraiser_id,
        kind: b.kind.clone(),
        detail: b.detail.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalBody {
    pub version: i64,
    pub appraiser_id: i64,
    pub granted: bool,
    /// The institution's decision and its reasons (通则第二十一条).
    pub decision: String,
}

body_step!(
    recusal,
    "/cases/{id}/recusal",
    "Decide a recusal request (通则第二十一条).",
    RecusalBody,
    |b| StepInput::Recusal {
        appraiser_id: b.appraiser_id,
        granted: b.granted,
        decision: b.decision.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopBody {
    pub version: i64,
    /// material_supplement (通则第二十八条) | witness_absent (通则第二十五条)
    pub reason: String,
}

body_step!(
    stop_clock,
    "/cases/{id}/stop-clock",
    "Stop the completion clock while materials are supplemented or a witness is absent.",
    StopBody,
    |b| StepInput::StopClock {
        reason: StopReason::parse(b.reason.trim()).ok_or_else(|| AppError::field(
            "reason",
            "中止计时的原因应为 material_supplement 或 witness_absent"
        ))?,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    pub version: i64,
    /// Working days, at most 30 (通则第二十八条).
    pub days: u32,
    pub reason: String,
    /// The client has been told (延长鉴定时限告知书).
    pub client_notified: bool,
}

body_step!(
    extend,
    "/cases/{id}/extend",
    "Extend the time limit once; only the head of the institution approves (通则第二十八条).",
    ExtendBody,
    |b| StepInput::Extend {
        days: b.days,
        reason: b.reason.clone(),
        client_notified: b.client_notified
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateBody {
    pub version: i64,
    /// Grounds of 通则第二十九条: refusal_ground_found, materials_exhausted, non_cooperation,
    /// withdrawn_or_unpaid, force_majeure, other.
    pub reasons: Vec<String>,
    /// The written notice's reasons.
    pub explanation: String,
    pub materials_returned: bool,
}

body_step!(
    terminate,
    "/cases/{id}/terminate",
    "Terminate the appraisal (通则第二十九条), with written notice and the materials returned.",
    TerminateBody,
    |b| StepInput::Terminate {
        reasons: parse_all("reasons", &b.reasons, TerminationReason::parse)?,
        explanation: b.explanation.clone(),
        materials_returned: b.materials_returned,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequestBody {
    pub version: i64,
    /// Appraisers of the institution who review; none of the case's own; three or more for a
    /// re-appraisal (通则第三十五条).
    pub reviewer_ids: Vec<i64>,
}

body_step!(
    request_review,
    "/cases/{id}/review-request",
    "Send the finished appraisal for review (复核, 通则第三十五条).",
    ReviewRequestBody,
    |b| StepInput::RequestReview {
        reviewer_ids: b.reviewer_ids.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub version: i64,
    /// The reviewer (an appraiser's own account may leave it out).
    pub reviewer_id: Option<i64>,
    pub agrees: bool,
    pub opinion: String,
}

body_step!(
    review,
    "/cases/{id}/review",
    "Record one reviewer's signed review opinion; disagreement returns the case to the appraisers.",
    ReviewBody,
    Action::SignOpinion,
    |b| StepInput::Review {
        reviewer_id: b.reviewer_id,
        agrees: b.agrees,
        opinion: b.opinion.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    pub version: i64,
    /// The appraiser (an appraiser's own account may leave it out).
    pub appraiser_id: Option<i64>,
    /// A dissent from the opinion, noted on it (通则第三十七条).
    #[serde(default)]
    pub dissent: String,
}

body_step!(
    sign,
    "/cases/{id}/sign",
    "An appraiser signs the opinion (通则第三十七条).",
    SignBody,
    Action::SignOpinion,
    |b| StepInput::Sign {
        appraiser_id: b.appraiser_id,
        dissent: b.dissent.clone()
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    pub version: i64,
    /// The final opinion document, a PDF.
    pub document: AttachmentInput,
    /// The opinion's conclusion as the document states it; a correction is compared with it
    /// (通则第四十一条).
    pub conclusion: sijian_service::cases::ConclusionBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueResult {
    #[serde(flatten)]
    pub detail: CaseDetail,
    /// The code to print on the cover.
    pub code: String,
    /// The verification key (查询校验码) to print beside it.
    pub verification_key: String,
    pub document_sha256: String,
}

/// Issue a sealed opinion: the platform stores the document's SHA-256, allocates the opinion
/// code and a verification key, and records the issue in the log.
#[utoipa::path(post, path = "/cases/{id}/issue", tag = "cases", params(("id" = i64, Path)), request_body = IssueBody,
    responses((status = 200, body = IssueResult), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn issue(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IssueBody>,
) -> AppResult<Json<IssueResult>> {
    reach(&s, &a, id, Action::HandleCase).await?;
    let document = one_file(&Some(b.document.clone()))?
        .ok_or_else(|| AppError::field("document", "须上传最终的鉴定意见书文件"))?;
    let (c, out) = apply(
        &s,
        &a,
        id,
        b.version,
        StepInput::Issue {
            document,
            conclusion: b.conclusion.clone(),
        },
    )
    .await?;
    let out = out.ok_or_else(AppError::internal)?;
    let env = Env::load(&s, &c.region_path).await?;
    Ok(Json(IssueResult {
        detail: detail(&s, &a, c, &env).await?,
        code: out.code,
        verification_key: out.verification_key,
        document_sha256: out.document_sha256,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectBody {
    pub version: i64,
    /// The appraiser of the case who signs the correction.
    pub signer_id: i64,
    /// What is corrected (unclear images, signature or numbering defects, typing errors).
    pub what: String,
    /// The conclusion as the corrected document states it: refused unless it is the conclusion
    /// recorded at issue (通则第四十一条: 不得改变鉴定意见的原意).
    pub conclusion: sijian_service::cases::ConclusionBody,
    /// The corrected document (补正书 or corrected opinion), a PDF.
    pub document: Option<AttachmentInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    pub version: i64,
    /// The ground, e.g. the penalty decision's number (at least 4 characters).
    pub reason: String,
}

body_step!(
    revoke_opinion,
    "/cases/{id}/revoke-opinion",
    "Revoke the case's issued opinion (regulators in scope): verification shows it revoked with the date and ground at once; logged.",
    RevokeBody,
    Action::RevokeOpinion,
    |b| StepInput::RevokeOpinion {
        reason: b.reason.clone(),
    }
);

body_step!(
    correct,
    "/cases/{id}/correct",
    "Correct an issued opinion (补正, 通则第四十一条); its conclusion stays locked.",
    CorrectBody,
    |b| StepInput::Correct {
        signer_id: b.signer_id,
        what: b.what.clone(),
        conclusion: b.conclusion.clone(),
        document: one_file(&b.document)?,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppearanceBody {
    pub version: i64,
    /// Appraisers who signed the opinion.
    pub appraiser_ids: Vec<i64>,
    pub court: String,
    /// YYYY-MM-DD.
    pub hearing_on: String,
}

body_step!(
    notify_appearance,
    "/cases/{id}/appearances",
    "Record a court's notice to appear (通则第四十三条).",
    AppearanceBody,
    |b| StepInput::NotifyAppearance {
        appraiser_ids: b.appraiser_ids.clone(),
        court: b.court.clone(),
        hearing_on: date_field("hearing_on", &b.hearing_on)?,
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppearanceOutcomeBody {
    pub version: i64,
    /// attended | refused (a refusal makes the fee refundable: 《民事诉讼法》第八十一条)
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// Record whether the appraisers appeared.
#[utoipa::path(post, path = "/cases/{id}/appearances/{appearance_id}", tag = "cases", params(("id" = i64, Path), ("appearance_id" = i64, Path)), request_body = AppearanceOutcomeBody,
    responses((status = 200, body = CaseDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn record_appearance(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, appearance_id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<AppearanceOutcomeBody>,
) -> AppResult<Json<CaseDetail>> {
    step(&s, &a, id, b.version, Action::HandleCase, || {
        let outcome = Appearance::parse(b.outcome.trim())
            .filter(|o| *o != Appearance::Notified)
            .ok_or_else(|| AppError::field("outcome", "出庭结果应为 attended 或 refused"))?;
        Ok(StepInput::RecordAppearance {
            appearance_id,
            outcome,
            note: b.note.clone(),
        })
    })
    .await
}

/// A paper commission an institution recorded as coming from the signed-in organ, awaiting
/// the organ's answer (issue 14, point 6). Nothing else of the case is shown before it is
/// confirmed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimItem {
    pub case_id: i64,
    /// The institution that recorded the paper commission.
    pub institution_name: String,
    /// The client as the institution wrote it.
    pub client_name: String,
    pub case_number: Option<String>,
    /// Item codes of the commission.
    pub items: Vec<String>,
    /// When the institution received the paper commission.
    pub received_on: String,
    pub created_at: i64,
}

impl From<cases::claims::Claim> for ClaimItem {
    fn from(c: cases::claims::Claim) -> Self {
        ClaimItem {
            case_id: c.case_id,
            institution_name: c.institution_name,
            client_name: c.client_name,
            case_number: c.case_number,
            items: c
                .items
                .split(',')
                .filter(|i| !i.is_empty())
                .map(String::from)
                .collect(),
            received_on: c.received_on,
            created_at: c.created_at,
        }
    }
}

/// Paper commissions awaiting the signed-in organ's confirmation. Sort keys: `received_on`,
/// `institution`, `created_at`. Organs only.
#[utoipa::path(get, path = "/case-claims", tag = "cases", params(Paging),
    responses((status = 200, body = schema::list::Page<ClaimItem>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn claims(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<ClaimItem>>> {
    let p = sijian_service::cases::claims(&s, &a, &paging.query()).await?;
    Ok(Json(Page {
        items: p.items.into_iter().map(ClaimItem::from).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        total_capped: p.total_capped,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimAnswer {
    /// true: the commission is the organ's (the case joins its list and its webhook is told of
    /// every later step); false: it is not (the claim is withdrawn, the case stays a paper
    /// commission of the institution).
    pub confirm: bool,
}

/// The answer as recorded: once confirmed, the case is at `GET /cases/{case_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimAnswered {
    pub case_id: i64,
    pub confirmed: bool,
}

/// The signed-in organ answers a claim: confirms the paper commission as its own, or declines
/// it. 404 for a claim not made for this organ or already answered.
#[utoipa::path(post, path = "/case-claims/{id}", tag = "cases", params(("id" = i64, Path)), request_body = ClaimAnswer,
    responses((status = 200, body = ClaimAnswered), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn answer_claim(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ClaimAnswer>,
) -> AppResult<Json<ClaimAnswered>> {
    let c = sijian_service::cases::answer_claim(&s, &a, id, b.confirm).await?;
    Ok(Json(ClaimAnswered {
        case_id: c.id,
        confirmed: b.confirm,
    }))
}

/// Open deadline alerts (due soon, overdue) in the caller's scope, most urgent first.
#[utoipa::path(get, path = "/cases/alerts", tag = "cases",
    responses((status = 200, body = Vec<schema::cases::Alert>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn alerts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> AppResult<Json<Vec<cases::Alert>>> {
    a.require(Action::ViewCases)?;
    Ok(Json(cases::alerts(&s.db, &a.scope(), 500).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueRateItem {
    #[serde(flatten)]
    #[schema(value_type = schema::cases::OverdueRate)]
    pub row: cases::OverdueRate,
    /// overdue / cases.
    pub rate: f64,
}

/// Per institution in scope: cases, how many missed a deadline, and the rate.
#[utoipa::path(get, path = "/cases/overdue-rates", tag = "cases",
    responses((status = 200, body = Vec<OverdueRateItem>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn overdue_rates(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> AppResult<Json<Vec<OverdueRateItem>>> {
    a.require(Action::ViewCases)?;
    let rows = cases::overdue_rates(&s.db, &a.scope(), crate::state::today()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| OverdueRateItem {
                rate: if row.cases == 0 {
                    0.0
                } else {
                    row.overdue as f64 / row.cases as f64
                },
                row,
            })
            .collect(),
    ))
}
