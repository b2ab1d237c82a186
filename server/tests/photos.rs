//! Photo upload over real HTTP, on SQLite and on PostgreSQL: chunks, resuming after a
//! lost answer, deduplication, the checks on what comes in, and serving with cache
//! headers.

mod common;

use common::{Backend, MINUTE, Server, hex};
use pasar_core::sync::wire::{
    Mutation, Op, PHOTO_CHUNK, PHOTO_MAX, PhotoDoc, ProductDoc, ProfileDoc, PushRequest,
};
use pasar_server::photos::PhotoStorage;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Each scenario on SQLite and PostgreSQL (photos in memory), and on SQLite with the
/// photos in S3-compatible storage (`PASAR_TEST_S3_URL`, see tests/s3.sh; required
/// when `PASAR_REQUIRE_S3=1`, as in CI).
macro_rules! everywhere {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::Setup;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Setup::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(Setup::Postgres).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                super::$name(Setup::S3).await;
            }
        }
    )*};
}

everywhere!(
    a_photo_no_product_shows_is_deleted_after_a_week,
    an_upload_abandoned_for_a_day_is_cleaned_up,
    a_photo_goes_up_in_chunks_resumes_and_is_served_cacheable,
    a_photo_already_on_the_server_is_not_sent_again,
    bad_uploads_are_refused_and_leave_nothing_behind,
);

#[derive(Clone, Copy)]
enum Setup {
    Sqlite,
    Postgres,
    S3,
}

/// The server of `setup`, or `None` (said loudly) when its service is not there.
async fn start(setup: Setup) -> Option<Server> {
    match setup {
        Setup::Sqlite => Server::start(Backend::Sqlite).await,
        Setup::Postgres => Server::start(Backend::Postgres).await,
        Setup::S3 => {
            let Ok(endpoint) = std::env::var("PASAR_TEST_S3_URL") else {
                assert!(
                    std::env::var("PASAR_REQUIRE_S3").as_deref() != Ok("1"),
                    "PASAR_REQUIRE_S3=1 but PASAR_TEST_S3_URL is not set"
                );
                eprintln!("SKIPPED on S3: PASAR_TEST_S3_URL is not set (tests/s3.sh)");
                return None;
            };
            // A prefix per test: tests share the bucket.
            let prefix = format!("t{}", hex(&common::random16()));
            let blobs = PhotoStorage::S3 {
                bucket: "pasar-test".into(),
                prefix,
            }
            .open_with(&[
                ("AWS_ENDPOINT".into(), endpoint),
                ("AWS_ALLOW_HTTP".into(), "true".into()),
                ("AWS_ACCESS_KEY_ID".into(), "pasar".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "pasar-secret".into()),
                ("AWS_REGION".into(), "us-east-1".into()),
            ])
            .expect("open the S3 photo store");
            Server::start_with(Backend::Sqlite, move |state| state.photos = blobs).await
        }
    }
}

const PROTOCOL: (&str, &str) = ("pasar-protocol", "1");

/// A file that starts like a JPEG, `len` bytes of noise after.
fn jpeg_like(len: usize, seed: u8) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push(x as u8);
    }
    out
}

fn sha(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

async fn put_chunk(
    server: &Server,
    token: &str,
    hash: &str,
    offset: usize,
    total: usize,
    chunk: &[u8],
) -> (u16, Value) {
    let reply = server
        .send(
            "PUT",
            &format!("/v1/photos/{hash}/upload?offset={offset}&total={total}"),
            Some(token),
            &[PROTOCOL, ("Content-Type", "image/jpeg")],
            chunk,
        )
        .await;
    (reply.status, reply.json())
}

async fn status(server: &Server, token: &str, hash: &str) -> (u16, Value) {
    let reply = server
        .send(
            "GET",
            &format!("/v1/photos/{hash}/upload"),
            Some(token),
            &[PROTOCOL],
            b"",
        )
        .await;
    (reply.status, reply.json())
}

async fn seller(server: &Server, phone: &str, e164: &str) -> String {
    server.sign_in(phone, e164).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn a_photo_goes_up_in_chunks_resumes_and_is_served_cacheable(setup: Setup) {
    let Some(server) = start(setup).await else {
        return;
    };
    let token = seller(&server, "081234567890", "+6281234567890").await;
    let photo = jpeg_like(PHOTO_CHUNK * 2 + 1000, 1);
    let hash = sha(&photo);
    let total = photo.len();

    let (code, body) = status(&server, &token, &hash).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["stored"], false);
    assert_eq!(body["received"], 0);

    // The first chunk arrives; its answer is "lost", so the phone asks where it is.
    let (code, body) = put_chunk(&server, &token, &hash, 0, total, &photo[..PHOTO_CHUNK]).await;
    assert_eq!((code, &body["received"]), (200, &Value::from(PHOTO_CHUNK)));
    let (_, body) = status(&server, &token, &hash).await;
    assert_eq!(body["received"], PHOTO_CHUNK);

    // Sending the first chunk again (an old retry) is told where to resume instead.
    let (code, body) = put_chunk(&server, &token, &hash, 0, total, &photo[..PHOTO_CHUNK]).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["received"], PHOTO_CHUNK);
    // So is a chunk from too far ahead.
    let (code, _) = put_chunk(
        &server,
        &token,
        &hash,
        PHOTO_CHUNK * 2,
        total,
        &photo[PHOTO_CHUNK * 2..],
    )
    .await;
    assert_eq!(code, 409);

    let (code, body) = put_chunk(
        &server,
        &token,
        &hash,
        PHOTO_CHUNK,
        total,
        &photo[PHOTO_CHUNK..PHOTO_CHUNK * 2],
    )
    .await;
    assert_eq!((code, &body["stored"]), (200, &Value::from(false)));
    let (code, body) = put_chunk(
        &server,
        &token,
        &hash,
        PHOTO_CHUNK * 2,
        total,
        &photo[PHOTO_CHUNK * 2..],
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["stored"], true);
    assert_eq!(body["thumb"], false);

    // Served to anyone, byte for byte, cacheable for ever.
    let reply = server
        .send("GET", &format!("/v1/photos/{hash}"), None, &[], b"")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, photo);
    assert_eq!(reply.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        reply.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = reply.header("etag").expect("etag").to_owned();
    assert_eq!(etag, format!("\"{hash}\""));
    let again = server
        .send(
            "GET",
            &format!("/v1/photos/{hash}"),
            None,
            &[("If-None-Match", &etag)],
            b"",
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    // The thumbnail: only from the photo's uploader, then served beside it.
    let thumb = jpeg_like(9_000, 2);
    let other = seller(&server, "081298765432", "+6281298765432").await;
    let path = format!("/v1/photos/{hash}/thumb");
    let reply = server
        .send("PUT", &path, Some(&other), &[PROTOCOL], &thumb)
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    let reply = server
        .send("PUT", &path, Some(&token), &[PROTOCOL], &thumb)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["thumb"], true);
    let reply = server.send("GET", &path, None, &[], b"").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, thumb);
    assert_eq!(reply.header("etag"), Some(format!("\"{hash}-t\"").as_str()));
    let (_, body) = status(&server, &token, &hash).await;
    assert_eq!(
        (&body["stored"], &body["thumb"]),
        (&Value::from(true), &Value::from(true))
    );

    // Nothing of the upload is left waiting.
    let staged = server.db.texts("SELECT hash FROM photo_uploads").await;
    assert!(staged.is_empty(), "{staged:?}");
    server.finish().await;
}

async fn a_photo_already_on_the_server_is_not_sent_again(setup: Setup) {
    let Some(server) = start(setup).await else {
        return;
    };
    let first = seller(&server, "081234567890", "+6281234567890").await;
    let second = seller(&server, "081298765432", "+6281298765432").await;
    let photo = jpeg_like(5_000, 3);
    let hash = sha(&photo);
    let (code, _) = put_chunk(&server, &first, &hash, 0, photo.len(), &photo).await;
    assert_eq!(code, 200);
    // Another seller lists the same picture: the server already has it.
    let (code, body) = status(&server, &second, &hash).await;
    assert_eq!(code, 200);
    assert_eq!(body["stored"], true);
    // And a chunk sent anyway is answered "stored" without being kept.
    let (code, body) = put_chunk(&server, &second, &hash, 0, photo.len(), &photo[..100]).await;
    assert_eq!((code, &body["stored"]), (200, &Value::from(true)));
    let rows = server.db.texts("SELECT hash FROM photos").await;
    assert_eq!(rows, vec![hash]);
    server.finish().await;
}

async fn bad_uploads_are_refused_and_leave_nothing_behind(setup: Setup) {
    let Some(server) = start(setup).await else {
        return;
    };
    let token = seller(&server, "081234567890", "+6281234567890").await;
    let photo = jpeg_like(3_000, 4);
    let hash = sha(&photo);

    // Not signed in, a stale token, no protocol header.
    let path = format!("/v1/photos/{hash}/upload?offset=0&total=3000");
    let reply = server.send("PUT", &path, None, &[PROTOCOL], &photo).await;
    assert_eq!(reply.status, 401);
    let stale = "ab".repeat(32);
    let reply = server
        .send("PUT", &path, Some(&stale), &[PROTOCOL], &photo)
        .await;
    assert_eq!(reply.status, 401);
    let reply = server.send("PUT", &path, Some(&token), &[], &photo).await;
    assert_eq!(reply.status, 400);

    // Not a photo: a PDF is refused at its first chunk.
    let pdf = b"%PDF-1.7 not a picture".to_vec();
    let (code, body) = put_chunk(&server, &token, &sha(&pdf), 0, pdf.len(), &pdf).await;
    assert_eq!((code, body["error"].as_str()), (422, Some("not_a_photo")));

    // Bytes that do not match their address are thrown away whole.
    let mut tampered = photo.clone();
    tampered[2000] ^= 1;
    let (code, body) = put_chunk(&server, &token, &hash, 0, tampered.len(), &tampered).await;
    assert_eq!((code, body["error"].as_str()), (422, Some("photo_corrupt")));
    let (_, body) = status(&server, &token, &hash).await;
    assert_eq!(
        (&body["stored"], &body["received"]),
        (&Value::from(false), &Value::from(0))
    );
    let reply = server
        .send("GET", &format!("/v1/photos/{hash}"), None, &[], b"")
        .await;
    assert_eq!(reply.status, 404);

    // Too large in all, or in one request.
    let too_big = PHOTO_MAX as usize + 1;
    let (code, body) = put_chunk(&server, &token, &hash, 0, too_big, &photo).await;
    assert_eq!(
        (code, body["error"].as_str()),
        (413, Some("too_large")),
        "{body}"
    );
    let big_chunk = jpeg_like(PHOTO_CHUNK + 1, 5);
    let (code, _) = put_chunk(&server, &token, &hash, 0, big_chunk.len(), &big_chunk).await;
    assert_eq!(code, 413);
    // A chunk past the end, an empty one, a hostile address.
    let (code, _) = put_chunk(&server, &token, &hash, 0, 10, &photo[..100]).await;
    assert_eq!(code, 400);
    let (code, _) = put_chunk(&server, &token, &hash, 0, 10, b"").await;
    assert_eq!(code, 400);
    for bad in ["..%2F..%2Fetc%2Fpasswd", "ABC", &hash.to_uppercase()] {
        let (code, _) = status(&server, &token, bad).await;
        assert_eq!(code, 404, "{bad}");
        let reply = server
            .send("GET", &format!("/v1/photos/{bad}"), None, &[], b"")
            .await;
        assert_eq!(reply.status, 404, "{bad}");
    }
    // A thumbnail before its photo.
    let reply = server
        .send(
            "PUT",
            &format!("/v1/photos/{hash}/thumb"),
            Some(&token),
            &[PROTOCOL],
            &photo,
        )
        .await;
    assert_eq!(reply.status, 409);

    // Then the real file goes up fine.
    let (code, body) = put_chunk(&server, &token, &hash, 0, photo.len(), &photo).await;
    assert_eq!((code, &body["stored"]), (200, &Value::from(true)));
    server.finish().await;
}

async fn an_upload_abandoned_for_a_day_is_cleaned_up(setup: Setup) {
    let Some(server) = start(setup).await else {
        return;
    };
    let signed = server.sign_in("081234567890", "+6281234567890").await;
    let token = signed["token"].as_str().expect("token").to_owned();
    let account = signed["account_id"].as_str().expect("account").to_owned();
    let photo = jpeg_like(PHOTO_CHUNK + 500, 6);
    let hash = sha(&photo);
    let (code, _) = put_chunk(
        &server,
        &token,
        &hash,
        0,
        photo.len(),
        &photo[..PHOTO_CHUNK],
    )
    .await;
    assert_eq!(code, 200);
    let staged = format!("staging/{hash}/{account}/000000");
    assert!(
        server
            .state
            .photos
            .get(&staged)
            .await
            .expect("get")
            .is_some()
    );

    // Half a day later it is still waiting for the phone to come back.
    server.advance(12 * 60 * MINUTE);
    pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    let (_, body) = status(&server, &token, &hash).await;
    assert_eq!(body["received"], PHOTO_CHUNK);

    // A day after its last chunk it is given up: progress and chunk gone.
    server.advance(13 * 60 * MINUTE);
    pasar_server::ops::cleanup::once(&server.state)
        .await
        .expect("cleanup");
    let (_, body) = status(&server, &token, &hash).await;
    assert_eq!(body["received"], 0);
    assert!(
        server
            .state
            .photos
            .get(&staged)
            .await
            .expect("get")
            .is_none()
    );
    // The phone starts that photo over and it goes up whole.
    let (code, _) = put_chunk(
        &server,
        &token,
        &hash,
        0,
        photo.len(),
        &photo[..PHOTO_CHUNK],
    )
    .await;
    assert_eq!(code, 200);
    let (code, body) = put_chunk(
        &server,
        &token,
        &hash,
        PHOTO_CHUNK,
        photo.len(),
        &photo[PHOTO_CHUNK..],
    )
    .await;
    assert_eq!((code, &body["stored"]), (200, &Value::from(true)));
    server.finish().await;
}

/// A one-chunk photo, uploaded whole.
async fn upload(server: &Server, token: &str, photo: &[u8]) -> String {
    let hash = sha(photo);
    let (code, body) = put_chunk(server, token, &hash, 0, photo.len(), photo).await;
    assert_eq!((code, &body["stored"]), (200, &Value::from(true)), "{body}");
    hash
}

/// The seller's product `id` showing `photos`, pushed as mutation `n`; the server's
/// answer for it.
async fn push_product(
    server: &Server,
    token: &str,
    seller: &str,
    n: u64,
    photos: &[&str],
) -> Value {
    let photo = |hash: &&str| PhotoDoc {
        hash: (*hash).to_owned(),
        mime: "image/jpeg".into(),
        width: 800,
        height: 600,
        thumb_mime: "image/jpeg".into(),
        thumb_width: 160,
        thumb_height: 120,
        blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj".into(),
        bytes: 0,
    };
    let product = ProductDoc {
        id: "01890000-0000-7000-8000-0000000000a1".into(),
        seller: ProfileDoc {
            id: seller.to_owned(),
            name: "Sari".into(),
            phone: None,
        },
        name: "Bantal leher".into(),
        description: String::new(),
        price_idr: 35_000,
        unit: "pcs".into(),
        weight_grams: 300,
        stock: Some(5),
        preorder_days: None,
        category: None,
        options: vec![],
        variants: vec![],
        photos: photos.iter().map(photo).collect(),
        group_ids: vec![],
        archived: false,
        resale: None,
        resale_of: None,
        stock_at: vec![],
        created_at: 1,
        updated_at: n as i64,
        version: 0,
    };
    let request = PushRequest {
        device_id: "photo-seller-phone".into(),
        mutations: vec![Mutation {
            id: n,
            at: server.now() + n as i64,
            op: Op::PutProduct {
                product: Box::new(product),
                fields: vec!["photos".into()],
            },
        }],
    };
    let body = serde_json::to_vec(&request).expect("json");
    let reply = server
        .send("POST", "/v1/sync/push", Some(token), &[PROTOCOL], &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = reply.json();
    assert!(answer["results"][0]["rejected"].is_null(), "{answer}");
    answer["results"][0].clone()
}

async fn served(server: &Server, hash: &str) -> u16 {
    server
        .send("GET", &format!("/v1/photos/{hash}"), None, &[], b"")
        .await
        .status
}

async fn a_photo_no_product_shows_is_deleted_after_a_week(setup: Setup) {
    let Some(server) = start(setup).await else {
        return;
    };
    let signed = server.sign_in("081234567890", "+6281234567890").await;
    let token = signed["token"].as_str().expect("token").to_owned();
    let seller = signed["account_id"].as_str().expect("account").to_owned();
    let cleanup = || async {
        pasar_server::ops::cleanup::once(&server.state)
            .await
            .expect("cleanup")
    };
    const DAY: i64 = 24 * 60 * MINUTE;
    // Two photos go up; the product shows only the second.
    let unused = upload(&server, &token, &jpeg_like(5_000, 21)).await;
    let shown = upload(&server, &token, &jpeg_like(6_000, 22)).await;
    let answer = push_product(&server, &token, &seller, 1, &[&shown]).await;
    assert!(answer.get("missing_photos").is_none(), "{answer}");

    // Six days on, nothing goes; eight days on, the photo no product showed is gone,
    // file and all, and the other stays.
    server.advance(6 * DAY);
    cleanup().await;
    assert_eq!(served(&server, &unused).await, 200);
    server.advance(2 * DAY);
    cleanup().await;
    assert_eq!(served(&server, &unused).await, 404);
    assert!(
        server
            .state
            .photos
            .get(&format!("photos/{unused}"))
            .await
            .expect("get")
            .is_none()
    );
    assert_eq!(status(&server, &token, &unused).await.1["stored"], false);
    assert_eq!(served(&server, &shown).await, 200);

    // The seller takes the photo off her product: it is kept a week from then.
    push_product(&server, &token, &seller, 2, &[]).await;
    server.advance(5 * DAY);
    cleanup().await;
    assert_eq!(served(&server, &shown).await, 200);
    server.advance(3 * DAY);
    cleanup().await;
    assert_eq!(served(&server, &shown).await, 404);

    // She puts it back, from a phone that remembers sending it: the server takes the
    // product and says the photo is missing; the phone sends it again and it stays.
    let answer = push_product(&server, &token, &seller, 3, &[&shown]).await;
    assert_eq!(answer["missing_photos"], serde_json::json!([shown]));
    assert_eq!(upload(&server, &token, &jpeg_like(6_000, 22)).await, shown);
    server.advance(30 * DAY);
    cleanup().await;
    assert_eq!(served(&server, &shown).await, 200);
    // (A month on, her session has run out.)
    let token = server.sign_in("081234567890", "+6281234567890").await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let answer = push_product(&server, &token, &seller, 4, &[&shown]).await;
    assert!(answer.get("missing_photos").is_none(), "{answer}");

    // A cleanup stopped half-way (the row marked, the file not yet deleted): the photo
    // counts as gone, its upload waits until the deletion is over, and the next
    // cleanup finishes the job.
    let third = upload(&server, &token, &jpeg_like(7_000, 23)).await;
    server
        .db
        .execute(&format!(
            "UPDATE photos SET unused_since = -1 WHERE hash = '{third}'"
        ))
        .await;
    assert_eq!(status(&server, &token, &third).await.1["stored"], false);
    let again = jpeg_like(7_000, 23);
    let (code, body) = put_chunk(&server, &token, &third, 0, again.len(), &again).await;
    assert_eq!(
        (code, body["error"].as_str()),
        (503, Some("photo_busy")),
        "{body}"
    );
    cleanup().await;
    assert_eq!(served(&server, &third).await, 404);
    assert_eq!(upload(&server, &token, &again).await, third);
    assert_eq!(served(&server, &third).await, 200);
    server.finish().await;
}
