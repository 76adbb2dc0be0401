//! [`DataError`]: everything that can go wrong while reading or building a data set.
//!
//! Every variant that comes from a file names the file, and every variant that comes from
//! a CSV cell names its line (1-based, the header is line 1) and column (1-based, plus the
//! header name), so that the message alone is enough to find the problem in an editor.

use crate::display::{label, quoted};
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
    /// A path that is not a file data can be read from: a directory where a file was
    /// expected, a device such as `/dev/zero`, or a socket.
    NotAFile {
        /// The path.
        file: String,
        /// What it is, e.g. `"a character device"`.
        what: &'static str,
    },
    /// More data than [`ReadLimits::max_bytes`](crate::ReadLimits::max_bytes) allows
    /// (counted after decompression): a gzip bomb, or a file larger than expected.
    TooLarge {
        /// The file.
        file: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A line (or a CSV record) longer than
    /// [`ReadLimits::max_line_bytes`](crate::ReadLimits::max_line_bytes).
    LineTooLong {
        /// The file.
        file: String,
        /// 1-based line where the line or record starts.
        line: usize,
        /// The limit, in bytes.
        limit: u64,
        /// For a record running over several lines: the line of its last field, where a
        /// quote was opened and not closed.
        open_quote: Option<usize>,
    },
    /// A CSV file with no bytes at all.
    Empty {
        /// The file.
        file: String,
    },
    /// A CSV file of blank lines only.
    BlankLines {
        /// The file.
        file: String,
        /// Number of (blank) lines.
        lines: usize,
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
    /// The target column is also one of the feature columns asked for.
    TargetIsFeature {
        /// The file.
        file: String,
        /// 1-based column.
        column: usize,
        /// Its header name.
        column_name: String,
        /// Whether the target was named (else it is the last column by default).
        named: bool,
    },
    /// Columns requested by name (for instance a model's features) are not in the header
    /// (line 1).
    MissingColumns {
        /// The file.
        file: String,
        /// The requested names that are missing, in the order requested.
        missing: Vec<String>,
        /// The column names found in the header.
        columns: Vec<String>,
    },
    /// A column that is used has a name the header holds more than once.
    DuplicateColumn {
        /// The file.
        file: String,
        /// The name.
        name: String,
        /// The 1-based columns that have it.
        columns: Vec<usize>,
    },
    /// A column that is used has an empty name in the header.
    UnnamedColumn {
        /// The file.
        file: String,
        /// 1-based column.
        column: usize,
        /// Whether it is the last column (the mark of a trailing comma).
        last: bool,
    },
    /// The header is one column that holds another delimiter: the file is separated by
    /// something else than the delimiter it was read with.
    WrongDelimiter {
        /// The file.
        file: String,
        /// The delimiter the file was read with.
        delimiter: u8,
        /// The delimiter the header holds.
        found: u8,
    },
    /// A quoted field that is never closed: the rest of the file would be one field.
    UnclosedQuote {
        /// The file.
        file: String,
        /// 1-based line on which the field (and its opening quote) starts.
        line: usize,
    },
    /// Text that is not UTF-8 (for instance Latin-1): it is refused rather than decoded
    /// lossily, which could merge two different labels into one.
    NotUtf8 {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Header name of the column (`None` in the header itself).
        column_name: Option<String>,
        /// The first byte that is not valid UTF-8.
        byte: u8,
    },
    /// Text in UTF-16 (as some Windows programs save "Unicode text"), recognised by its byte
    /// order mark or by the zero byte in every other place of its first line.
    Utf16 {
        /// The file.
        file: String,
        /// Whether the most significant byte of each code unit comes first (UTF-16BE).
        big_endian: bool,
        /// Whether the text starts with a byte order mark (`ff fe` or `fe ff`).
        byte_order_mark: bool,
    },
    /// Labels that differ only in invisible characters (NUL, a byte order mark, zero-width
    /// spaces) or kinds of space (a no-break space): they would be classes that print alike.
    LookAlikeLabels {
        /// The file.
        file: String,
        /// 1-based label column.
        column: usize,
        /// Its header name.
        column_name: String,
        /// The labels, each with the 1-based line it first appears on, in that order.
        labels: Vec<(String, usize)>,
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
        /// The one extra field is empty: the row ends with a delimiter.
        trailing_comma: bool,
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
    /// The target column holds fewer distinct classes than asked for (two, to train).
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
    /// The training and test images of an MNIST-format directory differ in size.
    ImageSizeMismatch {
        /// The training image file.
        train_file: String,
        /// Its rows and columns per image.
        train: (usize, usize),
        /// The test image file.
        test_file: String,
        /// Its rows and columns per image.
        test: (usize, usize),
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
        Some(name) => format!("column {column} ({})", label(name)),
        None => format!("column {column}"),
    }
}

/// The texts joined by commas; past 20 of them, the first 16, an ellipsis and the last 2.
fn abbreviate(texts: &[String]) -> String {
    if texts.len() <= 20 {
        return texts.join(", ");
    }
    format!(
        "{}, ... ({} more), {}",
        texts[..16].join(", "),
        texts.len() - 18,
        texts[texts.len() - 2..].join(", ")
    )
}

/// The column names as messages show them ([`label`]), abbreviated.
fn column_list(names: &[String]) -> String {
    abbreviate(
        &names
            .iter()
            .map(|n| label(n).into_owned())
            .collect::<Vec<_>>(),
    )
}

/// A byte count in binary units: `1 GiB`, `16 MiB`, `1000 bytes`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if value.fract() == 0.0 {
                format!("{value} {unit}")
            } else {
                format!("{value:.1} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// The name of a delimiter: `semicolon`, `tab`, ...; plural (`semicolons`) if asked.
fn delimiter_name(delimiter: u8, plural: bool) -> String {
    let name = match delimiter {
        b',' => "comma".to_string(),
        b';' => "semicolon".to_string(),
        b'\t' => "tab".to_string(),
        b'|' => "pipe".to_string(),
        b' ' => "space".to_string(),
        other => format!("{:?}", char::from(other)),
    };
    if plural {
        format!("{name}s")
    } else {
        name
    }
}

/// How a delimiter is written on a command line: `';'`, `tab`.
fn delimiter_text(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        other => format!("'{}'", char::from(other)),
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { file, source } => write!(f, "{file}: cannot read: {source}"),
            DataError::Decompress { file, source } => write!(
                f,
                "{file}: starts like gzip (bytes 1f 8b) but cannot be decompressed: {source}"
            ),
            DataError::NotAFile { file, what } => write!(
                f,
                "{file}: cannot read data from {what}; give a file (or a pipe)"
            ),
            DataError::TooLarge { file, limit } => write!(
                f,
                "{file}: more than {limit} bytes of data ({}), counted after decompression; \
                 this limit guards against runaway input and can be raised",
                human_bytes(*limit)
            ),
            DataError::LineTooLong {
                file,
                line,
                limit,
                open_quote,
            } => match open_quote {
                None => write!(
                    f,
                    "{file}: line {line} is longer than {limit} bytes ({}); is this a text file?",
                    human_bytes(*limit)
                ),
                Some(quote) => write!(
                    f,
                    "{file}: line {line}: the record runs on past {limit} bytes ({}); \
                     is the quote opened on line {quote} closed?",
                    human_bytes(*limit)
                ),
            },
            DataError::Empty { file } => {
                write!(f, "{file}: line 1: the file is empty; expected a header row")
            }
            DataError::BlankLines { file, lines } => {
                let lines = if *lines == 1 {
                    "line".to_string()
                } else {
                    format!("{lines} lines")
                };
                write!(
                    f,
                    "{file}: the file holds only blank {lines}; expected a header row"
                )
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
                "{file}: line 1: no target column named {} (the columns are: {})",
                quoted(target),
                column_list(columns)
            ),
            DataError::TargetIsFeature {
                file,
                column: c,
                column_name,
                named,
            } => {
                let what = if *named {
                    "the label column is also one of the features asked for; a column cannot be \
                     both"
                } else {
                    "the last column is taken as the label (no target column was named), but it \
                     is also one of the features asked for; name the label column"
                };
                write!(f, "{file}: line 1, {}: {what}", column(*c, Some(column_name)))
            }
            DataError::MissingColumns {
                file,
                missing,
                columns,
            } => {
                let missing: Vec<String> = missing.iter().map(|m| quoted(m)).collect();
                let names = if missing.len() == 1 { "column" } else { "columns" };
                write!(
                    f,
                    "{file}: line 1: no {names} named {} (the columns are: {})",
                    abbreviate(&missing),
                    column_list(columns)
                )
            }
            DataError::DuplicateColumn {
                file,
                name,
                columns,
            } => {
                let list: Vec<String> = columns.iter().map(usize::to_string).collect();
                write!(
                    f,
                    "{file}: line 1: the column name {} is used {} times (columns {}); \
                     a column name must say which column it means",
                    quoted(name),
                    columns.len(),
                    list.join(", ")
                )
            }
            DataError::UnnamedColumn { file, column, last } => {
                write!(f, "{file}: line 1, column {column}: the column has no name")?;
                if *last {
                    write!(f, " (does the header end with a trailing comma?)")
                } else if *column == 1 {
                    write!(
                        f,
                        " (a row index, as pandas writes by default? write the file without it)"
                    )
                } else {
                    Ok(())
                }
            }
            DataError::WrongDelimiter {
                file,
                delimiter,
                found,
            } => write!(
                f,
                "{file}: line 1: the header is a single column that holds {}: the file looks \
                 {}-separated, not {}-separated; read it with the delimiter {}",
                delimiter_name(*found, true),
                delimiter_name(*found, false),
                delimiter_name(*delimiter, false),
                delimiter_text(*found)
            ),
            DataError::UnclosedQuote { file, line } => write!(
                f,
                "{file}: line {line}: a quote opened on this line is never closed, so the rest \
                 of the file would be one field"
            ),
            DataError::NotUtf8 {
                file,
                line,
                column: c,
                column_name,
                byte,
            } => write!(
                f,
                "{file}: line {line}, {}: the text is not UTF-8 (byte {byte:#04x}); re-encode \
                 the file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8 IN > OUT)",
                column(*c, column_name.as_deref())
            ),
            DataError::Utf16 {
                file,
                big_endian,
                byte_order_mark,
            } => {
                let (evidence, encoding) = match (byte_order_mark, big_endian) {
                    (true, false) => ("it starts with the byte order mark ff fe", "utf-16"),
                    (true, true) => ("it starts with the byte order mark fe ff", "utf-16"),
                    (false, false) => ("every other byte of its first line is 0", "utf-16le"),
                    (false, true) => ("every other byte of its first line is 0", "utf-16be"),
                };
                write!(
                    f,
                    "{file}: the file looks like UTF-16 text ({evidence}), not UTF-8; save it \
                     as UTF-8 (iconv -f {encoding} -t utf-8 IN > OUT)"
                )
            }
            DataError::LookAlikeLabels {
                file,
                column: c,
                column_name,
                labels,
            } => {
                let shown: Vec<String> = labels
                    .iter()
                    .map(|(text, line)| format!("{} (first on line {line})", quoted(text)))
                    .collect();
                let listed = match shown.split_last() {
                    Some((last, others)) if !others.is_empty() => {
                        format!("{} and {last}", others.join(", "))
                    }
                    _ => shown.join(", "),
                };
                write!(
                    f,
                    "{file}: {}: the labels {listed} differ only in invisible characters or \
                     kinds of space, so they would be {} classes that print alike; make them \
                     one label in the file (or visibly different ones)",
                    column(*c, Some(column_name)),
                    labels.len()
                )
            }
            DataError::RaggedRow {
                file,
                line,
                column: c,
                column_name,
                expected,
                found,
                trailing_comma,
            } => {
                write!(
                    f,
                    "{file}: line {line}, {}: the row has {found} fields but the header has {expected}",
                    column(*c, column_name.as_deref())
                )?;
                if *trailing_comma {
                    write!(f, " (the last one is empty: a trailing comma?)")?;
                }
                Ok(())
            }
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
            } => {
                write!(
                    f,
                    "{file}: line {line}, {}: {value:?} is not a number",
                    column(*c, Some(column_name))
                )?;
                if value.matches(',').count() == 1 && value.replace(',', ".").parse::<f64>().is_ok()
                {
                    write!(f, " (a decimal comma? numbers need a decimal point)")?;
                }
                Ok(())
            }
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
                    Some(class) => format!("only one class ({})", quoted(class)),
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
            DataError::ImageSizeMismatch {
                train_file,
                train,
                test_file,
                test,
            } => write!(
                f,
                "{train_file} holds images of {}x{} pixels but {test_file} holds images of {}x{}; \
                 training and test images must have the same size",
                train.0, train.1, test.0, test.1
            ),
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
            | DataError::NotAFile { file, .. }
            | DataError::TooLarge { file, .. }
            | DataError::LineTooLong { file, .. }
            | DataError::BlankLines { file, .. }
            | DataError::DuplicateColumn { file, .. }
            | DataError::UnnamedColumn { file, .. }
            | DataError::WrongDelimiter { file, .. }
            | DataError::UnclosedQuote { file, .. }
            | DataError::NotUtf8 { file, .. }
            | DataError::Utf16 { file, .. }
            | DataError::LookAlikeLabels { file, .. }
            | DataError::Empty { file }
            | DataError::HeaderOnly { file }
            | DataError::NoFeatures { file, .. }
            | DataError::MissingTargetColumn { file, .. }
            | DataError::MissingColumns { file, .. }
            | DataError::TargetIsFeature { file, .. }
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
            | DataError::ImageSizeMismatch { .. }
            | DataError::NotFound { .. }
            | DataError::Invalid { .. } => None,
        }
    }
}
