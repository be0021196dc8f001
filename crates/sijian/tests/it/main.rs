//! The command-line tests in one binary (the program is built once and run as a child process).
//! `ledger_kill` stays a binary of its own: it SIGKILLs a server under sustained writes and
//! measures what survived, so it must not share the machine's threads with other tests of the
//! same process.
mod cli;
mod common;
mod ledger_cli;
mod match_cli;
mod verify_cli;
