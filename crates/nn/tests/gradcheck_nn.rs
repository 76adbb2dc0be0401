//! Every `nn` function passes the tape's gradient checker (f64, central differences,
//! PyTorch's default tolerances: eps 1e-6, atol 1e-5, rtol 1e-3).

use nn::functions::{
    cross_entropy, cross_entropy_with_probs, l2_penalty, log_softmax, logsumexp, softmax,
    squared_loss,
};
use nn::linear::{Init, Linear};
use proptest::prelude::*;
use tape::{gradcheck, GradcheckOptions, Tensor};

fn matrix(max_rows: usize, max_cols: usize) -> impl Strategy<Value = Tensor<f64>> {
    (1..=max_rows, 2..=max_cols).prop_flat_map(|(r, c)| {
        prop::collection::vec(-4.0..4.0f64, r * c).prop_map(move |v| Tensor::from_vec(v, &[r, c]))
    })
}

/// A fixed random weighting, so that a non-scalar output is checked in every element.
fn weights_like(t: &Tensor<f64>) -> Tensor<f64> {
    Tensor::from_fn(t.shape(), |i| ((i as f64 + 1.0) * 0.618).fract() - 0.5)
}

fn check(
    f: impl for<'t> Fn(&'t tape::Tape<f64>, &[tape::Var<'t, f64>]) -> tape::Var<'t, f64>,
    inputs: &[Tensor<f64>],
) {
    if let Err(e) = gradcheck(f, inputs, &GradcheckOptions::default()) {
        panic!("{e}");
    }
}

proptest! {
    #[test]
    fn logsumexp_along_each_axis(o in matrix(6, 6), axis in -2isize..2, keepdim in any::<bool>()) {
        let out = {
            let tape = tape::Tape::new();
            logsumexp(tape.constant(&o), axis, keepdim).value()
        };
        let w = weights_like(&out);
        check(|tape, v| (logsumexp(v[0], axis, keepdim) * tape.constant(&w)).sum(), &[o]);
    }

    #[test]
    fn log_softmax_and_softmax(o in matrix(6, 6)) {
        let w = weights_like(&o);
        check(|tape, v| (log_softmax(v[0], -1) * tape.constant(&w)).sum(), std::slice::from_ref(&o));
        check(|tape, v| (softmax(v[0], -1) * tape.constant(&w)).sum(), &[o]);
    }

    #[test]
    fn cross_entropy_with_labels_and_with_probabilities(o in matrix(8, 6), seed in any::<u64>()) {
        let (n, k) = (o.shape()[0], o.shape()[1]);
        let labels: Vec<usize> = (0..n).map(|i| (seed as usize).wrapping_add(i * 7) % k).collect();
        check(|_, v| cross_entropy(v[0], &labels), std::slice::from_ref(&o));
        // soft targets: rows of a softmax of something else
        let y = Tensor::from_fn(&[n, k], |i| 1.0 + ((i as u64 ^ seed) % 5) as f64);
        let y = &y / &y.sum_axis(-1, true);
        check(|tape, v| cross_entropy_with_probs(v[0], tape.constant(&y)), &[o]);
    }

    #[test]
    fn squared_loss_and_l2(y_hat in matrix(8, 3), lambda in 0.0..2.0f64) {
        let y = weights_like(&y_hat);
        check(|tape, v| squared_loss(v[0], tape.constant(&y)), std::slice::from_ref(&y_hat));
        check(|_, v| l2_penalty(v[0], lambda), &[y_hat]);
    }

    #[test]
    fn linear_forward_with_respect_to_weight_bias_and_input(x in matrix(5, 4), k in 2usize..5, seed in any::<u64>()) {
        let layer = Linear::<f64>::new(x.shape()[1], k, Init::Xavier, seed);
        let w = Tensor::from_fn(&[x.shape()[0], k], |i| (i as f64 * 0.37).sin());
        check(
            |tape, v| {
                let params = nn::linear::LinearVars { weight: v[0], bias: v[1] };
                (params.forward(v[2]) * tape.constant(&w)).sum()
            },
            &[layer.weight.clone(), layer.bias.clone(), x],
        );
    }
}
