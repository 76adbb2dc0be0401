//! From probabilities to the loss: softmax, its properties, and maximum likelihood, whose
//! negative log is the cross-entropy.
//!
//! ```text
//! cargo run --release --example maximum_likelihood
//! ```
//!
//! Regression predicts a number; classification predicts one of `k` unordered classes, as
//! a probability per class ("93% cat, 7% dog"). Softmax turns any real scores (logits)
//! `o` into such probabilities, `p_j = e^{o_j} / sum_u e^{o_u}`, with three properties:
//! every `p_j` lies in `[0, 1]`, they sum to 1, and the most probable class is the one
//! with the largest logit, `argmax(o) = argmax(softmax(o))` (the exponential is
//! increasing and the denominator is shared), so predicting needs no softmax at all.
//!
//! Maximum likelihood: choose the weights that make the observed labels most probable,
//! `P(Y | X) = prod_i p(y_i | x_i)`. A product of thousands of probabilities underflows,
//! and the log turns it into a sum; maximising it is minimising
//!
//! ```text
//! -ln P(Y | X) = sum_i -ln p(y_i | x_i) = sum_i -sum_j y_ij ln p_ij,
//! ```
//!
//! the cross-entropy between the one-hot labels and the predictions. At `W = 0` every
//! class gets `1/k`, so the loss starts at `ln k`: a check worth making on any new model.

mod common;

use common::figures::Figures;
use common::plot::{grouped_bars, Axis, Chart, Series, Style};
use nn::functions::{cross_entropy, softmax};
use nn::models::SoftmaxRegression;
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::TrainConfig;
use plotters::prelude::SeriesLabelPosition;
use tape::{Tape, Tensor};

/// Softmax of one row of logits, on the tape.
fn probabilities(logits: &[f64]) -> Vec<f64> {
    let tape = Tape::<f64>::new();
    let o = tape.constant_from_slice(logits, &[1, logits.len()]);
    softmax(o, -1).value().into_vec()
}

fn argmax(xs: &[f64]) -> usize {
    (0..xs.len())
        .max_by(|&a, &b| xs[a].total_cmp(&xs[b]))
        .expect("not empty")
}

/// Mean cross-entropy of the linear model `(W, b)` (scaled by `s`) on standardised rows.
fn mean_loss(x: &Tensor<f64>, labels: &[usize], w: &Tensor<f64>, b: &Tensor<f64>, s: f64) -> f64 {
    let tape = Tape::<f64>::new();
    let o = tape.constant(x).matmul(tape.constant(w).t()) + tape.constant(b);
    cross_entropy(o * s, labels).item()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("maximum_likelihood")?;

    // 1. "93% cat, 7% dog": two logits 2.6 apart.
    let p = probabilities(&[2.6, 0.0]);
    println!(
        "logits (cat 2.6, dog 0.0) -> softmax: cat {:.0}%, dog {:.0}%",
        100.0 * p[0],
        100.0 * p[1]
    );
    assert_eq!(
        ((100.0 * p[0]).round(), (100.0 * p[1]).round()),
        (93.0, 7.0)
    );

    // 2. The properties, on many random logit vectors, some of them huge.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut checked = 0;
    for trial in 0..1000 {
        let k = 2 + trial % 9;
        let scale = [1.0, 10.0, 1000.0][trial % 3];
        let o: Vec<f64> = (0..k).map(|_| scale * (2.0 * uniform() - 1.0)).collect();
        let p = probabilities(&o);
        assert!(p.iter().all(|&v| (0.0..=1.0).contains(&v)), "{p:?}");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{p:?}");
        assert_eq!(argmax(&o), argmax(&p), "{o:?}");
        // Adding a constant to every logit changes nothing.
        let shifted = probabilities(&o.iter().map(|v| v + 5.0).collect::<Vec<_>>());
        assert!(p.iter().zip(&shifted).all(|(a, b)| (a - b).abs() < 1e-12));
        checked += 1;
    }
    println!(
        "{checked} random logit vectors (2 to 10 classes, logits up to ±1000): every p_j in [0, 1], \
         sum 1 to 1e-12, argmax(o) = argmax(softmax(o)), softmax(o + c) = softmax(o)"
    );

    // 3. Likelihood and its log on iris, at W = 0 and after training.
    let iris = data::bundled::iris();
    let n = iris.len();
    let standardizer = data::Standardizer::fit(&iris);
    let x = Tensor::from_vec(
        standardizer
            .transform(&iris)
            .features()
            .iter()
            .map(|&v| v as f64)
            .collect(),
        &[n, 4],
    );
    let mut model = SoftmaxRegression::<f64>::for_dataset(&iris);
    let config = TrainConfig {
        epochs: 3000,
        sampling: Sampling::FullBatch,
        schedule: Schedule::Constant { rate: 1.0 },
        ..TrainConfig::default()
    };
    model.fit(&iris, None, &config)?;
    let (w, b) = (&model.linear().weight, &model.linear().bias);
    let zeros = (Tensor::zeros(&[3, 4]), Tensor::zeros(&[3]));
    println!("\niris, {n} flowers, k = 3 classes:");
    println!(
        "{:<18} {:>24} {:>16} {:>22}",
        "weights", "likelihood prod_i p(y_i)", "-ln likelihood", "n x mean cross-entropy"
    );
    for (name, w, b) in [("W = 0", &zeros.0, &zeros.1), ("after training", w, b)] {
        let probs = {
            let tape = Tape::<f64>::new();
            let o = tape.constant(&x).matmul(tape.constant(w).t()) + tape.constant(b);
            softmax(o, -1).value()
        };
        let picked: Vec<f64> = iris
            .labels()
            .iter()
            .enumerate()
            .map(|(i, &y)| probs.data()[i * 3 + y])
            .collect();
        let likelihood: f64 = picked.iter().product();
        let nll: f64 = picked.iter().map(|p| -p.ln()).sum();
        let ce = n as f64 * mean_loss(&x, iris.labels(), w, b, 1.0);
        println!("{name:<18} {likelihood:>24.3e} {nll:>16.4} {ce:>22.4}");
        assert!((nll - ce).abs() < 1e-9 * ce.max(1.0));
        assert!((likelihood.ln() + nll).abs() < 1e-6 * nll.max(1.0));
    }

    // 4. ln k at initialisation, for several k.
    println!("\nloss at W = 0 against ln k:");
    for (name, ds) in [
        ("iris", data::bundled::iris()),
        ("wine", data::bundled::wine()),
        ("digits", data::bundled::digits()),
    ] {
        let model = SoftmaxRegression::<f64>::for_dataset(&ds);
        let loss = model.loss(&ds)?;
        let k = ds.n_classes();
        println!(
            "  {name:<7} k = {k:>2}: loss {loss:.6}, ln k = {:.6}",
            (k as f64).ln()
        );
        assert!((loss - (k as f64).ln()).abs() < 1e-9);
    }
    // The product for 1,797 digits at W = 0 is 10^-1797: zero in f64, the reason for logs.
    let underflow = (0..1797).fold(1.0f64, |p, _| p * 0.1);
    println!("  the likelihood of 1,797 digits at W = 0 is 10^-1797, which is {underflow} in f64: hence the log");
    assert_eq!(underflow, 0.0);

    // Figures: softmax as the logits scale up, and likelihood vs loss along a line.
    let logits = [1.0, 2.0, -0.5];
    let names = ["above asking", "below asking", "not sold"];
    let scales: Vec<f64> = (0..=100).map(|i| 5.0 * i as f64 / 100.0).collect();
    let mut curves: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 3];
    for &c in &scales {
        let p = probabilities(&logits.map(|o| c * o));
        for (j, curve) in curves.iter_mut().enumerate() {
            curve.push((c, p[j]));
        }
    }
    let mut scaled = Chart::new(
        "softmax(c o) for o = (1, 2, -0.5) as c grows",
        Axis::linear("scale c of the logits"),
        Axis::linear("probability").range(0.0..1.02),
    )
    .legend(SeriesLabelPosition::MiddleRight)
    .note(1.2, 0.45, "at c = 0 all three are 1/3");
    for (j, curve) in curves.into_iter().enumerate() {
        scaled = scaled.with(Series::new(names[j], j, curve));
    }
    let at_one = probabilities(&logits);
    let bars = Chart::new(
        "logits o and probabilities softmax(o)",
        Axis::categories("class", &names),
        Axis::linear("value"),
    )
    .with_all(grouped_bars(&[
        ("logit o_j", 6, &logits),
        ("probability p_j (sum 1)", 2, &at_one),
    ]))
    .legend(SeriesLabelPosition::UpperRight);
    figures.save_charts(
        "softmax",
        "Softmax: probabilities in [0, 1] that sum to 1, with the argmax of the logits",
        (1200, 520),
        2,
        &[bars, scaled],
        "logits against probabilities, and softmax of scaled logits",
    )?;

    // Along the line s W* (s = 0: W = 0), likelihood and negative log-likelihood per
    // example peak and bottom out at the same s.
    let line: Vec<(f64, f64)> = (0..=120)
        .map(|i| {
            let s = 3.0 * i as f64 / 120.0;
            (s, mean_loss(&x, iris.labels(), w, b, s))
        })
        .collect();
    let likelihood: Vec<(f64, f64)> = line
        .iter()
        .map(|&(s, l)| (s, (-(n as f64) * l).exp()))
        .collect();
    let by_value = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
    let best = *line.iter().min_by(by_value).expect("points");
    let top = *likelihood.iter().max_by(by_value).expect("points");
    assert_eq!(
        best.0, top.0,
        "the likelihood peaks where the loss bottoms out"
    );
    println!(
        "\nalong W = s W* (W* the direction training found, with logits scaled by s): likelihood highest and \
         cross-entropy lowest at the same s = {:.3}",
        best.0
    );
    let marker = |y: (f64, f64)| {
        Series::new("", 6, vec![(best.0, y.0), (best.0, y.1)])
            .style(Style::Dashed)
            .width(1)
    };
    let left = Chart::new(
        "likelihood P(Y | X) = prod_i p(y_i | x_i)",
        Axis::linear("s, the weights s W*"),
        Axis::linear("likelihood"),
    )
    .with(Series::new("likelihood", 0, likelihood))
    .with(marker((0.0, top.1)))
    .legend(SeriesLabelPosition::UpperLeft);
    let right = Chart::new(
        "-ln P(Y | X) / n = mean cross-entropy",
        Axis::linear("s, the weights s W*"),
        Axis::linear("mean cross-entropy"),
    )
    .with(Series::new("cross-entropy", 1, line))
    .with(marker((0.0, 3f64.ln())))
    .note(0.05, 3f64.ln() - 0.04, "ln 3 at W = 0")
    .legend(SeriesLabelPosition::UpperRight);
    figures.save_charts(
        "likelihood",
        "Maximum likelihood = minimum cross-entropy (iris, weights along a line)",
        (1200, 520),
        2,
        &[left, right],
        "the likelihood peaks where the cross-entropy is lowest",
    )?;
    Ok(())
}
