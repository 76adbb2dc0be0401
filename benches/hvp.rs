//! What a Hessian-vector product costs, as a multiple of one gradient.
//!
//! Softmax regression's objective (mean cross-entropy plus `lambda/2 ||W||^2`) on two
//! shapes: digits (1,347 training rows, 64 features, 10 classes) and an MNIST-sized
//! block (2,048 rows, 784 features, 10 classes). For each, on reused tapes:
//!
//! - `gradient`: value and gradient on an `f64` tape (one forward, one reverse sweep);
//! - `hvp`: value, gradient and `H v` on a `Dual<f64>` tape ([`tape::HvpTape`]), the
//!   features put on it as duals;
//! - `solver gradient` and `solver hvp`: the same through [`LinearProblem`], as L-BFGS
//!   and Newton-CG ask for them: block by block (on both cores for the MNIST block),
//!   the features borrowed as reals by the dual tape.
//!
//! Run with `cargo bench --bench hvp`; the ratio of each pair's times is the figure.

use criterion::{criterion_group, criterion_main, Criterion};
use nn::solver::{Differentiable, LinearObjective, LinearProblem, TwiceDifferentiable};
use std::time::Duration;
use tape::{Grads, HvpTape, ScalarFunction, Tape, Tensor};

fn case(c: &mut Criterion, name: &str, n: usize, d: usize, k: usize) {
    let x = Tensor::<f64>::from_fn(&[n, d], |i| ((i * 7919 % 1013) as f64 / 506.0) - 1.0);
    let labels: Vec<usize> = (0..n).map(|i| i * 31 % k).collect();
    let objective = LinearObjective::softmax(&x, &labels, k, 1.0 / n as f64);
    let w = Tensor::from_fn(&[k, d], |i| ((i % 13) as f64 - 6.0) * 0.01);
    let b = Tensor::from_fn(&[k], |i| i as f64 * 0.1);
    let (v, vb) = (
        Tensor::from_fn(&[k, d], |i| ((i % 5) as f64 - 2.0) * 0.1),
        Tensor::ones(&[k]),
    );

    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    let mut tape = Tape::<f64>::new();
    let mut grads = Grads::new();
    group.bench_function("gradient", |bench| {
        bench.iter(|| {
            tape.clear();
            let vars = [tape.var(&w), tape.var(&b)];
            let loss = objective.eval(&tape, &vars);
            tape.backward_into(loss, &mut grads);
            grads.wrt(vars[0])[0]
        })
    });
    let mut hvp_tape = HvpTape::new();
    let (inputs, directions) = ([w.clone(), b.clone()], [v, vb]);
    group.bench_function("hvp", |bench| {
        bench.iter(|| hvp_tape.hvp(&objective, &inputs, &directions).hvp[0].data()[0])
    });
    let mut problem = LinearProblem::new(objective);
    let flat = |parts: &[Tensor<f64>]| -> Vec<f64> {
        parts
            .iter()
            .flat_map(|t| t.data().iter().copied())
            .collect()
    };
    let (point, direction) = (flat(&inputs), flat(&directions));
    let mut out = vec![0.0; point.len()];
    group.bench_function("solver gradient", |bench| {
        bench.iter(|| problem.value_and_grad(&point, &mut out))
    });
    group.bench_function("solver hvp", |bench| {
        bench.iter(|| {
            problem.hvp(&point, &direction, &mut out);
            out[0]
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    case(c, "digits 1347x64x10", 1347, 64, 10);
    case(c, "mnist block 2048x784x10", 2048, 784, 10);
}

criterion_group!(hvp, benches);
criterion_main!(hvp);
