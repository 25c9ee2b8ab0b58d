#!/usr/bin/env bash
# kill -9 a checkpointing `perceptron train` at random moments, resume each from its
# checkpoint, and check that
#   - the final weights equal an uninterrupted run's, bit for bit (`summary --weight-bits`, cmp);
#   - no checkpoint was torn: after every kill the checkpoint still loads (`train --resume` reads it);
#     kills fall after a random checkpoint, anywhere in the epoch that follows (mid-save too);
#   - nothing was left behind: no temporary file beside the checkpoint, after the kill and
#     after the resumed run.
#
# usage: Tests/Reliability/kill_resume.sh [--short] [KILLS]      (default 50 kills; --short: 5)
#        PERCEPTRON=path/to/perceptron to skip the release build.
# Workload: the bundled digits (1,437 training rows × 64), 256-128 ReLU, Adam, batch 16,
# validation split 0.2, early stopping (patience 5; it stops after epoch 19 of 30), a
# checkpoint (830 kB) after every epoch, 2 threads.
set -euo pipefail
cd "$(dirname "$0")/../.."

kills=50
if [[ "${1:-}" == "--short" ]]; then kills=5; shift; fi
if [[ -n "${1:-}" ]]; then kills=$1; fi

if [[ -z "${PERCEPTRON:-}" ]]; then
    swift build -c release --product perceptron >&2
    PERCEPTRON=.build/release/perceptron
fi
bin=$(cd "$(dirname "$PERCEPTRON")" && pwd)/$(basename "$PERCEPTRON")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--dataset digits --layers 256,128 --epochs 30 --batch-size 16 --lr 0.001 --validation-split 0.2
      --early-stopping 5 --threads 2 --seed 7)

now() { date +%s.%N; }
start=$(now)
"$bin" train "${args[@]}" -o "$work/reference.safetensors" --json > "$work/reference.json" 2> /dev/null
seconds=$(echo "$(now) - $start" | bc)
training=$(grep -o '"seconds" *: *[0-9.e-]*' "$work/reference.json" | head -1 | grep -o '[0-9.e-]*$')
"$bin" summary "$work/reference.safetensors" --weight-bits > "$work/reference.bits"
echo "uninterrupted run: ${seconds}s (training ${training}s), $(grep -o '"stop_reason" *: *"[^"]*"' "$work/reference.json")" >&2
epochs=$(grep -o '"epochs" *: *[0-9]*' "$work/reference.json" | head -1 | grep -o '[0-9]*$')
epoch_seconds=$(echo "scale=4; $training / $epochs" | bc)

# Files a folder should hold besides the checkpoint, the final model and the logs: none.
litter() { find "$1" -mindepth 1 -maxdepth 1 ! -name ck.safetensors ! -name final.safetensors ! -name '*.log' ! -name '*.bits' | wc -l; }

killed=0 before_first=0 finished_first=0 resumed=0 identical=0 torn=0 litter_after_kill=0 litter_after_resume=0
for ((i = 1; killed < kills; i++)); do
    dir="$work/run$i"
    mkdir "$dir"
    "$bin" train "${args[@]}" --checkpoint "$dir/ck.safetensors" -o "$dir/final.safetensors" > "$dir/first.log" 2>&1 &
    pid=$!
    # The moment is set by the run's own progress, as a busy machine changes its speed:
    # after checkpoint k (each save is a new file, so a new inode), k uniform in
    # 1..epochs−1, then a uniform fraction of the last epoch's duration, so kills land
    # anywhere in an epoch, saves included.
    k=$((RANDOM % (epochs - 1) + 1)) seen=0 inode="" last_change="" interval=$epoch_seconds
    while kill -0 "$pid" 2> /dev/null; do
        current=$(stat -c %i "$dir/ck.safetensors" 2> /dev/null || true)
        if [[ -n "$current" && "$current" != "$inode" ]]; then
            t=$(now)
            if [[ -n "$last_change" ]]; then interval=$(echo "$t - $last_change" | bc); fi
            inode=$current last_change=$t seen=$((seen + 1))
            if ((seen >= k)); then break; fi
        fi
        sleep 0.005
    done
    delay=$(echo "scale=4; $interval * $RANDOM / 32767" | bc)
    sleep "$delay"
    if kill -9 "$pid" 2> /dev/null; then
        wait "$pid" 2> /dev/null || true
        killed=$((killed + 1))
    else
        wait "$pid" 2> /dev/null || true
        finished_first=$((finished_first + 1))
    fi
    if (( $(litter "$dir") > 0 )); then litter_after_kill=$((litter_after_kill + 1)); fi
    if [[ -f "$dir/ck.safetensors" ]]; then
        if "$bin" train --resume "$dir/ck.safetensors" > "$dir/resume.log" 2>&1; then
            resumed=$((resumed + 1))
        else
            torn=$((torn + 1))
            echo "run $i: the checkpoint does not resume: $(tail -1 "$dir/resume.log")" >&2
            continue
        fi
    else
        # Killed before the first checkpoint: start again, as a user would.
        before_first=$((before_first + 1))
        "$bin" train "${args[@]}" --checkpoint "$dir/ck.safetensors" -o "$dir/final.safetensors" > "$dir/again.log" 2>&1
    fi
    "$bin" summary "$dir/final.safetensors" --weight-bits > "$dir/final.bits"
    if cmp -s "$dir/final.bits" "$work/reference.bits"; then
        identical=$((identical + 1))
    else
        echo "run $i: final weights differ from the uninterrupted run's (killed after ${delay}s)" >&2
    fi
    if (( $(litter "$dir") > 0 )); then
        litter_after_resume=$((litter_after_resume + 1))
        echo "run $i: left behind: $(find "$dir" -mindepth 1 -maxdepth 1 -name '.*' -printf '%f ')" >&2
    fi
    rm -rf "$dir"
done

runs=$((killed + finished_first))
echo "runs $runs, killed $killed (before the first checkpoint $before_first, finished before the kill $finished_first)"
echo "resumed OK $resumed, final weights identical $identical/$runs, torn checkpoints $torn"
echo "runs with temporary files right after the kill $litter_after_kill, after the resumed run $litter_after_resume"
(( identical == runs && torn == 0 && litter_after_resume == 0 ))
