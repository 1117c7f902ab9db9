# test-cli.R: R's estimates equal the C library's bit for bit, through the repository's CLI.

test_that("mi() equals the CLI on the same data for the model and the baselines", {
  cli <- Sys.getenv("MIST_CLI")
  skip_if(cli == "", "MIST_CLI (the mist command-line tool) is not set")
  set.seed(5)
  n <- 700
  x <- cbind(rnorm(n), runif(n))
  y <- x[, 1] * x[, 2] + rnorm(n)
  # 17 significant digits give back each double exactly.
  csv <- tempfile(fileext = ".csv")
  on.exit(unlink(csv))
  writeLines(
    c("X0,X1,Y0", sprintf("%.17g,%.17g,%.17g", x[, 1], x[, 2], y)),
    csv
  )
  for (method in c("mist", "ksg", "gaussian", "gcmi")) {
    out <- system2(cli, c(shQuote(csv), "2", "1", "--method", method, "--quiet"), stdout = TRUE)
    expect_identical(mi(x, y, method = method), as.numeric(out), label = method)
  }
})
