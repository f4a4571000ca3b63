#!/usr/bin/python3
"""PyTorch anchor timings for SE blocks: the same shapes as se-bench's, on this
machine, in the same run, so ratios against PyTorch are measured side by side.

    /usr/bin/python3 scripts/torch_anchor.py --shapes 8x256x56x56,8x512x28x28 [--ratios 16,8]
        [--threads 1] [--min-time 0.5] [--device cpu|cuda|all]

Prints one JSON document: torch version, threads, and per (shape, variant) the
samples in ms (median etc. are computed by the harness, with the same
statistics as every other row). Variants: `eager` (torch.no_grad, the SE block
as nn.Modules with Linear FCs, average squeeze, ReLU, biases, sigmoid gate),
and `compile` (torch.compile), which is reported unavailable with the reason
where the installed torch lacks it (torch 1.13 has none). CUDA rows are timed
with torch.cuda.synchronize() after each call.
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
                      "installHint": "apt-get install -y python3-torch (Debian) and run with /usr/bin/python3"}))
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", required=True, help="comma-separated NxCxHxW")
    ap.add_argument("--ratios", default="16", help="comma-separated reduction ratios")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    ap.add_argument("--device", choices=["cpu", "cuda", "all"], default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    has_compile = hasattr(torch, "compile")
    rows = []
    for dev in devices:
        if dev == "cuda" and not torch.cuda.is_available():
            rows.append(dict(device="cuda", available=False, reason="torch.cuda.is_available() is False (no CUDA GPU or a CPU-only torch build)"))
            continue
        sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
        for ratio in [int(r) for r in args.ratios.split(",")]:
            for text in args.shapes.split(","):
                shape = [int(v) for v in text.lower().split("x")]
                torch.manual_seed(0)
                model = SE(shape[1], ratio).to(dev).eval()
                x = torch.rand(*shape, device=dev)
                variants = [("eager", model)]
                if has_compile:
                    variants.append(("compile", torch.compile(model)))
                with torch.no_grad():
                    for name, m in variants:
                        rows.append(dict(device=dev, variant=name, shape=shape, ratio=ratio, available=True,
                                         samplesMs=time_fn(lambda: m(x), sync, args.min_time)))
                if not has_compile:
                    rows.append(dict(device=dev, variant="compile", shape=shape, ratio=ratio, available=False,
                                     reason=f"torch {torch.__version__} has no torch.compile (added in 2.0)"))
    print(json.dumps(dict(available=True, torch=torch.__version__, threads=torch.get_num_threads(),
                          cuda=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, rows=rows)))


if __name__ == "__main__":
    main()
