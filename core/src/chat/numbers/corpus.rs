//! The corpus score: `core/tests/data/numbers/{numbers,money}.tsv`, one text and its
//! expected reading per line (TAB between), scored against the parser. Prints the
//! accuracy and every miss; fails below 100%.
//!
//! numbers.tsv expects `null` or the value, then what applies of `unit=… pieces=…
//! inner=… grams=… ml=…` and `ordinal`, in that order: `2 unit=lusin pieces=24`.
//! money.tsv expects `null`, `25000`, `50000..75000` (range), `..100000` (at most),
//! `50000..` (at least), with `~` before an approximate amount: `~50000`.

use super::*;
use std::path::PathBuf;

fn corpus(name: &str) -> Vec<(usize, String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/numbers")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("corpus file");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let (text, expected) = l.split_once('\t').unwrap_or((l, ""));
            (n + 1, text.to_owned(), expected.trim().to_owned())
        })
        .collect()
}

/// The reading of one expression in the corpus's notation.
fn describe_number(text: &str) -> String {
    if let Some(n) = parse_number(text) {
        return if n.ordinal {
            format!("{} ordinal", n.value)
        } else {
            n.value.to_string()
        };
    }
    let Some(q) = parse_quantity(text) else {
        return "null".into();
    };
    let mut out = q.amount.to_string();
    if let Some(u) = q.unit {
        out.push_str(&format!(" unit={}", u.name));
    }
    if let Some(p) = q.pieces {
        out.push_str(&format!(" pieces={p}"));
    }
    if let Some(i) = q.inner {
        out.push_str(&format!(" inner={i}"));
    }
    match q.measure {
        Some(Measure::Grams(g)) => out.push_str(&format!(" grams={g}")),
        Some(Measure::Millilitres(ml)) => out.push_str(&format!(" ml={ml}")),
        None => {}
    }
    out
}

fn describe_money(text: &str) -> String {
    let Some(a) = parse_amount(text) else {
        return "null".into();
    };
    let about = if a.approximate { "~" } else { "" };
    let v = |r: Rupiah| r.idr().to_string();
    let body = match a.kind {
        AmountKind::Exact(x) => v(x),
        AmountKind::Range { min, max } => format!("{}..{}", v(min), v(max)),
        AmountKind::AtMost(x) => format!("..{}", v(x)),
        AmountKind::AtLeast(x) => format!("{}..", v(x)),
    };
    format!("{about}{body}")
}

fn score(name: &str, describe: fn(&str) -> String) {
    let lines = corpus(name);
    let misses: Vec<String> = lines
        .iter()
        .filter_map(|(n, text, expected)| {
            let got = describe(text);
            (got != *expected)
                .then(|| format!("  {name}:{n}: {text:?}: expected {expected}, got {got}"))
        })
        .collect();
    let right = lines.len() - misses.len();
    let accuracy = 100.0 * right as f64 / lines.len().max(1) as f64;
    println!("{name}: {right}/{} = {accuracy:.1}%", lines.len());
    for m in &misses {
        println!("{m}");
    }
    assert!(lines.len() >= 150, "{name} has {} lines", lines.len());
    assert!(
        misses.is_empty(),
        "{name}: {accuracy:.1}%\n{}",
        misses.join("\n")
    );
}

#[test]
fn numbers_corpus_scores_100() {
    score("numbers.tsv", describe_number);
}

#[test]
fn money_corpus_scores_100() {
    score("money.tsv", describe_money);
}
