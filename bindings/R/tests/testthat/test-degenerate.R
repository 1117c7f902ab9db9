# test-degenerate.R: constant and discrete columns.

test_that("a constant x has MI 0 and constant columns are left out", {
  set.seed(10)
  y <- rnorm(400)
  expect_identical(mi(rep(1, 400), y, method = "mist"), 0)
  expect_identical(as.numeric(mi(rep(1, 400), y)), 0)
  expect_identical(mi(rep(1L, 400), y, method = "ksg"), 0)
  expect_identical(mi(rep(2, 400), y, method = "gaussian"), 0)
  expect_identical(mi(rep(3, 400), y, method = "gcmi"), 0)
  expect_identical(mi_quantiles(rep(1, 400), y), c("5%" = 0, "50%" = 0, "95%" = 0))
  x <- y + rnorm(400)
  expect_identical(mi(cbind(x, 7), y), mi(x, y))
})

test_that("the learned model refuses binary data naming the column; auto answers it", {
  set.seed(11)
  x <- rbinom(500, 1, 0.5)
  y <- x + rnorm(500)
  expect_error(mi(x, y, method = "mist"), "discrete")
  expect_error(mi(x == 1, y, method = "mist"), "discrete")
  expect_error(mi(cbind(rnorm(500), x), y, method = "mist"), "x\\[, 2\\] looks discrete")
  expect_error(mi(as.integer(factor(sample(letters[1:4], 500, TRUE))), y, method = "mist"), "discrete")
  expect_identical(attr(mi(x, y), "method"), "ross")
  expect_identical(attr(mi(cbind(rnorm(500), x), y), "method"), "ksg")
  # The baselines accept discrete data.
  expect_true(is.finite(mi(x, y, method = "ksg")))
  expect_true(is.finite(mi(x, y, method = "gaussian")))
  expect_true(is.finite(mi(x, y, method = "gcmi")))
})
