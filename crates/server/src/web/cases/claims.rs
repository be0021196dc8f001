//! Paper commissions awaiting the signed-in organ's answer (issue 14, point 6): an institution
//! recorded a commission received on paper and named this organ's account; the organ confirms
//! it as its own (the case joins its list) or declines it.
use super::*;
use sijian_store::cases::claims::Claim;

fn items(c: &Claim) -> Vec<&str> {
    c.items.split(',').filter(|i| !i.is_empty()).collect()
}

/// The claims awaiting this organ, newest first unless sorted otherwise.
pub async fn claims_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let p = ListParams::new("/cases/claims", q);
    let page = sijian_service::cases::claims(&s, &a, &p.query())
        .await
        .or_page(lang)?;
    let columns = [
        ("cases.claim.col.received", "received_on"),
        ("cases.col.institution", "institution"),
        ("cases.col.client", ""),
        ("cases.col.case_number", ""),
        ("cases.field.matter", ""),
    ];
    let v = p.view(
        lang,
        lang.t("cases.claim.title").into(),
        &columns,
        &page,
        |c| {
            vec![
                link(&c.received_on, format!("/cases/claims/{}", c.case_id)),
                cell(&c.institution_name),
                cell(&c.client_name),
                cell(c.case_number.clone().unwrap_or_else(|| "—".into())),
                cell(crate::labels::code_labels_in(lang, &items(c))),
            ]
        },
    );
    let filters = vec![p.text_filter("q", lang.t("cases.claim.search"))];
    let v = v.with_filters(filters);
    if p.wants_csv() {
        return Ok(crate::web::listing::respond(&a, lang, &p, v));
    }
    let mut page = ListPage::of(&a, lang, v);
    page.c = page.c.saved_flash(&p.pairs);
    Ok(render(&page))
}

/// One claim: what the institution recorded, and the two answers.
pub async fn claim_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let c = sijian_service::cases::claim(&s, &a, id)
        .await
        .or_page(lang)?;
    let mut v = DetailView::new(lang.t("cases.claim.one"), "/cases/claims");
    v.fields = vec![
        (
            lang.t("cases.col.institution").into(),
            c.institution_name.clone(),
            None,
        ),
        (
            lang.t("cases.col.client").into(),
            c.client_name.clone(),
            None,
        ),
        (
            lang.t("cases.col.case_number").into(),
            c.case_number.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            lang.t("cases.field.matter").into(),
            crate::labels::code_labels_in(lang, &items(&c)),
            None,
        ),
        (
            lang.t("cases.claim.col.received").into(),
            c.received_on.clone(),
            None,
        ),
        (
            lang.t("cases.claim.recorded_at").into(),
            fmt_time(c.created_at),
            None,
        ),
        (
            lang.t("cases.claim.what").into(),
            lang.t("cases.claim.explain").into(),
            None,
        ),
    ];
    if a.role().may(Action::CommissionCase) && a.require_writable().is_ok() {
        v.actions = vec![
            ActionButton {
                label: lang.t("cases.claim.confirm").into(),
                href: format!("/cases/claims/{id}/confirm"),
                post: true,
                confirm: lang.t("cases.claim.confirm_ask").into(),
                danger: false,
            },
            ActionButton {
                label: lang.t("cases.claim.decline").into(),
                href: format!("/cases/claims/{id}/decline"),
                post: true,
                confirm: lang.t("cases.claim.decline_ask").into(),
                danger: true,
            },
        ];
    }
    Ok(render(&DetailPage::of(&a, lang, "/cases/claims", v)))
}

/// Records the organ's answer: `confirm` or `decline`.
pub async fn claim_answer(
    State(s): State<AppState>,
    Path((id, answer)): Path<(i64, String)>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let confirm = match answer.as_str() {
        "confirm" => true,
        "decline" => false,
        _ => return Err(crate::error_page::page_error(AppError::not_found(), lang)),
    };
    sijian_service::cases::answer_claim(&s, a, id, confirm)
        .await
        .or_page(lang)?;
    Ok(if confirm {
        redirect(&format!("/cases/{id}?saved=confirmed"))
    } else {
        redirect("/cases/claims?saved=declined")
    })
}
