//! Versioned migrations of the on-device database.
//!
//! The version lives in `PRAGMA user_version`. Each migration runs in its own
//! transaction together with the version bump, so a failed migration rolls back and
//! leaves the data exactly as the previous version wrote it. Migrations are append-only:
//! once released, a step is never edited, because phones in the field have run it.

use super::StoreError;
use rusqlite::Connection;

pub struct Migration {
    /// The schema version this step produces.
    pub version: u32,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
        -- Products a seller lists. Prices are integer rupiah; stock NULL means unlimited.
        CREATE TABLE products (
            id          TEXT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            price_idr   INTEGER NOT NULL CHECK (price_idr >= 0),
            stock       INTEGER CHECK (stock IS NULL OR stock >= 0),
            archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;
    "#,
    },
    Migration {
        version: 2,
        sql: r#"
        -- People this device knows: the signed-in account, sellers whose products it
        -- shows, members of its groups.
        CREATE TABLE accounts (
            id          TEXT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            phone       TEXT,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;

        -- seller_id is NULL only on rows written by schema v1, which had no sellers.
        ALTER TABLE products ADD COLUMN seller_id TEXT REFERENCES accounts(id);
        ALTER TABLE products ADD COLUMN unit TEXT NOT NULL DEFAULT 'pcs';
        ALTER TABLE products ADD COLUMN preorder_days INTEGER
            CHECK (preorder_days IS NULL OR preorder_days BETWEEN 1 AND 90);
        ALTER TABLE products ADD COLUMN category TEXT;
        -- Variant dimensions, JSON: [{"name": "warna", "values": ["merah", "biru"]}].
        ALTER TABLE products ADD COLUMN options TEXT NOT NULL DEFAULT '[]';
        CREATE INDEX products_seller ON products (seller_id, id);

        -- One row per combination of option values. NULL price or stock: the product's.
        CREATE TABLE variants (
            id          TEXT PRIMARY KEY NOT NULL,
            product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            value1      TEXT NOT NULL,
            value2      TEXT NOT NULL DEFAULT '',
            price_idr   INTEGER CHECK (price_idr IS NULL OR price_idr >= 1),
            stock       INTEGER CHECK (stock IS NULL OR stock >= 0),
            unlimited   INTEGER NOT NULL DEFAULT 0 CHECK (unlimited IN (0, 1)),
            sku         TEXT,
            UNIQUE (product_id, value1, value2)
        ) STRICT;

        -- Prepared photos, content-addressed; the files live in the data folder.
        -- uploaded_at NULL: waiting in the upload queue.
        CREATE TABLE photos (
            hash          TEXT PRIMARY KEY NOT NULL,
            mime          TEXT NOT NULL,
            width         INTEGER NOT NULL,
            height        INTEGER NOT NULL,
            thumb_mime    TEXT NOT NULL,
            thumb_width   INTEGER NOT NULL,
            thumb_height  INTEGER NOT NULL,
            blurhash      TEXT NOT NULL,
            bytes         INTEGER NOT NULL,
            created_at    INTEGER NOT NULL,
            uploaded_at   INTEGER
        ) STRICT;
        CREATE INDEX photos_upload_queue ON photos (created_at) WHERE uploaded_at IS NULL;

        CREATE TABLE product_photos (
            product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            photo_hash  TEXT NOT NULL REFERENCES photos (hash),
            PRIMARY KEY (product_id, position)
        ) STRICT;

        -- Community markets. ("groups" is an SQL keyword.)
        CREATE TABLE market_groups (
            id          TEXT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE group_members (
            group_id    TEXT NOT NULL REFERENCES market_groups (id) ON DELETE CASCADE,
            account_id  TEXT NOT NULL REFERENCES accounts (id),
            role        TEXT NOT NULL CHECK (role IN ('admin', 'member')),
            joined_at   INTEGER NOT NULL,
            PRIMARY KEY (group_id, account_id)
        ) STRICT;

        -- A product is listed in its seller's shop and in any of the seller's groups.
        CREATE TABLE group_listings (
            group_id    TEXT NOT NULL REFERENCES market_groups (id) ON DELETE CASCADE,
            product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            listed_at   INTEGER NOT NULL,
            PRIMARY KEY (group_id, product_id)
        ) STRICT;
        CREATE INDEX group_listings_product ON group_listings (product_id);
    "#,
    },
    Migration {
        version: 3,
        sql: r#"
        -- Small facts about this database (key/value).
        CREATE TABLE meta (
            key    TEXT PRIMARY KEY NOT NULL,
            value  TEXT NOT NULL
        ) STRICT;

        -- Search. The index holds canonical words made by the core's normaliser (see
        -- catalog/search), not the raw text: contentless, so it stores no second copy.
        -- search_docs gives each product a stable integer id for the index (a rowid of
        -- products could change on VACUUM).
        CREATE TABLE search_docs (
            docid       INTEGER PRIMARY KEY,
            product_id  TEXT NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE
        ) STRICT;
        CREATE VIRTUAL TABLE product_search USING fts5 (
            name, tags, description,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61', prefix = '2 3'
        );
        CREATE VIRTUAL TABLE product_search_vocab USING fts5vocab (product_search, 'row');
        -- The id a product has in the seller's own catalog file (imports), if any.
        ALTER TABLE products ADD COLUMN source_id TEXT;
        CREATE UNIQUE INDEX products_source_id ON products (source_id) WHERE source_id IS NOT NULL;
        CREATE INDEX products_price ON products (price_idr, id);
        CREATE INDEX products_category ON products (category COLLATE NOCASE, id);
        -- The index is filled by the core after this migration (search index version).
    "#,
    },
    Migration {
        version: 4,
        sql: r#"
        -- The buyer's cart: on the phone only, it never syncs. Quantities in thousandths
        -- of the unit (1,5 kg = 1500), prices in rupiah as seen when added.
        CREATE TABLE cart_lines (
            id              TEXT PRIMARY KEY NOT NULL,
            product_id      TEXT NOT NULL,
            variant_id      TEXT,
            quantity_milli  INTEGER NOT NULL CHECK (quantity_milli > 0),
            price_seen_idr  INTEGER NOT NULL CHECK (price_seen_idr >= 0),
            note            TEXT NOT NULL DEFAULT '',
            added_at        INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        ) STRICT;
        -- One line per product and variant: adding again adds to the quantity.
        CREATE UNIQUE INDEX cart_lines_item ON cart_lines (product_id, COALESCE(variant_id, ''));
    "#,
    },
    Migration {
        version: 5,
        sql: r#"
        -- Weight for ongkir; 0 when the seller did not say (couriers charge 1 kg minimum).
        ALTER TABLE products ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0
            CHECK (weight_grams >= 0);

        -- A seller's ongkir table: destination is a kabupaten/kota, a provinsi or '*'.
        CREATE TABLE shipping_rates (
            seller_id     TEXT NOT NULL REFERENCES accounts (id),
            courier       TEXT NOT NULL,
            service       TEXT NOT NULL,
            destination   TEXT NOT NULL,
            first_kg_idr  INTEGER NOT NULL CHECK (first_kg_idr >= 0),
            next_kg_idr   INTEGER NOT NULL CHECK (next_kg_idr >= 0),
            PRIMARY KEY (seller_id, courier, service, destination)
        ) STRICT;

        -- A seller's "potongan": spend at least min_items_idr, get amount_idr off.
        CREATE TABLE seller_discounts (
            seller_id      TEXT NOT NULL REFERENCES accounts (id),
            min_items_idr  INTEGER NOT NULL CHECK (min_items_idr >= 0),
            amount_idr     INTEGER NOT NULL CHECK (amount_idr > 0),
            PRIMARY KEY (seller_id, min_items_idr)
        ) STRICT;

        -- One order per seller per checkout; checkout_id makes a retried checkout a no-op.
        CREATE TABLE orders (
            id              TEXT PRIMARY KEY NOT NULL,
            checkout_id     TEXT NOT NULL,
            number          TEXT NOT NULL,
            buyer_id        TEXT NOT NULL,
            seller_id       TEXT NOT NULL,
            status          TEXT NOT NULL,
            payment         TEXT NOT NULL,
            delivery        TEXT NOT NULL CHECK (delivery IN ('courier', 'pickup')),
            address         TEXT,
            courier         TEXT,
            service         TEXT,
            resi            TEXT,
            items_idr       INTEGER NOT NULL,
            ongkir_idr      INTEGER NOT NULL,
            kode_unik_idr   INTEGER NOT NULL,
            discount_idr    INTEGER NOT NULL,
            total_idr       INTEGER NOT NULL,
            note            TEXT NOT NULL DEFAULT '',
            cancel_reason   TEXT,
            expires_at      INTEGER,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            version         INTEGER NOT NULL DEFAULT 1,
            UNIQUE (checkout_id, seller_id)
        ) STRICT;
        CREATE INDEX orders_buyer ON orders (buyer_id, id);
        CREATE INDEX orders_seller ON orders (seller_id, status, id);
        CREATE INDEX orders_expiry ON orders (expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE order_items (
            order_id        TEXT NOT NULL REFERENCES orders (id),
            position        INTEGER NOT NULL,
            product_id      TEXT NOT NULL,
            variant_id      TEXT,
            name            TEXT NOT NULL,
            variant_label   TEXT NOT NULL DEFAULT '',
            unit            TEXT NOT NULL,
            quantity_milli  INTEGER NOT NULL,
            unit_price_idr  INTEGER NOT NULL,
            total_idr       INTEGER NOT NULL,
            note            TEXT NOT NULL DEFAULT '',
            -- Stock taken when the order was placed, and from where, so a cancellation
            -- gives back exactly that ('variant', 'product', or '' for unlimited).
            reserved_units  INTEGER NOT NULL DEFAULT 0,
            reserved_on     TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (order_id, position)
        ) STRICT;

        -- Who did what to an order, when: its history.
        CREATE TABLE order_events (
            order_id     TEXT NOT NULL REFERENCES orders (id),
            seq          INTEGER NOT NULL,
            at           INTEGER NOT NULL,
            role         TEXT NOT NULL,
            actor_id     TEXT,
            action       TEXT NOT NULL,
            from_status  TEXT,
            to_status    TEXT NOT NULL,
            detail       TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (order_id, seq)
        ) STRICT;
    "#,
    },
    Migration {
        version: 6,
        sql: r#"
        -- Changes waiting to reach the server, written in the same transaction as the
        -- change itself. The id is the mutation id the server deduplicates on:
        -- AUTOINCREMENT so an id is never reused, even after the queue empties.
        CREATE TABLE outbox (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            at        INTEGER NOT NULL,
            entity    TEXT NOT NULL,   -- 'product:<id>', 'order:<id>', 'group:<id>', 'profile'
            body      TEXT NOT NULL,   -- the mutation as the wire sends it (JSON)
            attempts  INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        ) STRICT;
        CREATE INDEX outbox_entity ON outbox (entity);

        -- Mutations the server refused for good, for the screen that made them.
        CREATE TABLE sync_rejections (
            mutation_id INTEGER PRIMARY KEY,
            entity      TEXT NOT NULL,
            op          TEXT NOT NULL,
            kind        TEXT NOT NULL,
            field       TEXT,
            indonesian  TEXT NOT NULL,
            english     TEXT NOT NULL,
            at          INTEGER NOT NULL,
            seen        INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1))
        ) STRICT;
    "#,
    },
    Migration {
        version: 7,
        sql: r#"
        -- The newest version of each order the user was told of (or that needed no
        -- telling): a push and the sync that follows it make one notification, and
        -- a push older than what the phone has makes none.
        CREATE TABLE order_notices (
            order_id TEXT PRIMARY KEY,
            version  INTEGER NOT NULL,
            at       INTEGER NOT NULL
        ) STRICT;
    "#,
    },
    Migration {
        version: 8,
        sql: r#"
        -- While the server sends an account's whole feed again (it lost sight of
        -- something: left a group, a seller's listings gone), what came; what did not is
        -- swept from the phone at the end (`sync::apply`). Kept on disk so a pull cut
        -- off half-way goes on after a restart.
        CREATE TABLE sweep_seen (
            kind TEXT NOT NULL,  -- 'product', 'group', 'terms' (by seller id)
            id   TEXT NOT NULL,
            PRIMARY KEY (kind, id)
        ) STRICT, WITHOUT ROWID;
    "#,
    },
    Migration {
        version: 9,
        sql: r#"
        -- Selling through others (issue #10). A product's resale terms, reseller
        -- listing and partner stock, as JSON (NULL for the plain product most are).
        ALTER TABLE products ADD COLUMN trade TEXT;
        -- An order's promoter, partner and supply as the server sent them (JSON), and
        -- who they are, for the promoter's and the partner's lists.
        ALTER TABLE orders ADD COLUMN links TEXT;
        ALTER TABLE orders ADD COLUMN promoter_id TEXT;
        ALTER TABLE orders ADD COLUMN partner_id TEXT;
        CREATE INDEX orders_promoter ON orders (promoter_id, id) WHERE promoter_id IS NOT NULL;
        CREATE INDEX orders_partner ON orders (partner_id, id) WHERE partner_id IS NOT NULL;
        -- A seller's commission rule for promoters (JSON of the wire's CommissionDoc).
        CREATE TABLE seller_commission (
            seller_id TEXT PRIMARY KEY NOT NULL,
            rule      TEXT NOT NULL
        ) STRICT;
        -- Links and codes this phone was referred by: the latest per product or shop.
        -- A checkout from that seller within 30 days carries the code.
        CREATE TABLE referrals (
            target_kind TEXT NOT NULL CHECK (target_kind IN ('product', 'shop')),
            target_id   TEXT NOT NULL,
            code        TEXT NOT NULL,
            seen_at     INTEGER NOT NULL,
            PRIMARY KEY (target_kind, target_id)
        ) STRICT, WITHOUT ROWID;
    "#,
    },
];

/// The version this build of the app writes.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database up to [`latest_version`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_with(conn, MIGRATIONS, latest_version())
}

/// Applies the steps of `migrations` above the current version, up to `target`.
pub fn migrate_with(
    conn: &mut Connection,
    migrations: &[Migration],
    target: u32,
) -> Result<(), StoreError> {
    let found = version(conn)?;
    let supported = migrations.last().map_or(0, |m| m.version);
    if found > supported {
        return Err(StoreError::TooNew { found, supported });
    }
    for step in migrations
        .iter()
        .filter(|m| m.version > found && m.version <= target)
    {
        let tx = conn.transaction()?;
        tx.execute_batch(step.sql)
            .and_then(|()| tx.pragma_update(None, "user_version", step.version))
            .map_err(|source| StoreError::Migration {
                version: step.version,
                source,
            })?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Database;

    /// Rows as each version of the app wrote them. When a migration is added, add the
    /// fixture for its version here: the test below then upgrades a database from
    /// every earlier version and checks that the rows written there survive.
    fn seed(conn: &Connection, version: u32) {
        let sql = match version {
            0 => "",
            1 => {
                "INSERT INTO products (id, name, description, price_idr, stock, created_at, updated_at)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-000000000001', 'Donat coklat', 'isi 6', 25000, 10, 1, 1),
                        ('0190a3e0-7d2c-7cc0-8000-000000000002', 'Bantal', '', 45000, NULL, 2, 2);"
            }
            2 => {
                "INSERT INTO accounts (id, name, phone, created_at, updated_at)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000a1', 'Dapur Bu Rina', '+6281234567890', 1, 1);
                 INSERT INTO products (id, name, description, price_idr, stock, created_at, updated_at,
                                       seller_id, unit, preorder_days, category, options)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-000000000001', 'Donat coklat', 'isi 6', 25000, 10, 1, 1,
                         '0190a3e0-7d2c-7cc0-8000-0000000000a1', 'box', 2, 'Makanan',
                         '[{\"name\":\"topping\",\"values\":[\"keju\",\"meses\"]}]'),
                        ('0190a3e0-7d2c-7cc0-8000-000000000002', 'Bantal', '', 45000, NULL, 2, 2,
                         '0190a3e0-7d2c-7cc0-8000-0000000000a1', 'pcs', NULL, NULL, '[]');
                 INSERT INTO variants (id, product_id, position, value1, price_idr, stock)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000b1', '0190a3e0-7d2c-7cc0-8000-000000000001', 0, 'keju', 27000, 4),
                        ('0190a3e0-7d2c-7cc0-8000-0000000000b2', '0190a3e0-7d2c-7cc0-8000-000000000001', 1, 'meses', NULL, NULL);"
            }
            // v3 adds only the search index and meta: the v2 rows are its fixture.
            3 => return seed(conn, 2),
            4 => {
                seed(conn, 2);
                "INSERT INTO cart_lines (id, product_id, variant_id, quantity_milli, price_seen_idr, note, added_at, updated_at)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000c1', '0190a3e0-7d2c-7cc0-8000-000000000001',
                         '0190a3e0-7d2c-7cc0-8000-0000000000b1', 2000, 27000, 'pedas', 3, 3);"
            }
            5 => {
                seed(conn, 4);
                "INSERT INTO orders (id, checkout_id, number, buyer_id, seller_id, status, payment, delivery,
                                     items_idr, ongkir_idr, kode_unik_idr, discount_idr, total_idr, created_at, updated_at)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000d1', 'c1', 'A1B2C3', 'b', '0190a3e0-7d2c-7cc0-8000-0000000000a1',
                         'processing', 'cod', 'pickup', 50000, 0, 0, 0, 50000, 4, 4);"
            }
            6 => {
                seed(conn, 5);
                "INSERT INTO outbox (at, entity, body) VALUES (5, 'profile', '{\"put_profile\":{\"name\":\"Rina\"}}');"
            }
            7 => {
                seed(conn, 6);
                "INSERT INTO order_notices (order_id, version, at)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000d1', 2, 6);"
            }
            8 => {
                seed(conn, 7);
                "INSERT INTO sweep_seen (kind, id) VALUES ('product', '0190a3e0-7d2c-7cc0-8000-000000000001');"
            }
            9 => {
                seed(conn, 8);
                "UPDATE products SET trade = '{\"resale_of\":\"0190a3e0-7d2c-7cc0-8000-0000000000f1\"}'
                  WHERE id = '0190a3e0-7d2c-7cc0-8000-000000000002';
                 INSERT INTO referrals (target_kind, target_id, code, seen_at)
                 VALUES ('shop', '0190a3e0-7d2c-7cc0-8000-0000000000a1', 'KIRANA', 7);
                 INSERT INTO seller_commission (seller_id, rule)
                 VALUES ('0190a3e0-7d2c-7cc0-8000-0000000000a1', '{\"percent\":{\"basis_points\":1000}}');"
            }
            v => panic!("no fixture for schema version {v}: add one"),
        };
        conn.execute_batch(sql).expect("seed");
    }

    /// What every version's fixture must still read as on the latest schema.
    fn check_latest(conn: &Connection, from: u32) {
        let rows: Vec<(String, i64, Option<i64>)> = conn
            .prepare("SELECT name, price_idr, stock FROM products ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        if from >= 1 {
            assert_eq!(
                rows,
                vec![
                    ("Donat coklat".to_owned(), 25000, Some(10)),
                    ("Bantal".to_owned(), 45000, None)
                ]
            );
        } else {
            assert!(rows.is_empty());
        }
        if from >= 5 {
            let total: i64 = conn
                .query_row("SELECT total_idr FROM orders", [], |r| r.get(0))
                .expect("order");
            assert_eq!(total, 50_000);
        }
        if from >= 6 {
            let queued: (i64, String) = conn
                .query_row("SELECT id, entity FROM outbox", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .expect("outbox");
            assert_eq!(queued, (1, "profile".to_owned()));
        }
        if from >= 7 {
            let told: i64 = conn
                .query_row("SELECT version FROM order_notices", [], |r| r.get(0))
                .expect("order notice");
            assert_eq!(told, 2);
        }
        if from >= 4 {
            let cart: (i64, String) = conn
                .query_row("SELECT quantity_milli, note FROM cart_lines", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .expect("cart line");
            assert_eq!(cart, (2000, "pedas".to_owned()));
        }
        if from >= 2 {
            let variants: Vec<(String, Option<i64>, Option<i64>)> = conn
                .prepare("SELECT value1, price_idr, stock FROM variants ORDER BY position")
                .expect("prepare")
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            assert_eq!(
                variants,
                vec![
                    ("keju".to_owned(), Some(27000), Some(4)),
                    ("meses".to_owned(), None, None)
                ]
            );
        }
    }

    #[test]
    fn upgrades_from_every_earlier_version() {
        for from in 0..=latest_version() {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("db.sqlite3");
            {
                let mut conn = Connection::open(&path).expect("open");
                migrate_with(&mut conn, MIGRATIONS, from).expect("migrate to old version");
                assert_eq!(version(&conn).expect("version"), from);
                seed(&conn, from);
            }
            let db = Database::open(&path).expect("upgrade on open");
            db.read(|c| {
                assert_eq!(version(c).expect("version"), latest_version());
                check_latest(c, from);
                Ok::<_, StoreError>(())
            })
            .expect("read");
        }
    }

    #[test]
    fn a_failed_migration_rolls_back_and_keeps_the_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        let mut conn = Connection::open(&path).expect("open");
        migrate(&mut conn).expect("migrate");
        seed(&conn, latest_version());
        let broken = latest_version() + 1;
        let steps: Vec<Migration> = MIGRATIONS
            .iter()
            .map(|m| Migration { version: m.version, sql: m.sql })
            .chain([Migration {
                version: broken,
                // The first statement succeeds, the second fails: both must be undone.
                sql: "ALTER TABLE products ADD COLUMN sku TEXT; DELETE FROM products; SELECT no_such_function();",
            }])
            .collect();
        let err = migrate_with(&mut conn, &steps, broken).expect_err("must fail");
        assert!(matches!(err, StoreError::Migration { version, .. } if version == broken));
        assert_eq!(version(&conn).expect("version"), latest_version());
        check_latest(&conn, latest_version());
        let has_sku: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('products') WHERE name = 'sku'",
                [],
                |r| r.get(0),
            )
            .expect("pragma");
        assert_eq!(has_sku, 0, "the half-run migration left a column behind");
        // The app as it is (without the broken step) still opens it, data and all.
        drop(conn);
        let db = Database::open(&path).expect("the old app opens its database");
        db.read(|c| {
            assert_eq!(version(c).expect("version"), latest_version());
            check_latest(c, latest_version());
            Ok::<_, StoreError>(())
        })
        .expect("read");
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", latest_version() + 5)
                .expect("set version");
        }
        match Database::open(&path) {
            Err(StoreError::TooNew { found, supported }) => {
                assert_eq!(found, latest_version() + 5);
                assert_eq!(supported, latest_version());
            }
            other => panic!("expected TooNew, got {:?}", other.err()),
        }
    }
}
