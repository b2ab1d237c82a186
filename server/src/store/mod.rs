//! The server's storage: one [`Store`] the routes use, on an embedded SQLite file (the
//! default: nothing to install) or on PostgreSQL (several server instances on one
//! database). Both run the same versioned migrations and pass the same tests.
//!
//! Times are milliseconds since the Unix epoch, passed in by the caller so tests can
//! move the clock.

mod migrations;
mod postgres;
pub(crate) mod sql;
mod sqlite;

use std::fmt;
use std::path::PathBuf;

pub use migrations::{LATEST_VERSION, MIGRATIONS};

/// Which database to use, from `PASAR_DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A private in-memory SQLite database, gone when the server stops (tests, demo).
    Memory,
    /// A `postgres://` URL.
    Postgres(String),
}

impl Default for Database {
    fn default() -> Self {
        Database::Sqlite(PathBuf::from("pasar-server.sqlite3"))
    }
}

impl Database {
    /// Reads `sqlite:PATH`, `sqlite::memory:`, or `postgres://...` / `postgresql://...`.
    pub fn from_url(url: &str) -> Result<Database, String> {
        if url == "sqlite::memory:" {
            Ok(Database::Memory)
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            // Both `sqlite:file.db` and `sqlite://file.db` are common spellings.
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("PASAR_DATABASE_URL `sqlite:` needs a file path".to_owned());
            }
            Ok(Database::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres(url.to_owned()))
        } else {
            Err(
                "PASAR_DATABASE_URL must start with sqlite: or postgres:// (for example sqlite:pasar-server.sqlite3)"
                    .to_owned(),
            )
        }
    }
}

impl fmt::Display for Database {
    /// For logs: never prints a PostgreSQL password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Database::Memory => f.write_str("sqlite::memory:"),
            Database::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                let host = host.split(['/', '?']).next().unwrap_or_default();
                write!(f, "postgres://{host}")
            }
        }
    }
}

/// A storage failure. Its text is for the server's log, never for the client.
#[derive(Debug)]
pub struct StoreError(String);

impl StoreError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        StoreError(message.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("sqlite: {e}"))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError(format!("postgres: {e}"))
    }
}

/// A signed-up user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    /// E.164, `+62...`.
    pub phone: String,
    pub name: Option<String>,
    pub created_at: i64,
}

/// What became of a one-time code someone typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right and in time; the code is used up.
    Accepted,
    /// Wrong; one attempt fewer left.
    Wrong,
    /// Too old; the code is gone.
    Expired,
    /// No code was asked for this number (or it was used already).
    Missing,
    /// Too many wrong tries: refused even if right, until a new code is asked for.
    Locked,
}

/// One rate limit to check and charge: at most `max` events for `key` after `since`
/// (an event exactly a window ago has left the window).
#[derive(Clone, Debug)]
pub struct RateLimit {
    pub key: String,
    pub max: u32,
    pub since: i64,
}

/// The verdict of [`Store::take_rate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateDecision {
    /// Within every limit; the event was charged.
    Allowed,
    /// A limit is exhausted; nothing was charged. A request is allowed again after
    /// `retry_after_ms` (when enough of the counted events have left the window).
    Limited { retry_after_ms: i64 },
}

/// What one [`Store::cleanup`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// One-time codes past their expiry (never typed in, or abandoned after wrong tries).
    pub codes: u64,
    /// Sessions that expired or were revoked: they can never open anything again.
    pub sessions: u64,
    /// Rate-limit events older than the longest window: they no longer count.
    pub rate_events: u64,
}

/// The storage the routes use. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        let store = match database {
            Database::Sqlite(path) => Store::Sqlite(sqlite::SqliteStore::open(Some(path))?),
            Database::Memory => Store::Sqlite(sqlite::SqliteStore::open(None)?),
            Database::Postgres(url) => Store::Postgres(postgres::PgStore::open(url).await?),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations not applied yet, each in its own transaction; returns how
    /// many ran (0 when the schema is current). Safe to run from several servers at once.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        self.migrate_with(MIGRATIONS).await
    }

    /// [`Store::migrate`] with the list given: `open` runs [`MIGRATIONS`]; a test runs
    /// them with a broken step added, to see a failed upgrade roll back whole and leave
    /// the schema version and the data as they were. Each step's SQL and its version
    /// row commit together or not at all; the steps before a failed one stay applied.
    pub async fn migrate_with(&self, migrations: &[(i64, &str)]) -> Result<usize, StoreError> {
        match self {
            Store::Sqlite(s) => s.migrate(migrations).await,
            Store::Postgres(s) => s.migrate(migrations).await,
        }
    }

    /// The highest migration applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.schema_version().await,
            Store::Postgres(s) => s.schema_version().await,
        }
    }

    /// Charges one event to every limit if none is exhausted; charges nothing otherwise
    /// and says when to come back. Drops events older than the oldest `since`.
    pub async fn take_rate(
        &self,
        limits: Vec<RateLimit>,
        now: i64,
    ) -> Result<RateDecision, StoreError> {
        match self {
            Store::Sqlite(s) => s.take_rate(limits, now).await,
            Store::Postgres(s) => s.take_rate(limits, now).await,
        }
    }

    /// Stores a fresh code for `phone`, replacing any earlier one (and its attempts).
    pub async fn put_code(
        &self,
        phone: &str,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.put_code(phone, code_hash, expires_at, now).await,
            Store::Postgres(s) => s.put_code(phone, code_hash, expires_at, now).await,
        }
    }

    /// Checks a typed code against the stored one, counting the attempt.
    pub async fn check_code(
        &self,
        phone: &str,
        code_hash: &str,
        now: i64,
        max_attempts: i64,
    ) -> Result<CodeCheck, StoreError> {
        match self {
            Store::Sqlite(s) => s.check_code(phone, code_hash, now, max_attempts).await,
            Store::Postgres(s) => s.check_code(phone, code_hash, now, max_attempts).await,
        }
    }

    /// Finds the account of `phone`, creating it with `new_id` on first sign-in, and
    /// opens a session for it, in one transaction. Returns the account id.
    pub async fn sign_in(
        &self,
        phone: &str,
        new_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<String, StoreError> {
        match self {
            Store::Sqlite(s) => s.sign_in(phone, new_id, token_hash, now, expires_at).await,
            Store::Postgres(s) => s.sign_in(phone, new_id, token_hash, now, expires_at).await,
        }
    }

    /// The account of a live session (not expired, not revoked).
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Account>, StoreError> {
        match self {
            Store::Sqlite(s) => s.session_account(token_hash, now).await,
            Store::Postgres(s) => s.session_account(token_hash, now).await,
        }
    }

    /// Revokes a live session; false if there was none to revoke.
    pub async fn revoke_session(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.revoke_session(token_hash, now).await,
            Store::Postgres(s) => s.revoke_session(token_hash, now).await,
        }
    }
}

impl Store {
    /// Deletes what can never be used again: codes expired at `now`, sessions expired or
    /// revoked, and rate-limit events before `rate_events_before` (the start of the
    /// longest window). Run periodically (see `ops::cleanup`); safe to run from several
    /// servers on one database at once.
    pub async fn cleanup(&self, now: i64, rate_events_before: i64) -> Result<Cleaned, StoreError> {
        match self {
            Store::Sqlite(s) => s.cleanup(now, rate_events_before).await,
            Store::Postgres(s) => s.cleanup(now, rate_events_before).await,
        }
    }
}

/// When an exhausted limit lets a request through again, given the time of the counted
/// event that must leave the window first (see `take_rate`): it leaves once `window`
/// has passed since it, i.e. `at - since` from now.
fn retry_after_ms(limit: &RateLimit, at: i64) -> i64 {
    (at - limit.since).max(1)
}

/// Milliseconds since the epoch by the machine's clock (for bookkeeping such as when a
/// migration ran; request logic gets its time from the caller).
pub(crate) fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The verdict on a typed code, given the stored `(code_hash, expires_at, attempts)`;
/// shared so both backends decide alike.
fn judge_code(
    stored: Option<(String, i64, i64)>,
    code_hash: &str,
    now: i64,
    max_attempts: i64,
) -> CodeCheck {
    match stored {
        None => CodeCheck::Missing,
        Some((_, expires_at, _)) if now >= expires_at => CodeCheck::Expired,
        Some((_, _, attempts)) if attempts >= max_attempts => CodeCheck::Locked,
        Some((stored, _, _)) if constant_time_eq(stored.as_bytes(), code_hash.as_bytes()) => {
            CodeCheck::Accepted
        }
        Some(_) => CodeCheck::Wrong,
    }
}

/// Compares without stopping at the first difference, so timing says nothing about
/// how much of a hash matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_backend() {
        assert_eq!(Database::from_url("sqlite::memory:"), Ok(Database::Memory));
        assert_eq!(
            Database::from_url("sqlite:data/p.db"),
            Ok(Database::Sqlite(PathBuf::from("data/p.db")))
        );
        assert_eq!(
            Database::from_url("sqlite:///var/p.db"),
            Ok(Database::Sqlite(PathBuf::from("/var/p.db")))
        );
        assert!(matches!(
            Database::from_url("postgres://u:p@h:5/db"),
            Ok(Database::Postgres(_))
        ));
        assert!(Database::from_url("mysql://h/db").is_err());
        assert!(Database::from_url("sqlite:").is_err());
    }

    #[test]
    fn codes_are_judged_expiry_then_lock_then_match() {
        let row = |attempts| Some(("h".to_owned(), 100, attempts));
        assert_eq!(judge_code(None, "h", 0, 5), CodeCheck::Missing);
        assert_eq!(judge_code(row(0), "h", 100, 5), CodeCheck::Expired);
        assert_eq!(judge_code(row(5), "h", 99, 5), CodeCheck::Locked);
        assert_eq!(judge_code(row(4), "h", 99, 5), CodeCheck::Accepted);
        assert_eq!(judge_code(row(4), "x", 99, 5), CodeCheck::Wrong);
    }

    #[test]
    fn logs_never_show_a_database_password() {
        let db = Database::Postgres("postgres://pasar:s3cret@db.internal:5432/pasar".into());
        assert_eq!(db.to_string(), "postgres://db.internal:5432");
    }
}
