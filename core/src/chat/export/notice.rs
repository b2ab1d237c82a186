//! System notices ("X joined", "Pesan dan panggilan terenkripsi…") told apart from messages.
//!
//! Android writes notices without a "Name: " part; iOS writes some as if the group said
//! them ("Pasar Kue: ‎Budi added Ani") with a direction mark before the text. So a line
//! is a notice if it has no author, or if its text is a notice: a phrase nobody types
//! ("joined using this group's invite link") near the start, or, after a mark, a short
//! one such as "X left", which people do type ("tinggal 2 left").

/// Phrases of notices nobody types, in English and Indonesian, by their first word.
fn sentences(first_word: &str) -> &'static [&'static str] {
    match first_word {
        "end-to-end" => &["end-to-end encrypted"],
        "secured" => &["secured with end-to-end encryption"],
        "terenkripsi" => &["terenkripsi secara end-to-end"],
        "diamankan" => &["diamankan dengan enkripsi end-to-end"],
        "joined" => &[
            "joined using this group's invite link",
            "joined using this group\u{2019}s invite link",
        ],
        "bergabung" => &["bergabung menggunakan tautan undangan grup ini"],
        "changed" => &[
            "changed the subject from ",
            "changed this group's icon",
            "changed this group\u{2019}s icon",
            "changed this group's settings",
            "changed this group\u{2019}s settings",
            "changed their phone number",
        ],
        "deleted" => &[
            "deleted this group's icon",
            "deleted this group\u{2019}s icon",
        ],
        "mengubah" => &["mengubah subjek dari "],
        "created" => &["created group \"", "created group \u{201c}"],
        "membuat" => &["membuat grup \"", "membuat grup \u{201c}"],
        "security" => &["security code with ", "security code changed"],
        "Kode" | "kode" => &["Kode keamanan Anda dengan ", "kode keamanan Anda dengan "],
        "mengganti" => &["mengganti nomor teleponnya"],
        _ => &[],
    }
}

/// Phrases of notices that a member could also write ("admin tolong mengubah deskripsi
/// grup"): a notice only where the line cannot be a member's message.
fn typeable(first_word: &str) -> &'static [&'static str] {
    match first_word {
        "changed" => &[
            "changed the subject to ",
            "changed the group name",
            "changed the group description",
        ],
        "deleted" => &["deleted the group description"],
        "mengubah" => &[
            "mengubah subjek menjadi ",
            "mengubah subjek ke ",
            "mengubah nama grup",
            "mengubah ikon grup",
            "mengubah deskripsi grup",
            "mengubah setelan grup",
        ],
        "menghapus" => &["menghapus ikon grup", "menghapus deskripsi grup"],
        "created" => &["created this group"],
        "You're" => &["You're now an admin"],
        "You\u{2019}re" => &["You\u{2019}re now an admin"],
        "Anda" => &["Anda sekarang admin"],
        _ => &[],
    }
}

/// How strongly a notice phrase marks a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// "X left", "X added Y": people type these words too ("tinggal 2 left").
    Short,
    /// "mengubah deskripsi grup": a member could write it ("admin tolong mengubah…").
    Typeable,
    /// "joined using this group's invite link": nobody types it.
    Sentence,
}

/// The first words of all phrases, for [`STARTS`].
const FIRST_WORDS: &[&str] = &[
    "end-to-end",
    "secured",
    "terenkripsi",
    "diamankan",
    "joined",
    "bergabung",
    "changed",
    "deleted",
    "mengubah",
    "menghapus",
    "created",
    "membuat",
    "security",
    "Kode",
    "kode",
    "mengganti",
    "You're",
    "You\u{2019}re",
    "Anda",
    "left",
    "keluar",
    "ditambahkan",
    "added",
    "menambahkan",
    "removed",
    "mengeluarkan",
    "diganti",
    "was",
];

/// For each first byte, the lengths (as bits) of the first words that start with it: a
/// word is compared with the phrases only if its first byte and length fit one.
static STARTS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < FIRST_WORDS.len() {
        let w = FIRST_WORDS[i].as_bytes();
        t[w[0] as usize] |= 1 << w.len();
        i += 1;
    }
    t
};

#[inline(always)]
fn may_start_phrase(word: &[u8]) -> bool {
    match word.first() {
        Some(&b) if word.len() < 32 => STARTS[b as usize] & (1 << word.len()) != 0,
        _ => false,
    }
}

/// The strongest notice phrase starting at `word`, the text from there on being `tail`.
fn phrase_at(word: &str, tail: &str, first: bool, last: bool) -> Option<Strength> {
    use Strength::*;
    // Most words that get here are not first words after all ("makasih" for "membuat"):
    // an inline byte comparison says so before the string matches below.
    let same = |w: &&str| w.len() == word.len() && w.bytes().zip(word.bytes()).all(|(a, b)| a == b);
    if !FIRST_WORDS.iter().any(same) {
        return None;
    }
    let starts = |ps: &[&str]| ps.iter().any(|p| tail.starts_with(p));
    if starts(sentences(word)) {
        return Some(Sentence);
    }
    if starts(typeable(word)) {
        return Some(Typeable);
    }
    let short = match word {
        // "X left", "X keluar", "Y ditambahkan": the last word, after a name.
        "left" | "keluar" | "ditambahkan" => last && !first,
        // "X added Y", "X menambahkan Y": between two names.
        "added" | "menambahkan" | "removed" | "mengeluarkan" => !first && !last,
        "changed" => !first && tail.starts_with("changed to "),
        "diganti" => !first && tail.starts_with("diganti menjadi "),
        "membuat" => !first && matches!(tail, "membuat grup" | "membuat grup ini"),
        "was" => tail == "was added",
        _ => false,
    };
    short.then_some(Short)
}

/// How far into the text a phrase is looked for: notices put it right after a name, and
/// the bound keeps the time per line independent of a message's length.
const WINDOW: usize = 96;

/// The strongest notice phrase near the start of `text` (marks removed), if any.
pub(crate) fn strongest(text: &str) -> Option<Strength> {
    strongest_within(text, usize::MAX)
}

/// [`strongest`] among phrases starting in the first `words` words.
pub(crate) fn strongest_within(text: &str, words: usize) -> Option<Strength> {
    if matches!(text.len(), 8 | 11) && matches!(text, "You left" | "Anda keluar") {
        return Some(Strength::Short);
    }
    let window = super::lines::prefix_within(text, WINDOW).as_bytes();
    let mut best = None;
    let (mut start, mut seen) = (0, 0);
    for end in 0..=window.len() {
        if window.get(end).is_some_and(|&b| b != b' ') {
            continue;
        }
        let word = window.get(start..end).unwrap_or_default();
        if may_start_phrase(word) {
            // `start` and `end` are at spaces or the ends: character boundaries.
            if let (Some(word), Some(tail)) = (text.get(start..end), text.get(start..))
                && let Some(hit) = phrase_at(word, tail, start == 0, end == text.len())
            {
                best = best.max(Some(hit));
                if hit == Strength::Sentence {
                    break;
                }
            }
        }
        seen += 1;
        if seen == words {
            break;
        }
        start = end + 1;
    }
    best
}

/// Whether `text` may be a notice about someone whose name has ": " in it, the text being
/// what follows the first ": " ("Sidoarjo bergabung menggunakan tautan undangan grup
/// ini"): such notices end in one of a few bytes, so most messages are let through on
/// their last byte alone.
pub(crate) fn may_be_named_notice(text: &str) -> bool {
    matches!(
        text.as_bytes().last(),
        Some(b'k' | b'i' | b'n' | b'o' | b'.' | b'"' | 0x9D)
    ) && strongest_within(text, 4) == Some(Strength::Sentence)
}

/// Whether `text` (marks removed) holds a notice phrase at least as strong as `at_least`.
pub(crate) fn has_phrase(text: &str, at_least: Strength) -> bool {
    strongest(text).is_some_and(|s| s >= at_least)
}

/// The most names with ": " a reader remembers, and the longest.
const MAX_NAMES: usize = 64;
pub(crate) const MAX_NAME: usize = 96;

/// Names of people in a notice that contain ": " ("Mama Andi: Sidoarjo"), the only ones
/// that change how a message line splits into name and text.
pub(crate) fn learn_names(notice: &str, names: &mut Vec<String>) {
    const BEFORE: &[&str] = &[
        " joined using",
        " telah bergabung",
        " bergabung menggunakan",
        " left",
        " keluar",
        " added ",
        " menambahkan ",
        " removed ",
        " mengeluarkan ",
        " changed ",
        " mengubah ",
        " created ",
        " membuat ",
        " telah mengganti",
    ];
    const AFTER: &[&str] = &[" added ", " menambahkan ", " removed ", " mengeluarkan "];
    const WITH: &[(&str, &str)] = &[
        ("security code with ", " changed"),
        ("Kode keamanan Anda dengan ", " telah berubah"),
        ("kode keamanan Anda dengan ", " telah berubah"),
    ];
    let mut found: Vec<&str> = Vec::new();
    for p in BEFORE {
        if let Some(i) = notice.find(p) {
            found.push(&notice[..i]);
            if AFTER.contains(p) {
                found.push(notice[i + p.len()..].trim_end_matches('.'));
            }
            break;
        }
    }
    for (start, end) in WITH {
        if let Some(i) = notice.find(start) {
            let tail = &notice[i + start.len()..];
            if let Some(j) = tail.find(end) {
                found.push(&tail[..j]);
            }
        }
    }
    for name in found {
        let name = name.trim();
        if name.contains(": ")
            && name.len() <= MAX_NAME
            && names.len() < MAX_NAMES
            && !name.contains(", ")
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_by_strength() {
        use Strength::*;
        let s = strongest;
        assert_eq!(
            s("Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar."),
            Some(Sentence)
        );
        assert_eq!(
            s("Budi changed the subject from \"A\" to \"B: C\""),
            Some(Sentence)
        );
        assert_eq!(s("ready donat coklat 25rb"), None);
        assert_eq!(s("admin tolong mengubah deskripsi grup"), Some(Typeable));
        assert_eq!(s("tinggal 2 left"), Some(Short));
        assert_eq!(s("Budi menambahkan Ani"), Some(Short));
        assert_eq!(s("menambahkan Ani"), None, "a verb needs a name before it");
        assert_eq!(s("You left"), Some(Short));
        assert!(has_phrase(
            "Budi joined using this group's invite link",
            Sentence
        ));
        assert!(!has_phrase("Budi left", Typeable));
    }

    #[test]
    fn names_with_colons_are_learned_from_notices() {
        let mut names = Vec::new();
        learn_names(
            "Mama Andi: Sidoarjo joined using this group's invite link",
            &mut names,
        );
        learn_names("Budi menambahkan Bu Rina: Kue", &mut names);
        learn_names(
            "Kode keamanan Anda dengan Pak RT: 05 telah berubah.",
            &mut names,
        );
        learn_names("Budi left", &mut names);
        assert_eq!(names, ["Mama Andi: Sidoarjo", "Bu Rina: Kue", "Pak RT: 05"]);
    }
}
