//! Push over real HTTP, on SQLite and on PostgreSQL, with the gateways aimed at the
//! local sink (FCM, APNs and Web Push in their real wire formats): phones register
//! where they receive pushes, an order move reaches the other party's devices once
//! (the newest move of a burst only), dead tokens are pruned, the services' trouble is
//! retried, signing out stops pushes, and a refused change tells no one. Then the
//! registration's checks: the platform's token shapes, Web Push endpoints off the
//! server's own network, and a device only its account may remove.

mod common;

use common::{Backend, Server};
use pasar_core::order::address::Address;
use pasar_core::sync::wire::{
    ActionDoc, Mutation, Op, OrderDoc, OrderItemDoc, PRODUCT_FIELDS, ProductDoc, ProfileDoc,
    PullResponse, PushDeviceDoc, PushRequest, PushResponse,
};
use pasar_server::push::sink::{self, GatewayKind, Received, Sink, SinkKeys};
use pasar_server::push::{Gateways, PushState};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

on_both!(
    order_moves_reach_the_other_partys_devices,
    registrations_are_checked_and_belong_to_their_account,
    unpaid_orders_expire_on_the_server_and_both_parties_hear,
    empty_polls_are_answered_from_the_feed_head,
);

const SELLER: &str = "+6281311112222";
const BUYER: &str = "+6281233334444";
const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");
const WAIT: Duration = Duration::from_secs(5);
/// An APNs device token: 32 bytes in hex.
const BUYER_APNS: &str = "5d2c4a1f0e9b8c7d6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa00";
const BUYER_FCM: &str = "buyer-phone:APA91bHPRgkF-fcm_token";
const SELLER_FCM: &str = "seller-phone:APA91bHPRgkF-fcm_token";
const PRICE: i64 = 25_000;

/// A signed-in install: its session and its sync device id (the id pushes are
/// registered under), with the next mutation id of that device.
struct Phone {
    token: String,
    account: String,
    device: String,
    next_id: u64,
}

async fn phone(server: &Server, number: &str, device: &str) -> Phone {
    let signed = server.sign_in(number, number).await;
    Phone {
        token: signed["token"].as_str().expect("token").to_owned(),
        account: signed["account_id"].as_str().expect("account").to_owned(),
        device: device.to_owned(),
        next_id: 1,
    }
}

/// Another install of `p`'s account: its own device id (the session is shared here;
/// which session registers does not matter, only the account).
fn another_install(p: &Phone, device: &str) -> Phone {
    Phone {
        token: p.token.clone(),
        account: p.account.clone(),
        device: device.to_owned(),
        next_id: 1,
    }
}

/// Pushes `ops` as one batch of `p`'s mutations; answers the server's results.
async fn push(server: &Server, p: &mut Phone, ops: Vec<Op>) -> PushResponse {
    let mutations = ops
        .into_iter()
        .map(|op| {
            let id = p.next_id;
            p.next_id += 1;
            Mutation {
                id,
                at: server.now(),
                op,
            }
        })
        .collect();
    let body = serde_json::to_vec(&PushRequest {
        device_id: p.device.clone(),
        mutations,
    })
    .expect("json");
    let reply = server
        .send("POST", "/v1/sync/push", Some(&p.token), &[PROTOCOL], &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    serde_json::from_slice(&reply.body).expect("push response")
}

fn assert_applied(response: &PushResponse) {
    assert!(
        response.results.iter().all(|r| r.rejected.is_none()),
        "{response:?}"
    );
}

fn device_doc(platform: &str, token: &str) -> PushDeviceDoc {
    PushDeviceDoc {
        platform: platform.into(),
        token: token.into(),
        p256dh: None,
        auth: None,
        app_version: "1.4.0 (140)".into(),
        lang: "id".into(),
    }
}

/// `PUT /v1/push/devices/{device}` as `p`; answers the status and the error text.
async fn register(server: &Server, p: &Phone, device: &str, doc: &PushDeviceDoc) -> (u16, String) {
    let body = serde_json::to_vec(doc).expect("json");
    let path = format!("/v1/push/devices/{device}");
    let reply = server
        .send("PUT", &path, Some(&p.token), &[PROTOCOL], &body)
        .await;
    (reply.status, reply.text())
}

async fn unregister(server: &Server, p: &Phone, device: &str) -> u16 {
    let path = format!("/v1/push/devices/{device}");
    server
        .send("DELETE", &path, Some(&p.token), &[PROTOCOL], b"")
        .await
        .status
}

fn put_product(seller: &str, id: &str, stock: i64, now: i64) -> Op {
    Op::PutProduct {
        product: Box::new(ProductDoc {
            id: id.into(),
            seller: ProfileDoc {
                id: seller.to_owned(),
                name: String::new(),
                phone: None,
            },
            name: "Donat kentang coklat".into(),
            description: String::new(),
            price_idr: PRICE,
            unit: "box".into(),
            weight_grams: 600,
            stock: Some(stock),
            preorder_days: None,
            category: None,
            options: vec![],
            variants: vec![],
            photos: vec![],
            group_ids: vec![],
            archived: false,
            resale: None,
            resale_of: None,
            stock_at: vec![],
            created_at: now,
            updated_at: now,
            version: 0,
        }),
        fields: PRODUCT_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// The seller's market group with the buyer in it, and `product` listed there: only
/// what a buyer can see is for sale to them.
fn market(product: Op) -> Vec<Op> {
    let Op::PutProduct {
        mut product,
        fields,
    } = product
    else {
        unreachable!("market lists a product")
    };
    product.group_ids = vec!["pasar-melati".into()];
    vec![
        Op::PutGroup {
            group_id: "pasar-melati".into(),
            name: "Pasar Warga Melati".into(),
        },
        Op::AddMember {
            group_id: "pasar-melati".into(),
            phone: BUYER.into(),
            role: "member".into(),
        },
        Op::PutProduct { product, fields },
    ]
}

/// A COD order of `units` of `product`, by courier with ongkir agreed in chat (no
/// service chosen: nothing to quote).
fn place_order(buyer: &str, seller: &str, id: &str, product: &str, units: i64) -> Op {
    let total = PRICE * units;
    let profile = |id: &str| ProfileDoc {
        id: id.into(),
        name: String::new(),
        phone: None,
    };
    Op::PlaceOrder {
        order: Box::new(OrderDoc {
            id: id.into(),
            number: format!("PSR-{id}"),
            checkout_id: format!("checkout-{id}"),
            buyer: profile(buyer),
            seller: profile(seller),
            status: String::new(),
            payment: "cod".into(),
            delivery: "courier".into(),
            address: Some(Address {
                recipient: "Ibu Sari".into(),
                phone: "+6281233334444".into(),
                street: "Jl. Melati No. 5 RT 03/RW 05".into(),
                kelurahan: "Pucang".into(),
                kecamatan: "Sidoarjo".into(),
                kabupaten: "Kab. Sidoarjo".into(),
                provinsi: "Jawa Timur".into(),
                kode_pos: "61219".into(),
                notes: String::new(),
            }),
            courier: None,
            service: None,
            resi: None,
            items: vec![OrderItemDoc {
                product_id: product.into(),
                variant_id: None,
                name: "Donat kentang coklat".into(),
                variant_label: String::new(),
                unit: "box".into(),
                quantity_milli: units * 1000,
                unit_price_idr: PRICE,
                total_idr: total,
                note: String::new(),
                reserved_units: 0,
                reserved_on: String::new(),
            }],
            items_idr: total,
            ongkir_idr: 0,
            kode_unik_idr: 0,
            discount_idr: 0,
            total_idr: total,
            note: String::new(),
            cancel_reason: None,
            expires_at: None,
            created_at: 0,
            updated_at: 0,
            version: 0,
            events: vec![],
            promoter: None,
            partner: None,
            supply: None,
            packed_at: None,
        }),
    }
}

fn act(order: &str, action: ActionDoc) -> Op {
    Op::ActOnOrder {
        order_id: order.into(),
        action,
    }
}

fn ship() -> ActionDoc {
    ActionDoc::Ship {
        courier: "JNE REG".into(),
        resi: "JNE0123456789".into(),
    }
}

/// The order's version as the server stored it.
async fn version_of(server: &Server, order: &str) -> String {
    let docs = server
        .db
        .texts(&format!("SELECT doc FROM orders WHERE id = '{order}'"))
        .await;
    let doc: Value = serde_json::from_str(&docs[0]).expect("order doc");
    doc["version"].to_string()
}

/// Waits until nothing is queued (every send settled, pruning included).
async fn settled(server: &Server) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = server.db.texts("SELECT id FROM push_queue").await;
        if left.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still queued: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The pushes received after the first `seen`, once exactly `n` more arrived and the
/// queue is empty (so no more are coming). `seen` moves past them.
async fn next_pushes(server: &Server, sink: &Sink, seen: &mut usize, n: usize) -> Vec<Received> {
    sink.wait_for(*seen + n, WAIT).await;
    settled(server).await;
    let all = sink.received();
    let new = all[*seen..].to_vec();
    assert_eq!(new.len(), n, "{new:#?}");
    *seen = all.len();
    new
}

/// `(t, o, s, v)` of a push as the app reads it.
fn hint(push: &Received) -> (String, String, String, String) {
    let field = |k: &str| push.payload[k].as_str().unwrap_or_default().to_owned();
    (field("t"), field("o"), field("s"), field("v"))
}

/// `pasar_push_sent_total{platform, outcome}` so far.
fn sent(server: &Server, platform: &'static str, outcome: &'static str) -> u64 {
    server
        .state
        .metrics
        .counter(
            pasar_server::push::worker::SENT,
            &[("platform", platform), ("outcome", outcome)],
        )
        .get()
}

async fn start_sink() -> Sink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    sink::start(listener, SinkKeys::generate().expect("keys"))
        .await
        .expect("sink")
}

async fn order_moves_reach_the_other_partys_devices(backend: Backend) {
    let sink = start_sink().await;
    let gateways = Arc::new(sink.gateways().expect("gateways"));
    let Some(server) = Server::start_with(backend, move |state| {
        state.push = PushState {
            gateways,
            // The sink listens on plain http on 127.0.0.1.
            allow_http_endpoints: true,
            // Only the sync pushes (and the test) wake the worker: what it sees
            // between two steps is then exactly what the step queued.
            poll_interval: Duration::from_secs(3600),
            ..PushState::default()
        };
    })
    .await
    else {
        return;
    };

    // UnifiedPush apps subscribe with the server's VAPID key.
    let (status, vapid) = server.call("GET", "/v1/push/vapid", None, "").await;
    assert_eq!(status, 200, "{vapid}");
    let web_push = server
        .state
        .push
        .gateways
        .web_push
        .as_ref()
        .expect("web push");
    assert_eq!(vapid["public_key"], web_push.public_key());

    // The seller's phone; the buyer's phone, tablet and a UnifiedPush phone.
    let mut seller = phone(&server, SELLER, "seller-phone").await;
    let mut buyer = phone(&server, BUYER, "buyer-phone").await;
    let buyer_ipad = another_install(&buyer, "buyer-ipad");
    let buyer_foss = another_install(&buyer, "buyer-unifiedpush");
    let (endpoint, p256dh, auth) = sink.new_web_push_subscription();
    for (p, doc) in [
        (&seller, device_doc("fcm", SELLER_FCM)),
        (&buyer, device_doc("fcm", BUYER_FCM)),
        (&buyer_ipad, device_doc("apns", BUYER_APNS)),
        (
            &buyer_foss,
            PushDeviceDoc {
                p256dh: Some(p256dh),
                auth: Some(auth),
                lang: "en".into(),
                ..device_doc("webpush", &endpoint)
            },
        ),
    ] {
        assert_eq!(
            register(&server, p, &p.device, &doc).await,
            (204, String::new())
        );
    }
    let (buyer_id, seller_id) = (buyer.account.clone(), seller.account.clone());
    let product = "donat-1";
    let now = server.now();
    let listed = push(
        &server,
        &mut seller,
        market(put_product(&seller_id, product, 50, now)),
    )
    .await;
    assert_applied(&listed);
    let mut seen = 0;

    // A new order: the seller's phone hears of it, the buyer (who placed it) does not.
    let placed = push(
        &server,
        &mut buyer,
        vec![place_order(&buyer_id, &seller_id, "order-a", product, 2)],
    )
    .await;
    assert_applied(&placed);
    let got = next_pushes(&server, &sink, &mut seen, 1).await;
    assert_eq!(got[0].gateway, GatewayKind::Fcm);
    assert_eq!(got[0].token, SELLER_FCM);
    assert_eq!(
        hint(&got[0]),
        (
            "order".into(),
            "order-a".into(),
            "processing".into(),
            "1".into()
        )
    );

    // The seller ships: each of the buyer's three devices gets it once, in its
    // service's wire format, with the order's new version.
    assert_applied(&push(&server, &mut seller, vec![act("order-a", ship())]).await);
    let got = next_pushes(&server, &sink, &mut seen, 3).await;
    let version = version_of(&server, "order-a").await;
    assert_eq!(version, "2");
    let mut kinds: Vec<_> = got.iter().map(|r| format!("{:?}", r.gateway)).collect();
    kinds.sort();
    assert_eq!(kinds, ["Apns", "Fcm", "WebPush"]);
    for r in &got {
        assert_eq!(
            hint(r),
            (
                "order".into(),
                "order-a".into(),
                "shipped".into(),
                version.clone()
            ),
            "{r:#?}"
        );
        assert_ne!(r.token, SELLER_FCM);
    }
    assert!(sink.refusals().is_empty(), "{:?}", sink.refusals());

    // Two moves in one sync, before the worker runs: one push per device, the latest.
    assert_applied(
        &push(
            &server,
            &mut seller,
            vec![
                act("order-a", ActionDoc::MarkDelivered),
                act("order-a", ActionDoc::Complete),
            ],
        )
        .await,
    );
    let got = next_pushes(&server, &sink, &mut seen, 3).await;
    assert_eq!(version_of(&server, "order-a").await, "4");
    for r in &got {
        assert_eq!(hint(r).2, "completed", "{r:#?}");
        assert_eq!(hint(r).3, "4", "{r:#?}");
    }

    // FCM has trouble once (503, Retry-After: 1): the push waits, then goes.
    sink.fail_next(1, 503);
    assert_applied(
        &push(
            &server,
            &mut buyer,
            vec![place_order(&buyer_id, &seller_id, "order-b", product, 1)],
        )
        .await,
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    while server
        .db
        .texts("SELECT id FROM push_queue WHERE attempts = 1")
        .await
        .is_empty()
    {
        assert!(tokio::time::Instant::now() < deadline, "no retry recorded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sink.received().len(), seen, "sent before its time");
    server.advance(3_000);
    server.state.push.wake.notify_one();
    let got = next_pushes(&server, &sink, &mut seen, 1).await;
    assert_eq!(got[0].token, SELLER_FCM);
    assert_eq!(hint(&got[0]).1, "order-b");
    assert_eq!(sent(&server, "fcm", "retry"), 1);

    // The iPad's app was deleted: APNs says the token is gone, and it is pruned.
    sink.mark_dead(BUYER_APNS);
    assert_applied(&push(&server, &mut seller, vec![act("order-b", ship())]).await);
    let got = next_pushes(&server, &sink, &mut seen, 2).await;
    assert!(
        got.iter().all(|r| r.gateway != GatewayKind::Apns),
        "{got:#?}"
    );
    let devices = server
        .db
        .texts("SELECT device_id FROM push_devices ORDER BY device_id")
        .await;
    assert_eq!(
        devices,
        ["buyer-phone", "buyer-unifiedpush", "seller-phone"]
    );
    assert_eq!(sent(&server, "apns", "gone"), 1);

    // Signed out on the UnifiedPush phone: no more pushes there.
    assert_eq!(
        unregister(&server, &buyer_foss, "buyer-unifiedpush").await,
        204
    );
    assert_applied(
        &push(
            &server,
            &mut seller,
            vec![act("order-b", ActionDoc::MarkDelivered)],
        )
        .await,
    );
    let got = next_pushes(&server, &sink, &mut seen, 1).await;
    assert_eq!(
        (got[0].gateway, got[0].token.as_str()),
        (GatewayKind::Fcm, BUYER_FCM)
    );
    assert_eq!(hint(&got[0]).2, "delivered");

    // Refused changes tell no one: a buyer cannot ship, nor order more than is left.
    let refused = push(
        &server,
        &mut buyer,
        vec![
            act("order-b", ship()),
            place_order(&buyer_id, &seller_id, "order-c", product, 1000),
        ],
    )
    .await;
    assert!(
        refused.results.iter().all(|r| r.rejected.is_some()),
        "{refused:?}"
    );
    server.state.push.wake.notify_one();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server
            .db
            .texts("SELECT id FROM push_queue")
            .await
            .is_empty()
    );
    assert_eq!(sink.received().len(), seen);

    assert!(sink.refusals().is_empty(), "{:?}", sink.refusals());
    assert_eq!(sent(&server, "fcm", "delivered"), 6);
    assert_eq!(sent(&server, "webpush", "delivered"), 3);
    assert_eq!(sent(&server, "apns", "delivered"), 2);
    server.finish().await;
}

async fn registrations_are_checked_and_belong_to_their_account(backend: Backend) {
    // No push service and no development flag: what production without push keys runs.
    let Some(server) = Server::start(backend).await else {
        return;
    };
    assert!(!server.state.push.configured());
    let (status, body) = server.call("GET", "/v1/push/vapid", None, "").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    let buyer = phone(&server, BUYER, "buyer-phone").await;
    let seller = phone(&server, SELLER, "seller-phone").await;
    let fcm = device_doc("fcm", BUYER_FCM);
    let body = serde_json::to_vec(&fcm).expect("json");
    let path = "/v1/push/devices/buyer-phone";
    assert_eq!(
        server
            .send("PUT", path, None, &[PROTOCOL], &body)
            .await
            .status,
        401
    );
    assert_eq!(
        server
            .send("PUT", path, Some(&buyer.token), &[], &body)
            .await
            .status,
        400,
        "the protocol header is required"
    );
    assert_eq!(register(&server, &buyer, "not.a.device", &fcm).await.0, 400);
    let (status, text) = register(&server, &buyer, "buyer-phone", &device_doc("gcm", "t")).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("platform"), "{text}");
    assert_eq!(
        register(
            &server,
            &buyer,
            "buyer-phone",
            &device_doc("apns", "zz-not-hex")
        )
        .await
        .0,
        400
    );
    let (status, text) = register(
        &server,
        &buyer,
        "buyer-phone",
        &PushDeviceDoc {
            lang: "fr".into(),
            ..fcm.clone()
        },
    )
    .await;
    assert_eq!(status, 400, "{text}");

    // Web Push endpoints must be https and off the server's own network: without the
    // development flag, the sink's kind of endpoint is refused too.
    let keys = {
        let sink = start_sink().await;
        let (_, p256dh, auth) = sink.new_web_push_subscription();
        (p256dh, auth)
    };
    let web = |endpoint: &str| PushDeviceDoc {
        p256dh: Some(keys.0.clone()),
        auth: Some(keys.1.clone()),
        ..device_doc("webpush", endpoint)
    };
    for endpoint in [
        "https://10.0.0.1/x",
        "http://push.example/x",
        "http://127.0.0.1:9/wp/1",
        "https://localhost/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest",
    ] {
        let (status, text) = register(&server, &buyer, "buyer-foss", &web(endpoint)).await;
        assert_eq!(status, 400, "{endpoint}: {text}");
        assert!(text.contains("bad_request"), "{text}");
    }
    let (status, text) = register(
        &server,
        &buyer,
        "buyer-foss",
        &PushDeviceDoc {
            auth: None,
            ..web("https://push.example/wp/1")
        },
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(
        register(
            &server,
            &buyer,
            "buyer-foss",
            &web("https://push.example/wp/1")
        )
        .await,
        (204, String::new())
    );

    // A token registered again under another device id moves there (the app was
    // reinstalled). A device id is its account's: the app makes a new one when someone
    // else signs in on the phone, so another account registering it is refused and
    // the owner's phone keeps its pushes.
    assert_eq!(register(&server, &buyer, "buyer-phone", &fcm).await.0, 204);
    assert_eq!(
        register(&server, &buyer, "buyer-phone-2", &fcm).await.0,
        204
    );
    let rows = |sql: &'static str| server.db.texts(sql);
    assert_eq!(
        rows("SELECT device_id FROM push_devices WHERE platform = 'fcm'").await,
        ["buyer-phone-2"]
    );
    let (status, text) = register(
        &server,
        &seller,
        "buyer-phone-2",
        &device_doc("fcm", SELLER_FCM),
    )
    .await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("device_taken"), "{text}");
    assert_eq!(
        rows("SELECT account_id FROM push_devices WHERE device_id = 'buyer-phone-2'").await,
        [buyer.account.as_str()]
    );
    assert_eq!(
        rows("SELECT token FROM push_devices WHERE device_id = 'buyer-phone-2'").await,
        [BUYER_FCM]
    );
    // Nor can it take a device id the buyer syncs with.
    let body = br#"{"device_id":"buyer-tablet","mutations":[]}"#;
    let reply = server
        .send(
            "POST",
            "/v1/sync/push",
            Some(&buyer.token),
            &[PROTOCOL],
            body,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let (status, text) = register(
        &server,
        &seller,
        "buyer-tablet",
        &device_doc("fcm", SELLER_FCM),
    )
    .await;
    assert_eq!(status, 403, "{text}");

    // Only its account removes a device; removing twice is no error.
    assert_eq!(unregister(&server, &seller, "buyer-phone-2").await, 204);
    assert_eq!(
        rows("SELECT device_id FROM push_devices ORDER BY device_id").await,
        ["buyer-foss", "buyer-phone-2"]
    );
    assert_eq!(unregister(&server, &buyer, "buyer-phone-2").await, 204);
    assert_eq!(unregister(&server, &buyer, "buyer-phone-2").await, 204);
    assert_eq!(
        rows("SELECT device_id FROM push_devices").await,
        ["buyer-foss"]
    );
    assert_eq!(
        server
            .send(
                "DELETE",
                "/v1/push/devices/buyer-foss",
                None,
                &[PROTOCOL],
                b""
            )
            .await
            .status,
        401
    );
    server.finish().await;
}

#[test]
fn the_default_state_sends_nothing() {
    let state = PushState::default();
    assert!(!state.configured());
    assert!(!state.allow_http_endpoints);
    let none = Gateways::default();
    assert!(none.fcm.is_none() && none.apns.is_none() && none.web_push.is_none());
}

/// The product's stock as the server stored it.
async fn stock_of(server: &Server, product: &str) -> i64 {
    let docs = server
        .db
        .texts(&format!("SELECT doc FROM products WHERE id = '{product}'"))
        .await;
    let doc: Value = serde_json::from_str(&docs[0]).expect("product doc");
    doc["stock"].as_i64().expect("limited stock")
}

/// A transfer nobody confirms: when its window closes the server's clock cancels it,
/// gives the stock back and tells both phones; a paid one is left alone.
async fn unpaid_orders_expire_on_the_server_and_both_parties_hear(backend: Backend) {
    let sink = start_sink().await;
    let gateways = Arc::new(sink.gateways().expect("gateways"));
    let Some(server) = Server::start_with(backend, move |state| {
        state.push = PushState {
            gateways,
            poll_interval: Duration::from_secs(3600),
            ..PushState::default()
        };
    })
    .await
    else {
        return;
    };
    let mut seller = phone(&server, SELLER, "seller-phone").await;
    let mut buyer = phone(&server, BUYER, "buyer-phone").await;
    for (p, doc) in [
        (&seller, device_doc("fcm", SELLER_FCM)),
        (&buyer, device_doc("fcm", BUYER_FCM)),
    ] {
        assert_eq!(
            register(&server, p, &p.device, &doc).await,
            (204, String::new())
        );
    }
    let (buyer_id, seller_id) = (buyer.account.clone(), seller.account.clone());
    let now = server.now();
    assert_applied(
        &push(
            &server,
            &mut seller,
            market(put_product(&seller_id, "bolu", 10, now)),
        )
        .await,
    );
    let transfer = |id: &str, units: i64| {
        let Op::PlaceOrder { mut order } = place_order(&buyer_id, &seller_id, id, "bolu", units)
        else {
            unreachable!("place_order makes an order")
        };
        order.payment = "transfer:BCA".into();
        Op::PlaceOrder { order }
    };
    assert_applied(
        &push(
            &server,
            &mut buyer,
            vec![transfer("unpaid", 3), transfer("paid", 2)],
        )
        .await,
    );
    assert_eq!(stock_of(&server, "bolu").await, 5);
    let mut seen = 0;
    next_pushes(&server, &sink, &mut seen, 2).await;
    assert_applied(
        &push(
            &server,
            &mut seller,
            vec![act("paid", ActionDoc::ConfirmPayment)],
        )
        .await,
    );
    next_pushes(&server, &sink, &mut seen, 1).await;

    // Before the window closes nothing happens; after it, the unpaid one goes.
    server.advance(pasar_core::order::PAYMENT_WINDOW_MS - 60_000);
    pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(stock_of(&server, "bolu").await, 5);
    server.advance(120_000);
    pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(
        stock_of(&server, "bolu").await,
        8,
        "3 units back on the shelf"
    );
    let docs = server
        .db
        .texts("SELECT doc FROM orders WHERE id = 'unpaid'")
        .await;
    let doc: Value = serde_json::from_str(&docs[0]).expect("order doc");
    assert_eq!(doc["status"], "cancelled");
    assert_eq!(doc["events"][1]["action"], "expire");
    assert_eq!(doc["events"][1]["role"], "system");
    assert!(doc["expires_at"].is_null());
    let got = next_pushes(&server, &sink, &mut seen, 2).await;
    let mut tokens: Vec<&str> = got.iter().map(|p| p.token.as_str()).collect();
    tokens.sort_unstable();
    assert_eq!(tokens, [BUYER_FCM, SELLER_FCM], "both parties hear of it");
    assert!(
        got.iter()
            .all(|p| hint(p).2 == "cancelled" && hint(p).1 == "unpaid")
    );
    let paid = server
        .db
        .texts("SELECT doc FROM orders WHERE id = 'paid'")
        .await;
    assert!(paid[0].contains("\"status\":\"processing\""), "{}", paid[0]);
    // Once is enough: the next cleanup finds nothing due.
    pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    assert_eq!(stock_of(&server, "bolu").await, 8);
    assert!(sink.refusals().is_empty(), "{:?}", sink.refusals());
    server.finish().await;
}

/// A pull through `addr` (this instance or another on the same database).
async fn pull_at(addr: std::net::SocketAddr, p: &Phone, cursor: &str) -> PullResponse {
    let auth = format!("Bearer {}", p.token);
    let reply = common::request(
        addr,
        "GET",
        &format!("/v1/sync/pull?cursor={cursor}"),
        &[("Authorization", &auth), PROTOCOL],
        b"",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    serde_json::from_slice(&reply.body).expect("pull response")
}

/// Not push, but the sync feed the pushes point to: a poll at the head of the feed is
/// answered from memory. A complete page moves the phone to the head of the whole
/// feed; this instance's own commits are seen at once; another instance's (a second
/// server on the same database) within the head's freshness.
async fn empty_polls_are_answered_from_the_feed_head(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let other = {
        let state = pasar_server::AppState {
            feed_head: Arc::default(),
            ..server.state.clone()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(pasar_server::serve_state(
            listener,
            state,
            std::future::pending(),
        ));
        addr
    };
    let mut seller = phone(&server, SELLER, "seller-phone").await;
    let buyer = phone(&server, BUYER, "buyer-phone").await;
    let seller_id = seller.account.clone();
    let mut seller_tablet = another_install(&seller, "seller-tablet");
    let now = server.now();
    assert_applied(
        &push(
            &server,
            &mut seller,
            vec![put_product(&seller_id, "p1", 5, now)],
        )
        .await,
    );
    let first = pull_at(server.addr, &seller, "").await;
    assert_eq!(first.changes.len(), 1);
    // The buyer sees none of the seller's products, yet lands at the feed's head.
    let theirs = pull_at(server.addr, &buyer, "").await;
    assert!(theirs.changes.is_empty());
    let again = pull_at(server.addr, &buyer, &theirs.cursor).await;
    assert_eq!(again.cursor, theirs.cursor);
    assert_eq!(
        theirs.cursor.rsplit('.').next(),
        first.cursor.rsplit('.').next()
    );

    // A change through this instance: the very next poll here sees it.
    assert_applied(
        &push(
            &server,
            &mut seller,
            vec![put_product(&seller_id, "p2", 5, now)],
        )
        .await,
    );
    let seen = pull_at(server.addr, &seller, &first.cursor).await;
    assert_eq!(seen.changes.len(), 1, "{seen:?}");
    // A change through the other instance: this one's polls see it once the head it
    // read has aged (100 ms), never later.
    let auth = format!("Bearer {}", seller_tablet.token);
    let body = serde_json::to_vec(&PushRequest {
        device_id: seller_tablet.device.clone(),
        mutations: vec![Mutation {
            id: 1,
            at: now,
            op: put_product(&seller_id, "p3", 5, now),
        }],
    })
    .expect("json");
    seller_tablet.next_id += 1;
    let reply = common::request(
        other,
        "POST",
        "/v1/sync/push",
        &[
            ("Authorization", &auth),
            PROTOCOL,
            ("Content-Type", "application/json"),
        ],
        &body,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let stale = pull_at(server.addr, &seller, &seen.cursor).await;
    assert!(
        stale.changes.is_empty(),
        "within the freshness window: {stale:?}"
    );
    server.advance(101);
    let fresh = pull_at(server.addr, &seller, &seen.cursor).await;
    assert_eq!(fresh.changes.len(), 1, "{fresh:?}");
    server.finish().await;
}
