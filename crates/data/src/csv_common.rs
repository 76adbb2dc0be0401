//! What the two CSV readers, [`read_csv`](crate::read_csv) and
//! [`read_csv_columns`](crate::read_csv_columns), have in common: the records of the text,
//! the header row, the row-length check and the parsing of a cell. Both use these, so they
//! read a file alike and report the same problem with the same error, line and column.
//!
//! The text comes from an [`Input`] one line at a time and is fed to `csv_core`'s
//! incremental parser, so a file is never held whole, every line's length is capped, and
//! the line of every record is known exactly (blank lines and quoted line breaks included).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::files::Input;
use crate::{CsvOptions, DataError};

/// The byte order mark some editors put at the start of UTF-8 text.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Delimiters recognised in a header that has only one column, to say what the file is.
const OTHER_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Where CSV text comes from: the three ways in of each reader (`read_*`, `read_*_from`,
/// `parse_*`).
pub(crate) enum CsvSource<'a> {
    /// A file.
    Path(&'a Path),
    /// A stream such as standard input, and its name.
    Reader(Box<dyn Read + 'a>, &'a str),
    /// Bytes in memory, and their name.
    Bytes(&'a [u8], &'a str),
}

/// The records of CSV text: header first, then data rows, each with the line it starts on.
pub(crate) struct CsvRecords<'a> {
    input: Input<'a>,
    parser: csv_core::Reader,
    delimiter: u8,
    /// The physical line being parsed, with its `\n`.
    line: Vec<u8>,
    /// How much of `line` the parser has taken.
    taken: usize,
    /// The number of the last line read (1-based).
    line_number: usize,
    /// The data has ended.
    at_end: bool,
    /// The current record: its fields' bytes, one after another, and where each ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
    n_ends: usize,
    /// The line the current record starts on.
    record_line: usize,
}

/// One record: its fields and the line it starts on.
pub(crate) struct Record<'r> {
    /// The 1-based line the record starts on.
    pub line: usize,
    fields: &'r [u8],
    ends: &'r [usize],
}

impl Record<'_> {
    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` (0-based), trimmed of surrounding ASCII whitespace.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.fields[start..self.ends[i]].trim_ascii()
    }
}

/// The header row: column names, and for each name where it is.
pub(crate) struct Header {
    pub names: Vec<String>,
    positions: HashMap<String, Vec<usize>>,
}

impl Header {
    /// The column called `name`, if there is one. [`DataError::DuplicateColumn`] if there are
    /// several: a name used twice cannot say which column it means.
    pub(crate) fn find(&self, name: &str, file: &str) -> Result<Option<usize>, DataError> {
        match self.positions.get(name).map(Vec::as_slice) {
            None => Ok(None),
            Some([one]) => Ok(Some(*one)),
            Some(several) => Err(DataError::DuplicateColumn {
                file: file.to_string(),
                name: name.to_string(),
                columns: several.iter().map(|c| c + 1).collect(),
            }),
        }
    }

    /// The columns called `names`, in that order; [`DataError::MissingColumns`] naming every
    /// one that is not in the header.
    pub(crate) fn find_all(&self, names: &[String], file: &str) -> Result<Vec<usize>, DataError> {
        let mut found = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for name in names {
            match self.find(name, file)? {
                Some(c) => found.push(c),
                None => missing.push(name.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(DataError::MissingColumns {
                file: file.to_string(),
                missing,
                columns: self.names.clone(),
            });
        }
        Ok(found)
    }

    /// [`DataError::UnnamedColumn`] if the 0-based column `c` has an empty name (it is used,
    /// so it must say what it holds), and [`DataError::DuplicateColumn`] if its name is used
    /// twice.
    pub(crate) fn check_usable(&self, c: usize, file: &str) -> Result<(), DataError> {
        if self.names[c].is_empty() {
            return Err(DataError::UnnamedColumn {
                file: file.to_string(),
                column: c + 1,
                last: c + 1 == self.names.len(),
            });
        }
        self.find(&self.names[c], file).map(|_| ())
    }
}

impl<'a> CsvRecords<'a> {
    /// The records of `source`, read with the delimiter and within the limits of `options`.
    pub(crate) fn open(
        source: CsvSource<'a>,
        options: &CsvOptions,
    ) -> Result<CsvRecords<'a>, DataError> {
        let input = match source {
            CsvSource::Path(path) => Input::open(path, options.limits)?,
            CsvSource::Reader(reader, name) => {
                Input::from_reader(reader, name, options.limits, None)?
            }
            CsvSource::Bytes(bytes, name) => Input::from_bytes(bytes, name, options.limits)?,
        };
        Ok(CsvRecords::new(input, options.delimiter))
    }

    /// The records of `input`, fields separated by `delimiter`.
    fn new(input: Input<'a>, delimiter: u8) -> CsvRecords<'a> {
        CsvRecords {
            input,
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            line: Vec::new(),
            taken: 0,
            line_number: 0,
            at_end: false,
            fields: vec![0; 1024],
            ends: vec![0; 64],
            n_ends: 0,
            record_line: 0,
        }
    }

    /// The name errors give the data.
    pub(crate) fn file(&self) -> &str {
        self.input.name()
    }

    /// The header row (the first record): [`DataError::Empty`] or [`DataError::BlankLines`]
    /// if there is none, [`DataError::NotUtf8`] for a name that is not UTF-8, and
    /// [`DataError::WrongDelimiter`] for a header of one column that holds another
    /// delimiter. Call it once, before [`next_row`](CsvRecords::next_row).
    pub(crate) fn read_header(&mut self) -> Result<Header, DataError> {
        if !self.read_record()? {
            let file = self.file().to_string();
            return Err(match self.line_number {
                0 => DataError::Empty { file },
                lines => DataError::BlankLines { file, lines },
            });
        }
        let record = Record {
            line: self.record_line,
            fields: &self.fields,
            ends: &self.ends[..self.n_ends],
        };
        let mut names = Vec::with_capacity(record.len());
        for c in 0..record.len() {
            let name = text(record.get(c), self.input.name(), record.line, c, None)?;
            names.push(name.to_string());
        }
        if let [only] = names.as_slice() {
            let other = OTHER_DELIMITERS
                .into_iter()
                .filter(|&d| d != self.delimiter)
                .max_by_key(|&d| only.bytes().filter(|&b| b == d).count());
            if let Some(found) = other.filter(|&d| only.as_bytes().contains(&d)) {
                return Err(DataError::WrongDelimiter {
                    file: self.file().to_string(),
                    delimiter: self.delimiter,
                    found,
                });
            }
        }
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (c, name) in names.iter().enumerate() {
            positions.entry(name.clone()).or_default().push(c);
        }
        Ok(Header { names, positions })
    }

    /// The next record, or `None` after the last one.
    pub(crate) fn next_row(&mut self) -> Result<Option<Record<'_>>, DataError> {
        if !self.read_record()? {
            return Ok(None);
        }
        Ok(Some(Record {
            line: self.record_line,
            fields: &self.fields,
            ends: &self.ends[..self.n_ends],
        }))
    }

    /// Parses the next record into `fields` and `ends`; `false` at the end of the data.
    fn read_record(&mut self) -> Result<bool, DataError> {
        // Skip what is left of the last record's line and any blank lines.
        while self.line[self.taken..].iter().all(u8::is_ascii_whitespace) {
            if !self.next_line()? {
                return Ok(false);
            }
        }
        self.record_line = self.line_number;
        let mut field_line = self.line_number;
        let mut record_bytes = (self.line.len() - self.taken) as u64;
        let (mut n_out, mut n_ends) = (0, 0);
        loop {
            // Text that ends without a line break gets one, to end its last record as a line
            // break would; which also tells a finished record from an unclosed quote.
            let input: &[u8] = if self.at_end {
                b"\n"
            } else {
                &self.line[self.taken..]
            };
            let (result, n_in, n_written, n_ended) =
                self.parser
                    .read_record(input, &mut self.fields[n_out..], &mut self.ends[n_ends..]);
            if !self.at_end {
                self.taken += n_in;
            }
            n_out += n_written;
            n_ends += n_ended;
            if n_ended > 0 {
                // The last field ended on this line, so the next one starts on it.
                field_line = self.line_number;
            }
            match result {
                csv_core::ReadRecordResult::Record => {
                    self.n_ends = n_ends;
                    return Ok(true);
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let len = self.fields.len() * 2;
                    self.fields.resize(len, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    // The parser took a whole line and the record goes on: a line break
                    // inside quotes, or the end of a file with an unclosed quote.
                    let unclosed = DataError::UnclosedQuote {
                        file: self.file().to_string(),
                        line: field_line,
                    };
                    if self.at_end {
                        return Err(unclosed);
                    }
                    let ended_with_newline = self.line.last() == Some(&b'\n');
                    if !self.next_line()? {
                        if ended_with_newline {
                            return Err(unclosed);
                        }
                        continue;
                    }
                    record_bytes += self.line.len() as u64;
                    let limit = self.input.limits().max_line_bytes;
                    if record_bytes > limit {
                        return Err(DataError::LineTooLong {
                            file: self.file().to_string(),
                            line: self.record_line,
                            limit,
                            open_quote: Some(field_line),
                        });
                    }
                }
            }
        }
    }

    /// Reads the next physical line into `line`; `false` (and `at_end`) at the end.
    fn next_line(&mut self) -> Result<bool, DataError> {
        self.taken = 0;
        if self.at_end {
            self.line.clear();
            return Ok(false);
        }
        let number = self.line_number + 1;
        if !self.input.read_line(&mut self.line, number)? {
            self.at_end = true;
            return Ok(false);
        }
        self.line_number = number;
        if number == 1 {
            if let Some((big_endian, byte_order_mark)) = utf16(&self.line) {
                return Err(DataError::Utf16 {
                    file: self.file().to_string(),
                    big_endian,
                    byte_order_mark,
                });
            }
            if self.line.starts_with(UTF8_BOM) {
                self.taken = UTF8_BOM.len();
            }
        }
        Ok(true)
    }
}

/// Whether the first line of a text says it is UTF-16, which would otherwise be read as
/// bytes that are not UTF-8 (a byte order mark) or as names and numbers interleaved with
/// NUL bytes: `Some((big_endian, byte_order_mark))` if it starts with a byte order mark
/// (`ff fe`, `fe ff`) or if, in its first 64 bytes, every other byte is 0 and the others
/// are not (ASCII text in UTF-16).
fn utf16(first_line: &[u8]) -> Option<(bool, bool)> {
    match first_line {
        [0xFF, 0xFE, ..] => return Some((false, true)),
        [0xFE, 0xFF, ..] => return Some((true, true)),
        _ => {}
    }
    let start = &first_line[..first_line.len().min(64)];
    let start = start.strip_suffix(b"\n").unwrap_or(start);
    let zero_at = |parity: usize| {
        start.len() >= 2
            && start
                .iter()
                .enumerate()
                .all(|(i, &b)| (b == 0) == (i % 2 == parity))
    };
    if zero_at(1) {
        Some((false, false))
    } else if zero_at(0) {
        Some((true, false))
    } else {
        None
    }
}

/// The text of a cell (or a header name, if `header` is `None`) in the 0-based column `c`
/// of the record on `line`; [`DataError::NotUtf8`] if it is not UTF-8.
#[inline]
pub(crate) fn text<'c>(
    cell: &'c [u8],
    file: &str,
    line: usize,
    c: usize,
    header: Option<&[String]>,
) -> Result<&'c str, DataError> {
    std::str::from_utf8(cell).map_err(|e| DataError::NotUtf8 {
        file: file.to_string(),
        line,
        column: c + 1,
        column_name: header.map(|names| names[c].clone()),
        byte: cell[e.valid_up_to()],
    })
}

/// [`DataError::RaggedRow`] if the record does not have one field per header column.
///
/// The column reported is the first one that is missing, or the first one too many.
pub(crate) fn check_row_length(
    record: &Record<'_>,
    header: &[String],
    file: &str,
) -> Result<(), DataError> {
    if record.len() == header.len() {
        return Ok(());
    }
    let column = record.len().min(header.len()) + 1;
    Err(DataError::RaggedRow {
        file: file.to_string(),
        line: record.line,
        column,
        column_name: header.get(column - 1).cloned(),
        expected: header.len(),
        found: record.len(),
        trailing_comma: record.len() == header.len() + 1 && record.get(header.len()).is_empty(),
    })
}

/// The text of the 0-based column `c` of a record, which must not be empty
/// ([`DataError::MissingValue`]) and must be UTF-8 ([`DataError::NotUtf8`]).
#[inline]
pub(crate) fn present_text<'r>(
    record: &'r Record<'_>,
    c: usize,
    header: &[String],
    file: &str,
) -> Result<&'r str, DataError> {
    let cell = text(record.get(c), file, record.line, c, Some(header))?;
    if cell.is_empty() {
        return Err(DataError::MissingValue {
            file: file.to_string(),
            line: record.line,
            column: c + 1,
            column_name: header[c].clone(),
        });
    }
    Ok(cell)
}

/// Parses the numeric cell in the 0-based column `c` of a record: as `f64` (the text as
/// written), then stored as `f32`.
///
/// Errors: an empty cell ([`DataError::MissingValue`]), text that is not UTF-8
/// ([`DataError::NotUtf8`]), not a number ([`DataError::NotANumber`]), NaN, infinite or
/// beyond the range of `f32` ([`DataError::NonFinite`]).
#[inline]
pub(crate) fn parse_cell(
    record: &Record<'_>,
    c: usize,
    header: &[String],
    file: &str,
) -> Result<f32, DataError> {
    let cell = present_text(record, c, header, file)?;
    let number = cell.parse::<f64>().map(|number| number as f32);
    match number {
        Ok(number) if number.is_finite() => Ok(number),
        Ok(_) => Err(DataError::NonFinite {
            file: file.to_string(),
            line: record.line,
            column: c + 1,
            column_name: header[c].clone(),
            value: cell.to_string(),
        }),
        Err(_) => Err(DataError::NotANumber {
            file: file.to_string(),
            line: record.line,
            column: c + 1,
            column_name: header[c].clone(),
            value: cell.to_string(),
        }),
    }
}
