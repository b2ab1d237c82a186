//! pasar-ffi: the uniffi facade over `pasar-core`. Conversions only, no rules.
//!
//! One root object, [`Pasar`], opened on the app's data folder, hands out the
//! sub-services. Data crosses as records; calls are coarse (a page, not a row) because
//! every crossing costs microseconds from Kotlin. I/O is `async` on tokio and becomes
//! `suspend` in Kotlin and `async` in Swift. Errors cross as [`PasarError`]. Panics
//! are caught by uniffi and become an exception, never a crash (release builds keep
//! `panic = "unwind"` for this).

mod account;
mod cart;
mod catalog;
mod chat;
mod error;
mod format;
mod group;
mod order;
mod promo;
mod sync;

pub use account::{Account, AccountService, NewAccount};
pub use cart::{CartItem, CartLine, CartService, CartView, LineState, SellerCart, format_quantity};
pub use catalog::{
    CatalogEvent, CatalogFileFormat, CatalogListener, CatalogService, ImportReport, ImportRowError,
    ListenerHandle, NewProduct, NewVariant, PartnerStock, Product, ProductPage, ProductPatch,
    ProductPhoto, ResaleTerms, SearchQuery, SearchResults, SearchSort, Stock, Variant,
    VariantOption, VariantsInput,
};
pub use chat::{
    ChatBuyerOrder, ChatCandidate, ChatChange, ChatDraft, ChatExport, ChatField, ChatIntent,
    ChatLine, ChatMatch, ChatOrderLine, ChatPayment, ChatScope, ChatService, ChatTally,
    ChatUnresolved, DraftItem, TextSpan, VariantChoice,
};
pub use error::PasarError;
pub use format::{format_rupiah, normalize_phone, parse_rupiah};
pub use group::{GroupMember, GroupRole, GroupService, MarketGroup};
pub use order::{
    Address, CheckoutRequest, Courier, Delivery, EWallet, Order, OrderAction, OrderChange,
    OrderEvent, OrderItem, OrderListener, OrderMove, OrderParty, OrderPromoter, OrderService,
    OrderStatus, OrderSupply, PaymentMethod, Rate, Role, SellerChoice, Shipping, ShippingLabel,
    WhatsAppMessage, new_checkout_id,
};
pub use promo::{
    CodeState, CommissionRule, Payout, PromoCode, PromoterService, Referral, ShareLink,
};
pub use sync::{
    HttpClient, HttpError, HttpHeader, HttpRequest, HttpResponse, Notice, PushPlatform,
    RefusalKind, RejectedChange, SyncListener, SyncPhase, SyncProgress, SyncReport, SyncService,
    TokenStore,
};

use std::sync::Arc;

uniffi::setup_scaffolding!();

/// The app's root object. Open one per signed-in account and keep it for the app's life.
#[derive(uniffi::Object)]
pub struct Pasar {
    core: pasar_core::Pasar,
    accounts: Arc<AccountService>,
    cart: Arc<CartService>,
    catalog: Arc<CatalogService>,
    chats: Arc<ChatService>,
    groups: Arc<GroupService>,
    orders: Arc<OrderService>,
    promoters: Arc<PromoterService>,
}

#[uniffi::export]
impl Pasar {
    /// Opens (or creates) the store in `data_dir`, upgrading its schema if needed.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>, PasarError> {
        if data_dir.trim().is_empty() {
            return Err(PasarError::invalid_data_dir());
        }
        let core = pasar_core::Pasar::open(&data_dir)?;
        Ok(Arc::new(Pasar {
            accounts: Arc::new(AccountService::new(core.accounts().clone())),
            cart: Arc::new(CartService::new(core.cart().clone())),
            catalog: Arc::new(CatalogService::new(core.catalog().clone())),
            chats: Arc::new(ChatService::new(core.chat().clone(), core.cart().clone())),
            groups: Arc::new(GroupService::new(core.groups().clone())),
            orders: Arc::new(OrderService::new(core.orders().clone())),
            promoters: Arc::new(PromoterService::new(core.promoters().clone())),
            core,
        }))
    }

    /// Accounts: the signed-in person, sellers, group members.
    pub fn accounts(&self) -> Arc<AccountService> {
        Arc::clone(&self.accounts)
    }

    /// The buyer's cart, on this phone only.
    pub fn cart(&self) -> Arc<CartService> {
        Arc::clone(&self.cart)
    }

    /// Products: list, read, observe, and (for sellers) create and edit.
    pub fn catalog(&self) -> Arc<CatalogService> {
        Arc::clone(&self.catalog)
    }

    /// Chat orders: pasted WhatsApp messages and chat exports → draft orders, the rekap.
    pub fn chat(&self) -> Arc<ChatService> {
        Arc::clone(&self.chats)
    }

    /// Community markets and their members.
    pub fn groups(&self) -> Arc<GroupService> {
        Arc::clone(&self.groups)
    }

    /// Checkout, orders and their moves, ongkir rates.
    pub fn orders(&self) -> Arc<OrderService> {
        Arc::clone(&self.orders)
    }

    /// Promoters: the account's code and share links, referrals, commission, payouts.
    pub fn promoters(&self) -> Arc<PromoterService> {
        Arc::clone(&self.promoters)
    }

    /// Sign-in and sync with the server at `server_url`, over the app's HTTP client,
    /// keeping the session token in the app's secure storage.
    pub fn sync(
        &self,
        server_url: String,
        http: Box<dyn HttpClient>,
        tokens: Box<dyn TokenStore>,
    ) -> Arc<SyncService> {
        SyncService::new(&self.core, server_url, http, tokens)
    }

    pub fn data_dir(&self) -> String {
        self.core.data_dir().display().to_string()
    }
}

/// Runs the core's blocking store work (cart, orders) on the core's worker threads, so
/// a suspend call from Kotlin or an async call from Swift never holds the platform's
/// executor thread while SQLite works. No async runtime is linked for this: the platform
/// polls the future (see `pasar_core::background`).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> pasar_core::Result<T> + Send + 'static,
) -> Result<T, PasarError> {
    pasar_core::background::run(f)
        .await
        .map_err(|p| {
            PasarError::from(pasar_core::Error::Internal(format!(
                "background task failed: {}",
                p.0
            )))
        })?
        .map_err(PasarError::from)
}

/// The version of the core library, for "about" screens and bug reports.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
