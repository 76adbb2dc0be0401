//! Evaluation metrics on plain tensors: accuracy, confusion matrix, root-mean-square error.

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

/// `counts[true][predicted]` for `classes` classes.
pub fn confusion_matrix(predicted: &[usize], labels: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; classes]; classes];
    for (&p, &y) in predicted.iter().zip(labels) {
        if p < classes && y < classes {
            counts[y][p] += 1;
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
