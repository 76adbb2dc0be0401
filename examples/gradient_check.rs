//! Checking gradients: the tape against finite differences, a bug it catches, and why
//! the check is done in `f64`.
//!
//! ```text
//! cargo run --release --example gradient_check
//! ```
//!
//! `tape::gradcheck` perturbs every input element by `±eps` and compares the central
//! difference `(f(x + eps) - f(x - eps)) / 2 eps` with the tape's derivative;
//! `tape::gradcheck_fast` checks one random directional derivative instead (two
//! evaluations in all). We run both on a tiny two-layer network, then plant a wrong
//! gradient and read the report that names it. Finally we see why the check needs
//! `f64`: a central difference has a truncation error `~ eps^2` and a rounding error
//! `~ u / eps` (`u` the spacing of the floats near 1). In `f32` (`u` = 1.2e-7) the
//! checker's default `eps` of 1e-6 gives an error far above its tolerance, and even the
//! best `eps` (about 1e-2) leaves an error of a few 1e-5: inside the tolerance, but a
//! million times the `f64` error, too coarse to tell a subtle bug from rounding.
//!
//! Figure: the error of the central difference against `eps`, in `f64` and `f32`, with
//! the truncation and rounding estimates and the checker's tolerance.

mod common;

use common::figures::Figures;
use common::plot::{Axis, Chart, Series, Style};
use plotters::prelude::SeriesLabelPosition;
use tape::{gradcheck, gradcheck_fast, GradcheckError, GradcheckOptions, Tape, Tensor, Var};

/// `sum(tanh(X W1 + b1) W2)` on a fixed batch `X` of 5 rows; `v = [W1, b1, W2]`.
fn net<'t>(tape: &'t Tape<f64>, v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let x = Tensor::from_fn(&[5, 3], |i| ((i * 7) % 11) as f64 / 5.0 - 1.0);
    let hidden = (tape.constant(&x).matmul(v[0]) + v[1]).tanh();
    hidden.matmul(v[2]).sum()
}

/// A gradcheck report with its numbers rounded to what a reader needs (its `Display`
/// prints them in full, for test logs).
fn rounded(err: &GradcheckError) -> String {
    let GradcheckError::Mismatch {
        input,
        index,
        analytic,
        numeric,
        tolerance,
        ..
    } = err
    else {
        return err.to_string();
    };
    let place = match input {
        Some(input) => format!("input {input}, element {index:?}"),
        None => "one random direction".to_string(),
    };
    format!(
        "{place}: tape {analytic:.4} vs finite difference {numeric:.4}, \
         difference {:.2} > tolerance {tolerance:.1e}",
        (analytic - numeric).abs()
    )
}

/// `sum(a^2) + sum(wrong(x))` with `v = [a, x]`, where `wrong` has a planted bug.
fn f<'t>(_: &'t Tape<f64>, v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let (a, x) = (v[0], v[1]);
    let wrong = x.abs() - x.abs().detach() + (x * x * 0.5).detach();
    (a * a).sum() + wrong.sum()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("gradient_check")?;
    let options = GradcheckOptions::default();
    println!(
        "options: eps {:e}, pass if |analytic - numeric| <= {:e} + {:e} |numeric|\n",
        options.eps, options.atol, options.rtol
    );

    // 1. A composite function of three inputs: f(W1, b1, W2) = sum(tanh(X W1 + b1) W2),
    // a two-layer network on a fixed batch X. Every op's backward rule takes part.
    let w1 = Tensor::from_fn(&[3, 4], |i| ((i * 5) % 7) as f64 / 7.0 - 0.4);
    let b1 = Tensor::from_vec(vec![0.1, -0.2, 0.3, 0.0], &[4]);
    let w2 = Tensor::from_fn(&[4, 1], |i| i as f64 / 4.0 - 0.3);
    let inputs = [w1, b1, w2];
    let report = gradcheck(net, &inputs, &options).expect("the tape's gradient is right");
    println!(
        "two-layer net, gradcheck:      {} partial derivatives, max |error| {:.1e}",
        report.checked, report.max_abs_error
    );
    let fast = gradcheck_fast(net, &inputs, &options).expect("the tape's gradient is right");
    println!(
        "two-layer net, gradcheck_fast: {} directional derivative, |error| {:.1e}",
        fast.checked, fast.max_abs_error
    );
    assert_eq!(report.checked, 3 * 4 + 4 + 4);

    // 2. A planted bug. `u - u.detach()` is zero in value but carries u's gradient, and
    // `v.detach()` carries v's value but no gradient, so
    //     wrong(x) = |x| - detach(|x|) + detach(x^2 / 2)
    // has the VALUE of x^2 / 2 (derivative x) but the GRADIENT of |x| (derivative ±1):
    // exactly what a mistyped backward rule looks like. The second input is fine.
    let fine = Tensor::from_vec(vec![0.3, -0.7], &[2]);
    let buggy = Tensor::from_vec(vec![0.5, -1.0, 2.0, 3.0], &[4]);
    let inputs = [fine, buggy];
    let err = gradcheck(f, &inputs, &options).expect_err("the planted bug must be caught");
    println!("\nplanted bug (value of x^2/2, gradient of |x|) at x = [0.5, -1, 2, 3]:");
    println!("  gradcheck: {}", rounded(&err));
    match err {
        GradcheckError::Mismatch {
            input: Some(input),
            index,
            analytic,
            numeric,
            ..
        } => {
            // The worst element is x = 3: analytic sign(3) = 1, numeric 3.
            assert_eq!((input, index), (1, vec![3]));
            assert!((analytic - 1.0).abs() < 1e-12 && (numeric - 3.0).abs() < 1e-6);
        }
        other => panic!("unexpected report {other:?}"),
    }
    let fast = gradcheck_fast(f, &inputs, &options).expect_err("fast mode catches it too");
    println!("  gradcheck_fast: {}", rounded(&fast));

    // 3. Why f64: central differences of exp at x = 1 (exact derivative e), for eps from
    // 1e-1 to 1e-12 in quarter decades.
    let exact = std::f64::consts::E;
    println!("\ncentral difference of exp at x = 1, |error| against e:");
    println!("  {:>7}  {:>9}  {:>9}", "eps", "f64", "f32");
    let (mut best64, mut best32) = ((f64::INFINITY, 0.0), (f64::INFINITY, 0.0));
    let mut at_default_eps = 0.0;
    let (mut curve64, mut curve32) = (Vec::new(), Vec::new());
    for q in 4..=48 {
        let eps = 10f64.powf(-q as f64 / 4.0);
        let d64 = ((1.0 + eps).exp() - (1.0 - eps).exp()) / (2.0 * eps);
        let e32 = eps as f32;
        let d32 = ((1.0f32 + e32).exp() - (1.0f32 - e32).exp()) / (2.0 * e32);
        let (err64, err32) = ((d64 - exact).abs(), (d32 as f64 - exact).abs());
        if q % 4 == 0 {
            println!("  {eps:>7.0e}  {err64:>9.1e}  {err32:>9.1e}");
        }
        curve64.push((eps, err64.max(1e-17)));
        curve32.push((eps, err32.max(1e-17)));
        if err64 < best64.0 {
            best64 = (err64, eps);
        }
        if err32 < best32.0 {
            best32 = (err32, eps);
        }
        if (eps / options.eps - 1.0).abs() < 1e-9 {
            at_default_eps = err32;
        }
    }
    // Large eps: truncation (e eps^2 / 6) dominates; small eps: rounding (~ u e / eps)
    // dominates. The best eps ~ u^(1/3) gives an error ~ u^(2/3): 1e-11 in f64, 1e-5 in f32.
    let tolerance = options.atol + options.rtol * exact;
    println!(
        "  best: f64 {:.0e} at eps {:.0e}; f32 {:.0e} at eps {:.0e}, under the tolerance {tolerance:.1e} \
         but {:.0e} times the f64 error",
        best64.0,
        best64.1,
        best32.0,
        best32.1,
        best32.0 / best64.0
    );
    println!(
        "  at the checker's eps = {:e}, the f32 error is {at_default_eps:.0e}: over the tolerance, a false alarm",
        options.eps
    );
    assert!(best64.0 < 1e-9 && best32.0 > 1e-6 && at_default_eps > tolerance);
    assert!(best32.0 < tolerance && best32.0 > 1e4 * best64.0);

    // The tape's own f32 derivative is fine: it is the finite difference that breaks.
    let tape = Tape::<f32>::new();
    let one = tape.var_scalar(1.0f32);
    let d = one.exp().backward().item(one);
    println!(
        "  the tape in f32: d(exp)/dx at 1 = {d}, |error| {:.1e}: f32 tape gradients are accurate",
        (d as f64 - exact).abs()
    );
    assert!((d as f64 - exact).abs() < 1e-6);

    // Figure: error against eps, with the two estimates for each precision.
    let estimates = |u: f64, color: usize| {
        let truncation = [1e-3, 0.1]
            .map(|eps| (eps, exact * eps * eps / 6.0))
            .to_vec();
        let rounding = [1e-12, 1e-2].map(|eps| (eps, u * exact / eps)).to_vec();
        [
            Series::new("", color, truncation)
                .style(Style::Dashed)
                .width(1),
            Series::new("", color, rounding)
                .style(Style::Dashed)
                .width(1),
        ]
    };
    let chart = Chart::new(
        "Error of the central difference (f(x + eps) - f(x - eps)) / 2 eps for exp at x = 1",
        Axis::log("eps"),
        Axis::log("|error|").range(1e-13..10.0),
    )
    .with(Series::new("f64", 0, curve64).style(Style::LineMarkers))
    .with(Series::new("f32", 1, curve32).style(Style::LineMarkers))
    .with_all(estimates(f64::EPSILON / 2.0, 0))
    .with_all(estimates(f32::EPSILON as f64 / 2.0, 1))
    .with(
        Series::new(
            "checker tolerance",
            6,
            vec![(1e-12, tolerance), (0.1, tolerance)],
        )
        .style(Style::Dashed)
        .width(2),
    )
    .note(1.2e-3, 1e-7, "truncation e eps^2 / 6")
    .note(1.5e-12, 1e-7, "rounding ~ u e / eps (dashed)")
    .legend(SeriesLabelPosition::UpperRight);
    figures.save_chart(
        "error",
        (950, 600),
        chart,
        "finite-difference error against eps in f64 and f32: truncation, rounding, tolerance",
    )?;
    Ok(())
}
