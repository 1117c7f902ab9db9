# test-batch.R: mi_batch() against single mi() calls, and its errors.

test_that("mi_batch equals single mi() calls up to 1e-6 relative", {
  set.seed(12)
  ns <- c(200, 200, 350, 800)
  xs <- lapply(ns, function(n) matrix(rnorm(2 * n), ncol = 2))
  ys <- lapply(xs, function(x) x[, 1] - x[, 2] + rnorm(nrow(x)))
  names(xs) <- letters[seq_along(xs)]
  est <- mist_estimator()
  on.exit(close(est))
  batch <- mi_batch(xs, ys, estimator = est)
  single <- mapply(function(x, y) mi(x, y, estimator = est), xs, ys)
  expect_named(batch, names(xs))
  expect_equal(batch, single, tolerance = 1e-6)
  expect_identical(mi_batch(list(), list()), numeric(0))
})

test_that("mi_batch errors name the dataset", {
  set.seed(13)
  xs <- replicate(3, rnorm(200), simplify = FALSE)
  ys <- replicate(3, rnorm(200), simplify = FALSE)
  expect_error(mi_batch(xs, ys[1:2]), "xs has 3 datasets but ys has 2")
  expect_error(mi_batch(xs, ys[[1]]), "xs and ys must be lists")
  bad <- ys
  bad[[2]] <- bad[[2]][-1]
  expect_error(mi_batch(xs, bad), "xs\\[\\[2\\]\\] has 200 rows but ys\\[\\[2\\]\\] has 199")
  bad <- xs
  bad[[3]] <- factor(bad[[3]] > 0)
  expect_error(mi_batch(bad, ys), "xs\\[\\[3\\]\\] is a factor")
  bad <- xs
  bad[[3]][7] <- NaN
  expect_error(
    mi_batch(bad, ys),
    "dataset 3: x[7, 1] = NaN is not finite",
    fixed = TRUE
  )
  expect_true(all(is.finite(mi_batch(xs, ys))))
})
