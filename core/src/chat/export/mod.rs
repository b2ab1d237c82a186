//! WhatsApp chat exports ("Export chat" `.txt`, Android and iOS, any locale) → messages,
//! read one at a time from any `BufRead`.
//!
//! ```text
//! bytes ─ lines (≤ 64 KB each, CRLF, lossy UTF-8) ─ header? (date, time, file's shape)
//!       ─ yes: finish the previous message, start one: author or notice
//!       ─ no:  a continuation line of the current message (≤ 64 KB of text in all)
//! message ─ markers out of the text (media, attachment, deleted, edited, location)
//! ```
//!
//! Decisions (ARCHITECTURE.md, "Chat exports"):
//! - **Shape.** One phone wrote the file, so every message line has the same header shape
//!   (brackets, separators, 2/4-digit year, seconds, 12/24 h): the most common shape in the
//!   first 64 KB. A line that starts with a date in any other shape continues a message.
//! - **Day or month first**, from the dates of that shape: a number over 12, else a number
//!   that goes down within a year (the month never does), else the number that changes
//!   more (the day), else a 12-hour clock (US, month first), else day first (Indonesia).
//! - **Streaming.** [`ExportReader::new`] buffers the first 64 KB to decide, replays it and
//!   goes on with the rest; later dates can only be checked ([`ExportReader::contradicted`]).
//!   [`ExportReader::open`] and [`ExportReader::new_seekable`], when the first 64 KB did
//!   not settle it by a number over 12, first read the whole file's dates (counters only),
//!   then rewind. Memory: the 64 KB replay (freed once replayed), one line, one message's
//!   text, a fixed table of authors seen: bounded whatever the file's size.
//! - **Names with ": "** ("Mama Andi: Sidoarjo"): the name ends at the first ": " unless a
//!   longer name that matches was seen in a notice of this file ("… joined", "… menambahkan
//!   …"); a ':' without a space after it ("Toko 24:7") is part of the name.

mod date;
mod header;
mod lines;
mod markers;
mod notice;
#[cfg(test)]
mod tests;

pub use date::{DateOrder, LocalDateTime, OrderBasis};

use date::Evidence;
use header::{Header, Shape};
use notice::Strength;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

/// The most text one message keeps; the rest is dropped and the message marked
/// [`ChatMessage::truncated`]. Order chats are short: this only stops a hostile file.
pub const MAX_TEXT: usize = 64 * 1024;

/// How much of the start of a file is read ahead to learn its shape and date order.
const SNIFF: usize = 64 * 1024;

/// One message (or system notice) of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    /// The name or phone number as the exporting phone showed it; `None` for notices.
    pub author: Option<String>,
    /// The phone's local time; exports carry no zone.
    pub timestamp: LocalDateTime,
    /// The message without the markers below, direction marks removed, trimmed.
    pub text: String,
    /// A notice of WhatsApp's (joined, left, encryption, subject changed…).
    pub system: bool,
    /// Media not included in the export (`<Media omitted>`, `image omitted`…).
    pub media_omitted: bool,
    /// "This message was deleted", "Pesan ini telah dihapus"…
    pub deleted: bool,
    /// The message was edited (`<This message was edited>`).
    pub edited: bool,
    /// The file name of media included in the export (`IMG-20201126-WA0001.jpg`).
    pub attachment: Option<String>,
    /// A shared location: its URL, or `"live"` for a live location.
    pub location: Option<String>,
    /// The 1-based line where the message starts.
    pub line: usize,
    /// Text was dropped: the message was over [`MAX_TEXT`], or a line over 64 KB.
    pub truncated: bool,
}

/// Reading an export fails only when reading fails; any content yields messages.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot read the chat export: {0}")]
    Io(#[from] io::Error),
}

/// Parses a whole export held in memory (a pasted chat, a test).
pub fn parse_str(text: &str) -> Vec<ChatMessage> {
    match ExportReader::new(text.as_bytes()) {
        Ok(reader) => reader.filter_map(Result::ok).collect(),
        // Reading a slice cannot fail.
        Err(_) => Vec::new(),
    }
}

/// The messages of an export, one at a time: an iterator over
/// `Result<ChatMessage, ExportError>` that holds only the message being read.
pub struct ExportReader<R> {
    src: io::Chain<Cursor<Vec<u8>>, R>,
    /// The line being read.
    line: Vec<u8>,
    st: State,
    done: bool,
}

/// Everything but the input: what the lines read so far have said.
struct State {
    line_no: usize,
    shape: Option<Shape>,
    order: DateOrder,
    basis: OrderBasis,
    /// Every header date read so far, to check the order chosen up front.
    seen: Evidence,
    pending: Option<Pending>,
    /// Names with ": " learned from notices.
    names: Vec<String>,
    authors: Authors,
    stray: usize,
    /// The text of the pending message. Reused: each message's text is copied out once,
    /// at its exact size, instead of growing (and moving) line by line.
    text: String,
}

/// The message being read (its text is [`State::text`]).
struct Pending {
    author: Option<String>,
    timestamp: LocalDateTime,
    system: bool,
    line: usize,
    truncated: bool,
    /// Continuation lines were added.
    multi_line: bool,
}

/// What the first 64 KB said.
struct Sniffed {
    replay: Vec<u8>,
    shape: Option<Shape>,
    evidence: Evidence,
    eof: bool,
}

fn sniff<R: BufRead>(src: &mut R) -> io::Result<Sniffed> {
    let mut replay = Vec::new();
    let mut line = Vec::new();
    let mut dates: Vec<(Shape, [u16; 3])> = Vec::new();
    let mut eof = false;
    while replay.len() < SNIFF {
        if lines::read_line(src, &mut line)?.is_none() {
            eof = true;
            break;
        }
        if let Some(h) = header::parse(&line)
            && date::plausible(h.shape.year_first, h.date)
        {
            dates.push((h.shape, h.date));
        }
        replay.extend_from_slice(&line);
        replay.push(b'\n');
    }
    // The most common shape; on a tie, the first seen.
    let mut counts: Vec<(Shape, usize)> = Vec::new();
    for (shape, _) in &dates {
        match counts.iter_mut().find(|(s, _)| s == shape) {
            Some((_, n)) => *n += 1,
            None => counts.push((*shape, 1)),
        }
    }
    let shape = counts
        .iter()
        .fold(None::<(Shape, usize)>, |best, &(s, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((s, n)),
        })
        .map(|(s, _)| s);
    let mut evidence = Evidence::default();
    for (s, d) in &dates {
        if Some(*s) == shape {
            evidence.add(*d);
        }
    }
    Ok(Sniffed {
        replay,
        shape,
        evidence,
        eof,
    })
}

impl ExportReader<BufReader<File>> {
    /// Opens an export file; the day/month order comes from the whole file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ExportError> {
        let file = File::open(path)?;
        Self::new_seekable(BufReader::with_capacity(64 * 1024, file))
    }
}

impl<R: BufRead + Seek> ExportReader<R> {
    /// A reader that, when the first 64 KB leave the day/month order open, reads the dates
    /// of the whole input first and then comes back.
    pub fn new_seekable(mut input: R) -> Result<Self, ExportError> {
        let mut s = sniff(&mut input)?;
        if let Some(shape) = s.shape {
            let (_, basis) = s.evidence.decide(shape.year_first, shape.twelve_hour);
            if !s.eof && basis != OrderBasis::Over12 {
                let resume = input.stream_position()?;
                let mut line = Vec::new();
                while lines::read_line(&mut input, &mut line)?.is_some() {
                    if let Some(h) = header::parse(&line)
                        && h.shape == shape
                        && date::plausible(shape.year_first, h.date)
                    {
                        s.evidence.add(h.date);
                    }
                }
                input.seek(SeekFrom::Start(resume))?;
            }
        }
        Ok(Self::from_sniff(s, input))
    }
}

impl<R: BufRead> ExportReader<R> {
    /// A reader over any input, in one pass: the day/month order comes from the first 64 KB.
    pub fn new(mut input: R) -> Result<Self, ExportError> {
        let s = sniff(&mut input)?;
        Ok(Self::from_sniff(s, input))
    }

    fn from_sniff(s: Sniffed, input: R) -> Self {
        let (order, basis) = match s.shape {
            Some(shape) => s.evidence.decide(shape.year_first, shape.twelve_hour),
            None => (DateOrder::DayFirst, OrderBasis::Default),
        };
        ExportReader {
            src: Cursor::new(s.replay).chain(input),
            line: Vec::new(),
            st: State {
                line_no: 0,
                shape: s.shape,
                order,
                basis,
                seen: Evidence::default(),
                pending: None,
                names: Vec::new(),
                authors: Authors::default(),
                stray: 0,
                text: String::new(),
            },
            done: false,
        }
    }

    /// The day/month order the timestamps are read in.
    pub fn date_order(&self) -> DateOrder {
        self.st.order
    }

    /// What settled [`Self::date_order`].
    pub fn order_basis(&self) -> OrderBasis {
        self.st.basis
    }

    /// Whether the dates read so far point to another order than the one chosen up front
    /// (only possible with [`Self::new`] on a file whose first 64 KB misled it).
    pub fn contradicted(&self) -> bool {
        let st = &self.st;
        st.shape
            .is_some_and(|s| st.seen.decide(s.year_first, s.twelve_hour).0 != st.order)
    }

    /// Lines before the first message (not part of any message, so not returned).
    pub fn stray_lines(&self) -> usize {
        self.st.stray
    }

    /// Bytes the reader holds on to: the replayed start, the line and message buffers.
    /// Bounded whatever the input's size (tested).
    pub fn buffer_bytes(&self) -> usize {
        let (replay, _) = self.src.get_ref();
        replay.get_ref().capacity()
            + self.line.capacity()
            + self.st.text.capacity()
            + self.st.names.iter().map(String::capacity).sum::<usize>()
            + self.st.authors.bytes()
    }

    /// The replayed start, once read, is given back.
    fn release_replay(&mut self) {
        let (replay, _) = self.src.get_mut();
        if replay.get_ref().capacity() > 0 && replay.position() >= replay.get_ref().len() as u64 {
            *replay = Cursor::new(Vec::new());
        }
    }
}

impl State {
    /// Takes one line; a message when the line starts the next one.
    fn feed(&mut self, raw: &[u8], cut: bool) -> Option<ChatMessage> {
        self.line_no += 1;
        if let Some((h, timestamp)) = self.header(raw) {
            let done = self.finish();
            self.begin(raw, &h, timestamp, cut);
            return done;
        }
        match &mut self.pending {
            Some(p) => push_line(&mut self.text, p, raw, cut),
            None => self.stray += 1,
        }
        None
    }

    /// The header and time of a line that starts a message of this file.
    fn header(&mut self, raw: &[u8]) -> Option<(Header, LocalDateTime)> {
        let h = header::parse(raw)?;
        match self.shape {
            Some(shape) if shape != h.shape => return None,
            Some(_) => {}
            None => {
                // Nothing in the first 64 KB looked like a message: the first header decides.
                if !date::plausible(h.shape.year_first, h.date) {
                    return None;
                }
                let mut e = Evidence::default();
                e.add(h.date);
                (self.order, self.basis) = e.decide(h.shape.year_first, h.shape.twelve_hour);
                self.shape = Some(h.shape);
            }
        }
        let timestamp = self.timestamp(&h)?;
        self.seen.add(h.date);
        Some((h, timestamp))
    }

    /// Starts the message of a header line: its author or notice, and the text's first line.
    fn begin(&mut self, raw: &[u8], h: &Header, timestamp: LocalDateTime, cut: bool) {
        let rest = lines::decode(raw.get(h.rest..).unwrap_or_default());
        let (author, system) = self.split(&rest, h.shape.bracketed);
        if system && lines::find_byte(self.text.as_bytes(), b':').is_some() {
            notice::learn_names(&self.text, &mut self.names);
        }
        let mut pending = Pending {
            author,
            timestamp,
            system,
            line: self.line_no,
            truncated: cut,
            multi_line: false,
        };
        bound(&mut self.text, &mut pending);
        self.pending = Some(pending);
    }

    /// The pending message, finished: markers out of its text, the text copied out.
    fn finish(&mut self) -> Option<ChatMessage> {
        let p = self.pending.take()?;
        let m = if p.system {
            lines::trim_in_place(&mut self.text);
            markers::Markers::default()
        } else {
            markers::take(&mut self.text, p.multi_line)
        };
        let text = self.text.as_str().to_owned();
        self.text.clear();
        Some(ChatMessage {
            author: p.author,
            timestamp: p.timestamp,
            text,
            system: p.system,
            media_omitted: m.media_omitted,
            deleted: m.deleted,
            edited: m.edited,
            attachment: m.attachment,
            location: m.location,
            line: p.line,
            truncated: p.truncated,
        })
    }

    /// The header's time, its date read in the file's order; a date only valid the other
    /// way round (the order was guessed wrong) is read that way rather than lost.
    fn timestamp(&self, h: &Header) -> Option<LocalDateTime> {
        let at = |order| {
            let (y, m, d) = date::ymd(order, h.date);
            LocalDateTime::new(
                y,
                u8::try_from(m).ok()?,
                u8::try_from(d).ok()?,
                h.hour,
                h.minute,
                h.second,
            )
        };
        let other = match self.order {
            DateOrder::DayFirst => DateOrder::MonthFirst,
            DateOrder::MonthFirst => DateOrder::DayFirst,
            DateOrder::YearFirst => DateOrder::YearFirst,
        };
        at(self.order).or_else(|| at(other))
    }

    /// "Name: text" → (author, false); a notice → (None, true). The text goes to
    /// `self.text`, without marks and trimmed.
    fn split(&mut self, rest: &str, ios: bool) -> (Option<String>, bool) {
        self.text.clear();
        // Android writes notices without a name.
        let Some(colon) = separator(rest, &self.names) else {
            return self.notice(rest);
        };
        let (name, text) = (&rest[..colon], &rest[colon + 1..]);
        // One space follows the colon; `get` rather than a `char` pattern (a memcmp call).
        let text = if text.as_bytes().first() == Some(&b' ') {
            text.get(1..).unwrap_or_default()
        } else {
            text
        };
        lines::push_clean(&mut self.text, lines::trim(text));
        if ios {
            // iOS: the group "says" its notices, the text after a direction mark. After a
            // mark any notice phrase counts; without one, only a sentence.
            let needed = if lines::starts_with_mark(text) {
                Strength::Short
            } else {
                Strength::Sentence
            };
            if notice::has_phrase(lines::trim(&self.text), needed) {
                let clean = lines::trim(&self.text).len();
                self.text.truncate(clean);
                return (None, true);
            }
            return match self.authors.get(name) {
                (Some(a), _) => (Some(a), false),
                (None, _) => self.notice(rest),
            };
        }
        // Android: a notice with ": " in a subject or a name ("… changed the subject from
        // "A" to "B: C"", "Mama Andi: Sidoarjo joined using …").
        // A name learned from a notice, followed by a verb rather than ':'.
        if self.names.iter().any(|n| {
            rest.strip_prefix(n.as_str())
                .is_some_and(|t| t.as_bytes().first() == Some(&b' '))
        }) {
            return self.notice(rest);
        }
        // The "name" holds a notice: "Rina removed Mama Andi: Sidoarjo".
        let (Some(a), false) = self.authors.get(name) else {
            return self.notice(rest);
        };
        // The phrase follows the rest of the name, a few words in ("Sidoarjo bergabung").
        if notice::may_be_named_notice(lines::trim(&self.text)) {
            return self.notice(rest);
        }
        (Some(a), false)
    }

    /// The whole rest of the line as a notice.
    fn notice(&mut self, rest: &str) -> (Option<String>, bool) {
        self.text.clear();
        lines::push_clean(&mut self.text, lines::trim(rest));
        let clean = lines::trim(&self.text).len();
        self.text.truncate(clean);
        (None, true)
    }
}

/// Authors already seen, as written → as shown: a chat has a few dozen people writing
/// thousands of messages, and cleaning a name (marks, "~", a notice check) costs more
/// than finding it again. A fixed table (two-way), so bounded: a new name takes a slot.
#[derive(Default)]
struct Authors {
    slots: Vec<Option<Seen>>,
}

/// A name as written, the author it stands for, and whether it is a notice instead.
#[derive(Clone)]
struct Seen {
    raw: Box<str>,
    author: Option<String>,
    notice: bool,
}

impl Authors {
    const BITS: u32 = 9;
    const SLOTS: usize = 1 << Self::BITS;
    const LONGEST: usize = 64;

    /// The author `raw` stands for, and whether it is really a notice.
    fn get(&mut self, raw: &str) -> (Option<String>, bool) {
        let compute = |raw: &str| {
            let a = author(raw);
            let notice = a
                .as_deref()
                .is_some_and(|a| a.contains(' ') && notice::has_phrase(a, Strength::Short));
            (a, notice)
        };
        if raw.len() > Self::LONGEST {
            return compute(raw);
        }
        // The first and last eight bytes and the length: names that share a start ("Bu ",
        // "+62 8") differ at the end. A collision only costs a miss.
        let b = raw.as_bytes();
        let word = |s: &[u8]| {
            let mut w = [0u8; 8];
            w[..s.len()].copy_from_slice(s);
            u64::from_le_bytes(w)
        };
        let (head, tail) = (&b[..b.len().min(8)], &b[b.len().saturating_sub(8)..]);
        let mixed = word(head).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ word(tail).rotate_left(29)
            ^ b.len() as u64;
        // The top bits of a product depend on every bit of its input.
        let slot = (mixed.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> (64 - Self::BITS)) as usize;
        if self.slots.is_empty() {
            self.slots.resize(Self::SLOTS, None);
        }
        // Two ways: a name may sit in its slot or the one paired with it.
        for probe in [slot, slot ^ 1] {
            if let Some(Some(seen)) = self.slots.get(probe)
                && *seen.raw == *raw
            {
                return (seen.author.clone(), seen.notice);
            }
        }
        let (a, notice) = compute(raw);
        let free = if self.slots.get(slot).is_some_and(Option::is_none) {
            slot
        } else {
            slot ^ 1
        };
        if let Some(s) = self.slots.get_mut(free) {
            *s = Some(Seen {
                raw: raw.into(),
                author: a.clone(),
                notice,
            });
        }
        (a, notice)
    }

    fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<Seen>>()
            + self
                .slots
                .iter()
                .flatten()
                .map(|s| s.raw.len() + s.author.as_ref().map_or(0, String::capacity))
                .sum::<usize>()
    }
}

/// The author as shown, without marks and the "~" WhatsApp puts before people who are not
/// in the exporter's contacts; `None` if nothing is left.
fn author(name: &str) -> Option<String> {
    let mut a = lines::clean(name);
    if a.as_bytes().first() == Some(&b'~') {
        a = a.get(1..).unwrap_or_default().trim_start().to_owned();
    }
    (!a.is_empty()).then_some(a)
}

/// Where the name ends: the first ": " (or a ':' ending the line) unless a longer prefix
/// up to a later ": " is a name learned from a notice.
fn separator(rest: &str, names: &[String]) -> Option<usize> {
    let b = rest.as_bytes();
    // The colons followed by a space or ending the line, in order.
    let mut at = 0;
    let mut next = || {
        while let Some(i) = lines::find_byte(b.get(at..)?, b':') {
            let i = at + i;
            at = i + 1;
            if b.get(i + 1).is_none_or(|&c| c == b' ') {
                return Some(i);
            }
        }
        None
    };
    let first = next()?;
    if names.is_empty() {
        return Some(first);
    }
    let mut best = first;
    while let Some(i) = next() {
        // Learned names are short: a long line of colons costs no more than a short one.
        if i > notice::MAX_NAME + 16 {
            break;
        }
        let candidate = lines::clean(&rest[..i]);
        if names.contains(&candidate) {
            best = i;
        }
    }
    Some(best)
}

/// Adds a continuation line to the pending message's text.
fn push_line(text: &mut String, p: &mut Pending, raw: &[u8], cut: bool) {
    if text.len() >= MAX_TEXT {
        p.truncated = true;
        return;
    }
    text.push('\n');
    p.multi_line = true;
    lines::push_clean(text, &lines::decode(raw));
    p.truncated |= cut;
    bound(text, p);
}

/// Keeps the text within [`MAX_TEXT`].
fn bound(text: &mut String, p: &mut Pending) {
    if text.len() > MAX_TEXT {
        let keep = lines::prefix_within(text, MAX_TEXT).len();
        text.truncate(keep);
        p.truncated = true;
    }
}

impl<R: BufRead> Iterator for ExportReader<R> {
    type Item = Result<ChatMessage, ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            // Parsing straight from the input's buffer was tried: no faster than this copy
            // (the copy is a memcpy; the checks to avoid it cost as much).
            let out = match lines::read_line(&mut self.src, &mut self.line) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
                Ok(None) => {
                    self.done = true;
                    self.release_replay();
                    return self.st.finish().map(Ok);
                }
                Ok(Some(cut)) => self.st.feed(&self.line, cut),
            };
            if self.st.line_no.is_multiple_of(1024) {
                self.release_replay();
            }
            if let Some(m) = out {
                return Some(Ok(m));
            }
        }
        None
    }
}
