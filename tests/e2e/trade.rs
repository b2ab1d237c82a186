//! Selling through others, phones and a real server over real HTTP, on SQLite and on
//! PostgreSQL: a promoter's link brings a buyer whose order earns her the seller's
//! commission, visible on both their phones with the month's payout; a reseller's
//! listing sells a supplier's stock, the supplier packs and ships it with the reseller
//! as the sender; a warehouse holding a seller's stock packs and ships its orders and
//! the buyer's phone tells them each step.

#[macro_use]
mod support;

use pasar_core::catalog::trade::ResaleTerms;
use pasar_core::catalog::{NewProduct, Stock};
use pasar_core::money::Rupiah;
use pasar_core::order::{OrderAction, OrderStatus, Role};
use pasar_core::promo::commission::Period;
use pasar_core::promo::{ClaimState, CommissionRule, ShareTarget};
use support::{Phone, Server, jne_rate, market_of, order, phone, sync};

fn sqlite_server() -> Server {
    Server::sqlite(|_| {})
}

fn postgres_server() -> Option<Server> {
    Server::postgres("trade", |_| {})
}

fn listed(seller: &Phone, name: &str, price: &str, stock: i64, group: &str) -> String {
    let mut p = NewProduct::new(&seller.account, name, price);
    p.unit = "pcs".into();
    p.weight_grams = 500;
    p.stock = Stock::Limited(stock);
    p.group_ids = vec![group.to_owned()];
    seller
        .pasar
        .catalog()
        .create_product_blocking(p)
        .expect("product")
        .id
}

fn act(p: &Phone, order: &str, action: OrderAction) -> pasar_core::order::Order {
    p.pasar
        .orders()
        .act_blocking(order, &p.account, action)
        .expect("move")
}

fn ship() -> OrderAction {
    OrderAction::Ship {
        courier: "JNE REG".into(),
        resi: "JNE0123456789".into(),
    }
}

fn a_promoters_link_earns_her_commission(server: &Server) {
    let seller = phone(server, "+6281311112222", "Dapur Bu Rina");
    let kirana = phone(server, "+6281344445555", "Kirana Putri");
    let buyer = phone(server, "+6281233334444", "Ibu Sari");
    let group = market_of(&seller, &["+6281344445555", "+6281233334444"]);
    jne_rate(&seller);
    let donat = listed(&seller, "Donat kentang coklat", "25rb", 20, &group.id);
    // 7,5 % of the goods.
    seller
        .pasar
        .promoters()
        .set_commission_blocking(Some(CommissionRule::Percent { basis_points: 750 }))
        .expect("rule");
    sync(&seller);

    // Kirana takes the code her name suggests; it is hers once the server says so.
    sync(&kirana);
    let promo = kirana.pasar.promoters();
    let code = promo.suggest_code_blocking().expect("suggestion");
    assert_eq!(code.as_str(), "KIRANA");
    assert_eq!(
        promo.claim_code_blocking("kirana").expect("claim").state,
        ClaimState::Pending
    );
    sync(&kirana);
    assert_eq!(
        promo.my_code_blocking().expect("code").map(|c| c.state),
        Some(ClaimState::Active)
    );
    assert_eq!(
        promo
            .commission_rule_blocking(&seller.account)
            .expect("rule"),
        Some(CommissionRule::Percent { basis_points: 750 }),
        "the promoter sees the seller's rule"
    );
    let share = promo
        .share_blocking(
            ShareTarget::Product { id: donat.clone() },
            "https://pasar.app",
        )
        .expect("share");
    assert_eq!(
        share.link,
        format!("https://pasar.app/p/{donat}?ref=KIRANA")
    );
    assert!(share.message.contains("Donat kentang coklat") && share.message.contains("KIRANA"));
    assert!(share.whatsapp.starts_with("https://wa.me/?text="));

    // The buyer opens the link, then orders four boxes: Rp100.000 of goods.
    sync(&buyer);
    let referral = buyer
        .pasar
        .promoters()
        .open_link_blocking(&share.link)
        .expect("link")
        .expect("a referral");
    assert_eq!(referral.target, ShareTarget::Product { id: donat.clone() });
    let placed = order(&buyer, &seller.account, &donat, 4);
    assert_eq!(
        placed.links.promoter.as_ref().map(|p| p.code.as_str()),
        Some("KIRANA")
    );
    sync(&buyer);
    sync(&seller);

    // The seller's phone: who brought it, and the commission, Rp7.500.
    let at_seller = seller
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    let promoter = at_seller.links.promoter.clone().expect("attributed");
    assert_eq!(promoter.id, kirana.account);
    assert_eq!(promoter.name, "Kirana Putri");
    assert_eq!(at_seller.commission(), Rupiah::new(7_500));
    // The buyer's: only the code.
    let at_buyer = buyer
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(at_buyer.commission(), Rupiah::ZERO);

    // Kirana's phone: the order, without the buyer's address, and her month.
    sync(&kirana);
    let hers = kirana
        .pasar
        .orders()
        .promoted_blocking(&kirana.account, 0)
        .expect("promoted");
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0].address, None);
    assert_eq!(hers[0].role_of(&kirana.account), None, "she only watches");
    let month = Period::of(placed.created_at);
    let payout = &promo.payouts_blocking(month).expect("payouts")[0];
    assert_eq!(
        (
            payout.payout.orders,
            payout.payout.pending,
            payout.payout.earned
        ),
        (1, Rupiah::new(7_500), Rupiah::ZERO)
    );
    assert_eq!(payout.code, "KIRANA");

    // Delivered and completed: the commission is earned, on both phones.
    act(&seller, &placed.id, ship());
    act(&seller, &placed.id, OrderAction::MarkDelivered);
    act(&seller, &placed.id, OrderAction::Complete);
    sync(&seller);
    sync(&kirana);
    let payout = &promo.payouts_blocking(month).expect("payouts")[0];
    assert_eq!(
        (payout.payout.earned, payout.payout.pending),
        (Rupiah::new(7_500), Rupiah::ZERO)
    );
    let sellers = seller
        .pasar
        .promoters()
        .payouts_blocking(month)
        .expect("seller's payouts");
    assert_eq!(sellers.len(), 1);
    assert_eq!(sellers[0].name, "Kirana Putri");
    assert_eq!(sellers[0].payout.sales, Rupiah::new(100_000));

    // A phone that installed the app from her link: the store hands the referral over.
    let newcomer = phone(server, "+6285711112222", "Bu Lastri");
    sync(&newcomer);
    let from_store = newcomer
        .pasar
        .promoters()
        .open_link_blocking(&share.install_referrer)
        .expect("referrer")
        .expect("a referral");
    assert_eq!(from_store.code.as_str(), "KIRANA");
    // It counts for the seller once the product reaches her phone (she joins the market).
    group_member(&seller, &group.id, "Bu Lastri", "+6285711112222");
    sync(&seller);
    sync(&newcomer);
    assert_eq!(
        newcomer
            .pasar
            .promoters()
            .referral_for_blocking(&seller.account)
            .expect("referral"),
        Some("KIRANA".to_owned())
    );
    // A code said in a chat order ("kode: kirana") is kept for the seller's shop and
    // attributes the order the same way.
    let chat = "kak pesen 2 donat kentang coklat ya, kode: kirana. cod";
    let said = pasar_core::promo::find_in_chat(chat).expect("a code in the chat");
    let chatter = phone(server, "+6285722223333", "Pak Joko");
    group_member(&seller, &group.id, "Pak Joko", "+6285722223333");
    sync(&seller);
    sync(&chatter);
    chatter
        .pasar
        .promoters()
        .use_code_blocking(&seller.account, said.as_str())
        .expect("use code");
    let by_chat = order(&chatter, &seller.account, &donat, 2);
    sync(&chatter);
    sync(&seller);
    assert_eq!(
        seller
            .pasar
            .orders()
            .get_blocking(&by_chat.id)
            .expect("order")
            .links
            .promoter
            .map(|p| (p.id, p.commission_idr)),
        Some((kirana.account.clone(), 3_750)),
        "7,5 % of Rp50.000"
    );

    // Another's claim of KIRANA fails.
    let other = phone(server, "+6285755556666", "Kirana Dewi");
    other
        .pasar
        .promoters()
        .claim_code_blocking("KIRANA")
        .expect("claim");
    sync(&other);
    assert_eq!(
        other
            .pasar
            .promoters()
            .my_code_blocking()
            .expect("code")
            .map(|c| c.state),
        Some(ClaimState::Taken)
    );
    assert_eq!(
        other
            .pasar
            .promoters()
            .suggest_code_blocking()
            .expect("next")
            .as_str(),
        "KIRANA2"
    );
}

on_both_databases!(a_promoters_link_earns_her_commission as a_promoters_link_earns_her_commission);

/// Adds `name` (`number`) to the seller's group, on the seller's phone.
fn group_member(seller: &Phone, group: &str, name: &str, number: &str) {
    let contact = seller
        .pasar
        .accounts()
        .save_blocking(pasar_core::account::NewAccount {
            id: None,
            name: name.into(),
            phone: Some(number.into()),
        })
        .expect("contact");
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt")
        .block_on(seller.pasar.groups().add_member(
            group.to_owned(),
            contact.id,
            pasar_core::group::Role::Member,
        ))
        .expect("member");
}

fn a_resellers_order_is_shipped_by_the_supplier(server: &Server) {
    let supplier = phone(server, "+6281366667777", "Grosir Pak Budi");
    let reseller = phone(server, "+6281388889999", "Toko Dewi");
    let buyer = phone(server, "+6281233334444", "Ibu Sari");
    let suppliers = market_of(&supplier, &["+6281388889999"]);
    let source = listed(&supplier, "Bantal leher", "30rb", 10, &suppliers.id);
    supplier
        .pasar
        .catalog()
        .open_for_resale_blocking(
            &source,
            Some(ResaleTerms {
                supply_price: Rupiah::new(20_000),
                min_price: Rupiah::new(25_000),
                max_price: Rupiah::new(40_000),
            }),
        )
        .expect("open for resale");
    sync(&supplier);

    // The reseller lists it in her own circle at her price.
    sync(&reseller);
    let circle = market_of(&reseller, &["+6281233334444"]);
    jne_rate(&reseller);
    let too_dear = reseller.pasar.catalog().resell_blocking(
        &source,
        &reseller.account,
        Rupiah::new(45_000),
        vec![circle.id.clone()],
    );
    assert!(too_dear.is_err(), "above the supplier's ceiling");
    let listing = reseller
        .pasar
        .catalog()
        .resell_blocking(
            &source,
            &reseller.account,
            Rupiah::new(35_000),
            vec![circle.id.clone()],
        )
        .expect("resell")
        .id;
    sync(&reseller);

    sync(&buyer);
    let placed = order(&buyer, &reseller.account, &listing, 2);
    sync(&buyer);

    // The supplier's packing list has it, with the reseller as the sender.
    sync(&supplier);
    let list = supplier
        .pasar
        .orders()
        .packing_list_blocking(&supplier.account, 0)
        .expect("packing list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].role_of(&supplier.account), Some(Role::Partner));
    let label = supplier
        .pasar
        .orders()
        .label_blocking(&placed.id)
        .expect("label")
        .expect("a courier order");
    assert_eq!(label.sender_name, "Toko Dewi");
    assert_eq!(label.sender_phone.as_deref(), Some("0813-8888-9999"));
    assert!(
        label.recipient.starts_with("Ibu Sari"),
        "{}",
        label.recipient
    );
    assert_eq!(label.cod, Some(placed.total));
    assert_eq!(
        supplier
            .pasar
            .catalog()
            .get_product_blocking(&source)
            .expect("source")
            .stock,
        Stock::Limited(8)
    );

    // The reseller sees her margin: Rp70.000 sold, Rp40.000 owed.
    sync(&reseller);
    let hers = reseller
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(
        hers.links.supply.as_ref().map(|s| s.items_idr),
        Some(40_000)
    );
    assert!(
        hers.available_actions(Role::Seller)
            .iter()
            .all(|m| !matches!(m, pasar_core::order::OrderMove::Ship)),
        "the goods are at the supplier's"
    );

    // The supplier packs and ships; the buyer sees it shipped, and nothing of him.
    act(&supplier, &placed.id, OrderAction::Pack);
    act(&supplier, &placed.id, ship());
    sync(&supplier);
    sync(&buyer);
    let theirs = buyer
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(theirs.status, OrderStatus::Shipped);
    assert_eq!(theirs.links.supply, None);
    assert_eq!(theirs.links.partner, None);
    assert_eq!(theirs.seller_id, reseller.account);
}

on_both_databases!(
    a_resellers_order_is_shipped_by_the_supplier as a_resellers_order_is_shipped_by_the_supplier
);

fn a_warehouse_order_goes_packed_then_shipped(server: &Server) {
    let seller = phone(server, "+6281311112222", "Dapur Bu Rina");
    let warehouse = phone(server, "+6281322223333", "Gudang Surabaya");
    let buyer = phone(server, "+6281233334444", "Ibu Sari");
    let group = market_of(&seller, &["+6281233334444"]);
    jne_rate(&seller);
    let bantal = listed(&seller, "Bantal", "45rb", 5, &group.id);
    let product = seller
        .pasar
        .catalog()
        .assign_stock_blocking(&bantal, &warehouse.account, 3)
        .expect("stock at the warehouse");
    assert_eq!(product.stock, Stock::Limited(5), "home stock counted apart");
    sync(&seller);

    sync(&buyer);
    let placed = order(&buyer, &seller.account, &bantal, 2);
    sync(&buyer);
    sync(&seller);
    let at_seller = seller
        .pasar
        .orders()
        .get_blocking(&placed.id)
        .expect("order");
    assert_eq!(
        at_seller.links.partner.as_ref().map(|p| p.id.as_str()),
        Some(warehouse.account.as_str())
    );
    let stored = seller
        .pasar
        .catalog()
        .get_product_blocking(&bantal)
        .expect("product");
    assert_eq!(stored.trade.stock_at[0].stock, 1, "taken at the warehouse");
    assert_eq!(stored.stock, Stock::Limited(5), "not at home");
    // The seller cannot ship what the warehouse holds.
    assert!(
        seller
            .pasar
            .orders()
            .act_blocking(&placed.id, &seller.account, ship())
            .is_err()
    );

    sync(&warehouse);
    let list = warehouse
        .pasar
        .orders()
        .packing_list_blocking(&warehouse.account, 0)
        .expect("list");
    assert_eq!(list.len(), 1);
    act(&warehouse, &placed.id, OrderAction::Pack);
    sync(&warehouse);
    let notices = sync(&buyer).notices;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].title, "Pesanan dikemas");
    act(&warehouse, &placed.id, ship());
    sync(&warehouse);
    let notices = sync(&buyer).notices;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].title, "Pesanan dikirim");
    assert!(
        notices[0].body.contains("JNE0123456789"),
        "{:?}",
        notices[0]
    );
    let history = buyer
        .pasar
        .orders()
        .history_blocking(&placed.id)
        .expect("history");
    let steps: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(steps, ["place", "pack", "ship"]);
    // The seller's phone shows the same states.
    sync(&seller);
    assert_eq!(
        seller
            .pasar
            .orders()
            .get_blocking(&placed.id)
            .expect("order")
            .status,
        OrderStatus::Shipped
    );
}

on_both_databases!(
    a_warehouse_order_goes_packed_then_shipped as a_warehouse_order_goes_packed_then_shipped
);
