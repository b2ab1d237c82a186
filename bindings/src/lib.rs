//! pasar-ffi: the uniffi facade over `pasar-core`. Conversions only, no rules.
//!
//! One root object, [`Pasar`], opened on the app's data folder, hands out the
//! sub-services. Data crosses as records; calls are coarse (a page, not a row) because
//! every crossing costs microseconds from Kotlin. I/O is `async` on tokio and becomes
//! `suspend` in Kotlin and `async` in Swift. Errors cross as [`PasarError`]. Panics
//! are caught by uniffi and become an exception, never a crash (release builds keep
//! `panic = "unwind"` for this).

mod account;
mod catalog;
mod error;
mod format;
mod group;

pub use account::{Account, AccountService, NewAccount};
pub use catalog::{
    CatalogEvent, CatalogFileFormat, CatalogListener, CatalogService, ImportReport, ImportRowError,
    ListenerHandle, NewProduct, NewVariant, Product, ProductPage, ProductPatch, ProductPhoto,
    SearchQuery, SearchResults, SearchSort, Stock, Variant, VariantOption, VariantsInput,
};
pub use error::PasarError;
pub use format::{format_rupiah, normalize_phone, parse_rupiah};
pub use group::{GroupMember, GroupRole, GroupService, MarketGroup};

use std::sync::Arc;

uniffi::setup_scaffolding!();

/// The app's root object. Open one per signed-in account and keep it for the app's life.
#[derive(uniffi::Object)]
pub struct Pasar {
    core: pasar_core::Pasar,
    accounts: Arc<AccountService>,
    catalog: Arc<CatalogService>,
    groups: Arc<GroupService>,
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
            catalog: Arc::new(CatalogService::new(core.catalog().clone())),
            groups: Arc::new(GroupService::new(core.groups().clone())),
            core,
        }))
    }

    /// Accounts: the signed-in person, sellers, group members.
    pub fn accounts(&self) -> Arc<AccountService> {
        Arc::clone(&self.accounts)
    }

    /// Products: list, read, observe, and (for sellers) create and edit.
    pub fn catalog(&self) -> Arc<CatalogService> {
        Arc::clone(&self.catalog)
    }

    /// Community markets and their members.
    pub fn groups(&self) -> Arc<GroupService> {
        Arc::clone(&self.groups)
    }

    pub fn data_dir(&self) -> String {
        self.core.data_dir().display().to_string()
    }
}

/// The version of the core library, for "about" screens and bug reports.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
