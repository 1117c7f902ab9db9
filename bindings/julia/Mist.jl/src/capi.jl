# capi.jl: the low-level layer, a one-to-one mirror of include/mist.h (structs, enum values and
# one ccall per exported function), plus finding libmist at load time. Values are in nats.
# tests/julia_bindings.rs checks this file against the header: keep one `name(args) = @ccall
# libmist().name(arg::Type, ...)::Type` per function and one `field::Type` per line in structs.

"""
    Mist.LibMist

The C interface of libmist as declared in `include/mist.h`: the `MistMatrix` and `MistOptions`
structs, the status, layout and device values, and one thin function per C function, of the same
name and arguments. Every mutual-information value is in nats. Most users want the functions of
`Mist` instead (`mi`, `mi_quantiles`, `mi_batch`, `MistEstimator`).
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

# enum MistLayout: how a matrix lies in memory (Julia arrays are column-major).
const MIST_LAYOUT_ROW_MAJOR = Cint(0)
const MIST_LAYOUT_COL_MAJOR = Cint(1)

# enum MistDevice: where the model runs.
const MIST_DEVICE_CPU = Cint(0)
const MIST_DEVICE_CUDA = Cint(1)

# enum MistKind: what the caller says of a column (`mist_estimate_auto`).
const MIST_KIND_DETECT = Cint(0)
const MIST_KIND_CONTINUOUS = Cint(1)
const MIST_KIND_DISCRETE = Cint(2)

# enum MistMethod: the estimator that answered a `mist_estimate_auto` call.
const MIST_METHOD_MODEL = Cint(0)
const MIST_METHOD_SHRINK = Cint(1)
const MIST_METHOD_ROSS = Cint(2)
const MIST_METHOD_KSG = Cint(3)

# enum MistTableMethod: the estimates of a contingency table's MI (`mist_discrete`).
const MIST_TABLE_METHOD_PLUGIN = Cint(0)
const MIST_TABLE_METHOD_MILLER_MADOW = Cint(1)
const MIST_TABLE_METHOD_SHRINK = Cint(2)

"""
    LibMist.MistEstimator

The opaque C estimator handle (`struct MistEstimator`), only ever seen behind a pointer. The
`Mist.MistEstimator` type owns one and frees it.
"""
mutable struct MistEstimator end

"""
    LibMist.MistMatrix(data, rows, cols, layout)

`struct MistMatrix`: a view of `rows × cols` doubles at `data` (rows are samples, columns are
dimensions), laid out as `MIST_LAYOUT_ROW_MAJOR` or `MIST_LAYOUT_COL_MAJOR`. libmist reads it in
place; keep the array alive (`GC.@preserve`) while a call runs.
"""
struct MistMatrix
    data::Ptr{Cdouble}
    rows::Csize_t
    cols::Csize_t
    layout::Cint
end

"""
    LibMist.MistOptions

`struct MistOptions`, the options of `mist_create`: fill one with `mist_options_default(out,
sizeof(MistOptions))`, then change fields. `model_path` and `onnxruntime_path` are NUL-terminated strings or `C_NULL`.
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
    mist_ksg(x, y, k, out_mi) -> Cint

KSG estimate of I(X;Y) in nats into `out_mi[]`; returns a status.
"""
mist_ksg(x, y, k, out_mi) = @ccall libmist().mist_ksg(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    k::Csize_t,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_gaussian(x, y, out_mi) -> Cint

Gaussian (canonical-correlation) estimate of I(X;Y) in nats into `out_mi[]`; returns a status.
"""
mist_gaussian(x, y, out_mi) = @ccall libmist().mist_gaussian(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_gcmi(x, y, out_mi) -> Cint

Gaussian-copula (GCMI) estimate of I(X;Y) in nats into `out_mi[]`; returns a status.
"""
mist_gcmi(x, y, out_mi) = @ccall libmist().mist_gcmi(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_estimate_auto(est, x, y, x_kinds, y_kinds, out_mi, out_method) -> Cint

I(X;Y) in nats into `out_mi[]` by the estimator that fits the columns' kinds (`MIST_KIND_*` per
column, or `C_NULL` to detect them), and which one answered (`MIST_METHOD_*`) into `out_method[]`;
returns a status.
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
    mist_discrete(x, y, method, out_mi) -> Cint

MI in nats of two discrete samples (each row one category) from their contingency table, by a
`MIST_TABLE_METHOD_*` estimate, into `out_mi[]`; returns a status.
"""
mist_discrete(x, y, method, out_mi) = @ccall libmist().mist_discrete(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    method::Cint,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_ross(x, y, k, out_mi) -> Cint

Ross's nearest-neighbour MI in nats between a discrete `x` and a continuous `y` into `out_mi[]`;
returns a status.
"""
mist_ross(x, y, k, out_mi) = @ccall libmist().mist_ross(
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    k::Csize_t,
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_create(options, out) -> Cint

Creates an estimator handle in `out[]` (a `Ref{Ptr{MistEstimator}}`); `options` may be `C_NULL`.
"""
mist_create(options, out) = @ccall libmist().mist_create(
    options::Ptr{MistOptions},
    out::Ptr{Ptr{MistEstimator}},
)::Cint

"""
    mist_free(est)

Releases a handle from `mist_create`; `C_NULL` is a no-op. No call on it may run or follow.
"""
mist_free(est) = @ccall libmist().mist_free(est::Ptr{MistEstimator})::Cvoid

"""
    mist_estimate(est, x, y, out_mi) -> Cint

The learned estimate of I(X;Y) in nats into `out_mi[]`; returns a status.
"""
mist_estimate(est, x, y, out_mi) = @ccall libmist().mist_estimate(
    est::Ptr{MistEstimator},
    x::Ptr{MistMatrix},
    y::Ptr{MistMatrix},
    out_mi::Ptr{Cdouble},
)::Cint

"""
    mist_quantiles(est, x, y, taus, n_taus, out) -> Cint

The `taus[i]`-quantiles of I(X;Y) in nats into `out` (`n_taus` of each); returns a status.
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

I(X;Y) in nats into `out_mi` and its `taus[i]`-quantiles into `out_q` from one model run; returns
a status.
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

Learned estimates in nats of `count` datasets `xs[i]`, `ys[i]` into `out_mi`; returns a status.
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

The largest dx the handle's model accepts; 0 for `C_NULL`.
"""
mist_max_dx(est) = @ccall libmist().mist_max_dx(est::Ptr{MistEstimator})::Csize_t

"""
    mist_max_dy(est) -> Csize_t

The largest dy the handle's model accepts; 0 for `C_NULL`.
"""
mist_max_dy(est) = @ccall libmist().mist_max_dy(est::Ptr{MistEstimator})::Csize_t

"""
    mist_min_n(est) -> Csize_t

The fewest rows the handle's model accepts; 0 for `C_NULL`.
"""
mist_min_n(est) = @ccall libmist().mist_min_n(est::Ptr{MistEstimator})::Csize_t

"""
    mist_max_n(est) -> Csize_t

The most rows the handle's model takes in one piece (more are split into chunks); 0 for `C_NULL`.
"""
mist_max_n(est) = @ccall libmist().mist_max_n(est::Ptr{MistEstimator})::Csize_t

"""
    mist_options_default(out, size)

Fills the first `size` bytes of `out[]` (a `Ref{MistOptions}`; pass `sizeof(MistOptions)`) with the
default options.
"""
mist_options_default(out, size) = @ccall libmist().mist_options_default(
    out::Ptr{MistOptions},
    size::Csize_t,
)::Cvoid

"""
    mist_last_error() -> Ptr{Cchar}

The message of the calling thread's last failed call ("" after a success), owned by libmist and
valid until its next call on this thread: copy it at once with `unsafe_string`.
"""
mist_last_error() = @ccall libmist().mist_last_error()::Ptr{Cchar}

"""
    mist_last_error_copy(buf, len, needed) -> Cint

Copies the calling thread's last error message into `buf` (`len` bytes, NUL included); `needed[]`
receives the size it needs.
"""
mist_last_error_copy(buf, len, needed) = @ccall libmist().mist_last_error_copy(
    buf::Ptr{Cchar},
    len::Csize_t,
    needed::Ptr{Csize_t},
)::Cint

"""
    mist_status_name(status) -> Ptr{Cchar}

The C name of a status value, e.g. "MIST_STATUS_NULL_POINTER" (static).
"""
mist_status_name(status) = @ccall libmist().mist_status_name(status::Cint)::Ptr{Cchar}

"""
    mist_version() -> Ptr{Cchar}

The version of libmist, e.g. "0.1.0" (static).
"""
mist_version() = @ccall libmist().mist_version()::Ptr{Cchar}

end # module LibMist
