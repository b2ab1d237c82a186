//! The PostgreSQL backend: a small fixed pool of connections, each behind its own async
//! mutex and reconnected when it drops (a database restart, a failover). Several server
//! instances may share one database: migrations and rate limits take advisory locks.

use super::migrations::CREATE_VERSION_TABLE;
use super::{Account, Cleaned, CodeCheck, RateDecision, RateLimit, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::{Client, NoTls};

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
    conns: Vec<Mutex<Option<Client>>>,
    next: AtomicUsize,
}

async fn connect(config: &tokio_postgres::Config) -> Result<Client, StoreError> {
    // TLS is for the deployment's network (a proxy or a sidecar); plain TCP here keeps
    // the dependency tree small.
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
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
    pub(super) async fn client(&self) -> Result<MutexGuard<'_, Option<Client>>, StoreError> {
        // A free connection if there is one (opened ones first, as they come round),
        // else wait for the next in turn.
        let n = self.inner.conns.len();
        let start = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..n).find_map(|k| self.inner.conns[(start + k) % n].try_lock().ok());
        let mut guard = match free {
            Some(guard) => guard,
            None => self.inner.conns[start % n].lock().await,
        };
        if guard.as_ref().is_none_or(Client::is_closed) {
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
