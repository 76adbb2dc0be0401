//! Reading chosen numeric columns of a CSV file by header name: [`read_csv_columns`],
//! [`parse_csv_columns`].
//!
//! This is the reader for prediction: a trained model knows its feature names, and the file
//! it is applied to may hold them in any order, alongside columns the model does not use (an
//! id, a label). Only the requested columns are parsed; the other cells of a row are not
//! looked at, but every row must still have as many fields as the header. The format is the
//! one of [`read_csv`](crate::read_csv): a header row, fields trimmed and possibly quoted,
//! blank lines skipped, a UTF-8 byte order mark ignored, gzip recognised by its magic bytes.

use std::path::Path;

use crate::csv_common::{check_row_length, parse_cell, read_file, CsvText};
use crate::DataError;

/// Reads the columns named `columns` (in that order) of a CSV file (plain or gzipped) as
/// row-major `f32` features: `(features, rows)` with `features.len() == rows *
/// columns.len()`.
///
/// Errors name the file as `path` displays. See [`parse_csv_columns`] for the format and
/// the errors.
pub fn read_csv_columns(
    path: impl AsRef<Path>,
    columns: &[String],
) -> Result<(Vec<f32>, usize), DataError> {
    let (bytes, file) = read_file(path.as_ref())?;
    parse_csv_columns(&bytes, &file, columns)
}

/// Parses the columns named `columns` (in that order) of CSV data held in memory (plain or
/// gzipped): `(features, rows)`, row-major, `features.len() == rows * columns.len()`.
///
/// A name that occurs twice in the header means its first occurrence. Errors, each naming
/// `source_name`, the 1-based line (the header is line 1) and, for a cell, the 1-based
/// column with its header name: an empty file ([`DataError::Empty`]), a header with no data
/// rows ([`DataError::HeaderOnly`]), a requested column that is not in the header
/// ([`DataError::MissingColumn`]), a row with the wrong number of fields
/// ([`DataError::RaggedRow`]), and, in a requested column only, an empty cell
/// ([`DataError::MissingValue`]), a cell that is not a number ([`DataError::NotANumber`]) or
/// one that is NaN, infinite or beyond the range of `f32` ([`DataError::NonFinite`]).
/// No input makes it panic.
///
/// ```
/// let csv = "id,b,label,a\n7,2,yes,1\n8,4,no,3\n";
/// let columns = ["a".to_string(), "b".to_string()];
/// let (features, rows) = data::parse_csv_columns(csv.as_bytes(), "new.csv", &columns)?;
/// assert_eq!((features, rows), (vec![1.0, 2.0, 3.0, 4.0], 2));
/// let err = data::parse_csv_columns(b"a\n1\n", "new.csv", &columns).unwrap_err();
/// assert_eq!(err.to_string(), r#"new.csv: line 1: no column named "b" (the columns are: a)"#);
/// # Ok::<(), data::DataError>(())
/// ```
pub fn parse_csv_columns(
    bytes: &[u8],
    source_name: &str,
    columns: &[String],
) -> Result<(Vec<f32>, usize), DataError> {
    let file = source_name;
    let text = CsvText::decode(bytes, file)?;
    let mut records = text.records(file);

    // The header row, and where each requested column is in it.
    let header = records.read_header()?;
    let wanted = columns
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| DataError::MissingColumn {
                    file: file.to_string(),
                    column: name.clone(),
                    columns: header.clone(),
                })
        })
        .collect::<Result<Vec<usize>, DataError>>()?;

    // The data rows.
    let mut features = Vec::new();
    let mut rows = 0;
    while let Some((line, record)) = records.next_row()? {
        check_row_length(record, &header, file, line)?;
        for &c in &wanted {
            let cell = String::from_utf8_lossy(&record[c]);
            features.push(parse_cell(&cell, file, line, c, &header)?);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok((features, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn parse(text: &str, columns: &[&str]) -> Result<(Vec<f32>, usize), DataError> {
        parse_csv_columns(text.as_bytes(), "t.csv", &names(columns))
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
    }

    #[test]
    fn gzip_is_transparent() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"x,y\n1,2\n3,4\n").unwrap();
        let gz = encoder.finish().unwrap();
        let (features, rows) = parse_csv_columns(&gz, "t.csv.gz", &names(&["y"])).unwrap();
        assert_eq!((features, rows), (vec![2.0, 4.0], 2));
    }

    #[test]
    fn missing_column_names_it_and_the_columns() {
        let err = parse("a,b\n1,2\n", &["a", "c"]).unwrap_err();
        assert!(matches!(&err, DataError::MissingColumn { column, .. } if column == "c"));
        assert_eq!(
            err.to_string(),
            r#"t.csv: line 1: no column named "c" (the columns are: a, b)"#
        );
        assert_eq!(err.file(), Some("t.csv"));
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
        let err = read_csv_columns("/no/such/dir/x.csv", &names(&["a"])).unwrap_err();
        assert!(matches!(err, DataError::Io { .. }));
        assert!(err
            .to_string()
            .starts_with("/no/such/dir/x.csv: cannot read"));
    }
}
