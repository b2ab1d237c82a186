//! Where photo files live: a folder on local disk (the default, beside the SQLite
//! file), memory (tests, the demo), or S3-compatible object storage for deployments
//! with several server instances. All three through `object_store`, so the rules in
//! [`super`] are written once.

use bytes::Bytes;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::store::Database;

/// `PASAR_PHOTOS_URL`: where the files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoStorage {
    /// A folder, created if missing.
    Dir(PathBuf),
    /// Gone when the server stops.
    Memory,
    /// `s3://bucket` or `s3://bucket/prefix`; credentials, region and endpoint from the
    /// usual `AWS_*` variables (`AWS_ENDPOINT` for MinIO, R2 and the like;
    /// `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint on a private network).
    S3 { bucket: String, prefix: String },
}

impl PhotoStorage {
    /// Reads `memory:`, `s3://bucket[/prefix]`, `file:DIR` or a plain folder path.
    pub fn from_url(url: &str) -> Result<PhotoStorage, String> {
        let url = url.trim();
        if url == "memory:" {
            return Ok(PhotoStorage::Memory);
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err("an s3:// photo store needs a bucket: s3://bucket/prefix".into());
            }
            return Ok(PhotoStorage::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if url.contains("://") {
            return Err("the photo store must be a folder, memory: or s3://bucket/prefix".into());
        }
        let dir = url.strip_prefix("file:").unwrap_or(url);
        if dir.is_empty() {
            return Err("the photo store needs a folder".into());
        }
        Ok(PhotoStorage::Dir(PathBuf::from(dir)))
    }

    /// With nothing set: a folder beside the SQLite file, memory beside an in-memory
    /// database, and `pasar-photos` in the working folder beside PostgreSQL (several
    /// instances should share an `s3://` store instead; the server says so at start).
    pub fn default_for(database: &Database) -> PhotoStorage {
        match database {
            Database::Memory => PhotoStorage::Memory,
            Database::Sqlite(path) => {
                let mut dir = path.clone().into_os_string();
                dir.push(".photos");
                PhotoStorage::Dir(PathBuf::from(dir))
            }
            Database::Postgres(_) => PhotoStorage::Dir(PathBuf::from("pasar-photos")),
        }
    }

    /// Opens the store; an `s3://` one is configured by the process's `AWS_*` variables.
    pub fn open(&self) -> Result<Blobs, String> {
        self.open_with(&std::env::vars().collect::<Vec<_>>())
    }

    /// [`Self::open`] with the `AWS_*` settings given (`AWS_ENDPOINT`,
    /// `AWS_ACCESS_KEY_ID`, ...: object_store's names), for tests and embedders.
    pub fn open_with(&self, env: &[(String, String)]) -> Result<Blobs, String> {
        let store: Arc<dyn ObjectStore> = match self {
            PhotoStorage::Memory => Arc::new(InMemory::new()),
            PhotoStorage::Dir(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot make the photo folder {}: {e}", dir.display()))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| format!("photo folder {}: {e}", dir.display()))?,
                )
            }
            PhotoStorage::S3 { bucket, .. } => {
                // reqwest is built without a TLS crypto provider of its own (no aws-lc C
                // build); ring is ours. Installing it twice is harmless.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder = AmazonS3Builder::new();
                for (key, value) in env {
                    // As AmazonS3Builder::from_env reads them, from a list we are given.
                    if key.starts_with("AWS_")
                        && let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
                    {
                        builder = builder.with_config(key, value);
                    }
                }
                Arc::new(
                    builder
                        .with_bucket_name(bucket)
                        .build()
                        .map_err(|e| format!("photo store s3://{bucket}: {e}"))?,
                )
            }
        };
        let prefix = match self {
            PhotoStorage::S3 { prefix, .. } => prefix.clone(),
            _ => String::new(),
        };
        Ok(Blobs { store, prefix })
    }
}

impl fmt::Display for PhotoStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhotoStorage::Dir(dir) => write!(f, "{}", dir.display()),
            PhotoStorage::Memory => f.write_str("memory:"),
            PhotoStorage::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// The opened store: whole files in, whole files out (photos are small: the phone has
/// already made them at most a few hundred kilobytes).
#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

/// A storage failure; its text is for the log.
#[derive(Debug)]
pub struct BlobError(pub String);

impl fmt::Display for BlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<object_store::Error> for BlobError {
    fn from(e: object_store::Error) -> Self {
        BlobError(e.to_string())
    }
}

impl Blobs {
    pub fn memory() -> Blobs {
        Blobs {
            store: Arc::new(InMemory::new()),
            prefix: String::new(),
        }
    }

    fn path(&self, key: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), BlobError> {
        self.store
            .put(&self.path(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The file, or `None` if there is none under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, BlobError> {
        match self.store.get(&self.path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deleting what is not there is not an error (a retried cleanup).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_folder_memory_or_a_bucket() {
        assert_eq!(PhotoStorage::from_url("memory:"), Ok(PhotoStorage::Memory));
        assert_eq!(
            PhotoStorage::from_url("s3://pasar-photos/prod/"),
            Ok(PhotoStorage::S3 {
                bucket: "pasar-photos".into(),
                prefix: "prod".into()
            })
        );
        assert_eq!(
            PhotoStorage::from_url("file:/srv/photos"),
            Ok(PhotoStorage::Dir("/srv/photos".into()))
        );
        assert_eq!(
            PhotoStorage::from_url("photos"),
            Ok(PhotoStorage::Dir("photos".into()))
        );
        assert!(PhotoStorage::from_url("s3://").is_err());
        assert!(PhotoStorage::from_url("gs://bucket").is_err());
        assert!(PhotoStorage::from_url("").is_err());
    }

    #[test]
    fn the_default_sits_beside_the_database() {
        assert_eq!(
            PhotoStorage::default_for(&Database::Sqlite("data/pasar.sqlite3".into())),
            PhotoStorage::Dir("data/pasar.sqlite3.photos".into())
        );
        assert_eq!(
            PhotoStorage::default_for(&Database::Memory),
            PhotoStorage::Memory
        );
    }

    #[tokio::test]
    async fn files_go_in_and_come_out_of_a_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let blobs = PhotoStorage::Dir(dir.path().join("photos"))
            .open()
            .expect("open");
        assert_eq!(blobs.get("photos/ab").await.expect("get"), None);
        blobs
            .put("photos/ab", Bytes::from_static(b"jpeg"))
            .await
            .expect("put");
        assert_eq!(
            blobs.get("photos/ab").await.expect("get").as_deref(),
            Some(&b"jpeg"[..])
        );
        blobs.delete("photos/ab").await.expect("delete");
        blobs.delete("photos/ab").await.expect("again");
        assert_eq!(blobs.get("photos/ab").await.expect("get"), None);
    }
}
