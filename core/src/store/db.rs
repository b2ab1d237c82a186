//! One writer, one reader, closures for each: the application-services pattern.
//!
//! SQLite allows one writer at a time; serialising writes in-process (a mutex around
//! the writer connection) avoids `SQLITE_BUSY` altogether. WAL lets the reader see the
//! last committed state while a write is in progress, so a list screen never waits for
//! a sync.

use super::{StoreError, schema};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock left the connection usable (SQLite rolls back the
    // open transaction when it is dropped), so a poisoned lock is recovered, not fatal.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Database {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&writer)?;
        // WAL is persistent in the file; set once by the writer.
        writer.pragma_update(None, "journal_mode", "WAL")?;
        schema::migrate(&mut writer)?;
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&reader)?;
        Ok(Database {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the read connection.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        f(&lock(&self.reader))
    }

    /// Runs `f` in one write transaction: committed if `f` returns `Ok`, rolled back
    /// otherwise, so a failed change leaves nothing half-written.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = lock(&self.writer);
        // IMMEDIATE takes the write lock up front: no upgrade deadlock with another process.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // NORMAL in WAL mode is durable against app crashes; a power cut may lose the
    // last commit, which the outbox then simply sends later.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Pages of products are read with IN lists of a few common sizes: keep their
    // prepared statements (each prepare costs tens of microseconds).
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(dir.path().join("t.sqlite3")).expect("open");
        let r: Result<(), StoreError> = db.write(|tx| {
            tx.execute(
                "INSERT INTO products (id, name, price_idr, created_at, updated_at) VALUES ('a', 'x', 1, 0, 0)",
                [],
            )?;
            Err(StoreError::Corrupt("simulated failure after the insert".into()))
        });
        assert!(r.is_err());
        let n: i64 = db
            .read(|c| c.query_row("SELECT count(*) FROM products", [], |r| r.get(0)))
            .expect("count");
        assert_eq!(n, 0);
    }

    #[test]
    fn opens_in_wal_mode_and_reader_sees_commits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(dir.path().join("nested/dir/t.sqlite3")).expect("open");
        let mode: String = db
            .read(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
            .expect("mode");
        assert_eq!(mode, "wal");
        db.write(|tx| {
            tx.execute(
                "INSERT INTO products (id, name, price_idr, created_at, updated_at) VALUES ('a', 'x', 1, 0, 0)",
                [],
            )
            .map_err(StoreError::from)
        })
        .expect("insert");
        let n: i64 = db
            .read(|c| c.query_row("SELECT count(*) FROM products", [], |r| r.get(0)))
            .expect("count");
        assert_eq!(n, 1);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_storage_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.sqlite3");
        std::fs::write(&path, b"this is not sqlite, it is a photo someone renamed").expect("write");
        let e = Database::open(&path).err().expect("must fail");
        let msg = e.user_message();
        assert!(msg.id.contains("rusak"), "{msg:?}");
        // And the file is left as it was: we never overwrite what we cannot read.
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"this is not sqlite, it is a photo someone renamed"
        );
    }
}
