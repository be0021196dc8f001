//! The web application and JSON API: authentication and authorisation, server-rendered pages
//! (Chinese first, English switchable), the OpenAPI document, health, metrics and the
//! background jobs. Pages and API call the services (`sijian_service`) and never import each other.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod cluster;
pub mod cookies;
pub mod csv;
pub mod documents;
pub mod error;
pub mod error_page;
pub mod extract;
pub mod i18n;
pub mod integrator;
pub mod labels;
pub mod login;
pub mod notify_outbox;
pub mod organs;
pub mod ratelimit;
pub mod responses;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod webhooks;

pub use app::{Server, build_router, open_database, start};
pub use sijian_service::Config;
pub use state::AppState;
