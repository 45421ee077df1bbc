#!/usr/bin/env python3
"""PyTorch twin of `zoo bench`, for scripts/bench_vs_pytorch.sh.

    bench_pytorch.py run [--threads N] [--quick] [--only mlp/128,dae/128]
        times the workloads and prints one JSON object shaped like
        `zoo bench --json`: {"framework", "threads", "workloads": [...]}.
    bench_pytorch.py table FILE...
        reads the JSON of runs (PyTorch and zoo) and prints the comparison
        table in Markdown.

The workloads are those of zoo's bench package (bench/workload.go): float32,
random data, plain SGD (lr 0.01), timed per training step after 3 warm-up
steps for at least 3 s; the median step gives samples/s.

  mlp  784-1000-1000-1000-10, sigmoid, softmax cross-entropy
  dae  784-1000-784 (untied), sigmoid code and output, 25 % masking noise
       drawn every step, mean squared error against the clean input
  conv conv-ae-mnist's convolutional autoencoder on 1×28×28 pictures:
       3×3 convolutions (padding 1) of 16 and 8 filters, ReLU, each
       followed by 2×2 max pooling, then 8 filters (a 7×7×8 code); the
       decoder 8, 8 (then nearest upsampling to 14×14) and 16 filters
       (then to 28×28), ReLU, and one 3×3 filter; binary cross-entropy
       with logits against the input

A developer tool (Debian's python3-torch and python3-numpy); zoo does not
depend on it.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

WORKLOADS = [("mlp", 128), ("dae", 128), ("mlp", 32), ("dae", 32), ("mlp", 1), ("conv", 128)]
INPUTS = 784
MASK = 0.25
LR = 0.01


# The conv workload's convolutions: input and output channels, and the
# side of their (square) pictures, as bench/workload.go's convLayers.
CONV = [(1, 16, 28), (16, 8, 14), (8, 8, 7), (8, 8, 7), (8, 8, 7), (8, 16, 14), (16, 1, 28)]


def layers(name):
    """The [in, out] of every product, and its rows per example."""
    if name == "conv":
        return [(i * 9, o, s * s) for i, o, s in CONV]
    if name == "dae":
        return [(INPUTS, 1000, 1), (1000, INPUTS, 1)]
    return [(INPUTS, 1000, 1), (1000, 1000, 1), (1000, 1000, 1), (1000, 10, 1)]


def flops(name, batch):
    # Forward, weight and input gradients, but no input gradient for the
    # first layer (the data needs none): as bench.Workload.FLOPs counts.
    ls = layers(name)
    return batch * (6 * sum(i * o * p for i, o, p in ls) - 2 * ls[0][0] * ls[0][1] * ls[0][2])


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def build(torch, name, batch, gen):
    nn = torch.nn
    if name == "mlp":
        model = nn.Sequential(
            nn.Linear(INPUTS, 1000), nn.Sigmoid(),
            nn.Linear(1000, 1000), nn.Sigmoid(),
            nn.Linear(1000, 1000), nn.Sigmoid(),
            nn.Linear(1000, 10))
        loss_fn = nn.CrossEntropyLoss()
        data = [(torch.rand(batch, INPUTS, generator=gen),
                 torch.randint(0, 10, (batch,), generator=gen)) for _ in range(4)]
    elif name == "conv":
        def conv(i, o):
            return nn.Conv2d(i, o, 3, padding=1)
        model = nn.Sequential(
            conv(1, 16), nn.ReLU(), nn.MaxPool2d(2),
            conv(16, 8), nn.ReLU(), nn.MaxPool2d(2),
            conv(8, 8), nn.ReLU(),
            conv(8, 8), nn.ReLU(),
            conv(8, 8), nn.ReLU(), nn.Upsample(size=(14, 14), mode="nearest"),
            conv(8, 16), nn.ReLU(), nn.Upsample(size=(28, 28), mode="nearest"),
            conv(16, 1))
        loss_fn = nn.BCEWithLogitsLoss()
        data = [torch.rand(batch, 1, 28, 28, generator=gen) for _ in range(4)]
    else:
        model = nn.Sequential(nn.Linear(INPUTS, 1000), nn.Sigmoid(),
                              nn.Linear(1000, INPUTS), nn.Sigmoid())
        loss_fn = nn.MSELoss()
        data = [torch.rand(batch, INPUTS, generator=gen) for _ in range(4)]
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    state = {"i": 0}

    def step():
        d = data[state["i"] % len(data)]
        state["i"] += 1
        opt.zero_grad(set_to_none=True)
        if name == "mlp":
            x, y = d
            loss = loss_fn(model(x), y)
        elif name == "conv":
            loss = loss_fn(model(d), d)
        else:
            keep = torch.rand(d.shape, generator=gen) >= MASK
            loss = loss_fn(model(d * keep), d)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def run(args):
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    warmup, min_steps, min_time = (1, 3, 0.2) if args.quick else (3, 10, 3.0)
    wanted = WORKLOADS
    if args.only:
        wanted = []
        for s in args.only.split(","):
            name, _, b = s.partition("/")
            wanted.append((name, int(b) if b else 128))
    out = {
        "framework": "pytorch " + torch.__version__,
        "threads": "torch %d, OPENBLAS_NUM_THREADS=%s" % (
            torch.get_num_threads(), os.environ.get("OPENBLAS_NUM_THREADS", "unset")),
        "load": os.getloadavg(),
        "workloads": [],
    }
    with torch.no_grad():
        a = torch.rand(1024, 1024)
        b = torch.rand(1024, 1024)
        torch.mm(a, b)
        times = []
        t_end = time.perf_counter() + (min_time if args.quick else 2.0)
        while len(times) < 3 or time.perf_counter() < t_end:
            t0 = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - t0)
        out["sgemm_gflops"] = 2 * 1024 ** 3 / statistics.median(times) / 1e9
    for name, batch in wanted:
        reset_peak()
        step = build(torch, name, batch, gen)
        for _ in range(warmup):
            step()
        times = []
        start = time.perf_counter()
        while len(times) < min_steps or time.perf_counter() - start < min_time:
            if len(times) >= 2000:
                break
            t0 = time.perf_counter()
            loss = step()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        out["workloads"].append({
            "name": name, "batch": batch,
            "samples_per_second": batch / med,
            "gflops": flops(name, batch) / med / 1e9,
            "step_ms": med * 1e3, "step_ms_min": min(times) * 1e3,
            "steps": len(times), "peak_rss_mib": peak_rss_mib(), "loss": loss,
        })
        print("pytorch %-3s batch %3d: %8.0f samples/s" % (name, batch, batch / med), file=sys.stderr)
    json.dump(out, sys.stdout, indent=2)
    print()


def table(args):
    """Rounds are told apart by a file name prefix rN- (scripts/bench_vs_pytorch.sh);
    the rest of the name, less pytorch-/zoo- and .json, names the setting."""
    rounds = {}  # round -> {"torch": [workload maps], "zoo": {setting: workload map}}
    settings, keys, lines = [], [], []
    for path in args.files:
        with open(path) as f:
            r = json.load(f)
        base = os.path.basename(path)
        rnd, rest = "1", base
        m = re.match(r"r(\d+)-(.*)", base)
        if m:
            rnd, rest = m.group(1), m.group(2)
        ws = {(w["name"], w["batch"]): w for w in r["workloads"]}
        for k in ws:
            if k not in keys:
                keys.append(k)
        rd = rounds.setdefault(rnd, {"torch": [], "zoo": {}})
        label = r.get("framework") or ("zoo, " + r["blas"])
        if "threads" in r:
            label += " (" + r["threads"] + ")"
        extra = ""
        if "sgemm_gflops" in r:
            extra = ", SGEMM 1024³ %.0f GFLOP/s" % r["sgemm_gflops"]
        load = r.get("load") or r.get("machine", {}).get("load")
        if load:
            extra += ", load %.2f %.2f %.2f" % tuple(load[:3])
        lines.append("- %s: %s%s" % (base, label, extra))
        if "framework" in r:
            rd["torch"].append(ws)
            continue
        name = re.sub(r"^zoo-|\.json$", "", rest)
        rd["zoo"][name] = ws
        if name not in settings:
            settings.append(name)

    def best_torch(rd, k):
        vals = [ws[k] for ws in rd["torch"] if k in ws]
        return max(vals, key=lambda w: w["samples_per_second"]) if vals else None

    def fmt_ratios(rs):
        if not rs:
            return "–"
        s = " / ".join("%.2f" % x for x in rs)
        return s + (" → **%.2f×**" % statistics.median(rs) if len(rs) > 1 else "×")

    print("Runs:")
    print("\n".join(lines))
    print()
    order = sorted(rounds, key=int)
    head = ["workload", "batch", "PyTorch samples/s"]
    for z in settings:
        head += ["zoo %s samples/s" % z, "zoo %s / PyTorch, per round → median" % z]
    head += ["peak MiB: PyTorch"] + ["zoo %s" % z for z in settings]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for k in keys:
        torch_sps, torch_mib = [], []
        for rn in order:
            t = best_torch(rounds[rn], k)
            if t:
                torch_sps.append(t["samples_per_second"])
                torch_mib.append(t["peak_rss_mib"])
        med = lambda xs: "%.0f" % statistics.median(xs) if xs else "–"
        row = [k[0], str(k[1]), med(torch_sps)]
        mibs = []
        for z in settings:
            sps, ratios, mib = [], [], []
            for rn in order:
                rd = rounds[rn]
                w, t = rd["zoo"].get(z, {}).get(k), best_torch(rd, k)
                if w:
                    sps.append(w["samples_per_second"])
                    mib.append(w["peak_rss_mib"])
                    if t:
                        ratios.append(w["samples_per_second"] / t["samples_per_second"])
            row += [med(sps), fmt_ratios(ratios)]
            mibs.append(med(mib))
        row += [med(torch_mib)] + mibs
        print("| " + " | ".join(row) + " |")
    print()
    print("%d round%s; samples/s and memory are medians over the rounds; each ratio is zoo over"
          " the better PyTorch setting in the same round." % (len(order), "" if len(order) == 1 else "s"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    r.add_argument("--quick", action="store_true")
    r.add_argument("--only", default="")
    t = sub.add_parser("table")
    t.add_argument("files", nargs="+")
    args = p.parse_args()
    run(args) if args.cmd == "run" else table(args)


if __name__ == "__main__":
    main()
