//! Routes that list themselves: pages and the server's own routes are added through `Routes`,
//! which records each method and path as it adds the handler (the API's routes are the
//! operations of its OpenAPI document, which `utoipa_axum::routes!` fills from the same
//! attribute that registers each handler). `app::served` joins the lists; the access matrix is
//! checked against it (`tests/it/access_matrix.rs`), so a route cannot be added without a line
//! there.
use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

/// A router and the (method, path template) of every handler added to it.
pub struct Routes {
    router: Router<AppState>,
    served: Vec<(Method, &'static str)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            served: Vec::new(),
        }
    }

    /// `GET path` (axum merges the methods of one path into one route).
    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, get(handler))
    }

    /// `POST path`.
    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, post(handler))
    }

    /// The routes `add` adds (a group of pages mounted together).
    pub fn with(self, add: impl FnOnce(Self) -> Self) -> Self {
        add(self)
    }

    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.served.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    pub fn router(self) -> Router<AppState> {
        self.router
    }

    pub fn served(&self) -> &[(Method, &'static str)] {
        &self.served
    }
}

/// The metrics listener's one route, `GET /metrics` (Prometheus text); apart from the main
/// listener and its access matrix, reachable only where `metrics_listen` is.
pub fn metrics(handle: metrics_exporter_prometheus::PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let h = handle.clone();
            async move { h.render() }
        }),
    )
}
