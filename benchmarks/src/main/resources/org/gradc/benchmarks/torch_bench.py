#!/usr/bin/env python3
"""PyTorch side of the gradc end-to-end benchmark.

Trains the same workloads as the Java harness and prints one JSON object on stdout:
  - the Fashion-MNIST MLP (784-256-10, ReLU, softmax cross-entropy, Adam lr 1e-3, batch 64),
    one epoch over the 60,000 training images, first epoch and a second (warm) epoch timed apart;
  - the XOR net (2-8-1, tanh, MSE, SGD lr 0.1, batch 4), a fixed number of steps;
  - the Fashion-MNIST CNN of examples/FashionCnn.grad (conv 3x3 1->16 pad 1, ReLU, max-pool 2,
    conv 3x3 16->32 pad 1, ReLU, max-pool 2, dense 1568->128, ReLU, dense 128->10; Adam lr 1e-3,
    batch 64) on random images: a fixed number of warm-up steps, then a fixed number of timed steps.
Usage: torch_bench.py --threads N [--xor-steps S] [--cnn-steps S] [--images F --labels F]
"""
import argparse, gzip, json, resource, struct, sys, time

import torch

def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    t = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return t.reshape(dims)

def mlp_epochs(images, labels, epochs=2, batch=64, seed=0):
    torch.manual_seed(seed)
    x = images.reshape(images.shape[0], -1).float() / 255.0
    y = labels.long()
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times, float(loss)

def xor_steps(steps, seed=0):
    torch.manual_seed(seed)
    x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = torch.tensor([[0.], [1.], [1.], [0.]])
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.MSELoss()
    for _ in range(min(1000, steps)):  # warm-up
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return time.perf_counter() - start, float(loss)

def cnn_steps(warmup, steps, batch=64, seed=0):
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xs = [torch.rand(batch, 1, 28, 28) for _ in range(8)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(8)]
    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % 8]), ys[i % 8])
        loss.backward()
        opt.step()
        return loss
    start = time.perf_counter()
    for i in range(warmup):
        step(i)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(steps):
        loss = step(i)
    return warm, (time.perf_counter() - start) / steps, float(loss)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--xor-steps", type=int, default=20000)
    p.add_argument("--images", default="/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
    p.add_argument("--labels", default="/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz")
    p.add_argument("--skip-mlp", action="store_true")
    p.add_argument("--cnn-steps", type=int, default=0)
    p.add_argument("--cnn-warmup", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = {"torch": torch.__version__, "threads": a.threads}
    if not a.skip_mlp:
        times, loss = mlp_epochs(read_idx(a.images), read_idx(a.labels))
        out["mlp_first_epoch_s"], out["mlp_epoch_s"], out["mlp_loss"] = times[0], times[1], loss
    secs, loss = xor_steps(a.xor_steps)
    out["xor_steps"], out["xor_s"], out["xor_loss"] = a.xor_steps, secs, loss
    if a.cnn_steps > 0:
        warm, step, loss = cnn_steps(a.cnn_warmup, a.cnn_steps)
        out["cnn_warmup_s"], out["cnn_step_ms"], out["cnn_loss"] = warm, step * 1000.0, loss
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))

if __name__ == "__main__":
    sys.exit(main())
