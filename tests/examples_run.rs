//! Runs each teaching example and checks that it exits successfully.
//!
//! Every example asserts the thing it demonstrates (the tape's gradient equals the
//! closed form, the gradient checker catches the planted bug, decaying schedules settle
//! lower than a constant rate, ...) and exits non-zero if it does not hold, so running
//! them is a test of the claims the examples make to learners.
//!
//! The examples are not built here: `cargo test` compiles every example of the package
//! before it runs any test, into `target/<profile>/examples/`, next to the `tapegrad`
//! binary's directory, which is where we look. A selective run such as
//! `cargo test --test examples_run` compiles only this test (and the binary), so if an
//! example binary is missing or older than its source, it is built first with
//! `cargo build --profile test --example NAME` into the same target directory (cargo has
//! released its build lock by the time tests run, so this cannot deadlock).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The examples this file runs; each has a test below.
const EXAMPLES: [&str; 7] = [
    "tape_walkthrough",
    "softmax_gradient",
    "gradient_check",
    "gradient_descent",
    "learning_rate_schedules",
    "adaptive_learning_rates",
    "newton_method",
];

/// Held while (re)building examples, so parallel tests build them once, in one cargo call.
static BUILD: Mutex<()> = Mutex::new(());

/// `target/<profile>`, where cargo put the `tapegrad` binary for this test run.
fn profile_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tapegrad"))
        .parent()
        .expect("the binary lives in a directory")
        .to_path_buf()
}

fn example_binary(name: &str) -> PathBuf {
    profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// True if the binary exists and is at least as new as its source file.
fn is_fresh(name: &str) -> bool {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.rs"));
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (modified(&example_binary(name)), modified(&source)) {
        (Some(binary), Some(source)) => binary >= source,
        _ => false,
    }
}

/// Builds every example of [`EXAMPLES`] that is missing or stale, in the profile and
/// target directory of this test run.
fn ensure_built() {
    let _guard = BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let stale: Vec<&str> = EXAMPLES.into_iter().filter(|n| !is_fresh(n)).collect();
    if stale.is_empty() {
        return;
    }
    let dir = profile_dir();
    let profile = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a profile directory name");
    let target_dir = dir.parent().expect("the profile directory has a parent");
    // `cargo test` builds the examples of `target/debug` with the `test` profile; asking
    // for the same profile makes these the very units a full `cargo test` builds, so the
    // two never rebuild each other's output.
    let profile = match profile {
        "debug" => "test",
        other => other,
    };
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "--quiet", "--profile", profile, "--target-dir"])
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in &stale {
        cargo.args(["--example", name]);
    }
    let status = cargo
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the examples {stale:?}: {e}"));
    assert!(
        status.success(),
        "building the examples {stale:?} failed ({status}); \
         try `cargo build --examples` to see why"
    );
}

fn run_example(name: &str) {
    ensure_built();
    let binary = example_binary(name);
    assert!(
        binary.exists(),
        "example binary {} not found even after building it",
        binary.display()
    );
    let start = Instant::now();
    let output = Command::new(&binary)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "example `{name}` failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Examples are meant to be quick; a slow one should be trimmed, not waited for.
    assert!(
        elapsed < Duration::from_secs(30),
        "example `{name}` took {elapsed:?}"
    );
}

#[test]
fn tape_walkthrough() {
    run_example("tape_walkthrough");
}

#[test]
fn softmax_gradient() {
    run_example("softmax_gradient");
}

#[test]
fn gradient_check() {
    run_example("gradient_check");
}

#[test]
fn gradient_descent() {
    run_example("gradient_descent");
}

#[test]
fn learning_rate_schedules() {
    run_example("learning_rate_schedules");
}

#[test]
fn adaptive_learning_rates() {
    run_example("adaptive_learning_rates");
}

#[test]
fn newton_method() {
    run_example("newton_method");
}
