#!/usr/bin/env bash
# Crash safety: `resettle serve` on a SQLite demo database is killed with
# SIGKILL at random moments while officers' tokens drive case transitions and
# reads through the API; after every restart, every acknowledged write must be
# there, the audit chain must verify, and the ledger's projection, buckets and
# reports must agree with a recomputation from the cases (bench/src/bin/crash.rs).
# Usage: bash scripts/crash-safety.sh [kills] [extra options of the crash helper]
# Exits non-zero on the first failed check. Results: bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-50}"
shift || true
cargo build --release -q -p resettle -p resettle-bench --bin resettle --bin crash
exec target/release/crash --resettle target/release/resettle --kills "$kills" "$@"
