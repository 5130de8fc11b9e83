//! The data key has an identity: a server started without its key, or with
//! another one, stops with an error naming the key's fingerprint, and never
//! makes a new key over existing data. On SQLite and, when
//! RESETTLE_TEST_POSTGRES_URL is set, PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_store::testing::{ScratchPostgres, postgres_url};
use std::path::Path;
use std::process::{Command, Output};

fn resettle(database: &str, key_file: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resettle"))
        .args(args)
        .args(["--database", database])
        .arg("--data-key-file")
        .arg(key_file)
        .env_remove("RESETTLE_DATA_KEY")
        .env_remove("RESETTLE_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn story(database: &str) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("data.key");
    // The first use makes a key (no data yet) and records it.
    let out = resettle(
        database,
        &key,
        &[
            "users",
            "add",
            "root-admin",
            "--role",
            "administrator",
            "--display-name",
            "Root",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let spec = std::fs::read_to_string(&key).unwrap();
    let out = resettle(database, &key, &["keys", "show"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    let recorded = shown
        .lines()
        .find(|l| l.starts_with("recorded"))
        .unwrap_or_else(|| panic!("{shown}"));
    let fingerprint = recorded.rsplit(' ').next().unwrap().to_string();
    assert_eq!(fingerprint.len(), 32, "{shown}");

    // The key file is gone (another working directory, a lost volume).
    std::fs::remove_file(&key).unwrap();
    for args in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["users", "list"],
    ] {
        let out = resettle(database, &key, args);
        assert!(
            !out.status.success(),
            "{args:?} must refuse: {}",
            text(&out)
        );
        let said = text(&out);
        assert!(said.contains(&fingerprint), "{said}");
        assert!(said.contains("does not exist"), "{said}");
        assert!(!key.exists(), "no new key was made over existing data");
    }

    // Another key in its place.
    let label = spec.split_once(':').unwrap().0;
    let other = format!("{label}:{}", "A".repeat(43) + "=");
    std::fs::write(&key, &other).unwrap();
    let out = resettle(database, &key, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains(&format!("fingerprint {fingerprint}")),
        "{said}"
    );

    // The right key again: everything as before.
    std::fs::write(&key, &spec).unwrap();
    let out = resettle(database, &key, &["users", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("root-admin"));
}

#[test]
fn a_missing_or_different_key_stops_the_start_and_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    story(&format!("sqlite:{}", dir.path().join("r.db").display()));
    if let Some(admin) = postgres_url().unwrap() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let scratch = rt.block_on(ScratchPostgres::create(&admin)).unwrap();
        story(&scratch.url);
        rt.block_on(scratch.drop_database()).unwrap();
    }
}
