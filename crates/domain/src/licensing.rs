//! Online approval (网上审批) of the licences of judicial appraisal institutions and appraisers:
//! the stages of an application, the statutory clocks and the conditions of eligibility.
//!
//! Procedure: 《中华人民共和国行政许可法》第四章 (material check 第三十二条, decision period
//! 第四十二条, expert review outside the period 第四十五条, working days 第八十二条, reasons for a
//! refusal 第三十八条第二款). Conditions: 《司法鉴定机构登记管理办法》（司法部令第95号）第十四条
//! and 《司法鉴定人登记管理办法》（司法部令第96号）第十二条、第十三条.
//!
//! Transitions are pure: each rule returns the new stage or the rule it breaks, and [`decide`]
//! turns an [`ApplicationCommand`] on an application's facts into the whole [`Transition`]
//! (stage, event, field changes, the review to record, whether the register changes).
use crate::calendar::{CalendarError, Date, WorkingCalendar};
use crate::category::Category;
use serde::{Deserialize, Serialize};

const LAW_PROCEDURE: &str = "《行政许可法》第四章";
const LAW_CHECK: &str = "《行政许可法》第三十二条";
const LAW_REFUSAL: &str = "《行政许可法》第三十八条第二款";
const LAW_PERIOD: &str = "《行政许可法》第四十二条";
const PLATFORM: &str = "平台审批规则";

// ---------------------------------------------------------------------------------------------
// Kinds and stages
// ---------------------------------------------------------------------------------------------

/// What is applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    InstitutionEstablish,
    InstitutionChange,
    InstitutionRenew,
    InstitutionCancel,
    AppraiserRegister,
    AppraiserChange,
    AppraiserCancel,
}

impl ApplicationKind {
    pub const ALL: [Self; 7] = [
        Self::InstitutionEstablish,
        Self::InstitutionChange,
        Self::InstitutionRenew,
        Self::InstitutionCancel,
        Self::AppraiserRegister,
        Self::AppraiserChange,
        Self::AppraiserCancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InstitutionEstablish => "institution_establish",
            Self::InstitutionChange => "institution_change",
            Self::InstitutionRenew => "institution_renew",
            Self::InstitutionCancel => "institution_cancel",
            Self::AppraiserRegister => "appraiser_register",
            Self::AppraiserChange => "appraiser_change",
            Self::AppraiserCancel => "appraiser_cancel",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::InstitutionEstablish => "机构设立登记",
            Self::InstitutionChange => "机构变更登记",
            Self::InstitutionRenew => "机构延续登记",
            Self::InstitutionCancel => "机构注销登记",
            Self::AppraiserRegister => "鉴定人执业登记",
            Self::AppraiserChange => "鉴定人变更登记",
            Self::AppraiserCancel => "鉴定人注销登记",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::InstitutionEstablish => "Institution establishment",
            Self::InstitutionChange => "Institution change",
            Self::InstitutionRenew => "Institution renewal",
            Self::InstitutionCancel => "Institution cancellation",
            Self::AppraiserRegister => "Appraiser registration",
            Self::AppraiserChange => "Appraiser change",
            Self::AppraiserCancel => "Appraiser cancellation",
        }
    }

    pub fn is_institution(self) -> bool {
        matches!(
            self,
            Self::InstitutionEstablish
                | Self::InstitutionChange
                | Self::InstitutionRenew
                | Self::InstitutionCancel
        )
    }

    /// Establishment, renewal and registration go through expert review after acceptance;
    /// change and cancellation go straight to the decision.
    pub fn needs_expert_review(self) -> bool {
        matches!(
            self,
            Self::InstitutionEstablish | Self::InstitutionRenew | Self::AppraiserRegister
        )
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Submitted,
    Returned,
    Accepted,
    Approved,
    Refused,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::Returned,
        Self::Accepted,
        Self::Approved,
        Self::Refused,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Accepted => "accepted",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "已提交待审查",
            Self::Returned => "退回补正",
            Self::Accepted => "已受理·专家评审",
            Self::Approved => "准予登记",
            Self::Refused => "不予登记",
            Self::Withdrawn => "已撤回",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Submitted => "Submitted, awaiting check",
            Self::Returned => "Returned for correction",
            Self::Accepted => "Accepted, under review",
            Self::Approved => "Approved",
            Self::Refused => "Refused",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// Still in progress; Approved, Refused and Withdrawn are terminal.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Returned | Self::Accepted)
    }
}

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/// Periods and thresholds of the approval. All periods are working days
/// (《行政许可法》第八十二条: 期限以工作日计算，不含法定节假日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Default 5. Incomplete materials: tell the applicant everything to correct at once within
    /// five days (《行政许可法》第三十二条第一款第四项).
    pub material_check_days: u32,
    /// Default 20, counted from acceptance (《行政许可法》第四十二条). Expert review time is not
    /// counted (《行政许可法》第四十五条).
    pub decision_days: u32,
    /// Default 10: the decision period may be extended once with the head's approval
    /// (《行政许可法》第四十二条).
    pub extension_days: u32,
    /// Default 3 expert reviews before a decision on a kind that takes review (platform policy).
    pub min_expert_reviews: u32,
    /// Default 60: the average review score (scores are 0–100) an approval needs (platform
    /// policy).
    pub min_review_score: u32,
    /// Default 200,000 yuan: the lower bound of the 20万–100万 each province sets
    /// (《司法鉴定机构登记管理办法》第十四条第二项).
    pub min_institution_funds_yuan: u64,
    /// Default 3 appraisers for each business category (《司法鉴定机构登记管理办法》第十四条
    /// 第六项).
    pub min_appraisers_per_category: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            material_check_days: 5,
            decision_days: 20,
            extension_days: 10,
            min_expert_reviews: 3,
            min_review_score: 60,
            min_institution_funds_yuan: 200_000,
            min_appraisers_per_category: 3,
        }
    }
}

/// A stored expert review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub expert_id: i64,
    /// 0–100.
    pub score: u32,
    pub recommend: bool,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A transition refused, with the rule it breaks ([`LicensingError::rule`]) and the form field
/// it concerns ([`LicensingError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicensingError {
    #[error("申请处于「{}」状态，不能{action}（《行政许可法》第四章）", stage.label_zh())]
    WrongStage { action: &'static str, stage: Stage },
    #[error("退回补正须一次告知需要补正的全部内容（《行政许可法》第三十二条）")]
    CorrectionsRequired,
    #[error("不予登记的书面决定应当说明理由（《行政许可法》第三十八条第二款）")]
    ReasonsRequired,
    #[error("须有至少{need}名专家评审意见方可作出决定，现有{have}名（平台审批规则）")]
    NotEnoughReviews { have: u32, need: u32 },
    #[error("每名专家对同一申请只能提交一份评审意见（平台审批规则）")]
    DuplicateReviewer,
    #[error("评审分数应在0至100之间，收到{0}（平台审批规则）")]
    ScoreOutOfRange(u32),
    #[error("该类申请不经专家评审，受理后直接作出决定（平台审批规则）")]
    ReviewNotNeeded,
    #[error("审查期限只能延长一次（《行政许可法》第四十二条）")]
    AlreadyExtended,
    #[error("专家与申请人有利害关系，应当回避，不能评审（平台审批规则）")]
    ReviewerIsApplicant,
    #[error("延长期限须说明理由（《行政许可法》第四十二条）")]
    ExtensionReasonsRequired,
    #[error("专家不在专家库中")]
    ExpertNotListed,
    #[error("该专家不在本辖区的在册专家名单中")]
    ExpertOutOfRegion,
    #[error(
        "专家评审平均分{average}分，须不低于{need}分且过半数专家推荐方可准予登记（平台审批规则）"
    )]
    ReviewsAgainst { average: u32, need: u32 },
}

impl LicensingError {
    /// The short source of the rule, as quoted at the end of the message.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::WrongStage { .. } => LAW_PROCEDURE,
            Self::CorrectionsRequired => LAW_CHECK,
            Self::ReasonsRequired => LAW_REFUSAL,
            Self::AlreadyExtended | Self::ExtensionReasonsRequired => LAW_PERIOD,
            Self::NotEnoughReviews { .. }
            | Self::DuplicateReviewer
            | Self::ScoreOutOfRange(_)
            | Self::ReviewNotNeeded
            | Self::ReviewerIsApplicant
            | Self::ExpertNotListed
            | Self::ExpertOutOfRegion
            | Self::ReviewsAgainst { .. } => PLATFORM,
        }
    }

    /// The form field the error concerns.
    pub fn field(&self) -> &'static str {
        match self {
            Self::WrongStage { .. } => "stage",
            Self::CorrectionsRequired | Self::ReasonsRequired | Self::ExtensionReasonsRequired => {
                "reasons"
            }
            Self::NotEnoughReviews { .. } | Self::ReviewsAgainst { .. } => "reviews",
            Self::DuplicateReviewer
            | Self::ReviewerIsApplicant
            | Self::ExpertNotListed
            | Self::ExpertOutOfRegion => "expert_id",
            Self::ScoreOutOfRange(_) => "score",
            Self::ReviewNotNeeded => "kind",
            Self::AlreadyExtended => "extension",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------

fn given(text: &str) -> bool {
    !text.trim().is_empty()
}

fn require(stage: Stage, allowed: Stage, action: &'static str) -> Result<(), LicensingError> {
    if stage == allowed {
        Ok(())
    } else {
        Err(LicensingError::WrongStage { action, stage })
    }
}

/// The material check of a submitted application (《行政许可法》第三十二条): complete materials
/// are accepted; incomplete ones are returned, with everything to correct stated at once.
pub fn material_check(
    _kind: ApplicationKind,
    stage: Stage,
    complete: bool,
    reasons: &str,
) -> Result<Stage, LicensingError> {
    require(stage, Stage::Submitted, "审查申请材料")?;
    if complete {
        Ok(Stage::Accepted)
    } else if given(reasons) {
        Ok(Stage::Returned)
    } else {
        Err(LicensingError::CorrectionsRequired)
    }
}

/// The applicant submits corrected materials.
pub fn resubmit(stage: Stage) -> Result<Stage, LicensingError> {
    require(stage, Stage::Returned, "重新提交")?;
    Ok(Stage::Submitted)
}

/// The applicant withdraws an application still in progress.
pub fn withdraw(stage: Stage) -> Result<Stage, LicensingError> {
    if stage.is_open() {
        Ok(Stage::Withdrawn)
    } else {
        Err(LicensingError::WrongStage {
            action: "撤回申请",
            stage,
        })
    }
}

/// Checks a new expert review against the stored ones: only in Accepted, only for kinds that
/// take review, score 0–100, one review per expert, no expert who is party to the application.
pub fn add_review(
    kind: ApplicationKind,
    stage: Stage,
    existing: &[Review],
    new: &Review,
    applicant_party_ids: &[i64],
) -> Result<(), LicensingError> {
    require(stage, Stage::Accepted, "提交专家评审意见")?;
    if !kind.needs_expert_review() {
        return Err(LicensingError::ReviewNotNeeded);
    }
    if new.score > 100 {
        return Err(LicensingError::ScoreOutOfRange(new.score));
    }
    if applicant_party_ids.contains(&new.expert_id) {
        return Err(LicensingError::ReviewerIsApplicant);
    }
    if existing.iter().any(|r| r.expert_id == new.expert_id) {
        return Err(LicensingError::DuplicateReviewer);
    }
    Ok(())
}

/// One review per expert (the first), whatever the caller passes.
fn distinct(reviews: &[Review]) -> Vec<Review> {
    let mut out: Vec<Review> = Vec::with_capacity(reviews.len());
    for r in reviews {
        if !out.iter().any(|o| o.expert_id == r.expert_id) {
            out.push(*r);
        }
    }
    out
}

/// Whether a decision may be taken now, whichever way it goes: the application is accepted and,
/// for a kind that takes review, `policy.min_expert_reviews` distinct experts have reviewed it
/// (平台审批规则). [`registration_decision`] checks this first, and the application's page offers
/// the decision only when it holds, so the page and the rule cannot disagree.
pub fn decision_open(
    kind: ApplicationKind,
    stage: Stage,
    reviews: &[Review],
    policy: &Policy,
) -> Result<(), LicensingError> {
    require(stage, Stage::Accepted, "作出登记决定")?;
    let have = u32::try_from(distinct(reviews).len()).unwrap_or(u32::MAX);
    if kind.needs_expert_review() && have < policy.min_expert_reviews {
        return Err(LicensingError::NotEnoughReviews {
            have,
            need: policy.min_expert_reviews,
        });
    }
    Ok(())
}

/// Whether an expert's specialities (classification codes, comma-separated) share a category
/// with an application's scope; an application without a scope (a change, a cancellation)
/// matches every expert. Codes the classification does not know are ignored.
pub fn speciality_matches(
    cls: &crate::classification::Classification,
    speciality: &str,
    scope: &str,
) -> bool {
    let categories = |codes: &str| -> Vec<Category> {
        codes
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .filter_map(|c| cls.category_of(c).ok())
            .collect()
    };
    let wanted = categories(scope);
    wanted.is_empty() || categories(speciality).iter().any(|c| wanted.contains(c))
}

/// The decision on an accepted application. Kinds that take review need
/// `policy.min_expert_reviews` reviews first; an approval needs an average score of at least
/// `policy.min_review_score` and no majority against; a refusal needs written reasons
/// (《行政许可法》第三十八条第二款).
pub fn registration_decision(
    kind: ApplicationKind,
    stage: Stage,
    reviews: &[Review],
    policy: &Policy,
    approve: bool,
    reasons: &str,
) -> Result<Stage, LicensingError> {
    decision_open(kind, stage, reviews, policy)?;
    let reviews = distinct(reviews);
    let have = u32::try_from(reviews.len()).unwrap_or(u32::MAX);
    if !approve {
        return if given(reasons) {
            Ok(Stage::Refused)
        } else {
            Err(LicensingError::ReasonsRequired)
        };
    }
    if kind.needs_expert_review() && !reviews.is_empty() {
        let count = u64::from(have);
        let sum: u64 = reviews.iter().map(|r| u64::from(r.score)).sum();
        let against = reviews.iter().filter(|r| !r.recommend).count();
        let low = sum < u64::from(policy.min_review_score) * count;
        if low || against * 2 > reviews.len() {
            return Err(LicensingError::ReviewsAgainst {
                average: u32::try_from(sum / count).unwrap_or(u32::MAX),
                need: policy.min_review_score,
            });
        }
    }
    Ok(Stage::Approved)
}

/// Extends the decision period once (《行政许可法》第四十二条); the stage stays Accepted.
pub fn extend(stage: Stage, already_extended: bool) -> Result<Stage, LicensingError> {
    require(stage, Stage::Accepted, "延长审查期限")?;
    if already_extended {
        Err(LicensingError::AlreadyExtended)
    } else {
        Ok(Stage::Accepted)
    }
}

mod decide;
pub use decide::{
    ApplicationCommand, ApplicationFacts, ApplicationField, Context, ExpertFacts, Refusal,
    ReviewRecord, StoredFile, Transition, decide,
};

// ---------------------------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------------------------

/// Which period is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Five working days to accept or return (《行政许可法》第三十二条).
    MaterialCheck,
    /// Twenty working days (plus extension) to decide (《行政许可法》第四十二条).
    Decision,
    /// Not running: returned to the applicant, or in expert review (《行政许可法》第四十五条).
    Stopped,
    /// The application is closed.
    Closed,
}

/// What the clock of one application needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInput {
    /// Date of the latest (re)submission.
    pub submitted_on: Date,
    /// Date of acceptance; when missing in Accepted, the submission date (《行政许可法》第三十二条:
    /// not told within the period, the application counts as accepted on receipt).
    pub accepted_on: Option<Date>,
    pub review_started_on: Option<Date>,
    pub review_finished_on: Option<Date>,
    pub extended: bool,
    pub stage: Stage,
    pub today: Date,
}

/// The state of the statutory period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub due: Option<Date>,
    /// Working days from today to `due`: 0 on the due day, negative when overdue (at least −1,
    /// also on the rest days right after the due day).
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    pub what: ClockKind,
    /// `due` counted a year whose holiday table is not loaded: it may change when it is.
    pub provisional: bool,
}

impl Clock {
    fn idle(what: ClockKind) -> Self {
        Self {
            due: None,
            working_days_left: None,
            overdue: false,
            what,
            provisional: false,
        }
    }
}

/// The running period of an application. While an expert review runs, the clock is stopped and
/// `due` is what it would be if the review ended today.
/// Which clock runs, known from the stage alone (even when a year without a calendar table
/// keeps its date from being computed).
pub fn clock_kind(input: &ClockInput) -> ClockKind {
    match input.stage {
        Stage::Submitted => ClockKind::MaterialCheck,
        Stage::Returned => ClockKind::Stopped,
        Stage::Approved | Stage::Refused | Stage::Withdrawn => ClockKind::Closed,
        Stage::Accepted
            if input.review_started_on.is_some() && input.review_finished_on.is_none() =>
        {
            ClockKind::Stopped
        }
        Stage::Accepted => ClockKind::Decision,
    }
}

pub fn clock(
    cal: &WorkingCalendar,
    policy: &Policy,
    input: &ClockInput,
) -> Result<Clock, CalendarError> {
    let (due, what) = match input.stage {
        Stage::Submitted => (
            cal.reckon_add_working_days(input.submitted_on, policy.material_check_days)?,
            ClockKind::MaterialCheck,
        ),
        Stage::Returned => return Ok(Clock::idle(ClockKind::Stopped)),
        Stage::Approved | Stage::Refused | Stage::Withdrawn => {
            return Ok(Clock::idle(ClockKind::Closed));
        }
        Stage::Accepted => {
            let accepted = input.accepted_on.unwrap_or(input.submitted_on);
            let mut days = policy.decision_days;
            if input.extended {
                days = days.saturating_add(policy.extension_days);
            }
            let mut what = ClockKind::Decision;
            let mut review_provisional = false;
            if let Some(started) = input.review_started_on {
                let end = match input.review_finished_on {
                    Some(finished) => finished,
                    None => {
                        what = ClockKind::Stopped;
                        input.today
                    }
                };
                let review = cal.reckon_working_days_between(started, end)?;
                review_provisional = review.provisional;
                days = days.saturating_add(review.value);
            }
            let due = cal.reckon_add_working_days(accepted, days)?;
            (due.or_provisional(review_provisional), what)
        }
    };
    let (provisional, due) = (due.provisional, due.value);
    let today = input.today;
    let left = if today <= due {
        i64::from(cal.reckon_working_days_between(today, due)?.value)
    } else {
        -i64::from(cal.reckon_working_days_between(due, today)?.value.max(1))
    };
    Ok(Clock {
        due: Some(due),
        working_days_left: Some(left),
        overdue: today > due,
        what,
        provisional,
    })
}

// ---------------------------------------------------------------------------------------------
// Eligibility
// ---------------------------------------------------------------------------------------------

/// One unmet condition. `message` ends with the rule in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub rule: &'static str,
    pub field: &'static str,
    pub message: String,
}

fn problem(rule: &'static str, field: &'static str, text: &str) -> Problem {
    Problem {
        rule,
        field,
        message: format!("{text}（{rule}）"),
    }
}

/// What an appraiser's registration depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AppraiserEligibility {
    pub senior_title: bool,
    pub industry_qualification: bool,
    pub bachelor_or_above: bool,
    pub years_in_field: u32,
    /// Applies for experience- or skill-based appraisal (经验鉴定型、技能鉴定型).
    pub experience_based: bool,
    pub institution_licensed_or_applying: bool,
    pub healthy: bool,
    pub criminal_record: bool,
    pub dismissed_from_public_office: bool,
    pub registration_revoked: bool,
    pub institution_suspended: bool,
    pub lacks_capacity: bool,
}

/// Every unmet condition of 《司法鉴定人登记管理办法》第十二条 and every disqualification of
/// 第十三条, in the order of the articles.
pub fn appraiser_problems(e: &AppraiserEligibility) -> Vec<Problem> {
    const A12: [&str; 3] = [
        "《司法鉴定人登记管理办法》第十二条第二项",
        "《司法鉴定人登记管理办法》第十二条第三项",
        "《司法鉴定人登记管理办法》第十二条第五项",
    ];
    let mut out = Vec::new();
    let degree_or_qualification = e.industry_qualification || e.bachelor_or_above;
    if !(e.senior_title || (degree_or_qualification && e.years_in_field >= 5)) {
        out.push(problem(
            A12[0],
            "senior_title",
            "须具有相关的高级专业技术职称，或者具有相关的行业执业资格或高等院校相关专业本科以上学历且从事相关工作五年以上",
        ));
    }
    if e.experience_based && e.years_in_field < 10 {
        out.push(problem(
            A12[1],
            "years_in_field",
            "申请从事经验鉴定型或技能鉴定型业务的，须具备相关专业工作十年以上经历",
        ));
    }
    if !e.institution_licensed_or_applying {
        out.push(problem(
            A12[2],
            "institution",
            "拟执业机构须已经取得或者正在申请《司法鉴定许可证》",
        ));
    }
    if !e.healthy {
        out.push(problem(
            "《司法鉴定人登记管理办法》第十二条第六项",
            "healthy",
            "须身体健康，能够适应司法鉴定工作需要",
        ));
    }
    let bars: [(bool, &'static str, &'static str, &str); 5] = [
        (
            e.criminal_record,
            "《司法鉴定人登记管理办法》第十三条第一项",
            "criminal_record",
            "因故意犯罪或者职务过失犯罪受过刑事处罚的，不得申请",
        ),
        (
            e.dismissed_from_public_office,
            "《司法鉴定人登记管理办法》第十三条第二项",
            "dismissed",
            "受过开除公职处分的，不得申请",
        ),
        (
            e.registration_revoked,
            "《司法鉴定人登记管理办法》第十三条第三项",
            "registration_revoked",
            "被司法行政机关撤销司法鉴定人登记的，不得申请",
        ),
        (
            e.institution_suspended,
            "《司法鉴定人登记管理办法》第十三条第四项",
            "institution_suspended",
            "所在司法鉴定机构受到停业处罚且处罚期未满的，不得申请",
        ),
        (
            e.lacks_capacity,
            "《司法鉴定人登记管理办法》第十三条第五项",
            "capacity",
            "无民事行为能力或者限制民事行为能力的，不得申请",
        ),
    ];
    for (barred, rule, field, text) in bars {
        if barred {
            out.push(problem(rule, field, text));
        }
    }
    out
}

/// What an institution's registration depends on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstitutionEligibility {
    pub has_name: bool,
    pub has_address: bool,
    pub funds_yuan: u64,
    /// Business scope.
    pub categories: Vec<Category>,
    pub has_equipment: bool,
    /// Testing laboratory with metrology certification or accreditation (CMA / CNAS).
    pub has_accredited_lab: bool,
    pub appraisers_per_category: Vec<(Category, u32)>,
}

/// Categories whose appraisal needs an accredited testing laboratory: 物证类, 环境损害类.
fn needs_lab(c: Category) -> bool {
    matches!(c.digit(), 2 | 4)
}

/// Every unmet condition of 《司法鉴定机构登记管理办法》第十四条: (一) name and address,
/// (二) funds, (三) business scope, (四) instruments and equipment, (五) accredited testing
/// laboratory, (六) enough appraisers for each business.
pub fn institution_problems(e: &InstitutionEligibility, policy: &Policy) -> Vec<Problem> {
    const R: [&str; 6] = [
        "《司法鉴定机构登记管理办法》第十四条第一项",
        "《司法鉴定机构登记管理办法》第十四条第二项",
        "《司法鉴定机构登记管理办法》第十四条第三项",
        "《司法鉴定机构登记管理办法》第十四条第四项",
        "《司法鉴定机构登记管理办法》第十四条第五项",
        "《司法鉴定机构登记管理办法》第十四条第六项",
    ];
    let mut out = Vec::new();
    if !e.has_name {
        out.push(problem(R[0], "name", "须有自己的名称"));
    }
    if !e.has_address {
        out.push(problem(R[0], "address", "须有自己的住所"));
    }
    if e.funds_yuan < policy.min_institution_funds_yuan {
        let text = format!(
            "资金不得少于{}元，申报{}元",
            policy.min_institution_funds_yuan, e.funds_yuan
        );
        out.push(problem(R[1], "funds", &text));
    }
    let mut scope = e.categories.clone();
    scope.sort();
    scope.dedup();
    if scope.is_empty() {
        out.push(problem(R[2], "categories", "须有明确的司法鉴定业务范围"));
    }
    if !e.has_equipment {
        out.push(problem(
            R[3],
            "equipment",
            "须有在业务范围内进行司法鉴定必需的仪器、设备",
        ));
    }
    let lab: Vec<&str> = scope
        .iter()
        .filter(|c| needs_lab(**c))
        .map(|c| c.label_zh())
        .collect();
    if !e.has_accredited_lab && !lab.is_empty() {
        let text = format!(
            "{}鉴定须有依法通过计量认证或者实验室认可的检测实验室",
            lab.join("、")
        );
        out.push(problem(R[4], "lab", &text));
    }
    for c in scope {
        let have: u32 = e
            .appraisers_per_category
            .iter()
            .filter(|(k, _)| *k == c)
            .map(|(_, n)| *n)
            .fold(0, u32::saturating_add);
        if have < policy.min_appraisers_per_category {
            let text = format!(
                "{}业务须有{}名以上鉴定人，现有{}名",
                c.label_zh(),
                policy.min_appraisers_per_category,
                have
            );
            out.push(problem(R[5], "appraisers", &text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use ApplicationKind as K;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn rv(expert_id: i64, score: u32, recommend: bool) -> Review {
        Review {
            expert_id,
            score,
            recommend,
        }
    }

    fn good_reviews() -> Vec<Review> {
        vec![rv(1, 80, true), rv(2, 70, true), rv(3, 65, false)]
    }

    const CLOSED: [Stage; 3] = [Stage::Approved, Stage::Refused, Stage::Withdrawn];

    fn is_wrong_stage(r: Result<Stage, LicensingError>, stage: Stage) -> bool {
        matches!(r, Err(LicensingError::WrongStage { stage: s, .. }) if s == stage)
    }

    // --- kinds, stages, errors ---

    #[test]
    fn names_round_trip() {
        for k in K::ALL {
            assert_eq!(K::parse(k.as_str()), Some(k));
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
        }
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert!(!s.label_zh().is_empty() && !s.label_en().is_empty());
        }
        assert_eq!(K::parse("institution_open"), None);
        assert_eq!(Stage::parse("Accepted"), None);
        let reviewed: Vec<K> = K::ALL
            .into_iter()
            .filter(|k| k.needs_expert_review())
            .collect();
        assert_eq!(
            reviewed,
            [
                K::InstitutionEstablish,
                K::InstitutionRenew,
                K::AppraiserRegister
            ]
        );
        assert_eq!(K::ALL.into_iter().filter(|k| k.is_institution()).count(), 4);
        let open: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [Stage::Submitted, Stage::Returned, Stage::Accepted]);
    }

    #[test]
    fn every_error_message_ends_with_its_rule() {
        let all = [
            LicensingError::WrongStage {
                action: "作出登记决定",
                stage: Stage::Refused,
            },
            LicensingError::CorrectionsRequired,
            LicensingError::ReasonsRequired,
            LicensingError::NotEnoughReviews { have: 1, need: 3 },
            LicensingError::DuplicateReviewer,
            LicensingError::ScoreOutOfRange(101),
            LicensingError::ReviewNotNeeded,
            LicensingError::AlreadyExtended,
            LicensingError::ReviewerIsApplicant,
            LicensingError::ReviewsAgainst {
                average: 50,
                need: 60,
            },
        ];
        for e in all {
            let msg = e.to_string();
            assert!(msg.ends_with(&format!("（{}）", e.rule())), "{msg}");
            assert!(!e.field().is_empty());
        }
        assert_eq!(
            LicensingError::WrongStage {
                action: "作出登记决定",
                stage: Stage::Refused
            }
            .to_string(),
            "申请处于「不予登记」状态，不能作出登记决定（《行政许可法》第四章）"
        );
    }

    // --- material check, resubmit, withdraw ---

    #[test]
    fn material_check_accepts_or_returns() {
        for k in K::ALL {
            assert_eq!(
                material_check(k, Stage::Submitted, true, ""),
                Ok(Stage::Accepted)
            );
            assert_eq!(
                material_check(k, Stage::Submitted, false, "缺营业执照复印件"),
                Ok(Stage::Returned)
            );
        }
    }

    #[test]
    fn return_needs_the_corrections() {
        for reasons in ["", "  \n\t"] {
            let err =
                material_check(K::AppraiserRegister, Stage::Submitted, false, reasons).unwrap_err();
            assert_eq!(err, LicensingError::CorrectionsRequired);
            assert_eq!(err.rule(), "《行政许可法》第三十二条");
            assert_eq!(err.field(), "reasons");
        }
    }

    #[test]
    fn material_check_only_when_submitted() {
        for s in Stage::ALL.into_iter().filter(|s| *s != Stage::Submitted) {
            assert!(is_wrong_stage(
                material_check(K::InstitutionChange, s, true, ""),
                s
            ));
        }
    }

    #[test]
    fn resubmit_only_when_returned() {
        assert_eq!(resubmit(Stage::Returned), Ok(Stage::Submitted));
        for s in Stage::ALL.into_iter().filter(|s| *s != Stage::Returned) {
            assert!(is_wrong_stage(resubmit(s), s));
        }
    }

    #[test]
    fn withdraw_from_open_stages_only() {
        for s in [Stage::Submitted, Stage::Returned, Stage::Accepted] {
            assert_eq!(withdraw(s), Ok(Stage::Withdrawn));
        }
        for s in CLOSED {
            let err = withdraw(s).unwrap_err();
            assert_eq!(err.field(), "stage");
            assert!(is_wrong_stage(Err(err), s));
        }
    }

    // --- reviews ---

    #[test]
    fn review_accepted() {
        assert_eq!(
            add_review(
                K::InstitutionEstablish,
                Stage::Accepted,
                &good_reviews(),
                &rv(4, 100, true),
                &[10, 11]
            ),
            Ok(())
        );
        assert_eq!(
            add_review(
                K::AppraiserRegister,
                Stage::Accepted,
                &[],
                &rv(1, 0, false),
                &[]
            ),
            Ok(())
        );
    }

    #[test]
    fn review_refusals() {
        let k = K::InstitutionRenew;
        let existing = good_reviews();
        let cases = [
            (
                add_review(k, Stage::Accepted, &existing, &rv(2, 90, true), &[]),
                LicensingError::DuplicateReviewer,
                "expert_id",
            ),
            (
                add_review(k, Stage::Accepted, &existing, &rv(9, 90, true), &[7, 9]),
                LicensingError::ReviewerIsApplicant,
                "expert_id",
            ),
            (
                add_review(k, Stage::Accepted, &existing, &rv(9, 101, true), &[]),
                LicensingError::ScoreOutOfRange(101),
                "score",
            ),
            (
                add_review(
                    K::AppraiserChange,
                    Stage::Accepted,
                    &[],
                    &rv(9, 80, true),
                    &[],
                ),
                LicensingError::ReviewNotNeeded,
                "kind",
            ),
        ];
        for (got, want, field) in cases {
            assert_eq!(got, Err(want.clone()));
            assert_eq!(want.field(), field);
        }
        for s in Stage::ALL.into_iter().filter(|s| *s != Stage::Accepted) {
            let got = add_review(k, s, &[], &rv(1, 80, true), &[]);
            assert!(
                matches!(got, Err(LicensingError::WrongStage { stage, .. }) if stage == s),
                "{s:?}"
            );
        }
    }

    // --- decisions ---

    #[test]
    fn approve_and_refuse() {
        let p = Policy::default();
        let k = K::InstitutionEstablish;
        assert_eq!(
            registration_decision(k, Stage::Accepted, &good_reviews(), &p, true, ""),
            Ok(Stage::Approved)
        );
        assert_eq!(
            registration_decision(
                k,
                Stage::Accepted,
                &good_reviews(),
                &p,
                false,
                "实验室未通过认可"
            ),
            Ok(Stage::Refused)
        );
        // Change and cancellation need no review.
        for k in [
            K::InstitutionChange,
            K::InstitutionCancel,
            K::AppraiserCancel,
        ] {
            assert_eq!(
                registration_decision(k, Stage::Accepted, &[], &p, true, ""),
                Ok(Stage::Approved)
            );
        }
    }

    #[test]
    fn refusal_needs_reasons() {
        let p = Policy::default();
        for k in [K::AppraiserRegister, K::AppraiserChange] {
            let err = registration_decision(k, Stage::Accepted, &good_reviews(), &p, false, " ")
                .unwrap_err();
            assert_eq!(err, LicensingError::ReasonsRequired);
            assert_eq!(err.rule(), "《行政许可法》第三十八条第二款");
            assert_eq!(err.field(), "reasons");
        }
    }

    #[test]
    fn decision_open_exactly_when_the_decision_rule_would_take_it() {
        let p = Policy::default();
        let reviews = good_reviews();
        for k in K::ALL {
            for s in Stage::ALL {
                for n in 0..=reviews.len() {
                    let open = decision_open(k, s, &reviews[..n], &p);
                    // Either way of deciding is refused for the same reason when not open.
                    for approve in [true, false] {
                        let got = registration_decision(k, s, &reviews[..n], &p, approve, "理由");
                        match &open {
                            Ok(()) => assert!(got.is_ok(), "{k:?} {s:?} {n}"),
                            Err(e) => assert_eq!(got.as_ref().unwrap_err(), e),
                        }
                    }
                }
            }
        }
        assert_eq!(
            decision_open(K::AppraiserRegister, Stage::Accepted, &reviews[..1], &p),
            Err(LicensingError::NotEnoughReviews { have: 1, need: 3 })
        );
        assert!(decision_open(K::AppraiserChange, Stage::Accepted, &[], &p).is_ok());
    }

    #[test]
    fn speciality_matches_by_category() {
        let cls = crate::classification::Classification::current();
        let code = |c: Category| {
            cls.entries()
                .iter()
                .find(|e| e.in_force() && e.category == c && e.code.to_string().contains('.'))
                .map(|e| e.code.to_string())
                .unwrap()
        };
        let (a, b) = (code(Category::ALL[0]), code(Category::ALL[1]));
        assert!(speciality_matches(cls, &format!("{b},{a}"), &a));
        assert!(!speciality_matches(cls, &b, &a));
        assert!(speciality_matches(cls, &b, ""));
        assert!(!speciality_matches(cls, "", &a));
    }

    #[test]
    fn not_enough_reviews_default_three() {
        let p = Policy::default();
        let two = &good_reviews()[..2];
        for approve in [true, false] {
            let err = registration_decision(
                K::AppraiserRegister,
                Stage::Accepted,
                two,
                &p,
                approve,
                "理由",
            )
            .unwrap_err();
            assert_eq!(err, LicensingError::NotEnoughReviews { have: 2, need: 3 });
            assert_eq!(
                err.to_string(),
                "须有至少3名专家评审意见方可作出决定，现有2名（平台审批规则）"
            );
        }
        // The same expert twice counts once.
        let dup = [rv(1, 80, true), rv(1, 80, true), rv(2, 80, true)];
        assert_eq!(
            registration_decision(K::AppraiserRegister, Stage::Accepted, &dup, &p, true, ""),
            Err(LicensingError::NotEnoughReviews { have: 2, need: 3 })
        );
    }

    #[test]
    fn not_enough_reviews_custom_n() {
        let p = Policy {
            min_expert_reviews: 5,
            ..Policy::default()
        };
        let err = registration_decision(
            K::InstitutionRenew,
            Stage::Accepted,
            &good_reviews(),
            &p,
            true,
            "",
        )
        .unwrap_err();
        assert_eq!(err, LicensingError::NotEnoughReviews { have: 3, need: 5 });
        assert!(
            err.to_string()
                .starts_with("须有至少5名专家评审意见方可作出决定")
        );
        let p1 = Policy {
            min_expert_reviews: 1,
            ..Policy::default()
        };
        assert_eq!(
            registration_decision(
                K::InstitutionRenew,
                Stage::Accepted,
                &[rv(1, 90, true)],
                &p1,
                true,
                ""
            ),
            Ok(Stage::Approved)
        );
    }

    #[test]
    fn approval_against_the_experts_refused() {
        let p = Policy::default();
        let k = K::InstitutionEstablish;
        // Average 59.67: below 60.
        let low = [rv(1, 60, true), rv(2, 60, true), rv(3, 59, true)];
        assert_eq!(
            registration_decision(k, Stage::Accepted, &low, &p, true, ""),
            Err(LicensingError::ReviewsAgainst {
                average: 59,
                need: 60
            })
        );
        // Good scores, but two of three do not recommend.
        let against = [rv(1, 90, true), rv(2, 90, false), rv(3, 90, false)];
        let err = registration_decision(k, Stage::Accepted, &against, &p, true, "").unwrap_err();
        assert_eq!(
            err,
            LicensingError::ReviewsAgainst {
                average: 90,
                need: 60
            }
        );
        assert_eq!(err.field(), "reviews");
        // Refusing is still possible.
        assert_eq!(
            registration_decision(k, Stage::Accepted, &against, &p, false, "专家多数不推荐"),
            Ok(Stage::Refused)
        );
        // Exactly 60 on average and a tie on recommendation is not against.
        let edge = [
            rv(1, 60, true),
            rv(2, 60, false),
            rv(3, 50, true),
            rv(4, 70, false),
        ];
        assert_eq!(
            registration_decision(k, Stage::Accepted, &edge, &p, true, ""),
            Ok(Stage::Approved)
        );
    }

    #[test]
    fn decide_only_when_accepted() {
        let p = Policy::default();
        for s in Stage::ALL.into_iter().filter(|s| *s != Stage::Accepted) {
            assert!(is_wrong_stage(
                registration_decision(K::InstitutionEstablish, s, &good_reviews(), &p, true, ""),
                s
            ));
        }
    }

    #[test]
    fn extension_once() {
        assert_eq!(extend(Stage::Accepted, false), Ok(Stage::Accepted));
        let err = extend(Stage::Accepted, true).unwrap_err();
        assert_eq!(err, LicensingError::AlreadyExtended);
        assert_eq!(err.rule(), "《行政许可法》第四十二条");
        for s in Stage::ALL.into_iter().filter(|s| *s != Stage::Accepted) {
            assert!(is_wrong_stage(extend(s, false), s));
        }
    }

    // --- clocks ---

    fn input(stage: Stage, today: &str) -> ClockInput {
        ClockInput {
            submitted_on: d("2026-09-28"),
            accepted_on: Some(d("2026-10-12")),
            review_started_on: None,
            review_finished_on: None,
            extended: false,
            stage,
            today: d(today),
        }
    }

    fn run(i: &ClockInput) -> Clock {
        clock(&WorkingCalendar::shipped(), &Policy::default(), i).unwrap()
    }

    #[test]
    fn material_check_across_national_day() {
        // Mon 09-28 submitted: 09-29 (1), 09-30 (2), 10-01..10-07 off, 10-08 Thu (3),
        // 10-09 Fri (4), 10-10 Sat worked (5).
        let c = run(&input(Stage::Submitted, "2026-09-30"));
        assert_eq!(c.what, ClockKind::MaterialCheck);
        assert_eq!(c.due, Some(d("2026-10-10")));
        assert_eq!(c.working_days_left, Some(3));
        assert!(!c.overdue);
        let on_due = run(&input(Stage::Submitted, "2026-10-10"));
        assert_eq!((on_due.working_days_left, on_due.overdue), (Some(0), false));
        // Sunday after the due day: overdue, at least −1.
        let sunday = run(&input(Stage::Submitted, "2026-10-11"));
        assert_eq!((sunday.working_days_left, sunday.overdue), (Some(-1), true));
        let later = run(&input(Stage::Submitted, "2026-10-14"));
        assert_eq!((later.working_days_left, later.overdue), (Some(-3), true));
    }

    #[test]
    fn decision_period_and_extension() {
        // Accepted Mon 10-12: 10-13..16 (4), 10-19..23 (9), 10-26..30 (14), 11-02..06 (19),
        // 11-09 (20).
        let c = run(&input(Stage::Accepted, "2026-10-12"));
        assert_eq!(c.what, ClockKind::Decision);
        assert_eq!(c.due, Some(d("2026-11-09")));
        assert_eq!(c.working_days_left, Some(20));
        // Extended by 10: 11-10..13 (24), 11-16..20 (29), 11-23 (30).
        let ext = run(&ClockInput {
            extended: true,
            ..input(Stage::Accepted, "2026-10-12")
        });
        assert_eq!(ext.due, Some(d("2026-11-23")));
        // Not accepted on record: counts from submission (《行政许可法》第三十二条).
        let deemed = run(&ClockInput {
            accepted_on: None,
            ..input(Stage::Accepted, "2026-10-12")
        });
        assert_eq!(deemed.due, clock_due("2026-09-28", 20));
    }

    fn clock_due(from: &str, n: u32) -> Option<Date> {
        WorkingCalendar::shipped().add_working_days(d(from), n).ok()
    }

    #[test]
    fn review_time_not_counted() {
        // Review Wed 10-14 .. Fri 10-23: 10-15, 10-16, 10-19..10-23 = 7 working days.
        // 11-09 + 7: 11-10..13 (4), 11-16..18 (7).
        let done = run(&ClockInput {
            review_started_on: Some(d("2026-10-14")),
            review_finished_on: Some(d("2026-10-23")),
            ..input(Stage::Accepted, "2026-10-26")
        });
        assert_eq!(done.what, ClockKind::Decision);
        assert_eq!(done.due, Some(d("2026-11-18")));
        // Still running on Wed 10-21: 5 review days so far, clock stopped.
        let running = run(&ClockInput {
            review_started_on: Some(d("2026-10-14")),
            ..input(Stage::Accepted, "2026-10-21")
        });
        assert_eq!(running.what, ClockKind::Stopped);
        assert_eq!(running.due, Some(d("2026-11-16")));
        // 2 used before the review (10-13, 10-14) + 18 left = 20.
        assert_eq!(running.working_days_left, Some(18));
        assert!(!running.overdue);
        // With the extension as well.
        let both = run(&ClockInput {
            extended: true,
            review_started_on: Some(d("2026-10-14")),
            review_finished_on: Some(d("2026-10-23")),
            ..input(Stage::Accepted, "2026-10-26")
        });
        assert_eq!(both.due, clock_due("2026-11-18", 10));
        assert_eq!(both.due, Some(d("2026-12-02")));
    }

    #[test]
    fn decision_overdue() {
        let c = run(&input(Stage::Accepted, "2026-11-11"));
        assert_eq!(c.due, Some(d("2026-11-09")));
        assert_eq!(c.working_days_left, Some(-2));
        assert!(c.overdue);
        let on_due = run(&input(Stage::Accepted, "2026-11-09"));
        assert_eq!((on_due.working_days_left, on_due.overdue), (Some(0), false));
    }

    #[test]
    fn stopped_and_closed_clocks() {
        let r = run(&input(Stage::Returned, "2026-10-20"));
        assert_eq!(
            r,
            Clock {
                due: None,
                working_days_left: None,
                overdue: false,
                what: ClockKind::Stopped,
                provisional: false,
            }
        );
        for s in CLOSED {
            let c = run(&input(s, "2026-12-31"));
            assert_eq!(c.what, ClockKind::Closed);
            assert_eq!((c.due, c.working_days_left, c.overdue), (None, None, false));
        }
    }

    #[test]
    fn clock_needs_the_year_table() {
        let i = ClockInput {
            accepted_on: Some(d("2026-12-20")),
            ..input(Stage::Accepted, "2026-12-21")
        };
        // 2027 has no table: the date is counted from the statutory holidays, provisionally,
        // and becomes exact (here the same) once a table with those days is loaded.
        let provisional = clock(&WorkingCalendar::shipped(), &Policy::default(), &i).unwrap();
        assert!(provisional.provisional);
        assert_eq!(provisional.due.map(|d| d.year()), Some(2027));
        let loaded = WorkingCalendar::shipped()
            .with_table(crate::calendar::YearTable::statutory(2027).unwrap());
        let exact = clock(&loaded, &Policy::default(), &i).unwrap();
        assert!(!exact.provisional);
        assert_eq!(exact.due, provisional.due);
        assert!(!run(&input(Stage::Accepted, "2026-11-11")).provisional);
        // A year without even a statutory rule cannot be counted.
        let beyond = ClockInput {
            accepted_on: Some(d("2099-12-20")),
            ..input(Stage::Accepted, "2099-12-21")
        };
        assert_eq!(
            clock(&WorkingCalendar::shipped(), &Policy::default(), &beyond),
            Err(CalendarError::NoTable { year: 2100 })
        );
        // Which clock runs is still known.
        assert_eq!(clock_kind(&i), ClockKind::Decision);
        assert_eq!(clock_kind(&beyond), ClockKind::Decision);
    }

    #[test]
    fn clock_kind_agrees_with_the_clock() {
        let reviewing = ClockInput {
            accepted_on: Some(d("2026-03-02")),
            review_started_on: Some(d("2026-03-05")),
            ..input(Stage::Accepted, "2026-03-10")
        };
        let reviewed = ClockInput {
            review_finished_on: Some(d("2026-03-09")),
            ..reviewing
        };
        let mut cases = vec![reviewing, reviewed];
        for s in [
            Stage::Submitted,
            Stage::Returned,
            Stage::Accepted,
            Stage::Approved,
            Stage::Refused,
            Stage::Withdrawn,
        ] {
            cases.push(input(s, "2026-03-10"));
        }
        for i in cases {
            let c = clock(&WorkingCalendar::shipped(), &Policy::default(), &i).unwrap();
            assert_eq!(clock_kind(&i), c.what, "{:?}", i.stage);
        }
    }

    // --- eligibility ---

    fn eligible_appraiser() -> AppraiserEligibility {
        AppraiserEligibility {
            senior_title: false,
            industry_qualification: false,
            bachelor_or_above: true,
            years_in_field: 12,
            experience_based: true,
            institution_licensed_or_applying: true,
            healthy: true,
            ..AppraiserEligibility::default()
        }
    }

    fn rules(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.rule).collect()
    }

    #[test]
    fn eligible_appraiser_has_no_problem() {
        assert_eq!(appraiser_problems(&eligible_appraiser()), []);
    }

    #[test]
    fn each_appraiser_condition_alone() {
        let base = eligible_appraiser();
        let cases: [(AppraiserEligibility, &str, &str); 9] = [
            (
                AppraiserEligibility {
                    bachelor_or_above: false,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十二条第二项",
                "senior_title",
            ),
            (
                AppraiserEligibility {
                    years_in_field: 9,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十二条第三项",
                "years_in_field",
            ),
            (
                AppraiserEligibility {
                    institution_licensed_or_applying: false,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十二条第五项",
                "institution",
            ),
            (
                AppraiserEligibility {
                    healthy: false,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十二条第六项",
                "healthy",
            ),
            (
                AppraiserEligibility {
                    criminal_record: true,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十三条第一项",
                "criminal_record",
            ),
            (
                AppraiserEligibility {
                    dismissed_from_public_office: true,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十三条第二项",
                "dismissed",
            ),
            (
                AppraiserEligibility {
                    registration_revoked: true,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十三条第三项",
                "registration_revoked",
            ),
            (
                AppraiserEligibility {
                    institution_suspended: true,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十三条第四项",
                "institution_suspended",
            ),
            (
                AppraiserEligibility {
                    lacks_capacity: true,
                    ..base
                },
                "《司法鉴定人登记管理办法》第十三条第五项",
                "capacity",
            ),
        ];
        for (e, rule, field) in cases {
            let p = appraiser_problems(&e);
            assert_eq!(rules(&p), [rule], "{e:?}");
            assert_eq!(p[0].field, field);
            assert!(p[0].message.ends_with(&format!("（{rule}）")));
        }
    }

    #[test]
    fn appraiser_qualification_paths() {
        let none = AppraiserEligibility {
            bachelor_or_above: false,
            years_in_field: 0,
            experience_based: false,
            ..eligible_appraiser()
        };
        let r122 = "《司法鉴定人登记管理办法》第十二条第二项";
        assert_eq!(rules(&appraiser_problems(&none)), [r122]);
        // A senior title alone suffices.
        let senior = AppraiserEligibility {
            senior_title: true,
            ..none
        };
        assert_eq!(appraiser_problems(&senior), []);
        // Degree or qualification needs five years.
        for (degree, qualification) in [(true, false), (false, true)] {
            let with = |years| AppraiserEligibility {
                bachelor_or_above: degree,
                industry_qualification: qualification,
                years_in_field: years,
                ..none
            };
            assert_eq!(rules(&appraiser_problems(&with(4))), [r122]);
            assert_eq!(appraiser_problems(&with(5)), []);
        }
        // Experience-based: ten years, even with a senior title.
        let exp = |years| AppraiserEligibility {
            experience_based: true,
            years_in_field: years,
            ..senior
        };
        assert_eq!(
            rules(&appraiser_problems(&exp(9))),
            ["《司法鉴定人登记管理办法》第十二条第三项"]
        );
        assert_eq!(appraiser_problems(&exp(10)), []);
    }

    #[test]
    fn all_appraiser_problems_at_once() {
        let p = appraiser_problems(&AppraiserEligibility {
            criminal_record: true,
            dismissed_from_public_office: true,
            registration_revoked: true,
            institution_suspended: true,
            lacks_capacity: true,
            experience_based: true,
            ..AppraiserEligibility::default()
        });
        assert_eq!(p.len(), 9);
    }

    fn eligible_institution() -> InstitutionEligibility {
        InstitutionEligibility {
            has_name: true,
            has_address: true,
            funds_yuan: 200_000,
            categories: vec![Category::Forensic, Category::PhysicalEvidence],
            has_equipment: true,
            has_accredited_lab: true,
            appraisers_per_category: vec![(Category::Forensic, 3), (Category::PhysicalEvidence, 4)],
        }
    }

    #[test]
    fn eligible_institution_has_no_problem() {
        assert_eq!(
            institution_problems(&eligible_institution(), &Policy::default()),
            []
        );
    }

    #[test]
    fn each_institution_condition_alone() {
        let base = eligible_institution;
        let r = |n: &str| format!("《司法鉴定机构登记管理办法》第十四条第{n}项");
        let cases: Vec<(InstitutionEligibility, String, &str)> = vec![
            (
                InstitutionEligibility {
                    has_name: false,
                    ..base()
                },
                r("一"),
                "name",
            ),
            (
                InstitutionEligibility {
                    has_address: false,
                    ..base()
                },
                r("一"),
                "address",
            ),
            (
                InstitutionEligibility {
                    funds_yuan: 199_999,
                    ..base()
                },
                r("二"),
                "funds",
            ),
            (
                InstitutionEligibility {
                    categories: vec![],
                    ..base()
                },
                r("三"),
                "categories",
            ),
            (
                InstitutionEligibility {
                    has_equipment: false,
                    ..base()
                },
                r("四"),
                "equipment",
            ),
            (
                InstitutionEligibility {
                    has_accredited_lab: false,
                    ..base()
                },
                r("五"),
                "lab",
            ),
            (
                InstitutionEligibility {
                    appraisers_per_category: vec![
                        (Category::Forensic, 2),
                        (Category::PhysicalEvidence, 4),
                    ],
                    ..base()
                },
                r("六"),
                "appraisers",
            ),
        ];
        for (e, rule, field) in cases {
            let p = institution_problems(&e, &Policy::default());
            assert_eq!(p.len(), 1, "{e:?}");
            assert_eq!((p[0].rule, p[0].field), (rule.as_str(), field));
            assert!(p[0].message.ends_with(&format!("（{rule}）")));
        }
    }

    #[test]
    fn institution_lab_and_appraisers_by_category() {
        let p = Policy::default();
        // 法医类 and 声像资料类 alone need no accredited laboratory.
        let no_lab = InstitutionEligibility {
            categories: vec![Category::Forensic, Category::AudioVisual],
            has_accredited_lab: false,
            appraisers_per_category: vec![(Category::Forensic, 3), (Category::AudioVisual, 3)],
            ..eligible_institution()
        };
        assert_eq!(institution_problems(&no_lab, &p), []);
        // 环境损害类 does; a category without appraisers is named.
        let env = InstitutionEligibility {
            categories: vec![Category::Environmental],
            ..no_lab
        };
        let problems = institution_problems(&env, &p);
        assert_eq!(
            problems.iter().map(|x| x.field).collect::<Vec<_>>(),
            ["lab", "appraisers"]
        );
        assert!(problems[0].message.starts_with("环境损害类鉴定"));
        assert!(
            problems[1]
                .message
                .contains("环境损害类业务须有3名以上鉴定人，现有0名")
        );
        // A province setting a higher minimum.
        let strict = Policy {
            min_institution_funds_yuan: 1_000_000,
            min_appraisers_per_category: 4,
            ..p
        };
        let fields: Vec<_> = institution_problems(&eligible_institution(), &strict)
            .iter()
            .map(|x| x.field)
            .collect();
        assert_eq!(fields, ["funds", "appraisers"]);
    }

    // --- terminal stages ---

    #[derive(Debug, Clone)]
    enum Act {
        Check(bool, bool),
        Resubmit,
        Withdraw,
        Review(u32, bool),
        Decide(bool, bool),
        Extend,
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            (any::<bool>(), any::<bool>()).prop_map(|(c, r)| Act::Check(c, r)),
            Just(Act::Resubmit),
            Just(Act::Withdraw),
            (0u32..=110, any::<bool>()).prop_map(|(s, r)| Act::Review(s, r)),
            (any::<bool>(), any::<bool>()).prop_map(|(a, r)| Act::Decide(a, r)),
            Just(Act::Extend),
        ]
    }

    proptest! {
        #[test]
        fn closed_stages_are_terminal(
            kind in prop::sample::select(K::ALL.to_vec()),
            acts in prop::collection::vec(act(), 0..40),
        ) {
            let policy = Policy::default();
            let mut stage = Stage::Submitted;
            let mut reviews: Vec<Review> = Vec::new();
            let mut extended = false;
            for a in acts {
                let reason = |given: bool| if given { "理由" } else { "" };
                let result = match a {
                    Act::Check(complete, r) => material_check(kind, stage, complete, reason(r)),
                    Act::Resubmit => resubmit(stage),
                    Act::Withdraw => withdraw(stage),
                    Act::Review(score, recommend) => {
                        let id = i64::try_from(reviews.len()).unwrap_or(0) + 1;
                        let new = rv(id, score, recommend);
                        add_review(kind, stage, &reviews, &new, &[]).map(|()| {
                            reviews.push(new);
                            stage
                        })
                    }
                    Act::Decide(approve, r) => {
                        registration_decision(kind, stage, &reviews, &policy, approve, reason(r))
                    }
                    Act::Extend => extend(stage, extended).inspect(|_| extended = true),
                };
                if !stage.is_open() {
                    prop_assert!(is_wrong_stage(result.clone(), stage), "{:?} {:?}", stage, result);
                }
                if let Ok(next) = result {
                    prop_assert!(stage.is_open());
                    stage = next;
                }
            }
        }
    }
}
