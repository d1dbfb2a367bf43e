#!/usr/bin/env bash
# Kill-and-resume torture test of `amt pretrain`: N trials, each killed with SIGKILL at random moments (several
# times) and resumed with --resume until it finishes, must end with a checkpoint identical, tensor by tensor, to an
# uninterrupted reference run (weights, AdamW state, AMT prior, data position), and with metrics.jsonl holding each
# epoch exactly once.
#
#   tools/torture-resume.sh [--trials N] [--kills K] [--amt PATH] [--keep]
#
# Default: 10 trials, up to 3 kills each, the Release build of src/AmtSharp.Cli (built if needed). CI runs a short
# version (--trials 2). Exit 0 when every trial is identical, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

trials=10 kills=3 amt="" keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --amt) amt=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "torture-resume: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$amt" ]]; then
  dotnet build src/AmtSharp.Cli -c Release --nologo -v quiet >/dev/null
  amt=$(find src/AmtSharp.Cli/bin/Release -name amt -type f -perm -u+x | head -n 1)
fi
[[ -x "$amt" ]] || { echo "torture-resume: no amt executable at '$amt'" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/amt-torture.XXXXXX")
[[ $keep == 1 ]] || trap 'rm -rf "$work"' EXIT

# A tiny MAE + AMT run that still crosses every state change: warm-up, AMT start, two prior refreshes, a checkpoint
# per epoch, a partial last batch. The precision is fixed: `auto` is measured per process and may differ under load.
args=(pretrain --preset demo --limit 100 --epochs 6 --batch-size 16 --depth 1 --decoder-width 32 --decoder-depth 1
      --amt-start-epoch 2 --amt-refresh-interval 2 --checkpoint-every 1 --workers 2 --seed 5 --precision fp32 --quiet)

start=$(date +%s%N)
"$amt" "${args[@]}" -o "$work/reference" >/dev/null
reference_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "reference run: ${reference_ms} ms"

check_metrics() {  # each epoch 0..E-1 exactly once, in order
  local got; got=$(grep -o '"epoch":[0-9]*' "$1/metrics.jsonl" | cut -d: -f2 | tr '\n' ' ')
  [[ "$got" == "0 1 2 3 4 5 " ]] || { echo "  metrics.jsonl epochs: $got"; return 1; }
}

failed=0
for trial in $(seq 1 "$trials"); do
  run="$work/trial-$trial"
  killed=0
  resume=()
  while :; do
    "$amt" "${args[@]}" -o "$run" "${resume[@]}" >"$run.log" 2>&1 &
    pid=$!
    if (( killed < kills )); then
      # A random moment inside the reference run's duration (startup included).
      sleep "$(awk -v ms="$reference_ms" -v r="$RANDOM" 'BEGIN { printf "%.3f", ms * r / 32768 / 1000 }')"
      if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        killed=$((killed + 1))
        # A kill before the first checkpoint leaves only records: start again from scratch (what a user would do).
        if compgen -G "$run/checkpoints/checkpoint-*.amtckpt" >/dev/null; then resume=(--resume); else rm -rf "$run"; resume=(); fi
        continue
      fi
    fi
    if ! wait "$pid"; then echo "trial $trial: run failed after $killed kill(s):"; cat "$run.log"; failed=1; break; fi
    if "$amt" checkpoint compare "$work/reference" "$run" >"$run.compare" && check_metrics "$run"; then
      echo "trial $trial: identical after $killed kill(s)"
    else
      echo "trial $trial: DIFFERENT after $killed kill(s):"; cat "$run.compare"; failed=1
    fi
    break
  done
done
(( failed == 0 )) && echo "all $trials trials identical to the uninterrupted run" || exit 1
