# mi.R: mutual-information estimates (nats) of one dataset or of many.

#' Mutual information of two samples
#'
#' Estimates the mutual information I(X;Y), in nats, from paired samples:
#' row i of `x` goes with row i of `y`. The default method is the learned
#' model; `"ksg"`, `"gaussian"` and `"gcmi"` are the classical baselines.
#'
#' Rows are samples and columns dimensions; a vector is one column. Constant
#' columns carry no information and are left out: when `x` or `y` has no
#' column that varies, the estimate is 0. NA, NaN and infinite values are
#' refused. The learned model answers continuous data and rounded
#' measurements, and refuses a discrete column: one with 2 to 10 distinct
#' values, each repeated on average (0/1 data, factor codes, short scales).
#' Ties of rounded measurements (more than 10 values, e.g. `iris` to 0.1 cm)
#' are broken at random, which leaves MI unchanged. The baselines accept
#' discrete data; KSG counts the ties of a discrete column exactly.
#'
#' The learned model's estimate is its point estimate (trained to minimise the
#' squared error), always inside its own 90% interval; report it with the
#' interval of [mi_quantiles()].
#'
#' @param x,y Numeric matrices, vectors or data frames (double, integer or
#'   logical columns) with the same number of rows.
#' @param method `"mist"`: the learned model; `"ksg"`: the
#'   Kraskov-Stögbauer-Grassberger k-nearest-neighbour estimator (clipped at
#'   0); `"gaussian"`: the Gaussian (canonical-correlation) estimator, exact for
#'   jointly Gaussian data; `"gcmi"`: the Gaussian-copula estimator (Ince et al.
#'   2017), the Gaussian estimate of the columns' normal scores with a
#'   finite-sample bias correction (clipped at 0): exact for any Gaussian
#'   copula, unchanged by monotone transforms of a column, and needs more rows
#'   than `ncol(x) + ncol(y) + 1`.
#' @param k Number of nearest neighbours of the KSG estimator.
#' @param estimator A [mist_estimator()] for the learned model, or `NULL` for
#'   the default one; unused by the baselines.
#' @return The estimate of I(X;Y) in nats, one number.
#' @seealso [mi_quantiles()] for an interval, [mi_batch()] for many datasets.
#' @export
#' @examples
#' set.seed(1)
#' x <- rnorm(1000)
#' y <- 0.75 * x + sqrt(1 - 0.75^2) * rnorm(1000)
#' -0.5 * log(1 - 0.75^2) # the true value, 0.413 nats
#' mi(x, y)
#' mi(x, y, method = "ksg")
#' mi(x, y, method = "gaussian")
#' mi(exp(x), y, method = "gcmi") # the same as for x: monotone transforms do not count
mi <- function(x, y, method = c("mist", "ksg", "gaussian", "gcmi"), k = 5, estimator = NULL) {
  method <- match.arg(method)
  check_pair(x, y, "x", "y")
  .mi_layout(estimator, x, y, method = method, k = k)
}

# mi() on data in either layout: with `row_major = TRUE`, x and y hold the transposes of the data
# (t(x) is the row-major buffer of x); the tests compare both layouts.
.mi_layout <- function(estimator, x, y, row_major = FALSE, method = "mist", k = 5) {
  switch(method,
    mist = .Call(C_mist_estimate, get_estimator(estimator), x, y, row_major),
    ksg = {
      check_count(k, "k", min = 1)
      .Call(C_mist_ksg, x, y, as.double(k), row_major)
    },
    gaussian = .Call(C_mist_gaussian, x, y, row_major),
    gcmi = .Call(C_mist_gcmi, x, y, row_major)
  )
}

#' Quantiles of the mutual information
#'
#' Quantiles, in nats, of the mutual information I(X;Y) given the data, from
#' the learned model: the default `probs` give a 90% interval around the
#' median. The values increase with `probs`. They are quantiles of the model's
#' predictive distribution of the true MI given data like these, calibrated on
#' held-out synthetic data (90% intervals cover the truth about 90% of the
#' time there). The median `"50%"` can differ from [mi()], the point estimate:
#' report [mi()] with the interval from `"5%"` to `"95%"`.
#'
#' @inheritParams mi
#' @param probs Probabilities strictly between 0 and 1.
#' @return A numeric vector of quantiles in nats, named like those of
#'   [stats::quantile()] (`"5%"`, `"50%"`, `"95%"`).
#' @export
#' @examples
#' set.seed(1)
#' x <- rnorm(1000)
#' y <- 0.75 * x + sqrt(1 - 0.75^2) * rnorm(1000)
#' mi_quantiles(x, y) # nats; the true value is 0.413
mi_quantiles <- function(x, y, probs = c(0.05, 0.5, 0.95), estimator = NULL) {
  # One model run gives the point estimate too, at no extra cost.
  mi_with_quantiles(x, y, probs, estimator)$quantiles
}

#' Mutual information and its quantiles in one model run
#'
#' The learned point estimate of I(X;Y) and its quantiles, in nats, from one
#' run of the model: the values of [mi()] and [mi_quantiles()], for the time of
#' one of them.
#'
#' @inheritParams mi_quantiles
#' @return A list with `estimate` (a number, nats) and `quantiles` (named as
#'   by [mi_quantiles()]).
#' @export
#' @examples
#' set.seed(1)
#' x <- rnorm(1000)
#' y <- 0.75 * x + sqrt(1 - 0.75^2) * rnorm(1000)
#' mi_with_quantiles(x, y) # nats; the true value is 0.413
mi_with_quantiles <- function(x, y, probs = c(0.05, 0.5, 0.95), estimator = NULL) {
  if (!is.numeric(probs) || length(probs) == 0 || anyNA(probs) || any(probs <= 0 | probs >= 1)) {
    stop("probs must be numbers strictly between 0 and 1", call. = FALSE)
  }
  check_pair(x, y, "x", "y")
  both <- .Call(C_mist_estimate_with_quantiles, get_estimator(estimator), x, y, as.double(probs), FALSE)
  q <- both[[2]]
  # Named like stats::quantile()'s ("5%", "50%", ...).
  names(q) <- paste0(formatC(100 * probs, format = "fg", width = 1, digits = 7), "%")
  list(estimate = both[[1]], quantiles = q)
}

#' Mutual information of many datasets
#'
#' Point estimates, in nats, of the learned model for many datasets in one
#' call: dataset i is `xs[[i]]` with `ys[[i]]`. Datasets of equal row counts
#' share inference runs, so this is faster than calling [mi()] on each; each
#' result equals [mi()]'s up to float rounding (about 1e-7 relative).
#'
#' @param xs,ys Lists of equal length of numeric matrices, vectors or data
#'   frames, as `x` and `y` of [mi()].
#' @inheritParams mi
#' @return A numeric vector of estimates in nats, one per dataset, named like
#'   `xs`.
#' @export
#' @examples
#' set.seed(1)
#' xs <- replicate(3, rnorm(300), simplify = FALSE)
#' ys <- lapply(seq_along(xs), function(i) xs[[i]] * i + rnorm(300))
#' mi_batch(xs, ys) # nats
mi_batch <- function(xs, ys, estimator = NULL) {
  if (!is.list(xs) || !is.list(ys) || is.data.frame(xs) || is.data.frame(ys)) {
    stop("xs and ys must be lists of datasets", call. = FALSE)
  }
  if (length(xs) != length(ys)) {
    stop(sprintf("xs has %d datasets but ys has %d", length(xs), length(ys)), call. = FALSE)
  }
  for (i in seq_along(xs)) {
    check_pair(xs[[i]], ys[[i]], sprintf("xs[[%d]]", i), sprintf("ys[[%d]]", i))
  }
  out <- .Call(C_mist_batch, get_estimator(estimator), xs, ys)
  names(out) <- names(xs)
  out
}
