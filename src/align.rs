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
    if let (Some(theirs), Some(ours)) = (image_size(names), image_size(expected.features)) {
        // Pixels are named by row and column, so images of another size share names with
        // these but not their places: pixel_1_0 is the 3rd pixel of a 2 x 2 image and the
        // 29th of a 28 x 28 one.
        if theirs != ours {
            return Err(CliError::new(format!(
                "{data_name} holds {} x {} images but {} expects {} x {} images",
                theirs.0, theirs.1, expected.owner, ours.0, ours.1
            )));
        }
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

/// The size (rows, columns) of the images whose pixels these features are, if they are the
/// pixels `pixel_<row>_<col>` of a whole image in row-major order (as IDX and the bundled
/// image sets name them).
fn image_size(names: &[String]) -> Option<(usize, usize)> {
    let pixel = |name: &String| -> Option<(usize, usize)> {
        let (row, col) = name.strip_prefix("pixel_")?.split_once('_')?;
        Some((row.parse().ok()?, col.parse().ok()?))
    };
    let &(last_row, last_col) = &pixel(names.last()?)?;
    let size = (last_row + 1, last_col + 1);
    let whole = names.len() == size.0 * size.1
        && (names.iter().enumerate())
            .all(|(i, name)| pixel(name) == Some((i / size.1, i % size.1)));
    whole.then_some(size)
}

/// For each class of the data, the expected class of that name. Data whose class names are
/// not all expected classes but are all integers below the number of expected classes (as
/// in the bundled CSV files, which number their classes) are matched by class index.
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

    /// Pixels named by row and column: images of another size are refused, not matched
    /// pixel by name to the wrong places; a partial grid is plain columns.
    #[test]
    fn images_of_another_size_are_refused() {
        let pixels = |rows: usize, cols: usize| -> Vec<String> {
            (0..rows * cols)
                .map(|i| format!("pixel_{}_{}", i / cols, i % cols))
                .collect()
        };
        assert_eq!(image_size(&pixels(2, 3)), Some((2, 3)));
        assert_eq!(image_size(&pixels(28, 28)), Some((28, 28)));
        assert_eq!(image_size(&pixels(2, 3)[1..]), None);
        assert_eq!(image_size(&names(&["pixel_0_0", "x"])), None);
        let small = pixels(2, 2);
        let model = expected(&small, &[]);
        let err = feature_columns(model, &pixels(28, 28), "mnist5k", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mnist5k holds 28 x 28 images but the model m.json expects 2 x 2 images"
        );
        assert_eq!(
            feature_columns(model, &small, "d", false).unwrap(),
            [0, 1, 2, 3]
        );
        // A model of some of the pixels picks them from whole images, by name.
        let some = names(&["pixel_0_1", "pixel_1_0"]);
        let columns = feature_columns(expected(&some, &[]), &small, "d", false).unwrap();
        assert_eq!(columns, [1, 2]);
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
