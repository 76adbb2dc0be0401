//! Reading a classification data set from CSV: [`read_csv`], [`read_csv_from`],
//! [`parse_csv`], [`CsvOptions`].
//!
//! The format: a header row of column names, then one example per line. One column is the
//! target (class label), chosen by name, by default the last column; the other columns are
//! numeric features (all of them, or the ones [`CsvOptions::features`] names). Gzipped data is
//! decompressed transparently; gzip is recognised by its magic bytes (`1f 8b`), not by the
//! file name. The text is read as a stream within [`ReadLimits`].

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::csv_common::{check_row_length, parse_cell, present_text, CsvRecords, CsvSource};
use crate::{DataError, Dataset, ReadLimits};

/// How string class labels are numbered.
///
/// Labels that are all numbers are classes by value, named canonically: `1`, `01` and
/// `1.0` are one class, `1`. Labels that are exactly the integers `0..k` (in any order,
/// e.g. `0`, `1`, `2`) always keep their value as the class index; the order only matters
/// for other labels (`setosa`, `yes`, or numbers such as `1, 2, 3` that do not start at 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LabelOrder {
    /// Classes are numbered in the order their labels first appear in the file.
    FirstSeen,
    /// Classes are numbered in sorted label order: numerically if every label is a number,
    /// otherwise by the labels' text. This is the default, because the numbering then does
    /// not depend on the row order (a shuffled copy of a file numbers its classes the same).
    #[default]
    Sorted,
}

/// Options for the CSV readers ([`read_csv`] and friends, [`read_csv_columns`](crate::read_csv_columns)).
///
/// ```
/// let options = data::CsvOptions::default()
///     .with_target("species")
///     .with_delimiter(b';')
///     .with_label_order(data::LabelOrder::FirstSeen);
/// assert_eq!(options.target.as_deref(), Some("species"));
/// let ds = data::parse_csv(b"a;species\n1;x\n2;y\n", "semi.csv", &options)?;
/// assert_eq!(ds.features(), &[1.0, 2.0]);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Name of the target (label) column; `None` means the last column.
    pub target: Option<String>,
    /// How non-integer labels are numbered.
    pub label_order: LabelOrder,
    /// The byte between fields: `b','` by default, `b';'` or `b'\t'` for other files.
    pub delimiter: u8,
    /// The feature columns, by name and in this order; other columns are not read. `None`
    /// (the default) means every column but the target.
    pub features: Option<Vec<String>>,
    /// How much may be read.
    pub limits: ReadLimits,
    /// The fewest distinct labels accepted ([`DataError::TooFewClasses`] below): 2, to train
    /// on (the default), or 1, to evaluate a model on rows of a single class.
    pub min_classes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            target: None,
            label_order: LabelOrder::default(),
            delimiter: b',',
            features: None,
            limits: ReadLimits::default(),
            min_classes: 2,
        }
    }
}

impl CsvOptions {
    /// Options with the given target column name.
    pub fn with_target(mut self, name: impl Into<String>) -> CsvOptions {
        self.target = Some(name.into());
        self
    }

    /// Options with the given label order.
    pub fn with_label_order(mut self, order: LabelOrder) -> CsvOptions {
        self.label_order = order;
        self
    }

    /// Options with the given field delimiter.
    pub fn with_delimiter(mut self, delimiter: u8) -> CsvOptions {
        self.delimiter = delimiter;
        self
    }

    /// Options that read only the named feature columns, in this order.
    pub fn with_features(mut self, names: Vec<String>) -> CsvOptions {
        self.features = Some(names);
        self
    }

    /// Options with the given read limits.
    pub fn with_limits(mut self, limits: ReadLimits) -> CsvOptions {
        self.limits = limits;
        self
    }
}

/// Reads a CSV file (plain or gzipped) into a [`Dataset`].
///
/// Errors name the file as `path` displays. A directory or a device is refused
/// ([`DataError::NotAFile`]). See [`parse_csv`] for the format and errors.
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset, DataError> {
    let source = CsvSource::Path(path.as_ref());
    dataset(CsvRecords::open(source, options)?, options)
}

/// Reads CSV data (plain or gzipped) from a stream such as standard input into a
/// [`Dataset`]; `source_name` names it in errors. See [`parse_csv`] for the format and
/// errors.
pub fn read_csv_from(
    reader: impl Read,
    source_name: &str,
    options: &CsvOptions,
) -> Result<Dataset, DataError> {
    let source = CsvSource::Reader(Box::new(reader), source_name);
    dataset(CsvRecords::open(source, options)?, options)
}

/// Parses CSV data held in memory (plain or gzipped) into a [`Dataset`].
///
/// `source_name` is the name errors use for the data (usually a file name). Fields may be
/// quoted and are trimmed of surrounding whitespace; blank lines are skipped; a UTF-8 byte
/// order mark is ignored. Feature cells are parsed as `f64` and stored as `f32`.
///
/// Errors, each naming `source_name`, the 1-based line (the header is line 1) and the 1-based
/// column with its header name: an empty file ([`DataError::Empty`]) or one of blank lines
/// ([`DataError::BlankLines`]), a header with no data rows ([`DataError::HeaderOnly`]), a
/// header of one column that holds another delimiter ([`DataError::WrongDelimiter`]), a
/// missing target column ([`DataError::MissingTargetColumn`]) or feature column
/// ([`DataError::MissingColumns`]), a used column without a name
/// ([`DataError::UnnamedColumn`]) or with a name used twice ([`DataError::DuplicateColumn`]),
/// a header with no feature column ([`DataError::NoFeatures`]), a row with the wrong number
/// of fields ([`DataError::RaggedRow`]), a quote that is never closed
/// ([`DataError::UnclosedQuote`]), text that is not UTF-8 ([`DataError::NotUtf8`], or
/// [`DataError::Utf16`] for a file saved as UTF-16), an
/// empty cell ([`DataError::MissingValue`]), a feature that is not a number
/// ([`DataError::NotANumber`]) or is NaN, infinite or beyond the range of `f32`
/// ([`DataError::NonFinite`]), a target column with fewer than two classes
/// ([`DataError::TooFewClasses`]), and data beyond the [`ReadLimits`]. No input makes it
/// panic.
///
/// ```
/// let csv = "x,y,species\n1,2,b\n3,4,a\n5,6,b\n";
/// let ds = data::parse_csv(csv.as_bytes(), "inline.csv", &data::CsvOptions::default())?;
/// assert_eq!(ds.class_names(), &["a", "b"]);
/// assert_eq!(ds.labels(), &[1, 0, 1]);
/// assert_eq!(ds.target_name(), "species");
/// let err = data::parse_csv(b"x,y\n1,2\nabc,1\n", "bad.csv", &Default::default()).unwrap_err();
/// assert_eq!(err.to_string(), r#"bad.csv: line 3, column 1 (x): "abc" is not a number"#);
/// # Ok::<(), data::DataError>(())
/// ```
pub fn parse_csv(
    bytes: &[u8],
    source_name: &str,
    options: &CsvOptions,
) -> Result<Dataset, DataError> {
    let source = CsvSource::Bytes(bytes, source_name);
    dataset(CsvRecords::open(source, options)?, options)
}

/// The data set in `records`, read as `options` say.
fn dataset(mut records: CsvRecords<'_>, options: &CsvOptions) -> Result<Dataset, DataError> {
    let file = records.file().to_string();
    let file = file.as_str();

    // The header row: the target column and the feature columns.
    let header = records.read_header()?;
    let columns = &header.names;
    let target = match &options.target {
        None => columns.len() - 1,
        Some(name) => header
            .find(name, file)?
            .ok_or_else(|| DataError::MissingTargetColumn {
                file: file.to_string(),
                target: name.clone(),
                columns: columns.clone(),
            })?,
    };
    header.check_usable(target, file)?;
    let feature_columns: Vec<usize> = match &options.features {
        Some(names) => header.find_all(names, file)?,
        None => (0..columns.len()).filter(|&c| c != target).collect(),
    };
    if feature_columns.is_empty() {
        return Err(DataError::NoFeatures {
            file: file.to_string(),
            column: target + 1,
            column_name: columns[target].clone(),
        });
    }
    for &c in &feature_columns {
        header.check_usable(c, file)?;
    }
    if feature_columns.contains(&target) {
        return Err(DataError::TargetIsFeature {
            file: file.to_string(),
            column: target + 1,
            column_name: columns[target].clone(),
            named: options.target.is_some(),
        });
    }

    // The data rows.
    let mut features = Vec::new();
    let mut label_ids = Vec::new(); // index into `label_texts`, in first-seen order
    let mut label_texts: Vec<String> = Vec::new();
    let mut label_lines: Vec<usize> = Vec::new(); // where each first appears
    let mut label_index: HashMap<String, usize> = HashMap::new();
    let mut lines = Vec::new();
    while let Some(record) = records.next_row()? {
        lines.push(record.line);
        check_row_length(&record, columns, file)?;
        for &c in &feature_columns {
            features.push(parse_cell(&record, c, columns, file)?);
        }
        let label = present_text(&record, target, columns, file)?;
        let id = match label_index.get(label) {
            Some(&id) => id,
            None => {
                label_texts.push(label.to_string());
                label_lines.push(record.line);
                label_index.insert(label.to_string(), label_texts.len() - 1);
                label_texts.len() - 1
            }
        };
        label_ids.push(id);
    }
    if label_ids.is_empty() {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    // Refused, not warned about: two classes that print alike split one class of the data
    // in two (each with part of its rows, so the model learns to tell apart what cannot be
    // told apart) and make every report that names them ambiguous; no real data means two
    // classes by a difference no one can see, and the fix belongs in the file.
    if let Some(look_alikes) = look_alike_labels(&label_texts, &label_lines) {
        return Err(DataError::LookAlikeLabels {
            file: file.to_string(),
            column: target + 1,
            column_name: columns[target].clone(),
            labels: look_alikes,
        });
    }
    if label_texts.len() < options.min_classes.max(1) {
        return Err(DataError::TooFewClasses {
            file: file.to_string(),
            column: target + 1,
            column_name: columns[target].clone(),
            last_line: lines.last().copied().unwrap_or(1),
            classes: label_texts,
        });
    }
    features.shrink_to_fit();

    let (class_of_id, class_names) = number_classes(&label_texts, options.label_order);
    let labels = label_ids.into_iter().map(|id| class_of_id[id]).collect();
    let feature_names = feature_columns
        .iter()
        .map(|&c| columns[c].clone())
        .collect();
    let data = Dataset::new(
        features,
        feature_columns.len(),
        labels,
        feature_names,
        class_names,
    )?;
    data.with_target_name(columns[target].clone())
        .with_lines(lines)
}

/// The first group of labels (in first-seen order) that differ only in invisible
/// characters or kinds of space, so that they print alike (see
/// [`visible_form`](crate::display::visible_form)), each with the line it first appears on.
fn look_alike_labels(texts: &[String], lines: &[usize]) -> Option<Vec<(String, usize)>> {
    let forms: Vec<String> = texts
        .iter()
        .map(|text| crate::display::visible_form(text))
        .collect();
    // The earliest label that a later one looks like.
    let mut first_with_form: HashMap<&str, usize> = HashMap::new();
    let first = (forms.iter().enumerate())
        .filter_map(|(id, form)| {
            let first = *first_with_form.entry(form).or_insert(id);
            (first != id).then_some(first)
        })
        .min()?;
    let members = (0..texts.len()).filter(|&id| forms[id] == forms[first]);
    Some(members.map(|id| (texts[id].clone(), lines[id])).collect())
}

/// Numbers the distinct labels (given in first-seen order). Returns the class index of each
/// distinct label and the class names.
///
/// Labels that are all numbers are classes by value, named canonically: `1`, `01` and
/// `1.0` are one class, `1`. Integers that are exactly 0..k are their own class indices.
fn number_classes(texts: &[String], order: LabelOrder) -> (Vec<usize>, Vec<String>) {
    // Integers exactly, else (as f64) other numbers; -0 is 0.
    let integers: Option<Vec<i64>> = texts.iter().map(|t| t.parse::<i64>().ok()).collect();
    let numbers: Option<Vec<f64>> = match &integers {
        Some(values) => Some(values.iter().map(|&v| v as f64).collect()),
        None => (texts.iter())
            .map(|t| {
                t.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(|v| v + 0.0)
            })
            .collect(),
    };
    let Some(numbers) = numbers else {
        return number_texts(texts, order);
    };
    let canonical = |i: usize| match &integers {
        Some(values) => values[i].to_string(),
        None => numbers[i].to_string(),
    };
    let value = |id: usize| match &integers {
        Some(values) => values[id] as u64,
        None => numbers[id].to_bits(),
    };
    // One representative per value, in first-seen order, then by value unless asked not to
    // (integers 0..k always: they are the class indices).
    let mut class_of_value: HashMap<u64, usize> = HashMap::new();
    let mut values: Vec<usize> = Vec::new();
    let class_of_id: Vec<usize> = (0..texts.len())
        .map(|id| {
            *class_of_value.entry(value(id)).or_insert_with(|| {
                values.push(id);
                values.len() - 1
            })
        })
        .collect();
    let indices = integers.as_ref().is_some_and(|v| {
        values
            .iter()
            .all(|&id| (0..values.len() as i64).contains(&v[id]))
    });
    let mut order_of: Vec<usize> = (0..values.len()).collect();
    if order == LabelOrder::Sorted || indices {
        order_of.sort_by(|&a, &b| numbers[values[a]].total_cmp(&numbers[values[b]]));
    }
    let mut rank = vec![0; values.len()];
    for (position, &class) in order_of.iter().enumerate() {
        rank[class] = position;
    }
    let class_of_id = class_of_id.iter().map(|&class| rank[class]).collect();
    let names = order_of
        .iter()
        .map(|&class| canonical(values[class]))
        .collect();
    (class_of_id, names)
}

/// [`number_classes`] for labels that are not all numbers: classes by text, sorted or in
/// first-seen order.
fn number_texts(texts: &[String], order: LabelOrder) -> (Vec<usize>, Vec<String>) {
    let mut ids: Vec<usize> = (0..texts.len()).collect();
    if order == LabelOrder::Sorted {
        ids.sort_by(|&a, &b| texts[a].cmp(&texts[b]));
    }
    let mut class_of_id = vec![0; texts.len()];
    for (class, &id) in ids.iter().enumerate() {
        class_of_id[id] = class;
    }
    let names = ids.iter().map(|&id| texts[id].clone()).collect();
    (class_of_id, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, options: &CsvOptions) -> Result<Dataset, DataError> {
        parse_csv(text.as_bytes(), "t.csv", options)
    }

    #[test]
    fn integer_labels_keep_their_values() {
        let ds = parse("a,label\n1,2\n2,0\n3,1\n4,02\n", &CsvOptions::default()).unwrap();
        assert_eq!(ds.labels(), &[2, 0, 1, 2]);
        assert_eq!(ds.class_names(), &["0", "1", "2"]);
    }

    /// Numbers are classes by value: `1`, `01` and `1.0` are one class, named `1`, as
    /// `0` and `-0.0` are; other numbers keep their order by value.
    #[test]
    fn numeric_labels_are_classes_by_value() {
        let ds = parse(
            "a,label\n1,0\n2,1\n3,1.0\n4,0.0\n5,01\n6,-0\n",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(ds.class_names(), &["0", "1"]);
        assert_eq!(ds.labels(), &[0, 1, 1, 0, 1, 0]);
        let ds = parse(
            "a,label\n1,2.5\n2,-1\n3,2.50\n4,10\n",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(ds.class_names(), &["-1", "2.5", "10"]);
        assert_eq!(ds.labels(), &[1, 0, 1, 2]);
        let options = CsvOptions::default().with_label_order(LabelOrder::FirstSeen);
        let ds = parse("a,label\n1,2.5\n2,-1\n3,2.50\n4,1e1\n", &options).unwrap();
        assert_eq!(ds.class_names(), &["2.5", "-1", "10"]);
        assert_eq!(ds.labels(), &[0, 1, 0, 2]);
        // 0..k stay the class indices whatever the order asked for.
        let ds = parse("a,label\n1,2\n2,0\n3,1\n", &options).unwrap();
        assert_eq!(
            (ds.class_names(), ds.labels()),
            (
                &["0".to_string(), "1".into(), "2".into()][..],
                &[2, 0, 1][..]
            )
        );
    }

    #[test]
    fn string_labels_first_seen_and_sorted() {
        let text = "a,label\n1,b\n2,c\n3,a\n4,b\n";
        let sorted = parse(text, &CsvOptions::default()).unwrap();
        assert_eq!(sorted.class_names(), &["a", "b", "c"]);
        assert_eq!(sorted.labels(), &[1, 2, 0, 1]);
        let options = CsvOptions::default().with_label_order(LabelOrder::FirstSeen);
        let first = parse(text, &options).unwrap();
        assert_eq!(first.class_names(), &["b", "c", "a"]);
        assert_eq!(first.labels(), &[0, 1, 2, 0]);
    }

    #[test]
    fn numeric_labels_not_starting_at_zero_sort_numerically() {
        let ds = parse("a,label\n1,10\n2,9\n3,1\n", &CsvOptions::default()).unwrap();
        assert_eq!(ds.class_names(), &["1", "9", "10"]);
        assert_eq!(ds.labels(), &[2, 1, 0]);
    }

    #[test]
    fn target_by_name_in_the_middle() {
        let options = CsvOptions::default().with_target("y");
        let ds = parse("a,y,b\n1,0,2\n3,1,4\n", &options).unwrap();
        assert_eq!(ds.feature_names(), &["a", "b"]);
        assert_eq!(ds.target_name(), "y");
        assert_eq!(ds.features(), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(ds.labels(), &[0, 1]);
    }

    #[test]
    fn quotes_whitespace_blank_lines_bom_and_crlf() {
        let text = "\u{feff}\"a\", b ,label\r\n\r\n 1.5 ,\"2\",x\r\n3,-4e1,y\r\n";
        let ds = parse(text, &CsvOptions::default()).unwrap();
        assert_eq!(ds.feature_names(), &["a", "b"]);
        assert_eq!(ds.features(), &[1.5, 2.0, 3.0, -40.0]);
        assert_eq!(ds.len(), 2);
    }

    /// UTF-16 text as Windows' "Unicode text" saves it, with or without a byte order mark.
    fn utf16(text: &str, big_endian: bool, byte_order_mark: bool) -> Vec<u8> {
        let units = byte_order_mark
            .then_some(0xFEFF)
            .into_iter()
            .chain(text.encode_utf16());
        units
            .flat_map(|u| match big_endian {
                true => u.to_be_bytes(),
                false => u.to_le_bytes(),
            })
            .collect()
    }

    #[test]
    fn utf16_is_named_with_how_to_convert_it() {
        let text = "a,b,label\r\n1,2,x\r\n3,4,y\r\n";
        let cases = [
            (
                false,
                true,
                "(it starts with the byte order mark ff fe)",
                "-f utf-16 ",
            ),
            (
                true,
                true,
                "(it starts with the byte order mark fe ff)",
                "-f utf-16 ",
            ),
            (
                false,
                false,
                "(every other byte of its first line is 0)",
                "-f utf-16le ",
            ),
            (
                true,
                false,
                "(every other byte of its first line is 0)",
                "-f utf-16be ",
            ),
        ];
        for (big_endian, byte_order_mark, evidence, iconv) in cases {
            let bytes = utf16(text, big_endian, byte_order_mark);
            let err = parse_csv(&bytes, "u.csv", &CsvOptions::default())
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!(
                    "u.csv: the file looks like UTF-16 text {evidence}, not UTF-8; save it as \
                     UTF-8 (iconv {iconv}"
                )),
                "{big_endian} {byte_order_mark}: {err}"
            );
        }
        // Not the Latin-1 hint, not for UTF-8 with a byte order mark, not for NUL in a cell.
        let ok = parse("\u{feff}a,b,label\n1,2,x\n3,4,y\n", &CsvOptions::default());
        assert_eq!(ok.unwrap().feature_names(), ["a", "b"]);
        let err = parse("a,b,label\n1,2,x\0\n3,4,y\n", &CsvOptions::default());
        assert!(!matches!(err, Err(DataError::Utf16 { .. })), "{err:?}");
    }

    #[test]
    fn a_utf8_byte_order_mark_is_not_part_of_the_first_name() {
        let options = CsvOptions::default().with_target("label");
        let ds = parse("\u{feff}label,a\nx,1\ny,2\n", &options).unwrap();
        assert_eq!(ds.target_name(), "label");
        assert_eq!(ds.feature_names(), ["a"]);
    }

    #[test]
    fn labels_that_print_alike_are_refused_with_their_lines() {
        let text = "a,species\n1,setosa\n2,virginica\n3,setosa\u{a0}\n4,setosa\n5,set\u{200b}osa\n";
        let err = parse(text, &CsvOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: column 2 (species): the labels \"setosa\" (first on line 2), \
             \"setosa\\u{a0}\" (first on line 4) and \"set\\u{200b}osa\" (first on line 6) \
             differ only in invisible characters or kinds of space, so they would be 3 \
             classes that print alike; make them one label in the file (or visibly different \
             ones)"
        );
        // NUL, a byte order mark, the other zero-width characters, a space of another kind
        // inside a label: each is caught, and numbers are no exception.
        for (a, b) in [
            ("x", "x\0"),
            ("x", "\u{feff}x"),
            ("x", "x\u{200c}"),
            ("x", "x\u{200d}"),
            ("iris setosa", "iris\u{a0}setosa"),
            ("1", "1\u{a0}"),
        ] {
            let text = format!("a,label\n1,{a}\n2,{b}\n3,y\n");
            let err = parse(&text, &CsvOptions::default()).unwrap_err();
            assert!(
                matches!(&err, DataError::LookAlikeLabels { labels, .. }
                    if labels == &[(a.to_string(), 2), (b.to_string(), 3)]),
                "{a:?} {b:?}: {err}"
            );
        }
        // Visibly different labels are fine, however close.
        let ds = parse("a,label\n1,x\n2,X\n3,x.\n4,x y\n", &CsvOptions::default()).unwrap();
        assert_eq!(ds.n_classes(), 4);
    }

    #[test]
    fn line_numbers_count_blank_lines() {
        let err = parse("a,label\n1,0\n\n\nx,1\n", &CsvOptions::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("t.csv: line 5, column 1 (a)"),
            "{err}"
        );
    }

    /// Each row knows its line: blank lines and quoted line breaks are counted.
    #[test]
    fn rows_keep_their_lines() {
        let text = "\na,label\n1,x\n\n\"2\n\",y\n3,x\n";
        let ds = parse(text, &CsvOptions::default()).unwrap();
        assert_eq!(ds.lines(), Some(&[3, 5, 7][..]));
    }

    #[test]
    fn line_numbers_with_crlf_and_leading_blank_lines() {
        let err = parse(
            "\r\na,label\r\n1,0\r\n\r\n2,1\r\nx,1\r\n",
            &CsvOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("t.csv: line 6, column 1 (a)"),
            "{err}"
        );
        let err = parse("a,label\n1,0\n2,1\n3\n", &CsvOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv: line 4, column 2 (label)"),
            "{err}"
        );
    }

    #[test]
    fn f32_overflow_is_non_finite() {
        let err = parse("a,label\n1e300,0\n1,1\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, DataError::NonFinite { line: 2, .. }), "{err}");
    }

    #[test]
    fn only_target_column_is_no_features() {
        let err = parse("label\n0\n1\n", &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(err, DataError::NoFeatures { column: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn the_target_cannot_be_a_requested_feature() {
        let options = CsvOptions::default().with_features(vec!["a".into(), "b".into()]);
        let err = parse("label,a,b\nx,1,2\ny,3,4\n", &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 1, column 3 (b): the last column is taken as the label (no target \
             column was named), but it is also one of the features asked for; name the label \
             column"
        );
    }

    #[test]
    fn one_class_only_when_allowed() {
        let text = "a,label\n1,x\n2,x\n";
        let err = parse(text, &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, DataError::TooFewClasses { .. }), "{err}");
        let options = CsvOptions {
            min_classes: 1,
            ..CsvOptions::default()
        };
        assert_eq!(parse(text, &options).unwrap().class_names(), ["x"]);
    }

    #[test]
    fn empty_label_cell_is_missing_value() {
        let err = parse("a,label\n1,\n2,1\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 2, column 2 (label): the cell is empty"
        );
    }
}
