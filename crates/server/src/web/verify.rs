//! The verification page, the QR code's target: `/v/{code}` shows an opinion's public fields,
//! compares a chosen file by its SHA-256 computed in the browser, and with the verification key
//! shows the commissioning side and the signing appraisers.
use super::{PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use sijian_domain::opinion_code::OpinionCode;
use sijian_service::verification::verification;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    lang: Lang,
    title: String,
    here: &'static str,
    badge: Option<(String, &'static str)>,
    error: Option<String>,
    found: bool,
    code: String,
    sha256: String,
    fields: Vec<(String, String)>,
    details: Vec<(String, String)>,
    bundle: Option<String>,
    /// With the key: the QR code for the cover, as printed on the label.
    qr_svg: String,
}

/// The category's label (1 法医 2 物证 3 声像资料 4 环境损害), from the domain's table.
fn category(c: u8) -> &'static str {
    sijian_domain::category::Category::from_digit(c)
        .map(|c| c.label_zh())
        .unwrap_or("—")
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    let key = param("key");
    let mut page = VerifyPage {
        lang,
        title: "鉴定意见书核验".into(),
        here: "verify",
        badge: None,
        error: None,
        found: false,
        code: code.clone(),
        sha256: String::new(),
        fields: Vec::new(),
        details: Vec::new(),
        bundle: None,
        qr_svg: String::new(),
    };
    let parsed = match OpinionCode::parse(&code) {
        Ok(c) => c,
        Err(e) => {
            page.error = Some(format!("编码无效：{e}"));
            return Ok(render(&page));
        }
    };
    let v = match verification(&s, ctx.authed.as_deref(), &parsed, key, None, param("t")).await {
        Ok(v) => v,
        Err(e) => return Err(super::page_error(e, lang)),
    };
    page.code = v.code.clone();
    page.badge = Some(match v.status.as_str() {
        "valid" => ("有效".into(), "ok"),
        "corrected" => (
            format!("已补正（第 {} 版）", v.version.unwrap_or(1)),
            "warn",
        ),
        "revoked" => ("已撤销".into(), "bad"),
        _ => ("未找到".into(), "bad"),
    });
    if v.status == "not_found" {
        page.error =
            Some("平台上没有这个编码的鉴定意见书。请核对编码；伪造的意见书不会出现在这里。".into());
        return Ok(render(&page));
    }
    page.found = true;
    page.sha256 = v.document_sha256.clone().unwrap_or_default();
    page.fields = vec![
        ("意见书编码".into(), v.code.clone()),
        ("鉴定机构".into(), v.institution.clone().unwrap_or_default()),
        ("鉴定类别".into(), category(v.category.unwrap_or(0)).into()),
        ("出具日期".into(), v.issued_on.clone().unwrap_or_default()),
        ("文件 SHA-256".into(), page.sha256.clone()),
        (
            "防篡改日志".into(),
            v.log_leaf_index
                .map(|i| format!("已入账（叶 #{i}）"))
                .unwrap_or_else(|| "待入账".into()),
        ),
    ];
    if v.status == "revoked" {
        page.error = Some(format!(
            "本意见书已于 {} 撤销，不能再作为鉴定意见使用。",
            v.revoked_on.clone().unwrap_or_default()
        ));
        page.fields.insert(
            1,
            (
                "撤销".into(),
                format!(
                    "{} 撤销；依据：{}",
                    v.revoked_on.clone().unwrap_or_default(),
                    v.revoked_reason.clone().unwrap_or_default()
                ),
            ),
        );
    }
    if v.status == "corrected" {
        page.fields.insert(
            1,
            (
                "当前版本".into(),
                format!(
                    "第 {} 版（已补正；下列哈希为当前版本文件的）",
                    v.version.unwrap_or(1)
                ),
            ),
        );
    }
    if let Some(t) = &v.token {
        page.fields.push((
            "二维码签名".into(),
            match (&t.reason, t.signature_valid) {
                (None, _) => "有效：由平台密钥签发，内容与平台记录一致".into(),
                (Some(r), _) => format!("无效：{r}"),
            },
        ));
    }
    if v.key_valid == Some(false) && page.error.is_none() {
        page.error = Some("查询校验码不正确，只显示公开信息。".into());
    }
    if let Some(d) = &v.details {
        page.qr_svg = crate::documents::qr_svg(&d.qr_content, 176).unwrap_or_default();
        page.details = vec![
            ("委托人".into(), d.client.clone()),
            (
                "案号".into(),
                d.case_number.clone().unwrap_or_else(|| "—".into()),
            ),
            ("签名鉴定人".into(), d.appraisers.join("、")),
        ];
        for c in &d.corrections {
            page.details.push((
                format!("第 {} 版补正（{}）", c.version, c.corrected_on),
                c.what.clone(),
            ));
        }
    }
    page.bundle = v.bundle_url.clone();
    Ok(render(&page))
}
