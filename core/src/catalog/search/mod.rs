//! Offline search over the local catalog. See ARCHITECTURE.md ("Search") for why FTS5
//! with our own normalisation, and how typos, abbreviations and glued words are handled.
//!
//! - `normalize`: text → canonical words (both for indexing and for queries);
//! - `lexicon`: the word lists (variants, synonyms, abbreviations, filler);
//! - `fuzzy`: the index's vocabulary and corrections of unknown words;
//! - `query`: a typed query → an FTS5 expression (pure);
//! - `index`: keeping the FTS5 index in step with the products;
//! - this file: running a search with filters, sort and stable paging.

pub mod fuzzy;
pub(crate) mod index;
pub mod lexicon;
pub mod normalize;
pub mod query;

use super::product::Product;
use super::store::{check_limit, get_many};
use crate::error::{Error, Problem, ValidationError};
use crate::store::StoreError;
use fuzzy::Vocabulary;
use rusqlite::{Connection, OptionalExtension, ToSql};
use std::collections::VecDeque;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Longest query we read; a longer paste is cut, not refused.
pub const QUERY_MAX_CHARS: usize = 200;
/// Most results a text search ranks. Past this, relevance is noise.
pub const MAX_RESULTS: usize = 1_000;
/// Most matches ranked by relevance for one query; see `ranked_ids`.
const RANK_WINDOW: usize = 2_000;
/// Result lists kept for paging ("snapshots").
const SNAPSHOTS: usize = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Best match first; without a query, newest first.
    #[default]
    Relevance,
    PriceLowHigh,
    PriceHighLow,
    Newest,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filters {
    pub group_id: Option<String>,
    pub seller_id: Option<String>,
    /// Exact category, ignoring case.
    pub category: Option<String>,
    pub min_price_idr: Option<i64>,
    pub max_price_idr: Option<i64>,
    pub in_stock_only: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// What the buyer typed; empty browses.
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    /// `next_cursor` of the previous page.
    pub after: Option<String>,
    /// 0: the default page size.
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchPage {
    pub items: Vec<Product>,
    pub next_cursor: Option<String>,
    /// Number of matches of a text search (at most [`MAX_RESULTS`]); `None` when browsing.
    pub total: Option<u32>,
    /// The query as understood, corrections applied ("donat coklat"), for a
    /// "showing results for" line; empty when browsing.
    pub understood: String,
}

/// What searching keeps between calls: the vocabulary for corrections (loaded on first
/// need, dropped on writes) and the result lists that pages are cut from.
#[derive(Default)]
pub(crate) struct SearchState {
    vocabulary: Mutex<Option<Arc<Vocabulary>>>,
    snapshots: Mutex<Snapshots>,
}

#[derive(Default)]
struct Snapshots {
    next_key: u64,
    entries: VecDeque<(u64, u64, Arc<Vec<i64>>)>,
}

impl SearchState {
    /// Called after a bulk change (an import): the vocabulary is read again when needed.
    pub(crate) fn invalidate_vocabulary(&self) {
        *self.vocabulary.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Called after a product was saved: its words join the vocabulary in memory (a
    /// word that left the index stays there; it then simply matches nothing).
    pub(crate) fn note_written(&self, product: &Product) {
        let mut slot = self.vocabulary.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = slot.as_mut() {
            let v = Arc::make_mut(v);
            for column in index::document(product, None) {
                for w in column.split(' ').filter(|w| !w.is_empty()) {
                    v.add(w.to_owned(), 1);
                }
            }
        }
    }

    fn vocabulary(&self, c: &Connection) -> Result<Arc<Vocabulary>, StoreError> {
        let mut slot = self.vocabulary.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = slot.as_ref() {
            return Ok(Arc::clone(v));
        }
        let mut stmt = c.prepare("SELECT term, doc FROM product_search_vocab")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        let mut counts = Vec::new();
        for row in rows {
            counts.push(row?);
        }
        let v = Arc::new(Vocabulary::from_counts(counts));
        *slot = Some(Arc::clone(&v));
        Ok(v)
    }

    fn store_snapshot(&self, fingerprint: u64, ids: Arc<Vec<i64>>) -> u64 {
        let mut s = self.snapshots.lock().unwrap_or_else(|p| p.into_inner());
        s.next_key += 1;
        let key = s.next_key;
        s.entries.push_back((key, fingerprint, ids));
        while s.entries.len() > SNAPSHOTS {
            s.entries.pop_front();
        }
        key
    }

    fn snapshot(&self, key: u64, fingerprint: u64) -> Option<Arc<Vec<i64>>> {
        let s = self.snapshots.lock().unwrap_or_else(|p| p.into_inner());
        s.entries
            .iter()
            .find(|(k, f, _)| *k == key && *f == fingerprint)
            .map(|(_, _, ids)| Arc::clone(ids))
    }
}

/// The index's words as the planner sees them: known words from the index itself, the
/// full vocabulary only when a word needs correcting.
struct IndexWords<'a> {
    conn: &'a Connection,
    state: &'a SearchState,
    vocabulary: std::cell::OnceCell<Option<Arc<Vocabulary>>>,
}

impl IndexWords<'_> {
    fn vocab(&self) -> Option<&Arc<Vocabulary>> {
        self.vocabulary
            .get_or_init(|| self.state.vocabulary(self.conn).ok())
            .as_ref()
    }
}

impl query::Words for IndexWords<'_> {
    fn docs(&self, word: &str) -> u32 {
        // Asked of the index itself (a term lookup in its b-tree): the full vocabulary is
        // only loaded when a word needs correcting, so a cold start stays fast.
        self.conn
            .prepare_cached("SELECT doc FROM product_search_vocab WHERE term = ?1")
            .and_then(|mut s| s.query_row([word], |r| r.get::<_, u32>(0)).optional())
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    fn corrections(&self, word: &str) -> Vec<String> {
        self.vocab()
            .map(|v| v.corrections(word, 4))
            .unwrap_or_default()
    }

    fn split(&self, word: &str) -> Option<(String, String)> {
        self.vocab().and_then(|v| v.split(word))
    }
}

enum Cursor {
    /// Browsing: keyset after this price and id.
    Keyset { price: i64, id: String },
    /// A text search: position in snapshot `key`, after the product whose index
    /// document is `last`.
    Snapshot { key: u64, offset: usize, last: i64 },
}

impl Cursor {
    fn encode(&self) -> String {
        match self {
            Cursor::Keyset { price, id } => format!("b.{price}.{id}"),
            Cursor::Snapshot { key, offset, last } => format!("s.{key}.{offset}.{last}"),
        }
    }

    fn decode(s: &str) -> Result<Cursor, ValidationError> {
        let bad = || ValidationError::new("cursor", Problem::MalformedId);
        let parts: Vec<&str> = s.splitn(4, '.').collect();
        match parts.as_slice() {
            ["b", price, id] if crate::id::is_valid(id) => Ok(Cursor::Keyset {
                price: price.parse().map_err(|_| bad())?,
                id: (*id).to_owned(),
            }),
            ["s", key, offset, last] => Ok(Cursor::Snapshot {
                key: key.parse().map_err(|_| bad())?,
                offset: offset
                    .parse::<usize>()
                    .ok()
                    .filter(|o| *o <= MAX_RESULTS)
                    .ok_or_else(bad)?,
                last: last.parse().map_err(|_| bad())?,
            }),
            _ => Err(bad()),
        }
    }
}

/// SQL for the filters, with their parameters.
fn filter_sql(f: &Filters, params: &mut Vec<Box<dyn ToSql>>) -> String {
    let mut sql = String::from(" AND p.archived = 0");
    if let Some(g) = &f.group_id {
        params.push(Box::new(g.clone()));
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM group_listings g WHERE g.product_id = p.id AND g.group_id = ?{})",
            params.len()
        );
    }
    if let Some(s) = &f.seller_id {
        params.push(Box::new(s.clone()));
        sql += &format!(" AND p.seller_id = ?{}", params.len());
    }
    if let Some(c) = &f.category {
        params.push(Box::new(c.clone()));
        sql += &format!(" AND p.category = ?{} COLLATE NOCASE", params.len());
    }
    if let Some(min) = f.min_price_idr {
        params.push(Box::new(min));
        sql += &format!(" AND p.price_idr >= ?{}", params.len());
    }
    if let Some(max) = f.max_price_idr {
        params.push(Box::new(max));
        sql += &format!(" AND p.price_idr <= ?{}", params.len());
    }
    if f.in_stock_only {
        sql += " AND (p.stock IS NULL OR p.stock > 0 OR EXISTS (SELECT 1 FROM variants v
                 WHERE v.product_id = p.id AND (v.unlimited = 1 OR v.stock > 0)))";
    }
    sql
}

fn check_filters(f: &Filters) -> Result<(), ValidationError> {
    for (field, id) in [("group_id", &f.group_id), ("seller_id", &f.seller_id)] {
        if let Some(id) = id {
            super::check_id(field, id)?;
        }
    }
    if let (Some(min), Some(max)) = (f.min_price_idr, f.max_price_idr)
        && min > max
    {
        return Err(ValidationError::new("price", Problem::Invalid));
    }
    Ok(())
}

pub(crate) fn search(
    c: &Connection,
    state: &SearchState,
    req: &SearchRequest,
) -> Result<SearchPage, Error> {
    check_filters(&req.filters)?;
    let limit = check_limit(req.limit)? as usize;
    let cursor = req.after.as_deref().map(Cursor::decode).transpose()?;
    let query: String = req.query.chars().take(QUERY_MAX_CHARS).collect();
    let words = IndexWords {
        conn: c,
        state,
        vocabulary: std::cell::OnceCell::new(),
    };
    let Some(plan) = query::plan(&query, &words) else {
        return Ok(SearchPage {
            items: Vec::new(),
            next_cursor: None,
            total: Some(0),
            understood: String::new(),
        });
    };
    if plan.is_browse() {
        return browse(c, req, limit, cursor);
    }
    let expression = plan.fts_expression();
    let mut hasher = DefaultHasher::new();
    (&expression, &req.filters, req.sort).hash(&mut hasher);
    let fingerprint = hasher.finish();

    let (ids, key, mut offset) = match cursor {
        Some(Cursor::Snapshot { key, offset, last }) => match state.snapshot(key, fingerprint) {
            Some(ids) => (ids, key, offset),
            None => {
                // The list is gone (app restarted): rank again, continue after `last`.
                let ids = Arc::new(ranked_ids(
                    c,
                    &expression,
                    plan.max_matches,
                    &req.filters,
                    req.sort,
                )?);
                let offset = ids
                    .iter()
                    .position(|d| *d == last)
                    .map_or(offset, |i| i + 1);
                let key = state.store_snapshot(fingerprint, Arc::clone(&ids));
                (ids, key, offset)
            }
        },
        Some(Cursor::Keyset { .. }) => {
            return Err(ValidationError::new("cursor", Problem::Invalid).into());
        }
        None => {
            let ids = Arc::new(ranked_ids(
                c,
                &expression,
                plan.max_matches,
                &req.filters,
                req.sort,
            )?);
            let key = state.store_snapshot(fingerprint, Arc::clone(&ids));
            (ids, key, 0)
        }
    };
    // Cut the page; products archived since the list was made are skipped.
    let mut items = Vec::with_capacity(limit);
    while items.len() < limit && offset < ids.len() {
        let take = (limit - items.len()).min(ids.len() - offset);
        let chunk = product_ids(c, &ids[offset..offset + take])?;
        offset += take;
        items.extend(get_many(c, &chunk)?.into_iter().filter(|p| !p.archived));
    }
    let next_cursor = (offset < ids.len()).then(|| {
        Cursor::Snapshot {
            key,
            offset,
            last: ids[offset - 1],
        }
        .encode()
    });
    Ok(SearchPage {
        items,
        next_cursor,
        total: Some(u32::try_from(ids.len()).unwrap_or(u32::MAX)),
        understood: plan.understood,
    })
}

/// Index documents (`search_docs.docid`) of the products matching `expression`, in the
/// requested order. Documents, not product ids: the list is kept for paging, and only
/// the page being shown needs its product ids looked up.
fn ranked_ids(
    c: &Connection,
    expression: &str,
    max_matches: Option<u64>,
    filters: &Filters,
    sort: Sort,
) -> Result<Vec<i64>, Error> {
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(expression.to_owned())];
    let filters = filter_sql(filters, &mut params);
    // Name matches weigh most, then tags (category, variants, seller), then description.
    let order = match sort {
        Sort::Relevance => "bm25(product_search, 10.0, 3.0, 1.0), p.id DESC",
        Sort::PriceLowHigh => "p.price_idr, p.id",
        Sort::PriceHighLow => "p.price_idr DESC, p.id DESC",
        Sort::Newest => "p.id DESC",
    };
    let sql = if sort == Sort::Relevance && params.len() == 1 {
        // No filters: rank inside the index and join only the best. (Archived products
        // are not in the index, so the products table is not needed at all.) Ranking
        // costs about a microsecond per match, so for a word in much of a large catalog
        // ("basreng" in 12k of 100k products) only the newest RANK_WINDOW matches are
        // ranked: among thousands of equally good matches, recent listings are better.
        // Only a very common word needs the window. The index's word counts bound the
        // matches; only when they allow more than the window are the matches counted.
        let may_exceed = max_matches.is_none_or(|m| m > RANK_WINDOW as u64);
        let matches: i64 = if !may_exceed {
            0
        } else {
            c
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM product_search WHERE product_search MATCH ?1 LIMIT {})",
                RANK_WINDOW + 1
            ))
            .map_err(StoreError::from)?
            .query_row([expression], |r| r.get(0))
            .map_err(StoreError::from)?
        };
        let cutoff: i64 = if matches as usize > RANK_WINDOW {
            let total: i64 = c
                .prepare_cached("SELECT count(*) FROM product_search WHERE product_search MATCH ?1")
                .map_err(StoreError::from)?
                .query_row([expression], |r| r.get(0))
                .map_err(StoreError::from)?;
            c.prepare_cached(
                "SELECT rowid FROM product_search WHERE product_search MATCH ?1 ORDER BY rowid LIMIT 1 OFFSET ?2",
            )
            .map_err(StoreError::from)?
            .query_row(rusqlite::params![expression, total - RANK_WINDOW as i64], |r| r.get(0))
            .optional()
            .map_err(StoreError::from)?
            .unwrap_or(i64::MIN)
        } else {
            i64::MIN
        };
        params.push(Box::new(cutoff));
        format!(
            "SELECT rowid FROM product_search
             WHERE product_search MATCH ?1 AND rowid >= ?2
             ORDER BY bm25(product_search, 10.0, 3.0, 1.0), rowid DESC LIMIT {MAX_RESULTS}"
        )
    } else {
        format!(
            "SELECT d.docid FROM product_search
             JOIN search_docs d ON d.docid = product_search.rowid
             JOIN products p ON p.id = d.product_id
             WHERE product_search MATCH ?1 {filters}
             ORDER BY {order} LIMIT {MAX_RESULTS}"
        )
    };
    let mut stmt = c.prepare_cached(&sql).map_err(StoreError::from)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            r.get::<_, i64>(0)
        })
        .map_err(StoreError::from)?;
    Ok(rows
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(StoreError::from)?)
}

/// The product ids of index documents, in the order given.
fn product_ids(c: &Connection, docids: &[i64]) -> Result<Vec<String>, Error> {
    let marks = vec!["?"; docids.len()].join(", ");
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT docid, product_id FROM search_docs WHERE docid IN ({marks})"
        ))
        .map_err(StoreError::from)?;
    let found: std::collections::HashMap<i64, String> = stmt
        .query_map(rusqlite::params_from_iter(docids), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<_>>()
        .map_err(StoreError::from)?;
    Ok(docids
        .iter()
        .filter_map(|d| found.get(d).cloned())
        .collect())
}

/// No words to match: every product passing the filters, by keyset.
fn browse(
    c: &Connection,
    req: &SearchRequest,
    limit: usize,
    cursor: Option<Cursor>,
) -> Result<SearchPage, Error> {
    let after = match cursor {
        None => None,
        Some(Cursor::Keyset { price, id }) => Some((price, id)),
        Some(Cursor::Snapshot { .. }) => {
            return Err(ValidationError::new("cursor", Problem::Invalid).into());
        }
    };
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    let mut sql = String::from("SELECT p.id, p.price_idr FROM products p WHERE 1 = 1");
    sql += &filter_sql(&req.filters, &mut params);
    let (keyset, order) = match req.sort {
        Sort::PriceLowHigh => ("(p.price_idr, p.id) > (?{a}, ?{b})", "p.price_idr, p.id"),
        Sort::PriceHighLow => (
            "(p.price_idr, p.id) < (?{a}, ?{b})",
            "p.price_idr DESC, p.id DESC",
        ),
        Sort::Relevance | Sort::Newest => ("p.id < ?{b} AND ?{a} = ?{a}", "p.id DESC"),
    };
    if let Some((price, id)) = after {
        params.push(Box::new(price));
        let a = params.len();
        params.push(Box::new(id));
        let b = params.len();
        sql += " AND ";
        sql += &keyset
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string());
    }
    sql += &format!(" ORDER BY {order} LIMIT {}", limit + 1);
    let mut stmt = c.prepare_cached(&sql).map_err(StoreError::from)?;
    let mut rows: Vec<(String, i64)> = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(StoreError::from)?
        .collect::<rusqlite::Result<_>>()
        .map_err(StoreError::from)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|(id, price)| {
            Cursor::Keyset {
                price: *price,
                id: id.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    let ids: Vec<String> = rows.into_iter().map(|(id, _)| id).collect();
    Ok(SearchPage {
        items: get_many(c, &ids)?,
        next_cursor,
        total: None,
        understood: String::new(),
    })
}

#[cfg(test)]
mod tests;
