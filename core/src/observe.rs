//! Listeners that stop when their handle is dropped (the matrix-rust-sdk pattern).
//!
//! A service owns an [`Observers`] list; `subscribe` returns a [`Subscription`] whose
//! drop removes the listener. Listeners are called after the change is committed, on
//! the thread that committed it, outside any lock: they must return quickly (the FFI
//! listeners hand the event to a Kotlin channel or Swift continuation and return).

use std::sync::{Arc, Mutex, Weak};

type Listener<E> = Arc<dyn Fn(&E) + Send + Sync>;

struct Inner<E> {
    next_id: u64,
    listeners: Vec<(u64, Listener<E>)>,
}

pub struct Observers<E> {
    inner: Arc<Mutex<Inner<E>>>,
}

impl<E> Default for Observers<E> {
    fn default() -> Self {
        Observers {
            inner: Arc::new(Mutex::new(Inner {
                next_id: 0,
                listeners: Vec::new(),
            })),
        }
    }
}

impl<E: 'static> Observers<E> {
    pub fn subscribe(&self, listener: impl Fn(&E) + Send + Sync + 'static) -> Subscription {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let id = inner.next_id;
        inner.next_id += 1;
        inner.listeners.push((id, Arc::new(listener)));
        let weak: Weak<Mutex<Inner<E>>> = Arc::downgrade(&self.inner);
        Subscription {
            cancel: Some(Box::new(move || {
                if let Some(inner) = weak.upgrade() {
                    let mut inner = inner.lock().unwrap_or_else(|p| p.into_inner());
                    inner.listeners.retain(|(i, _)| *i != id);
                }
            })),
        }
    }

    pub fn notify(&self, event: &E) {
        // Snapshot, then call without the lock: a listener may drop its own subscription.
        let listeners: Vec<Listener<E>> = {
            let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            inner.listeners.iter().map(|(_, l)| Arc::clone(l)).collect()
        };
        for listener in listeners {
            // A listener that panics (or a foreign callback that throws) must not undo
            // the caller's committed change nor starve the other listeners.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| listener(event)));
        }
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .listeners
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Keeps a listener registered; dropping it (or calling [`Subscription::cancel`]) stops it.
#[must_use = "the listener stops as soon as the subscription is dropped"]
pub struct Subscription {
    cancel: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl Subscription {
    pub fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel();
        }
    }

    /// One subscription for two listeners: both stop together.
    pub fn join(mut self, mut other: Subscription) -> Subscription {
        let (a, b) = (self.cancel.take(), other.cancel.take());
        Subscription {
            cancel: Some(Box::new(move || {
                for cancel in [a, b].into_iter().flatten() {
                    cancel();
                }
            })),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn dropping_the_subscription_stops_the_listener() {
        let obs = Observers::<u32>::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let s2 = Arc::clone(&seen);
        let sub = obs.subscribe(move |n| {
            s2.fetch_add(*n as usize, Ordering::SeqCst);
        });
        obs.notify(&1);
        obs.notify(&2);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        drop(sub);
        obs.notify(&10);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        assert!(obs.is_empty());
    }

    #[test]
    fn a_panicking_listener_does_not_stop_the_others() {
        let obs = Observers::<u32>::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let s2 = Arc::clone(&seen);
        let _bad = obs.subscribe(|_| panic!("listener bug"));
        let _good = obs.subscribe(move |_| {
            s2.fetch_add(1, Ordering::SeqCst);
        });
        obs.notify(&1);
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn cancel_is_idempotent_and_outlives_the_observers() {
        let obs = Observers::<u32>::default();
        let mut sub = obs.subscribe(|_| {});
        drop(obs);
        sub.cancel();
        sub.cancel();
    }
}
