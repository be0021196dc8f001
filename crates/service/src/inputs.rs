//! Input of every change, shared by forms and the JSON API: optional fields laid over the
//! current record (or over blanks when creating), then validated field by field.
use crate::secrets::DataKey;
use serde::Deserialize;
use sijian_domain::calendar::Date;
use sijian_domain::classification::Classification;
use sijian_domain::identifiers::{ResidentId, Uscc};
use sijian_domain::validate::licence_shape_ok;
use sijian_domain::{
    AppraiserStatus, FieldError, InstitutionStatus, OrganKind, Problems, RegionCode,
};
use sijian_store::organs::OrganFields;
use sijian_store::registry::{
    Accreditation, Accreditations, AppraiserFields, AssistantFields, InstitutionFields,
    RecordFields,
};

fn pick(new: &Option<String>, old: &str) -> String {
    new.clone().unwrap_or_else(|| old.to_string())
}

/// Business scope or practice items: classification codes of the version in force (a
/// category digit, `C.SS` or `C.SS.II`), normalised: sorted, duplicates and codes covered by
/// another listed code dropped. Category digits alone (the older `categories` input) are codes too.
fn scope(
    p: &mut Problems,
    field: &str,
    new: &Option<Vec<String>>,
    legacy: &Option<Vec<String>>,
    old: &str,
) -> String {
    let raw: Vec<String> = match (new, legacy) {
        (Some(v), _) | (None, Some(v)) => v
            .iter()
            .flat_map(|c| c.split(','))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        (None, None) => old
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let cls = Classification::current();
    let mut codes = Vec::new();
    for c in &raw {
        match cls.parse_in_force(c) {
            Ok(e) => codes.push(e.code),
            Err(e) => {
                p.add(field, format!("{c}：{e}（《意见》第7条：登记管理限于法医类、物证类、声像资料、环境损害四类）"));
                return String::new();
            }
        }
    }
    if codes.is_empty() {
        p.add(field, "请至少选择一个执业类别或项目");
        return String::new();
    }
    codes.sort();
    codes.dedup();
    let kept: Vec<String> = codes
        .iter()
        .filter(|c| !codes.iter().any(|o| o != *c && o.covers(**c)))
        .map(|c| c.to_string())
        .collect();
    kept.join(",")
}

fn date(p: &mut Problems, field: &str, label: &str, v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match Date::parse(v) {
        Ok(d) => Some(d.to_string()),
        Err(e) => {
            p.add(field, format!("{label}：{e}（格式 YYYY-MM-DD）"));
            Some(v.to_string())
        }
    }
}

fn pick_opt(new: &Option<String>, old: &Option<String>) -> String {
    new.clone().or_else(|| old.clone()).unwrap_or_default()
}

/// The label of a stored code in one of the (code, label) lists below; the code itself when
/// unknown.
pub fn label_of(list: &[(&str, &str)], code: &str) -> String {
    list.iter()
        .find(|(k, _)| *k == code)
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Education levels (学历) as stored.
pub const EDUCATION: [(&str, &str); 5] = [
    ("doctorate", "博士研究生"),
    ("master", "硕士研究生"),
    ("bachelor", "大学本科"),
    ("college", "大学专科"),
    ("other", "其他"),
];

/// Qualification levels (资质等级) as stored.
pub const QUALIFICATION_LEVELS: [(&str, &str); 3] = [
    ("national", "国家级"),
    ("provincial", "省级"),
    ("ordinary", "一般"),
];

fn region(p: &mut Problems, v: &str) -> String {
    let v = v.trim();
    if v.is_empty() {
        p.add("region_code", "请选择行政区划");
    } else if let Err(e) = RegionCode::parse(v) {
        p.add("region_code", e.to_string());
    }
    v.to_string()
}

/// 统一社会信用代码, check characters included (GB 32100-2015, GB 11714). A code failing its
/// check characters is accepted only with a stated reason (known pilot codes); the reason is
/// kept only while it is needed. Returns (code, reason).
fn uscc(p: &mut Problems, v: &str, reason: &str) -> (Option<String>, Option<String>) {
    if v.trim().is_empty() {
        return (None, None);
    }
    match Uscc::parse_with_override(v, reason) {
        Ok(code) => (
            Some(code.as_str().to_string()),
            code.override_reason().map(str::to_string),
        ),
        Err(e) => {
            p.add(
                "uscc",
                format!("{e}；如为早期试点代码，请在“校验例外理由”中说明"),
            );
            (Some(v.trim().to_uppercase()), None)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionInput {
    pub name: Option<String>,
    pub uscc: Option<String>,
    /// Reason for accepting a credit code whose check characters fail (known pilot codes only).
    pub uscc_override: Option<String>,
    pub licence_no: Option<String>,
    /// Licence valid to, YYYY-MM-DD.
    pub licence_valid_to: Option<String>,
    pub region_code: Option<String>,
    /// 发证机关.
    pub registering_authority: Option<String>,
    /// Business scope: classification codes ("1", "1.02", "1.02.03"; see `GET /api/v1/classification`).
    pub scope: Option<Vec<String>>,
    /// Older form of `scope`: category digits only ("1" 法医类 … "4" 环境损害类).
    pub categories: Option<Vec<String>>,
    /// national | provincial | ordinary
    pub qualification_level: Option<String>,
    #[schema(value_type = Option<Vec<crate::schema::institutions::Accreditation>>)]
    pub accreditations: Option<Vec<Accreditation>>,
    pub insurer: Option<String>,
    pub insurance_policy: Option<String>,
    /// YYYY-MM-DD
    pub insurance_expires: Option<String>,
    pub military: Option<bool>,
    pub party_org: Option<bool>,
    pub party_members: Option<i64>,
    pub legal_rep: Option<String>,
    pub head_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// normal | suspended | cancelled | revoked
    pub status: Option<String>,
    /// The basis of a direct change (also accepted as `reason`): required with a change of
    /// status and, from the licensing authority, with a new institution or any change of a
    /// registration field; kept in the record's history (its event and status history).
    #[serde(alias = "reason")]
    pub status_reason: Option<String>,
}

fn accreditations(p: &mut Problems, list: &[Accreditation]) -> Vec<Accreditation> {
    let mut out = Vec::new();
    for (n, a) in list.iter().enumerate() {
        let n = n + 1;
        let kind = a.kind.trim().to_uppercase();
        if kind != "CMA" && kind != "CNAS" {
            p.add(
                "accreditations",
                format!("第{n}项：认可类型须为 CMA（资质认定）或 CNAS（实验室认可）"),
            );
        }
        let certificate_no = a.certificate_no.trim().to_string();
        if certificate_no.is_empty() || certificate_no.chars().count() > 40 {
            p.add(
                "accreditations",
                format!("第{n}项：请填写证书编号（不超过 40 字）"),
            );
        }
        let expires_on = date(
            p,
            "accreditations",
            &format!("第{n}项有效期"),
            &a.expires_on,
        )
        .unwrap_or_else(|| {
            p.add("accreditations", format!("第{n}项：请填写有效期至"));
            String::new()
        });
        out.push(Accreditation {
            kind,
            certificate_no,
            scope: a.scope.trim().chars().take(500).collect(),
            expires_on,
        });
    }
    out
}

impl InstitutionInput {
    pub fn apply(
        &self,
        base: Option<&InstitutionFields>,
    ) -> Result<InstitutionFields, Vec<FieldError>> {
        let empty = InstitutionFields {
            name: String::new(),
            uscc: None,
            uscc_override: None,
            licence_no: String::new(),
            licence_valid_to: None,
            region_code: String::new(),
            registering_authority: String::new(),
            scope: String::new(),
            qualification_level: "ordinary".into(),
            accreditations: Accreditations::default(),
            insurer: String::new(),
            insurance_policy: String::new(),
            insurance_expires: None,
            military: false,
            party_org: false,
            party_members: 0,
            legal_rep: String::new(),
            head_name: String::new(),
            address: String::new(),
            phone: String::new(),
            status: "normal".into(),
        };
        let b = base.unwrap_or(&empty);
        let mut p = Problems::default();
        let name = p.required("name", "机构名称", &pick(&self.name, &b.name), 100);
        let code = self
            .uscc
            .clone()
            .or_else(|| b.uscc.clone())
            .unwrap_or_default();
        let reason = self
            .uscc_override
            .clone()
            .or_else(|| b.uscc_override.clone())
            .unwrap_or_default();
        let (uscc, uscc_override) = uscc(&mut p, &code, &reason);
        let licence_no = p.required(
            "licence_no",
            "许可证号",
            &pick(&self.licence_no, &b.licence_no),
            40,
        );
        if !licence_no.is_empty() && !licence_shape_ok(&licence_no) {
            p.add("licence_no", "许可证号应为 4–40 位字母、数字或汉字");
        }
        let licence_valid_to = date(
            &mut p,
            "licence_valid_to",
            "许可证有效期",
            &pick_opt(&self.licence_valid_to, &b.licence_valid_to),
        );
        let region_code = region(&mut p, &pick(&self.region_code, &b.region_code));
        let registering_authority = p.optional(
            "registering_authority",
            "发证机关",
            &pick(&self.registering_authority, &b.registering_authority),
            100,
        );
        let scope_field = if self.scope.is_none() && self.categories.is_some() {
            "categories"
        } else {
            "scope"
        };
        let scope = scope(&mut p, scope_field, &self.scope, &self.categories, &b.scope);
        let qualification_level = pick(&self.qualification_level, &b.qualification_level);
        if !QUALIFICATION_LEVELS
            .iter()
            .any(|(k, _)| *k == qualification_level)
        {
            p.add(
                "qualification_level",
                "资质等级须为 national（国家级）、provincial（省级）或 ordinary（一般）",
            );
        }
        let accreditations = Accreditations(match &self.accreditations {
            Some(list) => accreditations(&mut p, list),
            None => b.accreditations.0.clone(),
        });
        let insurer = p.optional(
            "insurer",
            "责任保险承保机构",
            &pick(&self.insurer, &b.insurer),
            100,
        );
        let insurance_policy = p.optional(
            "insurance_policy",
            "保单号",
            &pick(&self.insurance_policy, &b.insurance_policy),
            60,
        );
        let insurance_expires = date(
            &mut p,
            "insurance_expires",
            "保险有效期",
            &pick_opt(&self.insurance_expires, &b.insurance_expires),
        );
        let party_members = self.party_members.unwrap_or(b.party_members);
        if !(0..=100_000).contains(&party_members) {
            p.add("party_members", "党员人数须为 0 或正整数");
        }
        let legal_rep = p.optional(
            "legal_rep",
            "法定代表人",
            &pick(&self.legal_rep, &b.legal_rep),
            50,
        );
        let head_name = p.optional(
            "head_name",
            "机构负责人",
            &pick(&self.head_name, &b.head_name),
            50,
        );
        let address = p.optional("address", "住所", &pick(&self.address, &b.address), 200);
        let phone = p.phone("phone", &pick(&self.phone, &b.phone));
        let status = pick(&self.status, &b.status);
        if InstitutionStatus::parse(&status).is_none() {
            p.add("status", "状态须为 normal（正常）、suspended（暂停执业）、cancelled（注销）或 revoked（撤销）");
        }
        p.into_result(InstitutionFields {
            name,
            uscc,
            uscc_override,
            licence_no,
            licence_valid_to,
            region_code,
            registering_authority,
            scope,
            qualification_level,
            accreditations,
            insurer,
            insurance_policy,
            insurance_expires,
            military: self.military.unwrap_or(b.military),
            party_org: self.party_org.unwrap_or(b.party_org),
            party_members,
            legal_rep,
            head_name,
            address,
            phone,
            status,
        })
    }

    pub fn reason(&self) -> String {
        self.status_reason.clone().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraiserInput {
    pub institution_id: Option<i64>,
    pub name: Option<String>,
    /// male | female
    pub gender: Option<String>,
    /// YYYY-MM-DD; taken from the ID number when left out.
    pub birth_date: Option<String>,
    /// 公民身份号码 (18 digits, or 15 digits upgraded); kept sealed, shown masked.
    pub id_number: Option<String>,
    /// doctorate | master | bachelor | college | other
    pub education: Option<String>,
    pub certificate_no: Option<String>,
    /// Practice items: classification codes within the institution's scope.
    pub scope: Option<Vec<String>>,
    /// Older form of `scope`: category digits only.
    pub categories: Option<Vec<String>>,
    pub title: Option<String>,
    pub senior_title: Option<bool>,
    pub phone: Option<String>,
    /// active | suspended | cancelled | revoked
    pub status: Option<String>,
    /// The basis of a direct change (also accepted as `reason`): required with a change of
    /// status or institution and, from the licensing authority, with a new appraiser or any
    /// change of a registration field; kept in the record's history.
    #[serde(alias = "reason")]
    pub status_reason: Option<String>,
}

impl AppraiserInput {
    pub fn apply(
        &self,
        base: Option<&AppraiserFields>,
        keys: &DataKey,
    ) -> Result<AppraiserFields, Vec<FieldError>> {
        let empty = AppraiserFields {
            institution_id: 0,
            name: String::new(),
            gender: String::new(),
            birth_date: None,
            id_number: None,
            education: String::new(),
            certificate_no: String::new(),
            scope: String::new(),
            title: String::new(),
            senior_title: false,
            phone: String::new(),
            status: "active".into(),
        };
        let b = base.unwrap_or(&empty);
        let mut p = Problems::default();
        let institution_id = self.institution_id.unwrap_or(b.institution_id);
        if institution_id <= 0 {
            p.add("institution_id", "请选择所在鉴定机构");
        }
        let name = p.required("name", "姓名", &pick(&self.name, &b.name), 50);
        let mut gender = pick(&self.gender, &b.gender);
        let mut birth_date = date(
            &mut p,
            "birth_date",
            "出生日期",
            &pick_opt(&self.birth_date, &b.birth_date),
        );
        let id_number = match self.id_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match ResidentId::parse(raw) {
                Ok(id) => {
                    let (y, m, d) = id.birth_date();
                    let from_id = format!("{y:04}-{m:02}-{d:02}");
                    match &birth_date {
                        None => birth_date = Some(from_id),
                        Some(given) if *given != from_id => p.add(
                            "birth_date",
                            format!("出生日期与公民身份号码不符（号码中为 {from_id}，GB 11643 第 7–14 位）"),
                        ),
                        _ => {}
                    }
                    let id_gender = if id.is_female() { "female" } else { "male" };
                    if gender.is_empty() {
                        gender = id_gender.into();
                    } else if gender != id_gender {
                        p.add(
                            "gender",
                            "性别与公民身份号码不符（GB 11643 顺序码奇数为男、偶数为女）",
                        );
                    }
                    Some(keys.seal_resident_id(&id))
                }
                Err(e) => {
                    p.add("id_number", format!("{e}"));
                    None
                }
            },
        };
        if gender != "male" && gender != "female" {
            p.add("gender", "请选择性别");
        }
        let education = pick(&self.education, &b.education);
        if !education.is_empty() && !EDUCATION.iter().any(|(k, _)| *k == education) {
            p.add(
                "education",
                "学历须为 doctorate、master、bachelor、college 或 other",
            );
        }
        let certificate_no = p.required(
            "certificate_no",
            "执业证号",
            &pick(&self.certificate_no, &b.certificate_no),
            40,
        );
        if !certificate_no.is_empty() && !licence_shape_ok(&certificate_no) {
            p.add("certificate_no", "执业证号应为 4–40 位字母、数字或汉字");
        }
        let scope_field = if self.scope.is_none() && self.categories.is_some() {
            "categories"
        } else {
            "scope"
        };
        let scope = scope(&mut p, scope_field, &self.scope, &self.categories, &b.scope);
        let title = p.optional("title", "专业技术职称", &pick(&self.title, &b.title), 50);
        let senior_title = self.senior_title.unwrap_or(b.senior_title);
        let phone = p.phone("phone", &pick(&self.phone, &b.phone));
        let status = pick(&self.status, &b.status);
        if AppraiserStatus::parse(&status).is_none() {
            p.add("status", "状态须为 active（执业）、suspended（暂停执业）、cancelled（注销）或 revoked（撤销）");
        }
        p.into_result(AppraiserFields {
            institution_id,
            name,
            gender,
            birth_date,
            id_number,
            education,
            certificate_no,
            scope,
            title,
            senior_title,
            phone,
            status,
        })
    }

    pub fn reason(&self) -> String {
        self.status_reason.clone().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganInput {
    pub name: Option<String>,
    /// court | procuratorate | police | other
    pub kind: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

impl OrganInput {
    pub fn apply(&self, base: Option<&OrganFields>) -> Result<OrganFields, Vec<FieldError>> {
        let empty = OrganFields {
            name: String::new(),
            kind: String::new(),
            region_code: String::new(),
            address: String::new(),
            phone: String::new(),
        };
        let b = base.unwrap_or(&empty);
        let mut p = Problems::default();
        let name = p.required("name", "机关名称", &pick(&self.name, &b.name), 100);
        let kind = pick(&self.kind, &b.kind);
        if OrganKind::parse(&kind).is_none() {
            p.add("kind", "类型须为 court（法院）、procuratorate（检察院）、police（公安机关）或 other（其他）");
        }
        let region_code = region(&mut p, &pick(&self.region_code, &b.region_code));
        let address = p.optional("address", "地址", &pick(&self.address, &b.address), 200);
        let phone = p.phone("phone", &pick(&self.phone, &b.phone));
        p.into_result(OrganFields {
            name,
            kind,
            region_code,
            address,
            phone,
        })
    }
}

/// Kinds of dated entry with their labels.
pub const RECORD_KINDS: [(&str, &str); 3] = [
    ("training", "继续教育培训"),
    ("insurance", "执业责任保险"),
    ("oath", "执业宣誓"),
];

/// A dated entry on an appraiser: training hours, insurance or oath.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// training | insurance | oath
    pub kind: Option<String>,
    /// YYYY-MM-DD
    pub on_date: Option<String>,
    /// Training hours (training only), 1–200.
    pub hours: Option<i64>,
    pub detail: Option<String>,
}

impl RecordInput {
    pub fn apply(&self) -> Result<RecordFields, Vec<FieldError>> {
        let mut p = Problems::default();
        let kind = self.kind.clone().unwrap_or_default();
        if !RECORD_KINDS.iter().any(|(k, _)| *k == kind) {
            p.add(
                "kind",
                "类型须为 training（培训）、insurance（保险）或 oath（宣誓）",
            );
        }
        let on_date = date(
            &mut p,
            "on_date",
            "日期",
            self.on_date.as_deref().unwrap_or(""),
        )
        .unwrap_or_else(|| {
            p.add("on_date", "请填写日期");
            String::new()
        });
        let hours = match (kind.as_str(), self.hours) {
            ("training", Some(h)) if (1..=200).contains(&h) => Some(h),
            ("training", _) => {
                p.add("hours", "培训须填写学时（1–200）");
                None
            }
            _ => None,
        };
        let detail = p.optional("detail", "内容", self.detail.as_deref().unwrap_or(""), 200);
        p.into_result(RecordFields {
            kind,
            on_date,
            hours,
            detail,
        })
    }
}

/// An assistant (鉴定人助理) under a supervising appraiser.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistantInput {
    pub name: Option<String>,
    /// male | female
    pub gender: Option<String>,
    pub education: Option<String>,
    /// YYYY-MM-DD
    pub started_on: Option<String>,
}

impl AssistantInput {
    pub fn apply(&self) -> Result<AssistantFields, Vec<FieldError>> {
        let mut p = Problems::default();
        let name = p.required("name", "姓名", self.name.as_deref().unwrap_or(""), 50);
        let gender = self.gender.clone().unwrap_or_default();
        if gender != "male" && gender != "female" {
            p.add("gender", "请选择性别");
        }
        let education = self.education.clone().unwrap_or_default();
        if !education.is_empty() && !EDUCATION.iter().any(|(k, _)| *k == education) {
            p.add(
                "education",
                "学历须为 doctorate、master、bachelor、college 或 other",
            );
        }
        let started_on = date(
            &mut p,
            "started_on",
            "开始日期",
            self.started_on.as_deref().unwrap_or(""),
        )
        .unwrap_or_else(|| {
            p.add("started_on", "请填写开始日期");
            String::new()
        });
        p.into_result(AssistantFields {
            name,
            gender,
            education,
            started_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institution_create_names_every_missing_field() {
        let errs = InstitutionInput::default().apply(None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "licence_no", "region_code", "scope"]);
    }

    #[test]
    fn patch_keeps_unsent_fields() {
        let base = InstitutionInput {
            name: Some("浙江甲司法鉴定中心".into()),
            licence_no: Some("330100001".into()),
            region_code: Some("330106".into()),
            categories: Some(vec!["1".into()]),
            ..Default::default()
        }
        .apply(None)
        .unwrap();
        let patched = InstitutionInput {
            phone: Some("0571-88888888".into()),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap();
        assert_eq!(patched.name, base.name);
        assert_eq!(patched.phone, "0571-88888888");
        let bad = InstitutionInput {
            categories: Some(vec!["5".into()]),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap_err();
        assert_eq!(bad[0].field, "categories");
        // Codes are normalised: sorted, and a code covered by another one dropped.
        let scoped = InstitutionInput {
            scope: Some(vec![
                "3.01".into(),
                "1.02.01".into(),
                "1.02".into(),
                "3.01".into(),
            ]),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap();
        assert_eq!(scoped.scope, "1.02,3.01");
        let bad = InstitutionInput {
            scope: Some(vec!["1.99".into()]),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap_err();
        assert_eq!(bad[0].field, "scope");
        let bad = InstitutionInput {
            uscc: Some("91330100MA2XXXXXX".into()),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap_err();
        assert_eq!(bad[0].field, "uscc");
        let bad = InstitutionInput {
            uscc: Some("91350100M000100Y44".into()),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap_err();
        assert!(bad[0].message.contains("GB 32100"), "{}", bad[0].message);
        let ok = InstitutionInput {
            uscc: Some("91350100m000100y43".into()),
            ..Default::default()
        }
        .apply(Some(&base))
        .unwrap();
        assert_eq!(ok.uscc.as_deref(), Some("91350100M000100Y43"));
        // A pilot code failing its check needs a reason, which is kept with it.
        let pilot = InstitutionInput {
            uscc: Some("91350100M0001TGQXM".into()),
            ..Default::default()
        };
        assert_eq!(pilot.apply(Some(&base)).unwrap_err()[0].field, "uscc");
        let pilot = InstitutionInput {
            uscc_override: Some("福建试点期间赋码".into()),
            ..pilot
        };
        let ok = pilot.apply(Some(&base)).unwrap();
        assert_eq!(ok.uscc_override.as_deref(), Some("福建试点期间赋码"));
        // A reason is not kept for a code that passes.
        let fine = InstitutionInput {
            uscc: Some("91350100M000100Y43".into()),
            uscc_override: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(fine.apply(Some(&base)).unwrap().uscc_override, None);
    }
}
