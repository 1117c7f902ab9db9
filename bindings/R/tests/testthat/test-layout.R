# test-layout.R: the row-major copy and the column-major original give identical results.

test_that("row-major and column-major data give identical estimates", {
  set.seed(6)
  x <- matrix(rnorm(900), ncol = 3)
  y <- cbind(x[, 1]^2 + rnorm(300), rnorm(300))
  est <- mist_estimator()
  on.exit(close(est))
  for (method in c("mist", "ksg", "gaussian", "gcmi")) {
    expect_identical(
      mist:::.mi_layout(est, t(x), t(y), row_major = TRUE, method = method),
      mist:::.mi_layout(est, x, y, method = method),
      label = method
    )
  }
  expect_identical(mist:::.mi_layout(est, x, y), mi(x, y, method = "mist", estimator = est))
})
