//! What the two CSV readers, [`parse_csv`](crate::parse_csv) and
//! [`parse_csv_columns`](crate::parse_csv_columns), have in common: getting at the text
//! (gzip, byte order mark), the `csv` reader settings, the header row, the line numbers of
//! rows, the ragged-row check and the parsing of a numeric cell. Both use these, so they read
//! a file alike and report the same problem with the same error, line and column.

use std::borrow::Cow;
use std::path::Path;

use crate::{gzip, DataError};

/// Reads a whole file: its bytes, and its name as errors show it (the path as it displays).
pub(crate) fn read_file(path: &Path) -> Result<(Vec<u8>, String), DataError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok((bytes, file)),
        Err(source) => Err(DataError::Io { file, source }),
    }
}

/// CSV data as the reader sees it: decompressed if it was gzipped.
///
/// A separate owner of the text because the [`CsvRecords`] read from it borrow it, and
/// [`record_line`] looks back into it.
pub(crate) struct CsvText<'a> {
    decoded: Cow<'a, [u8]>,
}

impl<'a> CsvText<'a> {
    /// `bytes` itself, or its decompressed content if it is gzipped; `file` names the data
    /// in a decompression error.
    pub(crate) fn decode(bytes: &'a [u8], file: &str) -> Result<CsvText<'a>, DataError> {
        Ok(CsvText {
            decoded: gzip::decode(bytes, file)?,
        })
    }

    /// The text without its UTF-8 byte order mark, if it has one.
    fn text(&self) -> &[u8] {
        self.decoded
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(&self.decoded)
    }

    /// The records of the text, header first; `file` names the data in errors.
    ///
    /// Settings: the header is read as an ordinary record, so that a file without one is
    /// reported as [`DataError::Empty`]; rows of any length are accepted by the reader, so
    /// that [`check_row_length`] can report them with line and column; fields are trimmed of
    /// surrounding whitespace.
    pub(crate) fn records<'s>(&'s self, file: &'s str) -> CsvRecords<'s> {
        let text = self.text();
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(::csv::Trim::All)
            .from_reader(text);
        CsvRecords {
            file,
            text,
            reader,
            record: ::csv::ByteRecord::new(),
        }
    }
}

/// A `csv` reader over a [`CsvText`], turning its errors into [`DataError::Malformed`] and
/// its positions into the lines a person sees.
pub(crate) struct CsvRecords<'t> {
    file: &'t str,
    text: &'t [u8],
    reader: ::csv::Reader<&'t [u8]>,
    /// Reused for every row, to avoid an allocation per row.
    record: ::csv::ByteRecord,
}

impl CsvRecords<'_> {
    /// The column names of the header row (the first record); [`DataError::Empty`] if there is
    /// none. Call it once, before [`next_row`](CsvRecords::next_row).
    pub(crate) fn read_header(&mut self) -> Result<Vec<String>, DataError> {
        if !self.read_record()? {
            return Err(DataError::Empty {
                file: self.file.to_string(),
            });
        }
        Ok(self
            .record
            .iter()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect())
    }

    /// The next data row with the 1-based line it starts on, or `None` after the last one.
    pub(crate) fn next_row(&mut self) -> Result<Option<(usize, &::csv::ByteRecord)>, DataError> {
        if !self.read_record()? {
            return Ok(None);
        }
        let line = record_line(self.text, self.record.position());
        Ok(Some((line, &self.record)))
    }

    /// Reads the next record into `self.record`; `false` at the end of the data.
    fn read_record(&mut self) -> Result<bool, DataError> {
        self.reader
            .read_byte_record(&mut self.record)
            .map_err(|err| DataError::Malformed {
                file: self.file.to_string(),
                line: err
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX)),
                message: err.to_string(),
            })
    }
}

/// The 1-based line on which a record starts.
///
/// The `csv` crate reports the line where it *began looking* for the record, which is
/// before any blank lines it skipped; count those here so errors point at the right line.
fn record_line(text: &[u8], position: Option<&::csv::Position>) -> usize {
    let Some(position) = position else { return 0 };
    let line = usize::try_from(position.line()).unwrap_or(usize::MAX);
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped = text
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    line.saturating_add(skipped)
}

/// [`DataError::RaggedRow`] if the row on `line` does not have one field per header column.
///
/// The column reported is the first one that is missing, or the first one too many.
pub(crate) fn check_row_length(
    record: &::csv::ByteRecord,
    header: &[String],
    file: &str,
    line: usize,
) -> Result<(), DataError> {
    if record.len() == header.len() {
        return Ok(());
    }
    let column = record.len().min(header.len()) + 1;
    Err(DataError::RaggedRow {
        file: file.to_string(),
        line,
        column,
        column_name: header.get(column - 1).cloned(),
        expected: header.len(),
        found: record.len(),
    })
}

/// [`DataError::MissingValue`] if `cell`, in the 0-based column `index` of the row on `line`,
/// is empty.
pub(crate) fn check_cell_present(
    cell: &str,
    file: &str,
    line: usize,
    index: usize,
    header: &[String],
) -> Result<(), DataError> {
    if !cell.is_empty() {
        return Ok(());
    }
    Err(DataError::MissingValue {
        file: file.to_string(),
        line,
        column: index + 1,
        column_name: header[index].clone(),
    })
}

/// Parses a numeric cell, in the 0-based column `index` of the row on `line`: as `f64` (the
/// text as written), then stored as `f32`.
///
/// Errors: an empty cell ([`DataError::MissingValue`]), not a number
/// ([`DataError::NotANumber`]), NaN, infinite or beyond the range of `f32`
/// ([`DataError::NonFinite`]).
pub(crate) fn parse_cell(
    cell: &str,
    file: &str,
    line: usize,
    index: usize,
    header: &[String],
) -> Result<f32, DataError> {
    check_cell_present(cell, file, line, index, header)?;
    let number = cell.parse::<f64>().map(|number| number as f32);
    match number {
        Ok(number) if number.is_finite() => Ok(number),
        Ok(_) => Err(DataError::NonFinite {
            file: file.to_string(),
            line,
            column: index + 1,
            column_name: header[index].clone(),
            value: cell.to_string(),
        }),
        Err(_) => Err(DataError::NotANumber {
            file: file.to_string(),
            line,
            column: index + 1,
            column_name: header[index].clone(),
            value: cell.to_string(),
        }),
    }
}
