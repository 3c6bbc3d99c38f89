#!/usr/bin/env bash
# ppocr_refs.sh [CACHE_DIR] - make ONNX Runtime reference data for the PP-OCR
# models: fetches the models (fetch_models.sh), installs the pinned
# onnxruntime-node in tools/ortref/ if needed (npm ci --ignore-scripts: the
# package ships its linux-x64 CPU binary, the skipped install script only
# fetches optional CUDA files), then runs ort_reference.js --ppocr.
#
# Output, CACHE_DIR/ppocr-ref/ (CACHE_DIR defaults to
# ${QGC_CACHE:-$HOME/.cache/qgc}):
#   rec/     recognizer, x=1x3x48x320
#   det320/  detector,   x=1x3x320x320
#   det640/  detector,   x=1x3x640x640
#   cls/     direction classifier, x=1x3x48x192
# each with <onnx value name>.npy for the model input and output, shape.txt
# (the shape override, e.g. x=1x3x48x320) and manifest.txt (see
# ort_reference.js). SOURCES.sha256 records the hashes of the files the data
# was made from; when they still match nothing is redone. On stdout the
# script prints ref=<output folder>.
set -euo pipefail

TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly TOOLS ORTREF="$TOOLS/ortref"
readonly CASES=(rec det320 det640 cls)

die() { echo "ppocr_refs.sh: error: $*" >&2; exit 1; }
note() { echo "ppocr_refs.sh: $*" >&2; }

tmp=''  # scratch output folder, global so the EXIT trap still sees it
trap '[ -z "$tmp" ] || rm -rf -- "$tmp"' EXIT

# The installed onnxruntime-node must be the version package-lock.json pins.
ort_installed() {
    (cd "$ORTREF" && node -e '
        const want = require("./package-lock.json").packages["node_modules/onnxruntime-node"].version;
        const have = require("./node_modules/onnxruntime-node/package.json").version;
        process.exit(want === have ? 0 : 1);' 2>/dev/null)
}

# Hashes of everything the reference data depends on (the model hashes are
# inside fetch_models.sh).
sources_sha256() {
    (cd "$TOOLS" && sha256sum fetch_models.sh ortref/ort_reference.js ortref/package-lock.json)
}

refs_current() {
    local ref="$1" c
    [ -f "$ref/SOURCES.sha256" ] || return 1
    [ "$(cat "$ref/SOURCES.sha256")" = "$(sources_sha256)" ] || return 1
    for c in "${CASES[@]}"; do
        [ -f "$ref/$c/manifest.txt" ] || return 1
    done
}

main() {
    [ $# -le 1 ] || die "usage: ppocr_refs.sh [CACHE_DIR]"
    local cache="${1:-${QGC_CACHE:-$HOME/.cache/qgc}}"
    local ref="$cache/ppocr-ref"

    "$TOOLS/fetch_models.sh" "$cache" >/dev/null

    if ! ort_installed; then
        command -v npm >/dev/null || die "npm not found"
        note "installing onnxruntime-node in $ORTREF (npm ci --ignore-scripts)"
        (cd "$ORTREF" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) ||
            die "npm ci failed in $ORTREF"
        ort_installed || die "onnxruntime-node in $ORTREF does not match package-lock.json"
    fi

    if refs_current "$ref"; then
        note "reference data up to date in $ref"
    else
        note "generating reference data in $ref"
        tmp="$(mktemp -d "$cache/.ppocr-ref.XXXXXX")"
        chmod 755 "$tmp"
        node "$ORTREF/ort_reference.js" --ppocr "$cache" "$tmp"
        sources_sha256 >"$tmp/SOURCES.sha256"
        rm -rf -- "$ref"
        mv "$tmp" "$ref"
        tmp=''
    fi
    echo "ref=$ref"
}

main "$@"
