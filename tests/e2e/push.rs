//! Push from phone to phone: two phones (pasar-core) and a real server whose push
//! gateways are aimed at the local sink (FCM, APNs and Web Push in their wire formats).
//! The phones register through their own sync rounds; an order move reaches the other
//! phone as a push, and the push, handed to that phone's core as the app would, pulls
//! the order and gives the notification to show. Signing out stops the pushes. On
//! SQLite and on PostgreSQL (`PASAR_TEST_POSTGRES_URL`, see tests/postgres.sh; required
//! when `PASAR_REQUIRE_POSTGRES=1`, as in CI).

mod support;

use support::{Phone, Server, jne_rate, market_with_sari, order, phone};

use pasar_core::catalog::{NewProduct, Stock};
use pasar_core::order::OrderAction;
use pasar_core::sync::wire::PushDeviceDoc;
use pasar_server::AppState;
use pasar_server::push::PushState;
use pasar_server::push::sink::{self, GatewayKind, Received, Sink, SinkKeys};
use std::sync::Arc;
use std::time::Duration;

const SELLER: &str = "+6281311112222";
const BUYER: &str = "+6281233334444";
const SELLER_FCM: &str = "seller-phone:APA91bHPRgkF-fcm_token";
const WAIT: Duration = Duration::from_secs(10);

/// A server whose push gateways are aimed at the local sink, and the sink, served by
/// a runtime of its own.
struct Pushing {
    server: Server,
    sink: Arc<Sink>,
    rt: tokio::runtime::Runtime,
}

impl Pushing {
    fn start(
        on: impl FnOnce(Box<dyn FnOnce(&mut AppState) + Send>) -> Option<Server>,
    ) -> Option<Pushing> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let sink = Arc::new(rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind the sink");
            sink::start(listener, SinkKeys::generate().expect("keys"))
                .await
                .expect("sink")
        }));
        let gateways = Arc::new(sink.gateways().expect("gateways"));
        let server = on(Box::new(move |state| {
            state.push = PushState {
                gateways,
                // The sink's Web Push endpoints are plain http on 127.0.0.1.
                allow_http_endpoints: true,
                ..PushState::default()
            };
        }))?;
        Some(Pushing { server, sink, rt })
    }

    /// Waits for `n` pushes in all (or the timeout); returns every push so far.
    fn pushes(&self, n: usize) -> Vec<Received> {
        self.rt.block_on(self.sink.wait_for(n, WAIT))
    }
}

fn sqlite_server() -> Pushing {
    Pushing::start(|adjust| Some(Server::sqlite(adjust))).expect("SQLite")
}

fn postgres_server() -> Option<Pushing> {
    Pushing::start(|adjust| Server::postgres("push", adjust))
}

fn sync(p: &Phone) -> pasar_core::sync::SyncReport {
    let report = p.sync.sync_blocking(Duration::from_secs(30)).expect("sync");
    assert!(report.complete, "{report:?}");
    assert_eq!(report.rejected, 0, "{report:?}");
    report
}

/// What the app hands its core when a push arrives: FCM's data map, APNs'
/// `userInfo`, the Web Push plaintext.
fn as_the_app_gets_it(push: &Received) -> Vec<u8> {
    serde_json::to_vec(&push.payload).expect("json")
}

fn the_journey(pushing: &Pushing) {
    let server = &pushing.server;
    // The seller's Android phone (FCM) and the buyer's UnifiedPush phone (Web Push).
    let seller = phone(server, SELLER, "Dapur Bu Rina");
    seller
        .sync
        .register_push_blocking(PushDeviceDoc {
            platform: "fcm".into(),
            token: SELLER_FCM.into(),
            p256dh: None,
            auth: None,
            app_version: "1.4.0".into(),
            lang: "id".into(),
        })
        .expect("register");
    let (group, _rt) = market_with_sari(&seller);
    jne_rate(&seller);
    let mut donat = NewProduct::new(&seller.account, "Donat kentang coklat", "25rb");
    donat.stock = Stock::Limited(5);
    donat.weight_grams = 600;
    donat.group_ids = vec![group.id.clone()];
    let donat = seller
        .pasar
        .catalog()
        .create_product_blocking(donat)
        .expect("donat");
    sync(&seller);

    let buyer = phone(server, BUYER, "Ibu Sari");
    let (endpoint, p256dh, auth) = pushing.sink.new_web_push_subscription();
    buyer
        .sync
        .register_push_blocking(PushDeviceDoc {
            platform: "webpush".into(),
            token: endpoint,
            p256dh: Some(p256dh),
            auth: Some(auth),
            app_version: "1.4.0".into(),
            lang: "en".into(),
        })
        .expect("register");
    sync(&buyer);

    // The buyer orders: the seller's phone gets one push, and handling it pulls the
    // order and says what happened.
    let placed = order(&buyer, &seller.account, &donat.id, 2);
    sync(&buyer);
    let pushes = pushing.pushes(1);
    assert_eq!(pushes.len(), 1, "{pushes:#?}");
    assert_eq!(
        (pushes[0].gateway, pushes[0].token.as_str()),
        (GatewayKind::Fcm, SELLER_FCM)
    );
    let notices = seller
        .sync
        .handle_push_blocking(&as_the_app_gets_it(&pushes[0]), Duration::from_secs(10))
        .expect("handle the push");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].order_id, placed.id);
    assert!(notices[0].title.starts_with("Pesanan baru"), "{notices:?}");
    // The same push again (the services may repeat one): nothing new to tell.
    let again = seller
        .sync
        .handle_push_blocking(&as_the_app_gets_it(&pushes[0]), Duration::from_secs(10))
        .expect("handle the push again");
    assert!(again.is_empty(), "{again:?}");

    // The seller ships: the buyer's Web Push phone hears it, in English.
    seller
        .pasar
        .orders()
        .act_blocking(
            &placed.id,
            &seller.account,
            OrderAction::Ship {
                courier: "JNE".into(),
                resi: "JNE0123456789".into(),
            },
        )
        .expect("ship");
    sync(&seller);
    let pushes = pushing.pushes(2);
    assert_eq!(pushes.len(), 2, "{pushes:#?}");
    assert_eq!(pushes[1].gateway, GatewayKind::WebPush);
    assert_eq!(pushes[1].payload["s"], "shipped");
    let notices = buyer
        .sync
        .handle_push_blocking(&as_the_app_gets_it(&pushes[1]), Duration::from_secs(10))
        .expect("handle the push");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].title, "Order shipped");
    assert!(notices[0].body.contains("JNE0123456789"), "{notices:?}");

    // The buyer signs out, which unregisters her phone: the next move tells no one
    // (her phone was her only device; the seller made the move).
    buyer.sync.sign_out_blocking().expect("sign out");
    seller
        .pasar
        .orders()
        .act_blocking(&placed.id, &seller.account, OrderAction::MarkDelivered)
        .expect("delivered");
    sync(&seller);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(pushing.sink.received().len(), 2);
    assert!(
        pushing.sink.refusals().is_empty(),
        "{:?}",
        pushing.sink.refusals()
    );
}

#[test]
fn a_push_reaches_the_other_phone_on_sqlite() {
    the_journey(&sqlite_server());
}

#[test]
fn a_push_reaches_the_other_phone_on_postgres() {
    if let Some(server) = postgres_server() {
        the_journey(&server);
    }
}
