//! Ongkir (shipping cost) from a seller's rate table, behind a trait so a rates provider
//! can plug in later. Couriers as Indonesian sellers name them. Pure.

use super::address::Address;
use crate::money::Rupiah;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Courier {
    Jne,
    Jnt,
    SiCepat,
    AnterAja,
    Pos,
    GoSend,
    GrabExpress,
    /// The seller delivers herself (common inside one town).
    Kurir,
}

impl Courier {
    pub fn name(self) -> &'static str {
        match self {
            Courier::Jne => "JNE",
            Courier::Jnt => "J&T",
            Courier::SiCepat => "SiCepat",
            Courier::AnterAja => "AnterAja",
            Courier::Pos => "Pos Indonesia",
            Courier::GoSend => "GoSend",
            Courier::GrabExpress => "GrabExpress",
            Courier::Kurir => "Kurir toko",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Courier::Jne => "jne",
            Courier::Jnt => "jnt",
            Courier::SiCepat => "sicepat",
            Courier::AnterAja => "anteraja",
            Courier::Pos => "pos",
            Courier::GoSend => "gosend",
            Courier::GrabExpress => "grabexpress",
            Courier::Kurir => "kurir",
        }
    }

    pub fn from_code(code: &str) -> Option<Courier> {
        ALL_COURIERS.into_iter().find(|c| c.code() == code)
    }

    /// Instant couriers price by distance within a city, not by weight.
    pub fn is_instant(self) -> bool {
        matches!(self, Courier::GoSend | Courier::GrabExpress)
    }
}

pub const ALL_COURIERS: [Courier; 8] = [
    Courier::Jne,
    Courier::Jnt,
    Courier::SiCepat,
    Courier::AnterAja,
    Courier::Pos,
    Courier::GoSend,
    Courier::GrabExpress,
    Courier::Kurir,
];

/// A shipping option chosen at checkout.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shipping {
    pub courier: Courier,
    /// "REG", "YES", "Instant", "Same Day".
    pub service: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("{courier} {service} does not deliver to {to}")]
    NoRoute {
        courier: &'static str,
        service: String,
        to: String,
    },
}

/// Where ongkir comes from. The rate table below; a courier aggregator API later.
pub trait RateProvider {
    fn quote(
        &self,
        shipping: &Shipping,
        to: &Address,
        weight_grams: u32,
    ) -> Result<Rupiah, RateError>;
}

/// One row of a seller's table: a destination (kabupaten or provinsi, or "*" for
/// anywhere), a first kilo price and a price per further kilo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    pub courier: Courier,
    pub service: String,
    pub destination: String,
    pub first_kg: Rupiah,
    pub next_kg: Rupiah,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateTable {
    pub rates: Vec<Rate>,
}

fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_lowercase()
            .replace("kabupaten", "")
            .replace("kab.", "")
            .replace("kota", "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

impl RateProvider for RateTable {
    /// The most specific row wins: kabupaten, then provinsi, then "*". Couriers round
    /// weight up to whole kilos, with a 1 kg minimum.
    fn quote(
        &self,
        shipping: &Shipping,
        to: &Address,
        weight_grams: u32,
    ) -> Result<Rupiah, RateError> {
        let rows = || {
            self.rates.iter().filter(|r| {
                r.courier == shipping.courier && r.service.eq_ignore_ascii_case(&shipping.service)
            })
        };
        let rate = rows()
            .find(|r| same(&r.destination, &to.kabupaten))
            .or_else(|| rows().find(|r| same(&r.destination, &to.provinsi)))
            .or_else(|| rows().find(|r| r.destination == "*"))
            .ok_or_else(|| RateError::NoRoute {
                courier: shipping.courier.name(),
                service: shipping.service.clone(),
                to: to.kabupaten.clone(),
            })?;
        if shipping.courier.is_instant() {
            return Ok(rate.first_kg);
        }
        let kilos = i64::from(weight_grams.div_ceil(1000).max(1));
        Ok(rate
            .next_kg
            .checked_mul(kilos - 1)
            .and_then(|n| n.checked_add(rate.first_kg))
            .unwrap_or(rate.first_kg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(kab: &str, prov: &str) -> Address {
        Address {
            kabupaten: kab.into(),
            provinsi: prov.into(),
            ..Default::default()
        }
    }

    fn table() -> RateTable {
        let rate = |courier, service: &str, destination: &str, first: i64, next: i64| Rate {
            courier,
            service: service.into(),
            destination: destination.into(),
            first_kg: Rupiah::new(first),
            next_kg: Rupiah::new(next),
        };
        RateTable {
            rates: vec![
                rate(Courier::Jne, "REG", "Sidoarjo", 8_000, 8_000),
                rate(Courier::Jne, "REG", "Jawa Timur", 11_000, 11_000),
                rate(Courier::Jne, "REG", "*", 25_000, 25_000),
                rate(Courier::GoSend, "Instant", "Sidoarjo", 20_000, 0),
            ],
        }
    }

    #[test]
    fn the_most_specific_rate_wins_and_weight_rounds_up() {
        let jne = Shipping {
            courier: Courier::Jne,
            service: "reg".into(),
        };
        assert_eq!(
            table().quote(&jne, &to("Kab. Sidoarjo", "Jawa Timur"), 300),
            Ok(Rupiah::new(8_000))
        );
        assert_eq!(
            table().quote(&jne, &to("Kota Malang", "Jawa Timur"), 1_200),
            Ok(Rupiah::new(22_000))
        );
        assert_eq!(
            table().quote(&jne, &to("Kota Medan", "Sumatera Utara"), 1_000),
            Ok(Rupiah::new(25_000))
        );
        let gosend = Shipping {
            courier: Courier::GoSend,
            service: "Instant".into(),
        };
        assert_eq!(
            table().quote(&gosend, &to("Sidoarjo", "Jawa Timur"), 9_000),
            Ok(Rupiah::new(20_000))
        );
        assert!(
            table()
                .quote(&gosend, &to("Kota Medan", "Sumatera Utara"), 1_000)
                .is_err()
        );
    }
}
