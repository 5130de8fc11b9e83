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
    let end = page[start..]
        .find("</ul>")
        .map_or(page.len(), |e| start + e);
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
    assert!(
        page.contains(&format!(", {town})")),
        "the header names it: {page}"
    );
    let incoming =
        &page[page.find("Komende gezinnen").unwrap()..page.find("Gehuisveste gezinnen").unwrap()];
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
        (
            Role::IndOfficer,
            &[
                "Werkvoorraad IND",
                "Te beoordelen (1)",
                "LBN-25C00301",
                "Besluit nodig (1)",
                "LBN-25C00302",
                "Termijnen in gevaar",
            ],
        ),
        (
            Role::CoaOfficer,
            &[
                "Werkvoorraad COA",
                "Wachten op culturele oriëntatie (1)",
                "LBN-25C00303",
                "Aangekomen: te huisvesten (1)",
                "LBN-25C00304",
                "href=\"/placement\"",
            ],
        ),
        (
            Role::UnhcrLiaison,
            &[
                "Voordrachten van UNHCR",
                "Open verzoeken om voordrachten",
                "Uw voordrachten per status",
                "href=\"/submissions\"",
            ],
        ),
        (Role::IntegrationOrganisation, &["Te begeleiden gezinnen"]),
        (
            Role::PolicyAnalyst,
            &["Rapportages en prognose", "href=\"/forecast\""],
        ),
        (
            Role::Administrator,
            &["Beheer", "href=\"/admin/users\"", "href=\"/admin/audit\""],
        ),
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
    assert!(
        page.contains("#actions-title\">Beoordeling starten"),
        "{page}"
    );
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
    assert!(
        page.contains("een afwijzing vraagt een motivering"),
        "{page}"
    );
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

/// COA's withdrawal form for `c`, dated `on`, with `reason`.
async fn withdraw(app: &App, c: &NewCase, on: &str, reason: &str) -> (StatusCode, String) {
    app.form(
        Role::CoaOfficer,
        &format!("/cases/{}/transitions", c.case.id),
        &[
            ("action", "withdraw"),
            ("expectedVersion", &c.case.version.to_string()),
            ("occurredOn", on),
            ("reason", reason),
        ],
    )
    .await
}

#[tokio::test]
async fn a_refused_form_lists_every_mistake_and_keeps_what_was_typed() {
    let app = App::sqlite().await;
    let c = case_in("LBN-25C00501", 2, CaseState::Accepted);
    store_cases(&app, std::slice::from_ref(&c)).await;
    let future = (OffsetDateTime::now_utc().date() + Duration::days(30)).to_string();
    let (status, page) = withdraw(&app, &c, &future, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(summary_items(&page), 2, "the date and the reason: {page}");
    assert!(page.contains("een intrekking vraagt een reden"), "{page}");
    assert!(
        page.contains(&format!("value=\"{future}\"")),
        "the date is kept: {page}"
    );
    assert!(
        page.contains("Beoordeling en voorbereiding"),
        "the page is otherwise unchanged: {page}"
    );
    // A typed reason is kept too.
    let (_, page) = withdraw(&app, &c, &future, "the family withdrew").await;
    assert!(page.contains("value=\"the family withdrew\""), "{page}");
    app.finish().await;
}

/// Posts `file` as the upload form's file field (multipart, as a browser sends it).
async fn upload(app: &App, file: &str) -> (StatusCode, String) {
    let s = &app.sessions[&Role::UnhcrLiaison];
    let boundary = "----resettle-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cases.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n",
        s.csrf
    );
    let r = app
        .client
        .post(app.url("/submissions/preview"))
        .header("cookie", format!("resettle_session={}", s.cookie))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn unhcr_submits_in_the_browser_and_sees_the_requests_addressed_to_it() {
    let app = App::sqlite().await;
    let (_, home) = app.page(Role::UnhcrLiaison, "/").await;
    assert!(home.contains("href=\"/submissions\""), "{home}");
    assert!(home.contains("href=\"/submission-requests\""), "{home}");
    let (status, page) = app.page(Role::UnhcrLiaison, "/submission-requests").await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // A file with problems: every one listed by record and field, nothing stored.
    let example: serde_json::Value = serde_json::from_str(support::EXAMPLE).unwrap();
    let records = example["submissions"].as_array().unwrap();
    let mut broken = records[2].clone();
    broken["caseNumber"] = serde_json::Value::Null;
    broken["members"][0]["dateOfBirth"] = "2090-01-01".into();
    let with_milestones = records[1].clone();
    let file = serde_json::json!({"format": "resettle-submissions/1", "submissions": [broken, with_milestones]});
    let (status, page) = upload(&app, &file.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    for field in ["caseNumber", "members[0].dateOfBirth", "milestones"] {
        assert!(
            page.contains(&format!("<code>{field}</code>")),
            "{field}: {page}"
        );
    }
    assert!(page.contains("Er is niets opgeslagen"), "{page}");
    assert_eq!(app.store.count_cases().await.unwrap(), 0);

    // A good file: a preview of what will be stored, then the import.
    let mut good = records[2].clone();
    good.as_object_mut()
        .unwrap()
        .remove("familyReunificationOf");
    good["primaryCategory"] = "legal-physical-protection".into();
    good["track"] = "selection-mission".into();
    let file = serde_json::json!({"format": "resettle-submissions/1", "submissions": [good]});
    let (status, page) = upload(&app, &file.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("EGY-25C00007"), "{page}");
    assert_eq!(app.store.count_cases().await.unwrap(), 0, "not yet stored");
    let (status, location) = app
        .form_redirect(
            Role::UnhcrLiaison,
            "/submissions/import",
            &[("file", &file.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/submissions?imported=1"));
    let number = resettle_domain::CaseNumber::parse("EGY-25C00007").unwrap();
    let case = app.store.case_by_number(&number).await.unwrap().unwrap();
    assert_eq!(case.state, CaseState::Submitted);
    assert_eq!(
        case.submitted_by.as_deref(),
        support::organisation(Role::UnhcrLiaison)
    );

    // One case by hand: every problem listed, what was typed kept; then stored.
    let mut fields = vec![
        ("caseNumber", "LBN-26C00011"),
        ("unhcrReference", "RRF-LBN-2026-0011"),
        ("hostCountry", "LBN"),
        ("submissionPriority", "normal"),
        ("primaryCategory", "legal-physical-protection"),
        ("programme", "national-quota"),
        ("track", "selection-mission"),
        ("submittedOn", "2099-01-01"),
        ("members[0].givenName", "Hana"),
        ("members[0].familyName", "Example"),
        ("members[0].sex", "female"),
        ("members[0].nationality", "SYR"),
    ];
    let (status, page) = app
        .form(Role::UnhcrLiaison, "/submissions/case", &fields)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        summary_items(&page) >= 2,
        "the date of submission and of birth: {page}"
    );
    assert!(page.contains("value=\"Hana\""), "{page}");
    fields[7] = ("submittedOn", "2026-01-05");
    fields.push(("members[0].dateOfBirth", "1990-03-04"));
    let (status, page) = app
        .form(Role::UnhcrLiaison, "/submissions/case", &fields)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let number = resettle_domain::CaseNumber::parse("LBN-26C00011").unwrap();
    let case = app.store.case_by_number(&number).await.unwrap().unwrap();
    assert_eq!(case.state, CaseState::Submitted);
    app.finish().await;
}

#[tokio::test]
async fn the_norms_page_counts_cases_and_names_its_columns_apart() {
    let app = App::sqlite().await;
    // Selected and submitted a year ago: both norms are past for this case.
    store_cases(&app, &[case_in("LBN-25C00601", 2, CaseState::Accepted)]).await;
    let (status, page) = app.page(Role::IndOfficer, "/norms").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 zaken gevonden (2 termijnen)"), "{page}");
    assert!(page.contains("Stand van de termijn"), "{page}");
    app.finish().await;
}

#[tokio::test]
async fn the_placement_page_calls_out_families_that_fit_nowhere_and_shows_clean_figures() {
    use resettle_store::placement::PlacementStore;
    let app = App::sqlite().await;
    let big = case_in("LBN-25C00701", 6, CaseState::Arrived);
    let small = case_in("LBN-25C00702", 2, CaseState::Arrived);
    store_cases(&app, &[big.clone(), small.clone()]).await;
    app.store
        .save_municipalities(&[tilburg([3, 1, 2])])
        .await
        .unwrap();
    let (status, page) = app.page(Role::CoaOfficer, "/placement").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("1 gezinnen passen in geen enkele gemeente"),
        "{page}"
    );
    assert!(
        page.contains("class=\"why\""),
        "the reasons column wraps: {page}"
    );
    let (status, _) = app
        .form_redirect(
            Role::CoaOfficer,
            "/placement/confirmations",
            &[("m-LBN-25C00701", "-"), ("m-LBN-25C00702", "GM0855")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.page(Role::CoaOfficer, "/placement").await;
    assert!(!page.contains("-0.000"), "{page}");
    assert!(!page.contains("100.00%"), "{page}");
    assert!(page.contains("LBN-25C00701"), "{page}");
    app.finish().await;
}

/// Tilburg, as the demo describes it, with `room`.
fn tilburg(room: [u32; 3]) -> resettle_store::placement::Municipality {
    let m = resettle_demo::municipalities::municipalities(1, [100, 10, 40])
        .into_iter()
        .find(|m| m.name == "Tilburg")
        .unwrap();
    resettle_store::placement::Municipality {
        code: m.code.into(),
        name: m.name.into(),
        partner: m.partner,
        room,
        features: m.features,
    }
}

#[tokio::test]
async fn a_scenario_is_shown_beside_the_baseline_and_says_why_it_changes_nothing() {
    let app = App::sqlite().await;
    app.load_letter_policy().await;
    let (status, page) = app
        .page(Role::PolicyAnalyst, "/forecast?cancel=ETH&runs=20")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Scenario naast de basis"), "{page}");
    assert!(
        page.contains("Annuleren verandert niets voor ETH"),
        "{page}"
    );
    assert!(page.contains("Startgetal"), "{page}");
    assert!(!page.contains("Seed"), "{page}");
    app.finish().await;
}

#[tokio::test]
async fn the_audit_page_pages_offers_its_filters_as_choices_and_names_cases_by_number() {
    use resettle_store::{AuditLog, NewAuditEntry};
    let app = App::sqlite().await;
    let c = case_in("LBN-25C00801", 2, CaseState::Submitted);
    store_cases(&app, std::slice::from_ref(&c)).await;
    let entries: Vec<NewAuditEntry> = (0..60)
        .map(|_| NewAuditEntry {
            at: OffsetDateTime::now_utc(),
            actor: "t-ind-officer".into(),
            action: "read-case".into(),
            object: format!("case {}", c.case.id),
            result: resettle_domain::audit::AuditResult::Ok,
            origin: "test".into(),
        })
        .collect();
    app.store.append_audit_batch(&entries).await.unwrap();
    let (status, page) = app
        .page(Role::Administrator, "/admin/audit?actor=t-ind-officer")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("zaak LBN-25C00801"), "{page}");
    assert!(
        !page.contains(&c.case.id.to_string()),
        "no internal ids: {page}"
    );
    assert!(page.contains("<select id=\"audit-result\""), "{page}");
    assert!(page.contains("<select id=\"audit-action\""), "{page}");
    assert!(
        page.contains("href=\"/admin/audit?page=2&amp;actor=t-ind-officer\""),
        "the next page keeps the filters: {page}"
    );
    let (_, second) = app
        .page(
            Role::Administrator,
            "/admin/audit?page=2&actor=t-ind-officer",
        )
        .await;
    assert!(second.contains("Pagina 2 van 2"), "{second}");
    app.finish().await;
}

/// The section of `page` under the heading with id `id`, up to its end.
fn section_after<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let start = page.find(&format!("id=\"{id}\""))?;
    let end = page[start..]
        .find("</section>")
        .map_or(page.len(), |e| start + e);
    Some(&page[start..end])
}

#[tokio::test]
async fn a_mission_shows_next_steps_only_when_there_are_any() {
    use resettle_domain::audit::AuditResult;
    use resettle_domain::mission::{MissionChange, MissionKind, Modality, NewMission};
    use resettle_store::{NewAuditEntry, Operations};
    let app = App::sqlite().await;
    let entry = |action: &str| NewAuditEntry {
        at: OffsetDateTime::now_utc(),
        actor: "test".into(),
        action: action.into(),
        object: "mission".into(),
        result: AuditResult::Ok,
        origin: "test".into(),
    };
    let today = OffsetDateTime::now_utc().date();
    let mission = |name: &str| {
        NewMission {
            kind: MissionKind::Selection,
            programme: resettle_domain::Programme::NationalQuota,
            name: name.into(),
            host_country: Some("LBN".into()),
            populations: vec!["SYR".into()],
            starts_on: today - Duration::days(60),
            ends_on: today - Duration::days(49),
            team: vec!["IND".into()],
            places: 20,
            modality: Modality::InPerson,
            remote_case_kinds: vec![],
        }
        .validate(resettle_domain::MissionId::generate())
        .unwrap()
    };
    let (open, mut closed) = (mission("Beirut open"), mission("Beirut closed"));
    app.store
        .create_mission(&open, &entry("create-mission"))
        .await
        .unwrap();
    app.store
        .create_mission(&closed, &entry("create-mission"))
        .await
        .unwrap();
    for change in [
        MissionChange::Confirm,
        MissionChange::Hold,
        MissionChange::Close,
    ] {
        let expected = closed.version;
        closed.apply(&change).unwrap();
        app.store
            .save_mission_change(&closed, expected, &change, &entry("change-mission"))
            .await
            .unwrap();
    }
    for role in [Role::CoaOfficer, Role::IndOfficer] {
        let (status, page) = app.page(role, &format!("/missions/{}", open.id)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let steps = section_after(&page, "mission-actions-title")
            .unwrap_or_else(|| panic!("next steps: {page}"));
        assert!(steps.contains("Volgende stappen"), "{steps}");
        assert!(steps.contains("<form"), "a step to take: {steps}");

        let (status, page) = app.page(role, &format!("/missions/{}", closed.id)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            !page.contains("Volgende stappen"),
            "a closed mission has no next step, so no heading: {page}"
        );
    }
    app.finish().await;
}
