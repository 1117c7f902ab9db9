# test.R: the permutation test of independence, printed as R's other tests are.

# MistMethod of each method name (include/mist.h), and the name of each MistMethod.
method_codes <- c(
  mist = 0L, shrink = 1L, ross = 2L, ksg = 3L, gaussian = 4L, gcmi = 5L,
  "miller-madow" = 6L, plugin = 7L, auto = 8L, nsb = 9L
)
method_name <- function(code) names(method_codes)[match(code, method_codes)]

# Long names for printed results.
method_titles <- c(
  mist = "the learned model", shrink = "the shrinkage estimate of the contingency table",
  ross = "Ross's estimator", ksg = "KSG", gaussian = "the Gaussian estimator",
  gcmi = "the Gaussian-copula estimator", "miller-madow" = "the Miller-Madow estimate",
  plugin = "the plug-in estimate",
  nsb = "the NSB estimate of the contingency table"
)

# A seed for libmist from R's random number generator, so that set.seed() makes a call repeatable.
draw_seed <- function(seed) {
  if (is.null(seed)) {
    return(as.double(sample.int(.Machine$integer.max, 1)))
  }
  check_count(seed, "seed", min = 0)
  as.double(seed)
}

#' Permutation test of independence
#'
#' Tests whether `x` and `y` are independent: the mutual information
#' estimate on the data is compared with its values on `B` random row
#' permutations of `y`, which break any dependence. The p-value,
#' `(1 + #{permuted estimates >= observed}) / (1 + B)`, is exact for any
#' estimator and sample size. It is never below `1 / (1 + B)`: use
#' `B = 999` or more for p-values near 0.001.
#'
#' Unlike [stats::cor.test()], which detects linear (Pearson) or monotone
#' (Spearman, Kendall) association only, the test detects any dependence the
#' estimator sees, non-monotone (quadratic, circular) too, and takes
#' multivariate `x` and `y`. The permutations run in batches: a test costs
#' about `B + 1` estimates. The estimator is chosen once, on the data, and
#' every permutation runs the same one.
#'
#' @section Size and power:
#' Measured by `scripts/test-power.R` in the mist repository (B = 99,
#' alpha = 0.05). Type-I error on independent normal data, 1,000 datasets a
#' cell:
#'
#' | | n = 50, d = 1 | n = 50, d = 4 | n = 200, d = 1 | n = 200, d = 4 |
#' |---|---|---|---|---|
#' | learned model | 0.058 | 0.049 | 0.049 | 0.047 |
#' | KSG | 0.042 | 0.055 | 0.039 | 0.050 |
#'
#' Power at n = 50 / 100 / 200, 200 datasets a cell, x uniform between -1 and 1:
#'
#' | dependence | model | KSG | `cor.test` | `dcor.test` |
#' |---|---|---|---|---|
#' | linear, y = x + N(0, 2^2) | 0.41 / 0.71 / 0.95 | 0.15 / 0.20 / 0.29 | 0.50 / 0.83 / 0.99 | 0.43 / 0.77 / 0.97 |
#' | quadratic, y = x^2 + N(0, 0.3^2) | 0.81 / 1.00 / 1.00 | 0.92 / 1.00 / 1.00 | 0.08 / 0.12 / 0.10 | 0.88 / 1.00 / 1.00 |
#' | sinusoidal, y = sin(2 pi x) + N(0, 1) | 0.36 / 0.74 / 0.99 | 0.41 / 0.84 / 1.00 | 0.34 / 0.63 / 0.93 | 0.40 / 0.80 / 1.00 |
#' | circular, (cos t, sin t) + N(0, 0.4^2) | 0.06 / 0.47 / 0.92 | 0.18 / 0.33 / 0.44 | 0.01 / 0.01 / 0.03 | 0.03 / 0.05 / 0.09 |
#'
#' [stats::cor.test()] wins on linear dependence; on the quadratic and the
#' circle the learned model's test has far more power, and more than
#' `energy::dcor.test()` on the circle. KSG's test is best on the sinusoid.
#'
#' @inheritParams mi
#' @param B Number of permutations.
#' @param seed Seed of the permutations, a whole number; `NULL` draws one from
#'   R's random number generator, so [set.seed()] makes the test repeatable.
#' @return A list of class `"htest"`: `statistic` and `estimate` (the MI
#'   estimate, nats), `parameter` (`B`), `p.value`, `null.value` (0),
#'   `alternative` (`"greater"`), `method` (a sentence naming the estimator
#'   that answered), `mi_method` (its name, as `method` takes it) and
#'   `data.name`.
#' @seealso [mi()], [mi_screen()], [stats::cor.test()], `energy::dcor.test()`.
#' @export
#' @examples
#' set.seed(1)
#' x <- runif(100, -1, 1)
#' y <- x^2 + rnorm(100, sd = 0.1) # dependent, but not correlated
#' cor.test(x, y)$p.value
#' mi_test(x, y)
#' mi_test(iris$Species, iris$Sepal.Width, B = 99) # a class against a measurement
mi_test <- function(x, y, B = 199,
                    method = c("auto", "mist", "ksg", "gaussian", "gcmi", "nsb", "shrink",
                               "miller-madow", "plugin", "ross"),
                    k = 5, estimator = NULL, seed = NULL, na.rm = FALSE) {
  data_name <- paste(deparse1(substitute(x)), "and", deparse1(substitute(y)))
  method <- match.arg(method)
  check_count(B, "B", min = 1)
  if (B > 1e7) {
    stop("B must be at most 1e7 (p-values to 1e-7)", call. = FALSE)
  }
  check_count(k, "k", min = 1)
  seed <- draw_seed(seed)
  coded <- coded_pair(x, y, na.rm)
  cx <- coded$x
  cy <- coded$y
  r <- .Call(
    C_mist_test, get_estimator(estimator), cx$data, cy$data, cx$kinds, cy$kinds,
    method_codes[[method]], as.double(k), as.double(B), seed
  )
  answered <- method_name(r[[4]])
  structure(list(
    statistic = c("MI (nats)" = r[[1]]),
    parameter = c(B = r[[3]]),
    p.value = r[[2]],
    estimate = c("mutual information (nats)" = r[[1]]),
    null.value = c("mutual information" = 0),
    alternative = "greater",
    method = sprintf("Permutation test of independence, MI by %s", method_titles[[answered]]),
    data.name = if (na.rm) sprintf("%s (%d complete rows)", data_name, length(coded$rows)) else data_name,
    mi_method = answered
  ), class = "htest")
}
