//! Learning-rate schedules: what `eta(t)` each one gives, and what that does to training.
//!
//! ```text
//! cargo run --release --example learning_rate_schedules
//! ```
//!
//! With minibatch gradients, each step carries noise proportional to the learning rate,
//! so a constant rate leaves the weights jittering around the minimum. A schedule is
//! large early (fast progress while far away) and shrinks (to settle). We print `rate(t)`
//! of every schedule in `nn::schedule` over one training run, then train softmax
//! regression on the bundled digits (8x8 images, 10 classes) with each, same seed and
//! same number of steps, and compare the final training loss and test accuracy.
//!
//! Figures: the `eta(t)` curves of all six schedules on one plot, and the training loss
//! each one produces (the minibatch loss averaged over a sliding epoch).

mod common;

use common::figures::Figures;
use common::plot::{Axis, Chart, Series, Style};
use nn::models::SoftmaxRegression;
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::{Progress, TrainConfig};
use plotters::prelude::SeriesLabelPosition;
use std::ops::ControlFlow;

const EPOCHS: usize = 10;
const BATCH: usize = 8;
const PEAK: f64 = 0.5;
/// The L2 penalty gives the objective a unique, finite minimum (digits is linearly
/// separable, so without it the loss only creeps towards 0 and the longest total step
/// wins); with it, "how close does each schedule settle" has an answer.
const L2: f64 = 0.01;

/// Rounds to two significant digits, so the schedules print readably.
fn round(x: f64) -> f64 {
    let scale = 10f64.powi(1 - x.log10().floor() as i32);
    (x * scale).round() / scale
}

/// The mean of each point's window of `width` values ending at it.
fn moving_average(values: &[f64], width: usize) -> Vec<f64> {
    let mut sum = 0.0;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            sum += v;
            if i >= width {
                sum -= values[i - width];
            }
            sum / (i + 1).min(width) as f64
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("learning_rate_schedules")?;
    let digits = data::bundled::digits();
    let (train, test) = data::train_test_split_stratified(&digits, 0.25, 0);
    let steps = EPOCHS * train.len().div_ceil(BATCH);
    let t = steps as f64;

    // Every schedule peaks at PEAK and is scaled to the run's length of `steps` steps.
    // All but cosine start at the peak; cosine first warms up linearly over a tenth of
    // the run (a gentle start while the first gradients are large and poorly aimed).
    let schedules = [
        Schedule::Constant { rate: PEAK },
        Schedule::Piecewise {
            boundaries: vec![steps / 2, 3 * steps / 4],
            rates: vec![PEAK, PEAK / 5.0, PEAK / 25.0],
        },
        // exp(-lambda T) ~ 1/100 at the end of the run.
        Schedule::Exponential {
            initial: PEAK,
            decay: round(100f64.ln() / t),
        },
        Schedule::StepDecay {
            initial: PEAK,
            gamma: 0.5,
            every: steps / 4,
        },
        // 1 / (1 + lambda t) with lambda T ~ 10: the classic 1/t decay of SGD theory.
        Schedule::InverseTime {
            initial: PEAK,
            decay: round(10.0 / t),
        },
        Schedule::Cosine {
            initial: PEAK,
            min: 0.0,
            total_steps: steps,
            warmup_steps: steps / 10,
        },
    ];

    let at = [
        0,
        10,
        steps / 10,
        steps / 4,
        steps / 2,
        3 * steps / 4,
        steps - 1,
    ];
    println!("rate(t) over a run of {steps} steps ({EPOCHS} epochs of {BATCH}-example batches):\n");
    print!("{:<32}", "schedule");
    for s in at {
        print!("{:>8}", format!("t={s}"));
    }
    println!();
    for schedule in &schedules {
        print!("{:<32}", schedule.to_string());
        for s in at {
            print!("{:>8.4}", schedule.rate(s));
        }
        println!();
    }

    println!(
        "\ndigits: {} train, {} test examples; plain minibatch SGD, L2 penalty {L2}\n",
        train.len(),
        test.len()
    );
    println!(
        "{:<12} {:>11} {:>11} {:>10} {:>9}",
        "schedule", "final rate", "objective", "test loss", "test acc"
    );
    let mut results = Vec::new();
    for schedule in &schedules {
        let config = TrainConfig {
            epochs: EPOCHS,
            sampling: Sampling::Minibatch { batch_size: BATCH },
            schedule: schedule.clone(),
            seed: 1,
            l2: L2,
            ..TrainConfig::default()
        };
        let mut model = SoftmaxRegression::<f32>::for_dataset(&train);
        let mut batch_losses = Vec::with_capacity(steps);
        let history = model.fit_with_progress(&train, None, &config, |event| {
            if let Progress::Step { loss, .. } = event {
                batch_losses.push(loss);
            }
            ControlFlow::Continue(())
        })?;
        // What the optimizer minimises: the data loss plus the penalty L2/2 ||W||^2.
        let w = model.linear().weight.data();
        let penalty = 0.5 * L2 * w.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
        let objective = history.last().expect("trained").train_loss + penalty;
        let (test_loss, accuracy) = (model.loss(&test)?, model.score(&test)?);
        let name = schedule.to_string();
        let kind = name.split(':').next().unwrap_or_default().to_string();
        let last_rate = schedule.rate(steps - 1);
        println!(
            "{kind:<12} {last_rate:>11.4} {objective:>11.4} {test_loss:>10.4} {accuracy:>9.4}"
        );
        let smooth = moving_average(&batch_losses, steps / EPOCHS);
        results.push((kind, objective, accuracy, smooth));
    }

    // The decaying schedules all settle near the same minimum of the objective; the
    // constant rate keeps jittering at the scale of its steps, above it.
    let constant = results[0].1;
    let best = results.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    println!(
        "\nconstant rate: objective {:.0}% above the best; decaying schedules: within {:.1}%",
        100.0 * (constant / best - 1.0),
        100.0
            * results[1..]
                .iter()
                .map(|r| r.1 / best - 1.0)
                .fold(0.0, f64::max)
    );
    assert!(
        results[1..]
            .iter()
            .all(|r| r.1 < constant && r.1 < 1.1 * best),
        "{results:?}"
    );
    assert!(results.iter().all(|r| r.2 > 0.9), "{results:?}");
    // Cosine with warm-up starts far below its peak; the others start at it.
    assert!(schedules[5].rate(0) < PEAK / 10.0);
    assert!(schedules[..5].iter().all(|s| s.rate(0) == PEAK));

    // Figures: eta(t) of every schedule, and the loss each produced.
    let names: Vec<String> = schedules
        .iter()
        .map(|s| {
            s.to_string()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut rates = Chart::new(
        &format!("eta(t) over a run of {steps} steps"),
        Axis::linear("step t"),
        Axis::linear("learning rate eta(t)").range(0.0..PEAK * 1.08),
    )
    .legend(SeriesLabelPosition::UpperRight);
    let mut losses = Chart::new(
        "Training loss (minibatch loss, averaged over an epoch)",
        Axis::linear("step t"),
        Axis::linear("training loss").range(0.2..0.72),
    )
    .legend(SeriesLabelPosition::UpperRight);
    // The constant rate last, on top: the piecewise and step schedules coincide with it
    // (same seed, same rate) until their first drop.
    for i in (1..schedules.len()).chain([0]) {
        let schedule = &schedules[i];
        let points = (0..steps)
            .step_by(2)
            .map(|t| (t as f64, schedule.rate(t)))
            .collect();
        let style = if i == 0 { Style::Dashed } else { Style::Line };
        rates = rates.with(Series::new(&names[i], i, points).style(style));
        let curve = results[i]
            .3
            .iter()
            .enumerate()
            .skip(steps / EPOCHS)
            .step_by(4)
            .map(|(t, &l)| (t as f64, l))
            .collect();
        losses = losses.with(Series::new(&names[i], i, curve).style(style));
    }
    figures.save_chart(
        "rates",
        (900, 540),
        rates,
        "the learning rate of each schedule against the step",
    )?;
    figures.save_chart(
        "loss",
        (900, 540),
        losses,
        "the training loss under each schedule: the constant rate stays highest",
    )?;
    Ok(())
}
