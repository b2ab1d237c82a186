//! The world of `bench/run sync` and `bench/run server`: a generated community-group
//! catalog as the wire's documents (names from [`crate::generate`], varied descriptions,
//! photo metadata, variants), a `pasar-server` in-process on a loopback port, and the
//! catalog put on it the way phones would: sellers signed in by one-time code, pushing
//! their listings in small bursts over HTTP, interleaved with the other sellers'.

use crate::generate::{self, Rng};
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::wire::{
    Mutation, Op, OptionDoc, PRODUCT_FIELDS, PROTOCOL, PROTOCOL_HEADER, PUSH_BATCH, PhotoDoc,
    ProductDoc, ProfileDoc, PullResponse, PushRequest, PushResponse, SignedIn, VariantDoc,
};
use pasar_core::sync::{HttpClient, HttpRequest, HttpResponse};
use pasar_server::{AppState, Database, RecordingSender, Store};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Sellers in the group, as in the search benchmark's catalog.
pub const SELLERS: usize = 300;
pub const GROUP_NAME: &str = "Pasar Warga Griya Asri Sidoarjo";

/// Seller `i`'s WhatsApp number (E.164): Telkomsel-style 0812 numbers.
pub fn seller_phone(i: usize) -> String {
    format!("+62812{:08}", 10_000_000 + i)
}

pub const ADMIN_PHONE: &str = "+6281100000001";

/// One seller and the products they will list.
pub struct Seller {
    pub name: String,
    pub phone: String,
    pub products: Vec<ProductDoc>,
}

const CITIES: &[&str] = &[
    "Sidoarjo",
    "Surabaya",
    "Gresik",
    "Mojokerto",
    "Malang",
    "Pasuruan",
    "Waru",
    "Candi",
    "Buduran",
    "Gedangan",
];
const DAYS: &[&str] = &[
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const COURIERS: &[&str] = &[
    "JNE",
    "J&T",
    "SiCepat",
    "GoSend",
    "GrabExpress",
    "AnterAja",
    "Pos Indonesia",
];
const ADJECTIVES: &[&str] = &[
    "enak",
    "gurih",
    "lembut",
    "renyah",
    "awet",
    "wangi",
    "adem",
    "kuat",
    "praktis",
    "higienis",
    "halal",
    "murah meriah",
    "tebal",
    "ringan",
    "nyaman",
];
const MATERIALS: &[&str] = &[
    "tepung premium",
    "mentega wijsman",
    "gula aren asli",
    "katun combed 30s",
    "rayon twill",
    "kulit sintetis",
    "plastik food grade",
    "stainless 304",
    "daging sapi segar",
    "cabai rawit pilihan",
    "susu UHT",
    "kain microfiber",
];
const OPENERS: &[&str] = &[
    "Halo kak!",
    "Ready stock ya kak.",
    "Produk baru dari dapur kami.",
    "Best seller bulan ini!",
    "Promo gajian!",
    "Bismillah, open order.",
    "Restock lagi nih kak.",
];

/// A description of 80–300 characters: sentences from templates with the product's
/// own name, numbers, places and days filled in, so it compresses like real text does,
/// not like twelve sentences repeated 10,000 times.
fn description(rng: &mut Rng, name: &str) -> String {
    let target = 80 + rng.below(221);
    let mut out = String::new();
    if rng.chance(40) {
        out.push_str(rng.pick::<&str>(OPENERS));
    }
    for _ in 0..40 {
        if out.len() >= target {
            break;
        }
        let sentence = match rng.below(16) {
            0 => format!(
                "{name} {} dan {}, dibuat dari {}.",
                rng.pick(ADJECTIVES),
                rng.pick(ADJECTIVES),
                rng.pick(MATERIALS)
            ),
            1 => format!(
                "Berat bersih {} gram, cukup untuk {} orang.",
                50 * (2 + rng.below(40)),
                2 + rng.below(8)
            ),
            2 => format!(
                "Kirim dari {} setiap hari {} dan {}.",
                rng.pick(CITIES),
                rng.pick(DAYS),
                rng.pick(DAYS)
            ),
            3 => format!(
                "Order sebelum jam {}.00 dikirim hari yang sama.",
                9 + rng.below(8)
            ),
            4 => format!(
                "Tahan {} hari di suhu ruang, {} hari di kulkas.",
                1 + rng.below(5),
                5 + rng.below(25)
            ),
            5 => format!(
                "Ukuran {} x {} cm.",
                10 + rng.below(190),
                10 + rng.below(190)
            ),
            6 => format!("Bisa COD area {} dan sekitarnya.", rng.pick(CITIES)),
            7 => format!(
                "Harga grosir mulai {} pcs, chat dulu ya kak.",
                5 * (1 + rng.below(10))
            ),
            8 => format!(
                "Tersedia {} pilihan, cek foto ke-{}.",
                2 + rng.below(6),
                1 + rng.below(5)
            ),
            9 => format!("Bahan {}, {}.", rng.pick(MATERIALS), rng.pick(ADJECTIVES)),
            10 => format!(
                "Exp {:02}/{:02}/20{}.",
                1 + rng.below(28),
                1 + rng.below(12),
                25 + rng.below(3)
            ),
            11 => format!(
                "Sudah terjual {}+, rating {}.{}.",
                10 * (1 + rng.below(300)),
                4,
                5 + rng.below(5)
            ),
            12 => format!(
                "Kirim pakai {} atau ambil sendiri di {}.",
                rng.pick(COURIERS),
                rng.pick(CITIES)
            ),
            13 => format!(
                "PO {} hari kerja, tutup PO hari {}.",
                2 + rng.below(6),
                rng.pick(DAYS)
            ),
            14 => format!(
                "Garansi {} hari kalau barang rusak, wajib video unboxing.",
                3 + rng.below(12)
            ),
            _ => format!(
                "Cocok untuk {} dan {}.",
                rng.pick(&[
                    "oleh-oleh",
                    "hantaran",
                    "arisan",
                    "kado",
                    "stok rumah",
                    "jualan lagi"
                ]),
                rng.pick(&[
                    "acara keluarga",
                    "pengajian",
                    "ulang tahun",
                    "kantor",
                    "sekolah anak"
                ])
            ),
        };
        if out.len() + 1 + sentence.len() > 300 {
            if out.len() >= 80 {
                break;
            }
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&sentence);
    }
    out
}

fn hex(rng: &mut Rng, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rng.next_u64() as u8))
        .collect()
}

const BASE83: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

/// Photo metadata as the core's media pipeline makes it: JPEG, long side 1280 px, at
/// most 150 KB, a 320 px thumbnail, a 4×3-component BlurHash (28 characters).
fn photo(rng: &mut Rng) -> PhotoDoc {
    let (width, height) = *rng.pick(&[
        (1280, 1280),
        (1280, 960),
        (960, 1280),
        (1280, 720),
        (1080, 1080),
        (1280, 853),
        (720, 1280),
    ]);
    let long = width.max(height);
    let blurhash: String = std::iter::once('L')
        .chain((0..27).map(|_| BASE83[rng.below(BASE83.len())] as char))
        .collect();
    PhotoDoc {
        hash: hex(rng, 32),
        mime: "image/jpeg".into(),
        width,
        height,
        thumb_mime: "image/jpeg".into(),
        thumb_width: width * 320 / long,
        thumb_height: height * 320 / long,
        blurhash,
        bytes: 40_000 + rng.below(110_000) as u64,
    }
}

/// A generated catalog row ([`generate::product`]) as the document a phone sends.
fn product_doc(rng: &mut Rng, row: &Value, group_id: &str, now: i64) -> ProductDoc {
    let text = |k: &str| row[k].as_str().unwrap_or_default().to_owned();
    let name = text("name");
    let price = row["price_idr"].as_i64().unwrap_or(10_000);
    let mut options = Vec::new();
    if let Some(map) = row["variants"].as_object() {
        for (name, values) in map {
            options.push(OptionDoc {
                name: name.clone(),
                values: values
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    // Every combination of the options is a variant; some cost more, some count stock.
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for o in &options {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                o.values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push(v.clone());
                    c
                })
            })
            .collect();
    }
    let variants = if options.is_empty() {
        Vec::new()
    } else {
        combos
            .into_iter()
            .map(|values| VariantDoc {
                id: pasar_core::id::new_id(),
                values,
                price_idr: rng
                    .chance(50)
                    .then(|| price + 1000 * (1 + rng.below(20)) as i64),
                stock: rng.chance(60).then(|| rng.below(30) as i64),
                unlimited: false,
                sku: None,
            })
            .collect()
    };
    let photos = (0..1 + rng.below(5)).map(|_| photo(rng)).collect();
    let created_at = now - rng.below(180 * 24 * 3600) as i64 * 1000;
    ProductDoc {
        id: pasar_core::id::new_id(),
        // Filled in with the seller's account when pushed.
        seller: ProfileDoc {
            id: String::new(),
            name: String::new(),
            phone: None,
        },
        description: description(rng, &name),
        name,
        price_idr: price,
        unit: text("unit"),
        weight_grams: 50 * (2 + rng.below(40)) as u32,
        stock: row["stock"].as_i64(),
        preorder_days: rng.chance(10).then(|| 1 + rng.below(7) as u32),
        category: row["category"].as_str().map(str::to_owned),
        options,
        variants,
        photos,
        group_ids: vec![group_id.to_owned()],
        archived: false,
        resale: None,
        resale_of: None,
        stock_at: Vec::new(),
        created_at,
        updated_at: created_at + rng.below(30 * 24 * 3600) as i64 * 1000,
        version: 0,
    }
}

/// `products` products of [`SELLERS`] sellers, all listed in `group_id`. Same seed, same
/// catalog (ids aside: they are UUIDv7s, made when generated).
pub fn catalog(seed: u64, products: usize, group_id: &str) -> Vec<Seller> {
    let mut rng = Rng::new(seed);
    let names = generate::sellers(&mut rng, SELLERS);
    let mut sellers: Vec<Seller> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Seller {
            name: name.clone(),
            phone: seller_phone(i),
            products: Vec::new(),
        })
        .collect();
    let now = pasar_core::time::now_ms();
    for i in 0..products {
        let row = generate::product(&mut rng, i, &names);
        let seller = names
            .iter()
            .position(|n| Some(n.as_str()) == row["seller"].as_str())
            .unwrap_or(0);
        let doc = product_doc(&mut rng, &row, group_id, now);
        sellers[seller].products.push(doc);
    }
    sellers
}

/// `products` products of one seller (the pushing seller of `bench/run sync`), listed
/// in `group_id`.
pub fn products(seed: u64, products: usize, group_id: &str) -> Vec<ProductDoc> {
    let mut rng = Rng::new(seed);
    let names = generate::sellers(&mut rng, 1);
    let now = pasar_core::time::now_ms();
    (0..products)
        .map(|i| {
            let row = generate::product(&mut rng, i, &names);
            product_doc(&mut rng, &row, group_id, now)
        })
        .collect()
}

/// A server on a loopback port, in its own runtime, stopped when dropped. Sign-in limits
/// are lifted (hundreds of accounts sign in from one address); everything else is as
/// production runs it.
pub struct Server {
    pub url: String,
    pub codes: Arc<RecordingSender>,
    /// The SQLite file, for its size.
    pub sqlite: Option<PathBuf>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// On a fresh SQLite file in a temporary folder.
    pub fn sqlite(workers: usize) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.sqlite3");
        let mut server = Server::start(Database::Sqlite(path.clone()), workers, Some(dir));
        server.sqlite = Some(path);
        server
    }

    /// `workers` async worker threads, as a machine with that many cores would run.
    pub fn start(database: Database, workers: usize, dir: Option<tempfile::TempDir>) -> Server {
        let codes = Arc::new(RecordingSender::default());
        let sender = Arc::clone(&codes);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let store = Store::open(&database).await.expect("open the store");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a loopback port");
                let addr = listener.local_addr().expect("local address");
                ready_tx.send(addr).expect("ready");
                let mut state = AppState::new(store, sender);
                state.auth.per_number = (1_000_000, 60_000);
                state.auth.per_address = (1_000_000, 60_000);
                pasar_server::serve_state(listener, state, async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = ready_rx.recv().expect("server started");
        Server {
            url: format!("http://{addr}"),
            codes,
            sqlite: None,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Bytes an answer took on the wire, counted as the core's engine counts them: status
/// line, headers, body as received.
pub fn received_bytes(r: &HttpResponse) -> u64 {
    (17 + r
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.len() + 4)
        .sum::<usize>()
        + r.body.len()) as u64
}

/// Bytes a request took, counted as the engine counts them.
pub fn sent_bytes(r: &HttpRequest, path: &str) -> u64 {
    (r.method.len()
        + path.len()
        + 12
        + r.headers
            .iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum::<usize>()
        + r.body.len()) as u64
}

/// Plain requests to the server, through the same client the phones use here.
pub struct Api {
    pub url: String,
    pub http: ReqwestClient,
}

impl Api {
    pub fn new(url: &str) -> Api {
        Api {
            url: url.to_owned(),
            http: ReqwestClient::new().expect("http client"),
        }
    }

    /// The request as the engine would make it (protocol header, token), with
    /// `accept_encoding` as given and the body gzip-compressed above 1 KB.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        accept_encoding: Option<&str>,
    ) -> HttpRequest {
        let mut headers = vec![
            (PROTOCOL_HEADER.to_owned(), PROTOCOL.to_string()),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        if let Some(e) = accept_encoding {
            headers.push(("accept-encoding".to_owned(), e.to_owned()));
        }
        if let Some(token) = token {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        let body = match body {
            Some(body) => {
                headers.push(("content-type".to_owned(), "application/json".to_owned()));
                if body.len() > pasar_core::sync::http::COMPRESS_ABOVE {
                    headers.push(("content-encoding".to_owned(), "gzip".to_owned()));
                    gzip(&body, 6)
                } else {
                    body
                }
            }
            None => Vec::new(),
        };
        HttpRequest {
            method: method.to_owned(),
            url: format!("{}{path}", self.url),
            headers,
            body,
        }
    }

    pub fn send(&self, request: HttpRequest) -> HttpResponse {
        self.http.send(request).expect("the server answers")
    }

    /// POSTs `body` as JSON and reads the JSON answer; anything but 200 stops the bench.
    pub fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> T {
        let body = serde_json::to_vec(body).expect("encode");
        let r = self.send(self.request("POST", path, token, Some(body), None));
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        serde_json::from_slice(&r.body).expect("a JSON answer")
    }

    /// Signs `phone` in by code, as a phone does; the code comes from the recording
    /// sender.
    pub fn sign_in(&self, codes: &RecordingSender, phone: &str) -> SignedIn {
        let _: Value = self.post(
            "/v1/auth/code",
            None,
            &serde_json::json!({ "phone": phone }),
        );
        let code = codes.last_code(phone).expect("a code was sent");
        self.post(
            "/v1/auth/verify",
            None,
            &serde_json::json!({ "phone": phone, "code": code }),
        )
    }

    /// One pull page after `cursor`, `accept_encoding` as given.
    pub fn pull(
        &self,
        token: &str,
        cursor: &str,
        accept_encoding: Option<&str>,
    ) -> (HttpRequest, HttpResponse) {
        let path = pull_path(cursor);
        let request = self.request("GET", &path, Some(token), None, accept_encoding);
        let response = self.send(request.clone());
        assert_eq!(response.status, 200, "pull");
        (request, response)
    }
}

impl Api {
    /// A pull as an app of protocol 1 asks it: every change a whole document (the
    /// baseline of the incremental figure).
    pub fn pull_whole(&self, token: &str, cursor: &str) -> (HttpRequest, HttpResponse) {
        let path = pull_path(cursor);
        let mut request = self.request("GET", &path, Some(token), None, None);
        for (k, v) in &mut request.headers {
            if k.eq_ignore_ascii_case(PROTOCOL_HEADER) {
                *v = "1".to_owned();
            }
        }
        let response = self.send(request.clone());
        assert_eq!(response.status, 200, "pull");
        (request, response)
    }
}

pub fn pull_path(cursor: &str) -> String {
    let cursor: String = cursor
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "/v1/sync/pull?cursor={cursor}&limit={}",
        pasar_core::sync::wire::PULL_PAGE
    )
}

/// The answer's body unpacked (gzip only, as the phone reads).
pub fn page_of(r: &HttpResponse) -> PullResponse {
    let gz = r
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip");
    let body = if gz {
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(r.body.as_slice()),
            &mut out,
        )
        .expect("gunzip");
        out
    } else {
        r.body.clone()
    };
    serde_json::from_slice(&body).expect("a pull page")
}

pub fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

/// A signed-in account pushing mutations from one device, as its phone would.
pub struct Member {
    pub phone: String,
    pub name: String,
    pub token: String,
    pub account_id: String,
    pub device_id: String,
    next_id: u64,
}

impl Member {
    pub fn sign_in(api: &Api, codes: &RecordingSender, phone: &str, name: &str) -> Member {
        let signed = api.sign_in(codes, phone);
        Member {
            phone: phone.to_owned(),
            name: name.to_owned(),
            token: signed.token,
            account_id: signed.account_id,
            device_id: pasar_core::id::new_id(),
            next_id: 1,
        }
    }

    pub fn profile(&self) -> ProfileDoc {
        ProfileDoc {
            id: self.account_id.clone(),
            name: self.name.clone(),
            phone: Some(self.phone.clone()),
        }
    }

    /// Pushes `ops` in batches of [`PUSH_BATCH`]; a refusal stops the bench (the world
    /// would not be what it claims to be).
    pub fn push(&mut self, api: &Api, ops: Vec<Op>) {
        let at = pasar_core::time::now_ms();
        for chunk in ops.chunks(PUSH_BATCH) {
            let mutations = chunk
                .iter()
                .map(|op| {
                    let id = self.next_id;
                    self.next_id += 1;
                    Mutation {
                        id,
                        at,
                        op: op.clone(),
                    }
                })
                .collect();
            let answer: PushResponse = api.post(
                "/v1/sync/push",
                Some(&self.token),
                &PushRequest {
                    device_id: self.device_id.clone(),
                    mutations,
                },
            );
            if let Some(r) = answer.results.iter().find_map(|r| r.rejected.as_ref()) {
                panic!("the server refused a seeding mutation: {r:?}");
            }
        }
    }

    /// The `PutProduct` of a whole product by this seller.
    pub fn put_product(&self, doc: &ProductDoc, fields: &[&str]) -> Op {
        let mut doc = doc.clone();
        doc.seller = self.profile();
        Op::PutProduct {
            product: Box::new(doc),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }
}

/// The catalog on the server: the group's admin, its sellers (signed in, with their
/// products listed), and the group.
pub struct Seeded {
    pub admin: Member,
    pub sellers: Vec<Member>,
    pub group_id: String,
}

/// Puts `catalog` on `server`: the admin makes the group and adds every seller and
/// each of `also` (by number, before they sign up, as an admin does); each seller signs
/// in and lists their products in bursts of 1–5, the bursts of all sellers interleaved
/// (so the feed mixes sellers as a real market's does, which gzip notices).
pub fn seed(
    server: &Server,
    catalog: &[Seller],
    group_id: &str,
    also: &[&str],
    seed: u64,
) -> Seeded {
    let api = Api::new(&server.url);
    let mut admin = Member::sign_in(&api, &server.codes, ADMIN_PHONE, "Bu RT Griya Asri");
    let mut ops = vec![
        Op::PutProfile {
            name: admin.name.clone(),
        },
        Op::PutGroup {
            group_id: group_id.to_owned(),
            name: GROUP_NAME.into(),
        },
    ];
    for phone in catalog
        .iter()
        .map(|s| s.phone.as_str())
        .chain(also.iter().copied())
    {
        ops.push(Op::AddMember {
            group_id: group_id.to_owned(),
            phone: phone.to_owned(),
            role: "member".into(),
        });
    }
    admin.push(&api, ops);
    let mut sellers: Vec<Member> = catalog
        .iter()
        .map(|s| {
            let mut m = Member::sign_in(&api, &server.codes, &s.phone, &s.name);
            m.push(
                &api,
                vec![Op::PutProfile {
                    name: s.name.clone(),
                }],
            );
            m
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut bursts: Vec<(usize, usize, usize)> = Vec::new();
    for (i, s) in catalog.iter().enumerate() {
        let mut at = 0;
        while at < s.products.len() {
            let n = (1 + rng.below(5)).min(s.products.len() - at);
            bursts.push((i, at, at + n));
            at += n;
        }
    }
    // Fisher–Yates with the deterministic generator.
    for i in (1..bursts.len()).rev() {
        bursts.swap(i, rng.below(i + 1));
    }
    for (seller, from, to) in bursts {
        let ops = catalog[seller].products[from..to]
            .iter()
            .map(|p| sellers[seller].put_product(p, PRODUCT_FIELDS))
            .collect();
        sellers[seller].push(&api, ops);
    }
    Seeded {
        admin,
        sellers,
        group_id: group_id.to_owned(),
    }
}
