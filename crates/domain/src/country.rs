//! Countries (ISO 3166-1 alpha-3) and nationality, which may be "stateless".

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use thiserror::Error;

/// A country by its ISO 3166-1 alpha-3 code, e.g. `EGY`, `LBN`, `SYR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 3]);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("'{0}' is not an ISO 3166-1 alpha-3 country code (for example EGY, LBN, SYR)")]
pub struct CountryCodeError(pub String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, CountryCodeError> {
        let upper = raw.trim().to_ascii_uppercase();
        match isocountry::CountryCode::for_alpha3(&upper) {
            Ok(_) => {
                let b = upper.as_bytes();
                Ok(Self([b[0], b[1], b[2]]))
            }
            Err(_) => Err(CountryCodeError(raw.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// English short name, e.g. "Egypt".
    pub fn name(&self) -> &'static str {
        isocountry::CountryCode::for_alpha3(self.as_str())
            .map(|c| c.name())
            .unwrap_or("unknown")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Nationality of a person: a country, or stateless. Stateless is written `XXA`,
/// the code ICAO Doc 9303 uses for stateless persons in travel documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nationality {
    Country(CountryCode),
    Stateless,
}

impl Nationality {
    pub const STATELESS_CODE: &'static str = "XXA";

    pub fn parse(raw: &str) -> Result<Self, CountryCodeError> {
        let t = raw.trim();
        if t.eq_ignore_ascii_case(Self::STATELESS_CODE) || t.eq_ignore_ascii_case("stateless") {
            Ok(Self::Stateless)
        } else {
            CountryCode::parse(t).map(Self::Country)
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Country(c) => c.as_str(),
            Self::Stateless => Self::STATELESS_CODE,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Country(c) => c.name(),
            Self::Stateless => "Stateless",
        }
    }
}

impl fmt::Display for Nationality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Nationality {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Nationality {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    fn code(description: &str, example: &str) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Z]{3}$"))
            .description(Some(description))
            .examples([example])
            .into()
    }

    impl utoipa::PartialSchema for super::CountryCode {
        fn schema() -> RefOr<Schema> {
            code("ISO 3166-1 alpha-3 country code", "EGY")
        }
    }
    impl utoipa::ToSchema for super::CountryCode {}

    impl utoipa::PartialSchema for super::Nationality {
        fn schema() -> RefOr<Schema> {
            code(
                "ISO 3166-1 alpha-3 country code, or XXA for stateless (ICAO Doc 9303)",
                "SYR",
            )
        }
    }
    impl utoipa::ToSchema for super::Nationality {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_codes_case_insensitively() {
        assert_eq!(
            CountryCode::parse("egy").map(|c| c.to_string()),
            Ok("EGY".into())
        );
        assert_eq!(CountryCode::parse("LBN").map(|c| c.name()), Ok("Lebanon"));
    }

    #[test]
    fn refuses_unknown_and_alpha2_codes() {
        assert!(CountryCode::parse("EG").is_err());
        assert!(CountryCode::parse("ZZZ").is_err());
        assert!(CountryCode::parse("").is_err());
    }

    #[test]
    fn stateless_is_a_nationality_but_not_a_country() {
        assert_eq!(Nationality::parse("XXA"), Ok(Nationality::Stateless));
        assert_eq!(Nationality::parse("stateless"), Ok(Nationality::Stateless));
        assert!(CountryCode::parse("XXA").is_err());
    }
}
