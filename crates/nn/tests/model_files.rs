//! Model files: what loading refuses (so a loaded model can never compute NaN from its own
//! numbers or confuse two names), what it accepts (a byte order mark), and that a failed
//! save leaves neither a half-written model nor a temporary file.

use nn::model_file::{ModelFile, TrainingData, TrainingRows};
use nn::models::SoftmaxRegression;
use std::path::{Path, PathBuf};

/// A small trained model saved as `model.json` in a fresh directory of its own (named for
/// the test): the directory, the file and its parsed JSON.
fn saved_model(test: &str) -> (PathBuf, PathBuf, serde_json::Value) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("nn-model-files")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let iris = data::bundled::iris();
    let mut model = SoftmaxRegression::<f32>::for_dataset(&iris);
    let config = nn::train::TrainConfig {
        epochs: 2,
        ..Default::default()
    };
    model.fit(&iris, None, &config).unwrap();
    let path = dir.join("model.json");
    model.save(&path).unwrap();
    let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (dir, path, json)
}

/// The error of loading `json` (edited from a valid model file) as an f32 model.
fn load_error(dir: &Path, json: &serde_json::Value) -> String {
    let path = dir.join("edited.json");
    std::fs::write(&path, serde_json::to_string(json).unwrap()).unwrap();
    let err = SoftmaxRegression::<f32>::load(&path)
        .unwrap_err()
        .to_string();
    let prefix = format!("{}: ", path.display());
    assert!(err.starts_with(&prefix), "{err}");
    err[prefix.len()..].to_string()
}

#[test]
fn names_must_be_unique() {
    let (dir, _, json) = saved_model("names");
    let mut edited = json.clone();
    edited["feature_names"][2] = edited["feature_names"][0].clone();
    assert_eq!(
        load_error(&dir, &edited),
        "the feature name \"sepal_length_cm\" appears twice; each feature needs its own name"
    );
    let mut edited = json;
    edited["class_names"][1] = "setosa".into();
    assert_eq!(
        load_error(&dir, &edited),
        "the class name \"setosa\" appears twice; each class needs its own name"
    );
}

#[test]
fn numbers_must_be_finite_in_the_models_float_type() {
    let (dir, _, json) = saved_model("numbers");
    let mut edited = json.clone();
    edited["weight"][5] = 1e300.into();
    assert_eq!(
        load_error(&dir, &edited),
        "weight number 5 (1e300) is too large for f32"
    );
    // The same file is fine as an f64 model.
    let path = dir.join("edited.json");
    assert!(SoftmaxRegression::<f64>::load(&path).is_ok());
    let mut edited = json.clone();
    edited["bias"][0] = (-1e39).into();
    assert!(load_error(&dir, &edited).starts_with("bias number 0"));
    let mut edited = json.clone();
    edited["standardization"]["stds"][1] = 0.0.into();
    assert_eq!(
        load_error(&dir, &edited),
        "standardization stds must be positive and finite"
    );
    // JSON has no NaN; a null where a number belongs is not a model.
    let mut edited = json;
    edited["weight"][0] = serde_json::Value::Null;
    assert!(load_error(&dir, &edited).starts_with("not a valid model file"));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let (dir, path, _) = saved_model("bom");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&path).unwrap());
    let with_bom = dir.join("bom.json");
    std::fs::write(&with_bom, bytes).unwrap();
    assert_eq!(
        SoftmaxRegression::<f32>::load(&with_bom).unwrap(),
        SoftmaxRegression::<f32>::load(&path).unwrap()
    );
}

#[test]
fn devices_and_directories_are_not_model_files() {
    let err = SoftmaxRegression::<f32>::load("/dev/zero").unwrap_err();
    assert_eq!(
        err.to_string(),
        "/dev/zero: cannot read data from a character device; give a file (or a pipe)"
    );
    let (dir, _, _) = saved_model("dir");
    let err = SoftmaxRegression::<f32>::load(&dir).unwrap_err();
    assert!(err.to_string().contains("a directory"), "{err}");
}

#[test]
fn a_failed_save_leaves_the_old_file_and_no_temporary() {
    let (dir, path, _) = saved_model("failed-save");
    let before = std::fs::read(&path).unwrap();
    let file = ModelFile::load(&path, "softmax_regression").unwrap();
    // A model that cannot be written: its directory is gone.
    let missing = dir.join("gone").join("model.json");
    let err = file.save(&missing).unwrap_err();
    assert!(
        err.to_string().starts_with(&missing.display().to_string()),
        "{err}"
    );
    // A target that is a directory cannot be replaced.
    let err = file.save(&dir).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["model.json"], "no temporary file is left");
}

#[test]
fn to_json_is_the_text_that_save_writes() {
    let (_, path, _) = saved_model("to-json");
    let model = SoftmaxRegression::<f32>::load(&path).unwrap();
    assert_eq!(model.to_json(), std::fs::read_to_string(&path).unwrap());
}

#[test]
fn the_training_rows_are_saved_and_files_without_them_still_load() {
    let (dir, path, json) = saved_model("training-data");
    // A model that does not know its training rows writes the file as before.
    assert!(json.get("training_data").is_none(), "{json}");
    let model = SoftmaxRegression::<f32>::load(&path).unwrap();
    assert_eq!(model.training_data(), None);

    let record = TrainingData {
        data: "iris".into(),
        fingerprint: "00ff00ff00ff00ff".into(),
        rows: TrainingRows::TrainingPart {
            test_fraction: 0.3,
            split_seed: 7,
        },
    };
    let recorded = model.clone().with_training_data(record.clone());
    let with_record = dir.join("with-record.json");
    recorded.save(&with_record).unwrap();
    let text = std::fs::read_to_string(&with_record).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        saved["training_data"],
        serde_json::json!({
            "data": "iris",
            "fingerprint": "00ff00ff00ff00ff",
            "rows": {"kind": "training_part", "test_fraction": 0.3, "split_seed": 7}
        })
    );
    let loaded = SoftmaxRegression::<f32>::load(&with_record).unwrap();
    assert_eq!(loaded.training_data(), Some(&record));
    assert_eq!(loaded, recorded);

    // The old format: the same file without the field loads, as the model without a record.
    let mut old = saved.clone();
    old.as_object_mut().unwrap().remove("training_data");
    let old_path = dir.join("old.json");
    std::fs::write(&old_path, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    assert_eq!(SoftmaxRegression::<f32>::load(&old_path).unwrap(), model);

    for rows in [TrainingRows::All, TrainingRows::OwnTrainingPart] {
        let record = TrainingData {
            rows,
            ..record.clone()
        };
        let file = dir.join("kind.json");
        model
            .clone()
            .with_training_data(record.clone())
            .save(&file)
            .unwrap();
        let loaded = SoftmaxRegression::<f32>::load(&file).unwrap();
        assert_eq!(loaded.training_data(), Some(&record));
    }

    // A fraction evaluation could not split by is refused on load, not met later.
    let mut edited = saved;
    edited["training_data"]["rows"]["test_fraction"] = 1.5.into();
    assert_eq!(
        load_error(&dir, &edited),
        "training_data: the test fraction 1.5 is not between 0 and 1"
    );
    edited["training_data"]["rows"]["kind"] = "sometimes".into();
    assert!(load_error(&dir, &edited).starts_with("not a valid model file"));
}
