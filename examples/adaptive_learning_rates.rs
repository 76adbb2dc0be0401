//! Per-parameter learning rates: AdaGrad, RMSProp and Adam against plain gradient descent
//! and momentum.
//!
//! ```text
//! cargo run --release --example adaptive_learning_rates
//! ```
//!
//! Gradient descent uses one learning rate for every coordinate. (On the quadratic the
//! gradient is exact, so this is deterministic gradient descent, not SGD; `nn::optim::Sgd`
//! is the update rule `w <- w - eta g`, whatever the gradient is computed on.) On the ill-conditioned
//! quadratic `f(w) = 0.5 (100 w0^2 + w1^2)` that is a bad compromise: the stiff
//! coordinate `w0` (curvature 100) diverges unless `eta < 2/100`, and at such a rate the
//! flat coordinate `w1` (curvature 1) shrinks by only `1 - eta ~ 0.98` per step.
//!
//! AdaGrad divides each coordinate's step by the root of its accumulated squared
//! gradients: `w_i <- w_i - eta g_i / sqrt(sum_s g_i(s)^2)`. Here `g_i = c_i w_i` with
//! curvature `c_i`, so `c_i` appears above and below and cancels: both coordinates move
//! as if their curvature were the same. RMSProp and Adam use running averages instead of
//! a sum, with the same effect. We minimise the quadratic with each optimizer (gradients
//! from the tape), then train on the raw wine data, whose features differ in scale by
//! 2500x (proline in the hundreds, hue around 1), where plain SGD has no learning rate
//! that suits every weight and Adam copes.
//!
//! What per-coordinate rates cannot do: they rescale the axes, so they fix
//! ill-conditioning only when the steep and flat directions *are* the axes, as they are
//! for features of different scales. Rotate the same quadratic by 30 degrees, so each
//! coordinate mixes a steep and a flat direction, and AdaGrad loses its advantage: its
//! two rates no longer match the two curvatures. (Correlated features do this; the cure
//! is a change of basis, such as whitening, or a second-order method.)
//!
//! Figure: the paths of the five optimizers over the contours of the quadratic, and of
//! gradient descent and AdaGrad on the rotated one.

mod common;

use common::contour::Quadratic;
use common::figures::Figures;
use common::plot::{Axis, Chart, Series, Style};
use nn::models::SoftmaxRegression;
use nn::optim::{AdaGrad, Adam, Optimizer, OptimizerConfig, RmsProp, Sgd};
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::TrainConfig;
use plotters::prelude::SeriesLabelPosition;
use tape::{Tape, Tensor, Var};

const CURVATURE: [f64; 2] = [100.0, 1.0];
const MAX_STEPS: usize = 2000;
const TARGET: f64 = 1e-6;

/// The axis-aligned quadratic `0.5 (100 w0^2 + w1^2)`.
const ALIGNED: [[f64; 2]; 2] = [[CURVATURE[0], 0.0], [0.0, CURVATURE[1]]];

/// The same curvatures along axes turned by `degrees`: `H = R diag(c) R^T`.
fn rotated(degrees: f64) -> [[f64; 2]; 2] {
    let (s, c) = degrees.to_radians().sin_cos();
    let [a, b] = CURVATURE;
    [
        [a * c * c + b * s * s, (a - b) * c * s],
        [(a - b) * c * s, a * s * s + b * c * c],
    ]
}

/// `f(w) = 0.5 w^T H w`, recorded on w's tape.
fn quadratic<'t>(w: Var<'t, f64>, hessian: &[[f64; 2]; 2]) -> Var<'t, f64> {
    let h = w.tape().constant_from_slice(&hessian.concat(), &[2, 2]);
    (w.reshape(&[1, 2]).matmul(h).reshape(&[2]) * w).sum() * 0.5
}

/// `R(degrees) w`: a point turned with the quadratic.
fn rotate(degrees: f64, w: [f64; 2]) -> [f64; 2] {
    let (s, c) = degrees.to_radians().sin_cos();
    [c * w[0] - s * w[1], s * w[0] + c * w[1]]
}

/// [`minimise_from`] w = (1, 1).
fn minimise(
    optimizer: &mut dyn Optimizer<f64>,
    eta: f64,
    hessian: &[[f64; 2]; 2],
) -> (Option<usize>, Vec<[f64; 2]>) {
    minimise_from(optimizer, eta, hessian, [1.0, 1.0])
}

/// Runs an optimizer on `0.5 w^T H w` from `start`; returns the steps to reach
/// f < TARGET (if it does within MAX_STEPS) and the iterates.
fn minimise_from(
    optimizer: &mut dyn Optimizer<f64>,
    eta: f64,
    hessian: &[[f64; 2]; 2],
    start: [f64; 2],
) -> (Option<usize>, Vec<[f64; 2]>) {
    let mut w = Tensor::from_vec(start.to_vec(), &[2]);
    let mut path = vec![start];
    let mut tape = Tape::new();
    for step in 0..MAX_STEPS {
        tape.clear();
        let var = tape.var(&w);
        let f = quadratic(var, hessian);
        if f.item() < TARGET {
            return (Some(step), path);
        }
        let grads = f.backward();
        optimizer.step(&mut [&mut w], &[grads.wrt(var)], eta);
        path.push([w.data()[0], w.data()[1]]);
    }
    (None, path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("adaptive_learning_rates")?;
    println!("f(w) = 0.5 (100 w0^2 + w1^2) from w = (1, 1); steps until f < {TARGET:e}\n");
    println!(
        "{:<22} {:>6} {:>8} {:>22} {:>12}",
        "optimizer", "eta", "steps", "w after 10 steps", "path length"
    );
    // Each at a learning rate near its best on this problem.
    let runs: Vec<(&str, f64, Box<dyn Optimizer<f64>>)> = vec![
        ("gradient descent", 0.019, Box::new(Sgd::new())),
        ("momentum 0.9", 0.01, Box::new(Sgd::with_momentum(0.9))),
        ("AdaGrad", 0.5, Box::new(AdaGrad::new())),
        ("RMSProp", 0.03, Box::new(RmsProp::new())),
        ("Adam", 0.1, Box::new(Adam::new())),
    ];
    let mut results = Vec::new();
    for (name, eta, mut optimizer) in runs {
        let (reached, path) = minimise(optimizer.as_mut(), eta, &ALIGNED);
        let w10 = path[10.min(path.len() - 1)];
        let length: f64 = path
            .windows(2)
            .map(|p| ((p[1][0] - p[0][0]).powi(2) + (p[1][1] - p[0][1]).powi(2)).sqrt())
            .sum();
        let shown = reached.map_or(format!(">{MAX_STEPS}"), |s| s.to_string());
        println!(
            "{name:<22} {eta:>6} {shown:>8} {:>22} {length:>12.3}",
            format!("({:+.4}, {:+.4})", w10[0], w10[1])
        );
        results.push((name, reached.unwrap_or(usize::MAX), path));
    }
    // Gradient descent's rate is capped by the stiff coordinate: just above 2/100, w0 is
    // multiplied by |1 - 100 eta| > 1 every step and the iterates blow up.
    let (_, blown) = minimise(&mut Sgd::new(), 0.021, &ALIGNED);
    let [w0, w1] = blown[MAX_STEPS];
    println!(
        "gradient descent at eta 0.021 > 2/100 diverges: after {MAX_STEPS} steps f = {:.2e}",
        0.5 * (CURVATURE[0] * w0 * w0 + CURVATURE[1] * w1 * w1)
    );
    // AdaGrad's effective per-coordinate rate eta / sqrt(G_i), G_i = sum of g_i^2: since
    // g_0 = 100 w0 and g_1 = w1 with w0 = w1 all along, sqrt(G_0) = 100 sqrt(G_1).
    let mut adagrad = AdaGrad::new();
    minimise(&mut adagrad, 0.5, &ALIGNED);
    let g = adagrad.sum_of_squares(0).expect("AdaGrad has stepped");
    let rates = [0.5 / g[0].sqrt(), 0.5 / g[1].sqrt()];
    println!(
        "AdaGrad's effective rates eta/sqrt(G): w0 {:.1e}, w1 {:.1e}, a ratio of {:.1} = the curvature ratio",
        rates[0],
        rates[1],
        rates[1] / rates[0]
    );
    assert!((rates[1] / rates[0] / 100.0 - 1.0).abs() < 1e-6);
    println!(
        "\nThe adaptive methods move w0 and w1 in lockstep, along the diagonal w0 = w1: the\n\
         curvature cancels in g / sqrt(g^2). AdaGrad and RMSProp go straight in (path length\n\
         sqrt(2) = 1.414); Adam's momentum overshoots and comes back; gradient descent zigzags in w0."
    );

    // Claims: every adaptive method beats plain gradient descent, and moves the two coordinates
    // identically (both start at 1), whatever their curvature.
    let sgd_steps = results[0].1;
    assert!(sgd_steps < MAX_STEPS && w0.abs() > 1e3);
    for (name, steps, path) in &results[2..] {
        assert!(*steps < sgd_steps, "{name} took {steps} steps");
        for w in &path[..10] {
            assert!((w[0] - w[1]).abs() <= 1e-6 * w[1].abs(), "{name}: {w:?}");
        }
    }

    // The whole problem turned by 30 degrees (the quadratic and the start alike): each
    // coordinate now mixes the steep and the flat direction. Gradient descent does not
    // notice, a rotation changes nothing it sees; AdaGrad's per-coordinate rates can no
    // longer match the two curvatures.
    let turned = rotated(30.0);
    let start = rotate(30.0, [1.0, 1.0]);
    println!(
        "\nthe same problem turned by 30 degrees, from ({:.3}, {:.3}); steps until f < {TARGET:e}:",
        start[0], start[1]
    );
    let (gd_turned, gd_path) = minimise_from(&mut Sgd::new(), 0.019, &turned, start);
    let gd_turned = gd_turned.unwrap_or(usize::MAX);
    let mut ada_best = (usize::MAX, Vec::new(), 0.0);
    for eta in [0.05, 0.1, 0.2, 0.5, 1.0] {
        let (steps, path) = minimise_from(&mut AdaGrad::new(), eta, &turned, start);
        if steps.unwrap_or(usize::MAX) < ada_best.0 {
            ada_best = (steps.unwrap_or(usize::MAX), path, eta);
        }
    }
    let (ada_turned, ada_path, ada_eta) = ada_best;
    let shown = |s: usize| {
        if s == usize::MAX {
            format!(">{MAX_STEPS}")
        } else {
            s.to_string()
        }
    };
    println!(
        "  gradient descent, eta 0.019: {} steps (unturned: {})",
        shown(gd_turned),
        results[0].1
    );
    println!(
        "  AdaGrad, best eta of 0.05 to 1 ({ada_eta}): {} steps (unturned: {})",
        shown(ada_turned),
        results[2].1
    );
    println!(
        "  per-coordinate rates fix only axis-aligned ill-conditioning (features of different\n  \
         scales), not a steep direction that runs across the axes (correlated features)"
    );
    assert!(
        gd_turned.abs_diff(results[0].1) <= 1,
        "rotation changed gradient descent"
    );
    assert!(
        ada_turned > 5 * results[2].1,
        "AdaGrad on the rotated quadratic: {ada_turned} steps"
    );

    // Figure: the paths over the contours.
    let contours = |hessian: [[f64; 2]; 2]| {
        let bowl = Quadratic {
            hessian,
            minimum: [0.0, 0.0],
            min_value: 0.0,
        };
        // The largest contour reaches 1.3 along the flat direction (curvature 1).
        let top = 0.5 * 1.3f64.powi(2) * CURVATURE[1];
        bowl.contours(&bowl.geometric_levels(top / 1000.0, top, 8))
    };
    let path_series = |name: &str, color: usize, path: &[[f64; 2]]| {
        let points = path.iter().take(60).map(|w| (w[0], w[1])).collect();
        Series::new(name, color, points)
            .style(Style::LineMarkers)
            .width(2)
    };
    let mut aligned = Chart::new(
        "0.5 (100 w0^2 + w1^2): curvatures along the axes",
        Axis::linear("w0").range(-1.4..1.4),
        Axis::linear("w1").range(-0.6..1.6),
    )
    .with_all(contours(ALIGNED))
    .equal_aspect()
    .legend(SeriesLabelPosition::LowerRight);
    for (i, (name, _, path)) in results.iter().enumerate() {
        aligned = aligned.with(path_series(name, i, path));
    }
    let across = Chart::new(
        "The same problem turned by 30 degrees",
        Axis::linear("w0").range(-1.4..1.4),
        Axis::linear("w1").range(-0.6..1.6),
    )
    .with_all(contours(turned))
    .with(path_series("gradient descent", 0, &gd_path))
    .with(path_series("AdaGrad", 2, &ada_path))
    .equal_aspect()
    .legend(SeriesLabelPosition::LowerRight);
    figures.save_charts(
        "paths",
        "First 60 steps of each optimizer (minimum at 0)",
        (1300, 600),
        2,
        &[aligned, across],
        "optimizer paths on an axis-aligned and a rotated ill-conditioned quadratic",
    )?;

    // A real set: raw wine features. A gradient component is proportional to its
    // feature's scale, so one rate is too large for proline or too small for the phenols.
    let wine = data::bundled::wine();
    let (train, test) = data::train_test_split_stratified(&wine, 0.25, 0);
    let stds = data::Standardizer::fit(&train).stds().to_vec();
    let names = train.feature_names();
    let (lo, hi) = (argmin(&stds, |s| s), argmin(&stds, |s| -s));
    println!(
        "\nraw wine: feature std from {:.3} ({}) to {:.1} ({}), a ratio of {:.0}",
        stds[lo],
        names[lo],
        stds[hi],
        names[hi],
        stds[hi] / stds[lo]
    );
    println!(
        "{:<28} {:>10} {:>10} {:>9}",
        "100 epochs, batches of 32", "train loss", "train acc", "test acc"
    );
    let fit = |optimizer: OptimizerConfig, eta: f64, standardize: bool| {
        let config = TrainConfig {
            epochs: 100,
            sampling: Sampling::Minibatch { batch_size: 32 },
            schedule: Schedule::Constant { rate: eta },
            optimizer,
            standardize,
            seed: 0,
            ..TrainConfig::default()
        };
        let mut model = SoftmaxRegression::<f64>::for_dataset(&train);
        let last = model
            .fit(&train, None, &config)?
            .last()
            .cloned()
            .expect("trained");
        Ok::<_, Box<dyn std::error::Error>>((
            last.train_loss,
            last.train_metric,
            model.score(&test)?,
        ))
    };
    let mut sgd_best = 0.0f64;
    for eta in [1e-3, 1e-4, 1e-5, 1e-6] {
        let (loss, train_acc, test_acc) = fit(OptimizerConfig::sgd(), eta, false)?;
        println!(
            "{:<28} {loss:>10.4} {train_acc:>10.4} {test_acc:>9.4}",
            format!("SGD  eta {eta:e}")
        );
        sgd_best = sgd_best.max(test_acc);
    }
    let (loss, train_acc, adam) = fit(OptimizerConfig::adam(), 1e-2, false)?;
    println!(
        "{:<28} {loss:>10.4} {train_acc:>10.4} {adam:>9.4}",
        "Adam eta 1e-2"
    );
    let (loss, train_acc, reference) = fit(OptimizerConfig::sgd(), 0.1, true)?;
    println!(
        "{:<28} {loss:>10.4} {train_acc:>10.4} {reference:>9.4}",
        "(SGD eta 0.1, standardised)"
    );
    // Adam on raw features gets close to SGD on standardised ones; raw SGD does not.
    assert!(
        adam > 0.9 && adam > sgd_best + 0.1,
        "Adam {adam}, best SGD {sgd_best}"
    );
    Ok(())
}

/// Index of the smallest `key(x)`.
fn argmin(xs: &[f64], key: impl Fn(f64) -> f64) -> usize {
    (0..xs.len())
        .min_by(|&a, &b| key(xs[a]).total_cmp(&key(xs[b])))
        .expect("not empty")
}
