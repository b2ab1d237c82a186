//! The feed's head as this server instance last saw it, so that the commonest request
//! of all — a phone asking "anything new?" with a cursor already at the head — is
//! answered without a database round trip.
//!
//! Every change takes the next number of the one-row `feed` counter under its row
//! lock, so numbers commit in order: when no number above a phone's cursor has been
//! committed, nothing new exists for anyone. The head is read from the database at
//! most every [`FRESH_MS`], and forgotten the moment this instance commits a change
//! (a push, an expiry), so a phone always pulls the effects of its own push at once.
//! Changes committed by *another* instance behind the same database reach this one's
//! polls within [`FRESH_MS`].

use std::sync::atomic::{AtomicI64, Ordering};

/// How long a head read from the database is trusted.
pub(crate) const FRESH_MS: i64 = 100;

/// The last head read and when; `-1` when unknown or forgotten.
#[derive(Debug)]
pub struct FeedHead {
    seq: AtomicI64,
    at_ms: AtomicI64,
}

impl Default for FeedHead {
    fn default() -> Self {
        FeedHead {
            seq: AtomicI64::new(-1),
            at_ms: AtomicI64::new(i64::MIN),
        }
    }
}

impl FeedHead {
    /// The head if it was read within [`FRESH_MS`] of `now` and not forgotten since.
    pub(crate) fn known(&self, now: i64) -> Option<i64> {
        let at = self.at_ms.load(Ordering::Acquire);
        let seq = self.seq.load(Ordering::Acquire);
        (seq >= 0 && now.saturating_sub(at) <= FRESH_MS && now >= at).then_some(seq)
    }

    /// The head read at `now` (a read older than one already kept is ignored).
    pub(crate) fn set(&self, seq: i64, now: i64) {
        if self.at_ms.load(Ordering::Acquire) <= now {
            self.seq.store(seq, Ordering::Release);
            self.at_ms.store(now, Ordering::Release);
        }
    }

    /// This instance committed a change: the next poll asks the database.
    pub(crate) fn forget(&self) {
        self.seq.store(-1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_trusted_briefly_and_forgotten_on_a_local_change() {
        let h = FeedHead::default();
        assert_eq!(h.known(1_000), None);
        h.set(42, 1_000);
        assert_eq!(h.known(1_000), Some(42));
        assert_eq!(h.known(1_000 + FRESH_MS), Some(42));
        assert_eq!(h.known(1_001 + FRESH_MS), None);
        // A clock that went back does not make an old read fresh.
        assert_eq!(h.known(999), None);
        h.set(43, 1_050);
        h.forget();
        assert_eq!(h.known(1_050), None);
    }
}
