//! Scalar-lane cost: record and differentiate `f = sum_i tanh(a_i * b_i + c_i)` with
//! 100,000 terms on a reused tape. Each term records mul, add, tanh and one add into the
//! running sum: four ops, plus three leaves.
//!
//! Run with `cargo bench --bench scalar`; ns per op = time / (4 * 100,000). The same bench
//! times the plain `f64` function without a tape: the tape's cost is the ratio of the
//! two (issue 8 asks for at most 6x).

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tape::{Grads, Tape};

const TERMS: usize = 100_000;

fn inputs() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let a = (0..TERMS).map(|i| (i as f64 * 0.37).sin()).collect();
    let b = (0..TERMS).map(|i| (i as f64 * 0.11).cos()).collect();
    let c = (0..TERMS).map(|i| (i % 7) as f64 * 0.1 - 0.3).collect();
    (a, b, c)
}

/// f computed on plain `f64`s, without a tape: the baseline of the tape's overhead.
fn plain(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let mut f = 0.0;
    for i in 0..TERMS {
        f += (a[i] * b[i] + c[i]).tanh();
    }
    f
}

/// Records f on `tape` (forward only); returns f.
fn record(tape: &mut Tape<f64>, a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    tape.clear();
    let mut f = tape.constant_scalar(0.0);
    for i in 0..TERMS {
        let (ai, bi, ci) = (
            tape.var_scalar(a[i]),
            tape.var_scalar(b[i]),
            tape.var_scalar(c[i]),
        );
        f += (ai * bi + ci).tanh();
    }
    f.item()
}

/// Records f on `tape` and sweeps it backward into `grads`; returns f.
fn record_and_differentiate(
    tape: &mut Tape<f64>,
    grads: &mut Grads<f64>,
    a: &[f64],
    b: &[f64],
    c: &[f64],
) -> f64 {
    tape.clear();
    let mut f = tape.constant_scalar(0.0);
    for i in 0..TERMS {
        let (ai, bi, ci) = (
            tape.var_scalar(a[i]),
            tape.var_scalar(b[i]),
            tape.var_scalar(c[i]),
        );
        f += (ai * bi + ci).tanh();
    }
    tape.backward_into(f, grads);
    f.item()
}

fn scalar_tape(crit: &mut Criterion) {
    let (a, b, c) = inputs();
    let mut tape = Tape::<f64>::new();
    let mut grads = Grads::new();
    let mut group = crit.benchmark_group("scalar");
    group.throughput(Throughput::Elements(4 * TERMS as u64));
    group.bench_function("plain f64, no tape, 100k terms", |bench| {
        bench.iter(|| plain(black_box(&a), black_box(&b), black_box(&c)))
    });
    group.bench_function("forward+backward 100k terms (reused tape)", |bench| {
        bench.iter(|| record_and_differentiate(&mut tape, &mut grads, &a, &b, &c))
    });
    group.bench_function("forward only 100k terms (reused tape)", |bench| {
        bench.iter(|| record(&mut tape, &a, &b, &c))
    });
    group.bench_function("forward+backward 100k terms (fresh tape)", |bench| {
        bench.iter_batched(
            || (Tape::<f64>::new(), Grads::new()),
            |(mut tape, mut grads)| record_and_differentiate(&mut tape, &mut grads, &a, &b, &c),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, scalar_tape);
criterion_main!(benches);
