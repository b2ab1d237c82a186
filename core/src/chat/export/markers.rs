//! What WhatsApp writes in place of content: omitted media, attached files, deleted and
//! edited messages, shared locations. Each becomes a flag or a field, and leaves the text.

/// The flags and fields the markers of one message set.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Markers {
    pub media_omitted: bool,
    pub deleted: bool,
    pub edited: bool,
    pub attachment: Option<String>,
    pub location: Option<String>,
}

const EDITED: &[&str] = &["<This message was edited>", "<Pesan ini diedit>"];

const DELETED: &[&str] = &[
    "This message was deleted",
    "You deleted this message",
    "Pesan ini telah dihapus",
    "Pesan ini dihapus",
    "Anda menghapus pesan ini",
];

/// Whole first lines that stand for media left out of the export (compared ignoring case).
const OMITTED: &[&str] = &[
    "<Media omitted>",
    "<Media tidak disertakan>",
    "image omitted",
    "gambar tidak disertakan",
    "video omitted",
    "video tidak disertakan",
    "sticker omitted",
    "stiker tidak disertakan",
    "audio omitted",
    "audio tidak disertakan",
    "GIF omitted",
    "GIF tidak disertakan",
    "document omitted",
    "dokumen tidak disertakan",
    "Contact card omitted",
    "kartu kontak tidak disertakan",
    "<View once message omitted>",
];

/// iOS names the omitted document first: "Katalog.pdf • 3 pages document omitted".
const DOCUMENT_OMITTED: &[&str] = &["document omitted", "dokumen tidak disertakan"];

const ATTACHED: &[&str] = &[" (file attached)", " (file terlampir)"];
const IOS_ATTACHED: &[&str] = &["<attached: ", "<lampiran: "];
const LOCATION: &[&str] = &["location: ", "lokasi: "];
const LIVE: &[&str] = &[
    "Live location shared",
    "Lokasi terkini dibagikan",
    "Berbagi lokasi terkini",
];

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Finds the markers in `text` (marks already removed) and takes them out of it.
pub(crate) fn take(text: &mut String, multi_line: bool) -> Markers {
    use super::lines::{find_byte, trim, trim_in_place};
    let mut m = Markers::default();
    // The edited tag ends the whole message; the others are the whole text or its first
    // line. Each is tried only when the line's first or last byte or its length allows it,
    // so a plain message costs a few comparisons.
    trim_in_place(text);
    if text.as_bytes().last() == Some(&b'>') {
        for tag in EDITED {
            if let Some(before) = text.strip_suffix(tag) {
                let keep = before.trim_end().len();
                text.truncate(keep);
                m.edited = true;
                break;
            }
        }
    }

    let whole = text.strip_suffix(".").unwrap_or(text);
    let start = whole.as_bytes().get(..4).unwrap_or_default();
    if whole.len() <= 80 && matches!(start, b"This" | b"You " | b"Pesa" | b"Anda") {
        // "This message was deleted by admin Budi" (an admin deleting for everyone).
        let deleted = |d: &&str| {
            whole.strip_prefix(d).is_some_and(|t| {
                t.is_empty() || t.starts_with(" by admin") || t.starts_with(" oleh admin")
            })
        };
        if DELETED.iter().any(deleted) {
            m.deleted = true;
            text.clear();
            return m;
        }
    }

    let newline = if multi_line {
        find_byte(text.as_bytes(), b'\n')
    } else {
        None
    };
    let (first_end, rest_at) = match newline {
        Some(i) => (i, i + 1),
        None => (text.len(), text.len()),
    };
    let line = trim(&text[..first_end]);
    let bytes = line.as_bytes();
    let head = bytes.first().map_or(0, u8::to_ascii_lowercase);
    let tail = bytes.last().map_or(0, u8::to_ascii_lowercase);
    // What replaces the first line, if a marker was there.
    let mut replace: Option<String> = None;

    let same = |o: &&str| o.len() == line.len() && line.eq_ignore_ascii_case(o);
    if line.len() <= 32 && matches!(tail, b'>' | b'd' | b'n') && OMITTED.iter().any(same) {
        m.media_omitted = true;
        replace = Some(String::new());
    } else if let Some(doc) = DOCUMENT_OMITTED
        .iter()
        .filter(|_| matches!(tail, b'd' | b'n'))
        .find_map(|o| line.strip_suffix(o))
    {
        m.media_omitted = true;
        replace = Some(trim(doc).to_owned());
    } else if let Some(name) = ATTACHED
        .iter()
        .filter(|_| tail == b')')
        .find_map(|a| line.strip_suffix(a))
    {
        let name = trim(name);
        if !name.is_empty() {
            m.attachment = Some(name.to_owned());
            replace = Some(String::new());
        }
    } else if let Some((at, tag)) = IOS_ATTACHED
        .iter()
        .filter(|_| head == b'<')
        .find_map(|t| line.starts_with(t).then_some((0, *t)))
    {
        let after = &line[at + tag.len()..];
        if let Some(close) = find_byte(after.as_bytes(), b'>') {
            let name = trim(&after[..close]);
            if !name.is_empty() {
                m.attachment = Some(name.to_owned());
                let mut rest = line[..at].trim_end().to_owned();
                let tail = trim(&after[close + 1..]);
                if !tail.is_empty() {
                    if !rest.is_empty() {
                        rest.push(' ');
                    }
                    rest.push_str(tail);
                }
                replace = Some(rest);
            }
        }
    } else if let Some(url) = LOCATION
        .iter()
        .filter(|_| head == b'l')
        .find_map(|l| strip_prefix_ci(line, l))
    {
        let url = trim(url);
        if url.starts_with("http") {
            m.location = Some(url.to_owned());
            replace = Some(String::new());
        }
    } else if matches!(head, b'l' | b'b') && LIVE.iter().any(same) {
        m.location = Some("live".to_owned());
        replace = Some(String::new());
    }

    // In place: the caller reuses the buffer.
    if let Some(first) = replace {
        if first.is_empty() {
            text.drain(..rest_at);
        } else {
            let end = first_end;
            text.replace_range(..end, &first);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> (String, Markers) {
        let mut t = s.to_owned();
        let multi_line = t.contains('\n');
        let m = take(&mut t, multi_line);
        (t, m)
    }

    #[test]
    fn every_marker() {
        assert!(run("<Media omitted>").1.media_omitted);
        assert!(run("<media tidak disertakan>").1.media_omitted);
        assert!(run("stiker tidak disertakan").1.media_omitted);
        let (t, m) = run("Katalog.pdf • 3 pages document omitted");
        assert!(m.media_omitted);
        assert_eq!(t, "Katalog.pdf • 3 pages");

        let (t, m) = run("IMG-20201126-WA0001.jpg (file attached)\nyang ini kak");
        assert_eq!(m.attachment.as_deref(), Some("IMG-20201126-WA0001.jpg"));
        assert_eq!(t, "yang ini kak");
        let (t, m) = run("<attached: 00000012-PHOTO-2021-01-26-21-05-53.jpg>");
        assert_eq!(
            m.attachment.as_deref(),
            Some("00000012-PHOTO-2021-01-26-21-05-53.jpg")
        );
        assert_eq!(t, "");

        for d in [
            "This message was deleted",
            "Anda menghapus pesan ini",
            "Pesan ini telah dihapus.",
        ] {
            let (t, m) = run(d);
            assert!(m.deleted, "{d}");
            assert_eq!(t, "");
        }

        let (t, m) = run("donat 2 box <This message was edited>");
        assert!(m.edited);
        assert_eq!(t, "donat 2 box");
        let (t, m) = run("donat\n3 box <Pesan ini diedit>");
        assert!(m.edited);
        assert_eq!(t, "donat\n3 box");

        let (t, m) = run("lokasi: https://maps.google.com/?q=-6.2,106.8");
        assert_eq!(
            m.location.as_deref(),
            Some("https://maps.google.com/?q=-6.2,106.8")
        );
        assert_eq!(t, "");
        assert_eq!(
            run("Live location shared").1.location.as_deref(),
            Some("live")
        );

        let (t, m) = run("ready donat coklat (isi 6)");
        assert_eq!(m, Markers::default());
        assert_eq!(t, "ready donat coklat (isi 6)");
        assert_eq!(run("lokasi: depan masjid").1.location, None);
    }
}
