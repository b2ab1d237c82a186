//! Selling through others, over real HTTP on SQLite and PostgreSQL: a promoter's code
//! attributes an order and its commission, shown to the seller and the promoter only;
//! a reseller's order reaches the supplier, who ships it with the reseller as the
//! seller, and the buyer never sees the supplier's price; a warehouse holding a
//! product's stock packs and ships its orders, which the seller may not, and the
//! buyer hears of each move. The rights of each party are checked on the way.

mod common;

use common::{Backend, Server};
use serde_json::{Value, json};

on_both!(
    a_promoters_code_earns_the_commission_the_seller_set,
    a_resellers_order_reaches_the_supplier_who_ships_it,
    a_warehouse_packs_and_ships_the_stock_it_holds,
);

const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");

struct Phone {
    token: String,
    id: String,
    device: String,
    next: std::cell::Cell<u64>,
}

async fn phone(server: &Server, number: &str) -> Phone {
    let signed = server.sign_in(number, number).await;
    Phone {
        token: signed["token"].as_str().expect("token").to_owned(),
        id: signed["account_id"].as_str().expect("account").to_owned(),
        device: format!("phone-{}", number.trim_start_matches('+')),
        next: std::cell::Cell::new(1),
    }
}

/// Pushes one mutation; answers its rejection (`Value::Null` when applied).
async fn push(server: &Server, p: &Phone, op: Value) -> Value {
    let body = json!({
        "device_id": p.device,
        "mutations": [{"id": p.next.get(), "at": server.now(), "op": op}],
    });
    p.next.set(p.next.get() + 1);
    let reply = server
        .send(
            "POST",
            "/v1/sync/push",
            Some(&p.token),
            &[PROTOCOL],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["results"][0]["rejected"].clone()
}

async fn applied(server: &Server, p: &Phone, op: Value) {
    let rejected = push(server, p, op.clone()).await;
    assert!(rejected.is_null(), "{op} was refused: {rejected}");
}

async fn refused(server: &Server, p: &Phone, op: Value) -> String {
    let rejected = push(server, p, op.clone()).await;
    rejected["kind"]
        .as_str()
        .unwrap_or_else(|| panic!("{op} was applied"))
        .to_owned()
}

/// Every order document `p` pulls from the start, by id (the latest copy).
async fn orders_seen(server: &Server, p: &Phone) -> std::collections::BTreeMap<String, Value> {
    let mut cursor = String::new();
    let mut orders = std::collections::BTreeMap::new();
    loop {
        let reply = server
            .send(
                "GET",
                &format!("/v1/sync/pull?cursor={cursor}"),
                Some(&p.token),
                &[PROTOCOL],
                b"",
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let page = reply.json();
        for change in page["changes"].as_array().expect("changes") {
            if let Some(order) = change.get("order") {
                orders.insert(order["id"].as_str().expect("id").to_owned(), order.clone());
            }
        }
        cursor = page["cursor"].as_str().unwrap_or_default().to_owned();
        if page["more"] != true {
            return orders;
        }
    }
}

/// A group made by `admin` with `members` (phone numbers) in it.
async fn group(server: &Server, admin: &Phone, id: &str, members: &[&str]) {
    applied(
        server,
        admin,
        json!({"put_group": {"group_id": id, "name": format!("Pasar {id}")}}),
    )
    .await;
    for number in members {
        applied(
            server,
            admin,
            json!({"add_member": {"group_id": id, "phone": number, "role": "member"}}),
        )
        .await;
    }
}

fn product(id: &str, seller: &Phone, price: i64, stock: Option<i64>, groups: &[&str]) -> Value {
    json!({
        "id": id,
        "seller": {"id": seller.id, "name": ""},
        "name": format!("Produk {id}"),
        "price_idr": price,
        "unit": "pcs",
        "weight_grams": 400,
        "stock": stock,
        "group_ids": groups,
        "created_at": 1,
        "updated_at": 1,
    })
}

fn put_product(doc: Value) -> Value {
    json!({"put_product": {"product": doc, "fields": ["name"]}})
}

fn edit_product(doc: Value, fields: &[&str]) -> Value {
    json!({"put_product": {"product": doc, "fields": fields}})
}

/// `units` of `product` at `price`, COD by courier to the buyer's address.
fn order(id: &str, buyer: &Phone, seller: &Phone, product: &str, price: i64, units: i64) -> Value {
    order_with(id, buyer, seller, product, price, units, None)
}

fn order_with(
    id: &str,
    buyer: &Phone,
    seller: &Phone,
    product: &str,
    price: i64,
    units: i64,
    code: Option<&str>,
) -> Value {
    let total = price * units;
    let mut doc = json!({
        "id": id, "number": format!("N{id}"), "checkout_id": format!("c-{id}"),
        "buyer": {"id": buyer.id, "name": ""}, "seller": {"id": seller.id, "name": ""},
        "status": "", "payment": "cod", "delivery": "courier",
        "address": {"recipient": "Ibu Sari", "phone": "+6281233334444",
                    "street": "Jl. Melati No. 5", "kelurahan": "Pucang", "kecamatan": "Sidoarjo",
                    "kabupaten": "Kab. Sidoarjo", "provinsi": "Jawa Timur", "kode_pos": "61219",
                    "notes": "pagar hijau"},
        "items": [{"product_id": product, "name": "x", "unit": "pcs",
                   "quantity_milli": units * 1000, "unit_price_idr": price, "total_idr": total,
                   "note": "bungkus kado"}],
        "items_idr": total, "ongkir_idr": 0, "kode_unik_idr": 0, "discount_idr": 0,
        "total_idr": total, "note": "titip satpam",
        "created_at": 0, "updated_at": 0, "version": 0,
    });
    if let Some(code) = code {
        doc["promoter"] = json!({"code": code});
    }
    json!({"place_order": {"order": doc}})
}

fn act(order: &str, action: Value) -> Value {
    json!({"act_on_order": {"order_id": order, "action": action}})
}

fn ship() -> Value {
    json!({"ship": {"courier": "JNE REG", "resi": "JNE0123456789"}})
}

async fn stored_product(server: &Server, id: &str) -> Value {
    let docs = server
        .db
        .texts(&format!("SELECT doc FROM products WHERE id = '{id}'"))
        .await;
    serde_json::from_str(&docs[0]).expect("product doc")
}

async fn a_promoters_code_earns_the_commission_the_seller_set(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let seller = phone(&server, "+6281311110001").await;
    let kirana = phone(&server, "+6281311110002").await;
    let buyer = phone(&server, "+6281311110003").await;
    let other = phone(&server, "+6281311110004").await;
    group(
        &server,
        &seller,
        "g1",
        &["+6281311110002", "+6281311110003", "+6281311110004"],
    )
    .await;
    applied(
        &server,
        &seller,
        put_product(product("p1", &seller, 50_000, Some(10), &["g1"])),
    )
    .await;

    // Codes are unique in the deployment: the second claim of KIRANA is refused.
    applied(&server, &kirana, json!({"claim_code": {"code": "kirana"}})).await;
    assert_eq!(
        refused(&server, &other, json!({"claim_code": {"code": "KIRANA"}})).await,
        "conflict"
    );
    assert_eq!(
        refused(&server, &other, json!({"claim_code": {"code": "60111"}})).await,
        "invalid",
        "a digits-only code is a postcode, not a code"
    );
    applied(&server, &buyer, json!({"claim_code": {"code": "BUDI"}})).await;
    for hostile in ["<script>", "KIRANA'--", "ABCDEFGHIJKLMNOPQ", "", "k i r"] {
        assert_eq!(
            refused(&server, &other, json!({"claim_code": {"code": hostile}})).await,
            "invalid",
            "{hostile:?}"
        );
    }
    assert_eq!(
        refused(
            &server,
            &seller,
            json!({"put_terms": {"terms": {"seller_id": seller.id,
                   "commission": {"per_item": {"idr": -2500}}}}})
        )
        .await,
        "invalid"
    );

    // No rule yet: the seller runs no promoters, the order carries none.
    applied(
        &server,
        &buyer,
        order_with("o0", &buyer, &seller, "p1", 50_000, 1, Some("KIRANA")),
    )
    .await;
    // A rule over half the price is a typing mistake.
    assert_eq!(
        refused(
            &server,
            &seller,
            json!({"put_terms": {"terms": {"seller_id": seller.id,
                   "commission": {"percent": {"basis_points": 5001}}}}})
        )
        .await,
        "invalid"
    );
    applied(
        &server,
        &seller,
        json!({"put_terms": {"terms": {"seller_id": seller.id,
               "commission": {"percent": {"basis_points": 1000}}}}}),
    )
    .await;
    applied(
        &server,
        &buyer,
        order_with("o1", &buyer, &seller, "p1", 50_000, 2, Some("kirana")),
    )
    .await;
    // A code nobody holds, and the buyer's own, attribute nothing; neither refuses.
    applied(
        &server,
        &buyer,
        order_with("o2", &buyer, &seller, "p1", 50_000, 1, Some("NOBODY")),
    )
    .await;
    applied(
        &server,
        &buyer,
        order_with("o3", &buyer, &seller, "p1", 50_000, 1, Some("BUDI")),
    )
    .await;

    // The seller sees who brought the order and what it earns: 10 % of Rp100.000.
    let sellers = orders_seen(&server, &seller).await;
    let promoter = &sellers["o1"]["promoter"];
    assert_eq!(promoter["id"], json!(kirana.id));
    assert_eq!(promoter["code"], "KIRANA");
    assert_eq!(promoter["commission_idr"], 10_000);
    for unattributed in ["o0", "o2", "o3"] {
        assert!(
            sellers[unattributed].get("promoter").is_none(),
            "{unattributed}"
        );
    }

    // The promoter sees the order and her commission, not who bought it or where to.
    let hers = orders_seen(&server, &kirana).await;
    assert_eq!(hers.keys().collect::<Vec<_>>(), ["o1"]);
    let o1 = &hers["o1"];
    assert_eq!(o1["promoter"]["commission_idr"], 10_000);
    assert_eq!(o1["items_idr"], 100_000);
    assert!(o1["buyer"].get("phone").is_none());
    assert!(o1["address"].is_null());
    assert_eq!(o1["note"], "");
    assert_eq!(o1["items"][0]["note"], "");

    // The buyer's copy keeps the code, not the commission or who holds the code.
    let theirs = orders_seen(&server, &buyer).await;
    assert_eq!(theirs["o1"]["promoter"]["code"], "KIRANA");
    assert_eq!(theirs["o1"]["promoter"]["commission_idr"], 0);
    assert!(theirs["o1"]["promoter"].get("id").is_none());

    // Watching is all a promoter may do.
    assert_eq!(
        refused(
            &server,
            &kirana,
            act("o1", json!({"cancel": {"reason": "x"}}))
        )
        .await,
        "not_found"
    );
    // Others see nothing of it.
    assert!(orders_seen(&server, &other).await.is_empty());
    // A new rule does not change a placed order's commission.
    applied(
        &server,
        &seller,
        json!({"put_terms": {"terms": {"seller_id": seller.id,
               "commission": {"per_item": {"idr": 2500}}}}}),
    )
    .await;
    applied(
        &server,
        &buyer,
        order_with("o4", &buyer, &seller, "p1", 50_000, 3, Some("KIRANA")),
    )
    .await;
    let hers = orders_seen(&server, &kirana).await;
    assert_eq!(hers["o1"]["promoter"]["commission_idr"], 10_000);
    assert_eq!(hers["o4"]["promoter"]["commission_idr"], 7_500);

    // Claiming a new code frees the old one; attributed orders keep their promoter.
    applied(&server, &kirana, json!({"claim_code": {"code": "KIRANA2"}})).await;
    applied(&server, &other, json!({"claim_code": {"code": "KIRANA"}})).await;
    assert_eq!(orders_seen(&server, &kirana).await.len(), 2);
    server.finish().await;
}

async fn a_resellers_order_reaches_the_supplier_who_ships_it(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let supplier = phone(&server, "+6281322220001").await;
    let reseller = phone(&server, "+6281322220002").await;
    let buyer = phone(&server, "+6281322220003").await;
    group(&server, &supplier, "suppliers", &["+6281322220002"]).await;
    group(&server, &reseller, "circle", &["+6281322220003"]).await;
    let mut source = product("src", &supplier, 30_000, Some(10), &["suppliers"]);
    applied(&server, &supplier, put_product(source.clone())).await;

    let listing = |price: i64, stock: Option<i64>| {
        let mut doc = product("lst", &reseller, price, stock, &["circle"]);
        doc["resale_of"] = json!("src");
        doc
    };
    // Not open for resale yet.
    assert_eq!(
        refused(&server, &reseller, put_product(listing(32_000, None))).await,
        "not_found"
    );
    source["resale"] =
        json!({"supply_price_idr": 20_000, "min_price_idr": 25_000, "max_price_idr": 40_000});
    applied(
        &server,
        &supplier,
        edit_product(source.clone(), &["resale"]),
    )
    .await;
    // Outside the supplier's bounds, or with stock of its own: refused.
    assert_eq!(
        refused(&server, &reseller, put_product(listing(45_000, None))).await,
        "conflict"
    );
    assert_eq!(
        refused(&server, &reseller, put_product(listing(32_000, Some(5)))).await,
        "invalid"
    );
    // Someone outside the supplier's groups cannot list it.
    assert_eq!(
        refused(
            &server,
            &buyer,
            put_product({
                let mut doc = listing(32_000, None);
                doc["id"] = json!("lst-b");
                doc["seller"]["id"] = json!(buyer.id);
                doc["group_ids"] = json!([]);
                doc
            })
        )
        .await,
        "not_allowed"
    );
    applied(&server, &reseller, put_product(listing(32_000, None))).await;

    // The buyer orders from the reseller's listing; the supplier's stock goes down.
    applied(
        &server,
        &buyer,
        order("r1", &buyer, &reseller, "lst", 32_000, 2),
    )
    .await;
    assert_eq!(stored_product(&server, "src").await["stock"], 8);

    // The supplier has it to ship: the reseller is the seller (the label's sender),
    // the buyer's address is there, and what the supplier is owed.
    let suppliers = orders_seen(&server, &supplier).await;
    let r1 = &suppliers["r1"];
    assert_eq!(r1["seller"]["id"], json!(reseller.id));
    assert_eq!(r1["seller"]["phone"], "+6281322220002");
    assert_eq!(r1["partner"]["id"], json!(supplier.id));
    assert_eq!(r1["supply"]["items_idr"], 40_000);
    assert_eq!(r1["address"]["recipient"], "Ibu Sari");
    // The reseller sees the margin's parts too.
    let resellers = orders_seen(&server, &reseller).await;
    assert_eq!(resellers["r1"]["supply"]["items_idr"], 40_000);
    assert_eq!(resellers["r1"]["items_idr"], 64_000);
    // The buyer never sees the supplier, its price or where the stock came from.
    let theirs = orders_seen(&server, &buyer).await;
    let text = theirs["r1"].to_string();
    assert!(theirs["r1"].get("supply").is_none() && theirs["r1"].get("partner").is_none());
    assert!(
        !text.contains(&supplier.id) && !text.contains("20000"),
        "{text}"
    );

    // The supplier packs and ships; the reseller, who holds no goods, may not.
    assert_eq!(
        refused(&server, &reseller, act("r1", ship())).await,
        "not_allowed"
    );
    applied(&server, &supplier, act("r1", json!("pack"))).await;
    assert_eq!(
        refused(&server, &supplier, act("r1", json!("pack"))).await,
        "not_allowed",
        "packed once"
    );
    applied(&server, &supplier, act("r1", ship())).await;
    assert_eq!(
        refused(
            &server,
            &supplier,
            act("r1", json!({"cancel": {"reason": "x"}}))
        )
        .await,
        "not_allowed"
    );
    let theirs = orders_seen(&server, &buyer).await;
    assert_eq!(theirs["r1"]["status"], "shipped");
    assert_eq!(theirs["r1"]["resi"], "JNE0123456789");
    let moves: Vec<&str> = theirs["r1"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        moves,
        ["buyer", "seller", "seller"],
        "the partner shows as the seller"
    );

    // Nonsense resale terms are refused.
    let mut bad = source.clone();
    bad["resale"] =
        json!({"supply_price_idr": 0, "min_price_idr": 25_000, "max_price_idr": 40_000});
    assert_eq!(
        refused(&server, &supplier, edit_product(bad.clone(), &["resale"])).await,
        "invalid"
    );
    bad["resale"] =
        json!({"supply_price_idr": 30_000, "min_price_idr": 25_000, "max_price_idr": 40_000});
    assert_eq!(
        refused(&server, &supplier, edit_product(bad, &["resale"])).await,
        "invalid"
    );

    // A cancelled resale gives the units back to the supplier's product.
    applied(
        &server,
        &buyer,
        order("r2", &buyer, &reseller, "lst", 32_000, 3),
    )
    .await;
    assert_eq!(stored_product(&server, "src").await["stock"], 5);
    applied(
        &server,
        &reseller,
        act("r2", json!({"cancel": {"reason": "stok habis"}})),
    )
    .await;
    assert_eq!(stored_product(&server, "src").await["stock"], 8);

    // The supplier narrows the bounds: the listing stops selling until repriced.
    source["resale"] =
        json!({"supply_price_idr": 20_000, "min_price_idr": 35_000, "max_price_idr": 40_000});
    applied(&server, &supplier, edit_product(source, &["resale"])).await;
    assert_eq!(
        refused(
            &server,
            &buyer,
            order("r3", &buyer, &reseller, "lst", 32_000, 1)
        )
        .await,
        "conflict"
    );
    // Out of the supplier's group, the reseller may still take her listing down.
    applied(
        &server,
        &supplier,
        json!({"remove_member": {"group_id": "suppliers", "account_id": reseller.id}}),
    )
    .await;
    let mut down = listing(32_000, None);
    down["archived"] = json!(true);
    applied(&server, &reseller, edit_product(down, &["archived"])).await;
    server.finish().await;
}

async fn a_warehouse_packs_and_ships_the_stock_it_holds(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let seller = phone(&server, "+6281333330001").await;
    let warehouse = phone(&server, "+6281333330002").await;
    let buyer = phone(&server, "+6281333330003").await;
    group(&server, &seller, "g", &["+6281333330003"]).await;
    let mut doc = product("bantal", &seller, 45_000, Some(5), &["g"]);
    applied(&server, &seller, put_product(doc.clone())).await;
    // Stock only at accounts that exist, never at the seller's own.
    for bad in [json!(seller.id), json!("no-such-account")] {
        doc["stock_at"] = json!([{"partner_id": bad, "stock": 3}]);
        assert_eq!(
            refused(&server, &seller, edit_product(doc.clone(), &["stock_at"])).await,
            "invalid"
        );
    }
    // At most ten partners a product.
    doc["stock_at"] = json!(
        (0..11)
            .map(|i| json!({"partner_id": format!("p{i}"), "stock": 1}))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        refused(&server, &seller, edit_product(doc.clone(), &["stock_at"])).await,
        "invalid"
    );
    doc["stock_at"] = json!([{"partner_id": warehouse.id, "stock": 3}]);
    applied(&server, &seller, edit_product(doc.clone(), &["stock_at"])).await;
    // The buyer's phone gets pushes.
    let reply = server
        .send(
            "PUT",
            &format!("/v1/push/devices/{}", buyer.device),
            Some(&buyer.token),
            &[PROTOCOL],
            json!({"platform": "fcm", "token": "buyer-fcm-token", "app_version": "1",
                   "lang": "id"})
            .to_string()
            .as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());

    // Two units: the warehouse holds them, the order is the warehouse's to ship.
    applied(
        &server,
        &buyer,
        order("w1", &buyer, &seller, "bantal", 45_000, 2),
    )
    .await;
    let stored = stored_product(&server, "bantal").await;
    assert_eq!(stored["stock_at"][0]["stock"], 1);
    assert_eq!(stored["stock"], 5, "home stock is counted apart");
    // Two more: the warehouse has one left, so they ship from home.
    applied(
        &server,
        &buyer,
        order("w2", &buyer, &seller, "bantal", 45_000, 2),
    )
    .await;
    let stored = stored_product(&server, "bantal").await;
    assert_eq!(
        (
            stored["stock"].clone(),
            stored["stock_at"][0]["stock"].clone()
        ),
        (json!(3), json!(1))
    );

    // The packing list: the warehouse's orders only, with what a label needs.
    let list = orders_seen(&server, &warehouse).await;
    assert_eq!(list.keys().collect::<Vec<_>>(), ["w1"]);
    let w1 = &list["w1"];
    assert_eq!(w1["address"]["street"], "Jl. Melati No. 5");
    assert_eq!(w1["items"][0]["note"], "bungkus kado");
    assert_eq!(w1["note"], "titip satpam");
    assert_eq!(w1["seller"]["phone"], "+6281333330001");

    // The seller no longer packs or ships what the warehouse holds; the warehouse does.
    assert_eq!(
        refused(&server, &seller, act("w1", json!("pack"))).await,
        "not_allowed"
    );
    assert_eq!(
        refused(&server, &seller, act("w1", ship())).await,
        "not_allowed"
    );
    assert_eq!(
        refused(&server, &warehouse, act("w2", json!("pack"))).await,
        "not_found"
    );
    // The warehouse names itself after the order was placed: the next move carries the
    // name, as it does the buyer's and the seller's.
    applied(
        &server,
        &warehouse,
        json!({"put_profile": {"name": "Gudang Surabaya"}}),
    )
    .await;
    applied(&server, &warehouse, act("w1", json!("pack"))).await;
    assert_eq!(
        orders_seen(&server, &seller).await["w1"]["partner"]["name"],
        "Gudang Surabaya"
    );
    let pushed = |status: &'static str| {
        let server = &server;
        async move {
            server
                .db
                .texts("SELECT data FROM push_queue")
                .await
                .iter()
                .any(|d| d.contains(&format!("\"s\":\"{status}\"")) && d.contains("\"o\":\"w1\""))
        }
    };
    assert!(pushed("processing").await, "the buyer hears it is packed");
    applied(&server, &warehouse, act("w1", ship())).await;
    assert!(pushed("shipped").await, "and that it is on its way");
    let theirs = orders_seen(&server, &buyer).await;
    assert_eq!(theirs["w1"]["status"], "shipped");
    assert!(theirs["w1"].get("partner").is_none());
    assert_eq!(
        theirs["w1"]["events"][1]["action"], "pack",
        "the buyer's history says it was packed"
    );

    // A cancelled warehouse order puts its units back on the warehouse's shelf.
    applied(
        &server,
        &buyer,
        order("w3", &buyer, &seller, "bantal", 45_000, 1),
    )
    .await;
    assert_eq!(
        stored_product(&server, "bantal").await["stock_at"][0]["stock"],
        0
    );
    applied(
        &server,
        &seller,
        act("w3", json!({"cancel": {"reason": "salah kirim"}})),
    )
    .await;
    assert_eq!(
        stored_product(&server, "bantal").await["stock_at"][0]["stock"],
        1
    );
    server.finish().await;
}
