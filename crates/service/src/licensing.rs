//! Online licensing shared by the API and the pages: turning a submission into proposed register
//! fields with its eligibility checked, and the statutory clock of an application.
use crate::caller::Caller;
use crate::error::Error;
use crate::inputs::{AppraiserInput, InstitutionInput};
use crate::services::{Services, today};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sijian_domain::calendar::{Date, WorkingCalendar};
use sijian_domain::licensing::{
    self, ApplicationKind, AppraiserEligibility, ClockInput, ClockKind, InstitutionEligibility,
    Problem,
};
use sijian_domain::{Category, FieldError, Scope};
use sijian_store::applications::{Application, NewApplication, NewAttachment, Proposal};
use sijian_store::registry;
use utoipa::ToSchema;

/// Per attachment and per request limits. The request body limit of the server (2 MiB) bounds a
/// single submission; further material can follow with a resubmission.
pub const MAX_ATTACHMENT_BYTES: usize = 1536 * 1024;
pub const MAX_ATTACHMENTS: usize = 20;
/// Types accepted for material: PDF, OFD, JPEG, PNG.
pub const ATTACHMENT_TYPES: [&str; 4] = [
    "application/pdf",
    "application/ofd",
    "image/jpeg",
    "image/png",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    pub name: String,
    /// application/pdf | application/ofd | image/jpeg | image/png
    pub content_type: String,
    /// The file, standard base64.
    pub data_base64: String,
    /// `military_opinion` for the military management office's opinion (military units).
    pub purpose: Option<String>,
}

/// What the applicant declares (the rest is read from the register).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Declarations {
    // Appraisers (《司法鉴定人登记管理办法》第十二、十三条)
    pub industry_qualification: bool,
    pub years_in_field: u32,
    pub experience_based: bool,
    pub healthy: bool,
    pub criminal_record: bool,
    pub dismissed_from_public_office: bool,
    pub lacks_capacity: bool,
    // Institutions (《司法鉴定机构登记管理办法》第十四条)
    pub funds_yuan: u64,
    pub has_equipment: bool,
    /// Appraisers the institution will have per category digit ("1": 3, …).
    pub appraisers_per_category: std::collections::BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// institution_establish | institution_change | institution_renew | institution_cancel |
    /// appraiser_register | appraiser_change | appraiser_cancel
    pub kind: String,
    /// The institution concerned (all kinds but institution_establish).
    pub institution_id: Option<i64>,
    /// The appraiser concerned (appraiser_change, appraiser_cancel).
    pub appraiser_id: Option<i64>,
    /// Proposed institution fields (establish, change; renew needs `licence_valid_to`).
    pub institution: Option<InstitutionInput>,
    /// Proposed appraiser fields (register, change).
    pub appraiser: Option<AppraiserInput>,
    #[serde(default)]
    pub declarations: Declarations,
    /// Why (cancellations).
    pub reason: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

fn problems_error(problems: Vec<Problem>) -> Error {
    let mut e = Error::validation(
        problems
            .into_iter()
            .map(|p| FieldError {
                field: format!("declarations.{}", p.field),
                message: p.message,
            })
            .collect(),
    );
    e.message = "不符合登记条件，申请未提交".into();
    e
}

pub fn decode_attachments(list: &[AttachmentInput]) -> Result<Vec<NewAttachment>, Error> {
    if list.len() > MAX_ATTACHMENTS {
        return Err(Error::field(
            "attachments",
            format!("附件最多 {MAX_ATTACHMENTS} 个"),
        ));
    }
    let mut out = Vec::new();
    for (n, a) in list.iter().enumerate() {
        let n = n + 1;
        let name = a.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(Error::field(
                "attachments",
                format!("第{n}个附件：请填写文件名（不超过 120 字）"),
            ));
        }
        if !ATTACHMENT_TYPES.contains(&a.content_type.as_str()) {
            return Err(Error::field(
                "attachments",
                format!("第{n}个附件：类型须为 PDF、OFD、JPEG 或 PNG"),
            ));
        }
        let data = base64::engine::general_purpose::STANDARD
            .decode(a.data_base64.trim())
            .map_err(|_| {
                Error::field(
                    "attachments",
                    format!("第{n}个附件：内容须为标准 base64 编码"),
                )
            })?;
        if data.is_empty() || data.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::field(
                "attachments",
                format!(
                    "第{n}个附件：大小须在 1 字节至 {} KiB 之间",
                    MAX_ATTACHMENT_BYTES / 1024
                ),
            ));
        }
        let name = if a.purpose.as_deref() == Some("military_opinion") {
            format!("军队主管部门意见：{name}")
        } else {
            name.to_string()
        };
        out.push(NewAttachment {
            name,
            content_type: a.content_type.clone(),
            data,
        });
    }
    Ok(out)
}

/// Checks a submission and turns it into an application: proposed fields over the current
/// record, eligibility (all problems at once, each with its rule), and who may file it.
pub async fn prepare(s: &Services, a: &Caller, b: &SubmitBody) -> Result<NewApplication, Error> {
    let kind = ApplicationKind::parse(&b.kind).ok_or_else(|| {
        Error::field(
            "kind",
            "申请类型须为 institution_establish、institution_change、institution_renew、institution_cancel、appraiser_register、appraiser_change 或 appraiser_cancel",
        )
    })?;
    let scope = a.scope();
    // Institutions file for themselves only; establishing one is filed at a regulator's window.
    let institution_id = match (scope.clone(), b.institution_id) {
        (Scope::Institution(own), Some(id)) if id != own => return Err(Error::forbidden()),
        (Scope::Institution(own), _) => Some(own),
        (_, id) => id,
    };
    if kind == ApplicationKind::InstitutionEstablish && matches!(scope, Scope::Institution(_)) {
        return Err(Error::field(
            "kind",
            "机构设立登记由申请人向司法行政机关提出",
        ));
    }
    let today_s = today().to_string();
    let reason = b.reason.clone().unwrap_or_default();
    let current_inst = match institution_id {
        Some(id) if kind != ApplicationKind::InstitutionEstablish => Some(
            registry::get_institution(&s.db, &scope, id)
                .await
                .map_err(|e| match e {
                    sijian_store::StoreError::NotFound => {
                        Error::field("institution_id", "机构不存在或不在您的管辖范围内")
                    }
                    e => e.into(),
                })?,
        ),
        None if kind != ApplicationKind::InstitutionEstablish => {
            return Err(Error::field("institution_id", "请选择所涉鉴定机构"));
        }
        _ => None,
    };
    let (subject, proposal) = match kind {
        ApplicationKind::InstitutionEstablish => {
            let input = b.institution.clone().unwrap_or_default();
            let mut f = input.apply(None).map_err(Error::validation)?;
            f.status = "normal".into();
            let cats = Category::parse_set(&registry::categories_of(&f.scope)).unwrap_or_default();
            let e = InstitutionEligibility {
                has_name: !f.name.trim().is_empty(),
                has_address: !f.address.trim().is_empty(),
                funds_yuan: b.declarations.funds_yuan,
                categories: cats.clone(),
                has_equipment: b.declarations.has_equipment,
                has_accredited_lab: !f.accreditations.0.is_empty(),
                appraisers_per_category: cats
                    .iter()
                    .map(|c| {
                        let n = b
                            .declarations
                            .appraisers_per_category
                            .get(&c.digit().to_string())
                            .copied()
                            .unwrap_or(0);
                        (*c, n)
                    })
                    .collect(),
            };
            let policy = s
                .cfg
                .licensing
                .for_path(&format!("/{}0000/", &f.region_code.get(..2).unwrap_or("")));
            let problems = licensing::institution_problems(&e, &policy);
            if !problems.is_empty() {
                return Err(problems_error(problems));
            }
            (f.name.clone(), Proposal::Institution(f))
        }
        ApplicationKind::InstitutionChange
        | ApplicationKind::InstitutionRenew
        | ApplicationKind::InstitutionCancel => {
            let cur = current_inst.as_ref().expect("checked above");
            let mut f = match kind {
                ApplicationKind::InstitutionChange => {
                    let mut input = b.institution.clone().unwrap_or_default();
                    input.status = None;
                    input
                        .apply(Some(&cur.fields()))
                        .map_err(Error::validation)?
                }
                ApplicationKind::InstitutionRenew => {
                    let to = b
                        .institution
                        .as_ref()
                        .and_then(|i| i.licence_valid_to.clone())
                        .unwrap_or_default();
                    let d = Date::parse(to.trim()).map_err(|e| {
                        Error::field(
                            "institution.licence_valid_to",
                            format!("请填写延续后的许可证有效期：{e}"),
                        )
                    })?;
                    if cur.licence_valid_to.is_some_and(|old| d <= old) {
                        return Err(Error::field(
                            "institution.licence_valid_to",
                            "延续后的有效期须晚于现有效期",
                        ));
                    }
                    let mut f = cur.fields();
                    f.licence_valid_to = Some(d.to_string());
                    f
                }
                _ => {
                    if reason.trim().is_empty() {
                        return Err(Error::field("reason", "注销登记须说明理由"));
                    }
                    let mut f = cur.fields();
                    f.status = "cancelled".into();
                    f
                }
            };
            if kind != ApplicationKind::InstitutionCancel {
                f.status = cur.status.clone();
            }
            (cur.name.clone(), Proposal::Institution(f))
        }
        ApplicationKind::AppraiserRegister => {
            let cur = current_inst.as_ref().expect("checked above");
            let mut input = b.appraiser.clone().unwrap_or_default();
            input.institution_id = Some(cur.id);
            input.status = Some("active".into());
            let f = input.apply(None, &s.keys).map_err(Error::validation)?;
            let Some(id) = &f.id_number else {
                return Err(Error::field(
                    "appraiser.id_number",
                    "执业登记须填写公民身份号码",
                ));
            };
            let previous = registry::appraiser_by_id_hash(&s.db, &id.hash).await?;
            let revoked = match &previous {
                // Naming no institution: an applicant must not learn where the number's
                // holder practises (issue 14, point 13).
                Some(holder) if holder.status != "revoked" => {
                    return Err(Error::field(
                        "appraiser.id_number",
                        "该公民身份号码已有鉴定人执业登记；鉴定人应当在一个鉴定机构中从事司法鉴定业务（《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》第八条），请申请变更登记",
                    ));
                }
                Some(_) => true,
                None => false,
            };
            let d = &b.declarations;
            let e = AppraiserEligibility {
                senior_title: f.senior_title,
                industry_qualification: d.industry_qualification,
                bachelor_or_above: matches!(
                    f.education.as_str(),
                    "doctorate" | "master" | "bachelor"
                ),
                years_in_field: d.years_in_field,
                experience_based: d.experience_based,
                institution_licensed_or_applying: matches!(
                    cur.status.as_str(),
                    "normal" | "suspended"
                ),
                healthy: d.healthy,
                criminal_record: d.criminal_record,
                dismissed_from_public_office: d.dismissed_from_public_office,
                registration_revoked: revoked,
                institution_suspended: cur.status == "suspended",
                lacks_capacity: d.lacks_capacity,
            };
            let problems = licensing::appraiser_problems(&e);
            if !problems.is_empty() {
                return Err(problems_error(problems));
            }
            (f.name.clone(), Proposal::Appraiser(f))
        }
        ApplicationKind::AppraiserChange | ApplicationKind::AppraiserCancel => {
            let id = b
                .appraiser_id
                .ok_or_else(|| Error::field("appraiser_id", "请选择所涉鉴定人"))?;
            let cur = registry::get_appraiser(&s.db, &scope, id).await?;
            if Some(cur.institution_id) != institution_id {
                return Err(Error::field("appraiser_id", "该鉴定人不在所选机构执业"));
            }
            let f = if kind == ApplicationKind::AppraiserChange {
                let mut input = b.appraiser.clone().unwrap_or_default();
                input.status = None;
                input
                    .apply(Some(&cur.fields()), &s.keys)
                    .map_err(Error::validation)?
            } else {
                if reason.trim().is_empty() {
                    return Err(Error::field("reason", "注销登记须说明理由"));
                }
                let mut f = cur.fields();
                f.status = "cancelled".into();
                f
            };
            (cur.name.clone(), Proposal::Appraiser(f))
        }
    };
    if let (Proposal::Appraiser(f), Some(inst)) = (&proposal, &current_inst) {
        let allowed = registry::scope_codes(&inst.scope);
        let outside: Vec<&str> = registry::scope_codes(&f.scope)
            .into_iter()
            .filter(|c| !sijian_domain::classification::is_within(c, &allowed))
            .collect();
        if !outside.is_empty() {
            return Err(Error::field(
                "appraiser.scope",
                format!(
                    "执业项目 {} 不在{}的业务范围之内（执业范围以登记为准，《司法鉴定人登记管理办法》第十一条）",
                    outside.join("、"),
                    inst.name
                ),
            ));
        }
    }
    let military = match &proposal {
        Proposal::Institution(f) => f.military,
        Proposal::Appraiser(_) => current_inst.as_ref().is_some_and(|i| i.military),
    };
    if military
        && !b
            .attachments
            .iter()
            .any(|x| x.purpose.as_deref() == Some("military_opinion"))
    {
        return Err(Error::field(
            "attachments",
            "军队单位的申请须附军队主管部门的意见（purpose 为 military_opinion 的附件）",
        ));
    }
    Ok(NewApplication {
        kind,
        institution_id: if kind == ApplicationKind::InstitutionEstablish {
            None
        } else {
            institution_id
        },
        appraiser_id: b.appraiser_id.filter(|_| {
            matches!(
                kind,
                ApplicationKind::AppraiserChange | ApplicationKind::AppraiserCancel
            )
        }),
        subject,
        proposal,
        eligibility: serde_json::json!({ "declarations": b.declarations, "reason": reason.trim() }),
        today: today_s,
    })
}

/// The statutory clock of an application as shown to applicant and officer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockView {
    /// material_check | decision | stopped | closed
    pub kind: String,
    pub label: String,
    pub due: Option<String>,
    /// `due` counted a year whose State Council holiday table is not loaded yet: a provisional
    /// date from the statutory holidays, exact once the table is loaded.
    pub due_provisional: bool,
    /// Working days left (negative when overdue).
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    /// Set when the deadline cannot be computed because a year has no calendar table.
    pub warning: Option<String>,
}

pub fn clock(s: &Services, cal: &WorkingCalendar, app: &Application) -> ClockView {
    let policy = s.cfg.licensing.for_path(&app.region_path);
    let input = ClockInput {
        submitted_on: app.submitted_on,
        accepted_on: app.accepted_on,
        review_started_on: app.review_started_on,
        review_finished_on: app.review_finished_on,
        extended: app.extended,
        stage: app.stage,
        today: today(),
    };
    let (kind, label) = match licensing::clock_kind(&input) {
        ClockKind::MaterialCheck => (
            "material_check",
            "形式审查（受理）期限（《行政许可法》第三十二条）",
        ),
        ClockKind::Decision => ("decision", "作出决定期限（《行政许可法》第四十二条）"),
        ClockKind::Stopped => (
            "stopped",
            "计时暂停：退回补正或专家评审中（《行政许可法》第四十五条）",
        ),
        ClockKind::Closed => ("closed", "已办结"),
    };
    match licensing::clock(cal, &policy, &input) {
        Ok(c) => ClockView {
            kind: kind.into(),
            label: label.into(),
            due: c.due.map(|d| d.to_string()),
            due_provisional: c.provisional,
            working_days_left: c.working_days_left,
            overdue: c.overdue,
            warning: None,
        },
        Err(e) => {
            tracing::warn!(application = app.id, error = %e, "licensing deadline needs a calendar year that is not loaded");
            // The running clock is still known; only its date is not.
            ClockView {
                kind: kind.into(),
                label: format!("{label}：期限无法计算"),
                due: None,
                due_provisional: false,
                working_days_left: None,
                overdue: false,
                warning: Some(format!("{e}：请管理员载入该年度工作日历")),
            }
        }
    }
}

/// An institution or a person applies (设立、变更、延续、注销、执业登记): every condition checked
/// at once against its rule; nothing is stored unless all hold.
pub async fn submit(s: &Services, a: &Caller, body: &SubmitBody) -> crate::Result<Application> {
    a.require_write(sijian_domain::Action::SubmitApplication)?;
    let files = decode_attachments(&body.attachments)?;
    let new = prepare(s, a, body).await?;
    Ok(sijian_store::applications::submit(&s.db, &a.actor(), &a.scope(), &new, &files).await?)
}

/// Takes one step of an application for the signed-in user, today, with the numbers of the
/// application's region; the domain decides it (`licensing::decide`).
pub async fn step(
    s: &Services,
    a: &Caller,
    id: i64,
    version: Option<i64>,
    command: licensing::ApplicationCommand,
    files: &[NewAttachment],
) -> Result<Application, sijian_store::StoreError> {
    let today = today().to_string();
    let policy = |path: &str| s.cfg.licensing.for_path(path);
    let at = sijian_store::applications::At {
        actor: &a.actor(),
        scope: &a.scope(),
        id,
        version,
        today: &today,
        policy: &policy,
    };
    sijian_store::applications::step(&s.db, &at, command, files).await
}
