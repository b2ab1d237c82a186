//! Push: telling a phone that something changed so it syncs. [`gateway`] sends through
//! FCM, APNs and Web Push (UnifiedPush), each in its real wire protocol; [`sink`] is a
//! local stand-in for all three that checks that protocol, for tests and the demo.

pub mod gateway;
pub mod sink;

pub use gateway::{
    Apns, ApnsConfig, Fcm, FcmConfig, Gateway, Gateways, Message, Outcome, Target, WebPush,
    WebPushConfig,
};
pub use sink::{Received, Refusal, Sink, SinkKeys};
