//! A steady-state training step on a reused tape allocates nothing: not the tape, not
//! its matrix products, not the threads that share them.
//!
//! A counting global allocator counts `alloc`, `alloc_zeroed` and `realloc` calls made,
//! while a test has switched counting on, by the test's thread and by the tape's worker
//! threads (the products' parts run there too). The tests of this file take turns through
//! a lock; the test harness's own threads, which may print meanwhile, are not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use tape::{Float, Grads, Tape};

struct CountingAllocator;

/// On while a test counts.
static COUNTING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// True on the thread of the test that counts.
    static COUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
/// Allocations made by any thread while counting.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// One counting test at a time.
static TURN: Mutex<()> = Mutex::new(());

fn count() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let counted = || COUNTED.try_with(|c| c.get()).unwrap_or(false) || tape::parallel::is_worker();
    if COUNTING.load(Ordering::Relaxed) && counted() {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations made by every thread while `f` runs.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    /// Stops counting even if `f` panics, so that the other tests count right.
    struct Counting;
    impl Drop for Counting {
        fn drop(&mut self) {
            COUNTING.store(false, Ordering::SeqCst);
            COUNTED.with(|c| c.set(false));
        }
    }
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTED.with(|c| c.set(true));
    COUNTING.store(true, Ordering::SeqCst);
    let counting = Counting;
    let result = f();
    drop(counting);
    (ALLOCATIONS.load(Ordering::SeqCst), result)
}

/// The parameters and one fixed minibatch of a softmax regression with 4 features,
/// 3 classes and 5 examples.
struct Problem<T> {
    w: Vec<T>, // [3, 4]
    b: Vec<T>, // [3]
    x: Vec<T>, // [5, 4]
    labels: [usize; 5],
}

impl<T: Float> Problem<T> {
    fn new() -> Self {
        let f = |n: usize, scale: f64| -> Vec<T> {
            (0..n)
                .map(|i| T::from_f64((i as f64 * 0.77 + 0.3).sin() * scale))
                .collect()
        };
        Problem {
            w: f(12, 0.1),
            b: vec![T::ZERO; 3],
            x: f(20, 1.0),
            labels: [0, 2, 1, 2, 0],
        }
    }

    /// One step: record the loss, backward into the reused `grads`, read the gradients,
    /// and update the parameters by SGD. Returns the loss.
    fn step(&mut self, tape: &mut Tape<T>, grads: &mut Grads<T>, lr: T, gemm: bool) -> T {
        tape.clear();
        let w = tape.var_from_slice(&self.w, &[3, 4]);
        let b = tape.var_from_slice(&self.b, &[3]);
        let x = tape.constant_from_slice(&self.x, &[5, 4]);
        let logits = if gemm {
            x.matmul(w.t()) + b // [5, 3]
        } else {
            // The same product without GEMM: [5, 1, 4] * [3, 4] summed over the features.
            (x.reshape(&[5, 1, 4]) * w).sum_axis(-1, false) + b
        };
        let m = logits.max_axis(-1, true).detach(); // [5, 1]
        let logsumexp = (logits - m).exp().sum_axis(-1, true).ln() + m;
        let log_probs = logits - logsumexp;
        let loss = -log_probs.pick(&self.labels).mean();
        tape.backward_into(loss, grads);
        for (p, &g) in self.w.iter_mut().zip(grads.wrt(w)) {
            *p -= lr * g;
        }
        for (p, &g) in self.b.iter_mut().zip(grads.wrt(b)) {
            *p -= lr * g;
        }
        loss.item()
    }
}

/// Warms up a reused tape and `Grads` with 3 steps, then returns the allocations of one
/// more step and of the 100 after it.
fn steady_state_allocations<T: Float>(gemm: bool) -> (usize, usize) {
    let mut problem = Problem::<T>::new();
    let mut tape = Tape::<T>::new();
    let mut grads = Grads::new();
    let lr = T::from_f64(0.5);
    let first_loss = problem.step(&mut tape, &mut grads, lr, gemm);
    for _ in 0..2 {
        problem.step(&mut tape, &mut grads, lr, gemm);
    }
    let capacity = tape.capacity();
    let (one, _) = allocations_during(|| problem.step(&mut tape, &mut grads, lr, gemm));
    let (hundred, last_loss) = allocations_during(|| {
        let mut loss = T::ZERO;
        for _ in 0..100 {
            loss = problem.step(&mut tape, &mut grads, lr, gemm);
        }
        loss
    });
    assert_eq!(tape.capacity(), capacity, "the tape grew after warm-up");
    // The steps did train: the loss went down from about ln 3.
    assert!(
        last_loss < first_loss * T::from_f64(0.9),
        "loss {first_loss} -> {last_loss}"
    );
    (one, hundred)
}

/// The counter works: a fresh tape, a `value()` copy, a new `Grads` all allocate.
fn assert_the_counter_counts() {
    let (allocations, _) = allocations_during(|| {
        let tape = Tape::<f64>::new();
        let x = tape.var_from_slice(&[1.0, 2.0], &[2]);
        let grads = (x * x).sum().backward();
        (x.value(), grads.tensor(x))
    });
    assert!(allocations >= 4, "the counter saw only {allocations}");
}

/// Everything the tape owns (arena, node list, index side data, `Grads`, shapes,
/// broadcasting, reductions, pick, detach) runs allocation-free once warm.
#[test]
fn a_steady_state_step_without_matmul_allocates_nothing() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    assert_the_counter_counts();
    assert_eq!(steady_state_allocations::<f32>(false), (0, 0), "f32");
    assert_eq!(steady_state_allocations::<f64>(false), (0, 0), "f64");
}

/// With `matmul` too: the small-side kernels read the batch in place and keep their
/// scratch buffers per thread, so the products allocate nothing either.
#[test]
fn a_steady_state_step_with_matmul_allocates_nothing() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    assert_the_counter_counts();
    assert_eq!(steady_state_allocations::<f32>(true), (0, 0), "f32");
    assert_eq!(steady_state_allocations::<f64>(true), (0, 0), "f64");
}

/// An MNIST-shaped step (a batch of 256 of 784 features read in place from a larger data
/// set, 10 classes): its two products are large enough to be split over the worker
/// threads, which must allocate nothing either once started.
#[test]
fn a_steady_state_step_on_both_cores_allocates_nothing() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    const ROWS: usize = 2048;
    const FEATURES: usize = 784;
    const CLASSES: usize = 10;
    const BATCH: usize = 256;
    // Faint noise, and one bright pixel per class: a learnable problem.
    let labels: Vec<usize> = (0..ROWS).map(|i| i * 7 % CLASSES).collect();
    let mut data: Vec<f32> = (0..ROWS * FEATURES)
        .map(|i| ((i * 37 % 255) as f32) / 2550.0)
        .collect();
    for (row, &label) in labels.iter().enumerate() {
        data[row * FEATURES + label * 50] = 1.0;
    }
    let mut w = vec![0.0f32; CLASSES * FEATURES];
    let mut b = vec![0.0f32; CLASSES];
    let mut tape = Tape::<f32>::new();
    let mut grads = Grads::new();
    let mut batch_labels = Vec::with_capacity(BATCH);
    let mut step = |epoch: usize, tape: &mut Tape<f32>, grads: &mut Grads<f32>| {
        let first = (epoch * BATCH) % (ROWS - BATCH);
        let batch: [usize; BATCH] = std::array::from_fn(|i| (first + i * 5) % ROWS);
        batch_labels.clear();
        batch_labels.extend(batch.iter().map(|&r| labels[r]));
        tape.clear();
        let wv = tape.var_from_slice(&w, &[CLASSES, FEATURES]);
        let bv = tape.var_from_slice(&b, &[CLASSES]);
        let x = tape.constant_rows(&data, FEATURES, &batch);
        let logits = x.matmul(wv.t()) + bv;
        let m = logits.max_axis(-1, true).detach();
        let logsumexp = (logits - m).exp().sum_axis(-1, true).ln() + m;
        let loss = (logsumexp.reshape(&[BATCH]) - logits.pick(&batch_labels)).mean();
        tape.backward_into(loss, grads);
        w.iter_mut()
            .zip(grads.wrt(wv))
            .for_each(|(p, &g)| *p -= 0.5 * g);
        b.iter_mut()
            .zip(grads.wrt(bv))
            .for_each(|(p, &g)| *p -= 0.5 * g);
        loss.item()
    };
    let first_loss = step(0, &mut tape, &mut grads);
    for epoch in 1..3 {
        step(epoch, &mut tape, &mut grads);
    }
    let (allocations, last_loss) = allocations_during(|| {
        let mut loss = 0.0;
        for epoch in 3..23 {
            loss = step(epoch, &mut tape, &mut grads);
        }
        loss
    });
    assert_eq!(allocations, 0, "20 steps allocated");
    // The steps did train: the loss went down from ln 10.
    assert!(
        last_loss.is_finite() && last_loss < first_loss,
        "loss {first_loss} -> {last_loss}"
    );
}
