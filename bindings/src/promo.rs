//! The promoters' service and its records, converted to and from `pasar_core::promo`:
//! a member's own code and share links, the links and codes a buyer came through, the
//! seller's commission rule, and a month's payouts.

use crate::{PasarError, blocking};
use pasar_core::Rupiah;
use pasar_core::promo::{self as core, commission::Period};

/// Where the account's own code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CodeState {
    /// Claimed here, not yet confirmed by the server (offline, or before a sync).
    Pending,
    /// The account's.
    Active,
    /// Someone else's: claim another (`suggest_code`).
    Taken,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PromoCode {
    /// `"KIRANA"`.
    pub code: String,
    pub state: CodeState,
}

/// A seller's commission for promoters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CommissionRule {
    /// Of the items' subtotal (ongkir excluded), in basis points: 750 = 7,5 %; at most
    /// 5,000 (half).
    Percent { basis_points: u32 },
    /// Rupiah for every unit sold.
    PerItem { idr: i64 },
}

/// What a promoter sends: the link, the message with it, a wa.me link that opens
/// WhatsApp with the message, and the install referrer for the store link.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShareLink {
    pub link: String,
    pub message: String,
    pub whatsapp_url: String,
    pub install_referrer: String,
}

/// A link or referrer the app was opened with: what to show, and whose code it was.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Referral {
    pub code: String,
    /// Set for a product link.
    pub product_id: Option<String>,
    /// Set for a shop link.
    pub seller_id: Option<String>,
}

/// One promoter's month.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Payout {
    pub promoter_id: String,
    pub name: String,
    pub code: String,
    /// Orders that came through them and were not cancelled.
    pub orders: u32,
    pub sales_idr: i64,
    pub sales_label: String,
    /// Commission on completed orders: what the seller pays for the month.
    pub earned_idr: i64,
    pub earned_label: String,
    /// Commission on orders still on their way.
    pub pending_idr: i64,
    pub pending_label: String,
    pub cancelled: u32,
}

impl From<core::CommissionRule> for CommissionRule {
    fn from(r: core::CommissionRule) -> Self {
        match r {
            core::CommissionRule::Percent { basis_points } => {
                CommissionRule::Percent { basis_points }
            }
            core::CommissionRule::PerItem { amount } => {
                CommissionRule::PerItem { idr: amount.idr() }
            }
        }
    }
}

impl From<CommissionRule> for core::CommissionRule {
    fn from(r: CommissionRule) -> Self {
        match r {
            CommissionRule::Percent { basis_points } => {
                core::CommissionRule::Percent { basis_points }
            }
            CommissionRule::PerItem { idr } => core::CommissionRule::PerItem {
                amount: Rupiah::new(idr),
            },
        }
    }
}

fn my_code(c: core::MyCode) -> PromoCode {
    PromoCode {
        code: c.code.as_str().to_owned(),
        state: match c.state {
            core::ClaimState::Pending => CodeState::Pending,
            core::ClaimState::Active => CodeState::Active,
            core::ClaimState::Taken => CodeState::Taken,
        },
    }
}

/// Promoters' codes, links and payouts.
#[derive(uniffi::Object)]
pub struct PromoterService {
    inner: core::Promoters,
}

impl PromoterService {
    pub(crate) fn new(inner: core::Promoters) -> Self {
        PromoterService { inner }
    }
}

#[uniffi::export]
impl PromoterService {
    /// The signed-in account takes `code` (`"kirana"` → `KIRANA`; 3–16 letters and
    /// digits, at least one letter), pending until the server confirms it is free.
    pub async fn claim_code(&self, code: String) -> Result<PromoCode, PasarError> {
        let inner = self.inner.clone();
        Ok(my_code(
            blocking(move || inner.claim_code_blocking(&code)).await?,
        ))
    }

    /// The account's code and its state; null before one is claimed.
    pub async fn my_code(&self) -> Result<Option<PromoCode>, PasarError> {
        let inner = self.inner.clone();
        Ok(blocking(move || inner.my_code_blocking())
            .await?
            .map(my_code))
    }

    /// A code to offer from the account's name (`"Kirana Putri"` → `KIRANA`).
    pub async fn suggest_code(&self) -> Result<String, PasarError> {
        let inner = self.inner.clone();
        Ok(blocking(move || inner.suggest_code_blocking())
            .await?
            .as_str()
            .to_owned())
    }

    /// The link and WhatsApp message for a product under the account's code, on the
    /// deployment at `base_url` (`"https://pasar.app"`).
    pub async fn share_product(
        &self,
        product_id: String,
        base_url: String,
    ) -> Result<ShareLink, PasarError> {
        self.share(core::ShareTarget::Product { id: product_id }, base_url)
            .await
    }

    /// The same for a seller's whole shop.
    pub async fn share_shop(
        &self,
        seller_id: String,
        base_url: String,
    ) -> Result<ShareLink, PasarError> {
        self.share(core::ShareTarget::Shop { seller_id }, base_url)
            .await
    }

    /// The app was opened with `link` (a share link, or the store's install referrer
    /// on first start): kept for checkouts from that seller for 30 days. Null when it
    /// carries no referral.
    pub async fn open_link(&self, link: String) -> Result<Option<Referral>, PasarError> {
        let inner = self.inner.clone();
        let referral = blocking(move || inner.open_link_blocking(&link)).await?;
        Ok(referral.map(|r| {
            let (product_id, seller_id) = match r.target {
                core::ShareTarget::Product { id } => (Some(id), None),
                core::ShareTarget::Shop { seller_id } => (None, Some(seller_id)),
            };
            Referral {
                code: r.code.as_str().to_owned(),
                product_id,
                seller_id,
            }
        }))
    }

    /// A code the buyer gave for `seller_id`'s shop (typed at checkout, or in a chat
    /// order: `ChatDraft.promo_code`); returns it as kept (`"KIRANA"`).
    pub async fn use_code(&self, seller_id: String, code: String) -> Result<String, PasarError> {
        let inner = self.inner.clone();
        Ok(blocking(move || inner.use_code_blocking(&seller_id, &code))
            .await?
            .as_str()
            .to_owned())
    }

    /// The code a checkout from `seller_id` would carry now, if any.
    pub async fn referral_for(&self, seller_id: String) -> Result<Option<String>, PasarError> {
        let inner = self.inner.clone();
        blocking(move || inner.referral_for_blocking(&seller_id)).await
    }

    /// The signed-in seller's commission rule (null: pays no promoters, and orders
    /// through codes earn nothing). Synced with the shop's terms.
    pub async fn set_commission(&self, rule: Option<CommissionRule>) -> Result<(), PasarError> {
        let inner = self.inner.clone();
        blocking(move || inner.set_commission_blocking(rule.map(Into::into))).await
    }

    /// `seller_id`'s commission rule, as this phone knows it.
    pub async fn commission_rule(
        &self,
        seller_id: String,
    ) -> Result<Option<CommissionRule>, PasarError> {
        let inner = self.inner.clone();
        Ok(blocking(move || inner.commission_rule_blocking(&seller_id))
            .await?
            .map(Into::into))
    }

    /// How a rule reads on screen: `"7,5% dari harga barang"`, `"Rp2.000 per barang"`.
    pub fn describe_commission(&self, rule: CommissionRule) -> String {
        core::CommissionRule::from(rule).describe()
    }

    /// The month's payouts (`month` 1–12, in WIB): the promoter's own line, or the
    /// seller's line per promoter.
    pub async fn payouts(&self, year: i64, month: u32) -> Result<Vec<Payout>, PasarError> {
        if !(1..=12).contains(&month) {
            return Err(
                pasar_core::Error::from(pasar_core::error::ValidationError::new(
                    "month",
                    pasar_core::error::Problem::Invalid,
                ))
                .into(),
            );
        }
        let inner = self.inner.clone();
        let lines = blocking(move || inner.payouts_blocking(Period { year, month })).await?;
        Ok(lines
            .into_iter()
            .map(|l| Payout {
                promoter_id: l.payout.promoter_id,
                name: l.name,
                code: l.code,
                orders: l.payout.orders,
                sales_idr: l.payout.sales.idr(),
                sales_label: l.payout.sales.to_string(),
                earned_idr: l.payout.earned.idr(),
                earned_label: l.payout.earned.to_string(),
                pending_idr: l.payout.pending.idr(),
                pending_label: l.payout.pending.to_string(),
                cancelled: l.payout.cancelled,
            })
            .collect())
    }
}

impl PromoterService {
    async fn share(
        &self,
        target: core::ShareTarget,
        base_url: String,
    ) -> Result<ShareLink, PasarError> {
        let inner = self.inner.clone();
        let s = blocking(move || inner.share_blocking(target, &base_url)).await?;
        Ok(ShareLink {
            link: s.link,
            message: s.message,
            whatsapp_url: s.whatsapp,
            install_referrer: s.install_referrer,
        })
    }
}
