#!/usr/bin/env bash
# The outside author's path for the field's methods (issue 13, "Done when"; issue 14: every method is written through
# the published contract alone). For each named workspace strategy package (default: strategy-ogm-ge and
# strategy-mmpareto), this makes a stranger's package from its sources in a temporary folder OUTSIDE the workspace:
# src/, README, docs and LICENSE copied; package.json rewritten as an outside author has it (no workspace scripts,
# no `ungreedy-development` export condition, core as a peer, and as devDependencies core's tarball, TypeScript, tsx
# and @types/node); a self-contained tsconfig.json. It installs that from the tarballs and the npm cache, then there
#   1. refuses a source file that imports anything but `@ungreedy/core`, `@ungreedy/core/testing`, `node:*`, the
#      package's own files and its declared (peer, dev) dependencies (a workspace path or a deep import of core is a finding),
#   2. typechecks the package with `tsc --noEmit` against the installed tarball's .d.ts (so it uses only what the
#      contract and the kit publish),
#   3. runs its own tests with `npm test` (`node --import tsx --test`): the StrategyTester conformance test and the
#      method's faithfulness tests (for OGM-GE: k·g for the dominant encoder against hand numbers, GE noise).
# Any failure prints the failing output and exits non-zero.
#
# Usage: tools/outside-author-test.sh [--packs DIR] [--work DIR] [package-folder ...]
#   --packs DIR  a folder of `npm pack` tarballs (tools/pack-test.sh passes its own); without it, this packs core
#                (and packages/backend, when the workspace has one) itself. Run after a build.
#   --work DIR   where to make the authors' folders (default: a new temp folder, removed at the end; KEEP=1 keeps it)
# Offline-capable: npm install --prefer-offline takes every dependency from the npm cache when it is there.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
packs="" work=""
packages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --packs) packs="$(cd "$2" && pwd)"; shift 2 ;;
    --work) work="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "outside-author-test: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) packages+=("${1#packages/}"); shift ;;
  esac
done
[ ${#packages[@]} -gt 0 ] || packages=(strategy-ogm-ge strategy-mmpareto)
if [ -z "$work" ]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/ungreedy-outside-author.XXXXXX")"
  if [ "${KEEP:-0}" = 1 ]; then echo "outside-author-test: keeping $work"; else trap 'rm -rf "$work"' EXIT; trap 'exit 130' INT TERM; fi
fi
case "$work/" in "$repo"/*) echo "outside-author-test: --work must be outside the workspace ($repo)" >&2; exit 2 ;; esac

# Core's tarball, and the backend's where the workspace has a packages/backend (core depends on it then, and it is
# not on the registry before a release, so npm must be given its tarball too).
if [ -z "$packs" ]; then
  packs="$work/packs"; mkdir -p "$packs"
  for dir in "$repo/packages/core" "$repo/packages/backend"; do
    [ -f "$dir/package.json" ] || continue
    (cd "$dir" && npm pack --silent --pack-destination "$packs" >/dev/null)
  done
fi
ungreedy_tarballs=()
for tgz in "$packs"/ungreedy-core-*.tgz "$packs"/ungreedy-backend-*.tgz; do [ -f "$tgz" ] && ungreedy_tarballs+=("$tgz"); done
[ -n "$(ls "$packs"/ungreedy-core-*.tgz 2>/dev/null)" ] || { echo "outside-author-test: no ungreedy-core-*.tgz in $packs" >&2; exit 1; }

for name in "${packages[@]}"; do
  src="$repo/packages/$name"
  [ -f "$src/package.json" ] || { echo "outside-author-test: no package $src" >&2; exit 2; }
  author="$work/authors/$name"
  echo "== outside author: $name in $author"
  start=$SECONDS
  rm -rf "$author"; mkdir -p "$author"
  for part in src docs README.md LICENSE; do [ -e "$src/$part" ] && cp -r "$src/$part" "$author/"; done
  rm -rf "$author/src/test-fixtures/node_modules"

  # package.json and tsconfig.json as an outside author writes them (the versions of TypeScript, tsx and @types/node
  # are the ones the workspace's package-lock pins, so they come from the npm cache).
  REPO="$repo" SRC="$src" AUTHOR="$author" TARBALLS="${ungreedy_tarballs[*]}" node --input-type=module -e '
    import { readFileSync, readdirSync, writeFileSync } from "node:fs";
    import { join } from "node:path";
    import { execFileSync } from "node:child_process";
    const { REPO, SRC, AUTHOR, TARBALLS } = process.env;
    const read = (path) => JSON.parse(readFileSync(path, "utf8"));
    const pkg = read(join(SRC, "package.json"));
    const lock = read(join(REPO, "package-lock.json")).packages;
    const pinned = (dep) => {
      const version = lock[`node_modules/${dep}`]?.version;
      if (!version) throw new Error(`outside-author-test: package-lock.json pins no ${dep}`);
      return version;
    };
    // The export map without the workspace-only condition that points at src/ (an installed package has dist/).
    const strip = (entry) => typeof entry !== "object" || entry === null ? entry
      : Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "ungreedy-development").map(([k, v]) => [k, strip(v)]));
    const tests = readdirSync(join(AUTHOR, "src"), { recursive: true })
      .filter((f) => f.endsWith(".test.ts")).sort().map((f) => `src/${f}`);
    if (tests.length === 0) throw new Error(`outside-author-test: ${pkg.name} has no *.test.ts`);
    // Each tarball under the name its own package.json gives.
    const tarballs = Object.fromEntries(TARBALLS.split(" ").filter(Boolean)
      .map((tgz) => [JSON.parse(execFileSync("tar", ["-xOzf", tgz, "package/package.json"], { encoding: "utf8" })).name, `file:${tgz}`]));
    const devDependencies = { ...pkg.devDependencies };
    for (const dep of Object.keys(devDependencies)) if (dep.startsWith("@ungreedy/")) delete devDependencies[dep];
    Object.assign(devDependencies, tarballs, {
      "@types/node": pinned("@types/node"), tsx: pinned("tsx"), typescript: pinned("typescript"),
    });
    const out = {
      ...pkg,
      exports: strip(pkg.exports),
      scripts: {
        build: "tsc -p tsconfig.build.json",
        typecheck: "tsc -p tsconfig.json --noEmit",
        // Node 20 test runner takes no globs: the test files are listed.
        test: `node --import tsx --test --test-concurrency=1 ${tests.join(" ")}`,
      },
      devDependencies,
    };
    delete out.nx;
    writeFileSync(join(AUTHOR, "package.json"), JSON.stringify(out, null, 2) + "\n");
    // One self-contained tsconfig (the workspace base inlined: no ../../ paths, no project references).
    const base = read(join(REPO, "tsconfig.base.json")).compilerOptions;
    const compilerOptions = { ...base, rootDir: "src", outDir: "dist", composite: false, declarationMap: false };
    writeFileSync(join(AUTHOR, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["src/**/*.ts", "src/**/*.json"] }, null, 2) + "\n");
    writeFileSync(join(AUTHOR, "tsconfig.build.json"), JSON.stringify({ extends: "./tsconfig.json", exclude: ["src/**/*.test.ts", "src/**/test-fixtures/**"] }, null, 2) + "\n");
  '

  # 1. Imports: only what an outside author has.
  AUTHOR="$author" node --input-type=module -e '
    import { readFileSync, readdirSync } from "node:fs";
    import { dirname, join, relative, resolve } from "node:path";
    const { AUTHOR } = process.env;
    const pkg = JSON.parse(readFileSync(join(AUTHOR, "package.json"), "utf8"));
    const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies, ...pkg.devDependencies }));
    const allowed = (spec) => spec === "@ungreedy/core" || spec === "@ungreedy/core/testing" || spec.startsWith("node:")
      || declared.has(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]) && !spec.startsWith("@ungreedy/core/");
    const bad = [];
    for (const file of readdirSync(join(AUTHOR, "src"), { recursive: true }).filter((f) => /\.(ts|js|mjs)$/.test(f))) {
      const text = readFileSync(join(AUTHOR, "src", file), "utf8");
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["\x27]([^"\x27]+)["\x27]|\bimport\(\s*["\x27]([^"\x27]+)["\x27]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        const inside = !relative(AUTHOR, resolve(AUTHOR, "src", dirname(file), spec)).startsWith("..");
        if (spec.startsWith(".") ? !inside : !allowed(spec)) bad.push(`src/${file}: imports "${spec}"`);
      }
    }
    if (bad.length) {
      console.error(`outside-author-test: ${pkg.name} imports what an outside author does not have (use @ungreedy/core and @ungreedy/core/testing only):\n  ${bad.join("\n  ")}`);
      process.exit(1);
    }
  '

  # npm install: the tarballs and the pinned tools, from the cache where it has them. --omit=optional: core's
  # optional tfjs-node(-gpu) download libtensorflow at install time; the tests run on wasm.
  (cd "$author" && npm install --prefer-offline --no-audit --no-fund --omit=optional >"$author/install.log" 2>&1) || {
    echo "outside-author-test: npm install failed in $author"; tail -30 "$author/install.log"; exit 1;
  }
  # One copy of core and of tfjs-core (packages/core's README, "Develop against a local checkout of core").
  for dep in @ungreedy/core @tensorflow/tfjs-core; do
    copies="$(cd "$author" && find . -path "*/node_modules/$dep/package.json" | wc -l)"
    [ "$copies" = 1 ] || {
      echo "outside-author-test: $name installs $copies copies of $dep (one is right):"; (cd "$author" && npm ls --all "$dep" || true); exit 1;
    }
  done
  installed=$SECONDS

  # 2. Typecheck against the tarball's declarations.
  (cd "$author" && npm run --silent typecheck >"$author/typecheck.log" 2>&1) || {
    echo "outside-author-test: $name does not typecheck against the published @ungreedy/core:"; cat "$author/typecheck.log"; exit 1;
  }
  typechecked=$SECONDS

  # 3. Its own tests: conformance (StrategyTester) and faithfulness.
  mkdir -p "$author/tmp"
  (cd "$author" && TMPDIR="$author/tmp" UNGREEDY_LOG_LEVEL=silent OMP_NUM_THREADS=1 npm test --silent >"$author/test.log" 2>&1) || {
    echo "outside-author-test: $name's tests fail outside the workspace:"; cat "$author/test.log"; exit 1;
  }
  grep -E '^# (tests|pass|fail)' "$author/test.log" | tr '\n' ' '
  echo
  echo "   $name ok: install $((installed - start))s, typecheck $((typechecked - installed))s, tests $((SECONDS - typechecked))s"
done
echo "== outside-author-test ok (${packages[*]}) in ${SECONDS}s"
