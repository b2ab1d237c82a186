//! How a buyer pays, and what reconciliation needs. No gateway is called: the seller
//! confirms the money arrived.

use super::status::PaymentKind;
use crate::money::Rupiah;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EWallet {
    GoPay,
    Ovo,
    Dana,
    ShopeePay,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// Cash to the courier (or at pick-up).
    Cod,
    /// Transfer to the seller's account; a kode unik makes the amount recognisable.
    BankTransfer {
        bank: String,
    },
    Qris,
    EWallet(EWallet),
}

impl PaymentMethod {
    pub fn kind(&self) -> PaymentKind {
        match self {
            PaymentMethod::Cod => PaymentKind::Cod,
            _ => PaymentKind::Prepaid,
        }
    }

    /// Transfers get a kode unik: many buyers send "Rp75.000" on the same day.
    pub fn needs_kode_unik(&self) -> bool {
        matches!(self, PaymentMethod::BankTransfer { .. })
    }

    pub fn code(&self) -> String {
        match self {
            PaymentMethod::Cod => "cod".into(),
            PaymentMethod::BankTransfer { bank } => format!("transfer:{bank}"),
            PaymentMethod::Qris => "qris".into(),
            PaymentMethod::EWallet(w) => format!("ewallet:{}", ewallet_code(*w)),
        }
    }

    pub fn from_code(code: &str) -> Option<PaymentMethod> {
        match code.split_once(':') {
            None if code == "cod" => Some(PaymentMethod::Cod),
            None if code == "qris" => Some(PaymentMethod::Qris),
            Some(("transfer", bank)) => Some(PaymentMethod::BankTransfer {
                bank: bank.to_owned(),
            }),
            Some(("ewallet", w)) => [
                EWallet::GoPay,
                EWallet::Ovo,
                EWallet::Dana,
                EWallet::ShopeePay,
            ]
            .into_iter()
            .find(|x| ewallet_code(*x) == w)
            .map(PaymentMethod::EWallet),
            _ => None,
        }
    }

    /// As shown to the buyer: "Transfer BCA", "COD (bayar di tempat)".
    pub fn label(&self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            PaymentMethod::Cod => Text::new("COD (bayar di tempat)", "Cash on delivery"),
            PaymentMethod::BankTransfer { bank } => {
                Text::new(format!("Transfer {bank}"), format!("{bank} transfer"))
            }
            PaymentMethod::Qris => Text::new("QRIS", "QRIS"),
            PaymentMethod::EWallet(w) => {
                let n = match w {
                    EWallet::GoPay => "GoPay",
                    EWallet::Ovo => "OVO",
                    EWallet::Dana => "DANA",
                    EWallet::ShopeePay => "ShopeePay",
                };
                Text::new(n, n)
            }
        }
    }
}

fn ewallet_code(w: EWallet) -> &'static str {
    match w {
        EWallet::GoPay => "gopay",
        EWallet::Ovo => "ovo",
        EWallet::Dana => "dana",
        EWallet::ShopeePay => "shopeepay",
    }
}

/// A kode unik (1–999 rupiah) for a transfer of `base` such that `base + kode` differs
/// from every amount in `open` (the seller's other unpaid transfers), starting from
/// `seed` so two phones rarely pick the same one. `None` if all 999 are taken.
pub fn kode_unik(base: Rupiah, open: &[Rupiah], seed: u64) -> Option<i64> {
    let start = (seed % 999) as i64;
    (0..999).map(|k| (start + k) % 999 + 1).find(|k| {
        base.checked_add(Rupiah::new(*k))
            .is_some_and(|total| !open.contains(&total))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for m in [
            PaymentMethod::Cod,
            PaymentMethod::Qris,
            PaymentMethod::BankTransfer { bank: "BCA".into() },
            PaymentMethod::EWallet(EWallet::ShopeePay),
        ] {
            assert_eq!(PaymentMethod::from_code(&m.code()), Some(m));
        }
        assert_eq!(PaymentMethod::from_code("bitcoin"), None);
    }

    #[test]
    fn kode_unik_makes_every_open_transfer_amount_different() {
        let base = Rupiah::new(75_000);
        let taken: Vec<Rupiah> = (1..=998).map(|k| Rupiah::new(75_000 + k)).collect();
        assert_eq!(kode_unik(base, &taken, 12345), Some(999));
        let all: Vec<Rupiah> = (1..=999).map(|k| Rupiah::new(75_000 + k)).collect();
        assert_eq!(kode_unik(base, &all, 1), None);
        let k = kode_unik(base, &[], 7).expect("free");
        assert!((1..=999).contains(&k));
    }
}
