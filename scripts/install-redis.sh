#!/usr/bin/env bash
# Installs Debian's redis-server for the scale-out tests (test/scale/, test/redis/), which
# start their own server on a free port. Idempotent: returns at once when it is there.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi

# Root installs directly; anyone else goes through sudo.
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
else
  as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# Debian starts a system-wide instance on 6379; the tests do not use it.
"${as_root[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true

if ! command -v redis-server >/dev/null 2>&1; then
  echo "install-redis: apt-get finished but redis-server is missing" >&2
  exit 1
fi
echo "redis-server installed: $(redis-server --version)"
