//! Exports become per-buyer orders: the corpora's exports against their expected final
//! state, and the later-message rules one by one.

use super::*;
use crate::chat::order::ChatCatalog;
use serde_json::Value;
use std::path::Path;

fn data(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/orders")
        .join(dir)
}

/// (buyer, product, quantity in thousandths, variant) of every line, sorted.
fn lines_of(orders: &[BuyerOrder]) -> Vec<(String, String, i64, String)> {
    let mut out: Vec<_> = orders
        .iter()
        .flat_map(|o| {
            o.lines.iter().map(|l| {
                let mut v: Vec<(String, String)> = l
                    .variant
                    .iter()
                    .map(|(a, b)| (a.to_lowercase(), b.to_lowercase()))
                    .collect();
                v.sort();
                (
                    o.buyer.clone(),
                    l.product_id.clone(),
                    (l.quantity.to_f64() * 1000.0).round() as i64,
                    format!("{v:?}"),
                )
            })
        })
        .collect();
    out.sort();
    out
}

fn expected_lines(expected: &Value) -> Vec<(String, String, i64, String)> {
    let mut out = Vec::new();
    for b in expected["buyers"].as_array().into_iter().flatten() {
        for i in b["items"].as_array().into_iter().flatten() {
            let mut v: Vec<(String, String)> = i["variant"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.to_lowercase(), v.as_str().unwrap_or("").to_lowercase()))
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            out.push((
                b["buyer"].as_str().unwrap_or("").to_owned(),
                i["product_id"].as_str().unwrap_or("").to_owned(),
                (i["qty"].as_f64().unwrap_or(0.0) * 1000.0).round() as i64,
                format!("{v:?}"),
            ));
        }
    }
    out.sort();
    out
}

/// Share of expected lines found exactly, share of found lines expected, and the
/// buyers whose paid/cancelled flags are right.
fn score_export(dir: &str, file: &str) -> (f64, f64, usize, usize) {
    let catalog =
        ChatCatalog::from_json(&std::fs::read(data(dir).join("catalog.json")).expect("catalog"))
            .expect("catalog reads");
    let text = std::fs::read_to_string(data(dir).join(format!("{file}.txt"))).expect("export");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(data(dir).join(format!("{file}.expected.json")))
            .expect("expected"),
    )
    .expect("expected is JSON");
    let (orders, _) = orders_in_export(&text, &catalog);
    let (got, want) = (lines_of(&orders), expected_lines(&expected));
    let mut left = got.clone();
    let mut hit = 0;
    for w in &want {
        if let Some(at) = left.iter().position(|g| g == w) {
            left.remove(at);
            hit += 1;
        }
    }
    if std::env::var_os("PASAR_CORPUS_MISSES").is_some() {
        eprintln!(
            "{file}: missed {:?}",
            want.iter().filter(|w| !got.contains(w)).collect::<Vec<_>>()
        );
        eprintln!("{file}: extra {:?}", left);
    }
    let mut flags = 0;
    let buyers = expected["buyers"].as_array().map_or(0, Vec::len);
    for b in expected["buyers"].as_array().into_iter().flatten() {
        let name = b["buyer"].as_str().unwrap_or("");
        if let Some(o) = orders.iter().find(|o| o.buyer == name)
            && Some(o.paid) == b["paid"].as_bool()
            && Some(o.cancelled) == b["cancelled"].as_bool()
        {
            flags += 1;
        }
    }
    let recall = hit as f64 / want.len().max(1) as f64;
    let precision = hit as f64 / got.len().max(1) as f64;
    eprintln!(
        "{dir}/{file}: line recall {recall:.3}, precision {precision:.3}, buyer flags {flags}/{buyers}"
    );
    (recall, precision, flags, buyers)
}

#[test]
fn dev_exports_become_the_expected_orders() {
    for file in ["export_android_id", "export_ios_en"] {
        let (recall, precision, flags, buyers) = score_export("dev", file);
        assert!(
            recall >= 0.85 && precision >= 0.85,
            "{file}: {recall} {precision}"
        );
        assert!(flags + 1 >= buyers, "{file}: flags {flags}/{buyers}");
    }
}

#[test]
fn heldout_export_floor() {
    let (recall, precision, _, _) = score_export("heldout", "export_android_en");
    assert!(recall >= 0.45 && precision >= 0.55, "{recall} {precision}");
}

fn catalog() -> ChatCatalog {
    ChatCatalog::from_json(
        br#"[{"id":"DNT","name":"Donat Kentang","price_idr":3000,"unit":"pcs","variants":{"rasa":["Coklat","Keju"]}},
             {"id":"BRW","name":"Brownies Panggang","price_idr":45000,"unit":"loyang"},
             {"id":"BRK","name":"Brownies Kukus","price_idr":40000,"unit":"loyang"},
             {"id":"TLR","name":"Telur Ayam","price_idr":28000,"unit":"kg"}]"#,
    )
    .expect("catalog")
}

fn feed(msgs: &[(&str, &str)]) -> Vec<BuyerOrder> {
    let catalog = catalog();
    let mut orders = ChatOrders::new(&catalog);
    for (author, text) in msgs {
        orders.feed(Incoming {
            author: Some(author),
            at: "2024-11-26T07:15:00",
            text,
            skip: false,
        });
    }
    orders.into_orders()
}

fn qty(o: &BuyerOrder, product: &str) -> Option<f64> {
    o.lines
        .iter()
        .find(|l| l.product_id == product)
        .map(|l| l.quantity.to_f64())
}

#[test]
fn later_messages_change_earlier_orders() {
    let orders = feed(&[
        (
            "Admin",
            "OPEN PO hari ini 🍩\nDonat kentang 3rb\nBrownies panggang 45rb\nTelur 28rb/kg",
        ),
        (
            "Rina",
            "kak pesen donat kentang keju 6 sm brownies panggang 1",
        ),
        ("Sari", "telur 2 kg ya"),
        ("Rina", "tambah 2 lagi ya kak"),
        ("Dewi", "brownies kukus 1, donat kentang coklat 3"),
        ("Sari", "telurnya jadi 1 kg aja"),
        ("Dewi", "yg brownies batal ya"),
        ("Rina", "udah tf ya kak 🙏"),
        ("Budi", "brp kak donatnya?"),
        ("Tono", "donat kentang coklat 2"),
        ("Tono", "gak jadi semua kak, maaf"),
    ]);
    let buyers: Vec<&str> = orders.iter().map(|o| o.buyer.as_str()).collect();
    // The admin's menu orders nothing; Budi only asked.
    assert_eq!(buyers, ["Rina", "Sari", "Dewi", "Tono"]);
    let rina = &orders[0];
    // "tambah 2 lagi" goes to Rina's last line.
    assert_eq!(qty(rina, "DNT"), Some(6.0));
    assert_eq!(qty(rina, "BRW"), Some(3.0));
    assert!(rina.paid);
    assert_eq!(qty(&orders[1], "TLR"), Some(1.0));
    // "yg brownies batal": Dewi's only brownies, though two brownies are for sale.
    assert_eq!(qty(&orders[2], "BRK"), None);
    assert_eq!(qty(&orders[2], "DNT"), Some(3.0));
    assert!(orders[3].cancelled && orders[3].lines.is_empty());
}

#[test]
fn an_admin_filling_a_template_orders_for_the_named_buyer() {
    let orders = feed(&[
        (
            "Admin",
            "OPEN PO: donat kentang 3rb, brownies panggang 45rb, telur 28rb",
        ),
        (
            "Admin",
            "Nama: Bu Marni\nAlamat: Jl. Kenanga 3 Sidoarjo\nPesanan: donat kentang keju 12\nBayar: cod",
        ),
    ]);
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].buyer, "Bu Marni");
    assert_eq!(orders[0].payment, Some(Payment::Cod));
    assert_eq!(orders[0].address.as_deref(), Some("Jl. Kenanga 3 Sidoarjo"));
}

#[test]
fn lines_nobody_can_match_wait_for_the_admin() {
    let orders = feed(&[("Rina", "brownies 2 sm martabak 1")]);
    let o = &orders[0];
    assert!(o.lines.is_empty());
    assert_eq!(o.unresolved.len(), 2);
    assert_eq!(o.unresolved[0].candidates.len(), 2);
    assert!(o.unresolved[1].candidates.is_empty());
}

#[test]
fn a_reply_with_only_a_variant_orders_the_product_just_asked_about() {
    let catalog = ChatCatalog::from_json(
        br#"[{"id":"GPK","name":"Ayam Geprek","price_idr":15000,"unit":"porsi","variants":{"level":["Level 1","Level 5"],"nasi":["Pakai Nasi","Tanpa Nasi"]}},
             {"id":"THT","name":"Thai Tea","price_idr":12000,"unit":"botol"}]"#,
    )
    .expect("catalog");
    let mut orders = ChatOrders::new(&catalog);
    for (author, text) in [
        ("Bu Tatik", "Mbak geprek bisa lvl 5 ga?"),
        ("Admin", "bisa bu"),
        ("Bu Tatik", "ok lvl 5 tanpa nasi 1 ya"),
        // Another buyer's bare variant has no context: nothing is guessed.
        ("Sari", "lvl 1 ya"),
    ] {
        orders.feed(Incoming {
            author: Some(author),
            at: "2024-11-26T07:40:00",
            text,
            skip: false,
        });
    }
    let o = orders.into_orders();
    assert_eq!(o.len(), 1, "{o:?}");
    assert_eq!(o[0].buyer, "Bu Tatik");
    let line = &o[0].lines[0];
    assert_eq!(line.product_id, "GPK");
    assert_eq!(
        line.variant,
        [
            ("level".to_owned(), "Level 5".to_owned()),
            ("nasi".to_owned(), "Tanpa Nasi".to_owned())
        ]
    );
    assert_eq!(line.quantity.to_f64(), 1.0);
    assert!(line.confidence < 0.8, "a reading from context is less sure");
}
