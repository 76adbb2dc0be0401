//! `tapegrad split`: the stratified train/test split of a data set as `train.csv` and
//! `test.csv`, for baselines outside tapegrad.

use crate::cli::{HoldOutArgs, SplitArgs};
use crate::error::{CliError, Result};
use crate::output::{Files, OutputSet};
use crate::source::{Reading, Source, Spec};
use data::Dataset;
use std::io::{self, Write};

/// Runs `tapegrad split`.
pub fn run(args: &SplitArgs) -> Result<()> {
    let spec = Spec::classify(&args.data.data)?;
    let dir = &args.out_dir;
    let outputs = [dir.join("train.csv"), dir.join("test.csv")];
    let mut files = Files::new();
    for path in spec.files() {
        files.input("the data", path);
    }
    files.output("the training part", &outputs[0]);
    files.output("the test part", &outputs[1]);
    files.check_clashes()?;

    // The data is read and split before the directory is made, so that a command that
    // fails on its data leaves nothing behind.
    let source = Source::load(
        &args.data.data,
        args.data.target.as_deref(),
        None,
        Reading::from(&args.data.read),
    )?;
    let hold_out = HoldOutArgs {
        test_fraction: args.test_fraction,
        split_seed: args.split_seed,
    };
    let (train, test) = source.train_test(&hold_out)?;
    let test = test.expect("a test fraction above 0 or data with its own test part");
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::new(format!(
            "{}: cannot create the directory: {e}",
            dir.display()
        ))
    })?;
    files.check_writable()?;
    // As a set: if one part cannot be written, neither replaces an existing file.
    let mut parts = OutputSet::new();
    for (path, part) in outputs.iter().zip([&train, &test]) {
        parts.add(path, |out| write_csv(out, &part.data));
    }
    parts.write()?;
    say!(
        "wrote {} ({} rows, {}) and {} ({} rows, {})",
        outputs[0].display(),
        train.data.len(),
        train.description,
        outputs[1].display(),
        test.data.len(),
        test.description
    );
    Ok(())
}

/// Writes a header of the feature names and the label column's name, then one row per
/// example with its features (shortest text that reads back as the same `f32`) and its
/// class name. Names, not class indices, so that the file reads back as the same data with
/// the same classes (a reader numbers classes per file). The header is unique when `data`
/// was read with unique column names, as the CSV reader requires.
pub fn write_csv(out: &mut dyn Write, data: &Dataset) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(
        data.feature_names()
            .iter()
            .map(String::as_str)
            .chain([data.target_name()]),
    )?;
    let mut field = String::new();
    for (row, label) in data.iter() {
        for value in row {
            field.clear();
            std::fmt::Write::write_fmt(
                &mut field,
                format_args!("{}", data::display::float(*value)),
            )
            .map_err(io::Error::other)?;
            csv.write_field(&field)?;
        }
        csv.write_field(&data.class_names()[label])?;
        csv.write_record(None::<&[u8]>)?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_csv_reader_with_the_same_classes() {
        let mnist5k = data::bundled::mnist5k();
        for (name, ds) in [
            ("iris", data::bundled::iris()),
            ("breast_cancer", data::bundled::breast_cancer()),
            ("digits", data::bundled::digits()),
            ("mnist5k test", mnist5k.test),
        ] {
            let mut out = Vec::new();
            write_csv(&mut out, &ds).unwrap();
            let back = data::parse_csv(&out, name, &data::CsvOptions::default()).unwrap();
            assert_eq!(back.features(), ds.features(), "{name}");
            assert_eq!(back.feature_names(), ds.feature_names(), "{name}");
            assert_eq!(back.target_name(), "label", "{name}");
            // The reader numbers classes by sorted name (breast cancer's malignant, benign
            // come back as benign, malignant): each row keeps its class name.
            let class_of = |ds: &Dataset, i: usize| ds.class_names()[ds.labels()[i]].clone();
            for i in 0..ds.len() {
                assert_eq!(class_of(&back, i), class_of(&ds, i), "{name} row {i}");
            }
        }
    }
}
