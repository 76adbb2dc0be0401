//! Models built from given parameters, read and written in place, and predicting in
//! their own float type.

use data::Standardizer;
use nn::models::{LinearRegression, SoftmaxRegression};
use tape::Tensor;

fn tensor(data: &[f64], dims: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), dims)
}

/// softmax(W x + b) of each row, computed directly in f64.
fn reference_proba(w: &[f64], b: &[f64], rows: &[f64], d: usize) -> Vec<f64> {
    let k = b.len();
    rows.chunks(d)
        .flat_map(|x| {
            let logits: Vec<f64> = (0..k)
                .map(|j| b[j] + (0..d).map(|i| w[j * d + i] * x[i]).sum::<f64>())
                .collect();
            let m = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = logits.iter().map(|z| (z - m).exp()).sum();
            logits.into_iter().map(move |z| (z - m).exp() / total)
        })
        .collect()
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tolerance, "[{i}]: {g} vs {w}");
    }
}

const W: [f64; 6] = [0.5, -1.0, 2.0, 0.0, 1.5, -0.25]; // [3, 2]
const B: [f64; 3] = [0.1, -0.2, 0.05];

#[test]
fn softmax_regression_from_parameters_predicts_softmax_of_wx_plus_b() {
    let model = SoftmaxRegression::<f64>::from_parameters(tensor(&W, &[3, 2]), tensor(&B, &[3]));
    assert_eq!((model.n_features(), model.n_classes()), (2, 3));
    assert_eq!(model.weight().data(), &W);
    assert_eq!(model.bias().data(), &B);
    assert_eq!(model.feature_names(), &["x0", "x1"]);
    assert_eq!(model.class_names(), &["0", "1", "2"]);
    let rows = [1.0, 2.0, -0.5, 0.25, 3.0, -3.0];
    let p = model.predict_proba_rows(&rows);
    assert_eq!(p.shape(), &[3, 3]);
    assert_close(p.data(), &reference_proba(&W, &B, &rows, 2), 1e-15);
}

#[test]
fn parameters_are_read_and_written_in_place() {
    let mut model =
        SoftmaxRegression::<f64>::from_parameters(tensor(&W, &[3, 2]), tensor(&B, &[3]));
    let rows = [1.0, 2.0];
    let before = model.predict_proba_rows(&rows);
    model.weight_mut()[0] = 10.0; // class 0 scores 10 x0 - x1 now
    model.bias_mut()[2] = -5.0;
    let mut w = W;
    w[0] = 10.0;
    let b = [B[0], B[1], -5.0];
    assert_eq!(model.weight().data(), &w);
    assert_close(
        model.predict_proba_rows(&rows).data(),
        &reference_proba(&w, &b, &rows, 2),
        1e-15,
    );
    assert_ne!(model.predict_proba_rows(&rows), before);
}

#[test]
fn a_standardizer_and_names_attach_to_a_built_model_and_survive_a_file() {
    let standardizer = Standardizer::from_parts(vec![1.0, -2.0], vec![2.0, 0.5]).unwrap();
    let model = SoftmaxRegression::<f64>::from_parameters(tensor(&W, &[3, 2]), tensor(&B, &[3]))
        .with_standardizer(standardizer.clone())
        .with_feature_names(vec!["length".into(), "width".into()])
        .with_class_names(vec!["a".into(), "b".into(), "c".into()]);
    let rows = [3.0, -1.0, 0.0, 0.0];
    let standardized: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(i, &x)| (x - standardizer.means()[i % 2]) / standardizer.stds()[i % 2])
        .collect();
    assert_close(
        model.predict_proba_rows(&rows).data(),
        &reference_proba(&W, &B, &standardized, 2),
        1e-15,
    );
    let path = std::env::temp_dir().join(format!("tapegrad-built-{}.json", std::process::id()));
    model.save(&path).unwrap();
    let loaded = SoftmaxRegression::<f64>::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded, model);
    assert_eq!(loaded.class_names(), &["a", "b", "c"]);
}

#[test]
fn a_model_in_f64_predicts_from_f64_rows_without_rounding_through_f32() {
    // x = 0.1 is not an f32; with a weight of 1e8 the rounding would move the logit by
    // about 0.15 and the probability in the 2nd digit.
    let w = [1e8, 0.0];
    let b = [-1e7, 0.0];
    let model = SoftmaxRegression::<f64>::from_parameters(tensor(&w, &[2, 1]), tensor(&b, &[2]));
    let rows = [0.1];
    let p = model.predict_proba_rows(&rows);
    assert_close(p.data(), &reference_proba(&w, &b, &rows, 1), 1e-12);
    let through_f32 = reference_proba(&w, &b, &[f64::from(0.1f32)], 1);
    assert!((p.data()[0] - through_f32[0]).abs() > 0.01);
}

#[test]
fn an_f32_model_gives_the_same_probabilities_from_rows_and_from_a_data_set() {
    let iris = data::bundled::iris();
    let mut model = SoftmaxRegression::<f32>::for_dataset(&iris);
    model
        .fit(
            &iris,
            None,
            &nn::train::TrainConfig {
                epochs: 3,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        model.predict_proba_rows(iris.features()),
        model.predict_proba(&iris)
    );
}

#[test]
fn parameters_of_the_wrong_shape_are_an_error() {
    let err =
        SoftmaxRegression::<f64>::try_from_parameters(tensor(&W, &[3, 2]), tensor(&B[..2], &[2]))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Linear: weight [3, 2] and bias [2] do not fit: the weight must be [k, d] and the bias [k]"
    );
}

#[test]
#[should_panic(expected = "with_class_names: 2 names for 3 classes")]
fn class_names_must_match_the_classes() {
    let _ = SoftmaxRegression::<f64>::from_parameters(tensor(&W, &[3, 2]), tensor(&B, &[3]))
        .with_class_names(vec!["a".into(), "b".into()]);
}

#[test]
#[should_panic(expected = "with_standardizer: a standardizer of 1 features for a model of 2")]
fn a_standardizer_must_match_the_features() {
    let standardizer = Standardizer::from_parts(vec![0.0], vec![1.0]).unwrap();
    let _ = SoftmaxRegression::<f64>::from_parameters(tensor(&W, &[3, 2]), tensor(&B, &[3]))
        .with_standardizer(standardizer);
}

#[test]
fn linear_regression_from_parameters_reads_writes_and_saves() {
    let mut model = LinearRegression::from_parameters(&[2.0, -1.0, 0.5], 3.0);
    assert_eq!(model.weights(), &[2.0, -1.0, 0.5]);
    assert_eq!(model.intercept(), 3.0);
    let x = tensor(&[1.0, 2.0, 4.0, 0.0, 0.0, 0.0], &[2, 3]);
    assert_eq!(model.predict(&x), vec![5.0, 3.0]);
    model.weights_mut()[2] = 0.0;
    *model.intercept_mut() = -1.0;
    assert_eq!(model.predict(&x), vec![-1.0, -1.0]);
    let path = std::env::temp_dir().join(format!("tapegrad-built-lr-{}.json", std::process::id()));
    model.save(&path).unwrap();
    let loaded = LinearRegression::<f64>::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded, model);
}
