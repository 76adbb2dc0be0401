//! Large tensors are worked on a block of rows per thread; small ones on one thread. The
//! two must give the same numbers: each row of a large computation is checked, bit for
//! bit, against the same computation on that row alone.

use tape::{Tape, Tensor};

/// `sum_i logsumexp(x_i + b) - max(x_i)` over the rows of `x` ([rows, 3]), with the row
/// vector `b` and a column (the detached row maximum) broadcast against it; the value of
/// each row and the gradients.
fn per_row(x: &Tensor<f64>, b: &Tensor<f64>) -> (Vec<f64>, Tensor<f64>, Tensor<f64>) {
    let tape = Tape::new();
    let (xv, bv) = (tape.var(x), tape.var(b));
    let shifted = xv + bv;
    let m = shifted.max_axis(-1, true).detach();
    let row = ((shifted - m).exp().sum_axis(-1, true).ln() + m - xv.max_axis(-1, true)).tanh();
    let grads = row.sum().backward();
    (row.value().into_vec(), grads.tensor(xv), grads.tensor(bv))
}

#[test]
fn large_elementwise_ops_match_each_row_on_its_own() {
    let rows = 40_000; // 120,000 elements: above the threshold for splitting
    let x = Tensor::from_fn(&[rows, 3], |i| {
        ((i * 7919 % 1000) as f64 / 100.0).sin() * 4.0
    });
    let b = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
    let (values, dx, db) = per_row(&x, &b);
    for r in (0..rows).step_by(997) {
        let one = Tensor::from_vec(x.data()[r * 3..r * 3 + 3].to_vec(), &[1, 3]);
        let (value, dx_row, _) = per_row(&one, &b);
        assert_eq!(value[0].to_bits(), values[r].to_bits(), "row {r}");
        assert_eq!(dx_row.data(), &dx.data()[r * 3..r * 3 + 3], "row {r}");
    }
    // The bias gradient sums over all rows (on one thread).
    assert!(db.data().iter().all(|g| g.is_finite()));
}
