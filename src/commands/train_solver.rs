//! `tapegrad train --optimizer lbfgs|newton-cg`: softmax regression fitted by a
//! full-batch solver instead of minibatch steps.
//!
//! The objective is scikit-learn's `LogisticRegression` one: mean cross-entropy plus
//! `l2/2 ||W||^2`, with `l2 = 1/n` (`C = 1`) unless `--l2` says otherwise. `--epochs`
//! caps the solver's iterations. Flags of stepwise training (sampling, schedules, early
//! stopping, initialisation, the seed, the plot of epochs) do not apply and are refused:
//! a flag that the user gave and that would change nothing is an error, not silence.

use super::train::{load, say_accuracy, Loaded};
use crate::cli::TrainArgs;
use crate::console;
use crate::error::{CliError, Result};
use crate::output::OutputSet;
use crate::report::Evaluation;
use data::display::float;
use nn::models::SoftmaxRegression;
use nn::solver::{SolveConfig, SolveReport, Solver};
use serde::Serialize;
use std::io::{self, Write};
use std::time::Instant;

/// The JSON document of `tapegrad train --optimizer lbfgs|newton-cg --json`.
#[derive(Serialize)]
struct SolveDocument<'a> {
    command: &'static str,
    source: &'a str,
    train_rows: usize,
    solver: &'static str,
    l2: f64,
    standardize: bool,
    iterations: usize,
    evaluations: usize,
    hessian_vector_products: usize,
    stop: String,
    objective: f64,
    gradient_max: f64,
    solve_seconds: f64,
    total_seconds: f64,
    test: Option<&'a Evaluation>,
}

/// Runs `tapegrad train` with a solver (the output paths were checked by the caller).
pub fn run(args: &TrainArgs, solver: Solver, started: Instant) -> Result<()> {
    // `--init zeros` is what the solvers do, so it is accepted. Other starting points are
    // refused rather than honoured: the objective is convex (strictly, with l2 > 0), so a
    // start would change only the path to the one minimum, not the model, and a user asking
    // for one expects a different model.
    let init_given = args
        .init
        .as_deref()
        .is_some_and(|init| init.parse() != Ok(nn::linear::Init::Zeros));
    let stepwise = [
        (
            args.sampling.is_some() || args.batch_size.is_some(),
            "--sampling/--batch-size",
            ": every iteration reads every row",
        ),
        (
            args.schedule.is_some() || args.lr.is_some(),
            "--schedule/--lr",
            ": a line search chooses each step",
        ),
        (args.early_stopping.is_some(), "--early-stopping", ""),
        (
            init_given,
            "--init",
            ": it starts from zero weights, and its convex objective has the same minimum \
             from any start",
        ),
        (
            args.seed.is_some(),
            "--seed",
            ": it draws no random numbers (the train/test split's seed is --split-seed)",
        ),
        (
            args.plot.is_some(),
            "--plot",
            " (use --history for the objective per iteration)",
        ),
    ];
    if let Some((_, flag, why)) = stepwise.iter().find(|(given, ..)| *given) {
        return Err(CliError::usage(format!(
            "{flag} does not apply to the full-batch solver {}{why}",
            solver.name()
        )));
    }
    let Loaded {
        name,
        defaults,
        train,
        test,
        test_name,
        trained_on,
    } = load(args)?;
    let standardize = !args.no_standardize && (args.standardize || defaults.standardize);
    let n = train.data.len();
    let l2 = crate::train_config::checked_l2(args.l2.unwrap_or(1.0 / n as f64))?;
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
            "data: {name}: {n} training rows, {}",
            test.as_ref()
                .map_or("no test part".to_string(), |t| format!(
                    "{} test rows",
                    t.data.len()
                ))
        );
        say!(
            "solver: {} (at most {} iterations), l2 {}, standardize {standardize}",
            solver.name(),
            solver.max_iterations(),
            float(l2)
        );
    }

    let mut model = SoftmaxRegression::<f32>::for_dataset(&train.data);
    let report = model.solve(&train.data, &config)?;
    let model = model.with_training_data(trained_on);
    say!(
        "{}: {} iterations, {} evaluations, {} Hessian-vector products, {}; objective {:.12}, max |gradient| {:.2e}, {:.6} s",
        solver.name(),
        report.iterations,
        report.evaluations,
        report.hvps,
        report.stop,
        float(report.value),
        report.gradient_max,
        report.seconds()
    );
    let evaluation = match &test {
        Some(test) => Some(Evaluation::of(&model, &test.data, &test_name)?),
        None => None,
    };
    say_accuracy(evaluation.as_ref(), &model, &train.data)?;
    // As a set: if one cannot be written, neither replaces an existing file.
    let mut outputs = OutputSet::new();
    if let Some(path) = &args.model {
        let json = model.to_json();
        outputs.add(path, move |out| out.write_all(json.as_bytes()));
    }
    if let Some(path) = &args.history {
        outputs.add(path, |out| write_iterations(out, &report));
    }
    outputs.write()?;
    if args.json {
        console::print_json(&SolveDocument {
            command: "train",
            source: &name,
            train_rows: n,
            solver: solver.name(),
            l2,
            standardize,
            iterations: report.iterations,
            evaluations: report.evaluations,
            hessian_vector_products: report.hvps,
            stop: report.stop.to_string(),
            objective: report.value,
            gradient_max: report.gradient_max,
            solve_seconds: report.seconds(),
            total_seconds: started.elapsed().as_secs_f64(),
            test: evaluation.as_ref(),
        })?;
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
            r.iteration,
            float(r.value),
            float(r.gradient_max),
            r.evaluations,
            r.hvps,
            float(r.seconds)
        )?;
    }
    Ok(())
}
