# estimator.R: mist_estimator handles (external pointers to libmist's MistEstimator).

#' Create a reusable mist estimator
#'
#' Loads the learned model once into a handle that [mi()], [mi_quantiles()]
#' and [mi_batch()] take as `estimator =`; every value they give is in nats.
#' Without one, they use a default handle created on first use. The handle is
#' freed by [close()][close.mist_estimator] or, at the latest, by the garbage
#' collector.
#'
#' @param model Path of an `.onnx` model exported by the MIST trainer, or
#'   `NULL` for the model embedded in libmist.
#' @param threads Most threads the handle's model runs use at once; 0 means
#'   the number of CPUs. Calls in flight take one each; how a call alone on the
#'   handle uses more is in libmist's `docs/c-abi.md`, "Threading".
#' @param seed Seed of the row shuffle that splits datasets with more rows than
#'   the model's maximum into chunks, and of the random order that breaks a few
#'   tied values. The same data and seed give bit-identical estimates.
#' @return An object of class `"mist_estimator"`.
#' @seealso [mist_limits()] for the sizes of data the model accepts.
#' @export
#' @examples
#' est <- mist_estimator(seed = 1)
#' est
#' x <- rnorm(500)
#' mi(x, x + rnorm(500), estimator = est) # nats
#' close(est)
mist_estimator <- function(model = NULL, threads = 0, seed = 0) {
  if (!is.null(model)) {
    if (!is.character(model) || length(model) != 1 || is.na(model)) {
      stop("model must be NULL or the path of an .onnx file", call. = FALSE)
    }
    model <- path.expand(model)
  }
  check_count(threads, "threads", min = 0)
  check_count(seed, "seed", min = 0)
  est <- .Call(C_mist_create, model, as.double(threads), as.double(seed))
  attr(est, "settings") <- list(model = model, threads = threads, seed = seed)
  est
}

#' @export
print.mist_estimator <- function(x, ...) {
  settings <- attr(x, "settings")
  model <- if (is.null(settings$model)) "embedded model" else settings$model
  threads <- if (settings$threads == 0) "one per CPU" else settings$threads
  cat("<mist_estimator> ", model, ", threads: ", threads, ", seed: ", settings$seed, "\n",
    sep = ""
  )
  if (.Call(C_mist_is_open, x)) {
    lim <- mist_limits(x)
    cat(sprintf(
      "  dx <= %.0f, dy <= %.0f, n >= %.0f; more than %.0f rows are split into chunks\n",
      lim[["max_dx"]], lim[["max_dy"]], lim[["min_n"]], lim[["max_n"]]
    ))
  } else {
    cat("  closed\n")
  }
  invisible(x)
}

#' Free a mist estimator
#'
#' Frees the model held by a [mist_estimator()] now rather than at garbage
#' collection. Using the handle afterwards is an error; closing it again does
#' nothing. Estimates already made with it (in nats) are plain numbers and
#' stay valid.
#'
#' @param con A `mist_estimator`.
#' @param ... Unused.
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' est <- mist_estimator()
#' close(est)
#' close(est) # harmless
close.mist_estimator <- function(con, ...) {
  .Call(C_mist_close, con)
  invisible(NULL)
}

#' Limits of the model
#'
#' The sizes of data that the estimator's model accepts. Datasets with more
#' rows than `max_n` are read as chunks of `max_n` rows, from whose
#' estimates and from all the rows the model's large-n head answers (in nats);
#' nothing is truncated.
#'
#' @param estimator A [mist_estimator()], or `NULL` for the default one.
#' @return A named numeric vector: `max_dx` and `max_dy`, the most columns of
#'   x and y; `min_n`, the fewest rows; `max_n`, the most rows in one chunk.
#' @export
#' @examples
#' mist_limits()
mist_limits <- function(estimator = NULL) {
  lim <- .Call(C_mist_limits, get_estimator(estimator))
  stats::setNames(lim, c("max_dx", "max_dy", "min_n", "max_n"))
}

#' Version of libmist
#'
#' @return The version string of the libmist library the package runs, e.g.
#'   `"0.1.0"`. (Its estimates are in nats.)
#' @export
#' @examples
#' mist_version()
mist_version <- function() {
  .Call(C_mist_version)
}

# The estimator to use: `estimator` itself, or the package's default handle, created on first use.
get_estimator <- function(estimator) {
  if (is.null(estimator)) {
    if (is.null(the$default)) {
      the$default <- mist_estimator()
    }
    return(the$default)
  }
  if (!inherits(estimator, "mist_estimator")) {
    stop("estimator must be NULL or a mist_estimator (see ?mist_estimator)", call. = FALSE)
  }
  estimator
}
