//! Second-order closed forms, in f64, on random shapes.
//!
//! - Softmax regression: with `p_i = softmax(W x_i + b)` and `A_i = diag(p_i) - p_i p_i^T`,
//!   the Hessian-vector product with `(V, v_b)` is `sum_i A_i (V x_i + v_b) x_i^T / n +
//!   lambda V` for `W` and `sum_i A_i (V x_i + v_b) / n` for `b`.
//! - Least squares: `H (v, v_b) = (X^T (X v + v_b) / n + lambda v, sum_i (x_i v + v_b) / n)`.
//! - Both Hessians (from `tape::hessian`) are symmetric and positive semi-definite.
//! - `gradgradcheck` passes on the composed functions (log-sum-exp, softmax,
//!   cross-entropy, squared loss, L2 penalty).
//!
//! Agreement is to a relative 1e-10 of the scale of the terms summed (the sum of their
//! magnitudes), which is the honest conditioning of a sum with cancellation.

use nn::functions::{
    cross_entropy, cross_entropy_with_probs, log_softmax, logsumexp, softmax, squared_loss,
};
use nn::solver::LinearObjective;
use proptest::collection::vec;
use proptest::prelude::*;
use tape::{
    gradgradcheck, hessian, hvp, symmetric_eigenvalues, Float, GradcheckOptions, ScalarFunction,
    Tape, Tensor, Var,
};

fn tensor(data: Vec<f64>, dims: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data, dims)
}

/// `(n, k, d)`, features, labels, W, b, V, v_b, lambda.
type Case = (
    usize,
    usize,
    usize,
    Vec<f64>,
    Vec<usize>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    f64,
);

fn softmax_case(max_n: usize, max_k: usize, max_d: usize) -> impl Strategy<Value = Case> {
    (1..=max_n, 2..=max_k, 1..=max_d).prop_flat_map(|(n, k, d)| {
        (
            Just(n),
            Just(k),
            Just(d),
            vec(-2.0..2.0f64, n * d),
            vec(0..k, n),
            vec(-2.0..2.0f64, k * d),
            vec(-2.0..2.0f64, k),
            vec(-1.0..1.0f64, k * d),
            vec(-1.0..1.0f64, k),
            0.0..0.5f64,
        )
    })
}

fn assert_close(got: &[f64], want: &[(f64, f64)], what: &str) {
    for (j, (&g, &(w, scale))) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-10 * scale.max(1e-300),
            "{what} element {j}: tape {g:e}, closed form {w:e} (scale {scale:e})"
        );
    }
}

/// Symmetric to 1e-12 relative, eigenvalues >= -1e-12 of the largest.
fn assert_symmetric_psd(h: &Tensor<f64>) {
    let n = h.shape()[0];
    let largest = h.data().iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for i in 0..n {
        for j in 0..i {
            let (a, b) = (h.data()[i * n + j], h.data()[j * n + i]);
            assert!(
                (a - b).abs() <= 1e-12 * largest.max(1e-300),
                "H[{i},{j}] = {a} vs {b}"
            );
        }
    }
    let eigenvalues = symmetric_eigenvalues(h);
    assert!(
        eigenvalues[0] >= -1e-12 * largest.max(1e-300),
        "eigenvalues {eigenvalues:?}"
    );
}

proptest! {
    #[test]
    fn softmax_regression_hvp_is_the_closed_form((n, k, d, x, labels, w, b, v, vb, l2) in softmax_case(32, 10, 16)) {
        let xt = tensor(x.clone(), &[n, d]);
        let objective = LinearObjective::softmax(&xt, &labels, k, l2);
        let out = hvp(&objective, &[tensor(w.clone(), &[k, d]), tensor(b.clone(), &[k])], &[tensor(v.clone(), &[k, d]), tensor(vb.clone(), &[k])]);

        // Closed form: each term with its magnitude, summed.
        let mut hw = vec![(0.0, 0.0); k * d];
        let mut hb = vec![(0.0, 0.0); k];
        for i in 0..n {
            let xi = &x[i * d..(i + 1) * d];
            let o: Vec<f64> = (0..k).map(|j| b[j] + (0..d).map(|c| w[j * d + c] * xi[c]).sum::<f64>()).collect();
            let m = o.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = o.iter().map(|oj| (oj - m).exp()).collect();
            let s: f64 = e.iter().sum();
            let p: Vec<f64> = e.iter().map(|ej| ej / s).collect();
            let u: Vec<f64> = (0..k).map(|j| vb[j] + (0..d).map(|c| v[j * d + c] * xi[c]).sum::<f64>()).collect();
            let pu: f64 = p.iter().zip(&u).map(|(a, b)| a * b).sum();
            for j in 0..k {
                let au = p[j] * u[j] - p[j] * pu; // (A_i u_i)_j
                let scale = (p[j] * u[j]).abs() + p[j] * p.iter().zip(&u).map(|(a, b)| (a * b).abs()).sum::<f64>();
                hb[j].0 += au / n as f64;
                hb[j].1 += scale / n as f64;
                for c in 0..d {
                    hw[j * d + c].0 += au * xi[c] / n as f64;
                    hw[j * d + c].1 += scale * xi[c].abs() / n as f64;
                }
            }
        }
        for (h, &vj) in hw.iter_mut().zip(&v) {
            h.0 += l2 * vj;
            h.1 += (l2 * vj).abs();
        }
        assert_close(out.hvp[0].data(), &hw, "H_W v");
        assert_close(out.hvp[1].data(), &hb, "H_b v");
    }

    #[test]
    fn least_squares_hvp_is_x_transpose_x_v_over_n(
        (n, d, x, y, w, v, vb, l2) in (1usize..=32, 1usize..=16).prop_flat_map(|(n, d)| (
            Just(n), Just(d), vec(-2.0..2.0f64, n * d), vec(-2.0..2.0f64, n),
            vec(-2.0..2.0f64, d), vec(-1.0..1.0f64, d), -1.0..1.0f64, 0.0..0.5f64,
        ))
    ) {
        let xt = tensor(x.clone(), &[n, d]);
        let objective = LinearObjective::least_squares(&xt, &y, l2);
        let out = hvp(&objective, &[tensor(w, &[1, d]), Tensor::zeros(&[1])], &[tensor(v.clone(), &[1, d]), Tensor::scalar(vb).reshape(&[1])]);
        let xv: Vec<(f64, f64)> = (0..n).map(|i| {
            let terms = (0..d).map(|c| x[i * d + c] * v[c]);
            (terms.clone().sum::<f64>() + vb, terms.map(f64::abs).sum::<f64>() + vb.abs())
        }).collect();
        let hw: Vec<(f64, f64)> = (0..d).map(|c| {
            let (s, a) = xv.iter().enumerate().fold((0.0, 0.0), |(s, a), (i, (t, m))| (s + x[i * d + c] * t, a + (x[i * d + c] * m).abs()));
            (s / n as f64 + l2 * v[c], a / n as f64 + (l2 * v[c]).abs())
        }).collect();
        let hb = xv.iter().fold((0.0, 0.0), |(s, a), (t, m)| (s + t / n as f64, a + m / n as f64));
        assert_close(out.hvp[0].data(), &hw, "H_w v");
        assert_close(out.hvp[1].data(), &[hb], "H_b v");
    }

    #[test]
    fn softmax_regression_hessian_is_symmetric_psd((n, k, d, x, labels, w, b, _, _, l2) in softmax_case(8, 4, 4)) {
        let xt = tensor(x, &[n, d]);
        let objective = LinearObjective::softmax(&xt, &labels, k, l2);
        assert_symmetric_psd(&hessian(&objective, &[tensor(w, &[k, d]), tensor(b, &[k])]));
    }

    #[test]
    fn least_squares_hessian_is_symmetric_psd(
        (n, d, x, y, l2) in (1usize..=8, 1usize..=5).prop_flat_map(|(n, d)| (Just(n), Just(d), vec(-2.0..2.0f64, n * d), vec(-2.0..2.0f64, n), 0.0..0.5f64))
    ) {
        let xt = tensor(x, &[n, d]);
        let objective = LinearObjective::least_squares(&xt, &y, l2);
        assert_symmetric_psd(&hessian(&objective, &[Tensor::zeros(&[1, d]), Tensor::zeros(&[1])]));
    }
}

/// The composed functions of `nn::functions`, as scalar functions of their inputs.
#[derive(Clone, Copy, Debug)]
enum Composed {
    LogSumExp,
    Softmax,
    LogSoftmax,
    CrossEntropy,
    CrossEntropyWithProbs,
    SquaredLoss,
    L2Penalty,
}

struct Probe(Composed, Vec<usize>);

impl ScalarFunction for Probe {
    fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
        let o = v[0];
        let weights = |y: Var<'t, T>| {
            let w: Vec<f64> = (0..y.len())
                .map(|i| (i as f64 * 0.91 + 0.2).cos())
                .collect();
            (y * tape.constant_cast(&w, &y.shape())).sum()
        };
        match self.0 {
            Composed::LogSumExp => weights(logsumexp(o, -1, false)),
            Composed::Softmax => weights(softmax(o, -1)),
            Composed::LogSoftmax => weights(log_softmax(o, -1)),
            Composed::CrossEntropy => cross_entropy(o, &self.1),
            Composed::CrossEntropyWithProbs => cross_entropy_with_probs(o, softmax(v[1], -1)),
            Composed::SquaredLoss => squared_loss(o, v[1]),
            Composed::L2Penalty => nn::functions::l2_penalty(o, T::from_f64(0.3)),
        }
    }
}

proptest! {
    #[test]
    fn gradgradcheck_passes_on_the_composed_functions(
        (o, other, labels) in (1usize..6, 2usize..6).prop_flat_map(|(n, k)| (
            vec(-5.0..5.0f64, n * k).prop_map(move |d| tensor(d, &[n, k])),
            vec(-2.0..2.0f64, n * k).prop_map(move |d| tensor(d, &[n, k])),
            vec(0..k, n),
        )),
        which in 0usize..7,
    ) {
        let kinds = [Composed::LogSumExp, Composed::Softmax, Composed::LogSoftmax, Composed::CrossEntropy, Composed::CrossEntropyWithProbs, Composed::SquaredLoss, Composed::L2Penalty];
        let kind = kinds[which];
        let result = gradgradcheck(&Probe(kind, labels), &[o, other], &GradcheckOptions::default());
        prop_assert!(result.is_ok(), "{:?}: {}", kind, result.unwrap_err());
    }
}

/// The solvers' Hessian-vector products (`LinearProblem`: block by block, the features
/// lent to the dual tape as reals) against `tape::hvp` of the same objective (the whole
/// data set on the tape as dual constants): bit for bit in one block, and to a relative
/// 1e-12 of the terms' scale when the rows are cut into blocks summed over two threads.
#[test]
fn the_solvers_hessian_vector_products_are_the_tapes() {
    use nn::solver::{LinearProblem, TwiceDifferentiable};
    for (n, d, k) in [(37, 5, 3), (700, 400, 4)] {
        let x = Tensor::<f32>::from_fn(&[n, d], |i| ((i * 7919 % 1013) as f32 / 506.0) - 1.0);
        let labels: Vec<usize> = (0..n).map(|i| i * 31 % k).collect();
        let objective = LinearObjective::softmax(&x, &labels, k, 0.01);
        let w = Tensor::from_fn(&[k, d], |i| ((i % 13) as f64 - 6.0) * 0.05);
        let b = Tensor::from_fn(&[k], |i| i as f64 * 0.1);
        let v = Tensor::from_fn(&[k, d], |i| ((i % 5) as f64 - 2.0) * 0.1);
        let vb = Tensor::from_fn(&[k], |i| 1.0 - i as f64);
        let expected = hvp(
            &objective,
            &[w.clone(), b.clone()],
            &[v.clone(), vb.clone()],
        )
        .hvp;
        let expected: Vec<f64> = expected.iter().flat_map(|t| t.data().to_vec()).collect();
        let flat = |a: &Tensor<f64>, b: &Tensor<f64>| -> Vec<f64> {
            a.data().iter().chain(b.data()).copied().collect()
        };
        let mut problem = LinearProblem::new(objective);
        let mut got = vec![0.0; expected.len()];
        problem.hvp(&flat(&w, &b), &flat(&v, &vb), &mut got);
        if n * d < 1 << 18 {
            assert_eq!(got, expected, "{n} x {d}, {k} classes");
        } else {
            let scale = expected.iter().map(|h| h.abs()).fold(0.0, f64::max);
            for (g, e) in got.iter().zip(&expected) {
                assert!(
                    (g - e).abs() <= 1e-12 * scale,
                    "{g} vs {e} ({n} x {d}, {k} classes)"
                );
            }
        }
    }
}
