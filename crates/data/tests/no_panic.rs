//! The CSV and IDX parsers return `Ok` or `Err` on any input, never panic: random bytes,
//! CSV-like text, and truncations, byte flips and insertions in valid files (plain and
//! gzipped).

use std::io::Write;

use data::{
    parse_csv, parse_csv_columns, parse_idx_images, parse_idx_labels, ColumnSelection, CsvOptions,
    LabelOrder,
};
use proptest::prelude::*;

const VALID_CSV: &str = "a,b,label\n1.5,2,x\n-3,4e2,y\n\"5\", 6 ,x\n";

fn valid_images() -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
    bytes.extend(0..12u8);
    bytes
}

fn valid_labels() -> Vec<u8> {
    vec![0, 0, 8, 1, 0, 0, 0, 2, 7, 1]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Feeds `bytes` to every parser; only a panic fails (the result is ignored).
fn parse_everything(bytes: &[u8]) {
    for options in [
        CsvOptions::default(),
        CsvOptions::default().with_label_order(LabelOrder::FirstSeen),
        CsvOptions::default().with_target("a"),
    ] {
        if let Ok(ds) = parse_csv(bytes, "fuzz.csv", &options) {
            assert!(ds.n_classes() >= 2);
            assert!(ds.features().iter().all(|x| x.is_finite()));
            assert!(ds.labels().iter().all(|&l| l < ds.n_classes()));
        }
    }
    for columns in [
        vec!["a".to_string()],
        vec!["b".to_string(), "a".to_string()],
    ] {
        let selection = ColumnSelection::features(&columns).with_id("label");
        let options = CsvOptions::default();
        if let Ok(table) = parse_csv_columns(bytes, "fuzz.csv", &selection, &options) {
            assert_eq!(table.features.len(), table.rows * columns.len());
            assert!(table.features.iter().all(|x| x.is_finite()));
            assert_eq!(table.ids.map(|ids| ids.len()), Some(table.rows));
        }
    }
    if let Ok(images) = parse_idx_images(bytes, "fuzz-images") {
        assert_eq!(
            images.pixels.len(),
            images.count * images.rows * images.cols
        );
        assert!(images.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    if let Ok(labels) = parse_idx_labels(bytes, "fuzz-labels") {
        assert!(labels.labels.len() <= bytes.len());
    }
}

/// Applies a list of edits: (position, kind, byte) with kind 0 = flip, 1 = insert,
/// 2 = delete; positions wrap around the current length.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(pos, kind, byte) in edits {
        if bytes.is_empty() {
            bytes.push(byte);
            continue;
        }
        let pos = pos % bytes.len();
        match kind % 3 {
            0 => bytes[pos] ^= byte.max(1),
            1 => bytes.insert(pos, byte),
            _ => {
                bytes.remove(pos);
            }
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)
}

proptest! {
    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        parse_everything(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_magic_number(
        magic in prop_oneof![
            Just(vec![0, 0, 8, 3]),
            Just(vec![0, 0, 8, 1]),
            Just(vec![0x1f, 0x8b]),
        ],
        rest in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut bytes = magic;
        bytes.extend(rest);
        parse_everything(&bytes);
    }

    #[test]
    fn csv_like_text(text in "[a-c0-9 .,eE+\\-\"\n\r]{0,300}") {
        parse_everything(text.as_bytes());
    }

    #[test]
    fn truncated_valid_files(cut in 0usize..1000) {
        for valid in [VALID_CSV.as_bytes().to_vec(), valid_images(), valid_labels()] {
            for bytes in [valid.clone(), gzip(&valid)] {
                let cut = cut % (bytes.len() + 1);
                parse_everything(&bytes[..cut]);
            }
        }
    }

    #[test]
    fn mutated_valid_csv(edits in edits(), gzipped in any::<bool>()) {
        let bytes = mutate(VALID_CSV.as_bytes().to_vec(), &edits);
        parse_everything(&if gzipped { gzip(&bytes) } else { bytes });
    }

    #[test]
    fn mutated_gzipped_csv(edits in edits()) {
        parse_everything(&mutate(gzip(VALID_CSV.as_bytes()), &edits));
    }

    #[test]
    fn mutated_valid_idx(edits in edits(), gzipped in any::<bool>()) {
        for valid in [valid_images(), valid_labels()] {
            let bytes = mutate(valid, &edits);
            parse_everything(&if gzipped { gzip(&bytes) } else { bytes });
        }
    }

    #[test]
    fn mutated_gzipped_idx(edits in edits()) {
        for valid in [valid_images(), valid_labels()] {
            parse_everything(&mutate(gzip(&valid), &edits));
        }
    }
}

#[test]
fn the_valid_inputs_are_valid() {
    let ds = parse_csv(VALID_CSV.as_bytes(), "v.csv", &CsvOptions::default()).unwrap();
    assert_eq!(ds.len(), 3);
    let images = parse_idx_images(&gzip(&valid_images()), "i").unwrap();
    let labels = parse_idx_labels(&valid_labels(), "l").unwrap();
    assert_eq!(images.with_labels(labels).unwrap().labels(), &[7, 1]);
}
