#!/usr/bin/env bash
# A newcomer's first run: install, build, fetch PP-OCRv4, and run qgc on the
# recognizer: print the start of its IR, run it in the interpreter on a
# synthetic text line, and compare the result with ONNX Runtime's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
echo "== fetching PP-OCRv4 and ONNX Runtime references"
refs=$(bash tools/ppocr_refs.sh | sed -n 's/^ref=//p')
rec=$(bash tools/fetch_models.sh 2>/dev/null | sed -n 's/^rec=//p')
out=$(mktemp -d)
./build/qgc dump "$rec" --shape x=1x3x48x320 -o "$out/rec.qgc"
echo "== qgc dump: $(grep -c ' = const ' "$out/rec.qgc") constants and $(grep -vc -e ' = const ' -e '^graph' -e '^}' "$out/rec.qgc") ops in $(basename "$rec"); the first ops:"
grep -v ' = const ' "$out/rec.qgc" | sed -n 1,8p | cut -c1-160
echo "   ..."
echo "== qgc run (interpreter) and comparison with ONNX Runtime"
./build/qgc run "$rec" --shape x=1x3x48x320 --input "x=$refs/rec/x.npy" --output-dir "$out"
./build/qgc compare "$out/softmax_11.tmp_0.npy" "$refs/rec/softmax_11.tmp_0.npy" --rtol 1e-4 --atol 1e-4
rm -rf "$out"
