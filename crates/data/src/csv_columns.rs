//! Reading chosen columns of a CSV file by header name: [`read_csv_columns`],
//! [`read_csv_columns_from`], [`parse_csv_columns`].
//!
//! This is the reader for prediction: a trained model knows its feature names, and the file
//! it is applied to may hold them in any order, alongside columns the model does not use (a
//! label, notes), one of which may be an id to carry through to the predictions. Only the
//! requested columns are parsed; the other cells of a row are not looked at, but every row
//! must still have as many fields as the header. The format is the one of
//! [`read_csv`](crate::read_csv): a header row, fields trimmed and possibly quoted, blank
//! lines skipped, a UTF-8 byte order mark ignored, gzip recognised by its magic bytes.

use std::io::Read;
use std::path::Path;

use crate::csv_common::{check_row_length, parse_cell, present_text, CsvRecords, CsvSource};
use crate::{CsvOptions, DataError};

/// Which columns [`read_csv_columns`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnSelection {
    /// Numeric columns, by name, in the order wanted; `None` for every column but the id
    /// column, in file order.
    pub features: Option<Vec<String>>,
    /// A text column to carry through unparsed, such as an id.
    pub id: Option<String>,
}

impl ColumnSelection {
    /// The numeric columns `features`, no id column.
    pub fn features(features: &[String]) -> ColumnSelection {
        ColumnSelection {
            features: Some(features.to_vec()),
            id: None,
        }
    }

    /// This selection with the text column `id` carried through.
    pub fn with_id(mut self, id: impl Into<String>) -> ColumnSelection {
        self.id = Some(id.into());
        self
    }
}

/// The columns [`read_csv_columns`] read.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureTable {
    /// The names of the numeric columns read, in order.
    pub names: Vec<String>,
    /// Row-major values of the numeric columns: `rows * names.len()` of them.
    pub features: Vec<f32>,
    /// Number of rows.
    pub rows: usize,
    /// The id column's cells, one per row, if an id column was asked for.
    pub ids: Option<Vec<String>>,
    /// The 1-based line each row starts on (the header is line 1), to name a row in
    /// messages.
    pub lines: Vec<usize>,
}

/// Reads the columns `selection` names of a CSV file (plain or gzipped).
///
/// Of `options`, the delimiter and the limits apply. Errors name the file as `path`
/// displays; see [`parse_csv_columns`] for the format and the errors.
pub fn read_csv_columns(
    path: impl AsRef<Path>,
    selection: &ColumnSelection,
    options: &CsvOptions,
) -> Result<FeatureTable, DataError> {
    let source = CsvSource::Path(path.as_ref());
    feature_table(CsvRecords::open(source, options)?, selection)
}

/// Reads the columns `selection` names of CSV data from a stream such as standard input;
/// `source_name` names it in errors. See [`parse_csv_columns`].
pub fn read_csv_columns_from(
    reader: impl Read,
    source_name: &str,
    selection: &ColumnSelection,
    options: &CsvOptions,
) -> Result<FeatureTable, DataError> {
    let source = CsvSource::Reader(Box::new(reader), source_name);
    feature_table(CsvRecords::open(source, options)?, selection)
}

/// Parses the columns `selection` names of CSV data held in memory (plain or gzipped).
///
/// Errors, each naming `source_name`, the 1-based line (the header is line 1) and, for a
/// cell, the 1-based column with its header name: an empty file ([`DataError::Empty`]) or one
/// of blank lines ([`DataError::BlankLines`]), a header with no data rows
/// ([`DataError::HeaderOnly`]), requested columns that are not in the header
/// ([`DataError::MissingColumns`], naming all of them), a requested name that the header
/// holds twice ([`DataError::DuplicateColumn`]), a row with the wrong number of fields
/// ([`DataError::RaggedRow`]), a quote that is never closed ([`DataError::UnclosedQuote`]),
/// and, in a requested column only, text that is not UTF-8 ([`DataError::NotUtf8`]), an empty
/// cell ([`DataError::MissingValue`]), a cell that is not a number
/// ([`DataError::NotANumber`]) or one that is NaN, infinite or beyond the range of `f32`
/// ([`DataError::NonFinite`]). No input makes it panic.
///
/// ```
/// use data::{parse_csv_columns, ColumnSelection, CsvOptions};
/// let csv = "id,b,label,a\n7,2,yes,1\n8,4,no,3\n";
/// let wanted = ColumnSelection::features(&["a".to_string(), "b".to_string()]).with_id("id");
/// let table = parse_csv_columns(csv.as_bytes(), "new.csv", &wanted, &CsvOptions::default())?;
/// assert_eq!((table.features, table.rows), (vec![1.0, 2.0, 3.0, 4.0], 2));
/// assert_eq!(table.ids, Some(vec!["7".to_string(), "8".to_string()]));
/// let err = parse_csv_columns(b"a\n1\n", "new.csv", &wanted, &CsvOptions::default()).unwrap_err();
/// assert_eq!(err.to_string(), r#"new.csv: line 1: no columns named "b", "id" (the columns are: a)"#);
/// # Ok::<(), data::DataError>(())
/// ```
pub fn parse_csv_columns(
    bytes: &[u8],
    source_name: &str,
    selection: &ColumnSelection,
    options: &CsvOptions,
) -> Result<FeatureTable, DataError> {
    let source = CsvSource::Bytes(bytes, source_name);
    feature_table(CsvRecords::open(source, options)?, selection)
}

/// The columns `selection` names, read from `records`.
fn feature_table(
    mut records: CsvRecords<'_>,
    selection: &ColumnSelection,
) -> Result<FeatureTable, DataError> {
    let file = records.file().to_string();
    let file = file.as_str();

    // The header row, and where each requested column is in it.
    let header = records.read_header()?;
    let columns = &header.names;
    let (found, id_column) = match &selection.features {
        Some(names) => {
            let wanted: Vec<String> = names.iter().chain(&selection.id).cloned().collect();
            let mut found = header.find_all(&wanted, file)?;
            let id_column = selection.id.as_ref().and_then(|_| found.pop());
            (found, id_column)
        }
        None => {
            let id_column = match &selection.id {
                Some(id) => Some(header.find_all(std::slice::from_ref(id), file)?[0]),
                None => None,
            };
            let all = (0..columns.len()).filter(|&c| Some(c) != id_column);
            (all.collect(), id_column)
        }
    };
    for &c in found.iter().chain(&id_column) {
        header.check_usable(c, file)?;
    }

    // The data rows.
    let mut features = Vec::new();
    let mut ids = selection.id.as_ref().map(|_| Vec::new());
    let mut lines = Vec::new();
    while let Some(record) = records.next_row()? {
        check_row_length(&record, columns, file)?;
        for &c in &found {
            features.push(parse_cell(&record, c, columns, file)?);
        }
        if let (Some(ids), Some(c)) = (ids.as_mut(), id_column) {
            ids.push(present_text(&record, c, columns, file)?.to_string());
        }
        lines.push(record.line);
    }
    if lines.is_empty() {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    features.shrink_to_fit();
    Ok(FeatureTable {
        names: found.iter().map(|&c| columns[c].clone()).collect(),
        features,
        rows: lines.len(),
        ids,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn parse(text: &str, columns: &[&str]) -> Result<(Vec<f32>, usize), DataError> {
        let selection = ColumnSelection::features(&names(columns));
        parse_csv_columns(text.as_bytes(), "t.csv", &selection, &CsvOptions::default())
            .map(|table| (table.features, table.rows))
    }

    #[test]
    fn picks_columns_by_name_in_the_requested_order() {
        let text = "id,b,label,a\n1,2.5,x,-1\n2,4,y,3e2\n";
        assert_eq!(
            parse(text, &["a", "b"]).unwrap(),
            (vec![-1.0, 2.5, 300.0, 4.0], 2)
        );
        assert_eq!(
            parse(text, &["b", "a"]).unwrap(),
            (vec![2.5, -1.0, 4.0, 300.0], 2)
        );
        assert_eq!(parse(text, &["a"]).unwrap(), (vec![-1.0, 300.0], 2));
    }

    #[test]
    fn ignores_unrequested_cells_even_if_not_numbers_or_empty() {
        let (features, rows) = parse("a,note\n1,\n2,hello\n", &["a"]).unwrap();
        assert_eq!((features, rows), (vec![1.0, 2.0], 2));
    }

    #[test]
    fn quotes_whitespace_blank_lines_bom_and_crlf() {
        let text = "\u{feff}\"a\", b \r\n\r\n 1.5 ,\"2\"\r\n3,-4e1\r\n";
        assert_eq!(
            parse(text, &["b", "a"]).unwrap(),
            (vec![2.0, 1.5, -40.0, 3.0], 2)
        );
        let selection = ColumnSelection::features(&names(&["a"]));
        let table = parse_csv_columns(text.as_bytes(), "t.csv", &selection, &CsvOptions::default())
            .unwrap();
        assert_eq!(table.lines, [3, 4], "blank lines are counted");
    }

    #[test]
    fn gzip_is_transparent() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"x,y\n1,2\n3,4\n").unwrap();
        let gz = encoder.finish().unwrap();
        let selection = ColumnSelection::features(&names(&["y"]));
        let table = parse_csv_columns(&gz, "t.csv.gz", &selection, &CsvOptions::default()).unwrap();
        assert_eq!((table.features, table.rows), (vec![2.0, 4.0], 2));
    }

    #[test]
    fn missing_columns_are_all_named_with_the_columns() {
        let err = parse("a,b\n1,2\n", &["a", "c"]).unwrap_err();
        assert!(matches!(&err, DataError::MissingColumns { missing, .. } if missing == &["c"]));
        assert_eq!(
            err.to_string(),
            r#"t.csv: line 1: no column named "c" (the columns are: a, b)"#
        );
        assert_eq!(err.file(), Some("t.csv"));
        let err = parse("a,b\n1,2\n", &["x", "a", "y"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"t.csv: line 1: no columns named "x", "y" (the columns are: a, b)"#
        );
    }

    #[test]
    fn a_requested_name_used_twice_is_an_error_and_others_are_not() {
        let err = parse("a,b,a\n1,2,3\n", &["a"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"t.csv: line 1: the column name "a" is used 2 times (columns 1, 3); a column name must say which column it means"#
        );
        assert_eq!(parse("a,b,b\n1,2,3\n", &["a"]).unwrap(), (vec![1.0], 1));
    }

    #[test]
    fn ids_are_carried_through_as_text() {
        let selection = ColumnSelection::features(&names(&["x"])).with_id("name");
        let text = "name,x\n\"Smith, J\",1\ncaf\u{e9},2\n";
        let table = parse_csv_columns(text.as_bytes(), "t.csv", &selection, &CsvOptions::default())
            .unwrap();
        assert_eq!(table.ids.unwrap(), ["Smith, J", "caf\u{e9}"]);
        // Every other column, in file order.
        let all = ColumnSelection::default().with_id("name");
        let text = "x,name,y\n1,a,2\n3,b,4\n";
        let table =
            parse_csv_columns(text.as_bytes(), "t.csv", &all, &CsvOptions::default()).unwrap();
        assert_eq!(table.names, ["x", "y"]);
        assert_eq!(table.features, [1.0, 2.0, 3.0, 4.0]);
        let err = parse_csv_columns(b"name,x\n,1\n", "t.csv", &selection, &CsvOptions::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 2, column 1 (name): the cell is empty"
        );
    }

    #[test]
    fn bad_cells_name_line_column_and_value() {
        let err = parse("a,b\n1,2\n\n3,abc\n", &["b"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"t.csv: line 4, column 2 (b): "abc" is not a number"#
        );
        for bad in ["NaN", "inf", "-infinity", "1e300"] {
            let err = parse(&format!("a,b\n1,{bad}\n"), &["b"]).unwrap_err();
            assert!(
                matches!(&err, DataError::NonFinite { line: 2, column: 2, value, .. } if value == bad),
                "{err}"
            );
        }
        let err = parse("a,b\n1, \n", &["b"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 2, column 2 (b): the cell is empty"
        );
    }

    #[test]
    fn ragged_empty_and_header_only_files() {
        let err = parse("a,b\n1,2\n3\n", &["a"]).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::RaggedRow {
                    line: 3,
                    expected: 2,
                    found: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(matches!(
            parse("", &["a"]).unwrap_err(),
            DataError::Empty { .. }
        ));
        assert!(matches!(
            parse("a,b\n", &["a"]).unwrap_err(),
            DataError::HeaderOnly { .. }
        ));
    }

    #[test]
    fn read_names_the_missing_file() {
        let selection = ColumnSelection::features(&names(&["a"]));
        let err =
            read_csv_columns("/no/such/dir/x.csv", &selection, &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, DataError::Io { .. }));
        assert!(err
            .to_string()
            .starts_with("/no/such/dir/x.csv: cannot read"));
    }
}
