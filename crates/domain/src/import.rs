//! The import format for UNHCR submissions (`resettle-submissions/1`, documented
//! in docs/import-format.md) and its validation. Validation collects every
//! problem of every record, each named by record and field, so that a file is
//! either imported whole or not at all.

use crate::access::SpecialCategory;
use crate::case::{Case, Consent, NewCase, SpecialItem, Submission};
use crate::country::{CountryCode, Nationality};
use crate::ids::{CaseId, PersonId};
use crate::lifecycle::{
    Action, CaseState, Context, Guidance, Housing, Permit, RejectionGround, TrainingMode,
};
use crate::person::{DateOfBirth, DocumentKind, IdentityDocument, Member, Relationship, Sex};
use crate::submission::{CaseNumber, Programme, SubmissionCategory, SubmissionPriority, Track};
use crate::text::bounded;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use time::Date;

/// The value of the `format` field this version reads.
pub const FORMAT: &str = "resettle-submissions/1";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportFile {
    /// Optional reference to the JSON Schema, for editors; not interpreted.
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub format: String,
    pub submissions: Vec<RawSubmission>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSubmission {
    pub case_number: Option<String>,
    pub unhcr_reference: Option<String>,
    pub host_country: Option<String>,
    pub submission_priority: Option<String>,
    pub primary_category: Option<String>,
    pub secondary_category: Option<String>,
    pub programme: Option<String>,
    pub track: Option<String>,
    pub submitted_on: Option<String>,
    pub family_reunification_of: Option<String>,
    #[serde(default)]
    pub linked_cases: Vec<String>,
    #[serde(default)]
    pub members: Vec<RawMember>,
    #[serde(default)]
    pub milestones: Vec<RawMilestone>,
    /// The UNHCR office that submits the case.
    pub submitting_office: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_categories: Vec<RawSpecial>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<RawConsent>,
}

/// A special-category fact (religion, health …), stored encrypted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSpecial {
    pub category: Option<String>,
    /// Position of the member in `members`; absent for the whole case.
    pub member: Option<usize>,
    pub value: Option<String>,
}

/// Consent to share the family's needs with a municipality or organisation
/// (absent recipient: any service provider, as in the RRF declaration).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawConsent {
    pub recipient: Option<String>,
    pub given_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawMember {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub relationship: Option<String>,
    #[serde(default)]
    pub documents: Vec<RawDocument>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDocument {
    pub kind: Option<String>,
    pub number: Option<String>,
    pub issuing_country: Option<String>,
    pub expires_on: Option<String>,
}

/// A dated milestone of a legacy record: the state the case reached on a day,
/// with what that state needs.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawMilestone {
    pub state: Option<String>,
    pub on: Option<String>,
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_valid_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coa_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProblem {
    /// Index of the record in `submissions` (from 0); `None` for the file as a whole.
    pub record: Option<usize>,
    pub case_number: Option<String>,
    /// Path of the field inside the record, e.g. `members[1].dateOfBirth`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.record, &self.case_number) {
            (Some(i), Some(n)) => write!(f, "submissions[{i}] (case {n}) ")?,
            (Some(i), None) => write!(f, "submissions[{i}] ")?,
            _ => {}
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl ImportProblem {
    pub fn file(field: &str, message: impl Into<String>) -> Self {
        Self {
            record: None,
            case_number: None,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects the problems of one record.
struct Record<'a> {
    index: usize,
    case_number: Option<String>,
    problems: &'a mut Vec<ImportProblem>,
}

impl Record<'_> {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(ImportProblem {
            record: Some(self.index),
            case_number: self.case_number.clone(),
            field: field.into(),
            message: message.into(),
        });
    }

    /// Parses a required field, recording a problem when it is missing or bad.
    fn required<T, E: fmt::Display>(
        &mut self,
        field: &str,
        raw: &Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => {
                self.problem(field, "is required");
                None
            }
            Some(v) => match parse(v) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.problem(field, e.to_string());
                    None
                }
            },
        }
    }

    /// Parses an optional field: `Some(None)` when absent, `None` when bad.
    fn optional<T, E: fmt::Display>(
        &mut self,
        field: &str,
        raw: &Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(v) => match parse(v) {
                Ok(t) => Some(Some(t)),
                Err(e) => {
                    self.problem(field, e.to_string());
                    None
                }
            },
        }
    }
}

/// Parses an ISO 8601 calendar date (`2024-03-01`).
pub fn parse_date(raw: &str) -> Result<Date, String> {
    Date::parse(
        raw.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("'{raw}' is not a date of the form YYYY-MM-DD"))
}

/// Records that carry history milestones, each named by record and field.
/// Through the API a case is imported as submitted, nothing more: milestones
/// record other roles' actions (an IND decision, an arrival, housing), so
/// migrating a legacy history is an operator's task on the command line.
pub fn milestones_refused(file: &ImportFile) -> Vec<ImportProblem> {
    file.submissions
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.milestones.is_empty())
        .map(|(index, s)| ImportProblem {
            record: Some(index),
            case_number: s.case_number.clone(),
            field: "milestones".into(),
            message: "milestones are not accepted here: a case is imported as submitted; \
                      an operator migrates histories with `resettle import submissions`"
                .into(),
        })
        .collect()
}

/// Validates a whole file. `ctx` names who imports and when (its `occurred_on`
/// is ignored: each record carries its own dates). Returns every problem found.
pub fn validate_file(file: &ImportFile, ctx: &Context) -> Result<Vec<NewCase>, Vec<ImportProblem>> {
    validate_file_with_progress(file, ctx, &mut |_| {})
}

/// As [`validate_file`], calling `progress` with the number of records checked so far.
pub fn validate_file_with_progress(
    file: &ImportFile,
    ctx: &Context,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<NewCase>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    if file.format != FORMAT {
        problems.push(ImportProblem::file(
            "format",
            format!(
                "'{}' is not a known format; expected '{FORMAT}'",
                file.format
            ),
        ));
    }
    if file.submissions.is_empty() {
        problems.push(ImportProblem::file(
            "submissions",
            "the file holds no submissions",
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut cases = Vec::with_capacity(file.submissions.len());
    for (index, raw) in file.submissions.iter().enumerate() {
        if let Some(n) = raw
            .case_number
            .as_deref()
            .and_then(|n| CaseNumber::parse(n).ok())
        {
            let first = *seen.entry(n.as_str().to_string()).or_insert(index);
            if first != index {
                problems.push(ImportProblem {
                    record: Some(index),
                    case_number: Some(n.to_string()),
                    field: "caseNumber".into(),
                    message: format!("case {n} also appears at submissions[{first}]"),
                });
            }
        }
        if let Some(case) = validate_record(index, raw, ctx, &mut problems) {
            cases.push(case);
        }
        progress(index + 1);
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(problems)
    }
}

/// Validates one record, appending its problems; returns the case when it has none.
pub fn validate_record(
    index: usize,
    raw: &RawSubmission,
    ctx: &Context,
    problems: &mut Vec<ImportProblem>,
) -> Option<NewCase> {
    let before = problems.len();
    let shown_number = raw
        .case_number
        .as_deref()
        .map(|n| match CaseNumber::parse(n) {
            Ok(parsed) => parsed.to_string(),
            Err(_) => n.to_string(),
        });
    let mut r = Record {
        index,
        case_number: shown_number,
        problems,
    };
    let today = ctx.today();

    let case_number = r.required("caseNumber", &raw.case_number, CaseNumber::parse);
    let reference = r.required("unhcrReference", &raw.unhcr_reference, |v| bounded(v, 64));
    let host = r.required("hostCountry", &raw.host_country, CountryCode::parse);
    let priority = r.required(
        "submissionPriority",
        &raw.submission_priority,
        SubmissionPriority::parse,
    );
    let primary = r.required(
        "primaryCategory",
        &raw.primary_category,
        SubmissionCategory::parse,
    );
    let secondary = r.optional(
        "secondaryCategory",
        &raw.secondary_category,
        SubmissionCategory::parse,
    );
    let programme = r.required("programme", &raw.programme, Programme::parse);
    let track = r.required("track", &raw.track, Track::parse);
    let submitted_on = r.required("submittedOn", &raw.submitted_on, |v| {
        parse_date(v).and_then(|d| {
            if d > today {
                Err(format!("{d} lies after today ({today})"))
            } else {
                Ok(d)
            }
        })
    });
    let reunification = r.optional(
        "familyReunificationOf",
        &raw.family_reunification_of,
        CaseNumber::parse,
    );

    if let (Some(p), Some(Some(s))) = (primary, secondary)
        && p == s
    {
        r.problem("secondaryCategory", "must differ from the primary category");
    }
    // Dossier selection is for urgent and emergency cases; later-arriving family
    // members are not selected at all, so the rule does not bind them.
    let is_reunification = given(&raw.family_reunification_of).is_some();
    if let (Some(Track::Dossier), Some(SubmissionPriority::Normal), false) =
        (track, priority, is_reunification)
    {
        r.problem(
            "track",
            "the dossier track is for urgent and emergency cases only",
        );
    }
    if let (Some(Some(of)), Some(n)) = (&reunification, &case_number)
        && of == n
    {
        r.problem("familyReunificationOf", "a case cannot reunite with itself");
    }
    let mut linked = Vec::new();
    for (i, l) in raw.linked_cases.iter().enumerate() {
        match CaseNumber::parse(l) {
            Ok(n) if Some(&n) == case_number.as_ref() => r.problem(
                format!("linkedCases[{i}]"),
                "a case cannot be linked to itself",
            ),
            Ok(n) => linked.push(n),
            Err(e) => r.problem(format!("linkedCases[{i}]"), e.to_string()),
        }
    }
    let members = validate_members(&mut r, &raw.members, today);
    let office = r.optional("submittingOffice", &raw.submitting_office, |v| {
        bounded(v, 100)
    });
    let mut special = Vec::new();
    for (i, item) in raw.special_categories.iter().enumerate() {
        let f = |n: &str| format!("specialCategories[{i}].{n}");
        let category = r.required(&f("category"), &item.category, SpecialCategory::parse);
        let value = r.required(&f("value"), &item.value, |v| bounded(v, 2000));
        if let Some(m) = item.member.filter(|m| *m >= raw.members.len()) {
            r.problem(
                f("member"),
                format!("there is no member {m}; members are numbered from 0"),
            );
        }
        if let (Some(category), Some(value)) = (category, value) {
            special.push(SpecialItem {
                category,
                member: item.member,
                value,
            });
        }
    }
    let mut consents = Vec::new();
    for (i, c) in raw.consents.iter().enumerate() {
        let f = |n: &str| format!("consents[{i}].{n}");
        let recipient = r.optional(&f("recipient"), &c.recipient, |v| bounded(v, 100));
        let given_on = r.required(&f("givenOn"), &c.given_on, parse_date);
        if let (Some(recipient), Some(given_on)) = (recipient, given_on) {
            consents.push(Consent {
                recipient,
                given_on,
                override_reason: None,
                recorded_by: ctx.actor.clone(),
            });
        }
    }

    if r.problems.len() > before {
        return None;
    }
    let submission = Submission {
        case_number: case_number?,
        unhcr_reference: reference?,
        host_country: host?,
        priority: priority?,
        primary_category: primary?,
        secondary_category: secondary?,
        programme: programme?,
        track: track?,
        family_reunification_of: reunification?,
        linked_cases: linked,
        submitted_on: submitted_on?,
        members,
    };
    let mut case = match Case::submit(CaseId::generate(), submission, ctx) {
        Ok(c) => c,
        Err(e) => {
            r.problem("submittedOn", e.to_string());
            return None;
        }
    };
    case.case.submitted_by = office?;
    case.case.special = special;
    case.case.consents = consents;
    for (i, m) in raw.milestones.iter().enumerate() {
        let (action, mctx) = milestone_action(&mut r, i, m, ctx)?;
        if let Err(e) = case.apply(action, &mctx) {
            r.problem(
                format!("milestones[{i}].{}", milestone_field(e.field())),
                e.message(),
            );
            return None;
        }
    }
    Some(case)
}

/// Maps a transition error's field to the milestone's field name.
fn milestone_field(field: &str) -> &str {
    match field {
        "action" => "state",
        "occurredOn" => "on",
        "permit.validUntil" => "permitValidUntil",
        "housing.municipality" => "municipality",
        "housing.location" => "coaLocation",
        "housing.reason" => "reason",
        "guidance.organisation" => "organisation",
        "guidance.until" => "until",
        other => other,
    }
}

fn validate_members(r: &mut Record<'_>, raw: &[RawMember], today: Date) -> Vec<Member> {
    if raw.is_empty() {
        r.problem(
            "members",
            "a case has at least one member, the principal applicant",
        );
    }
    let principals = raw
        .iter()
        .filter(|m| {
            m.relationship.as_deref().map(str::trim)
                == Some(Relationship::PrincipalApplicant.as_str())
        })
        .count();
    if !raw.is_empty() && principals != 1 {
        r.problem(
            "members",
            format!("a case has exactly one principal-applicant; found {principals}"),
        );
    }
    let mut members = Vec::with_capacity(raw.len());
    for (i, m) in raw.iter().enumerate() {
        let f = |name: &str| format!("members[{i}].{name}");
        let given = r.required(&f("givenName"), &m.given_name, |v| bounded(v, 100));
        let family = r.required(&f("familyName"), &m.family_name, |v| bounded(v, 100));
        let dob = r.required(&f("dateOfBirth"), &m.date_of_birth, |v| {
            parse_date(v).and_then(|d| DateOfBirth::new(d, today).map_err(|e| e.to_string()))
        });
        let sex = r.required(&f("sex"), &m.sex, Sex::parse);
        let nationality = r.required(&f("nationality"), &m.nationality, Nationality::parse);
        let relationship = r.required(&f("relationship"), &m.relationship, Relationship::parse);
        let mut documents = Vec::new();
        for (j, d) in m.documents.iter().enumerate() {
            let g = |name: &str| format!("members[{i}].documents[{j}].{name}");
            let kind = r.required(&g("kind"), &d.kind, DocumentKind::parse);
            let number = r.required(&g("number"), &d.number, |v| bounded(v, 64));
            let issuing = r.optional(&g("issuingCountry"), &d.issuing_country, CountryCode::parse);
            let expires = r.optional(&g("expiresOn"), &d.expires_on, parse_date);
            if let (Some(kind), Some(number), Some(issuing_country), Some(expires_on)) =
                (kind, number, issuing, expires)
            {
                documents.push(IdentityDocument {
                    kind,
                    number,
                    issuing_country,
                    expires_on,
                });
            }
        }
        if let (
            Some(given_name),
            Some(family_name),
            Some(date_of_birth),
            Some(sex),
            Some(nationality),
            Some(relationship),
        ) = (given, family, dob, sex, nationality, relationship)
        {
            members.push(Member {
                id: PersonId::generate(),
                given_name,
                family_name,
                date_of_birth,
                sex,
                nationality,
                relationship,
                documents,
            });
        }
    }
    members
}

/// A text field that is present and not blank.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().filter(|v| !v.trim().is_empty())
}

/// Turns a milestone into the action that reaches its state.
fn milestone_action(
    r: &mut Record<'_>,
    i: usize,
    m: &RawMilestone,
    ctx: &Context,
) -> Option<(Action, Context)> {
    let f = |name: &str| format!("milestones[{i}].{name}");
    let before = r.problems.len();
    let state = r.required(&f("state"), &m.state, CaseState::parse);
    let on = r.required(&f("on"), &m.on, parse_date);
    let text = |r: &mut Record<'_>, name: &str, raw: &Option<String>| {
        r.required(&f(name), raw, |v| bounded(v, 200))
    };
    let action = match state? {
        CaseState::Submitted => {
            r.problem(
                f("state"),
                "the submission itself is not a milestone; use submittedOn",
            );
            None
        }
        CaseState::UnderAssessment => Some(Action::StartAssessment),
        CaseState::Accepted => Some(Action::accept()),
        CaseState::Rejected => {
            let mut grounds = Vec::new();
            for (j, g) in m.grounds.iter().enumerate() {
                match RejectionGround::parse(g) {
                    Ok(g) => grounds.push(g),
                    Err(e) => r.problem(f(&format!("grounds[{j}]")), e.to_string()),
                }
            }
            Some(Action::Reject { grounds })
        }
        CaseState::Withdrawn => Some(Action::Withdraw),
        CaseState::PreDeparture => {
            let training = r.optional(&f("training"), &m.training, TrainingMode::parse)?;
            Some(Action::StartPreDeparture {
                training: training.unwrap_or(TrainingMode::InPerson),
            })
        }
        CaseState::Departed => Some(Action::Depart),
        CaseState::Arrived => r
            .required(&f("permitValidUntil"), &m.permit_valid_until, parse_date)
            .map(|valid_until| Action::Arrive {
                permit: Permit { valid_until },
            }),
        CaseState::Housed => match (given(&m.municipality), given(&m.coa_location)) {
            (Some(_), None) => {
                text(r, "municipality", &m.municipality).map(|municipality| Action::House {
                    housing: Housing::Municipality { municipality },
                })
            }
            (None, Some(_)) => {
                let location = text(r, "coaLocation", &m.coa_location);
                let reason = text(r, "reason", &m.reason);
                Some(Action::House {
                    housing: Housing::CoaReception {
                        location: location?,
                        reason: reason?,
                    },
                })
            }
            _ => {
                r.problem(f("municipality"), "give either municipality or coaLocation");
                None
            }
        },
        CaseState::IntegrationGuidance => {
            let organisation = text(r, "organisation", &m.organisation);
            let until = r.required(&f("until"), &m.until, parse_date);
            Some(Action::StartIntegrationGuidance {
                guidance: Guidance {
                    organisation: organisation?,
                    until: until?,
                    sponsor_group: None,
                },
            })
        }
        CaseState::Closed => Some(Action::Close),
    };
    if r.problems.len() > before {
        return None;
    }
    let reason = r.optional(&f("reason"), &m.reason, |v| bounded(v, 500))?;
    let mctx = Context {
        occurred_on: on?,
        recorded_at: ctx.recorded_at,
        actor: ctx.actor.clone(),
        reason,
    };
    Some((action?, mctx))
}
