//! Cost of one softmax-regression training step on MNIST-shaped data (batch 100,
//! 784 features, 10 classes, f32): record `cross_entropy(X W^T + b, y) + L2`, sweep
//! backward, update with SGD + momentum. Also the two matrix products inside it, and the
//! work between them alone: cross-entropy's forward and backward on a batch of 256
//! logits (the MNIST epoch's minibatch).
//!
//! Run with `cargo bench --bench training`.

use criterion::{criterion_group, criterion_main, Criterion};
use nn::functions::{cross_entropy, l2_penalty};
use nn::linear::{Init, Linear};
use nn::optim::{Optimizer, Sgd};
use rand::SeedableRng;
use tape::{Grads, Tape, Tensor};

const BATCH: usize = 100;
const FEATURES: usize = 784;
const CLASSES: usize = 10;

fn training_step(crit: &mut Criterion) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let x = Tensor::<f32>::random_uniform(&[BATCH, FEATURES], 0.0, 1.0, &mut rng);
    let labels: Vec<usize> = (0..BATCH).map(|i| i % CLASSES).collect();
    let mut layer = Linear::<f32>::new(FEATURES, CLASSES, Init::small_normal(), 0);
    let mut optimizer = Sgd::with_momentum(0.9);
    let mut tape = Tape::<f32>::new();
    let mut grads = Grads::new();

    crit.bench_function("training step: batch 100 x 784 -> 10 (f32)", |bench| {
        bench.iter(|| {
            tape.clear();
            let params = layer.on_tape(&tape);
            let logits = params.forward(tape.constant_from_slice(x.data(), &[BATCH, FEATURES]));
            let loss = cross_entropy(logits, &labels) + l2_penalty(params.weight, 1e-4);
            tape.backward_into(loss, &mut grads);
            let (dw, db) = (grads.wrt(params.weight), grads.wrt(params.bias));
            optimizer.step(&mut layer.params_mut(), &[dw, db], 0.01);
        })
    });

    let w_t = layer.weight.t();
    crit.bench_function("matmul forward: [100, 784] x [784, 10] (f32)", |bench| {
        bench.iter(|| x.matmul(&w_t))
    });
    let evaluation = Tensor::<f32>::random_uniform(&[10_000, FEATURES], 0.0, 1.0, &mut rng);
    crit.bench_function(
        "matmul evaluation: [10000, 784] x [784, 10] (f32)",
        |bench| bench.iter(|| evaluation.matmul(&w_t)),
    );

    // The loss between the products: `X W^T + b` given, log-sum-exp, the labels' logits,
    // the mean, and the backward sweep down to the logits and the bias.
    let logits = Tensor::<f32>::random_uniform(&[256, CLASSES], -4.0, 4.0, &mut rng);
    let labels: Vec<usize> = (0..256).map(|i| (i * 7) % CLASSES).collect();
    crit.bench_function(
        "cross-entropy: 256 x 10 logits plus a bias, forward and backward (f32)",
        |bench| {
            bench.iter(|| {
                tape.clear();
                let (o, b) = (tape.var(&logits), tape.var(&layer.bias));
                let loss = cross_entropy(o + b, &labels);
                tape.backward_into(loss, &mut grads);
                grads.wrt(o)[0]
            })
        },
    );
}

criterion_group!(benches, training_step);
criterion_main!(benches);
