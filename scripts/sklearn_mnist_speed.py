"""Softmax regression on the full MNIST: scikit-learn against tapegrad, in one run.

scikit-learn's LogisticRegression (multinomial, lbfgs) is what a Python user would reach
for to train this model. The script reads the same bundled IDX files, fits it with its
defaults except max_iter (raised so that it converges instead of stopping early), and
then runs `tapegrad train --data mnist` (the release build) on the same machine, and prints
both times and test accuracies.

    pip install scikit-learn numpy
    cargo build --release
    python3 scripts/sklearn_mnist_speed.py [MAX_ITER]
"""
import os
import re
import subprocess
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

from mnist_idx import idx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    max_iter = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    x_train, y_train = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
    x_test, y_test = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")

    start = time.perf_counter()
    model = LogisticRegression(max_iter=max_iter).fit(x_train, y_train)
    sk_seconds = time.perf_counter() - start
    sk_accuracy = model.score(x_test, y_test)
    print(f"scikit-learn LogisticRegression(max_iter={max_iter}): {sk_seconds:.1f} s, test accuracy {sk_accuracy:.4f}")

    binary = os.path.join(ROOT, "target", "release", "tapegrad")
    start = time.perf_counter()
    out = subprocess.run([binary, "train", "--data", "mnist", "--quiet"], capture_output=True, text=True, check=True).stdout
    tg_seconds = time.perf_counter() - start
    tg_accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    print(f"tapegrad train --data mnist (10 epochs of minibatch SGD, reading the data included): {tg_seconds:.1f} s, test accuracy {tg_accuracy:.4f}")
    print(f"ratio: scikit-learn takes {sk_seconds / tg_seconds:.0f}x as long")


if __name__ == "__main__":
    main()
