//! Encryption at rest of special-category data and second-factor secrets
//! (AES-256-GCM). Keys come from configuration, each with a label stored
//! beside the ciphertext, so keys can be rotated: the first key encrypts,
//! every listed key decrypts.
//!
//! A key also has an identity, its [fingerprint](DataKeys::fingerprints): the
//! store records the fingerprint of every key that encrypts, so that a
//! missing or different key file is noticed at start instead of silently
//! replaced (see `SqlStore::check_data_keys`).
//!
//! Every ciphertext is bound to its place by the associated data: a
//! second-factor secret to its account, a special-category value to its
//! case, position, category and family member, so a value copied onto
//! another record no longer decrypts. Values written before that binding
//! (`LABEL:BASE64`) are still read with their old binding until `keys
//! rotate` rewrites them in the current form (`LABEL:2:BASE64`).

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "the data key setting must be 'LABEL:BASE64KEY', several separated by ';' with the current key first; {0}"
    )]
    BadSpec(String),
    #[error("no data key is configured, so special-category data cannot be stored or read")]
    NoKey,
    #[error("the data was encrypted with key '{0}', which is not configured")]
    UnknownKey(String),
    #[error("stored ciphertext is damaged or was moved to another record")]
    Damaged,
    #[error(
        "the database holds data encrypted with key '{label}' ({}), which is not configured: restore that key (RESETTLE_DATA_KEY or the key file backed up with the database); starting with another key would leave that data unreadable",
        fingerprint.as_deref().map_or_else(|| "fingerprint not yet recorded".to_string(), |f| format!("fingerprint {f}"))
    )]
    Missing {
        label: String,
        fingerprint: Option<String>,
    },
    #[error(
        "the configured key '{label}' has fingerprint {configured}, but the database's key '{label}' has fingerprint {expected}: this is another key; configure the one with fingerprint {expected}"
    )]
    Different {
        label: String,
        expected: String,
        configured: String,
    },
    #[error(
        "the configured key '{label}' does not decrypt the data stored under '{label}': it is not the key that data was encrypted with"
    )]
    DoesNotDecrypt { label: String },
    #[error(
        "the configured key '{label}' (fingerprint {fingerprint}) is recorded in the database as key '{recorded}': give a key one label only"
    )]
    Relabelled {
        label: String,
        fingerprint: String,
        recorded: String,
    },
}

/// One configured key.
#[derive(Clone)]
struct Key {
    label: String,
    fingerprint: String,
    cipher: Aes256Gcm,
}

/// The configured data keys; the first encrypts.
#[derive(Clone)]
pub struct DataKeys {
    keys: Vec<Key>,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material; labels and fingerprints reveal nothing of it.
        let ids: Vec<(&str, &str)> = self
            .keys
            .iter()
            .map(|k| (k.label.as_str(), k.fingerprint.as_str()))
            .collect();
        f.debug_struct("DataKeys").field("keys", &ids).finish()
    }
}

/// The fingerprint of 32 bytes of key material: the first 16 bytes of a
/// SHA-256 over a domain tag and the key, in hex. It names the key without
/// revealing anything of it.
fn fingerprint(key: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"resettle-data-key-fingerprint-v1");
    h.update(key);
    hex::encode(&h.finalize()[..16])
}

/// Where the current form of a stored value begins, after its label.
const BOUND: &str = "2:";

/// What a stored value is bound to: its place now, and (for values written
/// before the binding) the associated data it was written with then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    current: Vec<u8>,
    legacy: Vec<u8>,
}

impl Binding {
    /// Bound to `current`; values of the older form were bound to `legacy`.
    pub fn new(current: impl Into<Vec<u8>>, legacy: impl Into<Vec<u8>>) -> Self {
        Self {
            current: current.into(),
            legacy: legacy.into(),
        }
    }
}

impl DataKeys {
    /// Parses `LABEL:BASE64;LABEL:BASE64…` (32-byte keys), current key first.
    /// A label or a key given twice is refused.
    pub fn parse(spec: &str) -> Result<Self, KeyError> {
        let mut keys: Vec<Key> = Vec::new();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part
                .split_once(':')
                .ok_or_else(|| KeyError::BadSpec("a key lacks its 'LABEL:' prefix".into()))?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(KeyError::BadSpec(format!(
                    "key label '{id}' must be letters, digits or '-'"
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
            let fingerprint = fingerprint(&bytes);
            if let Some(k) = keys.iter().find(|k| k.label == id) {
                return Err(KeyError::BadSpec(format!(
                    "the label '{}' is given twice; every key needs a label of its own (make new keys with 'resettle keys generate')",
                    k.label
                )));
            }
            if let Some(k) = keys.iter().find(|k| k.fingerprint == fingerprint) {
                return Err(KeyError::BadSpec(format!(
                    "keys '{}' and '{id}' are the same key (fingerprint {fingerprint})",
                    k.label
                )));
            }
            keys.push(Key {
                label: id.to_string(),
                fingerprint,
                cipher,
            });
        }
        if keys.is_empty() {
            return Err(KeyError::BadSpec("no key given".into()));
        }
        Ok(Self { keys })
    }

    /// A new random key with `label`, as a key setting string.
    pub fn generate_spec(label: &str) -> String {
        let key = Aes256Gcm::generate_key(&mut OsRng);
        format!("{label}:{}", B64.encode(key))
    }

    /// A new random key under a new random label (`k` and 12 hex digits), so
    /// two keys made anywhere never share a label.
    pub fn generate() -> String {
        let mut bytes = [0u8; 6];
        OsRng.fill_bytes(&mut bytes);
        Self::generate_spec(&format!("k{}", hex::encode(bytes)))
    }

    pub fn current_id(&self) -> &str {
        self.keys.first().map_or("", |k| k.label.as_str())
    }

    /// The label and fingerprint of every configured key, current first.
    pub fn fingerprints(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .map(|k| (k.label.as_str(), k.fingerprint.as_str()))
    }

    /// The fingerprint of the key labelled `label`, if configured.
    pub fn fingerprint_of(&self, label: &str) -> Option<&str> {
        self.fingerprints()
            .find(|(l, _)| *l == label)
            .map(|(_, f)| f)
    }

    /// The current key alone (to prove that everything reads without the others).
    pub fn current_only(&self) -> Self {
        Self {
            keys: self.keys.iter().take(1).cloned().collect(),
        }
    }

    /// Encrypts `plaintext` with the current key, bound to `binding.current`.
    pub fn encrypt(&self, plaintext: &str, binding: &Binding) -> Result<String, KeyError> {
        let key = self.keys.first().ok_or(KeyError::NoKey)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = key
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &binding.current,
                },
            )
            .map_err(|_| KeyError::Damaged)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{}:{BOUND}{}", key.label, B64.encode(blob)))
    }

    /// Decrypts a value made by [`Self::encrypt`] with the same binding (or
    /// a value of the older form, with the binding it was written with).
    pub fn decrypt(&self, stored: &str, binding: &Binding) -> Result<String, KeyError> {
        let (id, rest) = stored.split_once(':').ok_or(KeyError::Damaged)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.label == id)
            .ok_or_else(|| KeyError::UnknownKey(id.to_string()))?;
        let (b64, aad) = match rest.strip_prefix(BOUND) {
            Some(b64) => (b64, binding.current.as_slice()),
            None => (rest, binding.legacy.as_slice()),
        };
        let blob = B64.decode(b64).map_err(|_| KeyError::Damaged)?;
        if blob.len() < 12 {
            return Err(KeyError::Damaged);
        }
        let (nonce, ct) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| KeyError::Damaged)?;
        let plain = key
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| KeyError::Damaged)?;
        String::from_utf8(plain).map_err(|_| KeyError::Damaged)
    }

    /// Whether `stored` is in the current form under the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .split_once(':')
            .is_some_and(|(id, rest)| id == self.current_id() && rest.starts_with(BOUND))
    }
}

/// The label a stored value was encrypted under.
pub fn label_of(stored: &str) -> Option<&str> {
    stored.split_once(':').map(|(label, _)| label)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(place: &str) -> Binding {
        Binding::new(format!("now/{place}"), format!("then/{place}"))
    }

    #[test]
    fn round_trip_bound_to_its_record_and_rotatable() {
        let old = DataKeys::generate_spec("k1");
        let keys = DataKeys::parse(&old).unwrap();
        let c = keys.encrypt("Christian", &at("case-1")).unwrap();
        assert!(!c.contains("Christian") && c.starts_with("k1:2:"));
        assert_eq!(keys.decrypt(&c, &at("case-1")).unwrap(), "Christian");
        assert_eq!(keys.decrypt(&c, &at("case-2")), Err(KeyError::Damaged));

        let rotated = DataKeys::parse(&format!("{};{old}", DataKeys::generate_spec("k2"))).unwrap();
        assert_eq!(rotated.decrypt(&c, &at("case-1")).unwrap(), "Christian");
        assert!(!rotated.is_current(&c));
        let again = rotated.encrypt("Christian", &at("case-1")).unwrap();
        assert!(again.starts_with("k2:") && rotated.is_current(&again));
        let without_old = DataKeys::parse(&DataKeys::generate_spec("k3")).unwrap();
        assert_eq!(
            without_old.decrypt(&c, &at("case-1")),
            Err(KeyError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn values_of_the_older_form_read_with_their_old_binding_and_are_not_current() {
        let keys = DataKeys::parse(&DataKeys::generate_spec("k1")).unwrap();
        // The older form: `LABEL:BASE64`, bound to the legacy associated data.
        let key = &keys.keys[0];
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = key
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: b"asthma",
                    aad: b"then/case-1",
                },
            )
            .unwrap();
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        let legacy = format!("k1:{}", B64.encode(blob));
        assert_eq!(keys.decrypt(&legacy, &at("case-1")).unwrap(), "asthma");
        assert_eq!(keys.decrypt(&legacy, &at("case-2")), Err(KeyError::Damaged));
        assert!(!keys.is_current(&legacy), "rotation rewrites it bound");
        // A bound value relabelled as the older form does not decrypt.
        let bound = keys.encrypt("asthma", &at("case-1")).unwrap();
        let downgraded = bound.replacen(":2:", ":", 1);
        assert_eq!(
            keys.decrypt(&downgraded, &at("case-1")),
            Err(KeyError::Damaged)
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
        let k9 = DataKeys::parse(&DataKeys::generate_spec("k9")).unwrap();
        let shown = format!("{k9:?}");
        assert!(shown.contains("k9") && shown.contains(k9.fingerprint_of("k9").unwrap()));
    }

    #[test]
    fn a_label_or_a_key_given_twice_is_refused() {
        let a = DataKeys::generate_spec("k2");
        let b = DataKeys::generate_spec("k2");
        let err = DataKeys::parse(&format!("{a};{b}")).unwrap_err();
        assert!(err.to_string().contains("'k2' is given twice"), "{err}");
        let same = a.replacen("k2:", "k3:", 1);
        let err = DataKeys::parse(&format!("{a};{same}")).unwrap_err();
        assert!(err.to_string().contains("are the same key"), "{err}");
    }

    #[test]
    fn generated_keys_have_random_labels_and_distinct_fingerprints() {
        let specs: Vec<String> = (0..50).map(|_| DataKeys::generate()).collect();
        let keys = DataKeys::parse(&specs.join(";")).unwrap();
        let labels: std::collections::HashSet<&str> = keys.fingerprints().map(|(l, _)| l).collect();
        assert_eq!(labels.len(), 50);
        for (label, fp) in keys.fingerprints() {
            assert!(label.starts_with('k') && label.len() == 13, "{label}");
            assert_eq!(fp.len(), 32);
        }
    }

    #[test]
    fn the_fingerprint_is_stable_and_names_the_key_material() {
        // Pinned: fingerprints recorded in databases must stay comparable.
        let spec = format!("a:{}", B64.encode([7u8; 32]));
        let keys = DataKeys::parse(&spec).unwrap();
        assert_eq!(keys.fingerprint_of("a").unwrap(), PINNED_FINGERPRINT);
        let relabelled = DataKeys::parse(&spec.replacen("a:", "b:", 1)).unwrap();
        assert_eq!(relabelled.fingerprint_of("b").unwrap(), PINNED_FINGERPRINT);
    }

    /// Cross-checked with Python's hashlib over the same bytes.
    const PINNED_FINGERPRINT: &str = "b73a0df07202c73dd0a068e978273f83";
}
