//! Every integration test of the ledger crate in one binary.
mod properties;
mod vectors;
mod witness_monitor;
