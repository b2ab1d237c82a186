//! The PostgreSQL backend: a small fixed pool of connections, each behind its own async
//! mutex and reconnected when it drops (a database restart, a failover). Several server
//! instances may share one database: migrations and rate limits take advisory locks.

use super::migrations::CREATE_VERSION_TABLE;
use super::{Account, Cleaned, CodeCheck, RateDecision, RateLimit, StoreError};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::{Client, NoTls, Statement};

/// Connections per server instance. Requests are short, but a pull waits on its
/// connection for a few round trips: with 4, 200 phones polling at once queued for a
/// connection (bench/run server). 16 per instance keeps many instances well inside
/// PostgreSQL's default 100 connections.
const POOL_SIZE: usize = 16;

/// Advisory lock key serialising migrations across instances ("pasar" in ASCII).
const MIGRATION_LOCK: i64 = 0x0070_6173_6172;

#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    config: tokio_postgres::Config,
    conns: Vec<Mutex<Option<Conn>>>,
    next: AtomicUsize,
}

/// Statements a connection keeps prepared. The rules' statements are a few dozen; a
/// page's document read has one text per page length, so the cache is bounded.
pub(super) const STATEMENT_CACHE: usize = 512;

/// One pooled connection and the statements prepared on it.
///
/// Why prepared: a statement sent as text is parsed, planned and described by the
/// database on every call, one round trip before it runs. A poll that finds news makes
/// three reads, so a prepared statement per SQL text halves its round trips and its
/// planning (bench/run server, PostgreSQL under a busy feed).
pub(super) struct Conn {
    client: Client,
    /// Keyed by the statement's text as the rules write it (`?1` placeholders).
    pub(super) statements: HashMap<String, Statement>,
}

impl Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Conn {
    /// The client and the statement cache, borrowed apart (a transaction holds the one
    /// while statements are prepared into the other).
    pub(super) fn split(&mut self) -> (&mut Client, &mut HashMap<String, Statement>) {
        (&mut self.client, &mut self.statements)
    }
}

async fn connect(config: &tokio_postgres::Config) -> Result<Conn, StoreError> {
    // TLS is for the deployment's network (a proxy or a sidecar); plain TCP here keeps
    // the dependency tree small.
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "postgres connection closed");
        }
    });
    Ok(Conn {
        client,
        statements: HashMap::new(),
    })
}

impl PgStore {
    pub(super) async fn open(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::new(format!("PASAR_DATABASE_URL: {e}")))?;
        // Connect one now so a wrong URL fails at start, not at the first request.
        let first = connect(&config).await?;
        let mut conns = Vec::with_capacity(POOL_SIZE);
        conns.push(Mutex::new(Some(first)));
        conns.extend((1..POOL_SIZE).map(|_| Mutex::new(None)));
        Ok(PgStore {
            inner: Arc::new(Inner {
                config,
                conns,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// A connection of the pool, opened (again) if needed, held until the guard drops.
    pub(super) async fn client(&self) -> Result<MutexGuard<'_, Option<Conn>>, StoreError> {
        // A free connection if there is one (opened ones first, as they come round),
        // else wait for the next in turn.
        let n = self.inner.conns.len();
        let start = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..n).find_map(|k| self.inner.conns[(start + k) % n].try_lock().ok());
        let mut guard = match free {
            Some(guard) => guard,
            None => self.inner.conns[start % n].lock().await,
        };
        // A new connection comes with an empty statement cache: statements are the
        // session's, gone with the old one.
        if guard.as_ref().is_none_or(|c| c.is_closed()) {
            *guard = Some(connect(&self.inner.config).await?);
        }
        Ok(guard)
    }

    pub(super) async fn migrate(&self, migrations: &[(i64, &str)]) -> Result<usize, StoreError> {
        let mut guard = self.client().await?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let mut applied = 0;
        for (version, sql) in migrations {
            let tx = client.transaction().await?;
            // Held to the end of the transaction: a second instance starting at the same
            // time waits here, then sees the migration done.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await?;
            tx.batch_execute(CREATE_VERSION_TABLE).await?;
            let done: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM schema_version WHERE version = $1)",
                    &[version],
                )
                .await?
                .get(0);
            if !done {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                    &[version, &super::wall_clock_ms()],
                )
                .await?;
                applied += 1;
            }
            tx.commit().await?;
        }
        Ok(applied)
    }

    pub(super) async fn schema_version(&self) -> Result<i64, StoreError> {
        let guard = self.client().await?;
        let client = guard
            .as_ref()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let row = client
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
                &[],
            )
            .await?;
        Ok(row.get(0))
    }

    pub(super) async fn take_rate(
        &self,
        mut limits: Vec<RateLimit>,
        now: i64,
    ) -> Result<RateDecision, StoreError> {
        let mut guard = self.client().await?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let tx = client.transaction().await?;
        // One lock per key, always taken in the same order so two requests sharing keys
        // cannot deadlock; it makes count-then-insert atomic across instances.
        limits.sort_by(|a, b| a.key.cmp(&b.key));
        for limit in &limits {
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1)::BIGINT)",
                &[&limit.key],
            )
            .await?;
        }
        if let Some(oldest) = limits.iter().map(|l| l.since).min() {
            tx.execute("DELETE FROM otp_requests WHERE at < $1", &[&oldest])
                .await?;
        }
        for limit in &limits {
            let used: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM otp_requests WHERE key = $1 AND at > $2",
                    &[&limit.key, &limit.since],
                )
                .await?
                .get(0);
            if used >= i64::from(limit.max) {
                // The next request fits once `used - max + 1` events have left the
                // window: wait for the one at that offset from the oldest.
                let at: i64 = tx
                    .query_one(
                        "SELECT at FROM otp_requests WHERE key = $1 AND at > $2
                         ORDER BY at LIMIT 1 OFFSET $3",
                        &[&limit.key, &limit.since, &(used - i64::from(limit.max))],
                    )
                    .await?
                    .get(0);
                tx.commit().await?; // keep the pruning
                return Ok(RateDecision::Limited {
                    retry_after_ms: super::retry_after_ms(limit, at),
                });
            }
        }
        for limit in &limits {
            tx.execute(
                "INSERT INTO otp_requests (key, at) VALUES ($1, $2)",
                &[&limit.key, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(RateDecision::Allowed)
    }

    pub(super) async fn put_code(
        &self,
        phone: &str,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let guard = self.client().await?;
        let client = guard
            .as_ref()
            .ok_or_else(|| StoreError::new("no connection"))?;
        client
            .execute(
                "INSERT INTO otp_codes (phone, code_hash, expires_at, attempts, created_at)
                 VALUES ($1, $2, $3, 0, $4)
                 ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash,
                   expires_at = excluded.expires_at, attempts = 0, created_at = excluded.created_at",
                &[&phone, &code_hash, &expires_at, &now],
            )
            .await?;
        Ok(())
    }

    pub(super) async fn check_code(
        &self,
        phone: &str,
        code_hash: &str,
        now: i64,
        max_attempts: i64,
    ) -> Result<CodeCheck, StoreError> {
        let mut guard = self.client().await?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let tx = client.transaction().await?;
        // FOR UPDATE: two guesses at once cannot both use the same remaining attempt.
        let row = tx
            .query_opt(
                "SELECT code_hash, expires_at, attempts FROM otp_codes WHERE phone = $1 FOR UPDATE",
                &[&phone],
            )
            .await?
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    r.get::<_, i64>(1),
                    r.get::<_, i64>(2),
                )
            });
        let check = super::judge_code(row, code_hash, now, max_attempts);
        match check {
            CodeCheck::Accepted | CodeCheck::Expired => {
                tx.execute("DELETE FROM otp_codes WHERE phone = $1", &[&phone])
                    .await?;
            }
            CodeCheck::Wrong => {
                tx.execute(
                    "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1",
                    &[&phone],
                )
                .await?;
            }
            CodeCheck::Missing | CodeCheck::Locked => {}
        }
        tx.commit().await?;
        Ok(check)
    }

    pub(super) async fn sign_in(
        &self,
        phone: &str,
        new_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<String, StoreError> {
        let mut guard = self.client().await?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO accounts (id, phone, name, created_at) VALUES ($1, $2, NULL, $3)
             ON CONFLICT (phone) DO NOTHING",
            &[&new_id, &phone, &now],
        )
        .await?;
        let id: String = tx
            .query_one("SELECT id FROM accounts WHERE phone = $1", &[&phone])
            .await?
            .get(0);
        tx.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[&token_hash, &id, &now, &expires_at],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Account>, StoreError> {
        let guard = self.client().await?;
        let client = guard
            .as_ref()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let row = client
            .query_opt(
                "SELECT a.id, a.phone, a.name, a.created_at
                 FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
                &[&token_hash, &now],
            )
            .await?;
        Ok(row.map(|r| Account {
            id: r.get(0),
            phone: r.get(1),
            name: r.get(2),
            created_at: r.get(3),
        }))
    }

    pub(super) async fn revoke_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let guard = self.client().await?;
        let client = guard
            .as_ref()
            .ok_or_else(|| StoreError::new("no connection"))?;
        let n = client
            .execute(
                "UPDATE sessions SET revoked_at = $2
                 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                &[&token_hash, &now],
            )
            .await?;
        Ok(n > 0)
    }

    pub(super) async fn cleanup(
        &self,
        now: i64,
        rate_events_before: i64,
    ) -> Result<Cleaned, StoreError> {
        let mut guard = self.client().await?;
        let client = guard
            .as_mut()
            .ok_or_else(|| StoreError::new("no connection"))?;
        // Plain deletes, no advisory lock: two servers cleaning at once delete disjoint
        // or already-deleted rows, and nothing reads a row that is about to go.
        let tx = client.transaction().await?;
        let codes = tx
            .execute("DELETE FROM otp_codes WHERE expires_at <= $1", &[&now])
            .await?;
        let sessions = tx
            .execute(
                "DELETE FROM sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL",
                &[&now],
            )
            .await?;
        let rate_events = tx
            .execute(
                "DELETE FROM otp_requests WHERE at < $1",
                &[&rate_events_before],
            )
            .await?;
        tx.commit().await?;
        Ok(Cleaned {
            codes,
            sessions,
            rate_events,
        })
    }
}

#[cfg(test)]
impl PgStore {
    /// Statements prepared on each opened connection of the pool.
    async fn prepared(&self) -> Vec<usize> {
        let mut counts = Vec::new();
        for conn in &self.inner.conns {
            if let Some(c) = conn.lock().await.as_ref() {
                counts.push(c.statements.len());
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Database, Store, StoreError};
    use super::{POOL_SIZE, STATEMENT_CACHE};
    use crate::store::sql::Value;

    /// A store on a schema of its own, or None when no test database is configured
    /// (CI always sets one; `PASAR_REQUIRE_POSTGRES=1` makes its absence fail).
    async fn store() -> Option<(Store, String, String)> {
        let admin = match std::env::var("PASAR_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert_ne!(
                    std::env::var("PASAR_REQUIRE_POSTGRES").as_deref(),
                    Ok("1"),
                    "PASAR_REQUIRE_POSTGRES=1 but PASAR_TEST_POSTGRES_URL is not set"
                );
                eprintln!("PostgreSQL test skipped: PASAR_TEST_POSTGRES_URL is not set");
                return None;
            }
        };
        let schema = format!("t_{}", pasar_core::id::new_id().replace('-', ""));
        run(&admin, &format!("CREATE SCHEMA {schema}")).await;
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::open(&Database::Postgres(url)).await.ok()?;
        Some((store, admin, schema))
    }

    async fn run(url: &str, sql: &str) {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        let conn = tokio::spawn(conn);
        client.batch_execute(sql).await.expect(sql);
        drop(client);
        let _ = conn.await;
    }

    async fn read(store: &Store, sql: &'static str) -> Result<Vec<Vec<Value>>, StoreError> {
        store.read(move |tx| tx.query(sql, &[])).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn statements_are_prepared_once_per_connection_and_renewed_when_stale() {
        let Some((store, admin, schema)) = store().await else {
            return;
        };
        let Store::Postgres(pg) = &store else {
            panic!("a PostgreSQL store")
        };
        run(
            &admin,
            &format!("CREATE TABLE {schema}.t (a BIGINT); INSERT INTO {schema}.t VALUES (7)"),
        )
        .await;
        // Sequential reads go round the pool: every connection runs it twice.
        for _ in 0..2 * POOL_SIZE {
            assert_eq!(
                read(&store, "SELECT * FROM t").await.expect("read"),
                vec![vec![Value::Int(7)]]
            );
        }
        assert_eq!(
            pg.prepared().await,
            vec![1; POOL_SIZE],
            "one statement per connection"
        );

        // Another instance's migration changes what the statement returns: every
        // connection prepares it afresh, and no read fails on the way.
        run(&admin, &format!("ALTER TABLE {schema}.t ADD COLUMN b TEXT")).await;
        for _ in 0..2 * POOL_SIZE {
            assert_eq!(
                read(&store, "SELECT * FROM t")
                    .await
                    .expect("read after the change"),
                vec![vec![Value::Int(7), Value::Null]]
            );
        }

        // Statement texts without end (a page's document read has one per length)
        // never grow a connection's cache past its bound.
        store
            .read(|tx| {
                for n in 0..STATEMENT_CACHE + 50 {
                    let sql = format!("SELECT a + {n} FROM t");
                    let rows = tx.query(&sql, &[])?;
                    assert_eq!(rows, vec![vec![Value::Int(7 + n as i64)]]);
                }
                Ok::<_, StoreError>(())
            })
            .await
            .expect("many statements");
        assert!(pg.prepared().await.iter().all(|&n| n <= STATEMENT_CACHE));
        run(&admin, &format!("DROP SCHEMA {schema} CASCADE")).await;
    }
}
