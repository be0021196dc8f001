//! Shared by the CLI test files: run the `sijian` binary and read what it said.
#![allow(dead_code)]
use std::process::{Command, Output, Stdio};

/// Runs `sijian ARGS…` with no input and waits for it.
pub fn sijian(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sijian"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The exit code (-1 when killed by a signal).
pub fn code_of(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
