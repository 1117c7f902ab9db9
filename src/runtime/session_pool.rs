//! A pool of ONNX Runtime sessions, so that one estimator serves many threads at once.
//!
//! `Session::run` takes `&mut self`; a session therefore serves one call at a time. The pool holds up
//! to `capacity` sessions of the same model, created lazily, and lends each to one caller at a time.
//! A caller finding every session busy and the pool full waits for one to come back. Every session
//! is configured identically (one intra-op thread), so which session serves a call never changes
//! its result.

use super::RuntimeError;
use ort::session::Session;
use parking_lot::{Condvar, Mutex};
use std::ops::{Deref, DerefMut};

/// Makes one more session when the pool needs it.
pub(crate) type Factory = Box<dyn Fn() -> Result<Session, RuntimeError> + Send + Sync>;

/// Up to `capacity` interchangeable sessions.
pub struct SessionPool {
    factory: Factory,
    capacity: usize,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Session>,
    /// Sessions in existence or being created.
    created: usize,
}

impl SessionPool {
    /// An empty pool that grows up to `capacity` (at least 1) sessions made by `factory`.
    pub(crate) fn new(capacity: usize, factory: Factory) -> Self {
        SessionPool {
            factory,
            capacity: capacity.max(1),
            state: Mutex::new(State { idle: Vec::new(), created: 0 }),
            returned: Condvar::new(),
        }
    }

    /// Most sessions the pool will hold (= most calls running at once).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sessions created so far.
    pub fn created(&self) -> usize {
        self.state.lock().created
    }

    /// A session for the caller's exclusive use; it goes back to the pool when dropped.
    pub fn get(&self) -> Result<Lease<'_>, RuntimeError> {
        let mut state = self.state.lock();
        loop {
            if let Some(session) = state.idle.pop() {
                return Ok(Lease { pool: self, session: Some(session) });
            }
            if state.created < self.capacity {
                state.created += 1;
                drop(state);
                // Give the slot back if the factory fails or panics.
                let mut slot = Slot { pool: self, armed: true };
                let session = (self.factory)()?;
                slot.armed = false;
                return Ok(Lease { pool: self, session: Some(session) });
            }
            self.returned.wait(&mut state);
        }
    }
}

/// Releases a reserved creation slot unless disarmed.
struct Slot<'a> {
    pool: &'a SessionPool,
    armed: bool,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.pool.state.lock().created -= 1;
            self.pool.returned.notify_one();
        }
    }
}

/// A session lent by the pool.
pub struct Lease<'a> {
    pool: &'a SessionPool,
    session: Option<Session>,
}

impl Deref for Lease<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        self.session.as_ref().expect("a lease holds its session until dropped")
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        self.session.as_mut().expect("a lease holds its session until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.pool.state.lock().idle.push(session);
            self.pool.returned.notify_one();
        }
    }
}
