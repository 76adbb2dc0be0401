//! A steady-state training step on a reused tape allocates nothing of its own.
//!
//! A counting global allocator counts `alloc`, `alloc_zeroed` and `realloc` calls in a
//! per-thread counter that is only live while a test has switched it on, so the test
//! harness's other threads (and the other test of this file) cannot disturb a count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tape::{Float, Grads, Tape};

struct CountingAllocator;

thread_local! {
    /// Allocations made by this thread while counting; `None` while not counting.
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get().map(|n| n + 1)));
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

/// Allocations made by this thread while `f` runs.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    ALLOCATIONS.with(|n| n.set(Some(0)));
    let result = f();
    let n = ALLOCATIONS
        .with(|n| n.replace(None))
        .expect("counting was on");
    (n, result)
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
fn a_steady_state_step_without_gemm_allocates_nothing() {
    assert_the_counter_counts();
    assert_eq!(steady_state_allocations::<f32>(false), (0, 0), "f32");
    assert_eq!(steady_state_allocations::<f64>(false), (0, 0), "f64");
}

/// With `matmul` the step is the same, but `matrixmultiply` allocates its packing buffer
/// on every GEMM call (`gemm_loop` -> `make_packing_buffer`), so the best the tape can do
/// is: no allocation of its own, and a count that does not grow from step to step. The
/// step runs 2 GEMMs: `X W^T` forward and `dW` backward (X is a constant: no `dX`).
#[test]
fn a_steady_state_step_with_gemm_allocates_only_gemm_buffers() {
    assert_the_counter_counts();
    const GEMM_CALLS_PER_STEP: usize = 2;
    for (name, (one, hundred)) in [
        ("f32", steady_state_allocations::<f32>(true)),
        ("f64", steady_state_allocations::<f64>(true)),
    ] {
        assert!(
            one <= GEMM_CALLS_PER_STEP,
            "{name}: {one} allocations in one step"
        );
        assert_eq!(
            hundred,
            100 * one,
            "{name}: the count changes from step to step"
        );
    }
}
