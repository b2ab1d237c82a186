//! Text → canonical words, the same way for product text and for queries.
//!
//! Steps: lower case; accents folded ("café" → "cafe"); anything but letters and digits
//! separates words, and so does a change between letters and digits ("12pcs" → "12 pcs");
//! runs of three or more of a letter shrink to one ("enakkk" → "enak"); reduplication
//! ("kue-kue", "anak2") to the single word; then abbreviations, spelling variants and
//! synonyms (also of two words: "telepon genggam" → "hp") map to one canonical word.

use super::lexicon::{ABBREVIATIONS, CANONICAL};
use crate::chat::fxhash::FxHashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Longest word we index or search; longer runs are noise (a pasted URL, a hash).
const MAX_WORD_CHARS: usize = 40;
/// Most words taken from one text: bounds the work a hostile input can cause.
pub const MAX_WORDS: usize = 2_000;

/// (FxHash: the keys are the lexicon's own words, looked up for every word of every
/// text; SipHash's resistance to chosen keys buys nothing for a fixed table.)
struct Maps {
    single: FxHashMap<&'static str, &'static str>,
    pairs: FxHashMap<(&'static str, &'static str), &'static str>,
}

fn maps() -> &'static Maps {
    static MAPS: OnceLock<Maps> = OnceLock::new();
    MAPS.get_or_init(|| {
        let mut single = FxHashMap::default();
        let mut pairs = FxHashMap::default();
        // Abbreviations first, then canonical forms: "pc" → "pcs" and "cokelat" → "coklat".
        for (from, to) in ABBREVIATIONS.iter().chain(CANONICAL) {
            match from.split_once(' ') {
                Some((a, b)) => {
                    pairs.insert((a, b), *to);
                }
                None => {
                    single.entry(*from).or_insert(*to);
                }
            }
        }
        Maps { single, pairs }
    })
}

/// Folds the accents of Latin letters; other scripts pass through as they are.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        c => c,
    }
}

/// Raw words: lower case, folded, split at non-alphanumerics and letter/digit changes,
/// long letter runs shrunk.
pub fn raw_words(text: &str) -> Vec<String> {
    raw_spanned(text).into_iter().map(|(w, _, _)| w).collect()
}

/// [`raw_words`] with the byte range of `text` each word came from.
pub fn raw_spanned(text: &str) -> Vec<(String, usize, usize)> {
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    // One buffer for the word being read; each word is copied out once, finished
    // (`finish`), in a string of its own size: this runs for every message and every
    // product name, and a string grown letter by letter is several allocations.
    let mut word = String::new();
    let mut start = 0;
    let mut last: Option<char> = None;
    let flush = |word: &mut String, words: &mut Vec<(String, usize, usize)>, s: usize, e: usize| {
        if !word.is_empty() {
            if word.chars().count() <= MAX_WORD_CHARS && words.len() < MAX_WORDS {
                words.push((finish(word), s, e));
            }
            word.clear();
        }
    };
    for (at, original) in text.char_indices() {
        if words.len() >= MAX_WORDS {
            break;
        }
        let end = at + original.len_utf8();
        for ch in original.to_lowercase().map(fold) {
            if !ch.is_alphanumeric() {
                flush(&mut word, &mut words, start, at);
                last = None;
                continue;
            }
            if let Some(prev) = last
                && prev.is_ascii_digit() != ch.is_ascii_digit()
            {
                // "12pcs", "40x60", but keep "anak2" together for reduplication below.
                let reduplication = ch == '2' && word.chars().all(char::is_alphabetic);
                if !reduplication {
                    flush(&mut word, &mut words, start, at);
                }
            }
            if word.is_empty() {
                start = at;
            }
            last = Some(ch);
            word.push(ch);
        }
        if word.is_empty() {
            start = end;
        }
    }
    flush(&mut word, &mut words, start, text.len());
    words
}

/// A raw word as kept: reduplication ("anak2" → "anak"), then emphasis (`shrink_runs`).
fn finish(w: &str) -> String {
    let w = match w.strip_suffix('2') {
        Some(base) if base.chars().count() >= 2 && base.chars().all(char::is_alphabetic) => base,
        _ => w,
    };
    shrink_runs(w)
}

/// Letters repeated for emphasis: a run of three or more becomes one ("enakkk" →
/// "enak"), and so does a doubled last letter of a longer word ("bangett" → "banget").
/// A pair inside a word is usually real and stays ("maaf", "saat").
fn shrink_runs(word: &str) -> String {
    let total = word.chars().count();
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut i = 0;
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.next_if_eq(&c).is_some() {
            run += 1;
        }
        let j = i + run;
        let keep = if !c.is_alphabetic() {
            run
        } else if run >= 3 || (run == 2 && j == total && total >= 4) {
            1
        } else {
            run
        };
        out.extend(std::iter::repeat_n(c, keep));
        i = j;
    }
    out
}

/// Canonical words of `text`: raw words with reduplications merged and the lexicon
/// applied ("Kue-kue cokelat yg enakkk" → ["kue", "coklat", "yang", "enak"]).
pub fn words(text: &str) -> Vec<String> {
    spanned(text).into_iter().map(|(w, _, _)| w).collect()
}

/// [`words`] with the byte range each came from (a two-word synonym spans both).
pub fn spanned(text: &str) -> Vec<(String, usize, usize)> {
    let raw = raw_spanned(text)
        .into_iter()
        .map(|(w, s, e)| (Cow::Owned(w), s, e))
        .collect();
    canonical(raw)
        .into_iter()
        .map(|(w, s, e)| (w.into_owned(), s, e))
        .collect()
}

/// Whether every word of `text` is ASCII: its other characters (emoji, "•") are
/// neither letters nor digits, so they only separate words, and lower case leaves them
/// as they are. Such a text's lower case is `text.to_ascii_lowercase()`, with the same
/// byte offsets: what [`spanned_ascii_lower`] reads.
pub fn ascii_words(text: &str) -> bool {
    text.is_ascii()
        || text.chars().all(|c| {
            c.is_ascii() || (!c.is_alphanumeric() && c.to_lowercase().eq(std::iter::once(c)))
        })
}

/// [`spanned`] of a text whose words are ASCII ([`ascii_words`]) from its
/// `to_ascii_lowercase()`: the words are borrowed from it, or from the lexicon, and only
/// a word that reads otherwise than written ("enakkk") is a string of its own. A chat
/// message is read this way, a string per word being most of what reading its words
/// cost.
pub fn spanned_ascii_lower(lower: &str) -> Vec<(Cow<'_, str>, usize, usize)> {
    canonical(raw_spanned_ascii_lower(lower))
}

/// [`raw_spanned`] of such a text in lower case, borrowing: the same words, split the
/// same way (lower-casing and folding accents change nothing in such a text, and every
/// byte of another character separates words as that character does).
fn raw_spanned_ascii_lower<'a>(lower: &'a str) -> Vec<(Cow<'a, str>, usize, usize)> {
    let bytes = lower.as_bytes();
    let mut words: Vec<(Cow<'a, str>, usize, usize)> = Vec::with_capacity(lower.len() / 4 + 1);
    let mut start = 0;
    // Whether the word being read so far is all letters (`None`: no word).
    let mut letters: Option<bool> = None;
    let flush = |words: &mut Vec<(Cow<'a, str>, usize, usize)>, s: usize, e: usize| {
        if e > s && e - s <= MAX_WORD_CHARS && words.len() < MAX_WORDS {
            words.push((finish_borrowed(&lower[s..e]), s, e));
        }
    };
    for (at, &b) in bytes.iter().enumerate() {
        if words.len() >= MAX_WORDS {
            break;
        }
        if !b.is_ascii_alphanumeric() {
            if letters.is_some() {
                flush(&mut words, start, at);
            }
            letters = None;
            continue;
        }
        if let Some(all_letters) = letters
            && bytes[at - 1].is_ascii_digit() != b.is_ascii_digit()
            // "12pcs", "40x60", but keep "anak2" together for reduplication.
            && !(b == b'2' && all_letters)
        {
            flush(&mut words, start, at);
            letters = None;
        }
        match letters {
            None => {
                start = at;
                letters = Some(b.is_ascii_alphabetic());
            }
            Some(all) => letters = Some(all && b.is_ascii_alphabetic()),
        }
    }
    if letters.is_some() {
        flush(&mut words, start, bytes.len());
    }
    words
}

/// [`finish`], borrowing `w` when it is kept as it is.
fn finish_borrowed(w: &str) -> Cow<'_, str> {
    let w = match w.strip_suffix('2') {
        Some(base) if base.chars().count() >= 2 && base.chars().all(char::is_alphabetic) => base,
        _ => w,
    };
    if shrinks(w) {
        Cow::Owned(shrink_runs(w))
    } else {
        Cow::Borrowed(w)
    }
}

/// Whether [`shrink_runs`] changes an ASCII word.
fn shrinks(w: &str) -> bool {
    let b = w.as_bytes();
    let n = b.len();
    let tripled = b
        .windows(3)
        .any(|x| x[0] == x[1] && x[1] == x[2] && x[0].is_ascii_alphabetic());
    tripled || (n >= 4 && b[n - 1] == b[n - 2] && b[n - 1].is_ascii_alphabetic())
}

/// Raw words → canonical words: reduplications merged, the lexicon applied.
fn canonical(mut raw: Vec<(Cow<'_, str>, usize, usize)>) -> Vec<(Cow<'_, str>, usize, usize)> {
    let maps = maps();
    let mut out: Vec<(Cow<str>, usize, usize)> = Vec::with_capacity(raw.len());
    let mut i = 0;
    // Start of a run of repeated words ("kue-kue"), which becomes its last word.
    let mut run_start: Option<usize> = None;
    while i < raw.len() {
        let (w, e) = (&*raw[i].0, raw[i].2);
        let s = run_start.take().unwrap_or(raw[i].1);
        if let Some(next) = raw.get(i + 1) {
            if let Some(to) = maps.pairs.get(&(w, &*next.0)) {
                out.push((Cow::Borrowed(*to), s, next.2));
                i += 2;
                continue;
            }
            // "kue-kue": the same word twice in a row is one word.
            if *next.0 == *w && w.chars().all(char::is_alphabetic) {
                run_start = Some(s);
                i += 1;
                continue;
            }
        }
        // The raw word itself when the lexicon has no other form (no copy).
        let word = match maps.single.get(w) {
            Some(to) => Cow::Borrowed(*to),
            None => std::mem::take(&mut raw[i].0),
        };
        out.push((word, s, e));
        i += 1;
    }
    out
}

/// First letter, then the consonants: what people keep when they abbreviate
/// ("donat" → "dnt", "coklat" → "cklt"). Doubled letters count once.
pub fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        let vowel = matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
        if (i == 0 || !vowel) && !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

pub fn has_vowel(word: &str) -> bool {
    word.chars()
        .any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn words_fold_case_accents_and_separators() {
        // Both sides shrink the same way, so "brulee" and "brule" meet.
        assert_eq!(w("Café CRÈME brûlée!!"), ["cafe", "krim", "brule"]);
        assert_eq!(w("Bantal 40x60cm"), ["bantal", "40", "x", "60", "cm"]);
        assert_eq!(w("isi 12pcs"), ["isi", "12", "pcs"]);
        assert_eq!(w("Enakkk bangettt"), ["enak", "banget"]);
        assert_eq!(w("maaf saat"), ["maaf", "saat"]);
    }

    #[test]
    fn spelling_variants_synonyms_and_abbreviations_meet() {
        assert_eq!(w("donat cokelat"), w("Donat COKLAT"));
        assert_eq!(w("ponsel murah"), ["hp", "murah"]);
        assert_eq!(w("telepon genggam"), ["hp"]);
        assert_eq!(w("kaus anak2 yg pdk"), ["kaos", "anak", "yang", "pendek"]);
        assert_eq!(w("kue-kue kering"), ["kue", "kering"]);
        assert_eq!(w("Keripik Singkong Pedes"), ["kripik", "singkong", "pedas"]);
    }

    #[test]
    fn spans_point_back_into_the_text() {
        let text = "Kue-kue COKELAT, Café 12pcs enakkk";
        let got: Vec<(String, &str)> = spanned(text)
            .into_iter()
            .map(|(w, s, e)| (w, &text[s..e]))
            .collect();
        let want = [
            ("kue", "Kue-kue"),
            ("coklat", "COKELAT"),
            ("cafe", "Café"),
            ("12", "12"),
            ("pcs", "pcs"),
            ("enak", "enakkk"),
        ];
        assert_eq!(got.len(), want.len());
        for ((w, t), (ww, wt)) in got.iter().zip(want) {
            assert_eq!((w.as_str(), *t), (ww, wt));
        }
        assert_eq!(words(text), ["kue", "coklat", "cafe", "12", "pcs", "enak"]);
    }

    #[test]
    fn ascii_text_reads_the_same_borrowed() {
        for text in [
            "Kue-kue COKELAT, Cafe 12pcs enakkk bangettt maaf saat",
            "anak2 a2 ab2 aa22 2x 40x60cm x2 anak2x telepon genggam 1,5kg",
            "kaus anak2 yg pdk,,  donat2  DONAT-donat zzz zz azz",
            "",
            "   ",
            "a",
            "Pesanan:\n• Donat 2 🙏\n•brownies•keju 👍kak😍",
        ] {
            assert!(ascii_words(text));
            let lower = text.to_ascii_lowercase();
            let borrowed: Vec<(String, usize, usize)> = spanned_ascii_lower(&lower)
                .into_iter()
                .map(|(w, s, e)| (w.into_owned(), s, e))
                .collect();
            assert_eq!(borrowed, spanned(text), "{text}");
        }
        assert!(!ascii_words("Café"));
        let long = "x".repeat(41) + " ok " + &"kata ".repeat(3_000);
        let lower = long.to_ascii_lowercase();
        assert_eq!(spanned_ascii_lower(&lower).len(), spanned(&long).len());
    }

    #[test]
    fn skeletons_are_what_abbreviations_keep() {
        assert_eq!(skeleton("donat"), "dnt");
        assert_eq!(skeleton("coklat"), "cklt");
        assert_eq!(skeleton("brownies"), "brwns");
        assert_eq!(skeleton("anggur"), "angr");
    }

    #[test]
    fn hostile_text_is_bounded() {
        let long = "a".repeat(100_000);
        assert!(w(&long).is_empty() || w(&long).len() == 1);
        let many = "kata ".repeat(10_000);
        assert!(w(&many).len() <= MAX_WORDS);
        assert!(
            w("\"' OR 1=1 -- NEAR(a b) * ^")
                .iter()
                .all(|x| x.chars().all(char::is_alphanumeric))
        );
    }

    #[test]
    fn the_lexicon_has_no_contradictions() {
        use std::collections::HashMap;
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for (from, to) in ABBREVIATIONS.iter().chain(CANONICAL) {
            if let Some(prev) = seen.insert(from, to) {
                assert_eq!(prev, *to, "{from} maps to both {prev} and {to}");
            }
        }
        // Canonical forms are fixed points: normalising them again changes nothing.
        for (_, to) in CANONICAL {
            assert_eq!(words(to).join(" "), *to, "{to} is not canonical");
        }
    }
}
