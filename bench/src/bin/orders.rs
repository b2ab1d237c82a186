//! bench/run orders: order extraction from chat, Pasar's `pasar parse order` against a
//! regex + rapidfuzz extractor in Python (`bench/orders/baseline.py`), on the same
//! generated 100k WhatsApp messages and 5k-product catalog, side by side in one run.
//!
//! `orders [--pasar PATH] [--python PATH] [--script FILE] [--messages N] [--cpu N]
//! [--dir DIR]` generates the chat, runs each extractor in a process of its own under
//! `/usr/bin/time -v`, pinned to one CPU (three interleaved rounds, medians), scores both
//! outputs against the truth and reports time, peak RSS, item F1 and intent accuracy.
//! Both read `{"id","text"}` lines on stdin, get `--catalog FILE`, and print one
//! `{"id","intent","items":[{"product_id","qty"}]}` line per message; `--dir` keeps the
//! inputs and outputs there instead of in a temporary folder.
//!
//! `orders generate DIR` writes `catalog.json`, `messages.jsonl` and `truth.jsonl` alone;
//! `orders score OUTPUT` scores an extractor's output on the first N of those messages
//! (N = its lines, so `head -n N messages.jsonl` can be run) against their truth, for
//! iterating on one extractor without the whole run; `orders extract --catalog FILE`
//! is `pasar parse order`'s loop in this crate alone (pasar-core without the server the
//! CLI links), to profile the core while the rest of the tree is being changed.

// As `pasar parse order` allocates (cli/Cargo.toml): `orders extract` stands in for it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pasar_bench::chat::{Catalog, ChatWriter, Intent, Message};
use pasar_bench::report;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const PRODUCTS: usize = 5_000;
const MESSAGES: usize = 100_000;
const ROUNDS: usize = 3;
const SEED: u64 = 42;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("generate") {
        let dir = PathBuf::from(args.get(1).expect("usage: orders generate DIR"));
        std::fs::create_dir_all(&dir).expect("create DIR");
        let t = Instant::now();
        let (catalog, messages) = generate(&dir, MESSAGES);
        eprintln!(
            "bench orders: {} products ({} with a two-term short name), {} messages in {} ({:.1} s)",
            catalog.len(),
            catalog.shortened(),
            messages.len(),
            dir.display(),
            t.elapsed().as_secs_f64()
        );
        return;
    }
    if args.first().map(String::as_str) == Some("extract") {
        extract(args.get(2).expect("usage: orders extract --catalog FILE"));
        return;
    }
    if args.first().map(String::as_str) == Some("score") {
        let out = PathBuf::from(args.get(1).expect("usage: orders score OUTPUT"));
        let file = File::open(&out).expect("open OUTPUT");
        let n = BufReader::new(file).lines().count();
        // The same seeded generation as `generate`, so the truth is the one written.
        let catalog = Catalog::generate(SEED, PRODUCTS);
        let messages = ChatWriter::new(&catalog, SEED).messages(n);
        score(&out, &messages, &catalog).describe(&out.to_string_lossy());
        return;
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args.get(i + 1).cloned().expect("a value after the flag"))
    };
    let pasar = flag("--pasar").unwrap_or_else(|| "target/release/pasar".into());
    let python = flag("--python").unwrap_or_else(|| "target/bench-orders/venv/bin/python".into());
    let script = flag("--script").unwrap_or_else(|| "bench/orders/baseline.py".into());
    let n: usize = flag("--messages").map_or(MESSAGES, |v| v.parse().expect("--messages N"));
    // One CPU for both, the last one by default: the goal is set for one core, and a
    // shared machine's other work lands on both extractors alike.
    let cpu: usize = flag("--cpu").map_or_else(
        || std::thread::available_parallelism().map_or(0, |c| c.get() - 1),
        |v| v.parse().expect("--cpu N"),
    );
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = flag("--dir").map_or_else(|| temp.path().to_owned(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("create --dir");

    let t = Instant::now();
    let (catalog, truth) = generate(&dir, n);
    let bytes = std::fs::metadata(dir.join("messages.jsonl")).map_or(0, |m| m.len()) as f64;
    eprintln!(
        "bench orders: {} messages ({:.1} MB), {} products, generated in {:.1} s",
        truth.len(),
        bytes / 1e6,
        catalog.len(),
        t.elapsed().as_secs_f64()
    );

    let catalog_path = dir.join("catalog.json").to_string_lossy().into_owned();
    let pin = if Path::new("/usr/bin/taskset").exists() {
        eprintln!("bench orders: both extractors pinned to CPU {cpu}");
        vec!["taskset".to_owned(), "-c".to_owned(), cpu.to_string()]
    } else {
        eprintln!("warning: no taskset: the extractors may use more than one core");
        Vec::new()
    };
    let pasar_cmd: Vec<String> = pin
        .iter()
        .cloned()
        .chain([
            pasar,
            "parse".into(),
            "order".into(),
            "--catalog".into(),
            catalog_path.clone(),
        ])
        .collect();
    let baseline_cmd: Vec<String> = pin
        .iter()
        .cloned()
        .chain([python.clone(), script, "--catalog".into(), catalog_path])
        .collect();
    let input = dir.join("messages.jsonl");
    let (pasar_out, baseline_out) = (dir.join("pasar.jsonl"), dir.join("baseline.jsonl"));
    let (mut p_runs, mut b_runs) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let p = run(&pasar_cmd, &input, &pasar_out);
        let b = run(&baseline_cmd, &input, &baseline_out);
        eprintln!(
            "bench orders: round {round}/{ROUNDS}: pasar {:.2} s ({:.0} MB), baseline {:.2} s ({:.0} MB)",
            p.seconds,
            p.rss_kb / 1024.0,
            b.seconds,
            b.rss_kb / 1024.0
        );
        p_runs.push(p);
        b_runs.push(b);
    }
    let (p, b) = (median(&p_runs), median(&b_runs));

    // The outputs of the last round: both extractors are deterministic.
    let ps = score(&pasar_out, &truth, &catalog);
    let bs = score(&baseline_out, &truth, &catalog);
    ps.describe("pasar");
    bs.describe("baseline");

    let baseline = baseline_name(&python);
    let bench = "orders";
    let metric = if n == MESSAGES {
        "extract_100k".to_owned()
    } else {
        format!("extract_{n}")
    };
    let base = |v: f64| Some((v, baseline.as_str()));
    report(bench, &metric, "s", p.seconds, base(b.seconds), false);
    report(
        bench,
        "peak_rss_mb",
        "MB",
        p.rss_kb / 1024.0,
        base(b.rss_kb / 1024.0),
        false,
    );
    report(bench, "item_f1", "F1", ps.f1(), base(bs.f1()), true);
    report(
        bench,
        "intent_accuracy",
        "fraction",
        ps.intent_accuracy(),
        base(bs.intent_accuracy()),
        true,
    );
}

/// `pasar parse order --catalog FILE` (cli/src/parse_order.rs) without the CLI: its
/// usual line read the same way, into a borrowed struct rather than a `Value` tree.
fn extract(catalog: &str) {
    use pasar_core::chat::order::{ChatCatalog, parse_message, report::reading};
    use std::borrow::Cow;
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(default)]
        id: serde_json::Value,
        #[serde(borrow)]
        text: Cow<'a, str>,
    }
    let bytes = std::fs::read(catalog).expect("read the catalog");
    let catalog = ChatCatalog::from_json(&bytes).expect("a catalog");
    let stdout = std::io::stdout();
    // 64 KB at a time: 100k readings are some 50 MB, and a write per 8 KB is thousands.
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line_out = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("read stdin");
        let input: Line = serde_json::from_str(&line).expect("an {\"id\", \"text\"} line");
        let parsed = parse_message(&input.text, &catalog);
        line_out.clear();
        reading(&input.id, &input.text, &parsed)
            .write_json(&mut line_out)
            .expect("write");
        line_out.push(b'\n');
        out.write_all(&line_out).expect("write");
    }
    out.flush().expect("write");
}

/// Writes the catalog, the messages and the truth into `dir`.
fn generate(dir: &Path, n: usize) -> (Catalog, Vec<Message>) {
    let catalog = Catalog::generate(SEED, PRODUCTS);
    let messages = ChatWriter::new(&catalog, SEED).messages(n);
    let file = File::create(dir.join("catalog.json")).expect("create catalog.json");
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, &catalog.rows).expect("write catalog.json");
    out.flush().expect("write catalog.json");
    let write_lines = |name: &str, line: &dyn Fn(&Message) -> serde_json::Value| {
        let file = File::create(dir.join(name)).expect("create");
        let mut out = BufWriter::new(file);
        for m in &messages {
            serde_json::to_writer(&mut out, &line(m)).expect("write");
            out.write_all(b"\n").expect("write");
        }
        out.flush().expect("write");
    };
    write_lines("messages.jsonl", &Message::input_json);
    write_lines("truth.jsonl", &|m| m.truth_json(&catalog));
    (catalog, messages)
}

struct Run {
    seconds: f64,
    rss_kb: f64,
}

/// Runs one extractor under GNU time, messages on stdin and its lines into `out`: the
/// wall time from here (process start and catalog loading count), the peak RSS from time.
fn run(cmd: &[String], input: &Path, out: &Path) -> Run {
    let stdin = File::open(input).expect("open messages.jsonl");
    let stdout = File::create(out).expect("create the output file");
    let t = Instant::now();
    let child = Command::new("/usr/bin/time")
        .arg("-v")
        .args(cmd)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("/usr/bin/time");
    let seconds = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&child.stderr);
    if !child.status.success() {
        panic!("{} failed:\n{stderr}", cmd.join(" "));
    }
    let rss_kb = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("peak RSS from /usr/bin/time -v");
    Run { seconds, rss_kb }
}

/// The round with the median time (its RSS with it).
fn median(runs: &[Run]) -> &Run {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].seconds.total_cmp(&runs[b].seconds));
    &runs[order[order.len() / 2]]
}

/// "regex+rapidfuzz 3.x (python 3.y)", from the baseline's own interpreter.
fn baseline_name(python: &str) -> String {
    let out = Command::new(python)
        .args([
            "-c",
            "import rapidfuzz, platform; print(rapidfuzz.__version__, platform.python_version())",
        ])
        .output();
    let text = out
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    match text.split_once(' ') {
        Some((fuzz, py)) => format!("regex+rapidfuzz@{fuzz} (python {py})"),
        None => "regex+rapidfuzz (python)".to_owned(),
    }
}

/// An extractor's output against the truth.
#[derive(Default)]
struct Score {
    messages: usize,
    /// Messages with no output line, lines that are not `{"id",…}` JSON, repeated ids.
    missing: usize,
    bad_lines: usize,
    repeated: usize,
    intent_right: HashMap<&'static str, (usize, usize)>,
    unknown_intents: HashMap<String, usize>,
    true_pos: usize,
    false_pos: usize,
    false_neg: usize,
}

impl Score {
    /// Micro F1 over (message, product, quantity) triples.
    fn f1(&self) -> f64 {
        let found = 2 * self.true_pos + self.false_pos + self.false_neg;
        if found == 0 {
            return 1.0;
        }
        2.0 * self.true_pos as f64 / found as f64
    }

    fn precision(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_pos).max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_neg).max(1) as f64
    }

    fn intent_accuracy(&self) -> f64 {
        let right: usize = self.intent_right.values().map(|(r, _)| r).sum();
        right as f64 / self.messages.max(1) as f64
    }

    fn describe(&self, who: &str) {
        let per_intent: Vec<String> = Intent::ALL
            .iter()
            .map(|i| {
                let (right, all) = self.intent_right.get(i.as_str()).copied().unwrap_or((0, 0));
                format!("{} {:.3}", i.as_str(), right as f64 / all.max(1) as f64)
            })
            .collect();
        eprintln!(
            "bench orders: {who}: items P {:.3} R {:.3} F1 {:.3}; intents {:.3} ({})",
            self.precision(),
            self.recall(),
            self.f1(),
            self.intent_accuracy(),
            per_intent.join(", ")
        );
        if self.missing + self.bad_lines + self.repeated > 0 {
            eprintln!(
                "warning: {who}: {} messages without an output line, {} unreadable lines, {} repeated ids",
                self.missing, self.bad_lines, self.repeated
            );
        }
        if !self.unknown_intents.is_empty() {
            let mut unknown: Vec<_> = self.unknown_intents.iter().collect();
            unknown.sort();
            eprintln!("warning: {who}: intents outside order|question|cancel|other: {unknown:?}");
        }
    }
}

/// What an extractor said about one message.
struct Said {
    intent: String,
    /// Product id and quantity in thousandths (a 1,5 kg line is 1500).
    items: Vec<(String, Option<i64>)>,
}

fn score(path: &Path, truth: &[Message], catalog: &Catalog) -> Score {
    let mut s = Score {
        messages: truth.len(),
        ..Score::default()
    };
    let file = File::open(path).expect("open an extractor's output");
    let mut said: HashMap<String, Said> = HashMap::with_capacity(truth.len());
    for line in BufReader::new(file).lines() {
        let line = line.expect("read an extractor's output");
        if line.trim().is_empty() {
            continue;
        }
        let Some((id, one)) = parse_line(&line) else {
            s.bad_lines += 1;
            continue;
        };
        if said.insert(id, one).is_some() {
            s.repeated += 1;
        }
    }
    for m in truth {
        let entry = s.intent_right.entry(m.intent.as_str()).or_insert((0, 0));
        entry.1 += 1;
        let mut expected: Vec<(&str, i64)> = m
            .items
            .iter()
            .map(|i| (catalog.id(i.product), i64::from(i.qty) * 1000))
            .collect();
        let Some(one) = said.get(&m.id) else {
            s.missing += 1;
            s.false_neg += expected.len();
            continue;
        };
        if one.intent.eq_ignore_ascii_case(m.intent.as_str()) {
            entry.0 += 1;
        } else if !Intent::ALL
            .iter()
            .any(|i| one.intent.eq_ignore_ascii_case(i.as_str()))
        {
            *s.unknown_intents.entry(one.intent.clone()).or_default() += 1;
        }
        // Multisets: the same product twice (two variants) counts twice.
        for (product, qty) in &one.items {
            let hit =
                qty.and_then(|q| expected.iter().position(|(p, eq)| p == product && *eq == q));
            match hit {
                Some(k) => {
                    expected.swap_remove(k);
                    s.true_pos += 1;
                }
                None => s.false_pos += 1,
            }
        }
        s.false_neg += expected.len();
    }
    s
}

/// One output line; a quantity may be a number or a numeric string.
fn parse_line(line: &str) -> Option<(String, Said)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let id = v.get("id")?.as_str()?.to_owned();
    let intent = v
        .get("intent")
        .and_then(|i| i.as_str())
        .unwrap_or("")
        .to_owned();
    let items = v
        .get("items")
        .and_then(|i| i.as_array())
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let product = item
                        .get("product_id")
                        .map(|p| match p {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_default();
                    let qty = item.get("qty").and_then(|q| match q {
                        serde_json::Value::String(s) => s.trim().replace(',', ".").parse().ok(),
                        other => other.as_f64(),
                    });
                    (product, qty.map(|q: f64| (q * 1000.0).round() as i64))
                })
                .collect()
        })
        .unwrap_or_default();
    Some((id, Said { intent, items }))
}
