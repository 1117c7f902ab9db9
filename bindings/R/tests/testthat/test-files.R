# test-files.R: estimating writes nothing to the user's home folder (ONNX Runtime
# would write under ~/.cache without ORT_DISABLE_TELEMETRY, which the package sets).

test_that("a session that estimates leaves an empty HOME empty", {
  home <- tempfile("home")
  dir.create(home)
  on.exit(unlink(home, recursive = TRUE))
  code <- paste(
    "library(mist); set.seed(1); x <- rnorm(300)",
    "cat(mi(x, x + rnorm(300)) > 0)",
    sep = "; "
  )
  out <- system2(
    "env",
    c(
      "-u", "ORT_DISABLE_TELEMETRY",
      paste0("HOME=", home),
      paste0("R_LIBS=", paste(.libPaths(), collapse = ":")),
      file.path(R.home("bin"), "Rscript"), "-e", shQuote(code)
    ),
    stdout = TRUE
  )
  expect_identical(out, "TRUE")
  expect_identical(list.files(home, recursive = TRUE, all.files = TRUE), character(0))
})
