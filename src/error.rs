//! [`CliError`]: the one error type of the command line, a message that `main` prints as
//! `error: <message>`, and the exit code it ends with: 2 when the command line itself is
//! wrong (a value no flag accepts, flags that contradict each other or the data, an output
//! that would overwrite an input), 1 when the work failed (bad data, a file that cannot be
//! read or written, training that diverged).

use std::fmt;

/// What kind of failure an error is, which decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The command line is wrong: exit code 2, as for clap's own usage errors.
    Usage,
    /// The work failed: exit code 1.
    Failure,
}

/// A user-facing error: one sentence naming what went wrong and where (file, line,
/// column, value), ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
    kind: Kind,
}

impl CliError {
    /// A failure of the work (exit code 1) with this message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            kind: Kind::Failure,
        }
    }

    /// A mistake in the command line (exit code 2) with this message.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            kind: Kind::Usage,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::Usage => 2,
            Kind::Failure => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The library's data errors already name their file, line, column and value; a few get
/// the flag that fixes them.
impl From<data::DataError> for CliError {
    fn from(error: data::DataError) -> Self {
        use data::DataError;
        let hint = match &error {
            DataError::TooLarge { .. } => "; raise it with --max-data-size".to_string(),
            DataError::WrongDelimiter { found, .. } => {
                let flag = match found {
                    b'\t' => "tab".to_string(),
                    other => format!("'{}'", char::from(*other)),
                };
                format!(" (--delimiter {flag})")
            }
            DataError::TargetIsFeature { named: false, .. } => " with --target".to_string(),
            DataError::NotAFile { file, .. } if file.starts_with("/dev/") => {
                "; to read standard input, use --data -".to_string()
            }
            _ => String::new(),
        };
        CliError::new(format!("{error}{hint}"))
    }
}

/// Model files, and training, name their problem in full: keep their text.
macro_rules! from_display {
    ($($error:ty),*) => {$(
        impl From<$error> for CliError {
            fn from(error: $error) -> Self {
                CliError::new(error.to_string())
            }
        }
    )*};
}

from_display!(nn::model_file::ModelError, nn::train::TrainError);

/// The command line's result type.
pub type Result<T> = std::result::Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_failures_1() {
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::new("x").exit_code(), 1);
    }

    #[test]
    fn data_errors_get_the_flag_that_fixes_them() {
        let err = data::parse_csv(b"a;b\n1;x\n", "semi.csv", &Default::default()).unwrap_err();
        let message = CliError::from(err).to_string();
        assert!(
            message.ends_with("with the delimiter ';' (--delimiter ';')"),
            "{message}"
        );
    }
}
