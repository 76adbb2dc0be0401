//! Fitting data to a saved model before the model sees it: features in the model's column
//! order, labels renumbered to the model's classes. The model's own methods panic on shape
//! mismatches; every mismatch is caught here first and reported with its numbers or names.
//!
//! Data's CSV reader numbers classes per file (sorted names), so a file holding a subset
//! of the classes, or the same classes under another numbering, would silently be scored
//! wrong if labels were used as they are. Classes are matched by name instead.

use crate::error::{CliError, Result};
use data::Dataset;
use nn::models::SoftmaxRegression;

/// The data with its features in the model's column order and its labels renumbered to
/// the model's classes. `data_name` and `model_name` name the two in error messages.
pub fn for_model(
    model: &SoftmaxRegression,
    data: &Dataset,
    data_name: &str,
    model_name: &str,
) -> Result<Dataset> {
    let features = features_for_model(model, data, data_name, model_name)?;
    let classes = model.class_names();
    let labels = class_map(classes, data.class_names(), data_name, model_name)?;
    let relabelled = data.labels().iter().map(|&y| labels[y]).collect();
    Ok(Dataset::new(
        features,
        model.n_features(),
        relabelled,
        model.feature_names().to_vec(),
        classes.to_vec(),
    )?)
}

/// The data's features, row-major, in the model's column order (see [`for_model`]).
pub fn features_for_model(
    model: &SoftmaxRegression,
    data: &Dataset,
    data_name: &str,
    model_name: &str,
) -> Result<Vec<f32>> {
    let columns = feature_columns(model, data, data_name, model_name)?;
    let d = data.n_features();
    if columns.iter().copied().eq(0..d) {
        return Ok(data.features().to_vec());
    }
    Ok(data
        .features()
        .chunks_exact(d)
        .flat_map(|row| columns.iter().map(move |&c| row[c]))
        .collect())
}

/// For each of the model's features, the data column that holds it: by name when the data
/// has every feature the model knows, else by position when the counts agree.
fn feature_columns(
    model: &SoftmaxRegression,
    data: &Dataset,
    data_name: &str,
    model_name: &str,
) -> Result<Vec<usize>> {
    let names = data.feature_names();
    let by_name: Option<Vec<usize>> = model
        .feature_names()
        .iter()
        .map(|f| names.iter().position(|n| n == f))
        .collect();
    if let Some(columns) = by_name {
        return Ok(columns);
    }
    if names.len() == model.n_features() {
        return Ok((0..names.len()).collect());
    }
    let plural = if names.len() == 1 { "" } else { "s" };
    Err(CliError::new(format!(
        "{data_name} has {} feature{plural} but the model {model_name} expects {}",
        names.len(),
        model.n_features()
    )))
}

/// For each class of the data, the model's class of that name. Data whose class names are
/// not all model classes but are all integers below the model's number of classes (the
/// labels `tapegrad split` writes) are matched by class index.
pub fn class_map(
    model_classes: &[String],
    data_classes: &[String],
    data_name: &str,
    model_name: &str,
) -> Result<Vec<usize>> {
    let by_name: Option<Vec<usize>> = data_classes
        .iter()
        .map(|c| model_classes.iter().position(|m| m == c))
        .collect();
    if let Some(map) = by_name {
        return Ok(map);
    }
    let by_index: Option<Vec<usize>> = data_classes
        .iter()
        .map(|c| c.parse::<usize>().ok().filter(|&i| i < model_classes.len()))
        .collect();
    if let Some(map) = by_index {
        return Ok(map);
    }
    // Some class is unknown, or the names would have matched.
    let unknown = data_classes
        .iter()
        .find(|c| !model_classes.contains(c))
        .cloned()
        .unwrap_or_default();
    Err(CliError::new(format!(
        "{data_name}: the class {unknown:?} is not one of the model's classes ({}) in {model_name}",
        model_classes.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn classes_by_name_then_by_index() {
        let model = names(&["setosa", "versicolor", "virginica"]);
        assert_eq!(
            class_map(&model, &names(&["virginica", "setosa"]), "d", "m").unwrap(),
            [2, 0]
        );
        assert_eq!(
            class_map(&model, &names(&["0", "2"]), "d", "m").unwrap(),
            [0, 2]
        );
        let err = class_map(&model, &names(&["setosa", "rosa"]), "d.csv", "m.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "d.csv: the class \"rosa\" is not one of the model's classes \
             (setosa, versicolor, virginica) in m.json"
        );
        assert!(class_map(&model, &names(&["0", "3"]), "d", "m").is_err());
    }

    #[test]
    fn digit_names_match_by_name_not_position() {
        let model = names(&["0", "1", "2"]);
        assert_eq!(
            class_map(&model, &names(&["1", "2"]), "d", "m").unwrap(),
            [1, 2]
        );
    }

    #[test]
    fn features_by_name_reorder_and_counts_are_checked() {
        let model = SoftmaxRegression::<f32>::for_dataset(
            &Dataset::new(
                vec![1.0, 2.0, 3.0, 4.0],
                2,
                vec![0, 1],
                names(&["a", "b"]),
                names(&["no", "yes"]),
            )
            .unwrap(),
        );
        let data = Dataset::new(
            vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            3,
            vec![0, 0],
            names(&["b", "x", "a"]),
            names(&["yes"]),
        )
        .unwrap();
        let aligned = for_model(&model, &data, "d", "m").unwrap();
        assert_eq!(aligned.features(), &[30.0, 10.0, 60.0, 40.0]);
        assert_eq!(aligned.labels(), &[1, 1]);
        let wide = Dataset::new(
            vec![0.0; 3],
            3,
            vec![0],
            names(&["p", "q", "r"]),
            names(&["no"]),
        )
        .unwrap();
        let err = for_model(&model, &wide, "wine (bundled)", "m.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "wine (bundled) has 3 features but the model m.json expects 2"
        );
    }
}
