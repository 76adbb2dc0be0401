"""tapegrad against PyTorch on the same MNIST work, back to back, in one run.

Each round runs our criterion benchmarks (`cargo bench --bench mnist` and the training
step of `--bench training`) and then `scripts/pytorch_mnist.py` on the same machine with
the same number of threads, and the table at the end gives, per measure, both medians and
their ratio for every round (PyTorch's time / ours: how many times faster tapegrad is).

    python3 -m venv ~/venv && ~/venv/bin/pip install torch numpy   # once, outside the repo
    python3 scripts/compare_pytorch.py --python ~/venv/bin/python [--rounds 3] [--threads N]

The machine should be otherwise idle: the ratios come from runs made seconds apart.
"""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (our criterion benchmark, PyTorch's measure, how many steps PyTorch's measure holds)
MEASURES = [
    ("epoch (batch 256, plain SGD)", "mnist/epoch (batch 256, plain SGD)", "epoch", 1),
    ("full-batch step (60,000 images)", "mnist/full-batch step (60,000 images)", "full-batch step", 1),
    (
        "training step (batch 100, momentum, L2)",
        "training step: batch 100 x 784 -> 10 (f32)",
        "training step x100",
        100,
    ),
]


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = re.findall(r"model name\s*:\s*(.*)", f.read())
        if names:
            model = names[0]
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def criterion_median(full_id):
    """The median of the last run of a criterion benchmark, in seconds."""
    for path in glob.glob(os.path.join(ROOT, "target", "criterion", "**", "benchmark.json"), recursive=True):
        with open(path) as f:
            if json.load(f).get("full_id") != full_id:
                continue
        estimates = os.path.join(os.path.dirname(path), "estimates.json")
        with open(estimates) as f:
            return json.load(f)["median"]["point_estimate"] * 1e-9
    raise SystemExit(f"no criterion results for {full_id!r}")


def run_ours(threads):
    env = dict(os.environ, TAPEGRAD_THREADS=str(threads))
    for bench, name_filter in [("mnist", None), ("training", "training step")]:
        command = ["cargo", "bench", "--quiet", "--bench", bench, "--"]
        if name_filter:
            command.append(name_filter)
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    times = {name: criterion_median(full_id) for name, full_id, _, _ in MEASURES}
    times[FLOOR] = criterion_median(FLOOR)
    times[PRODUCTS] = criterion_median(PRODUCTS)
    times[PEAK] = criterion_median(PEAK)
    return times


def run_pytorch(python, threads):
    out = subprocess.run(
        [python, os.path.join(ROOT, "scripts", "pytorch_mnist.py"), "--threads", str(threads)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    medians = dict(re.findall(r"^(.*?): ([0-9.]+) ", out, re.M))
    return {name: float(medians[label]) / steps for name, _, label, steps in MEASURES}


def show(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} us"


# Not a measure PyTorch makes: the time to read each row of an epoch's minibatches once,
# the floor under any epoch on this machine (see benches/mnist.rs).
FLOOR = "mnist/epoch floor (read each row once)"
# Nor this: the two matrix products of each step alone, no tape: the least an epoch can
# take on a tape that runs each op as it is recorded, since the weight gradient reads the
# batch again once the loss has been recorded.
PRODUCTS = "mnist/epoch products alone (no tape)"
# Nor this: the weight gradient's multiply-adds for an epoch on values in registers, at
# the machine's peak. On a tape that runs each op as it is recorded the weight gradient
# can start only after the forward has read the batch, so floor + peak bounds its epoch
# whatever its kernels.
PEAK = "mnist/multiply-add peak (the weight gradient's, in registers)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable, help="a Python with torch and numpy")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()

    subprocess.run(["cargo", "bench", "--no-run", "--quiet", "--bench", "mnist", "--bench", "training"], cwd=ROOT, check=True)
    rounds = []
    for r in range(args.rounds):
        ours = run_ours(args.threads)
        theirs = run_pytorch(args.python, args.threads)
        rounds.append((ours, theirs))
        print(f"round {r + 1}:", file=sys.stderr)
        for name, *_ in MEASURES:
            print(f"  {name}: tapegrad {show(ours[name])}, PyTorch {show(theirs[name])}, "
                  f"ratio {theirs[name] / ours[name]:.1f}x", file=sys.stderr)

    torch_version = subprocess.run(
        [args.python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    print(f"machine: {machine()}; threads: {args.threads}; PyTorch {torch_version}; {args.rounds} rounds back to back\n")
    print("| measure | tapegrad | PyTorch, same run | PyTorch / tapegrad (each round) |")
    print("|---|---:|---:|---|")
    for name, *_ in MEASURES:
        ours = statistics.median(o[name] for o, _ in rounds)
        theirs = statistics.median(t[name] for _, t in rounds)
        ratios = ", ".join(f"{t[name] / o[name]:.1f}x" for o, t in rounds)
        print(f"| {name} | {show(ours)} | {show(theirs)} | {ratios} |")
    epoch = MEASURES[0][0]
    floor = statistics.median(o[FLOOR] for o, _ in rounds)
    theirs = statistics.median(t[epoch] for _, t in rounds)
    products = statistics.median(o[PRODUCTS] for o, _ in rounds)
    print(f"\nepoch floor, reading each row of the epoch's minibatches once: {show(floor)} "
          f"(PyTorch's epoch / floor: {theirs / floor:.1f}x, the most any epoch could gain on it here)")
    print(f"epoch products alone, X W^T and dO^T X of each minibatch with no tape: {show(products)} "
          f"(PyTorch's epoch / products: {theirs / products:.1f}x, the most an epoch on an eager tape with these kernels could gain)")
    peak = statistics.median(o[PEAK] for o, _ in rounds)
    print(f"the weight gradient's multiply-adds at the machine's peak, in registers: {show(peak)}; "
          f"floor + peak: {show(floor + peak)} (PyTorch's epoch / (floor + peak): {theirs / (floor + peak):.1f}x, "
          f"the most an epoch on an eager tape could gain with perfect kernels and a tape that costs nothing)")


if __name__ == "__main__":
    main()
