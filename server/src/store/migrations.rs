//! The schema, as numbered migrations. Both backends run the same SQL (kept to what
//! SQLite and PostgreSQL both read); a migration is never edited once released, a
//! change is a new entry at the end.

/// `(version, SQL)`, in order. Versions start at 1 and have no gaps.
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "
    CREATE TABLE accounts (
        id         TEXT PRIMARY KEY,
        phone      TEXT NOT NULL UNIQUE,   -- E.164
        name       TEXT,
        created_at BIGINT NOT NULL
    );
    -- At most one live code per number: asking again replaces it (and its attempts).
    CREATE TABLE otp_codes (
        phone      TEXT PRIMARY KEY,
        code_hash  TEXT NOT NULL,          -- SHA-256, never the code
        expires_at BIGINT NOT NULL,
        attempts   BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL
    );
    -- One row per code request, per limited key (number, client address).
    CREATE TABLE otp_requests (
        key TEXT NOT NULL,
        at  BIGINT NOT NULL
    );
    CREATE INDEX otp_requests_key_at ON otp_requests (key, at);
    CREATE INDEX otp_requests_at ON otp_requests (at);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,       -- SHA-256 of the bearer token, never the token
        account_id TEXT NOT NULL REFERENCES accounts (id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT
    );
    CREATE INDEX sessions_account ON sessions (account_id);
    ",
)];

/// The schema version a current server runs on.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version    BIGINT PRIMARY KEY,
    applied_at BIGINT NOT NULL
)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (i, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
        }
    }
}
