//! Case members: the principal applicant and the family members who travel
//! with them.

use crate::country::{CountryCode, Nationality};
use crate::ids::PersonId;
use crate::submission::vocabulary;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Month};

/// A date of birth: never in the future (relative to the date passed in) and
/// never before 1900.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Date))]
pub struct DateOfBirth(Date);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DateOfBirthError {
    #[error("date of birth {0} lies in the future")]
    InFuture(Date),
    #[error("date of birth {0} lies before 1900")]
    TooEarly(Date),
}

impl DateOfBirth {
    pub fn new(date: Date, today: Date) -> Result<Self, DateOfBirthError> {
        let earliest = Date::from_calendar_date(1900, Month::January, 1).unwrap_or(Date::MIN);
        if date > today {
            Err(DateOfBirthError::InFuture(date))
        } else if date < earliest {
            Err(DateOfBirthError::TooEarly(date))
        } else {
            Ok(Self(date))
        }
    }

    /// Rebuilds a stored value that was valid when it was recorded.
    pub fn from_stored(date: Date) -> Self {
        Self(date)
    }

    pub fn date(&self) -> Date {
        self.0
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        let mut age = on.year() - self.0.year();
        if (on.month() as u8, on.day()) < (self.0.month() as u8, self.0.day()) {
            age -= 1;
        }
        age.max(0)
    }
}

vocabulary!(
    /// Sex as recorded in the identity document (`unspecified` is ICAO's X).
    Sex {
        Female = "female",
        Male = "male",
        Unspecified = "unspecified",
    }
);

vocabulary!(
    /// Relationship of a member to the principal applicant of the case.
    Relationship {
        PrincipalApplicant = "principal-applicant",
        Spouse = "spouse",
        Child = "child",
        Parent = "parent",
        Sibling = "sibling",
        Grandparent = "grandparent",
        Grandchild = "grandchild",
        OtherRelative = "other-relative",
        Dependant = "dependant",
    }
);

vocabulary!(
    /// Kind of identity document.
    DocumentKind {
        Passport = "passport",
        NationalId = "national-id",
        UnhcrCertificate = "unhcr-certificate",
        BirthCertificate = "birth-certificate",
        TravelDocument = "travel-document",
        Other = "other",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdentityDocument {
    pub kind: DocumentKind,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
}

/// One person in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub sex: Sex,
    pub nationality: Nationality,
    pub relationship: Relationship,
    pub documents: Vec<IdentityDocument>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_of_birth_cannot_lie_in_the_future() {
        let today = date!(2025 - 03 - 01);
        assert!(DateOfBirth::new(date!(2025 - 03 - 01), today).is_ok());
        assert_eq!(
            DateOfBirth::new(date!(2025 - 03 - 02), today),
            Err(DateOfBirthError::InFuture(date!(2025 - 03 - 02)))
        );
        assert!(DateOfBirth::new(date!(1899 - 12 - 31), today).is_err());
    }

    #[test]
    fn age_counts_whole_years() {
        let dob = DateOfBirth::from_stored(date!(2000 - 06 - 15));
        assert_eq!(dob.age_on(date!(2025 - 06 - 14)), 24);
        assert_eq!(dob.age_on(date!(2025 - 06 - 15)), 25);
    }
}
