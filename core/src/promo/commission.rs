//! A seller's commission rule for promoters, the commission of an attributed order,
//! and the payout summary of a period. Integer rupiah throughout: a percentage is in
//! basis points and rounds down to the rupiah, so the seller never owes a fraction.

use crate::money::Rupiah;
use crate::order::OrderStatus;
use crate::time::{WIB_MINUTES, civil_date};
use std::collections::BTreeMap;

/// At most half of the price: a higher rule is a typing mistake, not a promotion.
pub const MAX_BASIS_POINTS: u32 = 5_000;

/// What a seller pays a promoter for an order that came through her.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommissionRule {
    /// A share of the items' subtotal (ongkir excluded), in basis points: 1,000 = 10 %.
    Percent { basis_points: u32 },
    /// A fixed amount for every unit sold.
    PerItem { amount: Rupiah },
}

/// Why a rule cannot be saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// Zero, or over [`MAX_BASIS_POINTS`].
    Percent,
    /// Zero or negative.
    Amount,
}

impl CommissionRule {
    pub fn check(self) -> Result<CommissionRule, RuleError> {
        match self {
            CommissionRule::Percent { basis_points }
                if (1..=MAX_BASIS_POINTS).contains(&basis_points) =>
            {
                Ok(self)
            }
            CommissionRule::Percent { .. } => Err(RuleError::Percent),
            CommissionRule::PerItem { amount } if amount.idr() > 0 => Ok(self),
            CommissionRule::PerItem { .. } => Err(RuleError::Amount),
        }
    }

    /// The commission on order lines of (unit price, quantity): never more than their
    /// subtotal (a fixed amount above a cheap item's price pays the price), `None` when
    /// the amounts overflow (no real order does).
    pub fn commission(self, lines: &[(Rupiah, i64)]) -> Option<Rupiah> {
        let mut subtotal: i128 = 0;
        let mut units: i128 = 0;
        for &(price, quantity) in lines {
            if quantity < 0 || price.idr() < 0 {
                return None;
            }
            subtotal = subtotal.checked_add(i128::from(price.idr()) * i128::from(quantity))?;
            units = units.checked_add(i128::from(quantity))?;
        }
        let owed = match self {
            CommissionRule::Percent { basis_points } => {
                subtotal.checked_mul(i128::from(basis_points))? / 10_000
            }
            CommissionRule::PerItem { amount } => units.checked_mul(i128::from(amount.idr()))?,
        };
        i64::try_from(owed.min(subtotal)).ok().map(Rupiah::new)
    }

    /// How the rule reads on the promoter's and the seller's screens.
    pub fn describe(self) -> String {
        match self {
            CommissionRule::Percent { basis_points } => {
                let whole = basis_points / 100;
                match basis_points % 100 {
                    0 => format!("{whole}% dari harga barang"),
                    frac if frac % 10 == 0 => format!("{whole},{}% dari harga barang", frac / 10),
                    frac => format!("{whole},{frac:02}% dari harga barang"),
                }
            }
            CommissionRule::PerItem { amount } => format!("{amount} per barang"),
        }
    }
}

/// A month of the calendar in WIB, the period payouts are summed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i64,
    pub month: u32,
}

impl Period {
    /// The month (in WIB) an order placed at `ms` counts in.
    pub fn of(ms: i64) -> Period {
        let (year, month, _) = civil_date(ms, WIB_MINUTES);
        Period { year, month }
    }
}

/// An order that came through a promoter, as the payout needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attributed {
    pub promoter_id: String,
    pub placed_at: i64,
    pub status: OrderStatus,
    /// The items' subtotal, ongkir excluded.
    pub sales: Rupiah,
    pub commission: Rupiah,
}

/// One promoter's month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payout {
    pub promoter_id: String,
    /// Orders that came through her and were not cancelled.
    pub orders: u32,
    pub sales: Rupiah,
    /// Commission on completed orders: what the seller pays for the month.
    pub earned: Rupiah,
    /// Commission on orders still on their way: paid once they complete.
    pub pending: Rupiah,
    /// Cancelled orders: no commission.
    pub cancelled: u32,
}

/// Every promoter's payout for `period`, by promoter id. `None` when amounts overflow.
pub fn payouts(orders: &[Attributed], period: Period) -> Option<Vec<Payout>> {
    let mut by: BTreeMap<&str, Payout> = BTreeMap::new();
    for o in orders.iter().filter(|o| Period::of(o.placed_at) == period) {
        let p = by.entry(o.promoter_id.as_str()).or_insert_with(|| Payout {
            promoter_id: o.promoter_id.clone(),
            ..Payout::default()
        });
        match o.status {
            OrderStatus::Cancelled => p.cancelled += 1,
            status => {
                p.orders += 1;
                p.sales = p.sales.checked_add(o.sales)?;
                if status == OrderStatus::Completed {
                    p.earned = p.earned.checked_add(o.commission)?;
                } else {
                    p.pending = p.pending.checked_add(o.commission)?;
                }
            }
        }
    }
    Some(by.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idr(n: i64) -> Rupiah {
        Rupiah::new(n)
    }

    #[test]
    fn a_percentage_rounds_down_to_the_rupiah() {
        let ten = CommissionRule::Percent {
            basis_points: 1_000,
        };
        // 2 × 35,000 + 1 × 12,500 = 82,500 → 8,250.
        assert_eq!(
            ten.commission(&[(idr(35_000), 2), (idr(12_500), 1)]),
            Some(idr(8_250))
        );
        let odd = CommissionRule::Percent { basis_points: 750 };
        // 7.5 % of 33,333 = 2,499.975 → 2,499.
        assert_eq!(odd.commission(&[(idr(33_333), 1)]), Some(idr(2_499)));
        assert_eq!(odd.commission(&[]), Some(idr(0)));
    }

    #[test]
    fn a_fixed_amount_is_per_unit_and_never_above_the_price() {
        let rule = CommissionRule::PerItem { amount: idr(2_000) };
        assert_eq!(
            rule.commission(&[(idr(35_000), 3), (idr(10_000), 2)]),
            Some(idr(10_000))
        );
        assert_eq!(rule.commission(&[(idr(1_500), 1)]), Some(idr(1_500)));
    }

    #[test]
    fn nonsense_rules_and_amounts_are_refused() {
        assert_eq!(
            CommissionRule::Percent { basis_points: 0 }.check(),
            Err(RuleError::Percent)
        );
        assert_eq!(
            CommissionRule::Percent {
                basis_points: 5_001
            }
            .check(),
            Err(RuleError::Percent)
        );
        assert_eq!(
            CommissionRule::PerItem { amount: idr(0) }.check(),
            Err(RuleError::Amount)
        );
        assert!(
            CommissionRule::Percent {
                basis_points: 5_000
            }
            .check()
            .is_ok()
        );
        let rule = CommissionRule::PerItem {
            amount: idr(i64::MAX),
        };
        assert_eq!(rule.commission(&[(idr(i64::MAX), i64::MAX)]), None);
        assert_eq!(rule.commission(&[(idr(10), -1)]), None);
    }

    #[test]
    fn rules_read_as_people_say_them() {
        let p = |bp| CommissionRule::Percent { basis_points: bp }.describe();
        assert_eq!(p(1_000), "10% dari harga barang");
        assert_eq!(p(750), "7,5% dari harga barang");
        assert_eq!(p(1_025), "10,25% dari harga barang");
        assert_eq!(
            CommissionRule::PerItem { amount: idr(2_000) }.describe(),
            "Rp2.000 per barang"
        );
    }

    #[test]
    fn a_month_of_orders_sums_per_promoter() {
        // 1 March 2026 00:30 WIB is still February in UTC: it counts in March.
        let march_first_wib = 1_772_299_800_000;
        let feb = march_first_wib - 2 * 86_400_000;
        let order = |who: &str, at: i64, status, sales: i64, commission: i64| Attributed {
            promoter_id: who.into(),
            placed_at: at,
            status,
            sales: idr(sales),
            commission: idr(commission),
        };
        let orders = [
            order(
                "kirana",
                march_first_wib,
                OrderStatus::Completed,
                82_500,
                8_250,
            ),
            order(
                "kirana",
                march_first_wib + 1,
                OrderStatus::Shipped,
                35_000,
                3_500,
            ),
            order(
                "kirana",
                march_first_wib + 2,
                OrderStatus::Cancelled,
                70_000,
                7_000,
            ),
            order(
                "sri",
                march_first_wib + 3,
                OrderStatus::Completed,
                10_000,
                1_000,
            ),
            order("kirana", feb, OrderStatus::Completed, 99_000, 9_900),
        ];
        let march = Period {
            year: 2026,
            month: 3,
        };
        assert_eq!(Period::of(march_first_wib), march);
        assert_eq!(
            payouts(&orders, march),
            Some(vec![
                Payout {
                    promoter_id: "kirana".into(),
                    orders: 2,
                    sales: idr(117_500),
                    earned: idr(8_250),
                    pending: idr(3_500),
                    cancelled: 1,
                },
                Payout {
                    promoter_id: "sri".into(),
                    orders: 1,
                    sales: idr(10_000),
                    earned: idr(1_000),
                    pending: idr(0),
                    cancelled: 0,
                },
            ])
        );
        assert_eq!(
            payouts(
                &orders,
                Period {
                    year: 2026,
                    month: 4
                }
            ),
            Some(vec![])
        );
    }
}
