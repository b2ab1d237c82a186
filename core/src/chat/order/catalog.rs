//! The catalog a chat belongs to, indexed for reading orders: each product's name words
//! weighted by how much they tell products apart, its variant values, and the
//! vocabulary that typos and abbreviations are corrected against.

use crate::catalog::import::{ImportError, read_json};
use crate::catalog::search::fuzzy::{Vocabulary, distance_within};
use crate::catalog::search::lexicon::{is_filler, is_stopword};
use crate::catalog::search::normalize::{self, has_vowel, skeleton};
use crate::catalog::unit::canonical_unit;
use crate::catalog::{PriceInput, Product, VariantOption};
use crate::chat::fxhash::FxHashMap;
use crate::chat::numbers;
use crate::money::Rupiah;
use crate::money::parse_rupiah;
use std::sync::{Arc, Mutex};

/// A catalog word (of a name or a variant value), by its index in the catalog's words:
/// messages are read against ids, so the hot loops compare and index integers instead
/// of hashing strings.
pub(super) type WordId = u32;

/// The catalog words a message word may stand for, with how sure we are; shared from
/// the cache.
pub(super) type Readings = Arc<Vec<(WordId, f32)>>;

/// One product as chat matching sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatProduct {
    /// The product's id in the store, or its id in the catalog file read.
    pub id: String,
    pub name: String,
    /// Canonical selling unit ("pcs", "kg", "toples").
    pub unit: String,
    pub price: Rupiah,
    pub options: Vec<VariantOption>,
    /// Prices that differ by variant: option values (in `options` order) → price.
    pub variant_prices: Vec<(Vec<String>, Rupiah)>,
}

impl ChatProduct {
    /// The price of one unit with the chosen option values (dimension, value).
    pub fn price_with(&self, chosen: &[(String, String)]) -> Rupiah {
        self.variant_prices
            .iter()
            .find(|(values, _)| {
                values
                    .iter()
                    .zip(&self.options)
                    .all(|(v, o)| chosen.iter().any(|(dim, val)| *dim == o.name && val == v))
            })
            .map_or(self.price, |(_, p)| *p)
    }
}

impl From<&Product> for ChatProduct {
    fn from(p: &Product) -> Self {
        ChatProduct {
            id: p.id.clone(),
            name: p.name.clone(),
            unit: p.unit.clone(),
            price: p.price,
            options: p.options.clone(),
            variant_prices: p
                .variants
                .iter()
                .filter_map(|v| Some((v.values.clone(), v.price?)))
                .collect(),
        }
    }
}

/// A name word of a product (by position) and how much it counts.
#[derive(Clone, Debug)]
pub(super) struct NameWord {
    /// The catalog word.
    pub id: WordId,
    pub weight: f32,
    /// Long enough and meaningful enough to name the product on its own (not "isi",
    /// not "original").
    pub strong: bool,
    /// No other product has it in its name.
    pub unique: bool,
}

/// A catalog word's occurrence in the name of `product`, with the share of the name's
/// weight it carries and whether no other product has it: what the walk over a word's
/// postings reads (12 bytes: the hot loop streams hundreds a message). The rest of the
/// name word is read from the name, for the few products clustered.
#[derive(Clone, Copy, Debug)]
pub(super) struct Posting {
    pub product: u32,
    pub share: f32,
    pub unique: bool,
}

/// Where a catalog word occurs: ranges of [`ChatCatalog::postings`] and
/// [`ChatCatalog::value_lists`].
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    names: (u32, u32),
    values: (u32, u32),
    /// In more names than a fiftieth of the catalog (at least 48): looked up only in
    /// products a rarer word found.
    frequent: bool,
}

/// The catalog, indexed. Build once per catalog, parse any number of messages with it.
pub struct ChatCatalog {
    pub(super) products: Vec<ChatProduct>,
    by_id: FxHashMap<String, u32>,
    /// Each product's name words, all together (one allocation: the hot loop reads the
    /// names of hundreds of products per message); `name_start[p]..name_start[p + 1]`.
    name_words: Vec<NameWord>,
    name_start: Vec<u32>,
    /// Numbers written in each product's name ("10" of "Dimsum Isi 10"): in a message
    /// inside the product's words they are the name, not a quantity.
    pub(super) name_numbers: Vec<Vec<String>>,
    /// Sum of each product's name word weights.
    pub(super) name_weight: Vec<f32>,
    /// Canonical words of each option value: `values[p][o][v]`, as text and as ids.
    pub(super) values: Vec<Vec<Vec<Vec<String>>>>,
    pub(super) value_ids: Vec<Vec<Vec<Vec<WordId>>>>,
    /// Whether a product has a short value ("S", "XL", "40"), matched only as written.
    pub(super) short_values: Vec<bool>,
    /// Every catalog word (of names and of variant values) → its id.
    ids: FxHashMap<String, WordId>,
    /// Per word id.
    entries: Vec<Entry>,
    /// Name postings of all words, each word's together, in product order.
    postings: Vec<Posting>,
    /// Products (sorted) with a variant value holding the word, all words' together.
    value_lists: Vec<u32>,
    vocabulary: Vocabulary,
    /// Readings of words seen before: chat repeats its words, and correcting a word
    /// against the vocabulary is the costly step.
    cache: Mutex<FxHashMap<String, Readings>>,
}

/// Most words the reading cache holds before it starts again.
const CACHE_WORDS: usize = 50_000;

/// Words that say nothing about which product: digits and units ("Gula 1 kg") are read as
/// quantities, and a stop word never identifies a product.
fn name_word(w: &str) -> bool {
    !w.chars().all(|c| c.is_ascii_digit()) && numbers::unit(w).is_none() && !is_stopword(w)
}

/// A variant value read only as written: two letters at most or a number ("S", "XL",
/// "40"); longer values are read like product words (typos, abbreviations).
pub(super) fn short_value(first_word: &str) -> bool {
    first_word.chars().count() <= 2 || first_word.chars().all(|c| c.is_ascii_digit())
}

impl ChatCatalog {
    pub fn new(products: Vec<ChatProduct>) -> ChatCatalog {
        let mut ids: FxHashMap<String, WordId> = FxHashMap::default();
        let id_of = |w: &str, ids: &mut FxHashMap<String, WordId>| -> WordId {
            if let Some(&id) = ids.get(w) {
                return id;
            }
            let id = ids.len() as WordId;
            ids.insert(w.to_owned(), id);
            id
        };
        let mut doc_freq: Vec<u32> = Vec::new();
        let mut raw_names: Vec<Vec<(String, WordId)>> = Vec::with_capacity(products.len());
        for p in &products {
            let mut words: Vec<String> = normalize::words(&p.name)
                .into_iter()
                .filter(|w| name_word(w))
                .collect();
            words.dedup();
            let mut seen: Vec<WordId> = Vec::new();
            let mut named = Vec::with_capacity(words.len());
            for w in words {
                let id = id_of(&w, &mut ids);
                if doc_freq.len() <= id as usize {
                    doc_freq.resize(id as usize + 1, 0);
                }
                if !seen.contains(&id) {
                    doc_freq[id as usize] += 1;
                    seen.push(id);
                }
                named.push((w, id));
            }
            raw_names.push(named);
        }
        let products_len = products.len();
        let n = products_len.max(1) as f32;
        // (word, product, name word) and (word, product) occurrences, grouped by word below.
        let mut name_hits: Vec<(WordId, u32, u16)> = Vec::new();
        let mut value_hits: Vec<(WordId, u32)> = Vec::new();
        let mut names = Vec::with_capacity(products.len());
        let mut values = Vec::with_capacity(products.len());
        let mut value_ids = Vec::with_capacity(products.len());
        for (pi, (p, words)) in products.iter().zip(raw_names).enumerate() {
            let pi = pi as u32;
            let name: Vec<NameWord> = words
                .into_iter()
                .take(usize::from(u16::MAX))
                .enumerate()
                .map(|(wi, (word, id))| {
                    name_hits.push((id, pi, wi as u16));
                    let df = doc_freq.get(id as usize).copied().unwrap_or(1).max(1) as f32;
                    // Inverse document frequency: "donat" in 40 products tells less than
                    // "bomboloni" in one. Filler ("original", "premium") tells little.
                    let idf = (1.0 + n / df).ln().max(0.05);
                    let filler = is_filler(&word);
                    let weight = if filler { idf * 0.3 } else { idf };
                    let strong = word.chars().count() >= 3 && !filler && !is_stopword(&word);
                    let unique = df <= 1.0 && word.len() >= 4;
                    NameWord {
                        id,
                        weight,
                        strong,
                        unique,
                    }
                })
                .collect();
            names.push(name);
            let mut ids_of_options = Vec::with_capacity(p.options.len());
            let opts: Vec<Vec<Vec<String>>> = p
                .options
                .iter()
                .take(usize::from(u8::MAX))
                .map(|o| {
                    let mut ids_of_values = Vec::with_capacity(o.values.len());
                    let texts = o
                        .values
                        .iter()
                        .take(usize::from(u16::MAX))
                        .map(|v| {
                            let words: Vec<String> = normalize::words(v)
                                .into_iter()
                                .filter(|w| !is_stopword(w))
                                .take(8)
                                .collect();
                            let word_ids: Vec<WordId> =
                                words.iter().map(|w| id_of(w, &mut ids)).collect();
                            value_hits.extend(word_ids.iter().map(|&id| (id, pi)));
                            ids_of_values.push(word_ids);
                            words
                        })
                        .collect();
                    ids_of_options.push(ids_of_values);
                    texts
                })
                .collect();
            values.push(opts);
            value_ids.push(ids_of_options);
        }
        let short_values = values
            .iter()
            .map(|options: &Vec<Vec<Vec<String>>>| {
                options
                    .iter()
                    .flatten()
                    .filter_map(|words| words.first())
                    .any(|w| short_value(w))
            })
            .collect();
        let words_len = ids.len();
        doc_freq.resize(words_len, 0);
        let frequent_df = (products_len / 50).max(48) as u32;
        let name_weight: Vec<f32> = names
            .iter()
            .map(|n: &Vec<NameWord>| n.iter().map(|w| w.weight).sum())
            .collect();
        let share_of = |product: u32, word: u16| {
            let n = &names[product as usize][usize::from(word)];
            n.weight / name_weight[product as usize].max(f32::MIN_POSITIVE)
        };
        // How many places each word is in (names and values), for the vocabulary: the
        // commoner of two corrections wins.
        let mut uses: Vec<u32> = vec![0; words_len];
        let mut entries: Vec<Entry> = vec![Entry::default(); words_len];
        // A stable sort keeps each word's postings in product and name word order.
        name_hits.sort_by_key(|h| h.0);
        let mut postings = Vec::with_capacity(name_hits.len());
        for group in name_hits.chunk_by(|a, b| a.0 == b.0) {
            let id = group[0].0 as usize;
            let start = postings.len() as u32;
            postings.extend(group.iter().map(|&(_, product, word)| {
                let n = &names[product as usize][usize::from(word)];
                Posting {
                    product,
                    share: share_of(product, word),
                    unique: n.unique,
                }
            }));
            entries[id].names = (start, postings.len() as u32);
            entries[id].frequent = doc_freq[id] > frequent_df;
            uses[id] += group.len() as u32;
        }
        value_hits.sort_by_key(|h| h.0);
        let mut value_lists = Vec::with_capacity(value_hits.len());
        for group in value_hits.chunk_by(|a, b| a.0 == b.0) {
            let id = group[0].0 as usize;
            uses[id] += group.len() as u32;
            let start = value_lists.len();
            value_lists.extend(group.iter().map(|h| h.1));
            value_lists[start..].sort_unstable();
            let mut end = start;
            for i in start..value_lists.len() {
                if end == start || value_lists[end - 1] != value_lists[i] {
                    value_lists[end] = value_lists[i];
                    end += 1;
                }
            }
            value_lists.truncate(end);
            entries[id].values = (start as u32, end as u32);
        }
        let name_numbers = products
            .iter()
            .map(|p| {
                normalize::words(&p.name)
                    .into_iter()
                    .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
                    .collect()
            })
            .collect();
        let vocabulary =
            Vocabulary::from_counts(ids.iter().map(|(w, &id)| (w.clone(), uses[id as usize])));
        let by_id = products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i as u32))
            .collect();
        let mut name_start = Vec::with_capacity(names.len() + 1);
        let mut name_words = Vec::with_capacity(name_hits.len());
        for n in names {
            name_start.push(name_words.len() as u32);
            name_words.extend(n);
        }
        name_start.push(name_words.len() as u32);
        ChatCatalog {
            by_id,
            products,
            name_words,
            name_start,
            name_numbers,
            name_weight,
            values,
            value_ids,
            short_values,
            ids,
            entries,
            postings,
            value_lists,
            vocabulary,
            cache: Mutex::new(FxHashMap::default()),
        }
    }

    pub fn from_products(products: &[Product]) -> ChatCatalog {
        ChatCatalog::new(
            products
                .iter()
                .filter(|p| !p.archived)
                .map(ChatProduct::from)
                .collect(),
        )
    }

    /// A catalog file (the JSON of `pasar catalog import`), read for chat: rows that
    /// cannot be read are skipped, a row without an id gets "row N".
    pub fn from_json(bytes: &[u8]) -> Result<ChatCatalog, ImportError> {
        let (rows, _errors) = read_json(bytes)?;
        Ok(ChatCatalog::new(
            rows.into_iter()
                .filter_map(|(n, row)| {
                    let price = match row.price {
                        PriceInput::Idr(v) => Rupiah::new(v),
                        PriceInput::Typed(t) => parse_rupiah(&t).ok()?,
                    };
                    Some(ChatProduct {
                        id: row.id.unwrap_or_else(|| format!("row {n}")),
                        name: row.name,
                        unit: canonical_unit(&row.unit).unwrap_or_else(|| "pcs".to_owned()),
                        price,
                        options: row.options,
                        variant_prices: Vec::new(),
                    })
                })
                .collect(),
        ))
    }

    pub fn products(&self) -> &[ChatProduct] {
        &self.products
    }

    pub fn product(&self, id: &str) -> Option<&ChatProduct> {
        self.products.get(*self.by_id.get(id)? as usize)
    }

    pub(super) fn index_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// A product's name words.
    pub(super) fn name(&self, product: u32) -> &[NameWord] {
        let p = product as usize;
        match (self.name_start.get(p), self.name_start.get(p + 1)) {
            (Some(&a), Some(&b)) => &self.name_words[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The id of a catalog word.
    pub(super) fn id(&self, word: &str) -> Option<WordId> {
        self.ids.get(word).copied()
    }

    fn entry(&self, word: WordId) -> Entry {
        self.entries.get(word as usize).copied().unwrap_or_default()
    }

    /// Whether `word` is in so many names that it is looked up only in products a
    /// rarer word found.
    pub(super) fn frequent(&self, word: WordId) -> bool {
        self.entry(word).frequent
    }

    /// Whether `word` is (in) a variant value of `product`.
    pub(super) fn is_value_of(&self, word: WordId, product: u32) -> bool {
        self.value_products(word).binary_search(&product).is_ok()
    }

    /// The products with `word` in a variant value, sorted.
    pub(super) fn value_products(&self, word: WordId) -> &[u32] {
        let (a, b) = self.entry(word).values;
        &self.value_lists[a as usize..b as usize]
    }

    /// Where `word` is in product names.
    pub(super) fn postings(&self, word: WordId) -> &[Posting] {
        let (a, b) = self.entry(word).names;
        &self.postings[a as usize..b as usize]
    }

    /// A glued word as two catalog words, each read through the lexicon:
    /// "cheesecake" → "keju" + "kue", "nasibakar" → "nasi" + "bakar".
    fn split(&self, word: &str) -> Vec<(WordId, f32)> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        for &(at, _) in chars.iter().skip(3).take(chars.len().saturating_sub(5)) {
            let (a, b) = word.split_at(at);
            let (wa, wb) = (normalize::words(a), normalize::words(b));
            if let ([a], [b]) = (wa.as_slice(), wb.as_slice())
                && let (Some(a), Some(b)) = (self.id(a), self.id(b))
            {
                return vec![(a, 0.9), (b, 0.9)];
            }
        }
        Vec::new()
    }

    /// The readings of each word of a message (through the cache, locked once).
    pub(super) fn readings_of<'a>(
        &self,
        words: impl Iterator<Item = Option<&'a str>>,
    ) -> Vec<Readings> {
        let mut cache = match self.cache.lock() {
            Ok(c) => c,
            // A panic elsewhere while holding the lock leaves only a cache behind.
            Err(poisoned) => poisoned.into_inner(),
        };
        // One empty reading shared by the words not read (an `Arc` each is an allocation).
        let none = Readings::default();
        words
            .map(|w| {
                let Some(w) = w else {
                    return Arc::clone(&none);
                };
                if let Some(r) = cache.get(w) {
                    return Arc::clone(r);
                }
                let r: Readings = Arc::new(self.readings(w));
                if cache.len() >= CACHE_WORDS {
                    cache.clear();
                }
                cache.insert(w.to_owned(), Arc::clone(&r));
                r
            })
            .collect()
    }

    /// The catalog words a message word may stand for, with how sure we are (1 = exact).
    /// Chat words that happen to be near a product word ("kirim" ~ "krim") are never
    /// corrected: only exact.
    pub(super) fn readings(&self, word: &str) -> Vec<(WordId, f32)> {
        let mut out = Vec::new();
        if let Some(id) = self.id(word) {
            out.push((id, 1.0));
            return out;
        }
        let chars = word.chars().count();
        if chars < 2
            || word.chars().any(|c| c.is_ascii_digit())
            || super::words::is_chat_word(word)
            || numbers::parse_number(word).is_some()
        {
            return out;
        }
        // "donatnya", "brownisnya": the word with its clitic.
        for suffix in ["nya", "ny", "e"] {
            if let Some(base) = word.strip_suffix(suffix)
                && base.chars().count() >= 3
            {
                let base = normalize::words(base).pop().unwrap_or_default();
                if let Some(id) = self.id(&base) {
                    out.push((id, 0.95));
                    return out;
                }
            }
        }
        for c in self.vocabulary.corrections(word, 4) {
            let sim = if !has_vowel(word) && skeleton(&c) == word {
                0.8
            } else {
                // A slip in a short word makes another word as often as a typo ("satu" is
                // one letter from "sapu"): only longer words are corrected, and only
                // keeping their first letter.
                let same_start = c.chars().next() == word.chars().next();
                // Two letters swapped ("siez" for "size") is a typo even in a short word.
                let swapped = chars == 4 && {
                    let (mut a, mut b): (Vec<char>, Vec<char>) =
                        (word.chars().collect(), c.chars().collect());
                    a.sort_unstable();
                    b.sort_unstable();
                    a == b
                };
                match distance_within(word, &c, 2) {
                    Some(1) if (chars >= 5 || swapped) && same_start => 0.85,
                    Some(2) if chars >= 8 && same_start => 0.7,
                    _ => continue,
                }
            };
            if let Some(id) = self.id(&c) {
                out.push((id, sim));
            }
        }
        // A dropped vowel, the commonest chat shortening: "lumr" → lumer, "sus" → susu.
        if out.is_empty() && (3..=4).contains(&chars) {
            out.extend(self.vowel_dropped(word).map(|w| (w, 0.8)));
        }
        if out.is_empty() && chars >= 6 {
            out.extend(self.split(word));
        }
        out
    }

    /// Catalog words that are `word` with one vowel put back (not before its first
    /// letter).
    fn vowel_dropped(&self, word: &str) -> Option<WordId> {
        let mut found = None;
        let mut w = String::with_capacity(word.len() + 1);
        for (at, _) in word.char_indices().skip(1).chain([(word.len(), ' ')]) {
            for v in ['a', 'e', 'i', 'o', 'u'] {
                w.clear();
                w.push_str(&word[..at]);
                w.push(v);
                w.push_str(&word[at..]);
                if let Some(id) = self.id(&w) {
                    // Two ways back is a guess, not a reading.
                    if found.is_some_and(|f| f != id) {
                        return None;
                    }
                    found = Some(id);
                }
            }
        }
        found
    }
}
