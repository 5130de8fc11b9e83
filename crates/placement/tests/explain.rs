//! Explanations name the binding capacity and the next-best municipality;
//! the model's parts add up to its score; CSV scores are checked line by line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_placement::explain::{WhyNot, explain};
use resettle_placement::model::{
    CONSTANT, Features, MODEL_FORMAT, ModelError, ScoreModel, Term, logistic, scores_from_csv,
};
use resettle_placement::{Instance, Options, solve};

#[test]
fn a_full_favourite_is_explained_by_its_room() {
    // Both families prefer A, which has room for one of them only.
    let json = r#"{"dimensions": ["persons", "largeDwellings"],
      "municipalities": [{"id": "A", "capacity": [5, 1]}, {"id": "B", "capacity": [10, 2]}],
      "families": [{"id": "F1", "demand": [5, 1]}, {"id": "F2", "demand": [5, 1]}],
      "scores": [{"family": "F1", "municipality": "A", "score": 0.9},
                 {"family": "F1", "municipality": "B", "score": 0.2},
                 {"family": "F2", "municipality": "A", "score": 0.6},
                 {"family": "F2", "municipality": "B", "score": 0.5}]}"#;
    let p = serde_json::from_str::<Instance>(json)
        .unwrap()
        .validate()
        .unwrap();
    let s = solve(&p, &Options::for_problem(&p));
    assert_eq!(s.assign, vec![Some(0), Some(1)]);
    let e = explain(&p, &s.assign, &|_, _| Vec::new());
    assert_eq!(e[0].rank, Some(1));
    assert_eq!(e[0].full_dimensions, ["persons", "largeDwellings"]);
    let alt = e[0].next_best.as_ref().unwrap();
    assert_eq!(
        (alt.municipality.as_str(), alt.why_not.clone()),
        ("B", WhyNot::LowerScore)
    );
    assert!((alt.difference + 0.7).abs() < 1e-12);
    assert_eq!(e[1].rank, Some(2));
    let alt = e[1].next_best.as_ref().unwrap();
    assert_eq!(alt.municipality, "A");
    assert!((alt.difference - 0.1).abs() < 1e-12);
    assert_eq!(
        alt.why_not,
        WhyNot::NoRoom {
            dimensions: vec!["persons".into(), "largeDwellings".into()]
        }
    );
}

fn model() -> ScoreModel {
    ScoreModel {
        format: MODEL_FORMAT.into(),
        intercept: -1.0,
        terms: vec![
            Term {
                name: "adults × jobs".into(),
                family_feature: "adults".into(),
                municipality_feature: "jobs".into(),
                coefficient: 0.5,
            },
            Term {
                name: "partner municipality".into(),
                family_feature: CONSTANT.into(),
                municipality_feature: "partner".into(),
                coefficient: 0.3,
            },
        ],
    }
}

#[test]
fn model_parts_add_up_to_the_score() {
    let family: Features = [("adults".to_string(), 2.0)].into();
    let place: Features = [("jobs".to_string(), 1.5), ("partner".to_string(), 1.0)].into();
    let m = model();
    m.validate().unwrap();
    let parts = m.parts(("F1", &family), ("GM1", &place)).unwrap();
    let values: Vec<f64> = parts.iter().map(|p| p.value).collect();
    assert_eq!(values, [-1.0, 1.5, 0.3]);
    assert!((m.score(("F1", &family), ("GM1", &place)).unwrap() - logistic(0.8)).abs() < 1e-12);
    let err = m
        .score(("F1", &Features::new()), ("GM1", &place))
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::MissingFeature {
            owner: "F1".into(),
            feature: "adults".into(),
            term: "adults × jobs".into()
        }
    );
    let mut wrong = model();
    wrong.format = "other/1".into();
    assert!(matches!(wrong.validate(), Err(ModelError::Format(_))));
}

#[test]
fn csv_scores_are_checked_line_by_line() {
    let ok =
        scores_from_csv("family,municipality,score\nF1,GM0363,0.42\n\nF2,GM0344,0.1\n").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].municipality, "GM0363");
    let bad = scores_from_csv("family,municipality,score\nF1,GM0363\nF2,GM1,high\n").unwrap_err();
    let fields: Vec<&str> = bad.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["line 2", "line 3, score"]);
    assert!(scores_from_csv("a,b,c\n").is_err());
}
