#!/usr/bin/env bash
# One-time set-up on Debian 12: system packages (as root, or through sudo) and npm dependencies.
#   python3-torch, python3-torchvision: PyTorch for `npm run golden` and its byte-for-byte reproduction test.
#   chromium, libvulkan1: SwiftShader's Vulkan ICD (shipped by chromium) and the Vulkan loader, so WebGPU in
#     Node (Dawn) has a software adapter on machines without a GPU (device "webgpu"); chromium also serves browser runs.
#   python3-onnx: Debian's onnx checker, run by the tests on every model `se-bench export` writes.
#   xz-utils, binutils: `npm run pack:portable` compresses with xz and strips the Node binary (its test is in npm test).
# ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would download CUDA provider libraries from outside
#   the npm registry (it fails offline); its CPU and WebGPU providers are bundled. README "ONNX Runtime" says how to get CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES=(python3-torch python3-torchvision python3-numpy python3-onnx chromium libvulkan1 xz-utils binutils)
if [ "${SE_BENCH_SKIP_APT:-0}" != 1 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to apt-get install ${APT_PACKAGES[*]} (or set SE_BENCH_SKIP_APT=1)" >&2; exit 1; }
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
fi
ONNXRUNTIME_NODE_INSTALL=skip npm ci
