# checks.R: argument checks that stop with an R error saying what is wrong, before any C call.

# Checks that x and y (named xname and yname in errors) are data libmist takes, with equal rows;
# with `discrete = TRUE` factor, character and logical data too (mi() codes them).
check_pair <- function(x, y, xname, yname, discrete = FALSE) {
  check_data(x, xname, discrete)
  check_data(y, yname, discrete)
  if (n_rows(x) != n_rows(y)) {
    stop(sprintf("%s has %d rows but %s has %d", xname, n_rows(x), yname, n_rows(y)), call. = FALSE)
  }
}

# Checks that x is a double, integer or logical vector or matrix, or a data frame of such columns;
# with `discrete = TRUE` factors and character data too.
check_data <- function(x, name, discrete = FALSE) {
  takes <- function(v) is_plain_numeric(v) || (discrete && is_category(v))
  what <- if (discrete) "numeric, integer, logical, factor and character" else "numeric, integer and logical"
  if (is.data.frame(x)) {
    for (j in seq_along(x)) {
      if (!takes(x[[j]]) || !is.null(dim(x[[j]]))) {
        stop(sprintf(
          "column %d (%s) of %s is %s; mist takes %s columns",
          j, names(x)[j], name, describe(x[[j]]), what
        ), call. = FALSE)
      }
    }
  } else if (!takes(x)) {
    stop(sprintf(
      "%s is %s; mist takes a %s vector, matrix or data frame%s", name, describe(x),
      if (discrete) "numeric, factor or character" else "numeric",
      if (discrete) "" else " (mi() takes factors)"
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

# Whether v holds categories: a factor, character or logical vector or matrix.
is_category <- function(v) {
  is.factor(v) || is.character(v) || is.logical(v)
}

# x as libmist takes it and the MistKind of each column: factor, character and logical columns
# become integer codes (NA kept), declared discrete (2); numeric ones are left to the data (0).
code_columns <- function(x) {
  codes <- function(v) {
    out <- as.integer(factor(v))
    dim(out) <- dim(v)
    out
  }
  if (is.data.frame(x)) {
    kinds <- vapply(x, function(col) if (is_category(col)) 2L else 0L, 1L, USE.NAMES = FALSE)
    x[] <- lapply(x, function(col) if (is_category(col)) codes(col) else col)
    list(data = x, kinds = kinds)
  } else {
    width <- if (length(dim(x)) == 2) ncol(x) else 1L
    if (is_category(x)) list(data = codes(x), kinds = rep(2L, width)) else list(data = x, kinds = rep(0L, width))
  }
}

# The rows of x and y (coded data) without NA or NaN in either: all of them, or with
# `na.rm = TRUE` the complete ones; otherwise an NA is an error naming its row and column.
complete_rows <- function(x, y, na.rm, xname = "x", yname = "y") {
  ok <- stats::complete.cases(x) & stats::complete.cases(y)
  if (all(ok) || na.rm) {
    return(which(ok))
  }
  stop_at_na(x, xname)
  stop_at_na(y, yname)
}

# Stops with an error naming the first NA of m (coded data named `name`), if it has one.
stop_at_na <- function(m, name) {
  bad <- which(!stats::complete.cases(m))
  if (length(bad) > 0) {
    row <- bad[1]
    cells <- if (is.data.frame(m)) vapply(m, function(col) is.na(col[row]), TRUE) else is.na(as.matrix(m)[row, ])
    col <- which(cells)[1]
    label <- if (!is.null(colnames(m))) sprintf(" (%s)", colnames(m)[col]) else ""
    stop(sprintf(
      "%s has NA in row %d, column %d%s; na.rm = TRUE drops the incomplete rows",
      name, row, col, label
    ), call. = FALSE)
  }
}

# x and y checked and coded (code_columns()) with the complete rows only, as `na.rm` says:
# list(x, y, rows), `rows` the rows kept.
coded_pair <- function(x, y, na.rm) {
  if (!isTRUE(na.rm) && !identical(na.rm, FALSE)) {
    stop("na.rm must be TRUE or FALSE", call. = FALSE)
  }
  check_pair(x, y, "x", "y", discrete = TRUE)
  cx <- code_columns(x)
  cy <- code_columns(y)
  rows <- complete_rows(cx$data, cy$data, na.rm)
  if (length(rows) < n_rows(x)) {
    cx$data <- take_rows(cx$data, rows)
    cy$data <- take_rows(cy$data, rows)
  }
  list(x = cx, y = cy, rows = rows)
}

# Rows `rows` of x (a vector, matrix or data frame).
take_rows <- function(x, rows) {
  if (is.data.frame(x) || length(dim(x)) == 2) x[rows, , drop = FALSE] else x[rows]
}
