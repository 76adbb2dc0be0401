//! `tapegrad`: the command line of the tapegrad project. Trains softmax regression models
//! (whose gradients come from the `tape` reverse-mode autodiff engine) on bundled data,
//! CSV files and MNIST-format IDX directories, and evaluates and applies saved models.
//!
//! ```text
//! tapegrad train   --data SPEC [--model OUT.json] [--history OUT.csv] [--plot OUT.svg] ...
//! tapegrad eval    --model M.json --data SPEC
//! tapegrad predict --model M.json --data FILE.csv [--out OUT.csv]
//! tapegrad split   --data SPEC --out-dir DIR
//! tapegrad info    --data SPEC
//! ```
//!
//! Any error prints `error: <message>` on standard error and exits with code 1 (usage
//! errors found by clap exit with code 2). Output files are written atomically.

use clap::Parser;
use std::process::ExitCode;

/// Prints a line on standard output, ignoring a closed pipe (`tapegrad ... | head`)
/// rather than panicking on it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod align;
mod cli;
mod commands;
mod error;
mod history_csv;
mod output;
mod plot;
mod progress;
mod report;
mod source;
mod train_config;

fn main() -> ExitCode {
    match commands::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
