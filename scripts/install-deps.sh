#!/usr/bin/env bash
# Installs every Debian package the project uses. This is the only place that list lives.
# Idempotent: does nothing (and needs no network) when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libsystemc-dev            # SystemC 2.3.4 (C++17 build)
  verilator                 # 5.006: RTL lint and Verilated harnesses
  yosys                     # 0.23: synthesis for cell counts and area
  nlohmann-json3-dev        # JSON configs, traces, results
  libcli11-dev              # the wrpn command line
  libboost-test-dev         # Boost.Test unit tests
  libssl-dev                # SHA-256 for trace checksums (OpenSSL EVP)
  zlib1g-dev                # gzip IDX dataset files
  libopenblas-dev           # trainer matrix products (CBLAS)
  libomp-dev                # OpenMP for the trainer (GCC uses libgomp; kept for clang builds)
  libbenchmark-dev          # micro-benchmarks under bench/
  libonnx-dev               # 1.12: ONNX model import (parser, checker, shape inference; CMake package ONNX)
  libprotobuf-dev           # protobuf behind libonnx (find_package(Protobuf); onnx_proto links it)
  python3-onnx              # scripts/make_onnx_models.py builds the test ONNX graphs (run at test time)
  dataset-fashion-mnist     # the real Fashion-MNIST IDX files
  gnuplot-nox               # plots in reports
  python3-matplotlib        # plots in reports (alternative renderer)
  clang-format              # formatting check
  clang                     # 14: the libFuzzer build (tests/fuzz)
  libclang-rt-14-dev        # libFuzzer and the sanitizer runtimes for clang 14
  slurm-wlm                 # 22.05: the real single-node Slurm of the dist test (scripts/slurm-local.sh)
  munge                     # Slurm's authentication
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them as root" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
