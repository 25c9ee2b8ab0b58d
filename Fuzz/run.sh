#!/usr/bin/env bash
# Builds and runs Perceptron's libFuzzer targets (see Fuzz/README.md).
#
#   Fuzz/run.sh build                      build every target in one `swift build` (release, ASan + libFuzzer)
#   Fuzz/run.sh TARGET [SECONDS|-runs=N] [libFuzzer flags…]
#                                          fuzz one target: model-file, csv, idx, onnx or serve-request (default 60 s)
#   Fuzz/run.sh regress                    replay every seed and regression input once
#   Fuzz/run.sh smoke [SECONDS]            CI: regress, then SECONDS (default 30) per target;
#                                          prints "skipped: <reason>" and exits 0 when this
#                                          toolchain cannot build a fuzzer
#
# Exit status: nonzero when a target crashes, leaks, runs out of memory or hangs. New
# coverage goes to Fuzz/.work/TARGET/corpus (not checked in); a failing input is written
# to Fuzz/.work/TARGET/ as crash-*, leak-*, oom-* or timeout-*. Checked-in inputs:
# Fuzz/corpus/TARGET (seeds) and Fuzz/regressions/TARGET (inputs that once failed).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ_DIR=$(pwd)
TARGETS=(model-file csv idx onnx serve-request)

product() {
    case "$1" in
        model-file) echo FuzzModelFile ;;
        csv) echo FuzzCSV ;;
        idx) echo FuzzIDX ;;
        onnx) echo FuzzONNX ;;
        serve-request) echo FuzzServeRequest ;;
        *) echo "unknown target '$1' (model-file, csv, idx, onnx or serve-request)" >&2; exit 2 ;;
    esac
}

# The largest input each target is given: room for the checked-in seeds and their mutations.
max_len() {
    case "$1" in
        model-file) echo 16384 ;;
        csv) echo 8192 ;;
        idx) echo 4096 ;;
        onnx) echo 16384 ;;
        serve-request) echo 8192 ;;
    esac
}

# SwiftPM's --sanitize=fuzzer links libFuzzer but (Swift 6.3) does not instrument for
# coverage, so the coverage flags are passed to every Swift target explicitly.
build_flags=(-c release --sanitize=fuzzer --sanitize=address
             -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)

# Every target at once: one `swift build` of this package compiles the Perceptron modules
# once for all products (one `--product` build per target compiled them once each).
build_all() { swift build "${build_flags[@]}"; }

build_one() { swift build "${build_flags[@]}" --product "$(product "$1")"; }

binary() { echo "$(swift build "${build_flags[@]}" --show-bin-path)/$(product "$1")"; }

# The CSV and IDX targets write each input to a scratch file under TMPDIR: in memory
# (/dev/shm) where there is one, else under Fuzz/.work/TARGET/tmp.
scratch_dir() {
    local dir="$FUZZ_DIR/.work/$1/tmp"
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then dir="/dev/shm/perceptron-fuzz-$1-$$"; fi
    mkdir -p "$dir"
    echo "$dir"
}

# Runs libFuzzer on TARGET; extra arguments go to libFuzzer.
fuzz() {
    local target=$1; shift
    local work="$FUZZ_DIR/.work/$target"
    mkdir -p "$work/corpus" "regressions/$target"
    local tmp
    tmp=$(scratch_dir "$target")
    TMPDIR="$tmp" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$(binary "$target")" \
        -max_len="$(max_len "$target")" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
        -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$work/" "$@" \
        "$work/corpus" "corpus/$target" "regressions/$target" || { local rc=$?; rm -rf "$tmp"; return $rc; }
    rm -rf "$tmp"
}

# Replays the checked-in inputs once each (no mutation).
regress() {
    local target=$1
    local work="$FUZZ_DIR/.work/$target"
    mkdir -p "$work" "regressions/$target"
    local tmp
    tmp=$(scratch_dir "$target")
    TMPDIR="$tmp" "$(binary "$target")" -runs=0 -max_len="$(max_len "$target")" -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -timeout=10 -detect_leaks=1 -artifact_prefix="$work/" \
        "corpus/$target" "regressions/$target" || { local rc=$?; rm -rf "$tmp"; return $rc; }
    rm -rf "$tmp"
}

# Whether swiftc can build and link a libFuzzer target at all.
toolchain_reason() {
    command -v swiftc > /dev/null || { echo "no swiftc on PATH"; return; }
    local probe
    probe=$(mktemp -d)
    printf '@_cdecl("LLVMFuzzerTestOneInput")\npublic func f(_ p: UnsafeRawPointer?, _ n: Int) -> CInt { 0 }\n' > "$probe/probe.swift"
    if ! swiftc -sanitize=fuzzer,address -parse-as-library "$probe/probe.swift" -o "$probe/probe" > "$probe/log" 2>&1; then
        echo "swiftc -sanitize=fuzzer,address cannot build a fuzzer here: $(head -c 300 "$probe/log" | tr '\n' ' ')"
    elif ! "$probe/probe" -runs=1 > "$probe/log" 2>&1; then
        echo "a libFuzzer binary built here does not run: $(tail -c 300 "$probe/log" | tr '\n' ' ')"
    fi
    rm -rf "$probe"
}

command=${1:-}
case "$command" in
    build)
        build_all ;;
    regress)
        build_all
        for t in "${TARGETS[@]}"; do echo "== regress $t"; regress "$t"; done ;;
    smoke)
        seconds=${2:-30}
        reason=$(toolchain_reason)
        if [ -n "$reason" ]; then echo "skipped: $reason"; exit 0; fi
        # The toolchain works, so a build failure here is a real error in the targets.
        build_all
        for t in "${TARGETS[@]}"; do
            echo "== regress $t"; regress "$t"
            echo "== fuzz $t for $seconds s"
            log="$FUZZ_DIR/.work/$t/smoke.log"
            if ! fuzz "$t" -max_total_time="$seconds" > "$log" 2>&1; then
                tail -n 60 "$log"; echo "FAILED: fuzz target $t (input saved under Fuzz/.work/$t/)"; exit 1
            fi
            grep -E '^(stat::|Done)' "$log" || true
        done ;;
    model-file|csv|idx|onnx|serve-request)
        shift
        limit=${1:-60}
        [ $# -gt 0 ] && shift
        case "$limit" in
            -*) set -- "$limit" "$@" ;;
            *) set -- -max_total_time="$limit" "$@" ;;
        esac
        build_one "$command"
        fuzz "$command" "$@" ;;
    *)
        sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
        exit 2 ;;
esac
