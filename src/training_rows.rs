//! Which rows a model was trained on. `train` records them in the model file
//! ([`TrainingData`]); `eval` and `predict`, given the same data again, hold out the same
//! rows, so that a test score is a score on rows the model never saw, and a score on rows
//! it did see is called what it is.
//!
//! The same data is recognised by its [`fingerprint`], not its name: a copy, another
//! spelling of the path or the same CSV piped to standard input is the same data, and a
//! file edited since training is not (its split would put other rows in the test part).

use crate::cli::HoldOutArgs;
use crate::error::Result;
use crate::source::{hold_out_values, Origin, Part, Parts, Source, Spec};
use data::Dataset;
use nn::model_file::{TrainingData, TrainingRows};

/// Bundled sets whose every row is in the training part of another bundled set: `mnist5k`
/// is 5,000 images of MNIST's training file (see `data/README.md`).
const INSIDE_TRAINING_PART: [(&str, &str); 1] = [("mnist5k", "mnist")];

/// The rows to evaluate or predict on, and how many of them the model was trained on.
#[derive(Debug)]
pub struct Evaluated {
    /// The rows, described.
    pub part: Part,
    /// How many of the rows the model was trained on: `None` when that is not known (the
    /// model file has no record of its training rows, or they are in other data).
    pub seen_in_training: Option<usize>,
}

/// The record `train` saves with a model trained on `source`: its name and fingerprint, and
/// how the hold-out flags chose its training rows (every row when the test data is given
/// apart with `--test-data`).
pub fn record(source: &Source, hold_out: &HoldOutArgs, test_data_given: bool) -> TrainingData {
    let rows = match source.parts {
        Parts::Split(_) => TrainingRows::OwnTrainingPart,
        Parts::Whole(_) if test_data_given => TrainingRows::All,
        Parts::Whole(_) => match hold_out_values(hold_out) {
            (0.0, _) => TrainingRows::All,
            (test_fraction, split_seed) => TrainingRows::TrainingPart {
                test_fraction,
                split_seed,
            },
        },
    };
    TrainingData {
        data: data_name(source),
        fingerprint: fingerprint(source),
        rows,
    }
}

/// The part of `source` to evaluate or predict on, for a model trained on `trained_on`.
///
/// Without hold-out flags, the same data (by fingerprint) is split as it was for training,
/// so the part is exactly the rows the model held out; a model trained on every row is
/// evaluated on every row, called rows it was trained on. Hold-out flags are obeyed, with a
/// warning when their test part holds training rows. Other data, and models without a
/// record, get [`Source::evaluation_part`] as before.
pub fn evaluation_part(
    source: Source,
    hold_out: &HoldOutArgs,
    trained_on: Option<&TrainingData>,
) -> Result<Evaluated> {
    let Some(trained_on) = trained_on else {
        return as_other_data(source, hold_out);
    };
    if fingerprint(&source) != trained_on.fingerprint {
        return other_data(source, hold_out, trained_on);
    }
    match (&source.parts, trained_on.rows) {
        // Its own test part is the only part there is, and was never trained on.
        (Parts::Split(_), TrainingRows::OwnTrainingPart) => Ok(Evaluated {
            part: source.evaluation_part(hold_out)?,
            seen_in_training: Some(0),
        }),
        (Parts::Whole(data), TrainingRows::All | TrainingRows::TrainingPart { .. }) => {
            let trained = trained_rows(data, trained_on.rows);
            split_again(source, hold_out, trained_on, &trained)
        }
        // A record that does not fit its data (edited by hand): as if there were none.
        _ => as_other_data(source, hold_out),
    }
}

/// The name of the accuracy line and a caveat for its end: `training accuracy` when every
/// row was trained on, and the count when some were.
pub fn accuracy_label(seen_in_training: Option<usize>, rows: usize) -> (&'static str, String) {
    match seen_in_training {
        Some(seen) if seen > 0 && seen == rows => (
            "training accuracy",
            "; the model was trained on every one of them: not a test score".to_string(),
        ),
        Some(seen) if seen > 0 => ("accuracy", format!("; {seen} of them trained on")),
        _ => ("accuracy", String::new()),
    }
}

/// A fingerprint of the data's rows: 64-bit FNV-1a over the row and column counts, the
/// features' `f32` bits and the labels, as 16 hexadecimal digits. Split data counts its
/// training part, then its test part. Nothing here is adversarial, so values are hashed a
/// 64-bit word at a time, in four interleaved lanes (value `i` of each sequence to lane
/// `i % 4`; the lanes are then hashed in order), which lets the multiplications overlap:
/// all of MNIST in about a quarter of the time of one chain (14 ms against 50).
pub fn fingerprint(source: &Source) -> String {
    let parts: Vec<&Dataset> = match &source.parts {
        Parts::Whole(data) => vec![data],
        Parts::Split(split) => vec![&split.train, &split.test],
    };
    let mut lanes = [FNV_OFFSET_BASIS; 4];
    for data in parts {
        fnv1a_lanes(&mut lanes, &[data.len(), data.n_features()], |n| n as u64);
        fnv1a_lanes(&mut lanes, data.features(), |x| u64::from(x.to_bits()));
        fnv1a_lanes(&mut lanes, data.labels(), |y| y as u64);
    }
    let hash = lanes.into_iter().fold(FNV_OFFSET_BASIS, fnv1a_step);
    format!("{hash:016x}")
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of 64-bit FNV-1a, on a whole word.
fn fnv1a_step(hash: u64, word: u64) -> u64 {
    (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3)
}

/// Hashes `values` (each made a word by `word`) into four lanes, value `i` into lane `i % 4`.
fn fnv1a_lanes<T: Copy>(lanes: &mut [u64; 4], values: &[T], word: impl Fn(T) -> u64) {
    let (quads, rest) = values.as_chunks::<4>();
    for quad in quads {
        *lanes = std::array::from_fn(|k| fnv1a_step(lanes[k], word(quad[k])));
    }
    for (lane, &value) in lanes.iter_mut().zip(rest) {
        *lane = fnv1a_step(*lane, word(value));
    }
}

/// The data's name as recorded: a bundled set's canonical name (`breast-cancer` and
/// `BREAST_CANCER` are `breast_cancer`), anything else as given.
fn data_name(source: &Source) -> String {
    match Spec::classify(&source.name) {
        Ok(Spec::Bundled(name)) => name.to_string(),
        _ => source.name.clone(),
    }
}

/// What the model was trained on, for messages: `the training part of iris, test fraction
/// 0.3, split seed 7`.
fn describe(trained_on: &TrainingData) -> String {
    let data = &trained_on.data;
    match trained_on.rows {
        TrainingRows::All => format!("every row of {data}"),
        TrainingRows::TrainingPart {
            test_fraction,
            split_seed,
        } => format!(
            "the training part of {data}, test fraction {test_fraction}, split seed \
             {split_seed}"
        ),
        TrainingRows::OwnTrainingPart => format!("the training part of {data}"),
    }
}

/// Whether row `i` of `data` was trained on, for each row.
fn trained_rows(data: &Dataset, rows: TrainingRows) -> Vec<bool> {
    match rows {
        TrainingRows::TrainingPart {
            test_fraction,
            split_seed,
        } => {
            let (train, _) =
                data::stratified_split_indices(data.labels(), test_fraction, split_seed);
            let mut trained = vec![false; data.len()];
            train.iter().for_each(|&i| trained[i] = true);
            trained
        }
        TrainingRows::All | TrainingRows::OwnTrainingPart => vec![true; data.len()],
    }
}

/// The part of the data the model was trained on (`trained`, a flag per row) that the
/// hold-out flags choose, or, without flags, the model's own test part (all rows if it
/// held none out).
fn split_again(
    source: Source,
    hold_out: &HoldOutArgs,
    trained_on: &TrainingData,
    trained: &[bool],
) -> Result<Evaluated> {
    let flags = hold_out.given();
    let (test_fraction, split_seed) = match (flags, trained_on.rows) {
        (true, _) => hold_out_values(hold_out),
        (
            false,
            TrainingRows::TrainingPart {
                test_fraction,
                split_seed,
            },
        ) => {
            note!(
                "using the model's split: test fraction {test_fraction}, split seed \
                 {split_seed} (the rows it held out)"
            );
            (test_fraction, split_seed)
        }
        (false, _) => {
            note!(
                "warning: the model was trained on every row of {}: these are rows it has \
                 seen, so scores on them are training scores, not test scores",
                source.describe()
            );
            let mut part = source.rows_to_test();
            part.description += ", every one of them trained on";
            let seen = part.data.len();
            return Ok(Evaluated {
                part,
                seen_in_training: Some(seen),
            });
        }
    };
    let Parts::Whole(data) = &source.parts else {
        return as_other_data(source, hold_out);
    };
    let (_, test) = data::stratified_split_indices(data.labels(), test_fraction, split_seed);
    let seen = test.iter().filter(|&&i| trained[i]).count();
    let explicit = HoldOutArgs {
        test_fraction: Some(test_fraction),
        split_seed: Some(split_seed),
    };
    let mut part = source.evaluation_part(&explicit)?;
    // A warning, not a refusal: testing on another split can be meant (to compare with a
    // run that used it), and the count in the part's name, on the accuracy line and in the
    // JSON keeps the score from passing for a test score.
    if seen > 0 {
        let hint = match trained_on.rows {
            TrainingRows::TrainingPart { .. } => {
                "; leave out --test-fraction and --split-seed to test on the rows it held out"
            }
            _ => "",
        };
        note!(
            "warning: {seen} of the {} rows of this {} are rows the model was trained on \
             ({}){hint}",
            test.len(),
            part.description,
            describe(trained_on)
        );
        part.description += &format!(", {seen} of its rows trained on");
    }
    Ok(Evaluated {
        part,
        seen_in_training: Some(seen),
    })
}

/// Data other than the model's training data: the part the flags choose, as without a
/// record, with a note if it has the training data's name but not its rows, and a warning
/// if it is known to lie inside the training part.
fn other_data(
    source: Source,
    hold_out: &HoldOutArgs,
    trained_on: &TrainingData,
) -> Result<Evaluated> {
    let name = data_name(&source);
    let describe_source = source.describe();
    // Standard input has no identity to change: different rows there are other data.
    let changed = source.origin != Origin::Stdin && name == trained_on.data;
    let mut evaluated = as_other_data(source, hold_out)?;
    if changed {
        note!(
            "note: {describe_source} has changed since the model was trained on it (its rows \
             differ), so its split cannot be made again; it is evaluated as other data"
        );
    } else if trained_on.rows == TrainingRows::OwnTrainingPart
        && INSIDE_TRAINING_PART.contains(&(name.as_str(), trained_on.data.as_str()))
    {
        let part = &mut evaluated.part;
        note!(
            "warning: every row of {describe_source} is in the training part of {}, which \
             the model was trained on: these are rows it has seen, so scores on them are \
             training scores, not test scores",
            trained_on.data
        );
        part.description += ", every one of them trained on";
        evaluated.seen_in_training = Some(part.data.len());
    }
    Ok(evaluated)
}

/// [`Source::evaluation_part`], with nothing known of the model's training rows in it.
fn as_other_data(source: Source, hold_out: &HoldOutArgs) -> Result<Evaluated> {
    Ok(Evaluated {
        part: source.evaluation_part(hold_out)?,
        seen_in_training: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Reading;
    use data::ReadLimits;
    use std::collections::HashSet;

    fn load(name: &str) -> Source {
        let reading = Reading {
            delimiter: None,
            limits: ReadLimits::default(),
            min_classes: 1,
        };
        Source::load(name, None, None, reading).unwrap()
    }

    fn hold_out(test_fraction: Option<f64>, split_seed: Option<u64>) -> HoldOutArgs {
        HoldOutArgs {
            test_fraction,
            split_seed,
        }
    }

    fn iris_trained_on(rows: TrainingRows) -> TrainingData {
        TrainingData {
            data: "iris".into(),
            fingerprint: fingerprint(&load("iris")),
            rows,
        }
    }

    const SPLIT_0_3_SEED_7: TrainingRows = TrainingRows::TrainingPart {
        test_fraction: 0.3,
        split_seed: 7,
    };

    #[test]
    fn the_record_names_the_data_and_how_its_rows_were_chosen() {
        let none = hold_out(None, None);
        let iris = record(&load("IRIS"), &none, false);
        assert_eq!(iris.data, "iris");
        assert_eq!(
            iris.rows,
            TrainingRows::TrainingPart {
                test_fraction: 0.25,
                split_seed: 0
            }
        );
        let iris = record(&load("iris"), &hold_out(Some(0.3), Some(7)), false);
        assert_eq!(iris.rows, SPLIT_0_3_SEED_7);
        let iris = record(&load("iris"), &hold_out(Some(0.0), None), false);
        assert_eq!(iris.rows, TrainingRows::All);
        let iris = record(&load("iris"), &none, true);
        assert_eq!(iris.rows, TrainingRows::All);
        let cancer = record(&load("breast-cancer"), &none, false);
        assert_eq!(cancer.data, "breast_cancer");
        let mnist5k = record(&load("mnist5k"), &none, true);
        assert_eq!(mnist5k.rows, TrainingRows::OwnTrainingPart);
    }

    #[test]
    fn the_fingerprint_is_the_rows() {
        let iris = data::bundled::iris();
        let print = |data: &Dataset| {
            fingerprint(&Source {
                name: "x.csv".into(),
                origin: Origin::Csv,
                parts: Parts::Whole(data.clone()),
            })
        };
        assert_eq!(print(&iris), fingerprint(&load("iris")));
        assert_eq!(print(&iris).len(), 16);
        // One feature's last bit, one label, one row fewer, another order: another print.
        let (mut features, mut labels) = iris.clone().into_parts();
        features[77] = f32::from_bits(features[77].to_bits() ^ 1);
        let rebuild = |features, labels| {
            Dataset::new(
                features,
                iris.n_features(),
                labels,
                iris.feature_names().to_vec(),
                iris.class_names().to_vec(),
            )
            .unwrap()
        };
        assert_ne!(print(&rebuild(features, labels.clone())), print(&iris));
        labels[149] = 0;
        let (features, _) = iris.clone().into_parts();
        assert_ne!(print(&rebuild(features, labels)), print(&iris));
        let fewer: Vec<usize> = (0..149).collect();
        assert_ne!(print(&iris.subset(&fewer)), print(&iris));
        assert_ne!(print(&data::shuffle(&iris, 1)), print(&iris));
        assert_ne!(fingerprint(&load("wine")), print(&iris));
    }

    #[test]
    fn without_flags_the_models_own_test_part_is_evaluated() {
        let trained_on = iris_trained_on(SPLIT_0_3_SEED_7);
        let evaluated =
            evaluation_part(load("iris"), &hold_out(None, None), Some(&trained_on)).unwrap();
        let (_, test) = data::train_test_split_stratified(&data::bundled::iris(), 0.3, 7);
        assert_eq!(evaluated.part.data, test);
        assert_eq!(
            evaluated.part.description,
            "test part (fraction 0.3, split seed 7)"
        );
        assert_eq!(evaluated.seen_in_training, Some(0));
        // Without a record: the default split, as ever.
        let evaluated = evaluation_part(load("iris"), &hold_out(None, None), None).unwrap();
        assert_eq!(evaluated.part.data.len(), 39);
        assert_eq!(evaluated.seen_in_training, None);
    }

    #[test]
    fn other_flags_count_the_training_rows_in_their_test_part() {
        let trained_on = iris_trained_on(SPLIT_0_3_SEED_7);
        let flags = hold_out(None, Some(3));
        let evaluated = evaluation_part(load("iris"), &flags, Some(&trained_on)).unwrap();
        let iris = data::bundled::iris();
        let (train, _) = data::stratified_split_indices(iris.labels(), 0.3, 7);
        let (_, test) = data::stratified_split_indices(iris.labels(), 0.25, 3);
        let train: HashSet<usize> = train.into_iter().collect();
        let seen = test.iter().filter(|i| train.contains(i)).count();
        assert!(seen > 0 && seen < test.len(), "{seen}");
        assert_eq!(evaluated.part.data, iris.subset(&test));
        assert_eq!(evaluated.seen_in_training, Some(seen));
        assert_eq!(
            evaluated.part.description,
            format!("test part (fraction 0.25, split seed 3), {seen} of its rows trained on")
        );
        let (name, caveat) = accuracy_label(evaluated.seen_in_training, test.len());
        assert_eq!(
            (name, caveat),
            ("accuracy", format!("; {seen} of them trained on"))
        );
    }

    #[test]
    fn a_model_trained_on_every_row_is_scored_on_every_row_as_training_rows() {
        let trained_on = iris_trained_on(TrainingRows::All);
        let evaluated =
            evaluation_part(load("iris"), &hold_out(None, None), Some(&trained_on)).unwrap();
        assert_eq!(evaluated.part.data, data::bundled::iris());
        assert_eq!(evaluated.seen_in_training, Some(150));
        assert_eq!(
            evaluated.part.description,
            "all rows, every one of them trained on"
        );
        assert_eq!(accuracy_label(Some(150), 150).0, "training accuracy");
        assert_eq!(accuracy_label(Some(0), 39), ("accuracy", String::new()));
        assert_eq!(accuracy_label(None, 39), ("accuracy", String::new()));
        // The flags' test part: every row of it was trained on.
        let flags = hold_out(Some(0.25), None);
        let evaluated = evaluation_part(load("iris"), &flags, Some(&trained_on)).unwrap();
        assert_eq!(evaluated.seen_in_training, Some(39));
    }

    #[test]
    fn changed_and_other_data_are_evaluated_as_without_a_record() {
        let changed = TrainingData {
            fingerprint: "0000000000000000".into(),
            ..iris_trained_on(TrainingRows::All)
        };
        let evaluated =
            evaluation_part(load("iris"), &hold_out(None, None), Some(&changed)).unwrap();
        assert_eq!(
            evaluated.part.description,
            "test part (fraction 0.25, split seed 0)"
        );
        assert_eq!(evaluated.seen_in_training, None);
        let trained_on = iris_trained_on(TrainingRows::All);
        let evaluated =
            evaluation_part(load("wine"), &hold_out(None, None), Some(&trained_on)).unwrap();
        assert_eq!(evaluated.part.data.len(), 45);
        assert_eq!(evaluated.seen_in_training, None);
    }

    #[test]
    fn mnist5k_lies_inside_the_training_part_of_mnist() {
        let trained_on = TrainingData {
            data: "mnist".into(),
            fingerprint: "not read here".into(),
            rows: TrainingRows::OwnTrainingPart,
        };
        let evaluated =
            evaluation_part(load("mnist5k"), &hold_out(None, None), Some(&trained_on)).unwrap();
        assert_eq!(evaluated.seen_in_training, Some(1000));
        assert_eq!(
            evaluated.part.description,
            "test part, every one of them trained on"
        );
        // Its own training part, though, leaves its test part unseen.
        let mnist5k = load("mnist5k");
        let trained_on = record(&mnist5k, &hold_out(None, None), false);
        let evaluated = evaluation_part(mnist5k, &hold_out(None, None), Some(&trained_on)).unwrap();
        assert_eq!(evaluated.seen_in_training, Some(0));
    }
}
