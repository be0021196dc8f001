//! The web application and JSON API: authentication and authorisation, server-rendered pages
//! (Chinese first, English switchable), the OpenAPI document, health, metrics, demo data.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod cases;
pub mod checks;
pub mod config;
pub mod csv;
pub mod demo;
pub mod demo_cases;
pub mod documents;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod inputs;
pub mod ledger;
pub mod licences;
pub mod licensing;
pub mod linkage;
pub mod login;
pub mod public;
pub mod secrets;
pub mod state;
pub mod synth;
pub mod telemetry;
pub mod web;
pub mod webhooks;

pub use app::{Server, build_router, open_database, start};
pub use config::Config;
pub use state::AppState;
