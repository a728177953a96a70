#!/usr/bin/env bash
# The outside author's path, from tarballs: packs every publishable workspace package with `npm pack`, checks each
# tarball against its package.json (tools/pack-check.mjs), installs the tarballs into a fresh project outside the
# workspace, copies the third-party strategy example (examples/ungreedy-strategy-sandwich) next to it, and runs a
# short `ungreedy compare` there that loads that strategy by path. Where oneDNN is installed, the native kernels
# must have been built by the backend package's install script from its tarball (@ungreedy/backend, which core
# depends on).
# Run after a build (CI: .ci/run). Offline-capable: dependencies come from the npm cache (--prefer-offline).
# KEEP=1 keeps the temporary folder and prints it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ungreedy-pack-test.XXXXXX")"
if [ "${KEEP:-0}" = 1 ]; then echo "pack-test: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/packs" "$work/project"

echo "== pack"
for dir in "$repo"/packages/*/; do
  dir="${dir%/}"
  if node -e "process.exit(require('$dir/package.json').private ? 0 : 1)"; then continue; fi
  tarball="$(cd "$dir" && npm pack --silent --pack-destination "$work/packs" | tail -1)"
  node "$repo/tools/pack-check.mjs" "$dir" "$work/packs/$tarball"
done

echo "== install the tarballs into $work/project"
cd "$work/project"
cat > package.json <<'JSON'
{ "name": "ungreedy-pack-test", "version": "0.0.0", "private": true, "type": "module" }
JSON
# --omit=optional: tfjs-node(-gpu) download libtensorflow at install time; the test runs on wasm without them.
npm install --prefer-offline --no-audit --no-fund --omit=optional "$work"/packs/*.tgz >"$work/install.log" 2>&1 || {
  tail -30 "$work/install.log"; exit 1;
}
test -x node_modules/.bin/ungreedy

echo "== a strategy written outside the repository"
mkdir -p vendor && cp -r "$repo/examples/ungreedy-strategy-sandwich" vendor/sandwich
cat > base.json <<'JSON'
{
  "name": "pack-test",
  "seed": 1,
  "backend": "wasm",
  "plugins": ["@ungreedy/dataset-colored-mnist"],
  "dataset": { "use": "colored-mnist", "options": { "imageSize": 14, "trainSize": 128, "valSize": 64, "testSize": 64 } },
  "model": {
    "encoders": [{ "use": "cnn", "options": { "channels": [4, 8], "kernel": 3, "stride": 1, "batchNorm": true, "pool": "max", "poolSize": 2 } }],
    "fusion": { "use": "mmtm", "options": { "ratio": 4 }, "after": [0, 1] }
  },
  "strategy": { "use": "vanilla" },
  "train": { "epochs": 2, "batchSize": 32, "evalBatchSize": 64, "optimizer": { "type": "sgd", "lr": 0.05, "momentum": 0.9, "weightDecay": 0, "nesterov": false }, "scheduler": { "type": "none" } },
  "metrics": { "utilization": true, "evaluateCheckpoint": "last" },
  "output": { "dir": "runs" }
}
JSON
cat > compare.json <<'JSON'
{
  "name": "pack-test",
  "base": "./base.json",
  "seeds": [1],
  "unimodal": false,
  "plugins": ["./vendor/sandwich"],
  "strategies": [
    { "label": "vanilla", "use": "vanilla" },
    { "label": "sandwich", "use": "sandwich", "options": { "warmupEpochs": 1 } }
  ],
  "output": { "dir": "runs/compare" }
}
JSON
echo "== ungreedy compare (from the installed tarballs)"
npx --no-install ungreedy compare compare.json | tee "$work/compare.log"
grep -Eq '^\| *sandwich' "$work/compare.log" || { echo "pack-test: the results table has no sandwich row"; exit 1; }
grep -Eq '^\| *vanilla' "$work/compare.log" || { echo "pack-test: the results table has no vanilla row"; exit 1; }

if [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] && [ "${UNGREEDY_NATIVE:-optional}" != off ]; then
  echo "== native kernels from the backend's tarball"
  test -f node_modules/@ungreedy/backend/dist/addon/ungreedy-native.node || {
    echo "pack-test: oneDNN is installed, but @ungreedy/backend's install script built no native addon from its tarball"; exit 1;
  }
  # Core's engine must load it from there: the compare's runs name the native kernels in their manifests' backend reason.
  grep -rqs --include=manifest.json 'native kernels (oneDNN' runs/ || {
    echo "pack-test: the backend's addon was built, but the runs above did not use it (see the backend reason in runs/**/manifest.json)"; exit 1;
  }
fi
bash "$repo/tools/outside-author-test.sh" --packs "$work/packs" --work "$work"  # the field's methods, built as strangers' packages
echo "== pack-test ok"
