//! The catalog a chat belongs to, indexed for reading orders: each product's name words
//! weighted by how much they tell products apart, its variant values, and the
//! vocabulary that typos and abbreviations are corrected against.

use crate::catalog::import::{ImportError, read_json};
use crate::catalog::search::fuzzy::{Vocabulary, distance_within};
use crate::catalog::search::lexicon::{is_filler, is_stopword};
use crate::catalog::search::normalize::{self, has_vowel, skeleton};
use crate::catalog::unit::canonical_unit;
use crate::catalog::{PriceInput, Product, VariantOption};
use crate::chat::numbers;
use crate::money::Rupiah;
use crate::money::parse_rupiah;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The catalog words a message word may stand for, with how sure we are; shared from
/// the cache.
pub(super) type Readings = Arc<Vec<(String, f32)>>;

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
    pub weight: f32,
    /// Long enough and meaningful enough to name the product on its own (not "isi",
    /// not "original").
    pub strong: bool,
    /// No other product has it in its name.
    pub unique: bool,
}

/// Where a catalog word occurs.
#[derive(Clone, Copy, Debug)]
pub(super) enum Posting {
    /// Name word `word` of product `product`, with the share of the name's weight it
    /// carries and whether no other product has it (kept here: this is the hot loop).
    Name {
        product: u32,
        word: u16,
        share: f32,
        unique: bool,
    },
    /// A word of a variant value of product `product`.
    Value { product: u32 },
}

/// The catalog, indexed. Build once per catalog, parse any number of messages with it.
pub struct ChatCatalog {
    pub(super) products: Vec<ChatProduct>,
    by_id: HashMap<String, u32>,
    pub(super) names: Vec<Vec<NameWord>>,
    /// Numbers written in each product's name ("10" of "Dimsum Isi 10"): in a message
    /// inside the product's words they are the name, not a quantity.
    pub(super) name_numbers: Vec<Vec<String>>,
    /// Sum of each product's name word weights.
    pub(super) name_weight: Vec<f32>,
    /// Canonical words of each option value: `values[p][o][v]`.
    pub(super) values: Vec<Vec<Vec<Vec<String>>>>,
    pub(super) postings: HashMap<String, Vec<Posting>>,
    /// Products whose name holds the word.
    name_df: HashMap<String, u32>,
    /// Name words in more products than this are looked up only in products a rarer
    /// word already found ("murah", a maker's name on half the catalog).
    frequent_df: u32,
    /// Those words' (product, name word) postings, sorted by product.
    frequent_postings: HashMap<String, Vec<(u32, u16)>>,
    /// Products (sorted) with a variant value holding the word.
    value_products: HashMap<String, Vec<u32>>,
    vocabulary: Vocabulary,
    /// Readings of words seen before: chat repeats its words, and correcting a word
    /// against the vocabulary is the costly step.
    cache: Mutex<HashMap<String, Readings>>,
}

/// Most words the reading cache holds before it starts again.
const CACHE_WORDS: usize = 50_000;

/// Words that say nothing about which product: digits and units ("Gula 1 kg") are read as
/// quantities, and a stop word never identifies a product.
fn name_word(w: &str) -> bool {
    !w.chars().all(|c| c.is_ascii_digit()) && numbers::unit(w).is_none() && !is_stopword(w)
}

impl ChatCatalog {
    pub fn new(products: Vec<ChatProduct>) -> ChatCatalog {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut doc_freq: HashMap<String, u32> = HashMap::new();
        let mut raw_names: Vec<Vec<String>> = Vec::with_capacity(products.len());
        for p in &products {
            let mut words: Vec<String> = normalize::words(&p.name)
                .into_iter()
                .filter(|w| name_word(w))
                .collect();
            words.dedup();
            let mut seen: Vec<&String> = Vec::new();
            for w in &words {
                if !seen.contains(&w) {
                    *doc_freq.entry(w.clone()).or_insert(0) += 1;
                    seen.push(w);
                }
            }
            raw_names.push(words);
        }
        let products_len = products.len();
        let n = products_len.max(1) as f32;
        let mut names = Vec::with_capacity(products.len());
        let mut values = Vec::with_capacity(products.len());
        for (pi, (p, words)) in products.iter().zip(raw_names).enumerate() {
            let pi = pi as u32;
            let name: Vec<NameWord> = words
                .into_iter()
                .take(usize::from(u16::MAX))
                .enumerate()
                .map(|(wi, word)| {
                    postings
                        .entry(word.clone())
                        .or_default()
                        .push(Posting::Name {
                            product: pi,
                            word: wi as u16,
                            // Set below, once the name's weights are known.
                            share: 0.0,
                            unique: false,
                        });
                    let df = doc_freq.get(&word).copied().unwrap_or(1) as f32;
                    // Inverse document frequency: "donat" in 40 products tells less than
                    // "bomboloni" in one. Filler ("original", "premium") tells little.
                    let idf = (1.0 + n / df).ln().max(0.05);
                    let filler = is_filler(&word);
                    let weight = if filler { idf * 0.3 } else { idf };
                    let strong = word.chars().count() >= 3 && !filler && !is_stopword(&word);
                    let unique = df <= 1.0 && word.len() >= 4;
                    NameWord {
                        weight,
                        strong,
                        unique,
                    }
                })
                .collect();
            names.push(name);
            let opts: Vec<Vec<Vec<String>>> = p
                .options
                .iter()
                .take(usize::from(u8::MAX))
                .map(|o| {
                    o.values
                        .iter()
                        .take(usize::from(u16::MAX))
                        .map(|v| {
                            let words: Vec<String> = normalize::words(v)
                                .into_iter()
                                .filter(|w| !is_stopword(w))
                                .take(8)
                                .collect();
                            for w in &words {
                                postings
                                    .entry(w.clone())
                                    .or_default()
                                    .push(Posting::Value { product: pi });
                            }
                            words
                        })
                        .collect()
                })
                .collect();
            values.push(opts);
        }
        let frequent_df = (products_len / 50).max(48) as u32;
        let frequent_postings = postings
            .iter()
            .filter(|(w, _)| doc_freq.get(*w).is_some_and(|&df| df > frequent_df))
            .map(|(w, ps)| {
                let mut list: Vec<(u32, u16)> = ps
                    .iter()
                    .filter_map(|p| match p {
                        Posting::Name { product, word, .. } => Some((*product, *word)),
                        Posting::Value { .. } => None,
                    })
                    .collect();
                list.sort_unstable();
                (w.clone(), list)
            })
            .collect();
        let mut value_products: HashMap<String, Vec<u32>> = HashMap::new();
        for (w, ps) in &postings {
            let mut list: Vec<u32> = ps
                .iter()
                .filter_map(|p| match p {
                    Posting::Value { product } => Some(*product),
                    Posting::Name { .. } => None,
                })
                .collect();
            if !list.is_empty() {
                list.sort_unstable();
                list.dedup();
                value_products.insert(w.clone(), list);
            }
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
        let name_weight: Vec<f32> = names
            .iter()
            .map(|n: &Vec<NameWord>| n.iter().map(|w| w.weight).sum())
            .collect();
        for ps in postings.values_mut() {
            for p in ps.iter_mut() {
                if let Posting::Name {
                    product,
                    word,
                    share,
                    unique,
                } = p
                {
                    let n = &names[*product as usize][usize::from(*word)];
                    *share = n.weight / name_weight[*product as usize].max(f32::MIN_POSITIVE);
                    *unique = n.unique;
                }
            }
        }
        let vocabulary = Vocabulary::from_counts(
            postings
                .iter()
                .map(|(w, ps)| (w.clone(), ps.len().min(u32::MAX as usize) as u32)),
        );
        let by_id = products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i as u32))
            .collect();
        ChatCatalog {
            by_id,
            products,
            names,
            name_numbers,
            name_weight,
            values,
            postings,
            frequent_df,
            frequent_postings,
            name_df: doc_freq,
            value_products,
            vocabulary,
            cache: Mutex::new(HashMap::new()),
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

    /// Whether `word` is in so many names that it is looked up only in products a
    /// rarer word found.
    pub(super) fn frequent(&self, word: &str) -> bool {
        self.name_df
            .get(word)
            .is_some_and(|&df| df > self.frequent_df)
    }

    /// A frequent word's (product, name word) postings, sorted by product.
    pub(super) fn frequent_postings(&self, word: &str) -> &[(u32, u16)] {
        self.frequent_postings.get(word).map_or(&[], Vec::as_slice)
    }

    /// Whether `word` is (in) a variant value of `product`.
    pub(super) fn is_value_of(&self, word: &str, product: u32) -> bool {
        self.value_products
            .get(word)
            .is_some_and(|ps| ps.binary_search(&product).is_ok())
    }

    /// The products with `word` in a variant value, sorted.
    pub(super) fn value_products(&self, word: &str) -> &[u32] {
        self.value_products.get(word).map_or(&[], Vec::as_slice)
    }

    pub(super) fn postings(&self, word: &str) -> &[Posting] {
        self.postings.get(word).map_or(&[], Vec::as_slice)
    }

    /// A glued word as two catalog words, each read through the lexicon:
    /// "cheesecake" → "keju" + "kue", "nasibakar" → "nasi" + "bakar".
    fn split(&self, word: &str) -> Vec<(String, f32)> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        for &(at, _) in chars.iter().skip(3).take(chars.len().saturating_sub(5)) {
            let (a, b) = word.split_at(at);
            let (wa, wb) = (normalize::words(a), normalize::words(b));
            if let ([a], [b]) = (wa.as_slice(), wb.as_slice())
                && self.postings.contains_key(a)
                && self.postings.contains_key(b)
            {
                return vec![(a.clone(), 0.9), (b.clone(), 0.9)];
            }
        }
        Vec::new()
    }

    pub(super) fn readings_cached(&self, word: &str) -> Readings {
        if let Ok(cache) = self.cache.lock()
            && let Some(r) = cache.get(word)
        {
            return Arc::clone(r);
        }
        let r: Readings = Arc::new(self.readings(word));
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_WORDS {
                cache.clear();
            }
            cache.insert(word.to_owned(), Arc::clone(&r));
        }
        r
    }

    /// The catalog words a message word may stand for, with how sure we are (1 = exact).
    /// Chat words that happen to be near a product word ("kirim" ~ "krim") are never
    /// corrected: only exact.
    pub(super) fn readings(&self, word: &str) -> Vec<(String, f32)> {
        let mut out = Vec::new();
        if self.postings.contains_key(word) {
            out.push((word.to_owned(), 1.0));
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
                if self.postings.contains_key(&base) {
                    out.push((base, 0.95));
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
            out.push((c, sim));
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
    fn vowel_dropped(&self, word: &str) -> Option<String> {
        let mut found = None;
        for (at, _) in word.char_indices().skip(1).chain([(word.len(), ' ')]) {
            for v in ['a', 'e', 'i', 'o', 'u'] {
                let mut w = String::with_capacity(word.len() + 1);
                w.push_str(&word[..at]);
                w.push(v);
                w.push_str(&word[at..]);
                if self.postings.contains_key(&w) {
                    // Two ways back is a guess, not a reading.
                    if found.as_ref().is_some_and(|f| *f != w) {
                        return None;
                    }
                    found = Some(w);
                }
            }
        }
        found
    }
}
