//! Softmax regression on the full MNIST (60,000 x 784 -> 10, f32), written as a library
//! user writes it: clear the tape, record the parameters and a batch, record the
//! cross-entropy, sweep backward, let plain SGD (learning rate 0.1) move the parameters.
//!
//! - `epoch`: one pass over shuffled minibatches of 256 (235 steps).
//! - `full-batch step`: one step on all 60,000 images.
//! - `epoch floor`: no training, only reading each row of the same shuffled minibatches
//!   once, split over the cores as the products split them. An epoch must read its 188 MB
//!   of pixels from memory (they do not fit in cache), so no epoch can be faster than
//!   this on the machine that runs it.
//! - `epoch products alone`: no tape, only the two matrix products of each step on the
//!   same minibatches: `X Wᵀ` (which reads the batch from memory) and the weight
//!   gradient `dOᵀ X` (which reads it again, from cache). A tape that runs each op as it
//!   is recorded needs both: `dO` exists only once the whole loss has been recorded. No
//!   epoch through such a tape, with these kernels, can be faster.
//! - `multiply-add peak`: no data at all, only the weight gradient's multiply-adds for an
//!   epoch (60,000 x 784 x 10), on values held in registers, split over the cores. On a
//!   tape that runs each op as it is recorded the weight gradient can start only once the
//!   batch has been read for the forward, so no such epoch can be faster than the floor
//!   plus this.
//!
//! `scripts/compare_pytorch.py` times PyTorch on the same work and prints the ratios.
//! Run with `cargo bench --bench mnist`.

use criterion::{criterion_group, criterion_main, Criterion};
use nn::functions::cross_entropy;
use nn::linear::{Init, Linear};
use nn::optim::{Optimizer, Sgd};
use nn::sampling::{BatchSampler, Sampling};
use std::time::Duration;
use tape::{Float, Grads, MatRef, Tape};

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

/// Sums the rows `rows` of `x`, split over the tape's threads as a product splits them:
/// the least work that still reads every element of the minibatch, in vectors as wide
/// as the products' (a narrower loop keeps fewer cache lines in flight, and would make
/// the floor look lower than it is).
fn read_rows(x: &[f32], d: usize, rows: &[usize]) -> f32 {
    let parts = tape::parallel::threads().min(rows.len()).max(1);
    let sums: Vec<std::sync::Mutex<f32>> = (0..parts).map(|_| Default::default()).collect();
    tape::parallel::for_each_part(parts, &|part| {
        let mine = &rows[rows.len() * part / parts..rows.len() * (part + 1) / parts];
        *sums[part].lock().unwrap() = sum_rows(x, d, mine);
    });
    sums.into_iter().map(|s| s.into_inner().unwrap()).sum()
}

/// The sum of the rows `rows` of `x`, with the widest vectors this processor has.
fn sum_rows(x: &[f32], d: usize, rows: &[usize]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512f") {
        // SAFETY: the processor has AVX-512, just checked.
        return unsafe { sum_rows_avx512(x, d, rows) };
    }
    sum_rows_lanes(x, d, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sum_rows_avx512(x: &[f32], d: usize, rows: &[usize]) -> f32 {
    sum_rows_lanes(x, d, rows)
}

/// Independent lanes, so that the sum is a vector loop bound by the loads rather than a
/// chain of dependent additions.
#[inline(always)]
fn sum_rows_lanes(x: &[f32], d: usize, rows: &[usize]) -> f32 {
    const LANES: usize = 16;
    let mut lanes = [0.0f32; LANES];
    for &row in rows {
        for chunk in x[row * d..(row + 1) * d].chunks_exact(LANES) {
            lanes.iter_mut().zip(chunk).for_each(|(s, v)| *s += v);
        }
    }
    lanes.iter().sum()
}

/// Runs `count` vector multiply-adds of the widest vectors this processor has, on values
/// held in registers, split over the tape's threads: the arithmetic of `count` vectors'
/// worth of a product at the machine's peak, with no memory traffic at all.
fn multiply_adds(count: usize) -> f32 {
    let parts = tape::parallel::threads();
    let sums: Vec<std::sync::Mutex<f32>> = (0..parts).map(|_| Default::default()).collect();
    tape::parallel::for_each_part(parts, &|part| {
        let mine = count * (part + 1) / parts - count * part / parts;
        *sums[part].lock().unwrap() = multiply_add_chains(mine);
    });
    sums.into_iter().map(|s| s.into_inner().unwrap()).sum()
}

/// The multiply-adds of `count` vectors of 16 `f32`, with the widest vectors this
/// processor has (AVX-512, or twice as many with AVX2 and FMA), in twelve independent
/// chains: enough to keep every multiply-add unit busy however long each one takes (its
/// latency times the units). Elsewhere the portable loop gives a lower figure, and floor
/// plus that is then no bound.
fn multiply_add_chains(count: usize) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512, just checked.
            return unsafe { multiply_add_chains_avx512(count) };
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: the processor has AVX2 and FMA, just checked.
            return unsafe { multiply_add_chains_avx2(2 * count) };
        }
    }
    let mut acc = [[1.0f32; 16]; CHAINS];
    for _ in 0..count / CHAINS {
        for chain in acc.iter_mut() {
            chain.iter_mut().for_each(|a| *a = *a * SCALE + SHIFT);
        }
    }
    acc.iter().flatten().sum()
}

const CHAINS: usize = 12;
const SCALE: f32 = 0.999_999;
const SHIFT: f32 = 1e-7;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn multiply_add_chains_avx512(count: usize) -> f32 {
    use std::arch::x86_64::*;
    let mut acc = [_mm512_set1_ps(1.0); CHAINS];
    let (scale, shift) = (_mm512_set1_ps(SCALE), _mm512_set1_ps(SHIFT));
    for _ in 0..count / CHAINS {
        for chain in acc.iter_mut() {
            *chain = _mm512_fmadd_ps(*chain, scale, shift);
        }
        // An empty barrier, so that the rounds are not folded together.
        std::arch::asm!("", options(nomem, nostack, preserves_flags));
    }
    acc.iter().map(|&v| _mm512_reduce_add_ps(v)).sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn multiply_add_chains_avx2(count: usize) -> f32 {
    use std::arch::x86_64::*;
    let mut acc = [_mm256_set1_ps(1.0); CHAINS];
    let (scale, shift) = (_mm256_set1_ps(SCALE), _mm256_set1_ps(SHIFT));
    for _ in 0..count / CHAINS {
        for chain in acc.iter_mut() {
            *chain = _mm256_fmadd_ps(*chain, scale, shift);
        }
        std::arch::asm!("", options(nomem, nostack, preserves_flags));
    }
    let mut lanes = [0.0f32; 8];
    acc.iter().fold(0.0, |total, &v| {
        _mm256_storeu_ps(lanes.as_mut_ptr(), v);
        total + lanes.iter().sum::<f32>()
    })
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
    group.bench_function("epoch floor (read each row once)", |bench| {
        bench.iter(|| {
            let mut total = 0.0;
            for rows in sampler.next_epoch() {
                total += read_rows(x, d, rows);
            }
            total
        })
    });
    let (k, w) = (train.n_classes(), layer.weight.data().to_vec());
    let (mut logits, mut dw) = (vec![0.0f32; 256 * k], vec![0.0f32; k * d]);
    // Any output gradient will do: the products' time does not depend on the values.
    let d_logits: Vec<f32> = (0..256 * k).map(|i| (i % 7) as f32 * 0.01 - 0.03).collect();
    group.bench_function("epoch products alone (no tape)", |bench| {
        bench.iter(|| {
            for rows in sampler.next_epoch() {
                let batch = MatRef::gathered(x, d, rows);
                f32::matmul(batch, MatRef::row_major(&w, k, d).t(), &mut logits, false);
                let d_logits = MatRef::row_major(&d_logits[..rows.len() * k], rows.len(), k);
                f32::matmul(d_logits.t(), batch, &mut dw, false);
            }
            logits[0] + dw[0]
        })
    });
    // An epoch's weight gradients: y.len() rows of d pixels times k classes, 16 lanes a
    // vector.
    let vectors = y.len() * d * k / 16;
    group.bench_function(
        "multiply-add peak (the weight gradient's, in registers)",
        |bench| bench.iter(|| multiply_adds(vectors)),
    );
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
