//! Input of every change, shared by forms and the JSON API: optional fields laid over the
//! current record (or over blanks when creating), then validated field by field.
use serde::Deserialize;
use sijian_domain::identifiers::Uscc;
use sijian_domain::validate::licence_shape_ok;
use sijian_domain::{
    AppraiserStatus, Category, FieldError, InstitutionStatus, OrganKind, Problems, RegionCode,
};
use sijian_store::organs::OrganFields;
use sijian_store::registry::{AppraiserFields, InstitutionFields};

fn pick(new: &Option<String>, old: &str) -> String {
    new.clone().unwrap_or_else(|| old.to_string())
}

fn categories(p: &mut Problems, field: &str, new: &Option<Vec<String>>, old: &str) -> String {
    let raw = match new {
        Some(v) => v.join(","),
        None => old.to_string(),
    };
    match Category::parse_set(&raw) {
        Ok(set) if set.is_empty() => {
            p.add(field, "请至少选择一个鉴定类别");
            String::new()
        }
        Ok(set) => Category::format_set(&set),
        Err(msg) => {
            p.add(field, msg);
            String::new()
        }
    }
}

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
    pub region_code: Option<String>,
    /// Category digits: "1" 法医类, "2" 物证类, "3" 声像资料类, "4" 环境损害类.
    pub categories: Option<Vec<String>>,
    pub legal_rep: Option<String>,
    pub head_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// normal | suspended | cancelled | revoked
    pub status: Option<String>,
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
            region_code: String::new(),
            categories: String::new(),
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
        let region_code = region(&mut p, &pick(&self.region_code, &b.region_code));
        let categories = categories(&mut p, "categories", &self.categories, &b.categories);
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
            region_code,
            categories,
            legal_rep,
            head_name,
            address,
            phone,
            status,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraiserInput {
    pub institution_id: Option<i64>,
    pub name: Option<String>,
    /// male | female
    pub gender: Option<String>,
    pub certificate_no: Option<String>,
    pub categories: Option<Vec<String>>,
    pub title: Option<String>,
    pub senior_title: Option<bool>,
    pub phone: Option<String>,
    /// active | suspended | cancelled | revoked
    pub status: Option<String>,
}

impl AppraiserInput {
    pub fn apply(
        &self,
        base: Option<&AppraiserFields>,
    ) -> Result<AppraiserFields, Vec<FieldError>> {
        let empty = AppraiserFields {
            institution_id: 0,
            name: String::new(),
            gender: String::new(),
            certificate_no: String::new(),
            categories: String::new(),
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
        let gender = pick(&self.gender, &b.gender);
        if gender != "male" && gender != "female" {
            p.add("gender", "请选择性别");
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
        let categories = categories(&mut p, "categories", &self.categories, &b.categories);
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
            certificate_no,
            categories,
            title,
            senior_title,
            phone,
            status,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institution_create_names_every_missing_field() {
        let errs = InstitutionInput::default().apply(None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "licence_no", "region_code", "categories"]);
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
