//! The state every request shares: the services, and what only the web side needs (the public
//! rate limiter, the PDF font).
use crate::error::AppError;
use crate::ratelimit::{LogThrottle, RateLimiter};
use axum::http::StatusCode;
use sijian_service::Services;
use std::ops::Deref;
use std::sync::Arc;

pub use sijian_service::{missing_years, today};

#[derive(Clone)]
pub struct AppState {
    pub svc: Services,
    pub public_limiter: Arc<RateLimiter>,
    /// The bound on operations-log rows of anonymous requests.
    pub anonymous_log: Arc<LogThrottle>,
    /// The PDF font, loaded on first use; the error message when there is none.
    pub fonts: Arc<tokio::sync::OnceCell<Result<crate::documents::Fonts, String>>>,
}

impl Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.svc
    }
}

impl AppState {
    /// The state over `db`; refuses to start when a key is missing or not the database's own
    /// (`sijian_service::keyring`).
    pub async fn open(
        db: sijian_store::Db,
        cfg: Arc<sijian_service::Config>,
    ) -> anyhow::Result<Self> {
        let limiter = RateLimiter::new(
            cfg.security.public_requests_per_second,
            cfg.security.public_burst,
        );
        let anonymous_log = LogThrottle::new(cfg.security.anonymous_log_window_seconds);
        Ok(AppState {
            svc: Services::open(db, cfg).await?,
            public_limiter: Arc::new(limiter),
            anonymous_log: Arc::new(anonymous_log),
            fonts: Arc::default(),
        })
    }
}

impl AppState {
    /// Renders a one-page PDF off the async threads. Without a usable CJK font PDF output is
    /// disabled with the reason (503), never a crash.
    pub async fn pdf(
        &self,
        make: impl FnOnce(&crate::documents::Fonts) -> Result<Vec<u8>, crate::documents::PdfError>
        + Send
        + 'static,
    ) -> Result<Vec<u8>, AppError> {
        let cfg = self.cfg.pdf.clone();
        let fonts = self
            .fonts
            .get_or_init(|| async move {
                tokio::task::spawn_blocking(move || {
                    let fonts = crate::documents::Fonts::load(&cfg).map_err(|e| e.to_string())?;
                    tracing::info!(font = %fonts.describe(), "PDF font loaded");
                    Ok(fonts)
                })
                .await
                .unwrap_or_else(|e| Err(format!("字体加载中断：{e}")))
            })
            .await;
        let fonts = match fonts {
            Ok(f) => f.clone(),
            Err(reason) => {
                return Err(AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "pdf_unavailable",
                    format!("PDF 输出不可用：{reason}"),
                ));
            }
        };
        tokio::task::spawn_blocking(move || make(&fonts))
            .await
            .map_err(|_| AppError::internal())?
            .map_err(|e| {
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "pdf_unavailable",
                    e.to_string(),
                )
            })
    }
}
