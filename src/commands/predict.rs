//! `tapegrad predict`: class predictions and probabilities of a saved model, as CSV
//! `row,predicted_class,p_<class1>,...`, to a file (atomically) or standard output.

use crate::align;
use crate::cli::PredictArgs;
use crate::error::{CliError, Result};
use crate::output::{check_writable, write_atomically};
use crate::source::{Source, Spec};
use nn::models::SoftmaxRegression;
use std::io::{self, Write};

/// Runs `tapegrad predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    if let Some(out) = &args.out {
        check_writable(out, "predictions")?;
    }
    let model = SoftmaxRegression::<f32>::load(&args.model)?;
    let model_name = args.model.display().to_string();
    let features = match Spec::classify(&args.data)? {
        Spec::File(path) => {
            if args.hold_out.test_fraction.is_some() || args.hold_out.split_seed.is_some() {
                return Err(CliError::new(
                    "predict reads every row of a CSV file; --test-fraction and --split-seed \
                     apply to bundled data sets only",
                ));
            }
            data::read_csv_columns(
                path,
                &data::ColumnSelection::features(model.feature_names()),
                &data::CsvOptions::default(),
            )?
            .features
        }
        Spec::Bundled(_) | Spec::Directory(_) => {
            let source = Source::load(&args.data, None)?;
            let data_name = source.describe();
            let part = source.evaluation_part(&args.hold_out)?;
            align::features_for_model(&model, &part.data, &data_name, &model_name)?
        }
    };

    let probabilities = model.predict_proba_rows(&features);
    let predicted = probabilities.argmax_axis(-1);
    let write =
        |out: &mut dyn Write| write_predictions(out, &model, probabilities.data(), &predicted);
    match &args.out {
        Some(path) => {
            write_atomically(path, write)?;
            let rows = probabilities.data().len() / model.n_classes();
            eprintln!("wrote {rows} predictions to {}", path.display());
            Ok(())
        }
        None => match write(&mut io::stdout().lock()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::new(format!(
                "cannot write to standard output: {e}"
            ))),
            _ => Ok(()),
        },
    }
}

/// Writes the header `row,predicted_class,p_<class>...` and one line per row of
/// `probabilities` (row-major, one column per class) with its `predicted` class (the most
/// probable one, the first of equals); rows count from 0.
fn write_predictions(
    out: &mut dyn Write,
    model: &SoftmaxRegression,
    probabilities: &[f32],
    predicted: &[usize],
) -> io::Result<()> {
    let classes = model.class_names();
    let mut csv = csv::Writer::from_writer(out);
    let header = ["row".to_string(), "predicted_class".to_string()]
        .into_iter()
        .chain(classes.iter().map(|c| format!("p_{c}")));
    csv.write_record(header)?;
    let mut field = String::new();
    let rows = probabilities.chunks_exact(classes.len().max(1));
    for (row, (p, &best)) in rows.zip(predicted).enumerate() {
        csv.write_field(row.to_string())?;
        csv.write_field(&classes[best])?;
        for value in p {
            field.clear();
            std::fmt::Write::write_fmt(&mut field, format_args!("{value}"))
                .map_err(io::Error::other)?;
            csv.write_field(&field)?;
        }
        csv.write_record(None::<&[u8]>)?;
    }
    csv.flush()
}
