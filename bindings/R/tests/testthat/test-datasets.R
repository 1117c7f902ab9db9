# test-datasets.R: R's own example data, measurements rounded to 0.1 cm, a second or a degree, are
# answered; the one truly discrete column (airquality's Month, 5 values) is refused by name.

# Every pair of columns of `d`: the learned model answers, inside its own 90% interval, the same
# both ways round.
expect_pairs_answered <- function(d, label) {
  for (i in seq_along(d)) {
    for (j in seq_along(d)) {
      if (i >= j) next
      pair <- paste(label, names(d)[i], names(d)[j])
      r <- mi_with_quantiles(d[[i]], d[[j]], probs = c(0.05, 0.95))
      expect_true(is.finite(r$estimate) && r$estimate >= 0, label = pair)
      expect_true(r$quantiles[[1]] <= r$estimate && r$estimate <= r$quantiles[[2]], label = pair)
      expect_equal(mi(d[[j]], d[[i]], method = "mist"), r$estimate, tolerance = 1e-6, label = pair)
      expect_identical(attr(mi(d[[j]], d[[i]]), "method"), "mist", label = pair)
    }
  }
}

test_that("iris, faithful and airquality measurements are answered", {
  expect_pairs_answered(iris[, 1:4], "iris")
  expect_pairs_answered(faithful, "faithful")
  air <- airquality[complete.cases(airquality), c("Ozone", "Solar.R", "Wind", "Temp", "Day")]
  expect_pairs_answered(air, "airquality")
})

test_that("a column with few distinct values is refused by the model, naming it", {
  air <- airquality[complete.cases(airquality), ]
  expect_error(mi(air$Month, air$Temp, method = "mist"), "x\\[, 1\\] looks discrete: it takes 5 distinct values")
  # The baselines answer it.
  expect_true(mi(air$Month, air$Temp, method = "ksg") > 0)
})

test_that("KSG is not inflated by the ties of rounded data", {
  # Sepal length and width, rounded to 0.1 cm: KSG read 0.54 nats when it counted the ties as
  # zero distances, against about 0.27 on the same data jittered below the rounding step.
  set.seed(3)
  jitter <- function(v) v + runif(length(v), -0.05, 0.05)
  tied <- mi(iris$Sepal.Length, iris$Sepal.Width, method = "ksg")
  jittered <- mean(replicate(20, mi(jitter(iris$Sepal.Length), jitter(iris$Sepal.Width), method = "ksg")))
  expect_lt(abs(tied - jittered), 0.08)
})
