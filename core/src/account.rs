//! Accounts this device knows: the signed-in person, the sellers whose products it
//! shows, the members of its groups. Every member of a community market is both a
//! seller and a buyer, so there is one kind of account.

use crate::error::{Error, Problem, Thing, ValidationError};
use crate::phone::PhoneNumber;
use crate::store::{Database, StoreError};
use crate::{Result, id, time};
use rusqlite::{Connection, OptionalExtension, params};
use std::sync::Arc;

pub const NAME_MAX_CHARS: usize = 80;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// E.164 (`+62...`).
    pub phone: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An account to save: `id` None makes a new one on the device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAccount {
    pub id: Option<String>,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Clone)]
pub struct Accounts {
    db: Arc<Database>,
}

impl Accounts {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        Accounts { db }
    }

    /// Creates the account, or updates its name and phone if the id is known.
    pub async fn save(&self, new: NewAccount) -> Result<Account> {
        let this = self.clone();
        crate::pasar::blocking(move || this.save_blocking(new)).await
    }

    pub fn save_blocking(&self, new: NewAccount) -> Result<Account> {
        let name = new.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(ValidationError::new("account_name", Problem::Required).into());
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(ValidationError::new(
                "account_name",
                Problem::TooLong {
                    max: NAME_MAX_CHARS,
                },
            )
            .into());
        }
        let phone = match new
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(PhoneNumber::parse(p)?.e164().to_owned()),
            None => None,
        };
        let id = match new.id {
            Some(id) => {
                crate::catalog::check_id("account_id", &id)?;
                id
            }
            None => id::new_id(),
        };
        let now = time::now_ms();
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO accounts (id, name, phone, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
                                                updated_at = excluded.updated_at",
                params![id, name, phone, now],
            )
            .map_err(StoreError::from)?;
            // The signed-in account's own name goes to the server, and from there to
            // everyone who shares a market with it.
            if crate::sync::outbox::bound_account(tx)?.as_deref() == Some(id.as_str()) {
                crate::sync::outbox::record(
                    tx,
                    "profile",
                    &crate::sync::wire::Op::PutProfile { name: name.clone() },
                    now,
                )?;
            }
            get(tx, &id)
        })
    }

    pub async fn get(&self, id: String) -> Result<Account> {
        let this = self.clone();
        crate::pasar::blocking(move || {
            crate::catalog::check_id("account_id", &id)?;
            this.db.read(|c| get(c, &id))
        })
        .await
    }

    /// The account with this phone number, if the device knows one.
    pub fn find_by_phone_blocking(&self, phone: &str) -> Result<Option<Account>> {
        let e164 = PhoneNumber::parse(phone)?.e164().to_owned();
        self.db.read(|c| {
            let id: Option<String> = c
                .query_row(
                    "SELECT id FROM accounts WHERE phone = ?1 ORDER BY created_at LIMIT 1",
                    [&e164],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?;
            id.map(|id| get(c, &id)).transpose()
        })
    }

    /// The account with exactly this name (seller names in imported catalogs).
    pub(crate) fn find_or_create_by_name(c: &Connection, name: &str, now: i64) -> Result<String> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(ValidationError::new("account_name", Problem::Invalid).into());
        }
        let found: Option<String> = c
            .query_row(
                "SELECT id FROM accounts WHERE name = ?1 ORDER BY created_at LIMIT 1",
                [&name],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        if let Some(id) = found {
            return Ok(id);
        }
        let id = id::new_id();
        c.execute(
            "INSERT INTO accounts (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, now],
        )
        .map_err(StoreError::from)?;
        Ok(id)
    }
}

pub(crate) fn get(c: &Connection, id: &str) -> Result<Account> {
    c.query_row(
        "SELECT id, name, phone, created_at, updated_at FROM accounts WHERE id = ?1",
        [id],
        |r| {
            Ok(Account {
                id: r.get(0)?,
                name: r.get(1)?,
                phone: r.get(2)?,
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        },
    )
    .optional()
    .map_err(StoreError::from)?
    .ok_or_else(|| Error::NotFound {
        thing: Thing::Account,
        id: id.to_owned(),
    })
}

pub(crate) fn exists(c: &Connection, id: &str) -> Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )
    .map_err(StoreError::from)?)
}
