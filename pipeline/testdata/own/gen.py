# Writes the tiny data sets of TestOwnData (pipeline/own_test.go): three
# classes of blobs, as CSV (4 features in [0, 1]) and as NPY (6×6 uint8
# "pictures": a bright square whose place is the class). Run once with
# NumPy installed: python3 gen.py. The files are committed; the tests do
# not need Python.
import csv
import random

import numpy as np

rng = random.Random(1)
centres = [(0.2, 0.8, 0.3, 0.5), (0.8, 0.2, 0.5, 0.3), (0.5, 0.5, 0.9, 0.9)]


def table(path, n):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["x1", "x2", "x3", "x4", "label"])
        for i in range(n):
            c = i % 3
            xs = [min(1.0, max(0.0, rng.gauss(m, 0.1))) for m in centres[c]]
            w.writerow(["%.3f" % x for x in xs] + [c])


def pictures(n):
    x = np.zeros((n, 6, 6), dtype=np.uint8)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = i % 3
        x[i] = np.array([[rng.randrange(40) for _ in range(6)] for _ in range(6)], dtype=np.uint8)
        r0 = 2 * c
        x[i, r0:r0 + 2, r0:r0 + 2] = 200 + rng.randrange(56)
        y[i] = c
    return x, y


table("train.csv", 240)
table("test.csv", 60)
x, y = pictures(240)
np.save("x.npy", x)
np.save("y.npy", y)
x, y = pictures(60)
np.save("test-x.npy", x)
np.save("test-y.npy", y)
