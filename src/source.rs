//! Resolving `--data SPEC` to data: a bundled set by name, a directory of MNIST-format IDX
//! files, a CSV file, or CSV on standard input (`-`); and choosing its training and test
//! parts.

use crate::cli::{HoldOutArgs, ReadArgs};
use crate::error::{CliError, Result};
use data::display::float;
use data::{CsvOptions, Dataset, MnistSplit, ReadLimits};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The names `--data` accepts for bundled sets (`breast-cancer` is accepted too).
pub const BUNDLED: [&str; 6] = [
    "iris",
    "wine",
    "breast_cancer",
    "digits",
    "mnist5k",
    "mnist",
];

/// The name standard input has in messages.
pub const STDIN: &str = "<stdin>";

/// The test fraction used when `--test-fraction` is not given.
pub const DEFAULT_TEST_FRACTION: f64 = 0.25;
/// The split seed used when `--split-seed` is not given.
pub const DEFAULT_SPLIT_SEED: u64 = 0;

/// How files are read: the CSV delimiter and the limits on size, and whether data of a
/// single class is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The CSV field delimiter, if `--delimiter` gave one (a comma if not).
    pub delimiter: Option<u8>,
    /// The limits every file is read within.
    pub limits: ReadLimits,
    /// The fewest classes CSV data may have: 2 to train on it, 1 to evaluate on it.
    pub min_classes: usize,
}

impl From<&ReadArgs> for Reading {
    fn from(args: &ReadArgs) -> Self {
        Reading {
            delimiter: args.delimiter,
            limits: ReadLimits::default().with_max_bytes(args.max_data_size),
            min_classes: 2,
        }
    }
}

impl Reading {
    /// This way of reading, for data that is evaluated on (or predicted), not trained on:
    /// a single class is enough.
    pub fn to_evaluate(self) -> Reading {
        Reading {
            min_classes: 1,
            ..self
        }
    }

    /// CSV options reading this way, with the label column `target` (the last if `None`)
    /// and, if given, only the feature columns `features`.
    pub fn csv_options(&self, target: Option<&str>, features: Option<&[String]>) -> CsvOptions {
        CsvOptions {
            target: target.map(str::to_string),
            features: features.map(<[String]>::to_vec),
            min_classes: self.min_classes,
            ..CsvOptions::default()
                .with_delimiter(self.delimiter.unwrap_or(b','))
                .with_limits(self.limits)
        }
    }
}

/// Where data came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A set bundled with tapegrad.
    Bundled,
    /// A CSV file.
    Csv,
    /// CSV on standard input.
    Stdin,
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

impl Part {
    fn new(data: Dataset, description: impl Into<String>) -> Part {
        Part {
            data,
            description: description.into(),
        }
    }
}

impl Source {
    /// Loads `spec`: a bundled name (see [`BUNDLED`]), a directory of IDX files, `-` for CSV
    /// on standard input, or a CSV file, whose label column is `target` (the last column if
    /// `None`) and whose feature columns are `features` (all others if `None`).
    pub fn load(
        spec: &str,
        target: Option<&str>,
        features: Option<&[String]>,
        reading: Reading,
    ) -> Result<Source> {
        let source = |origin, parts| Source {
            name: spec.to_string(),
            origin,
            parts,
        };
        let csv = || reading.csv_options(target, features);
        match Spec::classify(spec)? {
            Spec::Bundled(name) => {
                csv_only(spec, target, reading, "a bundled data set")?;
                Ok(source(Origin::Bundled, bundled(name)))
            }
            Spec::Directory(dir) => {
                csv_only(spec, target, reading, "a directory of IDX files")?;
                let split = data::read_mnist_dir_within(dir, reading.limits)?;
                Ok(source(Origin::Idx, Parts::Split(split)))
            }
            Spec::File(path) => {
                let data = data::read_csv(path, &csv()).map_err(|e| label_hint(e, target))?;
                Ok(source(Origin::Csv, Parts::Whole(data)))
            }
            Spec::Stdin => {
                announce_stdin();
                let data = data::read_csv_from(std::io::stdin().lock(), STDIN, &csv())
                    .map_err(|e| label_hint(e, target))?;
                Ok(source(Origin::Stdin, Parts::Whole(data)))
            }
        }
    }

    /// Whether the features are MNIST-format pixels (already scaled to `[0, 1]`).
    pub fn is_pixels(&self) -> bool {
        matches!(self.parts, Parts::Split(_))
    }

    /// Whether the data came from CSV (a file or standard input).
    pub fn is_csv(&self) -> bool {
        matches!(self.origin, Origin::Csv | Origin::Stdin)
    }

    /// How the source is described in messages: `iris (bundled)`, `data.csv (CSV file)`.
    pub fn describe(&self) -> String {
        let kind = match self.origin {
            Origin::Bundled => "bundled",
            Origin::Csv => "CSV file",
            Origin::Stdin => return "standard input (CSV)".to_string(),
            Origin::Idx => "IDX directory",
        };
        format!("{} ({kind})", self.name)
    }

    /// The training and test parts: a whole data set is split stratified by the hold-out
    /// flags (defaults 0.25 and seed 0; a fraction of 0 holds nothing out, and there is no
    /// test part); split data keeps its parts, and then the flags are an error (they would
    /// have no effect).
    pub fn train_test(self, hold_out: &HoldOutArgs) -> Result<(Part, Option<Part>)> {
        match self.parts {
            Parts::Whole(ds) => {
                let (fraction, seed) = hold_out_values(hold_out);
                if fraction == 0.0 {
                    return Ok((Part::new(ds, "all rows (--test-fraction 0)"), None));
                }
                let (train, test) = data::train_test_split_stratified(&ds, fraction, seed);
                let how = format!("fraction {}, split seed {seed}", float(fraction));
                Ok((
                    Part::new(train, format!("training part ({how})")),
                    Some(Part::new(test, format!("test part ({how})"))),
                ))
            }
            Parts::Split(split) => {
                own_split(&self.name, hold_out)?;
                Ok((
                    Part::new(split.train, "training part"),
                    Some(Part::new(split.test, "test part")),
                ))
            }
        }
    }

    /// The part to evaluate or predict on when nothing is known of the rows a model was
    /// trained on: all rows of CSV data (unless hold-out flags ask for the test part of its
    /// split), the test part of a bundled set's split by the flags (with their defaults), or
    /// the test part of split data. (`training_rows::evaluation_part` uses the model's
    /// record of its split when there is one.)
    pub fn evaluation_part(self, hold_out: &HoldOutArgs) -> Result<Part> {
        let asked = hold_out.given();
        if self.is_csv() && !asked {
            return Ok(self.rows_to_test());
        }
        match self.train_test(hold_out)?.1 {
            Some(test) => Ok(test),
            None => Err(CliError::usage(
                "--test-fraction 0 leaves no test part to evaluate on",
            )),
        }
    }

    /// The rows to train on when the test data comes from elsewhere: all of them, or the
    /// training part of split data.
    pub fn rows_to_train(self) -> Part {
        match self.parts {
            Parts::Whole(data) => Part::new(data, "all rows"),
            Parts::Split(split) => Part::new(split.train, "training part"),
        }
    }

    /// The rows to test on when this is the test data: all of them, or the test part of
    /// split data.
    pub fn rows_to_test(self) -> Part {
        match self.parts {
            Parts::Whole(data) => Part::new(data, "all rows"),
            Parts::Split(split) => Part::new(split.test, "test part"),
        }
    }
}

/// The test fraction and split seed, with their defaults.
pub fn hold_out_values(hold_out: &HoldOutArgs) -> (f64, u64) {
    (
        hold_out.test_fraction.unwrap_or(DEFAULT_TEST_FRACTION),
        hold_out.split_seed.unwrap_or(DEFAULT_SPLIT_SEED),
    )
}

/// A usage error if hold-out flags were given for data that has its own test part.
pub fn own_split(name: &str, hold_out: &HoldOutArgs) -> Result<()> {
    let flag = if hold_out.test_fraction.is_some() {
        "--test-fraction"
    } else if hold_out.split_seed.is_some() {
        "--split-seed"
    } else {
        return Ok(());
    };
    Err(CliError::usage(format!(
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
    /// `-`: CSV on standard input.
    Stdin,
}

impl<'a> Spec<'a> {
    /// `-` is standard input; bundled names come next (case-insensitive; `breast-cancer`
    /// too), then existing directories, then files. A text that is neither a bundled name
    /// nor an existing path and has no `/`, `\` or `.` is taken for a mistyped bundled name
    /// (a usage error).
    pub fn classify(spec: &'a str) -> Result<Spec<'a>> {
        if spec == "-" {
            return Ok(Spec::Stdin);
        }
        let lower = spec.to_ascii_lowercase().replace('-', "_");
        if let Some(name) = BUNDLED.iter().find(|&&name| name == lower) {
            return Ok(Spec::Bundled(name));
        }
        let path = Path::new(spec);
        if path.is_dir() {
            return Ok(Spec::Directory(path));
        }
        if !path.exists() && !spec.contains(['/', '\\', '.']) {
            return Err(CliError::usage(format!(
                "unknown data set `{spec}`: it is not a bundled set ({}) and there is no file \
                 or directory of that name",
                BUNDLED.join(", ")
            )));
        }
        Ok(Spec::File(path))
    }

    /// The files reading this data opens (for checking that no output overwrites them).
    /// Standard input is `/dev/stdin` on Unix: when the shell redirects a file into it
    /// (`--data - < data.csv`), that file is an input like any other.
    pub fn files(&self) -> Vec<PathBuf> {
        match self {
            Spec::File(path) => vec![path.to_path_buf()],
            Spec::Directory(dir) => data::mnist_files(dir).map(Vec::from).unwrap_or_default(),
            Spec::Stdin if cfg!(unix) => vec![PathBuf::from("/dev/stdin")],
            Spec::Bundled(_) | Spec::Stdin => Vec::new(),
        }
    }

    /// Whether this is CSV data (a file or standard input).
    pub fn is_csv(&self) -> bool {
        matches!(self, Spec::File(_) | Spec::Stdin)
    }
}

/// A usage error if both `--data` and `--test-data` are standard input: it can be read once.
pub fn one_stdin(specs: &[&Spec<'_>]) -> Result<()> {
    if specs.iter().filter(|spec| ***spec == Spec::Stdin).count() > 1 {
        return Err(CliError::usage(
            "standard input (-) can be read only once; give the other data as a file",
        ));
    }
    Ok(())
}

/// The error of reading CSV data, with a hint when a column read as a feature holds words
/// from its first row on while `--target` was not given: it is most likely the label
/// column. (A word further down is more likely a typo in a numeric column.)
fn label_hint(error: data::DataError, target: Option<&str>) -> CliError {
    let hint = match (&error, target) {
        (
            data::DataError::NotANumber {
                line: 2,
                column,
                column_name,
                value,
                ..
            },
            None,
        ) if value.chars().any(char::is_alphabetic) => format!(
            "; if column {column} holds the class labels, name it with --target {column_name}"
        ),
        _ => String::new(),
    };
    CliError::new(format!("{}{hint}", CliError::from(error)))
}

/// Says, when standard input is a terminal, that the command is waiting for it.
pub fn announce_stdin() {
    if std::io::stdin().is_terminal() {
        note!("reading CSV from standard input; end it with Ctrl-D");
    }
}

/// A bundled set by its canonical name.
fn bundled(name: &str) -> Parts {
    match name {
        "iris" => Parts::Whole(data::bundled::iris()),
        "wine" => Parts::Whole(data::bundled::wine()),
        "breast_cancer" => Parts::Whole(data::bundled::breast_cancer()),
        "digits" => Parts::Whole(data::bundled::digits()),
        "mnist5k" => Parts::Split(data::bundled::mnist5k()),
        _ => Parts::Split(data::bundled::mnist()),
    }
}

/// A usage error if `--target` or `--delimiter` was given for data that is not CSV: the
/// one names a CSV column, the other separates CSV fields, and anything else has its labels
/// and fields already, so either flag would change nothing.
fn csv_only(spec: &str, target: Option<&str>, reading: Reading, kind: &str) -> Result<()> {
    let flag = match (target, reading.delimiter) {
        (Some(_), _) => "--target",
        (None, Some(_)) => "--delimiter",
        (None, None) => return Ok(()),
    };
    Err(CliError::usage(format!(
        "{flag} applies to CSV files only, and {spec} is {kind}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading() -> Reading {
        Reading {
            delimiter: None,
            limits: ReadLimits::default(),
            min_classes: 2,
        }
    }

    #[test]
    fn a_test_fraction_of_zero_trains_on_every_row() {
        let hold_out = HoldOutArgs {
            test_fraction: Some(0.0),
            split_seed: None,
        };
        let source = Source::load("iris", None, None, reading()).unwrap();
        let (train, test) = source.train_test(&hold_out).unwrap();
        assert_eq!(train.data.len(), 150);
        assert!(test.is_none());
    }

    #[test]
    fn dash_is_standard_input() {
        assert_eq!(Spec::classify("-").unwrap(), Spec::Stdin);
        let files = Spec::classify("-").unwrap().files();
        assert_eq!(files.is_empty(), !cfg!(unix), "{files:?}");
        assert!(one_stdin(&[&Spec::Stdin, &Spec::Stdin]).is_err());
        assert!(one_stdin(&[&Spec::Stdin, &Spec::Bundled("iris")]).is_ok());
    }

    fn no_hold_out() -> HoldOutArgs {
        HoldOutArgs {
            test_fraction: None,
            split_seed: None,
        }
    }

    #[test]
    fn bundled_names_and_aliases() {
        for name in ["iris", "wine", "breast-cancer", "BREAST_CANCER", "digits"] {
            let source = Source::load(name, None, None, reading()).unwrap();
            assert_eq!(source.origin, Origin::Bundled);
            assert!(!source.is_pixels());
        }
        assert!(Source::load("mnist5k", None, None, reading())
            .unwrap()
            .is_pixels());
    }

    #[test]
    fn unknown_names_list_the_bundled_sets() {
        let err = Source::load("irsi", None, None, reading()).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = err.to_string();
        assert!(err.contains("unknown data set `irsi`"), "{err}");
        assert!(
            err.contains("iris, wine, breast_cancer, digits, mnist5k, mnist"),
            "{err}"
        );
    }

    #[test]
    fn missing_files_are_named() {
        let err = Source::load("no/such/file.csv", None, None, reading())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no/such/file.csv: cannot read"), "{err}");
    }

    #[test]
    fn target_and_delimiter_only_for_csv() {
        let err = Source::load("iris", Some("species"), None, reading())
            .unwrap_err()
            .to_string();
        assert!(err.contains("--target applies to CSV files only"), "{err}");
        let semicolon = Reading {
            delimiter: Some(b';'),
            ..reading()
        };
        let err = Source::load("mnist5k", None, None, semicolon).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "--delimiter applies to CSV files only, and mnist5k is a bundled data set"
        );
    }

    #[test]
    fn split_data_refuses_hold_out_flags() {
        let source = Source::load("mnist5k", None, None, reading()).unwrap();
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
        let (train, test) = Source::load("iris", None, None, reading())
            .unwrap()
            .train_test(&no_hold_out())
            .unwrap();
        let (lib_train, lib_test) =
            data::train_test_split_stratified(&data::bundled::iris(), 0.25, 0);
        assert_eq!(train.data, lib_train);
        assert_eq!(test.unwrap().data, lib_test);
        let part = Source::load("iris", None, None, reading())
            .unwrap()
            .evaluation_part(&no_hold_out())
            .unwrap();
        assert_eq!(part.data, lib_test);
    }
}
