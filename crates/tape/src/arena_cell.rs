//! [`ArenaCell`]: the tape's interior mutability, without a borrow flag to write per op.
//!
//! Recording an op is a few dozen instructions; `RefCell`'s borrow flag (set, then
//! restored, on every op) made a store-to-load chain through memory that cost a third of
//! the scalar lane's time (measured: `cargo bench --bench scalar`, forward 3.75 -> 2.65 ms).
//! The arena is instead borrowed by the tape's own code only, in short scopes that call
//! no code outside the crate, which is what makes the `unsafe` accesses below sound:
//!
//! - [`write`](ArenaCell::write) and [`read`](ArenaCell::read) hand out the arena to
//!   crate code that, while it holds the guard, neither records nor reads the tape again;
//! - while user code runs with the arena lent out ([`lend`](ArenaCell::lend): a closure
//!   given a var's values, a listing writing to a user's formatter), recording panics,
//!   as `RefCell` would;
//! - builds with debug assertions (the tests) also track every borrow, so a crate
//!   function that broke the first rule panics instead of aliasing.
//!
//! The tape is not `Sync`, so all of this happens on one thread.

use std::cell::{Cell, UnsafeCell};

/// The arena of a tape; see the module documentation.
pub(crate) struct ArenaCell<A> {
    arena: UnsafeCell<A>,
    /// Borrows lent to user code that are alive.
    lent: Cell<usize>,
    /// Debug builds: readers (> 0) or a writer (-1).
    #[cfg(debug_assertions)]
    state: Cell<isize>,
}

impl<A> ArenaCell<A> {
    pub fn new(arena: A) -> Self {
        ArenaCell {
            arena: UnsafeCell::new(arena),
            lent: Cell::new(0),
            #[cfg(debug_assertions)]
            state: Cell::new(0),
        }
    }

    /// Exclusive access through `&mut self`: no borrow can be alive.
    pub fn get_mut(&mut self) -> &mut A {
        self.arena.get_mut()
    }

    /// The arena to change, for crate code that neither records nor reads the tape
    /// again while the guard lives.
    ///
    /// # Panics
    /// If the arena is lent to user code (recording from inside `Var::with_value`).
    #[inline(always)]
    pub fn write(&self) -> Write<'_, A> {
        if self.lent.get() != 0 {
            lent_out();
        }
        Write {
            _track: self.track(-1),
            // SAFETY: nothing is lent to user code, and crate code borrows the arena only
            // through guards whose holders do not borrow it again (checked in debug builds
            // by `track`), so this is the only reference alive.
            arena: unsafe { &mut *self.arena.get() },
        }
    }

    /// The arena to read, for crate code that does not record while the guard lives.
    #[inline(always)]
    pub fn read(&self) -> Read<'_, A> {
        Read {
            _track: self.track(1),
            // SAFETY: no writer's guard is alive (a writer does not read the tape again),
            // so no mutable reference is.
            arena: unsafe { &*self.arena.get() },
        }
    }

    /// Runs `f`, which may call user code, with the arena to read; recording panics
    /// until it returns.
    pub fn lend<R>(&self, f: impl FnOnce(&A) -> R) -> R {
        struct Lent<'a>(&'a Cell<usize>);
        impl Drop for Lent<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() - 1);
            }
        }
        self.lent.set(self.lent.get() + 1);
        let _lent = Lent(&self.lent);
        f(&self.read())
    }

    /// Debug builds: records a borrow (`-1` a writer, `1` a reader) for as long as the
    /// returned guard lives, and panics on an overlap that would alias a writer.
    #[inline(always)]
    #[cfg_attr(not(debug_assertions), allow(unused_variables))]
    fn track(&self, kind: isize) -> Track<'_> {
        #[cfg(debug_assertions)]
        {
            let state = self.state.get();
            assert!(
                (kind < 0 && state == 0) || (kind > 0 && state >= 0),
                "tape: the arena is borrowed again while {} (a bug in the tape crate)",
                if state < 0 {
                    "being written"
                } else {
                    "being read"
                }
            );
            self.state.set(if kind < 0 { -1 } else { state + 1 });
        }
        Track {
            #[cfg(debug_assertions)]
            cell: &self.state,
            #[cfg(debug_assertions)]
            kind,
            #[cfg(not(debug_assertions))]
            _cell: std::marker::PhantomData,
        }
    }
}

/// Mutable access to the arena while it lives.
pub(crate) struct Write<'a, A> {
    arena: &'a mut A,
    _track: Track<'a>,
}

impl<A> std::ops::Deref for Write<'_, A> {
    type Target = A;
    #[inline(always)]
    fn deref(&self) -> &A {
        self.arena
    }
}

impl<A> std::ops::DerefMut for Write<'_, A> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut A {
        self.arena
    }
}

/// Shared access to the arena while it lives.
pub(crate) struct Read<'a, A> {
    arena: &'a A,
    _track: Track<'a>,
}

impl<A> std::ops::Deref for Read<'_, A> {
    type Target = A;
    #[inline(always)]
    fn deref(&self) -> &A {
        self.arena
    }
}

/// Ends a tracked borrow (in debug builds; nothing to do otherwise).
struct Track<'a> {
    #[cfg(debug_assertions)]
    cell: &'a Cell<isize>,
    #[cfg(debug_assertions)]
    kind: isize,
    #[cfg(not(debug_assertions))]
    _cell: std::marker::PhantomData<&'a ()>,
}

#[cfg(debug_assertions)]
impl Drop for Track<'_> {
    fn drop(&mut self) {
        self.cell.set(if self.kind < 0 {
            0
        } else {
            self.cell.get() - 1
        });
    }
}

#[cold]
#[inline(never)]
fn lent_out() -> ! {
    panic!(
        "tape: cannot record while the tape's values are lent out (inside the closure of \
         Var::with_value, or while a listing of the tape is being written)"
    )
}
