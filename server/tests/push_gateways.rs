//! The push gateways against the local sink over real HTTP on 127.0.0.1: each one's
//! wire format is accepted exactly (no refusals) and what arrives is what was sent;
//! dead tokens, service trouble, oversized messages and wrong credentials each give
//! the outcome the caller acts on.

use pasar_server::push::gateway::{Apns, ApnsConfig, Fcm, WebPush, WebPushConfig, jwt};
use pasar_server::push::sink::{self, APNS_TOPIC, GatewayKind, Sink, SinkKeys};
use pasar_server::push::{Gateway, Message, Outcome, Target};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
/// An APNs device token: 32 bytes in hex.
const APNS_TOKEN: &str = "5d2c4a1f0e9b8c7d6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa00";

async fn start() -> Sink {
    start_with(SinkKeys::generate().expect("sink keys")).await
}

async fn start_with(keys: SinkKeys) -> Sink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    sink::start(listener, keys).await.expect("start the sink")
}

fn message(pairs: &[(&str, &str)], urgent: bool, alert: bool) -> Message {
    Message {
        data: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        collapse_key: "orders".into(),
        ttl: Duration::from_secs(86_400),
        urgent,
        alert,
    }
}

fn order_moved() -> Message {
    message(
        &[("kind", "order"), ("shop", "s-42"), ("seq", "17")],
        true,
        true,
    )
}

/// Data big enough that every gateway's encoding is over 4096 bytes.
fn oversized() -> Message {
    let big = "x".repeat(4100);
    message(&[("blob", &big)], false, false)
}

fn data_json(msg: &Message) -> Value {
    json!(msg.data)
}

/// A plain HTTP/1.1 client for requests no gateway would make.
fn http1_client() -> reqwest::Client {
    // reqwest has no TLS crypto provider of its own here; the server uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn assert_no_refusals(sink: &Sink) {
    assert!(sink.refusals().is_empty(), "refused: {:?}", sink.refusals());
}

fn fcm(sink: &Sink) -> Fcm {
    Fcm::new(sink.fcm_config()).expect("FCM gateway")
}

fn apns(sink: &Sink) -> Apns {
    Apns::new(sink.apns_config()).expect("APNs gateway")
}

fn web_push(sink: &Sink) -> WebPush {
    WebPush::new(sink.web_push_config()).expect("Web Push gateway")
}

fn fcm_target(token: &str) -> Target {
    Target::Fcm {
        token: token.into(),
    }
}

fn apns_target() -> Target {
    Target::Apns {
        token: APNS_TOKEN.into(),
    }
}

fn subscription(sink: &Sink) -> (Target, String) {
    let (endpoint, p256dh, auth) = sink.new_web_push_subscription();
    let id = endpoint.rsplit('/').next().expect("an id").to_owned();
    (
        Target::WebPush {
            endpoint,
            p256dh,
            auth,
        },
        id,
    )
}

// ---- FCM -----------------------------------------------------------------------------

#[tokio::test]
async fn fcm_delivers_the_exact_data_and_reuses_one_access_token() {
    let sink = start().await;
    let fcm = fcm(&sink);
    let urgent = order_moved();
    let quiet = message(&[("kind", "catalog")], false, false);
    for (token, msg) in [("tok-a", &urgent), ("tok-b", &quiet), ("tok-a", &urgent)] {
        assert_eq!(fcm.send(&fcm_target(token), msg).await, Outcome::Delivered);
    }
    let got = sink.wait_for(3, WAIT).await;
    assert_eq!(got.len(), 3);
    assert_no_refusals(&sink);
    assert_eq!(
        sink.token_requests(),
        1,
        "one access token for all three sends"
    );

    assert_eq!(got[0].gateway, GatewayKind::Fcm);
    assert_eq!(got[0].token, "tok-a");
    assert_eq!(got[0].payload, data_json(&urgent));
    assert_eq!(
        got[0].body,
        json!({"message": {
            "token": "tok-a",
            "data": {"kind": "order", "shop": "s-42", "seq": "17"},
            "android": {"priority": "HIGH", "collapse_key": "orders", "ttl": "86400s"},
        }})
    );
    assert_eq!(got[1].payload, data_json(&quiet));
    assert_eq!(got[1].body["message"]["android"]["priority"], "NORMAL");
}

#[tokio::test]
async fn fcm_dead_token_is_gone() {
    let sink = start().await;
    sink.mark_dead("tok-dead");
    let fcm = fcm(&sink);
    assert_eq!(
        fcm.send(&fcm_target("tok-dead"), &order_moved()).await,
        Outcome::Gone
    );
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn fcm_unavailable_is_retry_after_the_service_says() {
    let sink = start().await;
    let fcm = fcm(&sink);
    sink.fail_next(1, 503);
    assert_eq!(
        fcm.send(&fcm_target("tok"), &order_moved()).await,
        Outcome::Retry {
            after: Some(Duration::from_secs(1))
        }
    );
    // Only the next one failed.
    assert_eq!(
        fcm.send(&fcm_target("tok"), &order_moved()).await,
        Outcome::Delivered
    );
    assert_eq!(sink.received().len(), 1);
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn fcm_oversized_is_rejected_without_a_request() {
    let sink = start().await;
    let fcm = fcm(&sink);
    let outcome = fcm.send(&fcm_target("tok"), &oversized()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("4096")),
        "{outcome:?}"
    );
    assert_eq!(sink.token_requests(), 0, "not even an access token");
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn fcm_a_revoked_access_token_is_replaced_once() {
    let sink = start().await;
    let fcm = fcm(&sink);
    assert_eq!(
        fcm.send(&fcm_target("tok"), &order_moved()).await,
        Outcome::Delivered
    );
    sink.expire_access_tokens();
    // 401 for the cached token, a new token, delivered.
    assert_eq!(
        fcm.send(&fcm_target("tok"), &order_moved()).await,
        Outcome::Delivered
    );
    assert_eq!(sink.token_requests(), 2);
    assert_eq!(sink.received().len(), 2);
    let refusals = sink.refusals();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(refusals[0].why.contains("access token"), "{refusals:?}");

    // Refused again with the new token: retried once, then given up on.
    sink.fail_next(2, 401);
    let outcome = fcm.send(&fcm_target("tok"), &order_moved()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("401")),
        "{outcome:?}"
    );
    assert_eq!(sink.token_requests(), 3);
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn fcm_a_forged_assertion_or_another_account_is_refused() {
    let sink = start().await;
    // An assertion whose claims were changed after signing.
    let account: Value =
        serde_json::from_str(sink::TEST_SERVICE_ACCOUNT).expect("the fixture is JSON");
    let key = jwt::rsa_key(account["private_key"].as_str().expect("a key")).expect("RSA key");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({
        "iss": account["client_email"],
        "scope": "https://www.googleapis.com/auth/firebase.messaging",
        "aud": format!("{}/token", sink.url()),
        "iat": now,
        "exp": now + 3600,
    });
    let good =
        jwt::sign_rs256(&key, &json!({"alg": "RS256", "typ": "JWT"}), &claims).expect("sign");
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut forged_claims = claims.clone();
    forged_claims["iss"] = json!("mallory@evil.iam.gserviceaccount.com");
    parts[1] = jwt::b64url(forged_claims.to_string().as_bytes());
    let forged = parts.join(".");

    let client = http1_client();
    for (assertion, ok) in [(&forged, false), (&good, true)] {
        let answer = client
            .post(format!("{}/token", sink.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
            ))
            .send()
            .await
            .expect("the sink answers");
        assert_eq!(answer.status().is_success(), ok);
        if !ok {
            let body: Value =
                serde_json::from_slice(&answer.bytes().await.expect("body")).expect("JSON");
            assert_eq!(body["error"], "invalid_grant");
        }
    }
    assert_eq!(sink.refusals().len(), 1);
    assert!(sink.refusals()[0].why.contains("bad JWT signature"));

    // A gateway with another account's e-mail: the token endpoint refuses it, and
    // that is our configuration's fault, not worth a retry.
    let mut config = sink.fcm_config();
    config.service_account.client_email = "other@pasar-test.iam.gserviceaccount.com".into();
    let fcm = Fcm::new(config).expect("FCM gateway");
    let outcome = fcm.send(&fcm_target("tok"), &order_moved()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("invalid_grant")),
        "{outcome:?}"
    );
    assert_eq!(sink.refusals().len(), 2);
    assert!(sink.received().is_empty());
}

// ---- APNs ----------------------------------------------------------------------------

#[tokio::test]
async fn apns_alert_and_background_pushes_arrive_over_http2() {
    let sink = start().await;
    let apns = apns(&sink);
    let alert = order_moved();
    let quiet_alert = message(&[("kind", "order")], false, true);
    let background = message(&[("kind", "catalog")], true, false);
    for msg in [&alert, &quiet_alert, &background] {
        assert_eq!(apns.send(&apns_target(), msg).await, Outcome::Delivered);
    }
    let got = sink.wait_for(3, WAIT).await;
    assert_eq!(got.len(), 3);
    assert_no_refusals(&sink);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    for r in &got {
        assert_eq!(r.gateway, GatewayKind::Apns);
        assert_eq!(r.token, APNS_TOKEN);
        assert_eq!(r.http_version, "HTTP/2.0");
        assert_eq!(r.headers["apns-topic"], APNS_TOPIC);
        assert_eq!(r.headers["apns-collapse-id"], "orders");
        let expiration: u64 = r.headers["apns-expiration"].parse().expect("seconds");
        assert!(expiration.abs_diff(now + 86_400) < 60, "{expiration}");
    }

    assert_eq!(got[0].headers["apns-push-type"], "alert");
    assert_eq!(got[0].headers["apns-priority"], "10");
    assert_eq!(got[0].payload, data_json(&alert));
    assert_eq!(
        got[0].body,
        json!({
            "aps": {
                "alert": {"title-loc-key": "pasar_order_title", "loc-key": "pasar_order_body"},
                "mutable-content": 1,
                "sound": "default",
            },
            "pasar": {"kind": "order", "shop": "s-42", "seq": "17"},
        })
    );
    // Not urgent: delivered when the phone is awake anyway.
    assert_eq!(got[1].headers["apns-push-type"], "alert");
    assert_eq!(got[1].headers["apns-priority"], "5");
    // Background is always priority 5, whatever the urgency.
    assert_eq!(got[2].headers["apns-push-type"], "background");
    assert_eq!(got[2].headers["apns-priority"], "5");
    assert_eq!(
        got[2].body,
        json!({"aps": {"content-available": 1}, "pasar": {"kind": "catalog"}})
    );
}

#[tokio::test]
async fn apns_dead_or_malformed_tokens_are_gone() {
    let sink = start().await;
    sink.mark_dead(APNS_TOKEN);
    let apns = apns(&sink);
    assert_eq!(
        apns.send(&apns_target(), &order_moved()).await,
        Outcome::Gone
    );
    // Not hex: never valid, never sent.
    let junk = Target::Apns {
        token: "../../v1/projects".into(),
    };
    assert_eq!(apns.send(&junk, &order_moved()).await, Outcome::Gone);
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn apns_unavailable_is_retry_and_an_expired_provider_token_is_remade_once() {
    let sink = start().await;
    let apns = apns(&sink);
    sink.fail_next(1, 503);
    assert_eq!(
        apns.send(&apns_target(), &order_moved()).await,
        Outcome::Retry {
            after: Some(Duration::from_secs(1))
        }
    );
    // 403 ExpiredProviderToken: a new token and one more try, delivered.
    sink.fail_next(1, 403);
    assert_eq!(
        apns.send(&apns_target(), &order_moved()).await,
        Outcome::Delivered
    );
    // Twice in a row: not a clock problem, given up on.
    sink.fail_next(2, 403);
    assert!(matches!(
        apns.send(&apns_target(), &order_moved()).await,
        Outcome::Rejected(why) if why.contains("ExpiredProviderToken")
    ));
    assert_eq!(sink.received().len(), 1);
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn apns_oversized_is_rejected_without_a_request() {
    let sink = start().await;
    let apns = apns(&sink);
    let outcome = apns.send(&apns_target(), &oversized()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("4096")),
        "{outcome:?}"
    );
    // The sink got nothing at all: not a push, not a refusal.
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn apns_a_key_the_sink_does_not_know_is_refused() {
    let sink = start().await;
    let stranger = Apns::new(ApnsConfig {
        key_pem: jwt::generate_ec_pem().expect("key"),
        ..sink.apns_config()
    })
    .expect("APNs gateway");
    let outcome = stranger.send(&apns_target(), &order_moved()).await;
    assert_eq!(
        outcome,
        Outcome::Rejected("APNs 403 Forbidden: InvalidProviderToken".into())
    );
    let refusals = sink.refusals();
    assert_eq!(refusals.len(), 1);
    assert!(
        refusals[0].why.contains("bad JWT signature"),
        "{refusals:?}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn apns_over_http1_is_refused_by_the_sink() {
    let sink = start().await;
    // A client that speaks HTTP/1.1, as a misconfigured gateway would.
    let answer = http1_client()
        .post(format!("{}/3/device/{APNS_TOKEN}", sink.url()))
        .body("{}")
        .send()
        .await
        .expect("the sink answers");
    assert_eq!(
        answer.status(),
        reqwest::StatusCode::HTTP_VERSION_NOT_SUPPORTED
    );
    assert!(sink.refusals()[0].why.contains("HTTP/2"));
}

// ---- Web Push ------------------------------------------------------------------------

#[tokio::test]
async fn web_push_decrypts_to_exactly_what_was_sent() {
    let sink = start().await;
    let web_push = web_push(&sink);
    let (target, id) = subscription(&sink);
    let urgent = order_moved();
    let quiet = message(&[("kind", "catalog")], false, false);
    assert_eq!(web_push.send(&target, &urgent).await, Outcome::Delivered);
    assert_eq!(web_push.send(&target, &quiet).await, Outcome::Delivered);
    let got = sink.wait_for(2, WAIT).await;
    assert_eq!(got.len(), 2);
    assert_no_refusals(&sink);

    let mut want = urgent.data.clone();
    want.insert("collapse_key".into(), "orders".into());
    assert_eq!(got[0].gateway, GatewayKind::WebPush);
    assert_eq!(got[0].token, id);
    assert_eq!(got[0].payload, json!(want));
    assert_eq!(got[0].headers["content-encoding"], "aes128gcm");
    assert_eq!(got[0].headers["ttl"], "86400");
    assert_eq!(got[0].headers["urgency"], "high");
    // base64url("orders")
    assert_eq!(got[0].headers["topic"], "b3JkZXJz");
    assert_eq!(got[1].headers["urgency"], "normal");
    assert_eq!(got[1].payload["kind"], "catalog");
    // Ciphertext on the wire: the header, the JSON, the delimiter, the tag.
    let plaintext_len = got[0].payload.to_string().len();
    assert_eq!(got[0].wire_bytes, 86 + plaintext_len + 1 + 16);
}

#[tokio::test]
async fn web_push_dead_subscription_is_gone() {
    let sink = start().await;
    let (target, id) = subscription(&sink);
    sink.mark_dead(&id);
    assert_eq!(
        web_push(&sink).send(&target, &order_moved()).await,
        Outcome::Gone
    );
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn web_push_unavailable_is_retry_after_the_service_says() {
    let sink = start().await;
    let (target, _) = subscription(&sink);
    let web_push = web_push(&sink);
    sink.fail_next(1, 503);
    assert_eq!(
        web_push.send(&target, &order_moved()).await,
        Outcome::Retry {
            after: Some(Duration::from_secs(1))
        }
    );
    sink.fail_next(1, 429);
    assert_eq!(
        web_push.send(&target, &order_moved()).await,
        Outcome::Retry {
            after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!(
        web_push.send(&target, &order_moved()).await,
        Outcome::Delivered
    );
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn web_push_oversized_or_plain_http_is_rejected_without_a_request() {
    let sink = start().await;
    let (target, _) = subscription(&sink);
    let outcome = web_push(&sink).send(&target, &oversized()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("4096")),
        "{outcome:?}"
    );
    // A gateway for the real world sends only to https endpoints.
    let strict = WebPush::new(WebPushConfig {
        allow_http: false,
        ..sink.web_push_config()
    })
    .expect("Web Push gateway");
    let outcome = strict.send(&target, &order_moved()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.contains("https")),
        "{outcome:?}"
    );
    assert!(sink.received().is_empty());
    assert_no_refusals(&sink);
}

#[tokio::test]
async fn web_push_another_vapid_key_is_refused() {
    let sink = start().await;
    let (target, _) = subscription(&sink);
    let stranger = WebPush::new(WebPushConfig {
        allow_http: true,
        ..WebPushConfig::generate("mailto:someone@example.org".into()).expect("config")
    })
    .expect("Web Push gateway");
    let outcome = stranger.send(&target, &order_moved()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected(why) if why.starts_with("Web Push 403")),
        "{outcome:?}"
    );
    let refusals = sink.refusals();
    assert_eq!(refusals.len(), 1);
    assert!(
        refusals[0].why.contains("application server key"),
        "{refusals:?}"
    );
    assert!(sink.received().is_empty());
}

// ---- All three -----------------------------------------------------------------------

#[tokio::test]
async fn gateways_route_each_target_and_the_sink_writes_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = start_with(
        SinkKeys::generate()
            .expect("keys")
            .with_out_dir(dir.path().join("pushes")),
    )
    .await;
    let gateways = sink.gateways().expect("gateways");
    let (web_target, _) = subscription(&sink);
    let msg = order_moved();
    for target in [fcm_target("tok"), apns_target(), web_target] {
        assert_eq!(gateways.send(&target, &msg).await, Outcome::Delivered);
    }
    let got = sink.wait_for(3, WAIT).await;
    let kinds: Vec<GatewayKind> = got.iter().map(|r| r.gateway).collect();
    assert_eq!(
        kinds,
        [GatewayKind::Fcm, GatewayKind::Apns, GatewayKind::WebPush]
    );
    assert_no_refusals(&sink);

    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("pushes"))
        .expect("the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "0001-fcm.json",
            "0001-fcm.payload",
            "0002-apns.json",
            "0002-apns.payload",
            "0003-webpush.json",
            "0003-webpush.payload"
        ]
    );
    let written: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("pushes/0002-apns.json")).expect("file"),
    )
    .expect("JSON");
    assert_eq!(written["gateway"], "apns");
    assert_eq!(written["payload"], json!(msg.data));
    let payload: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("pushes/0002-apns.payload")).expect("file"),
    )
    .expect("JSON");
    assert_eq!(payload, json!(msg.data));

    // Behind the trait, as the server will hold it.
    let boxed: Box<dyn Gateway> = Box::new(gateways);
    assert_eq!(
        boxed.send(&fcm_target("tok-2"), &msg).await,
        Outcome::Delivered
    );
}
