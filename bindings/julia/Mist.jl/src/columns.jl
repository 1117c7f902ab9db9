# columns.jl: Julia data as libmist takes it, one MistKind per column. Numbers (integers
# included) pass as they are and libmist's rule decides whether a column is discrete; Bool,
# Symbol, String, Char, CategoricalArrays values and any other non-numeric values are categories,
# coded 1, 2, … in order of first appearance and declared discrete. A `missing` value is an error
# naming its row and column, counted from 1, or with `skipmissing = true` its row is left out on
# both sides. NaN is not `missing` (as for Base.skipmissing): libmist refuses it. libmist's own
# messages are put in the same terms (`julia_terms`).

# The columns of `x` and their names (`nothing` for unnamed ones): a vector is one column, a
# matrix's columns are its columns, a NamedTuple of vectors (a Tables.jl column table, e.g.
# `Tables.columntable(df)`) gives named columns.
data_columns(x::AbstractVector, _) = (AbstractVector[x], nothing)
data_columns(x::AbstractMatrix, _) = (
    AbstractVector[view(x, :, j) for j in axes(x, 2)],
    nothing,
)
function data_columns(x::NamedTuple, name)
    all(v -> v isa AbstractVector, values(x)) ||
        throw(ArgumentError("$name must be a NamedTuple of vectors (one per column)"))
    return (AbstractVector[v for v in values(x)], [string(k) for k in keys(x)])
end
function data_columns(x, name)
    msg = "$name must be a vector, a matrix (rows are samples) or a NamedTuple of columns, got a $(typeof(x))"
    throw(ArgumentError(msg))
end

# One column as Float64 values (0 where missing) and its MistKind.
function code_column(v::AbstractVector)
    T = nonmissingtype(eltype(v))
    if T <: Real && !(T <: Bool)
        return Float64[ismissing(a) ? 0.0 : Float64(a) for a in v], LibMist.MIST_KIND_DETECT
    end
    codes = Dict{Any, Float64}()
    values = Float64[ismissing(a) ? 0.0 : get!(codes, a, length(codes) + 1.0) for a in v]
    return values, LibMist.MIST_KIND_DISCRETE
end

"""
One side of the data as libmist takes it: `data` (rows are samples), the MistKind of each column,
where values are `missing` and the column names (`nothing` when unnamed).
"""
struct Coded
    data::Matrix{Float64}
    kinds::Vector{Cint}
    absent::BitMatrix
    names::Union{Nothing, Vector{String}}
end

# `x` coded; a dense Float64 vector or matrix is used in place, its columns left to libmist.
coded(x::Matrix{Float64}, _) = Coded(
    x,
    fill(LibMist.MIST_KIND_DETECT, size(x, 2)),
    falses(size(x)),
    nothing,
)
coded(x::Vector{Float64}, name) = coded(reshape(x, :, 1), name)
function coded(x, name)
    columns, names = data_columns(x, name)
    isempty(columns) && throw(ArgumentError("$name has no columns"))
    n = length(columns[1])
    all(c -> length(c) == n, columns) ||
        throw(ArgumentError("the columns of $name have different lengths"))
    data = Matrix{Float64}(undef, n, length(columns))
    kinds = Vector{Cint}(undef, length(columns))
    absent = falses(n, length(columns))
    for (j, column) in enumerate(columns)
        data[:, j], kinds[j] = code_column(column)
        absent[:, j] = ismissing.(column)
    end
    return Coded(data, kinds, absent, names)
end

# Throws the error naming the first missing value of `side` (called `name`), if it has one.
function stop_at_missing(side::Coded, name)
    at = findfirst(side.absent)
    at === nothing && return nothing
    row, col = Tuple(at)
    label = side.names === nothing ? "" : " ($(side.names[col]))"
    throw(ArgumentError(
        "$name has a missing value in row $row, column $col$label; " *
            "skipmissing = true drops the incomplete rows",
    ))
end

# `x` and `y` coded with their complete rows only, as `skipmissing` says: (x, y, rows used).
# Sides of different lengths are left for libmist to refuse.
function coded_pair(x, y, skipmissing::Bool)
    cx, cy = coded(x, "x"), coded(y, "y")
    n = size(cx.data, 1)
    (n == size(cy.data, 1) && (any(cx.absent) || any(cy.absent))) || return cx, cy, n
    if !skipmissing
        stop_at_missing(cx, "x")
        stop_at_missing(cy, "y")
    end
    complete = [!any(view(cx.absent, r, :)) && !any(view(cy.absent, r, :)) for r in 1:n]
    keep(side) = Coded(
        side.data[complete, :],
        side.kinds,
        side.absent[complete, :],
        side.names,
    )
    return keep(cx), keep(cy), count(complete)
end

# libmist's message with rows, columns (`X[2, 0]`) and datasets (`dataset 4:`) counted from 1 as
# Julia counts them, `x`, `y` as the arguments are called, and infinities written `Inf`.
function julia_terms(msg::AbstractString)
    function one_based(cell)
        m = match(r"^([XY])\[(\d+|:), (\d+)\]$", cell)
        row = m[2] == ":" ? ":" : string(parse(Int, m[2]) + 1)
        return string(lowercase(m[1]), "[", row, ", ", parse(Int, m[3]) + 1, "]")
    end
    msg = replace(msg, r"\b[XY]\[(\d{1,18}|:), \d{1,18}\]" => one_based)
    msg = replace(
        msg,
        r"\bdataset \d{1,18}:" => d -> "dataset $(parse(Int, d[9:(end - 1)]) + 1):",
    )
    return replace(msg, r"(?<=[ -])inf\b" => "Inf")
end
