//! Data sets for tapegrad: an in-memory [`Dataset`], CSV and IDX (MNIST) readers, bundled
//! real data, stratified splits and standardisation.
//!
//! ```
//! let iris = data::bundled::iris();
//! assert_eq!(iris.len(), 150);
//! assert_eq!(iris.n_features(), 4);
//! assert_eq!(iris.class_names(), &["setosa", "versicolor", "virginica"]);
//!
//! // Split per class, fit the standardisation on the training part only, apply it to both.
//! let (train, test) = data::train_test_split_stratified(&iris, 0.2, 42);
//! let scaler = data::Standardizer::fit(&train);
//! let (train, test) = (scaler.transform(&train), scaler.transform(&test));
//! assert_eq!((train.len(), test.len()), (120, 30));
//! ```
//!
//! - [`Dataset`]: features `[n, d]` as row-major `f32`, labels `0..k`, feature and class names,
//!   and, for data read from text, the line of each row (kept through subsets and splits).
//! - [`read_csv`] / [`read_csv_from`] / [`parse_csv`]: a header row, one target column (by
//!   name, default last), numeric features; gzip detected by content; any delimiter. Errors
//!   name file, line, column and value, and point at the usual mistakes (another delimiter,
//!   an unclosed quote, a trailing comma, text that is not UTF-8 or is UTF-16, a name used
//!   twice, labels that differ only in invisible characters).
//! - [`read_csv_columns`] / [`parse_csv_columns`]: only the named numeric columns, in the
//!   order asked for, and an id column carried through (features for prediction, from a
//!   file with other columns too).
//! - [`read_idx_images`], [`read_idx_labels`], [`read_mnist_dir`]: the MNIST format, checked
//!   against truncated or oversized files; pixels scaled to `[0, 1]`.
//! - [`files`]: what every reader reads through, within [`ReadLimits`] (decompressed size,
//!   line length, no devices), and [`write_atomically`] for writers.
//! - [`bundled`]: iris, wine, breast cancer, digits, a 5,000-image MNIST subset and the full
//!   MNIST, compiled into the library (they load from any directory).
//! - [`train_test_split_stratified`], [`shuffle`], [`permutation`]: deterministic from a seed.
//! - [`Standardizer`]: per-feature `(x - mean) / std`, saveable as plain numbers.
//! - [`display`]: how the project shows users' values in messages and files (floats in a
//!   short form that reads back exactly, names with invisible characters escaped).
//!
//! No reader panics on bad input, and none can be made to read without end: every problem
//! is a [`DataError`].
//!
//! The provenance, licences and SHA-256 hashes of the bundled files are documented in the
//! project's `data/README.md`: the UCI sets (iris, wine, breast cancer, digits) are
//! CC BY 4.0, MNIST is CC BY-SA 3.0; cite the creators given there when you publish results.

#![warn(missing_docs)]
// No unsafe code, but for one system call in `huge_pages` (an advice to the kernel).
#![deny(unsafe_code)]

pub mod bundled;
mod csv_columns;
mod csv_common;
mod csv_reader;
mod dataset;
pub mod display;
mod error;
pub mod files;
#[allow(unsafe_code)]
mod huge_pages;
mod idx;
mod split;
mod standardize;

pub use csv_columns::{
    parse_csv_columns, read_csv_columns, read_csv_columns_from, ColumnSelection, FeatureTable,
};
pub use csv_reader::{parse_csv, read_csv, read_csv_from, CsvOptions, LabelOrder};
pub use dataset::Dataset;
pub use error::DataError;
pub use files::{write_atomically, ReadLimits};
pub use idx::{
    mnist_files, parse_idx_images, parse_idx_labels, read_idx_images, read_idx_labels,
    read_mnist_dir, read_mnist_dir_within, IdxImages, IdxLabels, MnistSplit, IDX_IMAGES_MAGIC,
    IDX_LABELS_MAGIC,
};
pub use split::{permutation, shuffle, stratified_split_indices, train_test_split_stratified};
pub use standardize::Standardizer;
