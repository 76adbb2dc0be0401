//! Full-batch gradient descent, SGD and minibatch SGD, side by side on iris.
//!
//! ```text
//! cargo run --release --example gradient_descent
//! ```
//!
//! The training loop is written out by hand so every part is visible: record the
//! parameters and a batch on the tape, record the mean cross-entropy, sweep backward,
//! and move each parameter against its gradient, `w <- w - eta g`. The only thing that
//! changes between the three regimes is which examples a step sees
//! (`nn::sampling::BatchSampler`):
//!
//! - full batch: one step per epoch on all 150 examples, the exact gradient;
//! - SGD: 150 steps per epoch on one example each, drawn with replacement: an
//!   unbiased but noisy estimate of the gradient, 150 times cheaper per step;
//! - minibatch: a shuffle cut into batches of 10, in between.
//!
//! An epoch costs the same in all three (150 per-example gradients), so the loss per
//! epoch compares them at equal work: the stochastic regimes make 150 or 15 updates for
//! the price of one, but their loss does not decrease monotonically.

use nn::functions::cross_entropy;
use nn::linear::{Init, Linear};
use nn::sampling::{BatchSampler, Sampling};
use tape::{Grads, Tape, Tensor};

const EPOCHS: usize = 40;
const LEARNING_RATE: f64 = 0.1;

/// Mean cross-entropy of the layer on the whole training set.
fn full_loss(layer: &Linear<f64>, x: &Tensor<f64>, y: &[usize]) -> f64 {
    let tape = Tape::new();
    cross_entropy(tape.constant(&layer.apply(x)), y).item()
}

/// Trains from zero weights; returns the training loss before training and after each epoch.
fn train(sampling: Sampling, eta: f64, x: &Tensor<f64>, y: &[usize], classes: usize) -> Vec<f64> {
    let (n, d) = (x.shape()[0], x.shape()[1]);
    let mut layer = Linear::<f64>::new(d, classes, Init::Zeros, 0);
    let mut sampler = BatchSampler::new(sampling, n, 7);
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let mut losses = vec![full_loss(&layer, x, y)];
    for _ in 0..EPOCHS {
        for batch in sampler.epoch() {
            // Gather the batch's rows.
            let rows: Vec<f64> = batch
                .iter()
                .flat_map(|&i| &x.data()[i * d..(i + 1) * d])
                .copied()
                .collect();
            let labels: Vec<usize> = batch.iter().map(|&i| y[i]).collect();

            // Forward on a cleared tape, backward into a reused gradient store.
            tape.clear();
            let params = layer.on_tape(&tape);
            let inputs = tape.constant_from_slice(&rows, &[batch.len(), d]);
            let loss = cross_entropy(params.forward(inputs), &labels);
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
        }
        losses.push(full_loss(&layer, x, y));
    }
    losses
}

fn main() {
    // Standardised features: on raw iris the four features have different scales and a
    // single learning rate fits none of them well (see adaptive_learning_rates).
    let iris = data::bundled::iris();
    let iris = data::Standardizer::fit(&iris).transform(&iris);
    let x = Tensor::from_vec(
        iris.features().iter().map(|&v| v as f64).collect(),
        &[iris.len(), iris.n_features()],
    );
    let n = iris.len();

    let regimes = [
        ("full batch", Sampling::FullBatch),
        ("SGD", Sampling::Sgd),
        ("minibatch 10", Sampling::Minibatch { batch_size: 10 }),
    ];
    println!("iris: {n} examples, softmax regression, learning rate {LEARNING_RATE}\n");
    println!(
        "{:<14} {:>12} {:>16} {:>18}",
        "regime", "steps/epoch", "examples/step", "examples/epoch"
    );
    for (name, sampling) in regimes {
        let steps = sampling.steps_per_epoch(n);
        println!("{name:<14} {steps:>12} {:>16} {:>18}", n / steps, n);
    }

    let curves: Vec<Vec<f64>> = regimes
        .iter()
        .map(|&(_, s)| train(s, LEARNING_RATE, &x, iris.labels(), iris.n_classes()))
        .collect();
    println!("\ntraining loss on all 150 examples after each epoch (equal work: 150 example gradients per epoch):");
    println!(
        "{:>5} {:>12} {:>12} {:>14}",
        "epoch", regimes[0].0, regimes[1].0, regimes[2].0
    );
    // `^` marks an epoch that ended with a higher loss than the one before.
    let cell = |curve: &[f64], e: usize| {
        let rose = e > 0 && curve[e] > curve[e - 1];
        format!("{:.4}{}", curve[e], if rose { "^" } else { " " })
    };
    for epoch in (0..=10).chain((15..=EPOCHS).step_by(5)) {
        println!(
            "{epoch:>5} {:>12} {:>12} {:>14}",
            cell(&curves[0], epoch),
            cell(&curves[1], epoch),
            cell(&curves[2], epoch)
        );
    }

    // Cost to reach a loss, counted in per-example gradients, and how often the loss rose.
    let target = 0.3;
    println!(
        "\n{:<14} {:>26} {:>24}",
        "regime",
        format!("examples until loss < {target}"),
        "epochs where loss rose"
    );
    let mut cost = Vec::new();
    let mut rises = Vec::new();
    for ((name, _), curve) in regimes.iter().zip(&curves) {
        let epochs = curve.iter().position(|&l| l < target);
        let up = curve.windows(2).filter(|w| w[1] > w[0]).count();
        let shown = epochs.map_or("not reached".to_string(), |e| (e * n).to_string());
        println!("{name:<14} {shown:>26} {up:>24}");
        cost.push(epochs.unwrap_or(usize::MAX));
        rises.push(up);
    }

    // Exact gradients and a small enough rate: full-batch descent never goes uphill.
    assert_eq!(rises[0], 0, "full-batch loss rose");
    // Noisy gradients: SGD's loss does go up now and then...
    assert!(rises[1] > 0, "SGD loss never rose");
    // ...but for the same work it gets much further than the full-batch steps.
    assert!(cost[1] < cost[0] && cost[2] < cost[0]);
    assert!(curves[1][EPOCHS] < curves[0][EPOCHS] && curves[2][EPOCHS] < curves[0][EPOCHS]);

    // The flip side: exact gradients tolerate much larger steps. On 150 examples a full
    // gradient is cheap, so tuned full-batch descent is competitive here; SGD's edge
    // grows with n, since one SGD step always costs one example.
    let big = train(
        Sampling::FullBatch,
        4.0,
        &x,
        iris.labels(),
        iris.n_classes(),
    );
    let big_rises = big.windows(2).filter(|w| w[1] > w[0]).count();
    println!(
        "\nfull batch with eta 4.0: loss {:.4} after 10 epochs, {:.4} after {EPOCHS} ({big_rises} rises)",
        big[10], big[EPOCHS]
    );
    assert!(big[EPOCHS] < curves[0][EPOCHS]);
}
