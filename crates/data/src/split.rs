//! Deterministic shuffling and stratified train/test splits.
//!
//! Every function takes a `seed`: the same seed gives the same result (on the same version
//! of `rand`, whose `StdRng` is used), another seed gives another.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::Dataset;

/// A random permutation of `0..n`, determined by `seed`.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..n).collect();
    indices.shuffle(&mut StdRng::seed_from_u64(seed));
    indices
}

/// The data set with its rows in a random order determined by `seed`
/// (the rows of [`permutation`]`(ds.len(), seed)`).
pub fn shuffle(ds: &Dataset, seed: u64) -> Dataset {
    ds.subset(&permutation(ds.len(), seed))
}

/// The row indices of a stratified train/test split of `labels`: `(train, test)`.
///
/// Each class is split on its own: its rows are shuffled and `round(count * test_fraction)`
/// of them go to the test part, but, when `0 < test_fraction < 1`, a class with at least two
/// rows always puts at least one row in each part. The two parts are then shuffled, so
/// classes are interleaved.
///
/// # Panics
///
/// If `test_fraction` is not in `[0, 1]`.
pub fn stratified_split_indices(
    labels: &[usize],
    test_fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    assert!(
        (0.0..=1.0).contains(&test_fraction),
        "test_fraction must be between 0 and 1, not {test_fraction}"
    );
    let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
    let mut by_class = vec![Vec::new(); n_classes];
    for (i, &label) in labels.iter().enumerate() {
        by_class[label].push(i);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut rows in by_class {
        rows.shuffle(&mut rng);
        let count = rows.len();
        let mut n_test = (count as f64 * test_fraction).round() as usize;
        if count >= 2 && test_fraction > 0.0 && test_fraction < 1.0 {
            n_test = n_test.clamp(1, count - 1);
        }
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.shuffle(&mut rng);
    test.shuffle(&mut rng);
    (train, test)
}

/// Splits a data set into `(train, test)`, stratified by class, deterministically from
/// `seed`. See [`stratified_split_indices`] for how rows are chosen.
///
/// ```
/// let iris = data::bundled::iris();
/// let (train, test) = data::train_test_split_stratified(&iris, 0.2, 42);
/// assert_eq!(train.class_counts(), vec![40, 40, 40]);
/// assert_eq!(test.class_counts(), vec![10, 10, 10]);
/// ```
///
/// # Panics
///
/// If `test_fraction` is not in `[0, 1]`.
pub fn train_test_split_stratified(
    ds: &Dataset,
    test_fraction: f64,
    seed: u64,
) -> (Dataset, Dataset) {
    let (train, test) = stratified_split_indices(ds.labels(), test_fraction, seed);
    (ds.subset(&train), ds.subset(&test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_permutation() {
        let mut p = permutation(100, 7);
        assert_ne!(p, (0..100).collect::<Vec<_>>());
        p.sort_unstable();
        assert_eq!(p, (0..100).collect::<Vec<_>>());
        assert_eq!(permutation(100, 7), permutation(100, 7));
        assert!(permutation(0, 7).is_empty());
    }

    #[test]
    fn split_covers_every_row_once() {
        let labels: Vec<usize> = (0..103).map(|i| i % 4).collect();
        let (train, test) = stratified_split_indices(&labels, 0.3, 1);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
    }

    #[test]
    fn small_classes_reach_both_parts() {
        let labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        let (train, test) = stratified_split_indices(&labels, 0.05, 3);
        assert_eq!(test.iter().filter(|&&i| labels[i] == 0).count(), 1);
        assert_eq!(train.iter().filter(|&&i| labels[i] == 0).count(), 1);
    }

    #[test]
    fn extreme_fractions() {
        let labels = [0, 1, 0, 1];
        assert_eq!(stratified_split_indices(&labels, 0.0, 0).1.len(), 0);
        assert_eq!(stratified_split_indices(&labels, 1.0, 0).0.len(), 0);
        assert_eq!(stratified_split_indices(&[], 0.5, 0), (vec![], vec![]));
    }

    #[test]
    #[should_panic(expected = "test_fraction")]
    fn bad_fraction_panics() {
        stratified_split_indices(&[0, 1], 1.5, 0);
    }
}
