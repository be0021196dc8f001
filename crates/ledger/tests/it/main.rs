//! Every integration test of the ledger crate in one binary.
/// The fuzzing engine shared with the other crates' tests (the test kit's, by path: this crate
/// must not depend on the kit's database).
#[path = "../../../testkit/src/fuzz.rs"]
mod fuzzing;

mod fuzz;
mod properties;
mod vectors;
mod witness_monitor;
