//! The lecture's closing question: why is one learning rate for every parameter a bad
//! idea? Linear regression with the squared loss, on features of different scales.
//!
//! ```text
//! cargo run --release --example feature_scaling
//! ```
//!
//! For `y_hat = w . x` and `L = 1/2 (y_hat - y)^2`, the gradient is
//! `dL/dw = (y_hat - y) x`: each weight's partial derivative is proportional to its own
//! feature. Here a house's price (in $100k) is predicted from its floor area (in 1000
//! square feet, spread about 0.6) and its age (in decades, spread about 2.9), both
//! centred. The loss over the two weights is a quadratic bowl with curvature
//! `mean(x_j^2)` along `w_j`: twenty times steeper along the age weight than along the
//! area weight. One learning rate must be small enough for the steep direction
//! (`eta < 2 / curvature`), so along the flat one gradient descent crawls, and near the
//! limit it zig-zags across the steep one.
//!
//! Two fixes. Standardise the features (divide each by its standard deviation): the bowl
//! becomes round and descent goes straight to the minimum. Or give each weight its own
//! rate: AdaGrad divides each coordinate's step by the root of its summed squared
//! gradients, which undoes the scale of each feature. We draw the contours of the loss
//! with the three paths, and print `|dL/dw_i|` per feature.

mod common;

use common::contour::Quadratic;
use common::figures::Figures;
use common::plot::{grouped_bars, Axis, Chart, Series, Style};
use nn::functions::squared_loss;
use nn::optim::{AdaGrad, Optimizer};
use plotters::prelude::SeriesLabelPosition;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tape::{Tape, Tensor};

const HOUSES: usize = 200;
const STEPS: usize = 40;

/// Centred features `[area, age]` and prices: area ~ 1.8 +- 0.6 thousand square feet,
/// age uniform in 0 to 10 decades, price = 1.5 area - 0.6 age + noise (in $100k).
fn houses() -> (Vec<[f64; 2]>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(5);
    let mut rows = Vec::new();
    let mut prices = Vec::new();
    for _ in 0..HOUSES {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        let area = 1.8 + 0.6 * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        let age = 10.0 * rng.random::<f64>();
        let noise = 0.2 * (rng.random::<f64>() - 0.5);
        rows.push([area, age]);
        prices.push(1.5 * area - 0.6 * age + noise);
    }
    let mean = |j: usize| rows.iter().map(|r| r[j]).sum::<f64>() / HOUSES as f64;
    let (ma, mg) = (mean(0), mean(1));
    let my = prices.iter().sum::<f64>() / HOUSES as f64;
    let rows = rows.iter().map(|r| [r[0] - ma, r[1] - mg]).collect();
    let prices = prices.iter().map(|p| p - my).collect();
    (rows, prices)
}

/// The squared loss `1/(2n) ||X w - y||^2` as an exact quadratic in `w`.
fn bowl(rows: &[[f64; 2]], y: &[f64]) -> Quadratic {
    let n = rows.len() as f64;
    let mut h = [[0.0; 2]; 2];
    let mut xty = [0.0; 2];
    for (r, &t) in rows.iter().zip(y) {
        for i in 0..2 {
            xty[i] += r[i] * t / n;
            for j in 0..2 {
                h[i][j] += r[i] * r[j] / n;
            }
        }
    }
    let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    let w = [
        (h[1][1] * xty[0] - h[0][1] * xty[1]) / det,
        (h[0][0] * xty[1] - h[1][0] * xty[0]) / det,
    ];
    let residual: f64 = rows
        .iter()
        .zip(y)
        .map(|(r, t)| (r[0] * w[0] + r[1] * w[1] - t).powi(2))
        .sum();
    Quadratic {
        hessian: h,
        minimum: w,
        min_value: residual / (2.0 * n),
    }
}

/// The loss and its gradient from the tape: `squared_loss(X w, y)`.
fn loss_and_gradient(x: &Tensor<f64>, y: &Tensor<f64>, w: &Tensor<f64>) -> (f64, Tensor<f64>) {
    let tape = Tape::<f64>::new();
    let wv = tape.var(w);
    let loss = squared_loss(tape.constant(x).matmul(wv), tape.constant(y));
    (loss.item(), loss.backward().tensor(wv))
}

/// Runs `STEPS` steps from `w = 0`: plain gradient descent at `eta`, or AdaGrad.
fn descend(x: &Tensor<f64>, y: &Tensor<f64>, eta: f64, adagrad: bool) -> Vec<(f64, [f64; 2])> {
    let mut w = Tensor::zeros(&[2, 1]);
    let mut optimizer = AdaGrad::new();
    let mut path = Vec::new();
    for step in 0..=STEPS {
        let (loss, grad) = loss_and_gradient(x, y, &w);
        path.push((loss, [w.data()[0], w.data()[1]]));
        if step == STEPS {
            break;
        }
        if adagrad {
            optimizer.step(&mut [&mut w], &[grad.data()], eta);
        } else {
            for (w, g) in w.data_mut().iter_mut().zip(grad.data()) {
                *w -= eta * g;
            }
        }
    }
    path
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("feature_scaling")?;
    let (rows, prices) = houses();
    let n = rows.len();
    let std = |j: usize| (rows.iter().map(|r| r[j] * r[j]).sum::<f64>() / n as f64).sqrt();
    let stds = [std(0), std(1)];
    let scaled: Vec<[f64; 2]> = rows
        .iter()
        .map(|r| [r[0] / stds[0], r[1] / stds[1]])
        .collect();
    let as_tensor = |rows: &[[f64; 2]]| Tensor::from_vec(rows.concat(), &[n, 2]);
    let (x_raw, x_std) = (as_tensor(&rows), as_tensor(&scaled));
    let y = Tensor::from_vec(prices.clone(), &[n, 1]);
    let (raw, standardised) = (bowl(&rows, &prices), bowl(&scaled, &prices));

    println!("price ($100k) from area (1000 sq ft) and age (decades), {n} houses, centred:");
    println!("  feature std: area {:.2}, age {:.2}", stds[0], stds[1]);
    let (curv, _) = raw.eigen();
    let (curv_std, _) = standardised.eigen();
    for (name, c) in [("raw", curv), ("standardised", curv_std)] {
        println!(
            "  {name:<12} loss: curvatures (Hessian eigenvalues) {:.3} and {:.3}, condition number {:.1}",
            c[0],
            c[1],
            c[1] / c[0]
        );
    }

    // dL/dw = mean((y_hat - y) x): at w = 0, each partial scales with its feature.
    let (_, g_raw) = loss_and_gradient(&x_raw, &y, &Tensor::zeros(&[2, 1]));
    let (_, g_std) = loss_and_gradient(&x_std, &y, &Tensor::zeros(&[2, 1]));
    println!("\n|dL/dw_i| at w = 0, dL/dw = mean((y_hat - y) x):");
    println!("  {:<6} {:>8} {:>14}", "", "raw", "standardised");
    for (i, name) in ["area", "age"].iter().enumerate() {
        println!(
            "  {name:<6} {:>8.3} {:>14.3}",
            g_raw.data()[i].abs(),
            g_std.data()[i].abs()
        );
    }

    // Gradient descent near its largest stable rate on raw features; AdaGrad on raw
    // features; gradient descent on standardised ones.
    let eta_raw = 1.8 / curv[1];
    let runs = [
        ("raw, gradient descent", descend(&x_raw, &y, eta_raw, false)),
        ("raw, AdaGrad", descend(&x_raw, &y, 0.4, true)),
        (
            "standardised, gradient descent",
            descend(&x_std, &y, 1.0 / curv_std[1], false),
        ),
    ];
    println!(
        "\n{STEPS} steps from w = 0 (raw descent at eta = 1.8 / largest curvature = {eta_raw:.3}):"
    );
    println!("  {:<32} {:>14} {:>14}", "", "loss - minimum", "w after 10");
    let mut gaps = Vec::new();
    for (name, path) in &runs {
        let (loss, _) = path[STEPS];
        let w10 = path[10].1;
        let minimum = if name.starts_with("raw") {
            raw.min_value
        } else {
            standardised.min_value
        };
        println!(
            "  {name:<32} {:>14.2e} {:>14}",
            (loss - minimum).max(0.0),
            format!("({:.2}, {:.2})", w10[0], w10[1])
        );
        gaps.push(loss - minimum);
    }
    // Rescaled to raw units, the standardised weights are the raw minimum: same model.
    let back = [
        standardised.minimum[0] / stds[0],
        standardised.minimum[1] / stds[1],
    ];
    println!(
        "  minimum: raw w* = ({:.3}, {:.3}); standardised w* / std = ({:.3}, {:.3}), the same model",
        raw.minimum[0], raw.minimum[1], back[0], back[1]
    );
    assert!((back[0] - raw.minimum[0]).abs() < 1e-9 && (back[1] - raw.minimum[1]).abs() < 1e-9);
    assert!(
        gaps[1] < gaps[0] / 100.0 && gaps[2] < gaps[0] / 100.0,
        "raw descent should trail: {gaps:?}"
    );
    assert!(g_raw.data()[1].abs() > 2.0 * g_raw.data()[0].abs());

    // Figures: the three paths over the contours, and the convergence.
    let panel = |title: &str,
                 bowl: &Quadratic,
                 path: &[(f64, [f64; 2])],
                 color: usize,
                 x: &str,
                 y: &str| {
        // The outermost contour passes through the start, w = 0.
        let start = bowl.value([0.0, 0.0]) - bowl.min_value;
        let levels = bowl.geometric_levels(start / 1000.0, start, 9);
        let points = path.iter().map(|(_, w)| (w[0], w[1])).collect();
        Chart::new(title, Axis::linear(x), Axis::linear(y))
            .with_all(bowl.contours(&levels))
            .with(Series::new("path from w = 0", color, points).style(Style::LineMarkers))
            .with(
                Series::new("minimum", 6, vec![(bowl.minimum[0], bowl.minimum[1])])
                    .style(Style::Markers)
                    .width(5),
            )
            .equal_aspect()
            .legend(SeriesLabelPosition::LowerLeft)
    };
    let contours = [
        panel(
            "Raw features, gradient descent",
            &raw,
            &runs[0].1,
            1,
            "w_area",
            "w_age",
        ),
        panel(
            "Raw features, AdaGrad",
            &raw,
            &runs[1].1,
            3,
            "w_area",
            "w_age",
        ),
        panel(
            "Standardised, gradient descent",
            &standardised,
            &runs[2].1,
            2,
            "w_area (standardised)",
            "w_age (standardised)",
        ),
    ];
    figures.save_charts(
        "contours",
        &format!("Loss contours of linear regression and {STEPS} steps of three methods"),
        (1500, 560),
        3,
        &contours,
        "raw features zig-zag and crawl; AdaGrad and standardising go straight",
    )?;

    let names = ["area (1000 sq ft)", "age (decades)"];
    let bars = Chart::new(
        "|dL/dw_i| at w = 0: (y_hat - y) x_i scales with x_i",
        Axis::categories("feature", &names),
        Axis::linear("|dL/dw_i|"),
    )
    .with_all(grouped_bars(&[
        (
            "raw",
            1,
            &g_raw.data().iter().map(|g| g.abs()).collect::<Vec<_>>(),
        ),
        (
            "standardised",
            2,
            &g_std.data().iter().map(|g| g.abs()).collect::<Vec<_>>(),
        ),
    ]))
    .legend(SeriesLabelPosition::UpperLeft);
    let mut progress = Chart::new(
        "Loss above its minimum, per step",
        Axis::linear("step"),
        Axis::log("loss - minimum loss"),
    )
    .legend(SeriesLabelPosition::LowerRight);
    for (i, (name, path)) in runs.iter().enumerate() {
        let minimum = if i < 2 {
            raw.min_value
        } else {
            standardised.min_value
        };
        let points = path
            .iter()
            .enumerate()
            .map(|(t, (loss, _))| (t as f64, loss - minimum))
            // Below about 1e-14 the difference is rounding, not progress.
            .take_while(|&(_, gap)| gap > 1e-14)
            .collect();
        progress = progress.with(Series::new(name, [1, 3, 2][i], points).style(Style::LineMarkers));
    }
    figures.save_charts(
        "gradients",
        "One learning rate for features of different scales",
        (1200, 520),
        2,
        &[bars, progress],
        "per-feature gradients, raw and standardised, and the loss per step",
    )?;
    Ok(())
}
