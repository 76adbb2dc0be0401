//! The command-line grammar: subcommands and their flags, declared with clap's derive API.
//!
//! Values with a syntax of their own (`--schedule`, `--optimizer`, `--sampling`, `--init`)
//! are taken as text here and parsed by the commands, so that a bad value is reported like
//! any other error (`error: ...`, exit code 1) with the parser's own explanation.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// What `tapegrad` is, for the top of `--help`.
const ABOUT: &str = "tapegrad: softmax regression trained by a reverse-mode autodiff engine";

/// The longer description of `tapegrad --help`.
const LONG_ABOUT: &str = "\
tapegrad: softmax regression trained by a reverse-mode automatic differentiation engine.

Every gradient comes from a tape that records the forward computation and sweeps it
backward. This command trains, evaluates and applies softmax (multinomial logistic)
regression models on bundled data sets, CSV files and MNIST-format IDX directories.

Data (--data SPEC): a bundled set (iris, wine, breast_cancer, digits, mnist5k, mnist),
a CSV file (header row; the label column is the last one or --target; gzip is detected
automatically), or a directory of MNIST-format IDX files (train-* and t10k-*).

Examples:
  tapegrad train --data iris --model iris.json --plot iris.svg
  tapegrad eval --model iris.json --data iris
  tapegrad train --data mnist
  tapegrad predict --model iris.json --data new.csv --out predictions.csv";

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
split per class (stratified) by --test-fraction and --split-seed; MNIST-format data
(mnist, mnist5k, IDX directories) comes with its own test part. One line per epoch shows
the loss and accuracy on the training and test parts; a progress bar over the steps of
each epoch is drawn on standard error when it is a terminal.

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
data on its test part. Classes are matched by name; a CSV file whose labels are the
integers 0..k-1 (as `tapegrad split` writes them) is matched by class index. Feature
columns are matched by name, or by position when the names differ but the counts agree.";

const PREDICT_ABOUT: &str = "\
Write class predictions and probabilities of a saved model as CSV:
`row,predicted_class,p_<class1>,p_<class2>,...`, one line per input row (row counts from
0).

A CSV file needs a header row; the model's feature columns are picked by name, in any
order, and other columns (a label, an id) are ignored. For bundled data and IDX
directories, the test part is predicted (as `eval` chooses it).";

const SPLIT_ABOUT: &str = "\
Write the stratified train/test split of a data set as DIR/train.csv and DIR/test.csv,
for baselines outside tapegrad (scripts/sklearn_baseline.py).

Each file has a header of the feature names and `label`; labels are the class indices
0..k-1. The split is the one `train` makes with the same --test-fraction and seed, so
results can be compared split by split. MNIST-format data is written as its own train
and test parts.";

/// Which data to use.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data: iris, wine, breast_cancer, digits, mnist5k, mnist; a CSV file; or an IDX directory
    #[arg(long, value_name = "SPEC")]
    pub data: String,

    /// Label column of a CSV file [default: the last column]
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
}

/// How data without a test part of its own is split.
#[derive(Debug, Args)]
pub struct HoldOutArgs {
    /// Fraction of each class held out for testing, in (0, 1) [default: 0.25]
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub test_fraction: Option<f64>,

    /// Seed of the stratified train/test split [default: 0]
    #[arg(long, value_name = "SEED")]
    pub split_seed: Option<u64>,
}

/// `tapegrad train`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    #[command(flatten)]
    /// Which data to train on.
    pub data: DataArgs,

    #[command(flatten)]
    /// How it is split.
    pub hold_out: HoldOutArgs,

    /// Passes over the training data [default: 50; 10 for MNIST-format data]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub epochs: Option<u64>,

    /// Examples per step: full, sgd (one at a time) or minibatch:B [default: minibatch:32; minibatch:100 for MNIST-format data]
    #[arg(long, value_name = "SAMPLING", conflicts_with = "batch_size")]
    pub sampling: Option<String>,

    /// Shorthand for --sampling minibatch:B
    #[arg(long, value_name = "B")]
    pub batch_size: Option<usize>,

    /// Update rule: sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw; or a full-batch solver, lbfgs or newton-cg (scikit-learn's objective, l2 = 1/n unless --l2; --epochs caps its iterations)
    #[arg(long, value_name = "NAME", default_value = "momentum")]
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

    /// Weight initialisation: zeros, normal (std 0.01), normal:STD or xavier
    #[arg(long, value_name = "INIT", default_value = "zeros")]
    pub init: String,

    /// Seed of initialisation and minibatch sampling
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    pub seed: u64,

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
}

/// `tapegrad predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model file written by `tapegrad train --model`
    #[arg(long, value_name = "M.json")]
    pub model: PathBuf,

    /// Data: a CSV file with a header naming the model's features, a bundled set, or an IDX directory
    #[arg(long, value_name = "SPEC")]
    pub data: String,

    #[command(flatten)]
    /// For bundled sets without a test part: which part to predict.
    pub hold_out: HoldOutArgs,

    /// Write the predictions to this file [default: standard output]
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
    pub seed: Option<u64>,

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

/// A fraction strictly between 0 and 1.
fn fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        Ok(f) => Err(format!("{f} is not strictly between 0 and 1")),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
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
    fn fractions_are_checked() {
        assert_eq!(fraction("0.25"), Ok(0.25));
        assert!(fraction("0").is_err());
        assert!(fraction("1").is_err());
        assert!(fraction("x").is_err());
    }
}
