//! `tapegrad train`: load and split the data, train with a progress display, report the
//! test accuracy, and write the model, history and plot that were asked for.

use crate::cli::TrainArgs;
use crate::error::{CliError, Result};
use crate::history_csv::write_history;
use crate::output::{check_writable, write_atomically};
use crate::plot::render_svg;
use crate::progress::TrainingDisplay;
use crate::source::Source;
use crate::train_config::{self, Defaults};
use data::Dataset;
use nn::models::SoftmaxRegression;

/// Runs `tapegrad train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    if let Ok(solver) = args.optimizer.parse() {
        return super::train_solver::run(args, solver);
    }
    let outputs = [
        (&args.model, "model"),
        (&args.history, "history"),
        (&args.plot, "plot"),
    ];
    for (path, what) in outputs {
        if let Some(path) = path {
            check_writable(path, what)?;
        }
    }

    let source = Source::load(&args.data.data, args.data.target.as_deref())?;
    let name = source.describe();
    let defaults = if source.is_pixels() {
        Defaults::PIXELS
    } else {
        Defaults::TABLE
    };
    let (train, test) = source.train_test(&args.hold_out)?;
    non_empty(&train.data, &train.description, &name)?;
    non_empty(&test.data, &test.description, &name)?;

    // Early stopping watches a validation part held out of the training part, so that the
    // test part stays unseen until the final score.
    let train_rows = train.data.len();
    let (fit_on, validation) = match args.early_stopping {
        None => (train.data, None),
        Some(_) => {
            let (fit_on, validation) =
                data::train_test_split_stratified(&train.data, args.validation_fraction, args.seed);
            non_empty(&validation, "validation part", &name)?;
            non_empty(&fit_on, "training part less validation", &name)?;
            (fit_on, Some(validation))
        }
    };
    let (watched, watched_name) = match &validation {
        Some(validation) => (validation, "val"),
        None => (&test.data, "test"),
    };
    let config = train_config::resolve(args, defaults, fit_on.len())?;

    if !args.quiet {
        say!(
            "data: {name}: {} features, {} classes ({})",
            fit_on.n_features(),
            fit_on.n_classes(),
            abbreviated(fit_on.class_names(), 10)
        );
        say!("{}: {} rows", train.description, train_rows);
        if args.early_stopping.is_some() {
            say!(
                "validation: {} of those rows held out (fraction {}, seed {}), {} left to fit on",
                watched.len(),
                args.validation_fraction,
                args.seed,
                fit_on.len()
            );
        }
        say!("{}: {} rows", test.description, test.data.len());
        say!("{}\n", train_config::describe(&config));
    }

    let mut model = SoftmaxRegression::<f32>::for_dataset(&fit_on);
    let history = {
        let mut display = TrainingDisplay::new(config.epochs, args.quiet);
        display.header(watched_name);
        model.fit_with_progress(&fit_on, Some(watched), &config, |event| {
            display.on_event(event)
        })?
    };

    let accuracy = model.score(&test.data)?;
    let correct = (accuracy * test.data.len() as f64).round() as usize;
    if !args.quiet {
        if history.stopped_early {
            say!(
                "\nstopped early after epoch {}; keeping epoch {}",
                history.epochs.len(),
                history.best_epoch.unwrap_or(0)
            );
        }
        say!();
    }
    say!(
        "test accuracy: {accuracy:.4} ({correct}/{} rows)",
        test.data.len()
    );

    let evaluation = if args.early_stopping.is_some() {
        "validation"
    } else {
        "test"
    };
    if let Some(path) = &args.model {
        model.save(path)?;
        if !args.quiet {
            say!("wrote the model to {}", path.display());
        }
    }
    if let Some(path) = &args.history {
        write_atomically(path, |out| write_history(out, &history, evaluation))?;
        if !args.quiet {
            say!("wrote the history to {}", path.display());
        }
    }
    if let Some(path) = &args.plot {
        let title = format!("softmax regression on {}", args.data.data);
        let svg = render_svg(&history, evaluation, &title)
            .map_err(|e| CliError::new(format!("cannot draw the plot: {e}")))?;
        write_atomically(path, |out| out.write_all(svg.as_bytes()))?;
        if !args.quiet {
            say!("wrote the plot to {}", path.display());
        }
    }
    Ok(())
}

/// An error if a part of the data has no rows (too few rows per class to split).
fn non_empty(data: &Dataset, part: &str, name: &str) -> Result<()> {
    if data.is_empty() {
        return Err(CliError::new(format!(
            "{name}: the {part} has no rows; the classes have too few rows to split"
        )));
    }
    Ok(())
}

/// The names joined by commas, at most `max` of them before `...`.
fn abbreviated(names: &[String], max: usize) -> String {
    if names.len() <= max {
        return names.join(", ");
    }
    format!("{}, ... ({} in all)", names[..max].join(", "), names.len())
}
