//! The public front door: what the platform offers anyone, with a box to verify an opinion by
//! its code, a search of the register and a box to verify an electronic licence (issue 15,
//! point 10). Signed-in visitors get their workbench at the same address.
use super::{PageResult, redirect, render};
use crate::auth::{Ctx, PageUser};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;

#[derive(Template)]
#[template(path = "public_home.html")]
struct PublicHome {
    lang: Lang,
    title: String,
    here: &'static str,
}

/// `/`: the workbench for a signed-in visitor, the public home page for everyone else.
pub async fn root(State(s): State<AppState>, mut parts: Parts) -> Response {
    let ctx = Ctx::from_request_parts(&mut parts, &s)
        .await
        .unwrap_or_else(|e| match e {});
    if ctx.authed.is_none() {
        return render(&PublicHome {
            lang: ctx.lang,
            title: ctx.lang.t("public.title").into(),
            here: "home",
        });
    }
    match PageUser::from_request_parts(&mut parts, &s).await {
        Ok(user) => super::accounts::home(State(s), user)
            .await
            .unwrap_or_else(|r| r),
        Err(r) => r,
    }
}

/// The code typed as `name` in a query, without the spaces people type inside codes.
fn typed(q: &[(String, String)], name: &str) -> String {
    q.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default()
}

/// `/verify?code=…`: the code box's target, on to the opinion's verification page (which
/// explains a mistyped code and offers the box again).
pub async fn verify_code(Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let code = typed(&q, "code");
    if code.is_empty() {
        return Ok(redirect("/"));
    }
    Ok(redirect(&format!("/v/{}", urlencoding::encode(&code))))
}

/// `/licence?id=…`: the licence box's target, on to the licence's verification page.
pub async fn verify_licence(Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let id = typed(&q, "id");
    if id.is_empty() {
        return Ok(redirect("/"));
    }
    Ok(redirect(&format!("/l/{}", urlencoding::encode(&id))))
}
