//! Writing output files so that nothing is ever half-written: each file is written to a
//! temporary name in its own directory, then renamed over the target (a rename within one
//! directory is atomic), and the temporary file is removed if anything fails.

use crate::error::{CliError, Result};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Checks, before any work is done, that `path` can be created: its directory exists and
/// it is not itself a directory. Catches a mistyped output path before a long training run
/// rather than after it.
pub fn check_writable(path: &Path, what: &str) -> Result<()> {
    let shown = path.display();
    if path.as_os_str().is_empty() {
        return Err(CliError::new(format!("the {what} path is empty")));
    }
    if path.is_dir() {
        return Err(CliError::new(format!(
            "cannot write the {what} to {shown}: it is a directory"
        )));
    }
    let dir = directory_of(path);
    if !dir.is_dir() {
        return Err(CliError::new(format!(
            "cannot write the {what} to {shown}: the directory {} does not exist",
            dir.display()
        )));
    }
    Ok(())
}

/// The directory a path's file lives in (`.` for a bare file name).
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The temporary name beside `path`: `.NAME.tmp-PID` in the same directory.
fn temporary_name(path: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".tmp-{}", std::process::id()));
    directory_of(path).join(name)
}

/// Writes a file atomically: `fill` writes the contents into a buffered temporary file
/// beside `path`, which is then renamed to `path`. On any failure the temporary file is
/// removed and `path` is left as it was; the error names `path`.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let tmp = temporary_name(path);
    let result = (|| {
        let mut out = BufWriter::new(File::create(&tmp)?);
        fill(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::new(format!("{}: cannot write: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tapegrad-output-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_and_replaces_leaving_no_temporary_file() {
        let dir = scratch("replace");
        let path = dir.join("a.txt");
        write_atomically(&path, |w| w.write_all(b"one")).unwrap();
        write_atomically(&path, |w| w.write_all(b"two")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failing_writer_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("fail");
        let path = dir.join("a.txt");
        write_atomically(&path, |w| w.write_all(b"old")).unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_directories_are_reported_before_writing() {
        let err = check_writable(Path::new("/no/such/dir/m.json"), "model").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot write the model to /no/such/dir/m.json: the directory /no/such/dir does not exist"
        );
        assert!(check_writable(Path::new("m.json"), "model").is_ok());
        assert!(check_writable(&std::env::temp_dir(), "model").is_err());
    }
}
