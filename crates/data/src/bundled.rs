//! The data sets bundled with tapegrad, embedded in the library so they load from any
//! directory with no file access, in an installed binary as in the source tree: [`iris`],
//! [`wine`], [`breast_cancer`], [`digits`], [`mnist5k`] and the full [`mnist`] (its four
//! gzipped files, 11 MB, are compiled in as they are; they are decompressed when read, as
//! fast as from disk). A binary that never calls [`mnist`] does not carry them: the linker
//! drops what is not used. [`mnist_dir`] finds the project's copy on disk, for tools that
//! want the files themselves.
//!
//! Provenance, licences (CC BY 4.0 for the UCI sets, CC BY-SA 3.0 for MNIST) and hashes of
//! every file are in the project's `data/README.md`.

use std::path::{Path, PathBuf};

use crate::idx::candidates;
use crate::{parse_csv, parse_idx_images, parse_idx_labels};
use crate::{CsvOptions, DataError, Dataset, MnistSplit};

const IRIS: &[u8] = include_bytes!("../../../data/iris.csv");
const WINE: &[u8] = include_bytes!("../../../data/wine.csv");
const BREAST_CANCER: &[u8] = include_bytes!("../../../data/breast_cancer.csv");
const DIGITS: &[u8] = include_bytes!("../../../data/digits.csv.gz");
const MNIST5K_TRAIN_IMAGES: &[u8] =
    include_bytes!("../../../data/mnist5k/train-images-idx3-ubyte.gz");
const MNIST5K_TRAIN_LABELS: &[u8] =
    include_bytes!("../../../data/mnist5k/train-labels-idx1-ubyte.gz");
const MNIST5K_TEST_IMAGES: &[u8] =
    include_bytes!("../../../data/mnist5k/t10k-images-idx3-ubyte.gz");
const MNIST5K_TEST_LABELS: &[u8] =
    include_bytes!("../../../data/mnist5k/t10k-labels-idx1-ubyte.gz");
const MNIST_TRAIN_IMAGES: &[u8] = include_bytes!("../../../data/mnist/train-images-idx3-ubyte.gz");
const MNIST_TRAIN_LABELS: &[u8] = include_bytes!("../../../data/mnist/train-labels-idx1-ubyte.gz");
const MNIST_TEST_IMAGES: &[u8] = include_bytes!("../../../data/mnist/t10k-images-idx3-ubyte.gz");
const MNIST_TEST_LABELS: &[u8] = include_bytes!("../../../data/mnist/t10k-labels-idx1-ubyte.gz");

/// Name of the environment variable that, when set, points [`mnist_dir`] at an MNIST folder.
pub const MNIST_DIR_ENV: &str = "TAPEGRAD_MNIST_DIR";

/// Parses an embedded CSV and renames its classes.
fn embedded_csv(bytes: &[u8], name: &str, class_names: &[&str]) -> Dataset {
    parse_csv(bytes, name, &CsvOptions::default())
        .and_then(|ds| ds.with_class_names(class_names.iter().map(|c| c.to_string()).collect()))
        .unwrap_or_else(|err| panic!("the bundled data set {name} is corrupt: {err}"))
}

/// Parses an embedded pair of IDX files.
fn embedded_idx(images: &[u8], labels: &[u8], name: &str) -> Dataset {
    parse_idx_images(images, &format!("{name}-images-idx3-ubyte.gz"))
        .and_then(|images| {
            images.with_labels(parse_idx_labels(
                labels,
                &format!("{name}-labels-idx1-ubyte.gz"),
            )?)
        })
        .unwrap_or_else(|err| panic!("the bundled data set {name} is corrupt: {err}"))
}

/// Fisher's Iris: 150 examples, 4 features (sepal and petal length and width in cm),
/// classes `setosa`, `versicolor`, `virginica` with 50 examples each. Rows are sorted by
/// class: shuffle or split stratified before training.
pub fn iris() -> Dataset {
    embedded_csv(IRIS, "iris.csv", &["setosa", "versicolor", "virginica"])
}

/// Wine recognition: 178 examples, 13 chemical measurements, classes `class_0`, `class_1`,
/// `class_2` (three cultivars) with 59, 71 and 48 examples. Rows are sorted by class, and
/// feature scales differ a lot (`proline` reaches 1680): standardise before training.
pub fn wine() -> Dataset {
    embedded_csv(WINE, "wine.csv", &["class_0", "class_1", "class_2"])
}

/// Breast Cancer Wisconsin (Diagnostic): 569 examples, 30 features, classes `malignant` (0,
/// 212 examples) and `benign` (1, 357 examples), as in scikit-learn.
pub fn breast_cancer() -> Dataset {
    embedded_csv(BREAST_CANCER, "breast_cancer.csv", &["malignant", "benign"])
}

/// Optical recognition of handwritten digits: 1797 examples of 8x8 images, 64 features
/// `pixel_<row>_<col>` with integer values 0 to 16, classes `"0"` to `"9"`.
pub fn digits() -> Dataset {
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    embedded_csv(DIGITS, "digits.csv.gz", &names)
}

/// The 5,000-image MNIST subset: train 4,000 images (400 per digit), test 1,000 (100 per
/// digit), 784 features `pixel_<row>_<col>` in `[0, 1]`, classes `"0"` to `"9"`.
///
/// Both parts come from the official MNIST *training* file (see `data/README.md`), so do
/// not evaluate a model trained on full MNIST on them.
pub fn mnist5k() -> MnistSplit {
    MnistSplit {
        train: embedded_idx(MNIST5K_TRAIN_IMAGES, MNIST5K_TRAIN_LABELS, "mnist5k/train"),
        test: embedded_idx(MNIST5K_TEST_IMAGES, MNIST5K_TEST_LABELS, "mnist5k/t10k"),
    }
}

/// The full MNIST: train 60,000 images, test 10,000 (the official split), 784 features
/// `pixel_<row>_<col>` in `[0, 1]`, classes `"0"` to `"9"`. Read from the copy compiled
/// into the library, so it needs no file and works from any directory.
pub fn mnist() -> MnistSplit {
    MnistSplit {
        train: embedded_idx(MNIST_TRAIN_IMAGES, MNIST_TRAIN_LABELS, "mnist/train"),
        test: embedded_idx(MNIST_TEST_IMAGES, MNIST_TEST_LABELS, "mnist/t10k"),
    }
}

/// Finds the project's copy of the full MNIST files on disk (the same data as [`mnist`]).
///
/// Looks, in order, in the directory named by the environment variable
/// `TAPEGRAD_MNIST_DIR` (if set), in `data/mnist` of the tapegrad source tree this crate was
/// built from, and in `./data/mnist` relative to the current directory. A directory counts
/// if it holds the training images under one of the names [`read_mnist_dir`](crate::read_mnist_dir) accepts.
pub fn mnist_dir() -> Result<PathBuf, DataError> {
    let mut searched = Vec::new();
    if let Some(dir) = std::env::var_os(MNIST_DIR_ENV) {
        searched.push(PathBuf::from(dir));
    }
    searched.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist"));
    searched.push(PathBuf::from("data/mnist"));
    let has_mnist = |dir: &Path| {
        candidates(dir, "train-images-idx3-ubyte")
            .iter()
            .any(|path| path.is_file())
    };
    match searched.iter().find(|dir| has_mnist(dir)) {
        Some(dir) => Ok(dir.canonicalize().unwrap_or_else(|_| dir.clone())),
        None => Err(DataError::NotFound {
            what: format!(
                "the MNIST folder (train-images-idx3-ubyte.gz and friends; \
                 set {MNIST_DIR_ENV} to point at a copy)"
            ),
            searched,
        }),
    }
}
