//! The products of softmax regression on MNIST shapes (f32, 784 features, 10 classes):
//! the project's small-side kernels (`Float::matmul`) against the `matrixmultiply` GEMM
//! (`Float::gemm`) on the same operands, for a minibatch of 256 gathered rows and for all
//! 60,000 rows.
//!
//! Run with `cargo bench -p tape --bench matmul`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tape::{Float, MatRef, MatrixLayout};

const FEATURES: usize = 784;
const CLASSES: usize = 10;
const ROWS: usize = 60_000;

fn products(crit: &mut Criterion) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let x: Vec<f32> = (0..ROWS * FEATURES).map(|_| rng.random()).collect();
    let w: Vec<f32> = (0..CLASSES * FEATURES)
        .map(|_| rng.random::<f32>() - 0.5)
        .collect();
    let mut order: Vec<usize> = (0..ROWS).collect();
    order.shuffle(&mut rng);

    for (name, rows) in [
        ("batch 256, gathered", &order[..256]),
        ("all 60,000", &order[..]),
    ] {
        let n = rows.len();
        let full: Vec<usize> = (0..n).collect();
        let rows: &[usize] = if n == ROWS { &full } else { rows };
        let batch = MatRef::gathered(&x, FEATURES, rows);
        let dlogits: Vec<f32> = (0..n * CLASSES).map(|i| (i % 7) as f32 * 0.01).collect();
        let mut logits = vec![0.0f32; n * CLASSES];
        let mut dw = vec![0.0f32; CLASSES * FEATURES];

        let mut group = crit.benchmark_group(format!("matmul {name}"));
        group.sample_size(20);
        group.throughput(Throughput::Bytes((n * FEATURES * 4) as u64));
        group.bench_function("logits X W^T: kernel", |b| {
            b.iter(|| {
                f32::matmul(
                    batch,
                    MatRef::row_major(&w, CLASSES, FEATURES).t(),
                    &mut logits,
                    false,
                )
            })
        });
        group.bench_function("weight gradient dO^T X: kernel", |b| {
            b.iter(|| {
                f32::matmul(
                    MatRef::row_major(&dlogits, n, CLASSES).t(),
                    batch,
                    &mut dw,
                    false,
                )
            })
        });
        // The GEMM crate on the same products, given contiguous rows (a gathered batch
        // would first be copied, which is not counted here).
        let mut contiguous = Vec::new();
        batch.to_row_major(&mut contiguous);
        group.bench_function("logits X W^T: matrixmultiply", |b| {
            b.iter(|| {
                f32::gemm(
                    n,
                    FEATURES,
                    CLASSES,
                    &contiguous,
                    MatrixLayout::row_major(FEATURES),
                    &w,
                    MatrixLayout::transposed(FEATURES),
                    &mut logits,
                    false,
                )
            })
        });
        group.bench_function("weight gradient dO^T X: matrixmultiply", |b| {
            b.iter(|| {
                f32::gemm(
                    CLASSES,
                    n,
                    FEATURES,
                    &dlogits,
                    MatrixLayout::transposed(CLASSES),
                    &contiguous,
                    MatrixLayout::row_major(FEATURES),
                    &mut dw,
                    false,
                )
            })
        });
        group.finish();
    }
}

criterion_group!(benches, products);
criterion_main!(benches);
