# analysis.jl: the permutation test of independence (`mi_test`), MI matrices (`mi_matrix`) and
# screening (`mi_screen`), over libmist's mist_test and mist_pairs. Every value is in nats.

# The MistMethod of each method symbol, and back.
const METHOD_CODES = Dict(
    :mist => LibMist.MIST_METHOD_MODEL,
    :shrink => LibMist.MIST_METHOD_SHRINK,
    :ross => LibMist.MIST_METHOD_ROSS,
    :ksg => LibMist.MIST_METHOD_KSG,
    :gaussian => LibMist.MIST_METHOD_GAUSSIAN,
    :gcmi => LibMist.MIST_METHOD_GCMI,
    :miller_madow => LibMist.MIST_METHOD_MILLER_MADOW,
    :plugin => LibMist.MIST_METHOD_PLUGIN,
    :auto => LibMist.MIST_METHOD_AUTO,
    :nsb => LibMist.MIST_METHOD_NSB,
)
const METHOD_SYMBOLS = Dict(code => name for (name, code) in METHOD_CODES)

# Pairs per libmist call, serial or mapped over workers alike, so that both batch the same pairs
# together and give identical numbers.
const PAIR_BLOCK = 1024

function method_code(method::Symbol)
    haskey(METHOD_CODES, method) && return METHOD_CODES[method]
    names = join(sort!(string.(collect(keys(METHOD_CODES)))), ", :")
    throw(ArgumentError("method must be one of :$names, got $(repr(method))"))
end

function check_k(k::Integer)
    k >= 0 ||
        throw(ArgumentError(
            "k must be a number of neighbours ≥ 1 (0: the default), got $k",
        ))
    return nothing
end

"""
    MITest

The answer of [`mi_test`](@ref): `estimate` (the MI estimate on the data, nats), `p_value`
(`(1 + #{permuted estimates ≥ estimate}) / (1 + permutations)`), `permutations` (B) and `method`
(the estimator that answered, a `Symbol` as `mi_test` takes it).
"""
struct MITest
    estimate::Float64
    p_value::Float64
    permutations::Int
    method::Symbol
end

function Base.show(io::IO, ::MIME"text/plain", t::MITest)
    println(io, "Permutation test of independence (mutual information by :", t.method, ")")
    println(io, "  estimate:     ", round(t.estimate; digits = 4), " nats")
    println(io, "  p-value:      ", round(t.p_value; digits = 4))
    return print(io, "  permutations: ", t.permutations)
end

"""
    mi_test(x, y; permutations = 199, method = :auto, k = 0, seed = rand(UInt64),
            estimator = nothing, skipmissing = false) -> MITest

Tests whether `x` and `y` are independent: the MI estimate on the data is compared with its values
on `permutations` random row permutations of `y`, which break any dependence. The p-value,
`(1 + #{permuted ≥ observed}) / (1 + permutations)`, is exact for any estimator and sample size and
never below `1 / (1 + permutations)`. It detects any dependence the estimator sees, non-monotone
too, in multivariate `x` and `y`.

- `method`: `:auto` (the estimator that fits the columns' kinds, picked once on the data and used
  for every permutation), `:mist`, `:ksg`, `:gaussian`, `:gcmi`, `:nsb`, `:shrink`,
  `:miller_madow`, `:plugin` or `:ross`, as for [`mi`](@ref); `k`: the neighbours of KSG and Ross
  (`0`: 5 and 3).
- `seed`: the permutations' seed; by default drawn from Julia's global random number generator, so
  `Random.seed!` makes a test repeatable.

`x`, `y` and `skipmissing` are as for [`mi`](@ref). The permutations run in batches on the
estimator's threads: a test costs about `permutations + 1` estimates. Throws a
[`MistError`](@ref) for data the estimator refuses, an `ArgumentError` for bad arguments.
"""
function mi_test(
    x,
    y;
    permutations::Integer = 199,
    method::Symbol = :auto,
    k::Integer = 0,
    seed::Integer = rand(UInt64),
    estimator::Union{Nothing, MistEstimator} = nothing,
    skipmissing::Bool = false,
)
    1 <= permutations <= 10_000_000 ||
        throw(ArgumentError("permutations must be from 1 to 10^7, got $permutations"))
    check_k(k)
    0 <= seed <= typemax(UInt64) ||
        throw(ArgumentError("seed must fit a UInt64, got $seed"))
    code = method_code(method)
    cx, cy, _ = coded_pair(x, y, skipmissing)
    xm, ym = cx.data, cy.data
    xc, yc = Ref(c_matrix(xm)), Ref(c_matrix(ym))
    out = Ref{LibMist.MistTestResult}()
    with_handle(resolve(estimator)) do handle
        GC.@preserve xm ym check(LibMist.mist_test(
            handle,
            xc,
            yc,
            cx.kinds,
            cy.kinds,
            code,
            k,
            permutations,
            UInt64(seed),
            out,
        ))
    end
    r = out[]
    return MITest(r.estimate, r.p_value, r.permutations, METHOD_SYMBOLS[r.method])
end

# MI of the column pairs `pairs` (1-based (i, j) tuples) of `data` (a Coded table, checked for
# missing values), in blocks of PAIR_BLOCK mapped with `map`: (mi, lower, upper, method) vectors,
# the quantiles NaN where the model did not answer.
function pair_mi(data::Coded, pairs, code, k, interval, estimator, map)
    stop_at_missing(data, "data")
    blocks = [pairs[s:min(s + PAIR_BLOCK - 1, end)] for s in 1:PAIR_BLOCK:length(pairs)]
    parts = map(block -> pairs_block(data, block, code, k, interval, estimator), blocks)
    glue(f) = reduce(
        vcat,
        (f(p) for p in parts);
        init = f((Float64[], Float64[], Float64[], Cint[])),
    )
    return glue(p -> p[1]), glue(p -> p[2]), glue(p -> p[3]), glue(p -> p[4])
end

# One libmist call on a block of pairs.
function pairs_block(table::Coded, block, code, k, interval, estimator)
    data, kinds = table.data, table.kinds
    count = length(block)
    flat = Csize_t[c - 1 for pair in block for c in pair]
    mi = Vector{Float64}(undef, count)
    lower = fill(NaN, count)
    upper = fill(NaN, count)
    methods = Vector{Cint}(undef, count)
    dc = Ref(c_matrix(data))
    with_handle(resolve(estimator)) do handle
        GC.@preserve data flat mi lower upper methods check(LibMist.mist_pairs(
            handle,
            dc,
            kinds,
            flat,
            count,
            code,
            k,
            mi,
            interval ? pointer(lower) : Ptr{Cdouble}(C_NULL),
            interval ? pointer(upper) : Ptr{Cdouble}(C_NULL),
            methods,
        ))
    end
    return mi, lower, upper, methods
end

"""
    mi_matrix(data; method = :auto, quantiles = false, k = 0, estimator = nothing, map = Base.map)

The matrix of pairwise mutual information, in nats, of the columns of `data`, a matrix (rows are
samples) or a NamedTuple of columns, which take values as for [`mi`](@ref) (no `missing`): entry
`[i, j]` is `mi(data[:, i], data[:, j]; method)`, the diagonal `NaN`. With
`quantiles = true`, a named tuple `(estimate, lower, upper)` of three such matrices: the 5% and 95%
quantiles where the learned model answered (`NaN` elsewhere). All pairs run in few library calls
(the model's in batches) on the estimator's threads. `map` maps a function over the blocks of
pairs: `Distributed.pmap` spreads them over worker processes (each loads Mist, `@everywhere using
Mist`, and uses its own default estimator; the result is identical to the serial one).
"""
function mi_matrix(
    data;
    method::Symbol = :auto,
    quantiles::Bool = false,
    k::Integer = 0,
    estimator::Union{Nothing, MistEstimator} = nothing,
    map = Base.map,
)
    check_k(k)
    code = method_code(method)
    m = coded(data, "data")
    p = size(m.data, 2)
    pairs = [(i, j) for j in 1:p for i in 1:(j - 1)]
    mi, lower, upper, _ = pair_mi(m, pairs, code, k, quantiles, estimator, map)
    function fill_matrix(values)
        out = fill(NaN, p, p)
        for (v, (i, j)) in zip(values, pairs)
            out[i, j] = v
            out[j, i] = v
        end
        return out
    end
    quantiles || return fill_matrix(mi)
    return (
        estimate = fill_matrix(mi),
        lower = fill_matrix(lower),
        upper = fill_matrix(upper),
    )
end

"""
    mi_screen(x, y; method = :auto, k = 0, estimator = nothing, map = Base.map)

The mutual information, in nats, of each column of `x` (a matrix or a NamedTuple of columns, as
for [`mi_matrix`](@ref)) with the outcome `y` (a vector, one value per row: a measurement or a
class), sorted from the most informative, with the 90% interval where the
learned model answered: a vector of named tuples `(column, mi, lower, upper, method)` (`column`
the column's number, or its name in a NamedTuple), a table for
any package that reads Tables.jl row tables (`DataFrame(mi_screen(x, y))`). `lower` and `upper`
are `NaN` where another estimator answered; `map` as for [`mi_matrix`](@ref).
"""
function mi_screen(
    x,
    y::AbstractVector;
    method::Symbol = :auto,
    k::Integer = 0,
    estimator::Union{Nothing, MistEstimator} = nothing,
    map = Base.map,
)
    check_k(k)
    code = method_code(method)
    cx, cy = coded(x, "x"), coded(y, "y")
    size(cx.data, 1) == length(y) ||
        throw(ArgumentError("x has $(size(cx.data, 1)) rows but y has $(length(y)) values"))
    stop_at_missing(cx, "x")
    stop_at_missing(cy, "y")
    data = Coded(
        hcat(cx.data, cy.data),
        vcat(cx.kinds, cy.kinds),
        hcat(cx.absent, cy.absent),
        nothing,
    )
    p = size(cx.data, 2)
    mi, lower, upper, methods = pair_mi(
        data,
        [(c, p + 1) for c in 1:p],
        code,
        k,
        true,
        estimator,
        map,
    )
    rows = [
        (
            column = cx.names === nothing ? c : cx.names[c],
            mi = mi[c],
            lower = lower[c],
            upper = upper[c],
            method = METHOD_SYMBOLS[methods[c]],
        )
        for c in 1:p
    ]
    return sort!(rows; by = r -> -r.mi)
end
