//! Share links of a promoter (`https://pasar.app/p/<product>?ref=KIRANA`), the WhatsApp
//! message that carries one, and reading a link back: opened in the app, or handed over
//! by the store's install referrer after the buyer installed the app from it.

use super::code::PromoCode;
use crate::money::Rupiah;
use crate::order::wa::percent_encode;

/// What a link shows: one product, or a seller's whole shop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareTarget {
    Product { id: String },
    Shop { seller_id: String },
}

/// A link's promoter and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    pub target: ShareTarget,
    pub code: PromoCode,
}

/// Ids in links are ours (UUIDs): anything else in that place is not our link.
fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The web link of `referral` under `base` (the deployment's address, e.g.
/// `https://pasar.app`): it opens the app where installed, the store where not.
pub fn share_link(base: &str, referral: &Referral) -> String {
    let base = base.trim_end_matches('/');
    let code = &referral.code;
    match &referral.target {
        ShareTarget::Product { id } => format!("{base}/p/{id}?ref={code}"),
        ShareTarget::Shop { seller_id } => format!("{base}/s/{seller_id}?ref={code}"),
    }
}

/// The message a promoter sends to her circle, in Indonesian (the language of the
/// chats it goes to), with the code spelled out for those who order by chat.
pub fn share_message(
    what: &str,
    price: Option<Rupiah>,
    shop: &str,
    link: &str,
    code: &PromoCode,
) -> String {
    let price = price.map(|p| format!(", {p}")).unwrap_or_default();
    format!(
        "Kak, cobain {what} dari {shop}{price}. Pesan lewat sini ya: {link}\n\
         Kalau pesan lewat chat, sebut kode: {code}"
    )
}

/// `https://wa.me/?text=…`: WhatsApp opens with the message, the promoter picks the
/// chat or group.
pub fn wa_share(message: &str) -> String {
    format!("https://wa.me/?text={}", percent_encode(message))
}

/// The referral in a link the app was opened with: `https://<host>/p/<id>?ref=CODE`,
/// `…/s/<seller>?ref=CODE`, or the same under `pasar://`. A link without a valid code
/// or id is not a referral (the app opens what it shows, nothing is attributed).
pub fn parse_link(url: &str) -> Option<Referral> {
    let url = url.trim();
    let rest = url.strip_prefix("pasar://").or_else(|| {
        let after = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        // Past the host.
        after.find('/').map(|i| &after[i + 1..])
    })?;
    let (path, query) = rest.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let target = target_of(path.trim_end_matches('/'))?;
    let code = param(query, "ref").and_then(|c| PromoCode::parse(&c).ok())?;
    Some(Referral { target, code })
}

/// The referral the store passed on after an install from a link: Google Play's
/// install referrer is the `referrer` query string the link gave the store
/// (`ref=KIRANA&t=p:<id>`).
pub fn parse_install_referrer(referrer: &str) -> Option<Referral> {
    let code = param(referrer, "ref").and_then(|c| PromoCode::parse(&c).ok())?;
    let target = param(referrer, "t").and_then(|t| {
        let (kind, id) = t.split_once(':')?;
        target_of(&format!("{kind}/{id}"))
    })?;
    Some(Referral { target, code })
}

/// What the store link of `referral` passes to the install referrer (the inverse of
/// [`parse_install_referrer`]).
pub fn install_referrer(referral: &Referral) -> String {
    let target = match &referral.target {
        ShareTarget::Product { id } => format!("p:{id}"),
        ShareTarget::Shop { seller_id } => format!("s:{seller_id}"),
    };
    format!("ref={}&t={}", referral.code, percent_encode(&target))
}

fn target_of(path: &str) -> Option<ShareTarget> {
    let (kind, id) = path.split_once('/')?;
    if !is_id(id) {
        return None;
    }
    match kind {
        "p" => Some(ShareTarget::Product { id: id.to_owned() }),
        "s" => Some(ShareTarget::Shop {
            seller_id: id.to_owned(),
        }),
        _ => None,
    }
}

/// The value of `name` in a query string, percent-decoded (`None` when absent or not
/// UTF-8 once decoded).
fn param(query: &str, name: &str) -> Option<String> {
    let raw = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)?;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kirana() -> PromoCode {
        PromoCode::parse("KIRANA").expect("code")
    }

    const PRODUCT: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn a_link_goes_out_and_comes_back() {
        let referral = Referral {
            target: ShareTarget::Product { id: PRODUCT.into() },
            code: kirana(),
        };
        let link = share_link("https://pasar.app/", &referral);
        assert_eq!(link, format!("https://pasar.app/p/{PRODUCT}?ref=KIRANA"));
        assert_eq!(parse_link(&link), Some(referral.clone()));
        let deep = format!("pasar://p/{PRODUCT}?ref=kirana#top");
        assert_eq!(parse_link(&deep), Some(referral.clone()));
        let shop = Referral {
            target: ShareTarget::Shop {
                seller_id: PRODUCT.into(),
            },
            code: kirana(),
        };
        assert_eq!(
            parse_link(&share_link("https://pasar.app", &shop)),
            Some(shop)
        );
    }

    #[test]
    fn links_that_are_not_referrals_attribute_nothing() {
        for url in [
            format!("https://pasar.app/p/{PRODUCT}"),
            format!("https://pasar.app/p/{PRODUCT}?ref=ab"),
            format!("https://pasar.app/p/{PRODUCT}?ref=%ZZ"),
            format!("https://pasar.app/p/{PRODUCT}?ref=%FF%FE"),
            format!("https://pasar.app/x/{PRODUCT}?ref=KIRANA"),
            "https://pasar.app/p/../../etc?ref=KIRANA".into(),
            "https://pasar.app/p/?ref=KIRANA".into(),
            "https://pasar.app?ref=KIRANA".into(),
            "javascript:alert(1)?ref=KIRANA".into(),
            String::new(),
        ] {
            assert_eq!(parse_link(&url), None, "{url}");
        }
    }

    #[test]
    fn an_install_from_a_link_keeps_its_referral() {
        let referral = Referral {
            target: ShareTarget::Product { id: PRODUCT.into() },
            code: kirana(),
        };
        let passed = install_referrer(&referral);
        assert_eq!(passed, format!("ref=KIRANA&t=p%3A{PRODUCT}"));
        assert_eq!(parse_install_referrer(&passed), Some(referral));
        // What Google Play passes for an install that came from no link of ours.
        assert_eq!(
            parse_install_referrer("utm_source=google-play&utm_medium=organic"),
            None
        );
    }

    #[test]
    fn the_whatsapp_message_names_the_product_the_link_and_the_code() {
        let link = format!("https://pasar.app/p/{PRODUCT}?ref=KIRANA");
        let message = share_message(
            "Donat kentang",
            Some(Rupiah::new(35_000)),
            "Dapur Bu Rina",
            &link,
            &kirana(),
        );
        assert!(
            message.contains("Donat kentang dari Dapur Bu Rina, Rp35.000"),
            "{message}"
        );
        assert!(message.contains(&link));
        assert!(message.ends_with("kode: KIRANA"));
        assert_eq!(
            super::super::code::find_in_chat(&message),
            Some(kirana()),
            "a buyer who pastes it into a chat order carries the code"
        );
        let wa = wa_share(&message);
        assert!(
            wa.starts_with("https://wa.me/?text=Kak%2C%20cobain%20Donat"),
            "{wa}"
        );
        assert!(!wa.contains(' ') && !wa.contains('\n'));
    }
}
