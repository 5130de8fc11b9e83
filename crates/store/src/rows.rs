//! Rows as the database returns them, and their conversion into domain values.
//! Conversion re-parses every value, so a row changed behind the system's back
//! is reported as corrupt instead of entering the domain.

use crate::crypto::DataKeys;
use crate::error::StoreError;
use crate::query::CaseSummary;
use resettle_domain::submission::VocabularyError;
use resettle_domain::{
    Action, Case, CaseId, CaseNumber, CaseState, CountryCode, DateOfBirth, Guidance, Housing,
    IdentityDocument, Member, Nationality, Permit, PersonId, Programme, Relationship, Sex,
    Submission, SubmissionCategory, SubmissionPriority, Track, Transition,
};
use resettle_domain::{Consent, SpecialCategory, SpecialItem};
use sqlx::types::Json;
use std::fmt::Display;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub id: Uuid,
    pub case_number: String,
    pub unhcr_reference: String,
    pub host_country: String,
    pub priority: String,
    pub primary_category: String,
    pub secondary_category: Option<String>,
    pub programme: String,
    pub track: String,
    pub family_reunification_of: Option<String>,
    pub linked_cases: Json<Vec<String>>,
    pub submitted_on: Date,
    pub state: String,
    pub version: i64,
    pub last_event_on: Date,
    pub selected_on: Option<Date>,
    pub departed_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub permit: Option<Json<Permit>>,
    pub housing: Option<Json<Housing>>,
    pub guidance: Option<Json<Guidance>>,
    pub closed_on: Option<Date>,
    pub submitted_by_org: Option<String>,
    pub assigned_municipality: Option<String>,
}

/// A case's row with whether it has rows in the tables read only when it does.
#[derive(sqlx::FromRow)]
pub(crate) struct CaseWithParts {
    #[sqlx(flatten)]
    pub case: CaseRow,
    pub has_special: bool,
    pub has_consents: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SpecialRow {
    pub seq: i64,
    pub member_position: Option<i64>,
    pub category: String,
    pub ciphertext: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConsentRow {
    pub recipient: Option<String>,
    pub given_on: Date,
    pub override_reason: Option<String>,
    pub recorded_by: String,
}

/// What binds an encrypted value to its place: case, position, category
/// and the family member it concerns (none: the whole case).
pub(crate) fn special_binding(
    case: Uuid,
    seq: i64,
    category: &str,
    member: Option<i64>,
) -> crate::crypto::Binding {
    let member = member.map_or_else(|| "case".to_string(), |m| format!("member-{m}"));
    crate::crypto::Binding::new(
        format!("sensitive_data/{case}/{seq}/{category}/{member}"),
        format!("{case}/{seq}/{category}"),
    )
}

impl SpecialRow {
    pub(crate) fn into_item(self, case: Uuid, keys: &DataKeys) -> Result<SpecialItem, StoreError> {
        let r = Reader {
            table: "sensitive_data",
            key: format!("{case}#{}", self.seq),
        };
        let value = keys.decrypt(
            &self.ciphertext,
            &special_binding(case, self.seq, &self.category, self.member_position),
        )?;
        Ok(SpecialItem {
            category: r.read("category", SpecialCategory::parse(&self.category))?,
            member: self.member_position.and_then(|m| usize::try_from(m).ok()),
            value,
        })
    }
}

impl ConsentRow {
    pub(crate) fn into_consent(self) -> Consent {
        Consent {
            recipient: self.recipient,
            given_on: self.given_on,
            override_reason: self.override_reason,
            recorded_by: self.recorded_by,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub id: Uuid,
    pub case_number: String,
    pub host_country: String,
    pub priority: String,
    pub programme: String,
    pub track: String,
    pub state: String,
    pub submitted_on: Date,
    pub selected_on: Option<Date>,
    pub departed_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub persons: i64,
    pub family_reunification_of: Option<String>,
    pub version: i64,
    pub mission_id: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: String,
    pub nationality: String,
    pub relationship: String,
    pub documents: Json<Vec<IdentityDocument>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TransitionRow {
    pub case_id: Uuid,
    pub seq: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub action: Json<Action>,
    pub occurred_on: Date,
    pub recorded_at: OffsetDateTime,
    pub actor: String,
    pub reason: Option<String>,
    pub previous_version: i64,
}

/// Parses one stored column, naming table, row and column when it fails.
struct Reader {
    table: &'static str,
    key: String,
}

impl Reader {
    fn read<T, E: Display>(&self, column: &'static str, r: Result<T, E>) -> Result<T, StoreError> {
        r.map_err(|e| StoreError::Corrupt {
            table: self.table,
            key: self.key.clone(),
            column,
            message: e.to_string(),
        })
    }

    fn opt<T>(
        &self,
        column: &'static str,
        raw: Option<&str>,
        parse: impl Fn(&str) -> Result<T, VocabularyError>,
    ) -> Result<Option<T>, StoreError> {
        raw.map(|v| self.read(column, parse(v))).transpose()
    }
}

impl CaseRow {
    pub(crate) fn into_case(
        self,
        members: Vec<Member>,
        special: Vec<SpecialItem>,
        consents: Vec<Consent>,
    ) -> Result<Case, StoreError> {
        let r = Reader {
            table: "cases",
            key: self.case_number.clone(),
        };
        let linked = self
            .linked_cases
            .0
            .iter()
            .map(|n| r.read("linked_cases", CaseNumber::parse(n)))
            .collect::<Result<Vec<_>, _>>()?;
        let reunification = self
            .family_reunification_of
            .as_deref()
            .map(|n| r.read("family_reunification_of", CaseNumber::parse(n)))
            .transpose()?;
        Ok(Case {
            id: CaseId::from_uuid(self.id),
            submission: Submission {
                case_number: r.read("case_number", CaseNumber::parse(&self.case_number))?,
                unhcr_reference: self.unhcr_reference,
                host_country: r.read("host_country", CountryCode::parse(&self.host_country))?,
                priority: r.read("priority", SubmissionPriority::parse(&self.priority))?,
                primary_category: r.read(
                    "primary_category",
                    SubmissionCategory::parse(&self.primary_category),
                )?,
                secondary_category: r.opt(
                    "secondary_category",
                    self.secondary_category.as_deref(),
                    SubmissionCategory::parse,
                )?,
                programme: r.read("programme", Programme::parse(&self.programme))?,
                track: r.read("track", Track::parse(&self.track))?,
                family_reunification_of: reunification,
                linked_cases: linked,
                submitted_on: self.submitted_on,
                members,
            },
            state: r.read("state", CaseState::parse(&self.state))?,
            version: self.version,
            last_event_on: self.last_event_on,
            selected_on: self.selected_on,
            departed_on: self.departed_on,
            arrived_on: self.arrived_on,
            permit: self.permit.map(|j| j.0),
            housing: self.housing.map(|j| j.0),
            assigned_municipality: self.assigned_municipality,
            guidance: self.guidance.map(|j| j.0),
            closed_on: self.closed_on,
            submitted_by: self.submitted_by_org,
            special,
            consents,
        })
    }
}

impl SummaryRow {
    pub(crate) fn into_summary(self) -> Result<CaseSummary, StoreError> {
        let r = Reader {
            table: "cases",
            key: self.case_number.clone(),
        };
        Ok(CaseSummary {
            id: CaseId::from_uuid(self.id),
            case_number: r.read("case_number", CaseNumber::parse(&self.case_number))?,
            host_country: r.read("host_country", CountryCode::parse(&self.host_country))?,
            priority: r.read("priority", SubmissionPriority::parse(&self.priority))?,
            programme: r.read("programme", Programme::parse(&self.programme))?,
            track: r.read("track", Track::parse(&self.track))?,
            state: r.read("state", CaseState::parse(&self.state))?,
            submitted_on: self.submitted_on,
            selected_on: self.selected_on,
            departed_on: self.departed_on,
            arrived_on: self.arrived_on,
            persons: self.persons,
            family_reunification: self.family_reunification_of.is_some(),
            version: self.version,
            mission_id: self.mission_id.map(resettle_domain::MissionId::from_uuid),
        })
    }
}

impl MemberRow {
    pub(crate) fn into_member(self) -> Result<Member, StoreError> {
        let r = Reader {
            table: "members",
            key: self.id.to_string(),
        };
        Ok(Member {
            id: PersonId::from_uuid(self.id),
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: DateOfBirth::from_stored(self.date_of_birth),
            sex: r.read("sex", Sex::parse(&self.sex))?,
            nationality: r.read("nationality", Nationality::parse(&self.nationality))?,
            relationship: r.read("relationship", Relationship::parse(&self.relationship))?,
            documents: self.documents.0,
        })
    }
}

impl TransitionRow {
    pub(crate) fn into_transition(self) -> Result<Transition, StoreError> {
        let r = Reader {
            table: "case_transitions",
            key: format!("{}#{}", self.case_id, self.seq),
        };
        Ok(Transition {
            seq: self.seq,
            from: r.opt("from_state", self.from_state.as_deref(), CaseState::parse)?,
            to: r.read("to_state", CaseState::parse(&self.to_state))?,
            action: self.action.0,
            occurred_on: self.occurred_on,
            recorded_at: self.recorded_at,
            actor: self.actor,
            reason: self.reason,
            previous_version: self.previous_version,
        })
    }
}
