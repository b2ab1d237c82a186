//! Local date-times as the phone wrote them, and which of the date's numbers is the day.

use std::fmt;

/// A wall-clock time with no zone, as the exporting phone showed it. Ordered by time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl LocalDateTime {
    /// A valid date and time, or `None` (31 February, hour 24).
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then_some(LocalDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }
}

/// ISO 8601 without a zone: `2020-11-26T23:10:00`.
impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// How a file writes dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    /// `26/11/20`: Indonesia and most of the world.
    DayFirst,
    /// `11/26/20`: phones set to English (US).
    MonthFirst,
    /// `2020-11-26`.
    YearFirst,
}

/// What settled the [`DateOrder`], strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderBasis {
    /// A number over 12 (more often in one place than the other), or a year written first.
    Over12,
    /// Within a year the month never goes down, so the number that does is the day.
    Sequence,
    /// From one message to the next the day changes more than the month does.
    Spread,
    /// A 12-hour clock: the US locale, month first.
    Clock,
    /// Nothing to go on: day first, as Indonesian phones write.
    Default,
}

/// What the dates of a file say about their order; a few counters, whatever the file's size.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Evidence {
    first_over12: u32,
    second_over12: u32,
    first_drops: u32,
    second_drops: u32,
    first_spread: u64,
    second_spread: u64,
    last: Option<[u16; 3]>,
}

impl Evidence {
    /// Adds a date as written (day and month in either order, the year last).
    pub fn add(&mut self, [a, b, y]: [u16; 3]) {
        self.first_over12 += u32::from(a > 12);
        self.second_over12 += u32::from(b > 12);
        if let Some([la, lb, ly]) = self.last {
            if ly == y {
                self.first_drops += u32::from(a < la);
                self.second_drops += u32::from(b < lb);
            }
            self.first_spread += u64::from(a.abs_diff(la));
            self.second_spread += u64::from(b.abs_diff(lb));
        }
        self.last = Some([a, b, y]);
    }

    /// The order the dates point to; `year_first` and `twelve_hour` come from the shape.
    pub fn decide(&self, year_first: bool, twelve_hour: bool) -> (DateOrder, OrderBasis) {
        use std::cmp::Ordering::*;
        let pick = |first_is_day: bool| {
            if first_is_day {
                DateOrder::DayFirst
            } else {
                DateOrder::MonthFirst
            }
        };
        if year_first {
            return (DateOrder::YearFirst, OrderBasis::Over12);
        }
        let tests = [
            (
                self.first_over12.cmp(&self.second_over12),
                OrderBasis::Over12,
            ),
            (
                self.first_drops.cmp(&self.second_drops),
                OrderBasis::Sequence,
            ),
            (
                self.first_spread.cmp(&self.second_spread),
                OrderBasis::Spread,
            ),
        ];
        for (cmp, basis) in tests {
            match cmp {
                Greater => return (pick(true), basis),
                Less => return (pick(false), basis),
                Equal => {}
            }
        }
        if twelve_hour {
            (DateOrder::MonthFirst, OrderBasis::Clock)
        } else {
            (DateOrder::DayFirst, OrderBasis::Default)
        }
    }
}

/// The day, month and year of a date as written, in `order`; two-digit years are 20xx.
pub(crate) fn ymd(order: DateOrder, [a, b, c]: [u16; 3]) -> (u16, u16, u16) {
    let year = |y: u16| if y < 100 { 2000 + y } else { y };
    match order {
        DateOrder::DayFirst => (year(c), b, a),
        DateOrder::MonthFirst => (year(c), a, b),
        DateOrder::YearFirst => (a, b, c),
    }
}

/// Whether the date as written is valid in some order, so that it can be a header at all.
pub(crate) fn plausible(year_first: bool, date: [u16; 3]) -> bool {
    let ok = |order| {
        let (y, m, d) = ymd(order, date);
        m <= 12 && d <= 31 && LocalDateTime::new(y, m as u8, d as u8, 0, 0, 0).is_some()
    };
    if year_first {
        ok(DateOrder::YearFirst)
    } else {
        ok(DateOrder::DayFirst) || ok(DateOrder::MonthFirst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_validity() {
        let t = LocalDateTime::new(2020, 11, 26, 23, 10, 0).expect("valid");
        assert_eq!(t.to_string(), "2020-11-26T23:10:00");
        assert!(LocalDateTime::new(2021, 2, 29, 0, 0, 0).is_none());
        assert!(LocalDateTime::new(2024, 2, 29, 0, 0, 0).is_some());
        assert!(LocalDateTime::new(2024, 13, 1, 0, 0, 0).is_none());
    }

    #[test]
    fn the_order_comes_from_the_strongest_evidence() {
        let decide = |dates: &[[u16; 3]], twelve| {
            let mut e = Evidence::default();
            dates.iter().for_each(|d| e.add(*d));
            e.decide(false, twelve)
        };
        use DateOrder::*;
        use OrderBasis::*;
        assert_eq!(
            decide(&[[1, 11, 20], [26, 11, 20]], true),
            (DayFirst, Over12)
        );
        assert_eq!(
            decide(&[[11, 1, 20], [11, 26, 20]], false),
            (MonthFirst, Over12)
        );
        // 10/12 then 2/1: the first number went down inside the year, so it is the day.
        assert_eq!(
            decide(&[[10, 11, 20], [2, 12, 20]], true),
            (DayFirst, Sequence)
        );
        assert_eq!(
            decide(&[[1, 11, 20], [3, 11, 20]], true),
            (DayFirst, Spread)
        );
        assert_eq!(decide(&[[5, 5, 20]], true), (MonthFirst, Clock));
        assert_eq!(decide(&[[5, 5, 20]], false), (DayFirst, Default));
        assert_eq!(decide(&[], false), (DayFirst, Default));
    }
}
