//! Every integration test of the store in one binary, each on fresh databases of both engines
//! (`sijian_testkit`).
mod ledger;
mod migrations;
mod readers;
mod repositories;
mod schema;
mod sqlite_build;
