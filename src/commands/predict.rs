//! `tapegrad predict`: class predictions and probabilities of a saved model, as CSV
//! `row,predicted_class,p_<class1>,...` (or `<id>,predicted_class,...` with `--id`), to a
//! file (atomically) or standard output.

use crate::align::{self, Expected};
use crate::cli::PredictArgs;
use crate::console;
use crate::error::{CliError, Result};
use crate::output::{write_atomically, Files};
use crate::report::{predicted_classes, DataRows};
use crate::source::{announce_stdin, Reading, Source, Spec, STDIN};
use data::{ColumnSelection, FeatureTable};
use nn::models::SoftmaxRegression;
use std::io::{self, Write};

/// Runs `tapegrad predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    let spec = Spec::classify(&args.data)?;
    let mut files = Files::new();
    files.input("the model", &args.model);
    for path in spec.files() {
        files.input("the data", path);
    }
    // `--out -` is standard output, as `--data -` is standard input.
    let out = args.out.as_ref().filter(|path| path.as_os_str() != "-");
    if let Some(out) = out {
        files.output("the predictions", out);
    }
    files.check()?;

    let model = SoftmaxRegression::<f32>::load(&args.model)?;
    let model_name = format!("the model {}", args.model.display());
    let expected = Expected {
        owner: &model_name,
        features: model.feature_names(),
        classes: model.class_names(),
    };
    let reading = Reading::from(&args.read).to_evaluate();
    let (features, ids, data_name, lines) = if spec.is_csv() {
        if args.hold_out.given() {
            return Err(CliError::usage(
                "predict reads every row of a CSV file; --test-fraction and --split-seed \
                 apply to bundled data sets only",
            ));
        }
        // Every row, even of the model's training data: the rows are numbered (or named by
        // --id) as in the file, and no score is claimed.
        let table = read_table(&spec, args, model.feature_names(), reading)?;
        let name = match spec {
            Spec::Stdin => STDIN.to_string(),
            _ => args.data.clone(),
        };
        if args.by_position {
            align::feature_columns(expected, &table.names, &name, true)?;
        }
        (table.features, table.ids, name, Some(table.lines))
    } else {
        if args.id.is_some() {
            return Err(CliError::usage(format!(
                "--id names a column of a CSV file, and {} has no columns to choose from",
                args.data
            )));
        }
        let source = Source::load(&args.data, None, None, reading)?;
        let data_name = source.describe();
        let part =
            crate::training_rows::evaluation_part(source, &args.hold_out, model.training_data())?
                .part;
        let features = align::features(expected, &part.data, &data_name, args.by_position)?;
        let lines = part.data.lines().map(<[usize]>::to_vec);
        (features, None, data_name, lines)
    };

    let probabilities = model.predict_proba_rows(&features);
    let rows = DataRows {
        name: &data_name,
        lines: lines.as_deref(),
    };
    let predicted = predicted_classes(probabilities.data(), model.n_classes(), rows)?;
    let id_column = args.id.as_deref().unwrap_or("row");
    let write = |out: &mut dyn Write| {
        write_predictions(
            out,
            &model,
            probabilities.data(),
            &predicted,
            (id_column, ids.as_deref()),
        )
    };
    match out {
        Some(path) => {
            write_atomically(path, write)?;
            note!(
                "wrote {} predictions to {}",
                predicted.len(),
                path.display()
            );
            Ok(())
        }
        None => console::write_stdout(write),
    }
}

/// The model's feature columns (by name, or all columns but the id by position) and the id
/// column of CSV data.
fn read_table(
    spec: &Spec<'_>,
    args: &PredictArgs,
    features: &[String],
    reading: Reading,
) -> Result<FeatureTable> {
    let selection = ColumnSelection {
        features: (!args.by_position).then(|| features.to_vec()),
        id: args.id.clone(),
    };
    let options = reading.csv_options(None, None);
    Ok(match spec {
        Spec::Stdin => {
            announce_stdin();
            data::read_csv_columns_from(io::stdin().lock(), STDIN, &selection, &options)?
        }
        _ => data::read_csv_columns(&args.data, &selection, &options)?,
    })
}

/// Writes the header `row,predicted_class,p_<class>...` and one line per row of
/// `probabilities` (row-major, one column per class) with its `predicted` class; the first
/// column is the row number counting from 0, or, given ids, the id column `(name, ids)`.
fn write_predictions(
    out: &mut dyn Write,
    model: &SoftmaxRegression,
    probabilities: &[f32],
    predicted: &[usize],
    (id_name, ids): (&str, Option<&[String]>),
) -> io::Result<()> {
    let classes = model.class_names();
    let mut csv = csv::Writer::from_writer(out);
    let header = [id_name.to_string(), "predicted_class".to_string()]
        .into_iter()
        .chain(classes.iter().map(|c| format!("p_{c}")));
    csv.write_record(header)?;
    let mut field = String::new();
    let rows = probabilities.chunks_exact(classes.len().max(1));
    for (row, (p, &best)) in rows.zip(predicted).enumerate() {
        match ids {
            Some(ids) => csv.write_field(&ids[row])?,
            None => csv.write_field(row.to_string())?,
        }
        csv.write_field(&classes[best])?;
        for value in p {
            field.clear();
            std::fmt::Write::write_fmt(
                &mut field,
                format_args!("{}", data::display::float(*value)),
            )
            .map_err(io::Error::other)?;
            csv.write_field(&field)?;
        }
        csv.write_record(None::<&[u8]>)?;
    }
    csv.flush()
}
