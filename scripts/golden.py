#!/usr/bin/python3
"""Golden tensor generator: builds each case of golden_cases.py with PyTorch and
writes golden/<id>.safetensors plus golden/manifest.json.

Deterministic: weights and inputs come from the shared PRNG (sebench_prng.py),
PyTorch runs single-threaded, files and JSON are written in a fixed order, so
running it twice gives byte-identical output. Usage:

    /usr/bin/python3 scripts/golden.py [--out DIR] [--cases-json FILE] [--selftest]

--cases-json builds only the SE cases in FILE instead of the table: a kernel
author's own, written by `se-bench golden --cases=... --out=DIR` after it has
validated them and filled their defaults (harness/data/user-cases.ts).
"""
import argparse
import hashlib
import json
import math
import os
import platform
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sebench_prng as prng  # noqa: E402
from golden_cases import CASES, SE_DEFAULTS, se_case  # noqa: E402

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torchvision
except ImportError as e:  # pragma: no cover
    sys.exit(f"golden.py needs PyTorch: {e}. Install with `apt-get install -y python3-torch python3-torchvision` "
             "and run with /usr/bin/python3 (npm run golden does).")

# PRNG-drawn tensors (inputs, weights) with more elements than this are not
# stored: readers regenerate them and check them against the stored sha256.
STORE_DRAWN_MAX_ELEMENTS = 65536
BN_EPS = 1e-5


# ---------------------------------------------------------------- modules

def hidden_width(spec):
    if spec.get("hidden") is not None:  # explicit width (torchvision's MobileNetV3 / EfficientNet / RegNetY rules); ratio is a label
        return spec["hidden"]
    c, r = spec["channels"], spec["ratio"]
    if spec["reduction"] == "floor":
        return c // r
    v = c / r  # timm make_divisible(v, 8, round_limit=0.9)
    n = max(8, int(v + 4) // 8 * 8)
    return n + 8 if n < 0.9 * v else n


HIDDEN_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "silu": nn.SiLU}
GATES = {"sigmoid": nn.Sigmoid, "hardsigmoid": nn.Hardsigmoid}  # nn.Hardsigmoid: min(max(x + 3, 0), 6) / 6


class SE(nn.Module):
    """Any SeSpec variant, from stock torch modules. forward returns (y, gate)."""

    def __init__(self, spec):
        super().__init__()
        c, h = spec["channels"], hidden_width(spec)
        self.squeeze = {"avg": nn.AdaptiveAvgPool2d(1), "max": nn.AdaptiveMaxPool2d(1), "none": nn.Identity()}[spec["squeeze"]]
        self.conv = spec["weightLayout"] == "conv1x1"
        layer = (lambda i, o, b: nn.Conv2d(i, o, 1, bias=b)) if self.conv else (lambda i, o, b: nn.Linear(i, o, bias=b))
        self.fc1 = layer(c, h, spec["bias1"])
        self.act = HIDDEN_ACTIVATIONS[spec["hiddenActivation"]]()
        self.fc2 = layer(h, c, spec["bias2"])
        self.gate = GATES[spec["gate"]]()

    def forward(self, x):
        s = self.squeeze(x)  # N,C,1,1 (or N,C,H,W for NoSqueeze)
        if self.conv:
            g = self.gate(self.fc2(self.act(self.fc1(s))))
        else:  # Linear acts on the last dim: move channels there and back
            g = self.gate(self.fc2(self.act(self.fc1(s.permute(0, 2, 3, 1))))).permute(0, 3, 1, 2)
        return x * g, g


class Bottleneck(nn.Module):
    """torchvision-named bottleneck with SE at spec["position"]."""

    def __init__(self, spec):
        super().__init__()
        i, m, o, s, g = (spec[k] for k in ("inChannels", "midChannels", "outChannels", "stride", "groups"))
        s1, s3 = (s, 1) if spec["strideOn"] == "1x1" else (1, s)
        self.position = spec["position"]
        self.conv1, self.bn1 = nn.Conv2d(i, m, 1, stride=s1, bias=False), nn.BatchNorm2d(m)
        self.conv2, self.bn2 = nn.Conv2d(m, m, 3, stride=s3, padding=1, groups=g, bias=False), nn.BatchNorm2d(m)
        self.conv3, self.bn3 = nn.Conv2d(m, o, 1, bias=False), nn.BatchNorm2d(o)
        self.relu = nn.ReLU()
        self.downsample = (nn.Sequential(nn.Conv2d(i, o, 1, stride=s, bias=False), nn.BatchNorm2d(o))
                           if s != 1 or i != o else None)
        self.se = SE(spec["se"]) if "se" in spec else None
        self.gate = None

    def _se(self, t):
        t, self.gate = self.se(t)
        return t

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        t = self._se(x) if self.position == "pre" else x
        t = self.relu(self.bn1(self.conv1(t)))
        t = self.relu(self.bn2(self.conv2(t)))
        if self.position == "3x3":
            t = self._se(t)
        t = self.bn3(self.conv3(t))
        if self.position == "standard":
            t = self._se(t)
        if self.position == "identity":
            shortcut = self._se(shortcut)
        t = self.relu(t + shortcut)
        if self.position == "post":
            t = self._se(t)
        return t


# ---------------------------------------------------------------- weights from the PRNG

def draw_for(name, shape):
    """(lo, hi) of the uniform draw for a parameter or buffer, by its role."""
    leaf = name.rsplit(".", 1)[-1]
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 0
    if leaf == "running_var" or (leaf == "weight" and len(shape) == 1):  # BN variance and scale
        return 0.5, 1.5
    if leaf in ("running_mean",) or (leaf == "bias" and name.split(".")[-2].startswith(("bn", "1"))):
        return -0.5, 0.5
    if leaf == "bias":  # FC bias
        return -1.0, 1.0
    bound = math.sqrt(3.0 / fan_in) if fan_in > 0 else 1.0
    return -bound, bound


def canonical_state(module):
    """Parameters and BN buffers with canonical names (num_batches_tracked dropped)."""
    return {k: v for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}


def fill_from_prng(module, seed):
    draws, new_state = {}, {}
    for name, value in canonical_state(module).items():
        lo, hi = draw_for(name, tuple(value.shape))
        arr = prng.uniform(value.numel(), seed, name, lo, hi).reshape(tuple(value.shape))
        new_state[name] = torch.from_numpy(arr)
        draws[name] = dict(seed=seed, stream=name, lo=lo, hi=hi)
    module.load_state_dict(new_state, strict=False)
    return draws


# ---------------------------------------------------------------- safetensors

def safetensors_bytes(tensors):
    """Deterministic safetensors: sorted keys, header padded with spaces to 8 bytes."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text.encode()) % 8) % 8)
    return struct.pack("<Q", len(text.encode())) + text.encode() + b"".join(blobs)


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def f32_bytes(t):
    return np.ascontiguousarray(t.detach().numpy() if torch.is_tensor(t) else t, dtype="<f4").tobytes()


# ---------------------------------------------------------------- cases

def output_is_input_times_gate(x, y, gate):
    """True when PyTorch's SE output is bit for bit x * gate (gate [N, C] over each plane, or NoSqueeze's [N, C, H, W])."""
    g = gate.reshape(*gate.shape, 1, 1) if gate.dim() == 2 else gate
    return f32_bytes(x * g) == f32_bytes(y)


def build(case):
    torch.manual_seed(0)  # module init is overwritten, but keep construction deterministic
    model = SE(case["spec"]) if case["kind"] == "se" else Bottleneck(case["spec"])
    model.eval()
    draws = fill_from_prng(model, case["seed"])
    lo, hi = (-1.0, 3.0) if case["kind"] == "se" else (0.0, 2.0)
    n = int(np.prod(case["inputShape"]))
    x = torch.from_numpy(prng.uniform(n, case["seed"], "input", lo, hi).reshape(case["inputShape"]))
    with torch.no_grad():
        if case["kind"] == "se":
            se_spec, (y, gate) = case["spec"], model(x)
            cross_check_torchvision_se(case, model, x, y, gate)
            check_gate_expectations(case, model, gate)
        else:
            se_spec, y, gate = case["spec"].get("se"), model(x), model.gate
            cross_check_torchvision(case, model, x, y)
    if gate is not None and se_spec["squeeze"] != "none":
        gate = gate.reshape(gate.shape[0], gate.shape[1])  # [N, C, 1, 1] -> [N, C]
    params = sum(p.numel() for p in model.parameters())
    if case["expectParams"] is not None and params != case["expectParams"]:
        sys.exit(f"{case['id']}: {params} params, the seed says {case['expectParams']}")
    return model, x, y, gate, draws, dict(seed=case["seed"], stream="input", lo=lo, hi=hi), params


def cross_check_torchvision_se(case, model, x, y, gate):
    """An SE block in torchvision's own layout (1x1 convs, both biases, average squeeze) must match
    torchvision.ops.SqueezeExcitation with the same weights (its fc1 / fc2 names are ours)."""
    s = case["spec"]
    if not (s["weightLayout"] == "conv1x1" and s["bias1"] and s["bias2"] and s["squeeze"] == "avg"):
        return
    tv = torchvision.ops.SqueezeExcitation(s["channels"], hidden_width(s), activation=HIDDEN_ACTIVATIONS[s["hiddenActivation"]],
                                           scale_activation=GATES[s["gate"]])
    tv.load_state_dict(model.state_dict())
    tv.eval()
    with torch.no_grad():
        for what, ours, theirs in (("output", y, tv(x)), ("gate", gate, tv._scale(x))):
            if not torch.equal(ours, theirs):
                diff = (ours - theirs).abs().max().item()
                if not diff < 1e-6:
                    sys.exit(f"{case['id']}: {what} differs from torchvision.ops.SqueezeExcitation's by up to {diff}")
                print(f"{case['id']}: {what} within {diff:.3g} of torchvision.ops.SqueezeExcitation's (not bit-equal)", file=sys.stderr)


def check_gate_expectations(case, model, gate):
    """What a case's source claims about its gate, checked on the tensors themselves."""
    want = case.get("expectGate")
    if want is None:
        return
    if want == "saturates":  # a hard sigmoid reaching both ends: some exactly 0, some exactly 1, some strictly between
        n0, n1 = int((gate == 0).sum()), int((gate == 1).sum())
        mid = int(((gate > 0) & (gate < 1)).sum())
        if not (n0 and n1 and mid):
            sys.exit(f"{case['id']}: gate has {n0} zeros, {n1} ones and {mid} values between; the case needs all three")
        print(f"{case['id']}: gate {n0} x 0, {n1} x 1, {mid} between", file=sys.stderr)
    elif want == "constant-bias":  # hidden width 0: the gate is gate(fc2.bias) for every image
        b = model.gate(model.fc2.bias.detach())
        if not all(torch.equal(g.reshape(-1), b) for g in gate):
            sys.exit(f"{case['id']}: a hidden-0 gate should be gate(fc2.bias) for every image")
    else:
        sys.exit(f"{case['id']}: unknown expectGate {want!r}")


def cross_check_torchvision(case, model, x, y):
    """A plain bottleneck must match torchvision's own Bottleneck with the same weights."""
    if case["spec"]["position"] != "none" or case["spec"]["strideOn"] != "3x3":
        return
    s = case["spec"]
    ds = model.downsample
    planes = s["outChannels"] // 4  # torchvision: width = planes * base_width / 64 * groups
    tv = torchvision.models.resnet.Bottleneck(s["inChannels"], planes, stride=s["stride"], downsample=ds,
                                              groups=s["groups"], base_width=s["midChannels"] * 64 // (planes * s["groups"]))
    tv.load_state_dict(model.state_dict())
    tv.eval()
    with torch.no_grad():
        if not torch.equal(tv(x), y):
            sys.exit(f"{case['id']}: differs from torchvision's Bottleneck")


def net_block_spec(net, inplanes, planes, stride, groups, base_width):
    """The bottleneck spec harness/model/network.ts networkBlocks() gives for this torchvision block."""
    stage = {64: 2, 128: 3, 256: 4, 512: 5}[planes]
    width = int(planes * (base_width / 64.0)) * groups
    spec = dict(inChannels=inplanes, midChannels=width, outChannels=planes * 4, stride=stride, groups=groups,
                strideOn=net["strideOn"], position="none")
    se = net.get("se")
    if se and stage in se["stages"]:
        spec["position"] = se["position"]
        channels = {"pre": inplanes, "3x3": width}.get(se["position"], planes * 4)
        spec["se"] = dict(channels=channels, ratio=se["ratio"], reduction=se["reduction"], squeeze=se["squeeze"],
                          weightLayout=se["weightLayout"], bias1=se["bias"], bias2=se["bias"],
                          hiddenActivation=se["hiddenActivation"], gate="sigmoid")
    return spec


def build_torchvision_network(net):
    """torchvision.models.<name>() with default arguments (1000 classes); the `-no-se` twin has every
    torchvision.ops.SqueezeExcitation replaced by nn.Identity(). Exits if the parameter count is not torchvision 0.14's."""
    model = getattr(torchvision.models, net["torchvision"])()
    if net["removeSe"]:
        for name, m in list(model.named_modules()):
            if isinstance(m, torchvision.ops.SqueezeExcitation):
                parent, _, leaf = name.rpartition(".")
                setattr(model.get_submodule(parent), leaf, nn.Identity())
        left = [n for n, m in model.named_modules() if isinstance(m, torchvision.ops.SqueezeExcitation)]
        if left:
            sys.exit(f"{net['name']}: SqueezeExcitation modules left after removal: {left}")
    params = sum(p.numel() for p in model.parameters())
    if params != net["params"]:
        sys.exit(f"{net['name']}: {params} params, torchvision 0.14's {net['torchvision']}"
                 f"{' without SE' if net['removeSe'] else ''} has {net['params']}")
    return model


def build_network(net):
    """torchvision's own ResNet class; plain v1.5 models are torchvision's resnet50 / resnext50_32x4d themselves;
    torchvision's SE networks (and their twins) are torchvision's own models."""
    if "torchvision" in net:
        return build_torchvision_network(net)
    if "se" not in net and net["strideOn"] == "3x3":
        return {"resnet50": torchvision.models.resnet50, "resnext50_32x4d": torchvision.models.resnext50_32x4d}[net["name"]]()

    class NetBottleneck(Bottleneck):
        expansion = 4

        def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1, norm_layer=None):
            super().__init__(net_block_spec(net, inplanes, planes, stride, groups, base_width))  # builds its own downsample

    return torchvision.models.resnet.ResNet(NetBottleneck, net["blocks"], num_classes=net["numClasses"],
                                            groups=net["groups"], width_per_group=net["widthPerGroup"])


def count_macs(model, x):
    """Conv and Linear multiply-adds per image (torchvision / the paper's convention), by forward hooks."""
    total = [0]

    def hook(m, inp, out):
        per_out = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1] if isinstance(m, nn.Conv2d) else m.in_features
        total[0] += per_out * out.numel() // x.shape[0]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0]


def torchvision_stages(model):
    """(key, module) of each recorded stage of a torchvision SE network: model.features' top-level children
    (MobileNetV3, EfficientNet), or RegNet's stem and trunk_output.block1..4."""
    if hasattr(model, "features"):
        return [(f"features.{name}", m) for name, m in model.features.named_children()]
    return [("stem", model.stem)] + [(f"trunk_output.{name}", m) for name, m in model.trunk_output.named_children()]


def run_torchvision_network(model, x):
    """Logits, stage outputs and every SqueezeExcitation's gate (its scale_activation output, [N, C]) by SE module name."""
    stages, gates, handles = {}, {}, []
    for key, m in torchvision_stages(model):
        handles.append(m.register_forward_hook(lambda m, inp, out, key=key: stages.__setitem__(key, out.clone())))
    for name, m in model.named_modules():
        if isinstance(m, torchvision.ops.SqueezeExcitation):
            handles.append(m.scale_activation.register_forward_hook(
                lambda m, inp, out, name=name: gates.__setitem__(name, out.reshape(out.shape[0], out.shape[1]).clone())))
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    return logits, stages, gates


def run_network(model, x):
    """Logits, each stage's output (layer1..layer4) and every SE gate by block name."""
    if not isinstance(model, torchvision.models.resnet.ResNet):
        return run_torchvision_network(model, x)
    stages = {}
    handles = [getattr(model, f"layer{i}").register_forward_hook(
        lambda m, inp, out, name=f"layer{i}": stages.__setitem__(name, out)) for i in range(1, 5)]
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    gates = {}
    for name, m in model.named_modules():
        if isinstance(m, Bottleneck) and m.gate is not None:
            g = m.gate
            gates[name] = g.reshape(g.shape[0], g.shape[1]) if m.se.squeeze.__class__ is not nn.Identity else g
    return logits, stages, gates


def build_network_case(case):
    torch.manual_seed(0)
    net = case["spec"]
    model = build_network(net)
    model.eval()
    draws = fill_from_prng(model, case["seed"])
    n = int(np.prod(case["inputShape"]))
    x = torch.from_numpy(prng.uniform(n, case["seed"], "input", -1.0, 1.0).reshape(case["inputShape"]))
    logits, stages, gates = run_network(model, x)
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model, x)
    macs224 = count_macs(model, torch.zeros(1, net["inChannels"], 224, 224))
    costs = dict(macs=macs, cost224=dict(params=params, macs=macs224))
    return model, x, logits, stages, gates, draws, dict(seed=case["seed"], stream="input", lo=-1.0, hi=1.0), params, costs


def user_cases(path):
    """SE cases from `se-bench golden --cases`, through se_case like the table's own, so they take the same
    code paths (torchvision cross-check, parameter count, the input*gate derived output)."""
    with open(path) as f:
        cases = json.load(f)
    return [se_case(c["id"], c["source"], dict(SE_DEFAULTS, **c["spec"]), c["inputShape"], c["seed"], c.get("expectParams"))
            for c in cases]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
    ap.add_argument("--cases-json", help="build these SE cases (validated by se-bench golden --cases) instead of golden_cases.py's")
    ap.add_argument("--selftest", action="store_true", help="print the PRNG known vectors and exit")
    args = ap.parse_args()
    if args.selftest:
        print(json.dumps({"bits": [int(v) for v in prng.bits(1, "input", 4)],
                          "uniform": [float(v) for v in prng.uniform(4, 1, "input", -1.0, 3.0)]}))
        return
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    stored = {}  # (sha256 of tensor bytes, shape) -> {file, key}: identical tensors are stored once
    manifest_cases, files = [], {}
    for case in (user_cases(args.cases_json) if args.cases_json else CASES):
        network = case["kind"] == "network"
        if network:
            model, x, y, stages, gates, draws, input_draw, params, costs = build_network_case(case)
            gate = None
        else:
            model, x, y, gate, draws, input_draw, params = build(case)
        fname = f"{case['id']}.safetensors"
        to_write, refs = {}, {}

        def ref(role, t, draw=None, store=True):
            b = f32_bytes(t)
            digest = sha256(b)
            r = {"shape": list(t.shape), "sha256": digest}
            if draw is not None:
                r["prng"] = draw
            if store:
                identity = (digest, tuple(t.shape))
                if identity not in stored:
                    stored[identity] = {"file": fname, "key": role}
                    to_write[role] = t.detach().numpy() if torch.is_tensor(t) else t
                r.update(stored[identity])
            return r

        refs["input"] = ref("input", x, input_draw, store=x.numel() <= STORE_DRAWN_MAX_ELEMENTS)
        if case["kind"] == "se" and output_is_input_times_gate(x, y, gate):
            # Not stored: the reader rebuilds x * gate and checks it against PyTorch's digest (harness/data/golden.ts).
            refs["output"] = {"shape": list(y.shape), "sha256": sha256(f32_bytes(y)), "derived": "input*gate"}
        else:
            refs["output"] = ref("output", y)
        if gate is not None:
            refs["gate"] = ref("gate", gate)
        # Network weights are never stored (tens of MB each): readers regenerate and check them by digest.
        weights = {k: ref(f"w.{k}", v, draws[k], store=not network and v.numel() <= STORE_DRAWN_MAX_ELEMENTS)
                   for k, v in canonical_state(model).items()}
        extra = {}
        if network:
            extra = dict(stages={k: ref(f"stage.{k}", v) for k, v in stages.items()},
                         gates={k: ref(f"gate.{k}", v) for k, v in gates.items()}, **costs)
        if to_write:
            data = safetensors_bytes(to_write)
            with open(os.path.join(out, fname), "wb") as f:
                f.write(data)
            files[fname] = sha256(data)
        manifest_cases.append(dict(id=case["id"], kind=case["kind"], source=case["source"], tolerance=case["tolerance"],
                                   spec=case.get("manifestSpec", case["spec"]), params=params, tensors=refs, weights=weights, **extra))
        print(f"{case['id']}: {list(x.shape)} -> {list(y.shape)}, {params} params", file=sys.stderr)
    manifest = dict(schema=1,
                    generator=dict(script="scripts/golden.py", torch=torch.__version__,
                                   torchvision=torchvision.__version__, numpy=np.__version__,
                                   python=platform.python_version(), prng=prng.PRNG_ID),
                    files=dict(sorted(files.items())), cases=manifest_cases)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for stale in sorted(set(n for n in os.listdir(out) if n.endswith(".safetensors")) - set(files)):
        os.remove(os.path.join(out, stale))
        print(f"removed stale {stale}", file=sys.stderr)
    total = sum(os.path.getsize(os.path.join(out, n)) for n in files)
    print(f"wrote {len(manifest_cases)} cases, {len(files)} files, {total / 1e6:.1f} MB to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
