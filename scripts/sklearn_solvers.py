#!/usr/bin/env python3
"""tapegrad's L-BFGS and Newton-CG against scikit-learn's LogisticRegression, in one run.

The objective is the same on both sides: mean cross-entropy of softmax regression plus
||W||^2 / (2 C n) with C = 1 (the bias not penalised), on features standardised with the
training part's statistics, on tapegrad's stratified 75/25 splits (seeds 0..4 of iris,
wine, breast_cancer and digits, written by `tapegrad split`).

For two classes scikit-learn fits one weight vector u (binomial loss) where tapegrad's
softmax has two rows W = (w0, w1); at the optimum w1 = -w0 = u/2, so ||W||^2 = ||u||^2/2
and tapegrad's objective with C = 1 is scikit-learn's with C = 2. The script fits
scikit-learn with C = 2 there and evaluates every objective in tapegrad's form.

For each split it records, from scikit-learn:
  - the converged objective and test predictions (LogisticRegression(tol=1e-10)),
  - the time of a default fit (LogisticRegression(), lbfgs, tol 1e-4), what a user runs,
and runs, right after, `tapegrad train --optimizer lbfgs` and `--optimizer newton-cg`
(release build) on the same split, reading the objective and the solver's own time from
their output. It prints the table and writes the scikit-learn figures to
tests/sklearn_solvers.json, which tests/solvers.rs checks the solvers against.

With --mnist it also runs scikit-learn's LogisticRegression(max_iter=200) on the full
MNIST (pixels / 255 in float64, C = 1, n = 60,000) and then `tapegrad train --data mnist
--optimizer lbfgs --epochs 400`, and reports our objective after 200 iterations and the
time we take to reach scikit-learn's final objective.

    python3 -m venv /tmp/venv-sk && /tmp/venv-sk/bin/pip install scikit-learn numpy
    cargo build --release
    /tmp/venv-sk/bin/python scripts/sklearn_solvers.py [--mnist] [--no-write]
"""

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_baseline import read_split_csv  # this script's directory is on sys.path

from mnist_idx import idx

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "tapegrad"
DATASETS = ["iris", "wine", "breast_cancer", "digits"]
SEEDS = range(5)
REFERENCE = REPO / "tests" / "sklearn_solvers.json"


def softmax_parameters(model, classes):
    """scikit-learn's coefficients as tapegrad's (W, b), k rows."""
    w, b = model.coef_, model.intercept_
    if classes == 2:  # one vector u for class 1 against class 0: W = (-u/2, u/2)
        return np.vstack([-w / 2, w / 2]), np.array([-b[0] / 2, b[0] / 2])
    return w, b


def objective(w, b, x, y, l2):
    """Mean cross-entropy of softmax(x W^T + b) plus l2/2 ||W||^2, in float64."""
    logits = x @ w.T + b
    m = logits.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - logits[np.arange(len(y)), y]) + 0.5 * l2 * (w ** 2).sum())


def tapegrad_solver(args):
    """(objective, seconds) from `tapegrad train ... --optimizer SOLVER`."""
    out = subprocess.run([str(BINARY), "train", "--quiet", *args],
                         capture_output=True, text=True, check=True).stdout
    found = re.search(r"objective ([0-9.eE+-]+), max \|gradient\| [^,]+, ([0-9.]+) s", out)
    return float(found.group(1)), float(found.group(2))


def one_split(name, seed):
    with tempfile.TemporaryDirectory(prefix="tapegrad-solvers-") as tmp:
        subprocess.run([str(BINARY), "split", "--data", name, "--split-seed", str(seed),
                        "--out-dir", tmp], check=True, stdout=subprocess.DEVNULL)
        x_train, names = read_split_csv(Path(tmp) / "train.csv")
        x_test, _ = read_split_csv(Path(tmp) / "test.csv")
    y_train = np.unique(names, return_inverse=True)[1]  # class indices, for the objective
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    n, classes = len(y_train), len(np.unique(y_train))
    c = 2.0 if classes == 2 else 1.0

    start = time.perf_counter()
    LogisticRegression(C=c, max_iter=5000).fit(x_train, y_train)
    sk_seconds = time.perf_counter() - start
    converged = LogisticRegression(C=c, tol=1e-10, max_iter=100000).fit(x_train, y_train)
    w, b = softmax_parameters(converged, classes)
    sk_objective = objective(w, b, x_train, y_train, 1.0 / n)

    split = ["--data", name, "--split-seed", str(seed)]
    ours = {s: tapegrad_solver([*split, "--optimizer", s]) for s in ["lbfgs", "newton-cg"]}
    return {
        "seed": seed,
        "objective": sk_objective,
        "test_predictions": [int(p) for p in converged.predict(x_test)],
        "seconds_default_fit": sk_seconds,
    }, ours


def mnist():
    x, y = idx("train-images-idx3-ubyte.gz", np.float64), idx("train-labels-idx1-ubyte.gz")
    x_test, y_test = idx("t10k-images-idx3-ubyte.gz", np.float64), idx("t10k-labels-idx1-ubyte.gz")
    n = len(y)
    start = time.perf_counter()
    model = LogisticRegression(max_iter=200).fit(x, y)
    sk_seconds = time.perf_counter() - start
    sk_objective = objective(model.coef_, model.intercept_, x, y, 1.0 / n)
    sk_accuracy = model.score(x_test, y_test)
    print(f"scikit-learn LogisticRegression(max_iter=200), float64: {sk_seconds:.1f} s, "
          f"{model.n_iter_[0]} iterations, objective {sk_objective:.9f}, test accuracy {sk_accuracy:.4f}")
    sys.stdout.flush()

    with tempfile.TemporaryDirectory(prefix="tapegrad-mnist-") as tmp:
        history = Path(tmp) / "history.csv"
        start = time.perf_counter()
        # Up to twice scikit-learn's iterations, to see when (if) we pass its objective.
        out = subprocess.run([str(BINARY), "train", "--data", "mnist", "--optimizer", "lbfgs",
                              "--epochs", "400", "--history", str(history)],
                             capture_output=True, text=True, check=True).stdout
        wall = time.perf_counter() - start
        with open(history, newline="") as f:
            rows = list(csv.DictReader(f))
    final = next(r for r in rows if int(r["iteration"]) == min(200, len(rows) - 1))
    reached = next((r for r in rows if float(r["objective"]) <= sk_objective), None)
    accuracy = re.search(r"test accuracy: ([0-9.]+)", out).group(1)
    print(f"tapegrad L-BFGS: {final['iteration']} iterations in {float(final['seconds']):.1f} s, "
          f"objective {float(final['objective']):.9f}; after {rows[-1]['iteration']} iterations "
          f"(process {wall:.1f} s) test accuracy {accuracy}")
    if reached is None:
        print("tapegrad L-BFGS did not reach scikit-learn's objective")
    else:
        t = float(reached["seconds"])
        print(f"tapegrad reaches scikit-learn's objective at iteration {reached['iteration']}, "
              f"after {t:.2f} s: {t / sk_seconds:.3f} of scikit-learn's time ({sk_seconds / t:.1f}x faster)")
    return {"objective": sk_objective, "seconds": sk_seconds, "test_accuracy": sk_accuracy,
            "iterations": int(model.n_iter_[0])}


def main():
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"{os.cpu_count()} cores (times are noisy on a shared machine)")
    print(f"{'data set':>13} {'split':>5} {'scikit-learn objective':>23} {'L-BFGS':>19} {'Newton-CG':>19}"
          f" {'sk time':>8} {'L-BFGS':>8} {'N-CG':>8}")
    reference = {"sklearn_version": sklearn.__version__, "datasets": {}}
    for name in DATASETS:
        reference["datasets"][name] = []
        for seed in SEEDS:
            sk, ours = one_split(name, seed)
            reference["datasets"][name].append(sk)
            (lb, lb_s), (nc, nc_s) = ours["lbfgs"], ours["newton-cg"]
            print(f"{name:>13} {seed:>5} {sk['objective']:>23.12f} {lb:>19.12f} {nc:>19.12f}"
                  f" {sk['seconds_default_fit'] * 1e3:>6.1f}ms {lb_s * 1e3:>6.1f}ms {nc_s * 1e3:>6.1f}ms")
            sys.stdout.flush()
    if "--mnist" in sys.argv:
        reference["mnist"] = mnist()
    if "--no-write" not in sys.argv:
        if "--mnist" not in sys.argv and REFERENCE.exists():
            old = json.loads(REFERENCE.read_text())
            if "mnist" in old:
                reference["mnist"] = old["mnist"]
        tmp = REFERENCE.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(reference, indent=1) + "\n")
        tmp.rename(REFERENCE)
        print(f"wrote {REFERENCE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
