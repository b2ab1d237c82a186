//! A failed upgrade leaves the server's database as it was, on SQLite and on
//! PostgreSQL: a new migration that fails half-way (after statements that created a
//! table, added a column and changed and deleted rows) is rolled back whole, the schema
//! version stays, the accounts, sessions and listings are intact, and a server of the
//! old version starts on the database and serves the same session.

mod common;

use common::{Backend, Db, PHONE, Server};
use pasar_server::Store;
use pasar_server::store::{LATEST_VERSION, MIGRATIONS};

on_both!(a_failed_migration_rolls_back_and_the_old_server_still_opens);

const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");

/// The tables and the columns of `accounts`, as the database lists them.
async fn schema(db: &Db) -> (Vec<String>, Vec<String>) {
    match db {
        Db::Sqlite { .. } => (
            db.texts("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .await,
            db.texts("SELECT name FROM pragma_table_info('accounts') ORDER BY name")
                .await,
        ),
        Db::Postgres { .. } => (
            db.texts(
                "SELECT table_name::text FROM information_schema.tables
                  WHERE table_schema = current_schema() ORDER BY 1",
            )
            .await,
            db.texts(
                "SELECT column_name::text FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = 'accounts'
                  ORDER BY 1",
            )
            .await,
        ),
    }
}

async fn a_failed_migration_rolls_back_and_the_old_server_still_opens(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    // Someone signed in and listed a product.
    let signed = server.sign_in(PHONE, PHONE).await;
    let token = signed["token"].as_str().expect("token").to_owned();
    let account = signed["account_id"].as_str().expect("account").to_owned();
    let product = serde_json::json!({
        "device_id": "phone-1",
        "mutations": [{"id": 1, "at": 1, "op": {"put_product": {"product": {
            "id": "donat-1", "seller": {"id": account, "name": ""}, "name": "Donat kentang",
            "price_idr": 25000, "unit": "box", "created_at": 1, "updated_at": 1
        }, "fields": ["name", "price_idr", "unit"]}}}]
    });
    let reply = server
        .send(
            "POST",
            "/v1/sync/push",
            Some(&token),
            &[PROTOCOL],
            product.to_string().as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply.json()["results"][0]["rejected"].is_null(),
        "{}",
        reply.text()
    );
    let (task, db) = server.stop();
    task.await.expect("server task").expect("server ran");
    let before = schema(&db).await;
    let products_before = db.texts("SELECT doc FROM products").await;

    // The next release's migration: it does a lot, then fails on its last statement.
    let broken = LATEST_VERSION + 1;
    let mut steps: Vec<(i64, &str)> = MIGRATIONS.to_vec();
    steps.push((
        broken,
        "CREATE TABLE loyalty_points (account_id TEXT PRIMARY KEY, points BIGINT NOT NULL);
         INSERT INTO loyalty_points (account_id, points) SELECT id, 0 FROM accounts;
         ALTER TABLE accounts ADD COLUMN nickname TEXT;
         UPDATE accounts SET name = 'overwritten';
         DELETE FROM sessions;
         DELETE FROM products;
         INSERT INTO no_such_table (x) VALUES (1);",
    ));
    let store = Store::open(&db.database()).await.expect("open");
    assert_eq!(
        store.schema_version().await.expect("version"),
        LATEST_VERSION
    );
    let failed = store.migrate_with(&steps).await;
    assert!(failed.is_err(), "the broken migration must fail");
    assert_eq!(
        store.schema_version().await.expect("version"),
        LATEST_VERSION,
        "the version moved on a failed migration"
    );
    drop(store);
    assert_eq!(
        schema(&db).await,
        before,
        "the failed migration left schema behind"
    );
    assert_eq!(db.texts("SELECT doc FROM products").await, products_before);
    assert_eq!(
        db.texts("SELECT id FROM accounts WHERE name IS NULL").await,
        [account.as_str()]
    );

    // The old release starts on it and the phone's session still works.
    let server = Server::start_on(db, |_| {}).await;
    assert_eq!(
        server.state.store.schema_version().await.expect("version"),
        LATEST_VERSION
    );
    let (status, me) = server.call("GET", "/v1/me", Some(&token), "").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], account.as_str());
    let reply = server
        .send(
            "GET",
            "/v1/sync/pull?cursor=",
            Some(&token),
            &[PROTOCOL],
            b"",
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["changes"][0]["product"]["id"], "donat-1");
    server.finish().await;
}
