//! What tests of several crates share: fresh databases on both engines (`engine`) and small
//! builders that register institutions, appraisers, organs and users and take a case to a
//! given stage through the store's own functions (`build`). A development dependency only.
#![forbid(unsafe_code)]

pub mod engine;
pub mod fuzz;

pub use engine::{ENGINES, Engine, Place, TempDir, TestDb, on_both_engines, run_on};
pub mod build;
