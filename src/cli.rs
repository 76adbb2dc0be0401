//! The command-line grammar: subcommands and their flags, declared with clap's derive API.
//!
//! Values with a syntax of their own (`--schedule`, `--optimizer`, `--sampling`, `--init`)
//! are taken as text here and parsed by the commands, so that a bad value is reported like
//! any other error (`error: ...`, exit code 1) with the parser's own explanation.

use clap::{Args, Parser, Subcommand};
use data::display::float;
use nn::optim::OptimizerConfig;
use std::path::PathBuf;

/// What `tapegrad` is, for the top of `--help`.
const ABOUT: &str = "tapegrad: softmax regression trained by a reverse-mode autodiff engine";

/// The longer description of `tapegrad --help`.
const LONG_ABOUT: &str = "\
tapegrad: softmax regression trained by a reverse-mode automatic differentiation engine.

Every gradient comes from a tape that records the forward computation and sweeps it
backward. This command trains, evaluates and applies softmax (multinomial logistic)
regression models on bundled data sets, CSV files and MNIST-format IDX directories.

Data (--data SPEC): a bundled set (iris, wine, breast_cancer, digits, mnist5k, mnist,
compiled into the program), a CSV file (header row; the label column is the last one or
--target; gzip is detected automatically; --delimiter for ';' or tab), `-` for CSV on
standard input, or a directory of MNIST-format IDX files (train-* and t10k-*).

Exit codes: 0 success, 1 the work failed (bad data, a file that cannot be read or
written, training that diverged), 2 the command line is wrong (an unknown flag or value,
flags that contradict each other, an output that would overwrite an input).

Examples:
  tapegrad train --data iris --model iris.json --plot iris.svg
  tapegrad eval --model iris.json --data iris
  tapegrad split --data iris --out-dir splits
  tapegrad predict --model iris.json --data splits/test.csv --out predictions.csv
  tapegrad train --data mnist --json > mnist-run.json";

/// The `tapegrad` command line.
#[derive(Debug, Parser)]
#[command(name = "tapegrad", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a softmax regression model and report its test accuracy
    #[command(long_about = TRAIN_ABOUT)]
    Train(Box<TrainArgs>),
    /// Evaluate a saved model: accuracy, cross-entropy, confusion matrix, precision and recall
    #[command(long_about = EVAL_ABOUT)]
    Eval(EvalArgs),
    /// Write class predictions and probabilities of a saved model as CSV
    #[command(long_about = PREDICT_ABOUT)]
    Predict(PredictArgs),
    /// Write the stratified train/test split of a data set as two CSV files
    #[command(long_about = SPLIT_ABOUT)]
    Split(SplitArgs),
    /// Describe a data set: rows, features, classes and their counts
    Info(InfoArgs),
}

const TRAIN_ABOUT: &str = "\
Train a softmax regression model and report its test accuracy.

Data without a test part of its own (CSV files, iris, wine, breast_cancer, digits) is
split per class (stratified) by --test-fraction and --split-seed (--test-fraction 0 trains
on every row and tests on none); MNIST-format data (mnist, mnist5k, IDX directories) comes
with its own test part. --test-data takes the test part from elsewhere: then all of --data
is trained on (its training part, for MNIST-format data), and the standardisation is
fitted on the training data only. One line per epoch shows the loss and accuracy on the
training and test parts; a progress bar over the steps of each epoch is drawn on standard
error when it is a terminal. --json prints one JSON document instead (configuration,
history, final metrics, timing), and the human-readable lines go to standard error.

Every output path is checked before training starts: it must not be an input or another
output, and its directory must be writable. A run whose loss diverges (NaN, or far above
that of a model that knows nothing) ends with an error and saves nothing.

Flags left out get defaults chosen for the data: for MNIST-format data, 10 epochs of
minibatches of 100, momentum, a cosine schedule from 0.1 with half an epoch of warm-up,
L2 1e-4 and no standardisation (pixels are already in [0, 1]); otherwise 50 epochs of
minibatches of 32, momentum, a cosine schedule from 0.1, no L2, standardised features.
The configuration used is printed before training.";

const EVAL_ABOUT: &str = "\
Evaluate a saved model: accuracy, mean cross-entropy, confusion matrix, per-class
precision and recall.

A CSV file is evaluated on all its rows (or, with --test-fraction or --split-seed, on the
test part of the split `train` would make); iris, wine, breast_cancer and digits on the
test part of their split (the part `train` held out with the same flags); MNIST-format
data on its test part. Classes are matched by name. A CSV file whose labels are integers
0..k-1, none of them a class name of the model (such as data/iris.csv, which numbers its
classes), is matched by class index, and a note on standard error shows the match; when
some names match, the others are unknown classes, an error. Feature columns are matched by name (other columns are
ignored), or by position with --by-position. --json prints the results as one JSON
document.

The whole confusion matrix is printed for up to 20 classes and the scores of every class
for up to 50; past that, the most frequent confusions and the classes of lowest F1 (--json
has every class, and the non-zero cells of the confusion matrix as `confusion_counts`).";

const PREDICT_ABOUT: &str = "\
Write class predictions and probabilities of a saved model as CSV:
`row,predicted_class,p_<class1>,p_<class2>,...`, one line per input row (row counts from
0). With --id COLUMN, that column's values replace the row numbers.

A CSV file needs a header row; the model's feature columns are picked by name, in any
order, and other columns (a label, notes) are ignored; --by-position takes the columns
other than the id column in order instead. For bundled data and IDX directories, the test
part is predicted (as `eval` chooses it).";

const SPLIT_ABOUT: &str = "\
Write the stratified train/test split of a data set as DIR/train.csv and DIR/test.csv,
for baselines outside tapegrad (scripts/sklearn_baseline.py).

Each file holds the feature columns, then the label column under the data's own name for
it (the target column's; `label` for bundled sets and IDX data) with each row's class
name, so both files read back as the same data with the same classes. The split is the
one `train` makes with the same --test-fraction and --split-seed, so results can be
compared split by split. MNIST-format data is written as its own train and test parts.";

/// Which data to use.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data: iris, wine, breast_cancer, digits, mnist5k, mnist; a CSV file (- for standard input); or an IDX directory
    #[arg(long, value_name = "SPEC")]
    pub data: String,

    /// Label column of a CSV file [default: the last column]
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,

    #[command(flatten)]
    /// How files are read.
    pub read: ReadArgs,
}

/// How files are read.
#[derive(Debug, Args, Clone, Copy)]
pub struct ReadArgs {
    /// Field delimiter of CSV files: a character such as ';' or '|', or tab [default: ,]
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub delimiter: Option<u8>,

    /// Most data read from one file, after decompression, e.g. 500M, 4G (a guard against gzip bombs and runaway input)
    #[arg(long, value_name = "SIZE", value_parser = size, default_value = "1G")]
    pub max_data_size: u64,
}

/// How data without a test part of its own is split.
#[derive(Debug, Args)]
pub struct HoldOutArgs {
    /// Fraction of each class held out for testing, in (0, 1) [default: 0.25]
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub test_fraction: Option<f64>,

    /// Seed of the stratified train/test split (not of training: that is train's --seed) [default: 0]
    #[arg(long, value_name = "SEED")]
    pub split_seed: Option<u64>,
}

impl HoldOutArgs {
    /// True if either hold-out flag was given.
    pub fn given(&self) -> bool {
        self.test_fraction.is_some() || self.split_seed.is_some()
    }
}

/// `tapegrad train`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    #[command(flatten)]
    /// Which data to train on.
    pub data: DataArgs,

    /// Fraction of each class held out for testing, in [0, 1); 0 trains on every row [default: 0.25]
    #[arg(long, value_name = "FRACTION", value_parser = fraction_or_zero)]
    pub test_fraction: Option<f64>,

    /// Seed of the stratified train/test split (not of training: that is --seed) [default: 0]
    #[arg(long, value_name = "SEED")]
    pub split_seed: Option<u64>,

    /// Test on this data (a CSV file, - for standard input, a bundled set, an IDX directory's test part) and train on all of --data
    #[arg(long, value_name = "SPEC", conflicts_with_all = ["test_fraction", "split_seed"])]
    pub test_data: Option<String>,

    /// Passes over the training data [default: 50; 10 for MNIST-format data]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub epochs: Option<u64>,

    /// Examples per step: full, sgd (one at a time) or minibatch:B [default: minibatch:32; minibatch:100 for MNIST-format data]
    #[arg(long, value_name = "SAMPLING", conflicts_with = "batch_size")]
    pub sampling: Option<String>,

    /// Shorthand for --sampling minibatch:B
    #[arg(long, value_name = "B")]
    pub batch_size: Option<usize>,

    /// Update rule (the help lists the optimizers)
    #[arg(
        long,
        value_name = "NAME[:KEY=VALUE,...]",
        default_value = "momentum",
        help = optimizer_help(),
        long_help = optimizer_long_help()
    )]
    pub optimizer: String,

    /// Learning-rate schedule, e.g. constant:0.1, cosine:0.1,0.001,1000,100, piecewise:0.5@100,0.1@200,0.01, step:0.5,0.5,10, exponential:0.5,0.001, inverse:0.5,0.01 [default: cosine from 0.1 to 0.001 over the run; half an epoch of warm-up for MNIST-format data]
    #[arg(long, value_name = "SPEC", conflicts_with = "lr")]
    pub schedule: Option<String>,

    /// Shorthand for --schedule constant:RATE
    #[arg(long, value_name = "RATE")]
    pub lr: Option<f64>,

    /// L2 penalty lambda/2 ||W||^2 on the weights [default: 0; 1e-4 for MNIST-format data]
    #[arg(long, value_name = "LAMBDA")]
    pub l2: Option<f64>,

    /// Stop when the validation loss has not improved for PATIENCE epochs, keeping the best epoch (validation data is held out of the training part)
    #[arg(long, value_name = "PATIENCE")]
    pub early_stopping: Option<usize>,

    /// With --early-stopping: fraction of each class of the training part held out for validation
    #[arg(long, value_name = "FRACTION", default_value_t = 0.2, value_parser = fraction, requires = "early_stopping")]
    pub validation_fraction: f64,

    /// Standardise features with the training part's means and deviations [default for all but MNIST-format data]
    #[arg(long, conflicts_with = "no_standardize")]
    pub standardize: bool,

    /// Use features as they are [default for MNIST-format data, whose pixels are in [0, 1]]
    #[arg(long)]
    pub no_standardize: bool,

    // `--init` and `--seed` have no clap defaults, so that a flag given where it has no
    // effect (a full-batch solver, a run without randomness) can be told from one left out.
    /// Weight initialisation: zeros, normal (std 0.01), normal:STD or xavier [default: zeros]
    #[arg(long, value_name = "INIT")]
    pub init: Option<String>,

    /// Seed of weight initialisation, minibatch sampling and the validation split (the train/test split has its own: --split-seed) [default: 0]
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,

    /// Save the trained model as JSON to this file
    #[arg(long, value_name = "OUT.json")]
    pub model: Option<PathBuf>,

    /// Write the per-epoch history as CSV to this file
    #[arg(long, value_name = "OUT.csv")]
    pub history: Option<PathBuf>,

    /// Draw the loss and accuracy curves as SVG to this file
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,

    /// Print only the final result: no configuration, progress bar or per-epoch lines
    #[arg(long, short)]
    pub quiet: bool,

    /// Print one JSON document on standard output: configuration, history, final metrics and timing (other output goes to standard error)
    #[arg(long)]
    pub json: bool,
}

impl TrainArgs {
    /// The seed of training: `--seed`, or 0.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(0)
    }

    /// The hold-out flags, as the data loader takes them.
    pub fn hold_out(&self) -> HoldOutArgs {
        HoldOutArgs {
            test_fraction: self.test_fraction,
            split_seed: self.split_seed,
        }
    }
}

/// `tapegrad eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model file written by `tapegrad train --model`
    #[arg(long, value_name = "M.json")]
    pub model: PathBuf,

    #[command(flatten)]
    /// Which data to evaluate on.
    pub data: DataArgs,

    #[command(flatten)]
    /// Which part of it.
    pub hold_out: HoldOutArgs,

    /// Match the data's feature columns to the model's by position instead of by name
    #[arg(long)]
    pub by_position: bool,

    /// Print the results as one JSON document
    #[arg(long)]
    pub json: bool,
}

/// `tapegrad predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model file written by `tapegrad train --model`
    #[arg(long, value_name = "M.json")]
    pub model: PathBuf,

    /// Data: a CSV file with a header naming the model's features (- for standard input), a bundled set, or an IDX directory
    #[arg(long, value_name = "SPEC")]
    pub data: String,

    #[command(flatten)]
    /// How files are read.
    pub read: ReadArgs,

    #[command(flatten)]
    /// For bundled sets without a test part: which part to predict.
    pub hold_out: HoldOutArgs,

    /// A column of the CSV file to copy into the predictions in place of the row number (an id)
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,

    /// Take the feature columns by position (all but the id column, in order) instead of by name
    #[arg(long)]
    pub by_position: bool,

    /// Write the predictions to this file (`-`: standard output) [default: standard output]
    #[arg(long, value_name = "OUT.csv")]
    pub out: Option<PathBuf>,
}

/// `tapegrad split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    #[command(flatten)]
    /// Which data to split.
    pub data: DataArgs,

    /// Fraction of each class in the test part, in (0, 1) [default: 0.25]
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub test_fraction: Option<f64>,

    /// Seed of the split, the same as `train --split-seed` [default: 0]
    #[arg(long, value_name = "SEED")]
    pub split_seed: Option<u64>,

    /// Directory for train.csv and test.csv (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// `tapegrad info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    /// Which data to describe.
    pub data: DataArgs,
}

/// `--optimizer`'s short help: the names of the registry of optimizers.
fn optimizer_help() -> String {
    format!(
        "Update rule: {}; NAME:KEY=VALUE,... sets hyperparameters (see --help); or a \
         full-batch solver, lbfgs or newton-cg",
        OptimizerConfig::names().join(", ")
    )
}

/// `--optimizer`'s long help: every preset of the registry, with its summary and its
/// hyperparameters as the parser reads them.
fn optimizer_long_help() -> String {
    let mut help = String::from(
        "Update rule: a name, optionally with hyperparameters set after a colon, e.g. \
         adam:beta1=0.8,weight_decay=0.0001.\n",
    );
    for preset in OptimizerConfig::presets() {
        help.push_str(&format!(
            "\n  {:<9} {}\n            {}",
            preset.name, preset.summary, preset.config
        ));
    }
    help.push_str(
        "\n\nOr a full-batch second-order solver, lbfgs or newton-cg: scikit-learn's \
         objective (l2 = 1/n unless --l2); --epochs caps its iterations.",
    );
    help
}

/// A fraction strictly between 0 and 1.
fn fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        Ok(f) => Err(format!("{} is not strictly between 0 and 1", float(f))),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

/// A fraction in `[0, 1)`: 0 holds nothing out.
fn fraction_or_zero(text: &str) -> Result<f64, String> {
    if text.trim().parse::<f64>() == Ok(0.0) {
        return Ok(0.0);
    }
    fraction(text).map_err(|e| e.replace("strictly between 0 and 1", "in [0, 1)"))
}

/// A field delimiter: one ASCII character other than a quote or a line break, or `tab`
/// (also `\t`).
fn delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match text.as_bytes() {
            [b'"' | b'\n' | b'\r'] => Err(format!("{text:?} cannot separate fields")),
            [byte] if byte.is_ascii() => Ok(*byte),
            _ => Err(format!(
                "`{text}` is not one character; use e.g. ';', '|' or tab"
            )),
        },
    }
}

/// A size in bytes: a number with an optional unit K, M, G or T (powers of 1024; `KB`,
/// `KiB` and lowercase are accepted).
fn size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let digits = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &lower[digits.len()..];
    let shift = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return Err(format!("`{text}`: unknown unit; use e.g. 500M or 4G")),
    };
    let number: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 500M or 4G"))?;
    let bytes = number * 2f64.powi(shift);
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < 2f64.powi(63)) {
        return Err(format!("`{text}` is not a size between 1 byte and 8 EiB"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_optimizer_help_comes_from_the_registry() {
        let mut command = Cli::command();
        let train = command.find_subcommand_mut("train").unwrap();
        let help = train.render_long_help().to_string();
        for preset in OptimizerConfig::presets() {
            assert!(help.contains(preset.name), "{help}");
            assert!(help.contains(preset.summary), "{help}");
            assert!(help.contains(&preset.config.to_string()), "{help}");
        }
        let short = train.render_help().to_string();
        assert!(
            short.contains(&OptimizerConfig::names().join(", ")),
            "{short}"
        );
    }

    #[test]
    fn fractions_are_checked() {
        assert_eq!(fraction("0.25"), Ok(0.25));
        assert!(fraction("0").is_err());
        assert!(fraction("1").is_err());
        assert!(fraction("x").is_err());
        assert_eq!(fraction_or_zero("0"), Ok(0.0));
        assert_eq!(fraction_or_zero("0.5"), Ok(0.5));
        assert_eq!(fraction_or_zero("1"), Err("1 is not in [0, 1)".to_string()));
    }

    #[test]
    fn delimiters_and_sizes() {
        assert_eq!(delimiter(";"), Ok(b';'));
        assert_eq!(delimiter("tab"), Ok(b'\t'));
        assert_eq!(delimiter("\t"), Ok(b'\t'));
        assert!(delimiter("\"").is_err());
        assert!(delimiter(";;").is_err());
        assert_eq!(size("1G"), Ok(1 << 30));
        assert_eq!(size("500M"), Ok(500 << 20));
        assert_eq!(size("2GiB"), Ok(2 << 30));
        assert_eq!(size("1.5k"), Ok(1536));
        assert_eq!(size("123"), Ok(123));
        assert!(size("12X").is_err());
        assert!(size("0").is_err());
        assert!(size("-1G").is_err());
    }
}
