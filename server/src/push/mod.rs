//! Push: telling a phone that something changed so it syncs. [`gateway`] sends through
//! FCM, APNs and Web Push (UnifiedPush), each in its real wire protocol; [`sink`] is a
//! local stand-in for all three that checks that protocol, for tests and the demo.
//!
//! Phones register where they receive pushes (`devices`); an order move queues a
//! hint for the other party's devices in its own transaction (`queue`); the
//! [`worker`] sends what is queued, prunes dead tokens and retries the services'
//! trouble.

mod devices;
pub mod gateway;
pub(crate) mod queue;
pub mod sink;
pub mod worker;

pub(crate) use devices::routes;
pub use gateway::{
    Apns, ApnsConfig, Fcm, FcmConfig, Gateway, Gateways, Message, Outcome, Target, WebPush,
    WebPushConfig,
};
pub use sink::{Received, Refusal, Sink, SinkKeys};

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What the push routes and the worker share; part of [`crate::AppState`]. The
/// default sends nothing (no service configured) and keeps registrations anyway, so
/// phones need not register again once a service is set up.
#[derive(Clone)]
pub struct PushState {
    /// The services this server has credentials for.
    pub gateways: Arc<Gateways>,
    /// Notified after a sync push: the worker sends what the push queued at once
    /// instead of at its next look.
    pub wake: Arc<Notify>,
    /// Take `http://` and local-address Web Push endpoints (tests, a distributor on a
    /// developer's machine); never in production: phones would choose what the
    /// server posts to on its own network.
    pub allow_http_endpoints: bool,
    /// How often the worker looks without being woken: for retries coming due and
    /// for pushes queued by another server instance on the same database.
    pub poll_interval: Duration,
}

impl Default for PushState {
    fn default() -> Self {
        PushState {
            gateways: Arc::new(Gateways::default()),
            wake: Arc::new(Notify::new()),
            allow_http_endpoints: false,
            poll_interval: Duration::from_secs(1),
        }
    }
}

impl PushState {
    /// Whether any push service is configured (the worker runs only then).
    pub fn configured(&self) -> bool {
        let g = &self.gateways;
        g.fcm.is_some() || g.apns.is_some() || g.web_push.is_some()
    }
}
