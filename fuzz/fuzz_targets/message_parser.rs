//! Arbitrary text as a pasted chat message, read against a small market catalog, then
//! fed as a chat into per-buyer orders and the rekap: nothing may panic, every span must
//! point inside the text on character boundaries, and one message stays bounded in time
//! (the reader reads at most `MAX_MESSAGE_BYTES`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::chat::buyers::{ChatOrders, Incoming};
use pasar_core::chat::order::{ChatCatalog, MAX_MESSAGE_BYTES, parse_message};
use pasar_core::chat::rekap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn catalog() -> &'static ChatCatalog {
    static CATALOG: OnceLock<ChatCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        ChatCatalog::from_json(
            br#"[{"id":"DNT","name":"Donat Kentang","price_idr":3000,"unit":"pcs","variants":{"rasa":["Coklat","Keju","Gula"]}},
                 {"id":"BMB","name":"Donat Bomboloni","price_idr":5000,"unit":"pcs","variants":{"isi":["Vanila","Coklat"]}},
                 {"id":"BRW","name":"Brownies Panggang","price_idr":45000,"unit":"loyang"},
                 {"id":"TLR","name":"Telur Ayam","price_idr":28000,"unit":"kg"},
                 {"id":"KAO","name":"Kaos Polos","price_idr":40000,"unit":"pcs","variants":{"warna":["Hitam","Putih"],"ukuran":["M","L","XL"]}},
                 {"id":"SPT","name":"Sepatu Sekolah","price_idr":90000,"unit":"pasang","variants":{"ukuran":["38","39","40"]}}]"#,
        )
        .expect("catalog")
    })
}

fn inside(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} of {}", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let started = Instant::now();
    let p = parse_message(&text, catalog());
    assert!(started.elapsed() < Duration::from_secs(2), "one message took {:?}", started.elapsed());
    let read = &text[..text.len().min(MAX_MESSAGE_BYTES)];
    for l in &p.lines {
        inside(read, l.span.start, l.span.end);
        inside(read, l.product_span.start, l.product_span.end);
        if let Some(q) = l.quantity_span {
            inside(read, q.start, q.end);
        }
        assert!((0.0..=1.0).contains(&l.confidence));
    }
    for f in [&p.name, &p.phone, &p.address].into_iter().flatten() {
        inside(read, f.span.start, f.span.end);
    }
    // The same text as a chat of three messages by two buyers.
    let mut orders = ChatOrders::new(catalog());
    for (i, part) in text.split('\n').take(50).enumerate() {
        orders.feed(Incoming {
            author: Some(if i % 2 == 0 { "Rina" } else { "Sari" }),
            at: "2024-11-26T07:00:00",
            text: part,
            skip: false,
        });
    }
    let r = rekap::rekap(orders.orders(), catalog());
    let _ = rekap::to_whatsapp(&r, "");
    let _ = rekap::to_csv(&r);
});
