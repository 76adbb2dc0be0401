//! Text tables for `tapegrad eval`: the confusion matrix and per-class precision and
//! recall, labelled with class names.

use std::fmt::Write;

/// Precision, recall and support of each class from a confusion matrix
/// `counts[true][predicted]`. Precision is `None` for a class never predicted, recall
/// `None` for a class with no examples.
pub fn per_class(counts: &[Vec<usize>]) -> Vec<(Option<f64>, Option<f64>, usize)> {
    (0..counts.len())
        .map(|c| {
            let correct = counts[c][c];
            let support: usize = counts[c].iter().sum();
            let predicted: usize = counts.iter().map(|row| row[c]).sum();
            let ratio = |n: usize| (n > 0).then(|| correct as f64 / n as f64);
            (ratio(predicted), ratio(support), support)
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

/// Precision, recall and support per class as a table; `-` where a ratio is undefined.
pub fn per_class_table(class_names: &[String], counts: &[Vec<usize>]) -> String {
    let names: Vec<String> = class_names.iter().map(|n| abbreviate(n, 24)).collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0).max(5);
    let ratio = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{r:.4}"));
    let mut out = format!(
        "{:<width$}  {:>9}  {:>9}  {:>7}",
        "class", "precision", "recall", "support"
    );
    for (name, (precision, recall, support)) in names.iter().zip(per_class(counts)) {
        let _ = write!(
            out,
            "\n{name:<width$}  {:>9}  {:>9}  {support:>7}",
            ratio(precision),
            ratio(recall)
        );
    }
    out
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
    fn precision_and_recall_from_counts() {
        let counts = vec![vec![3, 1, 0], vec![0, 2, 0], vec![0, 0, 0]];
        let stats = per_class(&counts);
        assert_eq!(stats[0], (Some(1.0), Some(0.75), 4));
        assert_eq!(stats[1], (Some(2.0 / 3.0), Some(1.0), 2));
        assert_eq!(stats[2], (None, None, 0));
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
        let table = per_class_table(&names(&["no", "yes"]), &counts);
        assert_eq!(
            table,
            "class  precision     recall  support\n\
             no        1.0000     0.9231       13\n\
             yes       0.9901     1.0000      100"
        );
    }
}
