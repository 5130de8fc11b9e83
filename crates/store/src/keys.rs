//! The data keys' identity in the database, and their rotation.
//!
//! The store records the label and fingerprint of every key that encrypts
//! (`data_keys`). [`SqlStore::check_data_keys`] compares the configured keys
//! with that record before anything is written, so a missing key file or a
//! different key under a known label stops the start with an error that names
//! the key wanted, instead of new data being written under a new key while
//! the old data becomes unreadable.

use crate::crypto::{DataKeys, KeyError, label_of};
use crate::error::StoreError;
use crate::rows::special_binding;
use crate::sql::{BeginWrite, SqlStore, builder, on_pool};
use uuid::Uuid;

/// Rows re-encrypted per transaction: a rotation of a large database never
/// holds SQLite's write lock long enough to starve the store's writer.
const ROTATE_CHUNK: i64 = 500;

/// Rows read per round trip when proving that every value decrypts.
const VERIFY_CHUNK: i64 = 2_000;

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Values re-encrypted with the current key.
    pub rewritten: usize,
    /// Values read back afterwards with the current key alone.
    pub verified: usize,
    /// Configured keys other than the current one that no longer hold any
    /// value (they may be retired once the backups made before are expired).
    pub unused: Vec<String>,
}

/// One encrypted special-category value with what it is bound to.
type SpecialValue = (Uuid, i64, String, Option<i64>, String);

/// `LIKE` pattern of the values encrypted under `label` (labels are letters,
/// digits and `-`, so nothing in them needs escaping).
fn under(label: &str) -> String {
    format!("{label}:%")
}

impl SqlStore {
    /// Checks the configured data keys (none, for a command that reads no
    /// encrypted data) against the keys recorded in the database, and
    /// records the keys it can prove: refused, changing nothing, when
    ///
    /// - a recorded key that encrypted data still stored is not configured,
    /// - a configured key has a recorded label but another fingerprint, or a
    ///   recorded fingerprint under another label,
    /// - data stored before keys were recorded is under a label that is not
    ///   configured, or does not decrypt with the key of that label.
    ///
    /// The current key is recorded, so the next start can check it.
    pub async fn check_data_keys(&self) -> Result<(), StoreError> {
        let keys = self.keys.as_ref();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let recorded: Vec<(String, String)> =
                sqlx::query_as("SELECT label, fingerprint FROM data_keys ORDER BY label")
                    .fetch_all(&mut *tx)
                    .await?;
            for (label, fingerprint) in keys.iter().flat_map(|k| k.fingerprints()) {
                for (r_label, r_fingerprint) in &recorded {
                    if r_label == label && r_fingerprint != fingerprint {
                        return Err(KeyError::Different {
                            label: label.into(),
                            expected: r_fingerprint.clone(),
                            configured: fingerprint.into(),
                        }
                        .into());
                    }
                    if r_fingerprint == fingerprint && r_label != label {
                        return Err(KeyError::Relabelled {
                            label: label.into(),
                            fingerprint: fingerprint.into(),
                            recorded: r_label.clone(),
                        }
                        .into());
                    }
                }
            }
            for (label, fingerprint) in &recorded {
                if keys.and_then(|k| k.fingerprint_of(label)).is_some() {
                    continue;
                }
                let in_use: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM sensitive_data WHERE ciphertext LIKE $1 \
                     UNION ALL SELECT 1 FROM users WHERE totp_secret LIKE $1 LIMIT 1",
                )
                .bind(under(label))
                .fetch_optional(&mut *tx)
                .await?;
                if in_use.is_some() {
                    return Err(KeyError::Missing {
                        label: label.clone(),
                        fingerprint: Some(fingerprint.clone()),
                    }
                    .into());
                }
            }
            // Data written before keys were recorded: its key is proved by
            // decrypting one value per label, then recorded.
            let mut known: Vec<String> = recorded.iter().map(|(l, _)| l.clone()).collect();
            let mut proved: Vec<(String, String)> = Vec::new();
            loop {
                let mut q = builder(pool, "SELECT case_id, seq, category, member_position, ciphertext FROM sensitive_data WHERE 1 = 1");
                for label in &known {
                    q.push(" AND ciphertext NOT LIKE ").push_bind(under(label));
                }
                q.push(" LIMIT 1");
                let special: Option<SpecialValue> = q.build_query_as().fetch_optional(&mut *tx).await?;
                let mut q = builder(pool, "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL");
                for label in &known {
                    q.push(" AND totp_secret NOT LIKE ").push_bind(under(label));
                }
                q.push(" LIMIT 1");
                let secret: Option<(Uuid, String)> = if special.is_some() {
                    None
                } else {
                    q.build_query_as().fetch_optional(&mut *tx).await?
                };
                let (stored, binding, key) = match (special, secret) {
                    (Some((case, seq, category, member, c)), _) => {
                        let key = format!("{case}#{seq}");
                        (c, special_binding(case, seq, &category, member), ("sensitive_data", key, "ciphertext"))
                    }
                    (None, Some((user, s))) => {
                        (s, crate::accounts::totp_binding(user), ("users", user.to_string(), "totp_secret"))
                    }
                    (None, None) => break,
                };
                let Some(label) = label_of(&stored) else {
                    return Err(StoreError::Corrupt {
                        table: key.0,
                        key: key.1,
                        column: key.2,
                        message: "the value names no key".into(),
                    });
                };
                let Some(fingerprint) = keys.and_then(|k| k.fingerprint_of(label)) else {
                    return Err(KeyError::Missing { label: label.into(), fingerprint: None }.into());
                };
                if let Some(keys) = keys
                    && keys.decrypt(&stored, &binding).is_err()
                {
                    return Err(KeyError::DoesNotDecrypt { label: label.into() }.into());
                }
                known.push(label.to_string());
                proved.push((label.to_string(), fingerprint.to_string()));
            }
            if let Some((label, fingerprint)) = keys.and_then(|k| k.fingerprints().next())
                && !known.iter().any(|l| l == label)
            {
                proved.push((label.to_string(), fingerprint.to_string()));
            }
            let now = time::OffsetDateTime::now_utc();
            for (label, fingerprint) in proved {
                sqlx::query(
                    "INSERT INTO data_keys (label, fingerprint, recorded_at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(label)
                .bind(fingerprint)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The recorded keys: label and fingerprint, by label.
    pub async fn recorded_data_keys(&self) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT label, fingerprint FROM data_keys ORDER BY label")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Re-encrypts, in short transactions, every value that is not in the
    /// current form under the current key, after [checking the
    /// keys](Self::check_data_keys) (so a label always means the recorded
    /// fingerprint); then reads every value back with the current key alone
    /// and fails if any does not decrypt.
    pub(crate) async fn rotate(&self) -> Result<Rotation, StoreError> {
        let keys = self.keys()?.clone();
        self.check_data_keys().await?;
        let current = format!("{}:2:%", keys.current_id());
        let mut rewritten = 0;
        loop {
            let done = on_pool!(self, pool => {
                let mut tx = pool.begin_write().await?;
                let rows: Vec<SpecialValue> = sqlx::query_as(
                    "SELECT case_id, seq, category, member_position, ciphertext FROM sensitive_data \
                     WHERE ciphertext NOT LIKE $1 LIMIT $2",
                )
                .bind(&current)
                .bind(ROTATE_CHUNK)
                .fetch_all(&mut *tx)
                .await?;
                for (case, seq, category, member, ciphertext) in &rows {
                    let binding = special_binding(*case, *seq, category, *member);
                    let fresh = keys.encrypt(&keys.decrypt(ciphertext, &binding)?, &binding)?;
                    sqlx::query("UPDATE sensitive_data SET ciphertext = $1 WHERE case_id = $2 AND seq = $3")
                        .bind(fresh)
                        .bind(case)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                }
                let secrets: Vec<(Uuid, String)> = sqlx::query_as(
                    "SELECT id, totp_secret FROM users WHERE totp_secret NOT LIKE $1 LIMIT $2",
                )
                .bind(&current)
                .bind(ROTATE_CHUNK)
                .fetch_all(&mut *tx)
                .await?;
                for (user, secret) in &secrets {
                    let binding = crate::accounts::totp_binding(*user);
                    let fresh = keys.encrypt(&keys.decrypt(secret, &binding)?, &binding)?;
                    sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
                        .bind(fresh)
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                rewritten += rows.len() + secrets.len();
                rows.is_empty() && secrets.is_empty()
            });
            if done {
                break;
            }
        }
        let verified = self.verify_current_key(&keys.current_only()).await?;
        let mut unused = Vec::new();
        for (label, _) in keys.fingerprints().skip(1) {
            let in_use: Option<i32> = on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT 1 FROM sensitive_data WHERE ciphertext LIKE $1 \
                     UNION ALL SELECT 1 FROM users WHERE totp_secret LIKE $1 LIMIT 1",
                )
                .bind(under(label))
                .fetch_optional(pool)
                .await?
            });
            if in_use.is_none() {
                unused.push(label.to_string());
            }
        }
        Ok(Rotation {
            rewritten,
            verified,
            unused,
        })
    }

    /// Decrypts every stored value with `current` alone; the number read, or
    /// the first value that does not decrypt.
    async fn verify_current_key(&self, current: &DataKeys) -> Result<usize, StoreError> {
        let mut verified = 0;
        let mut after = (Uuid::nil(), -1_i64);
        loop {
            let rows: Vec<SpecialValue> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT case_id, seq, category, member_position, ciphertext FROM sensitive_data \
                     WHERE case_id > $1 OR (case_id = $1 AND seq > $2) ORDER BY case_id, seq LIMIT $3",
                )
                .bind(after.0)
                .bind(after.1)
                .bind(VERIFY_CHUNK)
                .fetch_all(pool)
                .await?
            });
            let full = rows.len() as i64 == VERIFY_CHUNK;
            for (case, seq, category, member, ciphertext) in rows {
                let binding = special_binding(case, seq, &category, member);
                current.decrypt(&ciphertext, &binding).map_err(|e| {
                    unreadable("sensitive_data", format!("{case}#{seq}"), "ciphertext", e)
                })?;
                after = (case, seq);
                verified += 1;
            }
            if !full {
                break;
            }
        }
        let secrets: Vec<(Uuid, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
                .fetch_all(pool)
                .await?
        });
        for (user, secret) in secrets {
            current
                .decrypt(&secret, &crate::accounts::totp_binding(user))
                .map_err(|e| unreadable("users", user.to_string(), "totp_secret", e))?;
            verified += 1;
        }
        Ok(verified)
    }
}

/// A value that the current key does not decrypt after a rotation.
fn unreadable(table: &'static str, key: String, column: &'static str, e: KeyError) -> StoreError {
    StoreError::Corrupt {
        table,
        key,
        column,
        message: format!("does not decrypt with the current key after the rotation: {e}"),
    }
}
