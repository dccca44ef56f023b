#!/usr/bin/env bash
# bench/fuzz.sh — runs the decoders' property tests (#13 item 8) with a million inputs each:
#
#   bench/fuzz.sh                      # PROPTEST_CASES=1000000, every decoder
#   PROPTEST_CASES=100000 bench/fuzz.sh
#   bench/fuzz.sh pgoutput ddl         # only the named decoders
#
# Each decoder's properties run in its crate's lib tests with
# `cargo test --profile fuzz -p CRATE --lib FILTER -- --test-threads 2`: the fuzz profile is
# release with overflow checks and debug assertions on, so an overflow in arithmetic on
# lengths panics instead of wrapping. Every property gets PROPTEST_CASES cases; a decoder
# still running after FUZZ_TIMEOUT seconds (default 7200) counts as failed (a loop that
# never ends). Writes bench/results/fuzz.md (cases, time, failures per decoder) and the
# full test output to bench/results/tmp/fuzz/NAME.log. Exits non-zero if any decoder failed.
#
# Without PROPTEST_CASES, `cargo test` runs the same properties with a small default count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-1000000}"
timeout_s="${FUZZ_TIMEOUT:-7200}"
logs=bench/results/tmp/fuzz
mkdir -p "$logs"

# name|crate|test filter|what it feeds
decoders=(
  "pg-values|ferrium-source-postgres|types::codec::prop_tests|ColumnCodec::compile/decode, source_column, schema_default: every PostgreSQL type, any typmod, any text"
  "copy-text|ferrium-source-postgres|copy_text::prop_tests|split_copy_row(_into), CopyLineSplitter: any COPY bytes and chunking"
  "pgoutput|ferrium-source-postgres|stream::prop_tests|pg_walstream parse_wal_message_bytes, TableSchema::build, stream decode(): any or mutated XLogData"
  "binlog-rows|ferrium-source-mysql|types::codec::prop_tests|ColumnCodec::compile/decode_binlog/decode_text, TableSchema::build/decode_with: any column, any cell"
  "mysql-ddl|ferrium-source-mysql|ddl::prop_tests|ddl::apply, classify, json::to_json/from_json: any or mutated DDL and history entries"
  "config-readers|ferrium-config|prop_tests|parse_connectors, java_properties::read + WorkerConfig::from_props"
  "rest-bodies|ferrium-rest|body::prop_tests|body::json/object/config_map, signal_from_json, query_values/query_flag"
)

selected=("$@")
wanted() {
  ((${#selected[@]} == 0)) && return 0
  local n
  for n in "${selected[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# Build first, one crate at a time as the runs below build them (features differ when
# crates are built together), so the timings are of the tests alone.
built=" "
for d in "${decoders[@]}"; do
  IFS='|' read -r name crate _ _ <<<"$d"
  wanted "$name" || continue
  [[ $built == *" $crate "* ]] && continue
  cargo test --profile fuzz -p "$crate" --lib --no-run 2>&1 | tail -1
  built+="$crate "
done
[[ $built != " " ]] || { echo "no such decoder: $*" >&2; exit 2; }

rows=()
failed=0
for d in "${decoders[@]}"; do
  IFS='|' read -r name crate filter what <<<"$d"
  wanted "$name" || continue
  log="$logs/$name.log"
  echo "== $name: $crate $filter, $PROPTEST_CASES cases per property"
  start=$(date +%s.%N)
  set +e
  timeout "$timeout_s" cargo test --profile fuzz -p "$crate" --lib "$filter" -- --test-threads 2 >"$log" 2>&1
  rc=$?
  set -e
  wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  # The test binary's own time (cargo's start-up excluded), else the wall time.
  secs=$(sed -n 's/.*finished in \([0-9.]*\)s$/\1/p' "$log" | tail -1)
  secs=${secs:-$wall}
  props=$(grep -cE '^test .*prop_tests::.* \.\.\. ' "$log" || true)
  passed=$(grep -cE '^test .*prop_tests::.* \.\.\. ok$' "$log" || true)
  found=$(grep -c 'minimal failing input' "$log" || true)
  if ((rc == 124)); then
    result="TIMEOUT after ${timeout_s}s (an input that never finishes?)"
  elif ((rc != 0)); then
    result="FAILED ($found minimal failing input(s), see $log)"
  else
    result="ok"
  fi
  ((rc == 0)) || failed=1
  echo "   $result in ${secs}s ($passed/$props tests passed)"
  rows+=("| $name | \`$crate\` \`$filter\` | $what | $props | $PROPTEST_CASES | ${secs} | $found | $result |")
done

{
  echo "# Decoder property tests (bench/fuzz.sh)"
  echo
  echo "Command: \`PROPTEST_CASES=$PROPTEST_CASES bench/fuzz.sh${*:+ $*}\`, profile \`fuzz\` (release with overflow checks),"
  echo "\`--test-threads 2\`, on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)."
  echo "Cases are per property test; \"tests\" counts the tests the filter ran (properties and"
  echo "their regression tests). Failures: minimal failing inputs proptest reported."
  echo
  echo "| decoder | test filter | inputs | tests run | cases per property | seconds | failures | result |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} >bench/results/fuzz.md
echo "wrote bench/results/fuzz.md"
exit "$failed"
