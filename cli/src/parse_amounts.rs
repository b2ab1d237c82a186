//! `pasar parse number` and `pasar parse money`: one expression per line on stdin (or one
//! per argument), one JSON line out for each, for admins and for scoring the parsers.
//!
//! number: `{"text","value"}`, plus `"unit"`, `"pieces"`, `"inner"`, `"grams"`/`"ml"` for
//! quantities (value is the number as written: "2 lusin" → 2, pieces 24) and
//! `"ordinal": true` for positions. money: `{"text","idr"}` for one amount,
//! `{"text","idr_min","idr_max"}` for ranges and bounds (the open end null), plus
//! `"approximate": true` for "sekitar 50rb"; `"idr": null` when the text is not an
//! amount of rupiah. A bare number is rupiah when it is shaped like a price ("25000"),
//! not a count ("2").
//!
//! `--scan` reads each line as a chat message instead and lists every number in it
//! (`{"text","found":[{"start","end","text","kind",…}]}`), classified as the order
//! parser will see it: amount, quantity, ordinal, or what else it is (date, phone…).

use pasar_core::Rupiah;
use pasar_core::chat::numbers::{
    self, Amount, AmountKind, Bare, Decimal, Measure, Mention, Number, Quantity,
};
use serde_json::{Map, Value};
use std::io::{BufRead, Write};

pub fn run(what: &str, args: &[String]) -> Result<(), String> {
    let describe: fn(&str) -> Map<String, Value> = match what {
        "number" => number,
        "money" => money,
        other => return Err(format!("unknown parse action `{other}`: number or money")),
    };
    let scan_mode = args.iter().any(|a| a == "--scan");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--scan").collect();
    if let Some(flag) = args.iter().find(|a| a.starts_with("--")) {
        return Err(format!(
            "unknown option `{flag}`: `pasar parse {what} [--scan] [TEXT...]` reads lines on stdin, or takes the texts as arguments"
        ));
    }
    let describe = if scan_mode { scan } else { describe };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut emit = |text: &str| {
        let line = Value::Object(describe(text)).to_string();
        writeln!(out, "{line}").map_err(|e| format!("cannot write: {e}"))
    };
    if args.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| format!("cannot read stdin: {e}"))?;
            emit(line.trim_end_matches('\r'))?;
        }
    } else {
        for arg in args {
            emit(arg)?;
        }
    }
    Ok(())
}

/// Every number in a chat message, classified.
fn scan(text: &str) -> Map<String, Value> {
    let found: Vec<Value> = numbers::scan(text, Bare::AfterPriceWord)
        .into_iter()
        .map(|(span, mention)| {
            let mut m = Map::new();
            m.insert("start".into(), span.start.into());
            m.insert("end".into(), span.end.into());
            m.insert("text".into(), text[span.start..span.end].into());
            match mention {
                Mention::Amount(a) => {
                    m.insert("kind".into(), "amount".into());
                    m.extend(money_fields(&a));
                }
                Mention::Quantity(q) => {
                    m.insert("kind".into(), "quantity".into());
                    put_quantity(&mut m, &q);
                }
                Mention::Ordinal(n) => {
                    m.insert("kind".into(), "ordinal".into());
                    put_number(&mut m, n);
                }
                Mention::Other(other) => {
                    m.insert("kind".into(), format!("{other:?}").to_lowercase().into());
                }
            }
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("text".into(), text.into());
    m.insert("found".into(), found.into());
    m
}

fn number(text: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("text".into(), text.into());
    if let Some(n) = numbers::parse_number(text) {
        put_number(&mut m, n);
    } else if let Some(q) = numbers::parse_quantity(text) {
        put_quantity(&mut m, &q);
    } else {
        // Not one expression: a message with exactly one number in it ("pesen 2 lusin").
        let found: Vec<Mention> = numbers::scan(text, Bare::AfterPriceWord)
            .into_iter()
            .map(|(_, mention)| mention)
            .collect();
        match found.as_slice() {
            [Mention::Quantity(q)] => put_quantity(&mut m, q),
            [Mention::Ordinal(n)] => put_number(&mut m, *n),
            [Mention::Amount(a)] if a.exact().is_some() => {
                let idr = a.exact().map(|r| Value::from(r.idr()));
                m.insert("value".into(), idr.unwrap_or(Value::Null));
            }
            _ => {
                m.insert("value".into(), Value::Null);
            }
        }
    }
    m
}

fn put_number(m: &mut Map<String, Value>, n: Number) {
    m.insert("value".into(), decimal(n.value));
    if n.ordinal {
        m.insert("ordinal".into(), true.into());
    }
}

fn put_quantity(m: &mut Map<String, Value>, q: &Quantity) {
    m.insert("value".into(), decimal(q.amount));
    if let Some(unit) = q.unit {
        m.insert("unit".into(), unit.name.into());
    }
    if let Some(pieces) = q.pieces {
        m.insert("pieces".into(), decimal(pieces));
    }
    if let Some(inner) = q.inner {
        m.insert("inner".into(), decimal(inner));
    }
    match q.measure {
        Some(Measure::Grams(g)) => {
            m.insert("grams".into(), decimal(g));
        }
        Some(Measure::Millilitres(ml)) => {
            m.insert("ml".into(), decimal(ml));
        }
        None => {}
    }
}

fn money(text: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("text".into(), text.into());
    match numbers::parse_amount(text) {
        None => {
            m.insert("idr".into(), Value::Null);
        }
        Some(a) => m.extend(money_fields(&a)),
    }
    m
}

fn money_fields(a: &Amount) -> Map<String, Value> {
    let mut m = Map::new();
    let idr = |r: Option<Rupiah>| r.map_or(Value::Null, |r| r.idr().into());
    if let AmountKind::Exact(v) = a.kind {
        m.insert("idr".into(), v.idr().into());
    } else {
        m.insert("idr_min".into(), idr(a.min()));
        m.insert("idr_max".into(), idr(a.max()));
    }
    if a.approximate {
        m.insert("approximate".into(), true.into());
    }
    m
}

/// Whole numbers as JSON integers, others as the nearest float.
fn decimal(d: Decimal) -> Value {
    match d.to_i64() {
        Some(i) => i.into(),
        None => serde_json::Number::from_f64(d.to_f64()).map_or(Value::Null, Value::Number),
    }
}
