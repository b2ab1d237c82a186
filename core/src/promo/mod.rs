//! Promoters: a member shares a product or a shop with her own code ("KIRANA"), orders
//! that come through it are hers, and the seller pays her a commission by his rule.
//! Pure rules, shared by the phone, the server and the screens: codes (`code.rs`),
//! links and the WhatsApp message that carries one (`link.rs`), the commission and the
//! payout of a month (`commission.rs`); the facade's part (`service.rs`) and the
//! phone's referrals and own code (`store.rs`).

pub mod code;
pub mod commission;
pub mod link;
mod service;
pub(crate) mod store;

pub use code::{PromoCode, find_in_chat};
pub use commission::{CommissionRule, Payout, Period, payouts};
pub use link::{Referral, ShareTarget, parse_install_referrer, parse_link, share_link};
pub use service::{MyCode, PayoutLine, Promoters, Share};
pub use store::{ClaimState, REFERRAL_DAYS};
