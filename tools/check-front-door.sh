#!/usr/bin/env bash
# The front door, tried as a new user tries it: `npm start` (the README's main command) under a pseudo-terminal
# that nobody answers. It must finish without asking anything (no Nx analytics question, no daemon, no cloud),
# print the results table and where the report is, print no Vulkan/Dawn probing noise, and leave the working tree
# as it found it (`git status --porcelain` unchanged: a run's manifest records `-dirty` otherwise), and its table must
# be the README's for the kernels it ran on (tools/check-quickstart-table.mjs).
# Called by .ci/run after the tests; runs the real command, so it trains the quickstart (minutes on 2 cores,
# seconds when runs/quickstart already holds the finished runs).
#
#   tools/check-front-door.sh            # needs a clean tree
#   FRONT_DOOR_TIMEOUT=1800              # seconds before it counts as hung (default 1800)
#   FRONT_DOOR_ALLOW_DIRTY=1             # on a dirty tree: require the same `git status` after as before
set -euo pipefail
cd "$(dirname "$0")/.."

limit=${FRONT_DOOR_TIMEOUT:-1800}
before=$(git status --porcelain)
if [ -n "$before" ] && [ "${FRONT_DOOR_ALLOW_DIRTY:-}" != 1 ]; then
  echo "front door: the working tree must be clean before the check (or set FRONT_DOOR_ALLOW_DIRTY=1):" >&2
  echo "$before" >&2
  exit 2
fi
command -v script >/dev/null || { echo "front door: needs script(1) from util-linux for a pseudo-terminal" >&2; exit 2; }

tmp=$(mktemp -d)
log=$tmp/log
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
rc=0
# script(1) gives npm a terminal on stdin and stdout. Its own stdin stays open and silent for the whole run, so a
# question waits for an answer that never comes (until the time limit). Not </dev/null: script passes that
# end-of-file on to the terminal, and a prompt reading it gets EOF (an answer of sorts) instead of hanging.
mkfifo "$tmp/stdin"
sleep "$((limit + 30))" >"$tmp/stdin" &
silent=$!
timeout --kill-after=10 "$limit" script -qec "npm start" /dev/null <"$tmp/stdin" >"$log" 2>&1 || rc=$?
kill "$silent" 2>/dev/null || true
took=$(($(date +%s) - start))
# The terminal's carriage returns and colour codes, gone, for the checks and the CI log.
clean=$(sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//' "$log")
fail() {
  echo "$clean" | tail -n 60 >&2
  echo "front door: FAILED after ${took}s: $1" >&2
  exit 1
}
[ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "npm start did not finish within ${limit}s (waiting for an answer?)"
[ "$rc" = 0 ] || fail "npm start exited with $rc"
# Here-strings, not `echo | grep -q`: under pipefail an early-exiting grep makes echo's SIGPIPE fail the pipeline.
grep -qi 'share usage data\|analytics' <<<"$clean" && fail "npm start asked or talked about analytics"
grep -q '^|  | seeds | test acc' <<<"$clean" || fail "npm start printed no results table"
grep -q 'report\.html' <<<"$clean" || fail "npm start did not say where report.html is"
noise=$(grep -i 'vulkan\|dawn\|XDG_RUNTIME_DIR' <<<"$clean" || true)
[ -z "$noise" ] || fail "npm start printed backend probing noise: $noise"
# The table it printed is the README's, for the kernels it ran on (native oneDNN or pure wasm).
table=$(node tools/check-quickstart-table.mjs runs/quickstart 2>&1) || fail "$table"
echo "$table"
after=$(git status --porcelain)
[ "$after" = "$before" ] || fail "npm start changed the working tree: $(diff <(echo "$before") <(echo "$after") || true)"
echo "front door: npm start finished in ${took}s under an unanswered terminal, printed the table, tree unchanged"
