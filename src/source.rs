//! Resolving `--data SPEC` to data: a bundled set by name, a directory of MNIST-format IDX
//! files, or a CSV file; and choosing its training and test parts.

use crate::cli::HoldOutArgs;
use crate::error::{CliError, Result};
use data::{CsvOptions, Dataset, MnistSplit};
use std::path::Path;

/// The names `--data` accepts for bundled sets (`breast-cancer` is accepted too).
pub const BUNDLED: [&str; 6] = [
    "iris",
    "wine",
    "breast_cancer",
    "digits",
    "mnist5k",
    "mnist",
];

/// The test fraction used when `--test-fraction` is not given.
pub const DEFAULT_TEST_FRACTION: f64 = 0.25;
/// The split seed used when `--split-seed` is not given.
pub const DEFAULT_SPLIT_SEED: u64 = 0;

/// Where data came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A set bundled with tapegrad.
    Bundled,
    /// A CSV file.
    Csv,
    /// A directory of IDX files.
    Idx,
}

/// The rows of a data source: all in one, or already split into training and test parts.
#[derive(Debug)]
pub enum Parts {
    /// One data set, to be split (stratified) for training.
    Whole(Dataset),
    /// Training and test parts, as MNIST comes.
    Split(MnistSplit),
}

/// Loaded data with a description of where it came from.
#[derive(Debug)]
pub struct Source {
    /// The `--data` text, for messages.
    pub name: String,
    /// Where the data came from.
    pub origin: Origin,
    /// The rows.
    pub parts: Parts,
}

/// The part of a source chosen for a command, with a description for messages.
#[derive(Debug)]
pub struct Part {
    /// The rows.
    pub data: Dataset,
    /// Which part this is, e.g. `test part (fraction 0.25, split seed 0)` or `all rows`.
    pub description: String,
}

impl Source {
    /// Loads `spec`: a bundled name (see [`BUNDLED`]), a directory of IDX files, or a CSV
    /// file whose label column is `target` (the last column if `None`).
    pub fn load(spec: &str, target: Option<&str>) -> Result<Source> {
        let source = |origin, parts| Source {
            name: spec.to_string(),
            origin,
            parts,
        };
        match Spec::classify(spec)? {
            Spec::Bundled(name) => {
                no_target(spec, target, "a bundled data set")?;
                Ok(source(Origin::Bundled, bundled(name)?))
            }
            Spec::Directory(dir) => {
                no_target(spec, target, "a directory of IDX files")?;
                Ok(source(
                    Origin::Idx,
                    Parts::Split(data::read_mnist_dir(dir)?),
                ))
            }
            Spec::File(path) => {
                let options = CsvOptions {
                    target: target.map(str::to_string),
                    ..CsvOptions::default()
                };
                Ok(source(
                    Origin::Csv,
                    Parts::Whole(data::read_csv(path, &options)?),
                ))
            }
        }
    }

    /// Whether the features are MNIST-format pixels (already scaled to `[0, 1]`).
    pub fn is_pixels(&self) -> bool {
        matches!(self.parts, Parts::Split(_))
    }

    /// How the source is described in messages: `iris (bundled)`, `data.csv (CSV file)`.
    pub fn describe(&self) -> String {
        let kind = match self.origin {
            Origin::Bundled => "bundled",
            Origin::Csv => "CSV file",
            Origin::Idx => "IDX directory",
        };
        format!("{} ({kind})", self.name)
    }

    /// The training and test parts: a whole data set is split stratified by the hold-out
    /// flags (defaults 0.25 and seed 0); split data keeps its parts, and then the flags are
    /// an error (they would have no effect).
    pub fn train_test(self, hold_out: &HoldOutArgs) -> Result<(Part, Part)> {
        match self.parts {
            Parts::Whole(ds) => {
                let (fraction, seed) = hold_out_values(hold_out);
                let (train, test) = data::train_test_split_stratified(&ds, fraction, seed);
                let how = format!("fraction {fraction}, split seed {seed}");
                Ok((
                    Part {
                        data: train,
                        description: format!("training part ({how})"),
                    },
                    Part {
                        data: test,
                        description: format!("test part ({how})"),
                    },
                ))
            }
            Parts::Split(split) => {
                own_split(&self.name, hold_out)?;
                Ok((
                    Part {
                        data: split.train,
                        description: "training part".into(),
                    },
                    Part {
                        data: split.test,
                        description: "test part".into(),
                    },
                ))
            }
        }
    }

    /// The part to evaluate or predict on: all rows of a CSV file (unless hold-out flags
    /// ask for the test part of its split), the test part of a bundled set's split (the
    /// part `train` held out), or the test part of split data.
    pub fn evaluation_part(self, hold_out: &HoldOutArgs) -> Result<Part> {
        let asked = hold_out.test_fraction.is_some() || hold_out.split_seed.is_some();
        if self.origin == Origin::Csv && !asked {
            if let Parts::Whole(data) = self.parts {
                return Ok(Part {
                    data,
                    description: "all rows".into(),
                });
            }
        }
        Ok(self.train_test(hold_out)?.1)
    }
}

/// The test fraction and split seed, with their defaults.
pub fn hold_out_values(hold_out: &HoldOutArgs) -> (f64, u64) {
    (
        hold_out.test_fraction.unwrap_or(DEFAULT_TEST_FRACTION),
        hold_out.split_seed.unwrap_or(DEFAULT_SPLIT_SEED),
    )
}

/// An error if hold-out flags were given for data that has its own test part.
pub fn own_split(name: &str, hold_out: &HoldOutArgs) -> Result<()> {
    let flag = if hold_out.test_fraction.is_some() {
        "--test-fraction"
    } else if hold_out.split_seed.is_some() {
        "--split-seed"
    } else {
        return Ok(());
    };
    Err(CliError::new(format!(
        "{flag} does not apply to {name}: it comes with its own training and test parts"
    )))
}

/// What a `--data` text names, before anything is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec<'a> {
    /// A bundled set, by its canonical name (one of [`BUNDLED`]).
    Bundled(&'static str),
    /// A directory, read as MNIST-format IDX files.
    Directory(&'a Path),
    /// Anything else is a CSV file (which may not exist: reading it says so).
    File(&'a Path),
}

impl<'a> Spec<'a> {
    /// Bundled names come first (case-insensitive; `breast-cancer` too), then existing
    /// directories, then files. A text that is neither a bundled name nor an existing path
    /// and has no `/`, `\` or `.` is taken for a mistyped bundled name.
    pub fn classify(spec: &'a str) -> Result<Spec<'a>> {
        let lower = spec.to_ascii_lowercase().replace('-', "_");
        if let Some(name) = BUNDLED.iter().find(|&&name| name == lower) {
            return Ok(Spec::Bundled(name));
        }
        let path = Path::new(spec);
        if path.is_dir() {
            return Ok(Spec::Directory(path));
        }
        if !path.exists() && !spec.contains(['/', '\\', '.']) {
            return Err(CliError::new(format!(
                "unknown data set `{spec}`: it is not a bundled set ({}) and there is no file \
                 or directory of that name",
                BUNDLED.join(", ")
            )));
        }
        Ok(Spec::File(path))
    }
}

/// A bundled set by its canonical name.
fn bundled(name: &str) -> Result<Parts> {
    Ok(match name {
        "iris" => Parts::Whole(data::bundled::iris()),
        "wine" => Parts::Whole(data::bundled::wine()),
        "breast_cancer" => Parts::Whole(data::bundled::breast_cancer()),
        "digits" => Parts::Whole(data::bundled::digits()),
        "mnist5k" => Parts::Split(data::bundled::mnist5k()),
        _ => Parts::Split(data::bundled::mnist()),
    })
}

/// `--target` names a CSV column; anything else has its labels already.
fn no_target(spec: &str, target: Option<&str>, kind: &str) -> Result<()> {
    match target {
        None => Ok(()),
        Some(_) => Err(CliError::new(format!(
            "--target applies to CSV files only, and {spec} is {kind}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_hold_out() -> HoldOutArgs {
        HoldOutArgs {
            test_fraction: None,
            split_seed: None,
        }
    }

    #[test]
    fn bundled_names_and_aliases() {
        for name in ["iris", "wine", "breast-cancer", "BREAST_CANCER", "digits"] {
            let source = Source::load(name, None).unwrap();
            assert_eq!(source.origin, Origin::Bundled);
            assert!(!source.is_pixels());
        }
        assert!(Source::load("mnist5k", None).unwrap().is_pixels());
    }

    #[test]
    fn unknown_names_list_the_bundled_sets() {
        let err = Source::load("irsi", None).unwrap_err().to_string();
        assert!(err.contains("unknown data set `irsi`"), "{err}");
        assert!(
            err.contains("iris, wine, breast_cancer, digits, mnist5k, mnist"),
            "{err}"
        );
    }

    #[test]
    fn missing_files_are_named() {
        let err = Source::load("no/such/file.csv", None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no/such/file.csv: cannot read"), "{err}");
    }

    #[test]
    fn target_only_for_csv() {
        let err = Source::load("iris", Some("species"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--target applies to CSV files only"), "{err}");
    }

    #[test]
    fn split_data_refuses_hold_out_flags() {
        let source = Source::load("mnist5k", None).unwrap();
        let hold_out = HoldOutArgs {
            test_fraction: Some(0.1),
            split_seed: None,
        };
        let err = source.train_test(&hold_out).unwrap_err().to_string();
        assert!(
            err.contains("--test-fraction does not apply to mnist5k"),
            "{err}"
        );
    }

    #[test]
    fn bundled_tables_are_split_like_the_library_does() {
        let (train, test) = Source::load("iris", None)
            .unwrap()
            .train_test(&no_hold_out())
            .unwrap();
        let (lib_train, lib_test) =
            data::train_test_split_stratified(&data::bundled::iris(), 0.25, 0);
        assert_eq!(train.data, lib_train);
        assert_eq!(test.data, lib_test);
        let part = Source::load("iris", None)
            .unwrap()
            .evaluation_part(&no_hold_out())
            .unwrap();
        assert_eq!(part.data, lib_test);
    }
}
