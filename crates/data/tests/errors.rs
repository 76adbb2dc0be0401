//! One test per error kind of the CSV and IDX readers: each error names the file, and for
//! CSV cells the 1-based line (header = line 1) and column (with its header name) and value.

use std::io::Write;
use std::path::{Path, PathBuf};

use data::{parse_csv, parse_idx_images, parse_idx_labels, CsvOptions, DataError};

fn csv_err(text: &str, options: &CsvOptions) -> DataError {
    csv_err_bytes(text.as_bytes(), options)
}

fn csv_err_bytes(bytes: &[u8], options: &CsvOptions) -> DataError {
    parse_csv(bytes, "iris.csv", options).expect_err("the CSV should be rejected")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A scratch directory of this test binary, unique per test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("data-errors")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const HEADER: &str = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n";

// ---- CSV ----

#[test]
fn csv_empty_file() {
    let err = csv_err("", &CsvOptions::default());
    assert!(matches!(err, DataError::Empty { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1: the file is empty; expected a header row"
    );
}

#[test]
fn csv_blank_lines_only() {
    for (text, lines) in [
        ("\n\n", "2 lines"),
        ("\r\n", "line"),
        (" \n\t\n\n", "3 lines"),
    ] {
        let err = csv_err(text, &CsvOptions::default());
        assert!(matches!(err, DataError::BlankLines { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("iris.csv: the file holds only blank {lines}; expected a header row")
        );
    }
}

#[test]
fn csv_semicolons_and_tabs_are_recognised_and_readable() {
    let semicolons = "a;b;label\n1;2;x\n3;4;y\n";
    let err = csv_err(semicolons, &CsvOptions::default());
    assert!(
        matches!(
            err,
            DataError::WrongDelimiter {
                delimiter: b',',
                found: b';',
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1: the header is a single column that holds semicolons: the file \
         looks semicolon-separated, not comma-separated; read it with the delimiter ';'"
    );
    let ds = parse_csv(
        semicolons.as_bytes(),
        "semi.csv",
        &CsvOptions::default().with_delimiter(b';'),
    )
    .unwrap();
    assert_eq!(ds.features(), &[1.0, 2.0, 3.0, 4.0]);

    let tabs = "a\tb\tlabel\n1\t2\tx\n3\t4\ty\n";
    let err = csv_err(tabs, &CsvOptions::default());
    assert!(
        err.to_string().contains("the file looks tab-separated"),
        "{err}"
    );
    assert!(err.to_string().ends_with("with the delimiter tab"), "{err}");
    let ds = parse_csv(
        tabs.as_bytes(),
        "t.tsv",
        &CsvOptions::default().with_delimiter(b'\t'),
    );
    assert_eq!(ds.unwrap().len(), 2);
    // Read with the wrong delimiter the other way round.
    let err = csv_err(
        "a,b,label\n1,2,x\n",
        &CsvOptions::default().with_delimiter(b';'),
    );
    assert!(
        err.to_string()
            .contains("looks comma-separated, not semicolon-separated"),
        "{err}"
    );
}

#[test]
fn csv_decimal_commas_get_a_hint() {
    let text = "a;b;label\n1,5;2;x\n3;4;y\n";
    let err = parse_csv(
        text.as_bytes(),
        "eu.csv",
        &CsvOptions::default().with_delimiter(b';'),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "eu.csv: line 2, column 1 (a): \"1,5\" is not a number (a decimal comma? numbers need \
         a decimal point)"
    );
}

#[test]
fn csv_unclosed_quote_names_the_line_where_it_opened() {
    let cases = [
        // A quote opened on line 3, the file ending with or without a line break.
        ("a,b,label\n1,2,x\n3,\"4,y\n5,6,x\n", 3),
        ("a,b,label\n1,2,x\n3,\"4,y\n5,6,x", 3),
        // A quoted line break is fine; the unclosed quote comes later in the same record.
        ("a,b,label\n1,2,x\n3,\"4\n\",\"y\n5,6,x\n", 4),
    ];
    for (text, line) in cases {
        let err = csv_err(text, &CsvOptions::default());
        assert!(
            matches!(err, DataError::UnclosedQuote { line: l, .. } if l == line),
            "{text:?}: {err:?}"
        );
        assert!(
            err.to_string().starts_with(&format!(
                "iris.csv: line {line}: a quote opened on this line is never closed"
            )),
            "{err}"
        );
    }
    // Closed quotes spanning lines, and a last line without a line break, are fine.
    let ds = parse_csv(
        b"a,label\n\"1\",\"x\ny\"\n2,z",
        "ok.csv",
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(ds.class_names(), &["x\ny", "z"]);
}

#[test]
fn csv_trailing_commas_are_named() {
    let err = csv_err("a,b,label,\n1,2,x,\n3,4,y,\n", &CsvOptions::default());
    assert!(
        matches!(
            err,
            DataError::UnnamedColumn {
                column: 4,
                last: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1, column 4: the column has no name (does the header end with a \
         trailing comma?)"
    );
    let err = csv_err("a,b,label\n1,2,x\n3,4,y,\n", &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        "iris.csv: line 3, column 4: the row has 4 fields but the header has 3 (the last one is \
         empty: a trailing comma?)"
    );
    // pandas' unnamed index column.
    let err = csv_err(",a,label\n0,1,x\n1,2,y\n", &CsvOptions::default());
    assert!(
        err.to_string().contains("a row index, as pandas writes"),
        "{err}"
    );
}

#[test]
fn csv_duplicate_column_names() {
    let err = csv_err("a,b,a,label\n1,2,3,x\n4,5,6,y\n", &CsvOptions::default());
    assert!(
        matches!(&err, DataError::DuplicateColumn { name, columns, .. } if name == "a" && columns == &[1, 3]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1: the column name \"a\" is used 2 times (columns 1, 3); a column name \
         must say which column it means"
    );
    // Also when the duplicated name is the target asked for.
    let err = csv_err(
        "label,a,label\n1,2,x\n4,5,y\n",
        &CsvOptions::default().with_target("label"),
    );
    assert!(matches!(err, DataError::DuplicateColumn { .. }), "{err:?}");
    // A duplicated name among columns that are not read is harmless.
    let options = CsvOptions::default().with_features(vec!["a".into()]);
    let ds = parse_csv(b"a,note,note,label\n1,p,q,x\n2,r,s,y\n", "ok.csv", &options).unwrap();
    assert_eq!(ds.features(), &[1.0, 2.0]);
}

#[test]
fn csv_latin1_is_refused_not_merged() {
    // "caf\xe9" and "caf\xe8" would both decode lossily to "caf\u{fffd}": one class.
    let mut bytes = b"a,label\n1,caf".to_vec();
    bytes.extend([0xe9, b'\n']);
    bytes.extend(b"2,caf");
    bytes.extend([0xe8, b'\n']);
    let err = parse_csv(&bytes, "latin1.csv", &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::NotUtf8 {
                line: 2,
                column: 2,
                byte: 0xe9,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "latin1.csv: line 2, column 2 (label): the text is not UTF-8 (byte 0xe9); re-encode the \
         file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8 IN > OUT)"
    );
    let mut header = b"caf".to_vec();
    header.extend([0xe9]);
    header.extend(b",label\n1,x\n2,y\n");
    let err = parse_csv(&header, "latin1.csv", &CsvOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("latin1.csv: line 1, column 1: the text is not UTF-8"),
        "{err}"
    );
}

#[test]
fn csv_selected_features_ignore_other_columns_and_name_all_missing() {
    let text = "id,b,label,a\nx7,2,yes,1\nx8,4,no,3\n";
    let options = CsvOptions::default()
        .with_target("label")
        .with_features(vec!["a".into(), "b".into()]);
    let ds = parse_csv(text.as_bytes(), "new.csv", &options).unwrap();
    assert_eq!(ds.feature_names(), &["a", "b"]);
    assert_eq!(ds.features(), &[1.0, 2.0, 3.0, 4.0]);
    let options = options.with_features(vec!["a".into(), "c".into(), "d".into()]);
    let err = parse_csv(text.as_bytes(), "new.csv", &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "new.csv: line 1: no columns named \"c\", \"d\" (the columns are: id, b, label, a)"
    );
}

#[test]
fn csv_line_numbers_count_quoted_line_breaks_and_blank_lines() {
    let text = "a,label\n\n1,\"multi\nline\"\n\n\nx,y\n";
    let err = csv_err(text, &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        "iris.csv: line 7, column 1 (a): \"x\" is not a number"
    );
}

#[test]
fn csv_limits_stop_a_gzip_bomb_and_endless_lines() {
    // 100 MB of rows in about 100 KB.
    let bomb = gzip(&b"1,2,x\n3,4,y\n".repeat(8_000_000));
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let limits = data::ReadLimits::default().with_max_bytes(10_000_000);
    let err = csv_err_bytes(&bomb, &CsvOptions::default().with_limits(limits));
    assert!(
        matches!(
            err,
            DataError::TooLarge {
                limit: 10_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("iris.csv: more than 10000000 bytes of data (9.5 MiB)"),
        "{err}"
    );
    // A line without end, and a quote without end over many lines.
    let endless = gzip(&vec![b'7'; 20 << 20]);
    let mut unclosed = b"a,label\n1,\"x\n".to_vec();
    unclosed.extend(b"2,y\n".repeat(5 << 20));
    for (bytes, start, quote) in [(endless, 1, None), (unclosed, 2, Some(2))] {
        match csv_err_bytes(&bytes, &CsvOptions::default()) {
            DataError::LineTooLong {
                line, open_quote, ..
            } => assert_eq!((line, open_quote), (start, quote)),
            other => panic!("expected LineTooLong, got {other:?}"),
        }
    }
}

#[test]
fn csv_header_only() {
    let err = csv_err(HEADER, &CsvOptions::default());
    assert!(matches!(err, DataError::HeaderOnly { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1: the file has a header row but no data rows"
    );
}

#[test]
fn csv_ragged_row_short_and_long() {
    let text = format!("{HEADER}5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,1\n");
    let err = csv_err(&text, &CsvOptions::default());
    match &err {
        DataError::RaggedRow {
            file,
            line,
            column,
            column_name,
            expected,
            found,
            trailing_comma,
        } => {
            assert_eq!(file, "iris.csv");
            assert_eq!((*line, *column, *expected, *found), (3, 5, 5, 4));
            assert!(!trailing_comma);
            assert_eq!(column_name.as_deref(), Some("label"));
        }
        other => panic!("wrong error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "iris.csv: line 3, column 5 (label): the row has 4 fields but the header has 5"
    );

    let text = format!("{HEADER}5.1,3.5,1.4,0.2,0,9\n");
    let err = csv_err(&text, &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        "iris.csv: line 2, column 6: the row has 6 fields but the header has 5"
    );
}

#[test]
fn csv_non_numeric_feature() {
    let rows = "5.1,3.5,1.4,0.2,0\n".repeat(5);
    let text = format!("{HEADER}{rows}4.9,3.0,abc,0.2,1\n");
    let err = csv_err(&text, &CsvOptions::default());
    match &err {
        DataError::NotANumber {
            file,
            line,
            column,
            column_name,
            value,
        } => {
            assert_eq!(file, "iris.csv");
            assert_eq!((*line, *column), (7, 3));
            assert_eq!(column_name, "petal_length_cm");
            assert_eq!(value, "abc");
        }
        other => panic!("wrong error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        r#"iris.csv: line 7, column 3 (petal_length_cm): "abc" is not a number"#
    );
}

#[test]
fn csv_nan_and_infinite_cells() {
    for (value, column, name) in [
        ("NaN", 1, "sepal_length_cm"),
        ("nan", 2, "sepal_width_cm"),
        ("inf", 3, "petal_length_cm"),
        ("-infinity", 4, "petal_width_cm"),
        ("3.5e38", 1, "sepal_length_cm"),
    ] {
        let mut cells = ["1"; 4];
        cells[column - 1] = value;
        let text = format!("{HEADER}1,2,3,4,0\n{},1\n", cells.join(","));
        let err = csv_err(&text, &CsvOptions::default());
        assert!(
            matches!(&err, DataError::NonFinite { line: 3, column: c, .. } if *c == column),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "iris.csv: line 3, column {column} ({name}): \"{value}\" is not a finite 32-bit number"
            )
        );
    }
}

#[test]
fn csv_empty_cell() {
    let text = format!("{HEADER}1,2,3,4,0\n1,,3,4,1\n");
    let err = csv_err(&text, &CsvOptions::default());
    assert!(
        matches!(
            err,
            DataError::MissingValue {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: line 3, column 2 (sepal_width_cm): the cell is empty"
    );
}

#[test]
fn csv_missing_target_column() {
    let text = format!("{HEADER}1,2,3,4,0\n");
    let err = csv_err(&text, &CsvOptions::default().with_target("species"));
    assert!(
        matches!(&err, DataError::MissingTargetColumn { target, columns, .. }
            if target == "species" && columns.len() == 5),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1: no target column named \"species\" (the columns are: \
         sepal_length_cm, sepal_width_cm, petal_length_cm, petal_width_cm, label)"
    );
}

#[test]
fn csv_fewer_than_two_classes() {
    let text = format!("{HEADER}1,2,3,4,setosa\n5,6,7,8,setosa\n1,1,1,1,setosa\n");
    let err = csv_err(&text, &CsvOptions::default());
    assert!(
        matches!(&err, DataError::TooFewClasses { column: 5, last_line: 4, classes, .. }
            if classes == &["setosa"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "iris.csv: lines 2-4, column 5 (label): only one class (\"setosa\") found; \
         classification needs at least two"
    );
}

#[test]
fn csv_no_feature_columns() {
    let err = csv_err("label\n0\n1\n", &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        "iris.csv: line 1, column 1 (label): the target is the only column, so there are no features"
    );
}

#[test]
fn csv_broken_gzip() {
    let mut gz = gzip(HEADER.as_bytes());
    gz.truncate(gz.len() / 2);
    let err = parse_csv(&gz, "iris.csv", &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Decompress { .. }), "{err:?}");
    assert!(err.to_string().starts_with("iris.csv: "), "{err}");
}

#[test]
fn csv_gzip_detected_by_content_not_name() {
    let text = format!("{HEADER}1,2,3,4,0\n5,6,7,8,1\n");
    let dir = scratch("gzip_by_content");
    // Gzipped data under a plain name, plain data under a .gz name.
    std::fs::write(dir.join("plain_name.csv"), gzip(text.as_bytes())).unwrap();
    std::fs::write(dir.join("gz_name.csv.gz"), &text).unwrap();
    for name in ["plain_name.csv", "gz_name.csv.gz"] {
        let ds = data::read_csv(dir.join(name), &CsvOptions::default()).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.row(1), &[5.0, 6.0, 7.0, 8.0]);
    }
}

#[test]
fn csv_errors_from_files_name_the_path() {
    let dir = scratch("path_in_errors");
    let path = dir.join("bad.csv");
    std::fs::write(&path, "a,b,label\n1,x,0\n").unwrap();
    let err = data::read_csv(&path, &CsvOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 2, column 2 (b): \"x\" is not a number",
            path.display()
        )
    );
    assert_eq!(err.file(), Some(path.display().to_string().as_str()));
}

#[test]
fn missing_file_is_io_error() {
    let path = scratch("missing").join("nope.csv");
    let err = data::read_csv(&path, &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with(&format!("{}: cannot read: ", path.display())));
    assert!(std::error::Error::source(&err).is_some());
}

// ---- IDX ----

fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn idx_bad_magic() {
    let labels = idx(0x801, &[2], &[1, 2]);
    let err = parse_idx_images(&labels, "t10k-labels-idx1-ubyte").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadMagic {
                expected: 0x803,
                found: 0x801,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "t10k-labels-idx1-ubyte: bytes 0-3: magic number 0x00000801 is not the IDX magic \
         number 0x00000803"
    );
    let err = parse_idx_labels(&idx(0x803, &[1, 1, 1], &[0]), "images").unwrap_err();
    assert!(matches!(
        err,
        DataError::BadMagic {
            expected: 0x801,
            ..
        }
    ));
    // A text file is not IDX either.
    let err = parse_idx_labels(b"a,b,label\n", "x.csv").unwrap_err();
    assert!(matches!(err, DataError::BadMagic { .. }), "{err:?}");
}

#[test]
fn idx_truncated_data_and_header() {
    let err = parse_idx_images(&idx(0x803, &[2, 2, 2], &[0; 7]), "img").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::IdxLength {
                expected: Some(24),
                found: 23,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "img: truncated: a header claiming 2 images of 2x2 needs 24 bytes but the file has only 23"
    );
    let err = parse_idx_labels(&idx(0x801, &[5], &[1, 2]), "lab").unwrap_err();
    assert_eq!(
        err.to_string(),
        "lab: truncated: a header claiming 5 labels needs 13 bytes but the file has only 10"
    );
    let err = parse_idx_images(&[0, 0, 8, 3, 0, 0, 0], "short").unwrap_err();
    assert_eq!(
        err.to_string(),
        "short: truncated: an IDX image header needs 16 bytes but the file has only 7"
    );
    let err = parse_idx_labels(&[], "empty").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::IdxLength {
                expected: Some(8),
                found: 0,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn idx_oversized() {
    let err = parse_idx_labels(&idx(0x801, &[2], &[1, 2, 3, 4]), "lab").unwrap_err();
    assert_eq!(
        err.to_string(),
        "lab: 2 unexpected trailing bytes: a header claiming 2 labels needs 10 bytes but the file has 12"
    );
    // Also when gzipped: the length is that of the decompressed data.
    let gz = gzip(&idx(0x803, &[1, 2, 2], &[9; 1000]));
    let err = parse_idx_images(&gz, "img.gz").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::IdxLength {
                expected: Some(20),
                found: 1016,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn idx_huge_claimed_size_is_an_error_without_allocating() {
    // 4 billion images of 65535x65535 pixels: far more than any memory. The reader must
    // compare the claim with the real length instead of allocating for it.
    let bytes = idx(0x803, &[u32::MAX, 65_535, 65_535], &[0; 100]);
    let err = parse_idx_images(&bytes, "huge").unwrap_err();
    assert!(
        matches!(err, DataError::IdxLength { found: 116, .. }),
        "{err:?}"
    );
    let bytes = idx(0x801, &[u32::MAX], &[0; 100]);
    let err = parse_idx_labels(&gzip(&bytes), "huge-labels.gz").unwrap_err();
    assert_eq!(
        err.to_string(),
        "huge-labels.gz: truncated: a header claiming 4294967295 labels needs 4294967303 bytes \
         but the file has only 108"
    );
}

#[test]
fn idx_zero_sized_images() {
    let err = parse_idx_images(&idx(0x803, &[1000, 0, 28], &[]), "img").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadDimensions {
                rows: 0,
                cols: 28,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("img: bytes 8-15: "), "{err}");
}

#[test]
fn idx_broken_gzip() {
    let mut gz = gzip(&idx(0x801, &[3], &[1, 2, 3]));
    gz.truncate(12);
    let err = parse_idx_labels(&gz, "lab.gz").unwrap_err();
    assert!(matches!(err, DataError::Decompress { .. }), "{err:?}");
    assert!(err.to_string().starts_with("lab.gz: "), "{err}");
}

#[test]
fn idx_images_and_labels_disagree_in_count() {
    let images = parse_idx_images(&idx(0x803, &[3, 1, 1], &[0, 1, 2]), "images").unwrap();
    let labels = parse_idx_labels(&idx(0x801, &[2], &[0, 1]), "labels").unwrap();
    let err = images.with_labels(labels).unwrap_err();
    assert_eq!(
        err.to_string(),
        "images holds 3 images but labels holds 2 labels"
    );
}

#[test]
fn mnist_dir_mismatched_counts_names_both_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist5k");
    let dir = scratch("mismatch");
    for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
        std::fs::copy(src.join(name), dir.join(name)).unwrap();
    }
    // The 4,000-image training images paired with the 1,000 test labels.
    std::fs::copy(
        src.join("train-images-idx3-ubyte.gz"),
        dir.join("t10k-images-idx3-ubyte.gz"),
    )
    .unwrap();
    std::fs::copy(
        src.join("t10k-labels-idx1-ubyte.gz"),
        dir.join("t10k-labels-idx1-ubyte.gz"),
    )
    .unwrap();
    let err = data::read_mnist_dir(&dir).unwrap_err();
    let images = dir.join("t10k-images-idx3-ubyte.gz");
    let labels = dir.join("t10k-labels-idx1-ubyte.gz");
    assert_eq!(
        err.to_string(),
        format!(
            "{} holds 4000 images but {} holds 1000 labels",
            images.display(),
            labels.display()
        )
    );
}

#[test]
fn mnist_dir_with_images_of_two_sizes_names_both_files() {
    let dir = scratch("sizes");
    let image_file = |count: u32, side: u32| {
        let pixels = vec![0u8; (count * side * side) as usize];
        gzip(&idx(0x803, &[count, side, side], &pixels))
    };
    let labels = |count: u32| gzip(&idx(0x801, &[count], &vec![1; count as usize]));
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), image_file(3, 28)).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), labels(3)).unwrap();
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), image_file(2, 20)).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte.gz"), labels(2)).unwrap();
    let err = data::read_mnist_dir(&dir).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} holds images of 28x28 pixels but {} holds images of 20x20; training and test \
             images must have the same size",
            dir.join("train-images-idx3-ubyte.gz").display(),
            dir.join("t10k-images-idx3-ubyte.gz").display()
        )
    );
}

/// A label that only the test set holds is a class of the training set too (with no
/// rows): the two sets share one list of classes, so a model of the training set knows it.
#[test]
fn mnist_dir_gives_both_sets_the_classes_of_either() {
    let dir = scratch("classes");
    let images = |count: u32| gzip(&idx(0x803, &[count, 2, 2], &vec![0; 4 * count as usize]));
    let labels = |values: &[u8]| gzip(&idx(0x801, &[values.len() as u32], values));
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), images(3)).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), labels(&[0, 1, 2])).unwrap();
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), images(2)).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte.gz"), labels(&[1, 12])).unwrap();
    let split = data::read_mnist_dir(&dir).unwrap();
    let names: Vec<String> = (0..13).map(|c| c.to_string()).collect();
    assert_eq!(split.train.class_names(), &names[..]);
    assert_eq!(split.test.class_names(), &names[..]);
    assert_eq!(split.test.labels(), &[1, 12]);
}

#[test]
fn idx_gzip_bomb_is_stopped_at_the_limit() {
    // A header claiming 10 million labels, and 10 MB of zeros behind it, in 10 KB.
    let bomb = gzip(&idx(0x801, &[10_000_000], &vec![0; 10_000_000]));
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    let dir = scratch("bomb");
    let path = dir.join("labels.gz");
    std::fs::write(&path, &bomb).unwrap();
    let limits = data::ReadLimits::default().with_max_bytes(1_000_000);
    let err = data::read_mnist_dir_within(&dir, limits).unwrap_err();
    assert!(matches!(err, DataError::NotFound { .. }), "{err:?}");
    for name in [
        "train-images-idx3-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    std::fs::rename(&path, dir.join("train-labels-idx1-ubyte.gz")).unwrap();
    std::fs::write(
        dir.join("train-images-idx3-ubyte.gz"),
        gzip(&idx(0x803, &[10_000_000, 1, 1], &vec![0; 10_000_000])),
    )
    .unwrap();
    let err = data::read_mnist_dir_within(&dir, limits).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TooLarge {
                limit: 1_000_000,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn devices_are_not_read() {
    let err = data::read_csv("/dev/zero", &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::NotAFile {
                what: "a character device",
                ..
            }
        ),
        "{err:?}"
    );
    let err = data::read_idx_labels("/dev/zero").unwrap_err();
    assert!(matches!(err, DataError::NotAFile { .. }), "{err:?}");
}

#[test]
fn mnist_dir_accepts_uncompressed_names_and_reports_missing_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist5k");
    let dir = scratch("uncompressed");
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        let gz = std::fs::read(src.join(format!("{name}.gz"))).unwrap();
        std::fs::write(dir.join(name), decompress(&gz)).unwrap();
    }
    let err = data::read_mnist_dir(&dir).unwrap_err();
    assert!(matches!(err, DataError::NotFound { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("MNIST file t10k-images-idx3-ubyte.gz not found; looked in: "),
        "{message}"
    );
    assert!(message.contains("t10k-images.idx3-ubyte"), "{message}");

    let gz = std::fs::read(src.join("t10k-images-idx3-ubyte.gz")).unwrap();
    std::fs::write(dir.join("t10k-images-idx3-ubyte"), decompress(&gz)).unwrap();
    assert_eq!(
        data::read_mnist_dir(&dir).unwrap(),
        data::bundled::mnist5k()
    );
}

fn decompress(gz: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .unwrap();
    out
}
