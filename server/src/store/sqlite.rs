//! The SQLite backend: one writer connection behind a mutex, used from
//! `spawn_blocking` so a slow disk never stalls the async workers (one writer is what
//! SQLite allows anyway), and a few read-only connections beside it for pulls and
//! other reads: in WAL mode a reader sees every committed write and never waits for
//! the writer, so a burst of polls no longer queues behind a push.

use super::migrations::CREATE_VERSION_TABLE;
use super::{Account, Cleaned, CodeCheck, RateDecision, RateLimit, StoreError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Read-only connections of a file database: enough for the two to four cores of a
/// small server; each holds its own page cache.
const READERS: usize = 4;

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Empty for an in-memory database, which only its own connection can see.
    readers: Arc<[Arc<Mutex<Connection>>]>,
    next: Arc<AtomicUsize>,
}

impl SqliteStore {
    /// A file, or a private in-memory database for `None`.
    pub(super) fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path)?;
                // WAL lets readers (ours, a backup, an operator's sqlite3) work beside
                // the writer.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut readers = Vec::new();
        if let Some(path) = path {
            for _ in 0..READERS {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                reader.busy_timeout(std::time::Duration::from_secs(5))?;
                readers.push(Arc::new(Mutex::new(reader)));
            }
        }
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            readers: readers.into(),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The writer, for rules run through [`super::Store::transaction`].
    pub(super) fn connection(&self) -> Arc<Mutex<Connection>> {
        self.conn.clone()
    }

    /// A connection for a read: a free reader if there is one, else the next in turn
    /// (the writer for an in-memory database).
    pub(super) fn reader(&self) -> Arc<Mutex<Connection>> {
        let n = self.readers.len();
        if n == 0 {
            return self.conn.clone();
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..n)
            .map(|k| &self.readers[(start + k) % n])
            .find(|r| r.try_lock().is_ok());
        free.unwrap_or(&self.readers[start % n]).clone()
    }

    async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic mid-call rolled its transaction back when it unwound, so the
            // connection is still sound: carry on rather than fail every later request.
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::new(format!("sqlite task: {e}")))?
    }

    pub(super) async fn migrate(&self, migrations: &[(i64, &str)]) -> Result<usize, StoreError> {
        // Owned: the steps run on the connection's blocking thread.
        let migrations: Vec<(i64, String)> = migrations
            .iter()
            .map(|(version, sql)| (*version, (*sql).to_owned()))
            .collect();
        self.run(move |conn| {
            let mut applied = 0;
            for (version, sql) in &migrations {
                // IMMEDIATE takes the write lock first, so two processes on one file
                // cannot both decide a migration is missing.
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute_batch(CREATE_VERSION_TABLE)?;
                let done: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM schema_version WHERE version = ?1)",
                    [version],
                    |r| r.get(0),
                )?;
                if !done {
                    tx.execute_batch(sql)?;
                    tx.execute(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                        params![version, super::wall_clock_ms()],
                    )?;
                    applied += 1;
                }
                tx.commit()?;
            }
            Ok(applied)
        })
        .await
    }

    pub(super) async fn schema_version(&self) -> Result<i64, StoreError> {
        self.run(|conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub(super) async fn take_rate(
        &self,
        limits: Vec<RateLimit>,
        now: i64,
    ) -> Result<RateDecision, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(oldest) = limits.iter().map(|l| l.since).min() {
                tx.execute("DELETE FROM otp_requests WHERE at < ?1", [oldest])?;
            }
            for limit in &limits {
                let used: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM otp_requests WHERE key = ?1 AND at > ?2",
                    params![limit.key, limit.since],
                    |r| r.get(0),
                )?;
                if used >= i64::from(limit.max) {
                    // The next request fits once `used - max + 1` events have left the
                    // window: wait for the one at that offset from the oldest.
                    let at: i64 = tx.query_row(
                        "SELECT at FROM otp_requests WHERE key = ?1 AND at > ?2
                         ORDER BY at LIMIT 1 OFFSET ?3",
                        params![limit.key, limit.since, used - i64::from(limit.max)],
                        |r| r.get(0),
                    )?;
                    tx.commit()?; // keep the pruning
                    return Ok(RateDecision::Limited {
                        retry_after_ms: super::retry_after_ms(limit, at),
                    });
                }
            }
            for limit in &limits {
                tx.execute(
                    "INSERT INTO otp_requests (key, at) VALUES (?1, ?2)",
                    params![limit.key, now],
                )?;
            }
            tx.commit()?;
            Ok(RateDecision::Allowed)
        })
        .await
    }

    pub(super) async fn put_code(
        &self,
        phone: &str,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let (phone, code_hash) = (phone.to_owned(), code_hash.to_owned());
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO otp_codes (phone, code_hash, expires_at, attempts, created_at)
                 VALUES (?1, ?2, ?3, 0, ?4)
                 ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash,
                   expires_at = excluded.expires_at, attempts = 0, created_at = excluded.created_at",
                params![phone, code_hash, expires_at, now],
            )?;
            Ok(())
        })
        .await
    }

    pub(super) async fn check_code(
        &self,
        phone: &str,
        code_hash: &str,
        now: i64,
        max_attempts: i64,
    ) -> Result<CodeCheck, StoreError> {
        let (phone, code_hash) = (phone.to_owned(), code_hash.to_owned());
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(String, i64, i64)> = tx
                .query_row(
                    "SELECT code_hash, expires_at, attempts FROM otp_codes WHERE phone = ?1",
                    [&phone],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let check = super::judge_code(row, &code_hash, now, max_attempts);
            match check {
                CodeCheck::Accepted | CodeCheck::Expired => {
                    tx.execute("DELETE FROM otp_codes WHERE phone = ?1", [&phone])?;
                }
                CodeCheck::Wrong => {
                    tx.execute(
                        "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = ?1",
                        [&phone],
                    )?;
                }
                CodeCheck::Missing | CodeCheck::Locked => {}
            }
            tx.commit()?;
            Ok(check)
        })
        .await
    }

    pub(super) async fn sign_in(
        &self,
        phone: &str,
        new_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<String, StoreError> {
        let (phone, new_id, token_hash) =
            (phone.to_owned(), new_id.to_owned(), token_hash.to_owned());
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO accounts (id, phone, name, created_at) VALUES (?1, ?2, NULL, ?3)
                 ON CONFLICT (phone) DO NOTHING",
                params![new_id, phone, now],
            )?;
            let id: String =
                tx.query_row("SELECT id FROM accounts WHERE phone = ?1", [&phone], |r| {
                    r.get(0)
                })?;
            tx.execute(
                "INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, id, now, expires_at],
            )?;
            tx.commit()?;
            Ok(id)
        })
        .await
    }

    pub(super) async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Account>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT a.id, a.phone, a.name, a.created_at
                     FROM sessions s JOIN accounts a ON a.id = s.account_id
                     WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2",
                    params![token_hash, now],
                    |r| {
                        Ok(Account {
                            id: r.get(0)?,
                            phone: r.get(1)?,
                            name: r.get(2)?,
                            created_at: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub(super) async fn revoke_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let token_hash = token_hash.to_owned();
        self.run(move |conn| {
            let n = conn.execute(
                "UPDATE sessions SET revoked_at = ?2
                 WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2",
                params![token_hash, now],
            )?;
            Ok(n > 0)
        })
        .await
    }

    pub(super) async fn cleanup(
        &self,
        now: i64,
        rate_events_before: i64,
    ) -> Result<Cleaned, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let codes = tx.execute("DELETE FROM otp_codes WHERE expires_at <= ?1", [now])?;
            let sessions = tx.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1 OR revoked_at IS NOT NULL",
                [now],
            )?;
            let rate_events = tx.execute(
                "DELETE FROM otp_requests WHERE at < ?1",
                [rate_events_before],
            )?;
            tx.commit()?;
            Ok(Cleaned {
                codes: codes as u64,
                sessions: sessions as u64,
                rate_events: rate_events as u64,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Database, Store, StoreError};
    use crate::store::sql::Value;
    use std::time::Duration;

    /// A pull does not wait for a push: while a write transaction is open (and holds
    /// the writer), reads on the same file run and see what was committed before it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_go_on_beside_an_open_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&Database::Sqlite(dir.path().join("s.sqlite3")))
            .await
            .expect("open");
        store
            .transaction(|tx| {
                tx.execute("CREATE TABLE t (n BIGINT)", &[])?;
                tx.execute("INSERT INTO t VALUES (1)", &[])
            })
            .await
            .expect("setup");
        let (hold, held) = std::sync::mpsc::channel::<()>();
        let (began, begun) = tokio::sync::oneshot::channel::<()>();
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .transaction(move |tx| {
                        tx.execute("INSERT INTO t VALUES (2)", &[])?;
                        let _ = began.send(());
                        // Open until the test has read.
                        let _ = held.recv();
                        Ok::<_, StoreError>(())
                    })
                    .await
            })
        };
        begun.await.expect("the write began");
        let count = |store: Store| async move {
            store
                .read(|tx| tx.query("SELECT COUNT(*) FROM t", &[]))
                .await
                .expect("read")
        };
        for _ in 0..8 {
            let rows = tokio::time::timeout(Duration::from_secs(20), count(store.clone()))
                .await
                .expect("a read waited for the open write");
            assert_eq!(rows, vec![vec![Value::Int(1)]], "only what was committed");
        }
        hold.send(()).expect("release");
        writer.await.expect("join").expect("write");
        assert_eq!(count(store.clone()).await, vec![vec![Value::Int(2)]]);
    }
}
