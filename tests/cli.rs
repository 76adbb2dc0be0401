//! End-to-end tests of the `tapegrad` command line: the binary is run as a user would run
//! it, on the small bundled sets, in a scratch directory per test.

use nn::models::SoftmaxRegression;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A scratch directory `tapegrad-cli-<pid>-<name>` under the system's temporary
/// directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("tapegrad-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A path inside the directory, as a string for the command line.
    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    /// The names of the files in the directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Writes a file in the directory and returns its path.
    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        std::fs::write(self.0.join(name), contents).unwrap();
        self.path(name)
    }

    /// The contents of a file in the directory.
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of the binary did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Outcome {
    fn from(out: Output) -> Self {
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tapegrad"))
}

fn tapegrad(args: &[&str]) -> Outcome {
    command()
        .args(args)
        .output()
        .expect("the tapegrad binary runs")
        .into()
}

/// Runs with `input` on standard input.
fn with_stdin(args: &[&str], input: &[u8]) -> Outcome {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tapegrad binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread, so that a child that stops reading cannot block the test.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out.into()
}

/// Runs under `sh` with the shell commands `limits` applied first (e.g. `ulimit -v N`).
fn limited(limits: &str, args: &[&str]) -> Outcome {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{limits}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_tapegrad"))
        .args(args)
        .output()
        .expect("sh runs")
        .into()
}

/// Runs a command that must succeed; returns all it printed.
fn succeeds(args: &[&str]) -> Outcome {
    let out = tapegrad(args);
    assert_eq!(
        out.code,
        Some(0),
        "tapegrad {args:?} failed:\n{}",
        out.stderr
    );
    out
}

/// Runs a command that must succeed; returns its standard output.
fn ok(args: &[&str]) -> String {
    succeeds(args).stdout
}

/// Checks that a run failed with exit code `code`, `error: ...` on standard error and
/// never a panic; returns standard error.
fn failed_with(code: i32, out: Outcome, args: &[&str]) -> String {
    assert_eq!(
        out.code,
        Some(code),
        "tapegrad {args:?} should exit with {code}; stderr:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("error: "), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stderr
}

/// Runs a command whose work must fail (exit code 1); returns standard error.
fn fails(args: &[&str]) -> String {
    failed_with(1, tapegrad(args), args)
}

/// Runs a command whose command line is wrong (exit code 2); returns standard error.
fn misused(args: &[&str]) -> String {
    failed_with(2, tapegrad(args), args)
}

/// Asserts that `text` contains `part`, showing `text` if not.
#[track_caller]
fn contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

/// Borrowed arguments.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Trains a quick iris model into the scratch directory.
fn iris_model(scratch: &Scratch) -> String {
    let model = scratch.path("iris.json");
    ok(&[
        "train", "--data", "iris", "--epochs", "30", "--quiet", "--model", &model,
    ]);
    model
}

/// The number after `label: ` on the line that starts with it.
fn number_after(text: &str, label: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line starting with {label:?} in:\n{text}"));
    line[label.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Data rows of a CSV text (lines after the header).
fn data_lines(csv: &str) -> Vec<&str> {
    csv.lines().skip(1).collect()
}

#[test]
fn train_writes_model_history_and_plot() {
    let scratch = Scratch::new("train");
    let (model, history, plot) = (
        scratch.path("m.json"),
        scratch.path("h.csv"),
        scratch.path("p.svg"),
    );
    let epochs = 12;
    let stdout = ok(&[
        "train",
        "--data",
        "iris",
        "--epochs",
        &epochs.to_string(),
        "--model",
        &model,
        "--history",
        &history,
        "--plot",
        &plot,
    ]);
    contains(&stdout, "epochs: 12");
    contains(&stdout, "standardize: yes");
    assert!(number_after(&stdout, "test accuracy: ") > 0.8, "{stdout}");
    assert_eq!(
        scratch.files(),
        ["h.csv", "m.json", "p.svg"],
        "no temporary files left"
    );

    let loaded = SoftmaxRegression::<f32>::load(&model).unwrap();
    assert_eq!((loaded.n_features(), loaded.n_classes()), (4, 3));
    assert_eq!(loaded.class_names(), ["setosa", "versicolor", "virginica"]);

    let history = std::fs::read_to_string(&history).unwrap();
    assert_eq!(
        history.lines().next().unwrap(),
        "epoch,train_loss,train_accuracy,test_loss,test_accuracy,learning_rate,steps"
    );
    let rows = data_lines(&history);
    assert_eq!(rows.len(), epochs);
    assert!(rows
        .iter()
        .enumerate()
        .all(|(i, r)| r.starts_with(&format!("{},", i + 1))));

    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("<svg"));
    assert!(
        svg.contains("<text") && svg.contains("accuracy"),
        "the plot has text"
    );
}

#[test]
fn pixel_data_gets_its_own_defaults_and_early_stopping_uses_validation() {
    let stdout = ok(&["train", "--data", "mnist5k", "--epochs", "1"]);
    for line in ["sampling: minibatch:100", "l2: 0.0001", "standardize: no"] {
        assert!(stdout.contains(line), "{line} missing in:\n{stdout}");
    }
    contains(&stdout, "schedule: cosine:0.1,0.001,40,20");

    let scratch = Scratch::new("early");
    let history = scratch.path("h.csv");
    let stdout = ok(&[
        "train",
        "--data",
        "wine",
        "--early-stopping",
        "2",
        "--history",
        &history,
    ]);
    contains(&stdout, "val loss");
    contains(&stdout, "validation: 27 of those rows held out");
    let history = std::fs::read_to_string(&history).unwrap();
    assert!(
        history.starts_with("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,")
    );
}

#[test]
fn eval_reports_accuracy_confusion_matrix_and_per_class_scores() {
    let scratch = Scratch::new("eval");
    let model = iris_model(&scratch);
    let stdout = ok(&["eval", "--model", &model, "--data", "iris"]);
    assert!(number_after(&stdout, "accuracy: ") >= 0.9, "{stdout}");
    assert!(
        number_after(&stdout, "mean cross-entropy: ") < 0.5,
        "{stdout}"
    );
    contains(&stdout, "test part (fraction 0.25, split seed 0): 39 rows");
    contains(&stdout, "confusion matrix");
    let header = stdout
        .lines()
        .find(|l| l.starts_with("true \\ predicted"))
        .unwrap();
    assert!(
        header.contains("setosa") && header.contains("virginica"),
        "{stdout}"
    );
    assert!(
        stdout.contains("precision") && stdout.contains("recall"),
        "{stdout}"
    );

    // The test part written by `split` holds the same rows, labelled by class name: the
    // scores agree.
    let dir = scratch.path("split");
    ok(&["split", "--data", "iris", "--out-dir", &dir]);
    let on_csv = ok(&[
        "eval",
        "--model",
        &model,
        "--data",
        &format!("{dir}/test.csv"),
    ]);
    contains(&on_csv, "all rows: 39 rows");
    let tail = |s: &str| s.split_once("accuracy: ").unwrap().1.to_string();
    assert_eq!(tail(&on_csv), tail(&stdout));

    // A CSV with class names, a subset of them, in another order.
    let mut csv =
        String::from("species,petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n");
    csv += "virginica,2.5,6.0,3.3,6.3\nsetosa,0.2,1.4,3.5,5.1\n";
    let file = scratch.write("named.csv", &csv);
    let stdout = ok(&[
        "eval", "--model", &model, "--data", &file, "--target", "species",
    ]);
    assert_eq!(number_after(&stdout, "accuracy: "), 1.0, "{stdout}");
}

#[test]
fn predict_picks_feature_columns_by_name() {
    let scratch = Scratch::new("predict");
    let model = iris_model(&scratch);
    let iris = data::bundled::iris();
    let names = iris.feature_names();

    let mut original = format!("{},species\n", names.join(","));
    let order = [2, 0, 3, 1];
    let mut shuffled = format!("id,{}\n", order.map(|c| names[c].as_str()).join(","));
    for (i, (row, label)) in iris.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        original += &format!("{},{}\n", cells.join(","), iris.class_names()[label]);
        shuffled += &format!("{i},{}\n", order.map(|c| cells[c].as_str()).join(","));
    }
    let original = scratch.write("original.csv", &original);
    let shuffled = scratch.write("shuffled.csv", &shuffled);

    let out = scratch.path("predictions.csv");
    ok(&[
        "predict", "--model", &model, "--data", &original, "--out", &out,
    ]);
    let from_original = std::fs::read_to_string(&out).unwrap();
    let from_shuffled = ok(&["predict", "--model", &model, "--data", &shuffled]);
    assert_eq!(from_original, from_shuffled);
    assert_eq!(
        from_original.lines().next().unwrap(),
        "row,predicted_class,p_setosa,p_versicolor,p_virginica"
    );
    let rows = data_lines(&from_original);
    assert_eq!(rows.len(), 150);
    assert!(rows[0].starts_with("0,setosa,"), "{}", rows[0]);
    let correct = rows
        .iter()
        .zip(iris.labels())
        .filter(|(r, &y)| r.split(',').nth(1) == Some(iris.class_names()[y].as_str()))
        .count();
    assert!(correct >= 135, "{correct}/150 correct");

    // Bundled data: its test part.
    let stdout = ok(&["predict", "--model", &model, "--data", "iris"]);
    assert_eq!(data_lines(&stdout).len(), 39);
}

/// Runs `eval` of `model` on `data` with more `flags`, which must succeed.
fn eval_on(model: &str, data: &str, flags: &[&str]) -> Outcome {
    succeeds(&[&["eval", "--model", model, "--data", data][..], flags].concat())
}

/// The JSON document of `eval --json` of `model` on `data` with more `flags`.
fn eval_json(model: &str, data: &str, flags: &[&str]) -> serde_json::Value {
    json_of(&eval_on(model, data, &[flags, &["--json"]].concat()).stdout)
}

/// The record of training rows in the model file `name` of the scratch directory.
fn training_data(scratch: &Scratch, name: &str) -> serde_json::Value {
    let saved: serde_json::Value = serde_json::from_str(&scratch.read(name)).unwrap();
    saved["training_data"].clone()
}

/// Trains on iris with `flags` into `name` in the scratch directory; returns the model's
/// path and train's JSON report.
fn iris_model_with(scratch: &Scratch, name: &str, flags: &[&str]) -> (String, serde_json::Value) {
    let model = scratch.path(name);
    let train = ["train", "--data", "iris", "--epochs", "30", "--json"];
    let report = json_of(&ok(&[&train[..], &["--model", &model], flags].concat()));
    (model, report)
}

/// Asserts that eval's text calls its score a training accuracy, and no test accuracy.
#[track_caller]
fn scored_as_training_rows(stdout: &str, at_least: f64) {
    assert!(
        number_after(stdout, "training accuracy: ") > at_least,
        "{stdout}"
    );
    assert!(
        !stdout.lines().any(|l| l.starts_with("accuracy: ")),
        "{stdout}"
    );
}

#[test]
fn eval_says_when_a_model_trained_on_every_row_is_scored_on_its_training_rows() {
    let scratch = Scratch::new("every-row");
    let (model, _) = iris_model_with(&scratch, "all.json", &["--test-fraction", "0"]);
    let record = training_data(&scratch, "all.json");
    assert_eq!(record["data"], "iris");
    assert_eq!(record["rows"]["kind"], "all");

    // No flags: every row, called the rows it was trained on.
    let out = eval_on(&model, "iris", &[]);
    contains(
        &out.stdout,
        "iris (bundled), all rows, every one of them trained on: 150 rows",
    );
    scored_as_training_rows(&out.stdout, 0.9);
    contains(
        &out.stdout,
        "the model was trained on every one of them: not a test score",
    );
    let warning = "warning: the model was trained on every row of iris (bundled)";
    contains(&out.stderr, warning);
    let json = eval_json(&model, "iris", &[]);
    assert_eq!(json["rows"], 150);
    assert_eq!(json["rows_seen_in_training"], 150);
    assert_eq!(json["part"], "all rows, every one of them trained on");

    // The flags' test part: all of it trained on, and said to be.
    let out = eval_on(&model, "iris", &["--test-fraction", "0.25"]);
    contains(
        &out.stdout,
        "test part (fraction 0.25, split seed 0), 39 of its rows trained on: 39 rows",
    );
    scored_as_training_rows(&out.stdout, 0.9);
    contains(&out.stderr, "warning: 39 of the 39 rows of this test part (fraction 0.25, split seed 0) are rows the model was trained on (every row of iris)");

    // predict, too, takes every row, with the same warning.
    let out = succeeds(&["predict", "--model", &model, "--data", "iris"]);
    assert_eq!(data_lines(&out.stdout).len(), 150);
    contains(&out.stderr, warning);
}

#[test]
fn eval_tests_a_model_on_the_rows_its_training_held_out() {
    let scratch = Scratch::new("held-out");
    let split = ["--test-fraction", "0.3", "--split-seed", "7"];
    let (model, report) = iris_model_with(&scratch, "m.json", &split);
    assert_eq!(report["data"]["test_rows"], 45);
    let using = "using the model's split: test fraction 0.3, split seed 7";
    let test_part = "iris (bundled), test part (fraction 0.3, split seed 7): 45 rows";

    // No flags: the model's split, exactly as the same flags give it, ...
    let implicit = eval_on(&model, "iris", &[]);
    contains(&implicit.stderr, using);
    contains(&implicit.stdout, test_part);
    let explicit = eval_on(&model, "iris", &split);
    assert_eq!(implicit.stdout, explicit.stdout);
    assert!(!explicit.stderr.contains("warning"), "{}", explicit.stderr);
    // ... scoring what train scored on its test part.
    let json = eval_json(&model, "iris", &[]);
    assert_eq!(json["accuracy"], report["test"]["accuracy"]);
    assert_eq!(json["confusion_matrix"], report["test"]["confusion_matrix"]);
    assert_eq!(json["rows_seen_in_training"], 0);
    let predicted = ok(&["predict", "--model", &model, "--data", "iris"]);
    assert_eq!(data_lines(&predicted).len(), 45);
    // The full-batch solvers record the split too.
    let solved = scratch.path("lbfgs.json");
    let lbfgs = ["train", "--data", "iris", "--optimizer", "lbfgs", "--quiet"];
    ok(&[&lbfgs[..], &["--model", &solved], &split].concat());
    let out = eval_on(&solved, "iris", &[]);
    contains(&out.stderr, using);
    contains(&out.stdout, test_part);

    // Other flags: obeyed, with the training rows in their test part counted.
    let iris = data::bundled::iris();
    let (trained, _) = data::stratified_split_indices(iris.labels(), 0.3, 7);
    let (_, test) = data::stratified_split_indices(iris.labels(), 0.25, 0);
    let seen = test.iter().filter(|i| trained.contains(i)).count();
    assert!(seen > 0, "the default split overlaps this one");
    let other = eval_on(&model, "iris", &["--test-fraction", "0.25"]);
    contains(&other.stderr, &format!("warning: {seen} of the 39 rows of this test part (fraction 0.25, split seed 0) are rows the model was trained on (the training part of iris, test fraction 0.3, split seed 7); leave out --test-fraction and --split-seed to test on the rows it held out"));
    contains(&other.stdout, &format!("; {seen} of them trained on)"));
    let json = eval_json(&model, "iris", &["--test-fraction", "0.25"]);
    assert_eq!(json["rows_seen_in_training"], seen);
    assert_eq!(json["rows"], 39);
    let out = succeeds(&[
        "predict",
        "--model",
        &model,
        "--data",
        "iris",
        "--split-seed",
        "1",
    ]);
    contains(&out.stderr, "are rows the model was trained on");
}

#[test]
fn the_same_rows_are_recognised_under_any_name_and_changed_rows_under_none() {
    let scratch = Scratch::new("same-rows");
    let header = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species";
    let csv = iris_csv(header, |cells, label| {
        format!("{},{label}", cells.join(","))
    });
    let file = scratch.write("flowers.csv", &csv);
    let model = scratch.path("m.json");
    let split = ["--test-fraction", "0.3", "--split-seed", "7"];
    ok(&[
        &["train", "--data", &file, "--quiet", "--model", &model][..],
        &split,
    ]
    .concat());
    assert_eq!(training_data(&scratch, "m.json")["data"], file.as_str());
    let test_part = "test part (fraction 0.3, split seed 7): 45 rows";
    // The file, a copy of it, the same rows bundled and on standard input: the model's split.
    let copy = scratch.write("copy.csv", &csv);
    for data in [file.as_str(), copy.as_str(), "iris"] {
        contains(&eval_on(&model, data, &[]).stdout, test_part);
    }
    let out = with_stdin(&["eval", "--model", &model, "--data", "-"], csv.as_bytes());
    contains(&out.stdout, test_part);
    // Edited since: its rows are other rows, all evaluated, as without a record.
    let edited = csv.replacen("5.1,3.5,1.4,0.2", "5.2,3.5,1.4,0.2", 1);
    assert_ne!(edited, csv);
    scratch.write("flowers.csv", &edited);
    let out = eval_on(&model, &file, &[]);
    contains(&out.stdout, "all rows: 150 rows");
    contains(&out.stderr, "has changed since the model was trained on it");
    let json = eval_json(&model, &file, &[]);
    assert!(json["rows_seen_in_training"].is_null(), "{json}");
}

#[test]
fn a_model_file_without_its_training_rows_is_evaluated_as_before() {
    let scratch = Scratch::new("old-model");
    let (model, _) = iris_model_with(&scratch, "all.json", &["--test-fraction", "0"]);
    let mut json: serde_json::Value = serde_json::from_str(&scratch.read("all.json")).unwrap();
    let record = json.as_object_mut().unwrap().remove("training_data");
    assert!(record.is_some());
    let old = scratch.write("old.json", serde_json::to_string_pretty(&json).unwrap());
    let out = eval_on(&old, "iris", &[]);
    contains(
        &out.stdout,
        "iris (bundled), test part (fraction 0.25, split seed 0): 39 rows",
    );
    assert!(
        number_after(&out.stdout, "accuracy: ") > 0.9,
        "{}",
        out.stdout
    );
    assert_eq!(out.stderr, "");
    let report = eval_json(&old, "iris", &[]);
    assert!(report["rows_seen_in_training"].is_null(), "{report}");
    assert_eq!(report["part"], "test part (fraction 0.25, split seed 0)");
    // The same numbers as the model with its record, given the flags that choose that part.
    let with_record = eval_on(&model, "iris", &["--test-fraction", "0.25"]).stdout;
    // "0.9744 (38/39", whether or not the line goes on to count training rows.
    let score = |s: &str| {
        s.split_once("accuracy: ")
            .unwrap()
            .1
            .split(" rows")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(score(&out.stdout), score(&with_record));
    let predicted = ok(&["predict", "--model", &old, "--data", "iris"]);
    assert_eq!(data_lines(&predicted).len(), 39);
}

#[test]
fn mnist5k_is_training_rows_to_a_model_trained_on_mnist() {
    // A model trained on mnist5k's training part, its record edited to say MNIST's: every
    // mnist5k image is an image of MNIST's training file.
    let scratch = Scratch::new("mnist5k-inside");
    let model = scratch.path("m.json");
    ok(&[
        "train", "--data", "mnist5k", "--epochs", "1", "--quiet", "--model", &model,
    ]);
    assert_eq!(
        eval_json(&model, "mnist5k", &[])["rows_seen_in_training"],
        0
    );
    let mut saved: serde_json::Value = serde_json::from_str(&scratch.read("m.json")).unwrap();
    assert_eq!(saved["training_data"]["rows"]["kind"], "own_training_part");
    saved["training_data"]["data"] = "mnist".into();
    saved["training_data"]["fingerprint"] = "0123456789abcdef".into();
    let edited = scratch.write("mnist.json", saved.to_string());
    let out = eval_on(&edited, "mnist5k", &[]);
    contains(
        &out.stdout,
        "test part, every one of them trained on: 1000 rows",
    );
    scored_as_training_rows(&out.stdout, 0.5);
    contains(
        &out.stderr,
        "warning: every row of mnist5k (bundled) is in the training part of mnist",
    );
}

#[test]
fn split_reproduces_the_library_split() {
    let scratch = Scratch::new("split");
    for (name, ds, fraction, seed) in [
        ("iris", data::bundled::iris(), 0.25, 0),
        ("wine", data::bundled::wine(), 0.25, 3),
        ("iris", data::bundled::iris(), 0.2, 42),
    ] {
        let dir = scratch.path(&format!("{name}-{seed}"));
        ok(&[
            "split",
            "--data",
            name,
            "--test-fraction",
            &fraction.to_string(),
            "--split-seed",
            &seed.to_string(),
            "--out-dir",
            &dir,
        ]);
        let (train, test) = data::train_test_split_stratified(&ds, fraction, seed);
        for (file, part) in [("train.csv", &train), ("test.csv", &test)] {
            let text = std::fs::read_to_string(Path::new(&dir).join(file)).unwrap();
            let header = format!("{},label", ds.feature_names().join(","));
            assert_eq!(text.lines().next().unwrap(), header);
            let back = data::read_csv(Path::new(&dir).join(file), &Default::default()).unwrap();
            assert_eq!(back.len(), part.len(), "{name} {file}");
            assert_eq!(back.features(), part.features(), "{name} {file}");
            assert_eq!(back.labels(), part.labels(), "{name} {file}");
        }
    }
    // Stratified sizes: 13 of each 50 iris flowers; 15 + 18 + 12 of wine's 59, 71, 48.
    let test = data::read_csv(scratch.path("iris-0/test.csv"), &Default::default()).unwrap();
    assert_eq!(test.class_counts(), [13, 13, 13]);
    let test = data::read_csv(scratch.path("wine-3/test.csv"), &Default::default()).unwrap();
    assert_eq!(test.class_counts(), [15, 18, 12]);
    let test = data::read_csv(scratch.path("iris-42/test.csv"), &Default::default()).unwrap();
    assert_eq!(test.len(), 30);
}

#[test]
fn split_writes_class_names_so_its_parts_are_the_same_data() {
    // Labels 1, 2 and 3, well apart along f1: any fair model gets every row right.
    let scratch = Scratch::new("split-names");
    let mut csv = String::from("f1,f2,label\n");
    for i in 0..60 {
        let class = i % 3 + 1;
        csv += &format!("{},{},{class}\n", class * 10 + i % 7, i % 5);
    }
    let original = scratch.write("lab123.csv", &csv);
    let class = |row: &str| row.split(',').next().unwrap().parse::<u32>().unwrap() / 10;
    let train = |data: &str, model: &str| {
        let args = ["--test-fraction", "0", "--quiet", "--model", model];
        ok(&[&["train", "--data", data][..], &args].concat());
    };
    let accuracy = |model: &str, data: &str| {
        let stdout = ok(&["eval", "--model", model, "--data", data]);
        stdout
            .lines()
            .find(|l| l.starts_with("accuracy: "))
            .unwrap()
            .to_string()
    };
    let whole = scratch.path("whole.json");
    train(&original, &whole);
    let dir = scratch.path("sp123");
    ok(&["split", "--data", &original, "--out-dir", &dir]);
    let (train_part, test_part) = (format!("{dir}/train.csv"), format!("{dir}/test.csv"));
    let test = std::fs::read_to_string(&test_part).unwrap();

    // The test part without class 1: its classes are matched to the model's right ones.
    let mut no1 = String::from("f1,f2,label\n");
    for row in data_lines(&test).into_iter().filter(|&row| class(row) != 1) {
        no1 += &format!("{row}\n");
    }
    let no1 = scratch.write("no1.csv", no1);
    assert_eq!(accuracy(&whole, &no1), "accuracy: 1.0000 (10/10 rows)");
    // Each row keeps its original label.
    for row in data_lines(&test) {
        assert!(row.ends_with(&format!(",{}", class(row))), "{row}");
    }

    // A model trained on the training part knows the original classes.
    let part = scratch.path("part.json");
    train(&train_part, &part);
    assert_eq!(accuracy(&part, &original), "accuracy: 1.0000 (60/60 rows)");
    assert_eq!(accuracy(&part, &test_part), "accuracy: 1.0000 (15/15 rows)");

    // Bundled sets are written with the class names they are loaded with.
    let dir = scratch.path("iris");
    ok(&["split", "--data", "iris", "--out-dir", &dir]);
    let test = std::fs::read_to_string(format!("{dir}/test.csv")).unwrap();
    let labels: std::collections::BTreeSet<&str> = data_lines(&test)
        .iter()
        .map(|row| row.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(
        Vec::from_iter(labels),
        ["setosa", "versicolor", "virginica"]
    );
}

#[test]
fn split_keeps_the_target_column_name() {
    let scratch = Scratch::new("split-target");
    let mut csv = String::from("label,x,species\n");
    let mut middle = String::from("a,species,b\n");
    for i in 0..8 {
        let species = ["setosa", "virginica"][i % 2];
        csv += &format!("{i},{},{species}\n", i * 2);
        middle += &format!("{i},{species},{}\n", i * 2);
    }
    let file = scratch.write("featlabel.csv", csv);
    let dir = scratch.path("spl");
    ok(&["split", "--data", &file, "--out-dir", &dir]);
    let train = format!("{dir}/train.csv");
    let text = std::fs::read_to_string(&train).unwrap();
    assert_eq!(text.lines().next(), Some("label,x,species"));
    let info = ok(&["info", "--data", &train]);
    contains(&info, "features: 2: label, x");
    contains(&info, "setosa");

    // A target column named in the middle is written last, under its name.
    let file = scratch.write("middle.csv", middle);
    let dir = scratch.path("middle");
    ok(&[
        "split",
        "--data",
        &file,
        "--target",
        "species",
        "--out-dir",
        &dir,
    ]);
    let text = std::fs::read_to_string(format!("{dir}/test.csv")).unwrap();
    assert_eq!(text.lines().next(), Some("a,b,species"));
    ok(&[
        "info",
        "--data",
        &format!("{dir}/test.csv"),
        "--target",
        "species",
    ]);
}

#[test]
fn split_creates_no_directory_when_the_data_cannot_be_read() {
    let scratch = Scratch::new("split-nothing");
    let bad = scratch.write("bad.csv", "x,label\n1,a\nabc,b\n");
    for data in [scratch.path("nonexist.csv"), bad] {
        let dir = scratch.path("newdir");
        fails(&["split", "--data", &data, "--out-dir", &dir]);
        assert!(!Path::new(&dir).exists(), "{dir} was created");
    }
}

#[test]
fn info_describes_the_data() {
    let stdout = ok(&["info", "--data", "wine"]);
    contains(&stdout, "rows: 178");
    contains(&stdout, "features: 13: alcohol");
    contains(&stdout, "class_1");
    let stdout = ok(&["info", "--data", "digits"]);
    contains(&stdout, "features: 64: pixel_0_0,");
    contains(&stdout, ", ..., pixel_7_6, pixel_7_7");
}

#[test]
fn errors_name_the_problem_exit_1_or_2_and_write_nothing() {
    let scratch = Scratch::new("errors");
    let model = iris_model(&scratch);
    let bad_csv = scratch.write("bad.csv", "a,b,label\n1,2,x\n3,oops,y\n");
    let corrupt = scratch.write("corrupt.json", "{ \"format\": \"tapegrad-model\", ");
    let three_columns = scratch.write(
        "three.csv",
        "sepal_length_cm,sepal_width_cm,petal_length_cm\n5.1,3.5,1.4\n",
    );
    let before = scratch.files();
    let train = |data: &str, extra: &[&str]| {
        let mut args = vec!["train".to_string(), "--data".into(), data.into()];
        for (flag, name) in [
            ("--model", "out.json"),
            ("--history", "out.csv"),
            ("--plot", "out.svg"),
        ] {
            args.extend([flag.to_string(), scratch.path(name)]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| fails(&strs(&args));
    let run_misused = |args: Vec<String>| misused(&strs(&args));

    // The work fails: exit code 1.
    let missing = scratch.path("missing.csv");
    let err = run(train(&missing, &[]));
    contains(&err, &format!("{missing}: cannot read"));

    let err = run(train(&bad_csv, &[]));
    contains(
        &err,
        "bad.csv: line 3, column 2 (b): \"oops\" is not a number",
    );

    let err = fails(&[
        "predict",
        "--model",
        &model,
        "--data",
        &three_columns,
        "--out",
        &scratch.path("p.csv"),
    ]);
    contains(
        &err,
        "three.csv: line 1: no column named \"petal_width_cm\"",
    );

    let err = fails(&["eval", "--model", &corrupt, "--data", "iris"]);
    contains(&err, "corrupt.json: not a valid model file");

    let err = fails(&["eval", "--model", &model, "--data", "wine"]);
    contains(&err, "wine (bundled) has none of the 4 features the model");
    let err = fails(&[
        "predict",
        "--model",
        &model,
        "--data",
        "wine",
        "--by-position",
        "--out",
        &scratch.path("p.csv"),
    ]);
    assert!(
        err.contains("wine (bundled) has 13 feature columns but the model")
            && err.contains("expects 4"),
        "{err}"
    );

    let nowhere = scratch.path("no/such/dir/m.json");
    let err = fails(&[
        "train", "--data", "iris", "--epochs", "1", "--model", &nowhere,
    ]);
    assert!(
        err.contains("the directory") && err.contains("no/such/dir does not exist"),
        "{err}"
    );

    // The command line is wrong: exit code 2.
    let err = run_misused(train("irsi", &[]));
    contains(&err, "unknown data set `irsi`");
    contains(&err, "iris, wine, breast_cancer, digits, mnist5k, mnist");

    let err = run_misused(train("iris", &["--schedule", "cosine:0.1,abc,100"]));
    contains(
        &err,
        "invalid --schedule `cosine:0.1,abc,100`: cosine schedule",
    );
    let err = run_misused(train("iris", &["--optimizer", "bfgs"]));
    contains(&err, "unknown optimizer `bfgs`");
    let err = run_misused(train("iris", &["--optimizer", "adam:beta1=0.9,beta1=0.8"]));
    contains(
        &err,
        "invalid --optimizer `adam:beta1=0.9,beta1=0.8`: beta1 is set twice (beta1=0.9, \
         then beta1=0.8); set it once",
    );
    // the full-batch solvers refuse the flags of stepwise training, each named, the ones
    // with defaults (--init, --seed) included: a flag given is never silently dropped
    for (flags, refused) in [
        (&["--lr", "0.1"][..], "--schedule/--lr"),
        (&["--batch-size", "8"], "--sampling/--batch-size"),
        (&["--early-stopping", "3"], "--early-stopping"),
        (&["--init", "xavier"], "--init"),
        (&["--seed", "0"], "--seed"),
    ] {
        for solver in ["lbfgs", "newton-cg"] {
            let mut extra = vec!["--optimizer", solver];
            extra.extend(flags);
            let err = run_misused(train("iris", &extra));
            contains(
                &err,
                &format!("{refused} does not apply to the full-batch solver {solver}"),
            );
        }
    }
    // --init zeros is what the solvers do
    ok(&[
        "train",
        "--data",
        "iris",
        "--optimizer",
        "lbfgs",
        "--init",
        "zeros",
    ]);
    // a seed where stepwise training draws no random numbers is refused too
    let err = run_misused(train("iris", &["--sampling", "full", "--seed", "1"]));
    contains(&err, "--seed has no effect on this run");
    let err = run_misused(train("iris", &["--lr", "-1"]));
    contains(&err, "invalid --lr -1");

    let err = run_misused(train("mnist5k", &["--test-fraction", "0.1"]));
    contains(&err, "--test-fraction does not apply to mnist5k");
    let err = run_misused(train("iris", &["--target", "species"]));
    contains(&err, "--target applies to CSV files only");

    assert_eq!(scratch.files(), before, "a failed command wrote something");
}

#[test]
fn help_and_usage_errors() {
    let top = ok(&["--help"]);
    contains(&top, "reverse-mode");
    for command in ["train", "eval", "predict", "split", "info"] {
        assert!(top.contains(command), "{command} missing in:\n{top}");
    }
    contains(&top, "Exit codes: 0 success, 1 the work failed");
    let train = ok(&["train", "--help"]);
    for flag in [
        "--data",
        "--test-data",
        "--schedule",
        "--early-stopping",
        "--no-standardize",
        "--plot",
        "--json",
        "--delimiter",
        "--max-data-size",
        "[default: momentum]",
    ] {
        assert!(train.contains(flag), "{flag} missing in:\n{train}");
    }
    // clap's own usage errors keep their exit code 2.
    misused(&["train"]);
    misused(&[
        "train",
        "--data",
        "iris",
        "--lr",
        "0.1",
        "--schedule",
        "constant:0.1",
    ]);
    misused(&[
        "train",
        "--data",
        "iris",
        "--test-data",
        "wine",
        "--test-fraction",
        "0.2",
    ]);
    misused(&["train", "--data", "iris", "--delimiter", ";;"]);
    misused(&["train", "--data", "iris", "--max-data-size", "lots"]);
    misused(&[
        "eval",
        "--model",
        "m.json",
        "--data",
        "iris",
        "--test-fraction",
        "0",
    ]);
}

// ---- 1. Never lose a user's file ----

/// Whether this machine lets a process make private mounts (a user and mount namespace).
fn private_mounts_available() -> bool {
    Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Runs `script` with `sh` in a private user and mount namespace, so that it may mount a
/// tmpfs that no one else sees and that vanishes with it; `$1` is the tapegrad binary,
/// `$2` the scratch directory.
fn with_private_mounts(script: &str, dir: &Path) -> Outcome {
    Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(env!("CARGO_BIN_EXE_tapegrad"))
        .arg(dir)
        .output()
        .expect("unshare runs")
        .into()
}

/// Runs with the file `input` on standard input, as the shell's `< input` gives it.
fn with_stdin_file(args: &[&str], input: &str) -> Outcome {
    command()
        .args(args)
        .stdin(std::fs::File::open(input).unwrap())
        .output()
        .expect("the tapegrad binary runs")
        .into()
}

#[test]
fn a_file_redirected_into_standard_input_is_an_input_that_no_output_may_replace() {
    let scratch = Scratch::new("stdin-file");
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        csv += &format!("{i},{},{}\n", i % 7, ["x", "y"][i % 2]);
    }
    let data = scratch.write("data.csv", &csv);
    let model = iris_model(&scratch);
    let train = with_stdin_file(&["train", "--data", "-", "--model", &data], &data);
    assert_eq!(train.code, Some(2), "{}", train.stderr);
    contains(
        &train.stderr,
        &format!("the model {data} is the same file as the data /dev/stdin"),
    );
    let predict = with_stdin_file(
        &["predict", "--model", &model, "--data", "-", "--out", &data],
        &data,
    );
    assert_eq!(predict.code, Some(2), "{}", predict.stderr);
    contains(&predict.stderr, "is the same file as the data /dev/stdin");
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        csv,
        "the data is intact"
    );
    // Another file on standard input is no clash.
    let other = scratch.write("other.csv", &csv);
    let out = with_stdin_file(
        &["predict", "--model", &model, "--data", "-", "--out", &other],
        &data,
    );
    assert_eq!(
        out.code,
        Some(1),
        "iris's model does not fit these columns: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("same file"), "{}", out.stderr);
}

#[test]
fn an_output_that_is_an_input_or_another_output_is_refused_before_any_work() {
    let scratch = Scratch::new("same-file");
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        csv += &format!("{i},{},{}\n", i % 7, ["x", "y"][i % 2]);
    }
    let data = scratch.write("data.csv", &csv);
    std::fs::create_dir(scratch.0.join("sub")).unwrap();
    std::fs::hard_link(&data, scratch.0.join("hard.csv")).unwrap();
    std::os::unix::fs::symlink(&data, scratch.0.join("soft.csv")).unwrap();
    let model = iris_model(&scratch);
    let before = scratch.files();

    // The same file under its own name, a hard link, a symbolic link, a relative detour.
    let relative = scratch.path("sub/../data.csv");
    for alias in [
        &data,
        &scratch.path("hard.csv"),
        &scratch.path("soft.csv"),
        &relative,
    ] {
        let err = misused(&["train", "--data", &data, "--model", alias]);
        contains(
            &err,
            &format!("the model {alias} is the same file as the data {data}"),
        );
        assert!(!err.contains("epoch"), "refused before training: {err}");
        // Relative to the working directory, too.
        let out = command()
            .current_dir(scratch.0.join("sub"))
            .args([
                "train",
                "--data",
                "../data.csv",
                "--history",
                "./../data.csv",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
    // Two outputs on one file.
    let out_json = scratch.path("out.json");
    let err = misused(&[
        "train",
        "--data",
        "iris",
        "--model",
        &out_json,
        "--history",
        &out_json,
    ]);
    assert!(
        err.contains("the history") && err.contains("same file as the model"),
        "{err}"
    );
    // predict --out over the model, or over its data.
    let err = misused(&[
        "predict", "--model", &model, "--data", &data, "--out", &model,
    ]);
    contains(&err, "is the same file as the model");
    let err = misused(&[
        "predict", "--model", &model, "--data", &data, "--out", &data,
    ]);
    contains(&err, "is the same file as the data");
    // split writing its test part over the file it splits.
    let test_csv = scratch.write("sub/test.csv", &csv);
    let err = misused(&[
        "split",
        "--data",
        &test_csv,
        "--out-dir",
        &scratch.path("sub"),
    ]);
    assert!(
        err.contains("the test part") && err.contains("same file as the data"),
        "{err}"
    );
    // --test-data is an input too.
    let err = misused(&[
        "train",
        "--data",
        "iris",
        "--test-data",
        &data,
        "--plot",
        &data,
    ]);
    contains(&err, "same file as the test data");

    assert_eq!(scratch.read("data.csv"), csv, "the data is untouched");
    assert_eq!(scratch.read("sub/test.csv"), csv);
    let mut after = scratch.files();
    after.retain(|f| f != "sub");
    let mut expected = before.clone();
    expected.retain(|f| f != "sub");
    assert_eq!(after, expected, "nothing was written");
}

/// A file's contents, modification time and inode: all the same unless it was replaced.
fn snapshot(path: &str) -> (String, std::time::SystemTime, u64) {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).unwrap();
    let contents = std::fs::read_to_string(path).unwrap();
    (contents, metadata.modified().unwrap(), metadata.ino())
}

#[test]
fn a_run_that_fails_to_write_one_output_replaces_none() {
    let scratch = Scratch::new("output-set");
    let model = scratch.write("keepm.json", "old model");
    let history = scratch.write("keeph.csv", "old history");
    std::fs::create_dir(scratch.0.join("parts")).unwrap();
    let train_part = scratch.write("parts/train.csv", "old part");
    // A link to /dev/full: an output that is not a regular file, written directly, fails.
    std::os::unix::fs::symlink("/dev/full", scratch.0.join("parts/test.csv")).unwrap();
    let before = [&model, &history, &train_part].map(|path| snapshot(path));
    let quick = ["train", "--data", "iris", "--epochs", "2", "--quiet"];
    let runs: [&[&str]; 3] = [
        &[
            &quick[..],
            &[
                "--model",
                &model,
                "--history",
                &history,
                "--plot",
                "/dev/full",
            ],
        ]
        .concat(),
        &[
            &quick[..],
            &[
                "--optimizer",
                "lbfgs",
                "--model",
                &model,
                "--history",
                "/dev/full",
            ],
        ]
        .concat(),
        &[
            "split",
            "--data",
            "iris",
            "--out-dir",
            &scratch.path("parts"),
        ],
    ];
    for args in runs {
        let err = fails(args);
        contains(&err, ": cannot write: No space left on device");
        let after = [&model, &history, &train_part].map(|path| snapshot(path));
        assert_eq!(after, before, "tapegrad {args:?} replaced an output");
    }
    assert_eq!(
        scratch.files(),
        ["keeph.csv", "keepm.json", "parts"],
        "no temporary file is left"
    );
    let mut parts: Vec<_> = std::fs::read_dir(scratch.0.join("parts"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    parts.sort();
    assert_eq!(
        parts,
        ["test.csv", "train.csv"],
        "no temporary file is left"
    );
}

#[test]
fn an_output_path_ending_in_a_separator_is_refused_before_any_work() {
    let scratch = Scratch::new("trailing-slash");
    let kept = scratch.write("kept.json", "mine");
    let model = iris_model(&scratch);
    let train = ["train", "--data", "iris", "--epochs", "2"];
    for path in [
        scratch.path("newdir/"),
        scratch.path("newdir/."),
        format!("{kept}/"),
    ] {
        for args in [
            [&train[..], &["--model", &path]].concat(),
            [&train[..], &["--history", &path]].concat(),
            vec![
                "predict", "--model", &model, "--data", "iris", "--out", &path,
            ],
        ] {
            let out = tapegrad(&args);
            assert!(out.stdout.is_empty(), "refused before any work: {out:?}");
            let err = failed_with(1, out, &args);
            contains(&err, "cannot write the ");
            contains(&err, &format!(" to {path}: "));
            contains(&err, "names a directory, not a file");
        }
    }
    assert_eq!(scratch.read("kept.json"), "mine");
    assert_eq!(
        scratch.files(),
        ["iris.json", "kept.json"],
        "nothing was written"
    );
}

#[test]
fn a_full_disk_keeps_the_old_model_and_leaves_no_temporary_file() {
    let scratch = Scratch::new("full-disk");
    // A digits model is about 20 KB of JSON: it cannot fit in 16 KB.
    if private_mounts_available() {
        std::fs::create_dir(scratch.0.join("disk")).unwrap();
        let out = with_private_mounts(
            r#"mount -t tmpfs -o size=16k tmpfs "$2/disk" || exit 99
               printf old > "$2/disk/model.json"
               "$1" train --data digits --epochs 1 --quiet --model "$2/disk/model.json"
               echo "exit code $?"
               ls -A "$2/disk"
               cat "$2/disk/model.json""#,
            &scratch.0,
        );
        assert_eq!(out.code, Some(0), "{out:?}");
        let lines: Vec<_> = out.stdout.lines().collect();
        assert!(lines[0].starts_with("test accuracy: "), "trained: {out:?}");
        assert_eq!(
            lines[1..],
            ["exit code 1", "model.json", "old"],
            "the old model stays and no temporary file is left: {out:?}"
        );
        assert!(
            out.stderr
                .contains("model.json: cannot write: No space left on device"),
            "{}",
            out.stderr
        );
        std::fs::remove_dir(scratch.0.join("disk")).unwrap();
    }
    // The same through a file size limit, which needs no privileges: the write fails
    // part-way through, on a real directory.
    let model = scratch.write("model.json", "old");
    let args = [
        "train", "--data", "digits", "--epochs", "1", "--quiet", "--model", &model,
    ];
    let out = limited("trap '' XFSZ; ulimit -f 8", &args);
    let err = failed_with(1, out, &args);
    contains(&err, "model.json: cannot write: File too large");
    assert_eq!(scratch.read("model.json"), "old");
    assert_eq!(scratch.files(), ["model.json"], "no temporary file is left");
}

#[test]
fn writes_that_fail_are_errors_and_closed_pipes_are_not() {
    let scratch = Scratch::new("dev-full");
    let model = iris_model(&scratch);
    // A device is written directly, and /dev/full fails.
    let err = fails(&[
        "train",
        "--data",
        "iris",
        "--epochs",
        "1",
        "--model",
        "/dev/full",
    ]);
    contains(&err, "/dev/full: cannot write: No space left on device");
    let err = fails(&[
        "predict",
        "--model",
        &model,
        "--data",
        "iris",
        "--out",
        "/dev/full",
    ]);
    contains(&err, "/dev/full: cannot write");
    // Standard output on /dev/full.
    for args in [
        &["info", "--data", "iris"][..],
        &["predict", "--model", &model, "--data", "iris"],
        &["eval", "--model", &model, "--data", "iris", "--json"],
        &["train", "--data", "iris", "--epochs", "3"],
    ] {
        let out: Outcome = command()
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap()
            .into();
        let err = failed_with(1, out, args);
        contains(
            &err,
            "cannot write to standard output: No space left on device",
        );
    }
    // /dev/null takes anything, twice.
    ok(&[
        "train",
        "--data",
        "iris",
        "--epochs",
        "1",
        "--history",
        "/dev/null",
        "--plot",
        "/dev/null",
    ]);

    // A reader that stops early (`| head -1`): quiet, exit code 0, and the work is done.
    let predictions = scratch.path("p.json");
    let mut child = command()
        .args([
            "train",
            "--data",
            "mnist5k",
            "--epochs",
            "3",
            "--model",
            &predictions,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then closed
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        Path::new(&predictions).exists(),
        "the model was still written"
    );
}

#[test]
fn unwritable_outputs_are_found_before_training() {
    let scratch = Scratch::new("unwritable");
    let long_run = ["train", "--data", "digits", "--epochs", "500", "--model"];
    // A directory where no file can be created.
    let err = fails(&[&long_run[..], &["/sys/model.json"]].concat());
    contains(
        &err,
        "cannot write the model to /sys/model.json: cannot create a file in /sys",
    );
    if private_mounts_available() {
        std::fs::create_dir(scratch.0.join("ro")).unwrap();
        let out = with_private_mounts(
            r#"mount -t tmpfs -o ro,size=16k tmpfs "$2/ro" || exit 99
               exec "$1" train --data digits --epochs 500 --model "$2/ro/model.json""#,
            &scratch.0,
        );
        let err = failed_with(1, out, &["train"]);
        contains(&err, "Read-only file system");
    }
    // A read-only file is not replaced.
    let kept = scratch.write("kept.json", "mine");
    let mut permissions = std::fs::metadata(&kept).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&kept, permissions).unwrap();
    let out = tapegrad(&[&long_run[..], &[&kept]].concat());
    let err = failed_with(1, out, &long_run);
    contains(&err, "the file is read-only");
    assert!(!err.contains("epoch"), "{err}");
    assert_eq!(scratch.read("kept.json"), "mine");
}

// ---- 2. Never a silently wrong answer ----

/// An iris-like CSV: `header`, then the rows of `data::bundled::iris()` in its columns.
fn iris_csv(header: &str, row: impl Fn(&[String], &str) -> String) -> String {
    let iris = data::bundled::iris();
    let mut csv = format!("{header}\n");
    for (features, label) in iris.iter() {
        let cells: Vec<String> = features.iter().map(|v| v.to_string()).collect();
        csv += &row(&cells, &iris.class_names()[label]);
        csv.push('\n');
    }
    csv
}

#[test]
fn duplicate_names_are_errors() {
    let scratch = Scratch::new("duplicates");
    let csv = scratch.write("dup.csv", "a,b,a,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n");
    let err = fails(&["train", "--data", &csv]);
    contains(
        &err,
        "dup.csv: line 1: the column name \"a\" is used 2 times (columns 1, 3)",
    );
    let model = iris_model(&scratch);
    let mut json: serde_json::Value = serde_json::from_str(&scratch.read("iris.json")).unwrap();
    json["class_names"][2] = "setosa".into();
    let edited = scratch.write("edited.json", json.to_string());
    let err = fails(&["eval", "--model", &edited, "--data", "iris"]);
    contains(&err, "the class name \"setosa\" appears twice");
    json["class_names"][2] = "virginica".into();
    json["feature_names"][1] = json["feature_names"][0].clone();
    let edited = scratch.write("edited.json", json.to_string());
    let err = fails(&["predict", "--model", &edited, "--data", "iris"]);
    contains(&err, "the feature name \"sepal_length_cm\" appears twice");
    ok(&["eval", "--model", &model, "--data", "iris"]);
}

#[test]
fn columns_are_matched_by_name_and_by_position_only_when_asked() {
    let scratch = Scratch::new("columns");
    let model = iris_model(&scratch);
    // The same measurements under other names: refused, naming every missing column.
    let renamed = scratch.write(
        "renamed.csv",
        iris_csv("sl,sw,pl,pw,species", |cells, label| {
            format!("{},{label}", cells.join(","))
        }),
    );
    for command in ["eval", "predict"] {
        let err = fails(&[command, "--model", &model, "--data", &renamed]);
        assert!(
            err.contains("renamed.csv: line 1: no columns named \"sepal_length_cm\", \"sepal_width_cm\", \"petal_length_cm\", \"petal_width_cm\" (the columns are: sl, sw, pl, pw, species)"),
            "{command}: {err}"
        );
    }
    // One column missing: named alone.
    let three = scratch.write(
        "three.csv",
        "sepal_length_cm,sepal_width_cm,petal_width_cm,species\n5.1,3.5,0.2,setosa\n",
    );
    let err = fails(&["eval", "--model", &model, "--data", &three]);
    contains(&err, "no column named \"petal_length_cm\"");
    // By position when asked, with the same results as by name.
    let by_name = ok(&[
        "eval",
        "--model",
        &model,
        "--data",
        "iris",
        "--test-fraction",
        "0.25",
    ]);
    let by_position = ok(&[
        "eval",
        "--model",
        &model,
        "--data",
        &renamed,
        "--by-position",
        "--test-fraction",
        "0.25",
        "--target",
        "species",
    ]);
    let tail = |s: &str| s.split_once("accuracy: ").unwrap().1.to_string();
    assert_eq!(tail(&by_position), tail(&by_name));
    let predicted = ok(&[
        "predict",
        "--model",
        &model,
        "--data",
        &renamed,
        "--by-position",
        "--id",
        "species",
    ]);
    assert_eq!(data_lines(&predicted).len(), 150);
    // The labels first: the last column, a feature, cannot be the label by default.
    let first = scratch.write(
        "first.csv",
        iris_csv(
            "species,sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm",
            |cells, label| format!("{label},{}", cells.join(",")),
        ),
    );
    let err = fails(&["eval", "--model", &model, "--data", &first]);
    contains(&err, "first.csv: line 1, column 5 (petal_width_cm): the last column is taken as the label (no target column was named), but it is also one of the features asked for; name the label column with --target");
    ok(&[
        "eval", "--model", &model, "--data", &first, "--target", "species",
    ]);
    // By position, the counts must agree.
    let err = fails(&["eval", "--model", &model, "--data", &three, "--by-position"]);
    contains(&err, "has 3 feature columns but the model");
}

/// Classes are matched by index only when no class name matches (the bundled CSV files
/// number the classes that the bundled sets name), and the match is said; a model of
/// classes 1, 2, 3 is not shifted onto data labelled 0, 1, 2.
#[test]
fn classes_are_matched_by_index_only_when_no_name_matches_and_it_is_said() {
    let scratch = Scratch::new("class-index");
    let model = iris_model(&scratch);
    let numbered = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/iris.csv");
    let numbered = numbered.display().to_string();
    let out = tapegrad(&["eval", "--model", &model, "--data", &numbered]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    contains(
        &out.stderr,
        &format!(
            "note: {numbered} (CSV file): its classes are numbers and none is a class of the \
             model {model}, so they are matched by class index: 0 -> setosa, 1 -> versicolor, \
             2 -> virginica\n"
        ),
    );
    assert!(
        number_after(&out.stdout, "accuracy: ") > 0.9,
        "{}",
        out.stdout
    );
    let out = tapegrad(&[
        "train",
        "--data",
        "iris",
        "--test-data",
        &numbered,
        "--epochs",
        "1",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    contains(
        &out.stderr,
        "none is a class of the training data, so they are matched by class index: 0 -> setosa",
    );
    // Classes by name: nothing to say about them. (The rows are iris's, which the model
    // was trained on, so it is tested on the rows its split held out, and says so.)
    let named = scratch.write(
        "named.csv",
        iris_csv(
            "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species",
            |cells, label| format!("{},{label}", cells.join(",")),
        ),
    );
    let out = tapegrad(&["eval", "--model", &model, "--data", &named]);
    let split =
        "using the model's split: test fraction 0.25, split seed 0 (the rows it held out)\n";
    assert_eq!((out.code, out.stderr.as_str()), (Some(0), split));

    // Names in common: the others are unknown classes, not indices.
    let mut json: serde_json::Value = serde_json::from_str(&scratch.read("iris.json")).unwrap();
    json["class_names"] = serde_json::json!(["1", "2", "3"]);
    // Another model, not trained on these rows: every row is evaluated.
    json.as_object_mut().unwrap().remove("training_data");
    let shifted = scratch.write("shifted.json", json.to_string());
    let err = fails(&["eval", "--model", &shifted, "--data", &numbered]);
    contains(
        &err,
        &format!(
            "{numbered} (CSV file): line 2: the class \"0\" is not one of the classes of the \
             model {shifted} (1, 2, 3); classes are matched by index only when no class name \
             matches"
        ),
    );
    // No names in common, but the model's classes are numbers: no indices either.
    let zeros = scratch.write(
        "zeros.csv",
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n5.1,3.5,1.4,0.2,0\n",
    );
    let err = fails(&["eval", "--model", &shifted, "--data", &zeros]);
    contains(
        &err,
        "the class \"0\" is not one of the classes of the model",
    );
    contains(
        &err,
        "names its classes by number, so numbers are not taken for class indices",
    );
}

#[test]
fn text_that_is_not_utf8_is_refused_with_the_line_and_a_hint() {
    let scratch = Scratch::new("latin1");
    // "café" and "cafè" in Latin-1: decoded lossily they would be one class.
    let mut bytes = b"x,y,drink\n".to_vec();
    for (i, accent) in [0xe9u8, 0xe8, 0xe9, 0xe8].iter().enumerate() {
        bytes.extend(format!("{i},{},caf", i * 2).as_bytes());
        bytes.extend([*accent, b'\n']);
    }
    let file = scratch.write("latin1.csv", &bytes);
    let err = fails(&["train", "--data", &file]);
    contains(&err, "latin1.csv: line 2, column 3 (drink): the text is not UTF-8 (byte 0xe9); re-encode the file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8 IN > OUT)");
    let err = fails(&["info", "--data", &file]);
    contains(&err, "line 2, column 3 (drink): the text is not UTF-8");
}

/// A valid iris model, from the scratch directory's `iris.json` (see [`iris_model`]), whose
/// class scores overflow to infinity for a sepal length of 10 (and not for 0).
fn overflowing_model(scratch: &Scratch) -> String {
    let mut json: serde_json::Value = serde_json::from_str(&scratch.read("iris.json")).unwrap();
    json["weight"] = serde_json::json!([3e38, 0, 0, 0, -3e38, 0, 0, 0, 0, 0, 0, 0]);
    json["standardization"] = serde_json::Value::Null;
    scratch.write("overflow.json", json.to_string())
}

#[test]
fn utf16_gets_its_own_hint_and_a_utf8_byte_order_mark_is_skipped() {
    let scratch = Scratch::new("utf16");
    let iris = iris_csv(
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species",
        |cells, label| format!("{},{label}", cells.join(",")),
    );
    // As Windows' "Unicode text" saves it: a byte order mark, then little-endian units.
    let utf16: Vec<u8> = std::iter::once(0xFEFF)
        .chain(iris.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let file = scratch.write("unicode.csv", &utf16);
    let model = iris_model(&scratch);
    for args in [
        vec!["train", "--data", &file],
        vec!["predict", "--model", &model, "--data", &file],
    ] {
        let err = fails(&args);
        contains(&err, "unicode.csv: the file looks like UTF-16 text (it starts with the byte order mark ff fe), not UTF-8; save it as UTF-8 (iconv -f utf-16 -t utf-8 IN > OUT)");
        assert!(!err.contains("Latin-1"), "{err}");
    }
    let no_mark: Vec<u8> = iris.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let err = fails(&["info", "--data", &scratch.write("no-mark.csv", no_mark)]);
    contains(
        &err,
        "no-mark.csv: the file looks like UTF-16 text (every other byte of its first line is 0)",
    );

    // A UTF-8 byte order mark is skipped: the first column keeps its own name.
    let species_first = iris_csv(
        "species,sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm",
        |cells, label| format!("{label},{}", cells.join(",")),
    );
    let marked = scratch.write("marked.csv", format!("\u{feff}{species_first}"));
    let out = ok(&["info", "--data", &marked, "--target", "species"]);
    contains(&out, "features: 4: sepal_length_cm,");
    contains(&out, "classes: 3");
}

#[test]
fn model_files_are_validated_and_nan_never_predicts_a_class() {
    let scratch = Scratch::new("validated");
    let model = iris_model(&scratch);
    let mut json: serde_json::Value = serde_json::from_str(&scratch.read("iris.json")).unwrap();
    json["weight"][0] = 1e300.into();
    let huge = scratch.write("huge.json", json.to_string());
    let err = fails(&["eval", "--model", &huge, "--data", "iris"]);
    contains(
        &err,
        "huge.json: weight number 0 (1e300) is too large for f32",
    );

    // A valid model whose class scores overflow on extreme inputs: no class from NaN.
    let overflowing = overflowing_model(&scratch);
    let rows = scratch.write(
        "rows.csv",
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n0,1,1,1\n10,1,1,1\n",
    );
    let err = fails(&["predict", "--model", &overflowing, "--data", &rows]);
    contains(&err, "rows.csv: line 3: the model's class probabilities are not finite, so no class can be predicted");
    ok(&["predict", "--model", &model, "--data", &rows]);
}

/// A row found wrong after reading (no class can be predicted for it, its class is not
/// the model's) is named by its line in the file, counting the header, blank lines and
/// quoted line breaks, also when the rows evaluated are a shuffled test part.
#[test]
fn bad_rows_are_named_by_their_line_in_the_file() {
    let scratch = Scratch::new("bad-row-lines");
    iris_model(&scratch);
    let overflowing = overflowing_model(&scratch);
    // Row 3 (counting from 0) overflows; it is on line 8.
    let header = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species\n";
    let body = "0,1,1,1,setosa\n\n0,1,1,\"\n1\",setosa\n0,1,1,1,setosa\n\n10,1,1,1,setosa\n";
    let rows = scratch.write("rows.csv", format!("{header}{body}"));
    let err = fails(&["predict", "--model", &overflowing, "--data", &rows]);
    contains(
        &err,
        &format!("{rows}: line 8: the model's class probabilities are not finite"),
    );
    let err = fails(&["eval", "--model", &overflowing, "--data", &rows]);
    contains(
        &err,
        &format!("{rows} (CSV file): line 8: the model's class probabilities are not finite"),
    );
    // A shuffled test part: the row is still named by its line, with whichever split seed
    // puts it in the test part.
    let mut failed = 0;
    for seed in 0..6 {
        let seed = seed.to_string();
        let args = [
            "eval",
            "--model",
            &overflowing,
            "--data",
            "-",
            "--test-fraction",
            "0.5",
            "--split-seed",
            &seed,
        ];
        let out = with_stdin(&args, format!("{header}{body}").as_bytes());
        if out.code == Some(0) {
            continue;
        }
        let err = failed_with(1, out, &args);
        contains(
            &err,
            "standard input (CSV): line 8: the model's class probabilities are not finite",
        );
        failed += 1;
    }
    assert!(
        (1..6).contains(&failed),
        "{failed} of 6 test parts hold the row"
    );

    // A class the model does not know: named with the first line it is on.
    let body = "0,1,1,1,setosa\n\n0,1,1,1,\"rosa\"\n0,1,1,1,\"lo\nng\"\n0,1,1,1,rosa\n";
    let rows = scratch.write("rosa.csv", format!("{header}{body}"));
    let err = fails(&["eval", "--model", &overflowing, "--data", &rows]);
    contains(
        &err,
        &format!(
            "{rows} (CSV file): line 5: the class \"lo\\nng\" is not one of the classes of the \
             model {overflowing} (setosa, versicolor, virginica)"
        ),
    );
}

#[test]
fn a_loss_that_explodes_without_nan_is_a_divergence_and_saves_nothing() {
    let scratch = Scratch::new("diverge");
    let model = scratch.path("m.json");
    let err = fails(&["train", "--data", "iris", "--lr", "1e9", "--model", &model]);
    assert!(
        err.contains("training diverged: after epoch 1 the training loss is")
            && err.contains("try a smaller learning rate"),
        "{err}"
    );
    assert!(scratch.files().is_empty(), "no model is saved");
    // Unstandardised breast cancer at a rate fit for standardised data runs away too.
    let err = fails(&[
        "train",
        "--data",
        "breast_cancer",
        "--no-standardize",
        "--lr",
        "0.01",
    ]);
    contains(&err, "training diverged");
}

/// Rust's `{}` never writes an exponent: 1e300 would be echoed as 301 digits.
#[test]
fn very_large_and_small_numbers_are_echoed_in_short_form() {
    let digits = |text: &str| {
        assert!(
            !text.contains("0000000000"),
            "a number written out in full:\n{text}"
        );
    };
    let out = tapegrad(&["train", "--data", "iris", "--epochs", "1", "--lr", "1e300"]);
    let all = format!("{}{}", out.stdout, out.stderr);
    let err = failed_with(1, out, &["--lr", "1e300"]);
    contains(&all, "schedule: constant:1e300\n");
    contains(&err, "(learning rate 1e300); try a smaller learning rate");
    digits(&all);

    let err = misused(&["train", "--data", "iris", "--l2", "-1e300"]);
    contains(&err, "--l2 must be finite and non-negative, got -1e300");
    digits(&err);
    let err = misused(&["train", "--data", "iris", "--test-fraction", "1e300"]);
    contains(&err, "1e300 is not in [0, 1)");
    digits(&err);
    let err = misused(&[
        "train",
        "--data",
        "iris",
        "--schedule",
        "cosine:1e-300,1e-200,10",
    ]);
    contains(
        &err,
        "the minimum rate 1e-200 exceeds the initial rate 1e-300",
    );
    digits(&err);

    let out = ok(&[
        "train",
        "--data",
        "iris",
        "--epochs",
        "1",
        "--optimizer",
        "adam:eps=1e-300",
        "--schedule",
        "exponential:0.1,1e-20",
        "--l2",
        "1e-30",
    ]);
    contains(&out, "optimizer: adam:beta1=0.9,beta2=0.999,eps=1e-300,");
    contains(&out, "schedule: exponential:0.1,1e-20\n");
    contains(&out, "l2: 1e-30\n");
    digits(&out);
}

// ---- 3. Bounded memory on hostile input ----

/// The virtual memory a hostile-input run may use: far below what the input expands to.
const MEMORY_LIMIT: &str = "ulimit -v 400000"; // 400 MB

/// `copies` gzip members of `member` decompressed, concatenated: a bomb of
/// `copies * member.len()` bytes in little space (gzip readers read every member).
fn gzip_bomb(member: &[u8], copies: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(member).unwrap();
    encoder.finish().unwrap().repeat(copies)
}

#[test]
fn a_gzip_bomb_ends_at_the_limit_with_a_clear_error() {
    let scratch = Scratch::new("bomb");
    // 2 GiB of well-formed rows in about 2 MB.
    let rows = "1.5,2.5,x\n3.5,4.5,y\n".repeat(1 << 20); // 20 MiB
    let mut bomb = gzip(b"a,b,label\n");
    bomb.extend(gzip_bomb(rows.as_bytes(), 100));
    assert!(bomb.len() < 10 << 20, "{}", bomb.len());
    let file = scratch.write("rows.csv.gz", &bomb);
    let args = ["train", "--data", &file, "--max-data-size", "50M"];
    let err = failed_with(1, limited(MEMORY_LIMIT, &args), &args);
    assert!(
        err.contains(
            "rows.csv.gz: more than 52428800 bytes of data (50 MiB), counted after decompression"
        ) && err.contains("raise it with --max-data-size"),
        "{err}"
    );
    // With the default limits, a bomb of one endless line stops at the line limit.
    let zeros = gzip_bomb(&vec![0u8; 16 << 20], 64); // 1 GiB of zero bytes
    let file = scratch.write("zeros.csv.gz", &zeros);
    let args = ["info", "--data", &file];
    let err = failed_with(1, limited(MEMORY_LIMIT, &args), &args);
    contains(
        &err,
        "zeros.csv.gz: line 1 is longer than 16777216 bytes (16 MiB)",
    );
    // An IDX bomb: a header claiming 60 million images, and zeros behind it.
    let dir = scratch.0.join("idx");
    std::fs::create_dir(&dir).unwrap();
    let mut header = vec![0, 0, 8, 3];
    for d in [60_000_000u32, 28, 28] {
        header.extend(d.to_be_bytes());
    }
    let mut images = gzip(&header);
    images.extend(gzip_bomb(&vec![0u8; 16 << 20], 64));
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), images).unwrap();
    for name in [
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    let dir = dir.display().to_string();
    let args = ["info", "--data", &dir, "--max-data-size", "64M"];
    let err = failed_with(1, limited(MEMORY_LIMIT, &args), &args);
    contains(
        &err,
        "train-images-idx3-ubyte.gz: more than 67108864 bytes of data",
    );
}

#[test]
fn devices_are_refused_and_idx_claims_are_not_trusted() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let args = ["train", "--data", device];
        let err = failed_with(1, limited(MEMORY_LIMIT, &args), &args);
        assert!(
            err.contains(&format!("{device}: cannot read data from a character device; give a file (or a pipe); to read standard input, use --data -")),
            "{err}"
        );
        let err = fails(&["eval", "--model", device, "--data", "iris"]);
        contains(&err, "cannot read data from a character device");
    }
    // An IDX header claiming far more than the file holds.
    let scratch = Scratch::new("idx-claims");
    let mut header = vec![0, 0, 8, 3];
    for d in [4_000_000_000u32, 28, 28] {
        header.extend(d.to_be_bytes());
    }
    header.extend([0u8; 784 * 3]);
    for (name, bytes) in [
        ("train-images-idx3-ubyte", header.clone()),
        (
            "train-labels-idx1-ubyte",
            vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3],
        ),
        ("t10k-images-idx3-ubyte", header),
        (
            "t10k-labels-idx1-ubyte",
            vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3],
        ),
    ] {
        scratch.write(name, bytes);
    }
    let dir = scratch.0.display().to_string();
    let args = ["train", "--data", &dir];
    let err = failed_with(1, limited(MEMORY_LIMIT, &args), &args);
    contains(&err, "train-images-idx3-ubyte: truncated: a header claiming 4000000000 images of 28x28 needs 3136000000016 bytes but the file has only 2368");
}

/// Writes a softmax model of one feature `x` and `classes` classes `c0`, `c1`, ...: class
/// `j` scores `j * x`, so a positive `x` predicts the last class and a negative one `c0`.
fn many_class_model(scratch: &Scratch, classes: usize) -> String {
    let file = nn::model_file::ModelFile {
        format: nn::model_file::FORMAT.to_string(),
        version: nn::model_file::VERSION,
        kind: "softmax_regression".to_string(),
        n_features: 1,
        n_outputs: classes,
        weight: (0..classes).map(|j| j as f64).collect(),
        bias: vec![0.0; classes],
        feature_names: vec!["x".to_string()],
        class_names: (0..classes).map(|j| format!("c{j}")).collect(),
        standardization: None,
        training_data: None,
    };
    let path = scratch.path(&format!("classes-{classes}.json"));
    file.save(Path::new(&path)).unwrap();
    path
}

/// A model of 20,000 classes is small (one feature), but its dense confusion matrix would
/// be 400 million counts: eval counts only the pairs that occur, and prints a summary.
#[test]
fn a_model_of_many_classes_is_evaluated_in_little_memory_with_a_summary() {
    let scratch = Scratch::new("many-classes");
    let model = many_class_model(&scratch, 20_000);
    // Right on c19999 and c0; c5 taken for c19999 twice, c7 once.
    let data = scratch.write("rows.csv", "x,label\n1,c19999\n-1,c0\n1,c5\n1,c5\n1,c7\n");
    let args = ["eval", "--model", &model, "--data", &data];
    let out = limited(MEMORY_LIMIT, &args);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let stdout = out.stdout;
    assert_eq!(number_after(&stdout, "accuracy: "), 0.4, "{stdout}");
    contains(
        &stdout,
        "confusion matrix: omitted for 20000 classes (it is printed for up to 20; --json lists \
         its non-zero cells)",
    );
    assert!(!stdout.contains("true \\ predicted"), "{stdout}");
    contains(
        &stdout,
        "most frequent confusions (true -> predicted: rows)",
    );
    contains(&stdout, "  c5 -> c19999: 2\n  c7 -> c19999: 1\n");
    // Per-class scores: the classes with rows or predictions, worst first, not 20,000 lines.
    contains(
        &stdout,
        "per-class scores of the 4 classes with rows or predictions, lowest F1 first",
    );
    let table = stdout.split_once("lowest F1 first").unwrap().1;
    let classes: Vec<&str> = table
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(classes, ["c5", "c7", "c19999", "c0"], "{stdout}");

    // JSON: every class's scores, the non-zero cells, and no dense k x k array.
    let args = ["eval", "--model", &model, "--data", &data, "--json"];
    let out = limited(MEMORY_LIMIT, &args);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_of(&out.stdout);
    assert!(report.get("confusion_matrix").is_none(), "{report}");
    assert_eq!(report["per_class"].as_array().unwrap().len(), 20_000);
    assert_eq!(
        report["confusion_counts"],
        serde_json::json!([
            {"true": "c0", "predicted": "c0", "rows": 1},
            {"true": "c5", "predicted": "c19999", "rows": 2},
            {"true": "c7", "predicted": "c19999", "rows": 1},
            {"true": "c19999", "predicted": "c19999", "rows": 1},
        ])
    );

    // Up to 20 classes, the whole matrix.
    let model = many_class_model(&scratch, 20);
    let data = scratch.write("few.csv", "x,label\n1,c19\n-1,c0\n1,c5\n");
    let stdout = ok(&["eval", "--model", &model, "--data", &data]);
    let header = stdout
        .lines()
        .find(|l| l.starts_with("true \\ predicted"))
        .unwrap_or_else(|| panic!("no matrix in:\n{stdout}"));
    assert_eq!(header.split_whitespace().count(), 3 + 20, "{header}");
    assert!(!stdout.contains("omitted"), "{stdout}");
    let json = json_of(&ok(&["eval", "--model", &model, "--data", &data, "--json"]));
    let matrix: Vec<Vec<u64>> = serde_json::from_value(json["confusion_matrix"].clone()).unwrap();
    assert_eq!((matrix.len(), matrix[5][19], matrix[19][19]), (20, 1, 1));
}

// ---- 4. Messages that point at the usual CSV mistakes ----

#[test]
fn semicolons_and_tabs_are_recognised_and_read_with_delimiter() {
    let scratch = Scratch::new("delimiters");
    let semicolons = scratch.write(
        "semi.csv",
        iris_csv("sl;sw;pl;pw;species", |cells, label| {
            format!("{};{label}", cells.join(";"))
        }),
    );
    let err = fails(&["train", "--data", &semicolons]);
    contains(&err, "semi.csv: line 1: the header is a single column that holds semicolons: the file looks semicolon-separated, not comma-separated; read it with the delimiter ';' (--delimiter ';')");
    let stdout = ok(&[
        "train",
        "--data",
        &semicolons,
        "--delimiter",
        ";",
        "--epochs",
        "5",
    ]);
    assert!(number_after(&stdout, "test accuracy: ") > 0.8, "{stdout}");
    let tabs = scratch.write(
        "tabs.tsv",
        iris_csv("sl\tsw\tpl\tpw\tspecies", |cells, label| {
            format!("{}\t{label}", cells.join("\t"))
        }),
    );
    let err = fails(&["info", "--data", &tabs]);
    assert!(
        err.contains("looks tab-separated") && err.contains("(--delimiter tab)"),
        "{err}"
    );
    let stdout = ok(&["info", "--data", &tabs, "--delimiter", "tab"]);
    contains(&stdout, "rows: 150");
    // A decimal comma under semicolons.
    let european = scratch.write("eu.csv", "a;b;label\n1,5;2;x\n2;3;y\n");
    let err = fails(&["info", "--data", &european, "--delimiter", ";"]);
    assert!(
        err.contains("\"1,5\" is not a number (a decimal comma?"),
        "{err}"
    );
    // Data that is not CSV has no fields to separate: a --delimiter for it would change
    // nothing and is refused, as --target is; beside CSV data it serves that data.
    for args in [
        &["info", "--data", "iris", "--delimiter", ";"][..],
        &[
            "split",
            "--data",
            "mnist5k",
            "--delimiter",
            "tab",
            "--out-dir",
            "x",
        ],
    ] {
        let err = misused(args);
        contains(&err, "--delimiter applies to CSV files only, and ");
    }
    let named = scratch.write(
        "named.csv",
        iris_csv(
            "sepal_length_cm;sepal_width_cm;petal_length_cm;petal_width_cm;species",
            |cells, label| format!("{};{label}", cells.join(";")),
        ),
    );
    ok(&[
        "train",
        "--data",
        &named,
        "--delimiter",
        ";",
        "--test-data",
        "iris",
        "--epochs",
        "1",
    ]);
}

#[test]
fn labels_that_print_alike_are_refused_and_invisible_characters_are_shown() {
    let scratch = Scratch::new("look-alike");
    let iris = iris_csv(
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species",
        |cells, label| format!("{},{label}", cells.join(",")),
    );
    // Line 5 (a setosa row) gets a no-break space after its label, as a copy from a web
    // page might: a fourth class that would print as "setosa".
    let lines: Vec<String> = iris
        .lines()
        .enumerate()
        .map(|(i, line)| match i + 1 {
            5 => format!("{line}\u{a0}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    let file = scratch.write("nbsp.csv", lines.concat());
    let model = iris_model(&scratch);
    for args in [
        vec!["train", "--data", &file],
        vec!["info", "--data", &file],
        vec!["eval", "--model", &model, "--data", &file],
    ] {
        let err = fails(&args);
        contains(
            &err,
            "nbsp.csv: column 5 (species): the labels \"setosa\" (first on line 2) and \
             \"setosa\\u{a0}\" (first on line 5) differ only in invisible characters or kinds \
             of space, so they would be 2 classes that print alike",
        );
    }

    // A name with an invisible character but no look-alike is shown escaped.
    let mut csv = "x,label\n".to_string();
    for i in 0..8 {
        let label = if i % 2 == 0 { "a\u{200b}b" } else { "c" };
        csv += &format!("{i},{label}\n");
    }
    let file = scratch.write("zero-width.csv", csv);
    let model = scratch.path("zw.json");
    let out = ok(&[
        "train",
        "--data",
        &file,
        "--test-fraction",
        "0",
        "--epochs",
        "1",
        "--model",
        &model,
    ]);
    contains(&out, "1 features, 2 classes (\"a\\u{200b}b\", c)");
    let out = ok(&["info", "--data", &file]);
    contains(&out, "  \"a\\u{200b}b\"        4\n  c                   4");
    let out = ok(&["eval", "--model", &model, "--data", &file]);
    contains(&out, "\"a\\u{200b}b\"");
    assert!(!out.contains("a\u{200b}b"), "{out}");
}

#[test]
fn a_label_column_that_is_not_one_suggests_target() {
    let scratch = Scratch::new("distinct");
    // The last column is a measurement with a value per row.
    let file = scratch.write(
        "prices.csv",
        iris_csv("sl,sw,pl,pw,price", |cells, label| {
            format!(
                "{},{}.{}",
                cells.join(","),
                label.len(),
                cells.concat().len()
            )
        })
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                line.to_string()
            } else {
                // Three digits, so no two rows hold the same number (6.141 and 6.1410).
                format!("{line}{i:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n"),
    );
    let err = fails(&["train", "--data", &file]);
    contains(&err, "prices.csv (CSV file): the last column, taken as the label since --target was not given, has a different value in every one of the 150 rows, so each class would have a single example; name the label column with --target");
    // The labels are in the first column: its text is no feature, and the message says
    // which column to name.
    let file = scratch.write(
        "species_first.csv",
        iris_csv("species,sl,sw,pl,pw", |cells, label| {
            format!("{label},{}", cells.join(","))
        }),
    );
    let err = fails(&["train", "--data", &file]);
    contains(&err, "line 2, column 1 (species): \"setosa\" is not a number; if column 1 holds the class labels, name it with --target species");
    let stdout = ok(&[
        "train", "--data", &file, "--target", "species", "--epochs", "3",
    ]);
    contains(&stdout, "3 classes (setosa, versicolor, virginica)");
}

#[test]
fn unclosed_quotes_trailing_commas_and_blank_files_are_named() {
    let scratch = Scratch::new("mistakes");
    let quote = scratch.write(
        "notes.csv",
        "a,b,label\n1,2,x\n3,4,y\n5,\"6,x\n7,8,y\n9,10,x\n",
    );
    let err = fails(&["train", "--data", &quote]);
    contains(&err, "notes.csv: line 4: a quote opened on this line is never closed, so the rest of the file would be one field");
    let trailing = scratch.write("trailing.csv", "a,b,label,\n1,2,x,\n3,4,y,\n");
    let err = fails(&["train", "--data", &trailing]);
    contains(&err, "trailing.csv: line 1, column 4: the column has no name (does the header end with a trailing comma?)");
    let row = scratch.write("row.csv", "a,b,label\n1,2,x\n3,4,y,\n");
    let err = fails(&["train", "--data", &row]);
    contains(&err, "line 3, column 4: the row has 4 fields but the header has 3 (the last one is empty: a trailing comma?)");
    let blank = scratch.write("blank.csv", "\n\n  \n");
    let err = fails(&["train", "--data", &blank]);
    contains(
        &err,
        "blank.csv: the file holds only blank 3 lines; expected a header row",
    );
}

#[test]
fn a_model_file_with_a_byte_order_mark_is_read() {
    let scratch = Scratch::new("bom");
    let model = iris_model(&scratch);
    let plain = ok(&["eval", "--model", &model, "--data", "iris"]);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(scratch.read("iris.json").as_bytes());
    let bom = scratch.write("bom.json", bytes);
    let with_bom = ok(&["eval", "--model", &bom, "--data", "iris"]);
    let tail = |s: &str| s.split_once("accuracy: ").unwrap().1.to_string();
    assert_eq!(tail(&with_bom), tail(&plain));
}

#[test]
fn idx_training_and_test_images_of_different_sizes_name_both_files() {
    let scratch = Scratch::new("idx-sizes");
    let images = |count: u32, side: u32| {
        let mut bytes = vec![0, 0, 8, 3];
        for d in [count, side, side] {
            bytes.extend(d.to_be_bytes());
        }
        bytes.extend(vec![7u8; (count * side * side) as usize]);
        gzip(&bytes)
    };
    let labels = |count: u32| {
        let mut bytes = vec![0, 0, 8, 1];
        bytes.extend(count.to_be_bytes());
        bytes.extend((0..count).map(|i| (i % 2) as u8));
        gzip(&bytes)
    };
    scratch.write("train-images-idx3-ubyte.gz", images(4, 28));
    scratch.write("train-labels-idx1-ubyte.gz", labels(4));
    scratch.write("t10k-images-idx3-ubyte.gz", images(2, 20));
    scratch.write("t10k-labels-idx1-ubyte.gz", labels(2));
    let err = fails(&["train", "--data", &scratch.0.display().to_string()]);
    assert!(
        err.contains(&format!(
            "{} holds images of 28x28 pixels but {} holds images of 20x20",
            scratch.path("train-images-idx3-ubyte.gz"),
            scratch.path("t10k-images-idx3-ubyte.gz")
        )),
        "{err}"
    );
}

// ---- 5. Scriptable ----

/// The JSON document a command printed on standard output (exactly one).
fn json_of(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{stdout}"))
}

#[test]
fn train_and_eval_print_one_json_document() {
    let scratch = Scratch::new("json");
    let model = scratch.path("m.json");
    let out = tapegrad(&[
        "train", "--data", "iris", "--epochs", "7", "--model", &model, "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_of(&out.stdout);
    assert!(
        out.stderr.contains("test accuracy: "),
        "human lines on stderr: {}",
        out.stderr
    );
    assert_eq!(report["command"], "train");
    assert_eq!(report["config"]["epochs"], 7);
    assert_eq!(
        report["config"]["optimizer"]["momentum"], 0.9,
        "{}",
        report["config"]
    );
    assert_eq!(report["history"]["epochs"].as_array().unwrap().len(), 7);
    assert!(
        report["history"]["epochs"][6]["train_loss"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(report["data"]["train_rows"], 111);
    assert_eq!(report["data"]["test_rows"], 39);
    assert_eq!(report["data"]["classes"][2], "virginica");
    let test = &report["test"];
    let accuracy = test["accuracy"].as_f64().unwrap();
    assert!((0.8..=1.0).contains(&accuracy), "{accuracy}");
    assert!(test["loss"].as_f64().unwrap() > 0.0);
    let per_class = test["per_class"].as_array().unwrap();
    assert_eq!(per_class.len(), 3);
    for class in per_class {
        for key in ["precision", "recall", "f1", "support"] {
            assert!(class[key].is_number(), "{key} in {class}");
        }
    }
    let matrix: Vec<Vec<u64>> = serde_json::from_value(test["confusion_matrix"].clone()).unwrap();
    assert_eq!(matrix.iter().flatten().sum::<u64>(), 39);
    let diagonal: u64 = (0..3).map(|i| matrix[i][i]).sum();
    assert_eq!(diagonal, test["correct"].as_u64().unwrap());
    assert_eq!(report["outputs"]["model"], model.as_str());
    for key in [
        "load_seconds",
        "train_seconds",
        "evaluate_seconds",
        "total_seconds",
    ] {
        assert!(report["timing"][key].as_f64().unwrap() >= 0.0, "{key}");
    }

    // eval --json agrees with eval's text and with train's own test results.
    let out = tapegrad(&["eval", "--model", &model, "--data", "iris", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let eval = json_of(&out.stdout);
    assert_eq!(eval["command"], "eval");
    assert_eq!(eval["accuracy"], test["accuracy"]);
    assert_eq!(eval["confusion_matrix"], test["confusion_matrix"]);
    assert_eq!(eval["per_class"], test["per_class"]);
    let text = ok(&["eval", "--model", &model, "--data", "iris"]);
    assert_eq!(
        number_after(&text, "accuracy: "),
        (accuracy * 10_000.0).round() / 10_000.0
    );
    contains(&text, "f1");
}

#[test]
fn test_data_trains_on_all_of_data_with_the_standardiser_fitted_on_it() {
    let scratch = Scratch::new("test-data");
    let dir = scratch.path("splits");
    ok(&[
        "split",
        "--data",
        "wine",
        "--split-seed",
        "2",
        "--out-dir",
        &dir,
    ]);
    let (train_csv, test_csv) = (format!("{dir}/train.csv"), format!("{dir}/test.csv"));
    // The test file with its columns reversed and an extra id column: matched by name.
    let test = data::read_csv(&test_csv, &Default::default()).unwrap();
    let mut names: Vec<String> = test.feature_names().to_vec();
    names.reverse();
    let mut shuffled = format!("id,{},label\n", names.join(","));
    for (i, (row, label)) in test.iter().enumerate() {
        let cells: Vec<String> = row.iter().rev().map(|v| v.to_string()).collect();
        shuffled += &format!("w{i},{},{label}\n", cells.join(","));
    }
    let shuffled = scratch.write("test-shuffled.csv", shuffled);
    let model = scratch.path("m.json");
    let out = tapegrad(&[
        "train",
        "--data",
        &train_csv,
        "--test-data",
        &shuffled,
        "--model",
        &model,
        "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_of(&out.stdout);
    let train = data::read_csv(&train_csv, &Default::default()).unwrap();
    assert_eq!(report["data"]["train_rows"], train.len());
    assert_eq!(report["data"]["test_rows"], test.len());
    assert_eq!(report["data"]["train_part"], "all rows");
    // The standardisation is the training file's alone.
    let saved: serde_json::Value = serde_json::from_str(&scratch.read("m.json")).unwrap();
    let means: Vec<f64> =
        serde_json::from_value(saved["standardization"]["means"].clone()).unwrap();
    assert_eq!(means, data::Standardizer::fit(&train).means());
    let everything = data::bundled::wine();
    assert_ne!(means, data::Standardizer::fit(&everything).means());
    // The test results are the model's on the test file.
    let eval = json_of(&ok(&[
        "eval", "--model", &model, "--data", &test_csv, "--json",
    ]));
    assert_eq!(eval["accuracy"], report["test"]["accuracy"]);

    // --test-fraction 0: every row trained on, no test part.
    let out = tapegrad(&[
        "train",
        "--data",
        "wine",
        "--test-fraction",
        "0",
        "--epochs",
        "3",
        "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = json_of(&out.stdout);
    assert_eq!(report["data"]["train_rows"], 178);
    assert!(report["test"].is_null());
    assert!(out.stderr.contains("no test part"), "{}", out.stderr);
    // A test file with a class the training data lacks.
    let odd = scratch.write("odd.csv", "alcohol,label\n13,7\n");
    let err = fails(&["train", "--data", &train_csv, "--test-data", &odd]);
    assert!(err.contains("lacks") || err.contains("no column"), "{err}");
}

#[test]
fn one_seed_per_purpose() {
    // `split` takes the same flag as train for the split's seed, and not --seed.
    let err = misused(&["split", "--data", "iris", "--seed", "3", "--out-dir", "x"]);
    contains(&err, "unexpected argument '--seed'");
    let train = ok(&["train", "--help"]);
    contains(&train, "the train/test split has its own: --split-seed");
    // --seed does not move the split; --split-seed does.
    let part = |args: &[&str]| {
        let mut all = vec!["train", "--data", "iris", "--epochs", "1", "--json"];
        all.extend(args);
        json_of(&ok(&all))["data"]["test_part"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        part(&["--seed", "5"]),
        "test part (fraction 0.25, split seed 0)"
    );
    assert_eq!(
        part(&["--split-seed", "5"]),
        "test part (fraction 0.25, split seed 5)"
    );
}

#[test]
fn standard_input_is_data() {
    let scratch = Scratch::new("stdin");
    let iris = iris_csv(
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species",
        |cells, label| format!("{},{label}", cells.join(",")),
    );
    let model = scratch.path("m.json");
    let out = with_stdin(
        &["train", "--data", "-", "--epochs", "20", "--model", &model],
        iris.as_bytes(),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("data: standard input (CSV): 4 features, 3 classes"),
        "{}",
        out.stdout
    );
    // Gzipped, to eval and predict.
    let out = with_stdin(
        &["eval", "--model", &model, "--data", "-"],
        &gzip(iris.as_bytes()),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // The rows the model was trained on, recognised: its test part is evaluated.
    assert!(
        out.stdout
            .contains("test part (fraction 0.25, split seed 0): 39 rows"),
        "{}",
        out.stdout
    );
    let out = with_stdin(
        &["predict", "--model", &model, "--data", "-"],
        iris.as_bytes(),
    );
    assert_eq!(data_lines(&out.stdout).len(), 150, "{}", out.stderr);
    // Errors name it.
    let out = with_stdin(&["train", "--data", "-"], b"a,b,label\n1,x,y\n");
    let err = failed_with(1, out, &["train"]);
    contains(&err, "<stdin>: line 2, column 2 (b): \"x\" is not a number");
    let err = misused(&["train", "--data", "-", "--test-data", "-"]);
    contains(&err, "standard input (-) can be read only once");
}

#[test]
fn predict_carries_an_id_column_through() {
    let scratch = Scratch::new("ids");
    let model = iris_model(&scratch);
    let file = scratch.write(
        "flowers.csv",
        "name,petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n\
         \"Rosa, J.\",0.2,1.4,3.5,5.1\nplant-2,2.3,5.9,3.0,6.8\n",
    );
    let out = ok(&[
        "predict", "--model", &model, "--data", &file, "--id", "name",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "name,predicted_class,p_setosa,p_versicolor,p_virginica"
    );
    assert!(lines[1].starts_with("\"Rosa, J.\",setosa,"), "{out}");
    assert!(lines[2].starts_with("plant-2,virginica,"), "{out}");
    // `--out -` is standard output, as `--data -` is standard input: no file named `-`.
    let dash = command()
        .current_dir(&scratch.0)
        .args([
            "predict", "--model", &model, "--data", &file, "--id", "name", "--out", "-",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&dash.stdout), out);
    assert!(!scratch.0.join("-").exists(), "no file named -");
    let err = fails(&["predict", "--model", &model, "--data", &file, "--id", "nom"]);
    contains(&err, "no column named \"nom\"");
    let err = misused(&[
        "predict", "--model", &model, "--data", "iris", "--id", "name",
    ]);
    contains(&err, "--id names a column of a CSV file");
}

// ---- 6. True to the README ----

/// The command lines of the README's block under "## The command line", as written.
fn readme_commands() -> Vec<String> {
    let readme = include_str!("../README.md");
    let section = readme
        .split("## The command line")
        .nth(1)
        .expect("the section");
    let block = section
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    block
        .lines()
        .map(|line| line.split(" # ").next().unwrap().trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

/// Runs a command line of the form `tapegrad ARGS [> FILE]` in `dir`; panics unless it
/// succeeds.
fn run_as_written(line: &str, dir: &Path, binary: &Path) {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[0], "tapegrad", "{line}");
    let (args, redirect) = match words.iter().position(|&w| w == ">") {
        Some(i) => (&words[1..i], Some(words[i + 1])),
        None => (&words[1..], None),
    };
    let mut command = Command::new(binary);
    command.args(args).current_dir(dir);
    if let Some(file) = redirect {
        command.stdout(std::fs::File::create(dir.join(file)).unwrap());
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "`{line}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_readme_commands_run_as_written_from_an_installed_copy() {
    let scratch = Scratch::new("readme");
    // An installed copy: the binary alone, run in an empty directory.
    let bin = scratch.0.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let installed = bin.join("tapegrad");
    std::fs::copy(env!("CARGO_BIN_EXE_tapegrad"), &installed).unwrap();
    let work = scratch.0.join("work");
    std::fs::create_dir(&work).unwrap();
    let commands = readme_commands();
    assert!(commands.len() >= 6, "{commands:?}");
    for line in &commands {
        run_as_written(line, &work, &installed);
    }
    for file in [
        "mnist.json",
        "mnist.svg",
        "splits/train.csv",
        "iris.json",
        "predictions.csv",
    ] {
        assert!(work.join(file).exists(), "{file} was not written");
    }
    let eval: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("iris-eval.json")).unwrap())
            .unwrap();
    assert!(eval["accuracy"].as_f64().unwrap() > 0.85, "{eval}");
    // The README's iris schedule fits its run: no warning.
    let iris = commands.iter().find(|c| c.contains("--schedule")).unwrap();
    let args: Vec<&str> = iris.split_whitespace().skip(1).collect();
    let out = Command::new(&installed)
        .args(&args)
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{out:?}"
    );
}

#[test]
fn the_bundled_mnist_needs_no_source_tree() {
    if !private_mounts_available() {
        // Without namespaces the source tree cannot be hidden; reading from another
        // directory is still checked by the README test.
        let out = command()
            .args(["info", "--data", "mnist"])
            .current_dir("/")
            .output()
            .unwrap();
        assert!(out.status.success());
        return;
    }
    let scratch = Scratch::new("no-source");
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let script = format!(
        r#"mount -t tmpfs tmpfs "{}" || exit 99
           cd /
           exec "$1" info --data mnist"#,
        data_dir.display()
    );
    let out = with_private_mounts(&script, &scratch.0);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .contains("rows: 70000 (training part 60000, test part 10000)"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_help_examples_run_as_written() {
    let scratch = Scratch::new("help-examples");
    let help = ok(&["--help"]);
    let examples: Vec<&str> = help
        .split("Examples:")
        .nth(1)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("tapegrad "))
        .collect();
    assert!(examples.len() >= 5, "{help}");
    for line in examples {
        run_as_written(line, &scratch.0, Path::new(env!("CARGO_BIN_EXE_tapegrad")));
    }
}

#[test]
fn a_schedule_planned_for_another_run_length_is_warned_about() {
    let out = tapegrad(&[
        "train",
        "--data",
        "iris",
        "--optimizer",
        "adam",
        "--schedule",
        "cosine:0.05,0.0005,1000,50",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: the cosine schedule plans 1000 steps but this run takes 200")
            && out
                .stderr
                .contains("--schedule cosine:0.05,0.0005,200,50 would fit the run"),
        "{}",
        out.stderr
    );
}

#[test]
fn plots_fit_their_axes_mark_short_runs_and_the_kept_epoch() {
    let scratch = Scratch::new("plots");
    let plot = scratch.path("p.svg");
    let out = tapegrad(&[
        "train",
        "--data",
        "wine",
        "--early-stopping",
        "2",
        "--epochs",
        "200",
        "--plot",
        &plot,
        "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let history = &json_of(&out.stdout)["history"];
    assert_eq!(history["stopped_early"], true, "{history}");
    let kept = history["best_epoch"].as_u64().unwrap();
    let svg = scratch.read("p.svg");
    assert!(
        svg.contains(&format!("kept: epoch {kept}")),
        "the kept epoch is marked"
    );
    assert!(svg.contains("<circle"), "a short run has markers");
}

/// A class with no rows to train on (its few rows all went to the test part, or an IDX
/// label file skips it) is named in a warning: the model can never predict it.
#[test]
fn classes_without_training_rows_are_named() {
    let scratch = Scratch::new("empty-classes");
    let data = scratch.write("skew.csv", "a,label\n1,x\n2,x\n3,x\n4,y\n");
    let out = tapegrad(&[
        "train",
        "--data",
        &data,
        "--test-fraction",
        "0.5",
        "--quiet",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    contains(
        &out.stderr,
        "warning: 1 of the 2 classes has no rows in the training part (fraction 0.5, split \
         seed 0), so the model can never predict them: y",
    );
    let out = tapegrad(&["train", "--data", "iris", "--quiet"]);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}
