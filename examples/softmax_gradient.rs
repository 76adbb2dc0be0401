//! Why the gradient of softmax cross-entropy is `softmax(o) - y`, and why the max shift.
//!
//! ```text
//! cargo run --release --example softmax_gradient
//! ```
//!
//! For one row of logits `o` with label `c`, the loss is
//!
//! ```text
//! L = -ln softmax(o)_c = -ln( e^{o_c} / sum_u e^{o_u} ) = ln sum_u e^{o_u} - o_c
//! ```
//!
//! Differentiating the two terms separately:
//!
//! ```text
//! d/do_j ln sum_u e^{o_u} = e^{o_j} / sum_u e^{o_u} = softmax(o)_j
//! d/do_j o_c              = 1 if j = c else 0     = onehot(c)_j
//! ```
//!
//! so `dL/do = softmax(o) - onehot(c)`, and the mean over `n` rows divides by `n`.
//! `nn::functions::cross_entropy` never writes this formula down: it composes `max`,
//! `exp`, `sum`, `ln` and `pick` on the tape, and the reverse sweep arrives at it. We
//! check that element by element, then show what the max shift inside log-sum-exp buys:
//! huge logits stay finite, and a masked logit of `-inf` gets no NaN.
//!
//! Figure: for each row, the probabilities `softmax(o)`, the one-hot label `y` and the
//! gradient `softmax(o) - y` as bars: the labelled class is pulled up, every other class
//! pushed down in proportion to its probability, and the bars of the gradient sum to 0.

mod common;

use common::figures::Figures;
use common::plot::{grouped_bars, Axis, Chart};
use nn::functions::cross_entropy;
use plotters::prelude::SeriesLabelPosition;
use tape::{Tape, Tensor};

/// `softmax` of each row of a `[n, k]` matrix, in plain Rust (shifted by the row max).
fn softmax_rows(o: &[f64], k: usize) -> Vec<f64> {
    o.chunks(k)
        .flat_map(|row| {
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = row.iter().map(|v| (v - m).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(move |v| v / sum)
        })
        .collect()
}

fn print_rows(name: &str, values: &[f64], k: usize) {
    for (i, row) in values.chunks(k).enumerate() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:>9.5}")).collect();
        println!(
            "  {:<14} {}",
            if i == 0 { name } else { "" },
            cells.join(" ")
        );
    }
}

/// Numbers rounded to four decimals, for printing.
fn rounded(values: &[f64]) -> String {
    let cells: Vec<String> = values.iter().map(|v| format!("{v:.4}")).collect();
    format!("[{}]", cells.join(", "))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("softmax_gradient")?;
    // 1. The tape's gradient against the closed form.
    let (n, k) = (3, 4);
    let logits = vec![
        2.0, 1.0, 0.1, -1.0, //
        0.5, 0.5, 3.0, 0.0, //
        -2.0, 0.0, 1.0, 4.0,
    ];
    let labels = [0, 1, 3];
    let tape = Tape::<f64>::new();
    let o = tape.var(&Tensor::from_vec(logits.clone(), &[n, k]));
    let loss = cross_entropy(o, &labels);
    let tape_grad = loss.backward().wrt(o).to_vec();

    let p = softmax_rows(&logits, k);
    let y = Tensor::<f64>::one_hot(&labels, k);
    let closed: Vec<f64> = p
        .iter()
        .zip(y.data())
        .map(|(p, y)| (p - y) / n as f64)
        .collect();
    let max_diff = tape_grad
        .iter()
        .zip(&closed)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);

    println!(
        "logits o [{n}, {k}], labels {labels:?}, loss = {:.6}\n",
        loss.item()
    );
    print_rows("softmax(o)", &p, k);
    print_rows("tape dL/do", &tape_grad, k);
    print_rows("(p - y) / n", &closed, k);
    println!("  max |tape - closed form| = {max_diff:.2e}");
    assert!(
        max_diff < 1e-14,
        "tape and closed form disagree by {max_diff}"
    );
    // Each row of the gradient sums to zero: raising every logit of a row by the same
    // amount leaves softmax, and so the loss, unchanged.
    for row in tape_grad.chunks(k) {
        assert!(row.iter().sum::<f64>().abs() < 1e-14);
    }

    // 2. Stability: logits around 1000. exp(1000) overflows f64 (max ~ 1.8e308).
    let big = Tensor::from_vec(vec![1000.0, 1001.0, 1002.0], &[1, 3]);
    let tape = Tape::<f64>::new();
    let o = tape.var(&big);
    // With the shift: ln sum e^o = m + ln sum e^(o - m), m = max(o) = 1002, so every
    // exponent is <= 0 and nothing overflows.
    let shifted = cross_entropy(o, &[2]);
    let shifted_grad = shifted.backward().wrt(o).to_vec();
    // Without it, composed by hand from the same tape ops: ln(sum(exp(o))) - o[label].
    let naive = (o.exp().sum_axis(-1, false).ln() - o.pick(&[2])).mean();
    let naive_grad = naive.backward().wrt(o).to_vec();
    println!("\nlogits [1000, 1001, 1002], label 2:");
    println!(
        "  with max shift:    loss = {:.4}   dL/do = {}",
        shifted.item(),
        rounded(&shifted_grad)
    );
    println!(
        "  without the shift: loss = {}   dL/do = {:?}\n    (e^1000 = inf, so d ln(s)/ds = 1/s = 0, times ds/do = e^o = inf: 0 * inf = NaN)",
        naive.item(),
        naive_grad
    );
    // The same loss as logits [-2, -1, 0]: ln(1 + e^-1 + e^-2).
    let expected = (1.0 + (-1.0f64).exp() + (-2.0f64).exp()).ln();
    assert!((shifted.item() - expected).abs() < 1e-12);
    assert!(shifted_grad.iter().all(|g| g.is_finite()));
    assert!(!naive.item().is_finite());
    assert!(naive_grad.iter().any(|g| g.is_nan()));

    // 3. A masked class: logit -inf means "impossible". exp(-inf - m) = 0 exactly, so the
    // class gets probability 0 and gradient 0; the max shift keeps m finite.
    let masked = Tensor::from_vec(vec![2.0, f64::NEG_INFINITY, 0.5], &[1, 3]);
    let tape = Tape::<f64>::new();
    let o = tape.var(&masked);
    let loss = cross_entropy(o, &[0]);
    let grad = loss.backward().wrt(o).to_vec();
    println!("\nlogits [2, -inf, 0.5], label 0:");
    println!("  loss = {:.4}   dL/do = {}", loss.item(), rounded(&grad));
    assert!(loss.item().is_finite());
    assert!(grad.iter().all(|g| !g.is_nan()), "NaN in {grad:?}");
    assert_eq!(grad[1], 0.0);
    println!("\nall checks passed");

    let classes: Vec<String> = (0..k).map(|j| format!("class {j}")).collect();
    let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
    let panels: Vec<Chart> = (0..n)
        .map(|i| {
            let row = |values: &[f64], scale: f64| -> Vec<f64> {
                values[i * k..(i + 1) * k]
                    .iter()
                    .map(|v| scale * v)
                    .collect()
            };
            Chart::new(
                &format!("row {i}: label {}", labels[i]),
                Axis::categories("class", &classes),
                Axis::linear("value").range(-1.05..1.05),
            )
            .with_all(grouped_bars(&[
                ("softmax(o)", 0, &row(&p, 1.0)),
                ("one-hot y", 6, &row(y.data(), 1.0)),
                ("softmax(o) - y", 1, &row(&closed, n as f64)),
            ]))
            .legend(SeriesLabelPosition::LowerLeft)
        })
        .collect();
    figures.save_charts(
        "gradient",
        "dL/do = softmax(o) - y for three rows of logits (the tape agrees to 1e-14)",
        (1500, 520),
        3,
        &panels,
        "softmax, one-hot label and their difference, the gradient, for each row",
    )?;
    Ok(())
}
