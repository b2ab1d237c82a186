//! The words around a number that decide what it is: "di bawah" (at most), "sekitar"
//! (about), "harga" (a price follows), "jam" (a time), "No." (an address)…
//!
//! A phrase is written as its tokens separated by spaces, so "s / d" matches "s/d" and
//! "s / d", and "kira 2" matches "kira2".

use super::lex::Token;

/// A list of phrases, with a filter on their first and last words: `phrase` runs for
/// most tokens of every message against a dozen lists, and a token that starts none of
/// a list's phrases (almost every one) is turned away by one bit instead of a look at
/// each; `phrase_before` the same with the last word.
pub(super) struct Phrases {
    list: &'static [&'static str],
    /// The two bits ([`key_bits`]) of each phrase's first word.
    first: [u64; 8],
    /// The two bits of each phrase's last word.
    last: [u64; 8],
}

/// The two bits of 512 a word's [`word_key`] sets in a filter: with two, a list of 40
/// phrases lets through one word in fifty that starts none of them, not one in seven.
const fn key_bits(key: u32) -> (usize, usize) {
    (((key >> 23) & 511) as usize, ((key >> 14) & 511) as usize)
}

const fn set_bits(filter: &mut [u64; 8], key: u32) {
    let (a, b) = key_bits(key);
    filter[a >> 6] |= 1 << (a & 63);
    filter[b >> 6] |= 1 << (b & 63);
}

#[inline]
fn has_bits(filter: &[u64; 8], key: u32) -> bool {
    let (a, b) = key_bits(key);
    (filter[a >> 6] >> (a & 63)) & (filter[b >> 6] >> (b & 63)) & 1 == 1
}

impl Phrases {
    pub(super) const fn new(list: &'static [&'static str]) -> Phrases {
        let (mut first, mut last) = ([0u64; 8], [0u64; 8]);
        let mut i = 0;
        while i < list.len() {
            let bytes = list[i].as_bytes();
            let mut n = 0;
            while n < bytes.len() && bytes[n] != b' ' {
                n += 1;
            }
            set_bits(&mut first, word_key(bytes, n));
            let mut s = bytes.len();
            while s > 0 && bytes[s - 1] != b' ' {
                s -= 1;
            }
            let tail = bytes.split_at(s).1;
            set_bits(&mut last, word_key(tail, tail.len()));
            i += 1;
        }
        Phrases { list, first, last }
    }

    /// Whether some phrase may start with `token` (`false`: none does).
    #[inline]
    pub(super) fn may_start(&self, token: &Token) -> bool {
        has_bits(&self.first, token.key)
    }

    /// Whether some phrase may end with `token` (`false`: none does).
    #[inline]
    fn may_end(&self, token: &Token) -> bool {
        has_bits(&self.last, token.key)
    }
}

/// A hash of a word's first `len` bytes: equal words, equal keys.
pub(super) const fn word_key(bytes: &[u8], len: usize) -> u32 {
    let mut h: u32 = 0;
    let mut i = 0;
    while i < len && i < bytes.len() {
        h = (h.rotate_left(5) ^ bytes[i] as u32).wrapping_mul(0x9e37_79b9);
        i += 1;
    }
    h
}

/// About: "sekitar 50rb", "±50rb", "kurang lebih 50rb".
#[rustfmt::skip]
pub(super) static APPROX: Phrases = Phrases::new(&[
    "sekitar", "sekitaran", "skitar", "sktr", "sekitar an", "kira kira", "kira - kira",
    "kira 2", "kr 2", "kirakira", "kurang lebih", "krg lbh", "krg lebih", "kurang lbh",
    "kurleb", "lebih kurang", "lbh krg", "±", "+ -", "+ / -", "~", "≈", "kisaran", "around",
    "approx", "kurang lebihnya", "kisaran harga", "estimasi", "perkiraan", "kira",
]);

/// At most: "di bawah 100rb", "maks 100rb", "< 100rb".
#[rustfmt::skip]
pub(super) static AT_MOST: Phrases = Phrases::new(&[
    "di bawah", "dibawah", "dbawah", "d bawah", "dibwh", "dbwh", "bawah", "kurang dari",
    "kurang dr", "krg dari", "krg dr", "tidak lebih dari", "tdk lebih dari",
    "gak lebih dari", "ga lebih dari", "gk lebih dari", "nggak lebih dari",
    "ngga lebih dari", "tak lebih dari", "maks", "maks .", "max", "max .", "maksimal",
    "maksimum", "maximal", "maximum", "mks", "paling mahal", "plg mahal", "sampai", "sampe",
    "smp", "s / d", "hingga", "up to", "< =", "= <", "<", "≤", "budget max", "budget maks",
    "paling banyak", "plg banyak", "under", "below",
]);

/// At least: "di atas 50rb", "minimal 50rb", "> 50rb", "mulai 50rb".
#[rustfmt::skip]
pub(super) static AT_LEAST: Phrases = Phrases::new(&[
    "di atas", "diatas", "datas", "d atas", "diats", "atas", "lebih dari", "lebih dr",
    "lbh dari", "lbh dr", "min", "min .", "minimal", "minim", "minimum", "mnml",
    "paling murah", "plg murah", "paling sedikit", "mulai", "mulai dari", "mulai dr",
    "start", "start from", "starting", "> =", "= >", ">", "≥", "start dari", "above",
    "over",
]);

/// After an amount: "50rb ke atas", "100rb ke bawah".
pub(super) static AT_LEAST_AFTER: Phrases =
    Phrases::new(&["ke atas", "keatas", "k atas", "an ke atas"]);
pub(super) static AT_MOST_AFTER: Phrases =
    Phrases::new(&["ke bawah", "kebawah", "k bawah", "an ke bawah"]);

/// Before a range: "antara 50 dan 75rb", "dari 50 sampai 75rb", "kisaran 50-75rb".
pub(super) static RANGE_OPEN: Phrases =
    Phrases::new(&["antara", "antara harga", "dari", "dr", "range", "rentang"]);

/// Between the ends of a range: "50-75rb", "50 s/d 75rb", "50 sampai 75rb".
#[rustfmt::skip]
pub(super) static RANGE_SEP: Phrases = Phrases::new(&[
    "-", "~", "s / d", "s . d", "s . d .", "sd", "sampai", "sampai dengan", "sampe", "smp",
    "hingga", "to",
]);

/// A price follows: "harga 25000", "total 75000", "tf 150000".
#[rustfmt::skip]
pub(super) static PRICE_CONTEXT: Phrases = Phrases::new(&[
    "harga", "hrg", "hrga", "harganya", "hrgnya", "hargane", "price", "bayar", "byr",
    "bayarnya", "dibayar", "total", "ttl", "tot", "totalnya", "jumlah", "jml", "transfer",
    "trf", "trnsfr", "tf", "ditransfer", "ongkir", "ongkirnya", "ongkos", "biaya", "dp",
    "jadi", "jd", "jdi", "sisa", "sisanya", "kembalian", "lunas", "nominal", "sebesar",
    "senilai", "seharga", "budget", "bujet", "tagihan", "subtotal", "diskon", "disc",
    "potongan", "cashback", "modal", "tunai", "cash", "cod", "net", "nett", "@", "=", "x",
]);

/// A total follows: when a message has several amounts, this one is the answer.
#[rustfmt::skip]
pub(super) static TOTAL_CONTEXT: Phrases = Phrases::new(&[
    "total", "ttl", "tot", "totalnya", "jadi", "jd", "jdi", "semua", "semuanya", "=",
    "bayar", "tf", "transfer", "jumlah",
]);

/// Words that may stand between a context word and its number: "harganya cuma 25000".
#[rustfmt::skip]
pub(super) static FILLER: Phrases = Phrases::new(&[
    ":", "nya", "cuma", "cuman", "cmn", "cm", "hanya", "aja", "saja", "kak", "ka", "kk",
    "ya", "sis", "gan", "jadi", "jd", "semua", "semuanya", "smua", "sekalian", "skalian",
    "nih", "ini", "itu", "yg", "yang", "udah", "sudah", "sdh", "dah", "-", "jg", "juga",
    "ke", "sebesar", "senilai", "rp", "rp .",
]);

/// Rupiah said before the number: "Rp 25.000", "IDR 33000", "Rp. 315".
pub(super) static RUPIAH_BEFORE: Phrases =
    Phrases::new(&["rp", "rp .", "rp :", "rp . :", "idr", "rupiah"]);

/// Rupiah said after it: "20 rupiah", "20Rp", "lima ribu perak".
pub(super) static RUPIAH_AFTER: Phrases =
    Phrases::new(&["rupiah", "rupiahnya", "rp", "idr", "perak"]);

/// Other money: "$10", "10 dolar", "RM 20" are amounts, but not in rupiah.
#[rustfmt::skip]
pub(super) static FOREIGN_BEFORE: Phrases = Phrases::new(&[
    "$", "us $", "usd", "sgd", "s $", "rm", "myr", "€", "eur", "£", "gbp", "¥", "jpy",
    "aud", "a $", "sar",
]);
#[rustfmt::skip]
pub(super) static FOREIGN_AFTER: Phrases = Phrases::new(&[
    "$", "dolar", "dollar", "dola", "usd", "sgd", "euro", "euros", "eur", "€", "ringgit",
    "rm", "yen", "¥", "won", "pound", "pounds", "gbp", "£", "riyal", "real", "dirham",
    "baht", "peso",
]);

/// A number after these is an address, an id or an age, never a count or a price.
#[rustfmt::skip]
pub(super) static ADDRESS_BEFORE: Phrases = Phrases::new(&[
    "no", "no .", "nomor", "nmr", "nomer", "jl", "jl .", "jln", "jalan", "gg", "gg .",
    "gang", "blok", "blk", "rt", "rt .", "rw", "rw .", "rt / rw", "kav", "kavling", "lt",
    "lt .", "lantai", "kamar", "kmr", "kode pos", "kodepos", "kdpos", "kd pos", "kel",
    "kec", "km",
]);
#[rustfmt::skip]
pub(super) static ID_BEFORE: Phrases = Phrases::new(&[
    "rek", "rek .", "rekening", "norek", "no rek", "no . rek", "resi", "no resi", "nik",
    "npwp", "kode", "invoice", "inv", "order id", "id", "pin", "otp", "tahun", "thn", "th",
    "umur", "usia", "size", "ukuran", "uk", "uk .", "hp", "wa", "telp", "tlp", "telepon",
    "nomor hp", "no hp", "no wa", "no . hp", "no . wa",
]);

/// A date or time is written around these.
pub(super) static DATE_BEFORE: Phrases = Phrases::new(&["tgl", "tgl .", "tanggal", "tg", "tang"]);
pub(super) static TIME_BEFORE: Phrases = Phrases::new(&["jam", "jm", "pukul", "pkl", "pkl ."]);
#[rustfmt::skip]
pub(super) static TIME_AFTER: Phrases = Phrases::new(&[
    "wib", "wita", "wit", "pagi", "siang", "sore", "malam", "malem", "am", "pm",
]);

/// Durations: "3 hari", "2 minggu" are spans of time, not counts of goods.
#[rustfmt::skip]
pub(super) static DURATION_AFTER: Phrases = Phrases::new(&[
    "hari", "hr", "harian", "minggu", "mgg", "pekan", "bulan", "bln", "tahun", "thn", "jam",
    "jm", "menit", "mnt", "detik", "dtk", "malam",
]);

pub(super) static PERCENT_AFTER: Phrases = Phrases::new(&["%", "persen", "prsn", "pct"]);

/// The token after the longest phrase of `list` that starts at token `t`. (The filter
/// inline at each call, which almost always ends it; the list's look out of line.)
#[inline]
pub(super) fn phrase(toks: &[Token], t: usize, phrases: &Phrases) -> Option<usize> {
    let token = toks.get(t)?;
    if !phrases.may_start(token) {
        return None;
    }
    phrase_at(toks, t, phrases)
}

fn phrase_at(toks: &[Token], t: usize, phrases: &Phrases) -> Option<usize> {
    let first = &*toks.get(t)?.text;
    phrases
        .list
        .iter()
        // Most phrases fail on their first word: test it without splitting (this runs
        // for every token of every message).
        .filter(|p| {
            // The first byte alone rejects almost every phrase, without a memcmp call.
            p.as_bytes().first() == first.as_bytes().first()
                && p.starts_with(first)
                && (p.len() == first.len() || p.as_bytes()[first.len()] == b' ')
        })
        .filter_map(|p| {
            let mut k = t;
            for word in p.split(' ') {
                if toks.get(k)?.text != word {
                    return None;
                }
                k += 1;
            }
            Some(k)
        })
        .max()
}

/// The token where the longest phrase of `list` ending just before token `t` starts.
pub(super) fn phrase_before(toks: &[Token], t: usize, phrases: &Phrases) -> Option<usize> {
    let token = toks.get(t.checked_sub(1)?)?;
    if !phrases.may_end(token) {
        return None;
    }
    let last = &*token.text;
    phrases
        .list
        .iter()
        .filter(|p| {
            p.as_bytes().last() == last.as_bytes().last()
                && p.ends_with(last)
                && (p.len() == last.len() || p.as_bytes()[p.len() - last.len() - 1] == b' ')
        })
        .filter_map(|p| {
            let n = p.split(' ').count();
            let start = t.checked_sub(n)?;
            p.split(' ')
                .zip(&toks[start..t])
                .all(|(w, tok)| tok.text == w)
                .then_some(start)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::super::lex::tokens;
    use super::*;

    #[test]
    fn phrases_match_however_glued() {
        let toks = tokens("harga s/d 75rb");
        assert_eq!(phrase(&toks, 1, &RANGE_SEP), Some(4));
        let toks = tokens("kira2 50rb");
        assert_eq!(phrase(&toks, 0, &APPROX), Some(2));
        let toks = tokens("mulai dari 50rb");
        assert_eq!(phrase(&toks, 0, &AT_LEAST), Some(2));
        let toks = tokens("Jl. Melati No. 5");
        assert_eq!(phrase_before(&toks, 5, &ADDRESS_BEFORE), Some(3));
    }
}
