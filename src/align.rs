//! Fitting data to what a model (or a training set) expects before it sees it: features
//! in the expected column order, labels renumbered to the expected classes. The model's own
//! methods panic on shape mismatches; every mismatch is caught here first and reported
//! with its numbers or names.
//!
//! Features are matched by name: a data set lacking some of them is an error naming every
//! missing one. Matching by position is only done when asked (`--by-position`), and then
//! the counts must agree. Data's CSV reader numbers classes per file (sorted names), so a
//! file holding a subset of the classes, or the same classes under another numbering,
//! would silently be scored wrong if labels were used as they are: classes are matched by
//! name instead.

use crate::error::{CliError, Result};
use crate::report::name_list;
use data::Dataset;

/// The feature and class names data must be fitted to, and how to name their owner in
/// messages (`the model m.json`, `the training data`).
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// Who expects them, for messages.
    pub owner: &'a str,
    /// The feature names, in column order.
    pub features: &'a [String],
    /// The class names, indexed by label.
    pub classes: &'a [String],
}

/// The data with its features in the expected column order and its labels renumbered to
/// the expected classes. `data_name` names the data in error messages.
pub fn dataset(
    expected: Expected<'_>,
    data: &Dataset,
    data_name: &str,
    by_position: bool,
) -> Result<Dataset> {
    let features = features(expected, data, data_name, by_position)?;
    let labels = class_map(expected, data.class_names(), data_name)?;
    let relabelled = data.labels().iter().map(|&y| labels[y]).collect();
    Ok(Dataset::new(
        features,
        expected.features.len(),
        relabelled,
        expected.features.to_vec(),
        expected.classes.to_vec(),
    )?)
}

/// The data's features, row-major, in the expected column order (see [`dataset`]).
pub fn features(
    expected: Expected<'_>,
    data: &Dataset,
    data_name: &str,
    by_position: bool,
) -> Result<Vec<f32>> {
    let columns = feature_columns(expected, data.feature_names(), data_name, by_position)?;
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

/// For each expected feature, the data column that holds it: by name, or by position when
/// `by_position` is set (then the counts must agree).
pub fn feature_columns(
    expected: Expected<'_>,
    names: &[String],
    data_name: &str,
    by_position: bool,
) -> Result<Vec<usize>> {
    let wanted = expected.features.len();
    if by_position {
        if names.len() != wanted {
            let plural = if names.len() == 1 { "" } else { "s" };
            return Err(CliError::new(format!(
                "{data_name} has {} feature column{plural} but {} expects {wanted}",
                names.len(),
                expected.owner
            )));
        }
        return Ok((0..wanted).collect());
    }
    let mut columns = Vec::with_capacity(wanted);
    let mut missing = Vec::new();
    for feature in expected.features {
        match names.iter().position(|n| n == feature) {
            Some(c) => columns.push(c),
            None => missing.push(feature.as_str()),
        }
    }
    if missing.is_empty() {
        return Ok(columns);
    }
    let hint = if names.len() == wanted {
        "; if the columns are the same under other names, pass --by-position"
    } else {
        ""
    };
    let theirs = name_list(names);
    if missing.len() == wanted {
        return Err(CliError::new(format!(
            "{data_name} has none of the {wanted} features {} expects ({}); its features \
             are: {theirs}{hint}",
            expected.owner,
            name_list(&missing),
        )));
    }
    Err(CliError::new(format!(
        "{data_name} lacks {} of the {wanted} features {} expects: {} (its features are: \
         {theirs}){hint}",
        missing.len(),
        expected.owner,
        name_list(&missing),
    )))
}

/// For each class of the data, the expected class of that name. Data whose class names are
/// not all expected classes but are all integers below the number of expected classes (the
/// labels `tapegrad split` writes) are matched by class index.
pub fn class_map(
    expected: Expected<'_>,
    data_classes: &[String],
    data_name: &str,
) -> Result<Vec<usize>> {
    let classes = expected.classes;
    let by_name: Option<Vec<usize>> = data_classes
        .iter()
        .map(|c| classes.iter().position(|m| m == c))
        .collect();
    if let Some(map) = by_name {
        return Ok(map);
    }
    let by_index: Option<Vec<usize>> = data_classes
        .iter()
        .map(|c| c.parse::<usize>().ok().filter(|&i| i < classes.len()))
        .collect();
    if let Some(map) = by_index {
        return Ok(map);
    }
    // Some class is unknown, or the names would have matched.
    let unknown = data_classes
        .iter()
        .find(|c| !classes.contains(c))
        .cloned()
        .unwrap_or_default();
    Err(CliError::new(format!(
        "{data_name}: the class {unknown:?} is not one of the classes of {} ({})",
        expected.owner,
        classes.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn expected<'a>(features: &'a [String], classes: &'a [String]) -> Expected<'a> {
        Expected {
            owner: "the model m.json",
            features,
            classes,
        }
    }

    #[test]
    fn classes_by_name_then_by_index() {
        let classes = names(&["setosa", "versicolor", "virginica"]);
        let model = expected(&[], &classes);
        assert_eq!(
            class_map(model, &names(&["virginica", "setosa"]), "d").unwrap(),
            [2, 0]
        );
        assert_eq!(class_map(model, &names(&["0", "2"]), "d").unwrap(), [0, 2]);
        let err = class_map(model, &names(&["setosa", "rosa"]), "d.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "d.csv: the class \"rosa\" is not one of the classes of the model m.json \
             (setosa, versicolor, virginica)"
        );
        assert!(class_map(model, &names(&["0", "3"]), "d").is_err());
    }

    #[test]
    fn digit_names_match_by_name_not_position() {
        let classes = names(&["0", "1", "2"]);
        assert_eq!(
            class_map(expected(&[], &classes), &names(&["1", "2"]), "d").unwrap(),
            [1, 2]
        );
    }

    #[test]
    fn features_by_name_reorder_and_missing_ones_are_all_named() {
        let (wanted, classes) = (names(&["a", "b"]), names(&["no", "yes"]));
        let model = expected(&wanted, &classes);
        let data = Dataset::new(
            vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            3,
            vec![0, 0],
            names(&["b", "x", "a"]),
            names(&["yes"]),
        )
        .unwrap();
        let aligned = dataset(model, &data, "d", false).unwrap();
        assert_eq!(aligned.features(), &[30.0, 10.0, 60.0, 40.0]);
        assert_eq!(aligned.labels(), &[1, 1]);
        let other =
            Dataset::new(vec![0.0; 2], 2, vec![0], names(&["p", "a"]), names(&["no"])).unwrap();
        let err = dataset(model, &other, "o.csv", false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "o.csv lacks 1 of the 2 features the model m.json expects: b (its features are: \
             p, a); if the columns are the same under other names, pass --by-position"
        );
        // By position, when asked: the counts must agree.
        assert_eq!(features(model, &other, "o.csv", true).unwrap(), [0.0, 0.0]);
        let err = features(model, &data, "wine (bundled)", true)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "wine (bundled) has 3 feature columns but the model m.json expects 2"
        );
    }
}
