#!/usr/bin/env python3
"""PyTorch's CPU timings of the same work `make bench` times in Swift, for ratios measured in the same run.

Optional: needs torch (never needed by `make`, `make test` or CI). `benchmarks` (the `runtime` benchmark) runs
this script with --serve and interleaves its timings with ours; it can also be run alone.

Cases (fp32, batch 1, torch.no_grad()):
  gemm:MxNxK   C = A·B with A m×k and B k×n
  layer:L      one BERT-Base encoder layer over L tokens, as Core/Kernels/Runtime's encoder layer does it (QKV
               projections with bias, per-head attention with Softmax, W_out, add & LayerNorm, W1, exact GELU,
               W2, add & LayerNorm)
  decode:STEPS STEPS tokens of one GPT-2-sized decoder layer with a KV cache, one token at a time
  llama-prefill:LxN      N TinyLlama-1.1B layers (d 2048, 32 query heads over 4 key/value heads, d_FFN 5632) over
                         an L-token prompt, as Core/Kernels/Runtime's DecoderRuntime does it: RMSNorm, Q/K/V
                         without bias, rotary embedding (rotate-half, base 10000), causal grouped-query attention,
                         W_out, residual, RMSNorm, SwiGLU, residual; the key/value cache filled
  llama-decode:CxSxN     S tokens one at a time through the same N layers after a cache of C positions
  llama-head:V           the final RMSNorm and a d × V LM head on one hidden state

    python3 tools/pytorch_bench.py                                   # every case at 1 and 2 threads, a table
    python3 tools/pytorch_bench.py --case gemm:512x3072x768 --threads 2 --repeats 7 --json
    python3 tools/pytorch_bench.py --serve    # one JSON request per stdin line, one JSON reply per stdout line

--serve's first line is {"torch": version, ...} (or {"error": ...} and exit status 3 when torch does not
import); each request {"case": "layer:128", "threads": 2, "warmup": 1, "calls": 3} is answered with
{"case": ..., "threads": ..., "seconds": median, "samples": [...]} or {"error": ...}.
"""
import argparse
import json
import math
import platform
import re
import statistics
import sys
import time

D, H, F = 768, 12, 3072
DEFAULT_CASES = ["gemm:128x768x768", "gemm:128x3072x768", "gemm:512x768x768", "gemm:512x3072x768",
                 "heads:1x512x64", "heads:12x512x64", "layer:128", "layer:512", "decode:128",
                 "llama-prefill:128x2", "llama-decode:128x8x2", "llama-head:32000"]
CASE = re.compile(r"^(gemm:(\d+)x(\d+)x(\d+)|heads:(\d+)x(\d+)x(\d+)|layer:(\d+)|decode:(\d+)|llama-prefill:(\d+)x(\d+)"
                  r"|llama-decode:(\d+)x(\d+)x(\d+)|llama-head:(\d+))$")
# TinyLlama-1.1B (Zhang et al. 2024, config.json): d, query heads, key/value heads, d_FFN; rotary base; RMSNorm eps.
LLAMA_D, LLAMA_H, LLAMA_KV, LLAMA_F = 2048, 32, 4, 5632
ROPE_BASE, RMS_EPS = 10000.0, 1e-5
LLAMA_LAYER_LIMIT = 22
LIMIT = 1 << 16


def parse_case(text):
    """The case as a tuple, or ValueError with a message naming it."""
    m = CASE.match(text)
    if not m:
        raise ValueError(f"unknown case {text!r}: expected gemm:MxNxK, heads:HxLxDH, layer:L, decode:STEPS, llama-prefill:LxN, "
                         "llama-decode:CxSxN or llama-head:V")
    sizes = [int(g) for g in m.groups()[1:] if g is not None]
    if any(s < 1 or s > LIMIT for s in sizes):
        raise ValueError(f"case {text!r}: every size must be in 1...{LIMIT}")
    kind = text.split(":")[0]
    if kind in ("llama-prefill", "llama-decode") and sizes[-1] > LLAMA_LAYER_LIMIT:
        raise ValueError(f"case {text!r}: at most {LLAMA_LAYER_LIMIT} layers (TinyLlama has 22)")
    return (text.split(":")[0], *sizes)


def positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer")
    if value < 1 or value > 1024:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed 1...1024")
    return value


def case_argument(text):
    try:
        parse_case(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error))
    return text


class Cases:
    """The callables to time, built once per case (weights, inputs) and reused across requests."""

    def __init__(self, torch):
        self.torch = torch
        self.built = {}
        self.weights = None
        self.llama_models = {}
        self.llama_heads = {}

    def layer_weights(self):
        torch = self.torch
        if self.weights is None:
            torch.manual_seed(0)

            def lin(i, o):
                return torch.randn(i, o) / math.sqrt(i), torch.randn(o) * 0.02
            self.weights = {name: lin(i, o) for name, (i, o) in
                            {"q": (D, D), "k": (D, D), "v": (D, D), "o": (D, D), "w1": (D, F), "w2": (F, D)}.items()}
        return self.weights

    def get(self, text):
        if text not in self.built:
            self.built[text] = self.build(parse_case(text))
        return self.built[text]

    def build(self, case):
        torch = self.torch
        F_ = torch.nn.functional
        torch.manual_seed(1)
        if case[0] == "gemm":
            m, n, k = case[1:]
            a, b = torch.randn(m, k), torch.randn(k, n)
            return lambda: a @ b
        if case[0] == "heads":
            # Every head's scores q·kᵀ, q and k laid out as the layer's projections (l × heads·dh), as in "layer".
            h, l, dh = case[1:]
            q, k = torch.randn(l, h * dh), torch.randn(l, h * dh)
            qh, kh = (t.view(l, h, dh).transpose(0, 1) for t in (q, k))
            return lambda: qh @ kh.transpose(1, 2)
        if case[0].startswith("llama"):
            return self.build_llama(case)
        w = self.layer_weights()
        if case[0] == "layer":
            x = torch.randn(case[1], D)

            def layer():
                l = x.shape[0]
                q = x @ w["q"][0] + w["q"][1]
                k = x @ w["k"][0] + w["k"][1]
                v = x @ w["v"][0] + w["v"][1]
                qh, kh, vh = (t.view(l, H, D // H).transpose(0, 1) for t in (q, k, v))
                scores = torch.softmax(qh @ kh.transpose(1, 2) / math.sqrt(D // H), dim=-1)
                attention = (scores @ vh).transpose(0, 1).reshape(l, D)
                y = F_.layer_norm(attention @ w["o"][0] + w["o"][1] + x, (D,))
                hidden = F_.gelu(y @ w["w1"][0] + w["w1"][1])
                return F_.layer_norm(hidden @ w["w2"][0] + w["w2"][1] + y, (D,))
            return layer
        steps = case[1]
        start = torch.randn(1, D)

        def decode():
            keys = torch.zeros(steps, D)
            values = torch.zeros(steps, D)
            x = start
            for t in range(steps):
                q = x @ w["q"][0] + w["q"][1]
                keys[t] = (x @ w["k"][0] + w["k"][1])[0]
                values[t] = (x @ w["v"][0] + w["v"][1])[0]
                qh = q.view(H, 1, D // H)
                kh = keys[: t + 1].view(t + 1, H, D // H).transpose(0, 1)
                vh = values[: t + 1].view(t + 1, H, D // H).transpose(0, 1)
                scores = torch.softmax(qh @ kh.transpose(1, 2) / math.sqrt(D // H), dim=-1)
                attention = (scores @ vh).reshape(1, D)
                y = F_.layer_norm(attention @ w["o"][0] + w["o"][1] + x, (D,))
                hidden = F_.gelu(y @ w["w1"][0] + w["w1"][1])
                x = F_.layer_norm(hidden @ w["w2"][0] + w["w2"][1] + y, (D,))
            return x
        return decode

    def llama(self, layers):
        if layers not in self.llama_models:
            self.llama_models[layers] = LlamaLayers(self.torch, layers)
        return self.llama_models[layers]

    def build_llama(self, case):
        torch = self.torch
        if case[0] == "llama-head":
            vocabulary = case[1]
            if vocabulary not in self.llama_heads:
                torch.manual_seed(3)
                self.llama_heads[vocabulary] = (1 + 0.1 * (2 * torch.rand(LLAMA_D) - 1),
                                                torch.randn(LLAMA_D, vocabulary) / math.sqrt(LLAMA_D))
            gamma, head = self.llama_heads[vocabulary]
            hidden = torch.randn(1, LLAMA_D)
            return lambda: rms_norm(torch, hidden, gamma) @ head
        if case[0] == "llama-prefill":
            tokens, layers = case[1:]
            model = self.llama(layers)
            x = torch.randn(tokens, LLAMA_D)
            cache = model.empty_cache(tokens)
            return lambda: model.forward(x, cache, 0)
        context, steps, layers = case[1:]
        model = self.llama(layers)
        rows = torch.randn(steps, LLAMA_D)
        cache = model.empty_cache(context + steps)
        for keys, values in cache:            # the prompt's keys and values (their values do not change the time)
            keys[:, :context] = torch.randn(LLAMA_KV, context, LLAMA_D // LLAMA_H)
            values[:, :context] = torch.randn(LLAMA_KV, context, LLAMA_D // LLAMA_H)

        def decode():
            for step in range(steps):
                x = model.forward(rows[step:step + 1], cache, context + step)
            return x
        return decode

    def time(self, text, threads, warmup, calls):
        fn = self.get(text)
        self.torch.set_num_threads(threads)
        with self.torch.no_grad():
            for _ in range(warmup):
                fn()
            samples = []
            for _ in range(calls):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
        return {"case": text, "threads": threads, "seconds": statistics.median(samples), "samples": samples}


def rms_norm(torch, x, gamma):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * gamma


class LlamaLayers:
    """N TinyLlama-shaped decoder layers with seeded random weights (no biases), written from the Llama block's
    definition with torch.nn.functional: pre-RMSNorm, grouped-query attention with rotary embedding and a key/value
    cache, SwiGLU. The same computation as DecoderRuntime.forwardLayers, in PyTorch's own kernels."""

    def __init__(self, torch, layers, positions=LIMIT // 8):
        self.torch = torch
        torch.manual_seed(2)
        d, f, dh = LLAMA_D, LLAMA_F, LLAMA_D // LLAMA_H
        kv_width = LLAMA_KV * dh

        def lin(i, o):
            return torch.randn(i, o) / math.sqrt(i)

        def gamma():
            return 1 + 0.1 * (2 * torch.rand(d) - 1)
        self.layers = [{"q": lin(d, d), "k": lin(d, kv_width), "v": lin(d, kv_width), "o": lin(d, d),
                        "gate": lin(d, f), "up": lin(d, f), "down": lin(f, d), "norm1": gamma(), "norm2": gamma()}
                       for _ in range(layers)]
        self.positions = positions
        half = dh // 2
        theta = ROPE_BASE ** (-2 * torch.arange(half, dtype=torch.float64) / dh)
        angles = torch.arange(positions, dtype=torch.float64)[:, None] * theta[None, :]
        self.cos, self.sin = angles.cos().float(), angles.sin().float()

    def empty_cache(self, positions):
        torch, dh = self.torch, LLAMA_D // LLAMA_H
        if positions > self.positions:
            raise ValueError(f"at most {self.positions} positions")
        return [(torch.zeros(LLAMA_KV, positions, dh), torch.zeros(LLAMA_KV, positions, dh)) for _ in self.layers]

    def rotate(self, t, start):
        """Rotary embedding of t (heads × l × dh) at positions start..start+l-1, rotate-half pairs (i, i + dh/2)."""
        half = t.shape[-1] // 2
        cos, sin = self.cos[start:start + t.shape[1]], self.sin[start:start + t.shape[1]]
        a, b = t[..., :half], t[..., half:]
        return self.torch.cat((a * cos - b * sin, b * cos + a * sin), dim=-1)

    def forward(self, x, cache, start):
        """x: l × d new rows at positions start..start+l-1 (start = 0 for a prompt); returns l × d."""
        torch, F_ = self.torch, self.torch.nn.functional
        l, dh, group = x.shape[0], LLAMA_D // LLAMA_H, LLAMA_H // LLAMA_KV
        end = start + l
        for w, (keys, values) in zip(self.layers, cache):
            n = rms_norm(torch, x, w["norm1"])
            q = self.rotate((n @ w["q"]).view(l, LLAMA_H, dh).transpose(0, 1), start)
            keys[:, start:end] = self.rotate((n @ w["k"]).view(l, LLAMA_KV, dh).transpose(0, 1), start)
            values[:, start:end] = (n @ w["v"]).view(l, LLAMA_KV, dh).transpose(0, 1)
            k = keys[:, :end].repeat_interleave(group, dim=0)
            v = values[:, :end].repeat_interleave(group, dim=0)
            attention = F_.scaled_dot_product_attention(q, k, v, is_causal=l > 1)
            x = x + attention.transpose(0, 1).reshape(l, LLAMA_D) @ w["o"]
            n = rms_norm(torch, x, w["norm2"])
            x = x + (F_.silu(n @ w["gate"]) * (n @ w["up"])) @ w["down"]
        return x


def import_torch():
    try:
        import torch
    except ImportError as error:
        return None, f"torch does not import ({error})"
    return torch, None


def hello(torch):
    config = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=(\w+)", config)
    capability = re.search(r"CPU capability usage: (\w+)", config)
    return {"torch": torch.__version__, "python": sys.executable, "python_version": platform.python_version(),
            "blas": blas.group(1) if blas else "unknown", "cpu_capability": capability.group(1) if capability else "unknown",
            "threads": torch.get_num_threads()}


def serve():
    torch, error = import_torch()
    if torch is None:
        print(json.dumps({"error": error}), flush=True)
        return 3
    print(json.dumps(hello(torch)), flush=True)
    cases = Cases(torch)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            threads, warmup, calls = int(request.get("threads", 1)), int(request.get("warmup", 0)), int(request.get("calls", 1))
            if not (1 <= threads <= 1024 and 0 <= warmup <= 1024 and 1 <= calls <= 1024):
                raise ValueError("threads and calls must be in 1...1024, warmup in 0...1024")
            reply = cases.time(str(request["case"]), threads, warmup, calls)
        except Exception as error:  # one bad request is answered, not fatal
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="PyTorch's CPU timings of the cases `make bench` times in Swift (median seconds).",
        epilog="Cases: gemm:MxNxK, layer:L (BERT-Base encoder layer over L tokens), decode:STEPS (one GPT-2 "
               "decoder layer, STEPS tokens). Default: " + " ".join(DEFAULT_CASES))
    parser.add_argument("--case", action="append", type=case_argument, metavar="CASE",
                        help="a case to time (repeatable; default: all of them)")
    parser.add_argument("--threads", action="append", type=positive, metavar="N",
                        help="torch.set_num_threads value (repeatable; default: 1 and 2)")
    parser.add_argument("--repeats", type=positive, default=5, help="timed calls after one warm-up (default 5)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    parser.add_argument("--serve", action="store_true", help="answer JSON requests on stdin (used by `benchmarks`)")
    args = parser.parse_args(argv)
    if args.serve:
        if args.case or args.threads or args.json:
            parser.error("--serve takes no other option")
        return serve()
    torch, error = import_torch()
    if torch is None:
        print(f"PyTorch not installed: {error}", file=sys.stderr)
        return 3
    cases = Cases(torch)
    info = hello(torch)
    if not args.json:
        print(f"# torch {info['torch']} (BLAS {info['blas']}, {info['cpu_capability']}), python {info['python_version']}")
        print("case,threads,seconds")
    for text in args.case or DEFAULT_CASES:
        for threads in args.threads or [1, 2]:
            result = cases.time(text, threads, 1, args.repeats)
            if args.json:
                print(json.dumps({**result, "torch": info["torch"]}), flush=True)
            else:
                print(f"{text},{threads},{result['seconds']:.6f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
