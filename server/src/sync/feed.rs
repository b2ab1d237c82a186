//! The change feed: what an account may see, in the order it was committed.
//!
//! Every row written takes its own number from the feed (see `rules::next_seq`), so a
//! cursor is one number: everything visible above it is news. What an account may see:
//! its own products, products listed in its groups, its groups, the orders it buys or
//! sells in, and the shop terms of its groups' members (its own included).

use super::rules::Reject;
use crate::store::StoreError;
use crate::store::sql::{SqlTx, Value};
use pasar_core::sync::wire::{Change, ProductPatch, PullResponse};
use serde_json::{Map, Value as Json};

/// Where a phone is in the feed: the account's visibility epoch, the last number seen,
/// and, between the pages of one pull, the number the pull began at. Written
/// `e{epoch}.{seq}`, or `e{epoch}.{seq}-{base}` mid-pull; the empty string is the start.
///
/// Why the base: a document sits in the feed at its last change only, so a product made
/// before a page's number but changed after it was on no earlier page of this pull. The
/// phone has it whole only if it was made before the pull began, and its fields changed
/// since then are what it lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cursor {
    epoch: Option<i64>,
    seq: i64,
    base: Option<i64>,
}

impl Cursor {
    pub(crate) fn parse(text: &str) -> Option<Cursor> {
        if text.is_empty() {
            return Some(Cursor {
                epoch: None,
                seq: 0,
                base: None,
            });
        }
        let (epoch, rest) = text.strip_prefix('e')?.split_once('.')?;
        let (seq, base) = match rest.split_once('-') {
            Some((seq, base)) => (seq, Some(base.parse::<i64>().ok()?)),
            None => (rest, None),
        };
        let epoch: i64 = epoch.parse().ok()?;
        let seq: i64 = seq.parse().ok()?;
        let fits = epoch >= 0 && seq >= 0 && base.is_none_or(|b| (0..seq).contains(&b));
        fits.then_some(Cursor {
            epoch: Some(epoch),
            seq,
            base,
        })
    }

    /// A cursor the server gave (not the start of the feed).
    pub(crate) fn is_placed(&self) -> bool {
        self.epoch.is_some()
    }

    pub(crate) fn seq(&self) -> i64 {
        self.seq
    }

    /// The same epoch at feed number `seq`, at the end of a pull, as text.
    pub(crate) fn at(&self, seq: i64) -> String {
        Cursor::text(self.epoch.unwrap_or(0), seq, None)
    }

    fn text(epoch: i64, seq: i64, base: Option<i64>) -> String {
        match base {
            Some(base) if base < seq => format!("e{epoch}.{seq}-{base}"),
            _ => format!("e{epoch}.{seq}"),
        }
    }
}

/// The last number the feed gave out (committed: numbers are taken under the counter
/// row's lock, so they commit in order).
pub(crate) fn head(tx: &mut dyn SqlTx) -> Result<i64, StoreError> {
    tx.query_opt("SELECT seq FROM feed WHERE id = 1", &[])?
        .and_then(|r| r.first().and_then(Value::int))
        .ok_or_else(|| StoreError::new("feed row missing"))
}

/// What changed after `?1` that account `?2` may see, as (number, kind, id): small
/// rows from the indexes only; the documents are read afterwards for one page. The
/// first two rows are the feed's head (number -1, kind `head`) and the account's
/// visibility epoch (number 0, kind `epoch`): one statement, so one snapshot, answers
/// an empty poll, which is most polls, and tells the head the page is complete up to.
///
/// Why every branch is bounded by the head as well as by the cursor: a number above the
/// head committed after the statement began is not in its snapshot anyway, and a range
/// with both ends is what lets PostgreSQL plan each branch as an index range scan
/// whatever the cursor (see `store::postgres` on plans).
const HEADS: &str = "
    WITH head AS (SELECT seq FROM feed WHERE id = 1)
    SELECT -1, 'head', CAST(seq AS TEXT) FROM head
    UNION ALL
    SELECT 0, 'epoch', CAST(epoch AS TEXT) FROM accounts WHERE id = ?2
    UNION
    SELECT pg.seq, 'product', pg.product_id FROM product_groups pg
      JOIN group_members gm ON gm.group_id = pg.group_id
     WHERE gm.account_id = ?2 AND pg.seq > ?1 AND pg.seq <= (SELECT seq FROM head)
    UNION
    SELECT seq, 'product', id FROM products
     WHERE seller_id = ?2 AND seq > ?1 AND seq <= (SELECT seq FROM head)
    UNION
    SELECT g.seq, 'group', g.id FROM market_groups g
      JOIN group_members gm ON gm.group_id = g.id
     WHERE gm.account_id = ?2 AND g.seq > ?1 AND g.seq <= (SELECT seq FROM head)
    UNION
    SELECT seq, 'order', id FROM orders
     WHERE buyer_id = ?2 AND seq > ?1 AND seq <= (SELECT seq FROM head)
    UNION
    SELECT seq, 'order', id FROM orders
     WHERE seller_id = ?2 AND seq > ?1 AND seq <= (SELECT seq FROM head)
    UNION
    SELECT seq, 'order', id FROM orders
     WHERE promoter_id = ?2 AND seq > ?1 AND seq <= (SELECT seq FROM head)
    UNION
    SELECT seq, 'order', id FROM orders
     WHERE partner_id = ?2 AND seq > ?1 AND seq <= (SELECT seq FROM head)
    UNION
    SELECT t.seq, 'terms', t.id FROM seller_terms t
     WHERE t.seq > ?1 AND t.seq <= (SELECT seq FROM head)
       AND (t.id = ?2 OR EXISTS (
            SELECT 1 FROM group_members mine
              JOIN group_members theirs ON theirs.group_id = mine.group_id
             WHERE mine.account_id = ?2 AND theirs.account_id = t.id))
    ORDER BY 1
    LIMIT ?3";

/// What the feed knows of a product beside its document: whether a phone at a cursor
/// has had it whole, and which fields changed after that cursor.
struct ProductMarks {
    /// When it was made, or (the latest) when a group listing of it began.
    new_since: i64,
    /// Field → the feed number it last changed at.
    field_seqs: Map<String, Json>,
}

/// The feed's head, the account's epoch, and the (number, kind, id) rows after `after`
/// up to that head: at most `limit` and one more, to tell whether more are waiting.
fn heads(
    tx: &mut dyn SqlTx,
    account_id: &str,
    after: i64,
    limit: u32,
) -> Result<(i64, i64, Vec<Vec<Value>>), Reject> {
    let mut rows = tx.query(
        HEADS,
        &[
            after.into(),
            account_id.into(),
            // The head and epoch rows, the page, and one more.
            (i64::from(limit) + 3).into(),
        ],
    )?;
    let number = |row: Option<&Vec<Value>>, what: &str| match row.map(|r| r.as_slice()) {
        Some([_, Value::Text(kind), Value::Text(n)]) if kind == what => n
            .parse::<i64>()
            .map_err(|_| StoreError::new(format!("feed {what} unreadable"))),
        _ => Err(StoreError::new(match what {
            "epoch" => "signed-in account has no row",
            _ => "feed row missing",
        })),
    };
    let head = number(rows.first(), "head")?;
    let epoch = number(rows.get(1), "epoch")?;
    rows.drain(..2);
    Ok((head, epoch, rows))
}

/// One page of changes after `cursor`, at most `limit`, and the feed's head it is
/// complete up to. With `patches` (the phone speaks protocol 2) a product the phone
/// has had whole comes as its changed fields.
pub(crate) fn page(
    tx: &mut dyn SqlTx,
    account_id: &str,
    cursor: Cursor,
    limit: u32,
    patches: bool,
) -> Result<(i64, PullResponse), Reject> {
    let (mut head, epoch, mut heads) = heads(tx, account_id, cursor.seq, limit)?;
    // A cursor from an older epoch missed what became visible since: start again.
    let reset = cursor.epoch.is_some_and(|e| e != epoch);
    let after = if reset { 0 } else { cursor.seq };
    // What the phone had whole when this pull began (see [`Cursor`]).
    let base = if reset {
        0
    } else {
        cursor.base.unwrap_or(cursor.seq)
    };
    if reset {
        // The epoch only grows, so the one read first is still the account's.
        (head, _, heads) = self::heads(tx, account_id, 0, limit)?;
    }
    let more = heads.len() > limit as usize;
    let mut listed: Vec<(i64, String, String)> = Vec::with_capacity(heads.len());
    for row in heads.into_iter().take(limit as usize) {
        let mut row = row.into_iter();
        match (
            row.next().and_then(|v| v.int()),
            row.next().and_then(Value::into_text),
            row.next().and_then(Value::into_text),
        ) {
            (Some(seq), Some(kind), Some(id)) => listed.push((seq, kind, id)),
            _ => return Err(StoreError::new("feed row shape").into()),
        }
    }
    let mut docs: std::collections::HashMap<(String, String), String> =
        std::collections::HashMap::with_capacity(listed.len());
    let mut marks: std::collections::HashMap<String, ProductMarks> =
        std::collections::HashMap::new();
    // From the start (or restarted) everything goes whole, to the pull's end.
    let patching = patches && base > 0;
    for (kind, table) in [
        ("product", "products"),
        ("group", "market_groups"),
        ("order", "orders"),
        ("terms", "seller_terms"),
    ] {
        let ids: Vec<Value> = listed
            .iter()
            .filter(|(_, k, _)| k == kind)
            .map(|(_, _, id)| Value::from(id.as_str()))
            .collect();
        if ids.is_empty() {
            continue;
        }
        let places = (1..=ids.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let extra = if kind == "product" && patching {
            ", created_seq, field_seqs,
               (SELECT MAX(listed_seq) FROM product_groups pg WHERE pg.product_id = t.id)"
        } else {
            ""
        };
        for row in tx.query(
            &format!("SELECT id, doc{extra} FROM {table} t WHERE id IN ({places})"),
            &ids,
        )? {
            let mut row = row.into_iter();
            if let (Some(id), Some(doc)) = (
                row.next().and_then(Value::into_text),
                row.next().and_then(Value::into_text),
            ) {
                if !extra.is_empty() {
                    let created = row.next().and_then(|v| v.int()).unwrap_or(i64::MAX);
                    let field_seqs = row
                        .next()
                        .and_then(Value::into_text)
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_default();
                    let listed = row.next().and_then(|v| v.int()).unwrap_or(0);
                    marks.insert(
                        id.clone(),
                        ProductMarks {
                            new_since: created.max(listed),
                            field_seqs,
                        },
                    );
                }
                docs.insert((kind.to_owned(), id), doc);
            }
        }
    }
    let mut changes = Vec::with_capacity(listed.len());
    let mut last = after;
    for (seq, kind, id) in listed {
        let key = (kind.clone(), id);
        let doc = docs
            .remove(&key)
            .ok_or_else(|| StoreError::new("feed row without its document"))?;
        let change = match kind.as_str() {
            "product" => match marks.get(&key.1) {
                Some(m) if m.new_since <= base => patch(&doc, m, base).map(Change::ProductPatch),
                _ => serde_json::from_str(&doc).map(Change::Product),
            },
            "group" => serde_json::from_str(&doc).map(Change::Group),
            "terms" => serde_json::from_str(&doc).map(Change::Terms),
            // One stored order, a copy per party: each sees what is theirs.
            _ => serde_json::from_str(&doc).map(|mut order| {
                super::trade::redact(&mut order, account_id);
                Change::Order(Box::new(order))
            }),
        }
        .map_err(|e| StoreError::new(format!("stored document unreadable: {e}")))?;
        changes.push(change);
        last = seq;
    }
    Ok((
        head,
        PullResponse {
            changes,
            cursor: Cursor::text(epoch, last, more.then_some(base)),
            more,
            reset,
        },
    ))
}

/// The fields of `doc` that changed after `after`.
fn patch(doc: &str, marks: &ProductMarks, after: i64) -> serde_json::Result<Box<ProductPatch>> {
    let mut doc: Map<String, Json> = serde_json::from_str(doc)?;
    let mut fields = Map::new();
    for (field, seq) in &marks.field_seqs {
        if seq.as_i64().is_some_and(|s| s > after)
            && let Some(value) = doc.remove(field)
        {
            fields.insert(field.clone(), value);
        }
    }
    let int = |doc: &Map<String, Json>, k: &str| doc.get(k).and_then(Json::as_i64).unwrap_or(0);
    Ok(Box::new(ProductPatch {
        id: doc
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned(),
        version: int(&doc, "version"),
        updated_at: int(&doc, "updated_at"),
        fields,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_junk_is_refused() {
        assert_eq!(
            Cursor::parse(""),
            Some(Cursor {
                epoch: None,
                seq: 0,
                base: None,
            })
        );
        assert_eq!(
            Cursor::parse(&Cursor::text(3, 1234, None)),
            Some(Cursor {
                epoch: Some(3),
                seq: 1234,
                base: None,
            })
        );
        let mid = Cursor::text(3, 1234, Some(1000));
        assert_eq!(mid, "e3.1234-1000");
        assert_eq!(
            Cursor::parse(&mid),
            Some(Cursor {
                epoch: Some(3),
                seq: 1234,
                base: Some(1000),
            })
        );
        // The end of a pull forgets where it began.
        assert_eq!(
            Cursor::parse(&mid).map(|c| c.at(1500)),
            Some("e3.1500".into())
        );
        for junk in [
            "e",
            "e1",
            "e-1.5",
            "x1.2",
            "e1.-2",
            "e1.2.3",
            "e99999999999999999999.1",
            "e1.5-5",
            "e1.5-7",
            "e1.5--1",
            "e1.5-",
        ] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
    }
}
