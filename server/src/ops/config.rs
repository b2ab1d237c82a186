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
//! | `push.fcm_service_account`   | `PASAR_PUSH_FCM_SERVICE_ACCOUNT`| no FCM (path of Google's JSON) |
//! | `push.fcm_url`               | `PASAR_PUSH_FCM_URL`            | `https://fcm.googleapis.com` |
//! | `push.apns_key`              | `PASAR_PUSH_APNS_KEY`           | no APNs (path of the .p8) |
//! | `push.apns_key_id`           | `PASAR_PUSH_APNS_KEY_ID`        | (required with the key) |
//! | `push.apns_team_id`          | `PASAR_PUSH_APNS_TEAM_ID`       | (required with the key) |
//! | `push.apns_topic`            | `PASAR_PUSH_APNS_TOPIC`         | (required: the bundle id) |
//! | `push.apns_url`              | `PASAR_PUSH_APNS_URL`           | `https://api.push.apple.com` |
//! | `push.vapid_key`             | `PASAR_PUSH_VAPID_KEY`          | no Web Push (path of a P-256 PKCS#8 PEM) |
//! | `push.vapid_subject`         | `PASAR_PUSH_VAPID_SUBJECT`      | (required: `mailto:` or `https:`) |
//! | `push.allow_http_endpoints`  | `PASAR_PUSH_ALLOW_HTTP_ENDPOINTS` | false (development only) |
//!
//! Unknown keys in the file are errors (a typo must not silently keep a default), and
//! every error names the key or variable at fault. Push key files are read and checked
//! here, so a missing or broken key stops the server at start, naming its setting.

use crate::photos::PhotoStorage;
use crate::push::{Apns, ApnsConfig, Fcm, FcmConfig, Gateways, WebPush, WebPushConfig};
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
    /// Push services; none by default.
    pub push: PushSettings,
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
            push: PushSettings::default(),
        }
    }
}

/// The push services' credentials, read from their files when the settings load (the
/// configs keep keys out of `Debug`). A service without settings is off.
#[derive(Clone, Debug, Default)]
pub struct PushSettings {
    pub fcm: Option<FcmConfig>,
    pub apns: Option<ApnsConfig>,
    pub web_push: Option<WebPushConfig>,
    /// Phones may register `http://` and local-address Web Push endpoints (a local
    /// distributor, the test sink). Never in production.
    pub allow_http_endpoints: bool,
}

impl PushSettings {
    /// The gateways of the configured services (each holds its connections and
    /// tokens: make them once per server).
    pub fn gateways(&self) -> Result<Gateways, String> {
        Ok(Gateways {
            fcm: self.fcm.clone().map(Fcm::new).transpose()?,
            apns: self.apns.clone().map(Apns::new).transpose()?,
            web_push: self.web_push.clone().map(WebPush::new).transpose()?,
        })
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
    #[serde(default)]
    push: FilePush,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FilePush {
    fcm_service_account: Option<String>,
    fcm_url: Option<String>,
    apns_key: Option<String>,
    apns_key_id: Option<String>,
    apns_team_id: Option<String>,
    apns_topic: Option<String>,
    apns_url: Option<String>,
    vapid_key: Option<String>,
    vapid_subject: Option<String>,
    allow_http_endpoints: Option<bool>,
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

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, as environments spell them).
    fn flag(&self) -> Result<bool, ConfigError> {
        match self.value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            other => Err(self.invalid(format!("`{other}` is not true or false"))),
        }
    }

    /// The text of the file this setting names.
    fn read_file(&self) -> Result<String, ConfigError> {
        let path = self.value.trim();
        std::fs::read_to_string(path).map_err(|e| self.invalid(format!("cannot read {path}: {e}")))
    }

    /// An http(s) base URL, without a trailing slash.
    fn base_url(&self) -> Result<String, ConfigError> {
        let url = self.value.trim().trim_end_matches('/');
        if url.starts_with("https://") || url.starts_with("http://") {
            Ok(url.to_owned())
        } else {
            Err(self.invalid(format!("`{url}` is not an http(s) URL")))
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

/// The `push.*` settings: each service is on when its key file is named, and then
/// needs the rest of its settings; settings of a service without its key are a
/// mistake, not ignored.
fn push_settings(l: &Layers<'_>, f: FilePush) -> Result<PushSettings, ConfigError> {
    let mut p = PushSettings::default();
    let fcm_key = l.pick(
        "PASAR_PUSH_FCM_SERVICE_ACCOUNT",
        "push.fcm_service_account",
        f.fcm_service_account,
    );
    let fcm_url = l.pick("PASAR_PUSH_FCM_URL", "push.fcm_url", f.fcm_url);
    let apns_key = l.pick("PASAR_PUSH_APNS_KEY", "push.apns_key", f.apns_key);
    let apns_key_id = l.pick("PASAR_PUSH_APNS_KEY_ID", "push.apns_key_id", f.apns_key_id);
    let apns_team_id = l.pick(
        "PASAR_PUSH_APNS_TEAM_ID",
        "push.apns_team_id",
        f.apns_team_id,
    );
    let apns_topic = l.pick("PASAR_PUSH_APNS_TOPIC", "push.apns_topic", f.apns_topic);
    let apns_url = l.pick("PASAR_PUSH_APNS_URL", "push.apns_url", f.apns_url);
    let vapid_key = l.pick("PASAR_PUSH_VAPID_KEY", "push.vapid_key", f.vapid_key);
    let vapid_subject = l.pick(
        "PASAR_PUSH_VAPID_SUBJECT",
        "push.vapid_subject",
        f.vapid_subject,
    );
    let allow_http = l.pick(
        "PASAR_PUSH_ALLOW_HTTP_ENDPOINTS",
        "push.allow_http_endpoints",
        f.allow_http_endpoints.map(|b| b.to_string()),
    );
    if let Some(raw) = &allow_http {
        p.allow_http_endpoints = raw.flag()?;
    }
    let needs = |raw: &Raw, what: &str| {
        raw.invalid(format!(
            "set without {what}, the service's key file (or remove it)"
        ))
    };
    let required = |key: &Raw, value: Option<Raw>, what: &str| -> Result<String, ConfigError> {
        match value {
            Some(v) if !v.value.trim().is_empty() => Ok(v.value.trim().to_owned()),
            _ => Err(key.invalid(format!("needs {what} too"))),
        }
    };

    match fcm_key {
        Some(key) => {
            let mut config = FcmConfig::from_json(&key.read_file()?).map_err(|e| key.invalid(e))?;
            if let Some(url) = &fcm_url {
                config.base_url = url.base_url()?;
            }
            // Made once here so a broken key stops the server at start, naming its
            // setting; the server makes its own from the checked config.
            Fcm::new(config.clone()).map_err(|e| key.invalid(e))?;
            p.fcm = Some(config);
        }
        None => {
            if let Some(url) = &fcm_url {
                return Err(needs(url, "push.fcm_service_account"));
            }
        }
    }

    match apns_key {
        Some(key) => {
            let pem = key.read_file()?;
            let mut config = ApnsConfig::new(
                pem,
                required(
                    &key,
                    apns_key_id,
                    "push.apns_key_id (PASAR_PUSH_APNS_KEY_ID)",
                )?,
                required(
                    &key,
                    apns_team_id,
                    "push.apns_team_id (PASAR_PUSH_APNS_TEAM_ID)",
                )?,
                required(
                    &key,
                    apns_topic,
                    "push.apns_topic (PASAR_PUSH_APNS_TOPIC), the app's bundle id",
                )?,
            );
            if let Some(url) = &apns_url {
                config.base_url = url.base_url()?;
            }
            Apns::new(config.clone()).map_err(|e| key.invalid(e))?;
            p.apns = Some(config);
        }
        None => {
            if let Some(stray) = [apns_key_id, apns_team_id, apns_topic, apns_url]
                .into_iter()
                .flatten()
                .next()
            {
                return Err(needs(&stray, "push.apns_key"));
            }
        }
    }

    match vapid_key {
        Some(key) => {
            let subject = required(
                &key,
                vapid_subject,
                "push.vapid_subject (PASAR_PUSH_VAPID_SUBJECT), a mailto: or https: contact",
            )?;
            let mut config = WebPushConfig::new(key.read_file()?, subject);
            config.allow_http = p.allow_http_endpoints;
            WebPush::new(config.clone()).map_err(|e| key.invalid(e))?;
            p.web_push = Some(config);
        }
        None => {
            if let Some(subject) = &vapid_subject {
                return Err(needs(subject, "push.vapid_key"));
            }
        }
    }
    Ok(p)
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
        s.push = push_settings(&l, f.push)?;
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

    /// Key files as an operator would have them: Google's service-account JSON (the
    /// sink's test account), an APNs .p8 and a VAPID key.
    fn key_files() -> (tempfile::TempDir, [String; 3]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write key");
            path.to_string_lossy().into_owned()
        };
        let pem = || crate::push::gateway::jwt::generate_ec_pem().expect("key");
        let files = [
            write("fcm.json", crate::push::sink::TEST_SERVICE_ACCOUNT),
            write("apns.p8", &pem()),
            write("vapid.pem", &pem()),
        ];
        (dir, files)
    }

    #[test]
    fn push_services_are_off_unless_their_keys_are_named() {
        let s = load(None, &[]).expect("defaults");
        assert!(s.push.fcm.is_none() && s.push.apns.is_none() && s.push.web_push.is_none());
        assert!(!s.push.allow_http_endpoints);
        let g = s.push.gateways().expect("no gateways");
        assert!(g.fcm.is_none() && g.apns.is_none() && g.web_push.is_none());
    }

    #[test]
    fn push_services_come_from_the_file_and_the_environment() {
        let (_dir, [fcm, apns, vapid]) = key_files();
        let file = format!(
            r#"
            [push]
            fcm_service_account = "{fcm}"
            apns_key = "{apns}"
            apns_key_id = "ABC123DEFG"
            apns_team_id = "TEAM123456"
            apns_topic = "id.pasar.app"
            apns_url = "https://api.sandbox.push.apple.com/"
            vapid_key = "{vapid}"
            vapid_subject = "mailto:ops@pasar.id"
        "#
        );
        let s = load(Some(&file), &[]).expect("file");
        let fcm_config = s.push.fcm.as_ref().expect("fcm");
        assert_eq!(fcm_config.service_account.project_id, "pasar-test");
        assert_eq!(fcm_config.base_url, "https://fcm.googleapis.com");
        let apns_config = s.push.apns.as_ref().expect("apns");
        assert_eq!(apns_config.base_url, "https://api.sandbox.push.apple.com");
        assert_eq!(apns_config.topic, "id.pasar.app");
        let web = s.push.web_push.as_ref().expect("web push");
        assert!(!web.allow_http);
        let g = s.push.gateways().expect("gateways");
        assert!(g.fcm.is_some() && g.apns.is_some() && g.web_push.is_some());
        // Keys stay out of Debug.
        let shown = format!("{s:?}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");

        let s = load(
            Some(&file),
            &[
                ("PASAR_PUSH_FCM_URL", "http://127.0.0.1:9"),
                ("PASAR_PUSH_ALLOW_HTTP_ENDPOINTS", "true"),
            ],
        )
        .expect("file and env");
        assert_eq!(s.push.fcm.expect("fcm").base_url, "http://127.0.0.1:9");
        assert!(s.push.allow_http_endpoints);
        assert!(s.push.web_push.expect("web push").allow_http);
        let s = load(
            None,
            &[
                ("PASAR_PUSH_VAPID_KEY", &vapid),
                ("PASAR_PUSH_VAPID_SUBJECT", "https://pasar.id/contact"),
            ],
        )
        .expect("env");
        assert!(s.push.web_push.is_some() && s.push.fcm.is_none());
    }

    #[test]
    fn push_errors_name_the_key() {
        let (dir, [fcm, apns, vapid]) = key_files();
        let e = error(
            None,
            &[("PASAR_PUSH_FCM_SERVICE_ACCOUNT", "/no/such/sa.json")],
        );
        assert!(
            e.starts_with("PASAR_PUSH_FCM_SERVICE_ACCOUNT: cannot read /no/such/sa.json"),
            "{e}"
        );
        let broken = dir.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .expect("write");
        let broken = broken.to_string_lossy().into_owned();
        let e = error(
            None,
            &[
                ("PASAR_PUSH_VAPID_KEY", &broken),
                ("PASAR_PUSH_VAPID_SUBJECT", "mailto:a@b.c"),
            ],
        );
        assert!(e.starts_with("PASAR_PUSH_VAPID_KEY: "), "{e}");
        let e = error(
            Some(&format!(
                "[push]\napns_key = \"{broken}\"\napns_key_id = \"K\"\napns_team_id = \"T\"\napns_topic = \"id.pasar.app\""
            )),
            &[],
        );
        assert!(e.starts_with("push.apns_key (in pasar.toml): "), "{e}");
        // The JSON file given as the APNs key, or the .p8 as the service account.
        let e = error(None, &[("PASAR_PUSH_FCM_SERVICE_ACCOUNT", &apns)]);
        assert!(e.starts_with("PASAR_PUSH_FCM_SERVICE_ACCOUNT: "), "{e}");
        let e = error(
            None,
            &[
                ("PASAR_PUSH_APNS_KEY", &fcm),
                ("PASAR_PUSH_APNS_KEY_ID", "K"),
                ("PASAR_PUSH_APNS_TEAM_ID", "T"),
                ("PASAR_PUSH_APNS_TOPIC", "id.pasar.app"),
            ],
        );
        assert!(e.starts_with("PASAR_PUSH_APNS_KEY: "), "{e}");
        // A service needs all its settings, and settings need their service.
        let e = error(
            None,
            &[
                ("PASAR_PUSH_APNS_KEY", &apns),
                ("PASAR_PUSH_APNS_KEY_ID", "K"),
            ],
        );
        assert!(
            e.starts_with("PASAR_PUSH_APNS_KEY: ") && e.contains("push.apns_team_id"),
            "{e}"
        );
        let e = error(None, &[("PASAR_PUSH_VAPID_KEY", &vapid)]);
        assert!(e.contains("push.vapid_subject"), "{e}");
        let e = error(
            None,
            &[
                ("PASAR_PUSH_VAPID_KEY", &vapid),
                ("PASAR_PUSH_VAPID_SUBJECT", "ops@pasar.id"),
            ],
        );
        assert!(
            e.starts_with("PASAR_PUSH_VAPID_KEY: ") && e.contains("mailto"),
            "{e}"
        );
        let e = error(None, &[("PASAR_PUSH_APNS_TOPIC", "id.pasar.app")]);
        assert!(
            e.starts_with("PASAR_PUSH_APNS_TOPIC: ") && e.contains("push.apns_key"),
            "{e}"
        );
        let e = error(Some("[push]\nfcm_url = \"https://x\""), &[]);
        assert!(e.starts_with("push.fcm_url (in pasar.toml): "), "{e}");
        let e = error(
            None,
            &[
                ("PASAR_PUSH_FCM_SERVICE_ACCOUNT", &fcm),
                ("PASAR_PUSH_FCM_URL", "fcm.example"),
            ],
        );
        assert!(e.starts_with("PASAR_PUSH_FCM_URL: "), "{e}");
        let e = error(None, &[("PASAR_PUSH_ALLOW_HTTP_ENDPOINTS", "maybe")]);
        assert!(e.starts_with("PASAR_PUSH_ALLOW_HTTP_ENDPOINTS: "), "{e}");
        let e = error(Some("[push]\nallow_http = true"), &[]);
        assert!(e.contains("allow_http"), "{e}");
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
