//! The tape's gradients of the composed losses against their closed forms, in f64:
//! `dL/do = (softmax(o) - onehot(y)) / n`, through `Linear` `dL/dW = (P - Y)^T X / n`,
//! and for the squared loss `dL/dy_hat = (y_hat - y) / n`, `dL/dw = X^T (y_hat - y) / n`.

use nn::functions::{cross_entropy, cross_entropy_with_probs, softmax, squared_loss};
use nn::linear::Linear;
use proptest::prelude::*;
use tape::{Tape, Tensor};

/// Softmax of each row, computed directly in f64 with the max shift (the reference).
fn reference_softmax(o: &[f64], k: usize) -> Vec<f64> {
    o.chunks(k)
        .flat_map(|row| {
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = row.iter().map(|&v| (v - m).exp()).collect();
            let s: f64 = e.iter().sum();
            e.into_iter().map(move |v| v / s)
        })
        .collect()
}

/// The closed form `(p_ij - y_ij) / n` next to its conditioning scale `(p_ij + y_ij) / n`.
fn closed_form(o: &[f64], labels: &[usize], k: usize) -> Vec<(f64, f64)> {
    let n = labels.len() as f64;
    let p = reference_softmax(o, k);
    p.iter()
        .enumerate()
        .map(|(idx, &pj)| {
            let y = if labels[idx / k] == idx % k { 1.0 } else { 0.0 };
            ((pj - y) / n, (pj + y) / n)
        })
        .collect()
}

/// Relative agreement to `1e-10`. The closed form is a difference `p - y`; where `p` is
/// near 1 and `y = 1`, any two correct evaluations differ by a few ulps *of the terms*,
/// so the error is measured relative to the terms' scale `(p + y) / n`, which is the
/// honest conditioning of the subtraction (and equals `|p - y| / n` wherever `y = 0`).
///
/// Below `f64::MIN_POSITIVE` (probabilities like `e^-740`) numbers are subnormal, spaced
/// `SUBNORMAL_ULP` apart with fewer significant bits than 1e-10 needs, so there the
/// bound is a few of those spacings instead.
fn assert_matches_closed_form(tape_grad: &[f64], expected: &[(f64, f64)]) {
    const SUBNORMAL_ULP: f64 = f64::from_bits(1); // 4.94e-324
    for (j, (&g, &(want, scale))) in tape_grad.iter().zip(expected).enumerate() {
        let error = (g - want).abs();
        assert!(
            error <= 1e-10 * scale || error <= 4.0 * SUBNORMAL_ULP,
            "element {j}: tape {g:e}, closed form {want:e}, relative error {:e}",
            error / scale
        );
    }
}

fn logits_and_labels(
    max_n: usize,
    range: f64,
) -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<usize>)> {
    (1..=max_n, 2usize..=20).prop_flat_map(move |(n, k)| {
        (
            Just(n),
            Just(k),
            prop::collection::vec(-range..range, n * k),
            prop::collection::vec(0..k, n),
        )
    })
}

proptest! {
    #[test]
    fn cross_entropy_gradient_is_softmax_minus_onehot_over_n((n, k, o, labels) in logits_and_labels(64, 50.0)) {
        let tape = Tape::<f64>::new();
        let logits = tape.var(&Tensor::from_vec(o.clone(), &[n, k]));
        let loss = cross_entropy(logits, &labels);
        prop_assert!(loss.item().is_finite());
        let grads = loss.backward();
        assert_matches_closed_form(grads.wrt(logits), &closed_form(&o, &labels, k));
    }

    #[test]
    fn probability_targets_give_the_same_gradient((n, k, o, labels) in logits_and_labels(32, 50.0)) {
        let tape = Tape::<f64>::new();
        let logits = tape.var(&Tensor::from_vec(o.clone(), &[n, k]));
        let y = tape.one_hot(&labels, k);
        let loss = cross_entropy_with_probs(logits, y);
        let grads = loss.backward();
        assert_matches_closed_form(grads.wrt(logits), &closed_form(&o, &labels, k));
        let by_labels = cross_entropy(logits, &labels).item();
        prop_assert!((loss.item() - by_labels).abs() <= 1e-12 * by_labels.abs().max(1.0));
    }

    #[test]
    fn through_linear_dw_is_p_minus_y_transposed_x_over_n(
        (n, d, k, x, w, labels) in (1usize..=32, 1usize..=8, 2usize..=10).prop_flat_map(|(n, d, k)| (
            Just(n), Just(d), Just(k),
            prop::collection::vec(-3.0..3.0f64, n * d),
            prop::collection::vec(-2.0..2.0f64, k * d + k),
            prop::collection::vec(0..k, n),
        ))
    ) {
        let layer = Linear::from_parts(
            Tensor::from_vec(w[..k * d].to_vec(), &[k, d]),
            Tensor::from_vec(w[k * d..].to_vec(), &[k]),
        );
        let tape = Tape::<f64>::new();
        let params = layer.on_tape(&tape);
        let xs = Tensor::from_vec(x.clone(), &[n, d]);
        let o = params.forward(tape.constant(&xs));
        let grads = cross_entropy(o, &labels).backward();

        // Closed form from plain tensors: P - Y, then (P - Y)^T X / n and column means.
        let logits = layer.apply(&xs);
        let p = Tensor::from_vec(reference_softmax(logits.data(), k), &[n, k]);
        let p_minus_y = &p - &Tensor::one_hot(&labels, k);
        let dw = &p_minus_y.t().matmul(&xs) / n as f64;
        let db = p_minus_y.mean_axis(0, false);
        for (got, want) in grads.wrt(params.weight).iter().zip(dw.data()) {
            prop_assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()), "dW {got} vs {want}");
        }
        for (got, want) in grads.wrt(params.bias).iter().zip(db.data()) {
            prop_assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()), "db {got} vs {want}");
        }
    }

    #[test]
    fn squared_loss_gradients_are_residual_over_n(
        (n, d, x, w, y) in (1usize..=32, 1usize..=6).prop_flat_map(|(n, d)| (
            Just(n), Just(d),
            prop::collection::vec(-3.0..3.0f64, n * d),
            prop::collection::vec(-2.0..2.0f64, d),
            prop::collection::vec(-5.0..5.0f64, n),
        ))
    ) {
        let tape = Tape::<f64>::new();
        let xs = Tensor::from_vec(x, &[n, d]);
        let wv = tape.var(&Tensor::from_vec(w, &[d, 1]));
        let y_hat = tape.constant(&xs).matmul(wv).reshape(&[n]);
        let target = tape.constant(&Tensor::from_vec(y.clone(), &[n]));
        let loss = squared_loss(y_hat, target);
        let grads = loss.backward();

        let residual = &y_hat.value() - &Tensor::from_vec(y, &[n]);
        let d_y_hat = &residual / n as f64;
        let dw = xs.t().matmul(&d_y_hat.reshape(&[n, 1]));
        for (got, want) in grads.wrt(wv).iter().zip(dw.data()) {
            prop_assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()));
        }
        // dL/dy_hat itself, read off a var that stands for y_hat.
        let tape = Tape::<f64>::new();
        let y_hat_var = tape.var(&y_hat.value());
        let loss = squared_loss(y_hat_var, tape.constant(&target.value()));
        let grads = loss.backward();
        for (got, want) in grads.wrt(y_hat_var).iter().zip(d_y_hat.data()) {
            prop_assert!((got - want).abs() <= 1e-14 * (1.0 + want.abs()));
        }
    }

    #[test]
    fn softmax_rows_are_distributions_with_the_argmax_and_shift_invariance(
        (n, k, o, _labels) in logits_and_labels(16, 50.0), shift in -100.0..100.0f64
    ) {
        let tape = Tape::<f64>::new();
        let logits = Tensor::from_vec(o, &[n, k]);
        let p = softmax(tape.constant(&logits), -1).value();
        for row in p.data().chunks(k) {
            let total: f64 = row.iter().sum();
            prop_assert!((total - 1.0).abs() <= 1e-12, "row sums to {total}");
            prop_assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
        prop_assert_eq!(logits.argmax_axis(-1), p.argmax_axis(-1));
        let shifted = softmax(tape.constant(&(&logits + shift)), -1).value();
        for (a, b) in p.data().iter().zip(shifted.data()) {
            prop_assert!((a - b).abs() <= 1e-12 * a.max(*b).max(1e-300) + 1e-300, "{a} vs {b}");
        }
    }

    #[test]
    fn huge_logits_give_a_finite_loss_and_the_closed_form((n, k, o, labels) in logits_and_labels(8, 1.0)) {
        // Scale to magnitude 1e4: exp would overflow without the max shift.
        let o: Vec<f64> = o.iter().map(|v| v * 1e4).collect();
        let tape = Tape::<f64>::new();
        let logits = tape.var(&Tensor::from_vec(o.clone(), &[n, k]));
        let loss = cross_entropy(logits, &labels);
        prop_assert!(loss.item().is_finite());
        assert_matches_closed_form(loss.backward().wrt(logits), &closed_form(&o, &labels, k));
    }

    #[test]
    fn masked_classes_give_finite_loss_and_no_nan(
        (n, k, o, labels) in logits_and_labels(16, 10.0), mask in prop::collection::vec(any::<bool>(), 16 * 20)
    ) {
        // Mask (-inf) any logit that is not the label's.
        let o: Vec<f64> = o.iter().enumerate()
            .map(|(j, &v)| if mask[j] && labels[j / k] != j % k { f64::NEG_INFINITY } else { v })
            .collect();
        let tape = Tape::<f64>::new();
        let logits = tape.var(&Tensor::from_vec(o.clone(), &[n, k]));
        let loss = cross_entropy(logits, &labels);
        prop_assert!(loss.item().is_finite());
        let grads = loss.backward();
        prop_assert!(grads.wrt(logits).iter().all(|g| !g.is_nan()));
        assert_matches_closed_form(grads.wrt(logits), &closed_form(&o, &labels, k));
    }
}

#[test]
fn the_stability_rows_from_the_issue() {
    let o = vec![1e4, -1e4, 0.0, 0.0, 1e4, -1e4];
    let labels = [1, 1];
    let tape = Tape::<f64>::new();
    let logits = tape.var(&Tensor::from_vec(o.clone(), &[2, 3]));
    let loss = cross_entropy(logits, &labels);
    // Row 0 pays 2e4 for labelling the smallest logit, row 1 pays log(1 + e^-1e4 + e^-2e4) = 0.
    assert_eq!(loss.item(), 1e4);
    assert_matches_closed_form(loss.backward().wrt(logits), &closed_form(&o, &labels, 3));
}

#[test]
fn masked_row_from_pytorch_issue_31829() {
    // A row whose only finite logit is the label: loss 0, gradient 0, no NaN.
    let o = vec![f64::NEG_INFINITY, 3.0, f64::NEG_INFINITY];
    let tape = Tape::<f64>::new();
    let logits = tape.var(&Tensor::from_vec(o, &[1, 3]));
    let loss = cross_entropy(logits, &[1]);
    assert_eq!(loss.item(), 0.0);
    assert_eq!(loss.backward().wrt(logits), &[0.0, 0.0, 0.0]);
}
