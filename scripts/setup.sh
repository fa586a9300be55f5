#!/usr/bin/env bash
# Installs what the project needs on a machine with only Node 20 and npm:
# pnpm (pinned), the workspace's packages, a build; with --system also the Debian packages
# the tests use as real peers and oracles (ffmpeg/ffprobe, prometheus/promtool, openssl,
# chromium for the status page in a real browser, kubectl for kustomize, systemd-analyze for the unit,
# nginx + libnginx-mod-rtmp as an RTMP origin).
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

if [[ "${1:-}" == "--system" ]]; then
  missing=()
  command -v ffprobe >/dev/null || missing+=(ffmpeg)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v kubectl >/dev/null || missing+=(kubernetes-client)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  # nginx with the RTMP module: a real RTMP origin for the RTMP client's tests
  command -v nginx >/dev/null || missing+=(nginx)
  [[ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ]] || missing+=(libnginx-mod-rtmp)
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "setup: installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: warning: missing ${missing[*]} (install them with apt-get as root);" \
        "tests that need them will fail" >&2
    fi
  fi
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --silent --no-fund --no-audit >/dev/null 2>&1 || {
    echo "setup: global install failed, using npx pnpm@$PNPM_VERSION" >&2
    mkdir -p node_modules/.bin-pnpm
    printf '#!/bin/sh\nexec npx -y pnpm@%s "$@"\n' "$PNPM_VERSION" > node_modules/.bin-pnpm/pnpm
    chmod +x node_modules/.bin-pnpm/pnpm
    export PATH="$PWD/node_modules/.bin-pnpm:$PATH"
  }
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm -s build
