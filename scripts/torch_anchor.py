#!/usr/bin/python3
"""PyTorch anchor timings for SE blocks: the same shapes as se-bench's, on this
machine, in the same run. se-bench keeps this process open and asks for each
shape right after timing its own implementations on it, so a PyTorch row and
the rows it is compared with are measured seconds apart, not minutes.

    /usr/bin/python3 scripts/torch_anchor.py [--threads 1] [--min-time 0.5] [--device cpu|cuda|all]

It first prints one JSON line: torch's version, its thread count and the CUDA
device or, in noCuda, why there is none (with --device all, replies then hold
CPU rows only), or why torch cannot be used. Then, for each request line read on
stdin, {"shape": [N, C, H, W], "ratio": 16}, it prints one JSON line
{"rows": [...]}: per variant and device the samples in ms (median etc. are
computed by the harness, with the same statistics as every other row), or why
that row is unavailable. A request it cannot read gets {"error": "..."}.
Variants: `eager` (torch.no_grad, the SE block as nn.Modules with Linear FCs,
average squeeze, ReLU, biases, sigmoid gate) and `compile` (torch.compile),
reported unavailable with the reason where torch lacks it (torch 1.13 has
none). CUDA rows are timed with torch.cuda.synchronize() after each call.
For example:

    echo '{"shape": [8, 256, 56, 56], "ratio": 16}' | /usr/bin/python3 scripts/torch_anchor.py
"""
import argparse
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError as e:  # pragma: no cover
    print(json.dumps({"available": False, "reason": f"cannot import torch: {e}",
                      "installHint": "apt-get install -y python3-torch (Debian) and run with /usr/bin/python3"}), flush=True)
    sys.exit(0)


class SE(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.act, self.fc2, self.gate = nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Sigmoid()

    def forward(self, x):
        n, c = x.shape[:2]
        g = self.gate(self.fc2(self.act(self.fc1(self.pool(x).reshape(n, c)))))
        return x * g.reshape(n, c, 1, 1)


def time_fn(fn, sync, min_time):
    for _ in range(3):
        fn()
    sync()
    samples, start = [], time.perf_counter()
    while time.perf_counter() - start < min_time or len(samples) < 10:
        t0 = time.perf_counter()
        fn()
        sync()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def parse_request(line):
    """(shape, ratio) from a request line; ValueError says what is wrong."""
    try:
        req = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e})")
    shape, ratio = req.get("shape") if isinstance(req, dict) else None, req.get("ratio") if isinstance(req, dict) else None
    if not (isinstance(shape, list) and len(shape) == 4 and all(isinstance(v, int) and v > 0 for v in shape)):
        raise ValueError('"shape" must be [N, C, H, W], four positive integers')
    if not (isinstance(ratio, int) and 0 < ratio <= shape[1]):
        raise ValueError(f'"ratio" must be an integer from 1 to C = {shape[1]}')
    return shape, ratio


def measure(shape, ratio, devices, min_time, has_compile):
    rows = []
    for dev in devices:
        if dev == "cuda" and not torch.cuda.is_available():
            rows.append(dict(device="cuda", available=False, reason="torch.cuda.is_available() is False (no CUDA GPU or a CPU-only torch build)"))
            continue
        sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
        torch.manual_seed(0)
        model = SE(shape[1], ratio).to(dev).eval()
        x = torch.rand(*shape, device=dev)
        variants = [("eager", model)] + ([("compile", torch.compile(model))] if has_compile else [])
        with torch.no_grad():
            for name, m in variants:
                rows.append(dict(device=dev, variant=name, shape=shape, ratio=ratio, available=True,
                                 samplesMs=time_fn(lambda: m(x), sync, min_time)))
        if not has_compile:
            rows.append(dict(device=dev, variant="compile", shape=shape, ratio=ratio, available=False,
                             reason=f"torch {torch.__version__} has no torch.compile (added in 2.0)"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    ap.add_argument("--device", choices=["cpu", "cuda", "all"], default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    no_cuda = None if torch.cuda.is_available() else "torch.cuda.is_available() is False (no CUDA GPU or a CPU-only torch build)"
    if no_cuda and args.device == "all":
        devices = ["cpu"]  # said once here, not in every reply
    print(json.dumps(dict(available=True, torch=torch.__version__, threads=torch.get_num_threads(),
                          cuda=None if no_cuda else torch.cuda.get_device_name(0), noCuda=no_cuda)), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            shape, ratio = parse_request(line)
        except ValueError as e:
            print(json.dumps(dict(error=f"bad request {line.strip()[:200]!r}: {e}")), flush=True)
            continue
        print(json.dumps(dict(rows=measure(shape, ratio, devices, args.min_time, hasattr(torch, "compile")))), flush=True)


if __name__ == "__main__":
    main()
