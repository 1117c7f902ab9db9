# checks.R: argument checks that stop with an R error saying what is wrong, before any C call.

# Checks that x and y (named xname and yname in errors) are data libmist takes, with equal rows.
check_pair <- function(x, y, xname, yname) {
  check_data(x, xname)
  check_data(y, yname)
  if (n_rows(x) != n_rows(y)) {
    stop(sprintf("%s has %d rows but %s has %d", xname, n_rows(x), yname, n_rows(y)), call. = FALSE)
  }
}

# Checks that x is a double, integer or logical vector or matrix, or a data frame of such columns.
check_data <- function(x, name) {
  if (is.data.frame(x)) {
    for (j in seq_along(x)) {
      if (!is_plain_numeric(x[[j]]) || !is.null(dim(x[[j]]))) {
        stop(sprintf(
          "column %d (%s) of %s is %s; mist takes numeric, integer and logical columns",
          j, names(x)[j], name, describe(x[[j]])
        ), call. = FALSE)
      }
    }
  } else if (!is_plain_numeric(x)) {
    stop(sprintf(
      "%s is %s; mist takes a numeric vector, matrix or data frame", name, describe(x)
    ), call. = FALSE)
  } else if (length(dim(x)) > 2) {
    stop(
      sprintf("%s is an array of %d dimensions, not a matrix", name, length(dim(x))),
      call. = FALSE
    )
  }
}

is_plain_numeric <- function(x) {
  (is.double(x) || is.integer(x) || is.logical(x)) && !is.factor(x)
}

# "a factor", "a character vector", ...: what x is, for error messages.
describe <- function(x) {
  if (is.factor(x)) {
    "a factor"
  } else if (is.data.frame(x)) {
    "a data frame"
  } else if (is.list(x)) {
    "a list"
  } else if (is.matrix(x)) {
    sprintf("a %s matrix", typeof(x))
  } else if (is.null(x)) {
    "NULL"
  } else {
    sprintf("a %s vector", typeof(x))
  }
}

n_rows <- function(x) {
  if (is.data.frame(x) || length(dim(x)) == 2) nrow(x) else length(x)
}

# Checks that x is one whole number from min to 2^53 (the largest that doubles hold exactly).
check_count <- function(x, name, min) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || x < min || x != floor(x) || x > 2^53) {
    stop(sprintf("%s must be one whole number from %d to 2^53", name, min), call. = FALSE)
  }
}
