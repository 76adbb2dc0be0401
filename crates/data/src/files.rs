//! Files in and out. Every reader of this crate (CSV and IDX) gets its bytes through one
//! bounded input (the crate-private `Input`), and every writer of the project (model files, the command line's
//! outputs) goes through [`write_atomically`].
//!
//! Data files come from anywhere, so reading is bounded ([`ReadLimits`]):
//!
//! - only regular files and pipes (FIFOs) are opened: a device such as `/dev/zero` or
//!   `/dev/urandom` is refused ([`DataError::NotAFile`]) instead of being read forever;
//! - gzip, recognised by its magic bytes `1f 8b` and not by the file name, is decompressed
//!   as a stream and never held whole;
//! - the decompressed bytes are counted, and reading stops with [`DataError::TooLarge`]
//!   past [`ReadLimits::max_bytes`] (1 GiB by default), so a small gzip bomb cannot fill the
//!   memory;
//! - a line of a text format may be at most [`ReadLimits::max_line_bytes`] long (16 MiB by
//!   default, [`DataError::LineTooLong`]), so a file without line breaks is not read into
//!   one ever-growing line.
//!
//! Writing is atomic: the contents go to a temporary file beside the target, are synced to
//! disk, and the temporary file is renamed over the target; on any failure it is removed
//! and the target is left as it was. The two halves, [`stage`] and [`Staged::commit`], let
//! a set of files be written completely before any of them replaces its old version.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::bufread::MultiGzDecoder;

use crate::DataError;

/// The two bytes every gzip stream starts with (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The largest factor by which DEFLATE can expand data (258 bytes from about two bits), so
/// `1032 * compressed length` bounds the decompressed length of any gzip stream.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Size of the read buffers.
const BUFFER_BYTES: usize = 64 * 1024;

/// How much a reader may take in: the defence against hostile or mistaken input.
///
/// ```
/// let limits = data::ReadLimits::default();
/// assert_eq!(limits.max_bytes, 1 << 30);
/// let small = limits.with_max_bytes(1000);
/// let err = data::parse_csv(&[b'x'; 2000], "big.csv", &data::CsvOptions { limits: small, ..Default::default() })
///     .unwrap_err();
/// assert!(err.to_string().starts_with("big.csv: more than 1000 bytes"), "{err}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most bytes of data read from one file, counted after decompression
    /// (default [`DEFAULT_MAX_BYTES`], 1 GiB). Memory stays proportional to it: at most
    /// about 3 times it for CSV (numbers stored as `f32`, a label per row) and 4 times it
    /// for IDX images (a byte per pixel becomes an `f32`).
    pub max_bytes: u64,
    /// The longest line (or CSV record) a text reader accepts, in bytes (default
    /// [`DEFAULT_MAX_LINE_BYTES`], 16 MiB: a row of about a million numbers).
    pub max_line_bytes: u64,
}

/// The default of [`ReadLimits::max_bytes`]: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// The default of [`ReadLimits::max_line_bytes`]: 16 MiB.
pub const DEFAULT_MAX_LINE_BYTES: u64 = 16 << 20;

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

impl ReadLimits {
    /// These limits with another [`max_bytes`](ReadLimits::max_bytes).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// A source of data being read within [`ReadLimits`]: a file, standard input or bytes in
/// memory, decompressed if it is gzipped. Errors name the source.
pub(crate) struct Input<'a> {
    name: String,
    reader: Box<dyn BufRead + 'a>,
    limits: ReadLimits,
    /// Bytes delivered so far (after decompression).
    consumed: u64,
    gzip: bool,
    /// The length of the raw (possibly compressed) data, where it is known.
    raw_len: Option<u64>,
}

impl<'a> Input<'a> {
    /// Opens a file for reading. Regular files and pipes are accepted; a directory, a device
    /// or a socket is [`DataError::NotAFile`]. A plain file larger than the limit is refused
    /// before it is read.
    pub(crate) fn open(path: &Path, limits: ReadLimits) -> Result<Input<'static>, DataError> {
        let name = path.display().to_string();
        let io = |source| DataError::Io {
            file: name.clone(),
            source,
        };
        let kind = std::fs::metadata(path).map_err(io)?.file_type();
        if let Some(what) = not_a_data_file(&kind) {
            return Err(DataError::NotAFile { file: name, what });
        }
        let file = File::open(path).map_err(io)?;
        let metadata = file.metadata().map_err(io)?;
        let raw_len = metadata.is_file().then_some(metadata.len());
        let input = Input::from_reader(file, &name, limits, raw_len)?;
        if let (false, Some(len)) = (input.gzip, raw_len) {
            if len > limits.max_bytes {
                return Err(DataError::TooLarge {
                    file: name,
                    limit: limits.max_bytes,
                });
            }
        }
        Ok(input)
    }

    /// Reads from `reader` (a pipe, standard input, bytes in memory), named `name` in
    /// errors; `raw_len` is its length if known.
    pub(crate) fn from_reader(
        reader: impl Read + 'a,
        name: &str,
        limits: ReadLimits,
        raw_len: Option<u64>,
    ) -> Result<Input<'a>, DataError> {
        let mut reader = reader;
        let mut magic = [0u8; 2];
        let peeked = read_up_to(&mut reader, &mut magic).map_err(|source| DataError::Io {
            file: name.to_string(),
            source,
        })?;
        let gzip = magic[..peeked] == GZIP_MAGIC;
        let whole = Cursor::new(magic).take(peeked as u64).chain(reader);
        let buffered = BufReader::with_capacity(BUFFER_BYTES, whole);
        let reader: Box<dyn BufRead + 'a> = if gzip {
            Box::new(BufReader::with_capacity(
                BUFFER_BYTES,
                MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        Ok(Input {
            name: name.to_string(),
            reader,
            limits,
            consumed: 0,
            gzip,
            raw_len,
        })
    }

    /// Bytes in memory, named `name` in errors.
    pub(crate) fn from_bytes(
        bytes: &'a [u8],
        name: &str,
        limits: ReadLimits,
    ) -> Result<Input<'a>, DataError> {
        Input::from_reader(bytes, name, limits, Some(bytes.len() as u64))
    }

    /// The name errors give the source.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The limits this input is read within.
    pub(crate) fn limits(&self) -> ReadLimits {
        self.limits
    }

    /// The exact length of the data if it is known before reading (a plain file or bytes).
    pub(crate) fn known_len(&self) -> Option<u64> {
        self.raw_len.filter(|_| !self.gzip)
    }

    /// An upper bound on the length of the data (after decompression), if one is known:
    /// the length itself, or the most a gzip stream of that length can expand to.
    pub(crate) fn max_len(&self) -> Option<u64> {
        let bound = match self.raw_len {
            Some(len) if self.gzip => len.saturating_mul(MAX_DEFLATE_RATIO),
            other => other?,
        };
        Some(bound.min(self.limits.max_bytes))
    }

    /// Reads the next line, with its `\n` if it has one, into `line` (cleared first);
    /// `false` at the end of the data. `number` is the line's number, for errors.
    pub(crate) fn read_line(
        &mut self,
        line: &mut Vec<u8>,
        number: usize,
    ) -> Result<bool, DataError> {
        line.clear();
        let max_line = self.limits.max_line_bytes;
        let budget = self.remaining().min(max_line).saturating_add(1);
        let read = (&mut self.reader)
            .take(budget)
            .read_until(b'\n', line)
            .map_err(|source| self.read_error(source))?;
        self.count(read as u64)?;
        let content = line.len() - usize::from(line.last() == Some(&b'\n'));
        if content as u64 > max_line {
            return Err(DataError::LineTooLong {
                file: self.name.clone(),
                line: number,
                limit: max_line,
                open_quote: None,
            });
        }
        Ok(read > 0)
    }

    /// Fills `buf` as far as the data goes: the number of bytes read, less than `buf.len()`
    /// only at the end of the data.
    pub(crate) fn read_full(&mut self, buf: &mut [u8]) -> Result<usize, DataError> {
        let allowed = usize::try_from(self.remaining().saturating_add(1)).unwrap_or(usize::MAX);
        let buf_len = buf.len().min(allowed);
        let read =
            read_up_to(&mut self.reader, &mut buf[..buf_len]).map_err(|e| self.read_error(e))?;
        self.count(read as u64)?;
        Ok(read)
    }

    /// Reads the rest of the data (within the limit) without keeping it: how many bytes
    /// there were.
    pub(crate) fn skip_rest(&mut self) -> Result<u64, DataError> {
        let budget = self.remaining().saturating_add(1);
        let read = io::copy(&mut (&mut self.reader).take(budget), &mut io::sink())
            .map_err(|e| self.read_error(e))?;
        self.count(read)?;
        Ok(read)
    }

    /// Bytes that may still be read.
    fn remaining(&self) -> u64 {
        self.limits.max_bytes.saturating_sub(self.consumed)
    }

    /// Counts `read` more bytes: [`DataError::TooLarge`] past the limit.
    fn count(&mut self, read: u64) -> Result<(), DataError> {
        self.consumed = self.consumed.saturating_add(read);
        if self.consumed > self.limits.max_bytes {
            return Err(DataError::TooLarge {
                file: self.name.clone(),
                limit: self.limits.max_bytes,
            });
        }
        Ok(())
    }

    /// A read error: from the decompressor if the data is gzipped, else from the file.
    fn read_error(&self, source: io::Error) -> DataError {
        let file = self.name.clone();
        if self.gzip {
            DataError::Decompress { file, source }
        } else {
            DataError::Io { file, source }
        }
    }
}

/// Reads a whole file within `limits` (decompressed if it is gzipped), for small files read
/// at once such as model files. Refuses what every reader refuses: devices, directories,
/// more than the limit.
pub fn read_to_vec(path: &Path, limits: ReadLimits) -> Result<Vec<u8>, DataError> {
    let mut input = Input::open(path, limits)?;
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; BUFFER_BYTES];
    loop {
        let read = input.read_full(&mut chunk)?;
        bytes.extend_from_slice(&chunk[..read]);
        if read < chunk.len() {
            return Ok(bytes);
        }
    }
}

/// What a file is if it is not something data can be read from: a directory, a device or
/// a socket (`None` for regular files and pipes).
fn not_a_data_file(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return None;
        }
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Reads into `buf` until it is full or the data ends: the number of bytes read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes a file atomically: `fill` writes the contents (buffered) into a new temporary
/// file beside `path`, which is synced to disk and then renamed over `path`. On any failure
/// (a full disk, no permission, an error from `fill`) the temporary file is removed and
/// `path` is left as it was.
///
/// A `path` that is a symbolic link is resolved, so the link stays and its target is
/// replaced; an existing target keeps its permissions. A `path` that exists but is not a
/// regular file (`/dev/stdout`, `/dev/null`, a pipe) cannot be replaced and is written
/// directly.
///
/// To write several files as a set, [`stage`] each and [`commit`](Staged::commit) them
/// once all are staged.
///
/// ```
/// let path = std::env::temp_dir().join(format!("atomic-doc-{}.txt", std::process::id()));
/// data::write_atomically(&path, |out| out.write_all(b"hello"))?;
/// assert_eq!(std::fs::read_to_string(&path)?, "hello");
/// let failed = data::write_atomically(&path, |_| Err(std::io::Error::other("no")));
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read_to_string(&path)?, "hello"); // untouched
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    stage(path, fill)?.commit()
}

/// New contents of a file, written by [`stage`] but not yet in place.
///
/// [`commit`](Staged::commit) renames them over the file; dropping a `Staged` uncommitted
/// removes its temporary file and leaves the file as it was.
#[must_use = "a staged file is removed unless committed"]
#[derive(Debug)]
pub struct Staged {
    /// The synced temporary file and the file it replaces; `None` for a file that was
    /// written directly (not a regular file) or once committed.
    rename: Option<(PathBuf, PathBuf)>,
}

/// The first half of [`write_atomically`]: `fill` writes the contents into a new temporary
/// file beside `path`, which is synced to disk; `path` itself is not touched until
/// [`Staged::commit`]. On failure the temporary file is removed.
///
/// A `path` that is not a regular file ([`writes_directly`]) cannot be replaced, so it is
/// written here and committing it does nothing.
///
/// ```
/// let dir = std::env::temp_dir();
/// let name = |part| dir.join(format!("stage-doc-{}-{part}.txt", std::process::id()));
/// let (a, b) = (name("a"), name("b"));
/// let a_staged = data::files::stage(&a, |out| out.write_all(b"a"))?;
/// let b_failed = data::files::stage(&b, |_| Err(std::io::Error::other("no")));
/// assert!(b_failed.is_err());
/// drop(a_staged); // one failed, so neither is committed
/// assert!(!a.exists() && !b.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stage(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Staged> {
    let existing = std::fs::metadata(path).ok();
    if let Some(metadata) = &existing {
        if metadata.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            ));
        }
        if !metadata.is_file() {
            let mut out = OpenOptions::new().write(true).open(path)?;
            fill(&mut out)?;
            out.flush()?;
            return Ok(Staged { rename: None });
        }
    }
    let target = match &existing {
        Some(_) => std::fs::canonicalize(path)?,
        None => path.to_path_buf(),
    };
    let tmp = temporary_name(&target);
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    // From here on, dropping `staged` (on any error) removes the temporary file.
    let staged = Staged {
        rename: Some((tmp, target)),
    };
    let mut out = io::BufWriter::new(file);
    fill(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    if let Some(metadata) = existing {
        file.set_permissions(metadata.permissions())?;
    }
    file.sync_all()?;
    Ok(staged)
}

impl Staged {
    /// Renames the staged contents over the file. On failure the temporary file is removed
    /// and the file is left as it was.
    pub fn commit(mut self) -> io::Result<()> {
        let Some((tmp, target)) = self.rename.take() else {
            return Ok(());
        };
        if let Err(e) = std::fs::rename(&tmp, &target) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        // Make the rename itself durable; not every file system can sync a directory.
        if let Ok(dir) = File::open(directory_of(&target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Whether `path` is written directly rather than replaced: it exists and is neither a
/// regular file nor a directory (`/dev/null`, `/dev/stdout`, a pipe).
pub fn writes_directly(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The directory a path's file lives in (`.` for a bare file name).
pub fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A fresh temporary name beside `path`: `.NAME.tmp-PID-N` in the same directory (so the
/// rename stays within one file system), unique within the process.
pub fn temporary_name(path: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    name.push(format!(".tmp-{}-{n}", std::process::id()));
    directory_of(path).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn lines(input: &mut Input<'_>) -> Vec<String> {
        let mut line = Vec::new();
        let mut out = Vec::new();
        while input.read_line(&mut line, out.len() + 1).unwrap() {
            out.push(String::from_utf8(line.clone()).unwrap());
        }
        out
    }

    #[test]
    fn plain_and_gzipped_bytes_read_alike() {
        let text = b"a,b\n1,2\nlast";
        let gz = gzip(text);
        for bytes in [&text[..], &gz[..]] {
            let mut input = Input::from_bytes(bytes, "x", ReadLimits::default()).unwrap();
            assert_eq!(lines(&mut input), ["a,b\n", "1,2\n", "last"]);
        }
        let input = Input::from_bytes(&gz, "x", ReadLimits::default()).unwrap();
        assert!(input.gzip);
        assert_eq!(input.known_len(), None);
        assert_eq!(input.max_len(), Some(gz.len() as u64 * MAX_DEFLATE_RATIO));
    }

    #[test]
    fn decompressed_size_is_capped() {
        let bomb = gzip(&vec![b'0'; 100_000]);
        assert!(bomb.len() < 1000);
        let limits = ReadLimits::default().with_max_bytes(10_000);
        let mut input = Input::from_bytes(&bomb, "bomb.gz", limits).unwrap();
        let err = input.skip_rest().unwrap_err();
        assert!(
            matches!(err, DataError::TooLarge { limit: 10_000, .. }),
            "{err}"
        );
        let mut input = Input::from_bytes(&bomb, "bomb.gz", limits).unwrap();
        let mut buf = vec![0; 50_000];
        assert!(matches!(
            input.read_full(&mut buf),
            Err(DataError::TooLarge { .. })
        ));
        // Exactly at the limit is fine.
        let limits = ReadLimits::default().with_max_bytes(100_000);
        let mut input = Input::from_bytes(&bomb, "bomb.gz", limits).unwrap();
        assert_eq!(input.skip_rest().unwrap(), 100_000);
    }

    #[test]
    fn long_lines_are_refused() {
        let limits = ReadLimits {
            max_bytes: 1 << 20,
            max_line_bytes: 4,
        };
        let mut input = Input::from_bytes(b"abcd\nabcde\n", "x", limits).unwrap();
        let mut line = Vec::new();
        assert!(input.read_line(&mut line, 1).unwrap());
        let err = input.read_line(&mut line, 2).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::LineTooLong {
                    line: 2,
                    limit: 4,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn devices_and_directories_are_not_read() {
        let err = Input::open(Path::new("/dev/zero"), ReadLimits::default())
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "/dev/zero: cannot read data from a character device; give a file (or a pipe)"
        );
        let dir = std::env::temp_dir();
        assert!(matches!(
            Input::open(&dir, ReadLimits::default()),
            Err(DataError::NotAFile { .. })
        ));
    }

    #[test]
    fn atomic_writes_leave_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("data-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.txt");
        write_atomically(&path, |w| w.write_all(b"one")).unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn staged_files_replace_nothing_until_committed() {
        let dir = std::env::temp_dir().join(format!("data-staged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        let staged = [
            stage(&a, |w| w.write_all(b"new a")).unwrap(),
            stage(&b, |w| w.write_all(b"new b")).unwrap(),
        ];
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            4,
            "two temporary files"
        );
        drop(staged);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "removed when dropped"
        );
        stage(&a, |w| w.write_all(b"new a"))
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        assert!(writes_directly(Path::new("/dev/null")));
        assert!(!writes_directly(&a) && !writes_directly(&dir));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
