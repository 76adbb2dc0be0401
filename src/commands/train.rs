//! `tapegrad train`: check the outputs, load and split the data, train with a progress
//! display, report the test results, and write the model, history and plot that were asked
//! for (or one JSON document with `--json`).

use crate::align::{self, Expected};
use crate::cli::TrainArgs;
use crate::console;
use crate::error::{CliError, Result};
use crate::history_csv::write_history;
use crate::output::{Files, OutputSet};
use crate::plot::render_svg;
use crate::progress::TrainingDisplay;
use crate::report::{name_list, Evaluation};
use crate::source::{one_stdin, Part, Reading, Source, Spec};
use crate::train_config::{self, Defaults};
use data::display::float;
use data::Dataset;
use nn::models::SoftmaxRegression;
use nn::train::{History, TrainConfig};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// The JSON document of `tapegrad train --json`.
#[derive(Serialize)]
struct TrainReport<'a> {
    command: &'static str,
    data: DataReport,
    config: &'a TrainConfig,
    history: &'a History,
    /// The results on the test part (`null` with `--test-fraction 0`).
    test: Option<&'a Evaluation>,
    outputs: Outputs<'a>,
    timing: Timing,
}

/// What was trained and tested on.
#[derive(Serialize)]
struct DataReport {
    source: String,
    test_source: Option<String>,
    n_features: usize,
    classes: Vec<String>,
    train_part: String,
    train_rows: usize,
    validation_rows: Option<usize>,
    test_part: Option<String>,
    test_rows: Option<usize>,
}

/// The files written.
#[derive(Serialize)]
struct Outputs<'a> {
    model: Option<&'a PathBuf>,
    history: Option<&'a PathBuf>,
    plot: Option<&'a PathBuf>,
}

/// Seconds spent.
#[derive(Serialize)]
struct Timing {
    load_seconds: f64,
    train_seconds: f64,
    evaluate_seconds: f64,
    total_seconds: f64,
}

/// Runs `tapegrad train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let started = Instant::now();
    if args.json {
        console::human_to_stderr();
    }
    check_files(args)?;
    if let Ok(solver) = args.optimizer.parse() {
        return super::train_solver::run(args, solver, started);
    }
    // The flags' values are checked before any data is read.
    train_config::resolve(args, Defaults::TABLE, 1)?;

    let Loaded {
        name,
        defaults,
        train,
        test,
        test_name,
        trained_on,
    } = load(args)?;

    // Early stopping watches a validation part held out of the training part, so that the
    // test part stays unseen until the final score.
    let train_rows = train.data.len();
    let (fit_on, validation) = match args.early_stopping {
        None => (train.data, None),
        Some(_) => {
            let (fit_on, validation) = data::train_test_split_stratified(
                &train.data,
                args.validation_fraction,
                args.seed(),
            );
            non_empty(&validation, "validation part", &name)?;
            non_empty(&fit_on, "training part less validation", &name)?;
            (fit_on, Some(validation))
        }
    };
    let (watched, watched_name) = match (&validation, &test) {
        (Some(validation), _) => (Some(validation), Some("val")),
        (None, Some(test)) => (Some(&test.data), Some("test")),
        (None, None) => (None, None),
    };
    let config = train_config::resolve(args, defaults, fit_on.len())?;
    let steps = config
        .epochs
        .saturating_mul(config.sampling.steps_per_epoch(fit_on.len()));
    if let Some(warning) = train_config::schedule_warning(&config.schedule, steps) {
        note!("warning: {warning}");
    }

    if !args.quiet {
        say!(
            "data: {name}: {} features, {} classes ({})",
            fit_on.n_features(),
            fit_on.n_classes(),
            name_list(fit_on.class_names())
        );
        say!("{}: {} rows", train.description, train_rows);
        if args.early_stopping.is_some() {
            say!(
                "validation: {} of those rows held out (fraction {}, seed {}), {} left to fit on",
                validation.as_ref().map_or(0, Dataset::len),
                float(args.validation_fraction),
                args.seed(),
                fit_on.len()
            );
        }
        match &test {
            Some(test) if args.test_data.is_some() => {
                say!(
                    "test data: {test_name}, {}: {} rows",
                    test.description,
                    test.data.len()
                )
            }
            Some(test) => say!("{}: {} rows", test.description, test.data.len()),
            None => say!("no test part: every row is trained on"),
        }
        say!("{}\n", train_config::describe(&config));
    }
    let loaded = started.elapsed();

    let mut model = SoftmaxRegression::<f32>::for_dataset(&fit_on);
    let history = {
        let mut display = TrainingDisplay::new(config.epochs, args.quiet);
        display.header(watched_name)?;
        let history =
            model.fit_with_progress(&fit_on, watched, &config, |event| display.on_event(event))?;
        if let Some(error) = display.take_error() {
            return Err(error);
        }
        history
    };
    let model = model.with_training_data(trained_on);
    let trained = started.elapsed();

    let evaluation = match &test {
        Some(test) => Some(Evaluation::of(&model, &test.data, &test_name)?),
        None => None,
    };
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
    say_accuracy(evaluation.as_ref(), &model, &fit_on)?;
    let evaluated = started.elapsed();

    write_outputs(args, &model, &history)?;
    if args.json {
        let report = TrainReport {
            command: "train",
            data: DataReport {
                source: name,
                test_source: args.test_data.as_ref().map(|_| test_name),
                n_features: fit_on.n_features(),
                classes: fit_on.class_names().to_vec(),
                train_part: train.description,
                train_rows,
                validation_rows: validation.as_ref().map(Dataset::len),
                test_part: test.as_ref().map(|t| t.description.clone()),
                test_rows: test.as_ref().map(|t| t.data.len()),
            },
            config: &config,
            history: &history,
            test: evaluation.as_ref(),
            outputs: Outputs {
                model: args.model.as_ref(),
                history: args.history.as_ref(),
                plot: args.plot.as_ref(),
            },
            timing: Timing {
                load_seconds: loaded.as_secs_f64(),
                train_seconds: (trained - loaded).as_secs_f64(),
                evaluate_seconds: (evaluated - trained).as_secs_f64(),
                total_seconds: started.elapsed().as_secs_f64(),
            },
        };
        console::print_json(&report)?;
    }
    Ok(())
}

/// The data to train and test on.
pub(super) struct Loaded {
    /// The training data's description, for messages.
    pub name: String,
    /// The defaults its kind of data calls for.
    pub defaults: Defaults,
    /// The rows to train on (before any validation part is held out).
    pub train: Part,
    /// The rows to test on, if any.
    pub test: Option<Part>,
    /// The test data's description.
    pub test_name: String,
    /// Which rows are trained on, for the model file.
    pub trained_on: nn::model_file::TrainingData,
}

/// Loads `--data` and splits it, or loads `--test-data` beside it.
pub(super) fn load(args: &TrainArgs) -> Result<Loaded> {
    let reading = Reading::from(&args.data.read);
    let target = args.data.target.as_deref();
    let source = Source::load(&args.data.data, target, None, reading)?;
    let name = source.describe();
    if source.is_csv() {
        distinct_labels(&source, target.is_some())?;
    }
    let defaults = if source.is_pixels() {
        Defaults::PIXELS
    } else {
        Defaults::TABLE
    };
    let trained_on =
        crate::training_rows::record(&source, &args.hold_out(), args.test_data.is_some());
    let (train, test, test_name) = match &args.test_data {
        None => {
            let (train, test) = source.train_test(&args.hold_out())?;
            (train, test, name.clone())
        }
        Some(spec) => {
            let train = source.rows_to_train();
            let reading = reading.to_evaluate();
            let (test, test_name) = load_test_data(spec, target, &train.data, reading)?;
            (train, Some(test), test_name)
        }
    };
    non_empty(&train.data, &train.description, &name)?;
    if let Some(test) = &test {
        non_empty(&test.data, &test.description, &test_name)?;
    }
    if let Some(warning) = classes_without_rows(&train.data, &train.description) {
        note!("warning: {warning}");
    }
    Ok(Loaded {
        name,
        defaults,
        train,
        test,
        test_name,
        trained_on,
    })
}

/// Refuses outputs that are inputs or each other, and checks every output can be written:
/// all before any data is read.
fn check_files(args: &TrainArgs) -> Result<()> {
    let data = Spec::classify(&args.data.data)?;
    let test = args.test_data.as_deref().map(Spec::classify).transpose()?;
    one_stdin(&[&data].into_iter().chain(test.as_ref()).collect::<Vec<_>>())?;
    let mut files = Files::new();
    for path in data.files() {
        files.input("the data", path);
    }
    for path in test.iter().flat_map(Spec::files) {
        files.input("the test data", path);
    }
    for (path, what) in output_paths(args) {
        if let Some(path) = path {
            files.output(what, path);
        }
    }
    files.check()
}

/// The paths of the model, history and plot, each with what it is for messages.
fn output_paths(args: &TrainArgs) -> [(&Option<PathBuf>, &'static str); 3] {
    [
        (&args.model, "the model"),
        (&args.history, "the history"),
        (&args.plot, "the plot"),
    ]
}

/// The test data of `--test-data`: its rows (the test part of split data), with the
/// training data's feature columns and classes. Returns it with its description.
fn load_test_data(
    spec: &str,
    target: Option<&str>,
    train: &Dataset,
    reading: Reading,
) -> Result<(Part, String)> {
    // --target and --delimiter were checked against --data, which they served.
    let csv = Spec::classify(spec)?.is_csv();
    let reading = Reading {
        delimiter: reading.delimiter.filter(|_| csv),
        ..reading
    };
    let source = Source::load(
        spec,
        target.filter(|_| csv),
        csv.then_some(train.feature_names()),
        reading,
    )?;
    let name = source.describe();
    let part = source.rows_to_test();
    let expected = Expected {
        owner: "the training data",
        features: train.feature_names(),
        classes: train.class_names(),
    };
    let data = align::dataset(expected, &part.data, &name, false)?;
    Ok((
        Part {
            data,
            description: part.description,
        },
        name,
    ))
}

/// An error if every row of CSV data has its own label: the label column is then not one
/// (an id, a measurement), and each class would have a single example.
fn distinct_labels(source: &Source, target_given: bool) -> Result<()> {
    let crate::source::Parts::Whole(data) = &source.parts else {
        return Ok(());
    };
    if data.n_classes() < data.len() {
        return Ok(());
    }
    let column = if target_given {
        "the --target column"
    } else {
        "the last column, taken as the label since --target was not given,"
    };
    let hint = if target_given {
        "is it the column of class labels?"
    } else {
        "name the label column with --target"
    };
    Err(CliError::new(format!(
        "{}: {column} has a different value in every one of the {} rows, so each class would \
         have a single example; {hint}",
        source.describe(),
        data.len()
    )))
}

/// Writes the model, history and plot that were asked for, as a set: if one cannot be
/// written, none replaces an existing file.
fn write_outputs(args: &TrainArgs, model: &SoftmaxRegression, history: &History) -> Result<()> {
    let evaluation = if args.early_stopping.is_some() {
        "validation"
    } else {
        "test"
    };
    let mut outputs = OutputSet::new();
    if let Some(path) = &args.model {
        let json = model.to_json();
        outputs.add(path, move |out| out.write_all(json.as_bytes()));
    }
    if let Some(path) = &args.history {
        outputs.add(path, |out| write_history(out, history, evaluation));
    }
    if let Some(path) = &args.plot {
        let title = format!("softmax regression on {}", args.data.data);
        let svg = render_svg(history, evaluation, &title)
            .map_err(|e| CliError::new(format!("cannot draw the plot: {e}")))?;
        outputs.add(path, move |out| out.write_all(svg.as_bytes()));
    }
    outputs.write()?;
    if !args.quiet {
        for (path, what) in output_paths(args) {
            if let Some(path) = path {
                say!("wrote {what} to {}", path.display());
            }
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

/// A warning naming the classes of `data` that have no rows in it: the model can never
/// predict them (an IDX label file whose labels skip some, or a class whose few rows all
/// went to the test part).
fn classes_without_rows(data: &Dataset, description: &str) -> Option<String> {
    let counts = data.class_counts();
    let empty: Vec<String> = (data.class_names().iter().zip(&counts))
        .filter(|(_, &count)| count == 0)
        .map(|(name, _)| name.clone())
        .collect();
    (!empty.is_empty()).then(|| {
        let (n, k) = (empty.len(), counts.len());
        let has = if n == 1 { "has" } else { "have" };
        format!(
            "{n} of the {k} classes {has} no rows in the {description}, so the model can \
             never predict them: {}",
            name_list(&empty)
        )
    })
}

/// Prints the accuracy on the test part, or on the training data when there is none.
pub(super) fn say_accuracy(
    evaluation: Option<&Evaluation>,
    model: &SoftmaxRegression,
    trained_on: &Dataset,
) -> Result<()> {
    match evaluation {
        Some(e) => say!(
            "test accuracy: {:.4} ({}/{} rows)",
            e.accuracy,
            e.correct,
            e.rows
        ),
        None => say!(
            "training accuracy: {:.4} ({} rows; no test part)",
            model.score(trained_on)?,
            trained_on.len()
        ),
    }
    Ok(())
}
