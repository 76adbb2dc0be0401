//! `tapegrad eval`: a saved model's accuracy, mean cross-entropy, confusion matrix and
//! per-class precision and recall on a data set.

use crate::align;
use crate::cli::EvalArgs;
use crate::error::{CliError, Result};
use crate::report::{confusion_table, per_class_table};
use crate::source::Source;
use nn::metrics::confusion_matrix;
use nn::models::SoftmaxRegression;

/// Runs `tapegrad eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    let model = SoftmaxRegression::<f32>::load(&args.model)?;
    let model_name = args.model.display().to_string();
    let source = Source::load(&args.data.data, args.data.target.as_deref())?;
    let data_name = source.describe();
    let part = source.evaluation_part(&args.hold_out)?;
    let data = align::for_model(&model, &part.data, &data_name, &model_name)?;
    if data.is_empty() {
        return Err(CliError::new(format!(
            "{data_name}: the {} has no rows to evaluate on",
            part.description
        )));
    }

    let predicted = model.predict(&data);
    let correct = predicted
        .iter()
        .zip(data.labels())
        .filter(|(p, y)| p == y)
        .count();
    let loss = model.loss(&data)?;
    let counts = confusion_matrix(&predicted, data.labels(), model.n_classes());

    say!(
        "model: {model_name} ({} features, {} classes)",
        model.n_features(),
        model.n_classes()
    );
    say!(
        "data: {data_name}, {}: {} rows",
        part.description,
        data.len()
    );
    say!(
        "accuracy: {:.4} ({correct}/{} rows)",
        correct as f64 / data.len() as f64,
        data.len()
    );
    say!("mean cross-entropy: {loss:.4}");
    say!("\nconfusion matrix (rows: true class, columns: predicted class)");
    let classes = model.class_names();
    say!("{}", confusion_table(classes, &counts));
    say!("\n{}", per_class_table(classes, &counts));
    Ok(())
}
