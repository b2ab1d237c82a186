//! Where each install receives pushes: `PUT /v1/push/devices/{device_id}` registers (or
//! updates) it (a device id another account registered or syncs with gets 403
//! `device_taken`), `DELETE` of the same path forgets it on sign-out (only the caller's
//! own; another's is left alone, answered as for none), and
//! `GET /v1/push/vapid` hands UnifiedPush apps the key to subscribe with.
//!
//! Everything in a registration comes from a phone, and a Web Push endpoint is a URL
//! the worker will later POST to: it is checked here so the server cannot be pointed at
//! its own network (loopback, private and link-local address literals, `localhost`).
//! Names that resolve to such addresses are not caught here; the gateway follows no
//! redirects, and a deployment that cares puts the server behind an egress proxy.

use crate::AppState;
use crate::error::ApiError;
use crate::push::gateway::jwt;
use crate::store::StoreError;
use crate::store::sql::{SqlTx, Value};
use crate::sync::{check_device_id, check_protocol, signed_in};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use pasar_core::sync::wire::PushDeviceDoc;
use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey};
use ring::rand::SystemRandom;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest token taken. Real ones are far shorter (FCM about 160 bytes, APNs 64 hex
/// digits, a UnifiedPush endpoint a few hundred); tokens are UNIQUE, and PostgreSQL
/// cannot index a text value much over 2,700 bytes, so the phone's own 4 KB limit
/// would let a registration fail as a server error instead of a 400.
const TOKEN_MAX: usize = 2048;
const APP_VERSION_MAX: usize = 64;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/push/devices/{device_id}",
            put(register).delete(unregister),
        )
        .route("/v1/push/vapid", get(vapid))
}

/// A registration as stored: checked, normalised.
#[derive(Debug, PartialEq, Eq)]
struct Registration {
    platform: &'static str,
    token: String,
    p256dh: Option<String>,
    auth: Option<String>,
    app_version: String,
    lang: &'static str,
}

async fn register(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    check_device_id(&device_id)?;
    let doc: PushDeviceDoc = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("not a push device: {e}")))?;
    let registration = check(doc, state.push.allow_http_endpoints)?;
    let now = state.clock.now_ms();
    state
        .store
        .transaction(move |tx| save(tx, &device_id, &account.id, &registration, now))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unregister(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_protocol(&headers)?;
    let account = signed_in(&state, &headers).await?;
    check_device_id(&device_id)?;
    state
        .store
        .transaction(move |tx| forget(tx, &device_id, &account.id))
        .await?;
    // 204 whether or not there was one: signing out twice is not an error, and another
    // account's device is not told apart from none.
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct Vapid<'a> {
    public_key: &'a str,
}

/// The VAPID public key (base64url, the uncompressed P-256 point): the
/// `applicationServerKey` a UnifiedPush app subscribes with. 404 without Web Push.
async fn vapid(State(state): State<AppState>) -> Response {
    match &state.push.gateways.web_push {
        Some(web_push) => Json(Vapid {
            public_key: web_push.public_key(),
        })
        .into_response(),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Web Push is not configured on this server",
        )
        .into_response(),
    }
}

/// The device row, upserted by device id; a token another device had moves here. A
/// device id another account registered or syncs with is refused, as a sync push with
/// it is: the app makes a new device id when another account signs in, so only a
/// client that is not the phone's own could send it, and taking the row over would
/// silence that account's phone.
fn save(
    tx: &mut dyn SqlTx,
    device_id: &str,
    account_id: &str,
    r: &Registration,
    now: i64,
) -> Result<(), ApiError> {
    let owners = tx.query(
        "SELECT account_id FROM push_devices WHERE device_id = ?1
         UNION SELECT account_id FROM devices WHERE id = ?1",
        &[device_id.into()],
    )?;
    if owners
        .iter()
        .any(|row| row.first().and_then(Value::text) != Some(account_id))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "device_taken",
            "this device id belongs to another account: make a new one after signing in",
        ));
    }
    // The token's previous holder (the same phone under an old install or another
    // account) must stop getting pushes: its row and what waited for it go.
    tx.execute(
        "DELETE FROM push_queue WHERE device_id IN
            (SELECT device_id FROM push_devices WHERE token = ?1 AND device_id <> ?2)",
        &[r.token.as_str().into(), device_id.into()],
    )?;
    tx.execute(
        "DELETE FROM push_devices WHERE token = ?1 AND device_id <> ?2",
        &[r.token.as_str().into(), device_id.into()],
    )?;
    tx.execute(
        "INSERT INTO push_devices
            (device_id, account_id, platform, token, p256dh, auth, app_version, lang, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (device_id) DO UPDATE SET
            account_id = excluded.account_id, platform = excluded.platform,
            token = excluded.token, p256dh = excluded.p256dh, auth = excluded.auth,
            app_version = excluded.app_version, lang = excluded.lang,
            updated_at = excluded.updated_at",
        &[
            device_id.into(),
            account_id.into(),
            r.platform.into(),
            r.token.as_str().into(),
            r.p256dh.as_deref().into(),
            r.auth.as_deref().into(),
            r.app_version.as_str().into(),
            r.lang.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// Deletes the device's row and its waiting pushes, if the device is the caller's.
fn forget(tx: &mut dyn SqlTx, device_id: &str, account_id: &str) -> Result<(), StoreError> {
    let mine = tx.execute(
        "DELETE FROM push_devices WHERE device_id = ?1 AND account_id = ?2",
        &[device_id.into(), account_id.into()],
    )? > 0;
    if mine {
        tx.execute(
            "DELETE FROM push_queue WHERE device_id = ?1",
            &[device_id.into()],
        )?;
    }
    Ok(())
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

/// Checks a registration as a phone sent it.
fn check(doc: PushDeviceDoc, allow_http: bool) -> Result<Registration, ApiError> {
    let platform = match doc.platform.as_str() {
        "fcm" => "fcm",
        "apns" => "apns",
        "webpush" => "webpush",
        _ => return Err(bad("platform must be fcm, apns or webpush")),
    };
    let token = doc.token;
    if token.is_empty() || token.len() > TOKEN_MAX {
        return Err(bad(format!("token must be 1 to {TOKEN_MAX} bytes")));
    }
    let (p256dh, auth) = match platform {
        "fcm" => {
            // Tokens go into a URL path (APNs) and JSON (FCM): nothing but visible ASCII.
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(bad("an FCM token is printable ASCII without spaces"));
            }
            (None, None)
        }
        "apns" => {
            if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad("an APNs token is hexadecimal"));
            }
            (None, None)
        }
        _ => {
            check_endpoint(&token, allow_http)?;
            let p256dh = doc.p256dh.filter(|k| is_p256_point(k)).ok_or_else(|| {
                bad("p256dh must be the base64url of an uncompressed P-256 point")
            })?;
            let auth = doc
                .auth
                .filter(|a| jwt::b64url_decode(a).is_ok_and(|b| b.len() == 16))
                .ok_or_else(|| bad("auth must be the base64url of 16 bytes"))?;
            (Some(p256dh), Some(auth))
        }
    };
    let lang = match doc.lang.as_str() {
        "id" => "id",
        "en" => "en",
        _ => return Err(bad("lang must be id or en")),
    };
    let app_version = doc.app_version;
    if app_version.is_empty()
        || app_version.len() > APP_VERSION_MAX
        || app_version.chars().any(char::is_control)
    {
        return Err(bad(format!(
            "app_version must be 1 to {APP_VERSION_MAX} bytes of text"
        )));
    }
    Ok(Registration {
        platform,
        token,
        p256dh,
        auth,
        app_version,
        lang,
    })
}

/// A Web Push endpoint the worker may POST to: https, to a host that is not this
/// machine or its private network. `allow_http` (tests, a distributor on the
/// developer's machine) lifts both.
fn check_endpoint(endpoint: &str, allow_http: bool) -> Result<(), ApiError> {
    let url = reqwest::Url::parse(endpoint)
        .map_err(|_| bad("a Web Push token is the subscription's endpoint URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("a Web Push endpoint carries no credentials"));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("a Web Push endpoint needs a host"))?;
    if allow_http && matches!(url.scheme(), "http" | "https") {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err(bad("a Web Push endpoint must be an https URL"));
    }
    // The URL parser has already turned every spelling of an address (`0x7f.1`,
    // `2130706433`) into its canonical form; IPv6 comes in brackets.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let internal = match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => internal_v4(ip),
        Ok(IpAddr::V6(ip)) => internal_v6(ip),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if internal {
        return Err(bad(
            "a Web Push endpoint must be on the internet, not a local or private address",
        ));
    }
    Ok(())
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        // Carrier-grade NAT (100.64.0.0/10): a provider's internal network.
        || (a == 100 && (64..128).contains(&b))
        // "This network" (0.0.0.0/8) reaches the local machine on some systems.
        || a == 0
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

/// Whether `key` is the base64url of a point on P-256, uncompressed (65 bytes from
/// 0x04): an agreement with a throwaway key is the check ring offers, and it is what
/// every push will do with it.
fn is_p256_point(key: &str) -> bool {
    let Ok(bytes) = jwt::b64url_decode(key) else {
        return false;
    };
    if bytes.len() != 65 || bytes[0] != 0x04 {
        return false;
    }
    let Ok(mine) = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()) else {
        return false;
    };
    agreement::agree_ephemeral(mine, &UnparsedPublicKey::new(&ECDH_P256, &bytes), |_| ()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point() -> String {
        let key = jwt::generate_ec_pem().expect("key");
        jwt::b64url(&jwt::ec_public(&jwt::ec_key(&key).expect("parse")))
    }

    fn doc(platform: &str, token: &str) -> PushDeviceDoc {
        PushDeviceDoc {
            platform: platform.into(),
            token: token.into(),
            p256dh: None,
            auth: None,
            app_version: "1.4.0 (140)".into(),
            lang: "id".into(),
        }
    }

    fn web(endpoint: &str) -> PushDeviceDoc {
        PushDeviceDoc {
            p256dh: Some(point()),
            auth: Some(jwt::b64url(&[7u8; 16])),
            ..doc("webpush", endpoint)
        }
    }

    fn refused(d: PushDeviceDoc, allow_http: bool) -> String {
        match check(d, allow_http) {
            Ok(r) => panic!("accepted {r:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn tokens_of_each_platform() {
        let fcm = check(doc("fcm", "dGVzdA:APA91b-x_y"), false).expect("fcm");
        assert_eq!((fcm.platform, fcm.lang), ("fcm", "id"));
        assert!(check(doc("apns", &"ab01".repeat(16)), false).is_ok());
        assert!(refused(doc("apns", "not hex!"), false).contains("hexadecimal"));
        assert!(refused(doc("fcm", "has space"), false).contains("printable"));
        assert!(refused(doc("fcm", ""), false).contains("token"));
        assert!(refused(doc("fcm", &"a".repeat(TOKEN_MAX + 1)), false).contains("token"));
        assert!(refused(doc("gcm", "t"), false).contains("platform"));
        let mut d = doc("fcm", "t");
        d.lang = "fr".into();
        assert!(refused(d, false).contains("lang"));
        let mut d = doc("fcm", "t");
        d.app_version = "x".repeat(65);
        assert!(refused(d, false).contains("app_version"));
        // Web Push keys sent with another platform are not kept.
        let mut d = web("https://push.example/x");
        d.platform = "fcm".into();
        d.token = "t".into();
        let r = check(d, false).expect("fcm");
        assert_eq!((r.p256dh, r.auth), (None, None));
    }

    #[test]
    fn web_push_needs_its_keys() {
        let ok = check(web("https://push.example/wp/abc"), false).expect("web push");
        assert!(ok.p256dh.is_some() && ok.auth.is_some());
        let mut d = web("https://push.example/x");
        d.p256dh = None;
        assert!(refused(d, false).contains("p256dh"));
        let mut d = web("https://push.example/x");
        // 65 bytes starting 0x04, but not a point on the curve.
        let mut off = vec![4u8];
        off.extend([0xffu8; 64]);
        d.p256dh = Some(jwt::b64url(&off));
        assert!(refused(d, false).contains("p256dh"));
        let mut d = web("https://push.example/x");
        d.auth = Some(jwt::b64url(&[1u8; 15]));
        assert!(refused(d, false).contains("auth"));
        let mut d = web("https://push.example/x");
        d.auth = Some("not base64!".into());
        assert!(refused(d, false).contains("auth"));
    }

    #[test]
    fn endpoints_must_be_https_on_the_internet() {
        for bad in [
            "http://push.example/x",
            "https://10.0.0.1/x",
            "https://127.0.0.1/x",
            "https://0x7f.1/x",
            "https://2130706433/x",
            "https://192.168.1.5/x",
            "https://172.16.0.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://localhost/x",
            "https://LOCALHOST./x",
            "https://api.localhost/x",
            "https://[::1]/x",
            "https://[fe80::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://user:pw@push.example/x",
            "ftp://push.example/x",
            "push.example/x",
        ] {
            assert!(check(web(bad), false).is_err(), "{bad} accepted");
        }
        for good in [
            "https://push.example/wp/1",
            "https://8.8.8.8/x",
            "https://[2001:4860::8888]/x",
        ] {
            assert!(check(web(good), false).is_ok(), "{good} refused");
        }
        // The development flag lets the local sink in.
        assert!(check(web("http://127.0.0.1:4000/wp/1"), true).is_ok());
        assert!(check(web("ftp://127.0.0.1/wp/1"), true).is_err());
    }
}
