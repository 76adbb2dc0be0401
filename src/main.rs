//! `tapegrad`: the command line of the tapegrad project. Trains softmax regression models
//! (whose gradients come from the `tape` reverse-mode autodiff engine) on bundled data,
//! CSV files (or standard input) and MNIST-format IDX directories, and evaluates and
//! applies saved models.
//!
//! ```text
//! tapegrad train   --data SPEC [--test-data SPEC] [--model OUT.json] [--history OUT.csv] [--plot OUT.svg] [--json] ...
//! tapegrad eval    --model M.json --data SPEC [--json]
//! tapegrad predict --model M.json --data FILE.csv [--id COLUMN] [--out OUT.csv]
//! tapegrad split   --data SPEC --out-dir DIR
//! tapegrad info    --data SPEC
//! ```
//!
//! Any error prints `error: <message>` on standard error and exits with code 1 when the
//! work failed (bad data, unreadable or unwritable files, divergence) or 2 when the command
//! line is wrong (clap's usage errors, invalid values, an output that would overwrite an
//! input). Output files are written atomically; a failed write to standard output is an
//! error, a closed pipe is not.

use clap::Parser;
use std::process::ExitCode;

// First, so that its `say!` and `note!` macros are in scope in every module after it.
#[macro_use]
mod console;

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
mod training_rows;

fn main() -> ExitCode {
    // Flushing here catches a write error in output that was still buffered.
    let result = commands::run(cli::Cli::parse()).and_then(|()| console::write_stdout(|_| Ok(())));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            note!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
