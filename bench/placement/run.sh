#!/usr/bin/env bash
# Placement benchmark: Resettle's solver, the greedy baseline and HiGHS's MIP
# (scipy.optimize.milp, relative gap 1e-4) with its LP relaxation, on the same
# seeded instance files. Prints one JSON line per instance and solver.
#   bash bench/placement/run.sh [OUT_DIR] [HIGHS_TIME_LIMIT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-target/placement-bench}"
limit="${2:-1800}"
python3 -c 'import scipy' 2>/dev/null || python3 -m pip install -q scipy
cargo build --release -q -p resettle-bench --bin placement
mkdir -p "$out"
./target/release/placement generate --out "$out" >/dev/null
for name in hias-329x20x1 hias-329x20x3 1000x20x3 5000x300x3 unit-5000x300x1; do
  file="$out/$name.json"
  ./target/release/placement solve "$file" --repeat 3 | tee "$out/$name.resettle.json"
  if [ "$name" = "5000x300x3" ] || [ "$name" = "unit-5000x300x1" ]; then
    # 1.5 million binaries: HiGHS's LP relaxation only, its MIP does not finish in the limit here.
    python3 bench/placement/highs.py "$file" --lp-only | tee "$out/$name.highs.json"
  else
    python3 bench/placement/highs.py "$file" --time-limit "$limit" | tee "$out/$name.highs.json"
  fi
done
