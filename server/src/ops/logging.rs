//! The log: `tracing` events and spans, written one line each to stderr (stdout is
//! kept for the "listening on" line a supervisor reads), as text or as JSON.
//!
//! What may be logged: methods, route templates (`/v1/auth/code`, never the raw path or
//! query string), statuses, latencies, masked phone numbers (`+62*******7890`), error
//! details of our own. Never: full phone numbers, one-time codes, session tokens,
//! request or response bodies, database passwords. The test `tests/logging.rs` runs a
//! sign-in with the most verbose filter and checks the log for all three.

use super::config::{ConfigError, LogFormat, LogSettings};
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// A subscriber for `settings` writing to `writer` (tests give a buffer).
pub fn subscriber<W>(
    settings: &LogSettings,
    writer: W,
) -> Result<Box<dyn Subscriber + Send + Sync>, ConfigError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&settings.filter).map_err(|e| ConfigError::Invalid {
        key: "PASAR_LOG".to_owned(),
        message: format!("`{}` is not a log filter: {e}", settings.filter),
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true);
    Ok(match settings.format {
        LogFormat::Text => Box::new(builder.finish()),
        // The current span's fields (method, route, status, latency) ride along with
        // every event, flattened so a collector can index them without nesting.
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    })
}

/// Installs the process-wide subscriber, writing to stderr. Fails if one is installed.
pub fn init(settings: &LogSettings) -> Result<(), ConfigError> {
    let subscriber = subscriber(settings, std::io::stderr)?;
    tracing::subscriber::set_global_default(subscriber).map_err(|e| ConfigError::Invalid {
        key: "log".to_owned(),
        message: format!("cannot install the logger: {e}"),
    })
}
