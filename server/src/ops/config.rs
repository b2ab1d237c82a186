//! The server's settings: built-in defaults, then an optional TOML file (`--config FILE`
//! or `PASAR_CONFIG`), then `PASAR_*` environment variables, each overriding the one
//! before (a container sets a few variables over a file shipped in the image).
//!
//! | file key                     | variable                        | default               |
//! |------------------------------|---------------------------------|-----------------------|
//! | `addr`                       | `PASAR_ADDR`                    | `127.0.0.1:8080`      |
//! | `database_url`               | `PASAR_DATABASE_URL`            | `sqlite:pasar-server.sqlite3` |
//! | `photos_url`                 | `PASAR_PHOTOS_URL`              | a folder beside the SQLite file |
//! | `log.format` (`text`/`json`) | `PASAR_LOG_FORMAT`              | `text`                |
//! | `log.filter`                 | `PASAR_LOG`                     | `info`                |
//! | `http.body_limit`            | `PASAR_BODY_LIMIT`              | 1 MiB (bytes)         |
//! | `http.request_timeout_secs`  | `PASAR_REQUEST_TIMEOUT_SECS`    | 30                    |
//! | `http.compression_min_bytes` | `PASAR_COMPRESSION_MIN_BYTES`   | 1024                  |
//! | `http.trusted_proxies`       | `PASAR_TRUSTED_PROXIES`         | 0                     |
//! | `http.shutdown_grace_secs`   | `PASAR_SHUTDOWN_GRACE_SECS`     | 30                    |
//! | `cleanup.interval_secs`      | `PASAR_CLEANUP_INTERVAL_SECS`   | 600 (0: never)        |
//!
//! Unknown keys in the file are errors (a typo must not silently keep a default), and
//! every error names the key or variable at fault.

use crate::photos::PhotoStorage;
use crate::store::Database;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server can be told. [`Default`] is what runs with nothing set.
#[derive(Clone, Debug)]
pub struct Settings {
    pub addr: SocketAddr,
    pub database: Database,
    /// Where photo files go; `None`: [`PhotoStorage::default_for`] the database.
    pub photos: Option<PhotoStorage>,
    pub log: LogSettings,
    pub http: HttpSettings,
    /// How often expired codes and dead sessions are deleted; zero never.
    pub cleanup_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: Database::default(),
            photos: None,
            log: LogSettings::default(),
            http: HttpSettings::default(),
            cleanup_interval: Duration::from_secs(600),
        }
    }
}

/// How the log looks; see `ops::logging`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    pub format: LogFormat,
    /// `tracing_subscriber::EnvFilter` syntax: `info`, `warn,pasar_server=debug`, ...
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: LogFormat::Text,
            filter: "info".to_owned(),
        }
    }
}

/// The HTTP layer's limits; see `ops::http`.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Largest request body a route reads, counted after decompression (so a small
    /// gzip cannot expand past it). Routes that take uploads set their own.
    pub body_limit: usize,
    /// A request that has not been answered by then gets 408 (a stuck client or a stuck
    /// database must not hold a connection forever).
    pub request_timeout: Duration,
    /// Responses smaller than this go uncompressed: below a packet, compressing saves
    /// nothing and costs the phone CPU.
    pub compression_min_bytes: u16,
    /// Reverse proxies in front of the server that append the client's address to
    /// `X-Forwarded-For`. Zero (the default) ignores the header: anyone can write it,
    /// so trusting it unasked would let a client pick its own rate-limit address.
    pub trusted_proxies: usize,
    /// After a stop signal, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            compression_min_bytes: 1024,
            trusted_proxies: 0,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Why the settings could not be loaded. The text names the file, key or variable.
#[derive(Debug)]
pub enum ConfigError {
    /// The settings file could not be read.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The settings file is not TOML, has an unknown key, or a value of the wrong type
    /// (the message names the key, with its line).
    File { path: PathBuf, message: String },
    /// A setting's value cannot be used. `key` is where it came from:
    /// `PASAR_ADDR`, or `addr (in pasar.toml)`.
    Invalid { key: String, message: String },
    /// The command line is not understood.
    Usage(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, error } => {
                write!(
                    f,
                    "cannot read the settings file {}: {error}",
                    path.display()
                )
            }
            ConfigError::File { path, message } => {
                write!(f, "settings file {}: {message}", path.display())
            }
            ConfigError::Invalid { key, message } => write!(f, "{key}: {message}"),
            ConfigError::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// The file's shape. Every key optional: the file sets only what it wants to.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    addr: Option<String>,
    database_url: Option<String>,
    photos_url: Option<String>,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    http: FileHttp,
    #[serde(default)]
    cleanup: FileCleanup,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<String>,
    filter: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileHttp {
    body_limit: Option<u64>,
    request_timeout_secs: Option<u64>,
    compression_min_bytes: Option<u64>,
    trusted_proxies: Option<u64>,
    shutdown_grace_secs: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileCleanup {
    interval_secs: Option<u64>,
}

/// One setting's raw value and where it came from (for error messages).
struct Raw {
    key: String,
    value: String,
}

impl Raw {
    fn invalid(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: self.key.clone(),
            message: message.into(),
        }
    }

    fn number(&self, max: u64) -> Result<u64, ConfigError> {
        match self.value.trim().parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            Ok(_) => Err(self.invalid(format!("`{}` is above {max}", self.value))),
            Err(_) => Err(self.invalid(format!("`{}` is not a whole number", self.value))),
        }
    }
}

/// Reads the layers in order; the environment is a function so tests need not touch
/// the process's (which is shared by every test thread).
struct Layers<'a> {
    file: File,
    file_name: Option<&'a Path>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Layers<'_> {
    /// The environment's value if set and not empty, else the file's.
    fn pick(&self, env_key: &str, file_key: &str, from_file: Option<String>) -> Option<Raw> {
        if let Some(value) = (self.env)(env_key).filter(|v| !v.is_empty()) {
            return Some(Raw {
                key: env_key.to_owned(),
                value,
            });
        }
        let name = self
            .file_name
            .and_then(Path::file_name)
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        from_file.map(|value| Raw {
            key: format!("{file_key} (in {name})"),
            value,
        })
    }
}

impl Settings {
    /// The settings for this process: the file named on the command line (`file`) or
    /// by `PASAR_CONFIG`, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let env = |key: &str| std::env::var(key).ok();
        let from_env = env("PASAR_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Settings::load_from(file.or(from_env.as_deref()), &env)
    }

    /// [`Settings::load`] with the environment given as a function.
    pub fn load_from(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let parsed = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
                    path: path.to_owned(),
                    error,
                })?;
                toml::from_str::<File>(&text).map_err(|e| ConfigError::File {
                    path: path.to_owned(),
                    message: e.to_string().trim_end().to_owned(),
                })?
            }
            None => File::default(),
        };
        let layers = Layers {
            file: parsed,
            file_name: file,
            env,
        };
        Settings::from_layers(layers)
    }

    fn from_layers(mut l: Layers<'_>) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        let f = std::mem::take(&mut l.file);
        let num = |n: Option<u64>| n.map(|n| n.to_string());

        if let Some(raw) = l.pick("PASAR_ADDR", "addr", f.addr) {
            s.addr = raw.value.trim().parse().map_err(|_| {
                raw.invalid(format!(
                    "`{}` is not an address like 127.0.0.1:8080",
                    raw.value
                ))
            })?;
        }
        if let Some(raw) = l.pick("PASAR_DATABASE_URL", "database_url", f.database_url) {
            // The message never repeats the URL: it may hold a password.
            s.database = Database::from_url(raw.value.trim())
                .map_err(|e| raw.invalid(e.trim_start_matches("PASAR_DATABASE_URL ").to_owned()))?;
        }
        if let Some(raw) = l.pick("PASAR_PHOTOS_URL", "photos_url", f.photos_url) {
            s.photos = Some(PhotoStorage::from_url(&raw.value).map_err(|e| raw.invalid(e))?);
        }
        if let Some(raw) = l.pick("PASAR_LOG_FORMAT", "log.format", f.log.format) {
            s.log.format = match raw.value.trim() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => return Err(raw.invalid(format!("`{other}` is not `text` or `json`"))),
            };
        }
        if let Some(raw) = l.pick("PASAR_LOG", "log.filter", f.log.filter) {
            tracing_subscriber::EnvFilter::try_new(raw.value.trim())
                .map_err(|e| raw.invalid(format!("`{}` is not a log filter: {e}", raw.value)))?;
            s.log.filter = raw.value.trim().to_owned();
        }
        if let Some(raw) = l.pick(
            "PASAR_BODY_LIMIT",
            "http.body_limit",
            num(f.http.body_limit),
        ) {
            // Up to 4 GiB: anything larger is a mistake on a phone app's API.
            let n = raw.number(4 << 30)?;
            if n == 0 {
                return Err(raw.invalid("0 would refuse every request with a body"));
            }
            s.http.body_limit = usize::try_from(n).map_err(|_| raw.invalid("too large"))?;
        }
        if let Some(raw) = l.pick(
            "PASAR_REQUEST_TIMEOUT_SECS",
            "http.request_timeout_secs",
            num(f.http.request_timeout_secs),
        ) {
            let n = raw.number(24 * 3600)?;
            if n == 0 {
                return Err(raw.invalid("0 would time out every request"));
            }
            s.http.request_timeout = Duration::from_secs(n);
        }
        if let Some(raw) = l.pick(
            "PASAR_COMPRESSION_MIN_BYTES",
            "http.compression_min_bytes",
            num(f.http.compression_min_bytes),
        ) {
            let n = raw.number(u64::from(u16::MAX))?;
            s.http.compression_min_bytes =
                u16::try_from(n).map_err(|_| raw.invalid("too large"))?;
        }
        if let Some(raw) = l.pick(
            "PASAR_TRUSTED_PROXIES",
            "http.trusted_proxies",
            num(f.http.trusted_proxies),
        ) {
            let n = raw.number(16)?;
            s.http.trusted_proxies = usize::try_from(n).map_err(|_| raw.invalid("too large"))?;
        }
        if let Some(raw) = l.pick(
            "PASAR_SHUTDOWN_GRACE_SECS",
            "http.shutdown_grace_secs",
            num(f.http.shutdown_grace_secs),
        ) {
            s.http.shutdown_grace = Duration::from_secs(raw.number(3600)?);
        }
        if let Some(raw) = l.pick(
            "PASAR_CLEANUP_INTERVAL_SECS",
            "cleanup.interval_secs",
            num(f.cleanup.interval_secs),
        ) {
            s.cleanup_interval = Duration::from_secs(raw.number(7 * 24 * 3600)?);
        }
        Ok(s)
    }

    /// Reads `--config FILE` (or `-c FILE`) from the command line's arguments (without
    /// the program name); `Ok(None)` when not given.
    pub fn config_arg(args: &[String]) -> Result<Option<PathBuf>, ConfigError> {
        let mut file = None;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--config" | "-c" => {
                    let value = it.next().ok_or_else(|| {
                        ConfigError::Usage(format!("{arg} needs a file: --config pasar.toml"))
                    })?;
                    file = Some(PathBuf::from(value));
                }
                other => {
                    if let Some(value) = other.strip_prefix("--config=") {
                        file = Some(PathBuf::from(value));
                    } else {
                        return Err(ConfigError::Usage(format!(
                            "unknown argument `{other}`; usage: pasar-server [--config FILE]"
                        )));
                    }
                }
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pasar.toml");
        if let Some(text) = toml {
            std::fs::write(&path, text).expect("write");
        }
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = move |k: &str| env.get(k).cloned();
        Settings::load_from(toml.map(|_| path.as_path()), &lookup)
    }

    fn error(toml: Option<&str>, env: &[(&str, &str)]) -> String {
        match load(toml, env) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn nothing_set_is_the_defaults() {
        let s = load(None, &[]).expect("defaults");
        assert_eq!(s.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database, Database::default());
        assert_eq!(s.http.body_limit, 1024 * 1024);
        assert_eq!(s.http.trusted_proxies, 0);
        assert_eq!(s.log.format, LogFormat::Text);
        assert_eq!(s.cleanup_interval, Duration::from_secs(600));
        assert_eq!(s.photos, None);
    }

    #[test]
    fn the_photo_store_comes_from_the_file_or_the_environment() {
        let s = load(Some("photos_url = \"/srv/pasar/photos\""), &[]).expect("file");
        assert_eq!(
            s.photos,
            Some(PhotoStorage::Dir("/srv/pasar/photos".into()))
        );
        let s = load(
            Some("photos_url = \"/srv/pasar/photos\""),
            &[("PASAR_PHOTOS_URL", "s3://pasar/photos")],
        )
        .expect("env over file");
        assert_eq!(
            s.photos,
            Some(PhotoStorage::S3 {
                bucket: "pasar".into(),
                prefix: "photos".into()
            })
        );
        let e = error(None, &[("PASAR_PHOTOS_URL", "ftp://x")]);
        assert!(e.starts_with("PASAR_PHOTOS_URL: "), "{e}");
    }

    #[test]
    fn the_file_sets_and_the_environment_overrides() {
        let file = r#"
            addr = "0.0.0.0:9000"
            database_url = "sqlite::memory:"
            [log]
            format = "json"
            filter = "warn,pasar_server=debug"
            [http]
            body_limit = 2048
            request_timeout_secs = 5
            trusted_proxies = 1
            [cleanup]
            interval_secs = 60
        "#;
        let s = load(Some(file), &[]).expect("file");
        assert_eq!(s.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.database, Database::Memory);
        assert_eq!(s.log.format, LogFormat::Json);
        assert_eq!(s.log.filter, "warn,pasar_server=debug");
        assert_eq!(s.http.body_limit, 2048);
        assert_eq!(s.http.request_timeout, Duration::from_secs(5));
        assert_eq!(s.http.trusted_proxies, 1);
        assert_eq!(s.cleanup_interval, Duration::from_secs(60));

        let s = load(
            Some(file),
            &[
                ("PASAR_ADDR", "127.0.0.1:0"),
                ("PASAR_BODY_LIMIT", "4096"),
                ("PASAR_LOG_FORMAT", ""), // empty is unset: the file's value stays
            ],
        )
        .expect("file and env");
        assert_eq!(s.addr.to_string(), "127.0.0.1:0");
        assert_eq!(s.http.body_limit, 4096);
        assert_eq!(s.log.format, LogFormat::Json);
        assert_eq!(s.http.request_timeout, Duration::from_secs(5));
    }

    #[test]
    fn errors_name_the_key() {
        let e = error(None, &[("PASAR_ADDR", "nowhere")]);
        assert!(e.starts_with("PASAR_ADDR: `nowhere`"), "{e}");
        let e = error(Some("addr = \"nowhere\""), &[]);
        assert!(e.starts_with("addr (in pasar.toml): "), "{e}");
        let e = error(Some("[http]\nbody_limit = 0"), &[]);
        assert!(e.starts_with("http.body_limit (in pasar.toml): "), "{e}");
        let e = error(None, &[("PASAR_REQUEST_TIMEOUT_SECS", "soon")]);
        assert!(e.contains("PASAR_REQUEST_TIMEOUT_SECS"), "{e}");
        let e = error(None, &[("PASAR_LOG_FORMAT", "xml")]);
        assert!(e.contains("PASAR_LOG_FORMAT") && e.contains("xml"), "{e}");
        let e = error(None, &[("PASAR_LOG", "info,[[[")]);
        assert!(e.starts_with("PASAR_LOG: "), "{e}");
        // A typo in the file is refused, naming the key.
        let e = error(Some("[http]\nbody_limt = 10"), &[]);
        assert!(e.contains("body_limt"), "{e}");
        // A wrong type names the key too.
        let e = error(Some("[http]\nbody_limit = \"big\""), &[]);
        assert!(e.contains("body_limit"), "{e}");
    }

    #[test]
    fn a_bad_database_url_is_refused_without_repeating_it() {
        let e = error(None, &[("PASAR_DATABASE_URL", "mysql://u:s3cret@h/db")]);
        assert!(e.starts_with("PASAR_DATABASE_URL: "), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let env = |_: &str| None;
        let e = Settings::load_from(Some(Path::new("/no/such/pasar.toml")), &env)
            .expect_err("missing file");
        assert!(e.to_string().contains("/no/such/pasar.toml"), "{e}");
    }

    #[test]
    fn the_command_line_names_the_file() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(Settings::config_arg(&args(&[])).expect("none"), None);
        assert_eq!(
            Settings::config_arg(&args(&["--config", "p.toml"])).expect("file"),
            Some(PathBuf::from("p.toml"))
        );
        assert_eq!(
            Settings::config_arg(&args(&["--config=p.toml"])).expect("file"),
            Some(PathBuf::from("p.toml"))
        );
        assert!(Settings::config_arg(&args(&["--config"])).is_err());
        assert!(Settings::config_arg(&args(&["--verbose"])).is_err());
    }
}
