//! The pages each organisation works from: its worklist as home page, the
//! municipality's incoming families, decisions with their grounds and
//! motivation, and forms that list every mistake and keep what was typed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use reqwest::StatusCode;
use resettle_domain::{Action, Case, CaseId, CaseState, Consent, Context, NewCase, Role, sample};
use resettle_store::Store;
use support::App;
use time::{Duration, OffsetDateTime};

fn ctx(on: time::Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: OffsetDateTime::now_utc(),
        actor: "test".into(),
        reason: Some("test".into()),
    }
}

/// A case of `size` persons brought to `state` a year ago, submitted by the
/// test UNHCR office.
fn case_in(number: &str, size: usize, state: CaseState) -> NewCase {
    let on = OffsetDateTime::now_utc().date() - Duration::days(365);
    let s = sample::submission(number, size, on).unwrap();
    let mut c = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
    c.case.submitted_by = support::organisation(Role::UnhcrLiaison).map(str::to_string);
    for (i, kind) in sample::path_to(state).into_iter().enumerate() {
        let d = on + Duration::days(i as i64 + 1);
        c.apply(sample::action(kind, d), &ctx(d)).unwrap();
    }
    c
}

async fn store_cases(app: &App, cases: &[NewCase]) {
    app.store.import_cases(cases, &|_| {}).await.unwrap();
}

/// Assigns `id` to `municipality` as a confirmed placement does.
async fn assign(app: &App, id: CaseId, municipality: &str) {
    let case = app.store.case(id).await.unwrap().unwrap();
    let now = OffsetDateTime::now_utc();
    resettle_store::workflow::take_action(
        app.store.as_ref(),
        id,
        case.version,
        Action::AssignHousing {
            municipality: municipality.into(),
        },
        &Context {
            occurred_on: now.date(),
            recorded_at: now,
            actor: "t-coa-officer".into(),
            reason: None,
        },
        None,
    )
    .await
    .unwrap();
}

/// Items of the error summary on a page.
fn summary_items(page: &str) -> usize {
    let Some(start) = page.find("error-summary") else {
        return 0;
    };
    let end = page[start..].find("</ul>").map_or(page.len(), |e| start + e);
    page[start..end].matches("<li>").count()
}

#[tokio::test]
async fn the_municipality_sees_its_incoming_families_and_its_name_in_the_header() {
    let app = App::sqlite().await;
    let town = support::organisation(Role::MunicipalityOfficer).unwrap();
    let coming = case_in("LBN-25C00201", 4, CaseState::PreDeparture);
    let elsewhere = case_in("LBN-25C00202", 2, CaseState::Accepted);
    let mut housed = case_in("LBN-25C00203", 3, CaseState::Housed);
    // Housed by the sample path in Utrecht; re-housed here.
    let on = housed.case.last_event_on;
    housed
        .apply(
            Action::House {
                housing: resettle_domain::Housing::Municipality {
                    municipality: town.into(),
                },
            },
            &ctx(on),
        )
        .unwrap();
    store_cases(&app, &[coming.clone(), elsewhere.clone(), housed.clone()]).await;
    assign(&app, coming.case.id, town).await;
    assign(&app, elsewhere.case.id, "Utrecht").await;
    // The family consented to share its needs with this municipality.
    app.store
        .add_consent(
            coming.case.id,
            &Consent {
                recipient: Some(town.into()),
                given_on: OffsetDateTime::now_utc().date(),
                override_reason: None,
                recorded_by: "t-coa-officer".into(),
            },
        )
        .await
        .unwrap();

    let (status, page) = app.page(Role::MunicipalityOfficer, "/").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("Gezinnen voor {town}")), "{page}");
    assert!(page.contains(&format!(", {town})")), "the header names it: {page}");
    let incoming = &page[page.find("Komende gezinnen").unwrap()..page.find("Gehuisveste gezinnen").unwrap()];
    assert!(incoming.contains("LBN-25C00201"), "{incoming}");
    assert!(incoming.contains("4 personen (leeftijden"), "{incoming}");
    assert!(!page.contains("LBN-25C00202"), "assigned elsewhere: {page}");
    let housed_part = &page[page.find("Gehuisveste gezinnen").unwrap()..];
    assert!(housed_part.contains("LBN-25C00203"), "{housed_part}");
    app.finish().await;
}

#[tokio::test]
async fn every_role_lands_on_its_worklist() {
    let app = App::sqlite().await;
    store_cases(
        &app,
        &[
            case_in("LBN-25C00301", 2, CaseState::Submitted),
            case_in("LBN-25C00302", 2, CaseState::UnderAssessment),
            case_in("LBN-25C00303", 3, CaseState::Accepted),
            case_in("LBN-25C00304", 1, CaseState::Arrived),
        ],
    )
    .await;
    let expect: &[(Role, &[&str])] = &[
        (Role::IndOfficer, &["Werkvoorraad IND", "Te beoordelen (1)", "LBN-25C00301", "Besluit nodig (1)", "LBN-25C00302", "Termijnen in gevaar"]),
        (Role::CoaOfficer, &["Werkvoorraad COA", "Wachten op culturele oriëntatie (1)", "LBN-25C00303", "Aangekomen: te huisvesten (1)", "LBN-25C00304", "href=\"/placement\""]),
        (Role::UnhcrLiaison, &["Voordrachten van UNHCR", "Open verzoeken om voordrachten", "Uw voordrachten per status", "href=\"/submissions\""]),
        (Role::IntegrationOrganisation, &["Te begeleiden gezinnen"]),
        (Role::PolicyAnalyst, &["Rapportages en prognose", "href=\"/forecast\""]),
        (Role::Administrator, &["Beheer", "href=\"/admin/users\"", "href=\"/admin/audit\""]),
    ];
    for (role, texts) in expect {
        let (status, page) = app.page(*role, "/").await;
        assert_eq!(status, StatusCode::OK, "{role}: {page}");
        for text in *texts {
            assert!(page.contains(text), "{role} home lacks {text}: {page}");
        }
    }
    // Each line links to the case and the action it waits for.
    let (_, page) = app.page(Role::IndOfficer, "/").await;
    assert!(page.contains("#actions-title\">Beoordeling starten"), "{page}");
    app.finish().await;
}

#[tokio::test]
async fn a_rejection_needs_its_motivation_and_shows_its_grounds() {
    let app = App::sqlite().await;
    let c = case_in("LBN-25C00401", 2, CaseState::UnderAssessment);
    store_cases(&app, std::slice::from_ref(&c)).await;
    let path = format!("/cases/{}/transitions", c.case.id);
    let version = c.case.version.to_string();
    let (status, page) = app
        .form(
            Role::IndOfficer,
            &path,
            &[
                ("action", "reject"),
                ("expectedVersion", &version),
                ("grounds", "other"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("een afwijzing vraagt een motivering"), "{page}");
    assert_eq!(
        app.store.case(c.case.id).await.unwrap().unwrap().state,
        CaseState::UnderAssessment
    );
    let motivation = "identity could not be established from the documents";
    let (status, page) = app
        .form(
            Role::IndOfficer,
            &path,
            &[
                ("action", "reject"),
                ("expectedVersion", &version),
                ("grounds", "other"),
                ("grounds", "entry-ban"),
                ("reason", motivation),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = app
        .page(Role::IndOfficer, &format!("/cases/{}", c.case.id))
        .await;
    assert!(page.contains("Gronden voor afwijzing"), "{page}");
    assert!(page.contains("Anders"), "{page}");
    assert!(page.contains(motivation), "{page}");
    app.finish().await;
}

#[tokio::test]
async fn a_refused_form_lists_every_mistake_and_keeps_what_was_typed() {
    let app = App::sqlite().await;
    let c = case_in("LBN-25C00501", 2, CaseState::Accepted);
    store_cases(&app, std::slice::from_ref(&c)).await;
    let future = (OffsetDateTime::now_utc().date() + Duration::days(30)).to_string();
    let (status, page) = app
        .form(
            Role::CoaOfficer,
            &format!("/cases/{}/transitions", c.case.id),
            &[
                ("action", "withdraw"),
                ("expectedVersion", &c.case.version.to_string()),
                ("occurredOn", &future),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(summary_items(&page), 2, "the date and the reason: {page}");
    assert!(page.contains("een intrekking vraagt een reden"), "{page}");
    assert!(page.contains(&format!("value=\"{future}\"")), "the date is kept: {page}");
    assert!(
        page.contains("Beoordeling en voorbereiding"),
        "the page is otherwise unchanged: {page}"
    );
    // A typed reason is kept too.
    let (_, page) = app
        .form(
            Role::CoaOfficer,
            &format!("/cases/{}/transitions", c.case.id),
            &[
                ("action", "withdraw"),
                ("expectedVersion", &c.case.version.to_string()),
                ("occurredOn", &future),
                ("reason", "the family withdrew"),
            ],
        )
        .await;
    assert!(page.contains("value=\"the family withdrew\""), "{page}");
    app.finish().await;
}
