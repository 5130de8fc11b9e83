//! `resettle place` needs no database: it reads an instance file and prints
//! the placement as JSON, or names every bad field and exits with 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn place(instance: &str, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("instance.json");
    std::fs::write(&path, instance).unwrap();
    Command::new(env!("CARGO_BIN_EXE_resettle"))
        .args(["place", "--instance", path.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn prints_the_placement_with_its_bound() {
    let out = place(
        r#"{"dimensions": ["persons", "largeDwellings", "schoolPlaces"],
            "municipalities": [{"id": "GM0363", "capacity": [40, 3, 12]}, {"id": "GM0344", "capacity": [5, 0, 2]}],
            "families": [{"id": "F1", "demand": [5, 1, 3]}, {"id": "F2", "demand": [2, 0, 1]}],
            "scores": [{"family": "F1", "municipality": "GM0363", "score": 0.42},
                       {"family": "F2", "municipality": "GM0363", "score": 0.2},
                       {"family": "F2", "municipality": "GM0344", "score": 0.3}]}"#,
        &["--format", "json", "--explain"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["assignments"],
        serde_json::json!([
            {"family": "F1", "municipality": "GM0363", "score": 0.42},
            {"family": "F2", "municipality": "GM0344", "score": 0.3}
        ])
    );
    assert!((json["objective"].as_f64().unwrap() - 0.72).abs() < 1e-12);
    assert!(json["upperBound"].as_f64().unwrap() >= 0.72 - 1e-12);
    assert_eq!(json["unassigned"], serde_json::json!([]));
    assert_eq!(
        json["explanations"][1]["nextBest"]["municipality"],
        "GM0363"
    );
}

#[test]
fn a_bad_instance_names_its_fields() {
    let out = place(
        r#"{"dimensions": ["persons"],
            "municipalities": [{"id": "GM0363", "capacity": [-4]}],
            "families": [{"id": "F1", "demand": [5, 1]}],
            "scores": [{"family": "F1", "municipality": "GM9999", "score": 0.42}]}"#,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for field in [
        "municipalities[0].capacity[0]",
        "families[0].demand",
        "scores[0].municipality",
    ] {
        assert!(err.contains(field), "{err}");
    }
    assert!(out.stdout.is_empty());
}
