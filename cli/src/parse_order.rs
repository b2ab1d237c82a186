//! `pasar parse order --catalog CATALOG.json [--score]`: JSON lines `{"id", "text"}` on
//! stdin, one JSON line out for each: `{"id", "intent", "items": [{"product_id", "qty",
//! "variant"}], "phone", "address", "payment", "name", "confidence", "spans"}` (plus
//! "ambiguous" and "unknown" lines the admin must settle). With `--score`, the input
//! lines also carry the expected reading, and the score report goes to stderr.

use pasar_core::chat::order::report::{reading, score, to_json};
use pasar_core::chat::order::{ChatCatalog, parse_message};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::io::{BufRead, BufWriter, Write};

/// The usual input line, read without building a `Value` tree (a file of 100k messages
/// is common). Anything else (no text, a text that is not a string, a repeated key)
/// goes the general way, which also words the error.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(default)]
    id: Value,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

const USAGE: &str = "usage: pasar parse order --catalog CATALOG.json [--score] < messages.jsonl";

pub fn load_catalog(path: &str) -> Result<ChatCatalog, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    ChatCatalog::from_json(&bytes).map_err(|e| format!("{path}: {e}"))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut catalog = None;
    let mut scoring = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--catalog" => catalog = Some(it.next().ok_or(USAGE)?.clone()),
            "--score" => scoring = true,
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let catalog = load_catalog(&catalog.ok_or(USAGE)?)?;
    let stdout = std::io::stdout();
    // 64 KB at a time: 100k readings are some 50 MB, and a write per 8 KB is thousands.
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let (mut expected, mut actual) = (Vec::new(), Vec::new());
    // One reading's JSON, the buffer reused line after line.
    let mut line_out = Vec::new();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        // (Only an object: serde would read an array as the fields in order.)
        if !scoring
            && line.trim_start().starts_with('{')
            && let Ok(input) = serde_json::from_str::<Line>(&line)
        {
            let parsed = parse_message(&input.text, &catalog);
            line_out.clear();
            reading(&input.id, &input.text, &parsed)
                .write_json(&mut line_out)
                .map_err(|e| format!("cannot write: {e}"))?;
            line_out.push(b'\n');
            out.write_all(&line_out)
                .map_err(|e| format!("cannot write: {e}"))?;
            continue;
        }
        // A broken line is answered with its error, and the rest still read.
        let input: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let err = serde_json::json!({"line": n + 1, "error": format!("not JSON: {e}")});
                writeln!(out, "{err}").map_err(|e| e.to_string())?;
                continue;
            }
        };
        let Some(text) = input["text"].as_str() else {
            let err = serde_json::json!({"id": input["id"], "line": n + 1, "error": "no \"text\""});
            writeln!(out, "{err}").map_err(|e| e.to_string())?;
            continue;
        };
        let reading = to_json(&input["id"], text, &parse_message(text, &catalog));
        writeln!(out, "{reading}").map_err(|e| format!("cannot write: {e}"))?;
        if scoring {
            expected.push(input);
            actual.push(reading);
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    if scoring {
        eprint!("{}", score(&expected, &actual));
    }
    Ok(())
}
