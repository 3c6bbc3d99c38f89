#!/usr/bin/env node
// ort_reference.js - run an ONNX model with ONNX Runtime (CPU execution
// provider, default graph optimizations) on deterministic image-like inputs and
// write every input and output as a .npy file, as reference data for qgc.
//
// Usage:
//   node ort_reference.js [--norm=half|imagenet] MODEL.onnx [NAME=DxDxD ...] OUTDIR
//       NAME=DxDxD fixes the shape of input NAME (needed for every input with
//       symbolic dims). --norm picks the pixel normalization (default half).
//   node ort_reference.js --ppocr CACHE_DIR OUTDIR
//       runs the PP-OCR cases (rec, det320, det640, cls) on the models that
//       tools/fetch_models.sh stored in CACHE_DIR, one subfolder each.
//
// Each output folder gets <tensor>.npy for every model input and output (the
// ONNX value name, characters outside [A-Za-z0-9._-] replaced by '_'),
// shape.txt (the shape overrides, comma-separated, as for --shape) and
// manifest.txt (one line per tensor: role, index, ONNX name, file, dtype,
// shape; and the ORT version).
//
// Inputs are reproducible without randomness (see imagePixel): every float32
// tensor of shape [..., C, H, W] is filled plane by plane with a synthetic
// 8-bit "document" picture - a smooth gradient plus rows of glyph-like dark
// strokes - then normalized as PP-OCR does: half: (p/255 - 0.5) / 0.5 (the
// recognizer and classifier), imagenet: (p/255 - mean[c]) / std[c] with the
// ImageNet mean/std (the detector). Values are computed in double precision
// and rounded once to float32, so any language can regenerate them exactly.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ort = require('onnxruntime-node');

const NORMS = {
  half: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

// The PP-OCR cases: model file inside the fetch_models.sh folder, input shape
// and normalization as PaddleOCR's own preprocessing uses them.
const MODEL_DIR = path.join('ocr-models-1.4.2', 'assets');
const PPOCR_CASES = [
  { name: 'rec', model: 'ch_PP-OCRv4_rec_infer.onnx', shapes: { x: [1, 3, 48, 320] }, norm: 'half' },
  { name: 'det320', model: 'ch_PP-OCRv4_det_infer.onnx', shapes: { x: [1, 3, 320, 320] }, norm: 'imagenet' },
  { name: 'det640', model: 'ch_PP-OCRv4_det_infer.onnx', shapes: { x: [1, 3, 640, 640] }, norm: 'imagenet' },
  { name: 'cls', model: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', shapes: { x: [1, 3, 48, 192] }, norm: 'half' },
];

function fail(msg) {
  process.stderr.write(`ort_reference.js: error: ${msg}\n`);
  process.exit(1);
}

// ---- deterministic input ------------------------------------------------

// 32-bit integer mix (murmur3 finalizer style) of two small integers: picks
// which strokes a glyph has. Plain uint32 arithmetic, easy to port to C.
function mix(a, b) {
  let h = (Math.imul(a ^ 0x9e37, 0x85ebca6b) ^ Math.imul(b + 0x632b, 0xc2b2ae35)) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0x27d4eb2d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

// Triangle wave with integer period p: 0, 1, ..., p/2, ..., 1, 0, ...
function tri(t, p) {
  const m = t % p;
  return m < p / 2 ? m : p - m;
}

// Does glyph cell (cx, cy), cx in [0,24), cy in [0,28), hold ink for a glyph
// whose stroke set is `bits`? Strokes: left/right/centre bars, top/middle/
// bottom bars and a diagonal.
function glyphInk(bits, cx, cy) {
  if (cx >= 20) return false; // gap between glyphs
  return ((bits & 1) && cx < 4) || ((bits & 2) && cx >= 16) ||
    ((bits & 4) && cy < 4) || ((bits & 8) && cy >= 12 && cy < 16) ||
    ((bits & 16) && cy >= 24) || ((bits & 32) && cx >= 8 && cx < 12) ||
    ((bits & 64) && Math.abs(cx * 28 - cy * 20) < 84);
}

// 8-bit pixel value of plane (n, c) at row y, column x of an H x W picture.
// Text lines repeat every 48 rows (ink in rows 10..37 of each), glyphs every
// 24 columns; lines have different lengths; one glyph in 7 is a space.
function imagePixel(n, c, y, x, H, W) {
  let p = 180 + Math.floor((50 * x) / Math.max(W - 1, 1)) -
    Math.floor((30 * y) / Math.max(H - 1, 1)) + 8 * c +
    (tri(x + 2 * y + 13 * c, 48) >> 2);
  const line = Math.floor(y / 48);
  const ry = y % 48;
  if (ry >= 10 && ry < 38) {
    const x0 = 12 + 8 * (line % 3);
    const x1 = W - 12 - 36 * ((5 * line) % 7);
    if (x >= x0 && x < x1) {
      const g = Math.floor((x - x0) / 24);
      const h = mix(line + 1000 * n, g);
      if (h % 7 !== 0 && glyphInk(h >>> 3, (x - x0) % 24, ry - 10)) {
        p = 40 + 12 * c + ((g * 7) % 20);
      }
    }
  }
  return Math.min(255, Math.max(0, p));
}

// Fill a float32 tensor of the given shape: dims before the last two are
// flattened into planes; the channel of plane k is k mod C (C = dim -3).
function makeImageInput(shape, norm) {
  const rank = shape.length;
  const W = rank >= 1 ? shape[rank - 1] : 1;
  const H = rank >= 2 ? shape[rank - 2] : 1;
  const C = rank >= 3 ? shape[rank - 3] : 1;
  const planes = shape.slice(0, Math.max(rank - 2, 0)).reduce((a, b) => a * b, 1);
  const data = new Float32Array(planes * H * W);
  let i = 0;
  for (let k = 0; k < planes; k++) {
    const c = k % C;
    const n = Math.floor(k / C);
    const mean = norm.mean[c % 3];
    const std = norm.std[c % 3];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        data[i++] = (imagePixel(n, c, y, x, H, W) / 255 - mean) / std;
      }
    }
  }
  return data;
}

// ---- .npy writer (format version 1.0) -----------------------------------

const NPY_DESCR = {
  float32: '<f4', float64: '<f8', float16: '<f2',
  int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2',
  int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1',
};

function npyBytes(dtype, shape, typedArray) {
  const descr = NPY_DESCR[dtype];
  if (!descr) fail(`cannot write dtype ${dtype} as .npy`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Magic (6) + version (2) + header length (2) + header, padded with
  // spaces and ended by '\n' to a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) fail('npy header too long');
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(typedArray.buffer, typedArray.byteOffset, typedArray.byteLength);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

// ---- running a model ----------------------------------------------------

function fileName(tensorName) {
  return tensorName.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy';
}

function parseShape(text) {
  const dims = text.split('x').map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    fail(`bad shape '${text}' (want e.g. 1x3x48x320)`);
  }
  return dims;
}

function resolveShape(meta, overrides) {
  const given = overrides[meta.name];
  if (given) {
    if (meta.shape.length && given.length !== meta.shape.length) {
      fail(`input ${meta.name}: shape has rank ${given.length}, model says ${meta.shape.length}`);
    }
    meta.shape.forEach((d, i) => {
      if (typeof d === 'number' && d >= 0 && d !== given[i]) {
        fail(`input ${meta.name}: dim ${i} is ${d} in the model, ${given[i]} given`);
      }
    });
    return given;
  }
  if (!meta.shape.length || meta.shape.some((d) => typeof d !== 'number' || d < 0)) {
    fail(`input ${meta.name} has symbolic dims [${meta.shape}]: give ${meta.name}=DxDx...`);
  }
  return meta.shape;
}

async function runCase(modelPath, overrides, normName, outDir) {
  const norm = NORMS[normName];
  if (!norm) fail(`unknown --norm '${normName}' (half or imagenet)`);
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  for (const name of Object.keys(overrides)) {
    if (!session.inputNames.includes(name)) {
      fail(`model ${modelPath} has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
  }
  const feeds = {};
  const rows = [];
  const shapeText = [];
  session.inputMetadata.forEach((meta, i) => {
    if (!meta.isTensor || meta.type !== 'float32') {
      fail(`input ${meta.name}: only float32 tensor inputs are supported`);
    }
    const shape = resolveShape(meta, overrides);
    feeds[meta.name] = new ort.Tensor('float32', makeImageInput(shape, norm), shape);
    rows.push(['input', i, meta.name, 'float32', shape]);
    if (overrides[meta.name]) shapeText.push(`${meta.name}=${shape.join('x')}`);
  });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => {
    rows.push(['output', i, name, results[name].type, results[name].dims]);
  });
  const tensors = { ...feeds, ...results };

  const files = new Set();
  for (const [, , name] of rows) {
    if (files.has(fileName(name))) fail(`two tensors map to file ${fileName(name)}`);
    files.add(fileName(name));
  }
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = [`# onnxruntime-node ${ort.env.versions.node}, model ${path.basename(modelPath)}, norm ${normName}`];
  for (const [role, i, name, dtype, shape] of rows) {
    const file = fileName(name);
    fs.writeFileSync(path.join(outDir, file), npyBytes(dtype, shape, tensors[name].data));
    manifest.push(`${role} ${i} ${name} ${file} ${dtype} ${shape.join('x')}`);
  }
  fs.writeFileSync(path.join(outDir, 'manifest.txt'), manifest.join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, 'shape.txt'), shapeText.join(',') + '\n');
  await session.release();
  process.stderr.write(`ort_reference.js: wrote ${rows.length} tensors to ${outDir}\n`);
}

async function runPpocr(cacheDir, outDir) {
  for (const c of PPOCR_CASES) {
    const model = path.join(cacheDir, MODEL_DIR, c.model);
    if (!fs.existsSync(model)) fail(`${model} missing: run tools/fetch_models.sh first`);
    await runCase(model, c.shapes, c.norm, path.join(outDir, c.name));
  }
}

function usage() {
  fail('usage: ort_reference.js [--norm=half|imagenet] MODEL.onnx [NAME=DxD...] OUTDIR\n' +
    '       ort_reference.js --ppocr CACHE_DIR OUTDIR');
}

async function main(argv) {
  if (os.endianness() !== 'LE') fail('.npy writer assumes a little-endian host');
  if (argv[0] === '--ppocr') {
    if (argv.length !== 3) usage();
    return runPpocr(argv[1], argv[2]);
  }
  let normName = 'half';
  if (argv.length && argv[0].startsWith('--norm=')) normName = argv.shift().slice(7);
  if (argv.length < 2) usage();
  const overrides = {};
  for (const arg of argv.slice(1, -1)) {
    const eq = arg.lastIndexOf('=');
    if (eq < 0) usage();
    overrides[arg.slice(0, eq)] = parseShape(arg.slice(eq + 1));
  }
  return runCase(argv[0], overrides, normName, argv[argv.length - 1]);
}

main(process.argv.slice(2)).catch((e) => fail(e && e.message ? e.message : String(e)));
