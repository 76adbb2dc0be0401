//! The results of evaluating a model on labelled data ([`Evaluation`]): accuracy, mean
//! cross-entropy, per-class precision, recall and F1, and the confusion matrix; printed as
//! text tables (`tapegrad eval`) or serialised as JSON (`--json`).

use crate::error::{CliError, Result};
use data::Dataset;
use nn::models::SoftmaxRegression;
use serde::Serialize;
use std::fmt::Write;

/// A model's results on labelled data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Rows evaluated.
    pub rows: usize,
    /// Rows whose most probable class is the label.
    pub correct: usize,
    /// `correct / rows`.
    pub accuracy: f64,
    /// Mean cross-entropy.
    pub loss: f64,
    /// Precision, recall, F1 and support of each class, in class order.
    pub per_class: Vec<ClassScores>,
    /// The class names, which label the rows and columns of `confusion_matrix`.
    pub classes: Vec<String>,
    /// `confusion_matrix[true][predicted]`: row counts.
    pub confusion_matrix: Vec<Vec<usize>>,
}

/// The scores of one class. A ratio is `None` (JSON `null`) where it is undefined:
/// precision for a class never predicted, recall for a class with no rows, F1 where either
/// is undefined.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassScores {
    /// The class name.
    pub class: String,
    /// Of the rows predicted as this class, the fraction that are.
    pub precision: Option<f64>,
    /// Of the rows of this class, the fraction predicted as it.
    pub recall: Option<f64>,
    /// The harmonic mean of precision and recall (0 when both are 0).
    pub f1: Option<f64>,
    /// Rows of this class.
    pub support: usize,
}

impl Evaluation {
    /// Evaluates `model` on `data`, whose features and labels are already the model's
    /// (see [`crate::align`]); `data_name` names the data in errors.
    pub fn of(model: &SoftmaxRegression, data: &Dataset, data_name: &str) -> Result<Evaluation> {
        let probabilities = model.predict_proba(data);
        let predicted = predicted_classes(probabilities.data(), model.n_classes(), data_name)?;
        let counts = nn::metrics::confusion_matrix(&predicted, data.labels(), model.n_classes());
        let correct = (0..counts.len()).map(|c| counts[c][c]).sum();
        Ok(Evaluation {
            rows: data.len(),
            correct,
            accuracy: correct as f64 / data.len() as f64,
            loss: model.loss(data)?,
            per_class: per_class(model.class_names(), &counts),
            classes: model.class_names().to_vec(),
            confusion_matrix: counts,
        })
    }
}

/// The most probable class of each row of `probabilities` (row-major, `classes` per row;
/// the first of equals). A row whose probabilities are not all finite is an error naming
/// it: no class is ever predicted from NaN.
pub fn predicted_classes(
    probabilities: &[f32],
    classes: usize,
    data_name: &str,
) -> Result<Vec<usize>> {
    probabilities
        .chunks_exact(classes.max(1))
        .enumerate()
        .map(|(row, p)| {
            if p.iter().any(|v| !v.is_finite()) {
                return Err(CliError::new(format!(
                    "{data_name}: row {row} (counting from 0): the model's class \
                     probabilities are not finite, so no class can be predicted; the row's \
                     features are far outside the range the model was trained on"
                )));
            }
            let best = (1..p.len()).fold(0, |best, c| if p[c] > p[best] { c } else { best });
            Ok(best)
        })
        .collect()
}

/// Precision, recall, F1 and support of each class from a confusion matrix
/// `counts[true][predicted]`.
pub fn per_class(class_names: &[String], counts: &[Vec<usize>]) -> Vec<ClassScores> {
    (0..counts.len())
        .map(|c| {
            let correct = counts[c][c];
            let support: usize = counts[c].iter().sum();
            let predicted: usize = counts.iter().map(|row| row[c]).sum();
            let ratio = |n: usize| (n > 0).then(|| correct as f64 / n as f64);
            let (precision, recall) = (ratio(predicted), ratio(support));
            let f1 = precision.zip(recall).map(|(p, r)| {
                if p + r == 0.0 {
                    0.0
                } else {
                    2.0 * p * r / (p + r)
                }
            });
            ClassScores {
                class: class_names[c].clone(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect()
}

/// The confusion matrix as a table: one row per true class, one column per predicted
/// class, both labelled with (abbreviated) class names.
pub fn confusion_table(class_names: &[String], counts: &[Vec<usize>]) -> String {
    const CORNER: &str = "true \\ predicted";
    let names: Vec<String> = class_names.iter().map(|n| abbreviate(n, 14)).collect();
    let label_width = names
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0)
        .max(CORNER.len());
    let max_count = counts.iter().flatten().copied().max().unwrap_or(0);
    let cell_width = names
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(0)
        .max(max_count.to_string().len())
        .max(3);
    let mut out = format!("{CORNER:<label_width$}");
    for name in &names {
        let _ = write!(out, "  {name:>cell_width$}");
    }
    for (name, row) in names.iter().zip(counts) {
        let _ = write!(out, "\n{name:<label_width$}");
        for count in row {
            let _ = write!(out, "  {count:>cell_width$}");
        }
    }
    out
}

/// Precision, recall, F1 and support per class as a table; `-` where a ratio is undefined.
pub fn per_class_table(scores: &[ClassScores]) -> String {
    let names: Vec<String> = scores.iter().map(|s| abbreviate(&s.class, 24)).collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0).max(5);
    let ratio = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{r:.4}"));
    let mut out = format!(
        "{:<width$}  {:>9}  {:>9}  {:>9}  {:>7}",
        "class", "precision", "recall", "f1", "support"
    );
    for (name, s) in names.iter().zip(scores) {
        let _ = write!(
            out,
            "\n{name:<width$}  {:>9}  {:>9}  {:>9}  {:>7}",
            ratio(s.precision),
            ratio(s.recall),
            ratio(s.f1),
            s.support
        );
    }
    out
}

/// Names listed in full up to this many; past it, the first 8 and the last 2.
const MAX_LISTED_NAMES: usize = 12;

/// The names joined by commas; past [`MAX_LISTED_NAMES`], the first 8, `...` and the last 2.
pub fn name_list(names: &[impl AsRef<str>]) -> String {
    let join = |names: &[_]| {
        names
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<&str>>()
            .join(", ")
    };
    if names.len() <= MAX_LISTED_NAMES {
        return join(names);
    }
    format!(
        "{}, ..., {}",
        join(&names[..8]),
        join(&names[names.len() - 2..])
    )
}

/// At most `max` characters of `name`, the last replaced by `~` if it was cut.
fn abbreviate(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let mut short: String = name.chars().take(max - 1).collect();
    short.push('~');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn precision_recall_and_f1_from_counts() {
        let counts = vec![vec![3, 1, 0], vec![0, 2, 0], vec![0, 0, 0]];
        let stats = per_class(&names(&["a", "b", "c"]), &counts);
        let triple = |s: &ClassScores| (s.precision, s.recall, s.support);
        assert_eq!(triple(&stats[0]), (Some(1.0), Some(0.75), 4));
        assert_eq!(stats[0].f1, Some(2.0 * 0.75 / 1.75));
        assert_eq!(triple(&stats[1]), (Some(2.0 / 3.0), Some(1.0), 2));
        assert_eq!(triple(&stats[2]), (None, None, 0));
        assert_eq!(stats[2].f1, None);
        let never_right = per_class(&names(&["a", "b"]), &[vec![0, 1], vec![1, 0]]);
        assert_eq!(never_right[0].f1, Some(0.0));
    }

    #[test]
    fn no_class_is_predicted_from_nan() {
        assert_eq!(
            predicted_classes(&[0.2, 0.8, 0.5, 0.5], 2, "d").unwrap(),
            [1, 0]
        );
        let err = predicted_classes(&[0.2, 0.8, f32::NAN, 0.5], 2, "d.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.csv: row 1 (counting from 0): the model's class"),
            "{err}"
        );
    }

    #[test]
    fn tables_are_labelled_and_aligned() {
        let counts = vec![vec![12, 1], vec![0, 100]];
        let table = confusion_table(&names(&["no", "a_very_long_class_name"]), &counts);
        assert_eq!(
            table,
            "true \\ predicted              no  a_very_long_c~\n\
             no                            12               1\n\
             a_very_long_c~                 0             100"
        );
        let table = per_class_table(&per_class(&names(&["no", "yes"]), &counts));
        assert_eq!(
            table,
            "class  precision     recall         f1  support\n\
             no        1.0000     0.9231     0.9600       13\n\
             yes       0.9901     1.0000     0.9950      100"
        );
    }
}
