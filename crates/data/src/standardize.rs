//! [`Standardizer`]: per-feature standardisation `(x - mean) / std`.

use crate::{DataError, Dataset};

/// Per-feature standardisation: maps feature `j` to `(x - mean[j]) / std[j]`.
///
/// Fit it on the training data only, then apply it to training, validation and test data
/// (and to every input at prediction time), so no information leaks from the test set.
/// Means and standard deviations are computed in `f64`; the standard deviation is the
/// population one (divide by `n`). A constant feature gets `std = 1`, so it maps to 0
/// instead of NaN. To save a fitted standardizer with a model, store [`means`](Self::means)
/// and [`stds`](Self::stds) and rebuild it with [`from_parts`](Self::from_parts).
///
/// ```
/// let (train, test) = data::train_test_split_stratified(&data::bundled::wine(), 0.25, 1);
/// let scaler = data::Standardizer::fit(&train);
/// let train = scaler.transform(&train);
/// let test = scaler.transform(&test);
/// assert!(train.features().iter().all(|x| x.abs() < 10.0));
/// # let _ = test;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    means: Vec<f64>,
    stds: Vec<f64>,
}

impl Standardizer {
    /// Computes each feature's mean and population standard deviation over `ds`.
    ///
    /// An empty data set gives means 0 and standard deviations 1 (the identity).
    pub fn fit(ds: &Dataset) -> Standardizer {
        let d = ds.n_features();
        let n = ds.len();
        let mut means = vec![0.0f64; d];
        let mut stds = vec![1.0f64; d];
        if n == 0 {
            return Standardizer { means, stds };
        }
        let mut min = vec![f32::INFINITY; d];
        let mut max = vec![f32::NEG_INFINITY; d];
        for (row, _) in ds.iter() {
            for (j, &x) in row.iter().enumerate() {
                means[j] += f64::from(x);
                min[j] = min[j].min(x);
                max[j] = max[j].max(x);
            }
        }
        for mean in &mut means {
            *mean /= n as f64;
        }
        // Second pass on the deviations: accurate even when the mean is large.
        let mut sum_sq = vec![0.0f64; d];
        for (row, _) in ds.iter() {
            for (j, &x) in row.iter().enumerate() {
                let dev = f64::from(x) - means[j];
                sum_sq[j] += dev * dev;
            }
        }
        for j in 0..d {
            if min[j] == max[j] {
                // Constant: the rounded mean could differ from the value by a hair, which
                // would give a tiny std and meaningless large outputs. Map it to exactly 0.
                means[j] = f64::from(min[j]);
            } else {
                stds[j] = (sum_sq[j] / n as f64).sqrt();
            }
        }
        Standardizer { means, stds }
    }

    /// Rebuilds a standardizer from saved means and standard deviations.
    ///
    /// Fails unless both have the same length, every mean is finite and every standard
    /// deviation is finite and positive.
    pub fn from_parts(means: Vec<f64>, stds: Vec<f64>) -> Result<Standardizer, DataError> {
        let invalid = |reason: String| Err(DataError::Invalid { reason });
        if means.len() != stds.len() {
            return invalid(format!(
                "standardizer with {} means but {} standard deviations",
                means.len(),
                stds.len()
            ));
        }
        if let Some(j) = means.iter().position(|m| !m.is_finite()) {
            return invalid(format!("standardizer mean {j} is {}", means[j]));
        }
        if let Some(j) = stds.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return invalid(format!(
                "standardizer standard deviation {j} is {}, not a positive finite number",
                stds[j]
            ));
        }
        Ok(Standardizer { means, stds })
    }

    /// The per-feature means subtracted.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// The per-feature standard deviations divided by (1 for constant features).
    pub fn stds(&self) -> &[f64] {
        &self.stds
    }

    /// Number of features this standardizer was fitted on.
    pub fn n_features(&self) -> usize {
        self.means.len()
    }

    /// `(x - mean[feature]) / std[feature]`, in `f64`: the map every other method
    /// applies, for callers holding features in another float type.
    ///
    /// # Panics
    ///
    /// If `feature >= n_features()`.
    pub fn standardize(&self, feature: usize, x: f64) -> f64 {
        (x - self.means[feature]) / self.stds[feature]
    }

    /// Standardises one example's features in place.
    ///
    /// A finite result too large for `f32` (only possible with extreme parts given to
    /// [`from_parts`](Self::from_parts)) is clamped to the largest finite `f32`.
    ///
    /// # Panics
    ///
    /// If `row.len() != n_features()`.
    pub fn transform_row(&self, row: &mut [f32]) {
        assert_eq!(
            row.len(),
            self.n_features(),
            "row has {} features but the standardizer was fitted on {}",
            row.len(),
            self.n_features()
        );
        for (j, x) in row.iter_mut().enumerate() {
            *x = (self.standardize(j, f64::from(*x)) as f32).clamp(f32::MIN, f32::MAX);
        }
    }

    /// Undoes [`transform_row`](Self::transform_row): `x * std + mean`.
    ///
    /// # Panics
    ///
    /// If `row.len() != n_features()`.
    pub fn inverse_transform_row(&self, row: &mut [f32]) {
        assert_eq!(
            row.len(),
            self.n_features(),
            "row has {} features but the standardizer was fitted on {}",
            row.len(),
            self.n_features()
        );
        for ((x, &mean), &std) in row.iter_mut().zip(&self.means).zip(&self.stds) {
            *x = (f64::from(*x) * std + mean) as f32;
        }
    }

    /// Standardises every example of `ds` in place (the data set stays finite, see
    /// [`transform_row`](Self::transform_row)).
    ///
    /// # Panics
    ///
    /// If `ds.n_features() != n_features()`.
    pub fn transform_in_place(&self, ds: &mut Dataset) {
        assert_eq!(
            ds.n_features(),
            self.n_features(),
            "data set has {} features but the standardizer was fitted on {}",
            ds.n_features(),
            self.n_features()
        );
        let d = self.n_features();
        if d == 0 {
            return;
        }
        for row in ds.features_mut().chunks_exact_mut(d) {
            self.transform_row(row);
        }
    }

    /// A standardised copy of `ds`.
    ///
    /// # Panics
    ///
    /// If `ds.n_features() != n_features()`.
    pub fn transform(&self, ds: &Dataset) -> Dataset {
        let mut out = ds.clone();
        self.transform_in_place(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(features: Vec<f32>, d: usize) -> Dataset {
        let n = features.len() / d;
        Dataset::new(
            features,
            d,
            vec![0; n],
            (0..d).map(|j| format!("f{j}")).collect(),
            vec!["c".into()],
        )
        .unwrap()
    }

    #[test]
    fn population_statistics() {
        let s = Standardizer::fit(&ds(vec![1.0, 10.0, 3.0, 10.0], 2));
        assert_eq!(s.means(), &[2.0, 10.0]);
        assert_eq!(s.stds(), &[1.0, 1.0]);
        let mut row = [3.0, 10.0];
        s.transform_row(&mut row);
        assert_eq!(row, [1.0, 0.0]);
        s.inverse_transform_row(&mut row);
        assert_eq!(row, [3.0, 10.0]);
    }

    #[test]
    fn constant_feature_maps_to_exact_zero() {
        let s = Standardizer::fit(&ds(vec![0.1; 150], 1));
        let out = s.transform(&ds(vec![0.1; 150], 1));
        assert!(out.features().iter().all(|&x| x == 0.0));
    }

    #[test]
    fn from_parts_validates() {
        assert!(Standardizer::from_parts(vec![0.0], vec![]).is_err());
        assert!(Standardizer::from_parts(vec![f64::NAN], vec![1.0]).is_err());
        assert!(Standardizer::from_parts(vec![0.0], vec![0.0]).is_err());
        let s = Standardizer::from_parts(vec![1.0], vec![2.0]).unwrap();
        assert_eq!(s.n_features(), 1);
    }

    #[test]
    fn extreme_parts_stay_finite() {
        let s = Standardizer::from_parts(vec![0.0], vec![1e-300]).unwrap();
        let out = s.transform(&ds(vec![1.0, -1.0], 1));
        assert_eq!(out.features(), &[f32::MAX, f32::MIN]);
    }

    #[test]
    fn empty_fit_is_identity() {
        let empty = Dataset::new(vec![], 2, vec![], vec!["a".into(), "b".into()], vec![]).unwrap();
        let s = Standardizer::fit(&empty);
        assert_eq!(s.means(), &[0.0, 0.0]);
        assert_eq!(s.stds(), &[1.0, 1.0]);
    }
}
