//! Softmax regression on the full MNIST (60,000 x 784 -> 10, f32), written as a library
//! user writes it: clear the tape, record the parameters and a batch, record the
//! cross-entropy, sweep backward, let plain SGD (learning rate 0.1) move the parameters.
//!
//! - `epoch`: one pass over shuffled minibatches of 256 (235 steps).
//! - `full-batch step`: one step on all 60,000 images.
//!
//! `scripts/compare_pytorch.py` times PyTorch on the same work and prints the ratios.
//! Run with `cargo bench --bench mnist`.

use criterion::{criterion_group, criterion_main, Criterion};
use nn::functions::cross_entropy;
use nn::linear::{Init, Linear};
use nn::optim::{Optimizer, Sgd};
use nn::sampling::{BatchSampler, Sampling};
use std::time::Duration;
use tape::{Grads, Tape};

const LEARNING_RATE: f32 = 0.1;

/// One step of plain SGD on the examples `rows` of `x` (row-major, `d` columns).
fn step(
    tape: &mut Tape<f32>,
    grads: &mut Grads<f32>,
    layer: &mut Linear<f32>,
    optimizer: &mut Sgd<f32>,
    (x, d): (&[f32], usize),
    rows: &[usize],
    labels: &[usize],
) {
    tape.clear();
    let params = layer.on_tape(tape);
    let batch = tape.constant_rows(x, d, rows);
    let loss = cross_entropy(params.forward(batch), labels);
    tape.backward_into(loss, grads);
    let (dw, db) = (grads.wrt(params.weight), grads.wrt(params.bias));
    optimizer.step(&mut layer.params_mut(), &[dw, db], LEARNING_RATE);
}

fn mnist(crit: &mut Criterion) {
    let dir = data::bundled::mnist_dir().expect("the full MNIST in data/mnist");
    let train = data::read_mnist_dir(dir).expect("MNIST reads").train;
    let (x, d, y) = (train.features(), train.n_features(), train.labels());
    let mut layer = Linear::<f32>::new(d, train.n_classes(), Init::Zeros, 0);
    let mut optimizer = Sgd::new();
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let mut labels = Vec::new();

    let mut group = crit.benchmark_group("mnist");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    let mut sampler = BatchSampler::new(Sampling::Minibatch { batch_size: 256 }, y.len(), 0);
    group.bench_function("epoch (batch 256, plain SGD)", |bench| {
        bench.iter(|| {
            for rows in sampler.next_epoch() {
                labels.clear();
                labels.extend(rows.iter().map(|&row| y[row]));
                let data = (x, d);
                step(
                    &mut tape,
                    &mut grads,
                    &mut layer,
                    &mut optimizer,
                    data,
                    rows,
                    &labels,
                );
            }
        })
    });
    let all: Vec<usize> = (0..y.len()).collect();
    group.bench_function("full-batch step (60,000 images)", |bench| {
        bench.iter(|| {
            step(
                &mut tape,
                &mut grads,
                &mut layer,
                &mut optimizer,
                (x, d),
                &all,
                y,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, mnist);
criterion_main!(benches);
