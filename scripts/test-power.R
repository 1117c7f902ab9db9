# Measures mi_test(): its type-I error on independent data, and its power beside cor.test() and
# energy::dcor.test() on four kinds of dependence; prints two Markdown tables (README, ?mi_test).
#   Rscript scripts/test-power.R [R library with mist installed] [datasets per cell]
# Seeded: the same run prints the same tables. About 20 minutes on two cores with the defaults.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 1) .libPaths(c(args[1], .libPaths()))
reps <- if (length(args) >= 2) as.integer(args[2]) else 1000L
suppressPackageStartupMessages({
  library(mist)
  library(energy)
})
B <- 99
alpha <- 0.05

# Type-I error: independent standard normal X and Y of d columns each.
cat(sprintf("## Type-I error at alpha = %.2f (%d datasets per cell, B = %d)\n\n", alpha, reps, B))
cat("| n | d | model | KSG |\n|---:|---:|---:|---:|\n")
for (n in c(50, 200)) {
  for (d in c(1, 4)) {
    set.seed(1000 * n + d)
    rejected <- c(mist = 0, ksg = 0)
    for (r in seq_len(reps)) {
      x <- matrix(rnorm(n * d), n, d)
      y <- matrix(rnorm(n * d), n, d)
      for (m in names(rejected)) {
        p <- mi_test(x, y, B = B, method = m, seed = r)$p.value
        rejected[[m]] <- rejected[[m]] + (p <= alpha)
      }
    }
    cat(sprintf("| %d | %d | %.3f | %.3f |\n", n, d, rejected[["mist"]] / reps, rejected[["ksg"]] / reps))
  }
}

# Power: x uniform on [-1, 1] (the circle: an angle), noise normal.
shapes <- list(
  "linear, y = x + N(0, 2^2)" = function(n) {
    x <- runif(n, -1, 1)
    list(x, x + rnorm(n, sd = 2))
  },
  "quadratic, y = x^2 + N(0, 0.3^2)" = function(n) {
    x <- runif(n, -1, 1)
    list(x, x^2 + rnorm(n, sd = 0.3))
  },
  "sinusoidal, y = sin(2 pi x) + N(0, 1)" = function(n) {
    x <- runif(n, -1, 1)
    list(x, sin(2 * pi * x) + rnorm(n, sd = 1))
  },
  "circular, (cos t, sin t) + N(0, 0.4^2) each" = function(n) {
    t <- runif(n, 0, 2 * pi)
    list(cos(t) + rnorm(n, sd = 0.4), sin(t) + rnorm(n, sd = 0.4))
  }
)
power_reps <- max(reps %/% 5L, 1L)
cat(sprintf("\n## Power at alpha = %.2f (%d datasets per cell; B = %d permutations, dcor.test R = %d)\n\n", alpha, power_reps, B, B))
cat("| dependence | n | mi_test, model | mi_test, KSG | cor.test | dcor.test |\n|---|---:|---:|---:|---:|---:|\n")
for (s in names(shapes)) {
  for (n in c(50, 100, 200)) {
    set.seed(7 * n + match(s, names(shapes)))
    hits <- c(mist = 0, ksg = 0, cor = 0, dcor = 0)
    for (r in seq_len(power_reps)) {
      d <- shapes[[s]](n)
      hits[["mist"]] <- hits[["mist"]] + (mi_test(d[[1]], d[[2]], B = B, method = "mist", seed = r)$p.value <= alpha)
      hits[["ksg"]] <- hits[["ksg"]] + (mi_test(d[[1]], d[[2]], B = B, method = "ksg", seed = r)$p.value <= alpha)
      hits[["cor"]] <- hits[["cor"]] + (cor.test(d[[1]], d[[2]])$p.value <= alpha)
      hits[["dcor"]] <- hits[["dcor"]] + (dcor.test(d[[1]], d[[2]], R = B)$p.value <= alpha)
    }
    cat(sprintf("| %s | %d | %s |\n", s, n, paste(sprintf("%.2f", hits / power_reps), collapse = " | ")))
  }
}
