//! Reading single messages: behaviour a buyer or admin would notice, and the corpora.

use super::report::{score, to_json};
use super::*;
use crate::money::Rupiah;
use serde_json::Value;
use std::path::Path;

fn corpus(dir: &str) -> (ChatCatalog, Vec<Value>) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/orders")
        .join(dir);
    let catalog = std::fs::read(base.join("catalog.json")).expect("catalog");
    let catalog = ChatCatalog::from_json(&catalog).expect("catalog reads");
    let messages = std::fs::read_to_string(base.join("messages.jsonl")).expect("messages");
    let expected = messages
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("corpus line is JSON"))
        .collect();
    (catalog, expected)
}

fn run(dir: &str) -> super::report::Score {
    let (catalog, expected) = corpus(dir);
    let actual: Vec<Value> = expected
        .iter()
        .map(|e: &Value| {
            let text = e["text"].as_str().unwrap_or("");
            to_json(&e["id"], text, &parse_message(text, &catalog))
        })
        .collect();
    let s = score(&expected, &actual);
    if std::env::var_os("PASAR_CORPUS_MISSES").is_some() {
        for id in &s.misses {
            let want = expected
                .iter()
                .find(|e| e["id"] == id.as_str())
                .expect("id");
            let got = actual.iter().find(|e| e["id"] == id.as_str()).expect("id");
            eprintln!("--- {id}: {}", want["text"]);
            for k in ["intent", "items", "phone", "address", "payment", "name"] {
                if want[k] != got[k] {
                    eprintln!("  {k}: want {}  got {}", want[k], got[k]);
                }
            }
            if let Some(a) = got.get("ambiguous") {
                eprintln!("  ambiguous: {a}");
            }
        }
    }
    eprintln!("{dir}:\n{s}");
    s
}

/// Our own corpus, which the reader was built against: it must stay this good.
#[test]
fn dev_corpus_scores() {
    let s = run("dev");
    assert!(s.messages >= 190);
    assert!(s.intent_accuracy() >= 0.97, "{s}");
    assert!(s.item_f1() >= 0.95, "{s}");
    assert!(s.exact_orders() >= 0.93, "{s}");
    assert_eq!(s.ambiguous_reported, s.ambiguous_expected, "{s}");
}

/// Written apart from the reader, with another market's catalog and never tuned on: a
/// floor against regressions, not a target.
#[test]
fn heldout_corpus_scores() {
    let s = run("heldout");
    assert!(s.messages >= 140);
    assert!(s.intent_accuracy() >= 0.9, "{s}");
    assert!(s.item_f1() >= 0.83, "{s}");
}

fn market() -> ChatCatalog {
    let product =
        |id: &str, name: &str, unit: &str, price: i64, options: &[(&str, &[&str])]| ChatProduct {
            id: id.to_owned(),
            name: name.to_owned(),
            unit: unit.to_owned(),
            price: Rupiah::new(price),
            options: options
                .iter()
                .map(|(n, vs)| crate::catalog::VariantOption {
                    name: (*n).to_owned(),
                    values: vs.iter().map(|v| (*v).to_owned()).collect(),
                })
                .collect(),
            variant_prices: Vec::new(),
        };
    ChatCatalog::new(vec![
        product(
            "DNT",
            "Donat Kentang",
            "pcs",
            3_000,
            &[("rasa", &["Coklat", "Keju", "Gula"])],
        ),
        product(
            "BMB",
            "Donat Bomboloni",
            "pcs",
            5_000,
            &[("isi", &["Vanila", "Coklat"])],
        ),
        product("BRW", "Brownies Panggang", "loyang", 45_000, &[]),
        product("TLR", "Telur Ayam", "kg", 28_000, &[]),
        product("KRP", "Keripik Singkong Balado", "bungkus", 10_000, &[]),
        product(
            "BTL",
            "Bantal",
            "pcs",
            35_000,
            &[("ukuran", &["40x60", "50x70"])],
        ),
        product(
            "KAO",
            "Kaos Polos",
            "pcs",
            40_000,
            &[
                ("warna", &["Hitam", "Putih"]),
                ("ukuran", &["M", "L", "XL"]),
            ],
        ),
    ])
}

fn parse(text: &str) -> ParsedMessage {
    parse_message(text, &market())
}

/// (product, quantity or "-", variant) of each matched line.
type Item = (String, String, Vec<(String, String)>);

fn items(p: &ParsedMessage) -> Vec<Item> {
    p.lines
        .iter()
        .filter_map(|l| match &l.matched {
            LineMatch::Product {
                product_id,
                variant,
            } => Some((
                product_id.clone(),
                l.quantity
                    .map_or("-".to_owned(), |q| q.to_f64().to_string()),
                variant.clone(),
            )),
            _ => None,
        })
        .collect()
}

fn v(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn the_issue_message_becomes_an_order_with_address_and_payment() {
    // This market sells two donuts, so the buyer names which.
    let text =
        "kak pesen donat kentang 1 lusin sm brownies 2 ya, kirim ke Jl. Melati 5 Sidoarjo, cod";
    let p = parse(text);
    assert_eq!(p.intent, Intent::Order);
    assert_eq!(
        items(&p),
        [
            ("DNT".into(), "12".into(), vec![]),
            ("BRW".into(), "2".into(), vec![])
        ]
    );
    assert_eq!(
        p.address.as_ref().map(|a| a.value.as_str()),
        Some("Jl. Melati 5 Sidoarjo")
    );
    assert_eq!(p.payment.as_ref().map(|f| f.value), Some(Payment::Cod));
    // Every span points at the words it came from, so a screen can highlight them.
    let l = &p.lines[0];
    assert_eq!(&text[l.span.start..l.span.end], "donat kentang 1 lusin");
    let q = l.quantity_span.expect("quantity span");
    assert_eq!(&text[q.start..q.end], "1 lusin");
    let a = &p.address.as_ref().expect("address").span;
    assert_eq!(&text[a.start..a.end], "Jl. Melati 5 Sidoarjo");
}

#[test]
fn templates_with_any_label_spelling() {
    let text = "FORMAT ORDER\n*Nama Penerima* : Bu Rina\nNo. HP/WA : 0812-3456-7890\nAlmt : Perum Griya Asri Blok C-12\nSidoarjo\nPesanan :\n- donat keju 6\n- telur 1/2 kg\nPembayaran : tf bca";
    let p = parse(text);
    assert_eq!(p.intent, Intent::Order);
    assert_eq!(p.name.as_ref().map(|f| f.value.as_str()), Some("Bu Rina"));
    assert_eq!(
        p.phone.as_ref().map(|f| f.value.as_str()),
        Some("+6281234567890")
    );
    assert_eq!(
        p.address.as_ref().map(|f| f.value.as_str()),
        Some("Perum Griya Asri Blok C-12\nSidoarjo")
    );
    assert_eq!(p.payment.as_ref().map(|f| f.value), Some(Payment::Transfer));
    assert_eq!(
        items(&p),
        [
            ("DNT".into(), "6".into(), v(&[("rasa", "Keju")])),
            ("TLR".into(), "0.5".into(), vec![])
        ]
    );
}

#[test]
fn typos_abbreviations_and_word_order() {
    for text in [
        "dnt kentang keju 3",
        "donat kntang keju 3",
        "3 donat keju",
        "keju 3 donat kentang",
    ] {
        let p = parse(text);
        assert_eq!(
            items(&p),
            [("DNT".into(), "3".into(), v(&[("rasa", "Keju")]))],
            "{text}"
        );
    }
    let p = parse("brwnies panggang 1 sm kripik balado 2");
    assert_eq!(
        items(&p),
        [
            ("BRW".into(), "1".into(), vec![]),
            ("KRP".into(), "2".into(), vec![])
        ]
    );
}

#[test]
fn two_values_of_one_option_make_two_lines() {
    let p = parse("donat kentang coklat 6 keju 6");
    assert_eq!(
        items(&p),
        [
            ("DNT".into(), "6".into(), v(&[("rasa", "Coklat")])),
            ("DNT".into(), "6".into(), v(&[("rasa", "Keju")]))
        ]
    );
    let p = parse("kaos polos hitam XL 2, putih uk M 1");
    assert_eq!(
        items(&p),
        [
            (
                "KAO".into(),
                "2".into(),
                v(&[("warna", "Hitam"), ("ukuran", "XL")])
            ),
            (
                "KAO".into(),
                "1".into(),
                v(&[("warna", "Putih"), ("ukuran", "M")])
            )
        ]
    );
}

#[test]
fn ambiguous_and_unknown_lines_are_reported_never_guessed() {
    // Both donuts come in coklat: the admin must choose.
    let p = parse("donat coklat 10 ya kak");
    assert!(items(&p).is_empty());
    let LineMatch::Ambiguous { candidates } = &p.lines[0].matched else {
        panic!("ambiguous expected: {:?}", p.lines);
    };
    assert_eq!(candidates.len(), 2);
    assert!(candidates.contains(&"DNT".to_owned()) && candidates.contains(&"BMB".to_owned()));
    assert!(p.lines[0].confidence < 0.5);
    // Something the market does not sell.
    let p = parse("pesen bakso 3 sm donat kentang 2");
    assert_eq!(items(&p), [("DNT".into(), "2".into(), vec![])]);
    assert!(
        p.lines
            .iter()
            .any(|l| l.matched == LineMatch::Unknown && l.text.contains("bakso"))
    );
}

#[test]
fn units_convert_to_the_products_unit() {
    assert_eq!(
        items(&parse("telur setengah kilo")),
        [("TLR".into(), "0.5".into(), vec![])]
    );
    assert_eq!(
        items(&parse("telur 500 gr")),
        [("TLR".into(), "0.5".into(), vec![])]
    );
    assert_eq!(
        items(&parse("donat kentang selusin")),
        [("DNT".into(), "12".into(), vec![])]
    );
    assert_eq!(
        items(&parse("2 lusin donat kentang")),
        [("DNT".into(), "24".into(), vec![])]
    );
    // A box the seller alone knows the size of: kept as written, flagged, less sure.
    let p = parse("donat kentang 2 dus");
    assert!(p.lines[0].unit_mismatch);
    assert!(p.lines[0].confidence < 0.7);
}

#[test]
fn intents() {
    let intent = |t: &str| parse(t).intent;
    assert_eq!(intent("donat kentang ready kak?"), Intent::Question);
    assert_eq!(intent("brp kak brownies?"), Intent::Question);
    assert_eq!(intent("ongkir ke gresik brp"), Intent::Question);
    assert_eq!(intent("yg brownies batal ya kak"), Intent::Cancel);
    assert_eq!(intent("gak jadi semua kak, maaf"), Intent::Cancel);
    assert_eq!(intent("udah tf ya kak"), Intent::Other);
    assert!(parse("udah tf ya kak").paid);
    assert_eq!(intent("makasih kak 🙏"), Intent::Other);
    assert_eq!(intent("tambah 1 lagi ya"), Intent::Order);
    assert_eq!(parse("tambah 1 lagi ya").change, Change::Add);
    assert_eq!(parse("donat kentangnya jadi 3 aja").change, Change::Replace);
    assert_eq!(intent("brownies ya kak"), Intent::Order);
    // A question about a product orders nothing and chooses no payment.
    let p = parse("bisa cod donat kentang?");
    assert!(p.lines.is_empty() && p.payment.is_none());
}

#[test]
fn partial_cancel_names_only_the_cancelled_lines() {
    let p = parse("brownies batal ya, donat kentang tetep");
    assert_eq!(p.intent, Intent::Cancel);
    assert_eq!(p.change, Change::CancelItems);
    assert_eq!(items(&p), [("BRW".into(), "-".into(), vec![])]);
}

#[test]
fn a_total_is_not_an_item_and_each_applies_to_every_line() {
    let p = parse("donat kentang 2, brownies 1, total 51rb ya");
    assert_eq!(p.total.as_ref().map(|t| t.value), Some(Rupiah::new(51_000)));
    assert_eq!(p.lines.len(), 2);
    let p = parse("bomboloni vanila, coklat @2");
    assert_eq!(
        items(&p),
        [
            ("BMB".into(), "2".into(), v(&[("isi", "Vanila")])),
            ("BMB".into(), "2".into(), v(&[("isi", "Coklat")]))
        ]
    );
}

#[test]
fn hostile_input_is_bounded_and_never_panics() {
    let catalog = market();
    let long = "donat kentang 2 ".repeat(5_000);
    let p = parse_message(&long, &catalog);
    assert!(p.truncated);
    for text in [
        "",
        "\u{0}\u{202e}",
        "@@@@@@@@@@",
        "999999999999999999999999 donat",
        "Nama:\nAlamat:\nPesanan:\n",
        "x2x2x2x2",
        "½½½½ kg telur",
        &"🙏".repeat(10_000),
        "\"' OR 1=1 --",
    ] {
        let p = parse_message(text, &catalog);
        for l in &p.lines {
            assert!(text.get(l.span.start..l.span.end).is_some());
        }
    }
}

#[test]
fn an_empty_catalog_reads_fields_and_intent() {
    let p = parse_message(
        "pesan 2 ya kak, kirim ke Jl. Mawar 3 Gresik",
        &ChatCatalog::new(Vec::new()),
    );
    assert_eq!(p.intent, Intent::Order);
    assert_eq!(
        p.address.as_ref().map(|a| a.value.as_str()),
        Some("Jl. Mawar 3 Gresik")
    );
}

/// The rule both apps follow when an admin puts a pasted order in her cart.
#[test]
fn an_order_becomes_cart_lines_and_the_rest_waits_for_the_admin() {
    let p = parse("pesen donat kentang keju sm telur 1/2 kg sm donat 2 sm martabak 3 ya kak");
    let cart = p.cart_lines();
    let got: Vec<_> = cart
        .lines
        .iter()
        .map(|l| (l.product_id.as_str(), l.quantity_milli, l.variant.clone()))
        .collect();
    assert_eq!(
        got,
        [("DNT", 1_000, v(&[("rasa", "Keju")])), ("TLR", 500, vec![])],
        "{p:#?}"
    );
    // "donat 2" fits two products and "martabak" none: the admin settles them.
    assert_eq!(cart.unsettled, [2, 3], "{p:#?}");
    assert!(matches!(p.lines[2].matched, LineMatch::Ambiguous { .. }));
    assert!(matches!(p.lines[3].matched, LineMatch::Unknown));

    // Only the seller knows how many pieces a box holds.
    let p = parse("keripik 2 dus ya kak");
    assert!(p.lines[0].unit_mismatch, "{p:#?}");
    assert_eq!(p.cart_lines().unsettled, [0]);
    assert!(p.cart_lines().lines.is_empty());

    // A cancellation names lines to take away, a question none: nothing to add.
    assert_eq!(parse("brownies ga jadi ya kak").lines.len(), 1);
    for text in ["brownies ga jadi ya kak", "brownies ready kak?"] {
        let p = parse(text);
        assert_ne!(p.intent, Intent::Order, "{text}");
        assert_eq!(p.cart_lines(), DraftCart::default(), "{text}");
    }
}

/// The CLI's hand-written JSON is what the derived `Serialize` writes, byte for byte,
/// on both corpora and on text that needs escaping.
#[test]
fn written_json_is_the_serialised_json() {
    for dir in ["dev", "heldout"] {
        let (catalog, expected) = corpus(dir);
        let mut texts: Vec<(Value, String)> = expected
            .iter()
            .map(|e| (e["id"].clone(), e["text"].as_str().unwrap_or("").to_owned()))
            .collect();
        texts.push((
            serde_json::json!(7),
            "Nama: \"Bu\" Ani\\ \u{1}\nAlamat: Jl. Melati 5\tRT 2\npesan donat 2 \u{1f64f}".into(),
        ));
        for (id, text) in &texts {
            let parsed = parse_message(text, &catalog);
            let reading = super::report::reading(id, text, &parsed);
            let mut written = Vec::new();
            reading.write_json(&mut written).expect("written");
            let serialised = serde_json::to_vec(&reading).expect("serialised");
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&serialised),
                "{text:?}"
            );
        }
    }
}
