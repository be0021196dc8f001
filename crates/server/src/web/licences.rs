//! Electronic licences (电子证照): institution licences and appraiser certificates with GB/T 36904
//! identifiers, data signed with the platform key, a status that follows the register, a public
//! verification page and API like an opinion's, and a printable PDF with the QR code.
use super::{PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_service::licences::verification;

/// `?t=`: the signed token from the QR code.
#[derive(Debug, Deserialize)]
pub struct LicenceQuery {
    pub t: Option<String>,
}

#[derive(Template)]
#[template(path = "licence.html")]
struct LicencePage {
    lang: Lang,
    title: String,
    here: &'static str,
    id: String,
    badge: Option<(String, &'static str)>,
    error: Option<String>,
    fields: Vec<(String, String)>,
    qr_svg: String,
    pdf_url: Option<String>,
}

fn badge(status: &str, label: &str) -> (String, &'static str) {
    (
        label.to_string(),
        match status {
            "valid" => "ok",
            "withheld" | "expired" => "warn",
            _ => "bad",
        },
    )
}

/// `/l/{id}`: the licence's QR target.
pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<LicenceQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let mut page = LicencePage {
        lang,
        title: "电子证照核验".into(),
        here: "verify",
        id: id.clone(),
        badge: None,
        error: None,
        fields: Vec::new(),
        qr_svg: String::new(),
        pdf_url: None,
    };
    let parsed = match ElectronicLicenceId::parse(&id) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(format!("电子证照标识无效：{e}"));
            return Ok(render(&page));
        }
    };
    let v = verification(&s, &parsed, q.t.as_deref().filter(|t| !t.is_empty()))
        .await
        .map_err(|e| crate::web::page_error(e, lang))?;
    let Some(l) = &v.licence else {
        page.badge = Some(("未找到".into(), "bad"));
        page.error = Some("平台上没有这个电子证照。请核对标识；伪造的证照不会出现在这里。".into());
        return Ok(render(&page));
    };
    page.id = l.id.clone();
    page.badge = Some(badge(&l.status, &l.status_label));
    page.fields = vec![
        ("证照类型".into(), l.kind_label.clone()),
        ("电子证照标识".into(), l.id.clone()),
        ("持证者".into(), l.holder.clone()),
        ("证号".into(), l.number.clone()),
    ];
    if let Some(i) = &l.institution {
        page.fields.push(("执业机构".into(), i.clone()));
    }
    page.fields.push((
        "有效期至".into(),
        l.valid_to.clone().unwrap_or_else(|| "—".into()),
    ));
    page.fields.push((
        "状态".into(),
        format!("{}（{}）", l.status_label, l.status_code),
    ));
    page.fields.push(("颁发机构代码".into(), l.issuer.clone()));
    if let Some(t) = &v.token {
        page.fields.push((
            "二维码签名".into(),
            match &t.reason {
                None => "有效：由平台密钥签发，内容与当前登记一致".into(),
                Some(r) => format!("无效：{r}"),
            },
        ));
    }
    page.qr_svg = crate::documents::qr_svg(&l.qr_content, 176).unwrap_or_default();
    if ctx.authed.is_some() {
        page.pdf_url = Some(format!("/api/v1/licences/{}/licence.pdf", l.id));
    }
    Ok(render(&page))
}
