"""Python side of scripts/bench-peers: times the Python MI estimators a user would otherwise pick
on the datasets in DIR and prints them next to mist's timings (DIR/mist.json, written by
`cargo bench -p mist --bench peers -- DIR`) as Markdown tables with time ratios mist / peer.

Usage: python scripts/bench_peers.py DIR COMMAND  (COMMAND is echoed as the last output line)

Peers: BMI (benchmark-mi) KSG with k = 5, CCA, InfoNCE (training capped at INFONCE_STEPS
steps), and scikit-learn's mutual_info_regression (k = 5, univariate, so d = 1 only).
Each is timed as one warm-up call, then the median of 3 or more calls. BMI's neural estimators
jit-compile their training step inside every call, so InfoNCE times include that compilation.
"""

import json
import math
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version

import numpy as np
from bmi.estimators import (
    CCAMutualInformationEstimator,
    InfoNCEEstimator,
    KSGEnsembleFirstEstimator,
)
from sklearn.feature_selection import mutual_info_regression

RHO = 0.5
INFONCE_STEPS = 1000
BUDGET_S = 1.5


def timed(estimate, x, y):
    """The estimate and the median seconds per call: a warm-up call, then as many calls as fit
    in BUDGET_S (at least 3, at most 25)."""
    start = time.perf_counter()
    value = float(estimate(x, y))
    first = time.perf_counter() - start
    times = []
    for _ in range(min(max(int(BUDGET_S / first), 3), 25)):
        start = time.perf_counter()
        estimate(x, y)
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def infonce(x, y):
    # BMI's default batch (256) exceeds the training half of n = 100 rows.
    batch = min(256, len(x) // 2)
    return InfoNCEEstimator(max_n_steps=INFONCE_STEPS, batch_size=batch, verbose=False, seed=42).estimate(x, y)


PEERS = {
    "BMI KSG": lambda x, y: KSGEnsembleFirstEstimator(neighborhoods=(5,), n_jobs=1).estimate(x, y),
    "BMI CCA": lambda x, y: CCAMutualInformationEstimator().estimate(x, y),
    f"BMI InfoNCE ({INFONCE_STEPS} steps)": infonce,
    "sklearn mi_regression": lambda x, y: mutual_info_regression(x, y[:, 0], n_neighbors=5, random_state=0)[0],
}


def cell(value, spec):
    return "—" if value is None or math.isnan(value) else format(value, spec)


def main():
    folder, command = sys.argv[1], sys.argv[2]
    mist = json.load(open(os.path.join(folder, "mist.json")))
    packages = ", ".join(f"{p} {version(p)}" for p in ("benchmark-mi", "jax", "jaxlib", "scikit-learn", "numpy"))
    print(f"Python {platform.python_version()}: {packages}")
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"mist: {mist['model']} (one thread per call), mist KSG k = 5 on {mist['ksg_threads']} rayon threads.")
    print(f"Data: dx = dy = d, Y_c = {RHO} X_c + sqrt({1 - RHO**2}) noise (numpy default_rng((7, n, d))); "
          f"truth = -d/2 ln(1 - {RHO}^2). Times: median seconds per estimate after a warm-up call.\n")

    tools = ["mist", "mist KSG"] + list(PEERS)
    estimates, seconds = {}, {}
    for row in mist["rows"]:
        key = (row["n"], row["d"])
        x = np.load(os.path.join(folder, f"{row['name']}_x.npy"))
        y = np.load(os.path.join(folder, f"{row['name']}_y.npy"))
        estimates[key] = {"mist": row["mist_mi"], "mist KSG": row["ksg_mi"]}
        seconds[key] = {"mist": row["mist_s"], "mist KSG": row["ksg_s"]}
        for name, estimate in PEERS.items():
            if name.startswith("sklearn") and row["d"] != 1:
                continue
            estimates[key][name], seconds[key][name] = timed(estimate, x, y)
        print(f"timed n = {key[0]}, d = {key[1]}", file=sys.stderr, flush=True)

    header = "| n | d | " + " | ".join(tools)
    rule = "|---:|---:|" + "---:|" * len(tools)
    print("## Seconds per estimate\n\n" + header + " |\n" + rule)
    for (n, d), s in seconds.items():
        print(f"| {n} | {d} | " + " | ".join(cell(s.get(t), ".3g") for t in tools) + " |")

    print("\n## Estimates (nats)\n\n" + header + " | truth |\n" + rule + "---:|")
    for (n, d), e in estimates.items():
        truth = -d / 2 * math.log(1 - RHO**2)
        print(f"| {n} | {d} | " + " | ".join(cell(e.get(t), ".3f") for t in tools) + f" | {truth:.3f} |")

    peers = tools[1:]
    print("\n## Time ratio mist / peer (below 1: mist is faster)\n\n| n | d | "
          + " | ".join(peers) + " |\n|---:|---:|" + "---:|" * len(peers))
    for (n, d), s in seconds.items():
        ratios = [s["mist"] / s[t] if s.get("mist") and s.get(t) else None for t in peers]
        print(f"| {n} | {d} | " + " | ".join(cell(r, ".3g") for r in ratios) + " |")
    print(f"\n{command}")


if __name__ == "__main__":
    main()
