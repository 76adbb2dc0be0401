//! Evaluation metrics on plain tensors: accuracy, confusion matrix, root-mean-square error.

use std::collections::BTreeMap;
use tape::{Float, Tensor};

/// Fraction of rows whose largest score is at the label (first maximum wins ties).
///
/// # Panics
/// If `scores` is not `[n, k]` with `n == labels.len()`.
///
/// ```
/// use tape::Tensor;
/// let scores = Tensor::from_vec(vec![0.9, 0.1, 0.2, 0.8, 0.6, 0.4], &[3, 2]);
/// assert_eq!(nn::metrics::accuracy(&scores, &[0, 1, 1]), 2.0 / 3.0);
/// ```
pub fn accuracy<T: Float>(scores: &Tensor<T>, labels: &[usize]) -> f64 {
    let predicted = scores.argmax_axis(-1);
    assert_eq!(
        predicted.len(),
        labels.len(),
        "accuracy: {} score rows for {} labels",
        predicted.len(),
        labels.len()
    );
    if labels.is_empty() {
        return f64::NAN;
    }
    let correct = predicted.iter().zip(labels).filter(|(p, y)| p == y).count();
    correct as f64 / labels.len() as f64
}

/// `counts[true][predicted]` for `classes` classes: `classes²` counts, most of them zero
/// when there are many classes; [`confusion_counts`] holds only the others.
pub fn confusion_matrix(predicted: &[usize], labels: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; classes]; classes];
    for ((y, p), n) in confusion_counts(predicted, labels, classes) {
        counts[y][p] = n;
    }
    counts
}

/// The cells of the confusion matrix that are not zero: `(true, predicted)` to the number
/// of rows, in order of true class, then predicted class. Pairs with a class of `classes`
/// or more are not counted.
///
/// Only the pairs that occur are stored, so memory grows with the rows, never with
/// `classes²`: a model of 20,000 classes has a confusion matrix of 400 million cells.
///
/// ```
/// let counts = nn::metrics::confusion_counts(&[0, 1, 1, 2], &[0, 1, 2, 2], 3);
/// let cells: Vec<_> = counts.into_iter().collect();
/// assert_eq!(cells, [((0, 0), 1), ((1, 1), 1), ((2, 1), 1), ((2, 2), 1)]);
/// ```
pub fn confusion_counts(
    predicted: &[usize],
    labels: &[usize],
    classes: usize,
) -> BTreeMap<(usize, usize), usize> {
    let mut counts = BTreeMap::new();
    for (&p, &y) in predicted.iter().zip(labels) {
        if p < classes && y < classes {
            *counts.entry((y, p)).or_insert(0) += 1;
        }
    }
    counts
}

/// `sqrt(mean((y_hat - y)^2))`.
pub fn rmse<T: Float>(y_hat: &[T], y: &[T]) -> f64 {
    assert_eq!(
        y_hat.len(),
        y.len(),
        "rmse: {} predictions for {} targets",
        y_hat.len(),
        y.len()
    );
    let sum: f64 = y_hat
        .iter()
        .zip(y)
        .map(|(a, b)| (a.to_f64() - b.to_f64()).powi(2))
        .sum();
    (sum / y.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_matrix_counts_pairs() {
        let m = confusion_matrix(&[0, 1, 1, 2], &[0, 1, 2, 2], 3);
        assert_eq!(m, vec![vec![1, 0, 0], vec![0, 1, 0], vec![0, 1, 1]]);
    }

    #[test]
    fn rmse_of_known_residuals() {
        assert_eq!(rmse(&[1.0f64, 2.0], &[1.0, 4.0]), 2f64.sqrt());
    }
}
