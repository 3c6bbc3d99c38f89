#!/usr/bin/env bash
# Builds qgc (warnings are errors), fetches the real models and their ONNX
# Runtime references, and runs every test: cmocka unit tests, conformance with
# pass-count floors, PP-OCRv4 against ONNX Runtime.
#   BUILD_DIR (default build)   QGC_CACHE (default ~/.cache/qgc)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DQGC_WERROR=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2
bash tools/ppocr_refs.sh >/dev/null
ctest --test-dir "$build" --output-on-failure -j2
