#!/usr/bin/env bash
# Installs what xdpfeed needs on Debian 12 and builds it. Idempotent: each step is skipped
# when already done. Used by `npm test`, `npm run demo` and `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v clang >/dev/null || need+=(clang)
command -v llvm-strip >/dev/null || need+=(llvm)
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
command -v taskset >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null && command -v prlimit >/dev/null || need+=(util-linux)
command -v cc >/dev/null || need+=(gcc)
command -v tshark >/dev/null || need+=(tshark)
command -v make >/dev/null || need+=(make)
[ -e /usr/include/xdp/xsk.h ] || need+=(libxdp-dev)
[ -e /usr/include/bpf/libbpf.h ] || need+=(libbpf-dev)
ls /usr/lib/*/libxdp.so.1 >/dev/null 2>&1 || need+=(libxdp1)
ls /usr/lib/*/libbpf.so.1 >/dev/null 2>&1 || need+=(libbpf1)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "xdpfeed setup: missing ${need[*]}; install them as root: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "xdpfeed setup: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark's package asks whether non-root users may capture: no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules/koffi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "xdpfeed setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# The package build: the XDP object (committed; rebuilt only when its source is newer), the feed
# modules (when a source is newer) and dist/ (incremental).
node --import tsx scripts/build.ts
