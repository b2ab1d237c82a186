//! A few worker threads for the store's blocking work, handed back to async callers as
//! futures.
//!
//! Why not tokio's `spawn_blocking`: the phone library ran a tokio runtime (and uniffi's
//! async-compat shim) only for this, about 230 KB of a library whose size is a feature
//! for our users. A suspend call from Kotlin or an async call from Swift is polled by the
//! platform's own executor; all it needs is that SQLite work never runs on that
//! executor's thread, and a waker when the answer is ready. That is this module.
//!
//! Threads start when work arrives and none is idle (at most [`MAX_WORKERS`]: the store
//! has one writer, so more would only queue behind it), and end after a minute without
//! work, so an idle app holds none. A panic in the work becomes an error for the caller,
//! never a dead worker or a hung future.

use std::any::Any;
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// Enough for reads beside the one writer; the phone has few cores.
pub const MAX_WORKERS: usize = 4;
/// An idle worker ends after this long without work.
const IDLE: Duration = Duration::from_secs(60);

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The work panicked; the message is the panic's, for the bug report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked(pub String);

/// Runs `work` on a worker thread; the future resolves to its result.
///
/// Dropping the future does not stop work already started (a store transaction runs to
/// its end); its result is then thrown away.
pub fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Background<T> {
    Background {
        slot: run_erased(Box::new(move || Box::new(work()) as Box<dyn Any + Send>)),
        _answer: PhantomData,
    }
}

/// The answer of [`run`], as a future.
pub struct Background<T> {
    slot: Arc<Mutex<Slot>>,
    _answer: PhantomData<fn() -> T>,
}

type Answer = Box<dyn Any + Send>;

/// The typed work is boxed into one shape before it reaches the pool, so each caller's
/// type adds a few instructions to the library rather than its own copy of the pool's
/// hand-over code (there are well over a hundred callers).
struct Slot {
    result: Option<Result<Answer, Panicked>>,
    waker: Option<Waker>,
}

fn run_erased(work: Box<dyn FnOnce() -> Answer + Send>) -> Arc<Mutex<Slot>> {
    let slot = Arc::new(Mutex::new(Slot {
        result: None,
        waker: None,
    }));
    let filled = Arc::clone(&slot);
    pool().submit(Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Panicked(message)
        });
        let waker = {
            let mut slot = lock(&filled);
            slot.result = Some(result);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }));
    slot
}

fn poll_erased(slot: &Mutex<Slot>, cx: &mut Context<'_>) -> Poll<Result<Answer, Panicked>> {
    let mut slot = lock(slot);
    match slot.result.take() {
        Some(result) => Poll::Ready(result),
        None => {
            // The latest waker: an executor may move the task between threads.
            slot.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl<T: 'static> Future for Background<T> {
    type Output = Result<T, Panicked>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_erased(&self.slot, cx).map(|answer| {
            answer.and_then(|any| {
                any.downcast::<T>()
                    .map(|t| *t)
                    .map_err(|_| Panicked("answer of another type".to_owned()))
            })
        })
    }
}

struct Pool {
    state: Mutex<PoolState>,
    work_ready: Condvar,
}

struct PoolState {
    queue: VecDeque<Job>,
    workers: usize,
    idle: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(PoolState {
            queue: VecDeque::new(),
            workers: 0,
            idle: 0,
        }),
        work_ready: Condvar::new(),
    })
}

impl Pool {
    fn submit(&'static self, job: Job) {
        let mut state = lock(&self.state);
        state.queue.push_back(job);
        // Wake an idle worker if there is one that is not already spoken for.
        if state.idle >= state.queue.len() {
            drop(state);
            self.work_ready.notify_one();
            return;
        }
        if state.workers < MAX_WORKERS {
            state.workers += 1;
            drop(state);
            let spawned = thread::Builder::new()
                .name("pasar-store".to_owned())
                .spawn(move || self.work());
            if spawned.is_err() {
                // No thread to be had (the process is at its limit): run the queue here
                // rather than leave the caller waiting for ever.
                lock(&self.state).workers -= 1;
                self.drain_inline();
            }
        } else {
            drop(state);
            self.work_ready.notify_one();
        }
    }

    fn work(&self) {
        let mut state = lock(&self.state);
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job();
                state = lock(&self.state);
                continue;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work_ready
                .wait_timeout(state, IDLE)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            state.idle -= 1;
            if timeout.timed_out() && state.queue.is_empty() {
                state.workers -= 1;
                return;
            }
        }
    }

    fn drain_inline(&self) {
        loop {
            let job = lock(&self.state).queue.pop_front();
            match job {
                Some(job) => job(),
                None => return,
            }
        }
    }
}

/// Jobs catch their own panics, so a poisoned lock only means a panic between two
/// plain field updates; the state is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    /// A minimal executor: block this thread on one future.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct ThreadWaker(thread::Thread);
        impl std::task::Wake for ThreadWaker {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            thread::park();
        }
    }

    #[test]
    fn the_answer_comes_back_from_another_thread() {
        let caller = thread::current().id();
        let (worker, n) = block_on(run(move || (thread::current().id(), 41 + 1))).expect("ran");
        assert_eq!(n, 42);
        assert_ne!(worker, caller, "the caller's thread must stay free");
    }

    #[test]
    fn a_panic_is_an_error_and_the_pool_keeps_working() {
        let err = block_on(run(|| -> u32 { panic!("disk on fire") })).expect_err("panicked");
        assert_eq!(err, Panicked("disk on fire".to_owned()));
        assert_eq!(block_on(run(|| 7)), Ok(7));
    }

    #[test]
    fn many_callers_at_once_all_get_their_own_answer() {
        let done = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        for i in 0..64usize {
            let tx = tx.clone();
            let done = Arc::clone(&done);
            thread::spawn(move || {
                let got = block_on(run(move || {
                    thread::sleep(Duration::from_millis(1));
                    i * 2
                }));
                done.fetch_add(1, Ordering::SeqCst);
                tx.send((i, got)).expect("send");
            });
        }
        drop(tx);
        let mut answers: Vec<_> = rx.iter().collect();
        answers.sort_by_key(|(i, _)| *i);
        assert_eq!(answers.len(), 64);
        for (i, got) in answers {
            assert_eq!(got, Ok(i * 2));
        }
        assert!(lock(&pool().state).workers <= MAX_WORKERS);
    }

    #[test]
    fn a_dropped_future_does_not_stop_the_work() {
        let (tx, rx) = mpsc::channel();
        drop(run(move || tx.send("finished").expect("send")));
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok("finished"),
            "a started transaction runs to its end"
        );
    }
}
