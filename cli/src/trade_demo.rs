//! The demo's part on selling through others, on the same server as the sync part: a
//! promoter shares a product and earns the seller's commission on the order her link
//! brought; a reseller sells a supplier's product in her own circle and the supplier
//! ships it with the reseller as the sender; a warehouse holding a seller's stock packs
//! and ships its order, and the buyer's phone hears each step by push.

use crate::sync_demo::{Phone, checkout_cod_jne, internal, sign_in, sync};
use pasar_core::Result;
use pasar_core::account::NewAccount;
use pasar_core::catalog::trade::ResaleTerms;
use pasar_core::catalog::{NewProduct, Stock};
use pasar_core::group::Role;
use pasar_core::money::Rupiah;
use pasar_core::order::address::Address;
use pasar_core::order::ongkir::{Courier, Rate};
use pasar_core::order::{Order, OrderAction};
use pasar_core::promo::commission::Period;
use pasar_core::promo::{CommissionRule, ShareTarget};
use pasar_core::sync::wire::PushDeviceDoc;
use pasar_server::RecordingSender;
use pasar_server::push::Sink;
use std::path::Path;
use std::time::Duration;

pub fn run(url: &str, codes: &RecordingSender, dir: &Path, sink: &Sink) -> Result<()> {
    let phone = |who: &str, number: &str, e164: &str, name: &str| {
        sign_in(url, codes, &dir.join(who), number, e164, name)
    };
    println!();
    println!("9b. Selling through others: a promoter's link, a reseller's order, a warehouse");
    let rina = phone("t-rina", "0813-1000-0001", "+6281310000001", "Kue Bu Rina")?;
    let kirana = phone(
        "t-kirana",
        "0813-1000-0002",
        "+6281310000002",
        "Kirana Putri",
    )?;
    let ayu = phone("t-ayu", "0813-1000-0003", "+6281310000003", "Ayu Lestari")?;
    let group = market(
        &rina,
        "Pasar Warga Kenanga",
        &[
            ("Kirana Putri", "0813-1000-0002"),
            ("Ayu Lestari", "0813-1000-0003"),
        ],
    )?;
    jne(&rina)?;
    let lapis = listed(&rina, "Lapis legit", "75rb", 20, &group)?;
    rina.pasar
        .promoters()
        .set_commission_blocking(Some(CommissionRule::Percent { basis_points: 750 }))?;
    println!("   Rina pays promoters 7,5% dari harga barang");
    sync("Rina", &rina)?;

    sync("Kirana", &kirana)?;
    let promo = kirana.pasar.promoters();
    let code = promo.suggest_code_blocking()?;
    promo.claim_code_blocking(code.as_str())?;
    sync("Kirana", &kirana)?;
    let share = promo.share_blocking(
        ShareTarget::Product { id: lapis.clone() },
        "https://pasar.app",
    )?;
    println!(
        "   Kirana claims the code {code} and shares: {}",
        share.link
    );
    println!(
        "   her WhatsApp message: {}",
        share.message.replace('\n', " / ")
    );
    sync("Ayu", &ayu)?;
    ayu.pasar.promoters().open_link_blocking(&share.link)?;
    let order = checkout(&ayu, &rina.account, &lapis, 2)?;
    println!(
        "   Ayu opens the link and orders 2 (order #{}, {} of goods)",
        order.number, order.items_total
    );
    sync("Ayu", &ayu)?;
    sync("Rina", &rina)?;
    let seen = rina.pasar.orders().get_blocking(&order.id)?;
    if let Some(p) = &seen.links.promoter {
        println!(
            "   Rina's phone: #{} came through {} ({}), commission {}",
            seen.number,
            p.name,
            p.code,
            seen.commission()
        );
    }
    sync("Kirana", &kirana)?;
    for line in promo.payouts_blocking(Period::of(order.created_at))? {
        println!(
            "   Kirana's month: {} order(s), sales {}, commission pending {} (paid once completed), earned {}",
            line.payout.orders, line.payout.sales, line.payout.pending, line.payout.earned
        );
    }

    // A supplier opens a product to resellers; Kirana resells it to her own circle.
    let budi = phone(
        "t-budi",
        "0813-1000-0004",
        "+6281310000004",
        "Grosir Pak Budi",
    )?;
    let suppliers = market(
        &budi,
        "Grosir Budi untuk Reseller",
        &[("Kirana Putri", "0813-1000-0002")],
    )?;
    let bantal = listed(&budi, "Bantal leher", "30rb", 10, &suppliers)?;
    budi.pasar.catalog().open_for_resale_blocking(
        &bantal,
        Some(ResaleTerms {
            supply_price: Rupiah::new(20_000),
            min_price: Rupiah::new(25_000),
            max_price: Rupiah::new(40_000),
        }),
    )?;
    sync("Budi", &budi)?;
    sync("Kirana", &kirana)?;
    let circle = market(
        &kirana,
        "Teman Kirana",
        &[("Ayu Lestari", "0813-1000-0003")],
    )?;
    jne(&kirana)?;
    let listing = kirana.pasar.catalog().resell_blocking(
        &bantal,
        &kirana.account,
        Rupiah::new(35_000),
        vec![circle],
    )?;
    println!(
        "   Budi sells Bantal leher to resellers at Rp20.000 (resale Rp25.000–Rp40.000); Kirana lists it at {}",
        listing.price
    );
    sync("Kirana", &kirana)?;
    sync("Ayu", &ayu)?;
    let resold = checkout(&ayu, &kirana.account, &listing.id, 2)?;
    sync("Ayu", &ayu)?;
    sync("Budi", &budi)?;
    if let Some(label) = budi.pasar.orders().label_blocking(&resold.id)? {
        println!(
            "   Budi's packing list has #{}: sender {} ({}), to {}; {}",
            label.order_number,
            label.sender_name,
            label.sender_phone.as_deref().unwrap_or("-"),
            label.recipient.lines().next().unwrap_or_default(),
            label.items.join("; ")
        );
    }
    budi.pasar
        .orders()
        .act_blocking(&resold.id, &budi.account, OrderAction::Pack)?;
    budi.pasar.orders().act_blocking(
        &resold.id,
        &budi.account,
        OrderAction::Ship {
            courier: "JNE REG".into(),
            resi: "JNE7700112233".into(),
        },
    )?;
    sync("Budi", &budi)?;
    sync("Kirana", &kirana)?;
    let hers = kirana.pasar.orders().get_blocking(&resold.id)?;
    if let Some(s) = &hers.links.supply {
        println!(
            "   Kirana sees #{} {}: sold {}, Budi is owed {}, her margin {}",
            hers.number,
            hers.status.label().id,
            hers.items_total,
            Rupiah::new(s.items_idr),
            Rupiah::new(hers.items_total.idr() - s.items_idr)
        );
    }
    sync("Ayu", &ayu)?;
    let theirs = ayu.pasar.orders().get_blocking(&resold.id)?;
    println!(
        "   Ayu's copy: bought from Kirana, {}; the supplier and his price are not on it ({})",
        theirs.status.label().id,
        if theirs.links.supply.is_none() && theirs.links.partner.is_none() {
            "checked"
        } else {
            "LEAKED"
        }
    );

    // A warehouse packs and ships for Rina; Ayu's phone hears each step by push.
    let gudang = phone(
        "t-gudang",
        "0813-1000-0005",
        "+6281310000005",
        "Gudang Surabaya",
    )?;
    let kue = rina
        .pasar
        .catalog()
        .assign_stock_blocking(&lapis, &gudang.account, 10)?;
    println!(
        "   Rina keeps 10 Lapis legit at Gudang Surabaya ({} left at home, counted apart)",
        match kue.stock {
            Stock::Limited(n) => n.to_string(),
            Stock::Unlimited => "unlimited".into(),
        }
    );
    sync("Rina", &rina)?;
    ayu.sync.register_push_blocking(PushDeviceDoc {
        platform: "fcm".into(),
        token: "demo-fcm-token-ayu".into(),
        p256dh: None,
        auth: None,
        app_version: env!("CARGO_PKG_VERSION").into(),
        lang: "id".into(),
    })?;
    let stored = checkout(&ayu, &rina.account, &lapis, 3)?;
    sync("Ayu", &ayu)?;
    sync("Gudang", &gudang)?;
    let list = gudang
        .pasar
        .orders()
        .packing_list_blocking(&gudang.account, 0)?;
    println!(
        "   the warehouse's packing list: {} order(s); it packs #{} and hands it to JNE",
        list.len(),
        stored.number
    );
    for (action, label) in [
        (OrderAction::Pack, "packed"),
        (
            OrderAction::Ship {
                courier: "JNE REG".into(),
                resi: "JNE5500667788".into(),
            },
            "shipped",
        ),
    ] {
        let before = sink.received().len();
        gudang
            .pasar
            .orders()
            .act_blocking(&stored.id, &gudang.account, action)?;
        sync("Gudang", &gudang)?;
        let pushes = tokio::runtime::Handle::current()
            .block_on(sink.wait_for(before + 1, Duration::from_secs(10)));
        let push = pushes[before..]
            .iter()
            .find(|p| p.token == "demo-fcm-token-ayu")
            .ok_or_else(|| internal("no push reached Ayu's phone"))?;
        let notices = ayu
            .sync
            .handle_push_blocking(push.payload.to_string().as_bytes(), Duration::from_secs(20))?;
        for n in notices {
            println!("   {label}: Ayu's phone shows \"{}\" — {}", n.title, n.body);
        }
    }
    Ok(())
}

fn market(owner: &Phone, name: &str, members: &[(&str, &str)]) -> Result<String> {
    let group = owner.pasar.groups().create_blocking(name, &owner.account)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(internal)?;
    for (who, number) in members {
        let contact = owner.pasar.accounts().save_blocking(NewAccount {
            id: None,
            name: (*who).into(),
            phone: Some((*number).into()),
        })?;
        rt.block_on(
            owner
                .pasar
                .groups()
                .add_member(group.id.clone(), contact.id, Role::Member),
        )?;
    }
    Ok(group.id)
}

fn jne(seller: &Phone) -> Result<()> {
    seller.pasar.orders().set_rate_blocking(
        &seller.account,
        Rate {
            courier: Courier::Jne,
            service: "REG".into(),
            destination: "*".into(),
            first_kg: Rupiah::new(10_000),
            next_kg: Rupiah::new(8_000),
        },
    )
}

fn listed(seller: &Phone, name: &str, price: &str, stock: i64, group: &str) -> Result<String> {
    let mut p = NewProduct::new(&seller.account, name, price);
    p.unit = "pcs".into();
    p.weight_grams = 500;
    p.stock = Stock::Limited(stock);
    p.group_ids = vec![group.to_owned()];
    Ok(seller.pasar.catalog().create_product_blocking(p)?.id)
}

fn checkout(buyer: &Phone, seller: &str, product: &str, units: i64) -> Result<Order> {
    let ayu_home = Address {
        recipient: "Ayu Lestari".into(),
        phone: "0813-1000-0003".into(),
        street: "Jl. Kenanga No. 12".into(),
        kelurahan: "Ketintang".into(),
        kecamatan: "Gayungan".into(),
        kabupaten: "Kota Surabaya".into(),
        provinsi: "Jawa Timur".into(),
        kode_pos: "60231".into(),
        notes: String::new(),
    };
    checkout_cod_jne(buyer, seller, product, units, ayu_home)
}
