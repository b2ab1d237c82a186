//! The rekap an admin posts back to the group: per buyer (numbered, *bold* names, lines
//! with prices, totals, payment) and per product, with the grand total in rupiah, and the
//! lines still waiting for the admin. As WhatsApp text, CSV and JSON.

use super::buyers::BuyerOrder;
use super::numbers::Decimal;
use super::order::ChatCatalog;
use crate::money::Rupiah;
use serde_json::{Value, json};
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub struct RekapLine {
    pub product_id: String,
    pub product: String,
    /// "Keju", "Hitam / XL".
    pub variant: String,
    pub quantity: Decimal,
    pub unit: String,
    pub price: Rupiah,
    /// Rounded to the rupiah (1,5 kg × Rp28.000 = Rp42.000).
    pub subtotal: Rupiah,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RekapBuyer {
    pub buyer: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub payment: Option<&'static str>,
    pub paid: bool,
    pub cancelled: bool,
    pub lines: Vec<RekapLine>,
    pub total: Rupiah,
    /// Lines the admin must still settle, as written.
    pub unresolved: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RekapProduct {
    pub product_id: String,
    pub product: String,
    pub variant: String,
    pub quantity: Decimal,
    pub unit: String,
    pub subtotal: Rupiah,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rekap {
    pub buyers: Vec<RekapBuyer>,
    pub products: Vec<RekapProduct>,
    pub total: Rupiah,
    pub paid_total: Rupiah,
}

/// Price × quantity in whole rupiah, half up.
fn times(price: Rupiah, q: Decimal) -> Rupiah {
    let scale = 10i128.pow(q.scale());
    let num = i128::from(price.idr()) * q.mantissa();
    let v = (num + scale / 2).div_euclid(scale);
    Rupiah::new(i64::try_from(v).unwrap_or(i64::MAX))
}

fn variant_label(v: &[(String, String)]) -> String {
    v.iter()
        .map(|(_, val)| val.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The rekap of the orders, priced from the catalog.
pub fn rekap(orders: &[BuyerOrder], catalog: &ChatCatalog) -> Rekap {
    let mut buyers = Vec::new();
    let mut products: Vec<RekapProduct> = Vec::new();
    let (mut total, mut paid_total) = (Rupiah::ZERO, Rupiah::ZERO);
    for o in orders {
        let mut lines = Vec::new();
        let mut sum = Rupiah::ZERO;
        for l in &o.lines {
            let Some(p) = catalog.product(&l.product_id) else {
                continue;
            };
            let price = p.price_with(&l.variant);
            let subtotal = times(price, l.quantity);
            sum = sum.checked_add(subtotal).unwrap_or(sum);
            let variant = variant_label(&l.variant);
            match products
                .iter_mut()
                .find(|x| x.product_id == l.product_id && x.variant == variant)
            {
                Some(x) => {
                    x.quantity = x.quantity.checked_add(l.quantity).unwrap_or(x.quantity);
                    x.subtotal = x.subtotal.checked_add(subtotal).unwrap_or(x.subtotal);
                }
                None => products.push(RekapProduct {
                    product_id: l.product_id.clone(),
                    product: p.name.clone(),
                    variant: variant.clone(),
                    quantity: l.quantity,
                    unit: p.unit.clone(),
                    subtotal,
                }),
            }
            lines.push(RekapLine {
                product_id: l.product_id.clone(),
                product: p.name.clone(),
                variant,
                quantity: l.quantity,
                unit: p.unit.clone(),
                price,
                subtotal,
            });
        }
        total = total.checked_add(sum).unwrap_or(total);
        if o.paid {
            paid_total = paid_total.checked_add(sum).unwrap_or(paid_total);
        }
        buyers.push(RekapBuyer {
            buyer: o.name.clone().unwrap_or_else(|| o.buyer.clone()),
            phone: o.phone.clone(),
            address: o.address.clone(),
            payment: o.payment.map(|p| p.as_str()),
            paid: o.paid,
            cancelled: o.cancelled,
            lines,
            total: sum,
            unresolved: o.unresolved.iter().map(|u| u.text.clone()).collect(),
        });
    }
    Rekap {
        buyers,
        products,
        total,
        paid_total,
    }
}

fn payment_label(p: &str) -> &'static str {
    match p {
        "cod" => "COD",
        "transfer" => "Transfer",
        "qris" => "QRIS",
        "ewallet" => "E-wallet",
        _ => "Tunai",
    }
}

fn qty(q: Decimal, unit: &str) -> String {
    format!("{} {unit}", q.to_indonesian())
}

/// The rekap as a WhatsApp message: *bold* headings, numbered buyers, one line per item.
pub fn to_whatsapp(r: &Rekap, title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "*REKAP PESANAN{}*",
        if title.is_empty() {
            String::new()
        } else {
            format!(" — {title}")
        }
    );
    let active: Vec<&RekapBuyer> = r.buyers.iter().filter(|b| !b.cancelled).collect();
    for (i, b) in active.iter().enumerate() {
        let _ = writeln!(s);
        let _ = writeln!(s, "*{}. {}*", i + 1, b.buyer);
        for l in &b.lines {
            let name = if l.variant.is_empty() {
                l.product.clone()
            } else {
                format!("{} ({})", l.product, l.variant)
            };
            let _ = writeln!(
                s,
                "   • {name} × {} = {}",
                qty(l.quantity, &l.unit),
                l.subtotal
            );
        }
        for u in &b.unresolved {
            let _ = writeln!(s, "   ⚠️ _perlu dicek:_ \"{u}\"");
        }
        let mut tail = format!("   Total: *{}*", b.total);
        if let Some(p) = b.payment {
            let _ = write!(tail, " · {}", payment_label(p));
        }
        tail.push_str(if b.paid {
            " · Lunas ✅"
        } else {
            " · Belum bayar"
        });
        let _ = writeln!(s, "{tail}");
    }
    let cancelled: Vec<&str> = r
        .buyers
        .iter()
        .filter(|b| b.cancelled)
        .map(|b| b.buyer.as_str())
        .collect();
    if !cancelled.is_empty() {
        let _ = writeln!(s, "\n_Batal: {}_", cancelled.join(", "));
    }
    if !r.products.is_empty() {
        let _ = writeln!(s, "\n*PER PRODUK*");
        for (i, p) in r.products.iter().enumerate() {
            let name = if p.variant.is_empty() {
                p.product.clone()
            } else {
                format!("{} ({})", p.product, p.variant)
            };
            let _ = writeln!(
                s,
                "{}. {name}: {} = {}",
                i + 1,
                qty(p.quantity, &p.unit),
                p.subtotal
            );
        }
    }
    let _ = writeln!(
        s,
        "\n*TOTAL {} pembeli: {}*\nSudah bayar: {}",
        active.len(),
        r.total,
        r.paid_total
    );
    s
}

fn csv_field(s: &str) -> String {
    // Quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it.
    let s = if s.starts_with(['=', '+', '-', '@']) && !s.starts_with("+62") {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One row per line: buyer, phone, address, payment, paid, product, variant, quantity,
/// unit, price, subtotal (rupiah as whole numbers).
pub fn to_csv(r: &Rekap) -> String {
    let mut s = String::from(
        "buyer,phone,address,payment,paid,product_id,product,variant,qty,unit,price_idr,subtotal_idr\n",
    );
    for b in r.buyers.iter().filter(|b| !b.cancelled) {
        for l in &b.lines {
            let row = [
                csv_field(&b.buyer),
                csv_field(b.phone.as_deref().unwrap_or("")),
                csv_field(b.address.as_deref().unwrap_or("")),
                b.payment.unwrap_or("").to_owned(),
                b.paid.to_string(),
                csv_field(&l.product_id),
                csv_field(&l.product),
                csv_field(&l.variant),
                format!("{}", l.quantity.to_f64()),
                csv_field(&l.unit),
                l.price.idr().to_string(),
                l.subtotal.idr().to_string(),
            ];
            s.push_str(&row.join(","));
            s.push('\n');
        }
    }
    s
}

pub fn to_json(r: &Rekap) -> Value {
    json!({
        "buyers": r.buyers.iter().map(|b| json!({
            "buyer": b.buyer, "phone": b.phone, "address": b.address, "payment": b.payment,
            "paid": b.paid, "cancelled": b.cancelled, "total_idr": b.total.idr(),
            "unresolved": b.unresolved,
            "items": b.lines.iter().map(|l| json!({
                "product_id": l.product_id, "product": l.product, "variant": l.variant,
                "qty": l.quantity.to_f64(), "unit": l.unit, "price_idr": l.price.idr(),
                "subtotal_idr": l.subtotal.idr(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "products": r.products.iter().map(|p| json!({
            "product_id": p.product_id, "product": p.product, "variant": p.variant,
            "qty": p.quantity.to_f64(), "unit": p.unit, "subtotal_idr": p.subtotal.idr(),
        })).collect::<Vec<_>>(),
        "total_idr": r.total.idr(),
        "paid_idr": r.paid_total.idr(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::buyers::orders_in_export;

    const EXPORT: &str = "26/11/24 07.00 - Admin: OPEN PO hari ini\nDonat kentang 3rb\nBrownies panggang 45rb\n\
26/11/24 07.10 - Bu Rina: kak pesen donat kentang keju 12 sm brownies panggang 1, cod\n\
26/11/24 07.12 - Pak Budi: telur 1,5 kg ya\n\
26/11/24 07.20 - Sari: donat kentang coklat 6\n\
26/11/24 07.21 - Sari: gak jadi semua kak\n\
26/11/24 08.00 - Bu Rina: udah tf ya kak\n";

    fn catalog() -> ChatCatalog {
        ChatCatalog::from_json(
            br#"[{"id":"DNT","name":"Donat Kentang","price_idr":3000,"unit":"pcs","variants":{"rasa":["Coklat","Keju"]}},
                 {"id":"BRW","name":"Brownies Panggang","price_idr":45000,"unit":"loyang"},
                 {"id":"TLR","name":"Telur Ayam","price_idr":28000,"unit":"kg"}]"#,
        )
        .expect("catalog")
    }

    #[test]
    fn the_rekap_adds_up_in_rupiah() {
        let catalog = catalog();
        let (orders, _) = orders_in_export(EXPORT, &catalog);
        let r = rekap(&orders, &catalog);
        assert_eq!(r.buyers[0].total, Rupiah::new(12 * 3_000 + 45_000));
        // 1,5 kg × Rp28.000.
        assert_eq!(r.buyers[1].total, Rupiah::new(42_000));
        assert_eq!(r.total, Rupiah::new(81_000 + 42_000));
        assert_eq!(r.paid_total, Rupiah::new(81_000));
        let text = to_whatsapp(&r, "Pasar Warga");
        assert!(text.starts_with("*REKAP PESANAN — Pasar Warga*"), "{text}");
        assert!(text.contains("*1. Bu Rina*"), "{text}");
        assert!(
            text.contains("Donat Kentang (Keju) × 12 pcs = Rp36.000"),
            "{text}"
        );
        assert!(text.contains("Telur Ayam × 1,5 kg = Rp42.000"), "{text}");
        // She chose COD, then paid by transfer: the rekap says how she paid.
        assert!(text.contains("Transfer · Lunas ✅"), "{text}");
        assert!(text.contains("_Batal: Sari_"), "{text}");
        assert!(text.contains("*TOTAL 2 pembeli: Rp123.000*"), "{text}");
        let csv = to_csv(&r);
        assert_eq!(csv.lines().count(), 4, "{csv}");
        assert!(
            csv.contains("Bu Rina,,,transfer,true,DNT,Donat Kentang,Keju,12,pcs,3000,36000"),
            "{csv}"
        );
        let json = to_json(&r);
        assert_eq!(json["total_idr"], 123_000);
        assert_eq!(json["buyers"][2]["cancelled"], true);
    }

    #[test]
    fn csv_defuses_formulas_and_quotes_separators() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(
            csv_field("Jl. Melati 5, Sidoarjo"),
            "\"Jl. Melati 5, Sidoarjo\""
        );
        assert_eq!(csv_field("+6281234567890"), "+6281234567890");
    }
}
