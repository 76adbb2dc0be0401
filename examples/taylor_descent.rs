//! Why gradient descent works: the first-order Taylor expansion, and what the learning
//! rate does.
//!
//! ```text
//! cargo run --release --example taylor_descent
//! ```
//!
//! For a small step `epsilon`, `f(x + epsilon) = f(x) + epsilon f'(x) + O(epsilon^2)`.
//! Take the step against the derivative, `epsilon = -eta f'(x)` with a learning rate
//! `eta > 0`:
//!
//! ```text
//! f(x - eta f'(x)) = f(x) - eta f'(x)^2 + O(eta^2)
//! ```
//!
//! `eta f'(x)^2 > 0` whenever `f'(x) != 0`, so for a small enough `eta` the step lowers
//! `f`: that is the whole argument for `x <- x - eta f'(x)`. In several variables,
//! `f(x - eta grad f) = f(x) - eta ||grad f||^2 + O(eta^2)` in the same way. We check
//! that the gap between the true value and the first-order prediction shrinks like
//! `eta^2` (a slope of 2 on a log-log plot), in one variable and on a real loss (softmax
//! regression on iris, twelve weights and three biases, gradient from the tape). Then we
//! run gradient descent on `f(x) = x^2` from `x = -4` with a learning rate too small (it
//! crawls), a good one, and one too large (`eta > 1`: each step overshoots by more than
//! it started, `|1 - 2 eta| > 1`, and the iterates diverge).

mod common;

use common::figures::Figures;
use common::plot::{Axis, Chart, Series, Style};
use nn::functions::cross_entropy;
use plotters::prelude::SeriesLabelPosition;
use tape::{Tape, Tensor};

/// The 1-D function of the Taylor check, `cosh x`, and its derivative from the tape.
fn cosh_and_slope(x: f64) -> (f64, f64) {
    let tape = Tape::<f64>::new();
    let v = tape.var_scalar(x);
    let f = (v.exp() + (-v).exp()) * 0.5;
    (f.item(), f.backward().item(v))
}

/// Mean cross-entropy of softmax regression on iris (standardised) at weights `w`
/// (`[3, 4]` then `[3]` flattened), and its gradient from the tape.
fn iris_loss(x: &Tensor<f64>, labels: &[usize], w: &[f64]) -> (f64, Vec<f64>) {
    let tape = Tape::<f64>::new();
    let weight = tape.var_from_slice(&w[..12], &[3, 4]);
    let bias = tape.var_from_slice(&w[12..], &[3]);
    let loss = cross_entropy(tape.constant(x).matmul(weight.t()) + bias, labels);
    let grads = loss.backward();
    let mut g = grads.wrt(weight).to_vec();
    g.extend_from_slice(grads.wrt(bias));
    (loss.item(), g)
}

/// Least-squares slope of `ln y` against `ln x`.
fn log_log_slope(points: &[(f64, f64)]) -> f64 {
    let logs: Vec<(f64, f64)> = points.iter().map(|(x, y)| (x.ln(), y.ln())).collect();
    let n = logs.len() as f64;
    let (mx, my) = logs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (sxy, sxx) = logs.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx).powi(2))
    });
    sxy / sxx
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("taylor_descent")?;

    // 1. The first-order prediction in one variable: f = cosh at x = 1.
    let x0 = 1.0;
    let (f0, slope) = cosh_and_slope(x0);
    println!("f(x) = cosh x at x = {x0}: f = {f0:.4}, f'(x) = {slope:.4} (from the tape)\n");
    println!(
        "{:>7} {:>16} {:>22} {:>11} {:>12}",
        "eta", "f(x - eta f')", "first order f - eta f'^2", "gap", "gap / eta^2"
    );
    let etas: Vec<f64> = (0..=12).map(|i| 10f64.powf(-0.25 * i as f64)).collect();
    let mut gaps_1d = Vec::new();
    for &eta in &etas {
        let (truth, _) = cosh_and_slope(x0 - eta * slope);
        let predicted = f0 - eta * slope * slope;
        let gap = (truth - predicted).abs();
        gaps_1d.push((eta, gap));
        if eta > 1e-3 * 0.99 && (eta.log10() * 4.0).round() as i32 % 4 == 0 {
            println!(
                "{eta:>7.0e} {truth:>16.8} {predicted:>22.8} {gap:>11.2e} {:>12.4}",
                gap / (eta * eta)
            );
        }
    }
    // The gap is (eta f')^2 f''(x) / 2 + ...: gap / eta^2 -> f'^2 cosh(x) / 2.
    let limit = slope * slope * x0.cosh() / 2.0;
    println!("gap / eta^2 tends to f'(x)^2 f''(x) / 2 = {limit:.4}: the gap is O(eta^2)");

    // 2. The same in fifteen variables: the iris loss at W = 0.
    let iris = data::bundled::iris();
    let iris = data::Standardizer::fit(&iris).transform(&iris);
    let x = Tensor::from_vec(
        iris.features().iter().map(|&v| v as f64).collect(),
        &[iris.len(), 4],
    );
    let w0 = vec![0.0; 15];
    let (loss0, g) = iris_loss(&x, iris.labels(), &w0);
    let g2: f64 = g.iter().map(|v| v * v).sum();
    let mut gaps_iris = Vec::new();
    for &eta in &etas {
        let w: Vec<f64> = w0.iter().zip(&g).map(|(w, g)| w - eta * g).collect();
        let (truth, _) = iris_loss(&x, iris.labels(), &w);
        gaps_iris.push((eta, (truth - (loss0 - eta * g2)).abs()));
    }
    let small = |gaps: &[(f64, f64)]| -> Vec<(f64, f64)> {
        gaps.iter().copied().filter(|p| p.0 <= 0.1).collect()
    };
    let (s1, s2) = (
        log_log_slope(&small(&gaps_1d)),
        log_log_slope(&small(&gaps_iris)),
    );
    println!(
        "\niris softmax regression at W = 0: L = {loss0:.4} (= ln 3), ||grad L||^2 = {g2:.4}\n\
         log-log slope of the gap against eta for eta <= 0.1: {s1:.3} (cosh), {s2:.3} (iris): 2 = O(eta^2)"
    );
    assert!((s1 - 2.0).abs() < 0.05 && (s2 - 2.0).abs() < 0.05);
    assert!((limit - gaps_1d[12].1 / (etas[12] * etas[12])).abs() < 1e-3 * limit);

    // 3. Gradient descent on f(x) = x^2 with three learning rates.
    let runs = [
        ("eta = 0.05, too small", 0.05),
        ("eta = 0.3, good", 0.3),
        ("eta = 1.05, too large", 1.05),
    ];
    let steps = 12;
    println!("\ngradient descent on f(x) = x^2 from x = -4, x <- x - eta 2x = (1 - 2 eta) x:");
    let mut paths = Vec::new();
    for (name, eta) in runs {
        let mut xs = vec![-4.0f64];
        for _ in 0..steps {
            let tape = Tape::<f64>::new();
            let v = tape.var_scalar(*xs.last().expect("a start"));
            let f = v * v;
            let g = f.backward().item(v);
            xs.push(v.item() - eta * g);
        }
        let shown: Vec<String> = xs[..6].iter().map(|x| format!("{x:.2}")).collect();
        println!(
            "  {name:<22} x = {}, ...  f after {steps} steps = {:.1e}",
            shown.join(", "),
            xs[steps] * xs[steps]
        );
        paths.push((name, xs));
    }
    let f_end = |i: usize| paths[i].1[steps].powi(2);
    assert!(f_end(1) < 1e-4 && f_end(0) > 1.0 && f_end(2) > 16.0);

    // Figures.
    let curve: Vec<(f64, f64)> = (0..=200)
        .map(|i| {
            let x = -6.0 + 12.0 * i as f64 / 200.0;
            (x, x * x)
        })
        .collect();
    let mut landscape = Chart::new(
        "Iterates on f(x) = x^2, starting at x = -4",
        Axis::linear("x").range(-6.2..6.2),
        Axis::linear("f(x)").range(-1.0..38.0),
    )
    .with(Series::new("f(x) = x^2", 6, curve).width(1))
    .legend(SeriesLabelPosition::LowerRight);
    let mut progress = Chart::new(
        "f(x_t) against the step t",
        Axis::linear("step t"),
        Axis::log("f(x_t)"),
    )
    .legend(SeriesLabelPosition::LowerLeft);
    for (i, (name, xs)) in paths.iter().enumerate() {
        let shown: Vec<(f64, f64)> = xs
            .iter()
            .take_while(|x| x.abs() <= 6.0)
            .map(|&x| (x, x * x))
            .collect();
        landscape = landscape.with(Series::new(name, i, shown).style(Style::LineMarkers));
        let values = xs
            .iter()
            .enumerate()
            .map(|(t, &x)| (t as f64, x * x))
            .collect();
        progress = progress.with(Series::new(name, i, values).style(Style::LineMarkers));
    }
    figures.save_charts(
        "trajectories",
        "Gradient descent with a learning rate too small, good and too large",
        (1200, 520),
        2,
        &[landscape, progress],
        "iterates of x <- x - eta f'(x) on f(x) = x^2 for three learning rates",
    )?;

    let first_order = Chart::new(
        "f(x - eta f'(x)) and its first-order prediction, f = cosh, x = 1",
        Axis::linear("learning rate eta"),
        Axis::linear("f after one step"),
    )
    .with(Series::new(
        "true value f(x - eta f'(x))",
        0,
        (0..=60)
            .map(|i| {
                let eta = 1.5 * i as f64 / 60.0;
                (eta, cosh_and_slope(x0 - eta * slope).0)
            })
            .collect(),
    ))
    .with(
        Series::new(
            "first order f(x) - eta f'(x)^2",
            1,
            vec![(0.0, f0), (1.5, f0 - 1.5 * slope * slope)],
        )
        .style(Style::Dashed),
    )
    .legend(SeriesLabelPosition::LowerLeft);
    let reference: Vec<(f64, f64)> = [1e-3, 1.0]
        .iter()
        .map(|&eta| (eta, limit * eta * eta))
        .collect();
    let gap = Chart::new(
        "The gap shrinks like eta^2 (slope 2)",
        Axis::log("learning rate eta"),
        Axis::log("|true - first order|"),
    )
    .with(Series::new("f = cosh x, 1 variable", 0, gaps_1d).style(Style::LineMarkers))
    .with(Series::new("iris cross-entropy, 15 variables", 2, gaps_iris).style(Style::LineMarkers))
    .with(
        Series::new("slope 2: C eta^2", 6, reference)
            .style(Style::Dashed)
            .width(1),
    )
    .legend(SeriesLabelPosition::UpperLeft);
    figures.save_charts(
        "first_order",
        "Taylor: f(x - eta f'(x)) = f(x) - eta f'(x)^2 + O(eta^2)",
        (1200, 520),
        2,
        &[first_order, gap],
        "the first-order prediction against the truth, and their gap against eta",
    )?;
    Ok(())
}
