//! Support for tests that need a database of their own: a fresh SQLite file or
//! a fresh PostgreSQL database per test, so tests never see each other's data.

use crate::error::StoreError;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The variable naming the PostgreSQL server tests also run against.
pub const POSTGRES_ENV: &str = "RESETTLE_TEST_POSTGRES_URL";

/// A PostgreSQL database created for one test, dropped by [`Self::drop_database`].
pub struct ScratchPostgres {
    admin_url: String,
    name: String,
    pub url: String,
}

impl ScratchPostgres {
    /// Creates an empty database on the server of `admin_url`.
    pub async fn create(admin_url: &str) -> Result<Self, StoreError> {
        let name = format!("resettle_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
        let url = format!("{server}/{name}{query}");
        Ok(Self {
            admin_url: admin_url.to_string(),
            name,
            url,
        })
    }

    /// Drops the database, closing whatever connections are left.
    pub async fn drop_database(self) -> Result<(), StoreError> {
        let mut conn = PgConnection::connect(&self.admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}

/// The PostgreSQL URL for tests, if one is configured. When running under CI
/// (`CI` set) a missing URL is an error, so PostgreSQL is never skipped there.
pub fn postgres_url() -> Result<Option<String>, String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Ok(Some(url)),
        _ if std::env::var_os("CI").is_some() => Err(format!(
            "CI is set but {POSTGRES_ENV} is not: the PostgreSQL suite must run in CI"
        )),
        _ => {
            // Said once per test binary, on stderr directly (the test harness
            // captures print macros), so that nobody mistakes it for a pass.
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: {POSTGRES_ENV} is not set: these tests run on SQLite only; PostgreSQL is skipped"
                );
            });
            Ok(None)
        }
    }
}
