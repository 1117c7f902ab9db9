# helper-data.R: datasets and measurements shared by the tests.

# n draws of a bivariate normal with correlation rho, as two one-column matrices; its MI is
# -0.5 * log(1 - rho^2) nats.
bivariate_normal <- function(n, rho) {
  x <- rnorm(n)
  y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  list(x = matrix(x), y = matrix(y))
}

# The resident memory of this R process in MB (Linux), which counts libmist's allocations too.
rss_mb <- function() {
  status <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", grep("^VmRSS:", status, value = TRUE))) / 1024
}
