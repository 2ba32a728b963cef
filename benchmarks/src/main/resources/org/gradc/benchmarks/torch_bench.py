#!/usr/bin/env python3
"""PyTorch side of the gradc end-to-end benchmark.

Trains the same workloads as the Java harness and prints one JSON object on stdout:
  - the Fashion-MNIST MLP (784-256-10, ReLU, softmax cross-entropy, Adam lr 1e-3, batch 64),
    one epoch over the 60,000 training images, first epoch and a second (warm) epoch timed apart;
  - the XOR net (2-8-1, tanh, MSE, SGD lr 0.1, batch 4), a fixed number of steps;
  - with --lstm-steps S (alone: --lstm-only), the Names LSTM of issue 12 (byte-level, T = 16,
    embedding 64, H = 128, Adam lr 3e-3, batch 64) on --words: ms per training step over S steps
    after a separate warm-up of S steps; with --lstm-epoch, also the mean training loss of the
    first epoch. --lstm-init chooses the initialization: names (default) is Names.grad's,
    PyTorch's own init with one bias (bias_hh zero and not trained, since Names.grad has one b);
    glorot is the issue's spelling of the model (Glorot-uniform weights, N(0, 0.1) embedding,
    zero biases, one bias); torch is PyTorch's defaults untouched (two trained biases).
  - the Fashion-MNIST CNN of examples/FashionCnn.grad (conv 3x3 1->16 pad 1, ReLU, max-pool 2,
    conv 3x3 16->32 pad 1, ReLU, max-pool 2, dense 1568->128, ReLU, dense 128->10; Adam lr 1e-3,
    batch 64) on random images: a fixed number of warm-up steps, then a fixed number of timed steps.
Usage: torch_bench.py --threads N [--xor-steps S] [--cnn-steps S] [--images F --labels F]
       [--lstm-steps S [--lstm-only] [--lstm-epoch] [--lstm-init names|glorot|torch] [--words F]]
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

def predict_latency(calls, seed=0):
    """One-example prediction of the MLP under torch.no_grad(): median and 99th percentile in us
    over `calls` calls after as many warm-up calls (what Workload gradc-predict measures)."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    model.eval()
    xs = [torch.rand(1, 784) for _ in range(64)]
    with torch.no_grad():
        for i in range(calls):
            torch.softmax(model(xs[i & 63]), dim=1)
        nanos = []
        for i in range(calls):
            t0 = time.perf_counter_ns()
            torch.softmax(model(xs[i & 63]), dim=1)
            nanos.append(time.perf_counter_ns() - t0)
    nanos.sort()
    return nanos[calls // 2] / 1e3, nanos[int(calls * 0.99)] / 1e3

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

# gradc's SplitMix64 and Dataset.order(seed, epoch), so both sides see the same batches
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)

def order(seed, epoch, n):
    state = mix(seed & MASK) ^ mix((epoch + GOLDEN) & MASK)
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + GOLDEN) & MASK
        j = (((mix(state) >> 33) * (i + 1)) >> 31)
        p[i], p[j] = p[j], p[i]
    return p

def text_lines(path, length):
    """gradc's TextLines: each non-empty line as '\n' + line + '\n', zero-padded or cut."""
    with open(path, "rb") as f:
        data = f.read()
    rows = []
    for line in data.split(b"\n"):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            continue
        seq = [10] + list(line[:length]) + [10]
        seq = (seq + [0] * (length + 1))[:length + 1]
        rows.append(seq)
    t = torch.tensor(rows, dtype=torch.long)
    return t[:, :length].contiguous(), t[:, 1:].contiguous()

class Names(torch.nn.Module):
    def __init__(self, init):
        super().__init__()
        self.emb = torch.nn.Embedding(256, 64)
        self.lstm = torch.nn.LSTM(64, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 256)
        if init == "glorot":
            def glorot(w, fan_in, fan_out):
                bound = (6.0 / (fan_in + fan_out)) ** 0.5
                torch.nn.init.uniform_(w, -bound, bound)
            with torch.no_grad():
                torch.nn.init.normal_(self.emb.weight, 0.0, 0.1)
                glorot(self.lstm.weight_ih_l0, 64, 512)   # Wx [64, 512], transposed
                glorot(self.lstm.weight_hh_l0, 128, 512)  # Wh [128, 512]
                self.lstm.bias_ih_l0.zero_()               # b [512]
                self.lstm.bias_hh_l0.zero_()
                glorot(self.out.weight, 128, 256)          # Wo [128, 256]
                self.out.bias.zero_()                      # bo [256]
        if init in ("names", "glorot"):
            # one bias, as in Names.grad: a second trained bias would move the sum twice as fast
            with torch.no_grad():
                self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_hh_l0.requires_grad_(False)

    def forward(self, x):
        h, _ = self.lstm(self.emb(x))
        return self.out(h)

def lstm_run(words, steps, epoch, init, batch=64, length=16, seed=7):
    """ms per step (warm-up of `steps` steps apart), and optionally the first epoch's mean loss.
    The loss is Names.grad's: the mean over every position of every row (padding included) of
    the next byte's cross-entropy, in nats."""
    torch.manual_seed(0)
    x, y = text_lines(words, length)
    n = x.shape[0]
    model = Names(init)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(idx):
        opt.zero_grad(set_to_none=True)
        logits = model(x[idx])
        loss = loss_fn(logits.reshape(-1, 256), y[idx].reshape(-1))
        loss.backward()
        opt.step()
        return float(loss)

    out = {}
    perm = torch.tensor(order(seed, 0, n))
    if epoch:
        # the first epoch from the fresh model: its mean loss, then the timing on the trained one
        start = time.perf_counter()
        total = 0.0
        count = 0
        for i in range(0, n, batch):
            total += step(perm[i:i + batch])
            count += 1
        out["lstm_epoch_s"] = time.perf_counter() - start
        out["lstm_epoch_loss"] = total / count
    batches = [perm[i:i + batch] for i in range(0, n - batch + 1, batch)]
    for s in range(steps):  # warm-up
        step(batches[s % len(batches)])
    start = time.perf_counter()
    for s in range(steps):
        loss = step(batches[(steps + s) % len(batches)])
    out["lstm_step_ms"] = (time.perf_counter() - start) * 1e3 / steps
    out["lstm_steps"] = steps
    out["lstm_loss"] = loss
    return out
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
    p.add_argument("--lstm-steps", type=int, default=0)
    p.add_argument("--lstm-only", action="store_true")
    p.add_argument("--lstm-epoch", action="store_true")
    p.add_argument("--lstm-init", choices=["names", "glorot", "torch"], default="names")
    p.add_argument("--words", default="/usr/share/dict/words")
    p.add_argument("--cnn-steps", type=int, default=0)
    p.add_argument("--predict-calls", type=int, default=0)
    p.add_argument("--cnn-warmup", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = {"torch": torch.__version__, "threads": a.threads}
    if a.lstm_steps > 0:
        out.update(lstm_run(a.words, a.lstm_steps, a.lstm_epoch, a.lstm_init))
    if a.lstm_only:
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps(out))
        return 0
    if not a.skip_mlp:
        times, loss = mlp_epochs(read_idx(a.images), read_idx(a.labels))
        out["mlp_first_epoch_s"], out["mlp_epoch_s"], out["mlp_loss"] = times[0], times[1], loss
    secs, loss = xor_steps(a.xor_steps)
    out["xor_steps"], out["xor_s"], out["xor_loss"] = a.xor_steps, secs, loss
    if a.predict_calls > 0:
        out["predict_median_us"], out["predict_p99_us"] = predict_latency(a.predict_calls)
    if a.cnn_steps > 0:
        warm, step, loss = cnn_steps(a.cnn_warmup, a.cnn_steps)
        out["cnn_warmup_s"], out["cnn_step_ms"], out["cnn_loss"] = warm, step * 1000.0, loss
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))

if __name__ == "__main__":
    sys.exit(main())
