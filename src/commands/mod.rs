//! One module per subcommand, each with a `run` function taking its parsed arguments.

pub mod eval;
pub mod info;
pub mod predict;
pub mod split;
pub mod train;
pub mod train_solver;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the subcommand the user asked for.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train(args) => train::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Split(args) => split::run(&args),
        Command::Info(args) => info::run(&args),
    }
}
