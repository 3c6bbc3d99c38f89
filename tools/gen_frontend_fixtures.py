#!/usr/bin/env python3
"""Writes the tiny ONNX / .pb / .npy fixtures tests/test_frontend.c and
tests/test_npy.c load (into tests/data/frontend/). Needs the `onnx` and
`numpy` python packages; the outputs are committed, so the tests do not.

The values written here are the oracle: the C tests assert the same
literal values, which this script produced through onnx's own helpers."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "frontend")

# dtype name -> (onnx code, numpy dtype or None for 4-bit, shape, values)
FLOATS = [1.5, -2.25, 0.0, 96.0]  # exact in f16 and bf16 too
DTYPES = {
    "f32": (TensorProto.FLOAT, np.float32, [2, 2], FLOATS),
    "f64": (TensorProto.DOUBLE, np.float64, [2, 2], FLOATS),
    "f16": (TensorProto.FLOAT16, np.float16, [2, 2], FLOATS),
    "bf16": (TensorProto.BFLOAT16, None, [2, 2], FLOATS),
    "i8": (TensorProto.INT8, np.int8, [4], [-128, 127, 0, -1]),
    "u8": (TensorProto.UINT8, np.uint8, [4], [0, 255, 7, 1]),
    "i16": (TensorProto.INT16, np.int16, [4], [-32768, 32767, 0, -2]),
    "u16": (TensorProto.UINT16, np.uint16, [4], [0, 65535, 3, 9]),
    "i32": (TensorProto.INT32, np.int32, [4], [-2**31, 2**31 - 1, 0, -5]),
    "u32": (TensorProto.UINT32, np.uint32, [4], [0, 2**32 - 1, 6, 1]),
    "i64": (TensorProto.INT64, np.int64, [4], [-2**63, 2**63 - 1, 0, -7]),
    "u64": (TensorProto.UINT64, np.uint64, [4], [0, 2**64 - 1, 8, 1]),
    "bool": (TensorProto.BOOL, np.bool_, [4], [True, False, True, True]),
    "i4": (TensorProto.INT4, None, [5], [-8, 7, 0, -1, 5]),
    "u4": (TensorProto.UINT4, None, [5], [0, 15, 3, 9, 1]),
}


def raw_bytes(code, npdt, vals):
    if code == TensorProto.BFLOAT16:
        f = np.array(vals, np.float32).view(np.uint32)
        return (f >> 16).astype("<u2").tobytes()
    if npdt is None:  # 4-bit: two per byte, low nibble first
        nib = [v & 0xF for v in vals] + [0]
        return bytes(nib[i] | nib[i + 1] << 4 for i in range(0, len(vals), 2))
    return np.array(vals, npdt).astype(np.dtype(npdt).newbyteorder("<")).tobytes()


def save(model, name):
    onnx.save(model, os.path.join(OUT, name))


def model(nodes, inputs, outputs, inits=(), opset=17, value_info=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits), value_info=list(value_info))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, elem=TensorProto.FLOAT, shape=(1,)):
    return helper.make_tensor_value_info(name, elem, shape)


def identity_model(inits, opset=17, extra_inputs=()):
    return model([helper.make_node("Identity", ["x"], ["y"], name="id")],
                 [vi("x")] + list(extra_inputs), [vi("y")], inits, opset)


def gen_dtypes():
    inits = []
    for name, (code, npdt, shape, vals) in DTYPES.items():
        inits.append(helper.make_tensor("raw_" + name, code, shape,
                                        raw_bytes(code, npdt, vals), raw=True))
        inits.append(helper.make_tensor("typed_" + name, code, shape, vals))
    # Old exporters list initializers among the graph inputs too.
    save(identity_model(inits, extra_inputs=[vi("raw_f32", shape=[2, 2])]), "dtypes.onnx")


def ext_tensor(name, location, dims, offset=None, length=None):
    t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    return t


def gen_external():
    os.makedirs(os.path.join(OUT, "ext"), exist_ok=True)
    # 16 bytes of junk, then the four floats the tensor holds.
    data = b"\xAA" * 16 + np.array([0.5, -1.0, 2.0, 8.0], "<f4").tobytes()
    with open(os.path.join(OUT, "ext", "weights.bin"), "wb") as f:
        f.write(data)
    cases = {
        "ext_ok.onnx": ext_tensor("w", "ext/weights.bin", [4], 16, 16),
        "ext_dotdot.onnx": ext_tensor("w", "ext/../../weights.bin", [4]),
        "ext_abs.onnx": ext_tensor("w", "/abs/weights.bin", [4]),
        "ext_short.onnx": ext_tensor("w", "ext/weights.bin", [16], 8),
    }
    for fname, t in cases.items():
        save(identity_model([t]), fname)


def gen_errors():
    save(model([helper.make_node("FooBar", ["x"], ["y"], name="foo_node")],
               [vi("x")], [vi("y")]), "unknown_op.onnx")
    save(model([helper.make_node("Foo", ["x"], ["y"], name="n1", domain="com.example")],
               [vi("x")], [vi("y")]), "custom_domain.onnx")
    save(model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add0")],
               [vi("x")], [vi("y")]), "undefined_input.onnx")
    save(model([helper.make_node("Relu", ["t"], ["y"], name="second"),
                helper.make_node("Relu", ["x"], ["t"], name="first")],
               [vi("x")], [vi("y")]), "use_before_def.onnx")
    save(model([helper.make_node("Relu", ["x"], ["x"], name="again")],
               [vi("x")], [vi("y")]), "redefined.onnx")
    save(identity_model([], opset=18), "opset_too_new.onnx")
    bad = TensorProto(name="short_w", data_type=TensorProto.FLOAT, dims=[3],
                      raw_data=np.zeros(2, "<f4").tobytes())
    save(identity_model([bad]), "bad_size.onnx")
    s = helper.make_tensor("names", TensorProto.STRING, [1], [b"a"])
    save(identity_model([s]), "string_init.onnx")


def gen_symbolic():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", None, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, "H", None, 4])
    save(model([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y]), "symbolic.onnx")


def gen_constants():
    nodes = [
        helper.make_node("Constant", [], ["c_t"], name="c0",
                         value=numpy_helper.from_array(np.array([[1, 2, 3]], np.int32))),
        helper.make_node("Constant", [], ["c_f"], name="c1", value_float=2.5),
        helper.make_node("Constant", [], ["c_is"], name="c2", value_ints=[4, 5]),
        helper.make_node("ConstantOfShape", ["c_is"], ["filled"], name="cos",
                         value=numpy_helper.from_array(np.array([7], np.int64))),
        helper.make_node("Add", ["x", "c_f"], ["y"], name="add"),
    ]
    save(model(nodes, [vi("x")], [vi("y"), helper.make_tensor_value_info(
        "filled", TensorProto.INT64, [4, 5])]), "constants.onnx")


def gen_legacy():
    """Opset-6/7 forms that the frontend rewrites into the newest inputs."""
    mk = helper.make_node
    nodes = [
        mk("Slice", ["x"], ["s"], name="slice", starts=[0, 1], ends=[1, 3], axes=[0, 2]),
        mk("Clip", ["x"], ["c"], name="clip", min=-1.0, max=6.0),
        mk("Squeeze", ["s"], ["q"], name="squeeze", axes=[0]),
        mk("Unsqueeze", ["x"], ["u"], name="unsqueeze", axes=[0, 4]),
        mk("Pad", ["x"], ["p"], name="pad", pads=[0, 0, 1, 0, 0, 2], value=1.5),
        mk("Split", ["x"], ["sp0", "sp1"], name="split", axis=2, split=[1, 3]),
        mk("TopK", ["x"], ["tv", "ti"], name="topk", k=2),
        mk("ReduceSum", ["x"], ["rs"], name="rsum", axes=[1], keepdims=0),
        mk("Dropout", ["x"], ["dr"], name="dropout", ratio=0.25, is_test=1),
        mk("Softmax", ["x"], ["sm"], name="softmax", axis=1),
        mk("Add", ["x", "b"], ["ab"], name="add_axis", broadcast=1, axis=1),
    ]
    outs = ["s", "c", "q", "u", "p", "sp0", "sp1", "tv", "ti", "rs", "dr", "sm", "ab"]
    save(model(nodes, [vi("x", shape=[2, 3, 4]), vi("b", shape=[3])],
               [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outs],
               opset=6), "legacy_v6.onnx")
    up = mk("Upsample", ["x"], ["up"], name="upsample", scales=[1.0, 2.0, 3.0], mode="nearest")
    save(model([up], [vi("x", shape=[2, 3, 4])], [vi("up", shape=[2, 6, 12])], opset=7),
         "upsample_v7.onnx")


def gen_tensor_files():
    t = numpy_helper.from_array(np.array([[1.0, -2.0, 3.5]], np.float32), "t")
    with open(os.path.join(OUT, "tensor_f32.pb"), "wb") as f:
        f.write(t.SerializeToString())
    np.save(os.path.join(OUT, "small_i16.npy"), np.array([[1, -2, 300], [4, 5, -32768]], np.int16))
    np.save(os.path.join(OUT, "scalar_f64.npy"), np.array(0.125, np.float64))


def main():
    os.makedirs(OUT, exist_ok=True)
    gen_dtypes()
    gen_external()
    gen_errors()
    gen_symbolic()
    gen_constants()
    gen_legacy()
    gen_tensor_files()
    return 0


if __name__ == "__main__":
    sys.exit(main())
