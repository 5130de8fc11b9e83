//! Submitting cases in the browser (UNHCR): upload a file in the documented
//! import format (`resettle-submissions/1`) and see every problem, by record
//! and field, before anything is stored; or enter one case by hand. Both go
//! through the import's own validation, and both create submitted cases
//! only: what happens to a case later is recorded by the IND and COA.

use super::i18n::T;
use super::layout::{error_summary, field_error, page};
use crate::auth::{Importer, Principal, audit};
use crate::state::AppState;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use resettle_domain::audit::AuditResult;
use resettle_domain::import::{
    FORMAT, ImportFile, ImportProblem, RawMember, RawSubmission, validate_file,
};
use resettle_domain::{
    Context, NewCase, Programme, Relationship, Role, Sex, SubmissionCategory, SubmissionPriority,
    Track,
};
use resettle_store::StoreError;
use serde::Deserialize;

/// Extra family members the one-case form offers besides the principal applicant.
const MORE_MEMBERS: usize = 5;

const PATH: &str = "/submissions";

/// The page: upload, and the one-case form (with what was typed and its problems).
fn form_page(
    t: T,
    p: &Principal,
    problems: &[ImportProblem],
    typed: &[(String, String)],
    imported: Option<usize>,
) -> Markup {
    let value = |name: &str| {
        typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    // The one-case form's problems at its fields.
    let errors: Vec<(String, String)> = problems
        .iter()
        .map(|e| {
            (
                format!("one-{}", e.field.replace(['[', ']', '.'], "-")),
                e.message.clone(),
            )
        })
        .collect();
    let text = |name: &str, label: &str, kind: &str| {
        let id = format!("one-{}", name.replace(['[', ']', '.'], "-"));
        let invalid = errors.iter().any(|(f, _)| *f == id);
        html! {
            div.field {
                label for=(id) { (label) }
                (field_error(&errors, &id))
                input #(id) name=(name) type=(kind) value=(value(name)) aria-invalid=[invalid.then_some("true")];
            }
        }
    };
    let choose = |name: &str, label: &str, prefix: &str, values: &[&str], optional: bool| {
        let id = format!("one-{}", name.replace(['[', ']', '.'], "-"));
        html! {
            div.field {
                label for=(id) { (label) }
                (field_error(&errors, &id))
                select #(id) name=(name) {
                    @if optional { option value="" { (t.t("cases-any")) } }
                    @for v in values { option value=(v) selected[value(name) == *v] { (t.term(prefix, v)) } }
                }
            }
        }
    };
    let strs = |v: Vec<&'static str>| v;
    let priorities = strs(SubmissionPriority::ALL.iter().map(|v| v.as_str()).collect());
    let categories = strs(SubmissionCategory::ALL.iter().map(|v| v.as_str()).collect());
    let programmes = strs(Programme::ALL.iter().map(|v| v.as_str()).collect());
    let tracks = strs(Track::ALL.iter().map(|v| v.as_str()).collect());
    let sexes = strs(Sex::ALL.iter().map(|v| v.as_str()).collect());
    let relationships = strs(Relationship::ALL.iter().map(|v| v.as_str()).collect());
    html! {
        h1 { (t.t("submit-title")) }
        p { (t.t("submit-intro")) }
        @if let Some(n) = imported { p.notice role="status" { (t.with("submit-imported", &[("count", n.into())])) } }
        section aria-labelledby="upload-title" {
            h2 #upload-title { (t.t("submit-upload")) }
            p.hint { (t.t("submit-upload-hint")) }
            form method="post" action="/submissions/preview" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(p.csrf());
                div.field {
                    label for="upload-file" { (t.t("submit-file")) }
                    input #upload-file name="file" type="file" accept=".json,application/json";
                }
                button type="submit" { (t.t("submit-check")) }
            }
        }
        section aria-labelledby="one-title" {
            h2 #one-title { (t.t("submit-one")) }
            (error_summary(&t.t("submit-errors"), &errors))
            form method="post" action="/submissions/case" {
                input type="hidden" name="csrf" value=(p.csrf());
                (text("caseNumber", &t.t("field-case-number"), "text"))
                (text("unhcrReference", &t.t("field-unhcr-reference"), "text"))
                (text("hostCountry", &t.t("field-host-country"), "text"))
                (choose("submissionPriority", &t.t("field-priority"), "priority", &priorities, false))
                (choose("primaryCategory", &t.t("field-primary-category"), "category", &categories, false))
                (choose("programme", &t.t("field-programme"), "programme", &programmes, false))
                (choose("track", &t.t("field-track"), "track", &tracks, false))
                (text("submittedOn", &t.t("field-submitted-on"), "date"))
                @for i in 0..=MORE_MEMBERS {
                    fieldset.field {
                        legend { @if i == 0 { (t.t("submit-principal")) } @else { (t.with("submit-member", &[("n", (i + 1).into())])) } }
                        (text(&format!("members[{i}].givenName"), &t.t("submit-given-name"), "text"))
                        (text(&format!("members[{i}].familyName"), &t.t("submit-family-name"), "text"))
                        (text(&format!("members[{i}].dateOfBirth"), &t.t("field-date-of-birth"), "date"))
                        (choose(&format!("members[{i}].sex"), &t.t("field-sex"), "sex", &sexes, i > 0))
                        (text(&format!("members[{i}].nationality"), &t.t("field-nationality"), "text"))
                        @if i > 0 { (choose(&format!("members[{i}].relationship"), &t.t("field-relationship"), "relationship", &relationships, true)) }
                    }
                }
                button type="submit" { (t.t("submit-one-button")) }
            }
        }
    }
}

pub async fn show(
    t: T,
    Importer(p): Importer,
    axum::extract::Query(q): axum::extract::Query<Shown>,
) -> Response {
    page(
        t,
        &t.t("submit-title"),
        PATH,
        Some(&p),
        form_page(t, &p, &[], &[], q.imported),
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct Shown {
    imported: Option<usize>,
}

fn context(state: &AppState, p: &Principal) -> Context {
    let now = state.now();
    Context {
        occurred_on: now.date(),
        recorded_at: now,
        actor: p.name().to_string(),
        reason: None,
    }
}

/// The import's own validation, and one rule of the page: submissions only.
fn check(
    state: &AppState,
    p: &Principal,
    file: &ImportFile,
) -> Result<Vec<NewCase>, Vec<ImportProblem>> {
    let mut problems: Vec<ImportProblem> = file
        .submissions
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.milestones.is_empty())
        .map(|(i, s)| ImportProblem {
            record: Some(i),
            case_number: s.case_number.clone(),
            field: "milestones".into(),
            message: "UNHCR submits cases; what happens to them later is recorded by the IND and COA: leave milestones out".into(),
        })
        .collect();
    match validate_file(file, &context(state, p)) {
        Ok(mut cases) if problems.is_empty() => {
            // Submitted for the liaison's own office, whatever the file says.
            if p.user.role == Role::UnhcrLiaison {
                for c in &mut cases {
                    c.case.submitted_by = p.user.organisation.clone();
                }
            }
            Ok(cases)
        }
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// Stores checked cases; a case number that exists already is a problem too.
async fn store(
    state: &AppState,
    p: &Principal,
    cases: &[NewCase],
) -> Result<(), Vec<ImportProblem>> {
    let outcome = state.store.import_cases(cases, &|_| {}).await;
    audit(
        state,
        p.name(),
        "import-submissions",
        &format!("{} submissions", cases.len()),
        if outcome.is_ok() {
            AuditResult::Ok
        } else {
            AuditResult::Failed
        },
        &p.origin,
    )
    .await;
    match outcome {
        Ok(()) => Ok(()),
        Err(StoreError::ImportRejected(problems)) => Err(problems),
        Err(e) => Err(vec![ImportProblem {
            record: None,
            case_number: None,
            field: "file".into(),
            message: e.to_string(),
        }]),
    }
}

fn problem_list(t: T, problems: &[ImportProblem]) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="problems-title" tabindex="-1" autofocus {
            h2 #problems-title { (t.with("submit-problems", &[("count", problems.len().into())])) }
            div.table-scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (t.t("submit-record")) }
                    th scope="col" { (t.t("field-case-number")) }
                    th scope="col" { (t.t("submit-field")) }
                    th scope="col" { (t.t("submit-problem")) }
                } }
                tbody { @for e in problems { tr {
                    td.num { (e.record.map(|r| (r + 1).to_string()).unwrap_or_default()) }
                    td { (e.case_number.clone().unwrap_or_default()) }
                    td { code { (e.field) } }
                    td { (e.message) }
                } } }
            } }
        }
    }
}

/// "Check": every problem of the uploaded file, or the cases it would create
/// with the button that stores them. Nothing is stored here.
pub async fn preview(
    State(state): State<AppState>,
    t: T,
    Importer(p): Importer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|kind| crate::csrf::multipart_field(kind, &body, "file"))
        .unwrap_or_default();
    let parsed: Result<ImportFile, String> = if raw.is_empty() {
        Err(t.t("submit-no-file"))
    } else {
        serde_json::from_slice(&raw)
            .map_err(|e| t.with("submit-not-json", &[("detail", e.to_string().into())]))
    };
    let outcome = parsed.map_err(|message| {
        vec![ImportProblem {
            record: None,
            case_number: None,
            field: "file".into(),
            message,
        }]
    });
    let checked = outcome.and_then(|file| check(&state, &p, &file).map(|cases| (file, cases)));
    let body = match &checked {
        Err(problems) => html! {
            h1 { (t.t("submit-check-title")) }
            (problem_list(t, problems))
            p { (t.t("submit-nothing-stored")) }
            p { a href=(PATH) { (t.t("submit-again")) } }
        },
        Ok((file, cases)) => html! {
            h1 { (t.t("submit-check-title")) }
            p { (t.with("submit-ready", &[("count", cases.len().into()), ("persons", cases.iter().map(|c| c.case.persons()).sum::<usize>().into())])) }
            div.table-scroll tabindex="0" { table {
                caption { (t.t("submit-preview")) }
                thead { tr {
                    th scope="col" { (t.t("field-case-number")) }
                    th scope="col" { (t.t("field-host-country")) }
                    th scope="col" { (t.t("field-priority")) }
                    th scope="col" class="num" { (t.t("field-persons")) }
                    th scope="col" { (t.t("field-submitted-on")) }
                } }
                tbody { @for c in cases { tr {
                    th scope="row" { (c.case.submission.case_number) }
                    td { (t.country(c.case.submission.host_country)) }
                    td { (t.term("priority", c.case.submission.priority.as_str())) }
                    td.num { (c.case.persons()) }
                    td { (c.case.submission.submitted_on) }
                } } }
            } }
            form method="post" action="/submissions/import" {
                input type="hidden" name="csrf" value=(p.csrf());
                input type="hidden" name="file" value=(serde_json::to_string(file).unwrap_or_default());
                div.actions {
                    button type="submit" { (t.t("submit-import")) }
                    a href=(PATH) { (t.t("submit-cancel")) }
                }
            }
        },
    };
    let status = if checked.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        page(t, &t.t("submit-check-title"), PATH, Some(&p), body),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct Checked {
    file: String,
}

/// "Import": the checked file, checked again and stored all or nothing.
pub async fn import(
    State(state): State<AppState>,
    t: T,
    Importer(p): Importer,
    Form(f): Form<Checked>,
) -> Response {
    let outcome = serde_json::from_str::<ImportFile>(&f.file)
        .map_err(|e| {
            vec![ImportProblem {
                record: None,
                case_number: None,
                field: "file".into(),
                message: e.to_string(),
            }]
        })
        .and_then(|file| check(&state, &p, &file));
    let stored = match outcome {
        Ok(cases) => store(&state, &p, &cases).await.map(|()| cases.len()),
        Err(problems) => Err(problems),
    };
    match stored {
        Ok(n) => Redirect::to(&format!("{PATH}?imported={n}")).into_response(),
        Err(problems) => {
            let body = html! {
                h1 { (t.t("submit-check-title")) }
                (problem_list(t, &problems))
                p { (t.t("submit-nothing-stored")) }
                p { a href=(PATH) { (t.t("submit-again")) } }
            };
            (
                StatusCode::BAD_REQUEST,
                page(t, &t.t("submit-check-title"), PATH, Some(&p), body),
            )
                .into_response()
        }
    }
}

/// The one-case form as a record of the import format.
fn record(form: &[(String, String)]) -> RawSubmission {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let members = (0..=MORE_MEMBERS)
        .filter_map(|i| {
            let f = |n: &str| get(&format!("members[{i}].{n}"));
            let any = ["givenName", "familyName", "dateOfBirth", "nationality"]
                .iter()
                .any(|n| f(n).is_some());
            (i == 0 || any).then(|| RawMember {
                given_name: f("givenName"),
                family_name: f("familyName"),
                date_of_birth: f("dateOfBirth"),
                sex: f("sex"),
                nationality: f("nationality"),
                relationship: if i == 0 {
                    Some("principal-applicant".into())
                } else {
                    f("relationship")
                },
                documents: Vec::new(),
            })
        })
        .collect();
    RawSubmission {
        case_number: get("caseNumber"),
        unhcr_reference: get("unhcrReference"),
        host_country: get("hostCountry"),
        submission_priority: get("submissionPriority"),
        primary_category: get("primaryCategory"),
        programme: get("programme"),
        track: get("track"),
        submitted_on: get("submittedOn"),
        members,
        ..RawSubmission::default()
    }
}

/// "Submit this case": the one-case form, through the same validation.
pub async fn one(
    State(state): State<AppState>,
    t: T,
    Importer(p): Importer,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let file = ImportFile {
        schema: None,
        format: FORMAT.into(),
        submissions: vec![record(&form)],
    };
    let outcome = match check(&state, &p, &file) {
        Ok(cases) => store(&state, &p, &cases).await.map(|()| cases),
        Err(problems) => Err(problems),
    };
    match outcome {
        Ok(cases) => match cases.first() {
            Some(c) => Redirect::to(&format!("/cases/{}?done=1", c.case.id)).into_response(),
            None => Redirect::to(PATH).into_response(),
        },
        Err(problems) => (
            StatusCode::BAD_REQUEST,
            page(
                t,
                &t.t("submit-title"),
                PATH,
                Some(&p),
                form_page(t, &p, &problems, &form, None),
            ),
        )
            .into_response(),
    }
}

/// The requests for submissions addressed to UNHCR: every mission still to
/// be held, with its request.
pub async fn requests(
    State(state): State<AppState>,
    t: T,
    crate::auth::RequestReader(p): crate::auth::RequestReader,
) -> Response {
    use resettle_domain::mission::MissionStatus;
    let missions = match state.store.missions().await {
        Ok(m) => m,
        Err(e) => return crate::problem::Problem::from(e).into_response(),
    };
    let open: Vec<_> = missions
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                MissionStatus::Planned | MissionStatus::Confirmed | MissionStatus::Postponed
            )
        })
        .collect();
    let body = html! {
        h1 { (t.t("requests-title")) }
        p { (t.t("requests-intro")) }
        @if open.is_empty() { p { (t.t("work-none")) } } @else {
            div.table-scroll tabindex="0" { table {
                caption.visually-hidden { (t.t("requests-title")) }
                thead { tr {
                    th scope="col" { (t.t("requests-mission")) }
                    th scope="col" { (t.t("field-host-country")) }
                    th scope="col" { (t.t("requests-period")) }
                    th scope="col" class="num" { (t.t("requests-places")) }
                    th scope="col" { (t.t("field-state")) }
                } }
                tbody { @for m in &open { tr {
                    th scope="row" { a href={ "/missions/" (m.id) "/submission-request" } { (m.name) } }
                    td { (m.host_country.map(|c| t.country(c)).unwrap_or_default()) }
                    td { (t.date(m.starts_on)) " – " (t.date(m.ends_on)) }
                    td.num { (t.n(m.places)) }
                    td { (t.term("mission-status", m.status.as_str())) }
                } } }
            } }
        }
    };
    page(
        t,
        &t.t("requests-title"),
        "/submission-requests",
        Some(&p),
        body,
    )
    .into_response()
}
