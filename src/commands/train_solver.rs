//! `tapegrad train --optimizer lbfgs|newton-cg`: softmax regression fitted by a
//! full-batch solver instead of minibatch steps.
//!
//! The objective is scikit-learn's `LogisticRegression` one: mean cross-entropy plus
//! `l2/2 ||W||^2`, with `l2 = 1/n` (`C = 1`) unless `--l2` says otherwise. `--epochs`
//! caps the solver's iterations. Flags of stepwise training (sampling, schedules, early
//! stopping, initialisation) do not apply and are refused.

use crate::cli::TrainArgs;
use crate::error::{CliError, Result};
use crate::output::{check_writable, write_atomically};
use crate::source::Source;
use nn::models::SoftmaxRegression;
use nn::solver::{SolveConfig, SolveReport, Solver};
use std::io::{self, Write};

/// Runs `tapegrad train` with a solver.
pub fn run(args: &TrainArgs, solver: Solver) -> Result<()> {
    let stepwise = [
        (
            args.sampling.is_some() || args.batch_size.is_some(),
            "--sampling/--batch-size",
        ),
        (
            args.schedule.is_some() || args.lr.is_some(),
            "--schedule/--lr",
        ),
        (args.early_stopping.is_some(), "--early-stopping"),
        (
            args.plot.is_some(),
            "--plot (use --history for the objective per iteration)",
        ),
    ];
    if let Some((_, flag)) = stepwise.iter().find(|(given, _)| *given) {
        return Err(CliError::new(format!(
            "{flag} does not apply to the full-batch solver {}",
            solver.name()
        )));
    }
    for (path, what) in [(&args.model, "model"), (&args.history, "history")] {
        if let Some(path) = path {
            check_writable(path, what)?;
        }
    }
    let source = Source::load(&args.data.data, args.data.target.as_deref())?;
    let name = source.describe();
    let standardize = !args.no_standardize && (args.standardize || !source.is_pixels());
    let (train, test) = source.train_test(&args.hold_out)?;
    if train.data.is_empty() || test.data.is_empty() {
        return Err(CliError::new(format!(
            "{name}: a part of the split has no rows; the classes have too few rows to split"
        )));
    }
    let n = train.data.len();
    let l2 = args.l2.unwrap_or(1.0 / n as f64);
    if !(l2.is_finite() && l2 >= 0.0) {
        return Err(CliError::new(format!(
            "--l2 must be finite and non-negative, got {l2}"
        )));
    }
    let solver = match args.epochs {
        Some(cap) => solver.with_max_iterations(usize::try_from(cap).unwrap_or(usize::MAX)),
        None => solver,
    };
    let config = SolveConfig {
        solver,
        l2,
        standardize,
    };
    if !args.quiet {
        say!(
            "data: {name}: {n} training rows, {} test rows",
            test.data.len()
        );
        say!(
            "solver: {} (at most {} iterations), l2 {l2:e}, standardize {standardize}",
            solver.name(),
            solver.max_iterations()
        );
    }

    let mut model = SoftmaxRegression::<f32>::for_dataset(&train.data);
    let report = model.solve(&train.data, &config)?;
    let accuracy = model.score(&test.data)?;
    say!(
        "{}: {} iterations, {} evaluations, {} Hessian-vector products, {}; objective {:.12}, max |gradient| {:.2e}, {:.6} s",
        solver.name(),
        report.iterations,
        report.evaluations,
        report.hvps,
        report.stop,
        report.value,
        report.gradient_max,
        report.seconds()
    );
    say!(
        "test accuracy: {accuracy:.4} ({}/{} rows)",
        (accuracy * test.data.len() as f64).round() as usize,
        test.data.len()
    );
    if let Some(path) = &args.model {
        model.save(path)?;
    }
    if let Some(path) = &args.history {
        write_atomically(path, |out| write_iterations(out, &report))?;
    }
    Ok(())
}

/// `iteration,objective,gradient_max,evaluations,hvps,seconds`, one row per iteration.
fn write_iterations(out: &mut dyn Write, report: &SolveReport) -> io::Result<()> {
    writeln!(
        out,
        "iteration,objective,gradient_max,evaluations,hvps,seconds"
    )?;
    for r in &report.history {
        writeln!(
            out,
            "{},{},{},{},{},{}",
            r.iteration, r.value, r.gradient_max, r.evaluations, r.hvps, r.seconds
        )?;
    }
    Ok(())
}
