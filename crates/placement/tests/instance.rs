//! Bad instances are refused with every problem named by its field; the
//! documented example solves and prints the documented fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_placement::output::PlacementOutput;
use resettle_placement::{Instance, Options, solve};

const EXAMPLE: &str = r#"{"dimensions": ["persons", "largeDwellings", "schoolPlaces"],
 "municipalities": [{"id": "GM0363", "capacity": [40, 3, 12]}],
 "families": [{"id": "F1", "demand": [5, 1, 3]}],
 "scores": [{"family": "F1", "municipality": "GM0363", "score": 0.42}]}"#;

#[test]
fn the_example_is_placed_with_its_bound() {
    let inst: Instance = serde_json::from_str(EXAMPLE).unwrap();
    let p = inst.validate().unwrap();
    let s = solve(&p, &Options::for_problem(&p));
    let out = serde_json::to_value(PlacementOutput::new(&p, &s, None)).unwrap();
    assert_eq!(
        out["assignments"],
        serde_json::json!([{"family": "F1", "municipality": "GM0363", "score": 0.42}])
    );
    assert_eq!(out["objective"], 0.42);
    assert_eq!(out["unassigned"], serde_json::json!([]));
    assert!((out["upperBound"].as_f64().unwrap() - 0.42).abs() < 1e-3);
}

#[test]
fn room_is_kept_for_a_family_expected_later_and_only_this_batch_is_proposed() {
    // F1 would take GM0001 on its own; the family expected later gains far
    // more there, so F1 is proposed for GM0002 and GM0001's room is kept.
    let batch = r#"{"dimensions": ["persons"],
     "municipalities": [{"id": "GM0001", "capacity": [4]}, {"id": "GM0002", "capacity": [4]}],
     "families": [{"id": "F1", "demand": [4]}, {"id": "E1", "demand": [4], "expected": true}],
     "scores": [{"family": "F1", "municipality": "GM0001", "score": 0.6},
                {"family": "F1", "municipality": "GM0002", "score": 0.5},
                {"family": "E1", "municipality": "GM0001", "score": 0.9},
                {"family": "E1", "municipality": "GM0002", "score": 0.1}]}"#;
    let solved = |json: &str| {
        let p = serde_json::from_str::<Instance>(json)
            .unwrap()
            .validate()
            .unwrap();
        let s = solve(&p, &Options::for_problem(&p));
        serde_json::to_value(PlacementOutput::new(&p, &s, None)).unwrap()
    };
    let out = solved(batch);
    assert_eq!(
        out["assignments"],
        serde_json::json!([{"family": "F1", "municipality": "GM0002", "score": 0.5}])
    );
    assert_eq!(out["unassigned"], serde_json::json!([]));
    assert_eq!(out["batchScore"], 0.5);
    assert!((out["objective"].as_f64().unwrap() - 1.4).abs() < 1e-9);
    assert_eq!(
        out["reserved"],
        serde_json::json!([{"municipality": "GM0001", "families": 1, "room": [4.0]}])
    );
    // Without the expected family, the batch takes the best place, and the
    // output has neither a batch score nor reservations.
    let inst: Instance = serde_json::from_str(
        r#"{"dimensions": ["persons"],
         "municipalities": [{"id": "GM0001", "capacity": [4]}, {"id": "GM0002", "capacity": [4]}],
         "families": [{"id": "F1", "demand": [4]}],
         "scores": [{"family": "F1", "municipality": "GM0001", "score": 0.6},
                    {"family": "F1", "municipality": "GM0002", "score": 0.5}]}"#,
    )
    .unwrap();
    let p = inst.validate().unwrap();
    let s = solve(&p, &Options::for_problem(&p));
    let myopic = serde_json::to_value(PlacementOutput::new(&p, &s, None)).unwrap();
    assert_eq!(myopic["assignments"][0]["municipality"], "GM0001");
    assert!(myopic.get("batchScore").is_none() && myopic.get("reserved").is_none());
}

fn fields(json: &str) -> Vec<String> {
    let inst: Instance = serde_json::from_str(json).unwrap();
    inst.validate()
        .unwrap_err()
        .problems
        .into_iter()
        .map(|p| p.field)
        .collect()
}

#[test]
fn every_problem_is_named_by_its_field() {
    let bad = r#"{"dimensions": ["persons", "schoolPlaces"],
      "municipalities": [{"id": "GM1", "capacity": [10, -1]}, {"id": "GM1", "capacity": [3, 3]}],
      "families": [{"id": "F1", "demand": [2]}, {"id": "F2", "demand": [1, 0]}],
      "scores": [{"family": "F9", "municipality": "GM1", "score": 0.5},
                 {"family": "F2", "municipality": "GM7", "score": 0.5},
                 {"family": "F2", "municipality": "GM1", "score": 0.5},
                 {"family": "F2", "municipality": "GM1", "score": 0.6}]}"#;
    assert_eq!(
        fields(bad),
        [
            "municipalities[0].capacity[1]",
            "municipalities[1].id",
            "families[0].demand",
            "scores[0].family",
            "scores[1].municipality",
            "scores[3]",
        ]
    );
}

#[test]
fn an_absent_pair_is_never_proposed() {
    let json = r#"{"dimensions": ["persons"],
      "municipalities": [{"id": "A", "capacity": [10]}, {"id": "B", "capacity": [10]}],
      "families": [{"id": "F1", "demand": [3]}, {"id": "F2", "demand": [4]}],
      "scores": [{"family": "F1", "municipality": "B", "score": 0.1},
                 {"family": "F2", "municipality": "B", "score": 0.2}]}"#;
    let p = serde_json::from_str::<Instance>(json)
        .unwrap()
        .validate()
        .unwrap();
    let s = solve(&p, &Options::for_problem(&p));
    assert_eq!(s.assign, vec![Some(1), Some(1)]);
}
