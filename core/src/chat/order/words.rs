//! A message as words with byte spans, the separators between them, and the chat words
//! that are never a product however close they look to one ("kirim" is not "krim").

use crate::catalog::search::normalize;
use crate::chat::numbers::Span;
use std::borrow::Cow;

/// A word of a message; its text borrowed from the message's lower case (or the
/// lexicon) wherever it can be.
#[derive(Clone, Debug)]
pub(super) struct Word<'a> {
    /// Canonical form (catalog normalisation: "cokelat" → "coklat").
    pub text: Cow<'a, str>,
    /// Lower-cased as written.
    pub raw: Cow<'a, str>,
    pub span: Span,
    /// A separator between this word and the one before: a line break, comma, "sm"…
    pub sep_before: Sep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Sep {
    None,
    /// "sm", "dan", "+", "&", ",", ";": the next item.
    Item,
    /// A line break.
    Line,
}

/// Words that join items: "donat 2 sm brownies 1".
const JOINERS: &[&str] = &[
    "sm", "sama", "dan", "dg", "dgn", "dengan", "and", "n", "plus", "trus", "terus", "tambah",
    "ama", "ma",
];

/// The words of `text`; `lower` is its lower case when its words are ASCII
/// (`normalize::ascii_words`: `text.to_ascii_lowercase()`), which the words then borrow.
pub(super) fn words<'a>(text: &'a str, lower: Option<&'a str>) -> Vec<Word<'a>> {
    let spanned = match lower {
        Some(lower) => normalize::spanned_ascii_lower(lower),
        None => normalize::spanned(text)
            .into_iter()
            .map(|(w, s, e)| (Cow::Owned(w), s, e))
            .collect(),
    };
    let mut out: Vec<Word> = Vec::with_capacity(spanned.len());
    let mut prev_end = 0;
    let mut joiner_pending = false;
    for (canon, start, end) in spanned {
        let raw = match lower {
            Some(lower) => Cow::Borrowed(&lower[start..end]),
            None => Cow::Owned(lower_case(&text[start..end])),
        };
        let gap = text.get(prev_end..start).unwrap_or("");
        let mut sep = if gap.contains('\n') {
            Sep::Line
        } else if gap.contains([',', ';', '+', '&', '•'])
            || gap.contains(" - ")
            || gap.contains(". ")
        {
            Sep::Item
        } else {
            Sep::None
        };
        if joiner_pending && sep == Sep::None {
            sep = Sep::Item;
        }
        joiner_pending = JOINERS.contains(&&*raw) || JOINERS.contains(&&*canon);
        out.push(Word {
            text: canon,
            raw,
            span: Span { start, end },
            sep_before: if out.is_empty() { Sep::Line } else { sep },
        });
        prev_end = end;
    }
    out
}

/// `s` in lower case; ASCII (almost every message) by the byte, which is the same and
/// several times cheaper than the Unicode mapping.
pub(super) fn lower_case(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Whether `w` is a joining word ("sm", "dan"): it separates items, names none.
pub(super) fn is_joiner(w: &Word) -> bool {
    JOINERS.contains(&&*w.raw) || JOINERS.contains(&&*w.text)
}

/// Common chat words, as written and as canonical: corrected into nothing.
const CHAT_WORDS: &[&str] = &[
    "kak",
    "kaka",
    "kakak",
    "ka",
    "sis",
    "sist",
    "bun",
    "bund",
    "bunda",
    "mbak",
    "mba",
    "mb",
    "mas",
    "bang",
    "bu",
    "ibu",
    "pak",
    "bapak",
    "om",
    "tante",
    "say",
    "cin",
    "gan",
    "min",
    "admin",
    "ya",
    "yaa",
    "iya",
    "iy",
    "y",
    "yah",
    "ok",
    "oke",
    "okey",
    "okay",
    "sip",
    "siap",
    "nggih",
    "ngih",
    "enggih",
    "monggo",
    "mau",
    "mo",
    "pesan",
    "pesen",
    "psn",
    "pesanan",
    "pesenan",
    "order",
    "orderan",
    "ambil",
    "beli",
    "minta",
    "tolong",
    "tlg",
    "kirim",
    "kirimin",
    "dikirim",
    "antar",
    "anter",
    "diantar",
    "dianter",
    "alamat",
    "almt",
    "bayar",
    "dibayar",
    "transfer",
    "tf",
    "trf",
    "cod",
    "lagi",
    "lg",
    "aja",
    "ajah",
    "saja",
    "jadi",
    "jd",
    "gak",
    "ga",
    "gk",
    "nggak",
    "ngga",
    "enggak",
    "tidak",
    "tdk",
    "ndak",
    "batal",
    "cancel",
    "ready",
    "ada",
    "berapa",
    "brp",
    "brapa",
    "harga",
    "hrg",
    "total",
    "ttl",
    "semua",
    "semuanya",
    "makasih",
    "terima",
    "kasih",
    "thanks",
    "thx",
    "tq",
    "ty",
    "trims",
    "suwun",
    "nuwun",
    "matur",
    "sudah",
    "udah",
    "udh",
    "sdh",
    "dah",
    "belum",
    "blm",
    "bisa",
    "bs",
    "boleh",
    "kapan",
    "besok",
    "hari",
    "ini",
    "itu",
    "nanti",
    "ntar",
    "sore",
    "pagi",
    "siang",
    "malam",
    "saya",
    "aku",
    "gue",
    "gw",
    "sy",
    "ak",
    "kita",
    "kami",
    "nama",
    "atas",
    "an",
    "untuk",
    "utk",
    "buat",
    "yang",
    "yg",
    "sama",
    "sm",
    "dan",
    "dengan",
    "dg",
    "dgn",
    "atau",
    "juga",
    "jg",
    "tambah",
    "nambah",
    "tambahin",
    "tmbh",
    "ganti",
    "ubah",
    "ralat",
    "revisi",
    "stok",
    "stock",
    "sisa",
    "masih",
    "msh",
    "ongkir",
    "dong",
    "deh",
    "sih",
    "nih",
    "kok",
    "lho",
    "loh",
    "kan",
    "pun",
    "lah",
    "nya",
    "ke",
    "di",
    "dari",
    "dr",
    "pake",
    "pakai",
    "tanpa",
    "tp",
    "tapi",
    "kalau",
    "kalo",
    "klo",
    "kl",
    "biar",
    "supaya",
    "rumah",
    "depan",
    "dekat",
    "deket",
    "samping",
    "belakang",
    "gang",
    "gg",
    "jalan",
    "jl",
    "jln",
    "rt",
    "rw",
    "no",
    "nomor",
    "nomer",
    "kel",
    "kec",
    "kab",
    "kota",
    "desa",
    "blok",
    "perum",
    "komplek",
    "wa",
    "hp",
    "telp",
    "nomer",
    "catatan",
    "note",
    "ket",
    "pembayaran",
    "metode",
    "via",
    "ekspedisi",
    "kurir",
    "jne",
    "jnt",
    "sicepat",
    "gojek",
    "grab",
    "paket",
    "ongkos",
    "format",
    "list",
    "isi",
    "semoga",
    "selamat",
    "assalamualaikum",
    "halo",
    "hai",
    "hallo",
    "permisi",
    "misi",
    "pagi",
    "mohon",
    "maaf",
    "pesannya",
    "dipesan",
    "ikut",
    "ikutan",
    "keep",
    "booking",
    "titip",
    "po",
    "open",
    "close",
    "lunas",
    "bukti",
    "rekening",
    "rek",
    "bca",
    "bri",
    "bni",
    "mandiri",
    "qris",
    "gopay",
    "ovo",
    "dana",
    "shopeepay",
    "cash",
    "tunai",
    "uang",
    "duit",
    "kembalian",
    "pas",
    "ribu",
    "rb",
    "jt",
    "juta",
    "lusin",
    "kodi",
    // Longer everyday words one letter from a product word ("pasar" ~ "pasir", "bareng" ~
    // "basreng", "laris" ~ "lapis"): never corrected.
    "pasar",
    "warga",
    "laris",
    "manis",
    "bareng",
    "lain",
    "tetep",
    "tetap",
    "kantor",
    "sekolah",
    "anak",
    "suami",
    "istri",
    "teman",
    "temen",
    "tetangga",
    "arisan",
    "acara",
    "syukuran",
    "pengajian",
    "lusa",
    "minggu",
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "sabtu",
    "tadi",
    "kemarin",
    "kmrn",
    "sekarang",
    "skrg",
    "dulu",
    "segera",
    "langsung",
    "sekalian",
    "masing",
    "barusan",
    "kiriman",
    "gratis",
    "diskon",
    "promo",
    "murah",
    "mahal",
    "banyak",
    "sedikit",
    "kurang",
    "lebih",
    "sisanya",
    "aman",
    "sampai",
    "sampe",
    "nyampe",
    "diambil",
    "jemput",
    "dijemput",
    "ditunggu",
    "nunggu",
    "tunggu",
    "kabari",
    "kabarin",
    "japri",
    "chat",
    "hubungi",
    "sendiri",
    "semua",
    "enak",
    "suka",
    "mantap",
    "bagus",
    "cantik",
    "lucu",
    "kecil",
    "besar",
    "gede",
    "baru",
    "lama",
    "cepat",
    "cepet",
    "lambat",
    "jauh",
    "dekat",
    "belum",
    "selesai",
    "udahan",
    "oke",
    "siapa",
    "kenapa",
];

pub(super) fn is_chat_word(w: &str) -> bool {
    // (FxHash: a fixed table of our own words, looked up for many words of a message.)
    static SET: std::sync::OnceLock<crate::chat::fxhash::FxHashMap<&'static str, ()>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| CHAT_WORDS.iter().map(|w| (*w, ())).collect())
        .contains_key(w)
}

/// Whether a separator at least as strong as `min` lies between word `a` and word `b`
/// (indices, `a < b`).
pub(super) fn separated(words: &[Word], a: usize, b: usize, min: Sep) -> bool {
    words
        .iter()
        .take(b + 1)
        .skip(a + 1)
        .any(|w| w.sep_before >= min)
}
