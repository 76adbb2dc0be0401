//! The lecture's running example: will a house sell above its asking price, below it, or
//! not at all, given its size, age, square footage and price?
//!
//! ```text
//! cargo run --release --example house_sales
//! ```
//!
//! Classification, not regression: the three outcomes have no order, and the model gives
//! a probability to each ("70% above, 25% below, 5% not sold"). Labels are one-hot,
//! `y = (1, 0, 0)` for "above". The model is softmax regression with `d = 4` features
//! and `k = 3` classes:
//!
//! ```text
//! o = W x + b,   W in R^{3x4}, b in R^3,   p = softmax(o),   L = -ln p_y = -sum_j y_j ln p_j
//! dL/do = p - y,   dL/dW = (p - y) x^T,   dL/db = p - y
//! ```
//!
//! The data are made up by a documented rule, with realistic units (below, [`house`]).
//! We print one house, its one-hot label, the predicted probabilities and the loss, and
//! `dL/dW = (p - y) x^T` by hand next to the tape's. Then the closing question of the
//! lecture: `dL/dW_ij = (p_i - y_i) x_j` is proportional to feature `j`, so the price
//! column (hundreds of thousands of dollars) gets a gradient 100,000 times that of the
//! number of rooms, and one learning rate cannot suit both. Gradient descent on the raw
//! features must take steps small enough for the price weights and so barely moves the
//! others; on standardised features (each column shifted and scaled to mean 0, standard
//! deviation 1) the same descent learns the rule.

mod common;

use common::figures::Figures;
use common::plot::{grouped_bars, Axis, Chart, Series, Style};
use nn::functions::{cross_entropy, softmax};
use nn::models::SoftmaxRegression;
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::TrainConfig;
use plotters::prelude::SeriesLabelPosition;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tape::{Tape, Tensor};

const FEATURES: [&str; 4] = ["size", "age", "square_feet", "price"];
const UNITS: [&str; 4] = ["rooms", "years", "sq ft", "$"];
const CLASSES: [&str; 3] = ["above asking", "below asking", "not sold"];
const HOUSES: usize = 600;
const STEPS: usize = 500;

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// One house and its outcome, by this rule:
///
/// - size: 1 to 6 rooms, uniformly;
/// - square feet: 350 + 400 per room, give or take 150;
/// - age: 0 to 100 years, uniformly;
/// - its worth: $60,000 + $120 per square foot + $15,000 per room - $1,200 per year of age;
/// - asking price: the worth, mispriced by a factor `e^N(0, 0.15)`;
/// - outcome: with `r = ln(worth / price)` plus noise `N(0, 0.04)`, a bargain
///   (`r > 0.05`) sells above asking, an overpriced house (`r < -0.12`) does not sell,
///   and the rest sell below asking.
fn house(rng: &mut StdRng) -> ([f64; 4], usize) {
    let rooms = rng.random_range(1..=6) as f64;
    let square_feet = (350.0 + 400.0 * rooms + 150.0 * normal(rng))
        .max(300.0)
        .round();
    let age = (100.0 * rng.random::<f64>()).round();
    let worth = 60_000.0 + 120.0 * square_feet + 15_000.0 * rooms - 1_200.0 * age;
    let price = (worth * (0.15 * normal(rng)).exp() / 1000.0).round() * 1000.0;
    let r = (worth / price).ln() + 0.04 * normal(rng);
    let outcome = if r > 0.05 {
        0
    } else if r < -0.12 {
        2
    } else {
        1
    };
    ([rooms, age, square_feet, price], outcome)
}

fn houses(n: usize, seed: u64) -> data::Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut features, mut labels) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let (x, y) = house(&mut rng);
        features.extend(x.iter().map(|&v| v as f32));
        labels.push(y);
    }
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    data::Dataset::new(features, 4, labels, names(&FEATURES), names(&CLASSES))
        .expect("the rule makes a valid data set")
}

/// `dL/dW` of the mean cross-entropy over the rows of `x` at `W = 0, b = 0`, per feature:
/// the root mean square over the three classes of column `j`.
fn gradient_per_feature(ds: &data::Dataset) -> [f64; 4] {
    let tape = Tape::<f64>::new();
    let w = tape.var(&Tensor::zeros(&[3, 4]));
    let b = tape.var(&Tensor::zeros(&[3]));
    let rows: Vec<f64> = ds.features().iter().map(|&v| v as f64).collect();
    let x = tape.constant_from_slice(&rows, &[ds.len(), 4]);
    let grads = cross_entropy(x.matmul(w.t()) + b, ds.labels()).backward();
    let g = grads.wrt(w);
    std::array::from_fn(|j| ((0..3).map(|i| g[i * 4 + j].powi(2)).sum::<f64>() / 3.0).sqrt())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("house_sales")?;
    let all = houses(HOUSES, 11);
    let (train, test) = data::train_test_split_stratified(&all, 0.25, 0);
    let counts = all.class_counts();
    println!(
        "{HOUSES} houses made up by the documented rule: {} above asking, {} below, {} not sold",
        counts[0], counts[1], counts[2]
    );
    println!("features x in R^4 and their units:");
    let stds = data::Standardizer::fit(&train);
    for j in 0..4 {
        println!(
            "  x_{j} {:<12} {:<8} mean {:>9.0}  std {:>8.0}",
            FEATURES[j],
            format!("({})", UNITS[j]),
            stds.means()[j],
            stds.stds()[j]
        );
    }

    // 1. One house through the model, by hand and on the tape.
    let model = {
        let mut model = SoftmaxRegression::<f64>::for_dataset(&train);
        let config = TrainConfig {
            epochs: STEPS,
            sampling: Sampling::FullBatch,
            schedule: Schedule::Constant { rate: 0.5 },
            ..TrainConfig::default()
        };
        model.fit(&train, None, &config)?;
        model
    };
    let shown = (0..test.len())
        .find(|&i| test.row(i)[0] >= 3.0)
        .expect("a house of 3 rooms or more");
    let (house_x, label) = (test.row(shown), test.labels()[shown]);
    let x: Vec<f64> = house_x.iter().map(|&v| v as f64).collect();
    let y = Tensor::<f64>::one_hot(&[label], 3);
    println!(
        "\na test house: size {} rooms, age {} years, {} square feet, asking price ${}",
        x[0], x[1], x[2], x[3]
    );
    println!("its one-hot label y = {:?} ({})", y.data(), CLASSES[label]);
    // The trained model works on standardised features; its W and b act on those.
    let mut z: Vec<f32> = house_x.to_vec();
    model
        .standardizer()
        .expect("trained with standardisation")
        .transform_row(&mut z);
    let z: Vec<f64> = z.iter().map(|&v| v as f64).collect();
    let tape = Tape::<f64>::new();
    let w = tape.var(&model.linear().weight);
    let b = tape.var(&model.linear().bias);
    let xz = tape.constant_from_slice(&z, &[1, 4]);
    let o = xz.matmul(w.t()) + b;
    let p = softmax(o, -1).value().into_vec();
    let loss = cross_entropy(o, &[label]);
    let grads = loss.backward();
    println!("W is {:?}, b is {:?}; o = W x + b", w.shape(), b.shape());
    println!("prediction p = softmax(o):");
    for (class, prob) in CLASSES.iter().zip(&p) {
        println!("  {class:<13} {:>5.1}%", 100.0 * prob);
    }
    println!("loss -ln p_y = {:.4}", loss.item());
    let tape_dw = grads.wrt(w);
    println!("\ndL/dW = (p - y) x^T (x standardised), by hand | from the tape:");
    let mut worst = 0.0f64;
    for i in 0..3 {
        let by_hand: Vec<f64> = (0..4).map(|j| (p[i] - y.data()[i]) * z[j]).collect();
        let row = &tape_dw[i * 4..(i + 1) * 4];
        worst = by_hand
            .iter()
            .zip(row)
            .fold(worst, |m, (a, b)| m.max((a - b).abs()));
        let show = |v: &[f64]| {
            v.iter()
                .map(|g| format!("{g:>8.4}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!("  {} | {}", show(&by_hand), show(row));
    }
    println!("  largest difference {worst:.1e}");
    assert!(
        worst < 1e-12,
        "dL/dW by hand and by the tape differ by {worst}"
    );
    assert!(
        (p.iter().sum::<f64>() - 1.0).abs() < 1e-12 && (loss.item() + p[label].ln()).abs() < 1e-12
    );

    // 2. The closing question: the gradient is proportional to each feature.
    let raw = gradient_per_feature(&train);
    let standardised = gradient_per_feature(&stds.transform(&train));
    println!("\n|dL/dW| per feature column at W = 0 (rms over the 3 classes):");
    println!("  {:<12} {:>12} {:>14}", "feature", "raw", "standardised");
    for j in 0..4 {
        println!(
            "  {:<12} {:>12.3e} {:>14.3}",
            FEATURES[j], raw[j], standardised[j]
        );
    }
    let dominance = raw[3] / raw[0];
    println!(
        "  raw: the price column's gradient is {dominance:.0e} times the size column's: one\n  \
         learning rate is either far too large for the price weights or far too small for the rest"
    );
    assert!(dominance > 1e4, "price dominates by only {dominance}");
    let spread = standardised.iter().cloned().fold(0.0, f64::max)
        / standardised.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(
        spread < 100.0,
        "standardised gradients still differ by {spread}"
    );

    // 3. Train both ways: full-batch gradient descent, the best rate for each.
    // On raw features the curvature along the price weights is about mean(price^2) / 2
    // ~ 4e10, so descent is stable only for eta < 2 / 4e10 = 5e-11.
    println!(
        "\nfull-batch gradient descent, {STEPS} steps (raw: stable only for eta below about 5e-11):"
    );
    println!(
        "  {:<38} {:>10} {:>10} {:>9}",
        "features, learning rate", "train loss", "train acc", "test acc"
    );
    let mut curves = Vec::new();
    let mut accuracies = Vec::new();
    for (name, standardize, rate) in [
        ("raw, eta 3e-11", false, 3e-11),
        ("raw, eta 1e-10: too large, oscillates", false, 1e-10),
        ("standardised, eta 1", true, 1.0),
    ] {
        let config = TrainConfig {
            epochs: STEPS,
            sampling: Sampling::FullBatch,
            schedule: Schedule::Constant { rate },
            standardize,
            ..TrainConfig::default()
        };
        let mut model = SoftmaxRegression::<f64>::for_dataset(&train);
        match model.fit(&train, None, &config) {
            Ok(history) => {
                let last = history.last().expect("trained");
                let accuracy = model.score(&test)?;
                println!(
                    "  {name:<38} {:>10.4} {:>10.3} {accuracy:>9.3}",
                    last.train_loss, last.train_metric
                );
                let mut points = vec![(0.0, 3f64.ln())];
                points.extend(
                    history
                        .epochs
                        .iter()
                        .map(|r| (r.epoch as f64, r.train_loss)),
                );
                curves.push((name, points));
                accuracies.push(accuracy);
            }
            Err(e) => {
                println!("  {name:<38} diverged: {e}");
                accuracies.push(0.0);
            }
        }
    }
    // The raw runs barely learn; standardised features learn the rule.
    let raw_best = accuracies[0].max(accuracies[1]);
    assert!(
        accuracies[2] > 0.8 && accuracies[2] > raw_best + 0.15,
        "accuracies {accuracies:?}"
    );

    // Figures.
    let mut scatter = Chart::new(
        "Asking price against floor area, by outcome",
        Axis::linear("floor area (square feet)"),
        Axis::linear("asking price (thousands of $)"),
    )
    .legend(SeriesLabelPosition::UpperLeft);
    for (class, name) in CLASSES.iter().enumerate() {
        let points = all
            .iter()
            .filter(|(_, y)| *y == class)
            .map(|(x, _)| (x[2] as f64, x[3] as f64 / 1000.0))
            .collect();
        scatter = scatter.with(Series::new(name, class, points).style(Style::Markers));
    }
    figures.save_chart(
        "data",
        (900, 600),
        scatter,
        "the made-up houses: price against area, coloured by outcome",
    )?;

    let names: Vec<String> = (0..4)
        .map(|j| format!("{} ({})", FEATURES[j], UNITS[j]))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let gradient = Chart::new(
        "Gradient per feature column at W = 0: dL/dW_ij = (p_i - y_i) x_j",
        Axis::categories("feature", &names),
        Axis::log("|dL/dW| (rms over classes)"),
    )
    .with_all(grouped_bars(&[
        ("raw features", 1, &raw),
        ("standardised features", 0, &standardised),
    ]))
    .legend(SeriesLabelPosition::UpperLeft);
    figures.save_chart(
        "gradient",
        (900, 560),
        gradient,
        "the price column dominates the raw gradient; standardised, all are alike",
    )?;

    let mut training = Chart::new(
        "Full-batch gradient descent on raw and standardised features",
        Axis::linear("step"),
        Axis::linear("training loss (mean cross-entropy)"),
    )
    .note(
        STEPS as f64 * 0.55,
        3f64.ln() + 0.02,
        "ln 3: the loss at W = 0",
    );
    for (i, (name, points)) in curves.into_iter().enumerate() {
        // The too-large rate flips between two losses every step: a thin line.
        let width = if i == 1 { 1 } else { 2 };
        training = training.with(Series::new(name, [1, 3, 0][i], points).width(width));
    }
    training = training.with(
        Series::new("", 6, vec![(0.0, 3f64.ln()), (STEPS as f64, 3f64.ln())])
            .style(Style::Dashed)
            .width(1),
    );
    figures.save_chart(
        "training",
        (900, 560),
        training.legend(SeriesLabelPosition::LowerLeft),
        "raw features barely learn at any stable rate; standardised ones do",
    )?;
    Ok(())
}
