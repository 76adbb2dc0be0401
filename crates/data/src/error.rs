//! [`DataError`]: everything that can go wrong while reading or building a data set.
//!
//! Every variant that comes from a file names the file, and every variant that comes from
//! a CSV cell names its line (1-based, the header is line 1) and column (1-based, plus the
//! header name), so that the message alone is enough to find the problem in an editor.

use std::fmt;
use std::path::PathBuf;

/// An error from reading, parsing or building a data set.
///
/// `Display` gives one sentence that starts with the file name (for errors that come from a
/// file), then the line and column where they apply, then the offending value, e.g.
/// `iris.csv: line 7, column 3 (petal_length_cm): "abc" is not a number`.
#[derive(Debug)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read (missing, unreadable, ...).
    Io {
        /// The file, as given by the caller.
        file: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The data starts with the gzip magic bytes `1f 8b` but is not a valid gzip stream.
    Decompress {
        /// The file, as given by the caller.
        file: String,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// A CSV file with no header row (no bytes, or only blank lines).
    Empty {
        /// The file.
        file: String,
    },
    /// A CSV file with a header row but no data rows.
    HeaderOnly {
        /// The file.
        file: String,
    },
    /// The header has no column besides the target column.
    NoFeatures {
        /// The file.
        file: String,
        /// 1-based column of the target.
        column: usize,
        /// Header name of the target column.
        column_name: String,
    },
    /// The requested target column is not in the header (line 1).
    MissingTargetColumn {
        /// The file.
        file: String,
        /// The requested column name.
        target: String,
        /// The column names found in the header.
        columns: Vec<String>,
    },
    /// A column requested by name (for instance a model's feature) is not in the header
    /// (line 1).
    MissingColumn {
        /// The file.
        file: String,
        /// The requested column name.
        column: String,
        /// The column names found in the header.
        columns: Vec<String>,
    },
    /// A row with more or fewer fields than the header.
    RaggedRow {
        /// The file.
        file: String,
        /// 1-based line of the row.
        line: usize,
        /// 1-based column of the first missing field (short row) or first extra field (long row).
        column: usize,
        /// Header name of `column`, if the header has that column.
        column_name: Option<String>,
        /// Number of fields in the header.
        expected: usize,
        /// Number of fields in this row.
        found: usize,
    },
    /// An empty cell (feature or target).
    MissingValue {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Header name of the column.
        column_name: String,
    },
    /// A feature cell that does not parse as a number.
    NotANumber {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Header name of the column.
        column_name: String,
        /// The cell's text.
        value: String,
    },
    /// A feature cell that is NaN, infinite, or too large for `f32`.
    NonFinite {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Header name of the column.
        column_name: String,
        /// The cell's text.
        value: String,
    },
    /// The target column holds fewer than two distinct classes.
    TooFewClasses {
        /// The file.
        file: String,
        /// 1-based column of the target.
        column: usize,
        /// Header name of the target column.
        column_name: String,
        /// Last line of the file that holds a data row (data rows are lines 2..=last_line).
        last_line: usize,
        /// The distinct classes found (zero or one of them).
        classes: Vec<String>,
    },
    /// The CSV parser rejected the file's structure.
    Malformed {
        /// The file.
        file: String,
        /// 1-based line, where known (0 if not).
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// An IDX file whose magic number is not the expected one.
    BadMagic {
        /// The file.
        file: String,
        /// The magic number expected (`0x00000803` for images, `0x00000801` for labels).
        expected: u32,
        /// The magic number found in the first four bytes.
        found: u32,
    },
    /// An IDX image file claiming zero rows or zero columns per image.
    BadDimensions {
        /// The file.
        file: String,
        /// Claimed rows per image.
        rows: u32,
        /// Claimed columns per image.
        cols: u32,
    },
    /// An IDX file whose length does not match its header (truncated or with trailing bytes).
    IdxLength {
        /// The file.
        file: String,
        /// What needs the bytes, e.g. `"a header claiming 10 images of 28x28"`.
        claimed: String,
        /// The length in bytes that the header implies (`None`: more than `u64::MAX`).
        expected: Option<u64>,
        /// The actual length in bytes (decompressed, for gzipped files).
        found: u64,
    },
    /// An IDX image file and label file that disagree in their number of items.
    CountMismatch {
        /// The image file.
        images_file: String,
        /// Number of images.
        images: usize,
        /// The label file.
        labels_file: String,
        /// Number of labels.
        labels: usize,
    },
    /// A file or directory was not found in any of the places searched.
    NotFound {
        /// What was looked for.
        what: String,
        /// The places that were searched.
        searched: Vec<PathBuf>,
    },
    /// Inconsistent arguments to a constructor such as [`crate::Dataset::new`].
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

/// `column 3 (petal_length_cm)`, or `column 3` when there is no name.
fn column(column: usize, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("column {column} ({name})"),
        None => format!("column {column}"),
    }
}

/// The names joined by commas; past 20 of them, the first 16, an ellipsis and the last 2.
fn abbreviate(names: &[String]) -> String {
    if names.len() <= 20 {
        return names.join(", ");
    }
    format!(
        "{}, ... ({} more), {}",
        names[..16].join(", "),
        names.len() - 18,
        names[names.len() - 2..].join(", ")
    )
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { file, source } => write!(f, "{file}: cannot read: {source}"),
            DataError::Decompress { file, source } => write!(
                f,
                "{file}: starts like gzip (bytes 1f 8b) but cannot be decompressed: {source}"
            ),
            DataError::Empty { file } => {
                write!(f, "{file}: line 1: the file is empty; expected a header row")
            }
            DataError::HeaderOnly { file } => write!(
                f,
                "{file}: line 1: the file has a header row but no data rows"
            ),
            DataError::NoFeatures {
                file,
                column: c,
                column_name,
            } => write!(
                f,
                "{file}: line 1, {}: the target is the only column, so there are no features",
                column(*c, Some(column_name))
            ),
            DataError::MissingTargetColumn {
                file,
                target,
                columns,
            } => write!(
                f,
                "{file}: line 1: no target column named {target:?} (the columns are: {})",
                columns.join(", ")
            ),
            DataError::MissingColumn {
                file,
                column,
                columns,
            } => write!(
                f,
                "{file}: line 1: no column named {column:?} (the columns are: {})",
                abbreviate(columns)
            ),
            DataError::RaggedRow {
                file,
                line,
                column: c,
                column_name,
                expected,
                found,
            } => write!(
                f,
                "{file}: line {line}, {}: the row has {found} fields but the header has {expected}",
                column(*c, column_name.as_deref())
            ),
            DataError::MissingValue {
                file,
                line,
                column: c,
                column_name,
            } => write!(
                f,
                "{file}: line {line}, {}: the cell is empty",
                column(*c, Some(column_name))
            ),
            DataError::NotANumber {
                file,
                line,
                column: c,
                column_name,
                value,
            } => write!(
                f,
                "{file}: line {line}, {}: {value:?} is not a number",
                column(*c, Some(column_name))
            ),
            DataError::NonFinite {
                file,
                line,
                column: c,
                column_name,
                value,
            } => write!(
                f,
                "{file}: line {line}, {}: {value:?} is not a finite 32-bit number",
                column(*c, Some(column_name))
            ),
            DataError::TooFewClasses {
                file,
                column: c,
                column_name,
                last_line,
                classes,
            } => {
                let found = match classes.first() {
                    Some(class) => format!("only one class ({class:?})"),
                    None => "no class".to_string(),
                };
                let lines = if *last_line > 2 {
                    format!("lines 2-{last_line}")
                } else {
                    format!("line {last_line}")
                };
                write!(
                    f,
                    "{file}: {lines}, {}: {found} found; classification needs at least two",
                    column(*c, Some(column_name))
                )
            }
            DataError::Malformed {
                file,
                line,
                message,
            } => write!(f, "{file}: line {line}: malformed CSV: {message}"),
            DataError::BadMagic {
                file,
                expected,
                found,
            } => write!(
                f,
                "{file}: bytes 0-3: magic number {found:#010x} is not the IDX magic number {expected:#010x}"
            ),
            DataError::BadDimensions { file, rows, cols } => write!(
                f,
                "{file}: bytes 8-15: images of {rows}x{cols} pixels are not allowed; both sizes must be positive"
            ),
            DataError::IdxLength {
                file,
                claimed,
                expected,
                found,
            } => match expected {
                None => write!(
                    f,
                    "{file}: {claimed} needs more than 2^64 bytes but the file has {found}"
                ),
                Some(expected) if found < expected => write!(
                    f,
                    "{file}: truncated: {claimed} needs {expected} bytes but the file has only {found}"
                ),
                Some(expected) => write!(
                    f,
                    "{file}: {} unexpected trailing bytes: {claimed} needs {expected} bytes but the file has {found}",
                    found - expected
                ),
            },
            DataError::CountMismatch {
                images_file,
                images,
                labels_file,
                labels,
            } => write!(
                f,
                "{images_file} holds {images} images but {labels_file} holds {labels} labels"
            ),
            DataError::NotFound { what, searched } => {
                write!(f, "{what} not found; looked in: ")?;
                for (i, place) in searched.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", place.display())?;
                }
                Ok(())
            }
            DataError::Invalid { reason } => write!(f, "invalid data set: {reason}"),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataError::Io { source, .. } | DataError::Decompress { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl DataError {
    /// The file the error is about, if it is about one file.
    pub fn file(&self) -> Option<&str> {
        match self {
            DataError::Io { file, .. }
            | DataError::Decompress { file, .. }
            | DataError::Empty { file }
            | DataError::HeaderOnly { file }
            | DataError::NoFeatures { file, .. }
            | DataError::MissingTargetColumn { file, .. }
            | DataError::MissingColumn { file, .. }
            | DataError::RaggedRow { file, .. }
            | DataError::MissingValue { file, .. }
            | DataError::NotANumber { file, .. }
            | DataError::NonFinite { file, .. }
            | DataError::TooFewClasses { file, .. }
            | DataError::Malformed { file, .. }
            | DataError::BadMagic { file, .. }
            | DataError::BadDimensions { file, .. }
            | DataError::IdxLength { file, .. } => Some(file),
            DataError::CountMismatch { .. }
            | DataError::NotFound { .. }
            | DataError::Invalid { .. } => None,
        }
    }
}
