//! [`Dataset`]: a labelled classification data set held in memory.

use std::fmt;

use crate::DataError;

/// A classification data set: `n` examples of `d` features each, with one class label each.
///
/// Features are `f32`, stored row-major in one `Vec<f32>` of length `n * d` (row `i` is
/// `features()[i*d .. (i+1)*d]`), ready to be copied into an `[n, d]` tensor. Labels are
/// class indices `0..k`, where `k = n_classes()` is the number of class names. A `Dataset`
/// always satisfies these invariants (checked by [`Dataset::new`]):
///
/// - `features.len() == labels.len() * n_features`,
/// - `feature_names.len() == n_features`,
/// - every label is `< class_names.len()`,
/// - every feature is finite (no NaN or infinity).
///
/// A class may have no examples (for instance a class missing from a small subset): its
/// count in [`class_counts`](Dataset::class_counts) is then 0.
///
/// Data read from a text file knows the line each row came from ([`lines`](Dataset::lines)),
/// and keeps it through subsets and splits, so that a problem found in a row later (a
/// class a model does not know, say) can name its line in the file. Two data sets are equal
/// when their rows, labels and names are: the lines are where rows came from, not data.
#[derive(Clone)]
pub struct Dataset {
    features: Vec<f32>,
    n_features: usize,
    labels: Vec<usize>,
    feature_names: Vec<String>,
    class_names: Vec<String>,
    target_name: String,
    lines: Option<Vec<usize>>,
}

impl PartialEq for Dataset {
    fn eq(&self, other: &Dataset) -> bool {
        self.features == other.features
            && self.n_features == other.n_features
            && self.labels == other.labels
            && self.feature_names == other.feature_names
            && self.class_names == other.class_names
            && self.target_name == other.target_name
    }
}

impl Dataset {
    /// Builds a data set, checking the invariants listed on [`Dataset`].
    ///
    /// The number of examples is `labels.len()`; the label column is named `label` (see
    /// [`with_target_name`](Dataset::with_target_name)).
    ///
    /// ```
    /// let ds = data::Dataset::new(
    ///     vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    ///     2,
    ///     vec![0, 1, 1],
    ///     vec!["x".into(), "y".into()],
    ///     vec!["no".into(), "yes".into()],
    /// )?;
    /// assert_eq!(ds.row(2), &[5.0, 6.0]);
    /// assert_eq!(ds.class_counts(), vec![1, 2]);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn new(
        features: Vec<f32>,
        n_features: usize,
        labels: Vec<usize>,
        feature_names: Vec<String>,
        class_names: Vec<String>,
    ) -> Result<Dataset, DataError> {
        let invalid = |reason: String| Err(DataError::Invalid { reason });
        match labels.len().checked_mul(n_features) {
            Some(len) if len == features.len() => {}
            _ => {
                return invalid(format!(
                    "{} feature values do not make {} rows of {} features",
                    features.len(),
                    labels.len(),
                    n_features
                ))
            }
        }
        if feature_names.len() != n_features {
            return invalid(format!(
                "{} feature names for {} features",
                feature_names.len(),
                n_features
            ));
        }
        if let Some((i, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, &label)| label >= class_names.len())
        {
            return invalid(format!(
                "label {label} of row {i} is not below the number of classes, {}",
                class_names.len()
            ));
        }
        if let Some(i) = features.iter().position(|x| !x.is_finite()) {
            let (row, col) = (i / n_features, i % n_features);
            return invalid(format!(
                "feature {col} of row {row} is {}, not a finite number",
                features[i]
            ));
        }
        Ok(Dataset {
            features,
            n_features,
            labels,
            feature_names,
            class_names,
            target_name: "label".to_string(),
            lines: None,
        })
    }

    /// Number of examples (rows).
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of features per example (columns), `d`.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes, `k`: the number of class names. Labels are `0..k`.
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// Number of examples of each class, indexed by label (length `n_classes()`).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes()];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// The features of example `i` (length `n_features()`).
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn row(&self, i: usize) -> &[f32] {
        assert!(
            i < self.len(),
            "row {i} out of range for a data set of {} rows",
            self.len()
        );
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// All features, row-major: `n * d` values.
    pub fn features(&self) -> &[f32] {
        &self.features
    }

    /// Mutable access to the features, for in-place transforms within the crate (keeping
    /// them finite is the caller's job).
    pub(crate) fn features_mut(&mut self) -> &mut [f32] {
        &mut self.features
    }

    /// All labels, one per example, each in `0..n_classes()`.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Feature (column) names, `n_features()` of them.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The name of the label column: a CSV file's target column, `label` otherwise. Writers
    /// use it so that the file they write has the reader's column names.
    pub fn target_name(&self) -> &str {
        &self.target_name
    }

    /// The same data set with its label column named `name`.
    pub fn with_target_name(self, name: impl Into<String>) -> Dataset {
        Dataset {
            target_name: name.into(),
            ..self
        }
    }

    /// The 1-based line of the file each row was read from (the header is line 1), for data
    /// read from text; `None` for data made in memory or read from binary files.
    ///
    /// ```
    /// let ds = data::parse_csv(b"x,label\n1,a\n\n2,b\n", "t.csv", &Default::default())?;
    /// assert_eq!(ds.lines(), Some(&[2, 4][..]));
    /// assert_eq!(ds.subset(&[1]).lines(), Some(&[4][..]));
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn lines(&self) -> Option<&[usize]> {
        self.lines.as_deref()
    }

    /// The same data set with the line each row was read from (see [`lines`](Dataset::lines)).
    /// Fails unless there is one line per row.
    pub fn with_lines(self, lines: Vec<usize>) -> Result<Dataset, DataError> {
        if lines.len() != self.len() {
            return Err(DataError::Invalid {
                reason: format!("{} line numbers for {} rows", lines.len(), self.len()),
            });
        }
        Ok(Dataset {
            lines: Some(lines),
            ..self
        })
    }

    /// Iterates over the examples as `(features, label)` pairs.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[f32], usize)> + '_ {
        (0..self.len()).map(move |i| (self.row(i), self.labels[i]))
    }

    /// A new data set holding the examples at `indices`, in that order (an index may repeat).
    /// Feature and class names are kept, so labels keep their meaning.
    ///
    /// # Panics
    ///
    /// If an index is `>= len()`.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut features = Vec::with_capacity(indices.len() * self.n_features);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            features.extend_from_slice(self.row(i));
            labels.push(self.labels[i]);
        }
        Dataset {
            features,
            n_features: self.n_features,
            labels,
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            target_name: self.target_name.clone(),
            lines: (self.lines.as_ref()).map(|lines| indices.iter().map(|&i| lines[i]).collect()),
        }
    }

    /// The same data set with other class names (for instance `setosa` instead of `0`).
    ///
    /// Fails if there are fewer names than needed by the labels.
    pub fn with_class_names(self, class_names: Vec<String>) -> Result<Dataset, DataError> {
        let (target_name, lines) = (self.target_name, self.lines);
        let ds = Dataset::new(
            self.features,
            self.n_features,
            self.labels,
            self.feature_names,
            class_names,
        )?;
        Ok(Dataset {
            target_name,
            lines,
            ..ds
        })
    }

    /// Takes the data set apart into `(features, labels)`, without copying.
    pub fn into_parts(self) -> (Vec<f32>, Vec<usize>) {
        (self.features, self.labels)
    }
}

/// Shows the shape and names, not the (possibly millions of) values.
impl fmt::Debug for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("len", &self.len())
            .field("n_features", &self.n_features)
            .field("class_names", &self.class_names)
            .field("class_counts", &self.class_counts())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn small() -> Dataset {
        Dataset::new(
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            2,
            vec![0, 1, 0],
            names("f", 2),
            names("c", 2),
        )
        .unwrap()
    }

    #[test]
    fn accessors() {
        let ds = small();
        assert_eq!(ds.len(), 3);
        assert!(!ds.is_empty());
        assert_eq!(ds.n_features(), 2);
        assert_eq!(ds.n_classes(), 2);
        assert_eq!(ds.class_counts(), vec![2, 1]);
        assert_eq!(ds.row(1), &[2.0, 3.0]);
        assert_eq!(ds.labels(), &[0, 1, 0]);
        assert_eq!(ds.iter().len(), 3);
        assert_eq!(ds.iter().nth(2), Some((&[4.0f32, 5.0][..], 0)));
    }

    #[test]
    fn subset_keeps_order_and_names() {
        let ds = small();
        let sub = ds.subset(&[2, 0, 2]);
        assert_eq!(sub.features(), &[4.0, 5.0, 0.0, 1.0, 4.0, 5.0]);
        assert_eq!(sub.labels(), &[0, 0, 0]);
        assert_eq!(sub.class_counts(), vec![3, 0]);
        assert_eq!(sub.class_names(), ds.class_names());
        assert!(ds.subset(&[]).is_empty());
    }

    #[test]
    fn new_rejects_inconsistent_parts() {
        let bad = [
            Dataset::new(vec![0.0; 5], 2, vec![0, 1, 0], names("f", 2), names("c", 2)),
            Dataset::new(vec![0.0; 6], 2, vec![0, 1, 0], names("f", 3), names("c", 2)),
            Dataset::new(vec![0.0; 6], 2, vec![0, 2, 0], names("f", 2), names("c", 2)),
            Dataset::new(
                vec![0.0, f32::NAN],
                2,
                vec![0],
                names("f", 2),
                names("c", 2),
            ),
            Dataset::new(vec![], usize::MAX, vec![0, 0], vec![], names("c", 2)),
        ];
        for result in bad {
            let err = result.unwrap_err();
            assert!(matches!(err, DataError::Invalid { .. }), "{err}");
        }
    }

    #[test]
    fn zero_features_is_allowed() {
        let ds = Dataset::new(vec![], 0, vec![0, 1], vec![], names("c", 2)).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.row(1), &[] as &[f32]);
    }

    #[test]
    fn with_class_names_checks_count() {
        assert!(small().with_class_names(names("z", 1)).is_err());
        let renamed = small().with_class_names(names("z", 3)).unwrap();
        assert_eq!(renamed.n_classes(), 3);
    }

    #[test]
    fn the_target_name_is_kept_by_subsets_and_renamed_classes() {
        assert_eq!(small().target_name(), "label");
        let ds = small().with_target_name("species");
        assert_eq!(ds.subset(&[1]).target_name(), "species");
        let renamed = ds.with_class_names(names("z", 2)).unwrap();
        assert_eq!(renamed.target_name(), "species");
    }

    #[test]
    fn lines_follow_their_rows_and_are_not_compared() {
        assert_eq!(small().lines(), None);
        assert!(small().with_lines(vec![2, 3]).is_err());
        let ds = small().with_lines(vec![2, 5, 6]).unwrap();
        assert_eq!(ds.subset(&[2, 0]).lines(), Some(&[6, 2][..]));
        let renamed = ds.clone().with_class_names(names("z", 2)).unwrap();
        assert_eq!(renamed.lines(), Some(&[2, 5, 6][..]));
        assert_eq!(ds, small());
    }

    #[test]
    fn debug_is_short() {
        let text = format!("{:?}", small());
        assert!(text.contains("len: 3"), "{text}");
        assert!(!text.contains("5.0"), "{text}");
    }
}
