//! Newton's method: the second-order Taylor term, and why curvature beats step sizes.
//!
//! ```text
//! cargo run --release --example newton_method
//! ```
//!
//! Gradient descent keeps the first-order term of the Taylor expansion,
//! `f(x + h) ~ f(x) + f'(x) h`, which says which way is down but not how far to go: a
//! step size has to be chosen. The next term says how far:
//!
//! ```text
//! f(x + h) ~ f(x) + f'(x) h + f''(x) h^2 / 2,   minimised at   h = -f'(x) / f''(x).
//! ```
//!
//! That is Newton's step. In many dimensions `f''` is the Hessian `H` and the step solves
//! `H h = -g`. Forming `H` costs `n^2` numbers, but conjugate gradients only ever need
//! products `H v`, which a dual-number tape gives at the cost of a few gradients
//! (forward-over-reverse): that is Newton-CG. L-BFGS instead estimates the curvature from
//! the gradients of its last few steps.
//!
//! 1. In 1-D: one sweep of a `Tape<Dual<f64>>` gives `f'` and `f''`; Newton's iterates
//!    on `f(x) = e^x - 2x` double their correct digits every step.
//! 2. Softmax regression on wine (scikit-learn's objective, C = 1): Newton-CG, L-BFGS and
//!    gradient descent with the largest safe fixed step `1 / lambda_max`, objective
//!    against iterations and against time, and the Hessian's eigenvalues: their spread
//!    (the condition number) is how many times slower gradient descent converges along
//!    the flattest direction than along the steepest.
//!
//! The figure goes to `figures/newton_method_convergence.svg` (or the folder named by
//! `TAPEGRAD_FIGURES`).

mod common;

use common::figures::Figures;
use nn::solver::{
    lbfgs, newton_cg, Differentiable, LbfgsOptions, LinearObjective, LinearProblem, NewtonCgOptions,
};
use plotters::prelude::*;
use std::time::Instant;
use tape::{hessian, symmetric_eigenvalues, Dual, Tape, Tensor};

/// `f(x) = e^x - 2x` with `f'` and `f''` from one reverse sweep of a dual tape.
fn derivatives(x: f64) -> (f64, f64, f64) {
    let tape = Tape::<Dual<f64>>::new();
    let v = tape.var_scalar(Dual::new(x, 1.0)); // tangent 1: differentiate along x
    let f = v.exp() - v * Dual::constant(2.0);
    let grads = f.backward();
    let g = grads.item(v); // (f'(x), f''(x)): the gradient, and its derivative along x
    (f.item().value, g.value, g.tangent)
}

fn one_dimension() {
    println!("1. Newton's method in one dimension: f(x) = e^x - 2x, minimum at ln 2\n");
    let (x, h) = (1.0, 0.1);
    let (f, df, d2f) = derivatives(x);
    let exact = derivatives(x + h).0;
    let first = f + df * h;
    let second = first + d2f * h * h / 2.0;
    println!("   Taylor at x = {x}, h = {h}: f(x + h) = {exact:.8}");
    println!(
        "   first order  f + f'h           = {first:.8} (error {:.1e})",
        (exact - first).abs()
    );
    println!(
        "   second order f + f'h + f''h^2/2 = {second:.8} (error {:.1e})\n",
        (exact - second).abs()
    );
    assert!((exact - second).abs() < 0.1 * (exact - first).abs());

    let minimum = 2f64.ln();
    let mut x = 2.0;
    let mut errors = Vec::new();
    println!("   step    x                    |x - ln 2|");
    for step in 0..7 {
        let error = (x - minimum).abs();
        errors.push(error);
        println!("   {step:>4}    {x:<20.16} {error:.2e}");
        let (_, df, d2f) = derivatives(x);
        x -= df / d2f; // Newton's step -f'/f''
    }
    // Quadratic convergence: e_{k+1} <= C e_k^2 (here C = 1/2 near the minimum).
    for pair in errors.windows(2) {
        if pair[0] > 1e-7 {
            assert!(pair[1] <= pair[0] * pair[0], "{} -> {}", pair[0], pair[1]);
        }
    }
    assert!(errors[6] < 1e-15);
    println!("\n   the error squares at every step: the correct digits double\n");
}

/// Objective and seconds per iteration of one method.
struct Run {
    name: &'static str,
    color: RGBColor,
    values: Vec<f64>,
    seconds: Vec<f64>,
}

/// Gradient descent with a fixed step.
fn gradient_descent(problem: &mut LinearProblem<'_, f64>, step: f64, iterations: usize) -> Run {
    let start = Instant::now();
    let mut x = vec![0.0; problem.dim()];
    let mut grad = vec![0.0; x.len()];
    let (mut values, mut seconds) = (Vec::new(), Vec::new());
    for _ in 0..=iterations {
        values.push(problem.value_and_grad(&x, &mut grad));
        seconds.push(start.elapsed().as_secs_f64());
        x.iter_mut().zip(&grad).for_each(|(x, g)| *x -= step * g);
    }
    Run {
        name: "gradient descent",
        color: RED,
        values,
        seconds,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("newton_method")?;
    one_dimension();

    println!("2. Softmax regression on wine (split 0, standardised, l2 = 1/n)\n");
    let (train, _) = data::train_test_split_stratified(&data::bundled::wine(), 0.25, 0);
    let standardizer = data::Standardizer::fit(&train);
    let d = train.n_features();
    let x = Tensor::from_fn(&[train.len(), d], |i| {
        (f64::from(train.features()[i]) - standardizer.means()[i % d]) / standardizer.stds()[i % d]
    });
    let objective = LinearObjective::softmax(
        &x,
        train.labels(),
        train.n_classes(),
        1.0 / train.len() as f64,
    );
    let mut problem = LinearProblem::new(objective);

    let tight = 1e-10;
    let zero = vec![0.0; problem.dim()];
    let newton = newton_cg(
        &mut problem,
        &zero,
        &NewtonCgOptions {
            gradient_tolerance: tight,
            ..NewtonCgOptions::default()
        },
    )?;
    let quasi = lbfgs(
        &mut problem,
        &zero,
        &LbfgsOptions {
            gradient_tolerance: tight,
            ..LbfgsOptions::default()
        },
    )?;

    // The Hessian at the minimum, and at the start (where its largest eigenvalue sets
    // gradient descent's largest safe step).
    let (w_dims, b_dims) = objective.parameter_shapes();
    let at = |x: &[f64]| {
        let split = w_dims[0] * w_dims[1];
        [
            Tensor::from_vec(x[..split].to_vec(), &w_dims),
            Tensor::from_vec(x[split..].to_vec(), &b_dims),
        ]
    };
    let eigenvalues = symmetric_eigenvalues(&hessian(&objective, &at(&newton.x)));
    let start_max = *symmetric_eigenvalues(&hessian(&objective, &at(&zero)))
        .last()
        .unwrap();
    let step = 1.0 / start_max;
    let descent = gradient_descent(&mut problem, step, 300);

    let best = newton.value.min(quasi.value);
    let runs = [
        Run {
            name: "Newton-CG",
            color: BLUE,
            values: newton.history.iter().map(|r| r.value).collect(),
            seconds: newton.history.iter().map(|r| r.seconds).collect(),
        },
        Run {
            name: "L-BFGS",
            color: GREEN,
            values: quasi.history.iter().map(|r| r.value).collect(),
            seconds: quasi.history.iter().map(|r| r.seconds).collect(),
        },
        descent,
    ];
    println!(
        "   {:<18} {:>10} {:>12} {:>22}",
        "method", "iterations", "seconds", "objective - best"
    );
    for run in &runs {
        println!(
            "   {:<18} {:>10} {:>12.6} {:>22.3e}",
            run.name,
            run.values.len() - 1,
            run.seconds.last().unwrap(),
            run.values.last().unwrap() - best
        );
    }
    let positive: Vec<f64> = eigenvalues.iter().copied().filter(|&e| e > 1e-12).collect();
    let (smallest, largest) = (positive[0], *positive.last().unwrap());
    println!(
        "\n   Hessian at the minimum: {} eigenvalues from {smallest:.2e} to {largest:.2e} (condition number {:.0}),",
        eigenvalues.len(),
        largest / smallest
    );
    println!(
        "   and {} zero: adding one constant to every bias changes no probability.",
        eigenvalues.len() - positive.len()
    );
    println!(
        "   Gradient descent with step 1/lambda_max shrinks the error along the flattest\n   direction by only 1 - {:.1e} per step; Newton's step rescales every direction by its curvature.",
        smallest * step
    );
    // The claims: Newton-CG needs the fewest iterations, gradient descent crawls.
    assert!(runs[0].values.len() < runs[1].values.len());
    assert!(
        runs[2].values.last().unwrap() - best
            > 1e3 * (runs[1].values.last().unwrap() - best).max(1e-15)
    );
    assert!(
        runs[2].values.windows(2).all(|w| w[1] <= w[0] + 1e-15),
        "gradient descent went up"
    );

    println!();
    figures.save(
        "convergence",
        &draw(&runs, best, &eigenvalues)?,
        "objective against iterations and against seconds; the Hessian's eigenvalues",
    )?;
    Ok(())
}

/// Suboptimality against iterations and against seconds, and the eigenvalues, side by side.
fn draw(
    runs: &[Run],
    best: f64,
    eigenvalues: &[f64],
) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1350, 450)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(
            "softmax regression on wine: Newton-CG, L-BFGS, gradient descent",
            ("sans-serif", 20),
        )?;
        let panels = root.split_evenly((1, 3));
        let gap = |v: f64| (v - best).max(1e-16);
        let max_iterations = runs.iter().map(|r| r.values.len()).max().unwrap_or(1) as f64;
        let max_seconds = runs
            .iter()
            .filter_map(|r| r.seconds.last().copied())
            .fold(1e-6, f64::max);
        for (panel, (caption, x_desc, x_max)) in panels.iter().zip([
            (
                "objective - minimum, per iteration",
                "iteration",
                max_iterations,
            ),
            ("objective - minimum, per second", "seconds", max_seconds),
        ]) {
            let mut chart = ChartBuilder::on(panel)
                .caption(caption, ("sans-serif", 16))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..x_max, (1e-16..10.0).log_scale())?;
            chart
                .configure_mesh()
                .x_desc(x_desc)
                .y_label_formatter(&|y| format!("{y:.0e}"))
                .draw()?;
            for run in runs {
                let xs: Vec<f64> = if x_desc == "iteration" {
                    (0..run.values.len()).map(|i| i as f64).collect()
                } else {
                    run.seconds.clone()
                };
                let color = run.color;
                chart
                    .draw_series(LineSeries::new(
                        xs.into_iter().zip(run.values.iter().map(|&v| gap(v))),
                        color.stroke_width(2),
                    ))?
                    .label(run.name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }
        let positive: Vec<(f64, f64)> = eigenvalues
            .iter()
            .filter(|&&e| e > 1e-12)
            .enumerate()
            .map(|(i, &e)| (i as f64, e))
            .collect();
        let top = positive.last().map_or(1.0, |p| p.1) * 2.0;
        let bottom = positive.first().map_or(1e-3, |p| p.1) / 2.0;
        let mut chart = ChartBuilder::on(&panels[2])
            .caption("Hessian eigenvalues at the minimum", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..positive.len().max(2) as f64, (bottom..top).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("index (ascending)")
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .draw()?;
        chart.draw_series(LineSeries::new(positive, BLACK.stroke_width(2)))?;
        root.present()?;
    }
    Ok(svg)
}
