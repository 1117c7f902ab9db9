# testthat.R: runs the tests of tests/testthat, then prints one summary line for scripts/check-r.
library(testthat)
library(mist)

# stop_on_failure = FALSE so that the summary line is printed; the stop() below still fails
# R CMD check when a test failed.
res <- test_check("mist", stop_on_failure = FALSE)
df <- as.data.frame(res)
# Counts tests (test_that blocks), not expectations: a test fails when any of its expectations
# fails or it raises an error, and passes otherwise unless it was skipped (counted in neither).
failed <- df$failed > 0 | df$error
n_passed <- sum(!failed & df$skipped == 0)
cat(sprintf("R tests: %d passed, %d failed\n", n_passed, sum(failed)))
if (any(failed)) stop(sum(failed), " tests failed")
