//! What UNHCR submits: case number, priority, categories, and how the case
//! reaches the Netherlands (programme and track).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use thiserror::Error;

/// A UNHCR case number: the three-letter code of the UNHCR office, a dash, the
/// two-digit year of registration, `C`, and five or six digits: `EGY-24C01234`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "EGY-24C01234"))]
pub struct CaseNumber(String);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("'{0}' is not a UNHCR case number of the form EGY-24C01234")]
pub struct CaseNumberError(pub String);

impl CaseNumber {
    pub fn parse(raw: &str) -> Result<Self, CaseNumberError> {
        let s = raw.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        // 3 letters, '-', 2 digits, 'C', then 5 or 6 digits: 12 or 13 bytes.
        let ok = (12..=13).contains(&b.len())
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3] == b'-'
            && b[4..6].iter().all(u8::is_ascii_digit)
            && b[6] == b'C'
            && b[7..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(s))
        } else {
            Err(CaseNumberError(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CaseNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Declares a closed vocabulary whose wire form is kebab-case, with parsing that
/// names the allowed values in its error.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, crate::submission::VocabularyError> {
                match raw.trim() {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(crate::submission::VocabularyError {
                        value: raw.to_string(),
                        allowed: vec![$($wire),+],
                    }),
                }
            }
        }

        // Written by hand: derived schemas would show the Rust names, not the wire values.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

/// A value outside a closed vocabulary.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("'{value}' is not one of: {}", allowed.join(", "))]
pub struct VocabularyError {
    pub value: String,
    pub allowed: Vec<&'static str>,
}

vocabulary!(
    /// UNHCR submission priority, with its processing target.
    SubmissionPriority {
        Emergency = "emergency",
        Urgent = "urgent",
        Normal = "normal",
    }
);

impl SubmissionPriority {
    /// UNHCR's target from submission to departure, in days
    /// (emergency about 7 days, urgent about 6 weeks, normal about 12 months).
    pub fn target_days(&self) -> i64 {
        match self {
            Self::Emergency => 7,
            Self::Urgent => 42,
            Self::Normal => 365,
        }
    }
}

vocabulary!(
    /// The seven UNHCR resettlement submission categories.
    SubmissionCategory {
        LegalPhysicalProtection = "legal-physical-protection",
        WomenGirlsAtRisk = "women-girls-at-risk",
        ChildrenAdolescentsAtRisk = "children-adolescents-at-risk",
        SurvivorsOfViolenceTorture = "survivors-of-violence-torture",
        MedicalNeeds = "medical-needs",
        FamilyReunification = "family-reunification",
        LackOfAlternativeDurableSolutions = "lack-of-alternative-durable-solutions",
    }
);

vocabulary!(
    /// The programme under which a case is admitted. Only the national quota
    /// counts toward the national quota; migration cooperation (today only the
    /// EU-Turkey Statement) is kept apart.
    Programme {
        NationalQuota = "national-quota",
        EuTurkey = "eu-turkey",
    }
);

vocabulary!(
    /// How a case is selected: in person on a selection mission, or from the
    /// dossier (urgent and emergency cases from anywhere, against the
    /// unearmarked reservation).
    Track {
        SelectionMission = "selection-mission",
        Dossier = "dossier",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers() {
        assert!(CaseNumber::parse("EGY-24C01234").is_ok());
        assert!(CaseNumber::parse("lbn-20c123456").is_ok());
        assert!(CaseNumber::parse("EGY-24C1234").is_err());
        assert!(CaseNumber::parse("EGY-24X01234").is_err());
        assert!(CaseNumber::parse("EG-24C01234").is_err());
        assert!(CaseNumber::parse("EGY-24C0123456").is_err());
        assert!(CaseNumber::parse("").is_err());
    }

    #[test]
    fn vocabularies_round_trip_and_name_the_allowed_values() {
        for p in SubmissionCategory::ALL {
            assert_eq!(SubmissionCategory::parse(p.as_str()), Ok(*p));
        }
        let err = SubmissionPriority::parse("asap")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("'asap' is not one of: emergency, urgent, normal")
        );
    }
}
