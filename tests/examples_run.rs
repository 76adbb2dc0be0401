//! Runs each teaching example, checks that it exits successfully, and checks every figure
//! it writes.
//!
//! Every example asserts the thing it demonstrates (the tape's gradient equals the
//! closed form, the gradient checker catches the planted bug, decaying schedules settle
//! lower than a constant rate, ...) and exits non-zero if it does not hold, so running
//! them is a test of the claims the examples make to learners. Each example writes its
//! figures into a folder of its own here (`TAPEGRAD_FIGURES`); the test checks that it
//! wrote exactly the figures listed below (the README's table and gallery name them), and
//! that each is a well-formed SVG which `resvg` renders to a picture that is not blank,
//! with text (a title, axis labels, a legend). `resvg` is built without its font stack
//! to keep CI quick, so the renderings leave the text out: set `TAPEGRAD_FIGURES_PNG=DIR`
//! to keep them as PNG files and check the shapes; open the SVGs to read the labels.
//!
//! The examples are not built here: `cargo test` compiles every example of the package
//! before it runs any test, into `target/<profile>/examples/`, next to the `tapegrad`
//! binary's directory, which is where we look. A selective run such as
//! `cargo test --test examples_run` compiles only this test (and the binary), so if an
//! example binary is missing or older than its sources, it is built first with
//! `cargo build --profile test --example NAME` into the same target directory (cargo has
//! released its build lock by the time tests run, so this cannot deadlock).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// An example, the arguments the test runs it with, and the figures it must write
/// (file names without the `<example>_` prefix and the `.svg` suffix).
struct Example {
    name: &'static str,
    args: &'static [&'static str],
    figures: &'static [&'static str],
}

const fn example(
    name: &'static str,
    args: &'static [&'static str],
    figures: &'static [&'static str],
) -> Example {
    Example {
        name,
        args,
        figures,
    }
}

/// Every teaching example, in the order of the lecture. The main job runs for one epoch:
/// its figures are what is checked here (CI runs the full job for its accuracy).
const EXAMPLES: &[Example] = &[
    example("tape_walkthrough", &[], &["forward", "backward", "tensors"]),
    example("house_sales", &[], &["data", "gradient", "training"]),
    example("maximum_likelihood", &[], &["softmax", "likelihood"]),
    example("softmax_gradient", &[], &["gradient"]),
    example("gradient_check", &[], &["error"]),
    example("taylor_descent", &[], &["trajectories", "first_order"]),
    example("gradient_descent", &[], &["alignment", "loss"]),
    example("learning_rate_schedules", &[], &["rates", "loss"]),
    example("feature_scaling", &[], &["contours", "gradients"]),
    example("adaptive_learning_rates", &[], &["paths"]),
    example("newton_method", &[], &["convergence"]),
    example(
        "softmax_regression",
        &["--epochs", "1"],
        &["templates", "test_digits"],
    ),
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

/// The newest modification time among an example's source and the shared `common/`.
fn newest_source(name: &str) -> Option<std::time::SystemTime> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut sources = vec![examples.join(format!("{name}.rs"))];
    if let Ok(entries) = std::fs::read_dir(examples.join("common")) {
        sources.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
    }
    sources
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max()
}

/// True if the binary exists and is at least as new as its sources.
fn is_fresh(name: &str) -> bool {
    let binary = std::fs::metadata(example_binary(name)).and_then(|m| m.modified());
    match (binary.ok(), newest_source(name)) {
        (Some(binary), Some(source)) => binary >= source,
        _ => false,
    }
}

/// Builds every example that is missing or stale, in the profile and target directory
/// of this test run.
fn ensure_built() {
    let _guard = BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let stale: Vec<&str> = EXAMPLES
        .iter()
        .map(|e| e.name)
        .filter(|n| !is_fresh(n))
        .collect();
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

/// Runs the example into a fresh figure folder of its own and returns that folder.
fn run_example(example: &Example) -> PathBuf {
    ensure_built();
    let binary = example_binary(example.name);
    assert!(
        binary.exists(),
        "example binary {} not found even after building it",
        binary.display()
    );
    let figures = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("example-figures")
        .join(example.name);
    if figures.exists() {
        std::fs::remove_dir_all(&figures).expect("old figures removed");
    }
    let start = Instant::now();
    let output = Command::new(&binary)
        .args(example.args)
        .env("TAPEGRAD_FIGURES", &figures)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "example `{}` failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        example.name,
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Examples are meant to be quick; a slow one should be trimmed, not waited for.
    assert!(
        elapsed < Duration::from_secs(30),
        "example `{}` took {elapsed:?}",
        example.name
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&figures.display().to_string()),
        "example `{}` does not say where its figures go",
        example.name
    );
    figures
}

/// Parses and renders one SVG; panics unless it is well formed and draws something
/// that covers the picture (not a blank page, not one small blot).
fn check_figure(path: &Path) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let tree = resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default())
        .unwrap_or_else(|e| panic!("{} is not a well-formed SVG: {e}", path.display()));
    assert!(
        text.contains("<text"),
        "{} has no text: a figure needs a title, axis labels or a legend",
        path.display()
    );
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    assert!(
        width >= 200 && height >= 150,
        "{} is only {width} x {height} pixels",
        path.display()
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).expect("a pixmap");
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    // Pixels visibly different from the white page, and where they are.
    let (mut inked, mut colored) = (0usize, 0usize);
    let (mut left, mut right, mut top, mut bottom) = (width, 0, height, 0);
    for (i, p) in pixmap.pixels().iter().enumerate() {
        let c = p.demultiply();
        let (r, g, b) = (c.red() as i32, c.green() as i32, c.blue() as i32);
        if r.min(g).min(b) > 235 {
            continue;
        }
        inked += 1;
        if (r - g).abs().max((g - b).abs()).max((r - b).abs()) > 40 {
            colored += 1;
        }
        let (x, y) = (i as u32 % width, i as u32 / width);
        (left, right, top, bottom) = (left.min(x), right.max(x), top.min(y), bottom.max(y));
    }
    let name = path.display();
    let share = inked as f64 / (width * height) as f64;
    assert!(
        share > 0.01,
        "{name} is blank: {:.2}% of it is drawn",
        100.0 * share
    );
    assert!(
        right.saturating_sub(left) > width / 2 && bottom.saturating_sub(top) > height / 2,
        "{name}: everything drawn lies in x {left}..{right}, y {top}..{bottom} of {width} x {height}"
    );
    assert!(colored > 0, "{name} has no colour at all");
    if let Some(dir) = std::env::var_os("TAPEGRAD_FIGURES_PNG") {
        std::fs::create_dir_all(&dir).expect("PNG folder");
        let png = Path::new(&dir).join(path.with_extension("png").file_name().expect("a name"));
        pixmap.save_png(&png).expect("PNG written");
    }
}

/// Runs the example and checks that it wrote exactly its listed figures, each sound.
fn run_and_check(name: &str) {
    let example = EXAMPLES
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} is not in EXAMPLES"));
    let dir = run_example(example);
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    written.sort();
    let mut expected: Vec<String> = example
        .figures
        .iter()
        .map(|f| format!("{name}_{f}.svg"))
        .collect();
    expected.sort();
    assert_eq!(
        written, expected,
        "example `{name}` wrote other figures than listed"
    );
    for file in &written {
        check_figure(&dir.join(file));
    }
}

#[test]
fn every_example_file_is_tested() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<String> = std::fs::read_dir(&examples)
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .collect();
    files.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|e| e.name.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "every example must be listed in EXAMPLES");
}

#[test]
fn the_readme_shows_every_figure() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    for example in EXAMPLES {
        assert!(
            readme.contains(&format!("`{}`", example.name)),
            "the README's teaching table does not name `{}`",
            example.name
        );
        for figure in example.figures {
            let file = format!("{}_{figure}.svg", example.name);
            assert!(readme.contains(&file), "the README does not name {file}");
        }
    }
}

#[test]
fn the_gallery_is_well_formed() {
    let gallery = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("gallery");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut shown = 0;
    for entry in std::fs::read_dir(&gallery).expect("docs/gallery") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "svg") {
            check_figure(&path);
            let file = path.file_name().expect("a name").to_string_lossy();
            assert!(
                readme.contains(&format!("docs/gallery/{file}")),
                "the README's gallery does not show {file}"
            );
            shown += 1;
        }
    }
    assert!(shown >= 6, "the gallery has only {shown} figures");
}

#[test]
fn the_figure_check_rejects_broken_blank_and_tiny_pictures() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figure-check");
    std::fs::create_dir_all(&dir).expect("a folder");
    let svg = |body: &str| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="100%" height="100%" fill="white"/><text x="10" y="20">title</text>{body}</svg>"#
        )
    };
    let cases = [
        ("broken", "<svg><g></svg>".to_string()),
        ("blank", svg("")),
        (
            "blot",
            svg(r#"<rect x="10" y="10" width="30" height="30" fill="red"/>"#),
        ),
        (
            "grey",
            svg(r#"<rect x="20" y="20" width="360" height="260" fill="gray"/>"#),
        ),
    ];
    for (name, text) in cases {
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, text).expect("written");
        let result = std::panic::catch_unwind(|| check_figure(&path));
        assert!(result.is_err(), "the check accepted the {name} picture");
    }
    let good = dir.join("good.svg");
    let lines = r#"<rect x="20" y="20" width="360" height="260" fill="none" stroke="black"/><polyline points="20,280 200,100 380,40" fill="none" stroke="blue" stroke-width="3"/>"#;
    std::fs::write(&good, svg(lines)).expect("written");
    check_figure(&good);
}

#[test]
fn tape_walkthrough() {
    run_and_check("tape_walkthrough");
}

#[test]
fn house_sales() {
    run_and_check("house_sales");
}

#[test]
fn maximum_likelihood() {
    run_and_check("maximum_likelihood");
}

#[test]
fn softmax_gradient() {
    run_and_check("softmax_gradient");
}

#[test]
fn gradient_check() {
    run_and_check("gradient_check");
}

#[test]
fn taylor_descent() {
    run_and_check("taylor_descent");
}

#[test]
fn gradient_descent() {
    run_and_check("gradient_descent");
}

#[test]
fn learning_rate_schedules() {
    run_and_check("learning_rate_schedules");
}

#[test]
fn feature_scaling() {
    run_and_check("feature_scaling");
}

#[test]
fn adaptive_learning_rates() {
    run_and_check("adaptive_learning_rates");
}

#[test]
fn softmax_regression() {
    run_and_check("softmax_regression");
}

#[test]
fn newton_method() {
    run_and_check("newton_method");
}
