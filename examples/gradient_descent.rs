//! Full-batch gradient descent, SGD and minibatches, side by side on the digits.
//!
//! ```text
//! cargo run --release --example gradient_descent
//! ```
//!
//! The training loop is written out by hand so every part is visible: record the
//! parameters and a batch on the tape, record the mean cross-entropy, sweep backward, and
//! move each parameter against its gradient, `w <- w - eta g`. The only thing that
//! changes between the regimes is which examples a step sees (`nn::sampling`):
//!
//! - full batch: one step per epoch on all `n` examples, the exact gradient `grad L`
//!   (the objective `L = (1/n) sum_i L_i` is the mean cross-entropy plus a small L2
//!   penalty, which each `L_i` carries too);
//! - SGD: `n` steps per epoch on one example `i` each, drawn uniformly, so that
//!   `E_i[grad L_i] = (1/n) sum_i grad L_i = grad L`: unbiased but noisy, `n` times
//!   cheaper per step. Each step follows a *different* function, `L_i`;
//! - minibatch: a shuffle cut into batches of 32, in between.
//!
//! What the lecture claims, checked here:
//!
//! 1. the per-example gradients average to the full gradient exactly;
//! 2. SGD is efficient when the per-example gradients are *aligned* with the full
//!    gradient (far from the minimum, where most examples agree on the way down), and
//!    noisy near the minimum, where they point every which way and largely cancel: SGD
//!    at a constant rate stalls there;
//! 3. per example seen, SGD gets further than full-batch descent; per second, one step
//!    on a whole batch is a single matrix product that the hardware runs in parallel,
//!    while SGD's steps run one after another (SGD is less parallelisable);
//! 4. exact gradients tolerate a larger learning rate than single-example ones.
//!
//! Wall-clock times depend on the machine and its load; they are printed and drawn, but
//! no claim is asserted on them.

mod common;

use common::figures::Figures;
use common::plot::{Axis, Chart, Series, Style};
use nn::functions::{cross_entropy, l2_penalty};
use nn::linear::{Init, Linear};
use nn::sampling::{BatchSampler, Sampling};
use plotters::prelude::SeriesLabelPosition;
use std::time::{Duration, Instant};
use tape::{Grads, Tape, Tensor};

const EPOCHS: usize = 12;
/// The L2 penalty `lambda/2 ||W||^2` in the objective. The digits are linearly
/// separable, so without it the loss only creeps towards 0 and there is no minimum for
/// SGD to stall at; with it, there is one.
const L2: f64 = 0.01;
/// Loss checkpoints per epoch.
const CHECKPOINTS: usize = 10;

/// A labelled data set as a tensor of rows.
struct Data {
    x: Tensor<f64>,
    labels: Vec<usize>,
    classes: usize,
}

impl Data {
    fn n(&self) -> usize {
        self.labels.len()
    }
    fn d(&self) -> usize {
        self.x.shape()[1]
    }
}

/// The objective on the whole data set: mean cross-entropy plus the L2 penalty.
fn full_loss(layer: &Linear<f64>, data: &Data) -> f64 {
    let tape = Tape::new();
    let penalty = l2_penalty(tape.constant(&layer.weight), L2);
    (cross_entropy(tape.constant(&layer.apply(&data.x)), &data.labels) + penalty).item()
}

/// The gradient of the mean cross-entropy over `rows` at `layer`, flattened (W, then b).
fn gradient(layer: &Linear<f64>, data: &Data, rows: &[usize]) -> Vec<f64> {
    let tape = Tape::new();
    let params = layer.on_tape(&tape);
    let inputs = tape.constant_rows(data.x.data(), data.d(), rows);
    let labels: Vec<usize> = rows.iter().map(|&i| data.labels[i]).collect();
    let loss = cross_entropy(params.forward(inputs), &labels) + l2_penalty(params.weight, L2);
    let grads = loss.backward();
    let mut g = grads.wrt(params.weight).to_vec();
    g.extend_from_slice(grads.wrt(params.bias));
    g
}

/// The loss along a run: `(examples seen, seconds of training, full loss)`.
struct Run {
    points: Vec<(usize, f64, f64)>,
    layer: Linear<f64>,
}

/// Trains from zero weights for `EPOCHS` epochs, recording the full loss about
/// `CHECKPOINTS` times per epoch (the clock stops while the loss is measured).
fn train(sampling: Sampling, eta: f64, data: &Data) -> Run {
    let mut layer = Linear::<f64>::new(data.d(), data.classes, Init::Zeros, 0);
    let mut sampler = BatchSampler::new(sampling, data.n(), 7);
    let steps_per_checkpoint = (sampling.steps_per_epoch(data.n()) / CHECKPOINTS).max(1);
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let mut points = vec![(0, 0.0, full_loss(&layer, data))];
    let (mut seen, mut clock, mut step) = (0, Duration::ZERO, 0);
    let mut labels = Vec::new();
    for _ in 0..EPOCHS {
        for batch in sampler.next_epoch() {
            let start = Instant::now();
            labels.clear();
            labels.extend(batch.iter().map(|&i| data.labels[i]));
            // Forward on a cleared tape, backward into a reused gradient store.
            tape.clear();
            let params = layer.on_tape(&tape);
            let inputs = tape.constant_rows(data.x.data(), data.d(), batch);
            let loss =
                cross_entropy(params.forward(inputs), &labels) + l2_penalty(params.weight, L2);
            tape.backward_into(loss, &mut grads);
            // The update: w <- w - eta g, for the weights and the bias.
            let steps = [
                (&mut layer.weight, grads.wrt(params.weight)),
                (&mut layer.bias, grads.wrt(params.bias)),
            ];
            for (param, grad) in steps {
                for (w, g) in param.data_mut().iter_mut().zip(grad) {
                    *w -= eta * g;
                }
            }
            clock += start.elapsed();
            seen += batch.len();
            step += 1;
            if step % steps_per_checkpoint == 0 {
                points.push((seen, clock.as_secs_f64(), full_loss(&layer, data)));
            }
        }
    }
    Run { points, layer }
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The cosine of every per-example gradient with the full gradient at `layer`.
fn alignment(layer: &Linear<f64>, data: &Data) -> (Vec<f64>, f64) {
    let all: Vec<usize> = (0..data.n()).collect();
    let full = gradient(layer, data, &all);
    let per_example: Vec<Vec<f64>> = all.iter().map(|&i| gradient(layer, data, &[i])).collect();
    // E_i[grad L_i] = grad L: the mean of the per-example gradients is the full one.
    let worst = (0..full.len())
        .map(|j| {
            let mean = per_example.iter().map(|g| g[j]).sum::<f64>() / data.n() as f64;
            (mean - full[j]).abs()
        })
        .fold(0.0, f64::max);
    let cosines = per_example.iter().map(|g| cosine(g, &full)).collect();
    (cosines, worst)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("gradient_descent")?;
    // Standardised features: see feature_scaling for what raw ones do to one rate.
    let digits = data::bundled::digits();
    let digits = data::Standardizer::fit(&digits).transform(&digits);
    let data = Data {
        x: Tensor::from_vec(
            digits.features().iter().map(|&v| v as f64).collect(),
            &[digits.len(), digits.n_features()],
        ),
        labels: digits.labels().to_vec(),
        classes: digits.n_classes(),
    };
    let n = data.n();
    println!(
        "digits: {n} images of 8x8 pixels, 10 classes; softmax regression, {} parameters\n",
        data.d() * 10 + 10
    );

    // 1 and 2: per-example gradients at the start and near the minimum.
    let start = Linear::<f64>::new(data.d(), data.classes, Init::Zeros, 0);
    let (at_start, worst_start) = alignment(&start, &data);
    let long = train(Sampling::FullBatch, 1.0, &data);
    let near = {
        // Many more full-batch steps: close to the minimum.
        let mut layer = long.layer.clone();
        for _ in 0..400 {
            let all: Vec<usize> = (0..n).collect();
            let g = gradient(&layer, &data, &all);
            let (w, b) = g.split_at(data.d() * data.classes);
            for (p, g) in layer.weight.data_mut().iter_mut().zip(w) {
                *p -= 1.0 * g;
            }
            for (p, g) in layer.bias.data_mut().iter_mut().zip(b) {
                *p -= 1.0 * g;
            }
        }
        layer
    };
    let (at_minimum, worst_minimum) = alignment(&near, &data);
    println!(
        "the mean of the {n} per-example gradients against the full gradient, largest difference:"
    );
    println!("  at W = 0: {worst_start:.1e}; near the minimum: {worst_minimum:.1e}   (E_i[grad L_i] = grad L)");
    assert!(worst_start < 1e-12 && worst_minimum < 1e-12);
    let share = |c: &[f64]| c.iter().filter(|&&v| v > 0.0).count() as f64 / c.len() as f64;
    println!("\ncosine of each per-example gradient with the full gradient:");
    println!(
        "  at W = 0 (loss {:.3}):           mean {:+.2}, {:.0}% point downhill",
        full_loss(&start, &data),
        mean(&at_start),
        100.0 * share(&at_start)
    );
    println!(
        "  near the minimum (loss {:.3}):   mean {:+.2}, {:.0}% point downhill",
        full_loss(&near, &data),
        mean(&at_minimum),
        100.0 * share(&at_minimum)
    );
    println!(
        "  far away, almost every example agrees with the full gradient, so one example's step\n  \
         is nearly as good as the full one; near the minimum they disagree and SGD's steps are mostly noise"
    );
    assert!(mean(&at_start) > 0.1 && mean(&at_start) > 3.0 * mean(&at_minimum).abs());
    assert!(share(&at_start) > 0.95 && share(&at_minimum) < 0.8);

    // 3. The three regimes, each at a good learning rate, for the same epochs.
    let regimes = [
        ("full batch, eta 1", Sampling::FullBatch, 1.0),
        ("SGD, eta 0.02", Sampling::Sgd, 0.02),
        (
            "minibatch 32, eta 0.3",
            Sampling::Minibatch { batch_size: 32 },
            0.3,
        ),
    ];
    let runs: Vec<Run> = regimes
        .iter()
        .map(|&(_, sampling, eta)| train(sampling, eta, &data))
        .collect();
    println!("\n{EPOCHS} epochs each (an epoch = {n} example gradients):");
    println!(
        "  {:<24} {:>11} {:>14} {:>14} {:>12} {:>18}",
        "regime", "steps", "loss, epoch 1", "final loss", "train time", "time per example"
    );
    for ((name, sampling, _), run) in regimes.iter().zip(&runs) {
        let steps = sampling.steps_per_epoch(n) * EPOCHS;
        let epoch1 = run
            .points
            .iter()
            .find(|p| p.0 >= n)
            .map_or(f64::NAN, |p| p.2);
        let &(seen, seconds, last) = run.points.last().expect("points");
        println!(
            "  {name:<24} {steps:>11} {epoch1:>14.4} {last:>14.4} {:>10.1} ms {:>15.2} µs",
            1e3 * seconds,
            1e6 * seconds / seen as f64
        );
    }
    let loss_after = |run: &Run, examples: usize| {
        run.points
            .iter()
            .find(|p| p.0 >= examples)
            .map_or(f64::NAN, |p| p.2)
    };
    // Per example seen, SGD and minibatches are far ahead after one epoch.
    let (full1, sgd1, mini1) = (
        loss_after(&runs[0], n),
        loss_after(&runs[1], n),
        loss_after(&runs[2], n),
    );
    assert!(
        sgd1 < full1 - 0.5 && mini1 < full1 - 0.5,
        "{full1} {sgd1} {mini1}"
    );
    // Noise: SGD's loss goes up between checkpoints now and then; full batch's never does.
    let rises = |run: &Run| run.points.windows(2).filter(|w| w[1].2 > w[0].2).count();
    println!(
        "  checkpoints where the loss rose: full batch {}, SGD {}, minibatch {}",
        rises(&runs[0]),
        rises(&runs[1]),
        rises(&runs[2])
    );
    assert_eq!(rises(&runs[0]), 0);
    assert!(rises(&runs[1]) > 0);

    // 4. The same large rate for exact and single-example gradients.
    let big = 3.0;
    let exact = train(Sampling::FullBatch, big, &data);
    let noisy = train(Sampling::Sgd, big, &data);
    let (exact_last, noisy_last) = (
        exact.points.last().expect("points").2,
        noisy.points.last().expect("points").2,
    );
    println!(
        "\nlearning rate {big} for both: full batch ends at loss {exact_last:.4} ({} rises); SGD at {noisy_last:.1} \
         (a single example's gradient can be far larger than the mean, and every step follows it)",
        rises(&exact)
    );
    assert_eq!(rises(&exact), 0);
    assert!(noisy_last > 10.0 * exact_last);

    // Figures.
    // Bins of 0.02 from -0.2 to 0.5 (no cosine falls outside); the two histograms'
    // bars stand side by side in each bin.
    let (low, width, bins) = (-0.2, 0.02, 35);
    let histogram = |cosines: &[f64], shift: f64| -> Vec<(f64, f64)> {
        let mut counts = vec![0.0; bins];
        for &c in cosines {
            let b = ((c - low) / width).floor().clamp(0.0, (bins - 1) as f64) as usize;
            counts[b] += 1.0;
        }
        counts
            .iter()
            .enumerate()
            .map(|(b, &count)| {
                let centre = low + (b as f64 + 0.5) * width;
                (centre + shift * width / 4.0, count / cosines.len() as f64)
            })
            .collect()
    };
    let aligned = Chart::new(
        "Cosine of each example's gradient with the full gradient",
        Axis::linear("cos(grad L_i, grad L)").range(low..low + width * bins as f64),
        Axis::linear("fraction of examples"),
    )
    .with(
        Series::new(
            "at W = 0: aligned, SGD efficient",
            0,
            histogram(&at_start, -1.0),
        )
        .style(Style::Bars(width / 2.0)),
    )
    .with(
        Series::new(
            "near the minimum: noise, SGD stalls",
            1,
            histogram(&at_minimum, 1.0),
        )
        .style(Style::Bars(width / 2.0)),
    )
    .legend(SeriesLabelPosition::UpperRight);
    figures.save_chart(
        "alignment",
        (900, 540),
        aligned,
        "per-example gradients agree far from the minimum and cancel near it",
    )?;

    let mut by_examples = Chart::new(
        "Loss against examples seen",
        Axis::linear("examples seen (thousands)"),
        Axis::linear("training objective"),
    );
    let mut by_time = Chart::new(
        "Loss against wall-clock time",
        Axis::linear("training time (ms)"),
        Axis::linear("training objective"),
    );
    for (i, ((name, _, _), run)) in regimes.iter().zip(&runs).enumerate() {
        let style = if i == 0 {
            Style::LineMarkers
        } else {
            Style::Line
        };
        by_examples = by_examples.with(
            Series::new(
                name,
                i,
                run.points.iter().map(|p| (p.0 as f64 / 1e3, p.2)).collect(),
            )
            .style(style),
        );
        by_time = by_time.with(
            Series::new(
                name,
                i,
                run.points.iter().map(|p| (1e3 * p.1, p.2)).collect(),
            )
            .style(style),
        );
    }
    figures.save_charts(
        "loss",
        "Full batch, SGD and minibatches on the digits: per example and per second",
        (1200, 520),
        2,
        &[by_examples, by_time],
        "training loss against examples seen and against wall-clock time",
    )?;
    Ok(())
}
