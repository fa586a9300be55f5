#!/usr/bin/env bash
# Rehearses CI the way it really runs: a fresh clone of HEAD with ../shared beside it, pnpm's
# metadata cache and content store pointed at empty directories (as on a new machine), then
# `bash .ci/run` there. Prints the run's last lines and exits with its status. Run it before every
# submission: a green run on a warm checkout has hidden a missing install step before.
#   usage: scripts/ci-fresh.sh [--keep]   (--keep leaves the temporary directory for inspection)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
keep=${1:-}
work=$(mktemp -d /tmp/ci-fresh.XXXXXX)
cleanup() { [[ "$keep" == "--keep" ]] && echo "ci-fresh: kept $work" || rm -rf "$work"; }
trap cleanup EXIT

git clone --quiet --no-local "$repo" "$work/main" || exit 1
git -C "$work/main" checkout --quiet "$(git -C "$repo" rev-parse HEAD)"
# CI has the steering repo's shared/ beside the clone
if [[ -d "$repo/../shared" ]]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi
mkdir -p "$work/pnpm-cache" "$work/pnpm-store" "$work/xdg-cache"

echo "ci-fresh: $(git -C "$work/main" log --oneline -1) in $work/main, empty pnpm cache and store"
started=$(date +%s)
(
  cd "$work/main" &&
    env CI=true \
      npm_config_cache_dir="$work/pnpm-cache" \
      npm_config_store_dir="$work/pnpm-store" \
      XDG_CACHE_HOME="$work/xdg-cache" \
      bash .ci/run
) >"$work/ci.log" 2>&1
status=$?
echo "ci-fresh: .ci/run exited $status after $(($(date +%s) - started)) s; full log: $work/ci.log"
grep -E '^(suite failed:| FAIL |.*[0-9]+ passed, [0-9]+ failed)' "$work/ci.log" | tail -40
tail -n 15 "$work/ci.log"
[[ $status -ne 0 ]] && keep=--keep
exit $status
