//! The appraisal case under 《司法鉴定程序通则》（司法部令第132号，2016年5月1日施行）: its stages,
//! one pure rule per step that either allows it or names the article it breaks, the statutory
//! clocks in working days, and [`decide`], which turns a [`CaseCommand`] on a case's facts into
//! the whole [`Transition`] (next stage, event, field and clock changes, side records).
//!
//! ```text
//! received ─accept (第十三、十四条)─▶ accepted ─contract (第十六条)─▶ contracted ─assign (第十八至二十条)─▶ assigned
//!    └─refuse (第十五、十七条)─▶ refused                                         │ start
//! in_progress ⇄ clock_stopped (第二十五、二十八条)   extension once ≤ 30 working days (第二十八条)
//! in_progress ─review (第三十五条)─▶ under_review ─▶ signing (第三十七条) ─seal (第三十八条)─▶ sealed ─issue─▶ issued ─▶ archived (第四十二条)
//! any open stage ─terminate (第二十九条)─▶ terminated
//! issued: correction (第四十一条), supplementary child (第三十条), re-appraisal child (第三十一、三十二条), court appearance (第四十三至四十六条)
//! ```
//! The caller gathers the facts (the case, the institution, and what the command needs: the
//! appraisers it names, declared conflicts and earlier assignments to the same matter, …),
//! calls [`decide`], and applies the transition with its event in one transaction.
use crate::calendar::{CalendarError, Date, Reckoned, WorkingCalendar};
use crate::role::OrganKind;
use serde::{Deserialize, Serialize};

/// 第十二条: materials are checked and recorded on receipt.
pub const ART12: &str = "通则第十二条";
pub const ART13: &str = "通则第十三条";
pub const ART14: &str = "通则第十四条";
pub const ART15: &str = "通则第十五条";
pub const ART16: &str = "通则第十六条";
pub const ART17: &str = "通则第十七条";
pub const ART18: &str = "通则第十八条";
pub const ART19: &str = "通则第十九条";
pub const ART20: &str = "通则第二十条";
pub const ART21: &str = "通则第二十一条";
pub const ART25: &str = "通则第二十五条";
pub const ART28: &str = "通则第二十八条";
pub const ART29: &str = "通则第二十九条";
pub const ART30: &str = "通则第三十条";
pub const ART31: &str = "通则第三十一条";
pub const ART32: &str = "通则第三十二条";
pub const ART35: &str = "通则第三十五条";
pub const ART36: &str = "通则第三十六条";
pub const ART37: &str = "通则第三十七条";
pub const ART38: &str = "通则第三十八条";
pub const ART39: &str = "通则第三十九条";
pub const ART41: &str = "通则第四十一条";
pub const ART42: &str = "通则第四十二条";
pub const ART43: &str = "通则第四十三条";
/// A suspended, cancelled or revoked institution or appraiser may not practise.
pub const REGISTRATION: &str =
    "《司法鉴定机构登记管理办法》第三十二条、《司法鉴定人登记管理办法》第二十一条";
/// 《民事诉讼法》第八十一条: an appraiser who refuses to appear makes the opinion unusable and the fee refundable.
pub const CIVIL_81: &str = "《民事诉讼法》第八十一条";
/// Revoking an issued opinion on the platform: by a regulator, on a stated ground such as a
/// penalty decision (seed clause 22: verification must show the document's current standing).
pub const REVOCATION: &str = "意见书撤销（平台核验规则）";

// ---------------------------------------------------------------------------------------------
// Stages and reasons
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    Accepted,
    Refused,
    Contracted,
    Assigned,
    InProgress,
    ClockStopped,
    UnderReview,
    Signing,
    Sealed,
    Issued,
    Archived,
    Terminated,
}

impl Stage {
    pub const ALL: [Stage; 13] = [
        Self::Received,
        Self::Accepted,
        Self::Refused,
        Self::Contracted,
        Self::Assigned,
        Self::InProgress,
        Self::ClockStopped,
        Self::UnderReview,
        Self::Signing,
        Self::Sealed,
        Self::Issued,
        Self::Archived,
        Self::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Contracted => "contracted",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::ClockStopped => "clock_stopped",
            Self::UnderReview => "under_review",
            Self::Signing => "signing",
            Self::Sealed => "sealed",
            Self::Issued => "issued",
            Self::Archived => "archived",
            Self::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Received => "待受理",
            Self::Accepted => "已受理",
            Self::Refused => "不予受理",
            Self::Contracted => "委托书已生效",
            Self::Assigned => "已指定鉴定人",
            Self::InProgress => "鉴定中",
            Self::ClockStopped => "中止计时",
            Self::UnderReview => "复核中",
            Self::Signing => "待签名",
            Self::Sealed => "已盖章",
            Self::Issued => "已出具",
            Self::Archived => "已归档",
            Self::Terminated => "已终止",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Accepted => "Accepted",
            Self::Refused => "Refused",
            Self::Contracted => "Contract in effect",
            Self::Assigned => "Appraisers assigned",
            Self::InProgress => "In progress",
            Self::ClockStopped => "Clock stopped",
            Self::UnderReview => "Under review",
            Self::Signing => "Signing",
            Self::Sealed => "Sealed",
            Self::Issued => "Issued",
            Self::Archived => "Archived",
            Self::Terminated => "Terminated",
        }
    }

    /// Still running: not refused, terminated, issued or archived.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Self::Refused | Self::Terminated | Self::Issued | Self::Archived
        )
    }

    /// The 30-working-day period runs (第二十八条): from the contract until the opinion is sealed.
    pub fn completion_clock_runs(self) -> bool {
        matches!(
            self,
            Self::Contracted
                | Self::Assigned
                | Self::InProgress
                | Self::ClockStopped
                | Self::UnderReview
                | Self::Signing
        )
    }
}

/// 第十五条: the seven grounds on which a commission must not be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    OutOfScope,
    Materials,
    UnlawfulPurpose,
    NonConformingRequest,
    BeyondCapability,
    ConcurrentCommission,
    Other,
}

impl RefusalReason {
    pub const ALL: [Self; 7] = [
        Self::OutOfScope,
        Self::Materials,
        Self::UnlawfulPurpose,
        Self::NonConformingRequest,
        Self::BeyondCapability,
        Self::ConcurrentCommission,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutOfScope => "out_of_scope",
            Self::Materials => "materials",
            Self::UnlawfulPurpose => "unlawful_purpose",
            Self::NonConformingRequest => "non_conforming_request",
            Self::BeyondCapability => "beyond_capability",
            Self::ConcurrentCommission => "concurrent_commission",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::OutOfScope => "（一）委托鉴定事项超出本机构司法鉴定业务范围",
            Self::Materials => "（二）发现鉴定材料不真实、不完整、不充分或者取得方式不合法",
            Self::UnlawfulPurpose => "（三）鉴定用途不合法或者违背社会公德",
            Self::NonConformingRequest => {
                "（四）鉴定要求不符合司法鉴定执业规则或者相关鉴定技术规范"
            }
            Self::BeyondCapability => "（五）鉴定要求超出本机构技术条件或者鉴定能力",
            Self::ConcurrentCommission => {
                "（六）委托人就同一鉴定事项同时委托其他司法鉴定机构进行鉴定"
            }
            Self::Other => "（七）其他不符合法律、法规、规章规定的情形",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::OutOfScope => "(1) The matter is outside the institution's scope of practice",
            Self::Materials => {
                "(2) The material is untrue, incomplete, insufficient or unlawfully obtained"
            }
            Self::UnlawfulPurpose => "(3) The purpose is unlawful or against public morals",
            Self::NonConformingRequest => {
                "(4) The request does not conform to the practice rules or technical standards"
            }
            Self::BeyondCapability => {
                "(5) The request exceeds the institution's technical means or ability"
            }
            Self::ConcurrentCommission => {
                "(6) The client has commissioned another institution on the same matter at the same time"
            }
            Self::Other => "(7) Other cases contrary to laws, regulations or rules",
        }
    }
}

/// 第二十九条: the grounds on which an appraisal may be terminated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationReason {
    RefusalGroundFound,
    MaterialsExhausted,
    NonCooperation,
    WithdrawnOrUnpaid,
    ForceMajeure,
    Other,
}

impl TerminationReason {
    pub const ALL: [Self; 6] = [
        Self::RefusalGroundFound,
        Self::MaterialsExhausted,
        Self::NonCooperation,
        Self::WithdrawnOrUnpaid,
        Self::ForceMajeure,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefusalGroundFound => "refusal_ground_found",
            Self::MaterialsExhausted => "materials_exhausted",
            Self::NonCooperation => "non_cooperation",
            Self::WithdrawnOrUnpaid => "withdrawn_or_unpaid",
            Self::ForceMajeure => "force_majeure",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::RefusalGroundFound => "（一）发现有本通则第十五条第二项至第七项规定情形的",
            Self::MaterialsExhausted => "（二）鉴定材料发生耗损，委托人不能补充提供的",
            Self::NonCooperation => {
                "（三）委托人拒不履行司法鉴定委托书规定的义务、被鉴定人拒不配合或者鉴定活动受到严重干扰，致使鉴定无法继续进行的"
            }
            Self::WithdrawnOrUnpaid => {
                "（四）委托人主动撤销鉴定委托，或者委托人、诉讼当事人拒绝支付鉴定费用的"
            }
            Self::ForceMajeure => "（五）因不可抗力致使鉴定无法继续进行的",
            Self::Other => "（六）其他需要终止鉴定的情形",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::RefusalGroundFound => "(1) A case of Art. 15 items 2 to 7 is found",
            Self::MaterialsExhausted => {
                "(2) The material is used up and the client cannot supply more"
            }
            Self::NonCooperation => {
                "(3) The client does not meet the agreement's duties, the person appraised does not cooperate, or the appraisal is seriously obstructed, so it cannot go on"
            }
            Self::WithdrawnOrUnpaid => {
                "(4) The client withdraws the commission, or the client or a party refuses to pay the fee"
            }
            Self::ForceMajeure => "(5) Force majeure prevents the appraisal from going on",
            Self::Other => "(6) Other cases where the appraisal must end",
        }
    }
}

/// Why the completion clock stops (the time is not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// 第二十八条: supplementing or re-collecting materials.
    MaterialSupplement,
    /// 第二十五条: a required witness is absent.
    WitnessAbsent,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaterialSupplement => "material_supplement",
            Self::WitnessAbsent => "witness_absent",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::MaterialSupplement, Self::WitnessAbsent]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::MaterialSupplement => "补充或者重新提取鉴定材料（第二十八条）",
            Self::WitnessAbsent => "见证人员未到场（第二十五条）",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::MaterialSupplement => "Material to supplement or collect again (Art. 28)",
            Self::WitnessAbsent => "Witnesses did not attend (Art. 25)",
        }
    }
}

/// Art 20 grounds of conflict, as declared or found in the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ConflictKind {
    /// Took part in an appraisal of the same matter before.
    SameMatterBefore,
    /// Gave a consulting opinion on the same matter as an expert.
    Consultant,
    /// Took part in cross-examination of the same matter as a person with special knowledge.
    ExpertWitness,
    /// The appraiser or a close relative has an interest in the parties or the case.
    Relation(String),
}

impl ConflictKind {
    pub fn label_zh(&self) -> String {
        match self {
            Self::SameMatterBefore => "曾参加过同一鉴定事项鉴定".into(),
            Self::Consultant => "曾作为专家提供过咨询意见".into(),
            Self::ExpertWitness => "曾被聘请为有专门知识的人参与过同一鉴定事项法庭质证".into(),
            Self::Relation(r) => {
                format!("本人或者其近亲属与诉讼当事人、鉴定事项涉及的案件有利害关系：{r}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy and facts
// ---------------------------------------------------------------------------------------------

/// Numbers of the procedure. Defaults are the articles' own; a province may set its own where
/// its regulations differ (e.g. 广东省司法鉴定管理条例).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Working days from receipt to decide on acceptance. Default 7 (第十三条).
    pub accept_days: u32,
    /// Working days from the contract's effect to completion. Default 30 (第二十八条).
    pub complete_days: u32,
    /// Longest extension, granted once. Default 30 working days (第二十八条).
    pub max_extension_days: u32,
    /// Appraisers per case. Default 2 (第十九条).
    pub min_appraisers: usize,
    /// Reviewers of a re-appraisal. Default 3 (第三十五条: 三名以上专家).
    pub min_reappraisal_reviewers: usize,
    /// A deadline this many working days away or closer is "due soon". Default 3 (platform).
    pub due_soon_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            accept_days: 7,
            complete_days: 30,
            max_extension_days: 30,
            min_appraisers: 2,
            min_reappraisal_reviewers: 3,
            due_soon_days: 3,
        }
    }
}

/// An institution as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionFacts {
    pub id: i64,
    /// Practising normally (not suspended, cancelled or revoked).
    pub active: bool,
    /// Business scope: classification codes.
    pub scope: Vec<String>,
    /// Qualification rank: 3 national, 2 provincial, 1 ordinary.
    pub qualification_rank: u8,
}

/// An appraiser as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppraiserFacts {
    pub id: i64,
    pub name: String,
    pub institution_id: i64,
    /// Practising normally.
    pub active: bool,
    /// Practice items: classification codes.
    pub items: Vec<String>,
    pub senior_title: bool,
}

/// A conflict of one appraiser (第二十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub appraiser_id: i64,
    pub kind: ConflictKind,
}

/// The opinion a re-appraisal or supplementary appraisal follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    pub institution_id: i64,
    pub appraiser_ids: Vec<i64>,
    pub qualification_rank: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lineage {
    Original,
    Supplementary,
    Reappraisal,
}

/// A period in which the completion clock stood still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStop {
    pub from: Date,
    /// None while still stopped.
    pub to: Option<Date>,
    pub reason: StopReason,
}

/// A material the institution has yet to check and record (第十二条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnrecordedMaterial {
    pub id: i64,
    pub name: String,
}

/// Everything the steps need to know about one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub stage: Stage,
    pub lineage: Lineage,
    /// For supplementary and re-appraisal cases: the opinion they follow.
    pub original: Option<Original>,
    /// 第三十二条: the recorded special reason for re-appraising at the original institution.
    pub same_institution_reason: Option<String>,
    pub institution: InstitutionFacts,
    /// The matter: classification item codes.
    pub items: Vec<String>,
    pub received_on: Date,
    /// 第十三条: acceptance date agreed with the client for a complex matter.
    pub agreed_accept_by: Option<Date>,
    pub contract_effective_on: Option<Date>,
    /// 第二十八条: a completion date agreed with the client ("另有约定的从其约定").
    pub agreed_complete_by: Option<Date>,
    pub stops: Vec<ClockStop>,
    pub extension_days: Option<u32>,
    pub assigned: Vec<i64>,
    pub reviewers: Vec<i64>,
    pub signed: Vec<i64>,
    /// 第十五条第六项: the same matter commissioned at other institutions and still open, as
    /// confirmed by record linkage (one line each, naming the institution); empty when none or
    /// when a regulator has allowed acceptance.
    #[serde(default)]
    pub concurrent_elsewhere: Vec<String>,
    /// Materials received and not returned (第十二条).
    #[serde(default)]
    pub materials_held: i64,
    /// Materials whose condition, storage or time of receipt the institution has not yet
    /// recorded (第十二条): the client described them, the institution checks them.
    #[serde(default)]
    pub materials_unrecorded: Vec<UnrecordedMaterial>,
    /// What the step at hand needs besides the case (loaded for that command only).
    #[serde(default)]
    pub step: StepFacts,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// A rule of the procedure forbids the step.
    #[error("{rule}：{message}")]
    Rule {
        rule: &'static str,
        field: &'static str,
        message: String,
    },
    /// The step does not apply in the case's current stage; `rule` is the article that puts the
    /// step in its place in the procedure (e.g. sealing follows the signatures: 第三十八条).
    #[error("{rule}：案件当前为“{}”，不能{action}", .stage.label_zh())]
    WrongStage {
        stage: Stage,
        action: &'static str,
        rule: &'static str,
    },
    /// A deadline could not be counted in working days; `rule` is the article whose clock it is
    /// (acceptance: 第十三条; completion: 第二十八条).
    #[error("{rule}：工作日历缺少所需年份（{error}），无法计算期限")]
    Calendar {
        rule: &'static str,
        error: CalendarError,
    },
    /// The input of a step is incomplete or unknown; shown as the message alone, the article
    /// it serves kept beside it.
    #[error("{message}")]
    Input {
        rule: &'static str,
        field: &'static str,
        message: String,
    },
    /// An appraiser's account signs or reviews for that appraiser only (第三十五、三十七条).
    #[error("只能以本人名义签名或复核")]
    NotOwnSignature,
}

impl CaseError {
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Rule { rule, .. } | Self::Input { rule, .. } => rule,
            Self::NotOwnSignature => ART37,
            Self::WrongStage { rule, .. } | Self::Calendar { rule, .. } => rule,
        }
    }
    pub fn field(&self) -> &'static str {
        match self {
            Self::Rule { field, .. } | Self::Input { field, .. } => field,
            Self::NotOwnSignature => "appraiser_id",
            Self::WrongStage { .. } => "stage",
            Self::Calendar { .. } => "date",
        }
    }
}

fn broke(rule: &'static str, field: &'static str, message: impl Into<String>) -> CaseError {
    CaseError::Rule {
        rule,
        field,
        message: message.into(),
    }
}

/// The step `action`, which `rule` orders after the stages in `allowed`, applies to the case now.
fn expect(
    c: &CaseFacts,
    allowed: &[Stage],
    action: &'static str,
    rule: &'static str,
) -> Result<(), CaseError> {
    if allowed.contains(&c.stage) {
        Ok(())
    } else {
        Err(CaseError::WrongStage {
            stage: c.stage,
            action,
            rule,
        })
    }
}

/// A working-day count failed (a year's holiday table is missing) on the clock of `rule`.
fn on_clock(rule: &'static str) -> impl Fn(CalendarError) -> CaseError {
    move |error| CaseError::Calendar { rule, error }
}

/// Whether practice items or a scope `granted` cover the `needed` item (a category or subclass
/// code covers everything below it).
pub fn covers(granted: &[String], needed: &str) -> bool {
    granted.iter().any(|g| {
        needed == g || (needed.starts_with(g.as_str()) && needed[g.len()..].starts_with('.'))
    })
}

fn institution_may_practise(i: &InstitutionFacts) -> Result<(), CaseError> {
    if !i.active {
        return Err(broke(
            REGISTRATION,
            "institution",
            "本机构被停止执业、注销或者撤销登记，不得受理或者继续鉴定",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/// 第十三、十四条: accept. The matter must lie within the institution's scope. Returns whether
/// the decision came after the acceptance deadline (recorded, and counted as overdue).
pub fn accept(
    c: &CaseFacts,
    today: Date,
    cal: &WorkingCalendar,
    p: &Policy,
) -> Result<bool, CaseError> {
    expect(c, &[Stage::Received], "受理", ART13)?;
    institution_may_practise(&c.institution)?;
    if c.items.is_empty() {
        return Err(broke(ART14, "items", "未写明委托鉴定事项"));
    }
    if c.materials_held == 0 {
        return Err(broke(
            ART14,
            "materials",
            "未收到鉴定材料：材料不完整、不充分、不能满足鉴定需要的，不得受理（第十五条第二项）",
        ));
    }
    if !c.materials_unrecorded.is_empty() {
        let names: Vec<&str> = c
            .materials_unrecorded
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        return Err(broke(
            ART12,
            "materials",
            format!(
                "鉴定材料尚未核对登记（第十二条：应当核对并记录材料的性状、保存状况、收到时间）：{}；请先核对登记材料",
                names.join("、")
            ),
        ));
    }
    if let Some(item) = c.items.iter().find(|i| !covers(&c.institution.scope, i)) {
        return Err(broke(
            ART15,
            "items",
            format!(
                "委托鉴定事项 {item} 超出本机构司法鉴定业务范围（第十五条第一项），应当不予受理"
            ),
        ));
    }
    if !c.concurrent_elsewhere.is_empty() {
        return Err(broke(
            ART15,
            "linkage",
            format!(
                "同一鉴定事项已同时委托其他司法鉴定机构（第十五条第六项）：{}；应当不予受理，除非司法行政机关核查后准予",
                c.concurrent_elsewhere.join("；")
            ),
        ));
    }
    Ok(today > accept_by(c, cal, p)?.value)
}

/// 第十三条: a later acceptance date agreed with the client for a complex, difficult or special
/// matter. Must be recorded with the agreement.
pub fn agree_accept_date(
    c: &CaseFacts,
    date: Date,
    agreement: &str,
    cal: &WorkingCalendar,
    p: &Policy,
) -> Result<(), CaseError> {
    expect(c, &[Stage::Received], "商定受理时间", ART13)?;
    if agreement.trim().is_empty() {
        return Err(broke(
            ART13,
            "agreement",
            "商定受理时间须记录与委托人协商的情况",
        ));
    }
    if date
        <= cal
            .reckon_add_working_days(c.received_on, p.accept_days)
            .map_err(on_clock(ART13))?
            .value
    {
        return Err(broke(
            ART13,
            "agreed_accept_by",
            format!("商定的受理时间应晚于法定的 {} 个工作日期限", p.accept_days),
        ));
    }
    Ok(())
}

/// 第十五、十七条: refuse, with at least one ground, the reasons explained and the materials
/// returned.
pub fn refuse(
    c: &CaseFacts,
    reasons: &[RefusalReason],
    explanation: &str,
    materials_returned: bool,
) -> Result<(), CaseError> {
    expect(c, &[Stage::Received], "不予受理", ART13)?;
    if reasons.is_empty() {
        return Err(broke(ART15, "reasons", "不予受理须选择第十五条规定的情形"));
    }
    if explanation.trim().is_empty() {
        return Err(broke(
            ART17,
            "explanation",
            "不予受理的，应当向委托人说明理由",
        ));
    }
    if !materials_returned {
        return Err(broke(
            ART17,
            "materials_returned",
            "不予受理的，应当退还鉴定材料",
        ));
    }
    Ok(())
}

/// 第十六条: the commission contract takes effect. A re-appraisal must be declared as one.
pub fn sign_contract(
    c: &CaseFacts,
    effective_on: Date,
    declares_reappraisal: bool,
) -> Result<(), CaseError> {
    expect(c, &[Stage::Accepted], "签订委托书", ART16)?;
    if declares_reappraisal != (c.lineage == Lineage::Reappraisal) {
        return Err(broke(
            ART16,
            "is_reappraisal",
            "司法鉴定委托书应当如实载明是否属于重新鉴定",
        ));
    }
    if effective_on < c.received_on {
        return Err(broke(
            ART16,
            "effective_on",
            "委托书生效日期不能早于收到委托的日期",
        ));
    }
    Ok(())
}

/// 第十八至二十条、第三十条、第三十二条: assign the appraisers. Allowed before work starts, and
/// again after a recusal while the appraisal is under way.
pub fn assign(
    c: &CaseFacts,
    chosen: &[AppraiserFacts],
    conflicts: &[Conflict],
    p: &Policy,
) -> Result<(), CaseError> {
    expect(
        c,
        &[
            Stage::Contracted,
            Stage::Assigned,
            Stage::InProgress,
            Stage::ClockStopped,
        ],
        "指定鉴定人",
        ART18,
    )?;
    institution_may_practise(&c.institution)?;
    let mut ids: Vec<i64> = chosen.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < p.min_appraisers {
        return Err(broke(
            ART19,
            "appraisers",
            format!(
                "同一鉴定事项应当指定或者选择 {} 名以上司法鉴定人",
                p.min_appraisers
            ),
        ));
    }
    for a in chosen {
        may_serve(c, a, conflicts, Serving::Chosen)?;
    }
    match (c.lineage, &c.original) {
        (Lineage::Supplementary, Some(o)) => {
            if let Some(a) = chosen.iter().find(|a| !o.appraiser_ids.contains(&a.id)) {
                return Err(broke(
                    ART30,
                    "appraisers",
                    format!("补充鉴定应当由原司法鉴定人进行，{} 不是原鉴定人", a.name),
                ));
            }
        }
        (Lineage::Reappraisal, Some(o)) => {
            if let Some(a) = chosen.iter().find(|a| o.appraiser_ids.contains(&a.id)) {
                return Err(broke(
                    ART32,
                    "appraisers",
                    format!(
                        "重新鉴定应当指定原司法鉴定人以外的鉴定人，{} 是原鉴定人",
                        a.name
                    ),
                ));
            }
            if !chosen.iter().any(|a| a.senior_title) {
                return Err(broke(
                    ART32,
                    "appraisers",
                    "进行重新鉴定的司法鉴定人中应当至少有一名具有相关专业高级专业技术职称",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// 第二十一条: a recusal request (by the appraiser or the client) decided by the institution.
/// Granting it removes the appraiser; the remaining assignment must still satisfy 第十九条.
pub fn decide_recusal(
    c: &CaseFacts,
    appraiser_id: i64,
    granted: bool,
    decision: &str,
) -> Result<Vec<i64>, CaseError> {
    expect(
        c,
        &[
            Stage::Assigned,
            Stage::InProgress,
            Stage::ClockStopped,
            Stage::UnderReview,
            Stage::Signing,
        ],
        "决定回避",
        ART21,
    )?;
    if !c.assigned.contains(&appraiser_id) {
        return Err(broke(ART21, "appraiser_id", "申请回避的不是本案鉴定人"));
    }
    if decision.trim().is_empty() {
        return Err(broke(
            ART21,
            "decision",
            "回避由所属司法鉴定机构决定，须记录决定理由",
        ));
    }
    if !granted
        && let Some(x) = c
            .step
            .declared_conflicts
            .iter()
            .find(|x| x.appraiser_id == appraiser_id)
    {
        return Err(broke(
            ART20,
            "granted",
            format!(
                "该鉴定人已申报应当回避的情形（{}），不得决定不予回避",
                x.kind.label_zh()
            ),
        ));
    }
    let remaining: Vec<i64> = if granted {
        c.assigned
            .iter()
            .copied()
            .filter(|&a| a != appraiser_id)
            .collect()
    } else {
        c.assigned.clone()
    };
    Ok(remaining)
}

/// Work begins: the appraisers are assigned and the panel still holds.
pub fn start(c: &CaseFacts, p: &Policy) -> Result<(), CaseError> {
    expect(c, &[Stage::Assigned], "开始鉴定", ART18)?;
    panel_holds(c, p)
}

/// 第十八至二十条 and registration, checked again at every step after assignment (starting,
/// review, signing, sealing, issue): a recusal granted on the way may leave too few appraisers
/// (第十九条), a ground to withdraw may be declared after assignment (第二十条), and an
/// appraiser may be suspended or leave the institution. `c.step.panel` holds the assigned
/// appraisers as they are now.
pub fn panel_holds(c: &CaseFacts, p: &Policy) -> Result<(), CaseError> {
    institution_may_practise(&c.institution)?;
    if c.assigned.len() < p.min_appraisers {
        return Err(broke(
            ART19,
            "appraisers",
            format!(
                "本案现有鉴定人 {} 名，同一鉴定事项应当由 {} 名以上司法鉴定人进行；须先补充指定",
                c.assigned.len(),
                p.min_appraisers
            ),
        ));
    }
    let conflicts = conflicts_of(c);
    for id in &c.assigned {
        let Some(a) = c.step.panel.iter().find(|a| a.id == *id) else {
            return Err(broke(
                ART18,
                "appraisers",
                format!("本案鉴定人（编号 {id}）已不在登记名册中，须重新指定"),
            ));
        };
        may_serve(c, a, &conflicts, Serving::Assigned)?;
    }
    Ok(())
}

/// When an appraiser's fitness is checked: as they are chosen, or on a later step while they
/// serve (then the answer also says what must be done).
#[derive(Clone, Copy, PartialEq)]
enum Serving {
    Chosen,
    Assigned,
}

/// 第十八、二十条 and registration for one appraiser: of the case's institution, practising,
/// licensed for every item of the matter, with no ground to withdraw.
fn may_serve(
    c: &CaseFacts,
    a: &AppraiserFacts,
    conflicts: &[Conflict],
    when: Serving,
) -> Result<(), CaseError> {
    let again = when == Serving::Assigned;
    let name = &a.name;
    if a.institution_id != c.institution.id {
        let msg = if again {
            format!("{name} 已不是本机构的司法鉴定人，须重新指定")
        } else {
            format!("{name} 不是本机构的司法鉴定人")
        };
        return Err(broke(ART18, "appraisers", msg));
    }
    if !a.active {
        let msg = if again {
            format!("{name} 被停止执业、注销或者撤销登记，不得继续鉴定，须重新指定")
        } else {
            format!("{name} 被停止执业、注销或者撤销登记，不得指定")
        };
        return Err(broke(REGISTRATION, "appraisers", msg));
    }
    if let Some(item) = c.items.iter().find(|i| !covers(&a.items, i)) {
        let redo = if again { "，须重新指定" } else { "" };
        return Err(broke(
            ART18,
            "appraisers",
            format!("{name} 不具有鉴定事项 {item} 的执业资格{redo}"),
        ));
    }
    if let Some(x) = conflicts.iter().find(|x| x.appraiser_id == a.id) {
        let kind = x.kind.label_zh();
        let msg = if again {
            format!("{name} 有应当回避的情形（{kind}），须先作出回避决定并补充指定")
        } else {
            format!("{name} 应当回避：{kind}")
        };
        return Err(broke(ART20, "appraisers", msg));
    }
    Ok(())
}

/// 第二十五、二十八条: stop the clock while materials are supplemented or a witness is absent.
pub fn stop_clock(c: &CaseFacts, on: Date) -> Result<(), CaseError> {
    expect(c, &[Stage::InProgress], "中止计时", ART28)?;
    if c.contract_effective_on.is_some_and(|d| on < d) {
        return Err(broke(ART28, "on", "中止计时的日期不能早于委托书生效日期"));
    }
    Ok(())
}

pub fn resume_clock(c: &CaseFacts, on: Date) -> Result<(), CaseError> {
    expect(c, &[Stage::ClockStopped], "恢复计时", ART28)?;
    if let Some(s) = c.stops.iter().find(|s| s.to.is_none())
        && on < s.from
    {
        return Err(broke(ART28, "on", "恢复计时的日期不能早于中止的日期"));
    }
    Ok(())
}

/// 第二十八条: one extension, at most 30 working days, approved by the head, client notified.
pub fn extend(
    c: &CaseFacts,
    days: u32,
    head_approved: bool,
    client_notified: bool,
    p: &Policy,
) -> Result<(), CaseError> {
    expect(
        c,
        &[
            Stage::Contracted,
            Stage::Assigned,
            Stage::InProgress,
            Stage::ClockStopped,
            Stage::UnderReview,
            Stage::Signing,
        ],
        "延长鉴定时限",
        ART28,
    )?;
    if c.extension_days.is_some() {
        return Err(broke(ART28, "days", "鉴定时限只能延长一次"));
    }
    if days == 0 || days > p.max_extension_days {
        return Err(broke(
            ART28,
            "days",
            format!("延长时限一般不得超过 {} 个工作日", p.max_extension_days),
        ));
    }
    if !head_approved {
        return Err(broke(
            ART28,
            "head_approved",
            "延长鉴定时限须经本机构负责人批准",
        ));
    }
    if !client_notified {
        return Err(broke(
            ART28,
            "client_notified",
            "延长鉴定时限应当及时告知委托人",
        ));
    }
    Ok(())
}

/// 第二十九条: terminate, with a ground, a written notice with reasons, and the materials returned.
pub fn terminate(
    c: &CaseFacts,
    reasons: &[TerminationReason],
    explanation: &str,
    materials_returned: bool,
) -> Result<(), CaseError> {
    expect(
        c,
        &[
            Stage::Accepted,
            Stage::Contracted,
            Stage::Assigned,
            Stage::InProgress,
            Stage::ClockStopped,
            Stage::UnderReview,
            Stage::Signing,
        ],
        "终止鉴定",
        ART29,
    )?;
    if reasons.is_empty() {
        return Err(broke(
            ART29,
            "reasons",
            "终止鉴定须选择第二十九条规定的情形",
        ));
    }
    if explanation.trim().is_empty() {
        return Err(broke(
            ART29,
            "explanation",
            "终止鉴定的，应当书面通知委托人，说明理由",
        ));
    }
    if !materials_returned {
        return Err(broke(
            ART29,
            "materials_returned",
            "终止鉴定的，应当退还鉴定材料",
        ));
    }
    Ok(())
}

/// 第三十五条: send for review by qualified people who are not among the appraisers; a
/// re-appraisal by a panel of three or more.
pub fn submit_for_review(c: &CaseFacts, reviewers: &[i64], p: &Policy) -> Result<(), CaseError> {
    expect(c, &[Stage::InProgress], "提交复核", ART35)?;
    let mut r = reviewers.to_vec();
    r.sort_unstable();
    r.dedup();
    if r.is_empty() {
        return Err(broke(
            ART35,
            "reviewers",
            "应当指定具有相应资质的人员进行复核",
        ));
    }
    if let Some(x) = r.iter().find(|x| c.assigned.contains(x)) {
        return Err(broke(
            ART35,
            "reviewers",
            format!("复核人员不能是本案的鉴定人（编号 {x}）"),
        ));
    }
    if c.lineage == Lineage::Reappraisal && r.len() < p.min_reappraisal_reviewers {
        return Err(broke(
            ART35,
            "reviewers",
            format!(
                "重新鉴定应当组织 {} 名以上专家进行复核",
                p.min_reappraisal_reviewers
            ),
        ));
    }
    Ok(())
}

/// The result of one reviewer's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewResult {
    /// Others still have to review.
    Pending,
    /// Everyone agreed: on to signing.
    Passed,
    /// Returned to the appraisers.
    Returned,
}

/// 第三十五条: a reviewer records an opinion and signs it. `done` are the reviewers who have
/// already agreed.
pub fn review(
    c: &CaseFacts,
    reviewer: i64,
    agrees: bool,
    opinion: &str,
    done: &[i64],
) -> Result<ReviewResult, CaseError> {
    expect(c, &[Stage::UnderReview], "复核", ART35)?;
    if !c.reviewers.contains(&reviewer) {
        return Err(broke(ART35, "reviewer", "不是本案指定的复核人员"));
    }
    if done.contains(&reviewer) {
        return Err(broke(ART35, "reviewer", "已提出复核意见"));
    }
    if opinion.trim().is_empty() {
        return Err(broke(ART35, "opinion", "复核人员应当提出复核意见并签名"));
    }
    if !agrees {
        return Ok(ReviewResult::Returned);
    }
    let agreed = done.len() + 1;
    Ok(if agreed >= c.reviewers.len() {
        ReviewResult::Passed
    } else {
        ReviewResult::Pending
    })
}

/// 第三十七条: every assigned appraiser signs; a dissent is noted. Returns whether all have now
/// signed.
pub fn sign(c: &CaseFacts, appraiser: i64) -> Result<bool, CaseError> {
    expect(c, &[Stage::Signing], "签名", ART37)?;
    if !c.assigned.contains(&appraiser) {
        return Err(broke(
            ART37,
            "appraiser_id",
            "只有本案的司法鉴定人可以在意见书上签名",
        ));
    }
    if c.signed.contains(&appraiser) {
        return Err(broke(ART37, "appraiser_id", "已签名"));
    }
    let mut all = c.signed.clone();
    all.push(appraiser);
    Ok(c.assigned.iter().all(|a| all.contains(a)))
}

/// 第三十八条: the institution's seal, once every appraiser has signed (第三十七条).
pub fn seal(c: &CaseFacts) -> Result<(), CaseError> {
    expect(c, &[Stage::Signing], "盖章", ART38)?;
    if let Some(a) = c.assigned.iter().find(|a| !c.signed.contains(a)) {
        return Err(broke(
            ART37,
            "signatures",
            format!("鉴定人（编号 {a}）尚未签名，不能加盖司法鉴定专用章"),
        ));
    }
    Ok(())
}

/// Issue: only a sealed opinion, with the final document's SHA-256 (64 hexadecimal digits).
pub fn issue(c: &CaseFacts, document_sha256: &str) -> Result<(), CaseError> {
    expect(c, &[Stage::Sealed], "出具意见书", ART39)?;
    if document_sha256.len() != 64 || !document_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(broke(
            ART39,
            "document",
            "须上传最终的鉴定意见书文件（意见书交委托人收执并由本机构存档）",
        ));
    }
    Ok(())
}

/// 第四十二条: archive an issued opinion.
pub fn archive(c: &CaseFacts) -> Result<(), CaseError> {
    expect(c, &[Stage::Issued], "归档", ART42)
}

/// 第四十一条: a correction, signed by at least one appraiser of the case, saying what it
/// corrects. That it never changes the conclusion is checked against the conclusion recorded at
/// issue ([`decide`]).
pub fn correct(c: &CaseFacts, signer: i64, what: &str) -> Result<(), CaseError> {
    expect(c, &[Stage::Issued, Stage::Archived], "补正", ART41)?;
    if !c.assigned.contains(&signer) {
        return Err(broke(
            ART41,
            "signer",
            "补正处应当由至少一名本案司法鉴定人签名",
        ));
    }
    if what.trim().is_empty() {
        return Err(broke(ART41, "what", "须写明补正的内容"));
    }
    Ok(())
}

/// Revoking an issued opinion: it stays on record, verification shows it revoked with the date
/// and ground. Only once, and only with a stated ground.
pub fn revoke(c: &CaseFacts, already_revoked: bool, reason: &str) -> Result<(), CaseError> {
    expect(
        c,
        &[Stage::Issued, Stage::Archived],
        "撤销意见书",
        REVOCATION,
    )?;
    if already_revoked {
        return Err(broke(REVOCATION, "reason", "该意见书已撤销"));
    }
    if reason.trim().chars().count() < 4 {
        return Err(broke(
            REVOCATION,
            "reason",
            "须写明撤销依据（如行政处罚决定书文号），至少 4 个字",
        ));
    }
    Ok(())
}

/// 第三十条: a supplementary appraisal continues an issued opinion.
pub fn may_supplement(parent: Stage) -> Result<(), CaseError> {
    if !matches!(parent, Stage::Issued | Stage::Archived) {
        return Err(broke(ART30, "parent", "补充鉴定须针对已出具的鉴定意见"));
    }
    Ok(())
}

/// 第三十一、三十二条: who may ask for a re-appraisal and where it may be done.
pub fn may_reappraise(
    parent: Stage,
    requester: OrganKind,
    original: &Original,
    receiving: &InstitutionFacts,
    same_institution_reason: Option<&str>,
) -> Result<(), CaseError> {
    if !matches!(parent, Stage::Issued | Stage::Archived) {
        return Err(broke(ART31, "parent", "重新鉴定须针对已出具的鉴定意见"));
    }
    if requester == OrganKind::Other {
        return Err(broke(
            ART31,
            "client",
            "重新鉴定只能接受办案机关（侦查、审查起诉、审判机关）的委托",
        ));
    }
    institution_may_practise(receiving)?;
    if receiving.id == original.institution_id
        && same_institution_reason.is_none_or(|r| r.trim().is_empty())
    {
        return Err(broke(
            ART32,
            "institution",
            "重新鉴定应当委托原司法鉴定机构以外的其他机构；委托原机构须记录特殊原因",
        ));
    }
    if receiving.qualification_rank < original.qualification_rank {
        return Err(broke(
            ART32,
            "institution",
            "接受重新鉴定委托的司法鉴定机构的资质条件应当不低于原机构",
        ));
    }
    Ok(())
}

/// Court appearance (第四十三至四十六条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Appearance {
    Notified,
    Attended,
    Refused,
}

impl Appearance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notified => "notified",
            Self::Attended => "attended",
            Self::Refused => "refused",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Notified, Self::Attended, Self::Refused]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Notified => "已通知出庭",
            Self::Attended => "已出庭",
            Self::Refused => "拒不出庭",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Notified => "Summoned",
            Self::Attended => "Appeared",
            Self::Refused => "Refused to appear",
        }
    }
}

/// 第四十三条: a notice to appear names appraisers who signed the opinion.
pub fn notify_appearance(c: &CaseFacts, appraisers: &[i64]) -> Result<(), CaseError> {
    expect(c, &[Stage::Issued, Stage::Archived], "通知出庭", ART43)?;
    if appraisers.is_empty() || appraisers.iter().any(|a| !c.signed.contains(a)) {
        return Err(broke(
            ART43,
            "appraisers",
            "出庭作证的应当是在司法鉴定意见书上签名的鉴定人",
        ));
    }
    Ok(())
}

/// Records the outcome of a notice. A refusal makes the fee refundable (《民事诉讼法》第八十一条):
/// returns whether a refund is now owed.
pub fn record_appearance(current: Appearance, outcome: Appearance) -> Result<bool, CaseError> {
    if current != Appearance::Notified || outcome == Appearance::Notified {
        return Err(broke(
            ART43,
            "outcome",
            "出庭结果只能对已通知的出庭记录一次",
        ));
    }
    Ok(outcome == Appearance::Refused)
}

// ---------------------------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------------------------

/// 第十三条: the date by which acceptance must be decided. Provisional when it counted a year
/// whose holiday table is not loaded (see [`crate::calendar`]).
pub fn accept_by(
    c: &CaseFacts,
    cal: &WorkingCalendar,
    p: &Policy,
) -> Result<Reckoned<Date>, CaseError> {
    Ok(match c.agreed_accept_by {
        Some(d) => Reckoned::exact(d),
        None => cal
            .reckon_add_working_days(c.received_on, p.accept_days)
            .map_err(on_clock(ART13))?,
    })
}

/// Working days the clock stood still, up to `today` for a stop still open (第二十五、二十八条).
pub fn stopped_days(
    c: &CaseFacts,
    today: Date,
    cal: &WorkingCalendar,
) -> Result<Reckoned<u32>, CaseError> {
    let mut n = Reckoned::exact(0);
    for s in &c.stops {
        let to = s.to.unwrap_or(today);
        let days = cal
            .reckon_working_days_between(s.from, to)
            .map_err(on_clock(ART28))?;
        n = n.map(|n| n + days.value).or_provisional(days.provisional);
    }
    Ok(n)
}

/// 第二十八条: the completion date — 30 working days from the contract's effect (or the agreed
/// date), plus the extension, plus the days the clock stood still. None before the contract.
/// Provisional when it counted a year whose holiday table is not loaded.
pub fn complete_by(
    c: &CaseFacts,
    today: Date,
    cal: &WorkingCalendar,
    p: &Policy,
) -> Result<Option<Reckoned<Date>>, CaseError> {
    let Some(start) = c.contract_effective_on else {
        return Ok(None);
    };
    let base = match c.agreed_complete_by {
        Some(d) => Reckoned::exact(d),
        None => cal
            .reckon_add_working_days(start, p.complete_days)
            .map_err(on_clock(ART28))?,
    };
    let stopped = stopped_days(c, today, cal)?;
    let extra = c.extension_days.unwrap_or(0) + stopped.value;
    let due = cal
        .reckon_add_working_days(base.value, extra)
        .map_err(on_clock(ART28))?;
    Ok(Some(
        due.or_provisional(base.provisional || stopped.provisional),
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    OnTime,
    DueSoon,
    Overdue,
}

/// What a case page and the sweeper show: which deadline runs, when it falls, and how many
/// working days are left (negative when overdue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// "accept" or "complete".
    pub deadline: &'static str,
    pub due: Date,
    pub days_left: i64,
    pub urgency: Urgency,
    pub stopped: bool,
    /// `due` counted a year whose holiday table is not loaded: it may change when it is.
    pub provisional: bool,
}

/// The running deadline of a case on `today`, if any.
pub fn clock(
    c: &CaseFacts,
    today: Date,
    cal: &WorkingCalendar,
    p: &Policy,
) -> Result<Option<Clock>, CaseError> {
    let (
        deadline,
        Reckoned {
            value: due,
            provisional,
        },
    ) = match c.stage {
        Stage::Received => ("accept", accept_by(c, cal, p)?),
        s if s.completion_clock_runs() => match complete_by(c, today, cal, p)? {
            Some(d) => ("complete", d),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let rule = if deadline == "accept" { ART13 } else { ART28 };
    let days_left = if today <= due {
        cal.reckon_working_days_between(today, due)
            .map_err(on_clock(rule))?
            .value as i64
    } else {
        -(cal
            .reckon_working_days_between(due, today)
            .map_err(on_clock(rule))?
            .value as i64)
    };
    let urgency = if days_left < 0 {
        Urgency::Overdue
    } else if days_left <= p.due_soon_days as i64 {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    };
    Ok(Some(Clock {
        deadline,
        due,
        days_left,
        urgency,
        stopped: c.stage == Stage::ClockStopped,
        provisional,
    }))
}

mod decide;
pub use decide::{
    CaseCommand, CaseField, ClockChange, Context, MaterialReceipt, MaterialRecord, NewOpinion,
    OpinionFacts, Refusal, SameMatterLink, SideRecord, SignedBy, StepFacts, Transition,
    commission_items, conflicts_of, decide, material_problems,
};

#[cfg(test)]
mod tests;
