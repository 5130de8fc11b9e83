//! Placement from live data: COA sees the proposal with its reasons, a change
//! that breaks a municipality's room is refused naming it, and confirming
//! records the housing assignments within every room; others may not plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::{Action, Role};
use resettle_placement::{Options, solve};
use resettle_store::Store;
use resettle_store::placement::{Municipality, PlacementStore};
use resettle_web::placement::{Plan, plan};
use support::App;
use time::OffsetDateTime;

/// The demo's caseload and municipalities with room for its waiting families.
async fn demo_with_municipalities(app: &App) -> Vec<Municipality> {
    app.import_demo().await;
    let today = OffsetDateTime::now_utc().date();
    let waiting = plan(app.store.as_ref(), None, today, false).await.unwrap();
    assert!(
        waiting.families.len() >= 10,
        "the demo has families waiting"
    );
    let mut need = [0u32; 3];
    for f in &waiting.families {
        (0..3).for_each(|k| need[k] += f.room[k]);
    }
    let list: Vec<Municipality> = resettle_demo::municipalities::municipalities(1, need)
        .into_iter()
        .map(|m| Municipality {
            code: m.code.into(),
            name: m.name.into(),
            partner: m.partner,
            room: m.room,
            features: m.features,
        })
        .collect();
    app.store.save_municipalities(&list).await.unwrap();
    list
}

/// The form's choice for every family on the page, as `assign` places it.
fn choices_for(plan: &Plan, assign: &[Option<usize>]) -> Vec<(String, String)> {
    plan.families
        .iter()
        .zip(assign)
        .filter(|(f, _)| !f.expected)
        .map(|(f, m)| {
            (
                format!("m-{}", f.case_number),
                m.map_or("-".into(), |m| plan.municipalities[m].code.clone()),
            )
        })
        .collect()
}

async fn confirm(app: &App, chosen: &[(String, String)]) -> (StatusCode, String) {
    let fields: Vec<(&str, &str)> = chosen
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    app.form(Role::CoaOfficer, "/placement/confirmations", &fields)
        .await
}

async fn check(app: &App) {
    let list = demo_with_municipalities(app).await;
    let today = OffsetDateTime::now_utc().date();

    // The page: one choice per family, the bound beside the objective.
    let (status, page) = app.page(Role::CoaOfficer, "/placement").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let current = plan(app.store.as_ref(), None, today, false).await.unwrap();
    for f in &current.families {
        assert!(
            page.contains(&format!("name=\"m-{}\"", f.case_number)),
            "{}",
            f.case_number
        );
    }
    assert!(
        page.contains("Bovengrens (LP-relaxatie)"),
        "Dutch by default"
    );
    let (status, _) = app.page(Role::MunicipalityOfficer, "/placement").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Everyone in the first municipality is refused, naming it.
    let first = &current.municipalities[0];
    let crowded: Vec<(String, String)> = current
        .families
        .iter()
        .map(|f| (format!("m-{}", f.case_number), first.code.clone()))
        .collect();
    let fields: Vec<(&str, &str)> = crowded
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (status, page) = app
        .form(Role::CoaOfficer, "/placement/review", &fields)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains(&format!("{} zou", first.name)), "{page}");
    let (status, _) = confirm(app, &crowded).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        app.store.housing_assignments().await.unwrap().is_empty(),
        "nothing half-written"
    );

    // Confirming first shows what will be recorded, and records nothing yet.
    let proposal = solve(&current.problem, &Options::for_problem(&current.problem));
    let chosen = choices_for(&current, &proposal.assign);
    let fields: Vec<(&str, &str)> = chosen
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (status, page) = app
        .form(Role::CoaOfficer, "/placement/confirm", &fields)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Plaatsing bevestigen"), "{page}");
    assert!(
        page.contains("action=\"/placement/confirmations\""),
        "{page}"
    );
    assert!(app.store.housing_assignments().await.unwrap().is_empty());

    // Recording it redirects to the page that says how many were recorded.
    let placed = proposal.assign.iter().filter(|m| m.is_some()).count();
    let (status, location) = app
        .form_redirect(Role::CoaOfficer, "/placement/confirmations", &fields)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("a redirect names where it goes");
    let (status, page) = app.page(Role::CoaOfficer, &location).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!("{placed} huisvestingsbesluiten vastgelegd")),
        "{location}: {page}"
    );
    let recorded = app.store.housing_assignments().await.unwrap();
    assert_eq!(recorded.len(), placed);
    for m in &list {
        for k in 0..3 {
            let used: u32 = recorded
                .iter()
                .filter(|a| a.municipality == m.code)
                .map(|a| a.room[k])
                .sum();
            assert!(
                used <= m.room[k],
                "{} over its room in dimension {k}",
                m.code
            );
        }
    }
    // The same form again: those families wait no longer.
    let (status, page) = confirm(app, &chosen).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("wacht niet meer op een gemeente"), "{page}");
    assert_eq!(app.store.housing_assignments().await.unwrap().len(), placed);

    // Each assignment is a transition of its case: a new version, the
    // municipality and the date in the history.
    for (f, m) in current.families.iter().zip(&proposal.assign) {
        let Some(m) = m else { continue };
        let name = &current.municipalities[*m].name;
        let case = app.store.case(f.case_id).await.unwrap().unwrap();
        assert_eq!(case.assigned_municipality.as_deref(), Some(name.as_str()));
        let last = app.store.history(f.case_id).await.unwrap().pop().unwrap();
        assert_eq!(
            last.action,
            Action::AssignHousing {
                municipality: name.clone()
            }
        );
        assert_eq!((last.occurred_on, last.to), (today, case.state));
        assert_eq!(case.version, last.previous_version + 1);
    }
    // The municipality sees the family assigned to it at once, on its list
    // and on the case page, with the assignment in the history.
    let officer = support::organisation(Role::MunicipalityOfficer).unwrap();
    let (f, _) = current
        .families
        .iter()
        .zip(&proposal.assign)
        .find(|(_, m)| m.is_some_and(|m| current.municipalities[m].name == officer))
        .expect("the proposal houses a family in the officer's municipality");
    let (status, page) = app
        .page(Role::MunicipalityOfficer, &format!("/cases/{}", f.case_id))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Toegewezen aan gemeente"), "{page}");
    assert!(page.contains("Aan gemeente toewijzen"), "{page}");
    let (_, list) = app.page(Role::MunicipalityOfficer, "/cases").await;
    assert!(list.contains(f.case_number.as_str()), "{list}");

    // COA undoes it before the family is housed: the municipality no longer
    // sees it, its room is free again and the family waits again.
    let version = app.store.case(f.case_id).await.unwrap().unwrap().version;
    let (status, page) = app
        .form(
            Role::CoaOfficer,
            &format!("/cases/{}/transitions", f.case_id),
            &[
                ("action", "cancel-housing-assignment"),
                ("expectedVersion", &version.to_string()),
                ("reason", "the dwelling fell through"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _) = app
        .page(Role::MunicipalityOfficer, &format!("/cases/{}", f.case_id))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.housing_assignments().await.unwrap().len(),
        placed - 1
    );
    let again = plan(app.store.as_ref(), None, today, false).await.unwrap();
    assert!(again.families.iter().any(|w| w.case_id == f.case_id));
}

#[tokio::test]
async fn coa_proposes_adjusts_and_confirms_placements_on_every_backend() {
    let app = App::sqlite().await;
    check(&app).await;
    app.finish().await;
    if let Some(app) = App::postgres().await {
        check(&app).await;
        app.finish().await;
    }
}

#[tokio::test]
async fn with_room_kept_only_arrived_families_are_proposed_and_confirmed() {
    let app = App::sqlite().await;
    demo_with_municipalities(&app).await;
    let today = OffsetDateTime::now_utc().date();
    let kept = plan(app.store.as_ref(), None, today, true).await.unwrap();
    let (later, now): (Vec<_>, Vec<_>) = kept.families.iter().partition(|f| f.expected);
    assert!(
        !later.is_empty() && !now.is_empty(),
        "the demo has families on their way and arrived ones"
    );
    let (status, page) = app.page(Role::CoaOfficer, "/placement?keep=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("nog onderweg zijn worden alleen geplaatst"),
        "{page}"
    );
    for f in &kept.families {
        assert_eq!(
            page.contains(&format!("name=\"m-{}\"", f.case_number)),
            !f.expected,
            "{}",
            f.case_number
        );
    }
    // Confirming the arrived families' proposal records only theirs.
    let proposal = solve(&kept.problem, &Options::for_problem(&kept.problem));
    let mut chosen = choices_for(&kept, &proposal.assign);
    chosen.push(("keep".into(), "1".into()));
    let (status, page) = confirm(&app, &chosen).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let recorded = app.store.housing_assignments().await.unwrap();
    let placed_now = kept
        .families
        .iter()
        .zip(&proposal.assign)
        .filter(|(f, m)| !f.expected && m.is_some())
        .count();
    assert_eq!(recorded.len(), placed_now);
    for a in &recorded {
        assert!(
            now.iter().any(|f| f.case_id == a.case_id),
            "only arrived families are housed now"
        );
    }
    app.finish().await;
}
