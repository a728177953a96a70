#!/usr/bin/env bash
# The WebGPU checks issue 8 asks for, as one script for a GPU machine session (see
# packages/core/docs/backends.md, "Running on a GPU machine with WebGPU"). Here, after `npm ci` and a build:
#   ../shared/tools/device-bundle.sh
# then, through the device tool, with carry [".device"] (each step has its own time limit; about 8 minutes in all):
#   source .device/setup.sh && bash tools/device-check.sh
# Results go to $OUT (the device tool's output folder), else device-results/.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-device-results}
mkdir -p "$out"
step() { # <name> <seconds> <command...>: runs one check, keeps its output, never stops the others
  local name=$1 seconds=$2
  shift 2
  echo "== $name"
  timeout "$seconds" "$@" > "$out/$name.txt" 2>&1
  echo "   exit $? ($out/$name.txt)"
  tail -n 3 "$out/$name.txt"
}
step gpu 20 nvidia-smi
step backend-check 180 node tools/dist/bench/backend-check.js --backends=webgpu
step bench 300 node tools/dist/bench/bench.js --backends=webgpu --workloads=cnn2,resnet18,mmtm224 --no-torch --no-probe --out="$out"
