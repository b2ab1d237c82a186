//! Keeping the search index in step with the catalog: each product's canonical words,
//! written in the same transaction as the product.

use super::lexicon::LEXICON_VERSION;
use super::normalize::words;
use crate::catalog::product::Product;
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

const META_KEY: &str = "search_lexicon_version";

/// The three columns of the index for one product.
pub(crate) fn document(p: &Product, seller_name: Option<&str>) -> [String; 3] {
    let name_words = words(&p.name);
    let mut name = name_words.clone();
    // Glued forms of neighbouring words, so "powerbank" finds "power bank" and
    // "tasselempang" finds "tas selempang".
    for pair in name_words.windows(2) {
        if pair.iter().all(|w| w.chars().all(char::is_alphabetic)) {
            name.push(format!("{}{}", pair[0], pair[1]));
        }
    }
    let mut tags = Vec::new();
    if let Some(c) = &p.category {
        tags.extend(words(c));
    }
    for option in &p.options {
        tags.extend(words(&option.name));
        for v in &option.values {
            tags.extend(words(v));
        }
    }
    if let Some(s) = seller_name {
        tags.extend(words(s));
    }
    tags.push(p.unit.clone());
    [
        name.join(" "),
        tags.join(" "),
        words(&p.description).join(" "),
    ]
}

/// Writes (or rewrites) a product's entry; archived products leave the index.
pub(crate) fn index_product(c: &Connection, p: &Product) -> Result<(), StoreError> {
    let docid: Option<i64> = c
        .prepare_cached("SELECT docid FROM search_docs WHERE product_id = ?1")?
        .query_row([&p.id], |r| r.get(0))
        .optional()?;
    let docid = match docid {
        Some(d) => {
            c.prepare_cached("DELETE FROM product_search WHERE rowid = ?1")?
                .execute([d])?;
            d
        }
        None => {
            c.prepare_cached("INSERT INTO search_docs (product_id) VALUES (?1)")?
                .execute([&p.id])?;
            c.last_insert_rowid()
        }
    };
    if p.archived {
        return Ok(());
    }
    let seller: Option<String> = match &p.seller_id {
        Some(id) => c
            .prepare_cached("SELECT name FROM accounts WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let [name, tags, description] = document(p, seller.as_deref());
    c.prepare_cached(
        "INSERT INTO product_search (rowid, name, tags, description) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![docid, name, tags, description])?;
    Ok(())
}

/// Rebuilds the whole index when it was made by another version of the normaliser
/// (or never): after the migration that creates it, and after a lexicon change.
pub(crate) fn ensure_current(c: &Connection) -> Result<bool, crate::Error> {
    let version: Option<String> = c
        .query_row("SELECT value FROM meta WHERE key = ?1", [META_KEY], |r| {
            r.get(0)
        })
        .optional()
        .map_err(StoreError::from)?;
    if version.as_deref() == Some(LEXICON_VERSION.to_string().as_str()) {
        return Ok(false);
    }
    c.execute(
        "INSERT INTO product_search (product_search) VALUES ('delete-all')",
        [],
    )
    .map_err(StoreError::from)?;
    let ids: Vec<String> = c
        .prepare("SELECT id FROM products ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(StoreError::from)?;
    for chunk in ids.chunks(500) {
        for p in crate::catalog::store::get_many(c, chunk)? {
            index_product(c, &p)?;
        }
    }
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![META_KEY, LEXICON_VERSION.to_string()],
    )
    .map_err(StoreError::from)?;
    Ok(true)
}
