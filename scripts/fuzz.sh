#!/usr/bin/env bash
# Fuzzing of the domain crate's parsers with cargo-fuzz (libFuzzer) on the
# stable toolchain (RUSTC_BOOTSTRAP=1 unlocks the sanitizer flags it needs).
# Usage: bash scripts/fuzz.sh [seconds-per-target] [target ...]
# Seeds come from the documented examples; crashes land in fuzz/artifacts/TARGET/
# and must become regression tests in crates/domain/tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(import case_number country date_of_birth vocabularies policy lifecycle)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
mkdir -p fuzz/corpus/import fuzz/corpus/policy fuzz/corpus/case_number fuzz/corpus/country \
  fuzz/corpus/date_of_birth fuzz/corpus/vocabularies fuzz/corpus/lifecycle
cp docs/import-example.json fuzz/corpus/import/example.json
cp docs/policy-nl.json fuzz/corpus/policy/policy-nl.json
printf 'EGY-24C00101' > fuzz/corpus/case_number/seed
printf 'SYR' > fuzz/corpus/country/seed
printf '\x00\x00\x00\x00%s' 1990-05-17 > fuzz/corpus/date_of_birth/seed
printf 'under-assessment' > fuzz/corpus/vocabularies/seed
printf '\x05[[0,{"type":"start-assessment"}],[3,{"type":"accept"}],[9,{"type":"start-pre-departure","training":"digital"}],[20,{"type":"depart"}],[1,{"type":"arrive","permit":{"validUntil":"2030-01-01"}}]]' > fuzz/corpus/lifecycle/seed
cd fuzz
cargo fuzz build -O
for t in "${targets[@]}"; do
  echo "== $t for ${seconds} s"
  cargo fuzz run -O "$t" -- -max_total_time="$seconds" -max_len=65536 2>&1 | tail -n 12
done
