//! The authorization matrix: who may do what to whose data, as one table of role ×
//! action × expected outcome (`matrix()`), every cell run over real HTTP against a
//! small market on SQLite and on PostgreSQL. A cell's outcome is what the user's phone
//! would be told: `applied`, the rejection kind a push answer carries (`not_allowed`,
//! `not_found`, `conflict`, `invalid`), an HTTP status and error code, or for pulls
//! whether the thing reached the account's phone (`seen` / `hidden`).
//!
//! The market of each cell ("world"): group G with its admin, the seller (a member who
//! lists product P in G, keeps P2 unlisted and has shop terms), a plain member and the
//! buyer (a member who places the orders); group H run by an outsider with product Q
//! and terms of their own; a signed-in stranger in no group; an account that signed out
//! (its token is sent); and no token at all. A cell expected to change something gets
//! a fresh world, so no cell depends on another's effect; the others of a row share one.

mod common;

use common::{Backend, Server, hex};
use pasar_core::order::address::Address;
use pasar_core::sync::wire::{
    ActionDoc, Mutation, Op, OrderDoc, OrderItemDoc, PRODUCT_FIELDS, ProductDoc, ProfileDoc,
    PushDeviceDoc, PushRequest, RateDoc, TermsDoc,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

on_both!(
    the_matrix_holds,
    a_removed_seller_takes_their_listings_along
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// Owns P (listed in G), P2 (listed nowhere) and shop terms; a member of G; the
    /// seller of every order.
    Seller,
    /// G's only admin; no party to any order.
    Admin,
    /// A plain member of G.
    Member,
    /// A plain member of G; the buyer of every order.
    Buyer,
    /// The admin of another group, H, with product Q and terms of their own.
    Outsider,
    /// Signed in, in no group.
    Stranger,
    /// Signed in, then signed out: the revoked token is sent.
    SignedOut,
    /// No Authorization header.
    NoToken,
}

const ROLES: [Role; 8] = [
    Role::Seller,
    Role::Admin,
    Role::Member,
    Role::Buyer,
    Role::Outsider,
    Role::Stranger,
    Role::SignedOut,
    Role::NoToken,
];

/// What an order looks like before the cell's move.
#[derive(Clone, Copy, Debug)]
enum OrderAt {
    /// QRIS, not paid yet (Belum Bayar).
    Unpaid,
    /// QRIS, paid: being packed.
    Paid,
    /// COD by courier: being packed.
    CodPacking,
    /// COD for pickup: being packed.
    PickupPacking,
    /// COD by courier, shipped.
    Shipped,
    /// COD by courier, delivered.
    Delivered,
}

#[derive(Clone, Copy, Debug)]
enum Move {
    ConfirmPayment,
    Ship,
    ReadyForPickup,
    MarkDelivered,
    Complete,
    Cancel,
    Pack,
}

/// What a pull may or may not bring.
#[derive(Clone, Copy, Debug)]
enum Thing {
    ProductP,
    ProductP2,
    ProductQ,
    GroupG,
    GroupH,
    TheOrder,
    SellersTerms,
    OutsidersTerms,
    /// The role's phone number anywhere in what was pulled.
    PhoneOf(Role),
}

#[derive(Clone, Copy, Debug)]
enum Act {
    /// A new product of the actor's own, listed in G.
    NewProductInG,
    /// A new product of the actor's own, listed nowhere.
    NewProductUnlisted,
    /// Renames the seller's product P.
    EditSellersProduct,
    /// Lists P in G and H (the seller is not in H).
    ListSellersProductInH,
    CreateGroup,
    RenameG,
    /// Adds a number new to G as a member.
    AddMemberToG,
    /// Makes oneself an admin of G.
    PromoteSelfInG,
    /// Makes G's only admin a plain member.
    DemoteOnlyAdminOfG,
    /// Removes the plain member from G.
    RemoveMemberFromG,
    /// Removes G's only admin.
    RemoveOnlyAdminOfG,
    /// Removes oneself from G.
    LeaveG,
    /// Orders P (listed in G) for oneself.
    OrderP,
    /// Orders P2 (the seller's, listed nowhere) for oneself.
    OrderP2,
    /// Orders Q (listed in H) for oneself.
    OrderQ,
    /// Orders P naming the buyer as the one who buys.
    OrderInBuyersName,
    /// Orders P under the id of the buyer's existing order.
    OrderUnderBuyersOrderId,
    /// Moves one of the buyer's orders with the seller.
    MoveOrder(OrderAt, Move),
    PutProfile,
    /// Claims a promoter code no one holds.
    ClaimFreeCode,
    PutOwnTerms,
    PutSellersTerms,
    /// A sync push under the seller's device id.
    SyncWithSellersDevice,
    /// Uploads a new photo (one chunk).
    UploadPhoto,
    /// Asks how far the seller's unfinished upload got.
    SellersUploadProgress,
    /// Gives the seller's stored photo its thumbnail.
    ThumbOfSellersPhoto,
    /// Fetches the seller's photo (no token needed: see photos/mod.rs).
    GetSellersPhoto,
    /// Registers a new push device id of one's own.
    RegisterOwnPushDevice,
    /// Registers push under the device id the seller registered push with.
    RegisterSellersPushDevice,
    /// Registers push under a device id the seller syncs with.
    RegisterSellersSyncDevice,
    /// Unregisters the seller's push device.
    UnregisterSellersPushDevice,
    /// Registers a push device, then unregisters it.
    UnregisterOwnPushDevice,
    /// Pulls from the start: is the thing there?
    Pull(Thing),
}

impl Act {
    /// Whether an `applied` outcome changes the world (then the cell gets a fresh one).
    fn writes(self) -> bool {
        !matches!(
            self,
            Act::Pull(_) | Act::GetSellersPhoto | Act::SellersUploadProgress
        )
    }
}

const OK: &str = "applied";
const NOT_ALLOWED: &str = "not_allowed";
const NOT_FOUND: &str = "not_found";
const CONFLICT: &str = "conflict";
const INVALID: &str = "invalid";
const UNAUTHORIZED: &str = "401 unauthorized";
const TAKEN: &str = "403 device_taken";
const FORBIDDEN: &str = "403 not_allowed";
const SEEN: &str = "seen";
const HIDDEN: &str = "hidden";
const REMOVED: &str = "removed";
const KEPT: &str = "kept";

struct Case {
    role: Role,
    act: Act,
    expected: &'static str,
}

/// The matrix, one row per action, one column per role:
/// seller, admin, member, buyer, outsider, stranger, signed out, no token.
#[rustfmt::skip]
fn matrix() -> Vec<Case> {
    use Act::*;
    use Move as M;
    use OrderAt as At;
    use Thing::*;
    const UN: &str = UNAUTHORIZED;
    let rows: Vec<(Act, [&'static str; 8])> = vec![
        // action                                         seller        admin        member       buyer        outsider     stranger     signed out, no token
        // Products: one's own only, listed only where one is a member.
        (NewProductInG,                                   [OK,          OK,          OK,          OK,          NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (NewProductUnlisted,                              [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (EditSellersProduct,                              [OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (ListSellersProductInH,                           [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        // Groups: anyone makes one; its admins rename it and add people.
        (CreateGroup,                                     [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (RenameG,                                         [NOT_ALLOWED, OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (AddMemberToG,                                    [NOT_ALLOWED, OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (PromoteSelfInG,                                  [NOT_ALLOWED, OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (DemoteOnlyAdminOfG,                              [NOT_ALLOWED, CONFLICT,    NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        // Admins remove members; a member leaves; a group keeps one admin. Leaving a
        // group one is not in changes nothing and is answered as done.
        (RemoveMemberFromG,                               [NOT_ALLOWED, OK,          OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (RemoveOnlyAdminOfG,                              [NOT_ALLOWED, CONFLICT,    NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (LeaveG,                                          [OK,          CONFLICT,    OK,          OK,          OK,          OK,          UN, UN]),
        // Orders: only what one can see is for sale, and only in one's own name.
        (OrderP,                                          [OK,          OK,          OK,          OK,          NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (OrderP2,                                         [OK,          NOT_FOUND,   NOT_FOUND,   NOT_FOUND,   NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (OrderQ,                                          [NOT_FOUND,   NOT_FOUND,   NOT_FOUND,   NOT_FOUND,   OK,          NOT_FOUND,   UN, UN]),
        (OrderInBuyersName,                               [NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, OK,          NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        (OrderUnderBuyersOrderId,                         [INVALID,     INVALID,     INVALID,     OK,          INVALID,     INVALID,     UN, UN]),
        // Order moves: the buyer and seller by the state machine; to anyone else the
        // order does not exist.
        (MoveOrder(At::Unpaid, M::ConfirmPayment),        [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Unpaid, M::Cancel),                [OK,          NOT_FOUND,   NOT_FOUND,   OK,          NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Paid, M::Cancel),                  [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::CodPacking, M::Ship),              [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::CodPacking, M::Cancel),            [OK,          NOT_FOUND,   NOT_FOUND,   OK,          NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::CodPacking, M::Pack),              [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::PickupPacking, M::Pack),           [NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::CodPacking, M::Complete),          [NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::PickupPacking, M::ReadyForPickup), [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Shipped, M::MarkDelivered),        [OK,          NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Shipped, M::Complete),             [NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   OK,          NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Shipped, M::Cancel),               [NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   NOT_ALLOWED, NOT_FOUND,   NOT_FOUND,   UN, UN]),
        (MoveOrder(At::Delivered, M::Complete),           [OK,          NOT_FOUND,   NOT_FOUND,   OK,          NOT_FOUND,   NOT_FOUND,   UN, UN]),
        // One's own profile and terms only.
        (PutProfile,                                      [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (ClaimFreeCode,                                   [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (PutOwnTerms,                                     [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (PutSellersTerms,                                 [OK,          NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, UN, UN]),
        // A sync device id is its account's.
        (SyncWithSellersDevice,                           [OK,          TAKEN,       TAKEN,       TAKEN,       TAKEN,       TAKEN,       UN, UN]),
        // Photos: anyone signed in uploads; only the uploader gives the thumbnail and
        // sees their own progress; the files go to anyone who has the address.
        (UploadPhoto,                                     [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (SellersUploadProgress,                           [SEEN,        HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      UN, UN]),
        (ThumbOfSellersPhoto,                             [OK,          FORBIDDEN,   FORBIDDEN,   FORBIDDEN,   FORBIDDEN,   FORBIDDEN,   UN, UN]),
        (GetSellersPhoto,                                 [OK,          OK,          OK,          OK,          OK,          OK,          OK, OK]),
        // Push devices: one's own only. Another's is not removed (and not told apart
        // from none: 204 either way).
        (RegisterOwnPushDevice,                           [OK,          OK,          OK,          OK,          OK,          OK,          UN, UN]),
        (RegisterSellersPushDevice,                       [OK,          TAKEN,       TAKEN,       TAKEN,       TAKEN,       TAKEN,       UN, UN]),
        (RegisterSellersSyncDevice,                       [OK,          TAKEN,       TAKEN,       TAKEN,       TAKEN,       TAKEN,       UN, UN]),
        (UnregisterSellersPushDevice,                     [REMOVED,     KEPT,        KEPT,        KEPT,        KEPT,        KEPT,        UN, UN]),
        (UnregisterOwnPushDevice,                         [REMOVED,     REMOVED,     REMOVED,     REMOVED,     REMOVED,     REMOVED,     UN, UN]),
        // What a pull from the start brings: the products of one's groups and one's
        // own, one's groups, one's orders, the terms of one's groups' sellers; never
        // another group's. Numbers: a product shows its seller's, a group its
        // admins', an order both parties'; a plain member's is shown to no one.
        (Pull(ProductP),                                  [SEEN,        SEEN,        SEEN,        SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(ProductP2),                                 [SEEN,        HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(ProductQ),                                  [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      UN, UN]),
        (Pull(GroupG),                                    [SEEN,        SEEN,        SEEN,        SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(GroupH),                                    [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      UN, UN]),
        (Pull(TheOrder),                                  [SEEN,        HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(SellersTerms),                              [SEEN,        SEEN,        SEEN,        SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(OutsidersTerms),                            [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Seller)),                     [SEEN,        SEEN,        SEEN,        SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Admin)),                      [SEEN,        SEEN,        SEEN,        SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Member)),                     [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Buyer)),                      [SEEN,        HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Outsider)),                   [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      SEEN,        HIDDEN,      UN, UN]),
        (Pull(PhoneOf(Role::Stranger)),                   [HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      HIDDEN,      UN, UN]),
    ];
    rows.into_iter()
        .flat_map(|(act, outcomes)| {
            ROLES
                .into_iter()
                .zip(outcomes)
                .map(move |(role, expected)| Case {
                    role,
                    act,
                    expected,
                })
        })
        .collect()
}

const PROTOCOL: (&str, &str) = ("pasar-protocol", "2");
const PRICE: i64 = 25_000;

/// A signed-in account of a world, and its phone's sync device.
struct Account {
    phone: String,
    id: String,
    /// `None` for [`Role::NoToken`].
    token: Option<String>,
    device: String,
    next_id: u64,
}

/// One small market; ids and numbers are the world's own, so many live in one database.
struct World {
    n: usize,
    accounts: BTreeMap<Role, Account>,
    group_g: String,
    group_h: String,
    product_p: String,
    product_p2: String,
    product_q: String,
    /// A device the seller syncs with but registered no push for.
    seller_sync_device: String,
    /// A device id the seller registered push for (before its first sync).
    seller_push_device: String,
    /// Stored, without a thumbnail yet.
    seller_photo: String,
    /// Half uploaded by the seller.
    seller_partial: String,
    /// Orders made for the cells, to tell them apart.
    orders: usize,
}

fn number(world: usize, slot: usize) -> String {
    format!("+628131{world:04}{slot:02}0")
}

fn profile(id: &str) -> ProfileDoc {
    ProfileDoc {
        id: id.to_owned(),
        name: String::new(),
        phone: None,
    }
}

fn product(id: &str, seller: &str, groups: &[&str]) -> ProductDoc {
    ProductDoc {
        id: id.to_owned(),
        seller: profile(seller),
        name: "Donat kentang".into(),
        description: String::new(),
        price_idr: PRICE,
        unit: "box".into(),
        weight_grams: 500,
        // Unlimited: the cells order as often as they like.
        stock: None,
        preorder_days: None,
        category: None,
        options: vec![],
        variants: vec![],
        photos: vec![],
        group_ids: groups.iter().map(|g| (*g).to_owned()).collect(),
        archived: false,
        resale: None,
        resale_of: None,
        stock_at: vec![],
        created_at: 1,
        updated_at: 1,
        version: 0,
    }
}

fn put_product(p: ProductDoc, fields: &[&str]) -> Op {
    Op::PutProduct {
        product: Box::new(p),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    }
}

fn terms(seller: &str) -> Op {
    Op::PutTerms {
        terms: Box::new(TermsDoc {
            seller_id: seller.to_owned(),
            rates: vec![RateDoc {
                courier: "jne".into(),
                service: "REG".into(),
                destination: "*".into(),
                first_kg_idr: 10_000,
                next_kg_idr: 8_000,
            }],
            discounts: vec![],
            commission: None,
            version: 0,
        }),
    }
}

/// One unit of `product`, COD by courier (ongkir agreed in chat) unless `at` says
/// otherwise.
fn order(id: &str, buyer: &str, seller: &str, product: &str, at: OrderAt, buyer_phone: &str) -> Op {
    let pickup = matches!(at, OrderAt::PickupPacking);
    let prepaid = matches!(at, OrderAt::Unpaid | OrderAt::Paid);
    Op::PlaceOrder {
        order: Box::new(OrderDoc {
            id: id.to_owned(),
            number: format!("PSR-{id}"),
            checkout_id: format!("checkout-{id}"),
            buyer: profile(buyer),
            seller: profile(seller),
            status: String::new(),
            payment: if prepaid { "qris" } else { "cod" }.into(),
            delivery: if pickup { "pickup" } else { "courier" }.into(),
            address: (!pickup).then(|| Address {
                recipient: "Ibu Sari".into(),
                phone: buyer_phone.to_owned(),
                street: "Jl. Melati No. 5".into(),
                kelurahan: "Pucang".into(),
                kecamatan: "Sidoarjo".into(),
                kabupaten: "Kab. Sidoarjo".into(),
                provinsi: "Jawa Timur".into(),
                kode_pos: "61219".into(),
                notes: String::new(),
            }),
            courier: None,
            service: None,
            resi: None,
            items: vec![OrderItemDoc {
                product_id: product.to_owned(),
                variant_id: None,
                name: "Donat kentang".into(),
                variant_label: String::new(),
                unit: "box".into(),
                quantity_milli: 1000,
                unit_price_idr: PRICE,
                total_idr: PRICE,
                note: String::new(),
                reserved_units: 0,
                reserved_on: String::new(),
            }],
            items_idr: PRICE,
            ongkir_idr: 0,
            kode_unik_idr: 0,
            discount_idr: 0,
            total_idr: PRICE,
            note: String::new(),
            cancel_reason: None,
            expires_at: None,
            created_at: 0,
            updated_at: 0,
            version: 0,
            events: vec![],
            promoter: None,
            partner: None,
            supply: None,
            packed_at: None,
        }),
    }
}

fn action(m: Move) -> ActionDoc {
    match m {
        Move::ConfirmPayment => ActionDoc::ConfirmPayment,
        Move::Ship => ActionDoc::Ship {
            courier: "JNE".into(),
            resi: "JNE0123456789".into(),
        },
        Move::ReadyForPickup => ActionDoc::ReadyForPickup,
        Move::MarkDelivered => ActionDoc::MarkDelivered,
        Move::Complete => ActionDoc::Complete,
        Move::Cancel => ActionDoc::Cancel {
            reason: "salah pesan".into(),
        },
        Move::Pack => ActionDoc::Pack,
    }
}

/// A file that passes the photo checks (JPEG magic, then noise from `seed`). Seeds are
/// kept apart per use and world: a file stored once is deduplicated for everyone.
fn photo_bytes(seed: u64) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    while out.len() < 3_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push(x as u8);
    }
    out
}

fn sha(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `status error` of a refused request, as the matrix writes it.
fn http_outcome(status: u16, body: &[u8]) -> String {
    let error = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{status} {error}")
}

impl World {
    async fn new(server: &Server, n: usize) -> World {
        let mut accounts = BTreeMap::new();
        for (slot, role) in ROLES.into_iter().enumerate() {
            let phone = number(n, slot);
            let signed = server.sign_in(&phone, &phone).await;
            let mut token = signed["token"].as_str().map(str::to_owned);
            if role == Role::SignedOut {
                let (status, _) = server
                    .call("POST", "/v1/auth/logout", token.as_deref(), "")
                    .await;
                assert_eq!(status, 204);
            }
            if role == Role::NoToken {
                token = None;
            }
            accounts.insert(
                role,
                Account {
                    phone,
                    id: signed["account_id"].as_str().expect("account").to_owned(),
                    token,
                    device: format!("w{n}-{role:?}"),
                    next_id: 1,
                },
            );
        }
        let mut world = World {
            n,
            accounts,
            group_g: format!("w{n}-g"),
            group_h: format!("w{n}-h"),
            product_p: format!("w{n}-p"),
            product_p2: format!("w{n}-p2"),
            product_q: format!("w{n}-q"),
            seller_sync_device: format!("w{n}-seller-tablet"),
            seller_push_device: format!("w{n}-seller-new-phone"),
            seller_photo: String::new(),
            seller_partial: String::new(),
            orders: 0,
        };
        let (g, h) = (world.group_g.clone(), world.group_h.clone());
        let ops = vec![
            Op::PutGroup {
                group_id: g.clone(),
                name: "Pasar Warga Melati".into(),
            },
            Op::AddMember {
                group_id: g.clone(),
                phone: world.phone(Role::Seller),
                role: "member".into(),
            },
            Op::AddMember {
                group_id: g.clone(),
                phone: world.phone(Role::Member),
                role: "member".into(),
            },
            Op::AddMember {
                group_id: g.clone(),
                phone: world.phone(Role::Buyer),
                role: "member".into(),
            },
        ];
        world.setup(server, Role::Admin, ops).await;
        let outsider = world.id(Role::Outsider);
        let ops = vec![
            Op::PutGroup {
                group_id: h.clone(),
                name: "Pasar Kenanga".into(),
            },
            put_product(product(&world.product_q, &outsider, &[&h]), PRODUCT_FIELDS),
            terms(&outsider),
        ];
        world.setup(server, Role::Outsider, ops).await;
        let seller = world.id(Role::Seller);
        let ops = vec![
            put_product(product(&world.product_p, &seller, &[&g]), PRODUCT_FIELDS),
            put_product(product(&world.product_p2, &seller, &[]), PRODUCT_FIELDS),
            terms(&seller),
        ];
        world.setup(server, Role::Seller, ops).await;
        // The seller's tablet syncs (no push registration); a new phone of hers
        // registers push before its first sync.
        let token = world.token(Role::Seller);
        let body = serde_json::to_vec(&PushRequest {
            device_id: world.seller_sync_device.clone(),
            mutations: vec![],
        })
        .expect("json");
        let reply = server
            .send(
                "POST",
                "/v1/sync/push",
                token.as_deref(),
                &[PROTOCOL],
                &body,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let device = world.seller_push_device.clone();
        assert_eq!(world.register(server, Role::Seller, &device).await, OK);
        // Her photo, stored; and another half sent.
        let whole = photo_bytes(1_000_000 + n as u64 * 2);
        world.seller_photo = sha(&whole);
        assert_eq!(
            world
                .upload(server, Role::Seller, &whole, whole.len())
                .await,
            OK
        );
        let half = photo_bytes(1_000_001 + n as u64 * 2);
        world.seller_partial = sha(&half);
        let path = format!(
            "/v1/photos/{}/upload?offset=0&total={}",
            world.seller_partial,
            half.len()
        );
        let reply = server
            .send("PUT", &path, token.as_deref(), &[PROTOCOL], &half[..1000])
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        world
    }

    fn id(&self, role: Role) -> String {
        self.accounts[&role].id.clone()
    }

    fn phone(&self, role: Role) -> String {
        self.accounts[&role].phone.clone()
    }

    fn token(&self, role: Role) -> Option<String> {
        self.accounts[&role].token.clone()
    }

    async fn setup(&mut self, server: &Server, role: Role, ops: Vec<Op>) {
        for op in ops {
            let outcome = self.mutate(server, role, op).await;
            assert_eq!(outcome, OK, "setting up world {}", self.n);
        }
    }

    /// Sends one mutation from `role`'s phone; the outcome as the matrix writes it.
    async fn mutate(&mut self, server: &Server, role: Role, op: Op) -> String {
        let device = self.accounts[&role].device.clone();
        self.mutate_as(server, role, &device, op).await
    }

    async fn mutate_as(&mut self, server: &Server, role: Role, device: &str, op: Op) -> String {
        let account = self.accounts.get_mut(&role).expect("role");
        let id = account.next_id;
        account.next_id += 1;
        let body = serde_json::to_vec(&PushRequest {
            device_id: device.to_owned(),
            mutations: vec![Mutation {
                id,
                at: server.now(),
                op,
            }],
        })
        .expect("json");
        let reply = server
            .send(
                "POST",
                "/v1/sync/push",
                account.token.as_deref(),
                &[PROTOCOL],
                &body,
            )
            .await;
        if reply.status != 200 {
            return http_outcome(reply.status, &reply.body);
        }
        let answer = reply.json();
        match answer["results"][0]["rejected"]["kind"].as_str() {
            Some(kind) => kind.to_owned(),
            None => OK.to_owned(),
        }
    }

    async fn register(&self, server: &Server, role: Role, device: &str) -> String {
        let doc = PushDeviceDoc {
            platform: "fcm".into(),
            token: format!("{device}:{role:?}:APA91b-token"),
            p256dh: None,
            auth: None,
            app_version: "1.4.0 (140)".into(),
            lang: "id".into(),
        };
        let reply = server
            .send(
                "PUT",
                &format!("/v1/push/devices/{device}"),
                self.token(role).as_deref(),
                &[PROTOCOL],
                &serde_json::to_vec(&doc).expect("json"),
            )
            .await;
        match reply.status {
            204 => OK.to_owned(),
            s => http_outcome(s, &reply.body),
        }
    }

    /// Unregisters `device` as `role`: `removed` or `kept` by what the database holds.
    async fn unregister(&self, server: &Server, role: Role, device: &str) -> String {
        let reply = server
            .send(
                "DELETE",
                &format!("/v1/push/devices/{device}"),
                self.token(role).as_deref(),
                &[PROTOCOL],
                b"",
            )
            .await;
        if reply.status != 204 {
            return http_outcome(reply.status, &reply.body);
        }
        let left = server
            .db
            .texts(&format!(
                "SELECT device_id FROM push_devices WHERE device_id = '{device}'"
            ))
            .await;
        if left.is_empty() { REMOVED } else { KEPT }.to_owned()
    }

    /// Sends `bytes` as the first chunk of a photo of `total` bytes.
    async fn upload(&self, server: &Server, role: Role, bytes: &[u8], total: usize) -> String {
        let path = format!("/v1/photos/{}/upload?offset=0&total={total}", sha(bytes));
        let reply = server
            .send(
                "PUT",
                &path,
                self.token(role).as_deref(),
                &[PROTOCOL],
                bytes,
            )
            .await;
        match reply.status {
            200 if reply.json()["stored"] == true => OK.to_owned(),
            s => http_outcome(s, &reply.body),
        }
    }

    /// The buyer places an order of P and the seller moves it to `at`; its id.
    async fn order_at(&mut self, server: &Server, at: OrderAt) -> String {
        self.orders += 1;
        let id = format!("w{}-o{}", self.n, self.orders);
        let (buyer, seller) = (self.id(Role::Buyer), self.id(Role::Seller));
        let phone = self.accounts[&Role::Buyer].phone.clone();
        let placed = order(&id, &buyer, &seller, &self.product_p.clone(), at, &phone);
        self.setup(server, Role::Buyer, vec![placed]).await;
        let moves: &[Move] = match at {
            OrderAt::Unpaid | OrderAt::CodPacking | OrderAt::PickupPacking => &[],
            OrderAt::Paid => &[Move::ConfirmPayment],
            OrderAt::Shipped => &[Move::Ship],
            OrderAt::Delivered => &[Move::Ship, Move::MarkDelivered],
        };
        for m in moves {
            let op = Op::ActOnOrder {
                order_id: id.clone(),
                action: action(*m),
            };
            self.setup(server, Role::Seller, vec![op]).await;
        }
        id
    }

    /// Everything `role` pulls from the start, as JSON text per page.
    async fn pull_all(&self, server: &Server, role: Role) -> Result<Vec<Value>, String> {
        let mut cursor = String::new();
        let mut pages = Vec::new();
        loop {
            let reply = server
                .send(
                    "GET",
                    &format!("/v1/sync/pull?cursor={cursor}"),
                    self.token(role).as_deref(),
                    &[PROTOCOL],
                    b"",
                )
                .await;
            if reply.status != 200 {
                return Err(http_outcome(reply.status, &reply.body));
            }
            let page = reply.json();
            cursor = page["cursor"].as_str().unwrap_or_default().to_owned();
            let more = page["more"] == true;
            pages.push(page);
            if !more {
                return Ok(pages);
            }
        }
    }

    /// Whether `thing` is in `role`'s pull.
    fn sees(&self, pages: &[Value], thing: Thing) -> bool {
        let has = |kind: &str, key: &str, id: &str| {
            pages.iter().any(|page| {
                page["changes"].as_array().is_some_and(|changes| {
                    changes.iter().any(|c| c[kind][key].as_str() == Some(id))
                })
            })
        };
        match thing {
            Thing::ProductP => has("product", "id", &self.product_p),
            Thing::ProductP2 => has("product", "id", &self.product_p2),
            Thing::ProductQ => has("product", "id", &self.product_q),
            Thing::GroupG => has("group", "id", &self.group_g),
            Thing::GroupH => has("group", "id", &self.group_h),
            Thing::TheOrder => has("order", "id", &format!("w{}-o1", self.n)),
            Thing::SellersTerms => has("terms", "seller_id", &self.id(Role::Seller)),
            Thing::OutsidersTerms => has("terms", "seller_id", &self.id(Role::Outsider)),
            Thing::PhoneOf(whose) => {
                // In any spelling: the digits after +62 find +62..., 62... and 0....
                let phone = &self.accounts[&whose].phone;
                let digits = &phone[3..];
                pages.iter().any(|p| p.to_string().contains(digits))
            }
        }
    }

    /// Runs one cell; its outcome as the matrix writes it.
    async fn run(&mut self, server: &Server, role: Role, act: Act) -> String {
        let me = self.id(role);
        let n = self.n;
        let (g, h) = (self.group_g.clone(), self.group_h.clone());
        let op = match act {
            Act::NewProductInG => put_product(
                product(&format!("w{n}-new-{role:?}"), &me, &[&g]),
                PRODUCT_FIELDS,
            ),
            Act::NewProductUnlisted => put_product(
                product(&format!("w{n}-new-{role:?}"), &me, &[]),
                PRODUCT_FIELDS,
            ),
            Act::EditSellersProduct => {
                let mut p = product(&self.product_p, &me, &[&g]);
                p.name = "Donat coklat".into();
                put_product(p, &["name"])
            }
            Act::ListSellersProductInH => {
                put_product(product(&self.product_p, &me, &[&g, &h]), &["group_ids"])
            }
            Act::CreateGroup => Op::PutGroup {
                group_id: format!("w{n}-group-of-{role:?}"),
                name: "Arisan RT 03".into(),
            },
            Act::RenameG => Op::PutGroup {
                group_id: g,
                name: "Pasar Melati Baru".into(),
            },
            Act::AddMemberToG => Op::AddMember {
                group_id: g,
                phone: number(n, 20),
                role: "member".into(),
            },
            Act::PromoteSelfInG => Op::AddMember {
                group_id: g,
                phone: self.phone(role),
                role: "admin".into(),
            },
            Act::DemoteOnlyAdminOfG => Op::AddMember {
                group_id: g,
                phone: self.phone(Role::Admin),
                role: "member".into(),
            },
            Act::RemoveMemberFromG => Op::RemoveMember {
                group_id: g,
                account_id: self.id(Role::Member),
            },
            Act::RemoveOnlyAdminOfG => Op::RemoveMember {
                group_id: g,
                account_id: self.id(Role::Admin),
            },
            Act::LeaveG => Op::RemoveMember {
                group_id: g,
                account_id: me,
            },
            Act::OrderP | Act::OrderP2 | Act::OrderQ | Act::OrderInBuyersName => {
                self.orders += 1;
                let (product, seller) = match act {
                    Act::OrderP2 => (self.product_p2.clone(), self.id(Role::Seller)),
                    Act::OrderQ => (self.product_q.clone(), self.id(Role::Outsider)),
                    _ => (self.product_p.clone(), self.id(Role::Seller)),
                };
                let buyer = match act {
                    Act::OrderInBuyersName => self.id(Role::Buyer),
                    _ => me,
                };
                let id = format!("w{n}-o{}", self.orders);
                order(
                    &id,
                    &buyer,
                    &seller,
                    &product,
                    OrderAt::CodPacking,
                    &self.phone(role),
                )
            }
            Act::OrderUnderBuyersOrderId => {
                let id = self.order_at(server, OrderAt::CodPacking).await;
                let seller = self.id(Role::Seller);
                let product = self.product_p.clone();
                order(
                    &id,
                    &me,
                    &seller,
                    &product,
                    OrderAt::CodPacking,
                    &self.phone(role),
                )
            }
            Act::MoveOrder(at, m) => {
                let id = self.order_at(server, at).await;
                Op::ActOnOrder {
                    order_id: id,
                    action: action(m),
                }
            }
            Act::PutProfile => Op::PutProfile {
                name: "Bu Rina".into(),
            },
            // A code of the actor's own making: the cells of a row share a world.
            Act::ClaimFreeCode => Op::ClaimCode {
                code: format!(
                    "K{}",
                    me.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .take(12)
                        .collect::<String>()
                ),
            },
            Act::PutOwnTerms => terms(&me),
            Act::PutSellersTerms => terms(&self.id(Role::Seller)),
            Act::SyncWithSellersDevice => {
                let device = self.accounts[&Role::Seller].device.clone();
                let op = Op::PutProfile {
                    name: "Bu Rina".into(),
                };
                return self.mutate_as(server, role, &device, op).await;
            }
            Act::UploadPhoto => {
                let bytes = photo_bytes(2_000_000 + n as u64 * 100 + role as u64);
                return self.upload(server, role, &bytes, bytes.len()).await;
            }
            Act::SellersUploadProgress => {
                let path = format!("/v1/photos/{}/upload", self.seller_partial);
                let reply = server
                    .send("GET", &path, self.token(role).as_deref(), &[PROTOCOL], b"")
                    .await;
                return match reply.status {
                    200 if reply.json()["received"].as_u64() > Some(0) => SEEN.to_owned(),
                    200 => HIDDEN.to_owned(),
                    s => http_outcome(s, &reply.body),
                };
            }
            Act::ThumbOfSellersPhoto => {
                let path = format!("/v1/photos/{}/thumb", self.seller_photo);
                let thumb = photo_bytes(3_000_000 + n as u64);
                let reply = server
                    .send(
                        "PUT",
                        &path,
                        self.token(role).as_deref(),
                        &[PROTOCOL],
                        &thumb,
                    )
                    .await;
                return match reply.status {
                    200 => OK.to_owned(),
                    s => http_outcome(s, &reply.body),
                };
            }
            Act::GetSellersPhoto => {
                let path = format!("/v1/photos/{}", self.seller_photo);
                let reply = server
                    .send("GET", &path, self.token(role).as_deref(), &[], b"")
                    .await;
                return match reply.status {
                    200 => OK.to_owned(),
                    s => http_outcome(s, &reply.body),
                };
            }
            Act::RegisterOwnPushDevice => {
                let device = format!("w{n}-{role:?}-push");
                return self.register(server, role, &device).await;
            }
            Act::RegisterSellersPushDevice => {
                let device = self.seller_push_device.clone();
                return self.register(server, role, &device).await;
            }
            Act::RegisterSellersSyncDevice => {
                let device = self.seller_sync_device.clone();
                return self.register(server, role, &device).await;
            }
            Act::UnregisterSellersPushDevice => {
                let device = self.seller_push_device.clone();
                return self.unregister(server, role, &device).await;
            }
            Act::UnregisterOwnPushDevice => {
                let device = format!("w{n}-{role:?}-push");
                // Registered first where the role can (a signed-out phone cannot).
                let _ = self.register(server, role, &device).await;
                return self.unregister(server, role, &device).await;
            }
            Act::Pull(thing) => {
                return match self.pull_all(server, role).await {
                    Ok(pages) if self.sees(&pages, thing) => SEEN.to_owned(),
                    Ok(_) => HIDDEN.to_owned(),
                    Err(outcome) => outcome,
                };
            }
        };
        self.mutate(server, role, op).await
    }
}

async fn the_matrix_holds(backend: Backend) {
    // Many worlds sign in from one address: the per-address limit is not under test.
    let Some(server) = Server::start_with(backend, |state| {
        state.auth.per_address = (1_000_000, 60_000);
    })
    .await
    else {
        return;
    };
    let cases = matrix();
    let mut worlds = 0;
    // The pull cells read one world, with one order in it.
    let mut pulled = World::new(&server, worlds).await;
    pulled.order_at(&server, OrderAt::CodPacking).await;
    // The cells of a row expected to change nothing (refused, read-only, signed out)
    // share a world of the row's own: a wrongly applied one spoils its row at most.
    let mut row: Option<(String, World)> = None;
    let mut wrong = Vec::new();
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        let outcome = if matches!(case.act, Act::Pull(_)) {
            pulled.run(&server, case.role, case.act).await
        } else if case.act.writes() && (case.expected == OK || case.expected == REMOVED) {
            worlds += 1;
            let mut world = World::new(&server, worlds).await;
            world.run(&server, case.role, case.act).await
        } else {
            let name = format!("{:?}", case.act);
            if row.as_ref().is_none_or(|(act, _)| *act != name) {
                worlds += 1;
                row = Some((name, World::new(&server, worlds).await));
            }
            let (_, world) = row.as_mut().expect("the row's world");
            world.run(&server, case.role, case.act).await
        };
        if outcome != case.expected {
            wrong.push(format!(
                "{:?} {:?}: expected {}, got {outcome}",
                case.role, case.act, case.expected
            ));
        }
        let family = match case.act {
            Act::Pull(_) => "pull",
            Act::UploadPhoto
            | Act::SellersUploadProgress
            | Act::ThumbOfSellersPhoto
            | Act::GetSellersPhoto => "photos",
            Act::RegisterOwnPushDevice
            | Act::RegisterSellersPushDevice
            | Act::RegisterSellersSyncDevice
            | Act::UnregisterSellersPushDevice
            | Act::UnregisterOwnPushDevice => "push devices",
            _ => "sync push",
        };
        *families.entry(family).or_default() += 1;
    }
    println!(
        "authz matrix on {backend:?}: {} cells checked ({}), {} roles, {} worlds, {} wrong",
        cases.len(),
        families
            .iter()
            .map(|(f, n)| format!("{f} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        ROLES.len(),
        worlds + 1,
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} cells of the matrix do not hold:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    server.finish().await;
}

/// An admin removes a seller from the group: the group's members no longer get her
/// listings or can order them, and her own phone gets the product back without the
/// group.
async fn a_removed_seller_takes_their_listings_along(backend: Backend) {
    let Some(server) = Server::start(backend).await else {
        return;
    };
    let mut world = World::new(&server, 0).await;
    let seller = world.id(Role::Seller);
    let remove = Op::RemoveMember {
        group_id: world.group_g.clone(),
        account_id: seller.clone(),
    };
    assert_eq!(world.mutate(&server, Role::Admin, remove).await, OK);
    // A buyer whose phone still shows P cannot order it.
    assert_eq!(
        world.run(&server, Role::Buyer, Act::OrderP).await,
        NOT_FOUND
    );
    // A member joining later does not get it.
    let late = number(0, 30);
    let signed = server.sign_in(&late, &late).await;
    let add = Op::AddMember {
        group_id: world.group_g.clone(),
        phone: late.clone(),
        role: "member".into(),
    };
    assert_eq!(world.mutate(&server, Role::Admin, add).await, OK);
    world.accounts.insert(
        Role::Stranger,
        Account {
            phone: late,
            id: signed["account_id"].as_str().expect("id").to_owned(),
            token: signed["token"].as_str().map(str::to_owned),
            device: "late-phone".into(),
            next_id: 1,
        },
    );
    let pages = world.pull_all(&server, Role::Stranger).await.expect("pull");
    assert!(world.sees(&pages, Thing::GroupG));
    assert!(!world.sees(&pages, Thing::ProductP), "{pages:?}");
    // The seller's phone gets P back listed nowhere, and can list it in G no more.
    let pages = world.pull_all(&server, Role::Seller).await.expect("pull");
    let p = pages
        .iter()
        .flat_map(|page| page["changes"].as_array().cloned().unwrap_or_default())
        .find(|c| c["product"]["id"] == world.product_p.as_str())
        .expect("P on the seller's phone");
    assert_eq!(p["product"]["group_ids"], serde_json::json!([]), "{p}");
    assert_eq!(
        world.run(&server, Role::Seller, Act::NewProductInG).await,
        NOT_ALLOWED
    );
    server.finish().await;
}
