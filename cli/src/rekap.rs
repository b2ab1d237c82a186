//! `pasar rekap EXPORT.txt --catalog CATALOG.json`: a WhatsApp chat export → every
//! buyer's order, later messages applied, priced from the catalog, printed as the rekap
//! an admin posts back to the group (or as CSV / JSON). The export is read as a stream;
//! a progress bar shows on a terminal for large files.

use pasar_core::chat::buyers::ChatOrders;
use pasar_core::chat::export::{ExportError, ExportReader};
use pasar_core::chat::rekap::{self, Rekap};
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const USAGE: &str = "usage: pasar rekap EXPORT.txt --catalog CATALOG.json [--format text|csv|json] [--admin NAME]... [--title TEXT]";

/// Counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn bar(done: u64, total: u64, messages: usize) {
    let pct = (done * 100).checked_div(total).unwrap_or(100).min(100);
    let filled = (pct / 4) as usize;
    eprint!(
        "\r[{}{}] {pct:>3}% {messages} pesan",
        "#".repeat(filled),
        "-".repeat(25 - filled)
    );
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (mut path, mut catalog, mut format, mut title) =
        (None, None, "text".to_owned(), String::new());
    let mut admins = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--catalog" => catalog = Some(it.next().ok_or(USAGE)?.clone()),
            "--format" => format = it.next().ok_or(USAGE)?.clone(),
            "--admin" => admins.push(it.next().ok_or(USAGE)?.clone()),
            "--title" => title = it.next().ok_or(USAGE)?.clone(),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option `{flag}`\n{USAGE}"));
            }
            file if path.is_none() => path = Some(file.to_owned()),
            _ => return Err(USAGE.into()),
        }
    }
    let path = path.ok_or(USAGE)?;
    if !matches!(format.as_str(), "text" | "csv" | "json") {
        return Err(format!("unknown format `{format}`: text, csv or json"));
    }
    let catalog = crate::parse_order::load_catalog(&catalog.ok_or(USAGE)?)?;
    let file = std::fs::File::open(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: file,
        read: read.clone(),
    };
    let reader = ExportReader::new(std::io::BufReader::new(counting))
        .map_err(|ExportError::Io(e)| format!("cannot read {path}: {e}"))?;
    let progress = std::io::stderr().is_terminal() && total > 1_000_000;
    let mut orders = ChatOrders::new(&catalog).with_admins(admins);
    for (i, m) in reader.enumerate() {
        let m = m.map_err(|e| format!("{path}: {e}"))?;
        orders.feed_export(&m);
        if progress && i % 5_000 == 0 {
            bar(read.load(Ordering::Relaxed), total, i);
        }
    }
    let tally = orders.tally();
    if progress {
        bar(total, total, tally.messages);
        eprintln!();
    }
    let r: Rekap = rekap::rekap(orders.orders(), &catalog);
    let text = match format.as_str() {
        "csv" => rekap::to_csv(&r),
        "json" => format!("{:#}\n", rekap::to_json(&r)),
        _ => rekap::to_whatsapp(&r, &title),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    eprintln!(
        "pasar: {} messages: {} orders, {} questions, {} cancels, {} other, {} menus, {} skipped",
        tally.messages,
        tally.orders,
        tally.questions,
        tally.cancels,
        tally.other,
        tally.announcements,
        tally.skipped
    );
    Ok(())
}
