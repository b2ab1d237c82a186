//! The JSON lines of `pasar parse order`, and the score of such lines against a corpus
//! of expected readings: intent accuracy, item precision and recall, exact orders, and
//! the customer fields. Used by the CLI, the corpus tests and the benchmark alike.

use super::{LineMatch, ParsedMessage};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// Character offsets (not bytes) of a byte span, for readers in any language.
fn chars(text: &str, span: crate::chat::numbers::Span) -> (usize, usize) {
    let start = text.get(..span.start).map_or(0, |s| s.chars().count());
    let len = text
        .get(span.start..span.end)
        .map_or(0, |s| s.chars().count());
    (start, start + len)
}

/// `{"id", "intent", "items", "phone", "address", "payment", "name", "confidence",
/// "spans", …}` for one message.
pub fn to_json(id: &Value, text: &str, p: &ParsedMessage) -> Value {
    serde_json::to_value(reading(id, text, p)).unwrap_or(Value::Null)
}

/// One message's reading as `pasar parse order` prints it: serialised straight to the
/// output (the CLI reads 100k-message files; a `Value` tree per message cost as much as
/// a fifth of the reading). Fields in alphabetical order, as a JSON object's keys print.
#[derive(Serialize)]
pub struct Reading<'a> {
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ambiguous: Vec<Ambiguous<'a>>,
    // As the f32 it is: it prints in its shortest form ("0.71", not the
    // "0.7099999785423279" of the same number widened to f64).
    confidence: f32,
    id: &'a Value,
    intent: &'static str,
    items: Vec<Item<'a>>,
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "is_false")]
    paid: bool,
    payment: Option<&'static str>,
    phone: Option<&'a str>,
    spans: Vec<SpanOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_idr: Option<i64>,
    #[serde(skip_serializing_if = "is_false")]
    truncated: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown: Vec<Unknown<'a>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct Item<'a> {
    confidence: f32,
    product_id: &'a str,
    qty: Value,
    text: &'a str,
    variant: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct Ambiguous<'a> {
    candidates: &'a [String],
    qty: Option<f64>,
    text: &'a str,
}

#[derive(Serialize)]
struct Unknown<'a> {
    qty: Option<f64>,
    text: &'a str,
}

#[derive(Serialize)]
struct SpanOut<'a> {
    end: usize,
    field: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<usize>,
    start: usize,
    text: &'a str,
}

impl Reading<'_> {
    /// The reading as one JSON object, byte for byte what its derived `Serialize`
    /// writes, without serde's per-field steps: the CLI writes 100k of these, and
    /// serialising was a twentieth of its time. Strings without a character JSON escapes
    /// (almost all) are copied as they are; the rest, numbers and the id go through
    /// `serde_json`.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"address\":");
        opt_str(out, self.address)?;
        if !self.ambiguous.is_empty() {
            out.extend_from_slice(b",\"ambiguous\":");
            serde_json::to_writer(&mut *out, &self.ambiguous)?;
        }
        out.extend_from_slice(b",\"confidence\":");
        serde_json::to_writer(&mut *out, &self.confidence)?;
        out.extend_from_slice(b",\"id\":");
        serde_json::to_writer(&mut *out, self.id)?;
        out.extend_from_slice(b",\"intent\":");
        string(out, self.intent)?;
        out.extend_from_slice(b",\"items\":[");
        for (k, item) in self.items.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"confidence\":");
            serde_json::to_writer(&mut *out, &item.confidence)?;
            out.extend_from_slice(b",\"product_id\":");
            string(out, item.product_id)?;
            out.extend_from_slice(b",\"qty\":");
            serde_json::to_writer(&mut *out, &item.qty)?;
            out.extend_from_slice(b",\"text\":");
            string(out, item.text)?;
            out.extend_from_slice(b",\"variant\":{");
            for (n, (option, value)) in item.variant.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                string(out, option)?;
                out.push(b':');
                string(out, value)?;
            }
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"],\"name\":");
        opt_str(out, self.name)?;
        if self.paid {
            out.extend_from_slice(b",\"paid\":true");
        }
        out.extend_from_slice(b",\"payment\":");
        opt_str(out, self.payment)?;
        out.extend_from_slice(b",\"phone\":");
        opt_str(out, self.phone)?;
        out.extend_from_slice(b",\"spans\":[");
        for (k, span) in self.spans.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"end\":");
            serde_json::to_writer(&mut *out, &span.end)?;
            out.extend_from_slice(b",\"field\":");
            string(out, span.field)?;
            if let Some(item) = span.item {
                out.extend_from_slice(b",\"item\":");
                serde_json::to_writer(&mut *out, &item)?;
            }
            out.extend_from_slice(b",\"start\":");
            serde_json::to_writer(&mut *out, &span.start)?;
            out.extend_from_slice(b",\"text\":");
            string(out, span.text)?;
            out.push(b'}');
        }
        out.push(b']');
        if let Some(total) = self.total_idr {
            out.extend_from_slice(b",\"total_idr\":");
            serde_json::to_writer(&mut *out, &total)?;
        }
        if self.truncated {
            out.extend_from_slice(b",\"truncated\":true");
        }
        if !self.unknown.is_empty() {
            out.extend_from_slice(b",\"unknown\":");
            serde_json::to_writer(&mut *out, &self.unknown)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// A JSON string: copied between quotes when nothing in it needs escaping.
fn string(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return serde_json::to_writer(&mut *out, s);
    }
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) -> serde_json::Result<()> {
    match s {
        Some(s) => string(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// The reading of message `id` (its `text` parsed into `p`), ready to serialise.
pub fn reading<'a>(id: &'a Value, text: &'a str, p: &'a ParsedMessage) -> Reading<'a> {
    // (Sized once: a line has a product span and a quantity's, and four fields more.)
    let mut spans = Vec::with_capacity(2 * p.lines.len() + 4);
    // In ASCII (most chat) a character is a byte: no counting from the start per span.
    let ascii = text.is_ascii();
    let mut span = |field: &'static str, s: crate::chat::numbers::Span, item: Option<usize>| {
        let (start, end) = if ascii && s.start <= s.end && s.end <= text.len() {
            (s.start, s.end)
        } else {
            chars(text, s)
        };
        spans.push(SpanOut {
            end,
            field,
            item,
            start,
            text: text.get(s.start..s.end).unwrap_or(""),
        });
    };
    let mut items = Vec::with_capacity(p.lines.len());
    let mut ambiguous = Vec::new();
    let mut unknown = Vec::new();
    for l in &p.lines {
        match &l.matched {
            LineMatch::Product {
                product_id,
                variant,
            } => {
                let qty = match (l.quantity, p.intent) {
                    (Some(q), _) => json!(q.to_f64()),
                    (None, super::Intent::Cancel) => Value::Null,
                    (None, _) => json!(1),
                };
                span("item", l.product_span, Some(items.len()));
                if let Some(q) = l.quantity_span {
                    span("qty", q, Some(items.len()));
                }
                items.push(Item {
                    confidence: l.confidence,
                    product_id,
                    qty,
                    text: &l.text,
                    variant: variant
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect(),
                });
            }
            LineMatch::Ambiguous { candidates } => ambiguous.push(Ambiguous {
                candidates,
                qty: l.quantity.map(|q| q.to_f64()),
                text: &l.text,
            }),
            LineMatch::Unknown => unknown.push(Unknown {
                qty: l.quantity.map(|q| q.to_f64()),
                text: &l.text,
            }),
        }
    }
    if let Some(f) = &p.phone {
        span("phone", f.span, None);
    }
    if let Some(f) = &p.address {
        span("address", f.span, None);
    }
    if let Some(f) = &p.name {
        span("name", f.span, None);
    }
    if let Some(f) = &p.payment {
        span("payment", f.span, None);
    }
    Reading {
        address: p.address.as_ref().map(|f| f.value.as_str()),
        ambiguous,
        confidence: p.confidence,
        id,
        intent: p.intent.as_str(),
        items,
        name: p.name.as_ref().map(|f| f.value.as_str()),
        paid: p.paid,
        payment: p.payment.as_ref().map(|f| f.value.as_str()),
        phone: p.phone.as_ref().map(|f| f.value.as_str()),
        spans,
        total_idr: p.total.as_ref().map(|t| t.value.idr()),
        truncated: p.truncated,
        unknown,
    }
}

/// Counts of one corpus run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Score {
    pub messages: usize,
    pub intent_correct: usize,
    /// Items right in product, variant and quantity.
    pub item_true: usize,
    pub item_false: usize,
    pub item_missed: usize,
    /// Items right in product (whatever the quantity or variant).
    pub product_true: usize,
    pub product_false: usize,
    pub product_missed: usize,
    /// Messages whose intent and every item are right.
    pub exact: usize,
    /// Expected ambiguities the reader reported as ambiguous.
    pub ambiguous_reported: usize,
    pub ambiguous_expected: usize,
    pub phone: (usize, usize),
    pub address: (usize, usize),
    pub payment: (usize, usize),
    pub name: (usize, usize),
    /// Ids of the messages not read exactly, for the report.
    pub misses: Vec<String>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl Score {
    pub fn intent_accuracy(&self) -> f64 {
        ratio(self.intent_correct, self.messages)
    }
    pub fn item_precision(&self) -> f64 {
        ratio(self.item_true, self.item_true + self.item_false)
    }
    pub fn item_recall(&self) -> f64 {
        ratio(self.item_true, self.item_true + self.item_missed)
    }
    pub fn item_f1(&self) -> f64 {
        let (p, r) = (self.item_precision(), self.item_recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn product_precision(&self) -> f64 {
        ratio(self.product_true, self.product_true + self.product_false)
    }
    pub fn product_recall(&self) -> f64 {
        ratio(self.product_true, self.product_true + self.product_missed)
    }
    pub fn exact_orders(&self) -> f64 {
        ratio(self.exact, self.messages)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "messages           {}", self.messages)?;
        writeln!(f, "intent_accuracy    {:.3}", self.intent_accuracy())?;
        writeln!(
            f,
            "item_precision     {:.3}  (product, variant and quantity right)",
            self.item_precision()
        )?;
        writeln!(f, "item_recall        {:.3}", self.item_recall())?;
        writeln!(f, "item_f1            {:.3}", self.item_f1())?;
        writeln!(f, "product_precision  {:.3}", self.product_precision())?;
        writeln!(f, "product_recall     {:.3}", self.product_recall())?;
        writeln!(f, "exact_orders       {:.3}", self.exact_orders())?;
        writeln!(
            f,
            "ambiguous_reported {}/{}",
            self.ambiguous_reported, self.ambiguous_expected
        )?;
        for (name, (a, b)) in [
            ("phone", self.phone),
            ("address", self.address),
            ("payment", self.payment),
            ("name", self.name),
        ] {
            writeln!(f, "{name:<18} {a}/{b} = {:.3}", ratio(a, b))?;
        }
        Ok(())
    }
}

/// (product, quantity, variant) of the items of one reading, sorted.
fn items_of(v: &Value) -> Vec<(String, Option<i64>, String)> {
    let mut out: Vec<_> = v["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .map(|i| {
            let product = i["product_id"].as_str().unwrap_or("").to_owned();
            // Thousandths: 0.5 kg and 0.500 kg are the same quantity.
            let qty = i["qty"].as_f64().map(|q| (q * 1000.0).round() as i64);
            let mut variant: Vec<(String, String)> = i["variant"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.to_lowercase(), v.as_str().unwrap_or("").to_lowercase()))
                        .collect()
                })
                .unwrap_or_default();
            variant.sort();
            (product, qty, format!("{variant:?}"))
        })
        .collect();
    out.sort();
    out
}

/// Words of a text, for comparing addresses without caring about punctuation.
fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Two addresses agree when their words overlap by F1 ≥ 0.8.
fn same_address(a: &str, b: &str) -> bool {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return ta.is_empty() && tb.is_empty();
    }
    let common = ta.iter().filter(|w| tb.contains(w)).count() as f64;
    let (p, r) = (common / ta.len() as f64, common / tb.len() as f64);
    p + r > 0.0 && 2.0 * p * r / (p + r) >= 0.8
}

fn field(
    tally: &mut (usize, usize),
    want: &Value,
    got: &Value,
    same: impl Fn(&str, &str) -> bool,
) -> bool {
    let ok = match (want.as_str(), got.as_str()) {
        (None, None) => true,
        (Some(a), Some(b)) => same(a, b),
        _ => false,
    };
    // Only messages where one side has the field count: nulls agreeing say little.
    if !(want.is_null() && got.is_null()) {
        tally.1 += 1;
        if ok {
            tally.0 += 1;
        }
    }
    ok
}

/// Scores readings against expected ones, matched by id.
pub fn score(expected: &[Value], actual: &[Value]) -> Score {
    let mut s = Score::default();
    for want in expected {
        let id = &want["id"];
        let got = actual
            .iter()
            .find(|a| a["id"] == *id)
            .cloned()
            .unwrap_or(Value::Null);
        s.messages += 1;
        let intent_ok = want["intent"] == got["intent"];
        if intent_ok {
            s.intent_correct += 1;
        }
        let (w, g) = (items_of(want), items_of(&got));
        let mut left = g.clone();
        for i in &w {
            if let Some(at) = left.iter().position(|x| x == i) {
                left.remove(at);
                s.item_true += 1;
            } else {
                s.item_missed += 1;
            }
        }
        s.item_false += left.len();
        let mut left: Vec<&String> = g.iter().map(|x| &x.0).collect();
        for i in &w {
            if let Some(at) = left.iter().position(|x| **x == i.0) {
                left.remove(at);
                s.product_true += 1;
            } else {
                s.product_missed += 1;
            }
        }
        s.product_false += left.len();
        if want.get("ambiguous").is_some_and(|a| !a.is_null()) {
            s.ambiguous_expected += 1;
            if got.get("ambiguous").is_some_and(|a| !a.is_null()) {
                s.ambiguous_reported += 1;
            }
        }
        let mut ok = intent_ok && w == g;
        ok &= field(&mut s.phone, &want["phone"], &got["phone"], |a, b| a == b);
        ok &= field(
            &mut s.address,
            &want["address"],
            &got["address"],
            same_address,
        );
        ok &= field(&mut s.payment, &want["payment"], &got["payment"], |a, b| {
            a == b
        });
        field(&mut s.name, &want["name"], &got["name"], |a, b| {
            a.trim().eq_ignore_ascii_case(b.trim())
        });
        if intent_ok && w == g {
            s.exact += 1;
        }
        if !ok {
            s.misses.push(id.as_str().unwrap_or("?").to_owned());
        }
    }
    s
}
