//! Output files: checked before any work ([`Files::check`]) and written so that nothing is
//! ever half-written or lost ([`write_atomically`]), and a command's outputs as a set
//! ([`OutputSet`]): a run that fails to write one of them replaces none.
//!
//! Before a command reads its data, every output path is compared with every input and
//! every other output: after resolving links and relative paths, and by inode for files
//! that exist (so a hard link is the same file too). A clash is a usage error (exit 2):
//! `train --data data.csv --model data.csv` would replace the data with the model. Then
//! each output's directory is probed by creating and removing a file in it, so an hour of
//! training does not end in "Permission denied". Outputs that are not regular files
//! (`/dev/null`, `/dev/stdout`, a pipe) are written directly and never clash.

use crate::error::{CliError, Result};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The files a command reads and writes, each with what it is for messages.
#[derive(Debug, Default)]
pub struct Files {
    inputs: Vec<(String, PathBuf)>,
    outputs: Vec<(String, PathBuf)>,
}

/// What a path refers to, for comparing two paths.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file, by device and inode: hard links are the same file.
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    /// A file by its canonical path (its directory's, for a file that does not exist yet).
    Path(PathBuf),
    /// Not a regular file (a device, a pipe): written directly, never the same as a data file.
    Special,
}

impl Files {
    /// No files yet.
    pub fn new() -> Files {
        Files::default()
    }

    /// Adds a file the command reads: `what` names it in messages (`the data`).
    pub fn input(&mut self, what: impl Into<String>, path: impl Into<PathBuf>) {
        self.inputs.push((what.into(), path.into()));
    }

    /// Adds a file the command writes: `what` names it in messages (`the model`).
    pub fn output(&mut self, what: impl Into<String>, path: impl Into<PathBuf>) {
        self.outputs.push((what.into(), path.into()));
    }

    /// Refuses (as a usage error) an output that is an input or another output, then
    /// checks that every output can be written.
    pub fn check(&self) -> Result<()> {
        self.check_clashes()?;
        self.check_writable()
    }

    /// Refuses (as a usage error) an output that is an input or another output.
    pub fn check_clashes(&self) -> Result<()> {
        let inputs: Vec<_> = self
            .inputs
            .iter()
            .map(|(what, path)| (what, path, identity(path)))
            .collect();
        let mut outputs: Vec<(&String, &PathBuf, Identity)> = Vec::new();
        for (what, path) in &self.outputs {
            let id = identity(path);
            if id != Identity::Special {
                let clash = inputs
                    .iter()
                    .map(|(w, p, i)| (*w, *p, i, "read"))
                    .chain(outputs.iter().map(|(w, p, i)| (*w, *p, i, "written")));
                for (other, other_path, other_id, done) in clash {
                    if *other_id == id {
                        return Err(CliError::usage(format!(
                            "{what} {} is the same file as {other} {}, which is {done} by \
                             this command; choose another path for {what}",
                            path.display(),
                            other_path.display()
                        )));
                    }
                }
            }
            outputs.push((what, path, id));
        }
        Ok(())
    }

    /// Checks that every output can be written (see [`check_writable`]).
    pub fn check_writable(&self) -> Result<()> {
        for (what, path) in &self.outputs {
            check_writable(path, what)?;
        }
        Ok(())
    }
}

/// The identity of `path` (see [`Identity`]).
fn identity(path: &Path) -> Identity {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => existing(path, &metadata),
        Ok(metadata) if !metadata.is_dir() => Identity::Special,
        _ => {
            let dir = data::files::directory_of(path);
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            Identity::Path(dir.join(path.file_name().unwrap_or_default()))
        }
    }
}

/// The identity of an existing regular file: its device and inode.
#[cfg(unix)]
fn existing(_path: &Path, metadata: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::Inode(metadata.dev(), metadata.ino())
}

/// The identity of an existing regular file: its canonical path.
#[cfg(not(unix))]
fn existing(path: &Path, _metadata: &std::fs::Metadata) -> Identity {
    Identity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Checks, before any work is done, that `path` can be written: it is not a directory, not
/// a read-only file, and its directory exists and lets a file be created in it.
pub fn check_writable(path: &Path, what: &str) -> Result<()> {
    let shown = path.display();
    let cannot = |why: String| {
        Err(CliError::new(format!(
            "cannot write {what} to {shown}: {why}"
        )))
    };
    if path.as_os_str().is_empty() {
        return Err(CliError::usage(format!("the path for {what} is empty")));
    }
    // `out/` and `out/.` have the file name `out` to `Path`, so the probe below would pass,
    // yet the final rename onto them fails: refuse them whether or not `out` exists.
    let text = path.as_os_str().to_string_lossy();
    let last = text
        .rsplit(std::path::is_separator)
        .next()
        .unwrap_or_default();
    if matches!(last, "" | "." | "..") {
        let ending = match last {
            "" => "a separator".to_string(),
            _ => format!("`{last}`"),
        };
        return cannot(format!(
            "a path ending in {ending} names a directory, not a file; add a file name"
        ));
    }
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => return cannot("it is a directory".into()),
        Ok(metadata) if !metadata.is_file() => return Ok(()),
        Ok(metadata) if metadata.permissions().readonly() => {
            return cannot("the file is read-only; make it writable to replace it".into())
        }
        _ => {}
    }
    // A symbolic link is written through (see data::write_atomically): probe its target's
    // directory.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = data::files::directory_of(&real);
    if !dir.is_dir() {
        return cannot(format!("the directory {} does not exist", dir.display()));
    }
    let probe = data::files::temporary_name(&real);
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => cannot(format!("cannot create a file in {}: {e}", dir.display())),
    }
}

/// Writes a file atomically with [`data::write_atomically`] (temporary file, sync, rename;
/// the temporary file removed on failure); the error names `path`.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    data::write_atomically(path, fill).map_err(|e| cannot_write(path, e))
}

/// Writes the contents of one output.
type Fill<'a> = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + 'a>;

/// The outputs of a command, written together by [`OutputSet::write`] so that a run that
/// fails to write one of them replaces none.
#[derive(Default)]
pub struct OutputSet<'a> {
    outputs: Vec<(&'a Path, Fill<'a>)>,
}

impl<'a> OutputSet<'a> {
    /// No outputs yet.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Adds an output: `fill` writes its contents to `path`.
    pub fn add(
        &mut self,
        path: &'a Path,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()> + 'a,
    ) {
        self.outputs.push((path, Box::new(fill)));
    }

    /// Writes every regular file completely to a synced temporary file, then the outputs
    /// that are not regular files (devices, pipes: written directly, as they cannot be
    /// replaced), and only then renames the temporary files into place. A failure before
    /// the renames removes every temporary file and leaves every existing file untouched.
    pub fn write(self) -> Result<()> {
        let mut outputs = self.outputs;
        // Regular files first: a failure there then sends nothing to a device or a pipe.
        outputs.sort_by_key(|(path, _)| data::files::writes_directly(path));
        let mut staged = Vec::with_capacity(outputs.len());
        for (path, fill) in outputs {
            // On an error, `staged` is dropped, which removes its temporary files.
            let file = data::files::stage(path, fill).map_err(|e| cannot_write(path, e))?;
            staged.push((path, file));
        }
        for (path, file) in staged {
            file.commit().map_err(|e| cannot_write(path, e))?;
        }
        Ok(())
    }
}

/// The error of an output that could not be written, naming it.
fn cannot_write(path: &Path, error: io::Error) -> CliError {
    CliError::new(format!("{}: cannot write: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tapegrad-output-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn clashes_are_found_through_links_and_relative_paths() {
        let dir = scratch("clash");
        let data = dir.join("data.csv");
        std::fs::write(&data, "a,b\n").unwrap();
        let hard = dir.join("hard.csv");
        std::fs::hard_link(&data, &hard).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&data, dir.join("soft.csv")).unwrap();
        for output in [
            data.clone(),
            hard,
            dir.join("sub/../data.csv"),
            #[cfg(unix)]
            dir.join("soft.csv"),
        ] {
            std::fs::create_dir_all(dir.join("sub")).unwrap();
            let mut files = Files::new();
            files.input("the data", &data);
            files.output("the model", &output);
            let err = files.check().unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(
                err.to_string().contains("is the same file as the data"),
                "{err}"
            );
        }
        // Two outputs that do not exist yet.
        let mut files = Files::new();
        files.output("the model", dir.join("out.json"));
        files.output("the history", dir.join("sub/../out.json"));
        let err = files.check().unwrap_err().to_string();
        assert!(err.contains("is the same file as the model"), "{err}");
        // Devices are written directly and never clash.
        let mut files = Files::new();
        files.output("the history", "/dev/null");
        files.output("the plot", "/dev/null");
        assert!(files.check().is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unwritable_places_are_reported_before_writing() {
        let err = check_writable(Path::new("/no/such/dir/m.json"), "the model").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot write the model to /no/such/dir/m.json: the directory /no/such/dir does not exist"
        );
        assert!(check_writable(Path::new("m.json"), "the model").is_ok());
        assert!(check_writable(&std::env::temp_dir(), "the model").is_err());
        let dir = scratch("readonly");
        let file = dir.join("keep.json");
        std::fs::write(&file, "{}").unwrap();
        let mut permissions = std::fs::metadata(&file).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&file, permissions).unwrap();
        let err = check_writable(&file, "the model").unwrap_err().to_string();
        assert!(
            err.ends_with("the file is read-only; make it writable to replace it"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "the probe is removed"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
