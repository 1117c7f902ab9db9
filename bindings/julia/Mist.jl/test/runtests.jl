# runtests.jl: tests of Mist.jl against libmist: accuracy, equality with the mist command line
# (when MIST_CLI names it), layouts, every error status, handle lifetime, threads and batches.
# Every MI value is in nats. Run with `julia --project=bindings/julia/Mist.jl -e 'using Pkg;
# Pkg.test()'` after building libmist (scripts/check-julia does both).

using Mist
using Random
using Test

include("rdata.jl")

using Mist: LibMist
using Mist.LibMist:
    MIST_LAYOUT_ROW_MAJOR,
    MIST_STATUS_BAD_DIMENSION,
    MIST_STATUS_BUFFER_TOO_SMALL,
    MIST_STATUS_DISCRETE_DATA,
    MIST_STATUS_INVALID_ARGUMENT,
    MIST_STATUS_LENGTH_MISMATCH,
    MIST_STATUS_MODEL_LOAD,
    MIST_STATUS_NON_FINITE,
    MIST_STATUS_OK,
    MIST_STATUS_TOO_FEW_ROWS,
    MistMatrix

# I(X;Y) in nats of a bivariate normal with correlation 0.75: -log(1 - ρ²) / 2.
const TRUE_MI = -0.5 * log(1 - 0.75^2)

# n samples of a bivariate normal with correlation ρ, as two vectors.
function bivariate_normal(rng, n, ρ)
    x = randn(rng, n)
    return x, ρ .* x .+ sqrt(1 - ρ^2) .* randn(rng, n)
end

# The status of the MistError that f() throws; fails the test when it throws nothing.
function status_of(f)
    try
        f()
    catch err
        err isa MistError || rethrow()
        return err.status
    end
    return error("expected a MistError, but the call succeeded")
end

# The message of the exception that f() throws, as showerror prints it.
function message_of(f)
    try
        f()
    catch err
        return sprint(showerror, err)
    end
    return error("expected an exception, but the call succeeded")
end

@testset "Mist.jl" begin
    rng = MersenneTwister(20240601)
    x, y = bivariate_normal(rng, 2000, 0.75)

    @testset "bivariate normal, ρ = 0.75 (MI = 0.4133 nats)" begin
        @test abs(mi(x, y) - TRUE_MI) < 0.1
        @test abs(mi(x, y; method = :ksg) - TRUE_MI) < 0.1
        @test abs(mi(x, y; method = :gaussian) - TRUE_MI) < 0.1
        @test abs(mi(x, y; method = :gcmi) - TRUE_MI) < 0.05
        q = mi_quantiles(x, y)
        @test length(q) == 3
        @test q[1] <= TRUE_MI <= q[3]
        @test q[1] <= q[2] <= q[3]
    end

    @testset "Gaussian copula: symmetric, blind to monotone transforms" begin
        g = mi(x, y; method = :gcmi)
        @test mi(y, x; method = :gcmi) === g
        @test mi(exp.(x), y.^3; method = :gcmi) === g
        few = MersenneTwister(3)
        @test status_of(() -> mi(randn(few, 4, 2), randn(few, 4); method = :gcmi)) ==
            MIST_STATUS_TOO_FEW_ROWS
    end

    @testset "equal to the mist command line" begin
        cli = get(ENV, "MIST_CLI", "")
        if isempty(cli)
            @info "MIST_CLI is not set: skipping the comparison with the mist command line"
            @test_skip !isempty(cli)
        else
            xm = [x x.^3 .+ randn(MersenneTwister(7), length(x))]
            mktempdir() do dir
                path = joinpath(dir, "data.csv")
                open(path, "w") do io
                    for i in eachindex(y)
                        println(io, join((repr(xm[i, 1]), repr(xm[i, 2]), repr(y[i])), ","))
                    end
                end
                for method in (:mist, :ksg, :gaussian, :gcmi)
                    printed = read(`$cli $path 2 1 --method $method`, String)
                    @test parse(Float64, strip(printed)) === mi(xm, y; method)
                end
            end
        end
    end

    @testset "input types" begin
        est = MistEstimator()
        reference = mi(x, y; estimator = est)
        @test mi(reshape(x, :, 1), reshape(y, :, 1); estimator = est) === reference
        @test mi(Float32.(x), y; estimator = est) ===
            mi(Float64.(Float32.(x)), y; estimator = est)
        xy = [x y]
        @test mi(view(xy, :, 1), view(xy, :, 2); estimator = est) === reference
        @test mi(@view(xy[1:2:end, 1]), y[1:2:end]; estimator = est) ===
            mi(x[1:2:end], y[1:2:end]; estimator = est)
        @test mi(collect(1:200), sqrt.(1:200) .+ randn(rng, 200); method = :ksg) isa Float64
        @test mi(x, Union{Missing, Float64}[y;]) === mi(x, y)
        @test_throws ArgumentError mi(x, (a = y, b = 1)) # a NamedTuple holds columns only
        @test_throws ArgumentError mi(x, y; method = :kde)
        @test_throws ArgumentError mi(x, y; method = :ksg, k = -1)
        @test occursin("x must be a vector, a matrix", message_of(() -> mi("x", y)))
        close(est)
    end

    @testset "row-major copy equals the column-major original" begin
        est = MistEstimator()
        xm = [x y .+ randn(rng, length(y)) x .* y]
        xt = permutedims(xm) # 3 × n: its memory is xm in row-major order
        ym = reshape(y.^2 .+ 0.1 .* randn(rng, length(y)), :, 1)
        yt = permutedims(ym)
        n = size(xm, 1)
        for method in (:mist, :ksg, :gaussian, :gcmi)
            out = Ref(NaN)
            status = GC.@preserve xt yt begin
                xc = Ref(MistMatrix(pointer(xt), n, 3, MIST_LAYOUT_ROW_MAJOR))
                yc = Ref(MistMatrix(pointer(yt), n, 1, MIST_LAYOUT_ROW_MAJOR))
                if method === :mist
                    LibMist.mist_estimate(est.handle, xc, yc, out)
                elseif method === :ksg
                    LibMist.mist_ksg(xc, yc, 5, out)
                elseif method === :gaussian
                    LibMist.mist_gaussian(xc, yc, out)
                else
                    LibMist.mist_gcmi(xc, yc, out)
                end
            end
            @test status == MIST_STATUS_OK
            @test out[] === mi(xm, ym; method, estimator = est)
        end
        close(est)
    end

    @testset "quantiles" begin
        probs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
        q = mi_quantiles(x, y, probs)
        @test length(q) == length(probs)
        @test issorted(q)
        @test mi_quantiles(x, y, [0.5])[1] ≈ q[4] rtol = 1.0e-6
        for bad in ([0.0], [1.0], [0.5, 1.5], [-0.1, 0.5], [NaN])
            @test status_of(() -> mi_quantiles(x, y, bad)) == MIST_STATUS_INVALID_ARGUMENT
        end
        @test_throws ArgumentError mi_quantiles(x, y, Float64[])
        both = mi_with_quantiles(x, y, probs)
        @test both.estimate === mi(x, y)
        @test both.quantiles == q
        @test status_of(() -> mi_with_quantiles(x, y, [0.5, 1.0])) ==
            MIST_STATUS_INVALID_ARGUMENT
        @test_throws ArgumentError mi_with_quantiles(x, y, Float64[])
    end

    @testset "errors carry libmist's status" begin
        limits = mist_limits()
        @test limits.max_dx >= 1 && limits.max_dy >= 1 && 1 <= limits.min_n <= limits.max_n
        nan = copy(x)
        nan[4] = NaN
        @test status_of(() -> mi(nan, y)) == MIST_STATUS_NON_FINITE
        @test status_of(() -> mi(x, y[1:100]; method = :gaussian)) ==
            MIST_STATUS_LENGTH_MISMATCH
        @test status_of(() -> mi(x, y[1:100])) == MIST_STATUS_LENGTH_MISMATCH
        few = limits.min_n - 1
        @test status_of(() -> mi(x[1:few], y[1:few])) == MIST_STATUS_TOO_FEW_ROWS
        @test status_of(() -> mi(Float64[], Float64[])) == MIST_STATUS_TOO_FEW_ROWS
        wide = randn(rng, 200, limits.max_dx + 1)
        @test status_of(() -> mi(wide, y[1:200])) == MIST_STATUS_BAD_DIMENSION
        @test status_of(() -> mi(zeros(200, 0), y[1:200])) == MIST_STATUS_BAD_DIMENSION
        binary = Float64.(rand(rng, 0:1, 500))
        @test status_of(() -> mi(binary, y[1:500]; method = :mist)) ==
            MIST_STATUS_DISCRETE_DATA
        @test mi_estimate(binary, y[1:500]).method === :ross
        @test mi(binary, y[1:500]; method = :ksg) >= 0 # the baselines accept discrete data
        @test mi(binary, y[1:500]; method = :gcmi) >= 0
        @test status_of(() -> mi(x, y; method = :ksg, k = 0)) ==
            MIST_STATUS_INVALID_ARGUMENT
        missing_model = joinpath(tempdir(), "no-such-dir-$(getpid())", "model.onnx")
        @test status_of(() -> MistEstimator(model = missing_model)) ==
            MIST_STATUS_MODEL_LOAD
        shown = message_of(() -> mi(nan, y))
        @test startswith(shown, "MistError(MIST_STATUS_NON_FINITE): ")
        @test occursin("x[4, 1] = NaN", shown) # rows and columns counted from 1
        @test occursin("rows", message_of(() -> mi(x, y[1:100])))
    end

    @testset "status names match libmist's" begin
        for name in names(LibMist; all = true)
            startswith(string(name), "MIST_STATUS_") || continue
            status = getfield(LibMist, name)
            @test sprint(showerror, MistError(status, "m")) == "MistError($name): m"
        end
        @test sprint(showerror, MistError(123456, "m")) ==
            "MistError(MIST_STATUS_UNKNOWN): m"
    end

    @testset "a constant column gives exactly 0" begin
        constant = fill(2.5, length(y))
        for method in (:mist, :ksg, :gaussian, :gcmi)
            @test mi(constant, y; method) === 0.0
        end
        @test all(==(0.0), mi_quantiles(constant, y))
    end

    @testset "close and finalizer" begin
        est = MistEstimator(threads = 2, seed = 5)
        @test isopen(est)
        @test mi(x, y; estimator = est) isa Float64
        @test occursin("threads = 2", sprint(show, est))
        close(est)
        close(est) # closing again does nothing
        @test !isopen(est)
        GC.gc()
        GC.gc() # the finalizer of a closed handle frees nothing twice
        @test occursin("closed", sprint(show, est))
        @test_throws ArgumentError mi(x, y; estimator = est)
        @test_throws ArgumentError mi_quantiles(x, y; estimator = est)
        @test_throws ArgumentError mi_batch([x], [y]; estimator = est)
        @test_throws ArgumentError mist_limits(est)
        @test occursin("closed", message_of(() -> mi(x, y; estimator = est)))
        for _ in 1:3
            MistEstimator(threads = 1) # left to the finalizer
        end
        GC.gc()
        GC.gc()
        @test mi(x, y) isa Float64 # the default estimator is unaffected
        @test_throws ArgumentError MistEstimator(threads = -1)
        @test_throws ArgumentError MistEstimator(seed = -1)
    end

    @testset "threads share one estimator (Threads.nthreads() = $(Threads.nthreads()))" begin
        est = MistEstimator(seed = 3)
        datasets = [bivariate_normal(rng, 300 + 100 * i, 0.1 * i) for i in 1:8]
        serial = [mi(a, b; estimator = est) for (a, b) in datasets]
        threaded = zeros(length(datasets))
        Threads.@threads for i in eachindex(datasets)
            threaded[i] = mi(datasets[i]...; estimator = est)
        end
        @test all(threaded .=== serial)
        close(est)
    end

    @testset "mi_batch equals single calls" begin
        est = MistEstimator()
        sizes = (100, 300, 300, 2000)
        xs = AbstractVecOrMat{Float64}[x[1:n] for n in sizes]
        ys = [y[1:n] for n in sizes]
        push!(xs, [x x.^2])
        push!(ys, y)
        batch = mi_batch(xs, ys; estimator = est)
        single = [mi(a, b; estimator = est) for (a, b) in zip(xs, ys)]
        @test length(batch) == length(single)
        @test all(isapprox.(batch, single; rtol = 1.0e-6))
        @test mi_batch(Vector{Float64}[], Vector{Float64}[]; estimator = est) == Float64[]
        @test_throws ArgumentError mi_batch(xs, ys[1:2])
        @test_throws ArgumentError mi_batch([x, "y"], [y, y])
        bad = [x, [NaN; y[2:end]]]
        @test status_of(() -> mi_batch(bad, [y, y]; estimator = est)) ==
            MIST_STATUS_NON_FINITE
        close(est)
    end

    @testset "discrete data, categories and missing values (R's data sets)" begin
        species = repeat(["setosa", "versicolor", "virginica"]; inner = 50)
        petal = PETAL_LENGTH_MM ./ 10
        # The values R's mi() gives on the same data: one libmist, the same estimators.
        e = mi_estimate(species, petal)
        @test e.method === :ross && e.n == 150
        @test isapprox(e.mi, 0.984260752299748; atol = 1.0e-12)
        @test mi(Symbol.(species), petal) ===
            e.mi # categories are categories, whatever their type
        @test mi(species .== "setosa", petal) > 0.4 # Bool: two categories
        measures = (
            Sepal_Length = SEPAL_LENGTH_MM ./ 10,
            Sepal_Width = SEPAL_WIDTH_MM ./ 10,
            Petal_Length = petal,
            Petal_Width = PETAL_WIDTH_MM ./ 10,
        )
        e = mi_estimate(measures, species)
        @test e.method === :ross
        @test isapprox(e.mi, 0.992870056488661; atol = 1.0e-12)
        @test mi(hcat(measures...), species) === e.mi
        e = mi_estimate(CYL, GEAR) # integer codes: discrete by libmist's rule
        @test e.method === :nsb
        @test isapprox(e.mi, 0.248409253794538; atol = 1.0e-12)
        @test mi(string.(CYL), GEAR) === e.mi
        @test mi(CYL, GEAR; method = :shrink) != e.mi
        month = vcat((fill(m, d) for (m, d) in zip(5:9, [31, 30, 31, 31, 30]))...)
        e = mi_estimate(OZONE, month; skipmissing = true)
        @test e.method === :ross && e.n == 116
        @test isapprox(e.mi, 0.104129763652803; atol = 1.0e-12)
        shown = message_of(() -> mi(OZONE, month))
        @test occursin("x has a missing value in row 5, column 1", shown)
        @test occursin("skipmissing = true", shown)
        air = (Ozone = OZONE, Month = month)
        @test occursin(
            "row 5, column 1 (Ozone)",
            message_of(() -> mi(air, Float64.(month))),
        )
        @test mi_test(species, petal; permutations = 19, seed = 1).method === :ross
        screen = mi_screen(measures, species)
        @test screen[1].column in ("Petal_Length", "Petal_Width")
        @test all(r -> r.method === :ross, screen)
        @test mi_matrix((cyl = CYL, gear = GEAR))[1, 2] === mi(CYL, GEAR)
        @test_throws ArgumentError mi(CYL, GEAR; method = :tables)
    end

    @testset "permutation test, MI matrix and screening" begin
        rng = MersenneTwister(3)
        x = randn(rng, 200)
        y = 0.6 .* x .+ 0.8 .* randn(rng, 200)
        t = mi_test(x, y; permutations = 99, seed = 5)
        @test t isa MITest
        @test t.p_value == 0.01
        @test t.permutations == 99
        @test t.method === :mist
        @test t.estimate == mi(x, y)
        @test mi_test(x, y; permutations = 99, seed = 5) == t
        @test occursin("p-value", sprint(show, MIME("text/plain"), t))
        @test mi_test(x, y; permutations = 49, method = :ksg, seed = 1).p_value == 0.02
        @test mi_test(x, randn(rng, 200); permutations = 99, seed = 5).p_value > 0.05
        @test_throws ArgumentError mi_test(x, y; permutations = 0)
        @test_throws ArgumentError mi_test(x, y; method = :nope)

        data = hcat(x, y, randn(rng, 200), exp.(x))
        m = mi_matrix(data)
        @test size(m) == (4, 4)
        @test all(isnan, [m[i, i] for i in 1:4])
        @test isequal(m, permutedims(m)) # NaN diagonal: isequal, not ==
        @test isapprox(m[1, 2], mi(x, y); rtol = 1.0e-6)
        q = mi_matrix(data; quantiles = true)
        @test q.lower[1, 2] <= q.estimate[1, 2] <= q.upper[1, 2]
        @test isequal(mi_matrix(data; map = (f, xs) -> [f(v) for v in xs]), m)

        s = mi_screen(data[:, 2:4], x)
        @test s[1].column == 3 # exp.(x) against x
        @test issorted([r.mi for r in s]; rev = true)
        @test isapprox(s[1].mi, mi(exp.(x), x); rtol = 1.0e-6)
        @test all(r -> r.method === :mist, s)
    end

    @testset "low-level layer" begin
        if Sys.WORD_SIZE == 64
            @test sizeof(MistMatrix) == 32
            @test sizeof(LibMist.MistOptions) == 56
            # threads, after cuda_fallback_to_cpu and its padding
            @test fieldoffset(LibMist.MistOptions, 7) == 40
        end
        options = Ref{LibMist.MistOptions}()
        LibMist.mist_options_default(options, sizeof(LibMist.MistOptions))
        @test options[].size == sizeof(LibMist.MistOptions)
        @test options[].model_path == C_NULL
        @test options[].device == LibMist.MIST_DEVICE_CPU
        @test options[].seed == 0
        # The message of a failed call, read back with mist_last_error_copy in two steps.
        function copied_message()
            LibMist.mist_gaussian(C_NULL, C_NULL, C_NULL)
            needed = Ref{Csize_t}(0)
            sizing = LibMist.mist_last_error_copy(C_NULL, 0, needed)
            buf = Vector{Cchar}(undef, needed[])
            copying = LibMist.mist_last_error_copy(buf, length(buf), needed)
            return sizing, copying, String(reinterpret(UInt8, buf[1:(end - 1)]))
        end
        sizing, copying, message = copied_message()
        @test sizing == MIST_STATUS_BUFFER_TOO_SMALL
        @test copying == MIST_STATUS_OK
        @test occursin("NULL", message)
        @test LibMist.mist_max_dx(C_NULL) == 0
        @test isfile(LibMist.libmist())
        @test libmist_version() >= v"0.1.0"
    end
end
