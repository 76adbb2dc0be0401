//! Per-parameter learning rates: AdaGrad, RMSProp and Adam against SGD and momentum.
//!
//! ```text
//! cargo run --release --example adaptive_learning_rates
//! ```
//!
//! Gradient descent uses one learning rate for every coordinate. On the ill-conditioned
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

use nn::models::SoftmaxRegression;
use nn::optim::{AdaGrad, Adam, Optimizer, OptimizerConfig, RmsProp, Sgd};
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::TrainConfig;
use tape::{Tape, Tensor, Var};

const CURVATURE: [f64; 2] = [100.0, 1.0];
const MAX_STEPS: usize = 2000;
const TARGET: f64 = 1e-6;

/// `f(w) = 0.5 sum_i c_i w_i^2`, recorded on w's tape.
fn quadratic<'t>(w: Var<'t, f64>) -> Var<'t, f64> {
    let c = w.tape().constant_from_slice(&CURVATURE, &[2]);
    (c * w * w).sum() * 0.5
}

/// Runs an optimizer from w = (1, 1); returns the steps to reach f < TARGET (if it
/// does within MAX_STEPS) and the iterates.
fn minimise(optimizer: &mut dyn Optimizer<f64>, eta: f64) -> (Option<usize>, Vec<[f64; 2]>) {
    let mut w = Tensor::from_vec(vec![1.0, 1.0], &[2]);
    let mut path = vec![[1.0, 1.0]];
    let mut tape = Tape::new();
    for step in 0..MAX_STEPS {
        tape.clear();
        let var = tape.var(&w);
        let f = quadratic(var);
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
    println!("f(w) = 0.5 (100 w0^2 + w1^2) from w = (1, 1); steps until f < {TARGET:e}\n");
    println!(
        "{:<22} {:>6} {:>8} {:>22} {:>12}",
        "optimizer", "eta", "steps", "w after 10 steps", "path length"
    );
    // Each at a learning rate near its best on this problem.
    let runs: Vec<(&str, f64, Box<dyn Optimizer<f64>>)> = vec![
        ("SGD", 0.019, Box::new(Sgd::new())),
        (
            "SGD + momentum 0.9",
            0.01,
            Box::new(Sgd::with_momentum(0.9)),
        ),
        ("AdaGrad", 0.5, Box::new(AdaGrad::new())),
        ("RMSProp", 0.03, Box::new(RmsProp::new())),
        ("Adam", 0.1, Box::new(Adam::new())),
    ];
    let mut results = Vec::new();
    for (name, eta, mut optimizer) in runs {
        let (reached, path) = minimise(optimizer.as_mut(), eta);
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
    // SGD's rate is capped by the stiff coordinate: just above 2/100, w0 is multiplied
    // by |1 - 100 eta| > 1 every step and the iterates blow up.
    let (_, blown) = minimise(&mut Sgd::new(), 0.021);
    let [w0, w1] = blown[MAX_STEPS];
    println!(
        "SGD at eta 0.021 > 2/100 diverges: after {MAX_STEPS} steps f = {:.2e}",
        0.5 * (CURVATURE[0] * w0 * w0 + CURVATURE[1] * w1 * w1)
    );
    // AdaGrad's effective per-coordinate rate eta / sqrt(G_i), G_i = sum of g_i^2: since
    // g_0 = 100 w0 and g_1 = w1 with w0 = w1 all along, sqrt(G_0) = 100 sqrt(G_1).
    let mut adagrad = AdaGrad::new();
    minimise(&mut adagrad, 0.5);
    let g = adagrad.sum_of_squares(0).expect("AdaGrad has stepped");
    let rates = [0.5 / g[0].sqrt(), 0.5 / g[1].sqrt()];
    println!(
        "AdaGrad's effective rates eta/sqrt(G): w0 {:.2e}, w1 {:.2e}, a ratio of {:.1} = the curvature ratio",
        rates[0],
        rates[1],
        rates[1] / rates[0]
    );
    assert!((rates[1] / rates[0] / 100.0 - 1.0).abs() < 1e-6);
    println!(
        "\nThe adaptive methods move w0 and w1 in lockstep, along the diagonal w0 = w1: the\n\
         curvature cancels in g / sqrt(g^2). AdaGrad and RMSProp go straight in (path length\n\
         sqrt(2) = 1.414); Adam's momentum overshoots and comes back; SGD zigzags in w0."
    );

    // Claims: every adaptive method beats plain SGD, and moves the two coordinates
    // identically (both start at 1), whatever their curvature.
    let sgd_steps = results[0].1;
    assert!(sgd_steps < MAX_STEPS && w0.abs() > 1e3);
    for (name, steps, path) in &results[2..] {
        assert!(*steps < sgd_steps, "{name} took {steps} steps");
        for w in &path[..10] {
            assert!((w[0] - w[1]).abs() <= 1e-6 * w[1].abs(), "{name}: {w:?}");
        }
    }

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
