#!/usr/bin/env python3
"""scikit-learn baseline for tapegrad's softmax regression, on exactly tapegrad's splits.

For each of iris, wine, breast_cancer and digits and split seeds 0..4, this script asks
tapegrad for its stratified 75/25 train/test split

    cargo run --release -q -- split --data NAME --split-seed S --out-dir TMP

then fits scikit-learn's LogisticRegression(max_iter=5000) (lbfgs, C = 1) on features
standardised with a StandardScaler fitted on the training part, and prints the number of
correct test predictions and the accuracy of each split. These are the reference counts
hard-coded in tests/training.rs.

Run it from anywhere in the repository:

    python3 scripts/sklearn_baseline.py

Requirements: Python 3, a Rust toolchain (cargo), and scikit-learn
(`pip install scikit-learn`, which brings numpy).
"""

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parent.parent
DATASETS = ["iris", "wine", "breast_cancer", "digits"]
SEEDS = range(5)


def read_split_csv(path):
    """Features (n, d) and class names (n,) of a CSV written by `tapegrad split`."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[-1] == "label", f"{path}: the last column is {header[-1]!r}, not 'label'"
    features = np.array([row[:-1] for row in body], dtype=np.float64)
    return features, np.array([row[-1] for row in body])


def split(name, seed, out_dir):
    """Writes tapegrad's split of `name` with `seed` to out_dir/train.csv and test.csv."""
    command = ["cargo", "run", "--release", "-q", "--", "split",
               "--data", name, "--split-seed", str(seed), "--out-dir", str(out_dir)]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def baseline(name, seed):
    """(correct, total) test predictions of LogisticRegression on one split."""
    with tempfile.TemporaryDirectory(prefix="tapegrad-sklearn-") as tmp:
        split(name, seed, tmp)
        x_train, y_train = read_split_csv(Path(tmp) / "train.csv")
        x_test, y_test = read_split_csv(Path(tmp) / "test.csv")
    scaler = StandardScaler().fit(x_train)
    model = LogisticRegression(max_iter=5000)
    model.fit(scaler.transform(x_train), y_train)
    predicted = model.predict(scaler.transform(x_test))
    return int((predicted == y_test).sum()), len(y_test)


def main():
    import sklearn

    print(f"scikit-learn {sklearn.__version__}: LogisticRegression(max_iter=5000) on "
          f"standardised features, tapegrad's stratified 75/25 splits")
    for name in DATASETS:
        counts = []
        for seed in SEEDS:
            correct, total = baseline(name, seed)
            counts.append(correct)
            print(f"{name:>13} seed {seed}: {correct:>3}/{total} correct, "
                  f"accuracy {correct / total:.4f}")
        print(f"{name:>13} correct per seed: {counts} of {total}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
