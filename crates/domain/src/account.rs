//! Personal accounts: names, password rules and the lockout after failed logins.

use crate::access::Role;
use crate::ids::UserId;
use crate::submission::vocabulary;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

/// A login name: 3 to 40 lower-case letters, digits, '.', '-' or '_'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("'{0}' is not a user name: use 3 to 40 lower-case letters, digits, '.', '-' or '_'")]
    BadUsername(String),
    #[error(
        "the password must have at least 12 characters and not be one of the names of the account"
    )]
    WeakPassword,
    #[error("the password repeats too few characters: use at least 5 different ones")]
    MonotonousPassword,
    #[error(
        "the password is a well-known one ('{0}' with digits or signs): choose one that is hard to guess"
    )]
    CommonPassword(String),
    #[error("role {0} needs an organisation (the municipality, organisation or UNHCR office)")]
    NeedsOrganisation(Role),
}

impl Username {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = (3..=40).contains(&s.len())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(Self(s))
        } else {
            Err(AccountError::BadUsername(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Words that, dressed up with digits or signs, make the passwords guessed
/// first ("Wachtwoord2024!", "Welkom123456"): Dutch and English.
const COMMON_WORDS: &[&str] = &[
    "password",
    "wachtwoord",
    "welkom",
    "welcome",
    "qwerty",
    "azerty",
    "letmein",
    "admin",
    "administrator",
    "beheerder",
    "resettle",
    "iloveyou",
    "geheim",
    "secret",
    "changeme",
    "default",
    "test",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "summer",
    "spring",
    "autumn",
    "voetbal",
    "football",
    "monkey",
    "dragon",
    "master",
    "login",
    "inloggen",
];

/// Checks the password rules of the security baseline: long enough, not the
/// account's own name, not one character repeated, and not a well-known
/// password dressed up with digits or signs.
pub fn check_password(
    password: &str,
    username: &Username,
    display_name: &str,
) -> Result<(), AccountError> {
    let lower = password.to_lowercase();
    let weak = password.chars().count() < 12
        || lower.contains(username.as_str())
        || (!display_name.trim().is_empty() && lower.contains(&display_name.trim().to_lowercase()));
    if weak {
        return Err(AccountError::WeakPassword);
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Err(AccountError::MonotonousPassword);
    }
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    match COMMON_WORDS
        .iter()
        .find(|w| letters == **w || letters == w.repeat(2))
    {
        Some(word) => Err(AccountError::CommonPassword((*word).to_string())),
        None => Ok(()),
    }
}

/// A personal account (never shared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub organisation: Option<String>,
    /// Whether the account logs in with a time-based one-time code.
    pub second_factor: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub removed_at: Option<OffsetDateTime>,
    /// The last successful login (for the access review's dormant accounts).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_login_at: Option<OffsetDateTime>,
}

impl User {
    /// Checks that the role's organisation rule holds.
    pub fn validate(&self) -> Result<(), AccountError> {
        if self.role.needs_organisation()
            && self
                .organisation
                .as_deref()
                .is_none_or(|o| o.trim().is_empty())
        {
            return Err(AccountError::NeedsOrganisation(self.role));
        }
        Ok(())
    }
}

/// Failed logins allowed before the account is locked.
pub const FREE_ATTEMPTS: u32 = 5;

/// How long an account stays locked after `failed` consecutive failed logins:
/// nothing for the first few, then doubling from one minute up to an hour.
pub fn lockout_after(failed: u32) -> Option<Duration> {
    let over = failed.checked_sub(FREE_ATTEMPTS)?;
    Some(Duration::minutes((1i64 << over.min(6)).min(60)))
}

vocabulary!(
    /// What an API token may do.
    TokenScope {
        Read = "read",
        Write = "write",
    }
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_passwords() {
        assert!(Username::parse("coa.officer-1").is_ok());
        assert!(Username::parse("Al").is_err());
        assert!(Username::parse("a b c").is_err());
        let u = Username::parse("jdevries").unwrap();
        assert!(check_password("correct horse battery", &u, "Jan de Vries").is_ok());
        assert!(check_password("short", &u, "").is_err());
        assert!(check_password("my name is jdevries!", &u, "").is_err());
        assert_eq!(
            check_password("aaaaaaaaaaaaaaaa", &u, ""),
            Err(AccountError::MonotonousPassword)
        );
        assert_eq!(
            check_password("121212121212", &u, ""),
            Err(AccountError::MonotonousPassword)
        );
        assert_eq!(
            check_password("Wachtwoord2024!", &u, ""),
            Err(AccountError::CommonPassword("wachtwoord".into()))
        );
        assert_eq!(
            check_password("Welkom123456", &u, ""),
            Err(AccountError::CommonPassword("welkom".into()))
        );
        assert!(check_password("wachtwoord van de molen 7", &u, "").is_ok());
    }

    #[test]
    fn lockout_grows_and_is_capped() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::minutes(1)));
        assert_eq!(lockout_after(7), Some(Duration::minutes(4)));
        assert_eq!(lockout_after(50), Some(Duration::minutes(60)));
    }
}
