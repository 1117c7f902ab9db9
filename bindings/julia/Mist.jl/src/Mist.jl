# Mist.jl: the Julia interface of libmist, a learned estimator of the mutual information I(X;Y),
# in nats, with the KSG, Gaussian and Gaussian-copula baselines. The C calls live in capi.jl
# (module LibMist); this file turns Julia arrays into C matrix views, owns estimator handles and
# raises MistError.

"""
    Mist

Estimates the mutual information I(X;Y) of paired samples in **nats** (natural logarithm; divide
by `log(2)` for bits, the unit most Julia MI packages report) with libmist's learned model, with
the classical KSG, Gaussian and Gaussian-copula estimators as baselines, and with estimators of
discrete data (contingency tables; Ross's estimator for a class against measurements).

- [`mi`](@ref): one estimate, by default from the estimator that fits the columns' kinds;
  [`mi_estimate`](@ref): the same, naming the estimator; [`mi_quantiles`](@ref): quantiles (an
  interval) from the model;
  [`mi_with_quantiles`](@ref): both from one model run; [`mi_batch`](@ref): many datasets in one
  call.
- [`mi_test`](@ref): a permutation test of independence; [`mi_matrix`](@ref): MI of every pair of
  columns; [`mi_screen`](@ref): every column against an outcome.
- [`MistEstimator`](@ref): a reusable handle on the model (a default one is used otherwise).
- [`MistError`](@ref): what libmist's errors raise; [`mist_limits`](@ref),
  [`libmist_version`](@ref).

Rows are samples and columns dimensions; a vector is one column, a NamedTuple of vectors a table
of named columns. `missing` values are an error unless `skipmissing = true`. libmist is found when the package
loads: `ENV["MIST_LIB"]`, else `target/release/libmist.so` of the repository this package sits in.
The C interface itself is `Mist.LibMist`.
"""
module Mist

include("capi.jl")
include("columns.jl")

using .LibMist: LibMist, MistMatrix, MistOptions

# ONNX Runtime writes a device id and a telemetry database under ~/.cache unless this is set
# (libmist's docs/c-abi.md, "Files"); set when the package loads, before any handle exists.
function __init__()
    haskey(ENV, "ORT_DISABLE_TELEMETRY") || (ENV["ORT_DISABLE_TELEMETRY"] = "1")
end

export MIEstimate,
    MistError,
    MistEstimator,
    MITest,
    libmist_version,
    mi,
    mi_batch,
    mi_estimate,
    mi_matrix,
    mi_quantiles,
    mi_screen,
    mi_test,
    mi_with_quantiles,
    mist_limits

"""
    MistError(status, message)

An error reported by libmist: `status` is the C status value as an `Int` (one of the
`Mist.LibMist.MIST_STATUS_*` constants, e.g. `MIST_STATUS_NON_FINITE`), `message` the library's
own text naming the bad argument and its value. Shown as `MistError(MIST_STATUS_NAME): message`.
(Estimates themselves are in nats.)
"""
struct MistError <: Exception
    status::Int
    message::String
end

function Base.showerror(io::IO, e::MistError)
    return print(io, "MistError(", status_name(e.status), "): ", e.message)
end

# A copy of a NUL-terminated string owned by libmist.
# fatou-ignore discouraged-function: libmist's strings are static or valid until its next call on this thread
c_string(p::Ptr{Cchar}) = unsafe_string(p)

# The C name of a status value; "MIST_STATUS_UNKNOWN" for one that libmist does not define.
function status_name(status::Integer)
    typemin(Cint) <= status <= typemax(Cint) || return "MIST_STATUS_UNKNOWN"
    return c_string(LibMist.mist_status_name(Cint(status)))
end

# Throws the MistError of a failed call. The message is per OS thread, so it is read at once:
# nothing between the call and here yields, which is when a task may move to another thread.
function check(status::Cint)
    status == LibMist.MIST_STATUS_OK && return nothing
    throw(MistError(status, julia_terms(c_string(LibMist.mist_last_error()))))
end

"""
    MistEstimator(; model = nothing, threads = 0, seed = 0)

A handle on libmist's learned estimator, loaded once and reused by [`mi`](@ref),
[`mi_quantiles`](@ref) and [`mi_batch`](@ref) through `estimator = est`; all their values are in
nats. Without one they use a default handle, created on first use.

- `model`: path of an `.onnx` model exported by the MIST trainer; `nothing`: the model embedded in
  libmist.
- `threads`: the most threads the handle's model runs use at once; `0`: the number of CPUs. Calls
  in flight take one each; how a call alone on the handle uses more is in libmist's
  `docs/c-abi.md`, "Threading".
- `seed`: seed of the row shuffle that splits datasets with more rows than the model takes at once
  into chunks, and of the order that breaks a few tied values. Equal data and seed give
  bit-identical estimates, whatever the number of threads.

One handle may be used from many Julia threads at once. `close(est)` frees it now (closing again
does nothing, using it afterwards throws an `ArgumentError`); otherwise the garbage collector frees
it. Throws a [`MistError`](@ref) when the model or ONNX Runtime cannot be loaded, e.g.
`MIST_STATUS_MODEL_LOAD` for a model file that does not exist.
"""
mutable struct MistEstimator
    handle::Ptr{LibMist.MistEstimator}
    active::Int # calls in flight; close waits for them to end
    const guard::ReentrantLock
    const idle::Threads.Condition # notified when `active` drops to 0
    const model::Union{Nothing, String}
    const threads::Int
    const seed::UInt64

    function MistEstimator(;
        model::Union{Nothing, AbstractString} = nothing,
        threads::Integer = 0,
        seed::Integer = 0,
    )
        threads >= 0 || throw(ArgumentError("threads must be ≥ 0, got $threads"))
        0 <= seed <= typemax(UInt64) ||
            throw(ArgumentError("seed must fit a UInt64, got $seed"))
        path = model === nothing ? nothing : expanduser(String(model))
        if path !== nothing && Base.containsnul(path)
            throw(ArgumentError(
                "model must be a path without NUL characters, got $(repr(path))",
            ))
        end
        options = Ref{MistOptions}()
        LibMist.mist_options_default(options, sizeof(MistOptions))
        out = Ref{Ptr{LibMist.MistEstimator}}(C_NULL)
        GC.@preserve path begin
            d = options[]
            model_path = path === nothing ? Ptr{Cchar}(C_NULL) : Ptr{Cchar}(pointer(path))
            options[] = MistOptions(
                d.size,
                model_path,
                d.onnxruntime_path,
                d.device,
                d.device_id,
                d.cuda_fallback_to_cpu,
                threads,
                seed,
            )
            check(LibMist.mist_create(options, out))
        end
        guard = ReentrantLock()
        est = new(out[], 0, guard, Threads.Condition(guard), path, threads, seed)
        return finalizer(free_handle!, est)
    end
end

# Frees the C handle once. The finalizer calls it without the lock: no call can be in flight on
# an estimator that is no longer reachable.
function free_handle!(est::MistEstimator)
    handle = est.handle
    est.handle = C_NULL
    handle == C_NULL || LibMist.mist_free(handle)
    return nothing
end

"""
    close(est::MistEstimator)

Frees the model held by `est` now, after the calls running on it end, rather than at garbage
collection. Closing again does nothing; any other use afterwards throws an `ArgumentError`.
"""
function Base.close(est::MistEstimator)
    lock(est.guard) do
        while est.active > 0
            wait(est.idle)
        end
        return free_handle!(est)
    end
    return nothing
end

"""
    isopen(est::MistEstimator) -> Bool

Whether `est` can still be used, i.e. has not been closed.
"""
Base.isopen(est::MistEstimator) = est.handle != C_NULL

function Base.show(io::IO, est::MistEstimator)
    model = est.model === nothing ? "embedded model" : repr(est.model)
    state = isopen(est) ? "" : ", closed"
    return print(
        io,
        "MistEstimator($model, threads = $(est.threads), seed = $(est.seed)$state)",
    )
end

# Runs f(handle) on the open C handle of `est`, counted as a call in flight so that close()
# cannot free the handle underneath it.
function with_handle(f, est::MistEstimator)
    handle = lock(est.guard) do
        est.handle == C_NULL &&
            throw(ArgumentError("this MistEstimator is closed; create a new one"))
        est.active += 1
        return est.handle
    end
    try
        return GC.@preserve est f(handle)
    finally
        lock(est.guard) do
            est.active -= 1
            est.active == 0 && notify(est.idle)
            return nothing
        end
    end
end

# The package's default estimator, created on first use, under a lock so that threads share one.
const DEFAULT_ESTIMATOR = Ref{Union{Nothing, MistEstimator}}(nothing)
const DEFAULT_LOCK = ReentrantLock()

# `estimator`, or the default one when it is `nothing`.
function resolve(estimator::Union{Nothing, MistEstimator})
    estimator === nothing || return estimator
    return lock(DEFAULT_LOCK) do
        if DEFAULT_ESTIMATOR[] === nothing
            DEFAULT_ESTIMATOR[] = MistEstimator()
        end
        return DEFAULT_ESTIMATOR[]
    end
end

# `x` as a dense column-major Float64 matrix, rows as samples: `x` itself (or a reshape sharing
# its memory) when it already is Float64 and dense, so that libmist reads it in place; otherwise
# one converted copy. `name` is for the error on anything else.
as_matrix(x::Matrix{Float64}, _) = x
as_matrix(x::Vector{Float64}, _) = reshape(x, :, 1)
as_matrix(x::AbstractMatrix{<:Real}, _) = convert(Matrix{Float64}, x)
as_matrix(x::AbstractVector{<:Real}, _) = reshape(convert(Vector{Float64}, x), :, 1)
function as_matrix(x, name)
    msg = "$name must be a real vector or matrix (rows are samples), got a $(typeof(x))"
    throw(ArgumentError(msg))
end

# The C view of a matrix from as_matrix; the caller keeps the matrix alive with GC.@preserve.
function c_matrix(a::Matrix{Float64})
    return MistMatrix(pointer(a), size(a, 1), size(a, 2), LibMist.MIST_LAYOUT_COL_MAJOR)
end

"""
    MIEstimate

The answer of [`mi_estimate`](@ref): `mi` (the estimate of I(X;Y), nats), `method` (the estimator
that answered, a `Symbol` as [`mi`](@ref) takes it: under `:auto`, the one picked for the data)
and `n` (the rows used: fewer than given where `skipmissing = true` left rows out).
"""
struct MIEstimate
    mi::Float64
    method::Symbol
    n::Int
end

function Base.show(io::IO, e::MIEstimate)
    return print(io, "MIEstimate(", e.mi, " nats by :", e.method, ", ", e.n, " rows)")
end

# The MistTableMethod of each contingency-table method symbol.
const TABLE_CODES = Dict(
    :plugin => LibMist.MIST_TABLE_METHOD_PLUGIN,
    :miller_madow => LibMist.MIST_TABLE_METHOD_MILLER_MADOW,
    :shrink => LibMist.MIST_TABLE_METHOD_SHRINK,
    :nsb => LibMist.MIST_TABLE_METHOD_NSB,
)

"""
    mi(x, y; method = :auto, k = 5, estimator = nothing, skipmissing = false) -> Float64

Estimates the mutual information I(X;Y) in nats from paired samples: row `i` of `x` goes with row
`i` of `y`. [`mi_estimate`](@ref) takes the same arguments and also says which estimator answered
and how many rows it used.

`x` and `y` are vectors (one column), matrices (rows are samples, columns dimensions) or
NamedTuples of column vectors (a Tables.jl column table, e.g. `Tables.columntable(df)`, whose
names appear in messages). A dense `Matrix{Float64}` is read in place, anything else is converted
once. Numbers, integers included, are measurements or codes: libmist's rule calls a numeric column
discrete when it takes 2 to 10 distinct values, each repeated on average (0/1 data, counts, short
scales), and continuous otherwise, rounded measurements included. `Bool`, `Symbol`, `String`,
`Char`, CategoricalArrays values and any other non-numeric values are categories; several discrete
columns of one side form one joint category.

- `method = :auto`: the estimator that fits the columns' kinds: every varying column continuous,
  the learned model (`:mist`); every one discrete, the NSB estimate of the
  contingency table (`:nsb`); one side discrete and the other continuous, Ross's estimator (`:ross`, k = 3); a
  side of both kinds, KSG (`:ksg`, k = 5), which counts the ties of discrete columns exactly.
- `method = :mist`: the learned model of `estimator` (a [`MistEstimator`](@ref); `nothing`: the
  default one): its point estimate (trained to minimise the squared error), always inside its own
  90% interval (`mi_quantiles`); report the two together. It answers continuous data and rounded
  measurements, whose ties it breaks at random (MI unchanged), and refuses a discrete column
  (`MIST_STATUS_DISCRETE_DATA`).
- `method = :ksg`: the Kraskov–Stögbauer–Grassberger estimator with `k` neighbours (clipped at 0;
  the ties of a discrete column are counted exactly, those of a rounded one broken by seeded noise
  below the rounding step).
- `method = :gaussian`: the Gaussian (canonical-correlation) estimator, exact for jointly Gaussian
  data.
- `method = :gcmi`: the Gaussian-copula estimator (Ince et al. 2017): the Gaussian estimate of the
  columns' normal scores with a finite-sample bias correction (clipped at 0). Exact for any
  Gaussian copula, unchanged by monotone transforms of a column; needs more than
  `size(x, 2) + size(y, 2) + 1` rows.
- `method = :nsb`, `:shrink`, `:miller_madow`, `:plugin`: the contingency table of two
  discrete sides: the NSB estimate (Nemenman, Shafee & Bialek 2002; the lowest error with few
  rows per cell), James–Stein shrinkage (Hausser & Strimmer 2009, as `infotheo`'s `shrink`,
  which reads strong dependence as weak on such tables), the plug-in estimate with and without the
  Miller–Madow correction.
- `method = :ross`: Ross's (2014) estimator of a discrete `x` (a class) against a continuous `y`,
  with `k` neighbours.

A `missing` value is an error naming its row and column, counted from 1; with
`skipmissing = true` the rows with a `missing` in `x` or `y` are left out. NaN and Inf are not
missing values: libmist refuses them. Constant columns carry no information and are left out:
when `x` or `y` has no column that varies, the estimate is exactly 0. Throws a
[`MistError`](@ref) for data libmist refuses (NaN or Inf, different row counts, too few rows, too
many columns, ...) and an `ArgumentError` for arguments that are not vectors, matrices or
NamedTuples of columns, a `missing` value without `skipmissing`, an unknown `method` or a negative
`k`.
"""
mi(x, y; kwargs...) = mi_estimate(x, y; kwargs...).mi

"""
    mi_estimate(x, y; method = :auto, k = 5, estimator = nothing, skipmissing = false) -> MIEstimate

The estimate of [`mi`](@ref), same arguments, as an [`MIEstimate`](@ref): the value in nats
(`mi`), the estimator that answered (`method`) and the rows used (`n`).
"""
function mi_estimate(
    x,
    y;
    method::Symbol = :auto,
    k::Integer = 5,
    estimator::Union{Nothing, MistEstimator} = nothing,
    skipmissing::Bool = false,
)
    k >= 0 || throw(ArgumentError("k must be a number of neighbours ≥ 1, got $k"))
    cx, cy, n = coded_pair(x, y, skipmissing)
    xm, ym = cx.data, cy.data
    xc, yc = Ref(c_matrix(xm)), Ref(c_matrix(ym))
    out = Ref{Cdouble}()
    if method === :auto
        answered = Ref{Cint}()
        with_handle(resolve(estimator)) do handle
            GC.@preserve xm ym check(LibMist.mist_estimate_auto(
                handle,
                xc,
                yc,
                cx.kinds,
                cy.kinds,
                out,
                answered,
            ))
        end
        return MIEstimate(out[], METHOD_SYMBOLS[answered[]], n)
    elseif method === :mist
        with_handle(resolve(estimator)) do handle
            GC.@preserve xm ym check(LibMist.mist_estimate(handle, xc, yc, out))
        end
    elseif method === :ksg
        GC.@preserve xm ym check(LibMist.mist_ksg(xc, yc, k, out))
    elseif method === :gaussian
        GC.@preserve xm ym check(LibMist.mist_gaussian(xc, yc, out))
    elseif method === :gcmi
        GC.@preserve xm ym check(LibMist.mist_gcmi(xc, yc, out))
    elseif haskey(TABLE_CODES, method)
        GC.@preserve xm ym check(LibMist.mist_discrete(xc, yc, TABLE_CODES[method], out))
    elseif method === :ross
        GC.@preserve xm ym check(LibMist.mist_ross(xc, yc, k, out))
    else
        throw(ArgumentError(
            "method must be :auto, :mist, :ksg, :gaussian, :gcmi, :nsb, :shrink, " *
                ":miller_madow, :plugin or :ross, got $(repr(method))",
        ))
    end
    return MIEstimate(out[], method, n)
end

"""
    mi_quantiles(x, y, probs = [0.05, 0.5, 0.95]; estimator = nothing) -> Vector{Float64}

Quantiles in nats of the mutual information I(X;Y) given the data, from the learned model of
`estimator` (`nothing`: the default [`MistEstimator`](@ref)): element `i` is the
`probs[i]`-quantile. The default gives a 90% interval around the median; the values increase with
`probs`. `x` and `y` are as for [`mi`](@ref). Throws a [`MistError`](@ref) with
`MIST_STATUS_INVALID_ARGUMENT` for a level outside the open interval (0, 1), an `ArgumentError`
for an empty `probs`, and as [`mi`](@ref) for bad data.
"""
function mi_quantiles(
    x,
    y,
    probs::AbstractVector{<:Real} = [0.05, 0.5, 0.95];
    estimator::Union{Nothing, MistEstimator} = nothing,
)
    # One model run gives the point estimate too, at no extra cost.
    return mi_with_quantiles(x, y, probs; estimator).quantiles
end

"""
    mi_with_quantiles(x, y, probs = [0.05, 0.5, 0.95]; estimator = nothing)
        -> (estimate = Float64, quantiles = Vector{Float64})

The learned point estimate of I(X;Y) and its quantiles at `probs`, in nats, from one run of the
model: the same values as [`mi`](@ref) and [`mi_quantiles`](@ref), for the time of one of them.
Arguments and errors as for [`mi_quantiles`](@ref).
"""
function mi_with_quantiles(
    x,
    y,
    probs::AbstractVector{<:Real} = [0.05, 0.5, 0.95];
    estimator::Union{Nothing, MistEstimator} = nothing,
)
    xm, ym = as_matrix(x, "x"), as_matrix(y, "y")
    xc, yc = Ref(c_matrix(xm)), Ref(c_matrix(ym))
    isempty(probs) && throw(ArgumentError("probs must hold at least one level in (0, 1)"))
    taus = convert(Vector{Float64}, probs)
    estimate, quantiles = Ref{Cdouble}(), Vector{Float64}(undef, length(taus))
    with_handle(resolve(estimator)) do handle
        GC.@preserve xm ym check(LibMist.mist_estimate_with_quantiles(
            handle,
            xc,
            yc,
            taus,
            length(taus),
            estimate,
            quantiles,
        ))
    end
    return (estimate = estimate[], quantiles = quantiles)
end

"""
    mi_batch(xs, ys; estimator = nothing) -> Vector{Float64}

Learned estimates in nats of many datasets in one call: element `i` is I(X;Y) of `xs[i]` with
`ys[i]` (vectors or matrices as for [`mi`](@ref)). Datasets with equal row counts share inference
runs, so this is faster than calling `mi` on each; each result equals `mi`'s up to float rounding
(about 1e-7 relative). Throws an `ArgumentError` when `xs` and `ys` differ in length, and a
[`MistError`](@ref) whose message starts with `dataset i:` for bad data.
"""
function mi_batch(
    xs::AbstractVector,
    ys::AbstractVector;
    estimator::Union{Nothing, MistEstimator} = nothing,
)
    length(xs) == length(ys) ||
        throw(ArgumentError("xs has $(length(xs)) datasets but ys has $(length(ys))"))
    xms = Matrix{Float64}[as_matrix(x, "xs[$i]") for (i, x) in pairs(xs)]
    yms = Matrix{Float64}[as_matrix(y, "ys[$i]") for (i, y) in pairs(ys)]
    xcs, ycs = MistMatrix[c_matrix(a) for a in xms], MistMatrix[c_matrix(a) for a in yms]
    out = Vector{Float64}(undef, length(xms))
    with_handle(resolve(estimator)) do handle
        # No call for no datasets: an empty Julia vector need not have the non-NULL pointer
        # that libmist checks for.
        isempty(out) && return nothing
        GC.@preserve xms yms check(LibMist.mist_estimate_batch(
            handle,
            xcs,
            ycs,
            length(out),
            out,
        ))
    end
    return out
end

"""
    mist_limits(estimator = nothing) -> NamedTuple

The sizes of data the model of `estimator` (`nothing`: the default one) accepts: `max_dx` and
`max_dy`, the most columns of `x` and `y`; `min_n`, the fewest rows; `max_n`, the most rows in one
piece (larger datasets are split into chunks, from whose estimates and from all the rows the
model's large-n head answers, in nats).
"""
function mist_limits(estimator::Union{Nothing, MistEstimator} = nothing)
    return with_handle(resolve(estimator)) do handle
        return (
            max_dx = Int(LibMist.mist_max_dx(handle)),
            max_dy = Int(LibMist.mist_max_dy(handle)),
            min_n = Int(LibMist.mist_min_n(handle)),
            max_n = Int(LibMist.mist_max_n(handle)),
        )
    end
end

"""
    libmist_version() -> VersionNumber

The version of the libmist library in use (whose estimates are in nats).
"""
libmist_version() = VersionNumber(c_string(LibMist.mist_version()))

include("analysis.jl")

end # module Mist
