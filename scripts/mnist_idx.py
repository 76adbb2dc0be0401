"""Reads the bundled MNIST files (gzipped IDX) into NumPy arrays for the comparison scripts.

Images come back as one row per image, pixels scaled to [0, 1] (as `tapegrad` reads
them); labels as int64 class indices.
"""

import gzip
import os

import numpy as np

MNIST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "mnist")


def idx(name, dtype=np.float32):
    """The images (`n x 784`, `dtype`) or the labels (`n`, int64) in `data/mnist/NAME`."""
    with gzip.open(os.path.join(MNIST, name)) as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    if data[2] == 8 and data[3] == 3:  # unsigned bytes, 3 dimensions: images
        rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (8, 12))
        pixels = np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols)
        return pixels.astype(dtype) / dtype(255.0)
    return np.frombuffer(data, np.uint8, offset=8)[:n].astype(np.int64)
