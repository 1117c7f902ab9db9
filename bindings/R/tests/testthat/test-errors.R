# test-errors.R: every bad input gives an R error that says what is wrong, and the session goes on.

test_that("bad inputs give R errors that say what is wrong", {
  set.seed(7)
  x <- rnorm(100)
  y <- rnorm(100)
  expect_error(mi(x, y[-1]), "x has 100 rows but y has 99")
  expect_error(mi(matrix(x, 50), y), "x has 50 rows but y has 100")
  expect_error(mi(factor(x > 0), y), "x is a factor")
  expect_error(mi(x, as.character(y)), "y is a character vector")
  expect_error(mi(complex(real = x), y), "x is a complex vector")
  expect_error(mi(as.list(x), y), "x is a list")
  expect_error(mi(NULL, y), "x is NULL")
  expect_error(mi(array(x, c(10, 5, 2)), y), "x is an array of 3 dimensions")
  expect_error(
    mi(data.frame(a = x, g = factor(x > 0)), y),
    "column 2 \\(g\\) of x is a factor"
  )
  expect_error(
    mi(data.frame(a = x, s = as.character(x)), y),
    "column 2 \\(s\\) of x is a character vector"
  )
  expect_error(mi(x, y, estimator = "default"), "estimator must be NULL or a mist_estimator")
  expect_error(mi(x, y, method = "kde"), "should be one of")
  expect_error(mist_estimator(threads = -1), "threads must be one whole number from 0 to 2\\^53")
  expect_error(mist_estimator(seed = 1.5), "seed must be one whole number from 0")
  # A valid call still works after the errors.
  expect_true(is.finite(mi(x, y)))
})

test_that("NA, NaN and Inf reach the library, whose message names the value", {
  set.seed(8)
  x <- rnorm(200)
  y <- x + rnorm(200)
  for (bad in list(NaN, NA, Inf, -Inf)) {
    xb <- x
    xb[3] <- bad
    for (method in c("mist", "ksg", "gaussian", "gcmi")) {
      expect_error(mi(xb, y, method = method), "not finite", label = method)
    }
  }
  xb <- x
  xb[3] <- NaN
  expect_error(mi(xb, y), "X[2, 0] = NaN is not finite (libmist counts from 0)", fixed = TRUE)
  yb <- matrix(as.integer(round(y * 100)), ncol = 1)
  yb[5] <- NA
  expect_error(mi(x, yb), "Y\\[.*\\] = NaN is not finite")
  expect_error(mi(x, c(y[-1], NA)), "is not finite")
  expect_error(mi_quantiles(x, c(y[-1], Inf)), "is not finite")
  expect_true(is.finite(mi(x, y)))
})

test_that("the library's size limits come through as R errors", {
  lim <- mist_limits()
  expect_error(mi(numeric(0), numeric(0)), "rows|n = 0")
  expect_error(mi(rnorm(3), rnorm(3)), "rows|n = 3")
  expect_error(mi(matrix(rnorm(10 * (lim[["max_dx"]] + 1)), 10), rnorm(10)), "dx")
  expect_error(mi(matrix(numeric(0), 100, 0), rnorm(100)), "dx")
  expect_true(is.finite(mi(rnorm(100), rnorm(100))))
})
