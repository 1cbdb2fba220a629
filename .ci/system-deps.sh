#!/usr/bin/env bash
# System packages the test suite uses for real (no mocks): Debian's chromium (GraphiQL browser test)
# and redis-server (tests start their own instance on a free port). Installs only what is missing,
# and only where it can (root with apt); elsewhere it says what to install.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages) for the test suite" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "the test suite needs: ${missing[*]} (e.g. sudo apt-get install -y ${missing[*]})" >&2
fi
exit 0
