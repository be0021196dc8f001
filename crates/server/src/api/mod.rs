//! The JSON API under `/api/v1`. Every route is registered through `OpenApiRouter`, so the
//! OpenAPI document at `/api/openapi.json` lists exactly what is served (a test checks both ways).
use crate::state::AppState;
use serde::Deserialize;
use sijian_store::ListQuery;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

pub mod accounts;
pub mod calendar;
pub mod cases;
pub mod directory;
pub mod ledger;
pub mod licences;
pub mod licensing;
pub mod linkage;
pub mod notifications;
pub mod practice;
pub mod records;
pub mod registry;
pub use sijian_service::schema;
pub mod verification;
pub mod webhooks;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "司鉴 API",
        description = "司法鉴定管理与监督平台的 JSON 接口。除登录外，每个接口都需要 `Authorization: Bearer <API 令牌>`（或浏览器会话 Cookie 加 `X-CSRF-Token` 头）。错误统一为 `{\"error\": {\"code\", \"message\", \"fields\"}}`。",
        version = "1"
    ),
    modifiers(&Security),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldErrorSchema)),
    tags(
        (name = "session", description = "登录、退出与本人信息"),
        (name = "registry", description = "鉴定机构、司法鉴定人与办案机关"),
        (name = "accounts", description = "用户与 API 令牌"),
        (name = "licensing", description = "网上审批：机构设立、变更、延续、注销与鉴定人执业登记"),
        (name = "cases", description = "鉴定案件：委托、受理、指定鉴定人、中止计时、延长、终止、复核、签名、盖章、赋码出具、补正、出庭"),
        (name = "linkage", description = "多头、重复鉴定核查：案件的核查结果，监管部门的预警队列与处理（确认、排除、准予受理）"),
        (name = "verification", description = "鉴定意见书赋码核验（公开，按来源地址限流）"),
        (name = "ledger", description = "防篡改日志：签名检查点、公钥、包含与一致性证明、瓦片（公开）"),
        (name = "webhooks", description = "办案机关接收案件进展通知的 webhook：设置地址与签名密钥、查看投递记录"),
        (name = "notifications", description = "本人的通知：列表（全部或未读）、标为已读"),
        (name = "records", description = "全过程留痕、操作日志与登录日志"),
        (name = "reference", description = "行政区划、工作日历等基础数据"),
        (name = "directory", description = "公开名册（无需登录，按来源地址限流）")
    )
)]
pub struct ApiDoc;

struct Security;
impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sjt_…")
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::login, accounts::logout))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::set_language))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::get_user, accounts::update_user))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::unlock_user))
        .routes(routes!(accounts::list_tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(
            registry::list_institutions,
            registry::create_institution
        ))
        .routes(routes!(
            registry::get_institution,
            registry::update_institution
        ))
        .routes(routes!(
            registry::list_appraisers,
            registry::create_appraiser
        ))
        .routes(routes!(registry::export_institutions))
        .routes(routes!(registry::export_appraisers))
        .routes(routes!(registry::get_appraiser, registry::update_appraiser))
        .routes(routes!(registry::list_organs, registry::create_organ))
        .routes(routes!(registry::get_organ, registry::update_organ))
        .routes(routes!(webhooks::get_webhook, webhooks::put_webhook))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(records::list_events))
        .routes(routes!(records::list_operations))
        .routes(routes!(records::list_logins))
        .routes(routes!(records::list_regions))
        .routes(routes!(directory::institutions))
        .routes(routes!(directory::institution))
        .routes(routes!(directory::appraisers))
        .routes(routes!(calendar::get_calendar))
        .routes(routes!(calendar::deadline))
        .routes(routes!(calendar::get_year, calendar::put_year))
        .routes(routes!(practice::postings))
        .routes(routes!(practice::list_records, practice::add_record))
        .routes(routes!(practice::list_assistants, practice::add_assistant))
        .routes(routes!(practice::end_assistant))
        .routes(routes!(practice::institution_status_history))
        .routes(routes!(practice::appraiser_status_history))
        .routes(routes!(practice::classification))
        .routes(routes!(licensing::list, licensing::submit))
        .routes(routes!(licensing::get))
        .routes(routes!(licensing::check_materials))
        .routes(routes!(licensing::resubmit))
        .routes(routes!(licensing::withdraw))
        .routes(routes!(licensing::add_review))
        .routes(routes!(licensing::extend))
        .routes(routes!(licensing::decide))
        .routes(routes!(licensing::attachment))
        .routes(routes!(licensing::list_experts, licensing::add_expert))
        .routes(routes!(cases::list, cases::commission))
        .routes(routes!(cases::alerts))
        .routes(routes!(cases::claims))
        .routes(routes!(cases::answer_claim))
        .routes(routes!(cases::overdue_rates))
        .routes(routes!(cases::get))
        .routes(routes!(linkage::case_check))
        .routes(routes!(linkage::list))
        .routes(routes!(linkage::get))
        .routes(routes!(linkage::decide))
        .routes(routes!(cases::file))
        .routes(routes!(cases::accept))
        .routes(routes!(cases::agree_accept_date))
        .routes(routes!(cases::record_materials))
        .routes(routes!(cases::refuse))
        .routes(routes!(cases::contract))
        .routes(routes!(cases::assign))
        .routes(routes!(cases::declare_conflict))
        .routes(routes!(cases::recusal))
        .routes(routes!(cases::start))
        .routes(routes!(cases::stop_clock))
        .routes(routes!(cases::resume_clock))
        .routes(routes!(cases::extend))
        .routes(routes!(cases::terminate))
        .routes(routes!(cases::request_review))
        .routes(routes!(cases::review))
        .routes(routes!(cases::sign))
        .routes(routes!(cases::seal))
        .routes(routes!(cases::issue))
        .routes(routes!(cases::archive))
        .routes(routes!(cases::correct))
        .routes(routes!(cases::revoke_opinion))
        .routes(routes!(cases::notify_appearance))
        .routes(routes!(cases::record_appearance))
        .routes(routes!(verification::verify))
        .routes(routes!(verification::bundle))
        .routes(routes!(verification::checks))
        .routes(routes!(verification::keys))
        .routes(routes!(verification::label))
        .routes(routes!(licences::licence_pdf))
        .routes(routes!(licences::verify_api))
        .routes(routes!(licences::of_holder))
        .routes(routes!(ledger::checkpoint))
        .routes(routes!(ledger::keys))
        .routes(routes!(ledger::inclusion))
        .routes(routes!(ledger::consistency))
        .routes(routes!(ledger::tile))
        .routes(routes!(ledger::event_proof))
}

/// Paging, sorting and free-text search, common to every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Free-text search (name, number, …), case-insensitive.
    pub q: Option<String>,
    /// Sort key; each list documents its keys. Unknown keys use the default order.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    /// Page number from 1. Default 1.
    pub page: Option<u32>,
    /// Items per page, 1–200. Default 20.
    pub per_page: Option<u32>,
}

impl Paging {
    pub fn query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            sort: self.sort.clone(),
            desc: self.order.as_deref() == Some("desc"),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
            export: false,
        }
    }
}

/// Empty strings in query filters mean "any".
pub fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
