//! Every integration test of the server in one binary: the server is linked once, not once per
//! file. `common` is the harness (a server on a fresh database of either engine); `helpers` holds
//! requests several files make alike.
#[macro_use]
mod common;
mod access_matrix;
mod accessibility;
mod api;
mod browser;
mod cases;
mod crawl;
mod elicences;
mod english;
mod friction;
mod fuzz_bodies;
mod helpers;
mod keys;
mod ledger;
mod licensing;
mod linkage;
mod links;
mod notifications;
mod openapi;
mod record_forms;
mod register_rights;
mod search_export;
mod security;
mod verification;
mod webhooks;
mod workbench;
