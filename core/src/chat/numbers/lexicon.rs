//! The words numbers are made of, as people type them in chat: "dua puluh", "duapuluh",
//! "sribu", "rebu", "stgh", "seperapat", "kedua", "selusin". One word can stand for
//! several pieces ("seratus" = one + hundred, "sekilo" = one + kg).

use super::decimal::Decimal;
use super::markers::Phrases;
use super::units::{self, Unit};
use crate::chat::fxhash::FxHashMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Morph {
    Digit(u8),
    Puluh,
    Belas,
    Ratus,
    /// ribu, juta, miliar, triliun. `abbrev` for "rb", "k", "jt", "m", "t"; `approx` for
    /// "ribuan", "50rban" (the "-an" of "about").
    Big {
        value: i64,
        abbrev: bool,
        approx: bool,
    },
    /// setengah, separuh, stgh.
    Half,
    /// "perempat": quarters after a count ("tiga perempat"; "seperempat" is one + this).
    Quarter,
    /// "per" between counts ("tiga per empat"), and the "per" of "seperdelapan".
    Per,
    Koma,
    /// The "ke" of ordinals ("kedua", "ke-3").
    Ke,
    /// pertama.
    First,
    /// minus, negatif: only when a whole text is one number (in chat "minus" is a flaw).
    Minus,
    /// beberapa ("some") = 3, as Duckling reads it: only for a whole text.
    Few,
    Unit(Unit),
}

use Morph::*;

const fn big(value: i64) -> Morph {
    Big {
        value,
        abbrev: false,
        approx: false,
    }
}

const fn abbrev(value: i64) -> Morph {
    Big {
        value,
        abbrev: true,
        approx: false,
    }
}

const RIBU: i64 = 1_000;
const JUTA: i64 = 1_000_000;
const MILIAR: i64 = 1_000_000_000;
const TRILIUN: i64 = 1_000_000_000_000;

/// Every spelling, typo and abbreviation seen in chats, with what it stands for.
const WORDS: &[(&str, &[Morph])] = &[
    ("nol", &[Digit(0)]),
    ("satu", &[Digit(1)]),
    ("stu", &[Digit(1)]),
    ("dua", &[Digit(2)]),
    ("tiga", &[Digit(3)]),
    ("tga", &[Digit(3)]),
    ("empat", &[Digit(4)]),
    ("ampat", &[Digit(4)]),
    ("mpat", &[Digit(4)]),
    ("empt", &[Digit(4)]),
    ("lima", &[Digit(5)]),
    ("lma", &[Digit(5)]),
    ("enam", &[Digit(6)]),
    ("anam", &[Digit(6)]),
    ("enem", &[Digit(6)]),
    ("tujuh", &[Digit(7)]),
    ("tjuh", &[Digit(7)]),
    ("tujoh", &[Digit(7)]),
    ("tujuah", &[Digit(7)]),
    ("delapan", &[Digit(8)]),
    ("dlapan", &[Digit(8)]),
    ("lapan", &[Digit(8)]),
    ("delapn", &[Digit(8)]),
    ("dlpn", &[Digit(8)]),
    ("sembilan", &[Digit(9)]),
    ("smbilan", &[Digit(9)]),
    ("sembilang", &[Digit(9)]),
    ("smbln", &[Digit(9)]),
    ("sepuluh", &[Digit(1), Puluh]),
    ("spuluh", &[Digit(1), Puluh]),
    ("sepulu", &[Digit(1), Puluh]),
    ("sepuloh", &[Digit(1), Puluh]),
    ("splh", &[Digit(1), Puluh]),
    ("sebelas", &[Digit(1), Belas]),
    ("seblas", &[Digit(1), Belas]),
    ("sblas", &[Digit(1), Belas]),
    ("sebls", &[Digit(1), Belas]),
    ("belas", &[Belas]),
    ("blas", &[Belas]),
    ("bls", &[Belas]),
    ("puluh", &[Puluh]),
    ("pulu", &[Puluh]),
    ("puloh", &[Puluh]),
    ("pluh", &[Puluh]),
    ("plh", &[Puluh]),
    ("ratus", &[Ratus]),
    ("ratos", &[Ratus]),
    ("rtus", &[Ratus]),
    ("rts", &[Ratus]),
    ("seratus", &[Digit(1), Ratus]),
    ("seratos", &[Digit(1), Ratus]),
    ("sratus", &[Digit(1), Ratus]),
    ("srts", &[Digit(1), Ratus]),
    ("ribu", &[big(RIBU)]),
    ("rebu", &[big(RIBU)]),
    ("ewu", &[big(RIBU)]),
    ("rb", &[abbrev(RIBU)]),
    ("rbu", &[abbrev(RIBU)]),
    ("rbe", &[abbrev(RIBU)]),
    ("k", &[abbrev(RIBU)]),
    ("seribu", &[Digit(1), big(RIBU)]),
    ("sribu", &[Digit(1), big(RIBU)]),
    ("serebu", &[Digit(1), big(RIBU)]),
    ("srebu", &[Digit(1), big(RIBU)]),
    ("sewu", &[Digit(1), big(RIBU)]),
    ("juta", &[big(JUTA)]),
    ("jeti", &[big(JUTA)]),
    ("jete", &[big(JUTA)]),
    ("jt", &[abbrev(JUTA)]),
    ("jta", &[abbrev(JUTA)]),
    ("jtn", &[abbrev(JUTA)]),
    ("sejuta", &[Digit(1), big(JUTA)]),
    ("sejt", &[Digit(1), big(JUTA)]),
    ("sjuta", &[Digit(1), big(JUTA)]),
    ("miliar", &[big(MILIAR)]),
    ("milyar", &[big(MILIAR)]),
    ("miliard", &[big(MILIAR)]),
    ("milyard", &[big(MILIAR)]),
    ("m", &[abbrev(MILIAR)]),
    ("semiliar", &[Digit(1), big(MILIAR)]),
    ("semilyar", &[Digit(1), big(MILIAR)]),
    ("triliun", &[big(TRILIUN)]),
    ("trilyun", &[big(TRILIUN)]),
    ("t", &[abbrev(TRILIUN)]),
    ("setriliun", &[Digit(1), big(TRILIUN)]),
    // Javanese, heard in East and Central Java markets: "selawe ewu", "seket ewu",
    // "rong atus", "limang ewu".
    ("selawe", &[Digit(2), Puluh, Digit(5)]),
    ("seket", &[Digit(5), Puluh]),
    ("satus", &[Digit(1), Ratus]),
    ("atus", &[Ratus]),
    ("rong", &[Digit(2)]),
    ("telung", &[Digit(3)]),
    ("patang", &[Digit(4)]),
    ("limang", &[Digit(5)]),
    ("setengah", &[Half]),
    ("stengah", &[Half]),
    ("stgh", &[Half]),
    ("setgh", &[Half]),
    ("stngh", &[Half]),
    ("stngah", &[Half]),
    ("setenga", &[Half]),
    ("setengh", &[Half]),
    ("stengh", &[Half]),
    ("setegah", &[Half]),
    ("separuh", &[Half]),
    ("sparuh", &[Half]),
    ("seperempat", &[Digit(1), Quarter]),
    ("seprempat", &[Digit(1), Quarter]),
    ("sperempat", &[Digit(1), Quarter]),
    ("sprempat", &[Digit(1), Quarter]),
    ("seperapat", &[Digit(1), Quarter]),
    ("seprapat", &[Digit(1), Quarter]),
    ("sprapat", &[Digit(1), Quarter]),
    ("seperempt", &[Digit(1), Quarter]),
    ("sprmpt", &[Digit(1), Quarter]),
    ("perempat", &[Quarter]),
    ("prempat", &[Quarter]),
    ("perapat", &[Quarter]),
    ("per", &[Per]),
    ("koma", &[Koma]),
    ("ke", &[Ke]),
    ("pertama", &[First]),
    ("pertma", &[First]),
    ("prtama", &[First]),
    ("prtma", &[First]),
];

/// Words that are numbers only when a whole text is one number: in a chat message
/// "stok kosong" is "out of stock", "ada minus" is "has a flaw", "beberapa" is vague.
const WHOLE_TEXT_WORDS: &[(&str, &[Morph])] = &[
    ("kosong", &[Digit(0)]),
    ("beberapa", &[Few]),
    ("minus", &[Minus]),
    ("negatif", &[Minus]),
];

/// The words glued spellings are cut into ("duapuluhlima", "seratusribu").
const GLUE: &[&str] = &[
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas", "belas", "puluh", "ratus", "seratus", "ribu", "seribu", "rebu", "juta",
    "sejuta", "miliar", "milyar", "setengah",
];

fn table(word: &str, whole_text: bool) -> Option<&'static [Morph]> {
    let find = |t: &'static [(&str, &'static [Morph])]| {
        t.iter().find(|(w, _)| *w == word).map(|(_, m)| *m)
    };
    find(WORDS).or_else(|| {
        if whole_text {
            find(WHOLE_TEXT_WORDS)
        } else {
            None
        }
    })
}

/// What a word stands for in a number, or `None` if it is not part of one. Chat repeats
/// its words, and most are not numbers: the answer is remembered per thread (looked up
/// by the word itself, no key to build; shared, not copied, when it is a number word).
pub(super) fn morphs(word: &str, whole_text: bool) -> Option<Rc<[Morph]>> {
    type Cache = [FxHashMap<String, Option<Rc<[Morph]>>>; 2];
    thread_local! {
        static CACHE: std::cell::RefCell<Cache> = std::cell::RefCell::new(Cache::default());
    }
    const MAX_WORDS: usize = 20_000;
    let side = usize::from(whole_text);
    if let Some(hit) = CACHE.with(|c| c.borrow()[side].get(word).cloned()) {
        return hit;
    }
    let found: Option<Rc<[Morph]>> = morphs_uncached(word, whole_text).map(Rc::from);
    CACHE.with(|c| {
        let c = &mut c.borrow_mut()[side];
        if c.len() >= MAX_WORDS {
            c.clear();
        }
        c.insert(word.to_owned(), found.clone());
    });
    found
}

fn morphs_uncached(word: &str, whole_text: bool) -> Option<Vec<Morph>> {
    morphs_exact(word, whole_text)
        .or_else(|| {
            // Emphasis: "sepuluhh", "ribuuu", "gross".
            let shrunk = collapse_repeats(word);
            (shrunk != word && shrunk.chars().count() >= 3)
                .then(|| morphs_exact(&shrunk, whole_text))
                .flatten()
        })
        .or_else(|| {
            // One slip in a long number word: "setangah", "sembialn", "delpaan".
            let near = FUZZY
                .iter()
                .find(|w| word.len() >= 6 && one_edit_apart(word, w))?;
            table(near, false).map(<[Morph]>::to_vec)
        })
}

/// Long number words a typo may reach. Not "sebelas" (one slip from "sebelah", next
/// door) nor "pertama" ("pertamax" is petrol), nor anything short ("empat"/"tempat").
const FUZZY: &[&str] = &[
    "setengah",
    "seperempat",
    "perempat",
    "delapan",
    "sembilan",
    "sepuluh",
    "seratus",
    "seribu",
    "sejuta",
];

/// Whether one substitution, insertion, deletion or swap of neighbours turns `a` into `b`.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len() as isize - rb.len() as isize {
        0 => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        1 => ra[1..] == *rb,
        -1 => *ra == rb[1..],
        _ => false,
    }
}

fn morphs_exact(word: &str, whole_text: bool) -> Option<Vec<Morph>> {
    if let Some(m) = table(word, whole_text) {
        return Some(m.to_vec());
    }
    // "ribuan", "rban", "jutaan": about so many thousands.
    if let Some(stem) = word.strip_suffix("an").filter(|s| *s != "k")
        && let Some([Big { value, abbrev, .. }]) = table(stem, false)
    {
        return Some(vec![Big {
            value: *value,
            abbrev: *abbrev,
            approx: true,
        }]);
    }
    // Ordinals: "kedua", "kesebelas", "keseratus".
    if let Some(rest) = word.strip_prefix("ke")
        && let Some(m) = morphs_exact(rest, false)
        && matches!(m.first(), Some(Digit(_)))
    {
        return Some([vec![Ke], m].concat());
    }
    if let Some(rest) = word.strip_prefix("se") {
        // "seperdelapan" = 1/8.
        if let Some([Digit(n)]) = rest.strip_prefix("per").and_then(|r| table(r, false)) {
            return Some(vec![Digit(1), Per, Digit(*n)]);
        }
        // "selusin", "sekilo", "sebungkus": one of a unit. Short spellings ("sekg") stay
        // out, and so do "pak" and "sak" ("sepak" is a kick, "sesak" is tight).
        if rest.len() >= 3
            && !matches!(rest, "pak" | "sak")
            && let Some(unit) = units::lookup(rest)
        {
            return Some(vec![Digit(1), Unit(unit)]);
        }
    }
    glued(word)
}

/// Cuts a glued spelling into number words, if it is made of nothing else.
fn glued(word: &str) -> Option<Vec<Morph>> {
    if word.len() < 6 || !word.is_ascii() {
        return None;
    }
    // Shortest cut into GLUE words, by dynamic programming over byte positions.
    let n = word.len();
    let mut best: Vec<Option<Vec<&str>>> = vec![None; n + 1];
    best[0] = Some(Vec::new());
    for start in 0..n {
        let Some(prefix) = best[start].clone() else {
            continue;
        };
        for piece in GLUE {
            if word[start..].starts_with(piece) {
                let end = start + piece.len();
                let longer = [prefix.clone(), vec![*piece]].concat();
                if best[end].as_ref().is_none_or(|b| b.len() > longer.len()) {
                    best[end] = Some(longer);
                }
            }
        }
    }
    let pieces = best[n].take().filter(|p| p.len() >= 2)?;
    let mut out = Vec::new();
    for piece in pieces {
        out.extend_from_slice(table(piece, false)?);
    }
    Some(out)
}

fn collapse_repeats(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Fraction characters: "½", "¼", "¾", "⅛"…; thirds have no exact decimal.
pub(super) fn fraction_char(c: char) -> Option<Decimal> {
    let (n, d) = match c {
        '½' => (1, 2),
        '¼' => (1, 4),
        '¾' => (3, 4),
        '⅛' => (1, 8),
        '⅜' => (3, 8),
        '⅝' => (5, 8),
        '⅞' => (7, 8),
        '⅕' => (1, 5),
        '⅖' => (2, 5),
        '⅗' => (3, 5),
        '⅘' => (4, 5),
        _ => return None,
    };
    Decimal::ratio(n, d)
}

/// Month names and abbreviations: a number before one is a date ("26 nov").
pub(super) static MONTHS: Phrases = Phrases::new(&[
    "januari",
    "jan",
    "februari",
    "pebruari",
    "feb",
    "peb",
    "maret",
    "mar",
    "april",
    "apr",
    "mei",
    "juni",
    "jun",
    "juli",
    "jul",
    "agustus",
    "agu",
    "agt",
    "agus",
    "ags",
    "september",
    "sep",
    "sept",
    "oktober",
    "okt",
    "oct",
    "november",
    "nov",
    "nop",
    "desember",
    "des",
    "dec",
]);

#[cfg(test)]
mod tests {
    use super::*;

    fn m(w: &str) -> Option<Vec<Morph>> {
        morphs(w, false).map(|r| r.to_vec())
    }

    fn m_whole(w: &str) -> Option<Vec<Morph>> {
        morphs(w, true).map(|r| r.to_vec())
    }

    #[test]
    fn spellings_and_prefixes() {
        assert_eq!(m("seratus"), Some(vec![Digit(1), Ratus]));
        assert_eq!(m("kedua"), Some(vec![Ke, Digit(2)]));
        assert_eq!(m("kesebelas"), Some(vec![Ke, Digit(1), Belas]));
        assert_eq!(m("seperdelapan"), Some(vec![Digit(1), Per, Digit(8)]));
        assert_eq!(m("sepuluhhh"), Some(vec![Digit(1), Puluh]));
        assert!(matches!(
            m("ribuan").as_deref(),
            Some([Big { approx: true, .. }])
        ));
        assert!(matches!(m("selusin").as_deref(), Some([Digit(1), Unit(_)])));
        assert_eq!(m("kosong"), None);
        assert_eq!(m_whole("kosong"), Some(vec![Digit(0)]));
    }

    #[test]
    fn one_slip_in_a_long_word() {
        assert_eq!(m("setangah"), Some(vec![Half]));
        assert_eq!(m("sembialn"), Some(vec![Digit(9)]));
        assert_eq!(m("delpaan"), Some(vec![Digit(8)]));
        assert_eq!(m("seperempar"), Some(vec![Digit(1), Quarter]));
        assert!(one_edit_apart("ab", "ba") && !one_edit_apart("abc", "cab"));
    }

    #[test]
    fn glued_spellings_are_cut() {
        assert_eq!(m("duapuluhlima"), Some(vec![Digit(2), Puluh, Digit(5)]));
        assert_eq!(m("seratusribu"), Some(vec![Digit(1), Ratus, big(RIBU)]));
        assert_eq!(m("limaratus"), Some(vec![Digit(5), Ratus]));
        // Ordinary words are left alone.
        for word in [
            "sekitar", "kembali", "kelas", "duanya", "lihat", "keju", "sepak", "setiap",
        ] {
            assert_eq!(m(word), None, "{word}");
        }
    }
}
