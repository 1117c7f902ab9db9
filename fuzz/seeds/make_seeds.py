"""Writes the seed inputs of the fuzz corpora (fuzz/corpus/<target>/seed-*).

Run from the repository root with the `onnx` and `numpy` packages (scripts/setup-onnxruntime
--with-onnx-checker makes .venv with them):

    .venv/bin/python fuzz/seeds/make_seeds.py

The committed corpora started from these seeds; `scripts/fuzz cmin` renames the inputs it keeps to
their SHA-1 (and drops those that add no coverage), so this script documents and reproduces the
seeds rather than naming files of the corpora. The input formats are described in
fuzz/src/checks.rs.
"""

import io
import pathlib
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fuzz" / "corpus"


def write(target, name, data):
    path = CORPUS / target / f"seed-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------------------------
# ffi_input: calls, null_out, k, taus, extra datasets, then per dataset: rows, ny selector,
# x (cols, layout, constant bits), y (cols, layout, constant bits), then values (tagged bytes;
# the deterministic filler once the input runs out).
# ---------------------------------------------------------------------------------------------

ALL_CALLS = 0x1F


def ffi(calls=ALL_CALLS, null_out=0, k=3, taus=(0, 1, 2), extra=(), main=None, values=b""):
    data = bytearray([calls, null_out, k, len(taus), *taus, len(extra)])
    for ds in [main or dataset()] + list(extra):
        data += ds
    return data + values


def dataset(n=50, ny=None, x=(2, 0, 0), y=(1, 0, 0)):
    data = bytearray([n, 0] if ny is None else [n, 7, ny])
    for rows, (cols, layout, constant) in ((n, x), (n if ny is None else ny, y)):
        data += bytes([cols, layout, constant])
        if rows * cols == 0:
            data.append(0)  # the data pointer is not NULL
    return data


def ffi_seeds():
    write("ffi_input", "basic", ffi())
    write("ffi_input", "col-major", ffi(main=dataset(40, x=(3, 1, 0), y=(2, 1, 0))))
    write("ffi_input", "batch3", ffi(extra=(dataset(20), dataset(60, x=(1, 0, 0), y=(4, 1, 0)))))
    write("ffi_input", "chunked", ffi(calls=0x1E, main=bytes([250, 100, 0, 2, 0, 0, 1, 0, 0])))
    write("ffi_input", "bad-layout", ffi(main=bytes([30, 0, 2, 255, 7, 0, 0, 0, 0, 1, 0, 0])))
    write("ffi_input", "constant-cols", ffi(main=dataset(30, x=(3, 0, 0b101), y=(2, 1, 0b11))))
    write("ffi_input", "row-mismatch", ffi(main=dataset(30, ny=29)))
    write("ffi_input", "too-wide", ffi(main=dataset(20, x=(40, 0, 0), y=(33, 1, 0))))
    write("ffi_input", "empty-null", ffi(main=bytes([0, 0, 0, 0, 0, 1, 1, 0, 0, 1])))
    write("ffi_input", "k0-bad-taus", ffi(k=0, taus=(5, 6, 7, 8, 9)))
    write("ffi_input", "k-max", ffi(k=128, taus=(3, 4)))  # k = SIZE_MAX
    write("ffi_input", "k-max-minus-1", ffi(k=129, taus=(3, 4)))
    write("ffi_input", "null-out", ffi(null_out=0xFF))
    # Values: tag 7 + index picks a special value (0 = NaN, 1 = Inf, 3 = 1e-300, 6 = subnormal),
    # tag 6 + 8 bytes a raw bit pattern, tag 8 repeats the previous value.
    special = bytes([7, 3, 7, 6, 6]) + struct.pack("<d", 1e300) + bytes([8, 0, 7, 8])
    write("ffi_input", "extremes", ffi(main=dataset(12), values=special * 4))
    write("ffi_input", "nan", ffi(main=dataset(12), values=bytes([0, 4, 7, 0])))
    write("ffi_input", "ties", ffi(main=dataset(40), values=bytes([10, 1]) * 120))
    write("ffi_input", "empty", b"")


# ---------------------------------------------------------------------------------------------
# readers: byte 0 bit 0 = 0 CSV (byte 1: dims, 0 = from the header, else DIM_X << 4 | DIM_Y), 1 .npy
# ---------------------------------------------------------------------------------------------


def csv(text, dims=0):
    return bytes([0, dims]) + text.encode()


def npy_bytes(array, fortran=False):
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(array) if fortran else array)
    return buf.getvalue()


def npy_header(dict_text, data=b"", version=1):
    header = (dict_text + "\n").encode("latin1")
    prefix = 12 if version > 1 else 10
    header = header[:-1] + b" " * (-(prefix + len(header)) % 64) + b"\n"
    length = struct.pack("<I" if version > 1 else "<H", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header + data


def readers_seeds():
    write("readers", "csv-header", csv("X0,X1,Y0\n1,2,3\n4.5,-5e-3,6\n7,8,9\n"))
    write("readers", "csv-dims", csv("1,2,3\n4,5,6\n", dims=0x12))
    write("readers", "csv-quoted", csv('"x0" , "y0"\n" 1 ",2\n3,"4"\n', dims=0x11))
    write("readers", "csv-ragged", csv("1,2\n3,4,5\n", dims=0x11))
    write("readers", "csv-nan", csv("x,y\n1,nan\ninf,-inf\n1e400,2\n", dims=0x11))
    write("readers", "csv-crlf", csv("X0,Y0,Y1\r\n1,2,3\r\n\r\n4,5,6", dims=0))
    write("readers", "csv-not-utf8", bytes([0, 0x11]) + b"1,\xff\xfe\n2,3\n")
    write("readers", "csv-empty", csv("", dims=0x11))
    rng = np.random.default_rng(0)
    for name, arr, fortran in [
        ("npy-f8", rng.normal(size=(5, 2)), False),
        ("npy-f8-fortran", rng.normal(size=(3, 3)), True),
        ("npy-f4-1d", rng.normal(size=6).astype(np.float32), False),
        ("npy-i8", np.arange(8, dtype=np.int64).reshape(4, 2), False),
        ("npy-f8-big-endian", rng.normal(size=(4, 1)).astype(">f8"), False),
        ("npy-i4", np.arange(4, dtype=np.int32), False),
        ("npy-3d", np.zeros((2, 2, 2)), False),
        ("npy-empty", np.zeros((0, 3)), False),
        ("npy-scalar", np.float64(1.5), False),
    ]:
        write("readers", name, b"\x01" + npy_bytes(arr, fortran))
    data = np.zeros((300, 2)).tobytes()
    huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 2), }"
    write("readers", "npy-huge-shape", b"\x01" + npy_header(huge, data[:64]))
    overflow = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2), }"
    write("readers", "npy-overflow", b"\x01" + npy_header(overflow))
    v2 = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"
    write("readers", "npy-v2", b"\x01" + npy_header(v2, bytes(16), version=2))
    write("readers", "npy-v3", b"\x01" + npy_header(v2.replace("<f4", ">f4"), bytes(16), version=3))
    nested = "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(" * 200 + ")" * 200 + "}"
    write("readers", "npy-nested", b"\x01" + npy_header(nested))
    write("readers", "npy-long-claim", b"\x01\x93NUMPY\x02\x00\xff\xff\xff\xff{")
    write("readers", "npy-truncated", b"\x01" + npy_bytes(np.ones((4, 2)))[:-5])


# ---------------------------------------------------------------------------------------------
# model_loader: bytes as an ONNX model
# ---------------------------------------------------------------------------------------------

METADATA = {
    "mist.format": "1",
    "mist.max_dx": "4",
    "mist.max_dy": "4",
    "mist.min_n": "10",
    "mist.max_n": "50",
    "mist.preprocess": "rank_gauss",
    "mist.heads": "point,quantile",
    "mist.train": "fuzz seed",
}


def tiny_model(metadata=METADATA, dx=4, dy=4, summary=None, drop_input=None, rename_output=None):
    """A tiny model with MIST's inputs and outputs: mi = mean(row_mask), quantiles = tau."""
    f = TensorProto.FLOAT
    inputs = [
        helper.make_tensor_value_info("x", f, ["batch", "rows", dx]),
        helper.make_tensor_value_info("y", f, ["batch", "rows", dy]),
        helper.make_tensor_value_info("row_mask", f, ["batch", "rows"]),
        helper.make_tensor_value_info("x_col_mask", f, ["batch", dx]),
        helper.make_tensor_value_info("y_col_mask", f, ["batch", dy]),
        helper.make_tensor_value_info("tau", f, ["batch", "taus"]),
    ]
    if summary is not None:
        inputs.append(helper.make_tensor_value_info("summary", f, ["batch", summary]))
    inputs = [i for i in inputs if i.name != drop_input]
    mi, quantiles = "mi", rename_output or "quantiles"
    nodes = [
        helper.make_node("ReduceMean", ["row_mask"], [mi], keepdims=0, axes=[1]),
        helper.make_node("Identity", ["tau"], [quantiles]),
    ]
    outputs = [
        helper.make_tensor_value_info(mi, f, ["batch"]),
        helper.make_tensor_value_info(quantiles, f, ["batch", "taus"]),
    ]
    graph = helper.make_graph(nodes, "tiny", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    helper.set_model_props(model, metadata)
    return model.SerializeToString()


def skeleton_of_default_model():
    """The shipped model's graph with every large initializer replaced by a ConstantOfShape node
    (small, still loads and runs; its values are meaningless)."""
    model = onnx.load(str(ROOT / "models" / "mist-default.onnx"))
    graph = model.graph
    kept, nodes = [], []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        if array.size <= 16:
            kept.append(init)
            continue
        shape = numpy_helper.from_array(np.array(array.shape, dtype=np.int64), init.name + "/shape")
        kept.append(shape)
        value = helper.make_tensor("value", init.data_type, [1], [0.01] if array.dtype.kind == "f" else [1])
        nodes.append(helper.make_node("ConstantOfShape", [shape.name], [init.name], value=value))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    old = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + old)
    for node in graph.node:
        node.doc_string = ""
    return model.SerializeToString()


def model_seeds():
    write("model_loader", "tiny", tiny_model())
    write("model_loader", "tiny-summary7", tiny_model(summary=7))
    write("model_loader", "tiny-summary9", tiny_model(summary=9))
    write("model_loader", "tiny-width-mismatch", tiny_model(dx=3))
    write("model_loader", "tiny-no-y", tiny_model(drop_input="y"))
    write("model_loader", "tiny-bad-output", tiny_model(rename_output="q"))
    write("model_loader", "tiny-format2", tiny_model({**METADATA, "mist.format": "2"}))
    write("model_loader", "tiny-min-above-max", tiny_model({**METADATA, "mist.min_n": "60"}))
    write("model_loader", "tiny-zscore", tiny_model({**METADATA, "mist.preprocess": "zscore"}))
    write("model_loader", "tiny-no-metadata", tiny_model({}))
    write("model_loader", "skeleton", skeleton_of_default_model())
    real = (ROOT / "models" / "mist-default.onnx").read_bytes()
    for size in [0, 1, 16, 256, 4096]:
        write("model_loader", f"default-prefix-{size}", real[:size])
    flipped = bytearray(real[:4096])
    flipped[100] ^= 0xFF
    write("model_loader", "default-prefix-flipped", flipped)


if __name__ == "__main__":
    ffi_seeds()
    readers_seeds()
    model_seeds()
    for target in sorted(CORPUS.iterdir()):
        files = list(target.iterdir())
        print(f"{target.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
