//! What a buyer typed → an FTS5 expression over canonical words. Pure: the vocabulary
//! is asked through [`Words`], so the planning is tested without a database.
//!
//! A search string is data, never syntax: every word is quoted, so FTS operators, quotes
//! and SQL in the input can neither fail the query nor change its meaning.

use super::lexicon::{is_filler, is_stopword};
use super::normalize::words;

/// What the planner needs to know about the index's words.
pub trait Words {
    /// How many products hold `word` (0: the index does not know it).
    fn docs(&self, word: &str) -> u32;
    fn known(&self, word: &str) -> bool {
        self.docs(word) > 0
    }
    fn corrections(&self, word: &str) -> Vec<String>;
    fn split(&self, word: &str) -> Option<(String, String)>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Alt {
    Word(String),
    Prefix(String),
    Both(String, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    /// Any of these alternatives.
    Any(Vec<Alt>),
    /// Two neighbouring words, or the two glued into one ("power bank" / "powerbank").
    Glued(Box<Node>, Box<Node>, String),
}

/// A planned query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    nodes: Vec<Node>,
    /// The words as understood, corrections applied: "donat coklat".
    pub understood: String,
    /// At most this many products can match (from the index's word counts; `None`
    /// when a prefix makes it unknown): a rare query skips counting its matches.
    pub max_matches: Option<u64>,
}

/// Plans `query`. `None` means nothing in the query can match (every word unknown), so
/// the answer is no results rather than junk. An empty query plans to `Some` with no
/// nodes: browse.
pub fn plan(query: &str, index: &impl Words) -> Option<Plan> {
    let typing = !query.ends_with(char::is_whitespace);
    let all = words(query);
    let mut meaningful: Vec<String> = all
        .iter()
        .filter(|w| !is_stopword(w) && !is_filler(w))
        .cloned()
        .collect();
    let only_filler = meaningful.is_empty();
    if only_filler {
        // Only filler ("jual murah"): search for it as it is.
        meaningful = all.iter().filter(|w| !is_stopword(w)).cloned().collect();
    }
    let mut seen = Vec::new();
    meaningful.retain(|w| {
        let fresh = !seen.contains(w);
        seen.push(w.clone());
        fresh
    });
    meaningful.truncate(12);
    if meaningful.is_empty() {
        return Some(Plan {
            nodes: Vec::new(),
            understood: String::new(),
            max_matches: None,
        });
    }
    // The buyer may still be typing the last word: it also matches as a prefix.
    let last_typed = all.last().filter(|_| typing).cloned();
    let mut groups: Vec<(String, Vec<Alt>, String)> = Vec::new(); // (word, alts, shown)
    let mut unknown = 0;
    for w in &meaningful {
        let mut prefix = last_typed.as_ref() == Some(w) && w.chars().count() >= 2;
        let mut alts = Vec::new();
        let mut shown = w.clone();
        if index.known(w) {
            alts.push(Alt::Word(w.clone()));
            // A whole known word of four letters or more is most likely finished:
            // matching it as a prefix too would cost a scan of the index's words for a
            // rare longer form ("pedas" → "pedasnya").
            prefix &= w.chars().count() <= 3;
        } else if !w.chars().all(|c| c.is_ascii_digit()) {
            let corrections = index.corrections(w);
            if let Some(first) = corrections.first() {
                shown = first.clone();
            }
            alts.extend(corrections.into_iter().map(Alt::Word));
            if alts.is_empty()
                && let Some((a, b)) = index.split(w)
            {
                shown = format!("{a} {b}");
                alts.push(Alt::Both(a, b));
            }
        }
        if prefix {
            alts.push(Alt::Prefix(w.clone()));
        }
        if alts.is_empty() {
            unknown += 1;
        }
        groups.push((w.clone(), alts, shown));
    }
    if unknown > 0 {
        // A word nothing in the catalog resembles: drop it only when two or more words
        // remain to carry the meaning ("donat coklat xyzzy"); otherwise ("sepatu donat"
        // in a food market) there is no good match, and no results beat junk.
        let needed = if only_filler { 1 } else { 2 };
        if groups.len() - unknown < needed {
            return None;
        }
        groups.retain(|(_, alts, _)| !alts.is_empty());
    }
    let understood = groups
        .iter()
        .map(|(_, _, s)| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut nodes = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let node = Node::Any(groups[i].1.clone());
        if let Some(next) = groups.get(i + 1) {
            let glued = format!("{}{}", groups[i].0, next.0);
            let alphabetic = glued.chars().all(char::is_alphabetic);
            if alphabetic && index.known(&glued) {
                nodes.push(Node::Glued(
                    Box::new(node),
                    Box::new(Node::Any(next.1.clone())),
                    glued,
                ));
                i += 2;
                continue;
            }
        }
        nodes.push(node);
        i += 1;
    }
    let max_matches = nodes.iter().filter_map(|n| bound(n, index)).min();
    Some(Plan {
        nodes,
        understood,
        max_matches,
    })
}

/// An upper bound of the products a node can match; `None` if a prefix is involved.
fn bound(node: &Node, index: &impl Words) -> Option<u64> {
    match node {
        Node::Any(alts) => alts
            .iter()
            .map(|a| match a {
                Alt::Word(w) => Some(u64::from(index.docs(w))),
                Alt::Prefix(_) => None,
                Alt::Both(a, b) => Some(u64::from(index.docs(a).min(index.docs(b)))),
            })
            .sum(),
        Node::Glued(a, b, glued) => {
            let pair = match (bound(a, index), bound(b, index)) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            pair.map(|p| p + u64::from(index.docs(glued)))
        }
    }
}

impl Plan {
    pub fn is_browse(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The FTS5 MATCH expression. Words are `[a-z0-9]` only after normalisation and are
    /// quoted all the same.
    pub fn fts_expression(&self) -> String {
        self.nodes
            .iter()
            .map(render)
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

fn quote(w: &str) -> String {
    format!("\"{}\"", w.replace('"', "\"\""))
}

fn render(node: &Node) -> String {
    match node {
        Node::Any(alts) => {
            let parts: Vec<String> = alts
                .iter()
                .map(|a| match a {
                    Alt::Word(w) => quote(w),
                    Alt::Prefix(w) => format!("{}*", quote(w)),
                    Alt::Both(a, b) => format!("({} AND {})", quote(a), quote(b)),
                })
                .collect();
            format!("({})", parts.join(" OR "))
        }
        Node::Glued(a, b, glued) => {
            format!("(({} AND {}) OR {})", render(a), render(b), quote(glued))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::search::fuzzy::Vocabulary;

    struct V(Vocabulary);

    impl Words for V {
        fn docs(&self, w: &str) -> u32 {
            self.0.docs(w)
        }
        fn corrections(&self, w: &str) -> Vec<String> {
            self.0.corrections(w, 3)
        }
        fn split(&self, w: &str) -> Option<(String, String)> {
            self.0.split(w)
        }
    }

    fn v() -> V {
        V(Vocabulary::from_counts(
            [
                "donat",
                "coklat",
                "keju",
                "power",
                "bank",
                "powerbank",
                "tas",
                "selempang",
                "hp",
                "kaos",
                "pendek",
            ]
            .into_iter()
            .map(|w| (w.to_owned(), 3)),
        ))
    }

    fn fts(q: &str) -> Option<String> {
        plan(q, &v()).map(|p| p.fts_expression())
    }

    #[test]
    fn known_words_must_all_match_and_the_last_may_be_a_prefix() {
        assert_eq!(
            fts("donat coklat ").as_deref(),
            Some(r#"("donat") AND ("coklat")"#)
        );
        assert_eq!(
            fts("donat cok").as_deref(),
            Some(r#"("donat") AND ("cok"*)"#)
        );
    }

    #[test]
    fn abbreviations_typos_and_variants_are_understood() {
        let p = plan("dnt cokelat ", &v()).expect("plan");
        assert_eq!(p.understood, "donat coklat");
        assert_eq!(p.fts_expression(), r#"("donat") AND ("coklat")"#);
        assert_eq!(plan("donta ", &v()).expect("plan").understood, "donat");
    }

    #[test]
    fn filler_and_stopwords_do_not_count() {
        assert_eq!(
            fts("jual donat murah ready yg enak ").as_deref(),
            Some(r#"("donat")"#)
        );
        // Only filler: searched as it is, so a shop called "Murah Jaya" is still found.
        let with_murah = V(Vocabulary::from_counts([("murah".to_owned(), 1)]));
        let p = plan("jual murah ", &with_murah).expect("plan");
        assert_eq!(p.fts_expression(), r#"("murah")"#);
    }

    #[test]
    fn glued_and_split_words_meet() {
        assert_eq!(
            fts("power bank ").as_deref(),
            Some(r#"((("power") AND ("bank")) OR "powerbank")"#)
        );
        assert_eq!(
            fts("tasselempang ").as_deref(),
            Some(r#"(("tas" AND "selempang"))"#)
        );
    }

    #[test]
    fn the_plan_knows_how_many_products_can_match_at_most() {
        assert_eq!(
            plan("donat coklat ", &v()).and_then(|p| p.max_matches),
            Some(3)
        );
        assert_eq!(
            plan("power bank ", &v()).and_then(|p| p.max_matches),
            Some(6)
        );
        assert_eq!(
            plan("donat cok", &v()).and_then(|p| p.max_matches),
            Some(3),
            "the prefix is unbounded, donat is not"
        );
        assert_eq!(plan("cok", &v()).and_then(|p| p.max_matches), None);
    }

    #[test]
    fn no_good_match_means_no_results() {
        assert_eq!(fts("laptop gaming "), None);
        assert_eq!(fts("sepatu donat "), None);
        assert_eq!(
            fts("donat coklat xyzzyq ").as_deref(),
            Some(r#"("donat") AND ("coklat")"#)
        );
    }

    #[test]
    fn syntax_in_the_input_is_only_data() {
        for q in [
            r#"" OR 1=1 --"#,
            "donat* NEAR(a b)",
            "coklat\") OR (\"x",
            "'; DROP TABLE products; --",
            "^donat AND NOT keju",
        ] {
            if let Some(p) = plan(q, &v()) {
                let e = p.fts_expression();
                // Every token is a quoted word: no stray operator of the input survives.
                let unquoted: String = e.split('"').step_by(2).collect();
                assert!(
                    unquoted.chars().all(|c| " ()*ANDOR".contains(c)),
                    "{q:?} → {e}"
                );
            }
        }
        assert_eq!(plan("", &v()).map(|p| p.is_browse()), Some(true));
        assert_eq!(plan("  !!! ", &v()).map(|p| p.is_browse()), Some(true));
    }
}
