//! Who, where and how to pay: the customer's name, phone, delivery address, payment
//! method, notes and a stated total, from "format order" templates (whatever the labels
//! are spelled like) and from free text ("kirim ke Jl. Melati 5 Sidoarjo, cod").

use super::Payment;
use super::words::lower_case;
use crate::chat::numbers::{Mention, Other, Span};
use crate::money::Rupiah;
use crate::phone::PhoneNumber;

/// What a template label asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Name,
    Address,
    Phone,
    Items,
    Payment,
    Notes,
    /// Courier, date, total, anything else: read, kept out of the items.
    Other,
}

const LABELS: &[(&str, Label)] = &[
    ("nama", Label::Name),
    ("nama penerima", Label::Name),
    ("nama pemesan", Label::Name),
    ("nama lengkap", Label::Name),
    ("nama customer", Label::Name),
    ("penerima", Label::Name),
    ("pemesan", Label::Name),
    ("a n", Label::Name),
    ("an", Label::Name),
    ("atas nama", Label::Name),
    ("name", Label::Name),
    ("customer", Label::Name),
    ("cust", Label::Name),
    ("alamat", Label::Address),
    ("almt", Label::Address),
    ("almat", Label::Address),
    ("alamt", Label::Address),
    ("alamat lengkap", Label::Address),
    ("alamat kirim", Label::Address),
    ("alamat pengiriman", Label::Address),
    ("alamat penerima", Label::Address),
    ("address", Label::Address),
    ("kirim ke", Label::Address),
    ("dikirim ke", Label::Address),
    ("tujuan", Label::Address),
    ("no hp", Label::Phone),
    ("nohp", Label::Phone),
    ("hp", Label::Phone),
    ("no wa", Label::Phone),
    ("nowa", Label::Phone),
    ("wa", Label::Phone),
    ("whatsapp", Label::Phone),
    ("no whatsapp", Label::Phone),
    ("no telp", Label::Phone),
    ("no tlp", Label::Phone),
    ("telp", Label::Phone),
    ("tlp", Label::Phone),
    ("telpon", Label::Phone),
    ("telepon", Label::Phone),
    ("no telepon", Label::Phone),
    ("no hp wa", Label::Phone),
    ("hp wa", Label::Phone),
    ("no", Label::Phone),
    ("nomor", Label::Phone),
    ("nomer", Label::Phone),
    ("nomor hp", Label::Phone),
    ("nomer hp", Label::Phone),
    ("no handphone", Label::Phone),
    ("handphone", Label::Phone),
    ("kontak", Label::Phone),
    ("phone", Label::Phone),
    ("pesanan", Label::Items),
    ("pesan", Label::Items),
    ("pesenan", Label::Items),
    ("order", Label::Items),
    ("orderan", Label::Items),
    ("list order", Label::Items),
    ("detail pesanan", Label::Items),
    ("daftar pesanan", Label::Items),
    ("daftar order", Label::Items),
    ("list pesanan", Label::Items),
    ("rincian pesanan", Label::Items),
    ("rincian order", Label::Items),
    ("pesanan saya", Label::Items),
    ("order list", Label::Items),
    ("orderan nya", Label::Items),
    ("pesanannya", Label::Items),
    ("orderannya", Label::Items),
    ("detail order", Label::Items),
    ("isi pesanan", Label::Items),
    ("barang", Label::Items),
    ("nama barang", Label::Items),
    ("produk", Label::Items),
    ("nama produk", Label::Items),
    ("item", Label::Items),
    ("items", Label::Items),
    ("list", Label::Items),
    ("belanja", Label::Items),
    ("jumlah pesanan", Label::Items),
    ("pembayaran", Label::Payment),
    ("bayar", Label::Payment),
    ("bayar via", Label::Payment),
    ("pembayaran via", Label::Payment),
    ("metode bayar", Label::Payment),
    ("metode pembayaran", Label::Payment),
    ("cara bayar", Label::Payment),
    ("payment", Label::Payment),
    ("pay", Label::Payment),
    ("catatan", Label::Notes),
    ("note", Label::Notes),
    ("notes", Label::Notes),
    ("ket", Label::Notes),
    ("keterangan", Label::Notes),
    ("request", Label::Notes),
    ("pesan tambahan", Label::Notes),
    ("ekspedisi", Label::Other),
    ("expedisi", Label::Other),
    ("kurir", Label::Other),
    ("pengiriman", Label::Other),
    ("jasa kirim", Label::Other),
    ("ongkir", Label::Other),
    ("total", Label::Other),
    ("jumlah", Label::Other),
    ("tanggal", Label::Other),
    ("tgl", Label::Other),
    ("tanggal kirim", Label::Other),
    ("tgl kirim", Label::Other),
    ("tgl ambil", Label::Other),
    ("jam", Label::Other),
    ("kode pos", Label::Other),
];

/// What [`read`] found, with byte spans into the message.
#[derive(Clone, Debug, Default)]
pub(super) struct Fields {
    pub name: Option<(String, Span)>,
    pub phone: Option<(String, Span)>,
    pub address: Option<Span>,
    pub payment: Option<(Payment, Span)>,
    pub notes: Vec<Span>,
    pub total: Option<(Rupiah, Span)>,
    /// Set when the message is a template with an items field: where the items are.
    pub item_regions: Option<Vec<Span>>,
    /// Text that holds no items: labels and the fields above.
    pub masked: Vec<Span>,
}

impl Fields {
    pub fn is_masked(&self, span: Span) -> bool {
        self.masked
            .iter()
            .any(|m| span.start < m.end && m.start < span.end)
    }

    pub fn in_item_region(&self, span: Span) -> bool {
        self.item_regions.as_ref().is_none_or(|regions| {
            regions
                .iter()
                .any(|r| span.start >= r.start && span.end <= r.end)
        })
    }
}

/// Lines of `text` as byte ranges, without their line break.
fn lines(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(8);
    let mut start = 0;
    // (A line feed is one byte in UTF-8, never part of another character.)
    for i in memchr::memchr_iter(b'\n', bytes) {
        let end = if i > 0 && bytes[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        out.push(Span { start, end });
        start = i + 1;
    }
    out.push(Span {
        start,
        end: text.len(),
    });
    out
}

/// "*No. HP/WA* :" → "no hp wa": letters and digits, single spaces.
fn label_key(raw: &str) -> String {
    let mut key = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with(' ') {
            key.push(' ');
        }
    }
    key.trim_end().to_owned()
}

/// A template line "Label : value" → the label and where the value starts.
fn labelled(text: &str, line: Span) -> Option<(Label, usize)> {
    let s = &text[line.start..line.end];
    let colon = s.find([':', '='])?;
    // Labels are short: "Nama Penerima", "No. HP/WA".
    if s[..colon].chars().count() > 24 {
        return None;
    }
    let lead = s[..colon]
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(|c: char| !c.is_alphabetic());
    let key = label_key(lead);
    let label = LABELS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)?;
    // "no: 12" on its own is not a phone label unless a phone follows; leave that to the
    // phone scan, which checks digits anyway.
    let value = colon + s[colon..].char_indices().nth(1).map_or(1, |(i, _)| i);
    Some((label, line.start + value))
}

/// Trims whitespace and separators off both ends of a span.
fn trim(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let junk = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '*' | '_' | '.');
    let left = s.len() - s.trim_start_matches(junk).len();
    let right = s
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '*' | '_' | '.')
        })
        .len();
    if right <= left {
        return Span {
            start: span.start + left,
            end: span.start + left,
        };
    }
    Span {
        start: span.start + left,
        end: span.start + right,
    }
}

/// Every number of the message, classified once (`numbers::scan`).
pub(super) type Scanned = [(Span, Mention)];

/// `lower` is the text's lower case when the caller has it.
pub(super) fn read(text: &str, lower: Option<&str>, scanned: &Scanned) -> Fields {
    let mut f = Fields::default();
    let lines = lines(text);
    let mut current: Option<(Label, Span)> = None;
    let mut regions: Vec<(Label, Span)> = Vec::new();
    let mut template_items = false;
    for line in &lines {
        if let Some((label, value)) = labelled(text, *line) {
            if let Some(c) = current.take() {
                regions.push(c);
            }
            f.masked.push(Span {
                start: line.start,
                end: value,
            });
            if label == Label::Items {
                template_items = true;
            }
            current = Some((
                label,
                Span {
                    start: value,
                    end: line.end,
                },
            ));
            continue;
        }
        let blank = text[line.start..line.end].trim().is_empty();
        match current.as_mut() {
            // Multi-line values: the address over two lines, the items one per line.
            Some((Label::Address | Label::Items | Label::Notes, span)) if !blank => {
                span.end = line.end;
            }
            Some((Label::Address, span))
                if blank && text[span.start..span.end].trim().is_empty() => {}
            _ => {
                if let Some(c) = current.take() {
                    regions.push(c);
                }
            }
        }
    }
    if let Some(c) = current.take() {
        regions.push(c);
    }
    for (label, span) in &regions {
        let value = trim(text, *span);
        match label {
            Label::Name if f.name.is_none() && value.end > value.start => {
                f.name = Some((text[value.start..value.end].to_owned(), value));
                f.masked.push(value);
            }
            Label::Address if f.address.is_none() && value.end > value.start => {
                let value = address_end(text, value);
                if plausible_address(text, value) {
                    f.address = Some(value);
                }
                f.masked.push(value);
            }
            Label::Phone => {
                if f.phone.is_none()
                    && let Some(p) = phone_in(text, value, scanned)
                {
                    f.phone = Some(p);
                }
                f.masked.push(value);
            }
            Label::Payment => {
                if f.payment.is_none() {
                    f.payment = payment_in(text, value);
                }
                f.masked.push(value);
            }
            Label::Notes => {
                f.notes.push(value);
                f.masked.push(value);
            }
            Label::Other => f.masked.push(value),
            _ => {}
        }
    }
    if template_items {
        let mut items: Vec<Span> = regions
            .iter()
            .filter(|(l, _)| *l == Label::Items)
            .map(|(_, s)| *s)
            .collect();
        // Lines outside any field ("donat 2" under "Pesanan:" written without the colon
        // on its own line) still count.
        for line in &lines {
            let covered = regions
                .iter()
                .any(|(_, s)| line.start <= s.end && s.start <= line.end)
                || f.masked
                    .iter()
                    .any(|m| line.start <= m.start && m.end <= line.end);
            if !covered {
                items.push(*line);
            }
        }
        f.item_regions = Some(items);
    }
    free_text(text, lower, scanned, &mut f);
    f
}

/// Fields written in the message rather than in a template.
fn free_text(text: &str, lower: Option<&str>, scanned: &Scanned, f: &mut Fields) {
    let owned;
    let lowered = match lower {
        Some(l) => l,
        None => {
            owned = lower_case(text);
            &owned
        }
    };
    let lower = Lower::new(lowered);
    // Lower-casing can change byte lengths (rare letters); only then give up on free text
    // spans, which index the original.
    let aligned = lowered.len() == text.len();
    if f.phone.is_none()
        && let Some(p) = phone_in(
            text,
            Span {
                start: 0,
                end: text.len(),
            },
            scanned,
        )
    {
        f.phone = Some(p);
    }
    if let Some((_, span)) = &f.phone {
        f.masked.push(*span);
    }
    if aligned && f.name.is_none() {
        f.name = name_in(text, &lower);
        if let Some((_, s)) = &f.name {
            f.masked.push(*s);
        }
    }
    if aligned && f.address.is_none() {
        f.address = address_in(text, &lower, f);
        if let Some(s) = f.address {
            f.masked.push(s);
        }
    }
    if f.payment.is_none() && aligned {
        // The whole text: its lower case is the one at hand.
        f.payment = payment_in_lower(&lower, 0);
    }
    if let Some((_, s)) = &f.payment {
        f.masked.push(*s);
    }
    let amounts = scanned.iter().filter_map(|(s, m)| match m {
        Mention::Amount(a) => Some((*s, *a)),
        _ => None,
    });
    for (span, amount) in amounts {
        f.masked.push(span);
        if f.total.is_none()
            && let Some(v) = amount.exact()
            && total_word_before(lowered, span.start)
        {
            f.total = Some((v, span));
        }
    }
    if aligned {
        const NOTES: [Cue; 5] = [
            cue("catatan"),
            cue("note"),
            cue("notes"),
            cue("ket:"),
            cue("keterangan"),
        ];
        for key in NOTES {
            if let Some(at) = find_word(&lower, key) {
                let key = key.text;
                let end = lowered[at..].find('\n').map_or(text.len(), |e| at + e);
                let s = trim(
                    text,
                    Span {
                        start: at + key.len(),
                        end,
                    },
                );
                if s.end > s.start && !f.notes.contains(&s) {
                    f.notes.push(s);
                    f.masked.push(Span { start: at, end });
                }
            }
        }
    }
}

/// The first Indonesian (or + prefixed) phone number inside `within`.
fn phone_in(text: &str, within: Span, scanned: &Scanned) -> Option<(String, Span)> {
    scanned
        .iter()
        .filter(|(s, _)| s.start >= within.start && s.end <= within.end)
        .find_map(|(s, m)| match m {
            Mention::Other(Other::Phone) => {
                // The scan's span includes its cue ("wa 0813…"): the number starts at
                // the first digit or plus sign.
                let found = &text[s.start..s.end];
                let lead = found.find(|c: char| c.is_ascii_digit() || c == '+' || c == '(')?;
                let phone = PhoneNumber::parse(&found[lead..]).ok()?;
                Some((
                    phone.e164().to_owned(),
                    Span {
                        start: s.start + lead,
                        end: s.end,
                    },
                ))
            }
            _ => None,
        })
}

/// A lower-cased text with a filter of its whole words (runs of alphanumeric
/// characters, as [`find_word`] bounds a match): several cue lists, ~80 cues, are
/// searched for in every message, and the first word of almost every cue is not in it,
/// which one bit of the filter says without scanning the text.
struct Lower<'a> {
    text: &'a str,
    /// Bit [`word_bit`] of each whole word of `text`.
    words: [u64; 8],
}

const WORD_HASH: u32 = 0x9e37_79b9;

/// Nine bits of a hash of a word (`h` its hash so far, from 0): equal words, equal bits.
const fn word_hash(h: u32, b: u8) -> u32 {
    (h.rotate_left(5) ^ b as u32).wrapping_mul(WORD_HASH)
}

/// The filter bit of a cue's first word (its letters and digits up to its first other
/// character), or `NO_FILTER` when that word is not all ASCII or the cue starts with a
/// symbol. Computed at compile time: every cue list is searched for in every message.
const fn cue_bit(cue: &str) -> u16 {
    let bytes = cue.as_bytes();
    let mut h = 0;
    let mut n = 0;
    while n < bytes.len() && bytes[n].is_ascii_alphanumeric() {
        h = word_hash(h, bytes[n]);
        n += 1;
    }
    if n == 0 || (n < bytes.len() && bytes[n] >= 0x80) {
        return NO_FILTER;
    }
    (h >> 23) as u16
}

const NO_FILTER: u16 = u16::MAX;

/// A cue of a list and its [`cue_bit`].
#[derive(Clone, Copy)]
struct Cue {
    text: &'static str,
    bit: u16,
}

const fn cue(text: &'static str) -> Cue {
    Cue {
        text,
        bit: cue_bit(text),
    }
}

impl<'a> Lower<'a> {
    fn new(text: &'a str) -> Self {
        let mut words = [0u64; 8];
        let bytes = text.as_bytes();
        let (mut h, mut len) = (0u32, 0usize);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // ASCII by the byte; other characters decoded (a letter of any script is
            // part of a word, as `find_word` sees it).
            let (alnum, width) = if b < 0x80 {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                text[i..]
                    .chars()
                    .next()
                    .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
            };
            if alnum {
                for &b in &bytes[i..i + width] {
                    h = word_hash(h, b);
                }
                len += width;
            } else if len > 0 {
                let bit = h >> 23;
                words[(bit >> 6) as usize] |= 1 << (bit & 63);
                (h, len) = (0, 0);
            }
            i += width;
        }
        if len > 0 {
            let bit = h >> 23;
            words[(bit >> 6) as usize] |= 1 << (bit & 63);
        }
        Lower { text, words }
    }

    /// Whether `cue` may be in the text as [`find_word`] finds it (`false`: it is not).
    /// A match starts at a word boundary and its first word (up to a non-alphanumeric
    /// character of the cue, or its end) is followed by one, or by the text's end: so
    /// that first word is a whole word of the text.
    fn may_have(&self, cue: Cue) -> bool {
        cue.bit == NO_FILTER || (self.words[usize::from(cue.bit >> 6)] >> (cue.bit & 63)) & 1 == 1
    }
}

/// `word` as a whole word in `lower`, its byte offset.
///
/// Called for every cue of several lists on every message: the filter of the text's
/// words turns most cues away; for the rest, a SIMD scan for the first byte and a
/// compare costs less than building a substring searcher per cue. A match of valid
/// UTF-8 in valid UTF-8 always starts and ends on character boundaries.
fn find_word(lower: &Lower, cue: Cue) -> Option<usize> {
    if !lower.may_have(cue) {
        return None;
    }
    let word = cue.text;
    let lower = lower.text;
    let (hay, needle) = (lower.as_bytes(), word.as_bytes());
    let &first = needle.first()?;
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let at = from + memchr::memchr(first, &hay[from..=hay.len() - needle.len()])?;
        let end = at + needle.len();
        if &hay[at..end] != needle {
            from = at + 1;
            continue;
        }
        let before = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = lower[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            || word.ends_with(':');
        if before && after {
            return Some(at);
        }
        from = end;
    }
    None
}

fn total_word_before(lower: &str, at: usize) -> bool {
    let before = lower[..at].trim_end();
    let tail: Vec<&str> = before
        .rsplit(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    tail.iter().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '=');
        matches!(
            w,
            "total"
                | "ttl"
                | "totalnya"
                | "jumlah"
                | "jadi"
                | "jd"
                | "semua"
                | "semuanya"
                | "="
                | "tot"
                | "sejumlah"
                | "senilai"
        )
    })
}

/// "a.n Bu Rina", "atas nama Dewi", "nama saya Siti": up to four words.
fn name_in(text: &str, lower: &Lower) -> Option<(String, Span)> {
    const CUES: &[Cue] = &[
        cue("atas nama"),
        cue("a.n."),
        cue("a.n"),
        cue("a/n"),
        cue("an."),
        cue("nama saya"),
        cue("namaku"),
        cue("penerima"),
        cue("yg terima"),
        cue("yang terima"),
        cue("yg nerima"),
        cue("diterima"),
    ];
    for &cue in CUES {
        let Some(at) = find_word(lower, cue).or_else(|| {
            let cue = cue.text;
            // "a.n" glued to the name ("a.nBu") is rare; cues ending in '.' match as is.
            cue.ends_with('.')
                .then(|| memchr::memmem::find(lower.text.as_bytes(), cue.as_bytes()))
                .flatten()
        }) else {
            continue;
        };
        let cue = cue.text;
        let start = at + cue.len();
        let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let rest = &text[start..line_end];
        let mut end = start;
        let mut count = 0;
        for (i, w) in rest.split_inclusive(' ').scan(0, |off, w| {
            let here = *off;
            *off += w.len();
            Some((here, w))
        }) {
            let word = w.trim();
            if word.is_empty() || matches!(word, ":" | "-") {
                if count == 0 {
                    continue;
                }
                break;
            }
            let clean = word.trim_end_matches([',', '.', ';', '!', '?']);
            let stop = clean.chars().any(|c| c.is_ascii_digit())
                || word.contains('\n')
                || matches!(
                    clean.to_lowercase().as_str(),
                    "alamat"
                        | "almt"
                        | "kirim"
                        | "dikirim"
                        | "no"
                        | "hp"
                        | "wa"
                        | "ya"
                        | "yaa"
                        | "kak"
                        | "cod"
                        | "tf"
                        | "transfer"
                        | "di"
                        | "ke"
                        | "pesan"
                        | "pesen"
                        | "mau"
                        | "order"
                );
            if stop {
                break;
            }
            // "Hj.", "Dr.": a title's full stop does not end the name.
            let title = word.ends_with('.')
                && clean.chars().count() <= 3
                && clean.chars().next().is_some_and(char::is_uppercase);
            end = start + i + if title { word.len() } else { clean.len() };
            count += 1;
            if (clean.len() != word.len() && !title) || count == 4 {
                break;
            }
        }
        let s = trim(text, Span { start, end });
        if s.end > s.start {
            return Some((text[s.start..s.end].to_owned(), s));
        }
    }
    None
}

/// Words after which an address starts.
const ADDRESS_CUES: &[Cue] = &[
    cue("kirim ke alamat"),
    cue("dikirim ke alamat"),
    cue("kirim ke"),
    cue("kirimkan ke"),
    cue("kirimin ke"),
    cue("dikirim ke"),
    cue("dkirim ke"),
    cue("krm ke"),
    cue("antar ke"),
    cue("anter ke"),
    cue("diantar ke"),
    cue("dianter ke"),
    cue("antarkan ke"),
    cue("ke alamat"),
    cue("alamatnya"),
    cue("alamat"),
    cue("almt"),
    cue("send to"),
    cue("deliver to"),
];

/// Words an address starts with when nothing introduces it.
const ADDRESS_STARTS: &[&str] = &[
    "jl",
    "jl.",
    "jln",
    "jln.",
    "jalan",
    "gg",
    "gg.",
    "gang",
    "perum",
    "perumahan",
    "komplek",
    "kompleks",
    "komp",
    "komp.",
    "dsn",
    "dusun",
    "desa",
    "ds",
    "ds.",
    "kp",
    "kp.",
    "kampung",
    "apartemen",
    "apt",
    "griya",
    "villa",
    "cluster",
    "ruko",
    "asrama",
    "kost",
    "kos",
    "rt",
    "blok",
    "kel",
    "kel.",
    "kelurahan",
    "kec",
    "kec.",
    "perum.",
];

/// Words that end an address when they follow it: payment, thanks, the next request.
const ADDRESS_ENDS: &[&str] = &[
    "cod",
    "bayar",
    "byr",
    "tf",
    "transfer",
    "trf",
    "qris",
    "gopay",
    "ovo",
    "dana",
    "shopeepay",
    "cash",
    "tunai",
    "makasih",
    "terima",
    "trims",
    "thx",
    "tq",
    "ya",
    "yaa",
    "yah",
    "nggih",
    "kak",
    "kaka",
    "sis",
    "bun",
    "mbak",
    "mba",
    "mas",
    "pesan",
    "pesen",
    "order",
    "ongkir",
    "berapa",
    "brp",
    "no",
    "hp",
    "wa",
    "telp",
];

fn address_in(text: &str, lowered: &Lower, f: &Fields) -> Option<Span> {
    let lower = lowered.text;
    let mut start = None;
    for &cue in ADDRESS_CUES {
        if let Some(at) = find_word(lowered, cue) {
            let cue = cue.text;
            let s = at + cue.len();
            let s = s + lower[s..]
                .find(|c: char| !(c.is_whitespace() || c == ':' || c == '-'))
                .unwrap_or(lower.len() - s);
            start = Some(s);
            break;
        }
    }
    if start.is_none() {
        let mut at = 0;
        for w in lower.split_inclusive(|c: char| c.is_whitespace() || c == ',') {
            let word = w.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ':');
            if ADDRESS_STARTS.contains(&word)
                && lower[at + w.len()..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                start = Some(at + (w.len() - w.trim_start().len()));
                break;
            }
            at += w.len();
        }
    }
    let start = start?;
    if start >= text.len() {
        return None;
    }
    // To the end of the line, or of the next line when the cue ended its own line.
    let line_end = |from: usize| lower[from..].find('\n').map_or(text.len(), |e| from + e);
    let mut end = line_end(start);
    if end == start && start < text.len() {
        end = line_end(start + 1);
    }
    let mut span = Span { start, end };
    // Stop before a phone number or a payment word that follows the address.
    if let Some((_, p)) = &f.phone
        && p.start > span.start
        && p.start < span.end
    {
        span.end = p.start;
    }
    let span = address_end(text, span);
    let span = trim(text, span);
    plausible_address(text, span).then_some(span)
}

/// An address holds a number, a street word or a place name: "nanti tak japri", "dmn
/// ya?" and "ambil sendiri" are not addresses.
fn plausible_address(text: &str, span: Span) -> bool {
    let s = &text[span.start..span.end];
    if s.chars().filter(|c| c.is_alphanumeric()).count() < 4 {
        return false;
    }
    let lower = lower_case(s);
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .collect();
    s.chars().any(|c| c.is_ascii_digit())
        || words
            .iter()
            .any(|w| ADDRESS_STARTS.contains(w) || PLACE_WORDS.contains(w))
        || s.split_whitespace()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count()
            >= 2
}

/// Words of places that make a text an address without a street.
const PLACE_WORDS: &[&str] = &[
    "kelurahan",
    "kecamatan",
    "kabupaten",
    "kota",
    "desa",
    "dusun",
    "sekolah",
    "sdn",
    "smp",
    "sma",
    "smk",
    "kantor",
    "masjid",
    "musholla",
    "pasar",
    "toko",
    "warung",
    "pabrik",
    "puskesmas",
    "rs",
    "rumah",
    "sakit",
    "kampus",
    "gedung",
    "tower",
    "lantai",
    "depan",
    "samping",
    "belakang",
    "seberang",
    "sebelah",
    "rw",
    "rt",
];

/// Cuts the words that follow an address off it: ", cod", " ya kak", "makasih".
fn address_end(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lower = lower_case(s);
    if lower.len() != s.len() {
        return span;
    }
    let mut end = s.len();
    let mut at = 0;
    let mut seen_words = 0;
    for w in lower.split_inclusive(|c: char| c.is_whitespace() || c == ',' || c == '(') {
        let word = w.trim_matches(|c: char| !c.is_alphanumeric());
        if seen_words >= 2 && ADDRESS_ENDS.contains(&word) {
            // Keep "No" and "no." inside an address ("Jl. Melati No. 5").
            let keep = matches!(word, "no")
                && lower[at + w.len()..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit());
            if !keep {
                end = at;
                break;
            }
        }
        if !word.is_empty() {
            seen_words += 1;
        }
        at += w.len();
    }
    trim(
        text,
        Span {
            start: span.start,
            end: span.start + end,
        },
    )
}

/// Words that name a payment method.
const PAYMENT_WORDS: &[(Cue, Payment)] = &[
    (cue("cod"), Payment::Cod),
    (cue("c.o.d"), Payment::Cod),
    (cue("bayar ditempat"), Payment::Cod),
    (cue("bayar di tempat"), Payment::Cod),
    (cue("byr ditempat"), Payment::Cod),
    (cue("bayar dtmpt"), Payment::Cod),
    (cue("bayar pas sampai"), Payment::Cod),
    (cue("cash on delivery"), Payment::Cod),
    (cue("qris"), Payment::Qris),
    (cue("scan qr"), Payment::Qris),
    (cue("gopay"), Payment::Ewallet),
    (cue("go-pay"), Payment::Ewallet),
    (cue("ovo"), Payment::Ewallet),
    (cue("dana"), Payment::Ewallet),
    (cue("shopeepay"), Payment::Ewallet),
    (cue("shopee pay"), Payment::Ewallet),
    (cue("spay"), Payment::Ewallet),
    (cue("linkaja"), Payment::Ewallet),
    (cue("e-wallet"), Payment::Ewallet),
    (cue("ewallet"), Payment::Ewallet),
    (cue("e wallet"), Payment::Ewallet),
    (cue("transfer"), Payment::Transfer),
    (cue("tranfer"), Payment::Transfer),
    (cue("trasfer"), Payment::Transfer),
    (cue("trf"), Payment::Transfer),
    (cue("tf"), Payment::Transfer),
    (cue("bca"), Payment::Transfer),
    (cue("bri"), Payment::Transfer),
    (cue("bni"), Payment::Transfer),
    (cue("mandiri"), Payment::Transfer),
    (cue("bsi"), Payment::Transfer),
    (cue("rekening"), Payment::Transfer),
    (cue("m-banking"), Payment::Transfer),
    (cue("mbanking"), Payment::Transfer),
    (cue("cash"), Payment::Cash),
    (cue("tunai"), Payment::Cash),
    (cue("cash aja"), Payment::Cash),
];

/// The payment method named in `within`, with the words that name it.
fn payment_in(text: &str, within: Span) -> Option<(Payment, Span)> {
    let part = &text[within.start..within.end];
    let lower = lower_case(part);
    if lower.len() != part.len() {
        return None;
    }
    payment_in_lower(&Lower::new(&lower), within.start)
}

/// [`payment_in`] over the lower case of the text at byte `offset`.
fn payment_in_lower(lower: &Lower, offset: usize) -> Option<(Payment, Span)> {
    PAYMENT_WORDS
        .iter()
        .filter_map(|&(w, p)| find_word(lower, w).map(|at| (at, p, w.text.len())))
        .min_by_key(|(at, _, len)| (*at, usize::MAX - len))
        .map(|(at, p, len)| {
            (
                p,
                Span {
                    start: offset + at,
                    end: offset + at + len,
                },
            )
        })
}
