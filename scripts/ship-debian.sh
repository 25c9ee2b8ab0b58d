#!/usr/bin/env bash
# Shipping without Docker: proves that a release build with the Swift runtime linked
# statically runs on a minimal Debian that has no Swift toolchain.
#
#   scripts/ship-debian.sh [--model FILE] [--suite NAME] [--mirror URL] [--keep] [--no-build]
#
# 1. builds `perceptron` with `swift build -c release --static-swift-stdlib` in .build-static
#    (its own scratch folder, so that it and a plain release build in .build do not rebuild
#    everything each time the other one runs; bench/serve/run.sh uses the same; Foundation's
#    URLSession, used by `perceptron datasets fetch`, links the system's libcurl: the build
#    needs libcurl4-openssl-dev, installed with apt-get when missing);
# 2. lists the shared libraries the binary still needs (readelf -d, NEEDED): the C and C++
#    runtimes, zlib and libcurl, no Swift library;
# 3. builds a minimal Debian folder with debootstrap (variant minbase, the suite of this
#    machine, from the Debian mirror this machine's apt uses, plus libcurl4), in .build-ship/;
# 4. checks that every needed library resolves inside that folder (ldd in the chroot);
# 5. copies the binary (stripped of its debug symbols) and a model in (by default it trains
#    seed 001's Titanic network);
# 6. runs it chroot'd: `summary` and `predict`, and, when the binary has `serve`, starts
#    `perceptron serve` in the chroot, predicts through it with curl from the host on
#    loopback, then stops it with SIGTERM and checks it exits 0.
# On exit (success, failure or Ctrl-C) it stops the server, unmounts what it mounted and
# removes the folder (--keep leaves the folder for a look, unmounted).
#
# Needs root (debootstrap and chroot). Where it is not root, or debootstrap is missing and
# cannot be installed with apt-get, or the mirror cannot be reached, it prints
# "skipped: <reason>" and exits 0; any other failure exits 1.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"

MODEL=""
SUITE=""
MIRROR=""
KEEP=0
BUILD=1
PORT="${SHIP_PORT:-18080}"
WORK="$ROOT_DIR/.build-ship"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --model) MODEL="$2"; shift 2 ;;
        --suite) SUITE="$2"; shift 2 ;;
        --mirror) MIRROR="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ship-debian: unknown argument $1" >&2; exit 2 ;;
    esac
done

say() { echo "[ship] $*"; }
skip() { echo "skipped: $*"; exit 0; }

[[ "$(id -u)" == 0 ]] || skip "debootstrap and chroot need root"

if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap (apt-get)"
    if ! { apt-get install -y -qq debootstrap >/dev/null 2>&1 \
           || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq debootstrap >/dev/null 2>&1; }; }; then
        skip "debootstrap is not installed and apt-get could not install it"
    fi
fi
command -v curl >/dev/null 2>&1 || skip "curl is needed to talk to the chroot'd server"
if [[ "$BUILD" == 1 ]] && ! ldconfig -p | grep -q 'libcurl\.so '; then
    say "installing libcurl4-openssl-dev (Foundation's URLSession links libcurl)"
    apt-get install -y -qq libcurl4-openssl-dev >/dev/null 2>&1 \
        || skip "libcurl4-openssl-dev is not installed and apt-get could not install it"
fi

# The suite and mirror this machine's apt uses (deb822 .sources or one-line .list files).
if [[ -z "$SUITE" ]]; then
    SUITE="$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")"
    [[ -n "$SUITE" ]] || skip "cannot tell this machine's Debian suite (/etc/os-release); pass --suite"
fi
if [[ -z "$MIRROR" ]]; then
    MIRROR="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '/^[[:space:]]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
               /^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
        | grep -E '/debian/?$' | head -n1 || true)"
    [[ -n "$MIRROR" ]] || skip "no Debian mirror found in /etc/apt/sources.list*; pass --mirror"
fi

CHROOT="$WORK/rootfs"
SERVER_PID=""
cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -d "$CHROOT" ]]; then
        # Innermost first; a lazy unmount if something still holds it.
        for m in $(findmnt -rn -o TARGET | grep -F "$CHROOT" | sort -r || true); do
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
        if findmnt -rn -o TARGET | grep -qF "$CHROOT"; then
            echo "[ship] WARNING: something is still mounted under $CHROOT; not removing it" >&2
        elif [[ "$KEEP" == 1 ]]; then
            say "kept $CHROOT (unmounted)"
        else
            rm -rf "$CHROOT"
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The static build.
if [[ "$BUILD" == 1 ]]; then
    say "swift build -c release --static-swift-stdlib --scratch-path .build-static --product perceptron"
    swift build -c release --static-swift-stdlib --scratch-path "$ROOT_DIR/.build-static" --product perceptron
fi
BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$ROOT_DIR/.build-static" --show-bin-path)/perceptron"
[[ -x "$BIN" ]] || { echo "ship-debian: no binary at $BIN (run without --no-build)" >&2; exit 1; }

# 2. What the binary still needs from the system.
NEEDED="$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
say "binary: $(du -h "$BIN" | cut -f1), needs: $(echo $NEEDED)"
if echo "$NEEDED" | grep -q 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime'; then
    echo "ship-debian: the binary still links a Swift runtime library dynamically" >&2
    exit 1
fi

# Debian packages beyond minbase for the libraries it needs (minbase has libc6, libstdc++6,
# libgcc-s1 and zlib1g already).
EXTRA=""
echo "$NEEDED" | grep -q '^libcurl\.so\.4$' && EXTRA="libcurl4"

# 3. The minimal Debian.
rm -rf "$CHROOT"
mkdir -p "$WORK/debs"
say "debootstrap --variant=minbase ${EXTRA:+--include=$EXTRA }$SUITE from $MIRROR (log: $WORK/debootstrap.log)"
started=$SECONDS
if ! debootstrap --variant=minbase ${EXTRA:+--include="$EXTRA"} --cache-dir="$WORK/debs" "$SUITE" "$CHROOT" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1; then
    tail -n 5 "$WORK/debootstrap.log" >&2
    if grep -qiE 'Failed getting release file|Temporary failure|Could not resolve|Connection refused|unable to fetch' "$WORK/debootstrap.log"; then
        skip "debootstrap could not download $SUITE from $MIRROR"
    fi
    echo "ship-debian: debootstrap failed" >&2
    exit 1
fi
say "minimal Debian in $((SECONDS - started)) s: $(du -sh "$CHROOT" | cut -f1), $(chroot "$CHROOT" dpkg-query -f '.\n' -W | wc -l) packages, no Swift: $(chroot "$CHROOT" sh -c 'command -v swift || echo none')"

# 5. The binary and a model.
strip -o "$CHROOT/usr/local/bin/perceptron" "$BIN"
chmod 0755 "$CHROOT/usr/local/bin/perceptron"
say "copied in: perceptron, $(du -h "$CHROOT/usr/local/bin/perceptron" | cut -f1) stripped"
mkdir -p "$CHROOT/srv/models"
if [[ -z "$MODEL" ]]; then
    MODEL="$WORK/titanic.safetensors"
    say "training seed 001's Titanic network for the chroot: $MODEL"
    "$BIN" train -o "$MODEL" >"$WORK/train.log" 2>&1 || { cat "$WORK/train.log" >&2; exit 1; }
fi
cp "$MODEL" "$CHROOT/srv/models/titanic.safetensors"

# 4. Every library the binary needs resolves in the chroot (ldd is in minbase's libc-bin).
mount -t proc proc "$CHROOT/proc"
if chroot "$CHROOT" ldd /usr/local/bin/perceptron | grep -q 'not found'; then
    chroot "$CHROOT" ldd /usr/local/bin/perceptron >&2
    echo "ship-debian: a library the binary needs is missing from the minimal Debian" >&2
    exit 1
fi
chroot "$CHROOT" ldd /usr/local/bin/perceptron | sed 's/^/[ship]   /'

# 6. Run it there.
say "chroot: perceptron summary"
chroot "$CHROOT" /usr/local/bin/perceptron summary /srv/models/titanic.safetensors | sed 's/^/[ship]   /'
printf 'PassengerId,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n1,3,"Braund, Mr. Owen Harris",male,22,1,0,A/5 21171,7.25,,S\n2,1,"Cumings, Mrs. John Bradley",female,38,1,0,PC 17599,71.2833,C85,C\n' \
    > "$CHROOT/srv/rows.csv"
say "chroot: perceptron predict"
chroot "$CHROOT" /usr/local/bin/perceptron predict /srv/models/titanic.safetensors --csv /srv/rows.csv | tee "$WORK/predict.out" | sed 's/^/[ship]   /'
[[ "$(wc -l < "$WORK/predict.out")" -ge 3 ]] || { echo "ship-debian: predict printed too little" >&2; exit 1; }

if ! chroot "$CHROOT" /usr/local/bin/perceptron serve --help >/dev/null 2>&1; then
    say "this build has no \`serve\` subcommand yet: ran summary and predict only"
    say "ok: the static binary runs on minimal Debian $SUITE"
    exit 0
fi

say "chroot: perceptron serve on 127.0.0.1:$PORT"
chroot "$CHROOT" /usr/local/bin/perceptron serve --model titanic=/srv/models/titanic.safetensors \
    --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; echo "ship-debian: the server exited" >&2; exit 1; }
    sleep 0.1
done
body='{"instances": [{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"},
                     {"Pclass": 1, "Sex": "female", "Age": 38, "SibSp": 1, "Parch": 0, "Fare": 71.2833, "Embarked": "C"}]}'
say "host: curl POST /v1/models/titanic:predict"
reply="$(curl -fsS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/v1/models/titanic:predict")"
echo "[ship]   $reply"
[[ "$reply" == *'"1"'* || "$reply" == *'"0"'* ]] || { echo "ship-debian: the reply names no class" >&2; exit 1; }
say "host: SIGTERM to the server"
kill -TERM "$SERVER_PID"
status=0
wait "$SERVER_PID" || status=$?
SERVER_PID=""
[[ "$status" == 0 ]] || { cat "$WORK/serve.log" >&2; echo "ship-debian: serve exited $status after SIGTERM" >&2; exit 1; }
say "ok: the static binary serves from minimal Debian $SUITE; it stopped cleanly on SIGTERM"
