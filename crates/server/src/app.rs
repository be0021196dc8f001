//! Assembling the router and serving it, with graceful shutdown.
use crate::auth;
use crate::error::AppError;
use crate::routes::Routes;
use crate::state::AppState;
use crate::{api, telemetry, web};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sijian_service::config::Config;
use sijian_store::Db;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Opens the configured database, creating the data directory for SQLite, and migrates it
/// when configured to.
pub async fn open_database(cfg: &Config, migrate: bool) -> anyhow::Result<Db> {
    let url = cfg.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)
            .map_err(|e| anyhow::anyhow!("无法创建数据目录 {}：{e}", cfg.data_dir.display()))?;
    }
    let db = Db::connect(&url, &cfg.pool_settings())
        .await
        .map_err(|e| anyhow::anyhow!("无法连接数据库 {}：{e:?}", sijian_store::db::redact(&url)))?;
    if migrate {
        db.migrate()
            .await
            .map_err(|e| anyhow::anyhow!("数据库迁移失败：{e:?}"))?;
        sijian_store::regions::load_shipped(&db)
            .await
            .map_err(|e| anyhow::anyhow!("行政区划加载失败：{e:?}"))?;
        let queued = sijian_store::ledger::enqueue_missing(&db)
            .await
            .map_err(|e| anyhow::anyhow!("日志补记失败：{e:?}"))?;
        if queued > 0 {
            tracing::info!(
                events = queued,
                "events recorded before the log queued for it"
            );
        }
        let started = std::time::Instant::now();
        tracing::debug!("checking the name search index");
        let n = sijian_store::search::rebuild_if_needed(&db)
            .await
            .map_err(|e| anyhow::anyhow!("检索索引重建失败：{e:?}"))?;
        if n > 0 {
            tracing::info!(
                records = n,
                ms = started.elapsed().as_millis() as u64,
                "name search index rebuilt"
            );
        }
    }
    Ok(db)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = OpenApiRouter::<AppState>::with_openapi(api::ApiDoc::openapi())
        .nest("/api/v1", api::router())
        .split_for_parts();
    doc
}

/// The server's own routes: health, readiness and the OpenAPI document `doc`.
pub fn own_routes(doc: Arc<String>) -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
        .get("/api/openapi.json", move || {
            let doc = doc.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
        })
}

/// Every (method, path template) the main listener serves: the server's own routes, the API
/// (from its OpenAPI document) and the pages. The metrics listener is separate and not here.
pub fn served() -> Vec<(Method, String)> {
    let mut out: Vec<(Method, String)> = own_routes(Default::default())
        .served()
        .iter()
        .chain(web::routes().served())
        .map(|(m, p)| (m.clone(), (*p).to_string()))
        .collect();
    for (path, item) in openapi().paths.paths {
        let ops = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
            (Method::HEAD, item.head.is_some()),
            (Method::OPTIONS, item.options.is_some()),
            (Method::TRACE, item.trace.is_some()),
        ];
        for (m, _) in ops.into_iter().filter(|(_, on)| *on) {
            out.push((m, path.clone()));
        }
    }
    out.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
    out
}

pub fn build_router(state: AppState) -> Router {
    let (api_router, doc) = OpenApiRouter::with_openapi(api::ApiDoc::openapi())
        .nest("/api/v1", api::router())
        .split_for_parts();
    let doc = Arc::new(doc.to_pretty_json().expect("OpenAPI serialises"));
    // Browsers keep to HTTPS for a year once they have reached the platform over it; over plain
    // HTTP the header means nothing and is left out.
    let hsts = state
        .cfg
        .public_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000"));
    own_routes(doc)
        .router()
        .merge(api_router)
        .merge(web::routes().router())
        .fallback(web::not_found)
        // The public rate limit runs inside the context layer, which finds the client address.
        .layer(axum::middleware::from_fn_with_state(state.clone(), limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::context))
        .layer(axum::middleware::from_fn(telemetry::track))
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(axum::middleware::from_fn(too_large))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| AppError::internal().into_response()))
        .with_state(state)
}

/// A body over the limit answers as every other error does: the error JSON on the API, an error
/// page elsewhere (the limit layer and the body extractors answer in plain text).
async fn too_large(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = crate::i18n::Lang::from_headers(req.headers(), None);
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE || !plain {
        return res;
    }
    let e = AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        crate::i18n::Lang::Zh.t("error.code.payload_too_large"),
    );
    if api {
        e.into_response()
    } else {
        crate::error_page::page_error(e, lang)
    }
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers (within two seconds).
async fn readyz(State(s): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), s.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// A running server: its address and a way to stop it.
pub struct Server {
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub handle: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.handle.await;
    }
}

/// Binds the listeners and serves until stopped (or, when `signals` is set, until SIGINT/SIGTERM).
pub async fn start(cfg: Config, db: Db, signals: bool) -> anyhow::Result<Server> {
    let cfg = Arc::new(cfg);
    let state = AppState::open(db.clone(), cfg.clone()).await?;
    let listener = TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {}：{e}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let metrics_addr = if cfg.metrics_listen.is_empty() {
        None
    } else {
        let ml = TcpListener::bind(&cfg.metrics_listen)
            .await
            .map_err(|e| anyhow::anyhow!("无法监听 {}：{e}", cfg.metrics_listen))?;
        let maddr = ml.local_addr()?;
        let app = crate::routes::metrics(telemetry::metrics_handle());
        tokio::spawn(async move {
            let _ = axum::serve(ml, app).await;
        });
        Some(maddr)
    };
    telemetry::metrics_handle();
    if let Ok(cal) = state.calendar.current(&state.db).await {
        let missing = crate::state::missing_years(&cal, crate::state::today());
        if !missing.is_empty() {
            tracing::warn!(
                ?missing,
                "holiday tables missing: working-day deadlines in these years are provisional (statutory holidays only); load them at /calendar"
            );
        }
    }
    let app = build_router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let integrator = tokio::spawn(crate::integrator::run(
        state.db.clone(),
        state.ledger.clone(),
        state.cfg.ledger.clone(),
    ));
    let webhooks = tokio::spawn(crate::webhooks::run(state.clone()));
    let notices = tokio::spawn(crate::notify_outbox::run(state.clone()));
    // Counted among the live nodes before the first request, so the public limit is shared
    // from the start.
    let node = crate::cluster::Node::new();
    if let Err(e) = crate::cluster::beat(&state, &node).await {
        tracing::warn!(error = %e, "first node heartbeat failed; the public limit is not shared yet");
    }
    let heartbeat = tokio::spawn(crate::cluster::run(state.clone(), node.clone()));
    let sweeper = tokio::spawn(sijian_service::cases::sweeper(state.svc.clone()));
    sijian_service::linkage::spawn_rebuild(state.svc.clone()).await;
    let counts = tokio::spawn(sijian_service::checks::run(state.svc.clone()));
    let last_counts = state.clone();
    let housekeeping = tokio::spawn(housekeeping(state));
    let handle = tokio::spawn(async move {
        let shutdown = async move {
            if signals {
                tokio::select! {
                    _ = rx => {},
                    _ = shutdown_signal() => {},
                }
            } else {
                let _ = rx.await;
            }
            tracing::info!("shutting down");
        };
        if let Err(e) = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        {
            tracing::error!(error = %e, "server error");
        }
        counts.abort();
        if let Err(e) = last_counts.checks.flush(&last_counts.db).await {
            tracing::warn!(error = %e, "last verification counts not written");
        }
        housekeeping.abort();
        sweeper.abort();
        integrator.abort();
        webhooks.abort();
        notices.abort();
        heartbeat.abort();
        crate::cluster::leave(&last_counts, &node).await;
    });
    tracing::info!(%addr, ?metrics_addr, engine = ?db.engine(), "serving");
    Ok(Server {
        addr,
        metrics_addr,
        shutdown: Some(tx),
        handle,
    })
}

/// Resolves on Ctrl-C or SIGTERM: the cue for a graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Removes expired sessions every ten minutes.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) =
            sijian_store::sessions::purge_expired(&state.db, sijian_store::now_ms()).await
        {
            tracing::debug!(error = %e, "session purge skipped");
        }
    }
}

/// Applies the public rate limit to the directory pages and `/api/v1/public/…`.
pub async fn limit(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if !(path.starts_with("/directory")
        || path.starts_with("/api/v1/public/")
        || path.starts_with("/api/v1/ledger/proof/")
        || path.starts_with("/api/v1/opinions/")
        || path.starts_with("/v/")
        || path.starts_with("/l/")
        || path.starts_with("/api/v1/licences/")
        || path.starts_with("/api/v1/verification/"))
    {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<crate::auth::Ctx>()
        .map(|c| c.ip.clone())
        .unwrap_or_default();
    if !s.public_limiter.allow_client(&ip) {
        let e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "请求过于频繁，请稍后再试",
        );
        return if req.uri().path().starts_with("/api/") {
            e.into_response()
        } else {
            crate::error_page::page_error(e, crate::i18n::Lang::Zh)
        };
    }
    next.run(req).await
}
