//! Versioned JSON model files, written atomically (a synced temporary file, then renamed;
//! removed if anything fails) and checked on load (format, version, kind, shapes, finite
//! numbers, positive standard deviations, unique names). A UTF-8 byte order mark, as some
//! editors write, is accepted.
//!
//! Numbers are stored as `f64`, which holds every `f32` exactly and which `serde_json`
//! prints in shortest round-trip form, so a save/load round trip is bit-exact.
//!
//! A file may record which rows the model was trained on ([`TrainingData`]), so that it can
//! later be tested on the rows it never saw. The field is optional: files written before it
//! existed, or by a program that does not know its data's split, load as they always did.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The `format` field of every model file.
pub const FORMAT: &str = "tapegrad-model";
/// The model-file version this build writes and reads.
pub const VERSION: u32 = 1;

/// Feature standardisation stored with a model: `x' = (x - mean) / std`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardization {
    /// Per-feature means of the training data.
    pub means: Vec<f64>,
    /// Per-feature standard deviations (1 for constant features).
    pub stds: Vec<f64>,
}

/// Which rows a model was trained on: enough to hold out the same rows again when it is
/// evaluated. Plain data; naming data sets and splitting them is the caller's business.
///
/// ```
/// use nn::model_file::{TrainingData, TrainingRows};
/// let record = TrainingData {
///     data: "iris".into(),
///     fingerprint: "0123456789abcdef".into(),
///     rows: TrainingRows::TrainingPart { test_fraction: 0.3, split_seed: 7 },
/// };
/// let json = serde_json::to_string(&record.rows).unwrap();
/// assert_eq!(json, r#"{"kind":"training_part","test_fraction":0.3,"split_seed":7}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingData {
    /// The data as it was named for training: a bundled set's name, a file's or a
    /// directory's path as given, `-` for standard input.
    pub data: String,
    /// A fingerprint of the data's rows (their features and labels, in order), by which
    /// the same data is recognised under another name, and changed data under the same one.
    pub fingerprint: String,
    /// Which of its rows the model was trained on.
    pub rows: TrainingRows,
}

/// Which rows of its data a model was trained on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrainingRows {
    /// Every row: nothing was held out.
    All,
    /// The training part of a stratified split (`data::stratified_split_indices`); the rest,
    /// the test part, was held out.
    TrainingPart {
        /// The fraction of each class held out, in `(0, 1)`.
        test_fraction: f64,
        /// The seed of the split.
        split_seed: u64,
    },
    /// The training part of data that comes with its own training and test parts (MNIST).
    OwnTrainingPart,
}

/// The contents of a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this build.
    pub version: u32,
    /// `softmax_regression` or `linear_regression`.
    pub kind: String,
    /// Number of input features `d`.
    pub n_features: usize,
    /// Number of outputs `k` (classes, or 1 for regression).
    pub n_outputs: usize,
    /// Row-major weight `[k, d]`.
    pub weight: Vec<f64>,
    /// Bias `[k]`.
    pub bias: Vec<f64>,
    /// Names of the features, in column order.
    pub feature_names: Vec<String>,
    /// Names of the classes (empty for regression).
    pub class_names: Vec<String>,
    /// Standardisation applied to features before the linear map.
    pub standardization: Option<Standardization>,
    /// Which rows the model was trained on, if known (absent from older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_data: Option<TrainingData>,
}

/// A model file that could not be written or read.
#[derive(Debug)]
pub enum ModelError {
    /// Reading failed, or the path is not a file (a directory, a device).
    Read(data::DataError),
    /// Writing failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid model file.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Read(error) => error.fmt(f),
            ModelError::Io { path, source } => {
                write!(f, "{}: cannot write: {source}", path.display())
            }
            ModelError::Invalid { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for ModelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ModelError::Read(error) => Some(error),
            ModelError::Io { source, .. } => Some(source),
            ModelError::Invalid { .. } => None,
        }
    }
}

impl ModelFile {
    /// Checks everything a reader relies on, naming the first problem.
    pub fn validate(&self, expected_kind: &str) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "not a tapegrad model file (format is {:?}, expected {FORMAT:?})",
                self.format
            ));
        }
        if self.version != VERSION {
            return Err(format!(
                "model file version {} is not supported (this build reads version {VERSION})",
                self.version
            ));
        }
        if self.kind != expected_kind {
            return Err(format!(
                "the model is a {}, not a {expected_kind}",
                self.kind
            ));
        }
        let (d, k) = (self.n_features, self.n_outputs);
        if d == 0 || k == 0 {
            return Err(format!(
                "a model needs at least one feature and one output, got {d} and {k}"
            ));
        }
        if self.weight.len() != d * k {
            return Err(format!(
                "weight has {} numbers, expected {k} x {d} = {}",
                self.weight.len(),
                d * k
            ));
        }
        if self.bias.len() != k {
            return Err(format!(
                "bias has {} numbers, expected {k}",
                self.bias.len()
            ));
        }
        if self.feature_names.len() != d {
            return Err(format!(
                "{} feature names for {d} features",
                self.feature_names.len()
            ));
        }
        if !self.class_names.is_empty() && self.class_names.len() != k {
            return Err(format!(
                "{} class names for {k} classes",
                self.class_names.len()
            ));
        }
        for (what, names) in [
            ("feature", &self.feature_names),
            ("class", &self.class_names),
        ] {
            let mut seen = HashSet::new();
            if let Some(name) = names.iter().find(|name| !seen.insert(name.as_str())) {
                return Err(format!(
                    "the {what} name {name:?} appears twice; each {what} needs its own name"
                ));
            }
        }
        if let Some(s) = &self.standardization {
            if s.means.len() != d || s.stds.len() != d {
                return Err(format!(
                    "standardization has {} means and {} stds for {d} features",
                    s.means.len(),
                    s.stds.len()
                ));
            }
            if s.stds.iter().any(|&v| !(v > 0.0 && v.is_finite())) {
                return Err("standardization stds must be positive and finite".into());
            }
        }
        if let Some(TrainingData {
            rows: TrainingRows::TrainingPart { test_fraction, .. },
            ..
        }) = &self.training_data
        {
            // Evaluation splits the data again by this fraction.
            if !(*test_fraction > 0.0 && *test_fraction < 1.0) {
                return Err(format!(
                    "training_data: the test fraction {test_fraction} is not between 0 and 1"
                ));
            }
        }
        let all = self.weight.iter().chain(&self.bias);
        let all = all.chain(self.standardization.iter().flat_map(|s| s.means.iter()));
        if let Some(v) = all.into_iter().find(|v| !v.is_finite()) {
            return Err(format!("the model holds a non-finite number ({v})"));
        }
        Ok(())
    }

    /// Writes the file atomically ([`data::write_atomically`]): to a temporary file beside
    /// it, synced, then renamed over it, so a crash or a full disk leaves either the old file
    /// or the new one, never half of one, and no temporary file.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let json = self.to_json();
        data::write_atomically(path, |out| out.write_all(json.as_bytes())).map_err(|source| {
            ModelError::Io {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// The file's text: pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model file serialises")
    }

    /// Reads and validates a model file of the given kind.
    pub fn load(path: &Path, expected_kind: &str) -> Result<Self, ModelError> {
        let bytes = data::files::read_to_vec(path, data::ReadLimits::default())
            .map_err(ModelError::Read)?;
        let invalid = |message: String| ModelError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let file: ModelFile = serde_json::from_slice(json)
            .map_err(|e| invalid(format!("not a valid model file: {e}")))?;
        file.validate(expected_kind).map_err(invalid)?;
        Ok(file)
    }
}
