//! The rules a field of a request can break, and the problem that names one.
//! The API says each problem in English and gives its rule's code; the pages
//! translate the rule (`rule-…`) with the problem's named values, so no
//! English reaches a Dutch form.

use crate::country::CountryCodeError;
use crate::submission::{VocabularyError, vocabulary};
use thiserror::Error;

vocabulary!(
    /// The rules a field of a request can break. The API says each in
    /// English (the problem's message); the pages translate it by its code
    /// (`rule-…`), with the problem's named values.
    Rule {
        NameMission = "name-mission",
        SelectionNeedsHostCountry = "selection-needs-host-country",
        CountryCode = "country-code",
        MissionEndsBeforeStart = "mission-ends-before-start",
        PlacesRange = "places-range",
        RemoteNeedsCaseKinds = "remote-needs-case-kinds",
        DossierHasNoModality = "dossier-has-no-modality",
        PostponeNeedsReason = "postpone-needs-reason",
        PostponeStartsLater = "postpone-starts-later",
        CancelNeedsReason = "cancel-needs-reason",
        ProgrammeDiffers = "programme-differs",
        InterviewAfterHeld = "interview-after-held",
        BedroomsRange = "bedrooms-range",
        SchoolAgeChildrenRange = "school-age-children-range",
        SessionAfterHeld = "session-after-held",
        TrainingRange = "training-range",
        NoSuchMember = "no-such-member",
        NameDocumentKind = "name-document-kind",
        GiveDocumentNumber = "give-document-number",
        BookingNeedsReference = "booking-needs-reference",
        BroughtForwardNeedsReason = "brought-forward-needs-reason",
        NameMessageChannel = "name-message-channel",
        GiveMessageText = "give-message-text",
        MessageBeforeHold = "message-before-hold",
        HoldNeedsReason = "hold-needs-reason",
        ReleaseBeforeHold = "release-before-hold",
        StateThePolicy = "state-the-policy",
        NoteEndsAfterStart = "note-ends-after-start",
        NameTheGroup = "name-the-group",
        // Values of query parameters and documents.
        OneOf = "one-of",
        DateFormat = "date-format",
        YearRange = "year-range",
        NumberRange = "number-range",
        Cursor = "cursor",
        PageTooDeep = "page-too-deep",
        MissionId = "mission-id",
        // The quota policy document.
        PolicyFormat = "policy-format",
        PolicyJson = "policy-json",
        PolicyNeedsReason = "policy-needs-reason",
        FrameworkId = "framework-id",
        EndsBeforeStart = "ends-before-start",
        PlacesBelievable = "places-believable",
        DeductionsExceedCommitment = "deductions-exceed-commitment",
        DeductionNeedsReason = "deduction-needs-reason",
        FrameworksOverlap = "frameworks-overlap",
        QuotaChangeNeedsReason = "quota-change-needs-reason",
        NoSuchFramework = "no-such-framework",
        ReunificationTermsOverlap = "reunification-terms-overlap",
        // Family reunification (`reunification::ReunificationError`).
        ReunSponsorNotArrived = "reun-sponsor-not-arrived",
        ReunSponsorIsReunification = "reun-sponsor-is-reunification",
        ReunAppliedBeforePermit = "reun-applied-before-permit",
        ReunPermitBeforeArrival = "reun-permit-before-arrival",
        ReunNoRelatives = "reun-no-relatives",
        ReunRelativeName = "reun-relative-name",
        ReunRelativeIsSponsor = "reun-relative-is-sponsor",
        ReunBornInFuture = "reun-born-in-future",
        ReunBornTooEarly = "reun-born-too-early",
        ReunNoSuchRelative = "reun-no-such-relative",
        ReunNotAllowed = "reun-not-allowed",
        ReunRejectionNeedsGround = "reun-rejection-needs-ground",
        ReunDecisionNeedsMotivation = "reun-decision-needs-motivation",
        ReunGrantNeedsEvidence = "reun-grant-needs-evidence",
        ReunExtension = "reun-extension",
        ReunNoTerms = "reun-no-terms",
        ReunBookingNeedsReference = "reun-booking-needs-reference",
        ReunDepartsBeforeVisa = "reun-departs-before-visa",
        ReunVisaBeforeGrant = "reun-visa-before-grant",
        ReunArrivesBeforeDeparture = "reun-arrives-before-departure",
        ReunPermitValidAfterArrival = "reun-permit-valid-after-arrival",
        TextBounded = "text-bounded",
        ReunAlreadyApplied = "reun-already-applied",
        DateInFuture = "date-in-future",
        DateBeforePrevious = "date-before-previous",
        NameTheActor = "name-the-actor",
    }
);

/// One invalid field of a request: the rule it breaks, with the values the
/// message names, and the message in English.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldProblem {
    pub field: String,
    pub rule: Rule,
    /// The values named in the message, by the names the translations use.
    pub values: Vec<(&'static str, String)>,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule,
            values: Vec::new(),
            message: message.into(),
        }
    }

    /// Names a value of the message, for its translations.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.values.push((name, value.to_string()));
        self
    }
}

/// An error of one value, placed at the field it was given for.
pub trait ValueError {
    fn at(self, field: &str) -> FieldProblem;
}

impl ValueError for FieldProblem {
    fn at(mut self, field: &str) -> FieldProblem {
        self.field = field.into();
        self
    }
}

impl ValueError for VocabularyError {
    fn at(self, field: &str) -> FieldProblem {
        let allowed = self.allowed.join(", ");
        FieldProblem::new(field, Rule::OneOf, self.to_string())
            .with("value", self.value)
            .with("allowed", allowed)
    }
}

impl ValueError for CountryCodeError {
    fn at(self, field: &str) -> FieldProblem {
        FieldProblem::new(field, Rule::CountryCode, self.to_string()).with("value", self.0.trim())
    }
}

/// A date of the form YYYY-MM-DD, or the problem that names the value.
pub fn date(raw: &str) -> Result<time::Date, FieldProblem> {
    crate::import::parse_date(raw)
        .map_err(|message| FieldProblem::new("", Rule::DateFormat, message).with("value", raw))
}

/// A whole number from `min` to `max`, or the problem that names the range.
pub fn whole_number(raw: &str, min: i64, max: i64) -> Result<i64, FieldProblem> {
    in_range(raw, min, max, Rule::NumberRange, "a whole number")
}

/// A year from `min` to `max`.
pub fn year(raw: &str, min: i32, max: i32) -> Result<i32, FieldProblem> {
    in_range(raw, min.into(), max.into(), Rule::YearRange, "a year").map(|y| y as i32)
}

fn in_range(raw: &str, min: i64, max: i64, rule: Rule, what: &str) -> Result<i64, FieldProblem> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(FieldProblem::new(
            "",
            rule,
            format!("'{raw}' is not {what} from {min} to {max}"),
        )
        .with("value", raw)
        .with("min", min)
        .with("max", max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_errors_name_their_field_rule_and_values() {
        let p = crate::CaseState::parse("lost").map_err(|e| e.at("state"));
        let p = p.err().map(|p| {
            (
                p.field,
                p.rule,
                p.values[0].clone(),
                p.values[1].1.contains("under-assessment"),
            )
        });
        assert_eq!(
            p,
            Some(("state".into(), Rule::OneOf, ("value", "lost".into()), true))
        );
        assert_eq!(
            whole_number("501", 1, 500).map_err(|e| e.rule),
            Err(Rule::NumberRange)
        );
        assert_eq!(whole_number(" 7 ", 1, 500), Ok(7));
        assert_eq!(
            year("1983", 1984, 2100).map_err(|e| e.rule),
            Err(Rule::YearRange)
        );
        assert_eq!(
            date("2026-02-30").map_err(|e| e.rule),
            Err(Rule::DateFormat)
        );
        let c = crate::CountryCode::parse("XX").map_err(|e| e.at("hostCountry"));
        assert_eq!(
            c.map_err(|e| (e.rule, e.values)),
            Err((Rule::CountryCode, vec![("value", "XX".to_string())]))
        );
    }
}
