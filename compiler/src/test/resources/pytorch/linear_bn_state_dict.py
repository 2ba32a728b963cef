"""Writes a PyTorch-style state_dict of Linear(4, 8) -> BatchNorm1d(8) -> ReLU -> Linear(8, 3)
as a .safetensors file, with the bytes laid out by hand with NumPy (no safetensors package, no
gradc code), plus inputs and the eval-mode outputs for ImportPyTorchTest.

Usage: python3 linear_bn_state_dict.py OUT_DIR
Writes OUT_DIR/net.safetensors, OUT_DIR/x.f32 (raw little-endian float32 [16, 4]) and
OUT_DIR/y.f32 ([16, 3]), and prints "torch" or "numpy": which produced the reference outputs.
With PyTorch installed the network is real: trained for a few steps in train mode (so the running
statistics are not the initial ones), then evaluated with model.eval(). Without it, NumPy makes
the same tensors with the same names, shapes and dtypes (int64 num_batches_tracked included) and
computes the eval-mode forward pass itself.
"""
import json
import struct
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
x = rng.standard_normal((16, 4)).astype(np.float32)

try:
    import torch

    torch.manual_seed(7)
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net.train()
    for step in range(5):
        batch = torch.from_numpy(rng.standard_normal((32, 4)).astype(np.float32))
        loss = net(batch).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        y = net(torch.from_numpy(x)).numpy()
    state = {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}
    source = "torch"
except ImportError:
    state = {
        "0.weight": rng.standard_normal((8, 4)).astype(np.float32) * 0.5,
        "0.bias": rng.standard_normal(8).astype(np.float32) * 0.1,
        "1.weight": (1 + 0.1 * rng.standard_normal(8)).astype(np.float32),
        "1.bias": (0.1 * rng.standard_normal(8)).astype(np.float32),
        "1.running_mean": (0.2 * rng.standard_normal(8)).astype(np.float32),
        "1.running_var": (1 + 0.5 * rng.random(8)).astype(np.float32),
        "1.num_batches_tracked": np.array(5, dtype=np.int64),
        "3.weight": rng.standard_normal((3, 8)).astype(np.float32) * 0.5,
        "3.bias": rng.standard_normal(3).astype(np.float32) * 0.1,
    }
    s = state
    h = x.astype(np.float64) @ s["0.weight"].T.astype(np.float64) + s["0.bias"]
    h = (h - s["1.running_mean"]) / np.sqrt(s["1.running_var"].astype(np.float64) + 1e-5)
    h = np.maximum(h * s["1.weight"] + s["1.bias"], 0)
    y = (h @ s["3.weight"].T.astype(np.float64) + s["3.bias"]).astype(np.float32)
    source = "numpy"

# The safetensors layout, by hand: u64 header length, JSON header, raw little-endian data.
dtypes = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}
header, blobs, at = {"__metadata__": {"format": "pt"}}, [], 0
for name, a in state.items():
    data = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": dtypes[a.dtype], "shape": list(a.shape), "data_offsets": [at, at + len(data)]}
    blobs.append(data)
    at += len(data)
text = json.dumps(header).encode("utf-8")
with open(out + "/net.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for b in blobs:
        f.write(b)
x.astype("<f4").tofile(out + "/x.f32")
np.asarray(y, dtype="<f4").tofile(out + "/y.f32")
print(source)
