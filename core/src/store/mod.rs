//! The on-device store: one SQLite database per account, WAL, one writer.

mod db;
pub mod schema;

pub use db::Database;

use crate::i18n::Text;
use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the data folder: {0}")]
    Io(#[from] std::io::Error),
    /// The database was written by a newer app (the user downgraded). We refuse to touch
    /// it rather than corrupt it.
    #[error("database schema version {found} is newer than this app ({supported})")]
    TooNew { found: u32, supported: u32 },
    /// A migration failed; it was rolled back and the data is as it was before.
    #[error("migration to version {version} failed: {source}")]
    Migration {
        version: u32,
        #[source]
        source: rusqlite::Error,
    },
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

impl StoreError {
    fn sqlite_code(&self) -> Option<ErrorCode> {
        match self {
            StoreError::Sqlite(e) | StoreError::Migration { source: e, .. } => {
                e.sqlite_error_code()
            }
            _ => None,
        }
    }

    pub(crate) fn user_message(&self) -> Text {
        match (self, self.sqlite_code()) {
            (_, Some(ErrorCode::DiskFull)) => Text::new(
                "Memori HP penuh. Kosongkan sebagian ruang lalu coba lagi.",
                "Phone storage is full. Free some space and try again.",
            ),
            (StoreError::TooNew { .. }, _) => Text::new(
                "Data dibuat oleh versi aplikasi yang lebih baru. Perbarui aplikasi.",
                "The data was written by a newer version of the app. Please update.",
            ),
            (_, Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase))
            | (StoreError::Corrupt(_), _) => Text::new(
                "Data di HP rusak dan tidak bisa dibaca.",
                "The data on this phone is damaged and cannot be read.",
            ),
            _ => Text::new(
                "Gagal menyimpan atau membaca data di HP. Coba lagi.",
                "Could not save or read data on this phone. Please try again.",
            ),
        }
    }
}
