"""The peer: HiGHS's MIP through scipy.optimize.milp (relative gap 1e-4) and
its LP relaxation, on a placement instance file (the JSON of `resettle place`).

Usage: python3 highs.py INSTANCE.json [--time-limit SECONDS] [--lp-only] [--assignment OUT.json]
Prints one JSON object: the MIP objective, its time and status, and the LP bound.
"""

import json
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix


def build(instance):
    dims = len(instance["dimensions"])
    fam = {f["id"]: i for i, f in enumerate(instance["families"])}
    mun = {m["id"]: j for j, m in enumerate(instance["municipalities"])}
    pairs = [(fam[s["family"]], mun[s["municipality"]], s["score"]) for s in instance["scores"]]
    n = len(pairs)
    rows, cols, vals = [], [], []
    # One row per family: placed at most once.
    for v, (f, _, _) in enumerate(pairs):
        rows.append(f)
        cols.append(v)
        vals.append(1.0)
    base = len(fam)
    demand = [f["demand"] for f in instance["families"]]
    for v, (f, m, _) in enumerate(pairs):
        for k in range(dims):
            if demand[f][k] != 0:
                rows.append(base + m * dims + k)
                cols.append(v)
                vals.append(demand[f][k])
    a = csr_matrix((vals, (rows, cols)), shape=(base + len(mun) * dims, n))
    upper = np.concatenate(
        [np.ones(base), np.array([c for m in instance["municipalities"] for c in m["capacity"]], dtype=float)]
    )
    c = -np.array([s for _, _, s in pairs])
    return c, LinearConstraint(a, -np.inf, upper), n, pairs


def main():
    path = sys.argv[1]
    limit = float(sys.argv[sys.argv.index("--time-limit") + 1]) if "--time-limit" in sys.argv else 3600.0
    with open(path) as fh:
        instance = json.load(fh)
    c, cons, n, pairs = build(instance)
    t0 = time.perf_counter()
    lp = milp(c, constraints=cons, bounds=Bounds(0, 1), integrality=np.zeros(n))
    lp_seconds = time.perf_counter() - t0
    if "--lp-only" in sys.argv:
        print(json.dumps({"instance": path, "lpBound": -lp.fun if lp.fun is not None else None, "lpSeconds": lp_seconds}))
        return
    t0 = time.perf_counter()
    mip = milp(
        c,
        constraints=cons,
        bounds=Bounds(0, 1),
        integrality=np.ones(n),
        options={"mip_rel_gap": 1e-4, "time_limit": limit, "disp": False},
    )
    mip_seconds = time.perf_counter() - t0
    if "--assignment" in sys.argv and mip.x is not None:
        fam = [f["id"] for f in instance["families"]]
        mun = [m["id"] for m in instance["municipalities"]]
        chosen = {fam[f]: mun[m] for v, (f, m, _) in enumerate(pairs) if mip.x[v] > 0.5}
        with open(sys.argv[sys.argv.index("--assignment") + 1], "w") as fh:
            json.dump(chosen, fh)
    print(
        json.dumps(
            {
                "instance": path,
                "lpBound": -lp.fun if lp.fun is not None else None,
                "lpSeconds": lp_seconds,
                "mipObjective": -mip.fun if mip.fun is not None else None,
                "mipSeconds": mip_seconds,
                "mipStatus": mip.message,
                "mipOptimal": bool(mip.status == 0),
                "mipDualBound": -getattr(mip, "mip_dual_bound", float("nan")),
            }
        )
    )


if __name__ == "__main__":
    main()
