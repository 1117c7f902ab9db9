# capi.jl: the low-level layer, a one-to-one mirror of include/mist.h (enum values, structs and
# one ccall per exported function), plus finding libmist at load time. Values are in nats.
# Everything between the two `# --- ... ---` marker lines below is generated from the header by
# tests/julia_bindings.rs, which fails when this file is not what the header generates: after
# changing the header, run `MIST_UPDATE_JULIA=1 cargo test --release -p mist --test julia_bindings`
# to rewrite that part. The rest of the file is written by hand.

"""
    Mist.LibMist

The C interface of libmist as declared in `include/mist.h`: its structs (`MistMatrix`,
`MistOptions`, ...), its enum values as `Cint` constants (`MIST_STATUS_OK`, ...), and one thin
function per C function, of the same name and arguments, whose docstring is the header's. Every
mutual-information value is in nats. Most users want the functions of `Mist` instead (`mi`,
`mi_quantiles`, `mi_batch`, `MistEstimator`).

Read the C documentation the Julia way: a pointer argument `T *p` takes a `Ref{T}` or an array of
`T` (`*p` in the text is `p[]`), NULL is `C_NULL`, `sizeof *out` is `sizeof(MistOptions)`, and a
returned `const char *` is copied with `unsafe_string`. Keep every array that a `MistMatrix` points
into alive with `GC.@preserve` while a call runs. The structs are immutable: change a field by
building a new one with the positional constructor, fields in the order listed.
"""
module LibMist

using Libdl: Libdl

# The library: MIST_LIB, else the build of the repository this package sits in.
const REPOSITORY = normpath(joinpath(@__DIR__, "..", "..", "..", ".."))
const REPOSITORY_LIBMIST = joinpath(REPOSITORY, "target", "release", "libmist.so")
const LIBMIST_PATH = Ref("")
const LIBMIST_HANDLE = Ref(C_NULL)

"""
    libmist() -> String

The path of the libmist shared library that every `ccall` of this module uses, resolved by
`__init__` when the package is loaded: `ENV["MIST_LIB"]` when set, else `target/release/libmist.so`
of the repository this package sits in.
"""
libmist() = LIBMIST_PATH[]

# The path of libmist, or an error naming the places looked at and how to build the library.
function find_libmist()
    from_env = get(ENV, "MIST_LIB", "")
    if !isempty(from_env)
        isfile(from_env) && return from_env
        error(
            "libmist not found: MIST_LIB = $(repr(from_env)) is not a file. Set MIST_LIB to the " *
                "path of libmist.so, or unset it to use the repository build $REPOSITORY_LIBMIST.",
        )
    end
    isfile(REPOSITORY_LIBMIST) && return REPOSITORY_LIBMIST
    return error(
        "libmist not found: the environment variable MIST_LIB is not set and the repository " *
            "build $REPOSITORY_LIBMIST does not exist. Build it in the mist repository with " *
            "`scripts/setup-onnxruntime` then `cargo build --release -p mist --lib`, or set MIST_LIB " *
            "to the path of libmist.so.",
    )
end

# Resolved at load time, never at precompile time: the library may be built or moved in between.
function __init__()
    path = find_libmist()
    LIBMIST_HANDLE[] = try
        Libdl.dlopen(path)
    catch err
        error(
            "libmist at $path could not be loaded ($(sprint(showerror, err))). Rebuild it with " *
                "`cargo build --release -p mist --lib`, or set MIST_LIB to a working libmist.so.",
        )
    end
    LIBMIST_PATH[] = path
    return nothing
end

# --- generated from include/mist.h by tests/julia_bindings.rs: do not edit below ---

# enum MistStatus: the result of every fallible function.
const MIST_STATUS_OK = Cint(0)
const MIST_STATUS_NULL_POINTER = Cint(1)
const MIST_STATUS_INVALID_ARGUMENT = Cint(2)
const MIST_STATUS_NON_FINITE = Cint(3)
const MIST_STATUS_TOO_FEW_ROWS = Cint(4)
const MIST_STATUS_BAD_DIMENSION = Cint(5)
const MIST_STATUS_LENGTH_MISMATCH = Cint(6)
const MIST_STATUS_DISCRETE_DATA = Cint(7)
const MIST_STATUS_MODEL_LOAD = Cint(10)
const MIST_STATUS_MODEL_UNSUPPORTED = Cint(11)
const MIST_STATUS_RUNTIME_LOAD = Cint(12)
const MIST_STATUS_DEVICE_UNAVAILABLE = Cint(13)
const MIST_STATUS_INFERENCE = Cint(14)
const MIST_STATUS_BUFFER_TOO_SMALL = Cint(15)
const MIST_STATUS_PANIC = Cint(99)

# enum MistLayout: how the elements of a matrix are laid out in memory.
const MIST_LAYOUT_ROW_MAJOR = Cint(0)
const MIST_LAYOUT_COL_MAJOR = Cint(1)

# enum MistDevice: where the model runs.
const MIST_DEVICE_CPU = Cint(0)
const MIST_DEVICE_CUDA = Cint(1)

# enum MistTableMethod: the estimates of a contingency table's MI that `mist_discrete` computes.
const MIST_TABLE_METHOD_PLUGIN = Cint(0)
const MIST_TABLE_METHOD_MILLER_MADOW = Cint(1)
const MIST_TABLE_METHOD_SHRINK = Cint(2)
const MIST_TABLE_METHOD_NSB = Cint(3)

# enum MistKind: what the caller says of a column (`mist_estimate_auto`).
const MIST_KIND_DETECT = Cint(0)
const MIST_KIND_CONTINUOUS = Cint(1)
const MIST_KIND_DISCRETE = Cint(2)

# enum MistMethod: an estimator of I(X;Y).
const MIST_METHOD_MODEL = Cint(0)
const MIST_METHOD_SHRINK = Cint(1)
const MIST_METHOD_ROSS = Cint(2)
const MIST_METHOD_KSG = Cint(3)
const MIST_METHOD_GAUSSIAN = Cint(4)
const MIST_METHOD_GCMI = Cint(5)
const MIST_METHOD_MILLER_MADOW = Cint(6)
const MIST_METHOD_PLUGIN = Cint(7)
const MIST_METHOD_AUTO = Cint(8)
const MIST_METHOD_NSB = Cint(9)

"""
    LibMist.MistEstimator

An estimator handle: the learned model with a pool of ONNX Runtime sessions. Opaque; made by
`mist_create`, released by `mist_free`, usable from many threads at once.
"""
mutable struct MistEstimator end

"""
    LibMist.MistMatrix(data, rows, cols, layout)

A `rows × cols` matrix of doubles in the caller's memory: rows are samples, columns are dimensions.
libmist reads it in place (no copy is needed on the caller's side) and never writes it. `data` may
be NULL only when `rows * cols` is 0; it must be aligned for double.

# Fields
- `data::Ptr{Cdouble}`: the first element.
- `rows::Csize_t`: number of rows (samples, n).
- `cols::Csize_t`: number of columns (dimensions, dx or dy).
- `layout::Cint`: MIST_LAYOUT_ROW_MAJOR or MIST_LAYOUT_COL_MAJOR.
"""
struct MistMatrix
    data::Ptr{Cdouble}
    rows::Csize_t
    cols::Csize_t
    layout::Cint
end

"""
    LibMist.MistOptions(size, model_path, onnxruntime_path, device, device_id, cuda_fallback_to_cpu,
        threads, seed)

Options of `mist_create`. Fill it with `mist_options_default(&options, sizeof options)` first, then
change fields, so that code keeps working when fields are added.

# Fields
- `size::Csize_t`: size of the struct in bytes as the caller's header declares it, set by
  `mist_options_default`. New fields are added at the end; `mist_create` takes the defaults for the
  fields beyond this size.
- `model_path::Ptr{Cchar}`: path of a `.onnx` model exported by the MIST trainer; NULL: the default
  model embedded in libmist.
- `onnxruntime_path::Ptr{Cchar}`: path of the ONNX Runtime library; NULL: the search order at the
  top of this header.
- `device::Cint`: MIST_DEVICE_CPU (default) or MIST_DEVICE_CUDA.
- `device_id::Int32`: CUDA device ordinal (with MIST_DEVICE_CUDA); default 0.
- `cuda_fallback_to_cpu::Bool`: with MIST_DEVICE_CUDA: when CUDA is not available, run on the CPU
  instead of failing with MIST_STATUS_DEVICE_UNAVAILABLE. Default false.
- `threads::Csize_t`: most threads the handle's model runs use at once; 0 (default): the number of
  CPUs. Calls in flight take one each (further calls wait); how a call alone on the handle uses more
  is in docs/c-abi.md, "Threading".
- `seed::UInt64`: seed of the row shuffle that splits datasets with more rows than the model's
  maximum into chunks; default 0. Equal inputs, options and seed give bit-identical results.
"""
struct MistOptions
    size::Csize_t
    model_path::Ptr{Cchar}
    onnxruntime_path::Ptr{Cchar}
    device::Cint
    device_id::Int32
    cuda_fallback_to_cpu::Bool
    threads::Csize_t
    seed::UInt64
end

"""
    LibMist.MistTestResult(estimate, p_value, permutations, method)

A permutation test's answer (`mist_test`).

# Fields
- `estimate::Cdouble`: the estimate of I(X;Y) on the data, nats.
- `p_value::Cdouble`: the p-value
  `(1 + #{permutations whose estimate ≥ estimate}) / (1 + permutations)`: never below
  `1 / (1 + permutations)`.
- `permutations::Csize_t`: the number of permutations, B.
- `method::Cint`: the MistMethod that answered (under MIST_METHOD_AUTO, the one picked for the
  data).
"""
struct MistTestResult
    estimate::Cdouble
    p_value::Cdouble
    permutations::Csize_t
    method::Cint
end

"""
    mist_estimate_auto(est, x, y, x_kinds, y_kinds, out_mi, out_method) -> Cint

Estimates I(X;Y) in nats with the estimator that fits the kinds of the columns, and says which
answered: every varying column continuous, the learned model of `est` (as `mist_estimate`); every
one discrete, `mist_discrete` with NSB; one side discrete and the other continuous, `mist_ross` with
k = 3 (the discrete side as its `x`); a side of both kinds, `mist_ksg` with k = 5. `x_kinds` (NULL:
all MIST_KIND_DETECT) holds one MistKind per column of `x`, `y_kinds` likewise. On success `*out_mi`
holds the estimate and `*out_method` a MistMethod.

Errors: those of the estimator that answers; MIST_STATUS_INVALID_ARGUMENT for a kind outside
MistKind. Nothing is written on failure.

# Safety
`est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
`y_kinds` NULL or readable for `x->cols` and `y->cols` ints; the outputs NULL or writable.
"""
mist_estimate_auto(
    est,
    x,
    y,
    x_kinds,
    y_kinds,
    out_mi,
    out_method,
) = @ccall libmist().mist_estimate_auto(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    x_kinds::Ptr{Cint},
    y_kinds::Ptr{Cint},
    out_mi::Ptr{Cdouble},
    out_method::Ptr{Cint},
)::Cint

"""
    mist_ksg(x, y, k, out_mi) -> Cint

The Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimate of I(X;Y) in nats (algorithm 1,
max-norm, columns z-scored; clipped at 0). Needs `k` ≥ 1 and n > k. Exact ties (discrete data) are
counted as in Gao et al. (2017). Cost about O(n log n) with k-d trees when dx + dy ≤ 8 and n is
large enough (1,500 rows up to dx + dy = 4, 3,000 to 7,000 in 5 to 8; 100,000 rows, dx = dy = 2:
under 2 s on two cores), O(n²) otherwise; runs on all CPUs.

Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (`k` = 0 or SIZE_MAX, layout),
MIST_STATUS_BAD_DIMENSION, MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS,
MIST_STATUS_NON_FINITE. `*out_mi` is written only on success.

# Safety
`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
"""
mist_ksg(x, y, k, out_mi) = @ccall libmist().mist_ksg(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    k::Csize_t,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_gaussian(x, y, out_mi) -> Cint

The Gaussian (canonical-correlation) estimate of I(X;Y) in nats: exact for jointly Gaussian data up
to sampling error, blind to non-linear dependence. Needs n ≥ 3.

Errors: as `mist_ksg` (without `k`). `*out_mi` is written only on success.

# Safety
`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
"""
mist_gaussian(x, y, out_mi) = @ccall libmist().mist_gaussian(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_gcmi(x, y, out_mi) -> Cint

The Gaussian-copula estimate of I(X;Y) in nats (GCMI, Ince et al. 2017): each column replaced by its
normal scores (ties broken in a fixed random order), then the Gaussian MI of their sample covariance
with the finite-sample bias correction, clipped at 0. Exact up to sampling error for any Gaussian
copula, invariant to monotone transforms of each column, and cheap: one sort per column and a (dx +
dy)² covariance. Needs n ≥ dx + dy + 2 (constant columns not counted) and n ≥ 4.

Errors: as `mist_gaussian`. `*out_mi` is written only on success.

# Safety
`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
"""
mist_gcmi(x, y, out_mi) = @ccall libmist().mist_gcmi(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_discrete(x, y, method, out_mi) -> Cint

The MI in nats of two discrete samples from their contingency table: each row of `x` (and of `y`) is
one category, rows with equal values in every column (to the bit) being the same category, so values
are codes of any kind and several columns form one joint category. `method` is a MistTableMethod
(MIST_TABLE_METHOD_NSB for tables with few rows per cell). Clipped at 0; symmetric in `x` and `y`.
Needs n ≥ 2.

Errors: as `mist_gaussian`, and MIST_STATUS_INVALID_ARGUMENT for a `method` outside MistTableMethod.
`*out_mi` is written only on success.

# Safety
`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
"""
mist_discrete(x, y, method, out_mi) = @ccall libmist().mist_discrete(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    method::Cint,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_ross(x, y, k, out_mi) -> Cint

Ross's (2014) nearest-neighbour MI in nats between a discrete `x` (each row one category, as in
`mist_discrete`) and a continuous `y`, with `k` neighbours (scikit-learn's `mutual_info_classif`
uses 3): the estimator for a class against measurements. Distances are max-norm over `y`'s
standardised columns; rows of a category seen once are left out. Clipped at 0. Needs `k` ≥ 1 and n >
k; cost O(n² dy).

Errors: as `mist_ksg`. `*out_mi` is written only on success.

# Safety
`x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
"""
mist_ross(x, y, k, out_mi) = @ccall libmist().mist_ross(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    k::Csize_t,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_create(options, out) -> Cint

Creates an estimator handle in `*out`.

`options` may be NULL: the default model embedded in libmist, on the CPU, with ONNX Runtime found by
the search order and one session per CPU. The handle is thread-safe: use it from any number of
threads at once, then release it with `mist_free`.

Errors: MIST_STATUS_NULL_POINTER (`out`), MIST_STATUS_INVALID_ARGUMENT (an option's value),
MIST_STATUS_MODEL_LOAD, MIST_STATUS_MODEL_UNSUPPORTED, MIST_STATUS_RUNTIME_LOAD,
MIST_STATUS_DEVICE_UNAVAILABLE. `*out` is written only on success.

# Safety
`options` must be NULL or point to a MistOptions; `out` must be NULL or valid for writing.
"""
mist_create(options, out) = @ccall libmist().mist_create(
    options::Ptr{MistOptions},
    out::Ptr{Ptr{MistEstimator}},
)::Cint

"""
    mist_free(est)

Releases a handle from `mist_create`. NULL is a no-op. No call on the handle may be running or
follow.

# Safety
`est` must be NULL or a handle from `mist_create` not yet freed.
"""
mist_free(est) = @ccall libmist().mist_free(est::Ptr{MistEstimator})::Cvoid

"""
    mist_estimate(est, x, y, out_mi) -> Cint

Estimates I(X;Y) in nats from n paired samples: `x` is n × dx, `y` is n × dy (rows are samples).

Datasets with more rows than the model's maximum (`mist_max_n`) are split into chunks by a seeded
shuffle (options.seed); the chunks run as one batch and the model's large-n head answers from them
and from all the rows (see MODEL at the top). Constant columns are left out (all constant in X or Y:
MI 0); see DEGENERATE AND DISCRETE DATA at the top for ties.

Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (layout), MIST_STATUS_BAD_DIMENSION,
MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS, MIST_STATUS_NON_FINITE,
MIST_STATUS_DISCRETE_DATA, MIST_STATUS_INFERENCE. `*out_mi` is written only on success.

# Safety
`est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `out_mi` NULL or
writable.
"""
mist_estimate(est, x, y, out_mi) = @ccall libmist().mist_estimate(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_quantiles(est, x, y, taus, n_taus, out) -> Cint

Quantiles of I(X;Y) in nats: `out[i]` is the `taus[i]`-quantile of MI given the data, for `n_taus`
levels in the open interval (0, 1), e.g. {0.05, 0.5, 0.95} for the median and a 90% interval. The
values are monotone in tau (so `out` is sorted ascending when `taus` is).

Errors: those of `mist_estimate`, and MIST_STATUS_INVALID_ARGUMENT for `n_taus` = 0 or a level
outside (0, 1). `out` (n_taus doubles) is written only on success.

# Safety
As `mist_estimate`; `taus` must hold `n_taus` doubles and `out` room for `n_taus` doubles.
"""
mist_quantiles(est, x, y, taus, n_taus, out) = @ccall libmist().mist_quantiles(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    taus::Ptr{Cdouble},
    n_taus::Csize_t,
    out::Ptr{Cdouble},
)::Cint

"""
    mist_estimate_with_quantiles(est, x, y, taus, n_taus, out_mi, out_q) -> Cint

The point estimate and the quantiles at `taus` from one run of the model, for the cost of one
`mist_estimate`: `*out_mi` is what `mist_estimate` gives and `out_q` (n_taus doubles) what
`mist_quantiles` gives for the same data, bit for bit.

Errors: those of `mist_quantiles`. `*out_mi` and `out_q` are written only on success.

# Safety
As `mist_quantiles`; `out_mi` must be NULL or writable, `out_q` room for `n_taus` doubles.
"""
mist_estimate_with_quantiles(
    est,
    x,
    y,
    taus,
    n_taus,
    out_mi,
    out_q,
) = @ccall libmist().mist_estimate_with_quantiles(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    taus::Ptr{Cdouble},
    n_taus::Csize_t,
    out_mi::Ptr{Cdouble},
    out_q::Ptr{Cdouble},
)::Cint

"""
    mist_estimate_batch(est, xs, ys, count, out_mi) -> Cint

Point estimates (nats) of `count` datasets in one call: dataset i is `xs[i]`, `ys[i]`, its estimate
goes to `out_mi[i]`. Datasets whose (chunk) row counts are equal share inference runs. Each result
equals `mist_estimate` on that dataset alone up to float rounding (about 1e-7 relative: ONNX
Runtime's kernels depend on the batch size); the same batch gives the same bits.

Errors: those of `mist_estimate`; the message of a bad dataset starts with `dataset i:` (or names
`xs[i]`). `out_mi` is written only on success, for all datasets at once; `count` = 0 succeeds and
writes nothing.

# Safety
`xs` and `ys` must point to `count` MistMatrix each, `out_mi` to room for `count` doubles.
"""
mist_estimate_batch(est, xs, ys, count, out_mi) = @ccall libmist().mist_estimate_batch(
    est::Ptr{MistEstimator},
    xs::Ptr{MistMatrix},
    ys::Ptr{MistMatrix},
    count::Csize_t,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_max_dx(est) -> Csize_t

The largest dx the handle's model accepts; 0 when `est` is NULL.

# Safety
`est` must be NULL or a live handle.
"""
mist_max_dx(est) = @ccall libmist().mist_max_dx(est::Ptr{MistEstimator})::Csize_t

"""
    mist_max_dy(est) -> Csize_t

The largest dy the handle's model accepts; 0 when `est` is NULL.

# Safety
`est` must be NULL or a live handle.
"""
mist_max_dy(est) = @ccall libmist().mist_max_dy(est::Ptr{MistEstimator})::Csize_t

"""
    mist_min_n(est) -> Csize_t

The fewest rows the handle's model accepts (smaller n gives MIST_STATUS_TOO_FEW_ROWS); 0 when `est`
is NULL.

# Safety
`est` must be NULL or a live handle.
"""
mist_min_n(est) = @ccall libmist().mist_min_n(est::Ptr{MistEstimator})::Csize_t

"""
    mist_max_n(est) -> Csize_t

The most rows the handle's model takes in one piece; larger datasets are split into chunks. 0 when
`est` is NULL.

# Safety
`est` must be NULL or a live handle.
"""
mist_max_n(est) = @ccall libmist().mist_max_n(est::Ptr{MistEstimator})::Csize_t

"""
    mist_test(est, x, y, x_kinds, y_kinds, method, k, permutations, seed, out) -> Cint

Tests X and Y for independence: the estimate of I(X;Y) by `method` (a MistMethod; `k`: the
neighbours of KSG and Ross, 0 for 5 and 3) on the data, and on `permutations` row permutations of Y
drawn from `seed`; writes the estimate, the p-value and B to `*out`. The p-value is exact for any
estimator and n (under independence every pairing of rows is as likely as the observed one).
MIST_METHOD_AUTO picks its estimator once, on the data (`x_kinds`, `y_kinds` as for
`mist_estimate_auto`), and every permutation runs that one. The same arguments and handle seed give
the same answer. Permutations run as batches on the handle's threads: the cost is about
`permutations + 1` estimates, in blocks of at most 32 MiB of permuted Y.

Errors: those of the estimator on the data; MIST_STATUS_INVALID_ARGUMENT for `permutations` = 0 or
above 10,000,000, a `method` outside MistMethod or a kind outside MistKind. Nothing is written on
failure.

# Safety
`est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
`y_kinds` NULL or readable for `x->cols` and `y->cols` ints; `out` NULL or writable.
"""
mist_test(
    est,
    x,
    y,
    x_kinds,
    y_kinds,
    method,
    k,
    permutations,
    seed,
    out,
) = @ccall libmist().mist_test(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    x_kinds::Ptr{Cint},
    y_kinds::Ptr{Cint},
    method::Cint,
    k::Csize_t,
    permutations::Csize_t,
    seed::UInt64,
    out::Ptr{MistTestResult},
)::Cint

"""
    mist_options_default(out, size)

Fills the first `size` bytes of `*out` (pass `sizeof *out`) with the defaults: `size` (at most this
library's `sizeof(MistOptions)`), embedded model, ONNX Runtime found by the search order, CPU,
device 0, no CUDA fallback, threads = number of CPUs, seed 0. Writes nothing past `size` bytes, so a
program built against an older, smaller struct is safe. Does nothing when `out` is NULL or not
aligned, or `size` is too small to hold the `size` field.

# Safety
`out` must be NULL or valid for writing `size` bytes.
"""
mist_options_default(out, size) = @ccall libmist().mist_options_default(
    out::Ptr{MistOptions},
    size::Csize_t,
)::Cvoid

"""
    mist_pairs(est, data, kinds_of, pairs_at, count, method, k, out_mi, out_q05, out_q95,
        out_method) -> Cint

MI (nats) of `count` pairs of columns of `data` (rows are samples): pair p is columns `pairs[2p]`
and `pairs[2p + 1]`, counted from 0, and its estimate goes to `out_mi[p]`, by `method` (a
MistMethod; `k`: the neighbours of KSG and Ross, 0 for 5 and 3). MIST_METHOD_AUTO picks per pair
from the two columns' `kinds` (NULL: detect each; else one MistKind per column). `out_method` (NULL:
not wanted) receives the MistMethod that answered each pair. `out_q05` and `out_q95`, both NULL or
both given, receive the model's 5% and 95% quantiles where the model answered and NaN where another
estimator did. Each answer equals the single call on that pair's two columns (the model's up to
float rounding, as `mist_estimate_batch`); the model's pairs run as batches, the others side by
side, on the handle's threads.

Errors: those of the estimator, the message starting `dataset p:` for pair p;
MIST_STATUS_INVALID_ARGUMENT for a column index out of range, a `method` outside MistMethod, a kind
outside MistKind, or one of `out_q05` and `out_q95` without the other. The outputs are written only
on success; `count` = 0 succeeds and writes nothing.

# Safety
`est` must be NULL or a live handle; `data` NULL or a valid MistMatrix view; `kinds` NULL or
readable for `data->cols` ints; `pairs` readable for `2 * count` size_t; each output NULL (where
allowed) or writable for `count` values.
"""
mist_pairs(
    est,
    data,
    kinds_of,
    pairs_at,
    count,
    method,
    k,
    out_mi,
    out_q05,
    out_q95,
    out_method,
) = @ccall libmist().mist_pairs(
    est::Ptr{MistEstimator},
    data::Ptr{MistMatrix},
    kinds_of::Ptr{Cint},
    pairs_at::Ptr{Csize_t},
    count::Csize_t,
    method::Cint,
    k::Csize_t,
    out_mi::Ptr{Cdouble},
    out_q05::Ptr{Cdouble},
    out_q95::Ptr{Cdouble},
    out_method::Ptr{Cint},
)::Cint

"""
    mist_last_error() -> Ptr{Cchar}

The message of the last failed call on the calling thread, or "" if the last call succeeded (or none
was made).

Each function returning MistStatus (except `mist_last_error_copy`) resets it on entry and sets it on
failure. The string belongs to libmist and stays valid until the next call of a mist_* function on
this thread; copy it to keep it. Never NULL.
"""
mist_last_error() = @ccall libmist().mist_last_error()::Ptr{Cchar}

"""
    mist_last_error_copy(buf, len, needed) -> Cint

Copies the calling thread's last error message, NUL-terminated, into `buf` of `len` bytes.

`*needed` (when `needed` is not NULL) receives the size the message needs, NUL included; it is
written on `MIST_STATUS_OK` and on `MIST_STATUS_BUFFER_TOO_SMALL`, so `len = 0` (with `buf` NULL)
asks for the size. `buf` is written only on success. Does not change the last error.

# Safety
`buf` must be NULL or point to `len` writable bytes; `needed` must be NULL or valid for writing.
"""
mist_last_error_copy(buf, len, needed) = @ccall libmist().mist_last_error_copy(
    buf::Ptr{Cchar},
    len::Csize_t,
    needed::Ptr{Csize_t},
)::Cint

"""
    mist_status_name(status) -> Ptr{Cchar}

The C name of a status value, e.g. "MIST_STATUS_NULL_POINTER"; "MIST_STATUS_UNKNOWN" for a value
that is not a MistStatus. Static; never NULL.
"""
mist_status_name(status) = @ccall libmist().mist_status_name(status::Cint)::Ptr{Cchar}

"""
    mist_version() -> Ptr{Cchar}

The version of libmist, e.g. "0.1.0" (equal to MIST_VERSION of the header it was built with).
Static; never NULL.
"""
mist_version() = @ccall libmist().mist_version()::Ptr{Cchar}

# --- end of generated code ---

end # module LibMist
