//! The sync protocol: what a phone and `pasar-server` say to each other, as serde types.
//!
//! Both sides compile these same types (the server depends on this crate), so a field
//! renamed on one side cannot silently drift from the other. Bodies are JSON, gzip
//! compressed on the wire. Every type here is read from the network on one side or the
//! other, so nothing here may panic on any input: fields are plain data, checked by the
//! code that applies them.

use serde::{Deserialize, Serialize};

/// The protocol this build speaks. A server answers 426 "please update" to clients
/// older than its minimum, so an old app never writes data it does not understand.
///
/// 2: pull may answer a product the phone has with only its changed fields
/// ([`Change::ProductPatch`]); a server sends those only to phones that speak 2.
pub const PROTOCOL: u32 = 2;
/// The request header carrying [`PROTOCOL`].
pub const PROTOCOL_HEADER: &str = "pasar-protocol";
/// Mutations per push request: small enough for a slow link to finish one, large enough
/// that a thousand queued changes take a handful of round trips.
pub const PUSH_BATCH: usize = 200;
/// Changes per pull page, at most; the server may send fewer.
pub const PULL_PAGE: u32 = 500;

/// `POST /v1/sync/push`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Made once per install; mutation ids count up per device.
    pub device_id: String,
    pub mutations: Vec<Mutation>,
}

/// One change made on a phone, as it waits in the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Increasing per device, never reused: the server applies each id at most once.
    pub id: u64,
    /// When it was made, on the phone's clock (UTC ms): latest-wins merges compare it.
    pub at: i64,
    /// Externally tagged (`{"act_on_order": {...}}`), as are the other enums here: an
    /// internally tagged or flattened enum makes serde buffer every document before
    /// reading it, which doubled the reading code in the phone library.
    pub op: Op,
}

/// What a mutation does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Create a product, or change the named fields of one (field by field, latest wins).
    PutProduct {
        product: Box<ProductDoc>,
        /// The fields this edit changed; all of them for a new product.
        fields: Vec<String>,
    },
    /// Create a group (the maker becomes its admin) or rename one (admins only).
    PutGroup { group_id: String, name: String },
    /// An admin adds someone by phone number; they need not have signed up yet.
    AddMember {
        group_id: String,
        phone: String,
        role: String,
    },
    /// An admin removes a member, or a member leaves.
    RemoveMember {
        group_id: String,
        account_id: String,
    },
    /// A buyer's order, as checked out on the phone. The server checks prices and
    /// takes the stock; it may refuse (out of stock, price changed).
    PlaceOrder { order: Box<OrderDoc> },
    /// A move along the order state machine, by the buyer or the seller.
    ActOnOrder { order_id: String, action: ActionDoc },
    /// The signed-in account's display name.
    PutProfile { name: String },
    /// The signed-in seller's shop terms (ongkir table and discounts), whole.
    PutTerms { terms: Box<TermsDoc> },
    /// The signed-in account takes a promoter code (`KIRANA`), replacing its own
    /// earlier one; refused as a `conflict` while someone else holds it.
    ClaimCode { code: String },
}

impl Op {
    /// A short name for logs and metrics (no data in it).
    pub fn name(&self) -> &'static str {
        match self {
            Op::PutProduct { .. } => "put_product",
            Op::PutGroup { .. } => "put_group",
            Op::AddMember { .. } => "add_member",
            Op::RemoveMember { .. } => "remove_member",
            Op::PlaceOrder { .. } => "place_order",
            Op::ActOnOrder { .. } => "act_on_order",
            Op::PutProfile { .. } => "put_profile",
            Op::PutTerms { .. } => "put_terms",
            Op::ClaimCode { .. } => "claim_code",
        }
    }
}

/// `POST /v1/sync/push` answer: one result per mutation sent, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The highest mutation id of this device the server has applied (or rejected).
    pub last_applied: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub id: u64,
    /// `None`: applied (now or by an earlier attempt). `Some`: refused for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Rejection>,
    /// Photos the applied product shows that the server does not have (never uploaded,
    /// or deleted as unused while the product was away): the phone sends them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_photos: Vec<String>,
}

/// Why the server refused a mutation for good, in words for the screen that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// `out_of_stock`, `not_allowed`, `invalid`, `not_found`, `conflict`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub indonesian: String,
    pub english: String,
}

/// `GET /v1/sync/pull?cursor=...&limit=...` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Where the next pull starts; opaque to the phone.
    pub cursor: String,
    /// More changes are waiting: pull again at once.
    pub more: bool,
    /// What this account may see grew (joined a group): the phone started again from
    /// the beginning, and these are the first changes of that fresh pass.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
}

/// One thing that changed: whole (the phone replaces its copy), or for a product the
/// phone already has, only what changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Product(Box<ProductDoc>),
    Group(Box<GroupDoc>),
    Order(Box<OrderDoc>),
    ProductPatch(Box<ProductPatch>),
    Terms(Box<TermsDoc>),
}

/// A seller's shop terms, whole: what a buyer's phone needs to quote ongkir and apply
/// the seller's discount at checkout, offline. Visible to the seller and to the members
/// of the seller's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsDoc {
    pub seller_id: String,
    #[serde(default)]
    pub rates: Vec<RateDoc>,
    #[serde(default)]
    pub discounts: Vec<DiscountDoc>,
    /// What the seller pays promoters for the orders that come through their links
    /// or codes; none: the seller runs no promoters, and orders carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<CommissionDoc>,
    /// Counted by the server; 0 from a phone.
    #[serde(default)]
    pub version: i64,
}

/// A seller's commission rule (`promo::commission::CommissionRule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionDoc {
    /// Of the items' subtotal, in basis points (1,000 = 10 %).
    Percent { basis_points: u32 },
    /// Rupiah for every unit sold.
    PerItem { idr: i64 },
}

/// One row of the ongkir table: a courier service to a destination (a kabupaten/kota,
/// a provinsi or `*`), by weight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateDoc {
    /// `jne`, `jnt`, `sicepat`, ... (`order::ongkir::Courier::code`).
    pub courier: String,
    pub service: String,
    pub destination: String,
    pub first_kg_idr: i64,
    pub next_kg_idr: i64,
}

/// "Potongan": spend at least `min_items_idr`, get `amount_idr` off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountDoc {
    pub min_items_idr: i64,
    pub amount_idr: i64,
}

/// Rows of terms a seller may have; more is a broken or hostile client.
pub const TERMS_MAX_ROWS: usize = 500;

/// The fields of a product that changed after the phone's cursor: a price or stock
/// change costs tens of bytes instead of the whole listing with its description and
/// photos. Sent only for products the phone has had whole (made and listed before its
/// cursor); anything new to it comes whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductPatch {
    pub id: String,
    pub version: i64,
    pub updated_at: i64,
    /// Named and written as in [`ProductDoc`] (`"stock": null` is unlimited); `seller`
    /// when the seller's name or number changed.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// Someone as others see them: a seller on a product, a member in a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDoc {
    pub id: String,
    pub name: String,
    /// Sellers' and order parties' WhatsApp numbers (E.164); absent for plain members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDoc {
    pub id: String,
    pub seller: ProfileDoc,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub price_idr: i64,
    pub unit: String,
    #[serde(default)]
    pub weight_grams: u32,
    /// `None`: unlimited.
    pub stock: Option<i64>,
    #[serde(default)]
    pub preorder_days: Option<u32>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub options: Vec<OptionDoc>,
    #[serde(default)]
    pub variants: Vec<VariantDoc>,
    #[serde(default)]
    pub photos: Vec<PhotoDoc>,
    #[serde(default)]
    pub group_ids: Vec<String>,
    #[serde(default)]
    pub archived: bool,
    /// The supplier opens the product to resellers, at prices within these bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resale: Option<ResaleDoc>,
    /// A reseller's listing of this supplier product (its id): sold at the listing's
    /// price, taken from the supplier's stock, shipped by the supplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resale_of: Option<String>,
    /// Units kept at fulfilment partners' warehouses, counted apart from `stock` (at
    /// the seller's home).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stock_at: Vec<StockAtDoc>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Counted by the server; 0 from a phone.
    #[serde(default)]
    pub version: i64,
}

/// A supplier's terms for resellers of one product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResaleDoc {
    /// The supplier's price to resellers: what the supplier earns per unit.
    pub supply_price_idr: i64,
    /// The lowest and highest price a reseller may sell at.
    pub min_price_idr: i64,
    pub max_price_idr: i64,
}

/// Stock of a product held by one fulfilment partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAtDoc {
    /// The partner's account.
    pub partner_id: String,
    pub stock: i64,
}

/// The product fields a [`Op::PutProduct`] may name.
pub const PRODUCT_FIELDS: &[&str] = &[
    "name",
    "description",
    "price_idr",
    "unit",
    "weight_grams",
    "stock",
    "preorder_days",
    "category",
    "variants",
    "photos",
    "group_ids",
    "archived",
    "resale",
    "resale_of",
    "stock_at",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionDoc {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantDoc {
    pub id: String,
    pub values: Vec<String>,
    #[serde(default)]
    pub price_idr: Option<i64>,
    /// With `unlimited` false and `stock` None the product's stock counts.
    #[serde(default)]
    pub stock: Option<i64>,
    #[serde(default)]
    pub unlimited: bool,
    #[serde(default)]
    pub sku: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoDoc {
    /// SHA-256 of the file: its address on the server.
    pub hash: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub thumb_mime: String,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub blurhash: String,
    #[serde(default)]
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDoc {
    pub id: String,
    pub name: String,
    pub members: Vec<MemberDoc>,
    pub created_at: i64,
    #[serde(default)]
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDoc {
    pub profile: ProfileDoc,
    /// `admin` or `member`.
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDoc {
    pub id: String,
    pub number: String,
    pub checkout_id: String,
    pub buyer: ProfileDoc,
    pub seller: ProfileDoc,
    /// The order state machine's code (`awaiting_payment`, `processing`, ...).
    pub status: String,
    /// `cod`, `transfer:BCA`, `qris`, `ewallet:gopay`, ...
    pub payment: String,
    /// `courier` or `pickup`.
    pub delivery: String,
    #[serde(default)]
    pub address: Option<crate::order::address::Address>,
    #[serde(default)]
    pub courier: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub resi: Option<String>,
    pub items: Vec<OrderItemDoc>,
    pub items_idr: i64,
    pub ongkir_idr: i64,
    pub kode_unik_idr: i64,
    pub discount_idr: i64,
    pub total_idr: i64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    #[serde(default)]
    pub events: Vec<EventDoc>,
    /// The promoter the order came through. From a phone only the code counts; the
    /// server fills in who it is and the commission, and shows them only to the
    /// seller and the promoter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoter: Option<PromoterDoc>,
    /// Who packs and ships it when not the seller: the fulfilment partner holding the
    /// stock, or the supplier of a reseller's listing. Set by the server; never in
    /// the buyer's copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<ProfileDoc>,
    /// A reseller's order: what the supplier is owed. Set by the server; never in the
    /// buyer's copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply: Option<SupplyDoc>,
    /// When the partner (or the seller) packed it: the parcel waits for the courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packed_at: Option<i64>,
}

/// An order's promoter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoterDoc {
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub commission_idr: i64,
}

/// What a reseller's order owes its supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyDoc {
    pub supplier: ProfileDoc,
    /// The supplier's price of the items, in all.
    pub items_idr: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItemDoc {
    pub product_id: String,
    #[serde(default)]
    pub variant_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub variant_label: String,
    pub unit: String,
    pub quantity_milli: i64,
    pub unit_price_idr: i64,
    pub total_idr: i64,
    #[serde(default)]
    pub note: String,
    /// Units the server took from stock for this line, and from where (`variant`,
    /// `product`, or empty for unlimited), so a cancellation gives back exactly that.
    #[serde(default)]
    pub reserved_units: i64,
    #[serde(default)]
    pub reserved_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDoc {
    pub at: i64,
    /// `buyer`, `seller`, `system`.
    pub role: String,
    #[serde(default)]
    pub actor_id: Option<String>,
    pub action: String,
    #[serde(default)]
    pub from: Option<String>,
    pub to: String,
    #[serde(default)]
    pub detail: String,
}

/// A move on an order, as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionDoc {
    ConfirmPayment,
    Ship {
        courier: String,
        resi: String,
    },
    ReadyForPickup,
    MarkDelivered,
    Complete,
    Cancel {
        reason: String,
    },
    /// Packed: the parcel waits for the courier (the status stays `processing`).
    Pack,
}

/// `POST /v1/auth/code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRequest {
    pub phone: String,
}

/// `POST /v1/auth/verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyRequest {
    pub phone: String,
    pub code: String,
}

/// `POST /v1/auth/verify` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub token: String,
    pub account_id: String,
    pub expires_at_ms: i64,
}

/// Photo files, addressed by the SHA-256 of the photo: `GET /v1/photos/{hash}` and
/// `/v1/photos/{hash}/thumb` serve them to anyone who knows the address (no token: an
/// image loader fetches them, and a cache may keep them for ever).
pub const PHOTOS_PATH: &str = "/v1/photos";
/// Bytes per upload request, at most: a slow link finishes one, and a cut one costs
/// only this much again.
pub const PHOTO_CHUNK: usize = 256 * 1024;
/// The largest photo the server takes (the phone's own are a few hundred kilobytes).
pub const PHOTO_MAX: u64 = 8 * 1024 * 1024;
/// The largest thumbnail.
pub const THUMB_MAX: u64 = 128 * 1024;

/// `GET /v1/photos/{hash}/upload` and the answer to each chunk
/// (`PUT /v1/photos/{hash}/upload?offset=N&total=T`): how far this account's upload of
/// the photo has come. Resuming starts at `received`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoUpload {
    /// The whole photo is on the server (from this account or anyone: files are
    /// deduplicated by their hash), checked against its hash.
    pub stored: bool,
    /// Bytes of an unfinished upload the server holds; the next chunk starts here.
    pub received: u64,
    /// The thumbnail is on the server too.
    #[serde(default)]
    pub thumb: bool,
}

/// The JSON error body the server answers with when a whole request fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default)]
    pub message: String,
}

/// `PUT /v1/push/devices/{device_id}`: where this install receives pushes. Sent when
/// the platform hands the app a token (and again when it changes); `DELETE` of the
/// same path on sign-out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDeviceDoc {
    /// `fcm`, `apns` or `webpush` (UnifiedPush).
    pub platform: String,
    /// The FCM or APNs token, or the UnifiedPush endpoint URL.
    pub token: String,
    /// Web Push only: the subscription's P-256 public key and auth secret (base64url).
    #[serde(default)]
    pub p256dh: Option<String>,
    #[serde(default)]
    pub auth: Option<String>,
    pub app_version: String,
    /// `id` or `en`: the language of the user's notifications.
    pub lang: String,
}

/// The keys of a push's data: all string values, hints and never data (the phone pulls
/// the order itself). Kept short: FCM and APNs count every byte against 4 KB.
pub mod hint {
    /// What moved: `order` (other kinds may come from newer servers; ignored).
    pub const KIND: &str = "t";
    pub const ORDER: &str = "o";
    /// The order's new status code (`shipped`, ...).
    pub const STATUS: &str = "s";
    /// The order's version after the move, decimal.
    pub const VERSION: &str = "v";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutation_reads_back_as_written() {
        let m = Mutation {
            id: 7,
            at: 1_700_000_000_000,
            op: Op::ActOnOrder {
                order_id: "o1".into(),
                action: ActionDoc::Ship {
                    courier: "jne".into(),
                    resi: "JNE0123".into(),
                },
            },
        };
        let text = serde_json::to_string(&m).expect("json");
        assert_eq!(
            text,
            r#"{"id":7,"at":1700000000000,"op":{"act_on_order":{"order_id":"o1","action":{"ship":{"courier":"jne","resi":"JNE0123"}}}}}"#
        );
        assert_eq!(serde_json::from_str::<Mutation>(&text).expect("back"), m);
    }

    #[test]
    fn unknown_ops_and_broken_bodies_are_errors_not_panics() {
        for body in [
            r#"{"id":1,"at":0,"op":"drop_tables"}"#,
            r#"{"id":1,"at":0,"op":{"drop_tables":{}}}"#,
            r#"{"id":-1,"at":0,"op":{"put_profile":{"name":"x"}}}"#,
            r#"{"id":1,"op":{"put_profile":{"name":"x"}}}"#,
            r#"{"id":1,"at":0,"op":{"put_group":{"id":"g","name":"x"}}}"#,
            r#"{"id":1,"at":0,"op":{"put_profile":{"name":"x"},"put_group":{"group_id":"g","name":"x"}}}"#,
            "[[[[",
            "",
        ] {
            assert!(serde_json::from_str::<Mutation>(body).is_err(), "{body}");
        }
    }
}
