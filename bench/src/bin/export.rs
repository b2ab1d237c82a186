//! bench/run export: Pasar's WhatsApp export reader against the npm package
//! `whatsapp-chat-parser` on the same generated 100k-message export, side by side in one run.
//!
//! `export [--npm DIR] [--script FILE]` generates the export, runs each parser in a process
//! of its own under `/usr/bin/time -v` (seven interleaved rounds, medians) and reports;
//! `export parse FILE` is the Pasar side: it reads the file and prints its count and time;
//! `export generate FILE` writes the export alone.

use pasar_bench::generate::Rng;
use pasar_bench::report;
use pasar_core::chat::export::ExportReader;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MESSAGES: usize = 100_000;
const ROUNDS: usize = 7;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("parse") => return parse(args.get(1).expect("usage: export parse FILE")),
        // The export alone, to profile the reader on it.
        Some("generate") => {
            let path = args.get(1).expect("usage: export generate FILE");
            generate(Path::new(path), 42, MESSAGES);
            return;
        }
        _ => {}
    }
    let flag = |name: &str, default: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let npm = flag("--npm", "target/bench-export/npm");
    let script = flag("--script", "bench/export/parse.mjs");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join("Chat WhatsApp dengan Pasar Warga RT 05.txt");
    let t = Instant::now();
    let truth = generate(&path, 42, MESSAGES);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64;
    eprintln!(
        "bench export: {} messages, {:.1} MB, generated in {:.1} s",
        truth.messages,
        bytes / 1e6,
        t.elapsed().as_secs_f64()
    );

    let me = std::env::current_exe().expect("own path");
    let file = path.to_string_lossy().into_owned();
    let pasar_cmd = [
        me.to_string_lossy().into_owned(),
        "parse".into(),
        file.clone(),
    ];
    let npm_cmd = ["node".to_owned(), script, file, npm];
    let (mut pasar, mut node) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        pasar.push(run(&pasar_cmd));
        node.push(run(&npm_cmd));
    }
    let (p, n) = (median(&pasar), median(&node));

    if p.messages != truth.messages {
        eprintln!(
            "warning: Pasar read {} messages, the export holds {}",
            p.messages, truth.messages
        );
    }
    if n.messages != p.messages {
        let extra = n.messages as i64 - p.messages as i64;
        if extra == truth.dated_continuations as i64 {
            eprintln!(
                "warning: whatsapp-chat-parser counts {} messages, Pasar {}: the npm parser starts a \
                 message at any line that begins with a date and a time, and the export has {} \
                 continuation lines like \"28/11/2020 jam 10.00 saya ambil\" inside orders; \
                 Pasar only starts one at a line in the file's own header shape",
                n.messages, p.messages, truth.dated_continuations
            );
        } else {
            eprintln!(
                "warning: whatsapp-chat-parser counts {} messages, Pasar {} (export: {}, {} \
                 dated continuation lines): unexplained difference",
                n.messages, p.messages, truth.messages, truth.dated_continuations
            );
        }
    }
    if p.system != truth.system {
        eprintln!(
            "warning: Pasar found {} notices, the export has {}",
            p.system, truth.system
        );
    }

    let baseline = format!("whatsapp-chat-parser@{} ({})", n.version, n.runtime);
    let b = "export";
    let rate = |r: &Run| truth.messages as f64 / r.seconds;
    report(
        b,
        "messages_per_s",
        "messages/s",
        rate(p),
        Some((rate(n), &baseline)),
        true,
    );
    report(
        b,
        "mb_per_s",
        "MB/s",
        bytes / 1e6 / p.seconds,
        Some((bytes / 1e6 / n.seconds, &baseline)),
        true,
    );
    report(
        b,
        "peak_rss_mb",
        "MB",
        p.rss_kb / 1024.0,
        Some((n.rss_kb / 1024.0, &baseline)),
        false,
    );
}

/// The Pasar side, in its own process so its peak RSS is its own.
fn parse(path: &str) {
    let t = Instant::now();
    let reader = ExportReader::open(path).expect("open");
    let (mut messages, mut system, mut chars) = (0usize, 0usize, 0usize);
    for m in reader {
        let m = m.expect("read");
        messages += 1;
        system += usize::from(m.system);
        chars += m.text.len() + m.author.map_or(0, |a| a.len());
    }
    let seconds = t.elapsed().as_secs_f64();
    std::hint::black_box(chars);
    println!(
        "{}",
        serde_json::json!({"messages": messages, "system": system, "seconds": seconds,
                           "version": env!("CARGO_PKG_VERSION"), "runtime": "rust"})
    );
}

struct Run {
    messages: usize,
    system: usize,
    seconds: f64,
    rss_kb: f64,
    version: String,
    runtime: String,
}

/// Runs one parser under GNU time: its own JSON line on stdout, its peak RSS from time.
fn run(cmd: &[String]) -> Run {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .args(cmd)
        .output()
        .expect("/usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        panic!("{} failed:\n{stderr}", cmd.join(" "));
    }
    let rss_kb = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("peak RSS from /usr/bin/time -v");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON from the parser");
    Run {
        messages: v["messages"].as_u64().unwrap_or(0) as usize,
        system: v["system"].as_u64().unwrap_or(0) as usize,
        seconds: v["seconds"].as_f64().unwrap_or(f64::NAN),
        rss_kb,
        version: v["version"].as_str().unwrap_or("?").to_owned(),
        runtime: v["runtime"].as_str().unwrap_or("?").to_owned(),
    }
}

/// The round with the median time (its RSS with it).
fn median(runs: &[Run]) -> &Run {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].seconds.total_cmp(&runs[b].seconds));
    &runs[order[order.len() / 2]]
}

/// What the generator wrote, to check both parsers against.
struct Truth {
    messages: usize,
    system: usize,
    /// Continuation lines that start with a date and a time, in another shape.
    dated_continuations: usize,
}

const PRODUCTS: &[(&str, u32)] = &[
    ("donat coklat", 25_000),
    ("donat gula", 20_000),
    ("risoles mayo", 5_000),
    ("pastel isi sayur", 4_000),
    ("brownies panggang", 65_000),
    ("bolu pandan", 45_000),
    ("kue lapis legit", 120_000),
    ("nasi kotak ayam bakar", 28_000),
    ("rendang 1/2 kg", 95_000),
    ("sambal bawang", 30_000),
    ("keripik singkong pedas", 15_000),
    ("basreng", 12_000),
    ("es kopi susu gula aren 1L", 85_000),
    ("thai tea 1L", 60_000),
    ("frozen dimsum isi 20", 55_000),
    ("bakso sapi frozen", 70_000),
    ("tempe mendoan", 10_000),
    ("pisang goreng keju", 18_000),
];

const NAMES: &[&str] = &[
    "Bu Rina (Kue) 🍩",
    "Mama Andi",
    "Pak Budi RT 05",
    "Sari",
    "Dewi Frozen Food ❄️",
    "Bu Haji Ningsih",
    "Teh Yuyun",
    "Mbak Lia Blok C",
    "Pak Joko",
    "Ci Melati",
    "Bunda Aira 🌸",
    "Mas Dimas",
    "Ayu",
    "Bu Endang Catering",
    "Kak Nisa",
];

const QUESTIONS: &[&str] = &[
    "masih ada kak?",
    "harganya berapa bu?",
    "bisa antar ke blok C?",
    "COD di pos satpam bisa?",
    "PO nya kapan ditutup bu?",
    "ready hari ini kak?",
    "bisa transfer BCA?",
    "minimal order berapa?",
    "yg pedas ada?",
    "ongkir ke perumahan sebelah berapa?",
];

const REPLIES: &[&str] = &[
    "ready kak, silakan japri",
    "siap bu, dicatat ya",
    "bisa, ambil jam 4 sore ya",
    "maaf sudah habis 🙏",
    "makasih bu 🙏🙏",
    "sudah transfer ya kak",
    "oke noted",
    "wah enak banget kemarin, pesan lagi ya",
];

/// Writes a market group's export, Android in Indonesian (`26/11/20 20.05 - `).
fn generate(path: &Path, seed: u64, n: usize) -> Truth {
    let mut rng = Rng::new(seed);
    let people: Vec<String> = NAMES
        .iter()
        .map(|s| (*s).to_owned())
        .chain((0..45).map(|_| {
            format!(
                "\u{202a}+62 8{}{}-{:04}-{:04}\u{202c}",
                1 + rng.below(9),
                rng.below(10),
                rng.below(10_000),
                rng.below(10_000)
            )
        }))
        .collect();
    let file = std::fs::File::create(path).expect("create");
    let mut out = std::io::BufWriter::new(file);
    let mut truth = Truth {
        messages: 0,
        system: 0,
        dated_continuations: 0,
    };
    // 26 November 2020, 06.00, then a message every 0–4 minutes, nights quieter.
    let (mut day, mut month, mut year, mut minutes) = (26u32, 11u32, 20u32, 6 * 60u32);
    let mut line = String::new();
    for i in 0..n {
        minutes += rng.below(5) as u32;
        if minutes >= 22 * 60 {
            minutes = 6 * 60 + rng.below(60) as u32;
            day += 1;
            let days = match month {
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if day > days {
                day = 1;
                month += 1;
                if month > 12 {
                    month = 1;
                    year += 1;
                }
            }
        }
        line.clear();
        let _ = write!(
            line,
            "{day:02}/{month:02}/{year:02} {:02}.{:02} - ",
            minutes / 60,
            minutes % 60
        );
        let who = rng.pick(&people).clone();
        let (name, price) = *rng.pick(PRODUCTS);
        let roll = rng.below(1000);
        if i == 0 {
            line.push_str("Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya. Ketuk untuk info selengkapnya.");
            truth.system += 1;
        } else if roll < 20 {
            let other = rng.pick(&people).clone();
            match rng.below(4) {
                0 => {
                    let _ = write!(line, "{who} bergabung menggunakan tautan undangan grup ini");
                }
                1 => {
                    let _ = write!(line, "{who} keluar");
                }
                2 => {
                    let _ = write!(line, "{who} menambahkan {other}");
                }
                _ => {
                    let _ = write!(
                        line,
                        "Kode keamanan Anda dengan {who} telah berubah. Ketuk untuk info selengkapnya."
                    );
                }
            }
            truth.system += 1;
        } else if roll < 110 {
            let _ = write!(line, "{who}: <Media tidak disertakan>");
        } else if roll < 120 {
            let _ = write!(line, "{who}: Pesan ini telah dihapus");
        } else if roll < 125 {
            let _ = write!(
                line,
                "{who}: lokasi: https://maps.google.com/?q=-6.{},106.{}",
                rng.below(999_999),
                rng.below(999_999)
            );
        } else if roll < 135 {
            let _ = write!(
                line,
                "{who}: IMG-20201126-WA{:04}.jpg (file terlampir)\nini fotonya kak",
                rng.below(10_000)
            );
        } else if roll < 235 {
            // A seller's post over several lines.
            let _ = writeln!(line, "{who}: *READY HARI INI* 🔥");
            for _ in 0..2 + rng.below(4) {
                let (item, p) = *rng.pick(PRODUCTS);
                let _ = writeln!(line, "- {item} {}rb", p / 1000);
            }
            line.push_str("Order japri / komen di sini ya 🙏");
        } else if roll < 385 {
            // The group's order template, filled in.
            let qty = 1 + rng.below(5);
            let _ = write!(
                line,
                "{who}: Format order:\nNama: {}\nPesanan: {name} {qty} box\nTotal: Rp{}.000\nAlamat: Blok {}/{}\nAmbil/antar: {}",
                rng.pick(NAMES),
                price as usize * qty / 1000,
                ["A", "B", "C", "D"][rng.below(4)],
                1 + rng.below(40),
                ["ambil", "antar"][rng.below(2)]
            );
            if rng.chance(7) {
                let _ = write!(
                    line,
                    "\n{:02}/{month:02}/20{year:02} jam {:02}.00 saya ambil",
                    (day % 28) + 1,
                    8 + rng.below(10)
                );
                truth.dated_continuations += 1;
            }
        } else if roll < 600 {
            let _ = write!(
                line,
                "{who}: {} {name} {} {}",
                ["pesan", "mau", "PO", "order", "saya ambil"][rng.below(5)],
                1 + rng.below(5),
                ["box", "pcs", "porsi", "pack"][rng.below(4)]
            );
            if rng.chance(3) {
                line.push_str(" <Pesan ini diedit>");
            }
        } else if roll < 800 {
            let _ = write!(line, "{who}: {} {name}", rng.pick(QUESTIONS));
        } else {
            let _ = write!(line, "{who}: {}", rng.pick(REPLIES));
        }
        line.push('\n');
        out.write_all(line.as_bytes()).expect("write");
        truth.messages += 1;
    }
    out.flush().expect("flush");
    truth
}
