"""The work of `cargo bench --bench mnist` and `--bench training`, in PyTorch.

Softmax regression on the full MNIST (60,000 x 784 -> 10, float32), written as a PyTorch
user writes it: `nn.Linear`, the fused `F.cross_entropy`, `torch.optim.SGD`, the data
already in memory as one tensor (pixels / 255, from the same `data/mnist` files):

- `epoch`: one pass over shuffled minibatches of 256, plain SGD, learning rate 0.1;
- `full-batch step`: one step on all 60,000 images;
- `training step`: one step on a batch of 100 random pixels, SGD with momentum 0.9
  and an L2 penalty of 1e-4 on the weights (benches/training.rs).

Prints one line per measure, `NAME: MEDIAN_SECONDS (min MIN, REPEATS runs)`, as
`scripts/compare_pytorch.py` reads it.

    python3 -m venv ~/venv && ~/venv/bin/pip install torch numpy
    ~/venv/bin/python scripts/pytorch_mnist.py [--threads N]
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from mnist_idx import idx


def timed(name, run, repeats, warmup=2):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(f"{name}: {statistics.median(times):.6f} (min {min(times):.6f}, {repeats} runs)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz"))
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz"))
    model = torch.nn.Linear(784, 10)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(xb, yb, optimizer):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()

    def epoch():
        order = torch.randperm(x.shape[0])
        for batch in order.split(256):
            step(x[batch], y[batch], sgd)

    timed("epoch", epoch, args.repeats)
    timed("full-batch step", lambda: step(x, y, sgd), args.repeats * 2)

    # benches/training.rs: batch 100 of uniform pixels, momentum 0.9, L2 1e-4 on W.
    xb = torch.rand(100, 784)
    yb = torch.arange(100) % 10
    momentum = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def training_step():
        momentum.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb) + 0.5e-4 * model.weight.pow(2).sum()
        loss.backward()
        momentum.step()

    def many_steps():
        for _ in range(100):
            training_step()

    timed("training step x100", many_steps, args.repeats)


if __name__ == "__main__":
    main()
