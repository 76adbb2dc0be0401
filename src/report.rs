//! The results of evaluating a model on labelled data ([`Evaluation`]): accuracy, mean
//! cross-entropy, per-class precision, recall and F1, and the confusion counts; printed as
//! text (`tapegrad eval`) or serialised as JSON (`--json`).
//!
//! The confusion counts are kept sparse (only the pairs of classes that occur), so a model
//! of thousands of classes is evaluated in memory that grows with the rows, not with the
//! square of the classes. Past a few classes, the text shows a summary in place of tables
//! nobody could read: the most frequent confusions, and the classes that fare worst.

use crate::error::{CliError, Result};
use data::display::label;
use data::Dataset;
use nn::models::SoftmaxRegression;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Classes up to which the text shows the whole confusion matrix: 20 columns of counts fit
/// a wide terminal; more wrap into a table no one can read.
pub const MAX_MATRIX_CLASSES: usize = 20;
/// Classes up to which the text lists the scores of every class (a line each: about a
/// screenful); past it, the [`WORST_CLASSES_LISTED`] worst.
pub const MAX_LISTED_CLASSES: usize = 50;
/// Classes up to which the JSON document holds the dense `confusion_matrix` (10,000 counts
/// at most); `confusion_counts` holds the non-zero cells for any number of classes.
pub const MAX_JSON_MATRIX_CLASSES: usize = 100;
/// Classes whose scores the text lists when there are too many to list them all.
const WORST_CLASSES_LISTED: usize = 20;
/// Confusions the text lists in place of a confusion matrix too large to print.
const CONFUSIONS_LISTED: usize = 10;

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
    /// `confusion_matrix[true][predicted]`: row counts; only up to
    /// [`MAX_JSON_MATRIX_CLASSES`] classes (absent from JSON past that).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion_matrix: Option<Vec<Vec<usize>>>,
    /// The non-zero cells of the confusion matrix, by true class, then predicted class.
    pub confusion_counts: Vec<ConfusionCount>,
}

/// The number of rows of one true class predicted as one class (not zero).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfusionCount {
    /// The true class.
    #[serde(rename = "true")]
    pub true_class: String,
    /// The predicted class.
    pub predicted: String,
    /// The number of rows.
    pub rows: usize,
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
        let rows = DataRows {
            name: data_name,
            lines: data.lines(),
        };
        let predicted = predicted_classes(probabilities.data(), model.n_classes(), rows)?;
        let loss = model.loss(data)?;
        Ok(Evaluation::from_predictions(
            &predicted,
            data.labels(),
            model.class_names(),
            loss,
        ))
    }

    /// The results of the `predicted` classes of rows labelled `labels`, both indices into
    /// `names`, with the mean cross-entropy `loss`.
    pub fn from_predictions(
        predicted: &[usize],
        labels: &[usize],
        names: &[String],
        loss: f64,
    ) -> Evaluation {
        let k = names.len();
        let counts = nn::metrics::confusion_counts(predicted, labels, k);
        let correct = (counts.iter())
            .filter(|((y, p), _)| y == p)
            .map(|(_, n)| n)
            .sum();
        Evaluation {
            rows: labels.len(),
            correct,
            accuracy: correct as f64 / labels.len() as f64,
            loss,
            per_class: per_class(names, &counts),
            classes: names.to_vec(),
            confusion_matrix: (k <= MAX_JSON_MATRIX_CLASSES)
                .then(|| nn::metrics::confusion_matrix(predicted, labels, k)),
            confusion_counts: (counts.iter())
                .map(|(&(y, p), &rows)| ConfusionCount {
                    true_class: names[y].clone(),
                    predicted: names[p].clone(),
                    rows,
                })
                .collect(),
        }
    }
}

/// Data as messages name it: its name, and the line of each row in the file it was read
/// from, when it was read from text.
#[derive(Clone, Copy, Debug)]
pub struct DataRows<'a> {
    /// The data's name: `d.csv (CSV file)`, `iris (bundled)`.
    pub name: &'a str,
    /// The 1-based line of each row in its file (see [`data::Dataset::lines`]).
    pub lines: Option<&'a [usize]>,
}

impl DataRows<'_> {
    /// Where row `row` (counting from 0) is: `d.csv: line 7`, or, for data not read from
    /// text, `mnist (bundled): row 6 (counting from 0)`.
    pub fn place(&self, row: usize) -> String {
        match self.lines.and_then(|lines| lines.get(row)) {
            Some(line) => format!("{}: line {line}", self.name),
            None => format!("{}: row {row} (counting from 0)", self.name),
        }
    }
}

/// The most probable class of each row of `probabilities` (row-major, `classes` per row;
/// the first of equals). A row whose probabilities are not all finite is an error naming
/// its line in `data` (or its index): no class is ever predicted from NaN.
pub fn predicted_classes(
    probabilities: &[f32],
    classes: usize,
    data: DataRows<'_>,
) -> Result<Vec<usize>> {
    probabilities
        .chunks_exact(classes.max(1))
        .enumerate()
        .map(|(row, p)| {
            if p.iter().any(|v| !v.is_finite()) {
                return Err(CliError::new(format!(
                    "{}: the model's class probabilities are not finite, so no class can be \
                     predicted; the row's features are far outside the range the model was \
                     trained on",
                    data.place(row)
                )));
            }
            let best = (1..p.len()).fold(0, |best, c| if p[c] > p[best] { c } else { best });
            Ok(best)
        })
        .collect()
}

/// Precision, recall, F1 and support of each class from the non-zero cells of a confusion
/// matrix, `(true, predicted)` to rows.
pub fn per_class(
    class_names: &[String],
    counts: &BTreeMap<(usize, usize), usize>,
) -> Vec<ClassScores> {
    let k = class_names.len();
    let (mut correct, mut support, mut predicted) = (vec![0; k], vec![0; k], vec![0; k]);
    for (&(y, p), &n) in counts {
        support[y] += n;
        predicted[p] += n;
        if y == p {
            correct[y] = n;
        }
    }
    (0..k)
        .map(|c| {
            let ratio = |n: usize| (n > 0).then(|| correct[c] as f64 / n as f64);
            let (precision, recall) = (ratio(predicted[c]), ratio(support[c]));
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
                support: support[c],
            }
        })
        .collect()
}

/// The confusion matrix as text: the whole table for up to [`MAX_MATRIX_CLASSES`] classes;
/// past that, a line saying it is omitted and the most frequent confusions.
pub fn confusion_text(evaluation: &Evaluation) -> String {
    let k = evaluation.classes.len();
    let matrix = (evaluation.confusion_matrix.as_ref()).filter(|_| k <= MAX_MATRIX_CLASSES);
    if let Some(matrix) = matrix {
        return format!(
            "confusion matrix (rows: true class, columns: predicted class)\n{}",
            confusion_table(&evaluation.classes, matrix)
        );
    }
    let mut out = format!(
        "confusion matrix: omitted for {k} classes (it is printed for up to \
         {MAX_MATRIX_CLASSES}; --json lists its non-zero cells)"
    );
    let mut confusions: Vec<&ConfusionCount> = (evaluation.confusion_counts.iter())
        .filter(|c| c.true_class != c.predicted)
        .collect();
    if confusions.is_empty() {
        out += "\nno confusions: every row is predicted as its own class";
        return out;
    }
    // Stable: equal counts stay in order of true class, then predicted class.
    confusions.sort_by_key(|c| Reverse(c.rows));
    let shown = confusions.len().min(CONFUSIONS_LISTED);
    out += "\nmost frequent confusions (true -> predicted: rows)";
    if shown < confusions.len() {
        let _ = write!(out, ", {shown} of {}", confusions.len());
    }
    for c in &confusions[..shown] {
        let (from, to) = (label(&c.true_class), label(&c.predicted));
        let _ = write!(out, "\n  {from} -> {to}: {}", c.rows);
    }
    out
}

/// The per-class scores as text: a table of every class for up to [`MAX_LISTED_CLASSES`]
/// classes; past that, of the classes with rows or predictions, the
/// [`WORST_CLASSES_LISTED`] of lowest F1 (an undefined F1 counts as 0), the larger first
/// among equals.
pub fn per_class_text(scores: &[ClassScores]) -> String {
    if scores.len() <= MAX_LISTED_CLASSES {
        return per_class_table(&scores.iter().collect::<Vec<_>>());
    }
    let mut involved: Vec<&ClassScores> = (scores.iter())
        .filter(|s| s.support > 0 || s.precision.is_some())
        .collect();
    let f1 = |s: &ClassScores| s.f1.unwrap_or(0.0);
    involved.sort_by(|a, b| f1(a).total_cmp(&f1(b)).then(b.support.cmp(&a.support)));
    let shown = involved.len().min(WORST_CLASSES_LISTED);
    let header = if shown == involved.len() {
        format!(
            "per-class scores of the {shown} classes with rows or predictions, lowest F1 \
             first (of {} classes; --json lists them all)",
            scores.len()
        )
    } else {
        format!(
            "per-class scores of the {shown} classes of lowest F1 of the {} with rows or \
             predictions (of {} classes; --json lists them all)",
            involved.len(),
            scores.len()
        )
    };
    format!("{header}\n{}", per_class_table(&involved[..shown]))
}

/// The confusion matrix as a table: one row per true class, one column per predicted
/// class, both labelled with (abbreviated) class names.
pub fn confusion_table(class_names: &[String], counts: &[Vec<usize>]) -> String {
    const CORNER: &str = "true \\ predicted";
    let names = table_names(class_names.iter(), 14);
    let label_width = widest(&names).max(CORNER.len());
    let max_count = counts.iter().flatten().copied().max().unwrap_or(0);
    let cell_width = widest(&names).max(max_count.to_string().len()).max(3);
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
pub fn per_class_table(scores: &[&ClassScores]) -> String {
    let names = table_names(scores.iter().map(|s| &s.class), 24);
    let width = widest(&names).max(5);
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

/// The names joined by commas, each as [`label`] shows it (so that names that differ only
/// in invisible characters print differently); past [`MAX_LISTED_NAMES`], the first 8, `...`
/// and the last 2.
pub fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    let join = |names: &[S]| {
        names
            .iter()
            .map(|name| label(name.as_ref()))
            .collect::<Vec<_>>()
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

/// The names as tables show them: escaped where they hold invisible characters
/// ([`label`]), and cut to at most `max` characters ([`abbreviate`]).
fn table_names<'a>(names: impl Iterator<Item = &'a String>, max: usize) -> Vec<String> {
    names.map(|name| abbreviate(&label(name), max)).collect()
}

/// The width of the widest of `names`, in characters (what `{:<width$}` pads to).
pub fn widest(names: &[impl AsRef<str>]) -> usize {
    names
        .iter()
        .map(|name| name.as_ref().chars().count())
        .max()
        .unwrap_or(0)
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

    /// The non-zero cells of a dense matrix `counts[true][predicted]`.
    fn sparse(counts: &[Vec<usize>]) -> BTreeMap<(usize, usize), usize> {
        let cells = counts.iter().enumerate().flat_map(|(y, row)| {
            (row.iter().enumerate())
                .filter(|(_, &n)| n > 0)
                .map(move |(p, &n)| ((y, p), n))
        });
        cells.collect()
    }

    #[test]
    fn precision_recall_and_f1_from_counts() {
        let counts = vec![vec![3, 1, 0], vec![0, 2, 0], vec![0, 0, 0]];
        let stats = per_class(&names(&["a", "b", "c"]), &sparse(&counts));
        let triple = |s: &ClassScores| (s.precision, s.recall, s.support);
        assert_eq!(triple(&stats[0]), (Some(1.0), Some(0.75), 4));
        assert_eq!(stats[0].f1, Some(2.0 * 0.75 / 1.75));
        assert_eq!(triple(&stats[1]), (Some(2.0 / 3.0), Some(1.0), 2));
        assert_eq!(triple(&stats[2]), (None, None, 0));
        assert_eq!(stats[2].f1, None);
        let never_right = per_class(&names(&["a", "b"]), &sparse(&[vec![0, 1], vec![1, 0]]));
        assert_eq!(never_right[0].f1, Some(0.0));
    }

    /// Past 20 classes no matrix, past 50 not every class: the worst of those that occur.
    #[test]
    fn many_classes_are_summarised() {
        let classes: Vec<String> = (0..60).map(|c| format!("c{c}")).collect();
        // Class c is predicted as c + 1 for c < 12 (once, or twice for c = 5); c = 12 is
        // right once; c = 13 is right once and wrong once.
        let mut predicted: Vec<usize> = (1..=12).chain([6, 12, 13, 40]).collect();
        let mut labels: Vec<usize> = (0..12).chain([5, 12, 13, 13]).collect();
        let evaluation = Evaluation::from_predictions(&predicted, &labels, &classes, 1.0);
        assert_eq!(evaluation.confusion_matrix.as_ref().map(Vec::len), Some(60));
        assert_eq!(evaluation.confusion_counts.len(), 15);
        let text = confusion_text(&evaluation);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "confusion matrix: omitted for 60 classes (it is printed for up to 20; --json \
                 lists its non-zero cells)",
                "most frequent confusions (true -> predicted: rows), 10 of 13",
                "  c5 -> c6: 2",
                "  c0 -> c1: 1",
            ]
        );
        assert_eq!(lines.len(), 12);
        let text = per_class_text(&evaluation.per_class);
        let listed: Vec<&str> = (text.lines().skip(2))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        // F1 0 for c0..c11, c40 (c5 has the most rows); then c13 (2/3), c12 (2/3, 1 row).
        assert_eq!(listed.len(), 15, "{text}");
        assert_eq!(listed[0], "c5");
        assert_eq!(listed[13..], ["c13", "c12"]);
        assert!(text.starts_with(
            "per-class scores of the 15 classes with rows or predictions, lowest F1 first \
             (of 60 classes; --json lists them all)"
        ));

        // No confusions; up to 20 classes, the matrix.
        (predicted, labels) = (vec![3, 7], vec![3, 7]);
        let evaluation = Evaluation::from_predictions(&predicted, &labels, &classes, 0.0);
        assert!(confusion_text(&evaluation)
            .ends_with("\nno confusions: every row is predicted as its own class"));
        let evaluation = Evaluation::from_predictions(&predicted, &labels, &classes[..20], 0.0);
        let text = confusion_text(&evaluation);
        assert_eq!(text.lines().count(), 2 + 20, "{text}");
        assert_eq!(
            per_class_text(&evaluation.per_class).lines().count(),
            1 + 20
        );
        // Past 100 classes, no dense matrix.
        let more: Vec<String> = (0..101).map(|c| c.to_string()).collect();
        let evaluation = Evaluation::from_predictions(&predicted, &labels, &more, 0.0);
        assert_eq!(evaluation.confusion_matrix, None);
    }

    #[test]
    fn no_class_is_predicted_from_nan() {
        let rows = |lines| DataRows {
            name: "d.csv",
            lines,
        };
        assert_eq!(
            predicted_classes(&[0.2, 0.8, 0.5, 0.5], 2, rows(None)).unwrap(),
            [1, 0]
        );
        let nan = [0.2, 0.8, f32::NAN, 0.5];
        let err = predicted_classes(&nan, 2, rows(None)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.csv: row 1 (counting from 0): the model's class"),
            "{err}"
        );
        // Read from a file: the row's line in it.
        let err = predicted_classes(&nan, 2, rows(Some(&[2, 7]))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.csv: line 7: the model's class"),
            "{err}"
        );
    }

    /// Names that differ only in invisible characters (a model file may hold them) print
    /// differently in every list and table.
    #[test]
    fn names_with_invisible_characters_are_escaped() {
        let classes = names(&["no", "no\u{a0}", "caf\u{e9}"]);
        assert_eq!(name_list(&classes), "no, \"no\\u{a0}\", caf\u{e9}");
        let counts = vec![vec![1, 0, 0], vec![0, 2, 0], vec![0, 0, 3]];
        assert_eq!(
            confusion_table(&classes, &counts),
            "true \\ predicted          no  \"no\\u{a0}\"        caf\u{e9}\n\
             no                         1           0           0\n\
             \"no\\u{a0}\"                 0           2           0\n\
             caf\u{e9}                       0           0           3"
        );
        let scores = per_class(&classes, &sparse(&counts));
        let table = per_class_table(&scores.iter().collect::<Vec<_>>());
        assert!(table.contains("\n\"no\\u{a0}\"   "), "{table}");
        // In the summary of many classes too.
        let mut many: Vec<String> = (0..25).map(|i| format!("c{i}")).collect();
        many[3] = "no\u{a0}".to_string();
        let evaluation = Evaluation::from_predictions(&[3, 0], &[0, 3], &many, 0.0);
        let text = confusion_text(&evaluation);
        assert!(text.contains("\n  c0 -> \"no\\u{a0}\": 1"), "{text}");
        let text = per_class_text(&evaluation.per_class);
        assert!(text.contains("\n\"no\\u{a0}\" "), "{text}");
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
        let scores = per_class(&names(&["no", "yes"]), &sparse(&counts));
        let table = per_class_table(&scores.iter().collect::<Vec<_>>());
        assert_eq!(
            table,
            "class  precision     recall         f1  support\n\
             no        1.0000     0.9231     0.9600       13\n\
             yes       0.9901     1.0000     0.9950      100"
        );
    }
}
