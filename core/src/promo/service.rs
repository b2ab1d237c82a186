//! `Promoters`: the promoters' part of the facade. A member claims a code and shares
//! links with it; a buyer's phone keeps the links and codes it was referred by and its
//! checkouts carry them; a seller sets the commission rule; both see the orders and the
//! month's payouts. Everything works offline; the server decides what counts.

use super::code::PromoCode;
use super::commission::{Attributed, CommissionRule, Payout, Period, payouts};
use super::link::{Referral, ShareTarget, install_referrer, parse_install_referrer, parse_link};
use super::store::{self, ClaimState};
use crate::error::{Error, Problem, ValidationError};
use crate::money::Rupiah;
use crate::order::Order;
use crate::store::{Database, StoreError};
use crate::sync::outbox;
use crate::sync::wire::CommissionDoc;
use crate::{Result, account, catalog, time};
use std::sync::Arc;

/// The signed-in account's code and where its claim stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyCode {
    pub code: PromoCode,
    pub state: ClaimState,
}

/// What a promoter sends: the link, the message with it, the WhatsApp link that opens
/// the message, and the store's install referrer for a phone without the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub link: String,
    pub message: String,
    pub whatsapp: String,
    pub install_referrer: String,
}

/// One promoter's month, with who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutLine {
    pub payout: Payout,
    pub name: String,
    pub code: String,
}

#[derive(Clone)]
pub struct Promoters {
    db: Arc<Database>,
}

fn signed_in(c: &rusqlite::Connection) -> Result<String> {
    outbox::bound_account(c)?
        .ok_or_else(|| ValidationError::new("account", Problem::Required).into())
}

impl Promoters {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        Promoters { db }
    }

    /// The signed-in account takes `code` ("kirana" → `KIRANA`), replacing its own
    /// earlier one; it is pending until the server confirms it is free.
    pub fn claim_code_blocking(&self, code: &str) -> Result<MyCode> {
        let code = PromoCode::parse(code)
            .map_err(|_| Error::from(ValidationError::new("code", Problem::Invalid)))?;
        let now = time::now_ms();
        self.db.write(|tx| {
            signed_in(tx)?;
            tx.execute("DELETE FROM outbox WHERE entity = 'promo_code'", [])
                .map_err(StoreError::from)?;
            store::set_my_code(tx, &code, now)?;
            outbox::code_claimed(tx, code.as_str(), now)?;
            Ok(MyCode {
                code: code.clone(),
                state: ClaimState::Pending,
            })
        })
    }

    /// The account's code, if it claimed one.
    pub fn my_code_blocking(&self) -> Result<Option<MyCode>> {
        self.db.read(|c| {
            let Some((code, at)) = store::my_code(c)? else {
                return Ok(None);
            };
            let state = store::claim_state(c, at)?;
            Ok(Some(MyCode { code, state }))
        })
    }

    /// A code to offer from the account's name ("Kirana Putri" → `KIRANA`), past the
    /// one the server just refused.
    pub fn suggest_code_blocking(&self) -> Result<PromoCode> {
        self.db.read(|c| {
            let me = signed_in(c)?;
            let name = account::get(c, &me)?.name;
            let refused = match store::my_code(c)? {
                Some((code, at)) if store::claim_state(c, at)? == ClaimState::Taken => Some(code),
                _ => None,
            };
            Ok(PromoCode::suggest(&name, |c| Some(c) == refused.as_ref()))
        })
    }

    /// The link and message for sharing a product or a shop under the account's code,
    /// on the deployment at `base_url` (`https://pasar.app`).
    pub fn share_blocking(&self, target: ShareTarget, base_url: &str) -> Result<Share> {
        let (code, what, price, shop) = self.db.read(|c| {
            let (code, _) = store::my_code(c)?
                .ok_or_else(|| Error::from(ValidationError::new("code", Problem::Required)))?;
            let (what, price, seller_id) = match &target {
                ShareTarget::Product { id } => {
                    let p = catalog::get_product_in(c, id)?;
                    let seller = p.seller_id.clone().unwrap_or_default();
                    (p.name, Some(p.price), seller)
                }
                ShareTarget::Shop { seller_id } => {
                    ("produk-produknya".to_owned(), None, seller_id.clone())
                }
            };
            let shop = account::get(c, &seller_id)
                .map(|a| a.name)
                .unwrap_or_default();
            Ok::<_, Error>((code, what, price, shop))
        })?;
        let referral = Referral { target, code };
        let link = super::link::share_link(base_url, &referral);
        let message = super::link::share_message(&what, price, &shop, &link, &referral.code);
        Ok(Share {
            whatsapp: super::link::wa_share(&message),
            install_referrer: install_referrer(&referral),
            link,
            message,
        })
    }

    /// The app was opened with `link` (a share link, or Google Play's install referrer
    /// on first start): keeps the referral for checkouts and returns it (the screen
    /// opens its product or shop). Not a referral: `None`, nothing kept.
    pub fn open_link_blocking(&self, link: &str) -> Result<Option<Referral>> {
        let Some(referral) = parse_link(link).or_else(|| parse_install_referrer(link)) else {
            return Ok(None);
        };
        let now = time::now_ms();
        self.db.write(|tx| store::record(tx, &referral, now))?;
        Ok(Some(referral))
    }

    /// A code a buyer gave for `seller_id`'s shop: typed at checkout, or said in a chat
    /// order ("kode: KIRANA", see [`super::find_in_chat`]).
    pub fn use_code_blocking(&self, seller_id: &str, code: &str) -> Result<PromoCode> {
        catalog::check_id("seller_id", seller_id)?;
        let code = PromoCode::parse(code)
            .map_err(|_| Error::from(ValidationError::new("code", Problem::Invalid)))?;
        let referral = Referral {
            target: ShareTarget::Shop {
                seller_id: seller_id.to_owned(),
            },
            code,
        };
        let now = time::now_ms();
        self.db.write(|tx| store::record(tx, &referral, now))?;
        Ok(referral.code)
    }

    /// The code a checkout from `seller_id` would carry now.
    pub fn referral_for_blocking(&self, seller_id: &str) -> Result<Option<String>> {
        catalog::check_id("seller_id", seller_id)?;
        let now = time::now_ms();
        Ok(self.db.read(|c| store::referral_for(c, seller_id, now))?)
    }

    /// The signed-in seller's commission rule (`None`: pays no promoters), checked and
    /// sent with the shop's terms.
    pub fn set_commission_blocking(&self, rule: Option<CommissionRule>) -> Result<()> {
        let rule = match rule {
            Some(r) => Some(r.check().map_err(|e| {
                let field = match e {
                    super::commission::RuleError::Percent => "commission_percent",
                    super::commission::RuleError::Amount => "commission_amount",
                };
                Error::from(ValidationError::new(field, Problem::Invalid))
            })?),
            None => None,
        };
        let doc = rule.map(|r| match r {
            CommissionRule::Percent { basis_points } => CommissionDoc::Percent { basis_points },
            CommissionRule::PerItem { amount } => CommissionDoc::PerItem { idr: amount.idr() },
        });
        let now = time::now_ms();
        self.db.write(|tx| {
            let me = signed_in(tx)?;
            crate::order::store::set_commission(tx, &me, doc)?;
            outbox::terms_saved(tx, &me, now)
        })
    }

    /// A seller's commission rule as this phone knows it.
    pub fn commission_rule_blocking(&self, seller_id: &str) -> Result<Option<CommissionRule>> {
        catalog::check_id("seller_id", seller_id)?;
        let doc = self
            .db
            .read(|c| crate::order::store::commission_of(c, seller_id))?;
        Ok(doc.and_then(|d| match d {
            CommissionDoc::Percent { basis_points } => {
                CommissionRule::Percent { basis_points }.check().ok()
            }
            CommissionDoc::PerItem { idr } => CommissionRule::PerItem {
                amount: Rupiah::new(idr),
            }
            .check()
            .ok(),
        }))
    }

    /// The month's payouts as the signed-in account sees them: a promoter's own line
    /// (from the orders through their code), or a seller's line per promoter.
    pub fn payouts_blocking(&self, period: Period) -> Result<Vec<PayoutLine>> {
        let orders: Vec<Order> = self.db.read(|c| {
            let me = signed_in(c)?;
            let ids: Vec<String> = c
                .prepare_cached(
                    "SELECT id FROM orders WHERE promoter_id = ?1
                        OR (seller_id = ?1 AND promoter_id IS NOT NULL)",
                )
                .and_then(|mut s| s.query_map([&me], |r| r.get(0))?.collect())
                .map_err(StoreError::from)?;
            ids.iter()
                .map(|id| crate::order::store::get(c, id))
                .collect::<Result<Vec<_>>>()
        })?;
        let attributed: Vec<Attributed> = orders
            .iter()
            .filter_map(|o| {
                let p = o.links.promoter.as_ref().filter(|p| !p.id.is_empty())?;
                Some(Attributed {
                    promoter_id: p.id.clone(),
                    placed_at: o.created_at,
                    status: o.status,
                    sales: o.items_total,
                    commission: Rupiah::new(p.commission_idr),
                })
            })
            .collect();
        let lines = payouts(&attributed, period)
            .ok_or_else(|| Error::Internal("payout overflow".into()))?;
        Ok(lines
            .into_iter()
            .map(|payout| {
                let p = orders
                    .iter()
                    .filter_map(|o| o.links.promoter.as_ref())
                    .find(|p| p.id == payout.promoter_id);
                PayoutLine {
                    name: p.map(|p| p.name.clone()).unwrap_or_default(),
                    code: p.map(|p| p.code.clone()).unwrap_or_default(),
                    payout,
                }
            })
            .collect())
    }
}
