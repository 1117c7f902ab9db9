# mist-package.R: the package's documentation page, its native routines and its state.

#' mist: learned mutual-information estimation
#'
#' Estimates the mutual information I(X;Y) between two paired samples, in nats
#' (natural logarithm; divide by `log(2)` for bits), with a neural set model
#' trained on synthetic datasets of known mutual information (libmist, run by
#' ONNX Runtime). [mi()] gives a point estimate (or the KSG, Gaussian and
#' Gaussian-copula baselines), [mi_quantiles()] quantiles of the mutual information given the
#' data, [mi_batch()] estimates of many datasets at once, and
#' [mist_estimator()] a reusable handle on the model.
#'
#' @keywords internal
#' @useDynLib mist, .registration = TRUE, .fixes = "C_"
"_PACKAGE"

# Package state: `default`, the estimator used when a function gets `estimator = NULL`, created
# on first use by default_estimator().
the <- new.env(parent = emptyenv())

.onUnload <- function(libpath) {
  # Frees the default handle. The DLL stays loaded: finalizers of handles still alive elsewhere
  # call into it.
  if (!is.null(the$default)) {
    close(the$default)
    the$default <- NULL
  }
}
