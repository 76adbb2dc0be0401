//! [`CliError`]: the one error type of the command line, a message that `main` prints as
//! `error: <message>` before exiting with code 1.

use std::fmt;

/// A user-facing error: one sentence naming what went wrong and where (file, line,
/// column, value), ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(String);

impl CliError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError(message.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The library errors already name their file, line, column and value: keep their text.
macro_rules! from_display {
    ($($error:ty),*) => {$(
        impl From<$error> for CliError {
            fn from(error: $error) -> Self {
                CliError(error.to_string())
            }
        }
    )*};
}

from_display!(
    data::DataError,
    nn::model_file::ModelError,
    nn::train::TrainError
);

/// The command line's result type.
pub type Result<T> = std::result::Result<T, CliError>;
