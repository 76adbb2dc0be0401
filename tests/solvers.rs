//! The full-batch solvers against scikit-learn's `LogisticRegression`, on the same
//! splits and the same objective: mean cross-entropy plus `||W||^2 / (2 C n)` with
//! `C = 1`, standardised features. The reference figures (the converged objective and
//! the test predictions of every split) are recorded by `scripts/sklearn_solvers.py` in
//! `tests/sklearn_solvers.json`; the script also prints the times, which are measured
//! there, side by side, and never in a test.
//!
//! Targets: on iris, wine, breast cancer and digits, split seeds 0..5, both L-BFGS and
//! Newton-CG end within `1e-6` relative of scikit-learn's converged objective and make
//! the same test predictions.

use data::Dataset;
use nn::models::{LinearRegression, SoftmaxRegression};
use nn::solver::{SolveConfig, Solver, Stop};
use serde_json::Value;
use tape::Tensor;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sklearn_solvers.json");
    let text = std::fs::read_to_string(path).expect("tests/sklearn_solvers.json is committed");
    serde_json::from_str(&text).expect("valid JSON")
}

fn check_data_set(name: &str, data: &Dataset) {
    let reference = reference();
    let splits = reference["datasets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no reference for {name}"));
    assert_eq!(splits.len(), 5);
    for split in splits {
        let seed = split["seed"].as_u64().unwrap();
        let sklearn_objective = split["objective"].as_f64().unwrap();
        let sklearn_predictions: Vec<usize> = split["test_predictions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap() as usize)
            .collect();
        let (train, test) = data::train_test_split_stratified(data, 0.25, seed);
        for solver in ["lbfgs", "newton-cg"] {
            let solver: Solver = solver.parse().unwrap();
            let config = SolveConfig::logistic_regression(solver, 1.0, train.len());
            let mut model = SoftmaxRegression::<f64>::for_dataset(&train);
            let report = model.solve(&train, &config).unwrap();
            let relative = (report.value - sklearn_objective).abs() / sklearn_objective;
            eprintln!(
                "{name} split {seed} {}: objective {:.12} vs scikit-learn {sklearn_objective:.12} \
                 (relative {relative:.1e}), {} iterations, {}",
                solver.name(),
                report.value,
                report.iterations,
                report.stop
            );
            assert_eq!(report.stop, Stop::GradientTolerance);
            assert!(
                relative <= 1e-6,
                "{name} split {seed} {}: objective {} vs scikit-learn's {sklearn_objective}",
                solver.name(),
                report.value
            );
            assert_eq!(
                model.predict(&test),
                sklearn_predictions,
                "{name} split {seed} {}: test predictions differ",
                solver.name()
            );
        }
    }
}

#[test]
fn iris_solvers_match_scikit_learn() {
    check_data_set("iris", &data::bundled::iris());
}

#[test]
fn wine_solvers_match_scikit_learn() {
    check_data_set("wine", &data::bundled::wine());
}

#[test]
fn breast_cancer_solvers_match_scikit_learn() {
    check_data_set("breast_cancer", &data::bundled::breast_cancer());
}

#[test]
fn digits_solvers_match_scikit_learn() {
    check_data_set("digits", &data::bundled::digits());
}

#[test]
fn both_solvers_find_the_least_squares_solution() {
    // Noisy targets: the solution is the normal equations' (X^T X + n l2 I) w = X^T y
    // (with an unpenalised intercept, on centred data).
    let (n, d) = (60, 3);
    let x = Tensor::<f64>::from_fn(&[n, d], |i| ((i * 37 % 101) as f64 / 50.0) - 1.0);
    let y: Vec<f64> = x
        .data()
        .chunks(d)
        .enumerate()
        .map(|(i, r)| 1.5 * r[0] - 2.0 * r[1] + 0.5 * r[2] + 0.3 + 0.1 * (i as f64).sin())
        .collect();
    let mut fits = Vec::new();
    for solver in ["lbfgs", "newton-cg"] {
        let config = SolveConfig {
            solver: solver.parse().unwrap(),
            l2: 0.01,
            standardize: false,
        };
        let mut model = LinearRegression::<f64>::new(d);
        let report = model.solve(&x, &y, &config).unwrap();
        assert!(report.gradient_max <= 1e-6, "{solver}: {report:?}");
        fits.push((model.weights().to_vec(), model.intercept()));
    }
    // The stationarity conditions, checked directly: X^T r / n = l2 w and sum r = 0 for
    // residuals r = y - X w - b.
    for (w, b) in &fits {
        let residuals: Vec<f64> = x
            .data()
            .chunks(d)
            .zip(&y)
            .map(|(row, y)| y - row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - b)
            .collect();
        assert!(residuals.iter().sum::<f64>().abs() / (n as f64) < 1e-6);
        for (j, wj) in w.iter().enumerate() {
            let xr: f64 = (0..n).map(|i| x.data()[i * d + j] * residuals[i]).sum();
            assert!((xr / n as f64 - 0.01 * wj).abs() < 1e-6, "feature {j}");
        }
    }
    let (a, b) = (&fits[0], &fits[1]);
    assert!(a.0.iter().zip(&b.0).all(|(x, y)| (x - y).abs() < 1e-5));
}

#[test]
fn a_solver_reports_bad_input_instead_of_panicking() {
    let (train, _) = data::train_test_split_stratified(&data::bundled::iris(), 0.25, 0);
    let mut model = SoftmaxRegression::<f32>::new(3, 3); // iris has 4 features
    let config = SolveConfig::logistic_regression("lbfgs".parse().unwrap(), 1.0, train.len());
    let err = model.solve(&train, &config).unwrap_err();
    assert!(err.to_string().contains("4 features"), "{err}");
}
