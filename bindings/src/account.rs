//! The accounts service and its records, converted to and from `pasar_core::account`.

use crate::PasarError;
use pasar_core::account as core;

/// A person the device knows: the signed-in user, a seller, a group member.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// E.164 (`"+6281234567890"`), whichever way it was typed.
    pub phone: Option<String>,
    pub created_at_ms: i64,
}

/// An account to save: a null `id` makes a new one; a known `id` updates name and phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewAccount {
    #[uniffi(default)]
    pub id: Option<String>,
    pub name: String,
    /// Any way Indonesians write it (`"0812-3456-7890"`).
    #[uniffi(default)]
    pub phone: Option<String>,
}

#[derive(uniffi::Object)]
pub struct AccountService {
    inner: core::Accounts,
}

impl AccountService {
    pub(crate) fn new(inner: core::Accounts) -> Self {
        AccountService { inner }
    }
}

#[uniffi::export]
impl AccountService {
    /// Creates the account, or updates it if its id is known.
    pub async fn save_account(&self, account: NewAccount) -> Result<Account, PasarError> {
        Ok(self.inner.save(account.into()).await?.into())
    }

    pub async fn get_account(&self, id: String) -> Result<Account, PasarError> {
        Ok(self.inner.get(id).await?.into())
    }
}

impl From<NewAccount> for core::NewAccount {
    fn from(a: NewAccount) -> Self {
        core::NewAccount {
            id: a.id,
            name: a.name,
            phone: a.phone,
        }
    }
}

impl From<core::Account> for Account {
    fn from(a: core::Account) -> Self {
        Account {
            id: a.id,
            name: a.name,
            phone: a.phone,
            created_at_ms: a.created_at,
        }
    }
}
