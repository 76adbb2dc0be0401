//! Softmax regression on the full MNIST (60,000 training images, 10,000 test images).
//!
//! ```text
//! cargo run --release --example softmax_regression
//! ```
//!
//! The model is `p(digit | image) = softmax(W x + b)` with `W` of shape `[10, 784]`: one
//! linear "template" per digit. It is trained by minibatch SGD with momentum on the mean
//! cross-entropy, under a cosine learning-rate schedule with a short linear warm-up, and
//! reaches about 92.4% test accuracy; a linear model cannot do much better on raw
//! pixels. Optional arguments: `--epochs N` (default 10), `--data DIR` (default: the
//! project's `data/mnist`) and `--min-accuracy A` (exit with an error below it; CI
//! passes 0.92).
//!
//! Figures, written after training: the ten rows of `W` drawn as 28 x 28 templates (red
//! pixels raise a digit's score, blue ones lower it), and a few test digits with the
//! probabilities the model gives each class.

mod common;

use common::figures::Figures;
use common::pixels::{ColorMap, Image, Svg};
use nn::models::SoftmaxRegression;
use nn::sampling::Sampling;
use nn::schedule::Schedule;
use nn::train::{Progress, TrainConfig};
use std::ops::ControlFlow;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let epochs: usize = arg("--epochs")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10);
    let min_accuracy: Option<f64> = arg("--min-accuracy").map(|s| s.parse()).transpose()?;
    let dir = match arg("--data") {
        Some(dir) => dir.into(),
        None => data::bundled::mnist_dir()?,
    };

    let start = Instant::now();
    let mnist = data::read_mnist_dir(&dir)?;
    println!(
        "MNIST from {}: {} training and {} test images of {} pixels ({:.1} s to read)",
        dir.display(),
        mnist.train.len(),
        mnist.test.len(),
        mnist.train.n_features(),
        start.elapsed().as_secs_f64()
    );

    let batch_size = 100;
    let steps_per_epoch = mnist.train.len().div_ceil(batch_size);
    let config = TrainConfig {
        epochs,
        sampling: Sampling::Minibatch { batch_size },
        schedule: Schedule::Cosine {
            initial: 0.1,
            min: 0.001,
            total_steps: epochs * steps_per_epoch,
            warmup_steps: steps_per_epoch / 2,
        },
        optimizer: "momentum".parse()?,
        l2: 1e-4,
        // Pixels are already in [0, 1]; standardising near-constant border pixels would
        // only amplify noise.
        standardize: false,
        seed: 0,
        ..TrainConfig::default()
    };
    println!(
        "minibatch SGD, batch {batch_size}, momentum 0.9, cosine schedule from 0.1, L2 1e-4\n"
    );
    println!(
        "{:>5}  {:>10}  {:>9}  {:>9}  {:>9}  {:>6}",
        "epoch", "train loss", "train acc", "test loss", "test acc", "lr"
    );

    let mut model = SoftmaxRegression::<f32>::for_dataset(&mnist.train);
    let train_start = Instant::now();
    let history = model.fit_with_progress(&mnist.train, Some(&mnist.test), &config, |event| {
        if let Progress::Epoch(r) = event {
            println!(
                "{:>5}  {:>10.4}  {:>9.4}  {:>9.4}  {:>9.4}  {:>6.4}",
                r.epoch,
                r.train_loss,
                r.train_metric,
                r.validation_loss.unwrap_or(f64::NAN),
                r.validation_metric.unwrap_or(f64::NAN),
                r.learning_rate
            );
        }
        ControlFlow::Continue(())
    })?;
    let seconds = train_start.elapsed().as_secs_f64();
    let steps = history.last().map_or(0, |r| r.steps);
    println!(
        "\ntrained in {seconds:.1} s ({steps} steps, {:.0} µs per step including per-epoch evaluation)",
        1e6 * seconds / steps.max(1) as f64
    );
    let accuracy = model.score(&mnist.test)?;
    println!("test accuracy on the official 10,000 test images: {accuracy:.4}");
    draw(&model, &mnist.test)?;
    match min_accuracy {
        Some(min) if accuracy < min => {
            Err(format!("test accuracy {accuracy:.4} is below {min}").into())
        }
        _ => Ok(()),
    }
}

/// The figures: the weight templates and some test digits with their probabilities.
fn draw(model: &SoftmaxRegression<f32>, test: &data::Dataset) -> std::io::Result<()> {
    let figures = Figures::new("softmax_regression")?;
    let weight = model.linear().weight.data();
    let weights: Vec<f64> = weight.iter().map(|&w| w as f64).collect();
    // Saturate at the 99th percentile of |w|, so a few extreme pixels do not wash out
    // the rest.
    let mut magnitudes: Vec<f64> = weights.iter().map(|w| w.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let limit = magnitudes[magnitudes.len() * 99 / 100].max(1e-6);
    let map = ColorMap::Diverging { limit };
    let (scale, cell_w, cell_h) = (5.0, 160.0, 180.0);
    let mut svg = Svg::titled(
        5.0 * cell_w + 110.0,
        2.0 * cell_h + 60.0,
        "The ten rows of W as 28 x 28 templates: score(digit) = W[digit] . x + b",
    );
    for digit in 0..10 {
        let (x, y) = (
            20.0 + (digit % 5) as f64 * cell_w,
            50.0 + (digit / 5) as f64 * cell_h,
        );
        let row = &weights[digit * 784..(digit + 1) * 784];
        let image = Image {
            width: 28,
            height: 28,
            pixels: row,
        };
        svg.text(
            x + 70.0,
            y + 16.0,
            17.0,
            "middle",
            &format!("digit {digit}"),
        );
        svg.image(x, y + 26.0, scale, &image, map);
    }
    svg.colorbar(
        5.0 * cell_w + 20.0,
        76.0,
        2.0 * cell_h - 60.0,
        map,
        "weight",
    );
    figures.save(
        "templates",
        &svg.finish(),
        "each row of W as an image: red pixels vote for the digit, blue ones against",
    )?;

    // The first six test digits the model gets right and the first two it gets wrong.
    // The first thousand test images are plenty to find two mistakes, and quick.
    let test = test.subset(&(0..test.len().min(1000)).collect::<Vec<_>>());
    let probabilities = model.predict_proba(&test);
    let predicted = probabilities.argmax_axis(-1);
    let right = (0..test.len()).filter(|&i| predicted[i] == test.labels()[i]);
    let wrong = (0..test.len()).filter(|&i| predicted[i] != test.labels()[i]);
    let shown: Vec<usize> = right.take(6).chain(wrong.take(2)).collect();
    let (cell_w, cell_h, bar) = (360.0, 230.0, 14.0);
    let mut svg = Svg::titled(
        4.0 * cell_w + 20.0,
        2.0 * cell_h + 60.0,
        "Test digits and p(class | image) = softmax(W x + b); the last two are mistakes",
    );
    for (slot, &i) in shown.iter().enumerate() {
        let (x, y) = (
            20.0 + (slot % 4) as f64 * cell_w,
            50.0 + (slot / 4) as f64 * cell_h,
        );
        let pixels: Vec<f64> = test.row(i).iter().map(|&v| v as f64).collect();
        let image = Image {
            width: 28,
            height: 28,
            pixels: &pixels,
        };
        let label = test.labels()[i];
        svg.image(x, y + 30.0, 5.0, &image, ColorMap::Ink { max: 1.0 });
        svg.text(
            x + 70.0,
            y + 20.0,
            15.0,
            "middle",
            &format!("label {label}, predicted {}", predicted[i]),
        );
        // One bar per class: p from 0 to 1 over 150 pixels.
        let p = &probabilities.data()[i * 10..(i + 1) * 10];
        let left = x + 165.0;
        for (class, &prob) in p.iter().enumerate() {
            let bar_y = y + 30.0 + class as f64 * bar;
            let color = if class == label { "#009e73" } else { "#0072b2" };
            svg.text(left - 5.0, bar_y + 11.0, 12.0, "end", &class.to_string());
            svg.rect(left, bar_y + 2.0, 150.0 * prob as f64, bar - 4.0, color);
            if prob >= 0.005 {
                svg.text(
                    left + 4.0 + 150.0 * prob as f64,
                    bar_y + 11.0,
                    11.0,
                    "start",
                    &format!("{:.0}%", 100.0 * prob),
                );
            }
        }
        svg.frame(left, y + 30.0, 150.0, 10.0 * bar, "#bbbbbb");
        let below = y + 30.0 + 10.0 * bar + 15.0;
        svg.text(left, below, 11.0, "middle", "0");
        svg.text(left + 75.0, below, 11.0, "middle", "p(class | image)");
        svg.text(left + 150.0, below, 11.0, "middle", "1");
    }
    svg.text(
        20.0,
        2.0 * cell_h + 50.0,
        14.0,
        "start",
        "bars: probability of each class; green: the true label",
    );
    figures.save(
        "test_digits",
        &svg.finish(),
        "test digits with the model's probability for each class",
    )?;
    Ok(())
}
