//! The sink as a process of its own, for the Kotlin and Swift tests: the settings a
//! `pasar-server` needs to send to it, written as files, and `POST /subscriptions`, the
//! Web Push subscription a UnifiedPush distributor would hand an app.

use super::{
    APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC, Inner, Sink, TEST_SERVICE_ACCOUNT, VAPID_SUBJECT,
};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::path::Path;
use std::sync::Arc;

impl Sink {
    /// Writes into `dir` the key files a server needs to send here (the service account
    /// with the sink's token URL, the APNs .p8, the VAPID key) and `server.env`, one
    /// `PASAR_PUSH_*=value` per line; returns the same pairs.
    pub fn write_settings(&self, dir: &Path) -> std::io::Result<Vec<(String, String)>> {
        std::fs::create_dir_all(dir)?;
        let keys = &self.inner.keys;
        let mut account: serde_json::Value =
            serde_json::from_str(TEST_SERVICE_ACCOUNT).map_err(std::io::Error::other)?;
        account["token_uri"] = serde_json::Value::String(self.inner.token_url());
        let service_account = dir.join("fcm-service-account.json");
        std::fs::write(&service_account, account.to_string())?;
        let apns = dir.join("apns.p8");
        std::fs::write(&apns, &keys.apns_key_pem)?;
        let vapid = dir.join("vapid.pem");
        std::fs::write(&vapid, &keys.vapid_key_pem)?;
        let path = |p: &Path| p.display().to_string();
        let pairs: Vec<(String, String)> = [
            ("PASAR_PUSH_FCM_SERVICE_ACCOUNT", path(&service_account)),
            ("PASAR_PUSH_FCM_URL", self.inner.url.clone()),
            ("PASAR_PUSH_APNS_KEY", path(&apns)),
            ("PASAR_PUSH_APNS_KEY_ID", APNS_KEY_ID.to_owned()),
            ("PASAR_PUSH_APNS_TEAM_ID", APNS_TEAM_ID.to_owned()),
            ("PASAR_PUSH_APNS_TOPIC", APNS_TOPIC.to_owned()),
            ("PASAR_PUSH_APNS_URL", self.inner.url.clone()),
            ("PASAR_PUSH_VAPID_KEY", path(&vapid)),
            ("PASAR_PUSH_VAPID_SUBJECT", VAPID_SUBJECT.to_owned()),
            ("PASAR_PUSH_ALLOW_HTTP_ENDPOINTS", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let env: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        std::fs::write(dir.join("server.env"), env)?;
        Ok(pairs)
    }
}

/// `POST /subscriptions`: `{"endpoint", "p256dh", "auth"}` of a new Web Push
/// subscription whose messages the sink decrypts.
pub(super) async fn subscribe(State(sink): State<Arc<Inner>>) -> Response {
    let (endpoint, p256dh, auth) = sink.subscribe();
    axum::Json(serde_json::json!({"endpoint": endpoint, "p256dh": p256dh, "auth": auth}))
        .into_response()
}
