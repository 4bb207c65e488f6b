#!/usr/bin/env bash
# Coverage-guided fuzzing of the bridges' parsers with libFuzzer, on stable Rust
# (docs/fuzzing.md). Builds the targets of fuzz/ with SanitizerCoverage, then runs each one
# for a bounded time on the committed corpus (fuzz/corpus/<target>, only read) plus a scratch
# corpus under target/fuzz/corpus/<target> that keeps what earlier runs found.
#
#   scripts/fuzz.sh                     every target, 20 s each (the test suite's run)
#   scripts/fuzz.sh -t 3600 mail_parse  one target for an hour
#   scripts/fuzz.sh --merge             then minimise what the runs found into fuzz/corpus/
#   scripts/fuzz.sh --build             build only
#
# A crash, a timeout (an input taking over 10 s) or running out of memory fails the script:
# the input is saved under target/fuzz/artifacts/<target>/ and the command that replays it
# is printed. Turn it into a regression test in the crate at fault (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "fuzz.sh: $*" >&2; }

TARGETS=(ami_decoder ami_calls dav_multistatus dav_path mail_parse wa_webhook)
# largest input per target: room for a few messages / a listing / a mail with parts
declare -A MAX_LEN=([ami_decoder]=8192 [ami_calls]=32768 [dav_multistatus]=16384
  [dav_path]=5000 [mail_parse]=16384 [wa_webhook]=8192)
declare -A DICT=([ami_decoder]=ami [ami_calls]=ami [dav_multistatus]=dav_multistatus
  [dav_path]=dav_path [mail_parse]=mail_parse [wa_webhook]=wa_webhook)

secs=${FUZZ_SECS:-20}
jobs=${FUZZ_JOBS:-$(nproc)}
merge=
build_only=
selected=()
while [ $# -gt 0 ]; do
  case $1 in
    -t|--time) secs=$2; shift 2 ;;
    -j|--jobs) jobs=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    --build) build_only=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) log "unknown option $1"; exit 2 ;;
    *)
      [ -n "${MAX_LEN[$1]:-}" ] || { log "unknown target $1 (targets: ${TARGETS[*]})"; exit 2; }
      selected+=("$1"); shift ;;
  esac
done
[ ${#selected[@]} -gt 0 ] || selected=("${TARGETS[@]}")

# --- build ----------------------------------------------------------------------------------
# What cargo-fuzz does, minus the sanitizer (the one nightly-only part): LLVM's SanitizerCoverage
# pass with libFuzzer's inline 8-bit counters, PC table and comparison tracing. These are
# stable rustc flags. `--target` keeps them off build scripts and proc macros, which run on the
# host. The code is safe Rust, so AddressSanitizer would add little; panics, overflows and
# debug assertions are what we catch (profile `fuzz` in Cargo.toml).
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=target/fuzz
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares"
unset CARGO_ENCODED_RUSTFLAGS
log "building ${selected[*]} (profile fuzz, SanitizerCoverage)"
t0=$(date +%s)
bins=()
for t in "${selected[@]}"; do bins+=(--bin "$t"); done
cargo build --locked --profile fuzz --target "$host" -p fuzz --features libfuzzer "${bins[@]}"
log "built in $(( $(date +%s) - t0 )) s"
[ -z "$build_only" ] || exit 0
bin_dir=$CARGO_TARGET_DIR/$host/fuzz

# --- run ------------------------------------------------------------------------------------
run_one() {
  local t=$1
  local scratch=$CARGO_TARGET_DIR/corpus/$t artifacts=$CARGO_TARGET_DIR/artifacts/$t/
  mkdir -p "$scratch" "$artifacts"
  # the scratch corpus comes first: libFuzzer writes what it finds into the first folder
  "$bin_dir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${MAX_LEN[$t]}" -dict="fuzz/dict/${DICT[$t]}.dict" \
    -artifact_prefix="$artifacts" -print_final_stats=1 \
    "$scratch" "fuzz/corpus/$t" >"$CARGO_TARGET_DIR/logs/$t.log" 2>&1
}

summary() {
  local t=$1 status=$2 logf=$CARGO_TARGET_DIR/logs/$t.log
  local runs rate cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logf" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$logf" | tail -1)
  if [ "$status" = 0 ]; then
    printf 'fuzz.sh: %-16s ok      %9s runs %7s/s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-}" >&2
  else
    printf 'fuzz.sh: %-16s FAILED  (exit %s) %s runs\n' "$t" "$status" "${runs:-?}" >&2
    # the panic, libFuzzer's verdict, the seed and the input (Base64, for inputs that are small)
    grep -E -A3 'panicked at' "$logf" | head -8 | sed 's/^/    /' >&2 || true
    grep -E -m 8 '^INFO: Seed:|^==[0-9]+== ERROR|^SUMMARY|^Base64:|Test unit written' "$logf" |
      cut -c1-2000 | sed 's/^/    /' >&2 || true
    local crash
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logf" | tail -1)
    [ -z "$crash" ] || log "  replay: $bin_dir/$t $crash   (full log: $logf)"
  fi
}

mkdir -p "$CARGO_TARGET_DIR/logs"
log "running ${#selected[@]} target(s) for ${secs} s each, ${jobs} at a time"
failed=()
declare -A pid_of=()
running=0
finish_one() {
  local t=$1 status=0
  wait "${pid_of[$t]}" || status=$?
  summary "$t" "$status"
  [ "$status" = 0 ] || failed+=("$t")
  running=$((running - 1))
}
queue=("${selected[@]}")
started=()
for t in "${queue[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    finish_one "${started[0]}"
    started=("${started[@]:1}")
  fi
  run_one "$t" &
  pid_of[$t]=$!
  started+=("$t")
  running=$((running + 1))
done
for t in "${started[@]}"; do finish_one "$t"; done

if [ -n "$merge" ] && [ ${#failed[@]} -eq 0 ]; then
  for t in "${selected[@]}"; do
    log "merging new inputs of $t into fuzz/corpus/$t"
    "$bin_dir/$t" -merge=1 -max_len="${MAX_LEN[$t]}" "fuzz/corpus/$t" "$CARGO_TARGET_DIR/corpus/$t" \
      >"$CARGO_TARGET_DIR/logs/$t.merge.log" 2>&1
  done
  log "corpus now $(du -sb fuzz/corpus | cut -f1) bytes (keep it well under 2 MB)"
fi

if [ ${#failed[@]} -gt 0 ]; then
  log "FAILED: ${failed[*]} (inputs under $CARGO_TARGET_DIR/artifacts/)"
  exit 1
fi
log "no crash"
