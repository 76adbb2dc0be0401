//! Log-sum-exp on rows with infinite (and NaN) entries, against PyTorch's and SciPy's
//! definition, value and gradient:
//!
//! - a NaN anywhere in a row gives NaN; else a `+inf` entry gives `+inf`; else a row of
//!   `-inf` (or an empty row) gives `-inf`; else `m + ln sum exp(x - m)`, `m` the maximum;
//! - the gradient is PyTorch's `exp(x - logsumexp(x))` times the upstream gradient, NaN
//!   patterns included (`inf - inf` and `-inf - -inf` are NaN).
//!
//! Rows with finite maxima (partly `-inf` ones included) give bit for bit what the plain
//! max-shift formula gives: softmax, log-softmax and cross-entropy are unchanged there.

use nn::functions::logsumexp;
use proptest::collection::vec;
use proptest::prelude::*;
use tape::{Float, Tape, Tensor};

const INF: f64 = f64::INFINITY;

/// log-sum-exp of one row as PyTorch and SciPy define it, computed directly in f64.
fn reference(row: &[f64]) -> f64 {
    if row.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    if row.contains(&INF) {
        return INF;
    }
    let m = row.iter().copied().fold(-INF, f64::max);
    if m == -INF {
        return -INF;
    }
    m + row.iter().map(|&x| (x - m).exp()).sum::<f64>().ln()
}

/// PyTorch's gradient of log-sum-exp: `upstream * exp(x - logsumexp(row))`.
fn reference_gradient(row: &[f64], upstream: f64) -> Vec<f64> {
    let lse = reference(row);
    row.iter().map(|&x| upstream * (x - lse).exp()).collect()
}

/// Equal as IEEE values where either is not finite (NaN matching NaN); otherwise within
/// `tolerance` times `max(1, |want|)`.
fn assert_agrees(got: f64, want: f64, tolerance: f64, what: &str) {
    if !got.is_finite() || !want.is_finite() {
        let same = (got.is_nan() && want.is_nan()) || got == want;
        assert!(same, "{what}: got {got}, want {want}");
    } else {
        assert!(
            (got - want).abs() <= tolerance * want.abs().max(1.0),
            "{what}: got {got:e}, want {want:e}"
        );
    }
}

/// An entry: mostly finite in [-50, 50], often -inf or +inf.
fn entry() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -50.0..50.0f64,
        1 => Just(-INF),
        1 => Just(INF),
    ]
}

/// A `[rows, cols]` matrix of entries, an axis to reduce (0, 1, -1 or -2) and keepdim.
fn case() -> impl Strategy<Value = (usize, usize, Vec<f64>, isize, bool)> {
    (1usize..=6, 1usize..=6).prop_flat_map(|(rows, cols)| {
        (
            Just(rows),
            Just(cols),
            vec(entry(), rows * cols),
            prop_oneof![Just(0isize), Just(1), Just(-1), Just(-2)],
            any::<bool>(),
        )
    })
}

/// The lanes of a row-major `[rows, cols]` matrix along `axis` (0 or 1), as index lists.
fn lanes(rows: usize, cols: usize, axis: usize) -> Vec<Vec<usize>> {
    if axis == 1 {
        (0..rows)
            .map(|r| (0..cols).map(|c| r * cols + c).collect())
            .collect()
    } else {
        (0..cols)
            .map(|c| (0..rows).map(|r| r * cols + c).collect())
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Value and gradient of every lane against PyTorch's definition, with a random
    /// upstream gradient per lane.
    #[test]
    fn infinite_rows_follow_pytorch(
        (rows, cols, data, axis, keepdim) in case(),
        upstream in vec(-2.0..2.0f64, 6),
    ) {
        let resolved = axis.rem_euclid(2) as usize;
        let lanes = lanes(rows, cols, resolved);
        let tape = Tape::<f64>::new();
        let o = tape.var(&Tensor::from_vec(data.clone(), &[rows, cols]));
        let lse = logsumexp(o, axis, keepdim);
        let expected_shape = match (resolved, keepdim) {
            (0, true) => vec![1, cols],
            (0, false) => vec![cols],
            (_, true) => vec![rows, 1],
            (_, false) => vec![rows],
        };
        prop_assert_eq!(&lse.shape()[..], &expected_shape[..]);
        let weights = Tensor::from_vec(upstream[..lanes.len()].to_vec(), &expected_shape);
        let grads = (lse * tape.constant(&weights)).sum().backward();
        let value = lse.value();
        for (l, lane) in lanes.iter().enumerate() {
            let row: Vec<f64> = lane.iter().map(|&i| data[i]).collect();
            assert_agrees(value.data()[l], reference(&row), 1e-14, &format!("lane {l} {row:?}"));
            let want = reference_gradient(&row, upstream[l]);
            for (&i, want) in lane.iter().zip(want) {
                assert_agrees(grads.wrt(o)[i], want, 1e-13, &format!("d/do[{i}] in lane {l} {row:?}"));
            }
        }
    }

    /// Where every maximum is finite (rows may be partly -inf), log-sum-exp is the plain
    /// max-shift formula bit for bit, value and gradient: nothing changes for the rows
    /// softmax and cross-entropy handled before.
    #[test]
    fn finite_maxima_are_unchanged(
        (rows, cols, mut data, _, _) in case(),
    ) {
        // Make every row's maximum finite: replace +inf, and give each row a finite entry.
        for (i, x) in data.iter_mut().enumerate() {
            if *x == INF || i % cols == 0 {
                *x = (i as f64).sin() * 40.0;
            }
        }
        let matrix = Tensor::from_vec(data, &[rows, cols]);
        let tape = Tape::<f64>::new();
        let o = tape.var(&matrix);
        let m = o.max_axis(-1, true).detach();
        let plain = (o - m).exp().sum_axis(-1, true).ln() + m;
        let (by_formula, grad_formula) = (plain.value(), plain.sum().backward().tensor(o));
        let tape = Tape::<f64>::new();
        let o = tape.var(&matrix);
        let lse = logsumexp(o, -1, true);
        let bits = |t: &Tensor<f64>| t.data().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&lse.value()), bits(&by_formula));
        prop_assert_eq!(bits(&lse.sum().backward().tensor(o)), bits(&grad_formula));
    }
}

/// The rows checked against PyTorch 2 (`torch.logsumexp(x, 1)` and its gradient, float64
/// and float32) when this was written.
#[test]
fn the_rows_pytorch_was_asked_about() {
    let nan = f64::NAN;
    let cases: [(&[f64], f64, &[f64]); 8] = [
        (&[-INF, -INF, -INF], -INF, &[nan, nan, nan]),
        (&[1.0, INF, 2.0], INF, &[0.0, nan, 0.0]),
        (&[INF, INF, 1.0], INF, &[nan, nan, 0.0]),
        (&[INF, -INF, 0.0], INF, &[nan, 0.0, 0.0]),
        // A finite entry that exp would overflow on its own still gets gradient 0.
        (&[1000.0, INF], INF, &[0.0, nan]),
        (&[100.0, INF, -INF], INF, &[0.0, nan, 0.0]),
        (
            &[-INF, 0.0, 1.0],
            1.313_261_687_518_222_8,
            &[0.0, 0.268_941_421_369_995_1, 0.731_058_578_630_004_9],
        ),
        (&[nan, 1.0, INF], nan, &[nan, nan, nan]),
    ];
    for (row, value, gradient) in cases {
        check_row::<f64>(row, value, gradient, 1e-15);
        check_row::<f32>(row, value, gradient, 1e-6);
    }
}

fn check_row<T: Float>(row: &[f64], value: f64, gradient: &[f64], tolerance: f64) {
    let tape = Tape::<T>::new();
    let data: Vec<T> = row.iter().map(|&x| T::from_f64(x)).collect();
    let o = tape.var_from_slice(&data, &[1, row.len()]);
    let lse = logsumexp(o, 1, false);
    let what = format!("{row:?} in {}", std::any::type_name::<T>());
    assert_agrees(lse.item().to_f64(), value, tolerance, &what);
    let grads = lse.backward();
    for (g, &want) in grads.wrt(o).iter().zip(gradient) {
        assert_agrees(g.to_f64(), want, tolerance, &what);
    }
}

#[test]
fn an_empty_axis_gives_minus_infinity() {
    let tape = Tape::<f64>::new();
    let o = tape.var(&Tensor::zeros(&[2, 0]));
    assert_eq!(logsumexp(o, -1, false).value().data(), &[-INF, -INF]);
}
