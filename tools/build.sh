#!/bin/bash
# Builds appy-omp in the source tree, then makes each target given (demo, check, ...):
#   autoreconf -fi && ./configure && make && make TARGET...
# README's two commands and .ci/run use this script; CONFIGURE_FLAGS adds configure options.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

phase() {
  local t0=$SECONDS
  echo "==> $*"
  "$@"
  echo "==> done in $((SECONDS - t0)) s: $*"
}

phase autoreconf -fi
# shellcheck disable=SC2086
phase ./configure ${CONFIGURE_FLAGS:-}
phase make -j"$jobs"
for target in "$@"; do
  case $target in
    check) phase make -j"$jobs" check VERBOSE=yes ;;
    *) phase make "$target" ;;
  esac
done
