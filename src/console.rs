//! Where the command line's text goes, with every write checked.
//!
//! - Human-readable lines (`say!`) go to standard output, or to standard
//!   error when standard output carries a machine-readable document (`--json`).
//! - Documents (predictions CSV, JSON) go to standard output ([`write_stdout`]).
//! - Notes and warnings (`note!`) go to standard error.
//!
//! A write error on standard output (`> /dev/full`) is an error that ends the command with
//! exit code 1; a closed pipe (`| head`) is not: the reader has what it wanted, so output
//! stops quietly and the work (writing a model, say) goes on. Standard error has nowhere to
//! report its own failures, so they are ignored rather than turned into a panic.

use crate::error::{CliError, Result};
use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Human-readable output goes to standard error (set under `--json`).
static HUMAN_TO_STDERR: AtomicBool = AtomicBool::new(false);
/// Standard output's reader has gone (a closed pipe): write nothing more to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Prints a line of human-readable output (see the module documentation); in a function
/// returning [`crate::error::Result`], since a failed write is an error.
macro_rules! say {
    () => {
        say!("")
    };
    ($($arg:tt)*) => {
        $crate::console::human_line(format_args!($($arg)*))?
    };
}

/// Prints a line on standard error; never fails.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::console::note_line(format_args!($($arg)*))
    };
}

/// Sends human-readable output to standard error from now on, so standard output holds
/// only a document.
pub fn human_to_stderr() {
    HUMAN_TO_STDERR.store(true, Ordering::Relaxed);
}

/// Whether human-readable output goes to standard error.
pub fn human_on_stderr() -> bool {
    HUMAN_TO_STDERR.load(Ordering::Relaxed)
}

/// Writes one line of human-readable output.
pub fn human_line(line: fmt::Arguments<'_>) -> Result<()> {
    if human_on_stderr() {
        note_line(line);
        Ok(())
    } else {
        write_stdout(|out| writeln!(out, "{line}"))
    }
}

/// Writes to standard output with `write`, then flushes: an error if that fails, except on
/// a closed pipe, after which standard output is left alone.
pub fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(CliError::new(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Writes one line on standard error, ignoring failure.
pub fn note_line(line: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Prints `value` as one pretty-printed JSON document on standard output.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    write_stdout(|out| {
        serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
        writeln!(out)
    })
}
