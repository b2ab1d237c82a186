//! `pasar parse export FILE`: a WhatsApp chat export as JSON, written as it is read, so a
//! 100 MB export never sits in memory.

use pasar_core::chat::export::{ChatMessage, ExportError, ExportReader, OrderBasis};
use std::io::{self, BufWriter, Write};

const USAGE: &str = "usage: pasar parse export FILE";

pub fn run(args: &[String]) -> Result<(), String> {
    let [path] = args else {
        return Err(USAGE.into());
    };
    if path.starts_with('-') {
        return Err(format!("unknown option `{path}`\n{USAGE}"));
    }
    let reader = ExportReader::open(path)
        .map_err(|ExportError::Io(e)| format!("cannot read {path}: {e}"))?;
    // Said when the day/month order was a guess, so an admin can check a date.
    if matches!(
        reader.order_basis(),
        OrderBasis::Clock | OrderBasis::Default
    ) {
        eprintln!(
            "pasar: note: no date in {path} says which number is the day; read as {:?}",
            reader.date_order()
        );
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write_json(reader, &mut out, path).map_err(|e| e.to_string())
}

/// `{"messages": [...]}`, one message per line.
fn write_json<R: io::BufRead>(
    reader: ExportReader<R>,
    out: &mut impl Write,
    path: &str,
) -> io::Result<()> {
    out.write_all(b"{\"messages\": [")?;
    for (i, message) in reader.enumerate() {
        let message = message.map_err(|e| io::Error::other(format!("{path}: {e}")))?;
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write_message(out, &message)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// One message, its fields in the documented order (a `json!` map would sort them).
fn write_message(out: &mut impl Write, m: &ChatMessage) -> io::Result<()> {
    out.write_all(b"{\"author\":")?;
    serde_json::to_writer(&mut *out, &m.author)?;
    write!(out, ",\"timestamp\":\"{}\",\"text\":", m.timestamp)?;
    serde_json::to_writer(&mut *out, &m.text)?;
    write!(
        out,
        ",\"system\":{},\"media_omitted\":{},\"deleted\":{},\"edited\":{},\"attachment\":",
        m.system, m.media_omitted, m.deleted, m.edited
    )?;
    serde_json::to_writer(&mut *out, &m.attachment)?;
    out.write_all(b",\"location\":")?;
    serde_json::to_writer(&mut *out, &m.location)?;
    write!(out, ",\"line\":{},\"truncated\":{}}}", m.line, m.truncated)
}
