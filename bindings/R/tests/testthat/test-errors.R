# test-errors.R: every bad input gives an R error that says what is wrong, and the session goes on.

test_that("bad inputs give R errors that say what is wrong", {
  set.seed(7)
  x <- rnorm(100)
  y <- rnorm(100)
  expect_error(mi(x, y[-1]), "x has 100 rows but y has 99")
  expect_error(mi(matrix(x, 50), y), "x has 50 rows but y has 100")
  expect_error(mi_quantiles(factor(x > 0), y), "x is a factor; mist takes a numeric vector, matrix or data frame \\(mi\\(\\) takes factors\\)")
  expect_error(mi(complex(real = x), y), "x is a complex vector")
  expect_error(mi(as.list(x), y), "x is a list")
  expect_error(mi(NULL, y), "x is NULL")
  expect_error(mi(array(x, c(10, 5, 2)), y), "x is an array of 3 dimensions")
  expect_error(
    mi(data.frame(a = x, z = complex(real = x)), y),
    "column 2 \\(z\\) of x is a complex vector; mist takes numeric, integer, logical, factor and character columns"
  )
  expect_error(
    mi_with_quantiles(data.frame(a = x, s = as.character(x)), y),
    "column 2 \\(s\\) of x is a character vector"
  )
  expect_error(mi(x, y, na.rm = NA), "na.rm must be TRUE or FALSE")
  expect_error(mi(x, y, estimator = "default"), "estimator must be NULL or a mist_estimator")
  expect_error(mi(x, y, method = "kde"), "should be one of")
  expect_error(mist_estimator(threads = -1), "threads must be one whole number from 0 to 2\\^53")
  expect_error(mist_estimator(seed = 1.5), "seed must be one whole number from 0")
  # A valid call still works after the errors.
  expect_true(is.finite(mi(x, y)))
})

test_that("NA and NaN name their row and column from 1; Inf reaches the library", {
  set.seed(8)
  x <- rnorm(200)
  y <- x + rnorm(200)
  for (bad in list(NaN, NA)) {
    xb <- x
    xb[3] <- bad
    for (method in c("auto", "mist", "ksg", "gaussian", "gcmi", "nsb", "shrink", "ross")) {
      expect_error(
        mi(xb, y, method = method),
        "x has NA in row 3, column 1; na.rm = TRUE drops the incomplete rows",
        fixed = TRUE, label = method
      )
    }
  }
  for (bad in list(Inf, -Inf)) {
    xb <- x
    xb[3] <- bad
    expect_error(mi(xb, y), "x[3, 1] = ", fixed = TRUE)
    expect_error(mi(xb, y), "Inf is not finite$")
  }
  d <- data.frame(a = y, b = x)
  d$b[7] <- NA
  expect_error(mi(x, d), "y has NA in row 7, column 2 (b)", fixed = TRUE)
  expect_error(mi_quantiles(x, c(y[-1], Inf)), "is not finite")
  expect_true(is.finite(mi(x, y)))
})

test_that("na.rm = TRUE drops incomplete rows on both sides and says how many it used", {
  set.seed(9)
  x <- rnorm(300)
  y <- x + rnorm(300)
  xb <- x
  xb[c(2, 50)] <- NA
  yb <- y
  yb[100] <- NaN
  dropped <- mi(xb, yb, na.rm = TRUE)
  expect_identical(attr(dropped, "n"), 297L)
  keep <- -c(2, 50, 100)
  expect_equal(as.numeric(dropped), as.numeric(mi(x[keep], y[keep])))
  expect_identical(attr(dropped, "method"), "mist")
  expect_identical(attr(mi(x, y, method = "ksg", na.rm = TRUE), "n"), 300L)
})

test_that("the library's size limits come through as R errors", {
  lim <- mist_limits()
  expect_error(mi(numeric(0), numeric(0)), "rows|n = 0")
  expect_error(mi(rnorm(3), rnorm(3)), "rows|n = 3")
  expect_error(mi(matrix(rnorm(10 * (lim[["max_dx"]] + 1)), 10), rnorm(10)), "dx")
  expect_error(mi(matrix(numeric(0), 100, 0), rnorm(100)), "dx")
  expect_true(is.finite(mi(rnorm(100), rnorm(100))))
})
