# test-estimate.R: accuracy and interval on a known MI, and the quantiles' shape.

test_that("the bivariate normal with rho = 0.75 is estimated within 0.1 nats and covered", {
  set.seed(20240601)
  d <- bivariate_normal(2000, 0.75)
  truth <- -0.5 * log(1 - 0.75^2) # 0.4133 nats
  expect_lt(abs(mi(d$x, d$y) - truth), 0.1)
  q <- mi_quantiles(d$x, d$y, probs = c(0.05, 0.95))
  expect_lte(q[[1]], truth)
  expect_gte(q[[2]], truth)
})

test_that("quantiles are sorted and named like stats::quantile's", {
  set.seed(2)
  d <- bivariate_normal(800, 0.5)
  probs <- c(0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
  q <- mi_quantiles(d$x, d$y, probs = probs)
  expect_false(is.unsorted(q))
  expect_named(q, names(quantile(1, probs)))
  expect_named(mi_quantiles(d$x, d$y), c("5%", "50%", "95%"))
})

test_that("mi_with_quantiles gives mi's estimate and mi_quantiles' quantiles, bit for bit", {
  set.seed(4)
  d <- bivariate_normal(1200, 0.6)
  probs <- c(0.05, 0.5, 0.95)
  both <- mi_with_quantiles(d$x, d$y, probs = probs)
  expect_identical(both$estimate, mi(d$x, d$y, method = "mist"))
  expect_identical(both$quantiles, mi_quantiles(d$x, d$y, probs = probs))
  expect_error(mi_with_quantiles(d$x, d$y, probs = 1), "probs must be numbers strictly between 0 and 1")
})

test_that("probs outside (0, 1) are rejected", {
  d <- bivariate_normal(300, 0.5)
  for (probs in list(c(0, 0.5), c(0.5, 1), -0.1, 1.5, NA_real_, numeric(0), "0.5")) {
    expect_error(
      mi_quantiles(d$x, d$y, probs = probs),
      "probs must be numbers strictly between 0 and 1"
    )
  }
})

test_that("vectors, matrices and data frames of any numeric type give the same estimate", {
  set.seed(3)
  x <- round(rnorm(600) * 1e4) # integer-valued, with few ties
  y <- x + round(rnorm(600) * 1e4)
  expected <- mi(x, y)
  expect_identical(mi(matrix(x), matrix(y)), expected)
  expect_identical(mi(as.integer(x), as.integer(y)), expected)
  expect_identical(mi(data.frame(a = as.integer(x)), data.frame(b = y)), expected)
  xy <- data.frame(a = x, b = as.integer(y), c = rnorm(600))
  expect_identical(mi(xy[, c("a", "c")], xy["b"]), mi(cbind(x, xy$c), y))
})

test_that("the baselines are near the truth and KSG's k matters", {
  set.seed(4)
  d <- bivariate_normal(1500, 0.75)
  truth <- -0.5 * log(1 - 0.75^2)
  expect_lt(abs(mi(d$x, d$y, method = "gaussian") - truth), 0.1)
  expect_lt(abs(mi(d$x, d$y, method = "ksg") - truth), 0.1)
  expect_false(identical(mi(d$x, d$y, method = "ksg", k = 3), mi(d$x, d$y, method = "ksg")))
  expect_error(mi(d$x, d$y, method = "ksg", k = 0), "k must be one whole number from 1")
  expect_error(mi(d$x, d$y, method = "ksg", k = 2.5), "k must be one whole number from 1")
})

test_that("the Gaussian-copula estimate is near the truth, symmetric and blind to monotone transforms", {
  set.seed(12)
  d <- bivariate_normal(2000, 0.6)
  truth <- -0.5 * log(1 - 0.6^2) # 0.2231 nats
  g <- mi(d$x, d$y, method = "gcmi")
  expect_lt(abs(g - truth), 0.05)
  expect_identical(mi(d$y, d$x, method = "gcmi"), g)
  expect_identical(mi(exp(d$x), d$y^3, method = "gcmi"), g)
  expect_error(mi(matrix(rnorm(12), 4), rnorm(4), method = "gcmi"), "n = 4 rows is below the minimum of 6")
})

test_that("mist_version and mist_limits describe the library", {
  expect_match(mist_version(), "^[0-9]+\\.[0-9]+\\.[0-9]+")
  lim <- mist_limits()
  expect_named(lim, c("max_dx", "max_dy", "min_n", "max_n"))
  expect_true(all(lim > 0))
})
