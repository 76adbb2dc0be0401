//! The optimizers against hand-computed updates, on a quadratic, and their bookkeeping.
//!
//! Each rule is checked on a 2-element parameter `w0 = [1, -2]` with the fixed gradients
//! `[0.5, -1.0]`, `[0.1, 0.2]`, `[-0.3, 0.4]` at learning rate 0.1. The expected values
//! are written out here from the formulas, in plain `f64`, never by calling the code
//! under test; for the SGD family the three-step values are also given as decimals
//! worked out by hand.

use nn::optim::{
    AdaGrad, AdaGradConfig, Adam, AdamConfig, AdamWConfig, Optimizer, OptimizerConfig,
    OptimizerKind, RmsProp, RmsPropConfig, Sgd, SgdConfig,
};
use nn::schedule::Schedule;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tape::{Float, Tape, Tensor};

// ---------------------------------------------------------------------------------------
// Counting allocations of the current thread (tests run on several threads at once).

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_allocation() {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// ---------------------------------------------------------------------------------------
// The fixed problem.

const W0: [f64; 2] = [1.0, -2.0];
const GRADS: [[f64; 2]; 3] = [[0.5, -1.0], [0.1, 0.2], [-0.3, 0.4]];
const ETA: f64 = 0.1;
const TOLERANCE: f64 = 1e-12;

/// `w0` after `steps` updates with the fixed gradients.
fn run(optimizer: &mut dyn Optimizer<f64>, steps: usize) -> [f64; 2] {
    let mut w = Tensor::from_vec(W0.to_vec(), &[2]);
    for g in &GRADS[..steps] {
        optimizer.step(&mut [&mut w], &[g], ETA);
    }
    [w.data()[0], w.data()[1]]
}

#[track_caller]
fn assert_close(actual: [f64; 2], expected: [f64; 2], tolerance: f64) {
    for k in 0..2 {
        assert!(
            (actual[k] - expected[k]).abs() <= tolerance,
            "coordinate {k}: got {}, expected {} (actual {actual:?}, expected {expected:?})",
            actual[k],
            expected[k]
        );
    }
}

// ---------------------------------------------------------------------------------------
// SGD family.

#[test]
fn plain_sgd_one_and_three_steps() {
    // w <- w - eta g
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let w1 = W0[k] - ETA * GRADS[0][k];
        let w2 = w1 - ETA * GRADS[1][k];
        let w3 = w2 - ETA * GRADS[2][k];
        expected[k] = w3;
    }
    assert_close(run(&mut Sgd::new(), 1), [0.95, -1.9], TOLERANCE);
    assert_close(run(&mut Sgd::new(), 3), expected, TOLERANCE);
    // By hand: 1 - 0.1 (0.5 + 0.1 - 0.3) = 0.97; -2 - 0.1 (-1 + 0.2 + 0.4) = -1.96.
    assert_close(expected, [0.97, -1.96], TOLERANCE);
}

#[test]
fn momentum_one_and_three_steps() {
    // b <- mu b + g (b = g on the first step); w <- w - eta b
    let mu = 0.9;
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let b1 = GRADS[0][k];
        let w1 = W0[k] - ETA * b1;
        let b2 = mu * b1 + GRADS[1][k];
        let w2 = w1 - ETA * b2;
        let b3 = mu * b2 + GRADS[2][k];
        let w3 = w2 - ETA * b3;
        expected[k] = w3;
    }
    // The first step equals plain SGD's because b1 = g1.
    assert_close(
        run(&mut Sgd::with_momentum(0.9), 1),
        [0.95, -1.9],
        TOLERANCE,
    );
    assert_close(run(&mut Sgd::with_momentum(0.9), 3), expected, TOLERANCE);
    // By hand: b = 0.5, 0.55, 0.195 and -1, -0.7, -0.23.
    assert_close(expected, [0.8755, -1.807], TOLERANCE);

    let mut sgd = Sgd::with_momentum(0.9);
    run(&mut sgd, 3);
    let buffer = sgd.momentum_buffer(0).unwrap();
    assert_close([buffer[0], buffer[1]], [0.195, -0.23], TOLERANCE);
    assert!(Sgd::<f64>::new().momentum_buffer(0).is_none());
}

#[test]
fn nesterov_one_and_three_steps() {
    // b <- mu b + g (b = g on the first step); w <- w - eta (g + mu b)
    let mu = 0.9;
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let (g1, g2, g3) = (GRADS[0][k], GRADS[1][k], GRADS[2][k]);
        let b1 = g1;
        let w1 = W0[k] - ETA * (g1 + mu * b1);
        let b2 = mu * b1 + g2;
        let w2 = w1 - ETA * (g2 + mu * b2);
        let b3 = mu * b2 + g3;
        let w3 = w2 - ETA * (g3 + mu * b3);
        expected[k] = w3;
    }
    // First step: w - 0.1 * 1.9 g.
    assert_close(run(&mut Sgd::nesterov(0.9), 1), [0.905, -1.81], TOLERANCE);
    assert_close(run(&mut Sgd::nesterov(0.9), 3), expected, TOLERANCE);
    // By hand: directions 0.95, 0.595, -0.1245 and -1.9, -0.43, 0.193.
    assert_close(expected, [0.85795, -1.7863], TOLERANCE);
}

#[test]
fn sgd_with_weight_decay_one_and_three_steps() {
    // g <- g + lambda w; w <- w - eta g
    let lambda = 0.1;
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let w1 = W0[k] - ETA * (GRADS[0][k] + lambda * W0[k]);
        let w2 = w1 - ETA * (GRADS[1][k] + lambda * w1);
        let w3 = w2 - ETA * (GRADS[2][k] + lambda * w2);
        expected[k] = w3;
    }
    let sgd = || Sgd::new().weight_decay(0.1);
    assert_close(run(&mut sgd(), 1), [0.94, -1.88], TOLERANCE);
    assert_close(run(&mut sgd(), 3), expected, TOLERANCE);
    // By hand: decayed gradients 0.6, 0.194, -0.20794 and -1.2, 0.012, 0.21188.
    assert_close(expected, [0.941394, -1.902388], TOLERANCE);
}

#[test]
fn nesterov_with_weight_decay_adds_the_decay_before_the_momentum() {
    // g' = g + lambda w; b <- mu b + g'; w <- w - eta (g' + mu b)
    let (mu, lambda) = (0.5, 0.2);
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let mut w = W0[k];
        let mut b = 0.0;
        for (t, g) in GRADS.iter().enumerate() {
            let g = g[k] + lambda * w;
            b = if t == 0 { g } else { mu * b + g };
            w -= ETA * (g + mu * b);
        }
        expected[k] = w;
    }
    assert_close(
        run(&mut Sgd::nesterov(0.5).weight_decay(0.2), 3),
        expected,
        TOLERANCE,
    );
}

// ---------------------------------------------------------------------------------------
// Adaptive methods.

#[test]
fn adagrad_one_and_three_steps() {
    // G <- G + g^2; w <- w - eta g / (sqrt(G) + eps), eps = 1e-10
    let eps = 1e-10;
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let (g1, g2, g3) = (GRADS[0][k], GRADS[1][k], GRADS[2][k]);
        let big_g1 = g1 * g1;
        let w1 = W0[k] - ETA * g1 / (big_g1.sqrt() + eps);
        let big_g2 = big_g1 + g2 * g2;
        let w2 = w1 - ETA * g2 / (big_g2.sqrt() + eps);
        let big_g3 = big_g2 + g3 * g3;
        let w3 = w2 - ETA * g3 / (big_g3.sqrt() + eps);
        expected[k] = w3;
    }
    // First step: sqrt(G) = |g|, so w - eta sign(g) up to eps.
    assert_close(run(&mut AdaGrad::new(), 1), [0.9, -1.9], 1e-9);
    assert_close(
        run(&mut AdaGrad::new(), 1),
        [1.0 - 0.1 * 0.5 / (0.5 + 1e-10), -2.0 + 0.1 / (1.0 + 1e-10)],
        TOLERANCE,
    );
    assert_close(run(&mut AdaGrad::new(), 3), expected, TOLERANCE);

    let mut adagrad = AdaGrad::new();
    run(&mut adagrad, 3);
    let sum = adagrad.sum_of_squares(0).unwrap();
    assert_close([sum[0], sum[1]], [0.35, 1.2], TOLERANCE);
}

#[test]
fn adagrad_and_rmsprop_weight_decay_is_added_to_the_gradient() {
    let (lambda, rho, eps_rms, eps_ada) = (0.1, 0.99, 1e-8, 1e-10);
    let mut expected_ada = [0.0; 2];
    let mut expected_rms = [0.0; 2];
    for k in 0..2 {
        let (mut w, mut big_g) = (W0[k], 0.0);
        for g in &GRADS {
            let g = g[k] + lambda * w;
            big_g += g * g;
            w -= ETA * g / (f64::sqrt(big_g) + eps_ada);
        }
        expected_ada[k] = w;
        let (mut w, mut s) = (W0[k], 0.0);
        for g in &GRADS {
            let g = g[k] + lambda * w;
            s = rho * s + (1.0 - rho) * g * g;
            w -= ETA * g / (f64::sqrt(s) + eps_rms);
        }
        expected_rms[k] = w;
    }
    assert_close(
        run(&mut AdaGrad::new().weight_decay(0.1), 3),
        expected_ada,
        TOLERANCE,
    );
    assert_close(
        run(&mut RmsProp::new().weight_decay(0.1), 3),
        expected_rms,
        TOLERANCE,
    );
}

#[test]
fn rmsprop_one_and_three_steps() {
    // s <- rho s + (1 - rho) g^2; w <- w - eta g / (sqrt(s) + eps), rho = 0.99, eps = 1e-8
    let (rho, eps) = (0.99, 1e-8);
    let mut expected = [0.0; 2];
    for k in 0..2 {
        let (g1, g2, g3) = (GRADS[0][k], GRADS[1][k], GRADS[2][k]);
        let s1 = (1.0 - rho) * g1 * g1;
        let w1 = W0[k] - ETA * g1 / (s1.sqrt() + eps);
        let s2 = rho * s1 + (1.0 - rho) * g2 * g2;
        let w2 = w1 - ETA * g2 / (s2.sqrt() + eps);
        let s3 = rho * s2 + (1.0 - rho) * g3 * g3;
        let w3 = w2 - ETA * g3 / (s3.sqrt() + eps);
        expected[k] = w3;
    }
    // First step: sqrt(s) = 0.1 |g|, so w - eta sign(g) / 0.1 = w - sign(g).
    assert_close(run(&mut RmsProp::new(), 1), [0.0, -1.0], 1e-6);
    assert_close(run(&mut RmsProp::new(), 3), expected, TOLERANCE);

    // A different rho and eps are used as given.
    let (rho, eps) = (0.5, 1e-3);
    let g = GRADS[0][0];
    let s1 = (1.0 - rho) * g * g;
    let w1 = W0[0] - ETA * g / (s1.sqrt() + eps);
    let w = run(&mut RmsProp::new().rho(0.5).eps(1e-3), 1);
    assert!((w[0] - w1).abs() <= TOLERANCE);
}

/// Adam written out from the formula, with L2 (`decoupled = false`) or decoupled weight
/// decay, on coordinate `k`.
fn adam_by_hand(k: usize, steps: usize, weight_decay: f64, decoupled: bool) -> f64 {
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let (mut w, mut m, mut v) = (W0[k], 0.0, 0.0);
    for (index, g) in GRADS[..steps].iter().enumerate() {
        let t = (index + 1) as i32;
        let mut g = g[k];
        if decoupled {
            w -= ETA * weight_decay * w; // w <- w - eta lambda w
        } else {
            g += weight_decay * w; // g <- g + lambda w
        }
        m = beta1 * m + (1.0 - beta1) * g;
        v = beta2 * v + (1.0 - beta2) * g * g;
        let m_hat = m / (1.0 - beta1.powi(t));
        let v_hat = v / (1.0 - beta2.powi(t));
        w -= ETA * m_hat / (v_hat.sqrt() + eps);
    }
    w
}

#[test]
fn adam_one_and_three_steps() {
    let expected = |steps| [0, 1].map(|k| adam_by_hand(k, steps, 0.0, false));
    // First step: m_hat = g and v_hat = g^2, so w - eta sign(g) up to eps.
    assert_close(run(&mut Adam::new(), 1), [0.9, -1.9], 1e-7);
    assert_close(run(&mut Adam::new(), 1), expected(1), TOLERANCE);
    assert_close(run(&mut Adam::new(), 3), expected(3), TOLERANCE);

    // The moments are the plain exponential averages.
    let mut adam = Adam::new();
    run(&mut adam, 2);
    assert_eq!(adam.step_count(), 2);
    let m = adam.first_moment(0).unwrap();
    let v = adam.second_moment(0).unwrap();
    // m2 = 0.9 * 0.1 g1 + 0.1 g2, v2 = 0.999 * 0.001 g1^2 + 0.001 g2^2
    assert_close(
        [m[0], m[1]],
        [0.09 * 0.5 + 0.1 * 0.1, -0.09 + 0.1 * 0.2],
        TOLERANCE,
    );
    assert_close(
        [v[0], v[1]],
        [
            0.999 * 0.001 * 0.25 + 0.001 * 0.01,
            0.999 * 0.001 + 0.001 * 0.04,
        ],
        TOLERANCE,
    );
}

#[test]
fn adam_with_l2_weight_decay_one_and_three_steps() {
    let expected = |steps| [0, 1].map(|k| adam_by_hand(k, steps, 0.1, false));
    let adam = || Adam::new().weight_decay(0.1);
    assert_close(run(&mut adam(), 1), expected(1), TOLERANCE);
    assert_close(run(&mut adam(), 3), expected(3), TOLERANCE);
    // L2 decay changes the trajectory after the first (sign-like) step.
    assert!((expected(3)[0] - adam_by_hand(0, 3, 0.0, false)).abs() > 1e-4);
}

#[test]
fn adamw_one_and_three_steps() {
    let expected = |steps| [0, 1].map(|k| adam_by_hand(k, steps, 0.01, true));
    // First step: w (1 - 0.1 * 0.01) - 0.1 sign(g).
    assert_close(run(&mut Adam::adamw(), 1), [0.899, -1.898], 1e-7);
    assert_close(run(&mut Adam::adamw(), 1), expected(1), TOLERANCE);
    assert_close(run(&mut Adam::adamw(), 3), expected(3), TOLERANCE);
    let strong = |steps| [0, 1].map(|k| adam_by_hand(k, steps, 0.5, true));
    assert_close(
        run(&mut Adam::adamw().weight_decay(0.5), 3),
        strong(3),
        TOLERANCE,
    );
    // Decoupled and L2 decay differ.
    assert!((strong(3)[0] - adam_by_hand(0, 3, 0.5, false)).abs() > 1e-4);
    assert!(Adam::<f64>::adamw().is_decoupled() && !Adam::<f64>::new().is_decoupled());
}

#[test]
fn adam_betas_and_eps_are_used_as_given() {
    let (beta1, beta2, eps) = (0.5, 0.75, 0.1);
    let (g1, g2) = (GRADS[0][1], GRADS[1][1]);
    let m1 = (1.0 - beta1) * g1;
    let v1 = (1.0 - beta2) * g1 * g1;
    let w1 = W0[1] - ETA * (m1 / (1.0 - beta1)) / ((v1 / (1.0 - beta2)).sqrt() + eps);
    let m2 = beta1 * m1 + (1.0 - beta1) * g2;
    let v2 = beta2 * v1 + (1.0 - beta2) * g2 * g2;
    let w2 = w1 - ETA * (m2 / (1.0 - beta1 * beta1)) / ((v2 / (1.0 - beta2 * beta2)).sqrt() + eps);
    let w = run(&mut Adam::new().betas(0.5, 0.75).eps(0.1), 2);
    assert!((w[1] - w2).abs() <= TOLERANCE, "{} vs {w2}", w[1]);
}

// ---------------------------------------------------------------------------------------
// Minimising a convex quadratic, with the gradient from the tape.

const W_STAR: [f64; 3] = [1.0, -2.0, 3.0];
const B_STAR: f64 = 0.5;

/// `f(w, b) = 0.5 ||w - w*||^2 + 0.5 (b - b*)^2` and its gradient, recorded on a tape.
fn quadratic_gradient<T: Float>(w: &Tensor<T>, b: &Tensor<T>) -> (T, Vec<T>, Vec<T>) {
    let tape = Tape::<T>::new();
    let w_var = tape.var(w);
    let b_var = tape.var(b);
    let w_star = tape.constant(&Tensor::from_vec(W_STAR.map(T::from_f64).to_vec(), &[3]));
    let b_star = tape.constant(&Tensor::from_vec(vec![T::from_f64(B_STAR)], &[1]));
    let dw = w_var - w_star;
    let db = b_var - b_star;
    let half = T::from_f64(0.5);
    let loss = (dw * dw).sum() * half + (db * db).sum() * half;
    let grads = loss.backward();
    (
        loss.item(),
        grads.wrt(w_var).to_vec(),
        grads.wrt(b_var).to_vec(),
    )
}

/// Runs `steps` updates from zero; returns the final `(w, b)` in `f64`.
fn minimise<T: Float>(
    optimizer: &mut dyn Optimizer<T>,
    schedule: &Schedule,
    steps: usize,
) -> Vec<f64> {
    let mut w = Tensor::<T>::zeros(&[3]);
    let mut b = Tensor::<T>::zeros(&[1]);
    for step in 0..steps {
        let (loss, dw, db) = quadratic_gradient(&w, &b);
        assert!(loss.is_finite());
        optimizer.step(
            &mut [&mut w, &mut b],
            &[&dw, &db],
            T::from_f64(schedule.rate(step)),
        );
    }
    w.data()
        .iter()
        .chain(b.data())
        .map(|x| x.to_f64())
        .collect()
}

/// (optimizer, schedule, expected minimiser scale, tolerance in f64)
fn quadratic_cases() -> Vec<(OptimizerConfig, Schedule, f64, f64)> {
    let constant = Schedule::Constant { rate: 0.1 };
    let cosine = Schedule::Cosine {
        initial: 0.1,
        min: 0.0,
        total_steps: 300,
        warmup_steps: 10,
    };
    vec![
        (OptimizerConfig::sgd(), constant.clone(), 1.0, 1e-6),
        (OptimizerConfig::momentum(0.9), constant.clone(), 1.0, 1e-4),
        (OptimizerConfig::nesterov(0.9), constant.clone(), 1.0, 1e-4),
        // L2 decay moves the minimiser of 0.5||w - w*||^2 + 0.5 lambda ||w||^2 to
        // w* / (1 + lambda).
        (
            "sgd:momentum=0.5,weight_decay=0.25".parse().unwrap(),
            constant.clone(),
            1.0 / 1.25,
            1e-6,
        ),
        // Weight decay for AdaGrad and RMSProp too, set in their configs.
        (
            "adagrad:weight_decay=0.25".parse().unwrap(),
            Schedule::Constant { rate: 1.0 },
            1.0 / 1.25,
            1e-3,
        ),
        (
            "rmsprop:weight_decay=0.25".parse().unwrap(),
            cosine.clone(),
            1.0 / 1.25,
            1e-2,
        ),
        (
            OptimizerConfig::adagrad(),
            Schedule::Constant { rate: 1.0 },
            1.0,
            1e-3,
        ),
        (OptimizerConfig::rmsprop(), cosine.clone(), 1.0, 1e-2),
        (OptimizerConfig::adam(), cosine.clone(), 1.0, 1e-2),
        // Decoupled decay is not the gradient of a penalty that Adam's scaling would
        // respect: it settles where lambda w = m_hat / sqrt(v_hat), a point pulled
        // towards zero by about lambda |w| sqrt(v_hat) (~0.02 here; see the test below).
        (OptimizerConfig::adamw(), cosine, 1.0, 3e-2),
    ]
}

#[test]
fn adamw_shrinks_towards_zero_relative_to_adam() {
    let cosine = Schedule::Cosine {
        initial: 0.1,
        min: 0.0,
        total_steps: 300,
        warmup_steps: 10,
    };
    let adam = minimise::<f64>(&mut Adam::new(), &cosine, 300);
    let adamw = minimise::<f64>(&mut Adam::adamw(), &cosine, 300);
    for (a, w) in adam.iter().zip(&adamw) {
        assert!(w.abs() < a.abs(), "adam {adam:?}, adamw {adamw:?}");
    }
}

#[test]
fn every_optimizer_minimises_a_quadratic_in_f64_and_f32() {
    let target: Vec<f64> = W_STAR.iter().copied().chain([B_STAR]).collect();
    for (config, schedule, scale, tolerance) in quadratic_cases() {
        let in_f64 = minimise(config.build::<f64>().as_mut(), &schedule, 300);
        let in_f32 = minimise(config.build::<f32>().as_mut(), &schedule, 300);
        for (result, tolerance, precision) in [
            (&in_f64, tolerance, "f64"),
            (&in_f32, tolerance.max(1e-4), "f32"),
        ] {
            for (got, star) in result.iter().zip(&target) {
                assert!(
                    (got - scale * star).abs() <= tolerance,
                    "{config} in {precision}: got {result:?}, expected {:?} within {tolerance}",
                    target.iter().map(|x| scale * x).collect::<Vec<_>>()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// State: lazily created, allocation-free afterwards, fixed layout, reset.

#[test]
fn steps_after_the_first_allocate_nothing() {
    let optimizers: Vec<Box<dyn Optimizer<f64>>> = vec![
        Box::new(Sgd::new()),
        Box::new(Sgd::nesterov(0.9).weight_decay(0.1)),
        Box::new(AdaGrad::new()),
        Box::new(RmsProp::new()),
        Box::new(Adam::new()),
        Box::new(Adam::adamw()),
    ];
    for mut optimizer in optimizers {
        let mut w = Tensor::from_vec(vec![1.0; 100], &[10, 10]);
        let mut b = Tensor::from_vec(vec![0.0; 10], &[10]);
        let (dw, db) = (vec![0.5; 100], vec![-0.5; 10]);
        optimizer.step(&mut [&mut w, &mut b], &[&dw, &db], 0.1);
        let before = allocations();
        for _ in 0..5 {
            optimizer.step(&mut [&mut w, &mut b], &[&dw, &db], 0.1);
        }
        assert_eq!(allocations(), before, "a step after the first allocated");
    }
}

#[test]
fn reset_forgets_the_state() {
    let mut adam = Adam::new();
    run(&mut adam, 3);
    adam.reset();
    assert_eq!(adam.step_count(), 0);
    assert!(adam.first_moment(0).is_none());
    // After a reset the optimizer behaves like a fresh one ...
    assert_eq!(run(&mut adam, 3), run(&mut Adam::new(), 3));
    // ... and accepts parameters of another layout.
    adam.reset();
    let mut other = Tensor::from_vec(vec![1.0; 5], &[5]);
    adam.step(&mut [&mut other], &[&[1.0; 5]], 0.1);

    for config in OptimizerConfig::names()
        .into_iter()
        .map(|name| name.parse::<OptimizerConfig>().unwrap())
    {
        let mut optimizer = config.build::<f64>();
        let first = run(optimizer.as_mut(), 3);
        optimizer.reset();
        assert_eq!(run(optimizer.as_mut(), 3), first, "{config}");
    }
}

#[test]
#[should_panic(expected = "the first step had 1 parameter tensors, this one has 2")]
fn changing_the_number_of_parameters_panics() {
    let mut adam = Adam::new();
    let mut w = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let mut b = Tensor::from_vec(vec![1.0], &[1]);
    adam.step(&mut [&mut w], &[&[0.1, 0.1]], 0.1);
    adam.step(&mut [&mut w, &mut b], &[&[0.1, 0.1], &[0.1]], 0.1);
}

#[test]
#[should_panic(expected = "parameter 0 had 2 elements on the first step, now 3")]
fn changing_a_parameter_size_panics() {
    let mut sgd = Sgd::new();
    let mut w = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    sgd.step(&mut [&mut w], &[&[0.1, 0.1]], 0.1);
    let mut w = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]);
    sgd.step(&mut [&mut w], &[&[0.1, 0.1, 0.1]], 0.1);
}

#[test]
#[should_panic(expected = "parameter 0 has 2 elements but its gradient has 1")]
fn a_gradient_of_the_wrong_length_panics() {
    let mut w = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    RmsProp::new().step(&mut [&mut w], &[&[0.1]], 0.1);
}

#[test]
#[should_panic(expected = "1 parameter tensors but 2 gradients")]
fn a_missing_parameter_panics() {
    let mut w = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    AdaGrad::new().step(&mut [&mut w], &[&[0.1, 0.1], &[0.1]], 0.1);
}

#[test]
#[should_panic(expected = "Nesterov momentum must be positive")]
fn nesterov_without_momentum_panics() {
    let _ = Sgd::<f64>::nesterov(0.0);
}

// ---------------------------------------------------------------------------------------
// The configuration enum.

#[test]
fn config_names_parse_to_the_defaults() {
    let cases = [
        ("sgd", OptimizerConfig::sgd()),
        ("momentum", OptimizerConfig::momentum(0.9)),
        ("nesterov", OptimizerConfig::nesterov(0.9)),
        (
            "adagrad",
            OptimizerConfig::AdaGrad(AdaGradConfig {
                eps: 1e-10,
                weight_decay: 0.0,
            }),
        ),
        (
            "rmsprop",
            OptimizerConfig::RmsProp(RmsPropConfig {
                rho: 0.99,
                eps: 1e-8,
                weight_decay: 0.0,
            }),
        ),
        (
            "Adam",
            OptimizerConfig::Adam(AdamConfig {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
            }),
        ),
        (
            " adamw ",
            OptimizerConfig::AdamW(AdamWConfig(AdamConfig {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.01,
            })),
        ),
    ];
    for (text, expected) in cases {
        let parsed: OptimizerConfig = text.parse().unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(parsed.name(), text.trim().to_lowercase());
        assert_eq!(parsed.validate(), Ok(()));
    }
    let error = "lbfgs".parse::<OptimizerConfig>().unwrap_err();
    assert!(error.contains("lbfgs"), "{error}");
    for name in OptimizerConfig::names() {
        assert!(error.contains(name), "{error} should list {name}");
    }
}

#[test]
fn config_serializes_with_a_kind_tag_and_round_trips() {
    let json = serde_json::to_string(&OptimizerConfig::adam()).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"adam","beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0.0}"#
    );
    let sgd: OptimizerConfig = serde_json::from_str(
        r#"{"kind":"sgd","momentum":0.9,"nesterov":true,"weight_decay":0.001}"#,
    )
    .unwrap();
    assert_eq!(
        sgd,
        OptimizerConfig::Sgd(SgdConfig {
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.001
        })
    );
    for config in OptimizerConfig::names()
        .into_iter()
        .map(|name| name.parse::<OptimizerConfig>().unwrap())
    {
        let json = serde_json::to_string(&config).unwrap();
        let back: OptimizerConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config, "{json}");
    }
    assert!(json.contains(r#""kind":"adam""#));
    let names: Vec<String> = [
        OptimizerConfig::adagrad(),
        OptimizerConfig::rmsprop(),
        OptimizerConfig::adamw(),
    ]
    .iter()
    .map(|c| {
        serde_json::to_value(c).unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect();
    assert_eq!(names, ["adagrad", "rmsprop", "adamw"]);
    // The snake_case spellings of the variant names are accepted too.
    let adamw: OptimizerConfig = serde_json::from_str(
        r#"{"kind":"adam_w","beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0.01}"#,
    )
    .unwrap();
    assert_eq!(adamw, OptimizerConfig::adamw());
}

#[test]
fn built_optimizers_match_the_structs() {
    let pairs: Vec<(OptimizerConfig, Box<dyn Optimizer<f64>>)> = vec![
        (OptimizerConfig::sgd(), Box::new(Sgd::new())),
        (
            OptimizerConfig::momentum(0.9),
            Box::new(Sgd::with_momentum(0.9)),
        ),
        (OptimizerConfig::nesterov(0.9), Box::new(Sgd::nesterov(0.9))),
        (OptimizerConfig::adagrad(), Box::new(AdaGrad::new())),
        (OptimizerConfig::rmsprop(), Box::new(RmsProp::new())),
        (OptimizerConfig::adam(), Box::new(Adam::new())),
        (OptimizerConfig::adamw(), Box::new(Adam::adamw())),
        (
            OptimizerConfig::Adam(AdamConfig {
                beta1: 0.8,
                beta2: 0.99,
                eps: 1e-6,
                weight_decay: 0.1,
            }),
            Box::new(Adam::new().betas(0.8, 0.99).eps(1e-6).weight_decay(0.1)),
        ),
        (
            "adagrad:eps=0.001,weight_decay=0.2".parse().unwrap(),
            Box::new(AdaGrad::new().eps(1e-3).weight_decay(0.2)),
        ),
        (
            "rmsprop:rho=0.5,weight_decay=0.2".parse().unwrap(),
            Box::new(RmsProp::new().rho(0.5).weight_decay(0.2)),
        ),
        (
            "adamw:weight_decay=0.5".parse().unwrap(),
            Box::new(Adam::adamw().weight_decay(0.5)),
        ),
    ];
    for (config, mut optimizer) in pairs {
        assert_eq!(
            run(config.build::<f64>().as_mut(), 3),
            run(optimizer.as_mut(), 3),
            "{config}"
        );
    }
}

#[test]
fn invalid_configs_are_rejected_with_a_reason() {
    let bad = [
        (
            OptimizerConfig::nesterov(0.0),
            "nesterov: Nesterov momentum must be positive",
        ),
        (
            OptimizerConfig::momentum(-0.5),
            "momentum: momentum must be",
        ),
        (
            OptimizerConfig::RmsProp(RmsPropConfig {
                rho: 1.0,
                ..RmsPropConfig::DEFAULTS
            }),
            "rmsprop: rho must lie in [0, 1), got 1",
        ),
        (
            OptimizerConfig::AdaGrad(AdaGradConfig {
                weight_decay: -1.0,
                ..AdaGradConfig::DEFAULTS
            }),
            "adagrad: weight_decay must be finite and non-negative, got -1",
        ),
        (
            // 0 would divide 0 by 0 for a parameter whose gradient stays 0.
            OptimizerConfig::RmsProp(RmsPropConfig {
                eps: 0.0,
                ..RmsPropConfig::DEFAULTS
            }),
            "rmsprop: eps must be finite and positive, got 0",
        ),
        (
            OptimizerConfig::AdaGrad(AdaGradConfig {
                eps: 0.0,
                ..AdaGradConfig::DEFAULTS
            }),
            "adagrad: eps must be finite and positive, got 0",
        ),
        (
            OptimizerConfig::Adam(AdamConfig {
                eps: 0.0,
                ..AdamConfig::DEFAULTS
            }),
            "adam: eps must be finite and positive, got 0",
        ),
        (
            OptimizerConfig::Adam(AdamConfig {
                beta2: 1.5,
                ..AdamConfig::DEFAULTS
            }),
            "adam: beta2",
        ),
        (
            OptimizerConfig::AdamW(AdamWConfig(AdamConfig {
                eps: f64::NAN,
                ..AdamConfig::DEFAULTS
            })),
            "adamw: eps",
        ),
    ];
    for (config, reason) in bad {
        let error = config.validate().unwrap_err();
        assert!(
            error.starts_with(reason),
            "{error} should start with {reason}"
        );
        let panic = std::panic::catch_unwind(|| config.build::<f32>()).err();
        assert!(panic.is_some(), "{config:?} should not build");
    }
}

/// The message a builder panics with (formatted, so a `String`).
fn panic_message<R: std::fmt::Debug>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("the call should panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

/// The builders, the configs and the parser give one reason for one mistake: each
/// optimizer's check is the only one.
#[test]
fn builders_configs_and_the_parser_share_one_validation() {
    let cases: Vec<(String, OptimizerConfig, String)> = vec![
        (
            panic_message(|| Sgd::<f64>::nesterov(0.0)),
            OptimizerConfig::nesterov(0.0),
            "nesterov:momentum=0,nesterov=true,weight_decay=0".into(),
        ),
        (
            panic_message(|| RmsProp::<f32>::new().rho(1.0)),
            RmsPropConfig {
                rho: 1.0,
                ..RmsPropConfig::DEFAULTS
            }
            .into(),
            "rmsprop:rho=1".into(),
        ),
        (
            panic_message(|| Adam::<f64>::adamw().betas(0.9, -0.1)),
            AdamWConfig(AdamConfig {
                beta2: -0.1,
                ..AdamWConfig::DEFAULTS.0
            })
            .into(),
            "adamw:beta2=-0.1".into(),
        ),
        (
            panic_message(|| AdaGrad::<f64>::new().weight_decay(-2.0)),
            AdaGradConfig {
                weight_decay: -2.0,
                ..AdaGradConfig::DEFAULTS
            }
            .into(),
            "adagrad:weight_decay=-2".into(),
        ),
    ];
    for (panic, config, text) in cases {
        let reason = config.validate().unwrap_err();
        let (_, reason) = reason.split_once(": ").unwrap(); // after the config's name
        assert!(panic.ends_with(reason), "{panic} vs {reason}");
        let parse_error = text.parse::<OptimizerConfig>().unwrap_err();
        assert!(parse_error.ends_with(reason), "{parse_error} vs {reason}");
    }
}

// ---------------------------------------------------------------------------------------
// The registry and the text syntax.

#[test]
fn every_preset_name_parses_to_its_preset() {
    let presets = OptimizerConfig::presets();
    let names = OptimizerConfig::names();
    assert_eq!(
        names,
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
    );
    for preset in &presets {
        assert_eq!(preset.name.parse::<OptimizerConfig>(), Ok(preset.config));
        assert_eq!(preset.config.name(), preset.name);
        assert!(!preset.summary.is_empty());
    }
    // Each optimizer's first preset is its defaults.
    assert_eq!(
        OptimizerConfig::from(SgdConfig::DEFAULTS),
        presets[0].config
    );
    assert_eq!(
        OptimizerConfig::from(AdamWConfig::DEFAULTS),
        presets[6].config
    );
    assert_eq!(AdaGradConfig::PRESETS[0].config, AdaGradConfig::DEFAULTS);
    assert_eq!(RmsPropConfig::PRESETS[0].config, RmsPropConfig::DEFAULTS);
    assert_eq!(AdamConfig::PRESETS[0].config, AdamConfig::DEFAULTS);
}

#[test]
fn hyperparameters_are_set_by_name_after_a_colon() {
    let config: OptimizerConfig = "Adam: beta1 = 0.8, weight_decay=1e-4".parse().unwrap();
    assert_eq!(
        config,
        OptimizerConfig::Adam(AdamConfig {
            beta1: 0.8,
            weight_decay: 1e-4,
            ..AdamConfig::DEFAULTS
        })
    );
    let config: OptimizerConfig = "sgd:momentum=0.5,nesterov=true".parse().unwrap();
    assert_eq!(config, OptimizerConfig::nesterov(0.5));
    assert_eq!(config.name(), "nesterov");

    let errors = [
        (
            "lbfgs",
            "unknown optimizer `lbfgs`; expected one of: sgd, momentum, nesterov",
        ),
        (
            "adam:gamma=1",
            "adam has no hyperparameter `gamma`; it has beta1, beta2, eps, weight_decay",
        ),
        ("adam:kind=sgd", "adam has no hyperparameter `kind`"),
        ("adam:beta1", "`beta1` is not KEY=VALUE"),
        ("adam:beta1=x", "beta1 must be a finite number, got `x`"),
        ("adam:eps=inf", "eps must be a finite number, got `inf`"),
        ("sgd:nesterov=1", "nesterov must be true or false, got `1`"),
        ("adam:beta1=1", "adam: beta1 must lie in [0, 1), got 1"),
        // A key set twice would otherwise keep one of its values unseen.
        (
            "adam:beta1=0.9,beta1=0.8",
            "beta1 is set twice (beta1=0.9, then beta1=0.8); set it once",
        ),
        (
            "sgd:momentum=0.5, nesterov=true ,momentum =0.5",
            "momentum is set twice (momentum=0.5, then momentum=0.5)",
        ),
    ];
    for (text, expected) in errors {
        let error = text.parse::<OptimizerConfig>().unwrap_err();
        assert!(error.starts_with(expected), "{text}: {error}");
    }
}

#[test]
fn display_prints_what_the_parser_reads_back() {
    let mut configs: Vec<OptimizerConfig> = OptimizerConfig::presets()
        .iter()
        .map(|p| p.config)
        .collect();
    configs.extend([
        "adam:beta1=0.8,eps=1e-12,weight_decay=0.0003"
            .parse()
            .unwrap(),
        "rmsprop:weight_decay=0.5".parse().unwrap(),
        OptimizerConfig::momentum(0.95),
    ]);
    for config in configs {
        let text = config.to_string();
        assert_eq!(text.parse::<OptimizerConfig>(), Ok(config), "{text}");
    }
    assert_eq!(
        OptimizerConfig::adam().to_string(),
        "adam:beta1=0.9,beta2=0.999,eps=1e-8,weight_decay=0"
    );
    assert_eq!(
        OptimizerConfig::momentum(0.9).to_string(),
        "momentum:momentum=0.9,nesterov=false,weight_decay=0"
    );
}

/// Configs written before AdaGrad and RMSProp had a weight decay still read, as 0.
#[test]
fn json_without_a_weight_decay_reads_as_none() {
    let adagrad: OptimizerConfig =
        serde_json::from_str(r#"{"kind":"adagrad","eps":1e-10}"#).unwrap();
    assert_eq!(adagrad, OptimizerConfig::adagrad());
    let rmsprop: OptimizerConfig =
        serde_json::from_str(r#"{"kind":"rms_prop","rho":0.9,"eps":1e-8}"#).unwrap();
    assert_eq!(
        rmsprop,
        OptimizerConfig::RmsProp(RmsPropConfig {
            rho: 0.9,
            ..RmsPropConfig::DEFAULTS
        })
    );
}

/// The README's list of optimizers is the registry's.
#[test]
fn the_readme_lists_every_optimizer() {
    let readme = include_str!("../../../README.md");
    let listed = readme
        .split("`--optimizer ")
        .nth(1)
        .and_then(|rest| rest.split(['`', ':']).next())
        .expect("the README names the optimizers after `--optimizer ");
    assert_eq!(listed, OptimizerConfig::names().join("|"));
}
