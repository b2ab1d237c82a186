//! The schema, as numbered migrations. Both backends run the same SQL (kept to what
//! SQLite and PostgreSQL both read); a migration is never edited once released, a
//! change is a new entry at the end.

/// `(version, SQL)`, in order. Versions start at 1 and have no gaps. Public so a test
/// can run them with a failing step added (see [`super::Store::migrate_with`]).
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "
    CREATE TABLE accounts (
        id         TEXT PRIMARY KEY,
        phone      TEXT NOT NULL UNIQUE,   -- E.164
        name       TEXT,
        created_at BIGINT NOT NULL
    );
    -- At most one live code per number: asking again replaces it (and its attempts).
    CREATE TABLE otp_codes (
        phone      TEXT PRIMARY KEY,
        code_hash  TEXT NOT NULL,          -- SHA-256, never the code
        expires_at BIGINT NOT NULL,
        attempts   BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL
    );
    -- One row per code request, per limited key (number, client address).
    CREATE TABLE otp_requests (
        key TEXT NOT NULL,
        at  BIGINT NOT NULL
    );
    CREATE INDEX otp_requests_key_at ON otp_requests (key, at);
    CREATE INDEX otp_requests_at ON otp_requests (at);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,       -- SHA-256 of the bearer token, never the token
        account_id TEXT NOT NULL REFERENCES accounts (id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT
    );
    CREATE INDEX sessions_account ON sessions (account_id);
    ",
    ),
    (
        2,
        "
    -- Sync. Every write takes the next number of the one feed row while holding it, so
    -- changes commit in feed order and a pull never skips one committed late.
    CREATE TABLE feed (
        id  BIGINT PRIMARY KEY,
        seq BIGINT NOT NULL
    );
    INSERT INTO feed (id, seq) VALUES (1, 0);
    -- What an account may see grows when it joins a group: its epoch goes up and its
    -- phones pull again from the start.
    ALTER TABLE accounts ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
    -- Each install, and the last of its mutations applied (or refused for good).
    CREATE TABLE devices (
        id           TEXT PRIMARY KEY,
        account_id   TEXT NOT NULL REFERENCES accounts (id),
        last_applied BIGINT NOT NULL DEFAULT 0,
        created_at   BIGINT NOT NULL,
        seen_at      BIGINT NOT NULL
    );
    -- Refused mutations keep their reason, so a retried batch gets the same answer.
    CREATE TABLE rejections (
        device_id   TEXT NOT NULL,
        mutation_id BIGINT NOT NULL,
        reason      TEXT NOT NULL,
        PRIMARY KEY (device_id, mutation_id)
    );
    -- Products, groups and orders are JSON documents (the wire's own shape) with the
    -- columns the rules and the pull query filter on.
    CREATE TABLE products (
        id        TEXT PRIMARY KEY,
        seller_id TEXT NOT NULL REFERENCES accounts (id),
        doc       TEXT NOT NULL,
        clocks    TEXT NOT NULL,      -- field -> time of the edit that set it
        seq       BIGINT NOT NULL
    );
    CREATE INDEX products_seq ON products (seq);
    CREATE INDEX products_seller ON products (seller_id, seq);
    -- The product's feed number is kept here too, so a member's pull walks the index
    -- of each of its groups from its cursor instead of every product of the groups.
    CREATE TABLE product_groups (
        group_id   TEXT NOT NULL,
        product_id TEXT NOT NULL,
        seq        BIGINT NOT NULL,
        PRIMARY KEY (group_id, product_id)
    );
    CREATE INDEX product_groups_product ON product_groups (product_id);
    CREATE INDEX product_groups_seq ON product_groups (group_id, seq);
    CREATE TABLE market_groups (
        id         TEXT PRIMARY KEY,
        doc        TEXT NOT NULL,
        seq        BIGINT NOT NULL
    );
    CREATE INDEX market_groups_seq ON market_groups (seq);
    CREATE TABLE group_members (
        group_id   TEXT NOT NULL REFERENCES market_groups (id),
        account_id TEXT NOT NULL REFERENCES accounts (id),
        role       TEXT NOT NULL,
        PRIMARY KEY (group_id, account_id)
    );
    CREATE INDEX group_members_account ON group_members (account_id);
    CREATE TABLE orders (
        id          TEXT PRIMARY KEY,
        buyer_id    TEXT NOT NULL REFERENCES accounts (id),
        seller_id   TEXT NOT NULL REFERENCES accounts (id),
        doc         TEXT NOT NULL,
        seq         BIGINT NOT NULL
    );
    CREATE INDEX orders_seq ON orders (seq);
    CREATE INDEX orders_buyer ON orders (buyer_id, seq);
    CREATE INDEX orders_seller ON orders (seller_id, seq);
    ",
    ),
    (
        3,
        "
    -- Photo files, by the SHA-256 of the file; the bytes are in the photo store.
    CREATE TABLE photos (
        hash        TEXT PRIMARY KEY,
        mime        TEXT NOT NULL,
        bytes       BIGINT NOT NULL,
        uploaded_by TEXT NOT NULL REFERENCES accounts (id),
        thumb_mime  TEXT,            -- NULL until the thumbnail arrives
        created_at  BIGINT NOT NULL
    );
    -- Unfinished uploads, per account: the next chunk starts at `received`; the
    -- chunks so far wait in the photo store as staging/HASH/ACCOUNT/000000...
    CREATE TABLE photo_uploads (
        hash        TEXT NOT NULL,
        account_id  TEXT NOT NULL REFERENCES accounts (id),
        total       BIGINT NOT NULL,
        received    BIGINT NOT NULL,
        chunks      BIGINT NOT NULL,
        updated_at  BIGINT NOT NULL,
        PRIMARY KEY (hash, account_id)
    );
    CREATE INDEX photo_uploads_updated ON photo_uploads (updated_at);
    ",
    ),
    (
        4,
        "
    -- Pull sends a product a phone already has as the fields that changed since its
    -- cursor: the feed number each field last changed at, when the product was made, and
    -- when each group listing began (a product new to a group's members goes whole).
    -- Rows from before this version count as made and listed at their last change.
    ALTER TABLE products ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE products ADD COLUMN field_seqs TEXT NOT NULL DEFAULT '{}';
    UPDATE products SET created_seq = seq;
    ALTER TABLE product_groups ADD COLUMN listed_seq BIGINT NOT NULL DEFAULT 0;
    UPDATE product_groups SET listed_seq = seq;
    ",
    ),
    (
        5,
        "
    -- A seller's shop terms (ongkir table and discounts), whole, by seller account id:
    -- buyers' phones quote ongkir and discounts offline from them.
    CREATE TABLE seller_terms (
        id   TEXT PRIMARY KEY REFERENCES accounts (id),
        doc  TEXT NOT NULL,
        seq  BIGINT NOT NULL
    );
    CREATE INDEX seller_terms_seq ON seller_terms (seq);
    ",
    ),
    (
        6,
        "
    -- Where each install receives pushes, by its sync device id. A token is one
    -- install's: registered again by another device id (the app reinstalled, another
    -- account signed in), it moves there.
    CREATE TABLE push_devices (
        device_id   TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL REFERENCES accounts (id),
        platform    TEXT NOT NULL,         -- fcm, apns, webpush
        token       TEXT NOT NULL UNIQUE,  -- the Web Push endpoint for webpush
        p256dh      TEXT,                  -- Web Push only
        auth        TEXT,
        app_version TEXT NOT NULL,
        lang        TEXT NOT NULL,
        updated_at  BIGINT NOT NULL
    );
    CREATE INDEX push_devices_account ON push_devices (account_id);
    -- Pushes waiting to go out, written in the transaction of the change they tell of.
    -- One per device and collapse key: a newer move of an order replaces an unsent
    -- older one. Random ids, not a sequence: the two databases number rows differently,
    -- and a sender that finds the id changed knows the row was replaced meanwhile.
    CREATE TABLE push_queue (
        id           TEXT PRIMARY KEY,
        device_id    TEXT NOT NULL,
        collapse_key TEXT NOT NULL,
        data         TEXT NOT NULL,        -- JSON object of strings
        alert        BIGINT NOT NULL,
        urgent       BIGINT NOT NULL,
        created_at   BIGINT NOT NULL,
        expires_at   BIGINT NOT NULL,
        due_at       BIGINT NOT NULL,      -- also a sender's lease while it sends
        attempts     BIGINT NOT NULL DEFAULT 0,
        UNIQUE (device_id, collapse_key)
    );
    CREATE INDEX push_queue_due ON push_queue (due_at);
    ",
    ),
    (
        7,
        "
    -- When an unpaid order (transfer, QRIS, e-wallet not confirmed) runs out of time:
    -- the server cancels it and gives its stock back. NULL once it moved on. Orders
    -- placed before this column are expired by their buyers' phones, as before.
    ALTER TABLE orders ADD COLUMN awaiting_until BIGINT;
    CREATE INDEX orders_awaiting_until ON orders (awaiting_until);
    ",
    ),
    (
        8,
        "
    -- Which products show which photo, kept by every product write, so the cleanup
    -- can delete the photos no product shows any more (photos::refs).
    CREATE TABLE photo_refs (
        hash       TEXT NOT NULL,
        product_id TEXT NOT NULL,
        PRIMARY KEY (hash, product_id)
    );
    CREATE INDEX photo_refs_product ON photo_refs (product_id);
    -- 1 for photos stored since products' photos are counted; older photos (0) may be
    -- shown by products written before, which have no photo_refs rows: they are kept.
    ALTER TABLE photos ADD COLUMN counted BIGINT NOT NULL DEFAULT 0;
    -- Since when no product shows it (NULL while one does); -1 while being deleted.
    ALTER TABLE photos ADD COLUMN unused_since BIGINT;
    CREATE INDEX photos_unused ON photos (unused_since);
    ",
    ),
    (
        9,
        "
    -- Promoters' codes (KIRANA): one an account, unique in the deployment, in capitals.
    CREATE TABLE promoter_codes (
        code       TEXT PRIMARY KEY,
        account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id),
        created_at BIGINT NOT NULL
    );
    -- Who else sees an order besides its buyer and seller (sync::trade): the promoter
    -- it came through (redacted), and the partner who packs and ships it (a fulfilment
    -- partner, or the supplier of a reseller's listing).
    ALTER TABLE orders ADD COLUMN promoter_id TEXT;
    ALTER TABLE orders ADD COLUMN partner_id TEXT;
    CREATE INDEX orders_promoter ON orders (promoter_id, seq);
    CREATE INDEX orders_partner ON orders (partner_id, seq);
    ",
    ),
];

/// The schema version a current server runs on.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version    BIGINT PRIMARY KEY,
    applied_at BIGINT NOT NULL
)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (i, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
        }
    }
}
