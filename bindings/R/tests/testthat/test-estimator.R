# test-estimator.R: handles are freed exactly once, by close() or by the garbage collector.

test_that("close() frees the handle; use after close is an error; a second close is harmless", {
  est <- mist_estimator(threads = 1, seed = 3)
  expect_s3_class(est, "mist_estimator")
  expect_output(print(est), "dx <= ")
  x <- rnorm(300)
  expect_true(is.finite(mi(x, x + rnorm(300), estimator = est)))
  close(est)
  expect_output(print(est), "closed")
  expect_error(mi(x, x, estimator = est), "this mist_estimator has been closed")
  expect_error(mi_quantiles(x, x, estimator = est), "has been closed")
  expect_error(mi_batch(list(x), list(x), estimator = est), "has been closed")
  expect_error(mist_limits(est), "has been closed")
  expect_silent(close(est))
  gc()
  expect_true(is.finite(mi(x, x + rnorm(300))))
})

test_that("handles dropped without close() are freed by gc()", {
  skip_if_not(file.exists("/proc/self/status"), "needs Linux's /proc to read the memory in use")
  # Each handle holds about 10 MB outside R's heap: unfreed handles would add 100 MB a round.
  rounds <- vapply(1:4, function(round) {
    for (i in 1:10) {
      est <- mist_estimator(threads = 1)
      rm(est)
    }
    gc()
    rss_mb()
  }, numeric(1))
  expect_lt(rounds[4] - rounds[2], 50)
})

test_that("creating and closing 200 handles does not grow the memory in use", {
  skip_if_not(file.exists("/proc/self/status"), "needs Linux's /proc to read the memory in use")
  x <- rnorm(300)
  y <- x + rnorm(300)
  cycle <- function(times) {
    for (i in seq_len(times)) {
      est <- mist_estimator(threads = 1)
      if (i %% 50 == 0) mi(x, y, estimator = est)
      close(est)
    }
  }
  cycle(10)
  before <- rss_mb()
  cycle(200)
  expect_lt(rss_mb() - before, 50)
})

test_that("unloading the package frees the default handle", {
  rscript <- file.path(R.home("bin"), "Rscript")
  # Keeps the default handle past the unload, then asks the reloaded package about it.
  code <- paste(
    "library(mist); x <- rnorm(300); invisible(mi(x, x + rnorm(300)))",
    "default <- asNamespace('mist')$the$default; unloadNamespace('mist'); invisible(gc())",
    "library(mist); tryCatch(mist_limits(default), error = function(e) cat(conditionMessage(e)))",
    "cat('', mi(x, x + rnorm(300)) > 0)",
    sep = "; "
  )
  out <- system2(rscript, c("-e", shQuote(code)),
    stdout = TRUE,
    env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))
  )
  expect_match(out, "has been closed.* TRUE$")
})

test_that("equal seeds give identical estimates of chunked datasets, other seeds others", {
  set.seed(9)
  n <- mist_limits()[["max_n"]] + 100
  x <- rnorm(n)
  y <- x + rnorm(n)
  a <- mist_estimator(seed = 1)
  b <- mist_estimator(seed = 1)
  c <- mist_estimator(seed = 2)
  on.exit(lapply(list(a, b, c), close))
  expect_identical(mi(x, y, estimator = a), mi(x, y, estimator = b))
  expect_false(identical(mi(x, y, estimator = a), mi(x, y, estimator = c)))
})
