//! Splitting a large product over the machine's cores.
//!
//! A training step's products take tens of microseconds, so starting threads per product
//! (`std::thread::scope`, about 15 µs a thread on a virtual machine) would eat the gain.
//! Instead a few workers are started once and wait for work, spinning for a short while
//! after each job (steps come back to back) before they park. Handing a job over then
//! costs about a microsecond and allocates nothing.
//!
//! Work is split into *parts* that write disjoint outputs and are each computed by the
//! same code whichever thread runs them, so results are bit-identical for any number of
//! threads. Part `i` of `n` is offered to thread `i % threads`; the caller takes part 0,
//! and then takes back the parts of any worker that has not started yet, so a busy
//! machine (a worker not scheduled) costs no more than running on one thread.
//!
//! The number of threads is [`std::thread::available_parallelism`], or the value of the
//! environment variable `TAPEGRAD_THREADS` if it is set (1 turns parallelism off). When
//! the workers are busy with another caller's job (tests run on many threads), a caller
//! runs all its parts itself.

use std::cell::Cell;
use std::ops::Range;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long an idle worker spins before it parks.
const SPIN: Duration = Duration::from_micros(200);

/// A job: `run(part)` for parts `first, first + stride, ...` below `parts`.
struct Job<'a> {
    run: &'a (dyn Fn(usize) + Sync),
    first: usize,
    stride: usize,
    parts: usize,
    /// Set if a part panicked; the payload is re-raised on the caller's thread.
    panic: &'a Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

impl Job<'_> {
    fn execute(&self) {
        for part in (self.first..self.parts).step_by(self.stride) {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.run)(part))) {
                self.panic
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(payload);
            }
        }
    }
}

/// One worker's mailbox: null (empty), a job offered by a caller, or [`TAKEN`] while the
/// worker runs it. The worker claims an offered job by swapping in `TAKEN` and stores null
/// when done; the caller takes an unclaimed job back by swapping in null. The job lives
/// on the caller's stack, which is sound because the worker touches it only between its
/// claim and its null, and the caller does not return before every mailbox it filled is
/// null again.
struct Worker {
    job: AtomicPtr<Job<'static>>,
    sleeping: AtomicBool,
    thread: OnceLock<Thread>,
}

struct Pool {
    workers: Vec<Worker>,
    /// Held by the one caller whose job the workers run.
    in_use: AtomicBool,
}

/// The mark of a job a worker has claimed (never a real job's address).
const TAKEN: *mut Job<'static> = std::ptr::dangling_mut();

thread_local! {
    /// True on pool workers: a product inside a part runs on its own thread.
    static IS_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// True on the tape's worker threads (for instance to count their allocations in a test).
pub fn is_worker() -> bool {
    IS_WORKER.with(Cell::get)
}

/// The number of threads products are split over (the caller's included).
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("TAPEGRAD_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n >= 1)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let workers = (1..threads())
            .map(|_| Worker {
                job: AtomicPtr::new(std::ptr::null_mut()),
                sleeping: AtomicBool::new(false),
                thread: OnceLock::new(),
            })
            .collect();
        Pool {
            workers,
            in_use: AtomicBool::new(false),
        }
    })
}

/// Starts worker `index` (once), which then serves its mailbox for the life of the
/// process.
fn ensure_started(index: usize) -> &'static Worker {
    let worker = &pool().workers[index];
    worker.thread.get_or_init(|| {
        std::thread::Builder::new()
            .name(format!("tape-worker-{}", index + 1))
            .spawn(move || serve(&pool().workers[index]))
            .expect("failed to start a tape worker thread")
            .thread()
            .clone()
    });
    worker
}

fn serve(worker: &Worker) {
    IS_WORKER.with(|w| w.set(true));
    loop {
        let idle_since = Instant::now();
        let mut spins = 0u32;
        let job = loop {
            let job = worker.job.load(Ordering::Acquire);
            if !job.is_null()
                && job != TAKEN
                && worker
                    .job
                    .compare_exchange(job, TAKEN, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                break job;
            }
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(256) && idle_since.elapsed() > SPIN {
                // Announce the nap, then look once more: a caller that stored a job
                // before seeing the flag would otherwise not unpark us.
                worker.sleeping.store(true, Ordering::SeqCst);
                if worker.job.load(Ordering::SeqCst).is_null() {
                    std::thread::park();
                }
                worker.sleeping.store(false, Ordering::SeqCst);
            } else {
                std::hint::spin_loop();
            }
        };
        // SAFETY: the caller keeps the job alive until we store null below.
        unsafe { (*job).execute() };
        worker.job.store(std::ptr::null_mut(), Ordering::Release);
    }
}

/// Runs `run(part)` for every part in `0..parts`, spread over the pool's threads, and
/// returns when all are done. A panic in a part is re-raised here once all parts ended.
///
/// Tape operations inside a part run on that part's thread alone (the pool is taken),
/// so a caller can split work coarsely (say, blocks of rows, each on a tape of its own)
/// without oversubscribing the cores. With the pool busy, every part runs on the
/// caller's thread, in order.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let total = AtomicUsize::new(0);
/// tape::parallel::for_each_part(4, &|part| {
///     total.fetch_add(part + 1, Ordering::Relaxed);
/// });
/// assert_eq!(total.into_inner(), 1 + 2 + 3 + 4);
/// ```
pub fn for_each_part(parts: usize, run: &(dyn Fn(usize) + Sync)) {
    let nested = IS_WORKER.with(Cell::get);
    // At most 64 threads share one product; more would not pay on these shapes.
    let threads = threads().min(parts).min(64);
    let pool = pool();
    if parts <= 1
        || threads <= 1
        || nested
        || pool
            .in_use
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
    {
        // All parts on this thread; a panicking part still lets the others run, as on
        // the pool.
        let panic = Mutex::new(None);
        let all = Job {
            run,
            first: 0,
            stride: 1,
            parts,
            panic: &panic,
        };
        all.execute();
        reraise(panic);
        return;
    }
    let panic = Mutex::new(None);
    let make = |first: usize| Job {
        run,
        first,
        stride: threads,
        parts,
        panic: &panic,
    };
    let mut mailboxes: [Option<Job<'_>>; 63] = std::array::from_fn(|_| None);
    let helpers = threads - 1;
    for (w, slot) in mailboxes.iter_mut().enumerate().take(helpers) {
        *slot = Some(make(w + 1));
    }
    for (w, slot) in mailboxes.iter().enumerate().take(helpers) {
        let worker = ensure_started(w);
        let job = slot.as_ref().expect("filled above") as *const Job<'_> as *mut Job<'static>;
        worker.job.store(job, Ordering::SeqCst);
        if worker.sleeping.load(Ordering::SeqCst) {
            worker.thread.get().expect("started").unpark();
        }
    }
    make(0).execute();
    for (w, slot) in mailboxes.iter().enumerate().take(helpers) {
        let worker = &pool.workers[w];
        let offered = slot.as_ref().expect("filled above") as *const Job<'_> as *mut Job<'static>;
        let taken_back = worker
            .job
            .compare_exchange(
                offered,
                std::ptr::null_mut(),
                Ordering::Acquire,
                Ordering::Relaxed,
            )
            .is_ok();
        if taken_back {
            slot.as_ref().expect("filled above").execute();
            continue;
        }
        let mut spins = 0u32;
        while !worker.job.load(Ordering::Acquire).is_null() {
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(1024) {
                // The worker was descheduled mid-part: let it run.
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
    pool.in_use.store(false, Ordering::Release);
    reraise(panic);
}

/// Re-raises the panic a part recorded, if any.
fn reraise(panic: Mutex<Option<Box<dyn std::any::Any + Send>>>) {
    if let Some(payload) = panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        resume_unwind(payload);
    }
}

/// Tensors with fewer elements than this are worked on by one thread: an elementwise op
/// does a few nanoseconds of work per element, and handing over costs about a microsecond.
pub(crate) const PARALLEL_ELEMENTS: usize = 1 << 15;

/// Calls `f(range, chunk)` for consecutive chunks of `data` (`chunk` is `data[range]`),
/// splitting a large slice over the threads at multiples of `align` elements (a row
/// length, so that a chunk holds whole rows). Every element is computed the same way
/// whichever thread has it.
pub(crate) fn for_each_chunk_mut<T: Send>(
    data: &mut [T],
    align: usize,
    f: &(dyn Fn(Range<usize>, &mut [T]) + Sync),
) {
    let len = data.len();
    let align = align.max(1);
    let parts = if len >= PARALLEL_ELEMENTS {
        threads().min(len / align).max(1)
    } else {
        1
    };
    if parts == 1 {
        f(0..len, data);
        return;
    }
    struct Shared<T>(*mut T);
    // SAFETY: the parts below write disjoint ranges of the slice, whose elements are Send.
    unsafe impl<T: Send> Sync for Shared<T> {}
    let shared = Shared(data.as_mut_ptr());
    let shared = &shared;
    let units = len / align;
    let bound = |p: usize| {
        if p == parts {
            len
        } else {
            units * p / parts * align
        }
    };
    for_each_part(parts, &|p| {
        let range = bound(p)..bound(p + 1);
        // SAFETY: the ranges of the parts are disjoint and inside the slice, which stays
        // borrowed for the whole call.
        let chunk =
            unsafe { std::slice::from_raw_parts_mut(shared.0.add(range.start), range.len()) };
        f(range, chunk)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn chunks_cover_the_slice_in_whole_rows() {
        for (len, align) in [
            (0, 1),
            (10, 3),
            (PARALLEL_ELEMENTS * 2 + 7, 1),
            (PARALLEL_ELEMENTS * 3, 10),
        ] {
            let mut data = vec![0usize; len];
            for_each_chunk_mut(&mut data, align, &|range, chunk| {
                assert_eq!(range.len(), chunk.len());
                assert!(range.start % align == 0);
                for (i, x) in range.zip(chunk) {
                    *x += i + 1;
                }
            });
            assert!(data.iter().enumerate().all(|(i, &x)| x == i + 1));
        }
    }

    #[test]
    fn every_part_runs_once() {
        for parts in [0, 1, 2, 3, 7, 64] {
            let seen: Vec<AtomicUsize> = (0..parts).map(|_| AtomicUsize::new(0)).collect();
            for_each_part(parts, &|i| {
                seen[i].fetch_add(1, Ordering::Relaxed);
            });
            assert!(seen.iter().all(|s| s.load(Ordering::Relaxed) == 1));
        }
    }

    #[test]
    fn a_panicking_part_is_reraised_after_the_others_finish() {
        let done = AtomicUsize::new(0);
        let result = catch_unwind(AssertUnwindSafe(|| {
            for_each_part(4, &|i| {
                if i == 1 {
                    panic!("part 1 fails");
                }
                done.fetch_add(1, Ordering::Relaxed);
            })
        }));
        assert!(result.is_err());
        assert_eq!(done.load(Ordering::Relaxed), 3);
        // The pool is usable afterwards.
        for_each_part(2, &|_| {
            done.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(done.load(Ordering::Relaxed), 5);
    }
}
