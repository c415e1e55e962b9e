#!/bin/sh
# Installs everything appy-omp needs to build and test, on Debian 12, as root.
# README's two commands and .ci/run both start with this script.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  build-essential autoconf automake libtool pkg-config libunistring-dev \
  gcc-12-offload-nvptx \
  clang-19 clang-tools-19 libomp-19-dev libclang-rt-19-dev \
  python3-dev python3-numpy python3-pytest
