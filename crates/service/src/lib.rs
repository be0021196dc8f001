//! Application services: one function per use case (commission a case, decide an application,
//! verify an opinion, …), shared by the pages and the JSON API. A service takes the caller and
//! one typed command, authorises, loads the facts, lets the domain decide and has the store apply
//! the result. Nothing here knows HTTP: the compiler keeps axum and askama out of this crate.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod calendar;
pub mod caller;
pub mod cases;
pub mod checks;
pub mod config;
pub mod demo;
pub mod demo_cases;
pub mod directory;
pub mod error;
pub mod events;
pub mod inputs;
pub mod keyring;
pub mod ledger;
pub mod licences;
pub mod licensing;
pub mod linkage;
pub mod notifications;
pub mod registry;
pub mod schema;
pub mod secrets;
pub mod services;
pub mod synth;
pub mod verification;

pub use caller::Caller;
pub use config::Config;
pub use error::{Error, ErrorKind, Result};
pub use services::{Services, missing_years, today};
