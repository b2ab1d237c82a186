//! Order lines: product mentions found in the message (whatever the word order, typos
//! and abbreviations), variant values near them, and the quantity each one takes.
//!
//! 1. Every word is read as the catalog words it may stand for ([`ChatCatalog::readings`]).
//! 2. Each product collects the words that hit its name; hits close together (no item
//!    separator between) form a mention, scored by the share of the name's weight it
//!    covers (rare words weigh more).
//! 3. The best mentions are taken greedily; a mention that another product explains
//!    about as well is ambiguous, never guessed.
//! 4. Variant values after (or before) a mention choose the variant; two values of one
//!    option ("coklat 6 keju 6") make two lines.
//! 5. Quantities go to the mention beside them: separators first, then the message's own
//!    habit (quantity after the product, as in "donat 2", or before, as in "2 donat").

use super::catalog::{ChatCatalog, Readings, WordId};
use super::fields::Fields;
use super::words::{Sep, Word, is_chat_word, is_joiner};
use super::{LineMatch, OrderLine};
use crate::catalog::search::lexicon::{is_filler, is_stopword};
use crate::chat::numbers::{self, Decimal, Mention as NumMention, Quantity, Span, UnitKind};

/// Share of a product name's weight a mention must cover.
const MIN_COVERAGE: f32 = 0.34;
/// Mentions scoring this close to the best are as likely: ambiguous.
const TIE: f32 = 0.06;
/// Most words between a quantity and its product.
const MAX_QTY_DISTANCE: usize = 5;

#[derive(Clone, Debug, Default)]
struct Candidate {
    product: u32,
    positions: Vec<usize>,
    first: usize,
    last: usize,
    score: f32,
    min_sim: f32,
    /// Some name words are missing ("telor" for "Telur Ayam").
    partial: bool,
    /// A word of the mention is in no other product's name.
    unique: bool,
}

#[derive(Clone, Debug)]
struct Mention {
    product: u32,
    /// Other products explaining the same words as well (ambiguous when not empty).
    rivals: Vec<u32>,
    first: usize,
    last: usize,
    positions: Vec<usize>,
    score: f32,
    min_sim: f32,
    margin: f32,
    unique: bool,
}

#[derive(Clone, Debug)]
struct ValueHit {
    mention: usize,
    option: usize,
    value: usize,
    first: usize,
    last: usize,
}

/// Something a quantity can belong to: a mention, or one variant value of it.
#[derive(Clone, Debug)]
struct Anchor {
    mention: usize,
    variant: Vec<(usize, usize)>,
    span: Span,
    qty: Option<(Span, Quantity)>,
}

pub(super) struct Read {
    pub lines: Vec<OrderLine>,
    pub quantities: usize,
}

pub(super) fn read(
    text: &str,
    words: &[Word],
    catalog: &ChatCatalog,
    fields: &Fields,
    scanned: &super::fields::Scanned,
    context: &[u32],
) -> Read {
    let eligible: Vec<bool> = words
        .iter()
        .map(|w| !fields.is_masked(w.span) && fields.in_item_region(w.span))
        .collect();
    let mut readings: Vec<Readings> = catalog.readings_of(
        words
            .iter()
            .zip(&eligible)
            .map(|(w, ok)| ok.then_some(&*w.text)),
    );
    for (r, w) in readings.iter_mut().zip(words) {
        // "Bu Wulan": a capitalised word inside a sentence is a name; read it only as
        // written, never corrected into "bulan".
        if r.iter().any(|(_, sim)| *sim < 1.0) && proper_noun(text, w.span) {
            *r = Readings::new(r.iter().filter(|(_, sim)| *sim >= 1.0).copied().collect());
        }
    }
    let candidates = candidates(words, &readings, catalog);
    let mut mentions = select(candidates, words, &readings, catalog);
    // "ok lvl 5 tanpa nasi 1" after asking about geprek: "nasi" is geprek's option here,
    // not the nasi bakar it would name on its own.
    mentions.retain(|m| {
        !m.positions.iter().all(|&p| {
            readings[p]
                .iter()
                .any(|(w, _)| context.iter().any(|&c| catalog.is_value_of(*w, c)))
        })
    });
    // Variant values before any product named ("ok lvl 5 tanpa nasi 1 ya, sama telur
    // sekilo"): the product the buyer just talked about.
    let before = mentions.first().map_or(words.len(), |m| m.first);
    if let Some(m) = from_context(words, &readings, &eligible[..before], context, catalog) {
        mentions.insert(0, m);
    }
    let values = value_hits(words, &readings, &eligible, &mentions, catalog);
    let mut anchors = anchors(words, &mentions, &values);

    let mut quantities: Vec<(Span, Quantity)> = scanned
        .iter()
        .filter_map(|(s, m)| match m {
            NumMention::Quantity(q) => Some((*s, *q)),
            _ => None,
        })
        .filter(|(s, _)| !fields.is_masked(*s) && fields.in_item_region(*s))
        .filter(|(s, _)| {
            !values.iter().any(|v| {
                let vs = span_of(words, v.first, v.last);
                s.start < vs.end && vs.start < s.end
            })
        })
        // "segi empat", "Dimsum Isi 10", "Level 5": numbers that are the product's name.
        .filter(|(s, _)| {
            !mentions.iter().any(|m| {
                let in_name = m.positions.iter().any(|&p| {
                    let w = words[p].span;
                    s.start < w.end && w.start < s.end
                });
                let span = span_of(words, m.first, m.last);
                let numbers = &catalog.name_numbers[m.product as usize];
                // Inside the product's words or just after them.
                let named = s.start >= span.start
                    && s.start <= span.end + 1
                    && numbers.iter().any(|n| text[s.start..s.end].trim() == n);
                in_name || named
            })
        })
        .collect();
    quantities.sort_by_key(|(s, _)| s.start);
    let n_quantities = quantities.len();
    let leftover = assign(text, words, &mut anchors, &quantities);

    let mut lines: Vec<OrderLine> = anchors
        .iter()
        .map(|a| line(text, catalog, &mentions[a.mention], a))
        .collect();
    lines.extend(unknown_lines(
        text, words, &eligible, &mentions, &values, &leftover,
    ));
    lines.sort_by_key(|l| l.span.start);
    Read {
        lines,
        quantities: n_quantities,
    }
}

/// A capitalised word after a title ("Bu Wulan", "Mbak Sari") is a person's name.
fn proper_noun(text: &str, span: Span) -> bool {
    const TITLES: &[&str] = &[
        "bu", "ibu", "pak", "bapak", "mbak", "mba", "mas", "kak", "bunda", "bund", "om", "tante",
        "ci", "cik", "ko", "koh", "bang", "teh", "dek", "sis", "hj", "h", "bu.",
    ];
    let upper = text[span.start..span.end]
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let before = text[..span.start].trim_end_matches([' ', '\t', '.']);
    let title = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .is_some_and(|w| TITLES.contains(&w.to_lowercase().as_str()));
    upper && title
}

/// A message naming no product but a variant value of one the buyer just talked about
/// ("geprek bisa lvl 5?" … "ok lvl 5 tanpa nasi 1 ya"): that product, less sure.
fn from_context(
    words: &[Word],
    readings: &[Readings],
    eligible: &[bool],
    context: &[u32],
    catalog: &ChatCatalog,
) -> Option<Mention> {
    context.iter().find_map(|&product| {
        // Only the words `eligible` covers: those before the first product named.
        let pos = (0..eligible.len())
            .find(|&p| eligible[p] && value_at(words, readings, p, product, catalog).is_some())?;
        Some(Mention {
            product,
            rivals: Vec::new(),
            first: pos,
            last: pos,
            positions: Vec::new(),
            score: 0.6,
            min_sim: 1.0,
            margin: 1.0,
            unique: false,
        })
    })
}

fn span_of(words: &[Word], first: usize, last: usize) -> Span {
    Span {
        start: words[first].span.start,
        end: words[last].span.end,
    }
}

/// A message word hitting a product's name: (position, name word, similarity, whether
/// it came from a frequent word).
/// (The name word's weight and flags ride along: reading them from the name again
/// for hundreds of products is a cache miss each.)
#[derive(Clone, Copy, Debug)]
struct Hit {
    pos: usize,
    word: u16,
    sim: f32,
    frequent: bool,
    unique: bool,
    strong: bool,
    weight: f32,
}

/// Per product: share of its name the words may cover, whether its frequent words
/// count, and the words of a clause it is hit at; the products touched, the hits of the
/// product being clustered and the best similarity per name word of a cluster: kept
/// between messages so they are allocated once.
#[derive(Default)]
struct Scratch {
    /// Per product (together: the walk over a word's postings touches each product's
    /// once, one cache line, not one per array).
    slot: Vec<Slot>,
    /// A bit per product its clause's rarer words hit (a few hundred bytes: a frequent
    /// word's hundreds of postings are mostly turned away here, without touching their
    /// slots).
    rare: Vec<u64>,
    /// Per product, whether the gate lets its frequent words count, once known for the
    /// message: 0 not yet, 1 yes, 2 no; and the products known.
    gate: Vec<u8>,
    gate_known: Vec<u32>,
    /// The message's rarer words in order (for the gate), gathered when first needed.
    rare_words: Vec<(WordId, f32)>,
    clause_touched: Vec<u32>,
    hits: Vec<(u32, Hit)>,
    best: Vec<f32>,
    /// The clause's products covered enough, highest share first, and the counting
    /// sort's steps.
    order: Vec<u32>,
    counts: Vec<u32>,
    steps: Vec<(u32, u8)>,
    /// Per word of the clause, the best weighed score of a candidate there that
    /// `keep_best` keeps for certain (one of `MIN_COVERAGE` at least).
    floor: Vec<f32>,
}

/// A product's share of its name the clause's words may cover, and the words of the
/// clause it is hit at: bit `i` for word `i`, the last bit for any word from the 32nd on.
#[derive(Clone, Copy, Default)]
struct Slot {
    share: f32,
    at: u32,
}

/// The bit of the clause's word `k` in [`Slot::at`].
fn word_bit(k: usize) -> u32 {
    1 << k.min(31)
}

fn has_bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

/// Whether the message's rarer words (`rare`, in its order) cover 0.15 of the name of
/// `product`, summed as the walk over their postings would sum them.
fn gate_through(product: u32, rare: &[(WordId, f32)], catalog: &ChatCatalog) -> bool {
    let name = catalog.name(product);
    let total = catalog.name_weight[product as usize].max(f32::MIN_POSITIVE);
    let mut share = 0.0f32;
    for &(word, sim) in rare {
        for n in name.iter().filter(|n| n.id == word) {
            share += if n.unique && sim >= 0.95 {
                1.0
            } else {
                n.weight / total
            };
        }
    }
    share >= 0.15
}

/// Shares in steps of 1/32 from `MIN_COVERAGE` (a share over 1 is a unique word's).
const SHARE_STEPS: usize = 64;

fn share_step(share: f32) -> usize {
    (((share - MIN_COVERAGE).max(0.0) * 32.0) as usize).min(SHARE_STEPS)
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn candidates(words: &[Word], readings: &[Readings], catalog: &ChatCatalog) -> Vec<Candidate> {
    let mut near = Nearby::new(words, readings, catalog);
    let mut out = SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let s = &mut *scratch;
        let products = catalog.products.len();
        if s.slot.len() < products {
            s.slot.resize(products, Slot::default());
            s.rare.resize(products.div_ceil(64), 0);
            s.gate.resize(products, 0);
        }
        s.rare_words.clear();
        // Mentions never cross an item separator: each clause alone, so a product must
        // be named well within one clause to be looked at (a common word hits hundreds).
        let mut out = Vec::new();
        let mut start = 0;
        while start < words.len() {
            let mut end = start + 1;
            while end < words.len() && words[end].sep_before < Sep::Item {
                end += 1;
            }
            clause_candidates(readings, start..end, catalog, &mut near, s, &mut out);
            start = end;
        }
        for &p in &s.gate_known {
            s.gate[p as usize] = 0;
        }
        s.gate_known.clear();
        out
    });
    keep_best(words.len(), &mut out);
    out
}

/// The candidates of one clause (its `readings`, from word `first`), weighed, each
/// product's in the order `cluster` finds them, less those `keep_best` would drop for certain:
/// in a big catalog a common word ("donat") brings a hundred products to clustering,
/// and all but a few end more than 0.3 below the best candidate at their words.
///
/// A product's score cannot exceed the share of its name its hits may cover, plus 0.01
/// (exact words), 0.07 (the name in full, only when the hits may cover all of it) and
/// 0.2 (variant values, only when a word of the clause is one of its values). Products
/// are clustered by that share, highest first, while `floor` keeps per word the best
/// weighed score of a candidate found there that `keep_best` keeps. A product whose
/// bound is more than 0.3 below the floor at every word it hits would be dropped by
/// `keep_best`, and be the best at none of its words, so the others are judged as
/// before: it is not clustered, and its hits are never gathered.
fn clause_candidates(
    message: &[Readings],
    clause: std::ops::Range<usize>,
    catalog: &ChatCatalog,
    near: &mut Nearby,
    scratch: &mut Scratch,
    out: &mut Vec<Candidate>,
) {
    let Scratch {
        slot,
        rare,
        gate,
        gate_known,
        rare_words,
        clause_touched: touched,
        hits,
        best,
        order,
        counts,
        steps,
        floor,
    } = scratch;
    let first = clause.start;
    let readings = &message[clause];
    // A clause with no word that may name a product (a template's "Nama: …" line, its
    // words masked as the name) has nothing to count.
    if readings.iter().all(|rs| rs.is_empty()) {
        return;
    }
    // Per product an upper bound of the name weight its hits cover, summed in a scratch
    // array as big as the catalog (no allocation per product), and the words it is hit
    // at. (As slices: the loop then keeps their lengths in registers.) The rarer words
    // first: only a product one of them hits can be a mention here (`cluster` wants a
    // strong word that is not frequent).
    let (slot, rare, gate) = (
        slot.as_mut_slice(),
        rare.as_mut_slice(),
        gate.as_mut_slice(),
    );
    touched.clear();
    let mut any_frequent = false;
    for (k, rs) in readings.iter().enumerate() {
        let bit = word_bit(k);
        for &(word, sim) in rs.iter() {
            if catalog.frequent(word) {
                any_frequent = true;
                continue;
            }
            for p in catalog.postings(word) {
                let i = p.product as usize;
                let slot = &mut slot[i];
                if slot.share == 0.0 {
                    touched.push(p.product);
                    rare[i / 64] |= 1 << (i % 64);
                }
                // A unique word alone may name the product: let it through.
                slot.share += if p.unique && sim >= 0.95 {
                    1.0
                } else {
                    p.share
                };
                slot.at |= bit;
            }
        }
    }
    // Then a word in a large share of the catalog, on those products, where the
    // message's rarer words cover 0.15 of the product's name (the gate): it weighs
    // little, and alone it names nothing ("mbak lia" is on half the catalog). Known per
    // product at its first frequent word: then its share is its rarer words' in this
    // clause, and when that is 0.15 the message's is too; else the message's is summed.
    for (k, rs) in readings.iter().enumerate().filter(|_| any_frequent) {
        let bit = word_bit(k);
        for &(word, sim) in rs.iter() {
            if !catalog.frequent(word) {
                continue;
            }
            for p in catalog.postings(word) {
                let i = p.product as usize;
                if !has_bit(rare, i) {
                    continue;
                }
                let slot = &mut slot[i];
                if gate[i] == 0 {
                    let through = slot.share >= 0.15 || {
                        if rare_words.is_empty() {
                            rare_words.extend(
                                message
                                    .iter()
                                    .flat_map(|rs| rs.iter())
                                    .filter(|(w, _)| !catalog.frequent(*w))
                                    .copied(),
                            );
                        }
                        gate_through(p.product, rare_words, catalog)
                    };
                    gate[i] = if through { 1 } else { 2 };
                    gate_known.push(p.product);
                }
                if gate[i] != 1 {
                    continue;
                }
                slot.share += if p.unique && sim >= 0.95 {
                    1.0
                } else {
                    p.share
                };
                slot.at |= bit;
            }
        }
    }
    for &p in touched.iter() {
        rare[p as usize / 64] = 0;
    }
    // Highest share first, roughly: by shares in steps of 1/32 (a counting sort; within
    // a step any order does, the bound below is safe in every order, and this one only
    // lets it skip early).
    order.clear();
    counts.clear();
    counts.resize(SHARE_STEPS + 1, 0);
    steps.clear();
    for &p in touched.iter() {
        let share = slot[p as usize].share;
        // (The rarer words' shares were summed before the frequent words': a hair below
        // goes to `cluster` too, which decides.)
        if share >= MIN_COVERAGE - 1e-4 {
            let step = share_step(share);
            counts[step] += 1;
            steps.push((p, step as u8));
        }
    }
    // Highest step first: each step's place after the steps above it.
    let mut at = 0;
    for c in counts.iter_mut().rev() {
        let n = *c;
        *c = at;
        at += n;
    }
    order.resize(at as usize, 0);
    for &(p, step) in steps.iter() {
        let place = &mut counts[usize::from(step)];
        order[*place as usize] = p;
        *place += 1;
    }
    floor.clear();
    floor.resize(readings.len(), f32::NEG_INFINITY);
    let mut any_floor = false;
    for &product in order.iter() {
        let i = product as usize;
        if any_floor {
            let share = slot[i].share;
            // A name said in full has shares summing to 1 (less rounding); and a margin
            // for rounding.
            let full = if share >= 0.99 { 0.07 } else { 0.0 };
            let ceiling = share + 0.01 + full + 0.005;
            let words = slot[i].at;
            // Every word hit (the last bit: every word of the clause from the 32nd on).
            let below = |ceiling: f32| {
                let mut left = words;
                while left != 0 {
                    let k = left.trailing_zeros() as usize;
                    left &= left - 1;
                    let fine = if k < 31 {
                        ceiling < floor[k] - 0.3
                    } else {
                        floor.iter().skip(31).all(|f| ceiling < *f - 0.3)
                    };
                    if !fine {
                        return false;
                    }
                }
                true
            };
            // Variant values are looked up only when they could matter.
            if below(ceiling + 0.2)
                || (below(ceiling) && !near.any_value(first, first + readings.len(), product))
            {
                continue;
            }
        }
        product_hits(
            readings,
            first,
            slot[i].at,
            product,
            catalog,
            gate[i] == 1,
            hits,
        );
        let n = out.len();
        cluster(catalog, hits, best, out);
        for c in &mut out[n..] {
            near.weigh(c);
            if c.score >= MIN_COVERAGE {
                any_floor = true;
                for &p in &c.positions {
                    floor[p - first] = floor[p - first].max(c.score);
                }
            }
        }
    }
    for &p in touched.iter() {
        slot[p as usize] = Slot::default();
    }
    // (The candidates are left in the order found: `select` orders them by score, size
    // and product, and keeps each product's own in their order.)
}

/// The hits of the clause's words (its `readings`, from word `first`; only those of
/// `words`, bit `i` for word `i`) on the name of `product`, by (position, name word);
/// a frequent word's only when `gated`. Read off the product's name (a few words
/// together), not searched for in each word's postings.
fn product_hits(
    readings: &[Readings],
    first: usize,
    words: u32,
    product: u32,
    catalog: &ChatCatalog,
    gated: bool,
    hits: &mut Vec<(u32, Hit)>,
) {
    hits.clear();
    let name = catalog.name(product);
    for (k, rs) in readings.iter().enumerate() {
        if words & word_bit(k) == 0 {
            continue;
        }
        for &(word, sim) in rs.iter() {
            let frequent = catalog.frequent(word);
            if frequent && !gated {
                continue;
            }
            for (at, n) in name.iter().enumerate().filter(|(_, n)| n.id == word) {
                hits.push((
                    product,
                    Hit {
                        pos: first + k,
                        word: at as u16,
                        sim,
                        frequent,
                        unique: n.unique,
                        strong: n.strong,
                        weight: n.weight,
                    },
                ));
            }
        }
    }
    // Hits come in position order already; only hits of one position need ordering by
    // name word. Insertion sort: almost always in order already.
    for i in 1..hits.len() {
        let mut j = i;
        while j > 0 && (hits[j].1.pos, hits[j].1.word) < (hits[j - 1].1.pos, hits[j - 1].1.word) {
            hits.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// The mentions of one product among its hits (sorted by position): hits close
/// together with no item separator, covering enough of its name.
fn cluster(
    catalog: &ChatCatalog,
    flat: &[(u32, Hit)],
    best: &mut Vec<f32>,
    out: &mut Vec<Candidate>,
) {
    let Some(&(product, _)) = flat.first() else {
        return;
    };
    let name_len = catalog.name(product).len();
    let total = catalog.name_weight[product as usize];
    if total <= 0.0 {
        return;
    }
    let hs = flat;
    // Cheap bound first: in a big catalog a common word ("donat") hits hundreds of
    // products that even all their hits together cannot make a mention of.
    let mut seen = 0u64;
    let mut bound = 0.0f32;
    let mut any_unique = false;
    for (_, h) in hs {
        let bit = 1u64 << (u32::from(h.word) % 64);
        if seen & bit == 0 {
            seen |= bit;
            bound += h.weight;
        }
        any_unique |= h.sim >= 0.95 && h.unique;
    }
    if bound / total < MIN_COVERAGE && !any_unique {
        return;
    }
    // Per name word: the best similarity said, and its weight (0 where none is said).
    best.clear();
    best.resize(2 * name_len, 0.0);
    let mut start = 0;
    while start < hs.len() {
        let mut end = start + 1;
        while end < hs.len() {
            // Hits are of one clause: no item separator between them.
            let (prev, cur) = (hs[end - 1].1.pos, hs[end].1.pos);
            if cur > prev + 3 {
                break;
            }
            end += 1;
        }
        let cluster = &hs[start..end];
        start = end;
        for (_, h) in cluster {
            let i = 2 * usize::from(h.word);
            best[i] = best[i].max(h.sim);
            best[i + 1] = h.weight;
        }
        let covered: f32 = best.chunks_exact(2).map(|b| b[0] * b[1]).sum();
        let partial = best.chunks_exact(2).any(|b| b[0] == 0.0);
        for (_, h) in cluster {
            let i = 2 * usize::from(h.word);
            best[i] = 0.0;
            best[i + 1] = 0.0;
        }
        let coverage = covered / total;
        // One distinctive word at least: not "isi" or "original" alone.
        // A maker's name on half the catalog ("mbak lia") names nothing alone.
        let strong = cluster
            .iter()
            .any(|(_, h)| h.sim >= 0.8 && !h.frequent && h.strong);
        // A word only this product has names it, however long its name ("jamu" for
        // "Jamu Kunyit Asam").
        let unique = cluster.iter().any(|(_, h)| h.sim >= 0.95 && h.unique);
        if (coverage < MIN_COVERAGE && !unique) || !strong {
            continue;
        }
        let coverage = if unique { coverage.max(0.5) } else { coverage };
        let mut positions: Vec<usize> = cluster.iter().map(|h| h.1.pos).collect();
        positions.dedup();
        let first = positions[0];
        let last = positions[positions.len() - 1];
        let gaps = (last - first + 1).saturating_sub(positions.len()) as f32;
        let min_sim = cluster.iter().map(|h| h.1.sim).fold(1.0, f32::min);
        let mean_sim = cluster.iter().map(|h| h.1.sim).sum::<f32>() / cluster.len() as f32;
        out.push(Candidate {
            product,
            positions,
            first,
            last,
            // Exact words beat corrected ones at equal coverage; a name said in full
            // beats one said in part ("Cold Brew Robusta" over "Cold Brew Original
            // Robusta" for "cold brew robusta").
            score: coverage - 0.02 * gaps + 0.01 * mean_sim + if partial { 0.0 } else { 0.07 },
            min_sim,
            partial,
            unique,
        });
    }
}

/// What weighing a candidate looks up around it, once per message: per word, the
/// products its readings are a variant value of (not once per candidate: a common word
/// starts a hundred), and whether it is a stranger (looked at when asked).
struct Nearby<'a> {
    words: &'a [Word<'a>],
    readings: &'a [Readings],
    starts: Vec<usize>,
    lists: Vec<&'a [u32]>,
    /// Per position: 0 not known yet, 1 not a stranger, 2 a stranger.
    strangers: Vec<u8>,
}

impl<'a> Nearby<'a> {
    fn new(words: &'a [Word<'a>], readings: &'a [Readings], catalog: &'a ChatCatalog) -> Self {
        let mut starts: Vec<usize> = Vec::with_capacity(readings.len() + 1);
        let mut lists: Vec<&[u32]> = Vec::new();
        for rs in readings {
            starts.push(lists.len());
            lists.extend(
                rs.iter()
                    .map(|&(w, _)| catalog.value_products(w))
                    .filter(|l| !l.is_empty()),
            );
        }
        starts.push(lists.len());
        Nearby {
            words,
            readings,
            starts,
            lists,
            strangers: vec![0; words.len()],
        }
    }

    fn value_of(&self, pos: usize, product: u32) -> bool {
        self.lists[self.starts[pos]..self.starts[pos + 1]]
            .iter()
            .any(|l| l.binary_search(&product).is_ok())
    }

    /// Whether a word of `first..end` is a variant value of `product`.
    fn any_value(&self, first: usize, end: usize, product: u32) -> bool {
        self.lists[self.starts[first]..self.starts[end]]
            .iter()
            .any(|l| l.binary_search(&product).is_ok())
    }

    fn stranger(&mut self, i: usize) -> bool {
        if self.strangers[i] == 0 {
            let w = &self.words[i];
            let is = self.readings[i].is_empty()
                && w.raw.chars().count() >= 2
                && w.raw.chars().all(char::is_alphabetic)
                && !is_chat_word(&w.raw)
                && !is_chat_word(&w.text)
                && !is_stopword(&w.text)
                && !is_filler(&w.text)
                && numbers::unit(&w.raw).is_none()
                && numbers::parse_number(&w.raw).is_none();
            self.strangers[i] = if is { 2 } else { 1 };
        }
        self.strangers[i] == 2
    }

    /// Variant values near a mention, in its clause, make it likelier ("donat coklat":
    /// the donat that comes in coklat). An unknown word right beside a partial mention
    /// makes it less likely ("martabak telor" is not "Telur Ayam", "es teh" not "Thai
    /// Tea").
    fn weigh(&mut self, c: &mut Candidate) {
        let words = self.words;
        let mut bonus = 0.0f32;
        let mut pos = c.first;
        while pos > 0 && c.first - pos < 3 && words[pos].sep_before < Sep::Item {
            pos -= 1;
        }
        let lo = pos;
        let mut hi = c.last;
        while hi + 1 < words.len() && hi - c.last < 4 && words[hi + 1].sep_before < Sep::Item {
            hi += 1;
        }
        for pos in lo..=hi.min(self.readings.len().saturating_sub(1)) {
            if c.positions.contains(&pos) {
                continue;
            }
            if self.value_of(pos, c.product) {
                bonus += 0.1;
            }
        }
        c.score += bonus.min(0.2);
        if c.partial {
            let before =
                c.first > 0 && words[c.first].sep_before < Sep::Item && self.stranger(c.first - 1);
            let after = c.last + 1 < words.len()
                && words[c.last + 1].sep_before < Sep::Item
                && self.stranger(c.last + 1);
            if before || after {
                c.score -= 0.2;
            }
        }
    }
}

/// Only the weighed candidates near the best at their words can be chosen or be its
/// rivals: in a big catalog a common word ("donat") starts hundreds.
fn keep_best(words: usize, out: &mut Vec<Candidate>) {
    out.retain(|c| c.score >= MIN_COVERAGE);
    let mut best_at = vec![f32::MIN; words];
    for c in out.iter() {
        for &p in &c.positions {
            best_at[p] = best_at[p].max(c.score);
        }
    }
    out.retain(|c| {
        let best = c
            .positions
            .iter()
            .map(|&p| best_at[p])
            .fold(f32::MIN, f32::max);
        c.score >= best - 0.3
    });
}

/// Whether every word of `c` is a variant value of a product already mentioned next to
/// it: "donat kentang keju 10" names one product, not a donut and a cheese cake.
fn value_of_neighbour(
    c: &Candidate,
    mentions: &[Mention],
    words: &[Word],
    readings: &[Readings],
    catalog: &ChatCatalog,
) -> bool {
    let before = mentions
        .iter()
        .filter(|m| m.last < c.first)
        .max_by_key(|m| m.last)
        .filter(|m| c.first - m.last <= 12);
    let after = mentions
        .iter()
        .filter(|m| m.first > c.last)
        .min_by_key(|m| m.first)
        .filter(|m| !super::words::separated(words, c.last, m.first, Sep::Item));
    [before, after].into_iter().flatten().any(|m| {
        c.positions.iter().all(|&pos| {
            readings[pos].iter().any(|(w, _)| {
                std::iter::once(m.product)
                    .chain(m.rivals.iter().copied())
                    .any(|p| catalog.is_value_of(*w, p))
            })
        })
    })
}

fn select(
    mut candidates: Vec<Candidate>,
    words: &[Word],
    readings: &[Readings],
    catalog: &ChatCatalog,
) -> Vec<Mention> {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.positions.len().cmp(&a.positions.len()))
            .then(a.product.cmp(&b.product))
    });
    // Candidates made only of another candidate's variant values ("keju" beside "donat")
    // are weighed after the others, so the product they describe is chosen first.
    let value_like: Vec<bool> = candidates
        .iter()
        .map(|c| {
            c.positions.iter().all(|&pos| {
                readings[pos].iter().any(|(w, _)| {
                    let owners = catalog.value_products(*w);
                    !owners.is_empty()
                        && candidates.iter().any(|o| {
                            o.product != c.product
                                && owners.binary_search(&o.product).is_ok()
                                && !o.positions.iter().any(|q| c.positions.contains(q))
                        })
                })
            })
        })
        .collect();
    let order: Vec<usize> = (0..candidates.len())
        .filter(|&i| !value_like[i])
        .chain((0..candidates.len()).filter(|&i| value_like[i]))
        .collect();
    let mut used: Vec<usize> = Vec::new();
    let mut mentions: Vec<Mention> = Vec::new();
    for i in order {
        let c = &candidates[i];
        if c.positions.iter().any(|p| used.contains(p))
            || value_of_neighbour(c, &mentions, words, readings, catalog)
        {
            continue;
        }
        // "nugget ayam sultan" is "Nugget Ayam Sultan", not "Nugget Ayam": a product that
        // explains these words and more, about as well, goes first.
        let superset = |o: &Candidate| {
            o.positions.len() > c.positions.len()
                && c.positions.iter().all(|p| o.positions.contains(p))
                && !o.positions.iter().any(|p| used.contains(p))
        };
        // Unless the extra words are this product's own variant values ("donat keju"
        // for a donut that comes in keju).
        let extra_are_values = |o: &Candidate| {
            o.positions
                .iter()
                .filter(|p| !c.positions.contains(p))
                .all(|&p| {
                    readings[p]
                        .iter()
                        .any(|(w, _)| catalog.is_value_of(*w, c.product))
                })
        };
        if candidates.iter().any(|o| {
            o.product != c.product && o.score >= 0.5 && superset(o) && !extra_are_values(o)
        }) {
            continue;
        }
        let overlapping = |o: &Candidate| o.positions.iter().any(|p| c.positions.contains(p));
        let rivals: Vec<u32> = candidates
            .iter()
            .skip(i + 1)
            .filter(|o| o.product != c.product && o.score >= c.score - TIE && overlapping(o))
            .filter(|o| !o.positions.iter().any(|p| used.contains(p)))
            // A product explaining only some of these words is no rival.
            .filter(|o| {
                !(o.positions.len() < c.positions.len()
                    && o.positions.iter().all(|p| c.positions.contains(p)))
            })
            .map(|o| o.product)
            .take(5)
            .collect();
        let margin = candidates
            .iter()
            .skip(i + 1)
            .filter(|o| o.product != c.product && overlapping(o))
            .map(|o| c.score - o.score)
            .next()
            .unwrap_or(1.0);
        used.extend(&c.positions);
        mentions.push(Mention {
            product: c.product,
            rivals,
            first: c.first,
            last: c.last,
            positions: c.positions.clone(),
            score: c.score,
            min_sim: c.min_sim,
            margin,
            unique: c.unique,
        });
    }
    mentions.sort_by_key(|m| m.first);
    mentions
}

/// Variant values of each mention's product written near it.
fn value_hits(
    words: &[Word],
    readings: &[Readings],
    eligible: &[bool],
    mentions: &[Mention],
    catalog: &ChatCatalog,
) -> Vec<ValueHit> {
    let used: Vec<usize> = mentions
        .iter()
        .flat_map(|m| m.positions.iter().copied())
        .collect();
    let mut out: Vec<ValueHit> = Vec::new();
    for (pos, &ok) in eligible.iter().enumerate() {
        if !ok || used.contains(&pos) || out.iter().any(|v| (v.first..=v.last).contains(&pos)) {
            continue;
        }
        // The mention this word belongs to: the last one before it, or the first one after
        // it on the same line when none comes before.
        let owner = mentions
            .iter()
            .rposition(|m| m.last < pos || (m.positions.is_empty() && m.last <= pos))
            .or_else(|| {
                mentions.iter().position(|m| {
                    m.first > pos && !super::words::separated(words, pos, m.first, Sep::Line)
                })
            });
        let Some(mi) = owner else { continue };
        let m = &mentions[mi];
        if !m.rivals.is_empty() {
            continue;
        }
        let found = value_at(words, readings, pos, m.product, catalog);
        if let Some((option, value, last)) = found {
            out.push(ValueHit {
                mention: mi,
                option,
                value,
                first: pos,
                last,
            });
        }
    }
    out
}

/// The variant value of `product` written at word `pos`: (option, value, last word).
fn value_at(
    words: &[Word],
    readings: &[Readings],
    pos: usize,
    product: u32,
    catalog: &ChatCatalog,
) -> Option<(usize, usize, usize)> {
    let raw = &*words[pos].raw;
    // What a value needs, checked before the product's values are read (a cache miss
    // each): a short value ("S", "40") is the word as written, a longer one a reading of
    // it that is one of the product's value words.
    let short_like = |w: &str| w.chars().count() <= 2 || w.bytes().all(|b| b.is_ascii_digit());
    let could_be_short =
        catalog.short_values[product as usize] && (short_like(raw) || short_like(&words[pos].text));
    if !could_be_short
        && !readings[pos]
            .iter()
            .any(|&(w, _)| catalog.is_value_of(w, product))
    {
        return None;
    }
    let values = &catalog.values[product as usize];
    let ids = &catalog.value_ids[product as usize];
    let prev = if pos > 0 { &*words[pos - 1].raw } else { "" };
    let size_cue = matches!(
        prev,
        "uk" | "ukuran" | "size" | "sz" | "no" | "nomor" | "nomer" | "uk." | "ukr"
    );
    let mut found: Option<(usize, usize, usize)> = None;
    'options: for (oi, option) in values.iter().enumerate() {
        for (vi, value_words) in option.iter().enumerate() {
            let Some(first_word) = value_words.first() else {
                continue;
            };
            // Short values ("S", "XL", "40") only as written; longer ones read like
            // product words (typos, abbreviations).
            let short = super::catalog::short_value(first_word);
            let hit = if short {
                let exact = words[pos].text == *first_word || raw == first_word.as_str();
                let digits = first_word.chars().all(|c| c.is_ascii_digit());
                exact
                    && (!digits || size_cue || first_word.len() >= 2 && pos > 0)
                    && (digits
                        || size_cue
                        || first_word.chars().count() == 2
                        || value_words.len() > 1
                        || is_size_letter(first_word))
            } else {
                let id = ids[oi][vi][0];
                readings[pos].iter().any(|(w, _)| *w == id)
            };
            if !hit {
                continue;
            }
            // The value's further words must follow.
            let mut last = pos;
            let mut ok = true;
            for (vw, &id) in value_words[1..].iter().zip(&ids[oi][vi][1..]) {
                let next = last + 1;
                if next < words.len()
                    && (words[next].text == *vw || readings[next].iter().any(|(w, _)| *w == id))
                {
                    last = next;
                } else {
                    ok = false;
                    break;
                }
            }
            if ok {
                found = Some((oi, vi, last));
                break 'options;
            }
        }
    }
    found
}

fn is_size_letter(w: &str) -> bool {
    matches!(w, "s" | "m" | "l" | "xl" | "xxl" | "xs" | "3xl" | "4xl")
}

fn anchors(words: &[Word], mentions: &[Mention], values: &[ValueHit]) -> Vec<Anchor> {
    let mut out = Vec::new();
    for (mi, m) in mentions.iter().enumerate() {
        let mut mine: Vec<&ValueHit> = values.iter().filter(|v| v.mention == mi).collect();
        mine.sort_by_key(|v| v.first);
        // Values fall into groups, one line each: a new group starts at an item separator
        // or when an option comes again ("coklat 6 keju 6"; "lvl 3 pake nasi 2, lvl 0
        // tanpa nasi 1").
        let mut groups: Vec<Vec<&ValueHit>> = Vec::new();
        for v in mine {
            let start_new = match groups.last() {
                None => true,
                Some(g) => {
                    g.iter().any(|o| o.option == v.option && o.value != v.value)
                        || g.last().is_some_and(|prev| {
                            super::words::separated(words, prev.last, v.first, Sep::Item)
                        })
                }
            };
            if start_new {
                groups.push(vec![v]);
            } else if let Some(g) = groups.last_mut()
                && !g.iter().any(|o| o.option == v.option)
            {
                g.push(v);
            }
        }
        let mention_span = span_of(words, m.first, m.last);
        if groups.len() <= 1 {
            let mut span = mention_span;
            let mut variant = Vec::new();
            for v in groups.into_iter().flatten() {
                let vs = span_of(words, v.first, v.last);
                span.start = span.start.min(vs.start);
                span.end = span.end.max(vs.end);
                variant.push((v.option, v.value));
            }
            out.push(Anchor {
                mention: mi,
                variant,
                span,
                qty: None,
            });
            continue;
        }
        for g in groups {
            let mut span = span_of(words, g[0].first, g[0].last);
            for v in &g[1..] {
                span.end = span.end.max(span_of(words, v.first, v.last).end);
            }
            out.push(Anchor {
                mention: mi,
                variant: g.iter().map(|v| (v.option, v.value)).collect(),
                span,
                qty: None,
            });
        }
    }
    out.sort_by_key(|a| a.span.start);
    out
}

/// Word index of the first word starting at or after byte `at`.
fn word_at(words: &[Word], at: usize) -> usize {
    words.partition_point(|w| w.span.start < at)
}

/// Whether an item separator lies between byte `a` and byte `b`.
fn sep_between(words: &[Word], a: usize, b: usize, min: Sep) -> bool {
    let from = word_at(words, a);
    words
        .iter()
        .skip(from)
        .take_while(|w| w.span.start <= b)
        .any(|w| w.span.start > a && w.sep_before >= min)
}

fn words_between(words: &[Word], a: usize, b: usize) -> usize {
    words
        .iter()
        .filter(|w| w.span.start >= a && w.span.end <= b && !is_joiner(w))
        .count()
}

/// Gives each quantity to an anchor; returns the quantities no anchor took.
fn assign(
    text: &str,
    words: &[Word],
    anchors: &mut [Anchor],
    quantities: &[(Span, Quantity)],
) -> Vec<(Span, Quantity)> {
    let mut leftover = Vec::new();
    if anchors.is_empty() {
        return quantities.to_vec();
    }
    // The message's habit: a number before its product ("2 donat") when the first number
    // comes before the first product on its line.
    let before = quantities.first().is_some_and(|(q, _)| {
        q.end <= anchors[0].span.start
            && !sep_between(words, q.end, anchors[0].span.start, Sep::Item)
    });
    let mut each: Option<(Span, Quantity)> = None;
    for (span, q) in quantities {
        // "bomboloni 6 ya, isinya coklat": the number inside the line's own words.
        if let Some(i) = anchors
            .iter()
            .position(|a| a.span.start <= span.start && span.end <= a.span.end && a.qty.is_none())
        {
            anchors[i].qty = Some((*span, *q));
            continue;
        }
        if each_marker(text, words, span.start) {
            each = Some((*span, *q));
            continue;
        }
        let left = anchors.iter().rposition(|a| a.span.end <= span.start);
        let right = anchors.iter().position(|a| a.span.start >= span.end);
        let near = |i: Option<usize>, left_side: bool| -> Option<usize> {
            let i = i?;
            let a = &anchors[i];
            let (x, y) = if left_side {
                (a.span.end, span.start)
            } else {
                (span.end, a.span.start)
            };
            (!sep_between(words, x, y, Sep::Item) && words_between(words, x, y) <= MAX_QTY_DISTANCE)
                .then_some(i)
        };
        let (l, r) = (near(left, true), near(right, false));
        let free = |i: usize| anchors[i].qty.is_none();
        let pick = match (l, r) {
            (Some(l), Some(r)) => {
                let (first, second) = if before { (r, l) } else { (l, r) };
                if free(first) {
                    Some(first)
                } else if free(second) {
                    Some(second)
                } else {
                    None
                }
            }
            (Some(i), None) | (None, Some(i)) => free(i).then_some(i),
            (None, None) => {
                // "Donat Kentang\n2 lusin": a number on its own after a product.
                left.filter(|&i| {
                    free(i)
                        && right.is_none_or(|r| {
                            sep_between(words, span.end, anchors[r].span.start, Sep::Item)
                        })
                        && !has_content(words, anchors[i].span.end, span.start)
                })
            }
        };
        match pick {
            Some(i) => anchors[i].qty = Some((*span, *q)),
            None => leftover.push((*span, *q)),
        }
    }
    // "coklat, tiramisu, strawberry @2", "masing-masing 2": every line without its own.
    if let Some(e) = each {
        for a in anchors.iter_mut().filter(|a| a.qty.is_none()) {
            a.qty = Some(e);
        }
    }
    leftover
}

/// Whether the number at byte `at` counts for each line: "@2", "@ 2", "masing2 3".
fn each_marker(text: &str, words: &[Word], at: usize) -> bool {
    if text[..at].trim_end().ends_with('@') {
        return true;
    }
    let i = word_at(words, at);
    let prev = i.checked_sub(1).map_or("", |p| &*words[p].raw);
    matches!(
        prev,
        "masing" | "msg" | "masing2" | "msg2" | "each" | "tiap" | "setiap"
    )
}

/// Whether words that could name a product lie between two bytes.
fn has_content(words: &[Word], a: usize, b: usize) -> bool {
    words
        .iter()
        .filter(|w| w.span.start >= a && w.span.end <= b)
        .any(content_word)
}

fn content_word(w: &Word) -> bool {
    w.raw.chars().count() >= 3
        && w.raw.chars().all(char::is_alphabetic)
        && !is_chat_word(&w.raw)
        && !is_chat_word(&w.text)
        && !is_stopword(&w.text)
        && !is_filler(&w.text)
        && numbers::unit(&w.raw).is_none()
}

/// `q` in the product's selling unit, and whether the units fit.
fn in_unit(q: &Quantity, unit: &str) -> (Decimal, bool) {
    let Some(u) = q.unit else {
        return (q.amount, true);
    };
    if u.name == unit {
        return (q.amount, true);
    }
    let target = numbers::unit(unit);
    match target.map(|t| t.kind) {
        Some(UnitKind::Count(per)) => {
            if let Some(pieces) = q.pieces
                && let Some(v) = pieces.checked_div(Decimal::from_int(i64::from(per)))
            {
                return (v, true);
            }
            (q.amount, false)
        }
        Some(UnitKind::Mass(_) | UnitKind::Volume(_)) => match q.convert(unit) {
            Some(v) => (v, true),
            None => (q.amount, false),
        },
        // A product sold by the bottle, jar or box: a dozen of them is 12 ("setengah
        // lusin botol" is 6); a container only the seller knows the size of ("2 dus") is
        // kept as written.
        _ => match (u.kind, q.pieces) {
            (UnitKind::Count(_), Some(pieces)) => (pieces, true),
            (kind, _) => (q.amount, matches!(kind, UnitKind::Count(1))),
        },
    }
}

fn line(text: &str, catalog: &ChatCatalog, m: &Mention, a: &Anchor) -> OrderLine {
    let product = &catalog.products[m.product as usize];
    let (quantity, unit_ok) = match &a.qty {
        Some((_, q)) => {
            let (v, ok) = in_unit(q, &product.unit);
            (Some(v), ok)
        }
        None => (None, true),
    };
    let mut span = a.span;
    if let Some((qs, _)) = &a.qty {
        span.start = span.start.min(qs.start);
        span.end = span.end.max(qs.end);
    }
    let matched = if m.rivals.is_empty() {
        let mut variant: Vec<(String, String)> = a
            .variant
            .iter()
            .filter_map(|(o, v)| {
                let option = product.options.get(*o)?;
                Some((option.name.clone(), option.values.get(*v)?.clone()))
            })
            .collect();
        variant.sort_by_key(|(dim, _)| product.options.iter().position(|o| o.name == *dim));
        LineMatch::Product {
            product_id: product.id.clone(),
            variant,
        }
    } else {
        let mut ids = vec![product.id.clone()];
        ids.extend(
            m.rivals
                .iter()
                .map(|r| catalog.products[*r as usize].id.clone()),
        );
        LineMatch::Ambiguous { candidates: ids }
    };
    // A word no other product has names the product however short the mention is.
    let evidence = if m.unique { m.score.max(0.85) } else { m.score };
    let mut confidence = evidence.min(1.0) * m.min_sim;
    if m.rivals.is_empty() {
        confidence *= (0.75 + m.margin).min(1.0);
    } else {
        confidence = confidence.min(0.4) * 0.75;
    }
    if quantity.is_none() {
        confidence *= 0.9;
    }
    if !unit_ok {
        confidence *= 0.6;
    }
    OrderLine {
        text: text[span.start..span.end].to_owned(),
        span,
        product_span: a.span,
        matched,
        quantity,
        quantity_span: a.qty.as_ref().map(|(s, _)| *s),
        unit_mismatch: !unit_ok,
        confidence: (confidence * 100.0).round() / 100.0,
    }
}

/// Quantities no product took, with words that could be a product we do not sell:
/// "bakso 3" in a bakery's chat. Reported, so the admin sees them.
fn unknown_lines(
    text: &str,
    words: &[Word],
    eligible: &[bool],
    mentions: &[Mention],
    values: &[ValueHit],
    leftover: &[(Span, Quantity)],
) -> Vec<OrderLine> {
    let used = |i: usize| {
        mentions.iter().any(|m| m.positions.contains(&i))
            || values.iter().any(|v| (v.first..=v.last).contains(&i))
    };
    let mut out = Vec::new();
    for (qs, q) in leftover {
        let qi = word_at(words, qs.start);
        let qe = word_at(words, qs.end);
        let mut span = *qs;
        let mut any = false;
        // Words after the number on its item, then before it.
        for i in qe..words.len() {
            if words[i].sep_before >= Sep::Item || !eligible[i] || used(i) {
                break;
            }
            if content_word(&words[i]) {
                span.end = words[i].span.end;
                any = true;
            } else if any {
                break;
            }
        }
        if !any {
            for i in (0..qi).rev() {
                if !eligible[i] || used(i) {
                    break;
                }
                if content_word(&words[i]) {
                    span.start = words[i].span.start;
                    any = true;
                } else if any {
                    break;
                }
                if words[i].sep_before >= Sep::Item {
                    break;
                }
            }
        }
        if any {
            out.push(OrderLine {
                text: text[span.start..span.end].to_owned(),
                span,
                product_span: span,
                matched: LineMatch::Unknown,
                quantity: Some(q.amount),
                quantity_span: Some(*qs),
                unit_mismatch: false,
                confidence: 0.0,
            });
        }
    }
    out
}
