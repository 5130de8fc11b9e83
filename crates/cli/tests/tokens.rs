//! `resettle tokens create --expires DAYS` keeps to 1 to 365 days: a value
//! outside is refused with a clear message before anything is stored, never
//! silently changed and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn a_token_lifetime_outside_one_to_365_days_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("t.db").display());
    for days in ["0", "366", "100000000"] {
        let out = Command::new(env!("CARGO_BIN_EXE_resettle"))
            .args(["tokens", "create", "--user", "somebody", "--database", &db])
            .args(["--expires", days])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{days}: {err}");
        assert!(err.contains("--expires"), "{days}: {err}");
        assert!(!err.contains("panicked"), "{days}: {err}");
    }
}
