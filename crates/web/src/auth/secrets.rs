//! Password hashing (argon2id), second-factor codes (TOTP, RFC 6238) and the
//! random tokens behind sessions and API access, stored only as hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// [`hash_password`] on tokio's blocking threads: argon2 spends tens of
/// milliseconds of CPU by design, which on an async worker would stall every
/// other request sharing it.
pub async fn hash_password_off_workers(password: &str) -> Result<String, String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| format!("cannot hash the password: {e}"))?
}

/// [`verify_password`] on tokio's blocking threads (see [`hash_password_off_workers`]).
pub async fn verify_password_off_workers(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .unwrap_or(false)
}

/// A random secret string (256 bits, URL-safe).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A password an administrator hands over once: 16 characters in four
/// groups, from letters and digits that cannot be mistaken for one another
/// (about 79 bits). The account must replace it at its next login.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(19);
    let mut taken = 0;
    while taken < 16 {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        // Only bytes below a multiple of the alphabet's size, so each character is equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if taken == 16 {
                break;
            }
            if taken > 0 && taken % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[b % ALPHABET.len()]));
            taken += 1;
        }
    }
    out
}

/// How tokens are stored: SHA-256, hex. (They are random, so no salt is needed.)
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new second-factor secret, base32 as authenticator apps expect.
pub fn new_totp_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// Whether `code` is valid at `unix_time` (one 30-second step of drift allowed).
pub fn check_totp(secret_base32: &str, code: &str, unix_time: u64) -> bool {
    totp(secret_base32).is_some_and(|t| t.check(code.trim(), unix_time))
}

/// The time step (30-second period since 1970) whose code `code` is, within
/// one step of drift of `unix_time`; the caller stores it so that the code
/// cannot be used again.
pub fn totp_step(secret_base32: &str, code: &str, unix_time: u64) -> Option<u64> {
    let t = totp(secret_base32)?;
    let code = code.trim().as_bytes();
    let now = unix_time / 30;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| {
            let expected = t.generate(step * 30);
            // Compared in constant time, like the library's own check.
            expected.len() == code.len()
                && expected
                    .bytes()
                    .zip(code)
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

/// The current code (for tests and the demo's printed instructions).
pub fn totp_code(secret_base32: &str, unix_time: u64) -> Option<String> {
    totp(secret_base32).map(|t| t.generate(unix_time))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn temporary_passwords_are_long_readable_and_differ() {
        let (a, b) = (temporary_password(), temporary_password());
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert_eq!(a.split('-').map(str::len).collect::<Vec<_>>(), [4, 4, 4, 4]);
        assert!(
            a.chars()
                .all(|c| c == '-' || "abcdefghjkmnpqrstuvwxyz23456789".contains(c))
        );
    }

    #[test]
    fn passwords_hash_with_salt_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_ne!(h, hash_password("correct horse battery").unwrap());
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn totp_codes_check_within_one_step() {
        let s = new_totp_secret();
        let code = totp_code(&s, 1_800_000_000).unwrap();
        assert!(check_totp(&s, &code, 1_800_000_000));
        assert!(check_totp(&s, &code, 1_800_000_029));
        assert!(!check_totp(&s, &code, 1_800_000_000 + 120));
        assert!(!check_totp(&s, "000000x", 1_800_000_000));
    }

    #[test]
    fn a_code_names_its_step() {
        let s = new_totp_secret();
        let code = totp_code(&s, 1_800_000_000).unwrap();
        assert_eq!(totp_step(&s, &code, 1_800_000_010), Some(60_000_000));
        assert_eq!(totp_step(&s, &code, 1_800_000_035), Some(60_000_000));
        assert_eq!(totp_step(&s, &code, 1_800_000_100), None);
        assert_eq!(totp_step(&s, "12345", 1_800_000_000), None);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
