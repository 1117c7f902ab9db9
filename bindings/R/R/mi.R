# mi.R: mutual-information estimates (nats) of one dataset or of many.

#' Mutual information of two samples
#'
#' Estimates the mutual information I(X;Y), in nats, from paired samples:
#' row i of `x` goes with row i of `y`. The default, `"auto"`, picks the
#' estimator that fits the kinds of the columns and says which answered.
#'
#' Rows are samples and columns dimensions; a vector is one column. Factor,
#' character and logical columns are categories; a numeric column is
#' discrete when it takes 2 to 10 distinct values, each repeated on average
#' (0/1 data, counts, short scales), and continuous otherwise, rounded
#' measurements included (more than 10 values, e.g. `iris` to 0.1 cm, whose
#' ties are broken at random, which leaves MI unchanged). With `"auto"`:
#' every column continuous, the learned model (`"mist"`); every column
#' discrete, the NSB estimate of the contingency table (`"nsb"`); one
#' side discrete and the other continuous, Ross's estimator (`"ross"`, k = 3);
#' a side with both kinds, KSG (k = 5), which counts the ties of discrete
#' columns exactly. Several discrete columns of one side form one joint
#' category. Constant columns carry no information and are left out: when
#' `x` or `y` has no column that varies, the estimate is 0.
#'
#' Missing values (`NA`, `NaN`) are an error naming the row and column,
#' counted from 1; with `na.rm = TRUE` the rows with a missing value in `x`
#' or `y` are dropped. Infinite values are refused.
#'
#' The learned model's estimate is its point estimate (trained to minimise the
#' squared error), always inside its own 90% interval; report it with the
#' interval of [mi_quantiles()].
#'
#' @param x,y Vectors, matrices or data frames (numeric, integer, logical,
#'   factor or character columns) with the same number of rows.
#' @param method `"auto"`: as above; `"mist"`: the learned model, which
#'   refuses discrete columns; `"ksg"`: the Kraskov-Stögbauer-Grassberger
#'   k-nearest-neighbour estimator (clipped at 0); `"gaussian"`: the Gaussian
#'   (canonical-correlation) estimator, exact for jointly Gaussian data;
#'   `"gcmi"`: the Gaussian-copula estimator (Ince et al. 2017), exact for any
#'   Gaussian copula, unchanged by monotone transforms of a column;
#'   `"nsb"`, `"shrink"`, `"miller-madow"`, `"plugin"`: estimates of the
#'   contingency table of two discrete sides (the NSB estimate of Nemenman,
#'   Shafee and Bialek 2002, the lowest error with few rows per cell;
#'   James-Stein shrinkage of Hausser and Strimmer 2009, as `infotheo`'s
#'   `"shrink"`, which reads strong dependence as weak on such tables; the
#'   plug-in estimate with and without the Miller-Madow correction); `"ross"`: Ross's
#'   (2014) estimator of a discrete `x` (a class) against a continuous `y`.
#' @param k Number of nearest neighbours of the KSG and Ross estimators.
#' @param estimator A [mist_estimator()] for the learned model, or `NULL` for
#'   the default one; unused by the other estimators.
#' @param na.rm Drop the rows with a missing value in `x` or `y`.
#' @return The estimate of I(X;Y) in nats, one number. With `"auto"` its
#'   attribute `"method"` names the estimator that answered; with
#'   `na.rm = TRUE` its attribute `"n"` is the number of rows used.
#' @seealso [mi_quantiles()] for an interval, [mi_batch()] for many datasets.
#' @export
#' @examples
#' set.seed(1)
#' x <- rnorm(1000)
#' y <- 0.75 * x + sqrt(1 - 0.75^2) * rnorm(1000)
#' -0.5 * log(1 - 0.75^2) # the true value, 0.413 nats
#' mi(x, y)
#' mi(x, y, method = "ksg")
#' mi(exp(x), y, method = "gcmi") # the same as for x: monotone transforms do not count
#' mi(iris$Species, iris$Petal.Length) # a class against a measurement: Ross
#' mi(mtcars$cyl, mtcars$gear) # two discrete columns: NSB
#' mi(c(x[-1], NA), y, na.rm = TRUE) # 999 rows used
mi <- function(x, y,
               method = c("auto", "mist", "ksg", "gaussian", "gcmi", "nsb", "shrink",
                          "miller-madow", "plugin", "ross"),
               k = 5, estimator = NULL, na.rm = FALSE) {
  method <- match.arg(method)
  coded <- coded_pair(x, y, na.rm)
  cx <- coded$x
  cy <- coded$y
  value <- if (method == "auto") {
    both <- .Call(C_mist_auto, get_estimator(estimator), cx$data, cy$data, cx$kinds, cy$kinds)
    structure(both[[1]], method = method_name(both[[2]]))
  } else {
    .mi_layout(estimator, cx$data, cy$data, method = method, k = k)
  }
  if (na.rm) {
    attr(value, "n") <- length(coded$rows)
  }
  value
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
    gcmi = .Call(C_mist_gcmi, x, y, row_major),
    plugin = .Call(C_mist_discrete, x, y, 0L),
    "miller-madow" = .Call(C_mist_discrete, x, y, 1L),
    shrink = .Call(C_mist_discrete, x, y, 2L),
    nsb = .Call(C_mist_discrete, x, y, 3L),
    ross = {
      check_count(k, "k", min = 1)
      .Call(C_mist_ross, x, y, as.double(k))
    }
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
