//! `tapegrad info`: what a data set holds: rows, features, classes with their counts.

use crate::cli::InfoArgs;
use crate::error::Result;
use crate::report::{name_list, widest};
use crate::source::{Parts, Reading, Source};
use data::display::label;
use data::Dataset;
use std::borrow::Cow;

/// Runs `tapegrad info`.
pub fn run(args: &InfoArgs) -> Result<()> {
    let source = Source::load(
        &args.data.data,
        args.data.target.as_deref(),
        None,
        Reading::from(&args.data.read).to_evaluate(),
    )?;
    say!("data: {}", source.describe());
    match &source.parts {
        Parts::Whole(data) => {
            say!("rows: {}", data.len());
            describe_features(data)?;
            say!("classes: {}", data.n_classes());
            let (names, width) = class_labels(data);
            for (name, count) in names.iter().zip(data.class_counts()) {
                say!("  {name:<width$}  {count:>7}");
            }
        }
        Parts::Split(split) => {
            let (train, test) = (&split.train, &split.test);
            say!(
                "rows: {} (training part {}, test part {})",
                train.len() + test.len(),
                train.len(),
                test.len()
            );
            describe_features(train)?;
            say!("classes: {}", train.n_classes());
            let (names, width) = class_labels(train);
            say!("  {:<width$}  {:>7}  {:>7}", "", "train", "test");
            let test_counts = test.class_counts();
            for (j, (name, count)) in names.iter().zip(train.class_counts()).enumerate() {
                let test_count = test_counts.get(j).copied().unwrap_or(0);
                say!("  {name:<width$}  {count:>7}  {test_count:>7}");
            }
        }
    }
    Ok(())
}

/// Prints the number of features and their names, abbreviated if there are many.
fn describe_features(data: &Dataset) -> Result<()> {
    say!(
        "features: {}: {}",
        data.n_features(),
        name_list(data.feature_names())
    );
    Ok(())
}

/// The class names as messages show them ([`label`]), and the width of their column.
fn class_labels(data: &Dataset) -> (Vec<Cow<'_, str>>, usize) {
    let names: Vec<_> = data.class_names().iter().map(|n| label(n)).collect();
    let width = widest(&names).max(5);
    (names, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_feature_lists_are_abbreviated() {
        let names: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
        assert_eq!(
            name_list(&names),
            "f0, f1, f2, f3, f4, f5, f6, f7, ..., f18, f19"
        );
        assert_eq!(name_list(&names[..3]), "f0, f1, f2");
    }
}
