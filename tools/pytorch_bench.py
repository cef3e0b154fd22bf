#!/usr/bin/env python3
"""PyTorch's CPU numbers for the same work `make bench` times in Swift, written to data/bench/pytorch-cpu.csv.

Optional: needs `pip install torch` (never needed by `make`, `make test` or CI). The layer below does what
Core/Runtime's encoder layer does (QKV projections with bias, per-head attention with Softmax, W_out, add &
LayerNorm, W1, exact GELU, W2, add & LayerNorm) in fp32, batch 1, with torch.no_grad().

    python3 tools/pytorch_bench.py            # writes data/bench/pytorch-cpu.csv
"""
import datetime
import math
import os
import platform
import statistics
import time

import torch

torch.manual_seed(0)
D, H, F = 768, 12, 3072


def median_seconds(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def layer_weights():
    def lin(i, o):
        return torch.randn(i, o) / math.sqrt(i), torch.randn(o) * 0.02
    return {name: lin(i, o) for name, (i, o) in
            {"q": (D, D), "k": (D, D), "v": (D, D), "o": (D, D), "w1": (D, F), "w2": (F, D)}.items()}


def encoder_layer(x, w):
    l = x.shape[0]
    q = x @ w["q"][0] + w["q"][1]
    k = x @ w["k"][0] + w["k"][1]
    v = x @ w["v"][0] + w["v"][1]
    qh, kh, vh = (t.view(l, H, D // H).transpose(0, 1) for t in (q, k, v))
    scores = torch.softmax(qh @ kh.transpose(1, 2) / math.sqrt(D // H), dim=-1)
    attention = (scores @ vh).transpose(0, 1).reshape(l, D)
    y = torch.nn.functional.layer_norm(attention @ w["o"][0] + w["o"][1] + x, (D,))
    hidden = torch.nn.functional.gelu(y @ w["w1"][0] + w["w1"][1])
    return torch.nn.functional.layer_norm(hidden @ w["w2"][0] + w["w2"][1] + y, (D,))


def decode(steps, w):
    keys = torch.zeros(steps, D)
    values = torch.zeros(steps, D)
    x = torch.randn(1, D)
    for t in range(steps):
        q = x @ w["q"][0] + w["q"][1]
        keys[t] = (x @ w["k"][0] + w["k"][1])[0]
        values[t] = (x @ w["v"][0] + w["v"][1])[0]
        qh = q.view(H, 1, D // H)
        kh = keys[: t + 1].view(t + 1, H, D // H).transpose(0, 1)
        vh = values[: t + 1].view(t + 1, H, D // H).transpose(0, 1)
        scores = torch.softmax(qh @ kh.transpose(1, 2) / math.sqrt(D // H), dim=-1)
        attention = (scores @ vh).reshape(1, D)
        y = torch.nn.functional.layer_norm(attention @ w["o"][0] + w["o"][1] + x, (D,))
        hidden = torch.nn.functional.gelu(y @ w["w1"][0] + w["w1"][1])
        x = torch.nn.functional.layer_norm(hidden @ w["w2"][0] + w["w2"][1] + y, (D,))


def main():
    rows = []
    with torch.no_grad():
        torch.set_num_threads(2)
        for m, n, k in [(128, 768, 768), (128, 3072, 768), (512, 768, 768), (512, 3072, 768), (512, 512, 64)]:
            a, b = torch.randn(m, k), torch.randn(k, n)
            rows.append((f"gemm {m}x{n}x{k}", median_seconds(lambda: a @ b, 5)))
        w = layer_weights()
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for l in (128, 512):
                x = torch.randn(l, D)
                rows.append((f"bert-base layer l={l} threads={threads}", median_seconds(lambda: encoder_layer(x, w), 5)))
            rows.append((f"gpt2 token threads={threads}", median_seconds(lambda: decode(128, w), 3) / 128 * 12))
    cpu = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "bench", "pytorch-cpu.csv")
    with open(out, "w") as f:
        f.write(f"# torch: {torch.__version__} (CPU, {torch.backends.mkldnn.is_available() and 'oneDNN' or 'no oneDNN'})\n")
        f.write(f"# cpu: {cpu}, {os.cpu_count()} cores; python {platform.python_version()}\n")
        f.write(f"# date: {datetime.date.today().isoformat()}\n")
        f.write("# command: python3 tools/pytorch_bench.py (median seconds; fp32, batch 1, no_grad)\n")
        f.write("name,seconds\n")
        for name, seconds in rows:
            f.write(f"{name},{seconds:.6f}\n")
    print(open(out).read())


if __name__ == "__main__":
    main()
