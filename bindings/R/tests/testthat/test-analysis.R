# mi_test(), mi_matrix() and mi_screen(): the permutation test, MI matrices and screening.

test_that("mi_test gives an htest with the exact p-value floor on strong dependence", {
  set.seed(1)
  d <- bivariate_normal(200, 0.6)
  r <- mi_test(d$x, d$y, B = 99, seed = 5)
  expect_s3_class(r, "htest")
  expect_equal(r$p.value, 0.01)
  expect_equal(unname(r$parameter), 99)
  expect_equal(unname(r$statistic), mi(d$x, d$y, method = "mist"))
  expect_equal(r$mi_method, "mist")
  expect_output(print(r), "p-value = 0.01")
  for (method in c("ksg", "gaussian", "gcmi")) {
    expect_equal(mi_test(d$x, d$y, B = 49, method = method, seed = 5)$p.value, 0.02, info = method)
  }
})

test_that("mi_test is repeatable under set.seed and does not reject independence here", {
  set.seed(2)
  x <- rnorm(150)
  y <- rexp(150)
  set.seed(3)
  a <- mi_test(x, y, B = 199)
  set.seed(3)
  b <- mi_test(x, y, B = 199)
  expect_identical(a, b)
  expect_gt(a$p.value, 0.05)
})

test_that("mi_test finds a quadratic dependence that cor.test misses", {
  set.seed(4)
  x <- runif(100, -1, 1)
  y <- x^2 + rnorm(100, sd = 0.2)
  expect_gt(cor.test(x, y)$p.value, 0.05)
  expect_lt(mi_test(x, y, B = 199, seed = 1)$p.value, 0.01)
})

test_that("mi_test picks the estimator for factors and refuses bad arguments in R's terms", {
  r <- mi_test(iris$Species, iris$Petal.Length, B = 19, seed = 1)
  expect_equal(r$mi_method, "ross")
  expect_match(r$method, "Ross")
  expect_error(mi_test(1:10 + 0.5, rnorm(10), B = 0), "B must be one whole number from 1")
  x <- c(NA, rnorm(49))
  expect_error(mi_test(x, rnorm(50)), "x has NA in row 1, column 1")
  expect_equal(mi_test(x, rnorm(50), B = 9, seed = 1, na.rm = TRUE)$data.name, "x and rnorm(50) (49 complete rows)")
})

test_that("mi_matrix is symmetric, named, and equals the pairwise calls", {
  m <- mi_matrix(iris)
  expect_equal(dim(m), c(5L, 5L))
  expect_equal(dimnames(m), list(names(iris), names(iris)))
  expect_true(all(is.na(diag(m))))
  expect_equal(m, t(m))
  for (i in 1:4) {
    for (j in (i + 1):5) {
      expect_equal(m[i, j], as.numeric(mi(iris[[i]], iris[[j]])), tolerance = 1e-6, info = paste(i, j))
    }
  }
  k <- mi_matrix(faithful, method = "ksg")
  expect_identical(k[1, 2], mi(faithful$eruptions, faithful$waiting, method = "ksg"))
})

test_that("mi_matrix gives the model's 90% interval where it answers", {
  q <- mi_matrix(iris, quantiles = TRUE)
  expect_named(q, c("estimate", "lower", "upper"))
  expect_true(all(q$lower[1:4, 1:4] <= q$estimate[1:4, 1:4], na.rm = TRUE))
  expect_true(all(q$estimate[1:4, 1:4] <= q$upper[1:4, 1:4], na.rm = TRUE))
  expect_true(all(is.na(q$lower[5, ]))) # Species: Ross's estimator has no interval
  one <- mi_quantiles(iris$Sepal.Length, iris$Petal.Length, probs = c(0.05, 0.95))
  expect_equal(c(q$lower[1, 3], q$upper[1, 3]), unname(one), tolerance = 1e-6)
})

test_that("mi_matrix on a 2-worker PSOCK cluster is identical to the serial run", {
  set.seed(5)
  # 46 columns: 1,035 pairs, more than one block of pairs.
  data <- matrix(rnorm(60 * 46), 60, 46)
  data[, 2] <- data[, 1] + rnorm(60, sd = 0.5)
  cl <- parallel::makePSOCKcluster(2)
  on.exit(parallel::stopCluster(cl))
  parallel::clusterCall(cl, function(p) invisible(.libPaths(p)), .libPaths())
  expect_identical(mi_matrix(data, cl = cl), mi_matrix(data))
  expect_identical(mi_screen(data[, -1], data[, 1], cl = cl), mi_screen(data[, -1], data[, 1]))
  expect_error(mi_matrix(data, cl = cl, estimator = mist_estimator()), "leave estimator NULL")
})

test_that("mi_screen ranks the columns with intervals and names", {
  s <- mi_screen(mtcars[-1], mtcars$mpg)
  expect_named(s, c("variable", "mi", "lower", "upper", "method"))
  expect_equal(sort(s$variable), sort(names(mtcars)[-1]))
  expect_false(is.unsorted(rev(s$mi)))
  expect_equal(s$mi[s$variable == "wt"], as.numeric(mi(mtcars$wt, mtcars$mpg)), tolerance = 1e-6)
  cyl <- s[s$variable == "cyl", ]
  expect_equal(cyl$method, "ross")
  expect_true(is.na(cyl$lower))
  wt <- s[s$variable == "wt", ]
  expect_true(wt$lower <= wt$mi && wt$mi <= wt$upper)
  expect_equal(mi_screen(matrix(rnorm(40), 20), rnorm(20))$variable[1] %in% c("1", "2"), TRUE)
  y <- mtcars$mpg
  y[3] <- NA
  expect_error(mi_screen(mtcars[-1], y), "y has NA in row 3")
  y[3] <- Inf
  expect_error(mi_screen(mtcars[-1], y), "y has Inf in row 3, column 1; mist needs finite values")
  m <- mtcars
  m$wt[5] <- -Inf
  expect_error(mi_matrix(m), "data has -Inf in row 5, column 6 (wt)", fixed = TRUE)
})
