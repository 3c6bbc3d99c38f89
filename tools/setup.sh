#!/usr/bin/env bash
# Installs the Debian packages qgc's build and tests need. Idempotent: does
# nothing when everything is there already.
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev   # ONNX loader, generated from onnx.proto
      libcmocka-dev                                       # unit tests
      nodejs npm)                                         # ONNX Runtime (npm) as the test oracle
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from elsewhere than Debian (with npm bundled): accept any working node + npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
