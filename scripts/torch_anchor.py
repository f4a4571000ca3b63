#!/usr/bin/python3
"""PyTorch anchor timings for SE blocks and whole networks: the same shapes and
models as se-bench's, on this machine, in the same run. se-bench keeps this
process open and asks for each workload right after timing its own
implementations on it, so a PyTorch row and the rows it is compared with are
measured seconds apart, not minutes.

    /usr/bin/python3 scripts/torch_anchor.py [--threads 1] [--min-time 0.5] [--device cpu|cuda|all]

It first prints one JSON line: torch's version, its thread count and the CUDA
device or, in noCuda, why there is none (with --device all, replies then hold
CPU rows only), or why torch cannot be used. Then, for each request line read on
stdin, it prints one JSON line {"rows": [...]}: per variant and device the
samples in ms (median etc. are computed by the harness, with the same
statistics as every other row), or why that row is unavailable. A request it
cannot read gets {"error": "..."}; the process goes on either way.

SE block requests, {"shape": [N, C, H, W], "ratio": 16}: variants `eager`
(torch.no_grad, the SE block as nn.Modules with Linear FCs, average squeeze,
ReLU, biases, sigmoid gate) and `compile` (torch.compile), reported unavailable
with the reason where torch lacks it (torch 1.13 has none).

Network requests, {"network": "se-resnet50", "se": {"ratio": 16, ...},
"batch": 1, "resolution": 224, "minTimeMs": 800, "minSamples": 5,
"budgetS": 30} (all but "network", "batch" and "resolution" optional; "se"
takes harness/model/network.ts's NetworkSe fields and only the se-* ResNet
models accept it): variant `eager` only, eval mode under torch.no_grad. The model is
scripts/golden.py's build_network (torchvision's own mobilenet_v3_large,
mobilenet_v3_small, efficientnet_b0, regnet_y_400mf and their `<name>-no-se`
twins by name: they take no "se" and their rows' "ratio" is null), the one the golden network cases prove equal
to se-bench's, with weights drawn from the shared PRNG by the same rules and
seed as the bench's own network weights. Rows add "coldMs", the first run on
its own; a first run that projects the measurement past "budgetS" makes the
row unavailable with the projection, as the bench does with its own networks.
"warmup" (default 2) is the number of untimed calls before the samples;
"dryRun": true builds, runs cold and checks the budget, and takes no samples;
"device": "cpu" or "cuda" times on that one only.

Pair requests, {"pairs": [<network request>, ...], "device": "cpu",
"first": 0, "cycles": 4, "warmup": 1}: the networks (each as in a network
request, without limits) timed as pairs, as se-bench pairs its own
(harness/bench/pairs.ts): "warmup" untimed calls of each first, then each
cycle calls every network once, in the given order when the cycle's index is
even and reversed when odd. Rows, one per network in the request's order,
hold "samplesMs" (wall) and "cpuMs" (time.process_time per call, the process's
CPU time: with one intra-op thread, the network's own), or, for a network
that raised, "available": false and the reason (the others go on).

Profile requests, {"profile": <network request>, "device": "cpu", "calls": 5}:
one row, the network's self CPU time per aten operator of one call (the mean
of "calls" after an untimed one) from torch.profiler, each marked "se" when it
ran inside an SE block's forward (golden.py's SE or
torchvision.ops.SqueezeExcitation), else "trunk". A
network is built and run cold once and kept (the last 8), so a bench can ask
for a few samples of each of its networks in turn, round after round.

CUDA rows are timed with torch.cuda.synchronize() after each call. For example:

    echo '{"shape": [8, 256, 56, 56], "ratio": 16}' | /usr/bin/python3 scripts/torch_anchor.py
    echo '{"network": "resnet50", "batch": 1, "resolution": 64}' | /usr/bin/python3 scripts/torch_anchor.py
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError as e:  # pragma: no cover
    print(json.dumps({"available": False, "reason": f"cannot import torch: {e}",
                      "installHint": "apt-get install -y python3-torch (Debian) and run with /usr/bin/python3"}), flush=True)
    sys.exit(0)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # golden.py and golden_cases.py, for network requests
NO_CUDA = "torch.cuda.is_available() is False (no CUDA GPU or a CPU-only torch build)"


class SE(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.act, self.fc2, self.gate = nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Sigmoid()

    def forward(self, x):
        n, c = x.shape[:2]
        g = self.gate(self.fc2(self.act(self.fc1(self.pool(x).reshape(n, c)))))
        return x * g.reshape(n, c, 1, 1)


def time_fn(fn, sync, min_time, min_samples=10, warmup=3):
    for _ in range(warmup):
        fn()
    sync()
    samples, start = [], time.perf_counter()
    while time.perf_counter() - start < min_time or len(samples) < min_samples:
        t0 = time.perf_counter()
        fn()
        sync()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def parse_request(req):
    """(shape, ratio) from an SE block request; ValueError says what is wrong."""
    shape, ratio = (req.get("shape"), req.get("ratio")) if isinstance(req, dict) else (None, None)
    if not (isinstance(shape, list) and len(shape) == 4 and all(isinstance(v, int) and v > 0 for v in shape)):
        raise ValueError('"shape" must be [N, C, H, W], four positive integers')
    if not (isinstance(ratio, int) and 0 < ratio <= shape[1]):
        raise ValueError(f'"ratio" must be an integer from 1 to C = {shape[1]}')
    return shape, ratio


def measure(shape, ratio, devices, min_time, has_compile):
    rows = []
    for dev in devices:
        if dev == "cuda" and not torch.cuda.is_available():
            rows.append(dict(device="cuda", available=False, reason=NO_CUDA))
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


# ---------------------------------------------------------------- whole networks

# Same seed as harness/bench/workloads.ts (SEED): PyTorch gets the very weights our implementations are timed with.
BENCH_SEED = 9001
# Warm-up calls after the cold run: as many as tinybench's warm-up iterations for our own rows.
NET_WARMUP = 2
# Valid values of each SE option (harness/model/network.ts NetworkSe); the builders would fail later and less clearly.
SE_CHOICES = dict(reduction=("floor", "divisor8"), squeeze=("avg", "max", "none"), hiddenActivation=("relu", "tanh", "sigmoid"),
                  weightLayout=("conv1x1", "linear"), position=("standard", "pre", "post", "identity", "3x3"))


def positive_int(req, key):
    v = req.get(key)
    if not (isinstance(v, int) and not isinstance(v, bool) and v > 0):
        raise ValueError(f'"{key}" must be a positive integer, got {json.dumps(v)}')
    return v


def parse_network_request(req):
    """A checked network request: the golden_cases network spec, batch, resolution and timing limits; ValueError says what is wrong."""
    from golden_cases import NET_PRESETS, NET_SE_DEFAULTS, network  # plain Python, no torchvision: cheap to import here

    name = req["network"]
    if name not in NET_PRESETS:
        raise ValueError(f'unknown model {json.dumps(name)}; valid models: {", ".join(NET_PRESETS)}')
    se = req.get("se") or {}
    if not isinstance(se, dict):
        raise ValueError('"se" must be an object of SE options')
    if se and "torchvision" in NET_PRESETS[name]:
        what = "has no SE blocks" if NET_PRESETS[name]["removeSe"] else "is torchvision's own network with its SE blocks fixed (hidden widths, gates)"
        raise ValueError(f'model {name} {what}, so "se" options ({", ".join(sorted(se))}) would do nothing')
    if se and not NET_PRESETS[name].get("se"):
        raise ValueError(f'model {name} has no SE blocks, so "se" options would do nothing')
    unknown = sorted(set(se) - set(NET_SE_DEFAULTS))
    if unknown:
        raise ValueError(f'unknown SE option(s) {", ".join(unknown)}; valid: {", ".join(NET_SE_DEFAULTS)}')
    for key, choices in SE_CHOICES.items():
        if key in se and se[key] not in choices:
            raise ValueError(f'SE {key} {json.dumps(se[key])} is not one of {", ".join(choices)}')
    if "ratio" in se:
        positive_int(se, "ratio")
    if "stages" in se and not (isinstance(se["stages"], list) and se["stages"] and set(se["stages"]) <= {2, 3, 4, 5}):
        raise ValueError('SE "stages" must be a non-empty list of 2, 3, 4, 5')
    if "bias" in se and not isinstance(se["bias"], bool):
        raise ValueError('SE "bias" must be true or false')
    batch, resolution = positive_int(req, "batch"), positive_int(req, "resolution")
    limits = {k: req[k] for k in ("minTimeMs", "minSamples", "budgetS") if req.get(k) is not None}
    for k, v in limits.items():
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0):
            raise ValueError(f'"{k}" must be a positive number, got {json.dumps(v)}')
    if req.get("warmup") is not None:
        w = req["warmup"]
        if not (isinstance(w, int) and not isinstance(w, bool) and w >= 0):
            raise ValueError(f'"warmup" must be a whole number of calls, 0 or more, got {json.dumps(w)}')
        limits["warmup"] = w
    if req.get("device") is not None:
        if req["device"] not in ("cpu", "cuda"):
            raise ValueError(f'"device" must be "cpu" or "cuda", got {json.dumps(req["device"])}')
        limits["device"] = req["device"]
    if req.get("dryRun") is not None:
        if not isinstance(req["dryRun"], bool):
            raise ValueError(f'"dryRun" must be true or false, got {json.dumps(req["dryRun"])}')
        limits["dryRun"] = req["dryRun"]
    spec = network(name, **se) if NET_PRESETS[name].get("se") else network(name)
    return spec, batch, resolution, limits


def measure_network(spec, batch, resolution, limits, devices, min_time):
    """One eager row per device: cold run, warm-up, samples; unavailable with the reason on any failure."""
    ratio = spec["se"]["ratio"] if "se" in spec else None
    shape = [batch, spec["inChannels"], resolution, resolution]
    head = dict(variant="eager", model=spec["name"], shape=shape, ratio=ratio)
    min_time = limits.get("minTimeMs", min_time * 1e3) / 1e3
    min_samples = int(limits.get("minSamples", 10))
    rows = []
    for dev in [limits["device"]] if "device" in limits else devices:
        if dev == "cuda" and not torch.cuda.is_available():
            rows.append(dict(head, device="cuda", available=False, reason=NO_CUDA))
            continue
        try:
            rows.append(dict(head, device=dev, **time_network(spec, shape, dev, min_time, min_samples, limits.get("budgetS"), limits.get("warmup", NET_WARMUP), limits.get("dryRun", False))))
        except SystemExit as e:  # golden.py exits when torchvision or numpy is missing
            rows.append(dict(head, device=dev, available=False, reason=str(e)))
        except Exception as e:  # out of memory, a resolution too small for the network...: this row only
            rows.append(dict(head, device=dev, available=False, reason=f"{type(e).__name__}: {e}"))
    return rows


# Built networks, their input and cold time, by (spec, shape, device): a bench asks for the same networks round after
# round, alternating them so drift falls on all alike; each is built and run cold once. The oldest goes past NET_CACHE.
NET_CACHE = 8
_nets = {}


def built_network(spec, shape, dev, sync):
    """(model, input, cold seconds) for this network, built, filled with the bench's weights and run once on first use."""
    key = json.dumps([spec, shape, dev], sort_keys=True)
    if key not in _nets:
        import golden  # torchvision and numpy: imported on the first network request, SE anchors do without
        import sebench_prng as prng

        torch.manual_seed(0)
        model = golden.build_network(spec).eval()
        golden.fill_from_prng(model, BENCH_SEED)
        model.to(dev)
        n = shape[0] * shape[1] * shape[2] * shape[3]
        x = torch.from_numpy(prng.uniform(n, BENCH_SEED, "input", -1.0, 1.0).reshape(shape)).to(dev)
        with torch.no_grad():
            t0 = time.perf_counter()
            model(x)
            sync()
            cold_s = time.perf_counter() - t0
        while len(_nets) >= NET_CACHE:
            _nets.pop(next(iter(_nets)))
        _nets[key] = (model, x, cold_s)
    return _nets[key]


def time_network(spec, shape, dev, min_time, min_samples, budget_s, warmup=NET_WARMUP, dry_run=False):
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    model, x, cold_s = built_network(spec, shape, dev, sync)
    projected = max(min_time, cold_s * min_samples) + cold_s * warmup
    if budget_s is not None and projected > budget_s:
        return dict(available=False, coldMs=cold_s * 1e3,
                    reason=f"its first run took {cold_s:.1f} s: about {projected:.0f} s for this measurement, over the {budget_s:g} s budget")
    if dry_run:
        return dict(available=True, coldMs=cold_s * 1e3, samplesMs=[])
    with torch.no_grad():
        samples = time_fn(lambda: model(x), sync, min_time, min_samples, warmup)
    return dict(available=True, coldMs=cold_s * 1e3, samplesMs=samples)


def parse_pairs_request(req):
    """(specs with shapes, device, first, cycles, warmup) of a checked pairs request; ValueError says what is wrong."""
    nets = req["pairs"]
    if not (isinstance(nets, list) and nets and all(isinstance(n, dict) and "network" in n for n in nets)):
        raise ValueError('"pairs" must be a non-empty list of network requests')
    parsed = []
    for n in nets:
        spec, batch, resolution, _ = parse_network_request(n)
        parsed.append((spec, [batch, spec["inChannels"], resolution, resolution]))
    dev = req.get("device", "cpu")
    if dev not in ("cpu", "cuda"):
        raise ValueError(f'"device" must be "cpu" or "cuda", got {json.dumps(dev)}')
    first = req.get("first", 0)
    if not (isinstance(first, int) and not isinstance(first, bool) and first >= 0):
        raise ValueError(f'"first" must be a whole number, got {json.dumps(first)}')
    warmup = req.get("warmup", 0)
    if not (isinstance(warmup, int) and not isinstance(warmup, bool) and warmup >= 0):
        raise ValueError(f'"warmup" must be a whole number of calls, got {json.dumps(warmup)}')
    return parsed, dev, first, positive_int(req, "cycles"), warmup


def time_pairs(nets, dev, first, cycles, warmup):
    """One row per network: wall and CPU ms per cycle, or why it failed (it leaves the cycles; the others go on)."""
    if dev == "cuda" and not torch.cuda.is_available():
        return [dict(device=dev, available=False, reason=NO_CUDA) for _ in nets]
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    rows = [dict(device=dev, available=True, samplesMs=[], cpuMs=[]) for _ in nets]
    built = []
    for i, (spec, shape) in enumerate(nets):
        try:
            built.append(built_network(spec, shape, dev, sync)[:2])
        except Exception as e:  # out of memory...: this network only
            built.append(None)
            rows[i] = dict(device=dev, available=False, reason=f"{type(e).__name__}: {e}")

    def call(i, timed):
        model, x = built[i]
        c0, t0 = time.process_time(), time.perf_counter()
        model(x)
        sync()
        if timed:
            rows[i]["samplesMs"].append((time.perf_counter() - t0) * 1e3)
            rows[i]["cpuMs"].append((time.process_time() - c0) * 1e3)

    order = list(range(len(nets)))
    with torch.no_grad():
        for c in range(-1 if warmup else 0, cycles):
            for i in (order if (first + max(c, 0)) % 2 == 0 else order[::-1]):
                if not rows[i]["available"]:
                    continue
                try:
                    for _ in range(warmup if c < 0 else 1):
                        call(i, c >= 0)
                except Exception as e:
                    rows[i] = dict(device=dev, available=False, reason=f"{type(e).__name__}: {e}")
    return rows


def profile_network(spec, shape, dev, calls):
    """Self CPU time per aten operator of one call (the mean of `calls`, after one untimed), from torch.profiler; "se"
    part: inside an SE block's forward (marked with record_function), the rest "trunk"."""
    import golden
    from torch.profiler import ProfilerActivity, profile, record_function

    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    model, x, _ = built_network(spec, shape, dev, sync)
    # Our SE module (ResNet family) and torchvision's own (MobileNetV3, EfficientNet, RegNetY): one of them runs.
    patched = [(golden.SE, golden.SE.forward), (golden.torchvision.ops.SqueezeExcitation, golden.torchvision.ops.SqueezeExcitation.forward)]

    def marking(forward):
        def marked(self, t):
            with record_function("se-block"):
                return forward(self, t)
        return marked

    for cls, forward in patched:
        cls.forward = marking(forward)
    try:
        with torch.no_grad():
            model(x)
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                for _ in range(calls):
                    model(x)
                    sync()
    finally:
        for cls, forward in patched:
            cls.forward = forward
    by = {}
    for e in prof.events():
        if e.name == "se-block" or not e.name.startswith("aten::"):
            continue
        p, part = e.cpu_parent, "trunk"
        while p is not None:
            if p.name == "se-block":
                part = "se"
                break
            p = p.cpu_parent
        k = (part, e.name)
        t, n = by.get(k, (0.0, 0))
        by[k] = (t + e.self_cpu_time_total, n + 1)
    ops = [dict(op=op, part=part, ms=t / 1e3 / calls, nodes=n // calls) for (part, op), (t, n) in by.items()]
    return dict(available=True, profiler="torch.profiler (self CPU time per aten operator)", calls=calls, ops=ops)


def answer(line, devices, min_time):
    """The reply to one request line (never raises)."""
    try:
        req = json.loads(line)
    except json.JSONDecodeError as e:
        return dict(error=f"bad request {line.strip()[:200]!r}: not JSON ({e})")
    try:
        if isinstance(req, dict) and "profile" in req:
            spec, batch, resolution, _ = parse_network_request(req["profile"])
            dev = req.get("device", "cpu")
            if dev not in ("cpu", "cuda"):
                raise ValueError(f'"device" must be "cpu" or "cuda", got {json.dumps(dev)}')
            try:
                return dict(rows=[profile_network(spec, [batch, spec["inChannels"], resolution, resolution], dev, positive_int(req, "calls"))])
            except Exception as e:  # the profiler's own failure: this profile only
                return dict(rows=[dict(available=False, reason=f"{type(e).__name__}: {e}")])
        if isinstance(req, dict) and "pairs" in req:
            return dict(rows=time_pairs(*parse_pairs_request(req)))
        if isinstance(req, dict) and "network" in req:
            spec, batch, resolution, limits = parse_network_request(req)
            return dict(rows=measure_network(spec, batch, resolution, limits, devices, min_time))
        shape, ratio = parse_request(req)
    except ValueError as e:
        return dict(error=f"bad request {line.strip()[:200]!r}: {e}")
    return dict(rows=measure(shape, ratio, devices, min_time, hasattr(torch, "compile")))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    ap.add_argument("--device", choices=["cpu", "cuda", "all"], default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    no_cuda = None if torch.cuda.is_available() else NO_CUDA
    if no_cuda and args.device == "all":
        devices = ["cpu"]  # said once here, not in every reply
    print(json.dumps(dict(available=True, torch=torch.__version__, threads=torch.get_num_threads(),
                          cuda=None if no_cuda else torch.cuda.get_device_name(0), noCuda=no_cuda)), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(answer(line, devices, args.min_time)), flush=True)


if __name__ == "__main__":
    main()
