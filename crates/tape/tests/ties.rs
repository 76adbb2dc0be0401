//! The tie rule of `max`, `min`, `max_axis`, `min_axis`, `maximum` and `minimum`: the
//! gradient is split evenly among the elements that attain the extreme (as PyTorch's
//! `amax`, `amin`, `maximum` and `minimum` do). For a tie of two this is what central
//! differences measure, so `gradcheck` passes at ties; for a tie of `k` each element gets
//! `1/k`; permuting the input permutes the gradient; NaN propagates.

use proptest::collection::vec;
use proptest::prelude::*;
use tape::{gradcheck, GradcheckOptions, Tape, Tensor, Var};

fn tensor(data: &[f64], dims: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), dims)
}

/// `n` values pairwise at least 0.1 apart (a shuffled ladder), so only the ties a test
/// makes on purpose exist, and a 1e-6 nudge creates no others.
fn ladder(n: usize) -> impl Strategy<Value = Vec<f64>> {
    Just((0..n).map(|i| i as f64 * 0.1 - 1.0).collect::<Vec<_>>()).prop_shuffle()
}

/// Rows of a `[rows, cols]` matrix (cols >= 2) in which, in every row, the element at a
/// random second position is set equal to the row's extreme: a two-way tie in each lane.
fn rows_with_a_tie(largest: bool) -> impl Strategy<Value = Tensor<f64>> {
    (1usize..=4, 2usize..=4)
        .prop_flat_map(|(rows, cols)| (Just((rows, cols)), ladder(rows * cols), vec(0..cols, rows)))
        .prop_map(move |((rows, cols), mut data, partners)| {
            for (row, &partner) in data.chunks_mut(cols).zip(&partners) {
                let extreme = (0..cols)
                    .reduce(|a, b| if (row[b] > row[a]) == largest { b } else { a })
                    .unwrap();
                // The partner of the extreme: any other position of the row.
                let other = if partner == extreme {
                    (partner + 1) % cols
                } else {
                    partner
                };
                row[other] = row[extreme];
            }
            tensor(&data, &[rows, cols])
        })
}

/// `x.min()` or `x.max()`.
fn extreme<'t>(x: Var<'t, f64>, smallest: bool) -> Var<'t, f64> {
    if smallest {
        x.min()
    } else {
        x.max()
    }
}

fn check_passes<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    gradcheck(f, inputs, &GradcheckOptions::default())
        .map(drop)
        .map_err(|e| TestCaseError::fail(format!("{e} (inputs {inputs:?})")))
}

proptest! {
    /// Two-way ties in every row: `max_axis` and `max` over everything agree with central
    /// differences (each tied element's slope is 1/2).
    #[test]
    fn a_tie_of_two_passes_gradcheck_for_max(x in rows_with_a_tie(true), w in vec(-2.0..2.0f64, 4)) {
        let rows = x.shape()[0];
        let w = tensor(&w[..rows], &[rows]);
        check_passes(|t, v| (v[0].max_axis(-1, false) * t.constant(&w)).sum(), std::slice::from_ref(&x))?;
        // Row 0's tie is a tie of the whole tensor only if row 0 holds the overall max, so
        // check `max` on the first row alone.
        let cols = x.shape()[1];
        let first = tensor(&x.data()[..cols], &[cols]);
        check_passes(|_, v| v[0].max() * 1.5, &[first])?;
    }

    #[test]
    fn a_tie_of_two_passes_gradcheck_for_min(x in rows_with_a_tie(false), w in vec(-2.0..2.0f64, 4)) {
        let rows = x.shape()[0];
        let w = tensor(&w[..rows], &[rows]);
        check_passes(|t, v| (v[0].min_axis(1, true) * t.constant(&w).reshape(&[rows, 1])).sum(), std::slice::from_ref(&x))?;
        let cols = x.shape()[1];
        let first = tensor(&x.data()[..cols], &[cols]);
        check_passes(|_, v| v[0].min() * -0.5, &[first])?;
    }

    /// `maximum(a, b)` and `minimum(a, b)` where some elements of `a` equal those of `b`.
    #[test]
    fn ties_of_maximum_and_minimum_pass_gradcheck(
        (a, b) in (1usize..=8).prop_flat_map(|n| (ladder(n), ladder(n), vec(any::<bool>(), n)))
            .prop_map(|(a, mut b, tie)| {
                for i in 0..a.len() {
                    if tie[i] { b[i] = a[i]; } else { b[i] += 0.05; }
                }
                (tensor(&a, &[a.len()]), tensor(&b, &[b.len()]))
            }),
        w in vec(-2.0..2.0f64, 8),
    ) {
        let n = a.len();
        let w = tensor(&w[..n], &[n]);
        let inputs = [a, b];
        check_passes(|t, v| (v[0].maximum(v[1]) * t.constant(&w)).sum(), &inputs)?;
        check_passes(|t, v| (v[0].minimum(v[1]) * t.constant(&w)).sum(), &inputs)?;
    }

    /// The rule does not depend on where the tied elements sit: permuting the input
    /// permutes the gradient.
    #[test]
    fn permuting_the_input_permutes_the_gradient(
        (values, perm) in vec(0u8..4, 1..10).prop_flat_map(|v| {
            let n = v.len();
            (Just(v), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let x: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
        let permuted: Vec<f64> = perm.iter().map(|&i| x[i]).collect();
        for smallest in [false, true] {
            let tape = Tape::<f64>::new();
            let (a, b) = (tape.var_from_slice(&x, &[x.len()]), tape.var_from_slice(&permuted, &[x.len()]));
            let (ga, gb) = (extreme(a, smallest).backward(), extreme(b, smallest).backward());
            let expected: Vec<f64> = perm.iter().map(|&i| ga.wrt(a)[i]).collect();
            prop_assert_eq!(gb.wrt(b), &expected[..]);
            // The shares add up to the whole gradient.
            prop_assert!((ga.wrt(a).iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
    }
}

#[test]
fn a_tie_of_k_gives_each_one_kth() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&tensor(&[2.0, 5.0, 5.0, 5.0, 1.0, 1.0], &[6]));
    let third = 1.0 / 3.0;
    assert_eq!(
        x.max().backward().wrt(x),
        &[0.0, third, third, third, 0.0, 0.0]
    );
    assert_eq!(x.min().backward().wrt(x), &[0.0, 0.0, 0.0, 0.0, 0.5, 0.5]);

    // Along an axis, each lane splits its own gradient: columns of [[1, 4], [1, 4], [0, 4]].
    let m = tape.var(&tensor(&[1.0, 4.0, 1.0, 4.0, 0.0, 4.0], &[3, 2]));
    let grads = (m.max_axis(0, false) * tape.constant(&tensor(&[3.0, 6.0], &[2])))
        .sum()
        .backward();
    assert_eq!(grads.wrt(m), &[1.5, 2.0, 1.5, 2.0, 0.0, 2.0]);
    let grads = m.min_axis(-1, false).sum().backward();
    assert_eq!(grads.wrt(m), &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);

    // f32 follows the same rule.
    let tape = Tape::<f32>::new();
    let x = tape.var_from_slice(&[7.0, 7.0, 7.0, 7.0], &[4]);
    assert_eq!(x.max().backward().wrt(x), &[0.25; 4]);
}

#[test]
fn maximum_and_minimum_split_a_tie_in_half() {
    let tape = Tape::<f64>::new();
    let a = tape.var(&tensor(&[1.0, 2.0, 3.0], &[3]));
    let b = tape.var(&tensor(&[1.0, 1.0, 3.0], &[3]));
    let grads = a.maximum(b).sum().backward();
    assert_eq!(grads.wrt(a), &[0.5, 1.0, 0.5]); // PyTorch: [0.5, 1.0, 0.5]
    assert_eq!(grads.wrt(b), &[0.5, 0.0, 0.5]); // PyTorch: [0.5, 0.0, 0.5]
    let grads = a.minimum(b).sum().backward();
    assert_eq!(grads.wrt(a), &[0.5, 0.0, 0.5]);
    assert_eq!(grads.wrt(b), &[0.5, 1.0, 0.5]);

    // The scalar lane follows the same rule, and `x.maximum(x)` gives x's whole gradient.
    let x = tape.var_from_slice(&[2.0], &[]);
    assert_eq!(x.maximum(x).backward().item(x), 1.0);
    let y = tape.var_from_slice(&[2.0], &[]);
    let grads = x.minimum(y).backward();
    assert_eq!((grads.item(x), grads.item(y)), (0.5, 0.5));
}

#[test]
fn nan_propagates_and_takes_the_gradient() {
    let nan = f64::NAN;
    let tape = Tape::<f64>::new();
    let x = tape.var(&tensor(&[1.0, nan, 3.0, nan], &[4]));
    for y in [x.max(), x.min()] {
        assert!(y.item().is_nan());
        assert_eq!(y.backward().wrt(x), &[0.0, 0.5, 0.0, 0.5]);
    }
    // Along the last axis (row maxima), a NaN makes its own row NaN and no other.
    let rows = tape.var(&tensor(&[1.0, nan, 3.0, 4.0, -1.0, 2.0], &[2, 3]));
    let maxima = rows.max_axis(-1, false).value();
    assert!(maxima.data()[0].is_nan());
    assert_eq!(maxima.data()[1], 4.0);
    // NaN on either side of maximum/minimum gives NaN, as in PyTorch and NumPy.
    let a = tape.var(&tensor(&[nan, 1.0, 2.0], &[3]));
    let b = tape.var(&tensor(&[1.0, nan, 0.0], &[3]));
    for y in [a.maximum(b), a.minimum(b), b.maximum(a), b.minimum(a)] {
        let values = y.value();
        assert!(values.data()[0].is_nan() && values.data()[1].is_nan());
    }
    let grads = a.maximum(b).sum().backward();
    assert_eq!(grads.wrt(a), &[1.0, 0.0, 1.0]);
    assert_eq!(grads.wrt(b), &[0.0, 1.0, 0.0]);
}
