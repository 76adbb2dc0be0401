//! `tapegrad eval`: a saved model's accuracy, mean cross-entropy, confusion matrix and
//! per-class precision, recall and F1 on a data set, as text or as one JSON document (for
//! many classes, the text summarises them: see [`crate::report`]).

use crate::align::{self, Expected};
use crate::cli::EvalArgs;
use crate::console;
use crate::error::{CliError, Result};
use crate::output::Files;
use crate::report::{confusion_text, per_class_text, Evaluation};
use crate::source::{Reading, Source, Spec};
use data::display::float;
use nn::models::SoftmaxRegression;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// The JSON document of `tapegrad eval --json`.
#[derive(Serialize)]
struct EvalReport<'a> {
    command: &'static str,
    model: &'a Path,
    data: String,
    part: &'a str,
    /// How many of the rows the model was trained on (`null`: not known).
    rows_seen_in_training: Option<usize>,
    n_features: usize,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    timing: Timing,
}

/// Seconds spent, for `--json`.
#[derive(Serialize)]
struct Timing {
    load_seconds: f64,
    evaluate_seconds: f64,
}

/// Runs `tapegrad eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    if args.json {
        console::human_to_stderr();
    }
    let started = Instant::now();
    let spec = Spec::classify(&args.data.data)?;
    let mut files = Files::new();
    files.input("the model", &args.model);
    for path in spec.files() {
        files.input("the data", path);
    }
    files.check()?;

    let model = SoftmaxRegression::<f32>::load(&args.model)?;
    let model_name = format!("the model {}", args.model.display());
    let expected = Expected {
        owner: &model_name,
        features: model.feature_names(),
        classes: model.class_names(),
    };
    // A CSV file gives only the model's columns, by name, unless asked to go by position.
    let selection = (!args.by_position).then_some(model.feature_names());
    let reading = Reading::from(&args.data.read).to_evaluate();
    let source = Source::load(
        &args.data.data,
        args.data.target.as_deref(),
        selection.filter(|_| spec.is_csv()),
        reading,
    )?;
    let data_name = source.describe();
    let crate::training_rows::Evaluated {
        part,
        seen_in_training,
    } = crate::training_rows::evaluation_part(source, &args.hold_out, model.training_data())?;
    let data = align::dataset(expected, &part.data, &data_name, args.by_position)?;
    if data.is_empty() {
        return Err(CliError::new(format!(
            "{data_name}: the {} has no rows to evaluate on",
            part.description
        )));
    }
    let loaded = started.elapsed();
    let evaluation = Evaluation::of(&model, &data, &data_name)?;

    say!(
        "model: {} ({} features, {} classes)",
        args.model.display(),
        model.n_features(),
        model.n_classes()
    );
    say!(
        "data: {data_name}, {}: {} rows",
        part.description,
        data.len()
    );
    let (accuracy, caveat) =
        crate::training_rows::accuracy_label(seen_in_training, evaluation.rows);
    say!(
        "{accuracy}: {:.4} ({}/{} rows{caveat})",
        evaluation.accuracy,
        evaluation.correct,
        evaluation.rows
    );
    say!("mean cross-entropy: {:.4}", float(evaluation.loss));
    say!("\n{}", confusion_text(&evaluation));
    say!("\n{}", per_class_text(&evaluation.per_class));

    if args.json {
        let report = EvalReport {
            command: "eval",
            model: &args.model,
            data: data_name,
            part: &part.description,
            rows_seen_in_training: seen_in_training,
            n_features: model.n_features(),
            evaluation: &evaluation,
            timing: Timing {
                load_seconds: loaded.as_secs_f64(),
                evaluate_seconds: (started.elapsed() - loaded).as_secs_f64(),
            },
        };
        console::print_json(&report)?;
    }
    Ok(())
}
