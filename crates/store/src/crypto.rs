//! Encryption at rest of special-category data (AES-256-GCM). Keys come from
//! configuration, each with an id stored beside the ciphertext, so keys can be
//! rotated: the first key encrypts, every listed key decrypts.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::fmt;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "the data key setting must be 'ID:BASE64KEY', several separated by ';' with the current key first; {0}"
    )]
    BadSpec(String),
    #[error("no data key is configured, so special-category data cannot be stored or read")]
    NoKey,
    #[error("the data was encrypted with key '{0}', which is not configured")]
    UnknownKey(String),
    #[error("stored ciphertext is damaged or was moved to another record")]
    Damaged,
}

/// The configured data keys; the first encrypts.
#[derive(Clone)]
pub struct DataKeys {
    keys: Vec<(String, Aes256Gcm)>,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("DataKeys").field("ids", &ids).finish()
    }
}

impl DataKeys {
    /// Parses `ID:BASE64;ID:BASE64…` (32-byte keys), current key first.
    pub fn parse(spec: &str) -> Result<Self, KeyError> {
        let mut keys = Vec::new();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part
                .split_once(':')
                .ok_or_else(|| KeyError::BadSpec("a key lacks its 'ID:' prefix".into()))?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(KeyError::BadSpec(format!(
                    "key id '{id}' must be letters, digits or '-'"
                )));
            }
            let bytes = B64
                .decode(b64.trim())
                .map_err(|_| KeyError::BadSpec(format!("key '{id}' is not base64")))?;
            if bytes.len() != 32 {
                return Err(KeyError::BadSpec(format!(
                    "key '{id}' must be 32 bytes, not {}",
                    bytes.len()
                )));
            }
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| KeyError::BadSpec(format!("key '{id}' must be 32 bytes")))?;
            keys.push((id.to_string(), cipher));
        }
        if keys.is_empty() {
            return Err(KeyError::BadSpec("no key given".into()));
        }
        Ok(Self { keys })
    }

    /// A new random key with `id`, as a key setting string.
    pub fn generate_spec(id: &str) -> String {
        let key = Aes256Gcm::generate_key(&mut OsRng);
        format!("{id}:{}", B64.encode(key))
    }

    pub fn current_id(&self) -> &str {
        self.keys.first().map_or("", |(id, _)| id.as_str())
    }

    /// Encrypts `plaintext`, bound to `aad` (the record it belongs to).
    pub fn encrypt(&self, plaintext: &str, aad: &[u8]) -> Result<String, KeyError> {
        let (id, cipher) = self.keys.first().ok_or(KeyError::NoKey)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad,
                },
            )
            .map_err(|_| KeyError::Damaged)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{id}:{}", B64.encode(blob)))
    }

    /// Decrypts a value made by [`Self::encrypt`] with the same `aad`.
    pub fn decrypt(&self, stored: &str, aad: &[u8]) -> Result<String, KeyError> {
        let (id, b64) = stored.split_once(':').ok_or(KeyError::Damaged)?;
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| KeyError::UnknownKey(id.to_string()))?;
        let blob = B64.decode(b64).map_err(|_| KeyError::Damaged)?;
        if blob.len() < 12 {
            return Err(KeyError::Damaged);
        }
        let (nonce, ct) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| KeyError::Damaged)?;
        let plain = cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| KeyError::Damaged)?;
        String::from_utf8(plain).map_err(|_| KeyError::Damaged)
    }

    /// Whether `stored` was encrypted with the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .split_once(':')
            .is_some_and(|(id, _)| id == self.current_id())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_bound_to_its_record_and_rotatable() {
        let old = DataKeys::generate_spec("k1");
        let keys = DataKeys::parse(&old).unwrap();
        let c = keys.encrypt("Christian", b"case-1/religion").unwrap();
        assert!(!c.contains("Christian"));
        assert_eq!(keys.decrypt(&c, b"case-1/religion").unwrap(), "Christian");
        assert_eq!(keys.decrypt(&c, b"case-2/religion"), Err(KeyError::Damaged));

        let rotated = DataKeys::parse(&format!("{};{old}", DataKeys::generate_spec("k2"))).unwrap();
        assert_eq!(
            rotated.decrypt(&c, b"case-1/religion").unwrap(),
            "Christian"
        );
        assert!(!rotated.is_current(&c));
        let again = rotated.encrypt("Christian", b"case-1/religion").unwrap();
        assert!(again.starts_with("k2:") && rotated.is_current(&again));
        let without_old = DataKeys::parse(&DataKeys::generate_spec("k3")).unwrap();
        assert_eq!(
            without_old.decrypt(&c, b"case-1/religion"),
            Err(KeyError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn bad_settings_are_explained() {
        assert!(matches!(DataKeys::parse(""), Err(KeyError::BadSpec(_))));
        assert!(matches!(
            DataKeys::parse("k1:notbase64!"),
            Err(KeyError::BadSpec(_))
        ));
        assert!(matches!(
            DataKeys::parse("k1:AAAA"),
            Err(KeyError::BadSpec(_))
        ));
        assert!(
            format!(
                "{:?}",
                DataKeys::parse(&DataKeys::generate_spec("k9")).unwrap()
            )
            .contains("k9")
        );
    }
}
