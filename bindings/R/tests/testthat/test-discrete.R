# test-discrete.R: factors, codes and mixed data frames get the estimator of their kinds, named in
# the result; contingency tables with a known MI.

test_that("R's data sets with factors and counts are answered, each naming its estimator", {
  species <- mi(iris$Species, iris$Petal.Length)
  expect_identical(attr(species, "method"), "ross")
  expect_gt(species, 0.5) # the species nearly determine petal length
  expect_identical(attr(mi(iris[1:4], iris$Species), "method"), "ross")
  cyl_gear <- mi(mtcars$cyl, mtcars$gear)
  expect_identical(attr(cyl_gear, "method"), "nsb")
  expect_gt(cyl_gear, 0)
  mixed <- data.frame(g = factor(rep(c("a", "b"), 50)), v = seq_len(100) / 7)
  expect_identical(attr(mi(mixed, rnorm(100)), "method"), "ksg")
  air <- airquality[, c("Ozone", "Month")]
  r <- mi(air$Ozone, air$Month, na.rm = TRUE)
  expect_identical(attr(r, "n"), sum(!is.na(air$Ozone)))
  expect_identical(attr(r, "method"), "ross")
})

test_that("a 2 x 2 table's estimates converge to its MI; a factor equals its codes", {
  set.seed(12)
  n <- 10000
  x <- sample(0:1, n, TRUE)
  y <- ifelse(runif(n) < 0.8, x, 1 - x)
  truth <- log(2) + 0.8 * log(0.8) + 0.2 * log(0.2)
  for (method in c("nsb", "shrink", "miller-madow", "plugin")) {
    expect_lt(abs(mi(x, y, method = method) - truth), 0.01, label = method)
  }
  expect_identical(mi(factor(x, labels = c("no", "yes")), y, method = "shrink"), mi(x, y, method = "shrink"))
  expect_identical(as.numeric(mi(as.character(x), y)), mi(x, y, method = "nsb"))
})
