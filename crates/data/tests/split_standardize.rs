//! Stratified splits keep class proportions and are deterministic per seed; shuffling is a
//! deterministic permutation; the standardizer gives mean 0 and std 1 on its training data
//! and finite output for constant features.

use data::{bundled, shuffle, train_test_split_stratified, Dataset, Standardizer};

fn all_sets() -> Vec<(&'static str, Dataset)> {
    vec![
        ("iris", bundled::iris()),
        ("wine", bundled::wine()),
        ("breast_cancer", bundled::breast_cancer()),
        ("digits", bundled::digits()),
    ]
}

/// Each row as comparable bits plus its label, sorted: equal multisets of rows.
fn sorted_rows(ds: &Dataset) -> Vec<(Vec<u32>, usize)> {
    let mut rows: Vec<_> = ds
        .iter()
        .map(|(row, label)| (row.iter().map(|x| x.to_bits()).collect(), label))
        .collect();
    rows.sort();
    rows
}

#[test]
fn stratified_split_keeps_class_proportions() {
    for (name, ds) in all_sets() {
        for fraction in [0.1, 0.2, 0.25, 0.5] {
            let (train, test) = train_test_split_stratified(&ds, fraction, 7);
            assert_eq!(train.len() + test.len(), ds.len(), "{name}");
            for (class, &count) in ds.class_counts().iter().enumerate() {
                let in_test = test.class_counts()[class];
                let ideal = count as f64 * fraction;
                assert!(
                    (in_test as f64 - ideal).abs() <= 0.5,
                    "{name} class {class}: {in_test} of {count} in test at fraction {fraction}"
                );
                assert_eq!(train.class_counts()[class] + in_test, count);
            }
            assert_eq!(train.class_names(), ds.class_names());
            assert_eq!(test.feature_names(), ds.feature_names());
            // Together the parts are exactly the original rows.
            let mut rows = sorted_rows(&train);
            rows.extend(sorted_rows(&test));
            rows.sort();
            assert_eq!(rows, sorted_rows(&ds), "{name}");
        }
    }
}

#[test]
fn stratified_split_is_deterministic_per_seed() {
    let ds = bundled::wine();
    let (train_a, test_a) = train_test_split_stratified(&ds, 0.25, 42);
    let (train_b, test_b) = train_test_split_stratified(&ds, 0.25, 42);
    assert_eq!(train_a, train_b);
    assert_eq!(test_a, test_b);
    let (train_c, test_c) = train_test_split_stratified(&ds, 0.25, 43);
    assert_ne!(test_a, test_c);
    assert_ne!(train_a, train_c);
    // Same class counts whatever the seed.
    assert_eq!(test_a.class_counts(), test_c.class_counts());
}

#[test]
fn split_parts_interleave_classes() {
    // Iris is sorted by class; the parts must not be.
    let (train, _) = train_test_split_stratified(&bundled::iris(), 0.2, 1);
    let first: Vec<usize> = train.labels()[..30].to_vec();
    assert!(first.iter().any(|&l| l != first[0]), "{first:?}");
}

#[test]
fn shuffle_is_a_deterministic_permutation() {
    let ds = bundled::iris();
    let a = shuffle(&ds, 5);
    assert_eq!(a, shuffle(&ds, 5));
    assert_ne!(a, shuffle(&ds, 6));
    assert_ne!(a.labels(), ds.labels());
    assert_eq!(sorted_rows(&a), sorted_rows(&ds));
    assert_eq!(a.class_counts(), ds.class_counts());
}

fn column_stats(ds: &Dataset, j: usize) -> (f64, f64) {
    let n = ds.len() as f64;
    let mean = ds.iter().map(|(row, _)| f64::from(row[j])).sum::<f64>() / n;
    let var = ds
        .iter()
        .map(|(row, _)| (f64::from(row[j]) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

#[test]
fn standardizer_gives_mean_zero_std_one_on_training_data() {
    for (name, ds) in all_sets() {
        let (train, test) = train_test_split_stratified(&ds, 0.2, 3);
        let scaler = Standardizer::fit(&train);
        assert_eq!(scaler.n_features(), ds.n_features());
        let scaled = scaler.transform(&train);
        assert_eq!(scaled.labels(), train.labels());
        for j in 0..scaled.n_features() {
            let (mean, std) = column_stats(&scaled, j);
            assert!(mean.abs() < 1e-5, "{name} feature {j}: mean {mean}");
            // Digits has constant (always 0) pixels in the corners: they map to 0.
            if scaler.stds()[j] == 1.0 && column_stats(&train, j).1 == 0.0 {
                assert_eq!(std, 0.0, "{name} feature {j}");
            } else {
                assert!((std - 1.0).abs() < 1e-4, "{name} feature {j}: std {std}");
            }
        }
        let scaled_test = scaler.transform(&test);
        assert!(scaled_test.features().iter().all(|x| x.is_finite()));
        // In place agrees with the copy, and rows agree with both.
        let mut in_place = train.clone();
        scaler.transform_in_place(&mut in_place);
        assert_eq!(in_place, scaled);
        let mut row = train.row(0).to_vec();
        scaler.transform_row(&mut row);
        assert_eq!(row, scaled.row(0));
    }
}

#[test]
fn standardizer_matches_known_statistics() {
    // Iris petal length: mean 3.758, population std 1.759404 (from the 150 rows).
    let scaler = Standardizer::fit(&bundled::iris());
    assert!((scaler.means()[2] - 3.758).abs() < 1e-5);
    assert!((scaler.stds()[2] - 1.759_404).abs() < 1e-5);
}

#[test]
fn constant_column_stays_finite() {
    let features: Vec<f32> = (0..20).flat_map(|i| [i as f32, 7.25, 1e6 + 0.5]).collect();
    let labels = (0..20).map(|i| i % 2).collect();
    let names = ["x", "constant", "big_constant"].map(String::from).to_vec();
    let ds = Dataset::new(features, 3, labels, names, vec!["a".into(), "b".into()]).unwrap();
    let scaler = Standardizer::fit(&ds);
    assert_eq!(scaler.stds()[1], 1.0);
    assert_eq!(scaler.stds()[2], 1.0);
    let out = scaler.transform(&ds);
    assert!(out.features().iter().all(|x| x.is_finite()));
    assert!(out.iter().all(|(row, _)| row[1] == 0.0 && row[2] == 0.0));
    // A new value in a formerly constant column is shifted, not blown up.
    let mut row = [0.0, 8.25, 1e6 + 0.5];
    scaler.transform_row(&mut row);
    assert_eq!(row[1], 1.0);
}

#[test]
fn standardizer_round_trips_through_its_parts() {
    let scaler = Standardizer::fit(&bundled::wine());
    let rebuilt =
        Standardizer::from_parts(scaler.means().to_vec(), scaler.stds().to_vec()).unwrap();
    assert_eq!(rebuilt, scaler);
    let ds = bundled::wine();
    assert_eq!(rebuilt.transform(&ds), scaler.transform(&ds));
}
