# shellcheck shell=bash
# Sourced by scripts/sanitize-c and scripts/valgrind-c-examples: the setup they share. Fetches ONNX
# Runtime (MIST_ORT_LIB), keeps it from writing under ~/.cache (ORT_DISABLE_TELEMETRY, as
# docs/c-abi.md asks of C programs), builds the release libmist, and sets ROOT, CC, LIB_DIR and
# PROGRAMS: every C example and tests/c/errors.c as "name|source|arguments", with the threads
# example's arguments from THREADS_ARGS (set it before sourcing). `wanted NAME ARGS...` says whether
# NAME is among the program names ARGS (all when there are none).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

CC="${CC:-cc}"
command -v "$CC" >/dev/null || { echo "no C compiler \`$CC\`" >&2; exit 2; }
MIST_ORT_LIB="$(scripts/setup-onnxruntime)"
export MIST_ORT_LIB ORT_DISABLE_TELEMETRY=1

cargo build --release --lib >&2
LIB_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/release"
[[ -f "$LIB_DIR/libmist.so" ]] || { echo "$LIB_DIR/libmist.so is missing after cargo build" >&2; exit 2; }

# shellcheck disable=SC2034  # used by the scripts that source this file
PROGRAMS=(
    "estimate_csv|examples/c/estimate_csv.c|examples/data/normal_sparse_asinh.csv 2 2"
    "quantile_interval|examples/c/quantile_interval.c|"
    "threads|examples/c/threads.c|${THREADS_ARGS:?set THREADS_ARGS before sourcing}"
    "batch|examples/c/batch.c|"
    "discrete|examples/c/discrete.c|"
    "errors|tests/c/errors.c|models/mist-default.onnx"
)

wanted() {
    local name=$1
    shift
    [[ $# -eq 0 || " $* " == *" $name "* ]]
}
