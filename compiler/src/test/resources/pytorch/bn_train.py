"""Trains PyTorch networks with BatchNorm1d (and Dropout) and writes what BatchNormPyTorchTest
compares gradc against, as safetensors laid out by hand with NumPy (no gradc code).

Usage: python3 bn_train.py OUT_DIR  (needs torch; exits 3 without it)

A: Linear(4, 8) -> BatchNorm1d(8) -> ReLU -> Linear(8, 3), MSE, SGD(lr = 0.1): a_init (the
   state_dict before training), a_final (after 3 steps), batches a_x{k}.f32 [32, 4] and
   a_t{k}.f32 [32, 3].
B: the same with Dropout(0.3) after the ReLU, trained 3 steps, then model.eval(): b_final, the
   inputs b_x.f32 [16, 4] and the eval-mode outputs b_y.f32 [16, 3].
"""
import json
import struct
import sys

import numpy as np

try:
    import torch
except ImportError:
    sys.exit(3)

out = sys.argv[1]
rng = np.random.default_rng(11)
torch.manual_seed(11)


def save(name, state):
    dtypes = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    header, blobs, at = {"__metadata__": {"format": "pt"}}, [], 0
    for k, v in state.items():
        a = v.detach().cpu().numpy()
        data = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        header[k] = {"dtype": dtypes[a.dtype], "shape": list(a.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    text = json.dumps(header).encode("utf-8")
    with open(out + "/" + name + ".safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def train(net, prefix, steps):
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net.train()
    for k in range(steps):
        x = rng.standard_normal((32, 4)).astype(np.float32) * 2 + 0.5
        t = rng.standard_normal((32, 3)).astype(np.float32)
        x.astype("<f4").tofile(f"{out}/{prefix}_x{k}.f32")
        t.astype("<f4").tofile(f"{out}/{prefix}_t{k}.f32")
        loss = (net(torch.from_numpy(x)) - torch.from_numpy(t)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


a = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
)
save("a_init", a.state_dict())
train(a, "a", 3)
save("a_final", a.state_dict())

b = torch.nn.Sequential(
    torch.nn.Linear(4, 8),
    torch.nn.BatchNorm1d(8),
    torch.nn.ReLU(),
    torch.nn.Dropout(0.3),
    torch.nn.Linear(8, 3),
)
train(b, "b", 3)
save("b_final", b.state_dict())
b.eval()
x = rng.standard_normal((16, 4)).astype(np.float32)
with torch.no_grad():
    y = b(torch.from_numpy(x)).numpy()
x.astype("<f4").tofile(out + "/b_x.f32")
np.asarray(y, dtype="<f4").tofile(out + "/b_y.f32")
print("torch " + torch.__version__)
