"""The golden case table: data, not code paths. Each case has a stable id usable
as a CLI filter (`--case=stage*`). Consumed by scripts/golden.py."""

SE_DEFAULTS = dict(reduction="floor", squeeze="avg", weightLayout="linear", bias1=True, bias2=True,
                   hiddenActivation="relu", gate="sigmoid")


def se(channels, ratio, **kw):
    spec = dict(SE_DEFAULTS, channels=channels, ratio=ratio)
    spec.update(kw)
    return spec


def se_hidden(channels, hidden, **kw):
    """A spec with an explicit hidden width; ratio is C / hidden as harness/model/spec.ts normalises it (0 for
    hidden 0), written as JavaScript writes that number (72 / 24 -> 3, 120 / 32 -> 3.75)."""
    ratio = 0 if hidden == 0 else (channels // hidden if channels % hidden == 0 else channels / hidden)
    return se(channels, ratio, hidden=hidden, **kw)


def tv_se(channels, hidden, **kw):
    """torchvision.ops.SqueezeExcitation's layout: 1x1 convs, both biases, average squeeze."""
    return se_hidden(channels, hidden, weightLayout="conv1x1", **kw)


def se_case(case_id, source, spec, shape, seed, expect_params=None, expect_gate=None):
    case = dict(id=case_id, kind="se", source=source, spec=spec, inputShape=list(shape), seed=seed,
                expectParams=expect_params, tolerance="se-block")
    if expect_gate is not None:  # checked by golden.py on the generated gate: "saturates" or "constant-bias"
        case["expectGate"] = expect_gate
    return case


def bottleneck(case_id, source, position, shape, seed, in_c=256, mid=64, out_c=256, stride=1, groups=1,
               stride_on="3x3", **se_kw):
    spec = dict(inChannels=in_c, midChannels=mid, outChannels=out_c, stride=stride, groups=groups,
                strideOn=stride_on, position=position)
    if position != "none":
        se_c = {"pre": in_c, "3x3": mid}.get(position, out_c)
        spec["se"] = se(se_c, 16, **se_kw)
    return dict(id=case_id, kind="bottleneck", source=source, spec=spec, inputShape=list(shape), seed=seed,
                expectParams=None, tolerance="bottleneck")


STAGES = [("stage2", 256, 56), ("stage3", 512, 28), ("stage4", 1024, 14), ("stage5", 2048, 7)]

CASES = [
    # Every example in the seeds.
    se_case("seed-se_block-64-r16", "seeds 000/004: se_block(64, 16) on 1x64x32x32",
            se(64, 16, bias1=False), (1, 64, 32, 32), 1, 576),
    se_case("seed-se_block-3-r16-hidden0", "seed 000: se_block(3, 16) on 1x3x224x224, hidden width 3 // 16 = 0",
            se(3, 16, bias1=False), (1, 3, 224, 224), 2, 3),
    se_case("seed-maxpool-64-r3", "seed 001: SEModule(r=3), MaxPool2d(128) squeeze, 64 channels at 128x128",
            se(64, 3, squeeze="max"), (1, 64, 128, 128), 3, 2773),
    se_case("seed-conv1x1-nobias-128-r16", "seed 002: SEBlock with bias-free 1x1-conv excitation",
            se(128, 16, weightLayout="conv1x1", bias1=False, bias2=False), (2, 128, 16, 16), 4, 2048),
    se_case("seed-resnext-512-r16-nobias", "seed 003: SEModule(512, r=16) without biases on 1x512x28x28",
            se(512, 16, bias1=False, bias2=False), (1, 512, 28, 28), 5, 32768),
]

# The four ResNet-50 stage shapes at batch 2, r=16, both rules. At these widths
# C/16 is already a multiple of 8, so both rules give the same hidden width and
# (same seed) the same tensors; the generator stores them once.
for name, c, hw in STAGES:
    for rule in ("floor", "divisor8"):
        CASES.append(se_case(f"{name}-{c}x{hw}x{hw}-b2-r16-{rule}", f"ResNet-50 {name} output shape, batch 2",
                             se(c, 16, reduction=rule), (2, c, hw, hw), 100 + c))

CASES += [
    # Awkward shapes.
    se_case("awkward-c100-r16-floor", "C not divisible by r: 100 // 16 = 6", se(100, 16), (2, 100, 9, 9), 201),
    se_case("awkward-c100-r16-divisor8", "C not divisible by r: make_divisible(6.25, 8) = 8",
            se(100, 16, reduction="divisor8"), (2, 100, 9, 9), 201),
    se_case("awkward-spatial1x1-c64-r4", "1x1 spatial (squeeze is the identity)", se(64, 4), (3, 64, 1, 1), 202),
    se_case("awkward-nonsquare-c48-r4", "non-square 7x13 plane", se(48, 4), (2, 48, 7, 13), 203),
    se_case("awkward-batch1-c32-r4", "batch 1", se(32, 4), (1, 32, 6, 6), 204),
    se_case("awkward-batch5-c32-r4", "batch 5", se(32, 4), (5, 32, 6, 6), 204),
    se_case("awkward-c8-r16-divisor8", "divisor8 raises hidden width above C: make_divisible(0.5, 8) = 8",
            se(8, 16, reduction="divisor8"), (2, 8, 5, 5), 205),
    # Paper ablations.
    se_case("ablation-squeeze-max", "paper table 11: max pooling squeeze", se(64, 4, squeeze="max"), (2, 64, 10, 10), 301),
    se_case("ablation-nosqueeze", "paper table 16: NoSqueeze, 1x1 convs at every position",
            se(64, 4, squeeze="none", weightLayout="conv1x1"), (2, 64, 10, 10), 302),
    se_case("ablation-nosqueeze-linear", "NoSqueeze with Linear-layout weights", se(64, 4, squeeze="none"), (2, 64, 6, 5), 303),
    se_case("ablation-hidden-tanh", "tanh between the FCs", se(64, 4, hiddenActivation="tanh"), (2, 64, 10, 10), 304),
    se_case("ablation-hidden-sigmoid", "sigmoid between the FCs", se(64, 4, hiddenActivation="sigmoid"), (2, 64, 10, 10), 305),
    se_case("ablation-hidden-relu-bias2-only", "ReLU hidden, bias only on the second FC", se(64, 4, bias1=False), (2, 64, 10, 10), 306),
    se_case("ablation-nobias", "no FC biases", se(64, 4, bias1=False, bias2=False), (2, 64, 10, 10), 307),
    # Bottleneck blocks, one per integration position (torchvision v1.5: stride on the 3x3).
    bottleneck("bottleneck-standard", "SE on the residual branch before the sum", "standard", (2, 256, 14, 14), 401),
    bottleneck("bottleneck-pre", "SE-PRE: SE before the residual branch", "pre", (2, 256, 14, 14), 402),
    bottleneck("bottleneck-post", "SE-POST: SE after the sum and ReLU", "post", (2, 256, 14, 14), 403),
    bottleneck("bottleneck-identity", "SE-Identity: SE on the shortcut", "identity", (2, 256, 14, 14), 404),
    bottleneck("bottleneck-3x3", "SE_3x3: SE after the 3x3 conv, on the bottleneck width", "3x3", (2, 256, 14, 14), 405),
    bottleneck("bottleneck-standard-proj-stride2", "standard SE in a downsampling block with projection shortcut",
               "standard", (2, 128, 16, 16), 406, in_c=128, mid=64, out_c=256, stride=2),
    bottleneck("bottleneck-v1-stride1x1-identity", "ResNet v1 (stride on the first 1x1), SE-Identity with projection",
               "identity", (2, 128, 16, 16), 407, in_c=128, mid=64, out_c=256, stride=2, stride_on="1x1"),
    bottleneck("bottleneck-resnext-g32-standard", "ResNeXt 32x4d-style grouped 3x3, SE without biases (seed 003)",
               "standard", (1, 256, 8, 8), 408, mid=128, groups=32, bias1=False, bias2=False),
    bottleneck("bottleneck-none", "plain bottleneck, cross-checked against torchvision's Bottleneck",
               "none", (2, 256, 14, 14), 409),
]

# SE blocks of torchvision 0.14's deployed SE networks, at their 224x224 shapes (batch 1): explicit hidden widths
# from each family's own rule, hard-sigmoid gate (MobileNetV3), SiLU (EfficientNet). Every case in
# torchvision.ops.SqueezeExcitation's layout is cross-checked against it by golden.py. Kept small: these add
# about 1.3 MB to golden/ (a 1.5 MB budget), so MobileNetV3-Large's 960x7x7 block (0.38 MB more) is left to the bench.
CASES += [
    se_case("mbv3-se-72x28x28-hardsigmoid",
            "torchvision mobilenet_v3_large features.4.block.2: SqueezeExcitation(72, make_divisible(72 // 4, 8) = 24), "
            "ReLU, Hardsigmoid gate, after the stride-2 5x5 depthwise conv, 1x72x28x28",
            tv_se(72, 24, gate="hardsigmoid"), (1, 72, 28, 28), 601, 3552),
    se_case("effnet-se-144x28x28-silu",
            "torchvision efficientnet_b0 features.3.0.block.2: SqueezeExcitation(144, max(1, 24 // 4) = 6, activation=SiLU), "
            "sigmoid gate, after the stride-2 5x5 depthwise conv, 1x144x28x28",
            tv_se(144, 6, hiddenActivation="silu"), (1, 144, 28, 28), 602, 1878),
    se_case("regnety-se-208x14x14",
            "torchvision regnet_y_400mf trunk_output.block3.block3-0.f.se: SqueezeExcitation(208, round(0.25 * 104) = 26), "
            "ReLU, sigmoid gate, after the stride-2 grouped 3x3 conv, 1x208x14x14",
            tv_se(208, 26), (1, 208, 14, 14), 603, 11050),
    se_case("hardsigmoid-saturation-960x1x1-h240",
            "hard-sigmoid gate reaching both ends: MobileNetV3-Large's widest SE (features.14.block.2: 960 channels, "
            "hidden 240) on a 1x1 plane at batch 2, so the squeeze is the input itself, not an average near the draw's "
            "mean 1: pre-gate values pass -3 and +3, and the gate holds exact 0s (24), exact 1s (23) and values between "
            "(golden.py checks all three on the tensor; the 7x7 and 28x28 cases rarely pass +-3)",
            tv_se(960, 240, gate="hardsigmoid"), (2, 960, 1, 1), 604, 462000, expect_gate="saturates"),
    se_case("hardsigmoid-hidden0-c40",
            "hidden width 0 with a hard-sigmoid gate: the gate is the constant hardsigmoid(fc2.bias), the same for "
            "every image (golden.py checks it). Linear layout: PyTorch 1.13's Conv2d refuses 0 output channels, "
            "so torchvision.ops.SqueezeExcitation(40, 0) cannot run",
            se_hidden(40, 0, gate="hardsigmoid"), (2, 40, 7, 7), 605, 40, expect_gate="constant-bias"),
]


# Whole networks (issue 3): the same presets as harness/model/network.ts. Weights come
# from the PRNG and are never stored; logits, every stage output and every SE
# gate are. `cost224` is counted by PyTorch hooks at 224x224 to check
# harness/model/count.ts independently.
NET_SE_DEFAULTS = dict(ratio=16, reduction="floor", bias=True, squeeze="avg", hiddenActivation="relu",
                       weightLayout="conv1x1", position="standard", stages=[2, 3, 4, 5])
RESNET50 = dict(blocks=[3, 4, 6, 3], groups=1, widthPerGroup=64, inChannels=3, numClasses=1000)
RESNEXT50 = dict(RESNET50, groups=32, widthPerGroup=4)
NET_PRESETS = {
    "resnet50": dict(RESNET50, baseline="resnet50", strideOn="3x3"),
    "resnet50-v1": dict(RESNET50, baseline="resnet50-v1", strideOn="1x1"),
    "resnext50_32x4d": dict(RESNEXT50, baseline="resnext50_32x4d", strideOn="3x3"),
    "se-resnet50": dict(RESNET50, baseline="resnet50", strideOn="3x3", se=True),
    "se-resnet50-v1": dict(RESNET50, baseline="resnet50-v1", strideOn="1x1", se=True),
    "se-resnext50_32x4d": dict(RESNEXT50, baseline="resnext50_32x4d", strideOn="3x3", se=True),
}
# torchvision's own SE networks (harness/model/torchvision-nets.ts) and their SE-free twins `<name>-no-se`
# (every torchvision.ops.SqueezeExcitation replaced by nn.Identity): built by torchvision.models.<name>() with
# default arguments. Their SE blocks are fixed by torchvision, so they take no "se" options. `params` is
# torchvision 0.14's sum(p.numel()), checked when golden.py builds them.
TORCHVISION_NET_PARAMS = {
    "mobilenet_v3_large": (5_483_032, 3_970_752),
    "mobilenet_v3_small": (2_542_856, 2_081_216),
    "efficientnet_b0": (5_288_548, 4_652_008),
    "regnet_y_400mf": (4_344_144, 3_676_120),
}
for _tv, (_with, _without) in TORCHVISION_NET_PARAMS.items():
    NET_PRESETS[_tv] = dict(torchvision=_tv, removeSe=False, inChannels=3, numClasses=1000, baseline=f"{_tv}-no-se", params=_with)
    NET_PRESETS[f"{_tv}-no-se"] = dict(torchvision=_tv, removeSe=True, inChannels=3, numClasses=1000, baseline=f"{_tv}-no-se",
                                       params=_without)


def is_torchvision_net(name):
    return "torchvision" in NET_PRESETS.get(name, {})


def network(name, **se_kw):
    preset = dict(NET_PRESETS[name])
    if "torchvision" in preset and se_kw:
        raise ValueError(f"{name} is torchvision's own network with its SE blocks fixed, so SE options "
                         f"({', '.join(sorted(se_kw))}) would do nothing")
    spec = dict(name=name, **{k: v for k, v in preset.items() if k != "se"})
    if preset.get("se"):
        spec["se"] = dict(NET_SE_DEFAULTS, **se_kw)
    return spec


def net_case(case_id, source, spec, shape, seed):
    case = dict(id=case_id, kind="network", source=source, spec=spec, inputShape=list(shape), seed=seed,
                expectParams=None, tolerance="network")
    if "torchvision" in spec:  # the manifest names it; harness/data/golden.ts expands the name (torchvision-nets.ts)
        case["manifestSpec"] = dict(name=spec["name"])
    return case


CASES += [
    net_case("net-resnet50-64", "torchvision's own resnet50 (v1.5), 1x3x64x64", network("resnet50"), (1, 3, 64, 64), 501),
    net_case("net-se-resnet50-64", "SE-ResNet-50, r=16, FC biases (timm seresnet50 layout), 1x3x64x64",
             network("se-resnet50"), (1, 3, 64, 64), 502),
    net_case("net-se-resnet50-96-b2", "SE-ResNet-50 at batch 2, 2x3x96x96", network("se-resnet50"), (2, 3, 96, 96), 503),
    net_case("net-se-resnext50_32x4d-64-nobias", "seed 003's SE-ResNeXt-50 32x4d (no FC biases), 1x3x64x64",
             network("se-resnext50_32x4d", bias=False), (1, 3, 64, 64), 504),
    net_case("net-se-resnet50-v1-pre-s345-r8-div8-64", "ResNet v1 (stride on 1x1), SE-PRE in stages 3-5 only, r=8, divisor8, Linear weights",
             network("se-resnet50-v1", position="pre", stages=[3, 4, 5], ratio=8, reduction="divisor8", weightLayout="linear"),
             (1, 3, 64, 64), 505),
]

# torchvision's SE networks and their twins (same seed, so every weight the twin has is the SE model's, and the
# outputs before the first SE block are the same tensors, stored once). Stages: each top-level child of
# model.features (MobileNetV3, EfficientNet), or stem and trunk_output.block1..4 (RegNet); gates: every
# SqueezeExcitation's scale_activation output, [N, C], by the SE module's name.
_TV_SOURCES = {
    "mobilenet_v3_large": "torchvision.models.mobilenet_v3_large() (BatchNorm eps 0.001, hard-sigmoid SE gates)",
    "mobilenet_v3_small": "torchvision.models.mobilenet_v3_small() (BatchNorm eps 0.001, hard-sigmoid SE gates) at batch 2",
    "efficientnet_b0": "torchvision.models.efficientnet_b0() (SiLU, SE hidden max(1, block input // 4))",
    "regnet_y_400mf": "torchvision.models.regnet_y_400mf() (SE hidden round(0.25 * block input))",
}
for _i, (_tv, _src) in enumerate(_TV_SOURCES.items()):
    _batch = 2 if _tv == "mobilenet_v3_small" else 1
    _tail = "-b2" if _batch == 2 else ""
    _shape = (_batch, 3, 64, 64)
    _dims = "x".join(str(v) for v in _shape)
    CASES += [
        net_case(f"net-{_tv}-64{_tail}", f"{_src}, {_dims}", network(_tv), _shape, 701 + _i),
        net_case(f"net-{_tv}-no-se-64{_tail}", f"{_tv} with every torchvision.ops.SqueezeExcitation replaced by nn.Identity(), "
                 f"{_dims}, {_tv}'s seed", network(f"{_tv}-no-se"), _shape, 701 + _i),
    ]
