#!/usr/bin/env bash
# PP-OCRv4 det/rec and the direction classifier, run by the qgc interpreter,
# against ONNX Runtime's outputs for the same inputs (made by
# tools/ppocr_refs.sh): every output within 1e-4 absolute + 1e-4 relative.
# Also: each model's IR printed, parsed and printed again is byte-identical
# (as imported and after canonicalization, with and without full weights).
# usage: tests/ppocr_check.sh QGC_BINARY
set -euo pipefail
qgc=$1
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${QGC_CACHE:-$HOME/.cache/qgc}
refs=$cache/ppocr-ref
declare -A model
while IFS='=' read -r k v; do model[$k]=$v; done < <(bash "$here/tools/fetch_models.sh" "$cache" 2>/dev/null)
[ -d "$refs" ] || { echo "no references in $refs: run tools/ppocr_refs.sh first"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for case in rec det320 det640 cls; do
  dir=$refs/$case
  m=${model[${case%%[0-9]*}]}
  shape=$(cat "$dir/shape.txt")
  input=${shape%%=*}
  outputs=$(ls "$dir" | grep "\.npy$" | grep -v "^$input\.npy$")
  start=$(date +%s%N)
  "$qgc" run "$m" --shape "$shape" --input "$input=$dir/$input.npy" --output-dir "$out/$case"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  for o in $outputs; do
    if "$qgc" compare "$out/$case/$o" "$dir/$o" --rtol 1e-4 --atol 1e-4; then
      echo "PASS $case ($shape) $o in ${ms} ms"
    else
      echo "FAIL $case ($shape) $o"; fail=1
    fi
  done
done
for key in det rec cls; do
  shape=$(cat "$refs/$key$([ $key = det ] && echo 320)/shape.txt")
  for passes in none canonicalize; do
    for weights in "" --weights; do
      "$qgc" dump "${model[$key]}" --shape "$shape" --passes $passes $weights -o "$out/a.qgc"
      "$qgc" dump "$out/a.qgc" --passes none $weights -o "$out/b.qgc"
      if cmp -s "$out/a.qgc" "$out/b.qgc"; then
        echo "PASS $key round trip (passes=$passes ${weights:-summary})"
      else
        echo "FAIL $key round trip (passes=$passes ${weights:-summary}): print -> parse -> print differs"; fail=1
      fi
    done
  done
done
# A dump with full weights is a complete model: run it and compare with ORT.
"$qgc" dump "${model[rec]}" --shape x=1x3x48x320 --weights -o "$out/rec.qgc"
"$qgc" run "$out/rec.qgc" --input "x=$refs/rec/x.npy" --output-dir "$out/rec-text"
if "$qgc" compare "$out/rec-text/softmax_11.tmp_0.npy" "$refs/rec/softmax_11.tmp_0.npy" --rtol 1e-4 --atol 1e-4; then
  echo "PASS rec from its text form"
else
  echo "FAIL rec from its text form"; fail=1
fi
exit $fail
