"""The scalar benchmark of benches/scalar.rs, in micrograd, for a ratio measured in one run.

Records and differentiates f = sum_i tanh(a_i * b_i + c_i), four ops per term (mul, add,
tanh, and the add into the running sum), exactly as `cargo bench --bench scalar` does,
and prints nanoseconds per recorded op (forward + backward).

    pip install micrograd
    python3 scripts/micrograd_scalar.py [TERMS]

The PyPI release of micrograd has no tanh, so one is added in micrograd's style.
micrograd's backward sorts the graph with a recursive depth-first search, so the
recursion limit and the thread's stack are raised for the long chain of adds.
"""
import math
import sys
import threading
import time

from micrograd.engine import Value


def tanh(self):
    """tanh in micrograd's own style (as in its lecture); the PyPI release lacks it."""
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


Value.tanh = tanh


def run(terms):
    a = [math.sin(i * 0.37) for i in range(terms)]
    b = [math.cos(i * 0.11) for i in range(terms)]
    c = [(i % 7) * 0.1 - 0.3 for i in range(terms)]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        f = Value(0.0)
        for i in range(terms):
            f = f + (Value(a[i]) * Value(b[i]) + Value(c[i])).tanh()
        f.backward()
        best = min(best, time.perf_counter() - start)
    ops = 4 * terms
    print(f"micrograd: {terms} terms, best of 5: {best * 1e3:.1f} ms, {best * 1e9 / ops:.0f} ns per op")


if __name__ == "__main__":
    terms = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sys.setrecursionlimit(10 * terms + 1000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=run, args=(terms,))
    worker.start()
    worker.join()
