//! What a message wants: to order, to ask, to cancel, or something else (thanks, a
//! payment confirmation), and whether it adds to, changes or cancels an earlier order.
//! Keyword evidence over the words as written; the items found weigh in.

use super::words::Word;
use super::{Change, Intent};
use crate::chat::fxhash::FxHashMap;

/// Evidence found in a message.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Signals {
    pub order_verb: bool,
    pub question: bool,
    pub cancel: bool,
    pub add: bool,
    pub replace: bool,
    pub paid: bool,
    pub thanks: bool,
    /// "enak bgt", "anak2 suka": praise, not an order.
    pub praise: bool,
    /// The question is about the total of an order ("total brp?").
    pub asks_total: bool,
}

const ORDER_VERBS: &[&str] = &[
    "pesan",
    "pesen",
    "psn",
    "pesenan",
    "pesanan",
    "pesannya",
    "order",
    "orderan",
    "ord",
    "mau",
    "mao",
    "mo",
    "pengen",
    "pingin",
    "pgn",
    "ambil",
    "ambl",
    "amblin",
    "beli",
    "minta",
    "mnt",
    "ikut",
    "ikutan",
    "booking",
    "book",
    "keep",
    "kep",
    "checkout",
    "titip",
    "req",
    "request",
    "tambah",
    "nambah",
    "tambahin",
    "tmbh",
    "tmbah",
    "nitip",
    "butuh",
    "perlu",
    "pesenin",
    "pesankan",
    "bungkus",
    "bungkusin",
    "dibungkus",
    "ordernya",
    "kirimin",
    "kirimkan",
];

const QUESTION_WORDS: &[&str] = &[
    "brp",
    "berapa",
    "brapa",
    "berapaan",
    "brpan",
    "harganya",
    "hrgnya",
    "ready",
    "redi",
    "ada",
    "ad",
    "apa",
    "apakah",
    "kapan",
    "gimana",
    "gmn",
    "gmana",
    "bagaimana",
    "bisa",
    "bs",
    "boleh",
    "blh",
    "stok",
    "stock",
    "sisa",
    "masih",
    "msh",
    "info",
    "tanya",
    "nanya",
    "tny",
    "kah",
    "mana",
    "knp",
    "kenapa",
    "nggak",
    "gak",
    "ga",
    "gk",
    "pa",
    "sudah",
    "udah",
];

const STRONG_QUESTION: &[&str] = &[
    "brp",
    "berapa",
    "brapa",
    "berapaan",
    "brpan",
    "harganya",
    "hrgnya",
    "apakah",
    "kapan",
    "gimana",
    "gmn",
    "gmana",
    "bagaimana",
    "tanya",
    "nanya",
    "tny",
    "info",
    "kah",
    "knp",
    "kenapa",
];

const CANCEL_WORDS: &[&str] = &[
    "batal",
    "batalin",
    "batalkan",
    "dibatalin",
    "dibatalkan",
    "cancel",
    "cancle",
    "cansel",
    "cencel",
    "cancelin",
    "hapus",
    "hapusin",
    "dihapus",
    "skip",
    "coret",
    "dicoret",
    "gajadi",
    "gjd",
    "gakjadi",
    "gausah",
    "gausa",
    "kurangin",
    "dikurangin",
    "kurangi",
];

const NEGATIONS: &[&str] = &[
    "ga", "gak", "gk", "g", "nggak", "ngga", "ngak", "enggak", "engga", "tidak", "tdk", "ndak",
    "nda", "gag", "kagak", "ora", "ra",
];

const ADD_WORDS: &[&str] = &[
    "tambah", "nambah", "tambahin", "tmbh", "tmbah", "ditambah", "tambahan", "lagi", "lg",
    "nambahin", "plus",
];

const REPLACE_WORDS: &[&str] = &[
    "jadi",
    "jd",
    "jdi",
    "ganti",
    "diganti",
    "gantiin",
    "ubah",
    "diubah",
    "rubah",
    "ralat",
    "revisi",
    "koreksi",
    "salah",
    "maksudnya",
];

const PAID_OBJECTS: &[&str] = &[
    "tf",
    "transfer",
    "trf",
    "ditransfer",
    "bayar",
    "dibayar",
    "byr",
    "lunas",
    "dilunasi",
    "kirim",
    "dikirim",
];

const DONE: &[&str] = &[
    "sudah", "udah", "udh", "sdh", "dah", "sdah", "telah", "uda", "suda", "barusan",
];

const THANKS: &[&str] = &[
    "makasih",
    "makasi",
    "mksh",
    "mks",
    "terima",
    "trims",
    "trimakasih",
    "thanks",
    "thank",
    "thx",
    "tq",
    "ty",
    "suwun",
    "nuwun",
    "hatur",
    "tengkyu",
];

/// A list's bit in [`lists_of`].
const ORDER_VERB: u16 = 1;
const QUESTION_WORD: u16 = 1 << 1;
const STRONG_QUESTION_WORD: u16 = 1 << 2;
const CANCEL_WORD: u16 = 1 << 3;
const NEGATION: u16 = 1 << 4;
const ADD_WORD: u16 = 1 << 5;
const REPLACE_WORD: u16 = 1 << 6;
const PAID_OBJECT: u16 = 1 << 7;
const DONE_WORD: u16 = 1 << 8;
const THANKS_WORD: u16 = 1 << 9;

/// The lists above that hold `w`, as bits: every word of every message is looked up in
/// ten lists, and one lookup in a table of them all costs less than ~200 comparisons.
fn lists_of(w: &str) -> u16 {
    static TABLE: std::sync::OnceLock<FxHashMap<&'static str, u16>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut table = FxHashMap::default();
            for (list, bit) in [
                (ORDER_VERBS, ORDER_VERB),
                (QUESTION_WORDS, QUESTION_WORD),
                (STRONG_QUESTION, STRONG_QUESTION_WORD),
                (CANCEL_WORDS, CANCEL_WORD),
                (NEGATIONS, NEGATION),
                (ADD_WORDS, ADD_WORD),
                (REPLACE_WORDS, REPLACE_WORD),
                (PAID_OBJECTS, PAID_OBJECT),
                (DONE, DONE_WORD),
                (THANKS, THANKS_WORD),
            ] {
                for w in list {
                    *table.entry(*w).or_insert(0) |= bit;
                }
            }
            table
        })
        .get(w)
        .copied()
        .unwrap_or(0)
}

/// Whether `needle` is in `w` (short words: no substring searcher to build).
fn holds(w: &str, needle: &str) -> bool {
    w.as_bytes()
        .windows(needle.len())
        .any(|x| x == needle.as_bytes())
}

pub(super) fn signals(text: &str, words: &[Word]) -> Signals {
    let mut s = Signals {
        question: text.contains('?'),
        ..Signals::default()
    };
    let raw: Vec<&str> = words.iter().map(|w| &*w.raw).collect();
    let lists: Vec<u16> = raw.iter().map(|w| lists_of(w)).collect();
    for (i, w) in raw.iter().enumerate() {
        let next = raw.get(i + 1).copied().unwrap_or("");
        let prev = if i > 0 { raw[i - 1] } else { "" };
        // (No list holds "", the word before the first and after the last.)
        let here = lists[i];
        let next_in = lists.get(i + 1).copied().unwrap_or(0);
        let prev_in = if i > 0 { lists[i - 1] } else { 0 };
        if here & ORDER_VERB != 0 {
            // "mau tanya", "mau nanya": a question, not an order; "kalo ambil 6 brp?":
            // a condition.
            let asking = matches!(*w, "mau" | "mo" | "mao") && next_in & QUESTION_WORD != 0;
            let condition = matches!(
                prev,
                "kalo" | "kalau" | "klo" | "kl" | "kalu" | "jika" | "kalo2"
            );
            if !asking && !condition {
                s.order_verb = true;
            }
        }
        if here & STRONG_QUESTION_WORD != 0 {
            s.question = true;
            if matches!(
                prev,
                "total" | "ttl" | "totalnya" | "jadi" | "jd" | "semua" | "semuanya" | "jadinya"
            ) {
                s.asks_total = true;
            }
        }
        if matches!(
            *w,
            "enak"
                | "suka"
                | "mantap"
                | "mantul"
                | "lezat"
                | "endes"
                | "maknyus"
                | "sedap"
                | "puas"
                | "laris"
                | "rekomen"
                | "recommended"
                | "favorit"
                | "doyan"
                | "ketagihan"
        ) {
            s.praise = true;
        }
        if matches!(
            *w,
            "ready" | "redi" | "ada" | "masih" | "msh" | "stok" | "stock" | "sisa"
        ) && matches!(
            next,
            "gak" | "ga" | "gk" | "nggak" | "ngga" | "ya" | "kah" | "tidak" | ""
        ) && i + 2 >= raw.len()
        {
            s.question = true;
        }
        // "dibatalin", "dicancel": the root inside a longer word; "btl" is a bottle after a
        // number ("2 btl") and a cancel otherwise.
        if here & CANCEL_WORD != 0
            || holds(w, "batal")
            || holds(w, "cancel")
            || (*w == "btl" && !prev.chars().all(|c| c.is_ascii_digit()))
        {
            s.cancel = true;
        }
        // "gak jadi", "ga jd", "nggak usah": cancel; "jadi 3" alone: a change.
        if matches!(*w, "jadi" | "jd" | "jdi" | "usah" | "usa") && prev_in & NEGATION != 0 {
            s.cancel = true;
        }
        if here & ADD_WORD != 0 {
            s.add = true;
        }
        if here & REPLACE_WORD != 0 && prev_in & NEGATION == 0 {
            s.replace = true;
        }
        if here & PAID_OBJECT != 0
            && (prev_in & DONE_WORD != 0 || (i >= 2 && lists[i - 2] & DONE_WORD != 0))
        {
            s.paid = true;
        }
        if matches!(*w, "bukti")
            && matches!(next, "tf" | "transfer" | "trf" | "bayar" | "pembayaran")
        {
            s.paid = true;
        }
        // "lunas"; "bayar cash tadi": paid earlier.
        if *w == "lunas"
            || (matches!(*w, "bayar" | "byr" | "dibayar")
                && raw[i + 1..]
                    .iter()
                    .take(3)
                    .any(|x| matches!(*x, "tadi" | "barusan")))
        {
            s.paid = true;
        }
        if here & THANKS_WORD != 0 {
            s.thanks = true;
        }
    }
    // "sudah kirim?" asks; "udah tf ya" tells.
    if s.paid
        && s.question
        && !raw.iter().any(|w| {
            matches!(
                *w,
                "tf" | "transfer" | "trf" | "ditransfer" | "lunas" | "bukti"
            )
        })
    {
        s.paid = false;
    }
    s
}

/// The intent and change, given the evidence and what the item reader found.
pub(super) fn decide(
    s: Signals,
    items: usize,
    quantities: usize,
    template: bool,
) -> (Intent, Change, f32) {
    if s.cancel {
        return if items > 0 {
            (Intent::Cancel, Change::CancelItems, 0.85)
        } else {
            (Intent::Cancel, Change::CancelAll, 0.8)
        };
    }
    let change = if s.replace {
        Change::Replace
    } else if s.add {
        Change::Add
    } else {
        Change::New
    };
    if template && items > 0 {
        return (Intent::Order, change, 0.95);
    }
    if items > 0 || (s.add && quantities > 0) {
        // "donat ready?" and "telur sekilo brp?" ask; "nastar 2 toples… total brp?"
        // orders and asks the total.
        if s.question
            && !s.order_verb
            && (quantities == 0 || !s.asks_total)
            && !(s.add && quantities > 0)
        {
            return (Intent::Question, Change::None, 0.7);
        }
        // "donatnya enak bgt": praise names a product without ordering it.
        if s.praise && !s.order_verb && quantities == 0 {
            return (Intent::Other, Change::None, 0.7);
        }
        let sure = if s.order_verb || quantities > 0 {
            0.9
        } else {
            0.7
        };
        return (Intent::Order, change, sure);
    }
    if s.paid {
        return (Intent::Other, Change::None, 0.85);
    }
    if s.question {
        return (Intent::Question, Change::None, 0.8);
    }
    if s.order_verb && quantities > 0 {
        // "pesan 2 ya kak" with nothing we know: an order of something unknown.
        return (Intent::Order, change, 0.5);
    }
    (
        Intent::Other,
        Change::None,
        if s.thanks { 0.9 } else { 0.6 },
    )
}
