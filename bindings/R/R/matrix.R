# matrix.R: MI of many column pairs in one libmist call (mist_pairs): MI matrices and screening,
# optionally split over a `parallel` cluster.

# Pairs per libmist call, in the serial and the cluster run alike, so that both batch the same
# pairs together and give identical numbers.
PAIR_BLOCK <- 1024L

# MI of the column pairs `i`, `j` (from 1) of `data` (a coded matrix or data frame with `kinds`):
# list(mi, lower, upper, method), with the 5% and 95% quantiles when `quantiles` is TRUE (NA where
# the model did not answer). With a cluster `cl`, blocks of pairs go to its workers, each with its
# own default estimator.
pair_mi <- function(data, kinds, i, j, method, k, quantiles, estimator, cl) {
  starts <- seq.int(1L, length(i), by = PAIR_BLOCK)
  blocks <- lapply(starts, function(s) {
    at <- s:min(s + PAIR_BLOCK - 1L, length(i))
    as.vector(rbind(i[at], j[at])) - 1L
  })
  code <- method_codes[[method]]
  parts <- if (is.null(cl)) {
    lapply(blocks, pairs_block, data, kinds, code, k, quantiles, estimator)
  } else {
    parallel::parLapply(cl, blocks, pairs_block, data, kinds, code, k, quantiles, NULL)
  }
  glue <- function(slot) {
    v <- unlist(lapply(parts, `[[`, slot))
    if (is.double(v)) v[is.nan(v)] <- NA_real_
    v
  }
  list(
    mi = glue(1),
    lower = if (quantiles) glue(2) else NULL,
    upper = if (quantiles) glue(3) else NULL,
    method = method_name(glue(4))
  )
}

# One libmist call on a block of pairs (column indices from 0, two per pair). A function of the
# namespace, so that a cluster worker receives it by name and loads the package to run it.
pairs_block <- function(pairs, data, kinds, code, k, quantiles, estimator) {
  .Call(C_mist_pairs, get_estimator(estimator), data, kinds, pairs, code, as.double(k), quantiles)
}

# Checks the arguments mi_matrix() and mi_screen() share.
check_pairs_args <- function(quantiles, na.rm, estimator, cl, k) {
  if (!isTRUE(quantiles) && !identical(quantiles, FALSE)) {
    stop("quantiles must be TRUE or FALSE", call. = FALSE)
  }
  if (!isTRUE(na.rm) && !identical(na.rm, FALSE)) {
    stop("na.rm must be TRUE or FALSE", call. = FALSE)
  }
  check_count(k, "k", min = 1)
  if (!is.null(cl)) {
    if (!inherits(cl, "cluster")) {
      stop("cl must be NULL or a cluster from parallel::makeCluster()", call. = FALSE)
    }
    if (!is.null(estimator)) {
      stop("with cl, leave estimator NULL: each worker uses its own default estimator", call. = FALSE)
    }
  }
}

# `data` (a data frame or matrix) coded for libmist, with the complete rows only under `na.rm`.
coded_table <- function(data, name, na.rm) {
  check_data(data, name, discrete = TRUE)
  coded <- code_columns(data)
  ok <- stats::complete.cases(coded$data)
  if (!all(ok)) {
    if (!na.rm) {
      stop_at_na(coded$data, name)
    }
    coded$data <- take_rows(coded$data, which(ok))
  }
  stop_at_infinite(coded$data, name)
  coded
}

# Stops with an error naming the first infinite value of m (coded data named `name`), if any: the
# library would name it within one pair, counted in pairs.
stop_at_infinite <- function(m, name) {
  m <- as.matrix(m)
  bad <- which(is.infinite(m), arr.ind = TRUE)
  if (nrow(bad) > 0) {
    first <- bad[order(bad[, 1], bad[, 2])[1], ]
    label <- if (!is.null(colnames(m))) sprintf(" (%s)", colnames(m)[first[2]]) else ""
    stop(sprintf(
      "%s has %s in row %d, column %d%s; mist needs finite values",
      name, format(m[first[1], first[2]]), first[1], first[2], label
    ), call. = FALSE)
  }
}

#' Mutual information of every pair of columns
#'
#' The matrix of pairwise mutual information, in nats, of the columns of a
#' data frame or matrix, as [stats::cor()] gives correlations: entry `[i, j]`
#' is `mi(data[[i]], data[[j]], method)`. All pairs run in a few library calls
#' (the learned model's in batches) on the estimator's threads, or on the
#' workers of a `parallel` cluster.
#'
#' @inheritParams mi
#' @param data A data frame or matrix; columns as [mi()] takes them.
#' @param quantiles Also return the 5% and 95% quantiles (the 90% interval)
#'   where the learned model answered (`NA` elsewhere).
#' @param na.rm Use only the rows without a missing value in any column;
#'   otherwise a missing value is an error naming its row and column.
#' @param cl `NULL`, or a cluster from [parallel::makeCluster()] (PSOCK or
#'   fork, local or on other hosts with the package installed): blocks of
#'   pairs go to its workers, each with its own default estimator, and the
#'   result is identical to the serial one.
#' @return A symmetric matrix with the column names as dimnames and `NA` on
#'   the diagonal. With `quantiles = TRUE`, a list of three such matrices:
#'   `estimate`, `lower` (5%) and `upper` (95%).
#' @seealso [mi_screen()] for every column against one outcome.
#' @export
#' @examples
#' round(mi_matrix(iris), 2)
#' m <- mi_matrix(faithful, quantiles = TRUE)
#' m$lower
mi_matrix <- function(data,
                      method = c("auto", "mist", "ksg", "gaussian", "gcmi", "nsb", "shrink",
                                 "miller-madow", "plugin", "ross"),
                      quantiles = FALSE, k = 5, estimator = NULL, cl = NULL, na.rm = FALSE) {
  method <- match.arg(method)
  check_pairs_args(quantiles, na.rm, estimator, cl, k)
  coded <- coded_table(data, "data", na.rm)
  p <- if (is.data.frame(data) || length(dim(data)) == 2) ncol(data) else 1L
  names <- colnames(data)
  pairs <- which(upper.tri(matrix(0, p, p)), arr.ind = TRUE)
  r <- pair_mi(coded$data, coded$kinds, pairs[, 1], pairs[, 2], method, k, quantiles, estimator, cl)
  fill <- function(values) {
    m <- matrix(NA_real_, p, p, dimnames = list(names, names))
    m[pairs] <- values
    m[pairs[, 2:1, drop = FALSE]] <- values
    m
  }
  if (quantiles) list(estimate = fill(r$mi), lower = fill(r$lower), upper = fill(r$upper)) else fill(r$mi)
}

#' Screen variables by their mutual information with an outcome
#'
#' The mutual information, in nats, of each column of `x` with `y`, sorted
#' from the most informative, with the 90% interval where the learned model
#' answered: the ranking that `FSelector::information.gain()` or
#' scikit-learn's `mutual_info_classif` give, with uncertainty. Pairs run as
#' in [mi_matrix()].
#'
#' @inheritParams mi_matrix
#' @param x A data frame or matrix of candidate variables.
#' @param y The outcome: a vector (numeric, factor, character or logical) with
#'   one value per row of `x`.
#' @return A data frame sorted by decreasing `mi`: `variable` (the column
#'   name, or its number), `mi` (nats), `lower` and `upper` (the 5% and 95%
#'   quantiles; `NA` where another estimator than the learned model answered)
#'   and `method` (the estimator that answered).
#' @export
#' @examples
#' mi_screen(iris[1:4], iris$Species)
#' mi_screen(mtcars[-1], mtcars$mpg)
mi_screen <- function(x, y,
                      method = c("auto", "mist", "ksg", "gaussian", "gcmi", "nsb", "shrink",
                                 "miller-madow", "plugin", "ross"),
                      k = 5, estimator = NULL, cl = NULL, na.rm = FALSE) {
  method <- match.arg(method)
  check_pairs_args(FALSE, na.rm, estimator, cl, k)
  check_pair(x, y, "x", "y", discrete = TRUE)
  if (!is.null(dim(y)) && NCOL(y) != 1) {
    stop(sprintf("y has %d columns; mi_screen() takes one outcome", NCOL(y)), call. = FALSE)
  }
  if (is.data.frame(y)) y <- y[[1]] else if (is.matrix(y)) y <- y[, 1]
  names <- if (is.null(colnames(x))) as.character(seq_len(NCOL(x))) else colnames(x)
  x <- as.data.frame(x)
  p <- ncol(x)
  cx <- code_columns(x)
  cy <- code_columns(y)
  rows <- complete_rows(cx$data, cy$data, na.rm)
  coded <- list(data = cx$data[rows, , drop = FALSE], kinds = c(cx$kinds, cy$kinds))
  stop_at_infinite(coded$data, "x")
  stop_at_infinite(cy$data[rows], "y")
  coded$data$.mist_outcome <- cy$data[rows]
  r <- pair_mi(coded$data, coded$kinds, seq_len(p), rep(p + 1L, p), method, k, TRUE, estimator, cl)
  out <- data.frame(variable = names, mi = r$mi, lower = r$lower, upper = r$upper, method = r$method)
  out <- out[order(-out$mi), ]
  rownames(out) <- NULL
  out
}
