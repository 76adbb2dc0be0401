//! End-to-end tests of the `tapegrad` command line: the binary is run as a user would run
//! it, on the small bundled sets, in a scratch directory per test.

use nn::models::SoftmaxRegression;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    fn write(&self, name: &str, contents: &str) -> String {
        std::fs::write(self.0.join(name), contents).unwrap();
        self.path(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tapegrad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapegrad"))
        .args(args)
        .output()
        .expect("the tapegrad binary runs")
}

/// Runs a command that must succeed; returns its standard output.
fn ok(args: &[&str]) -> String {
    let out = tapegrad(args);
    assert!(
        out.status.success(),
        "tapegrad {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail with exit code 1 and `error: ...` on standard error
/// (and never a panic); returns standard error.
fn fails(args: &[&str]) -> String {
    let out = tapegrad(args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "tapegrad {args:?} should exit with 1; stderr:\n{stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
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
    assert!(stdout.contains("epochs: 12"), "{stdout}");
    assert!(stdout.contains("standardize: yes"), "{stdout}");
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
    assert!(
        stdout.contains("schedule: cosine:0.1,0.001,40,20"),
        "{stdout}"
    );

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
    assert!(stdout.contains("val loss"), "{stdout}");
    assert!(
        stdout.contains("validation: 27 of those rows held out"),
        "{stdout}"
    );
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
    assert!(
        stdout.contains("test part (fraction 0.25, split seed 0): 39 rows"),
        "{stdout}"
    );
    assert!(stdout.contains("confusion matrix"), "{stdout}");
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

    // The test part written by `split` holds the same rows, labelled 0..2: classes are
    // mapped to the model's, and the scores agree.
    let dir = scratch.path("split");
    ok(&["split", "--data", "iris", "--out-dir", &dir]);
    let on_csv = ok(&[
        "eval",
        "--model",
        &model,
        "--data",
        &format!("{dir}/test.csv"),
    ]);
    assert!(on_csv.contains("all rows: 39 rows"), "{on_csv}");
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
            "--seed",
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
fn info_describes_the_data() {
    let stdout = ok(&["info", "--data", "wine"]);
    assert!(stdout.contains("rows: 178"), "{stdout}");
    assert!(stdout.contains("features: 13: alcohol"), "{stdout}");
    assert!(stdout.contains("class_1"), "{stdout}");
    let stdout = ok(&["info", "--data", "digits"]);
    assert!(stdout.contains("features: 64: pixel_0_0,"), "{stdout}");
    assert!(stdout.contains(", ..., pixel_7_6, pixel_7_7"), "{stdout}");
}

#[test]
fn errors_exit_1_name_the_problem_and_write_nothing() {
    let scratch = Scratch::new("errors");
    let model = iris_model(&scratch);
    let bad_csv = scratch.write("bad.csv", "a,b,label\n1,2,x\n3,oops,y\n");
    let corrupt = scratch.write("corrupt.json", "{ \"format\": \"tapegrad-model\", ");
    let three_columns = scratch.write(
        "three.csv",
        "sepal_length_cm,sepal_width_cm,petal_length_cm\n5.1,3.5,1.4\n",
    );
    let before = scratch.files();
    let outputs = |stem: &str| {
        let (m, h, p) = (
            scratch.path(&format!("{stem}.json")),
            scratch.path(&format!("{stem}.csv")),
            scratch.path(&format!("{stem}.svg")),
        );
        vec![
            "--model".to_string(),
            m,
            "--history".into(),
            h,
            "--plot".into(),
            p,
        ]
    };
    let train = |data: &str, extra: &[&str]| {
        let mut args = vec!["train".to_string(), "--data".into(), data.into()];
        args.extend(outputs("out"));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run = |args: Vec<String>| fails(&args.iter().map(String::as_str).collect::<Vec<_>>());

    let missing = scratch.path("missing.csv");
    let err = run(train(&missing, &[]));
    assert!(err.contains(&format!("{missing}: cannot read")), "{err}");

    let err = run(train(&bad_csv, &[]));
    assert!(
        err.contains("bad.csv: line 3, column 2 (b): \"oops\" is not a number"),
        "{err}"
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
    assert!(
        err.contains("three.csv: line 1: no column named \"petal_width_cm\""),
        "{err}"
    );

    let err = fails(&["eval", "--model", &corrupt, "--data", "iris"]);
    assert!(
        err.contains("corrupt.json: not a valid model file"),
        "{err}"
    );

    let err = fails(&["eval", "--model", &model, "--data", "wine"]);
    assert!(
        err.contains("wine (bundled) has 13 features but the model"),
        "{err}"
    );
    assert!(err.contains("expects 4"), "{err}");
    let err = fails(&[
        "predict",
        "--model",
        &model,
        "--data",
        "wine",
        "--out",
        &scratch.path("p.csv"),
    ]);
    assert!(
        err.contains("has 13 features") && err.contains("expects 4"),
        "{err}"
    );

    let err = run(train("irsi", &[]));
    assert!(err.contains("unknown data set `irsi`"), "{err}");
    assert!(
        err.contains("iris, wine, breast_cancer, digits, mnist5k, mnist"),
        "{err}"
    );

    let err = run(train("iris", &["--schedule", "cosine:0.1,abc,100"]));
    assert!(
        err.contains("invalid --schedule `cosine:0.1,abc,100`: cosine schedule"),
        "{err}"
    );
    let err = run(train("iris", &["--optimizer", "bfgs"]));
    assert!(err.contains("unknown optimizer `bfgs`"), "{err}");
    // the full-batch solvers refuse the flags of stepwise training
    let err = run(train("iris", &["--optimizer", "lbfgs"]));
    assert!(
        err.contains("does not apply to the full-batch solver lbfgs"),
        "{err}"
    );

    let err = run(train("mnist5k", &["--test-fraction", "0.1"]));
    assert!(
        err.contains("--test-fraction does not apply to mnist5k"),
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

    assert_eq!(scratch.files(), before, "a failed command wrote something");
}

#[test]
fn help_and_usage_errors() {
    let top = ok(&["--help"]);
    assert!(top.contains("reverse-mode"), "{top}");
    for command in ["train", "eval", "predict", "split", "info"] {
        assert!(top.contains(command), "{command} missing in:\n{top}");
    }
    let train = ok(&["train", "--help"]);
    for flag in [
        "--data",
        "--schedule",
        "--early-stopping",
        "--no-standardize",
        "--plot",
        "[default: momentum]",
    ] {
        assert!(train.contains(flag), "{flag} missing in:\n{train}");
    }
    // clap's own usage errors keep their exit code 2.
    assert_eq!(tapegrad(&["train"]).status.code(), Some(2));
    assert_eq!(
        tapegrad(&[
            "train",
            "--data",
            "iris",
            "--lr",
            "0.1",
            "--schedule",
            "constant:0.1"
        ])
        .status
        .code(),
        Some(2)
    );
}
