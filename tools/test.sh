#!/usr/bin/env bash
# Builds qgc (warnings are errors), fetches the real models and their ONNX
# Runtime references, and runs every test: cmocka unit tests, conformance with
# pass-count floors, PP-OCRv4 against ONNX Runtime.
#   QGC_SANITIZE=ON   build with AddressSanitizer + UBSan (leaks fail) into build-asan
#   BUILD_DIR         build folder (default build, or build-asan)
#   QGC_CACHE         where models and references are cached (default ~/.cache/qgc)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=${QGC_SANITIZE:-OFF}
build=${BUILD_DIR:-$([ "$sanitize" = ON ] && echo build-asan || echo build)}
type=$([ "$sanitize" = ON ] && echo RelWithDebInfo || echo Release)
cmake -S . -B "$build" -DQGC_WERROR=ON -DQGC_SANITIZE="$sanitize" -DCMAKE_BUILD_TYPE=$type >/dev/null
cmake --build "$build" -j2
bash tools/ppocr_refs.sh >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure -j2
