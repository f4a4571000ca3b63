#!/usr/bin/python3
"""Writes a PyTorch network's state dict, an input and PyTorch's own outputs as
safetensors, to check `se-bench infer` against PyTorch (test/infer.test.ts).

    /usr/bin/python3 scripts/export_state_dict.py --model se-resnet50 --out DIR [--resolution 64] [--seed 7] [--init prng|torchvision]

DIR gets weights.safetensors (the full state dict, num_batches_tracked
included, as torch.save would hold it), input.safetensors (one tensor
"input") and expected.safetensors ("logits" and "gate.<block>"). Weights come
from the shared PRNG, or with --init torchvision from torchvision's own random
initialisation under torch.manual_seed(seed); the model is golden.py's
(torchvision's own resnet50 and resnext50_32x4d for the plain v1.5 models, and
torchvision's mobilenet_v3_large/small, efficientnet_b0 and regnet_y_400mf
with their state_dict names).
"""
import argparse
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402
import sebench_prng as prng  # noqa: E402
from golden_cases import network  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402


def write_safetensors(path, tensors):
    """Like golden.safetensors_bytes, but keeps integer tensors (num_batches_tracked) as I64."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        arr = t.detach().numpy() if torch.is_tensor(t) else t
        dtype, arr = ("I64", np.ascontiguousarray(arr, dtype="<i8")) if arr.dtype.kind == "i" else ("F32", np.ascontiguousarray(arr, dtype="<f4"))
        data = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text.encode()) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text.encode())) + text.encode() + b"".join(blobs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(golden_presets()))
    ap.add_argument("--out", required=True)
    ap.add_argument("--resolution", type=int, default=64)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bias", choices=["on", "off"], default="on", help="FC biases of the se-* models")
    ap.add_argument("--init", choices=["prng", "torchvision"], default="prng",
                    help="weights from the shared PRNG, or torchvision's own init (seeded) as a user's untrained model has them")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    net = network(args.model, bias=args.bias == "on") if args.model.startswith("se-") else network(args.model)
    model = golden.build_network(net)
    model.eval()
    if args.init == "prng":
        golden.fill_from_prng(model, args.seed)
    shape = (1, net["inChannels"], args.resolution, args.resolution)
    x = torch.from_numpy(prng.uniform(int(np.prod(shape)), args.seed, "input", -1.0, 1.0).reshape(shape))
    logits, _, gates = golden.run_network(model, x)
    os.makedirs(args.out, exist_ok=True)
    write_safetensors(os.path.join(args.out, "weights.safetensors"), model.state_dict())
    write_safetensors(os.path.join(args.out, "input.safetensors"), {"input": x})
    write_safetensors(os.path.join(args.out, "expected.safetensors"), {"logits": logits, **{f"gate.{k}": v for k, v in gates.items()}})


def golden_presets():
    from golden_cases import NET_PRESETS
    return NET_PRESETS.keys()


if __name__ == "__main__":
    main()
