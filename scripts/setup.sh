#!/usr/bin/env bash
# One-time set-up on Debian 12: system packages (as root, or through sudo) and npm dependencies.
#   python3-torch, python3-torchvision: PyTorch for `npm run golden` and its byte-for-byte reproduction test.
#   chromium, libvulkan1: SwiftShader's Vulkan ICD (shipped by chromium) and the Vulkan loader, so WebGPU in
#     Node (Dawn) has a software adapter on machines without a GPU (device "webgpu"); chromium also serves browser runs.
#   python3-onnx: Debian's onnx checker, run by the tests on every model `se-bench export` writes.
#   xz-utils, binutils: `npm run pack:portable` compresses with xz and strips the Node binary (its test is in npm test).
# Dependency install scripts: package.json "allowScripts" approves esbuild's and webgpu's and denies onnxruntime-node's
#   and protobufjs's (docs/install-scripts.md says what each does and why). npm >= 11.16 reads it; the npm in use gets
#   --strict-allow-scripts when it has the flag (feature-detected from `npm ci --usage`), so a dependency with an install
#   script allowScripts does not cover fails the install before any script runs, instead of a warning that scrolls past.
# ONNXRUNTIME_NODE_INSTALL=skip: for npm < 11.16 (Node 20's bundled npm 10 included), which ignores allowScripts and runs
#   onnxruntime-node's postinstall: on Linux x64 it downloads the CUDA provider libraries from api.nuget.org, outside the
#   npm registry (the install fails offline); its CPU and WebGPU providers are bundled. npm >= 11.16 never runs that
#   script here (denied), so the variable changes nothing there. README "ONNX Runtime" says how to get CUDA.
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
NPM_CI_STRICT=""
if [[ "$(npm ci --usage 2>/dev/null)" == *--strict-allow-scripts* ]]; then
  NPM_CI_STRICT=--strict-allow-scripts
else
  echo "setup: npm $(npm --version) has no --strict-allow-scripts and ignores package.json allowScripts (npm >= 11.16 reads both); installing with ONNXRUNTIME_NODE_INSTALL=skip only" >&2
fi
ONNXRUNTIME_NODE_INSTALL=skip npm ci $NPM_CI_STRICT
