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
//! name instead, or by class index only when the data numbers its classes and no name
//! matches (see [`class_map`]), and then with a note that says so.

use crate::error::{CliError, Result};
use crate::report::{name_list, DataRows};
use data::Dataset;
use std::collections::HashMap;

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
    let classes = class_map(expected, data.class_names())
        .map_err(|unknown| unknown_class_error(expected, data, data_name, unknown))?;
    if classes.by_index {
        let pairs: Vec<String> = (data.class_names().iter().zip(&classes.labels))
            .map(|(name, &label)| format!("{name} -> {}", expected.classes[label]))
            .collect();
        note!(
            "note: {data_name}: its classes are numbers and none is a class of {}, so they \
             are matched by class index: {}",
            expected.owner,
            name_list(&pairs)
        );
    }
    let relabelled = data.labels().iter().map(|&y| classes.labels[y]).collect();
    let aligned = Dataset::new(
        features,
        expected.features.len(),
        relabelled,
        expected.features.to_vec(),
        expected.classes.to_vec(),
    )?;
    Ok(match data.lines() {
        Some(lines) => aligned.with_lines(lines.to_vec())?,
        None => aligned,
    })
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

/// How the classes of data were matched to the expected classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassMap {
    /// For each class of the data, the expected class it is.
    pub labels: Vec<usize>,
    /// Matched by class index, not by name (see [`class_map`]).
    pub by_index: bool,
}

/// A class of the data that is not one of the expected classes, and why the data's classes
/// were not matched by index when they could have been.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownClass {
    /// The data's class, by its index in the data's class names.
    pub class: usize,
    /// Why the classes were not matched by index, when all are numbers that could be.
    pub not_by_index: Option<NotByIndex>,
}

/// Why classes that are numbers below the number of expected classes were not matched by
/// class index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotByIndex {
    /// Some of the data's class names are expected classes.
    NamesOverlap,
    /// The expected classes are named by number themselves.
    NumberedClasses,
}

/// For each class of the data, the expected class of that name.
///
/// Data whose class names are all integers below the number of expected classes, none of
/// them an expected class name, are matched by class index: the bundled CSV files number
/// their classes 0..k-1 while the bundled sets name them. Only then: a name that matches
/// says the data names its classes, and a number that differs is then a class unknown to
/// the model (classes `1, 2, 3` and data `0, 1, 2` are not shifted by one). Nor when the
/// expected classes are numbers themselves, for the same reason.
pub fn class_map(
    expected: Expected<'_>,
    data_classes: &[String],
) -> std::result::Result<ClassMap, UnknownClass> {
    let classes = expected.classes;
    // A map, as there may be thousands of classes on both sides.
    let by_name: HashMap<&str, usize> = (classes.iter().enumerate())
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let position = |c: &String| by_name.get(c.as_str()).copied();
    let unknown = data_classes.iter().position(|c| position(c).is_none());
    let Some(unknown) = unknown else {
        let labels = data_classes.iter().filter_map(position).collect();
        return Ok(ClassMap {
            labels,
            by_index: false,
        });
    };
    let index = |c: &String| c.parse::<usize>().ok().filter(|&i| i < classes.len());
    let Some(labels) = data_classes
        .iter()
        .map(index)
        .collect::<Option<Vec<usize>>>()
    else {
        let class = (data_classes.iter())
            .position(|c| position(c).is_none() && index(c).is_none())
            .unwrap_or(unknown);
        return Err(UnknownClass {
            class,
            not_by_index: None,
        });
    };
    let not_by_index = if data_classes.iter().any(|c| position(c).is_some()) {
        Some(NotByIndex::NamesOverlap)
    } else if classes.iter().all(|c| c.parse::<i64>().is_ok()) {
        Some(NotByIndex::NumberedClasses)
    } else {
        return Ok(ClassMap {
            labels,
            by_index: true,
        });
    };
    Err(UnknownClass {
        class: unknown,
        not_by_index,
    })
}

/// The error of a class of the data that is not expected, naming the class and the
/// expected classes.
fn unknown_class_error(
    expected: Expected<'_>,
    data: &Dataset,
    data_name: &str,
    unknown: UnknownClass,
) -> CliError {
    let hint = match unknown.not_by_index {
        Some(NotByIndex::NamesOverlap) => {
            "; classes are matched by index only when no class name matches".to_string()
        }
        Some(NotByIndex::NumberedClasses) => format!(
            "; {} names its classes by number, so numbers are not taken for class indices",
            expected.owner
        ),
        None => String::new(),
    };
    // Named by the first row of the class, to be found in the file.
    let first = data.labels().iter().position(|&y| y == unknown.class);
    let rows = DataRows {
        name: data_name,
        lines: data.lines(),
    };
    let place = first.map_or_else(|| data_name.to_string(), |row| rows.place(row));
    CliError::new(format!(
        "{place}: the class {} is not one of the classes of {} ({}){hint}",
        data::display::quoted(&data.class_names()[unknown.class]),
        expected.owner,
        name_list(expected.classes),
    ))
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

    fn by_name(labels: &[usize]) -> ClassMap {
        ClassMap {
            labels: labels.to_vec(),
            by_index: false,
        }
    }

    #[test]
    fn classes_by_name_then_by_index() {
        let classes = names(&["setosa", "versicolor", "virginica"]);
        let model = expected(&[], &classes);
        assert_eq!(
            class_map(model, &names(&["virginica", "setosa"])),
            Ok(by_name(&[2, 0]))
        );
        let by_index = ClassMap {
            labels: vec![0, 2],
            by_index: true,
        };
        assert_eq!(class_map(model, &names(&["0", "2"])), Ok(by_index));
        let unknown = |class, not_by_index| {
            Err(UnknownClass {
                class,
                not_by_index,
            })
        };
        assert_eq!(
            class_map(model, &names(&["rosa", "setosa"])),
            unknown(0, None)
        );
        // Not an index: 3 is not below 3, and a name is no index.
        assert_eq!(class_map(model, &names(&["0", "3"])), unknown(1, None));
        assert_eq!(class_map(model, &names(&["0", "rosa"])), unknown(1, None));
        // A class that is a name: the numbers are unknown classes, not indices.
        assert_eq!(class_map(model, &names(&["1", "setosa"])), unknown(0, None));
    }

    #[test]
    fn digit_names_match_by_name_not_position() {
        let classes = names(&["0", "1", "2"]);
        assert_eq!(
            class_map(expected(&[], &classes), &names(&["1", "2"])),
            Ok(by_name(&[1, 2]))
        );
    }

    /// Numbered classes are names: data numbered from 0 is not shifted onto a model whose
    /// classes are numbered from 1.
    #[test]
    fn numbers_match_numbered_classes_by_name_only() {
        let classes = names(&["1", "2", "3"]);
        let model = expected(&[], &classes);
        assert_eq!(class_map(model, &names(&["1", "3"])), Ok(by_name(&[0, 2])));
        let unknown = |not_by_index| {
            Err(UnknownClass {
                class: 0,
                not_by_index: Some(not_by_index),
            })
        };
        assert_eq!(
            class_map(model, &names(&["0", "1", "2"])),
            unknown(NotByIndex::NamesOverlap)
        );
        assert_eq!(
            class_map(model, &names(&["0"])),
            unknown(NotByIndex::NumberedClasses)
        );
    }

    /// The errors name the class, the model's classes and why numbers were no indices.
    #[test]
    fn unknown_classes_are_named_with_the_expected_ones() {
        let classes = names(&["1", "2", "3"]);
        let x = names(&["x"]);
        let model = expected(&x, &classes);
        // Rows labelled 2, 1, 0, ..., on lines 2, 4, 6, ...: the first row of the class
        // is named by its line.
        let data = |labels: &[&str]| {
            let n = labels.len();
            Dataset::new(
                vec![0.0; n],
                1,
                (0..n).rev().collect(),
                x.clone(),
                names(labels),
            )
            .unwrap()
            .with_lines((0..n).map(|row| 2 + 2 * row).collect())
            .unwrap()
        };
        let err = dataset(model, &data(&["0", "1", "2"]), "d.csv", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv: line 6: the class \"0\" is not one of the classes of the model m.json (1, 2, \
             3); classes are matched by index only when no class name matches"
        );
        let err = dataset(model, &data(&["0"]), "d.csv", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv: line 2: the class \"0\" is not one of the classes of the model m.json (1, 2, \
             3); the model m.json names its classes by number, so numbers are not taken for \
             class indices"
        );
        // Many classes are listed in part; rows not read from a file are named by index.
        let many: Vec<String> = (0..100).map(|c| format!("c{c}")).collect();
        let unlined = Dataset::new(vec![0.0; 2], 1, vec![0, 1], x.clone(), names(&["c0", "z"]));
        let err = dataset(expected(&x, &many), &unlined.unwrap(), "d", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d: row 1 (counting from 0): the class \"z\" is not one of the classes of the model \
             m.json (c0, c1, c2, c3, c4, c5, c6, c7, ..., c98, c99)"
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
        let aligned = dataset(
            model,
            &data.clone().with_lines(vec![3, 7]).unwrap(),
            "d",
            false,
        );
        let aligned = aligned.unwrap();
        assert_eq!(aligned.features(), &[30.0, 10.0, 60.0, 40.0]);
        assert_eq!(aligned.labels(), &[1, 1]);
        assert_eq!(
            aligned.lines(),
            Some(&[3, 7][..]),
            "the rows keep their lines"
        );
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
