#!/usr/bin/env python3
"""Score a zoo run on the MNIST test digits with NumPy alone.

    scripts/interop_numpy.py RUN [--mnist DIR] [--limit N] [--json] [--save-model OUT]

RUN is a run directory (its model.safetensors is read) or a .safetensors
file. Nothing of zoo is imported: the file is parsed by hand (an 8-byte
little-endian header length, a JSON header, raw little-endian tensors), the
architecture is read from the header's metadata, and the test digits from
the MNIST IDX files (gzip) in DIR (default: the copies zoo embeds,
datasets/mnist beside this script). docs/interop.md explains each step.

A classifier (layers.K.*) prints its test error and mean cross-entropy; an
autoencoder (encoder.K.*, decoder.K.*) its mean reconstruction loss. The
digits scored are the first N of the 10,000 test digits: --limit N, else the
recipe's data.test (what `zoo eval` scores), else all of them.

The forward pass runs in the file's dtype (float32 for zoo's runs), as zoo
does; --json also reports how many digits' top two logits are closer than
1e-4, the only ones whose class a different summation order could flip.

--save-model OUT also writes the weights back out as a zoo model file, the
way a PyTorch user's own code would (docs/interop.md): the tensors in the
model's parameter order, the architecture under the zoo.model metadata key.

Needs Python 3 and NumPy (Debian: apt-get install python3-numpy).
"""

import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}


def fail(msg):
    print(f"interop_numpy: {msg}", file=sys.stderr)
    sys.exit(1)


def read_safetensors(path):
    """Returns ({name: array}, metadata) of the safetensors file at path."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail(f"{path}: {len(data)} bytes, too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        fail(f"{path}: header of {n} bytes runs past the end of the file")
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, t in header.items():
        dt = DTYPES.get(t["dtype"])
        if dt is None:
            fail(f"{path}: tensor {name} has dtype {t['dtype']}, want F32 or F64")
        begin, end = t["data_offsets"]
        a = np.frombuffer(body[begin:end], dtype=dt)
        tensors[name] = a.reshape(t["shape"])
    return tensors, meta


def write_safetensors(path, tensors, metadata):
    """Writes tensors ({name: array}, stored in the dict's order) and
    metadata ({str: str}) to path as a safetensors file."""
    header, offset = {}, 0
    for name, a in tensors.items():
        dtype = {np.dtype("float32"): "F32", np.dtype("float64"): "F64"}[a.dtype]
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the data section starts 8-byte aligned
    with open(path, "xb") as f:  # never overwrite
        f.write(struct.pack("<Q", len(text)) + text)
        for a in tensors.values():
            f.write(np.ascontiguousarray(a, a.dtype.newbyteorder("<")).tobytes())


def save_model(path, w, family, layers, decoder, tied, output):
    """Writes w as a zoo model file (what runs.LoadModel reads): the tensors
    in the order of the model's parameters, and the architecture as JSON
    under the zoo.model metadata key."""
    order = []
    if family == "mlp":
        for k in range(len(layers) + 1):
            order += [f"layers.{k}.weight", f"layers.{k}.bias"]
        config = {"inputs": w["layers.0.weight"].shape[0], "hidden": layers,
                  "classes": w[f"layers.{len(layers)}.bias"].shape[0]}
    else:
        for k in range(len(layers)):
            order += [f"encoder.{k}.weight", f"encoder.{k}.bias"]
        L = len(layers) if tied else len(decoder if decoder is not None else layers[:-1]) + 1
        for j in range(L):
            order += ([] if tied else [f"decoder.{j}.weight"]) + [f"decoder.{j}.bias"]
        config = {"inputs": w["encoder.0.weight"].shape[0], "encoder": layers,
                  "decoder": decoder, "output": output, "tied": tied}
    if w[order[0]].dtype == np.float64:
        config["dtype"] = "float64"
    if sorted(order) != sorted(w):
        fail(f"the file's tensors {sorted(w)} are not the {family}'s {sorted(order)}")
    meta = {"zoo.model": json.dumps({"format": 1, "family": family, "config": config})}
    write_safetensors(path, {name: w[name] for name in order}, meta)


def read_idx_gz(path, magic):
    """Returns the array of the gzipped IDX file at path."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    (m,) = struct.unpack(">I", data[:4])
    if m != magic:
        fail(f"{path}: magic 0x{m:08x}, want 0x{magic:08x}")
    dims = struct.unpack(">" + "I" * (m & 0xFF), data[4 : 4 + 4 * (m & 0xFF)])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def recipe_model(text):
    """Reads the model, data.test and loss from zoo.recipe, the recipe as
    zoo wrote it (YAML in zoo's own layout: two-space indents, one key per
    line). Returns a dict like the JSON under zoo.model, plus "test" and
    "loss"."""
    out = {"layers": [], "decoder": None, "tied": False, "output": "", "test": 0, "loss": ""}
    section, listkey = None, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, _, value = line.strip().lstrip("- ").partition(":")
        value = value.strip()
        if indent == 0:
            section, listkey = key, None
            if key == "loss":
                out["loss"] = value
            continue
        if section == "data" and indent == 2 and key == "test":
            out["test"] = int(value)
        if section != "model":
            continue
        if indent == 2:
            listkey = key if key in ("layers", "encoder", "decoder") else None
            if key == "decoder":  # [] is no hidden decoder layer; absent mirrors the encoder
                out["decoder"] = []
            if key == "type":
                out["type"] = value
            elif key == "tied":
                out["tied"] = value == "true"
            elif key == "output":
                out["output"] = value
            continue
        if listkey is None:
            continue
        dest = out["decoder"] if listkey == "decoder" else out["layers"]
        if line.strip().startswith("- "):
            dest.append({})
        if key in ("units", "activation"):
            dest[-1][key] = int(value) if key == "units" else value
    return out


def architecture(meta):
    """Returns (family, hidden or encoder layers, decoder layers, tied,
    output activation, loss, data.test) from a zoo file's metadata."""
    if "zoo.model" in meta:  # a model file (runs.SaveModel, runs.WriteRun)
        j = json.loads(meta["zoo.model"])
        c = j["config"]
        if j["family"] == "mlp":
            return "mlp", c["hidden"] or [], [], False, "", "", 0
        return ("autoencoder", c["encoder"], c.get("decoder"), c.get("tied", False),
                c.get("output", ""), "", 0)
    if "zoo.recipe" not in meta:
        fail("no zoo.model or zoo.recipe metadata: not a file zoo wrote")
    r = recipe_model(meta["zoo.recipe"])
    family = "autoencoder" if r.get("type") == "autoencoder" else "mlp"  # an sdae ends as an mlp
    return family, r["layers"], r["decoder"], r["tied"], r["output"], r["loss"], r["test"]


def act(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name in ("linear", ""):
        return z
    fail(f"unknown activation {name!r}")


def mlp_logits(w, hidden, x):
    """x·W + b per layer ([in, out] weights), the hidden activations between."""
    h = x
    for k, layer in enumerate(hidden):
        h = act(layer["activation"], h @ w[f"layers.{k}.weight"] + w[f"layers.{k}.bias"])
    k = len(hidden)
    return h @ w[f"layers.{k}.weight"] + w[f"layers.{k}.bias"]


def autoencoder_logits(w, encoder, decoder, tied, x):
    """The reconstruction's logits z (before the output activation)."""
    h = x
    for k, layer in enumerate(encoder):
        h = act(layer["activation"], h @ w[f"encoder.{k}.weight"] + w[f"encoder.{k}.bias"])
    L = len(encoder)
    if tied:  # decoder.j uses the transpose of encoder.(L-1-j)'s weight
        acts = [encoder[L - 2 - j]["activation"] for j in range(L - 1)]
        weights = [w[f"encoder.{L - 1 - j}.weight"].T for j in range(L)]
    else:
        hidden = decoder if decoder is not None else [encoder[k] for k in range(L - 2, -1, -1)]
        acts = [layer["activation"] for layer in hidden]
        weights = [w[f"decoder.{j}.weight"] for j in range(len(hidden) + 1)]
    for j, W in enumerate(weights):
        h = h @ W + w[f"decoder.{j}.bias"]
        if j < len(weights) - 1:
            h = act(acts[j], h)
    return h


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="a run directory or a .safetensors file")
    p.add_argument("--mnist", default=os.path.join(here, "..", "datasets", "mnist"),
                   help="directory of t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz")
    p.add_argument("--limit", type=int, default=0, help="score the first N test digits")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--save-model", metavar="OUT",
                   help="also write the weights to OUT, a new file, as a zoo model file (runs.LoadModel)")
    a = p.parse_args()

    path = os.path.join(a.run, "model.safetensors") if os.path.isdir(a.run) else a.run
    w, meta = read_safetensors(path)
    family, layers, decoder, tied, output, loss, test = architecture(meta)
    if a.save_model:
        try:
            save_model(a.save_model, w, family, layers, decoder, tied, output)
        except FileExistsError:
            fail(f"--save-model {a.save_model}: the file exists; choose a new name")

    images = read_idx_gz(os.path.join(a.mnist, "t10k-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx_gz(os.path.join(a.mnist, "t10k-labels-idx1-ubyte.gz"), 0x801)
    n = a.limit or test or len(labels)
    if n < 1 or n > len(labels):
        fail(f"--limit {n}: want 1 to {len(labels)}")
    first = "layers.0.weight" if family == "mlp" else "encoder.0.weight"
    dt = w[first].dtype
    # zoo's pixels: byte / 255, rounded once to the model's dtype.
    x = (images[:n].reshape(n, -1).astype(dt) / dt.type(255)).astype(dt)
    y = labels[:n].astype(np.int64)

    res = {"file": path, "family": family, "n": n}
    if family == "mlp":
        z = mlp_logits(w, layers, x)
        pred = z.argmax(axis=1)  # the first maximum, as zoo's
        z64 = z.astype(np.float64)
        zmax = z64.max(axis=1, keepdims=True)
        logp = z64 - zmax - np.log(np.exp(z64 - zmax).sum(axis=1, keepdims=True))
        top2 = np.sort(z64, axis=1)[:, -2:]
        res.update(wrong=int((pred != y).sum()), error=float((pred != y).mean()),
                   loss=float(-logp[np.arange(n), y].mean()),
                   near_ties=int((top2[:, 1] - top2[:, 0] < 1e-4).sum()),
                   min_gap=float((top2[:, 1] - top2[:, 0]).min()))
        text = f"{path}: test error {100 * res['error']:.2f}% ({res['wrong']} of {n} wrong)  test loss {res['loss']:.4f}"
    else:
        z = autoencoder_logits(w, layers, decoder, tied, x).astype(np.float64)
        t = x.astype(np.float64)
        if loss == "bce" or (loss == "" and output == "sigmoid"):
            per = (np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)
            loss = "bce"
        else:
            per = ((act(output, z) - t) ** 2).mean(axis=1)
            loss = "mse"
        res.update(loss=float(per.mean()), reconstruction=loss)
        text = f"{path}: test reconstruction loss ({loss}) {res['loss']:.4f}  on {n} examples"
    print(json.dumps(res) if a.json else text)


if __name__ == "__main__":
    main()
