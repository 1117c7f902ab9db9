/*
 * glue.c: the .Call interface between R and libmist (include/mist.h), and its registration.
 *
 * R stores matrices column-major, so double matrices go to libmist in place
 * (MIST_LAYOUT_COL_MAJOR); integer and logical data, and data frames, are converted once into a
 * new double buffer. libmist's errors are raised with Rf_errorcall only after the libmist call has
 * returned, so no longjmp ever crosses a Rust frame. The R code checks argument types and values;
 * the checks here only guard against misuse of the internal entry points.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>

#include "mist.h"

/* Appends the decimal `value` to out[*len] (within `size`). */
static void put_number(char *out, size_t size, size_t *len, unsigned long long value) {
    int wrote = snprintf(out + *len, size - *len, "%llu", value);
    if (wrote > 0) {
        *len += (size_t)wrote < size - *len ? (size_t)wrote : size - *len - 1;
    }
}

/*
 * The library's message in R's terms, into out (size > 0): libmist counts rows, columns and
 * datasets from 0 and calls the sides X and Y; R counts from 1 and the arguments are x and y.
 * "X[2, 0]" becomes "x[3, 1]", "Y[:, 4]" becomes "y[, 5]" (R's column notation) and "dataset 7:"
 * becomes "dataset 8:", and an infinite value reads "Inf" as R prints it (Rust writes "inf").
 * Anything else is copied as it is.
 */
static void r_terms(const char *msg, char *out, size_t size) {
    size_t len = 0;
    const char *p = msg;
    while (*p != '\0' && len + 1 < size) {
        char *end;
        if ((p[0] == 'X' || p[0] == 'Y') && p[1] == '[') {
            const char *q = p + 2;
            int all_rows = *q == ':';
            unsigned long long row = 0, col;
            if (all_rows) {
                q++;
            } else if (*q >= '0' && *q <= '9') {
                row = strtoull(q, &end, 10);
                q = end;
            } else {
                q = NULL;
            }
            if (q != NULL && q[0] == ',' && q[1] == ' ' && q[2] >= '0' && q[2] <= '9') {
                col = strtoull(q + 2, &end, 10);
                if (*end == ']') {
                    out[len++] = (char)(p[0] - 'X' + 'x');
                    if (len + 1 < size) {
                        out[len++] = '[';
                    }
                    if (!all_rows) {
                        put_number(out, size, &len, row + 1);
                    }
                    if (len + 2 < size) {
                        out[len++] = ',';
                        out[len++] = ' ';
                    }
                    put_number(out, size, &len, col + 1);
                    if (len + 1 < size) {
                        out[len++] = ']';
                    }
                    p = end + 1;
                    continue;
                }
            }
        }
        if (strncmp(p, "dataset ", 8) == 0 && p[8] >= '0' && p[8] <= '9') {
            unsigned long long index = strtoull(p + 8, &end, 10);
            if (*end == ':') {
                size_t keep = len + 8 < size ? 8 : size - len - 1;
                memcpy(out + len, p, keep);
                len += keep;
                put_number(out, size, &len, index + 1);
                p = end;
                continue;
            }
        }
        if (strncmp(p, "inf", 3) == 0 && p > msg && (p[-1] == ' ' || p[-1] == '-') &&
            !(p[3] >= 'a' && p[3] <= 'z')) {
            out[len++] = 'I';
            p++;
            continue;
        }
        out[len++] = *p++;
    }
    out[len] = '\0';
}

/* Raises the library's message, in R's terms, as an R error when a call failed; call it after the
   C call. */
static void check_status(MistStatus status) {
    if (status != MIST_STATUS_OK) {
        char msg[2048];
        r_terms(mist_last_error(), msg, sizeof msg);
        Rf_errorcall(R_NilValue, "%s", msg);
    }
}

/* Copies an integer or logical vector into doubles; NA becomes NA_real_, refused by libmist. */
static void copy_as_double(SEXP v, double *out) {
    const int *in = INTEGER(v);
    for (R_xlen_t i = 0; i < XLENGTH(v); i++) {
        out[i] = in[i] == NA_INTEGER ? NA_REAL : (double)in[i];
    }
}

/*
 * Views `obj` as a MistMatrix: a double vector (one column) or matrix in place; an integer or
 * logical one, or a data frame of double, integer or logical columns, converted once into a new
 * double buffer kept alive in keep[slot] (a list protected by the caller). With `row_major`, obj
 * holds the transpose of the data (t(x)): its columns are the samples.
 */
static MistMatrix as_mist_matrix(SEXP obj, int row_major, SEXP keep, R_xlen_t slot) {
    MistMatrix m = {NULL, 0, 0, row_major ? MIST_LAYOUT_ROW_MAJOR : MIST_LAYOUT_COL_MAJOR};
    size_t n_elem;
    if (Rf_isFrame(obj)) {
        m.layout = MIST_LAYOUT_COL_MAJOR; /* the new buffer; row_major applies to matrices only */
        m.rows = (size_t)Rf_xlength(Rf_getAttrib(obj, R_RowNamesSymbol));
        m.cols = (size_t)XLENGTH(obj);
        n_elem = m.rows * m.cols;
        SEXP buf = Rf_allocVector(REALSXP, (R_xlen_t)n_elem);
        SET_VECTOR_ELT(keep, slot, buf);
        for (size_t j = 0; j < m.cols && m.rows > 0; j++) {
            SEXP col = VECTOR_ELT(obj, (R_xlen_t)j);
            if (Rf_xlength(col) != (R_xlen_t)m.rows) {
                Rf_errorcall(R_NilValue, "data frame column %zu has %lld values for %zu rows",
                             j + 1, (long long)Rf_xlength(col), m.rows);
            } else if (TYPEOF(col) == REALSXP) {
                memcpy(REAL(buf) + j * m.rows, REAL(col), m.rows * sizeof(double));
            } else if (TYPEOF(col) == INTSXP || TYPEOF(col) == LGLSXP) {
                copy_as_double(col, REAL(buf) + j * m.rows);
            } else {
                Rf_errorcall(R_NilValue, "data frame column %zu is not numeric", j + 1);
            }
        }
        m.data = REAL(buf);
    } else {
        SEXP dim = Rf_getAttrib(obj, R_DimSymbol);
        int is_matrix = Rf_length(dim) == 2;
        size_t nr = is_matrix ? (size_t)INTEGER(dim)[0] : (size_t)Rf_xlength(obj);
        size_t nc = is_matrix ? (size_t)INTEGER(dim)[1] : 1;
        m.rows = row_major ? nc : nr;
        m.cols = row_major ? nr : nc;
        n_elem = nr * nc;
        if (TYPEOF(obj) == REALSXP) {
            m.data = REAL(obj);
        } else if (TYPEOF(obj) == INTSXP || TYPEOF(obj) == LGLSXP) {
            SEXP buf = Rf_allocVector(REALSXP, XLENGTH(obj));
            SET_VECTOR_ELT(keep, slot, buf);
            copy_as_double(obj, REAL(buf));
            m.data = REAL(buf);
        } else {
            Rf_errorcall(R_NilValue, "data of type %s is not numeric", Rf_type2char(TYPEOF(obj)));
        }
    }
    /* An empty vector's data pointer need not be aligned; libmist takes NULL for no elements. */
    if (n_elem == 0) {
        m.data = NULL;
    }
    return m;
}

/* The live handle of a mist_estimator; an R error for a closed one. */
static MistEstimator *handle(SEXP ptr) {
    if (TYPEOF(ptr) != EXTPTRSXP || !Rf_inherits(ptr, "mist_estimator")) {
        Rf_errorcall(R_NilValue, "estimator must be a mist_estimator (see ?mist_estimator)");
    }
    MistEstimator *est = R_ExternalPtrAddr(ptr);
    if (est == NULL) {
        Rf_errorcall(R_NilValue,
                     "this mist_estimator has been closed; create a new one with mist_estimator()");
    }
    return est;
}

/* Frees the handle once: close() and the finalizer both come here. */
static void release(SEXP ptr) {
    MistEstimator *est = R_ExternalPtrAddr(ptr);
    if (est != NULL) {
        R_ClearExternalPtr(ptr);
        mist_free(est);
    }
}

static SEXP r_create(SEXP model, SEXP threads, SEXP seed) {
    MistOptions options;
    mist_options_default(&options, sizeof options);
    if (model != R_NilValue) {
        options.model_path = Rf_translateChar(STRING_ELT(model, 0));
    }
    options.threads = (size_t)Rf_asReal(threads);
    options.seed = (uint64_t)Rf_asReal(seed);
    /* The pointer and its finalizer exist before the handle does, so no handle can leak. */
    SEXP ptr = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(ptr, release, TRUE);
    Rf_setAttrib(ptr, R_ClassSymbol, Rf_mkString("mist_estimator"));
    MistEstimator *est = NULL;
    check_status(mist_create(&options, &est));
    R_SetExternalPtrAddr(ptr, est);
    UNPROTECT(1);
    return ptr;
}

static SEXP r_close(SEXP ptr) {
    if (TYPEOF(ptr) == EXTPTRSXP) {
        release(ptr);
    }
    return R_NilValue;
}

static SEXP r_is_open(SEXP ptr) {
    return Rf_ScalarLogical(TYPEOF(ptr) == EXTPTRSXP && R_ExternalPtrAddr(ptr) != NULL);
}

/* max_dx, max_dy, min_n, max_n of the handle's model, as doubles (size_t may exceed int). */
static SEXP r_limits(SEXP ptr) {
    const MistEstimator *est = handle(ptr);
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 4));
    REAL(out)[0] = (double)mist_max_dx(est);
    REAL(out)[1] = (double)mist_max_dy(est);
    REAL(out)[2] = (double)mist_min_n(est);
    REAL(out)[3] = (double)mist_max_n(est);
    UNPROTECT(1);
    return out;
}

static SEXP r_estimate(SEXP ptr, SEXP x, SEXP y, SEXP row_major) {
    const MistEstimator *est = handle(ptr);
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2));
    int rm = Rf_asLogical(row_major) == TRUE;
    MistMatrix mx = as_mist_matrix(x, rm, keep, 0), my = as_mist_matrix(y, rm, keep, 1);
    double mi = 0.0;
    MistStatus status = mist_estimate(est, &mx, &my, &mi);
    UNPROTECT(1);
    check_status(status);
    return Rf_ScalarReal(mi);
}

/* The point estimate and the quantiles from one run: list(estimate, quantiles). */
static SEXP r_estimate_with_quantiles(SEXP ptr, SEXP x, SEXP y, SEXP taus, SEXP row_major) {
    const MistEstimator *est = handle(ptr);
    if (TYPEOF(taus) != REALSXP) {
        Rf_errorcall(R_NilValue, "probs must be a double vector");
    }
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2));
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
    SEXP q = Rf_allocVector(REALSXP, XLENGTH(taus));
    SET_VECTOR_ELT(out, 1, q);
    int rm = Rf_asLogical(row_major) == TRUE;
    MistMatrix mx = as_mist_matrix(x, rm, keep, 0), my = as_mist_matrix(y, rm, keep, 1);
    double mi = 0.0;
    MistStatus status =
        mist_estimate_with_quantiles(est, &mx, &my, REAL(taus), (size_t)XLENGTH(taus), &mi, REAL(q));
    SET_VECTOR_ELT(out, 0, Rf_ScalarReal(mi));
    UNPROTECT(2);
    check_status(status);
    return out;
}

/* A baseline run on two matrices with one parameter from R (or none), into *out. */
typedef MistStatus (*baseline_call)(const MistMatrix *x, const MistMatrix *y, SEXP param, double *out);

/* The baseline `call` on x and y (row-major when row_major is TRUE) with `param`: one number. */
static SEXP r_baseline(baseline_call call, SEXP x, SEXP y, SEXP param, SEXP row_major) {
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2));
    int rm = Rf_asLogical(row_major) == TRUE;
    MistMatrix mx = as_mist_matrix(x, rm, keep, 0), my = as_mist_matrix(y, rm, keep, 1);
    double mi = 0.0;
    MistStatus status = call(&mx, &my, param, &mi);
    UNPROTECT(1);
    check_status(status);
    return Rf_ScalarReal(mi);
}

static MistStatus ksg_call(const MistMatrix *x, const MistMatrix *y, SEXP k, double *out) {
    return mist_ksg(x, y, (size_t)Rf_asReal(k), out);
}

static MistStatus gaussian_call(const MistMatrix *x, const MistMatrix *y, SEXP unused, double *out) {
    (void)unused;
    return mist_gaussian(x, y, out);
}

static MistStatus gcmi_call(const MistMatrix *x, const MistMatrix *y, SEXP unused, double *out) {
    (void)unused;
    return mist_gcmi(x, y, out);
}

/* `method` is a MistTableMethod. */
static MistStatus discrete_call(const MistMatrix *x, const MistMatrix *y, SEXP method, double *out) {
    return mist_discrete(x, y, Rf_asInteger(method), out);
}

static MistStatus ross_call(const MistMatrix *x, const MistMatrix *y, SEXP k, double *out) {
    return mist_ross(x, y, (size_t)Rf_asReal(k), out);
}

static SEXP r_ksg(SEXP x, SEXP y, SEXP k, SEXP row_major) { return r_baseline(ksg_call, x, y, k, row_major); }

static SEXP r_gaussian(SEXP x, SEXP y, SEXP row_major) {
    return r_baseline(gaussian_call, x, y, R_NilValue, row_major);
}

static SEXP r_gcmi(SEXP x, SEXP y, SEXP row_major) { return r_baseline(gcmi_call, x, y, R_NilValue, row_major); }

static SEXP r_discrete(SEXP x, SEXP y, SEXP method) {
    return r_baseline(discrete_call, x, y, method, Rf_ScalarLogical(FALSE));
}

static SEXP r_ross(SEXP x, SEXP y, SEXP k) { return r_baseline(ross_call, x, y, k, Rf_ScalarLogical(FALSE)); }

/* mist_estimate_auto on x and y with their columns' kinds (integer vectors of MistKind, one per
   column): list(estimate, the MistMethod that answered). */
static SEXP r_auto(SEXP ptr, SEXP x, SEXP y, SEXP x_kinds, SEXP y_kinds) {
    const MistEstimator *est = handle(ptr);
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2));
    MistMatrix mx = as_mist_matrix(x, 0, keep, 0), my = as_mist_matrix(y, 0, keep, 1);
    double mi = 0.0;
    int method = -1;
    MistStatus status = mist_estimate_auto(est, &mx, &my, INTEGER(x_kinds), INTEGER(y_kinds), &mi, &method);
    UNPROTECT(1);
    check_status(status);
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
    SET_VECTOR_ELT(out, 0, Rf_ScalarReal(mi));
    SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(method));
    UNPROTECT(1);
    return out;
}

/* Point estimates of the datasets xs[[i]], ys[[i]] (two lists of equal length) in one call. */
static SEXP r_batch(SEXP ptr, SEXP xs, SEXP ys) {
    const MistEstimator *est = handle(ptr);
    if (TYPEOF(xs) != VECSXP || TYPEOF(ys) != VECSXP || XLENGTH(xs) != XLENGTH(ys)) {
        Rf_errorcall(R_NilValue, "xs and ys must be lists of equal length");
    }
    R_xlen_t count = XLENGTH(xs);
    if (count == 0) {
        return Rf_allocVector(REALSXP, 0);
    }
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2 * count));
    SEXP out = PROTECT(Rf_allocVector(REALSXP, count));
    /* R_alloc memory is released when the .Call returns, error or not. */
    MistMatrix *mxs = (MistMatrix *)R_alloc((size_t)count, sizeof(MistMatrix));
    MistMatrix *mys = (MistMatrix *)R_alloc((size_t)count, sizeof(MistMatrix));
    for (R_xlen_t i = 0; i < count; i++) {
        mxs[i] = as_mist_matrix(VECTOR_ELT(xs, i), 0, keep, 2 * i);
        mys[i] = as_mist_matrix(VECTOR_ELT(ys, i), 0, keep, 2 * i + 1);
    }
    MistStatus status = mist_estimate_batch(est, mxs, mys, (size_t)count, REAL(out));
    UNPROTECT(2);
    check_status(status);
    return out;
}

/* mist_test on x and y with their columns' kinds: list(estimate, p-value, B, the MistMethod that
   answered). method is a MistMethod, k, B and seed whole numbers checked by the R code. */
static SEXP r_test(SEXP ptr, SEXP x, SEXP y, SEXP x_kinds, SEXP y_kinds, SEXP method, SEXP k, SEXP b,
                   SEXP seed) {
    const MistEstimator *est = handle(ptr);
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 2));
    MistMatrix mx = as_mist_matrix(x, 0, keep, 0), my = as_mist_matrix(y, 0, keep, 1);
    MistTestResult r;
    MistStatus status = mist_test(est, &mx, &my, INTEGER(x_kinds), INTEGER(y_kinds), Rf_asInteger(method),
                                  (size_t)Rf_asReal(k), (size_t)Rf_asReal(b), (uint64_t)Rf_asReal(seed), &r);
    UNPROTECT(1);
    check_status(status);
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SET_VECTOR_ELT(out, 0, Rf_ScalarReal(r.estimate));
    SET_VECTOR_ELT(out, 1, Rf_ScalarReal(r.p_value));
    SET_VECTOR_ELT(out, 2, Rf_ScalarReal((double)r.permutations));
    SET_VECTOR_ELT(out, 3, Rf_ScalarInteger(r.method));
    UNPROTECT(1);
    return out;
}

/* mist_pairs on the columns of data (a matrix or data frame) with their kinds: pairs is an integer
   vector of column indices from 0, two per pair. list(mi, q05, q95, method); the quantiles only with
   `interval` TRUE (NULL otherwise). */
static SEXP r_pairs(SEXP ptr, SEXP data, SEXP kinds, SEXP pairs, SEXP method, SEXP k, SEXP interval) {
    const MistEstimator *est = handle(ptr);
    if (TYPEOF(pairs) != INTSXP || XLENGTH(pairs) % 2 != 0) {
        Rf_errorcall(R_NilValue, "pairs must be an integer vector of even length");
    }
    size_t count = (size_t)XLENGTH(pairs) / 2;
    int with_interval = Rf_asLogical(interval) == TRUE;
    SEXP keep = PROTECT(Rf_allocVector(VECSXP, 1));
    MistMatrix m = as_mist_matrix(data, 0, keep, 0);
    size_t *at = (size_t *)R_alloc(2 * count + 1, sizeof(size_t));
    for (size_t i = 0; i < 2 * count; i++) {
        at[i] = (size_t)INTEGER(pairs)[i];
    }
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SET_VECTOR_ELT(out, 0, Rf_allocVector(REALSXP, (R_xlen_t)count));
    if (with_interval) {
        SET_VECTOR_ELT(out, 1, Rf_allocVector(REALSXP, (R_xlen_t)count));
        SET_VECTOR_ELT(out, 2, Rf_allocVector(REALSXP, (R_xlen_t)count));
    }
    SET_VECTOR_ELT(out, 3, Rf_allocVector(INTSXP, (R_xlen_t)count));
    MistStatus status = mist_pairs(est, &m, INTEGER(kinds), at, count, Rf_asInteger(method), (size_t)Rf_asReal(k),
                                   REAL(VECTOR_ELT(out, 0)), with_interval ? REAL(VECTOR_ELT(out, 1)) : NULL,
                                   with_interval ? REAL(VECTOR_ELT(out, 2)) : NULL, INTEGER(VECTOR_ELT(out, 3)));
    UNPROTECT(2);
    check_status(status);
    return out;
}

static SEXP r_version(void) {
    return Rf_mkString(mist_version());
}

static const R_CallMethodDef call_methods[] = {
    {"mist_create", (DL_FUNC)&r_create, 3},
    {"mist_close", (DL_FUNC)&r_close, 1},
    {"mist_is_open", (DL_FUNC)&r_is_open, 1},
    {"mist_limits", (DL_FUNC)&r_limits, 1},
    {"mist_estimate", (DL_FUNC)&r_estimate, 4},
    {"mist_estimate_with_quantiles", (DL_FUNC)&r_estimate_with_quantiles, 5},
    {"mist_ksg", (DL_FUNC)&r_ksg, 4},
    {"mist_gaussian", (DL_FUNC)&r_gaussian, 3},
    {"mist_gcmi", (DL_FUNC)&r_gcmi, 3},
    {"mist_discrete", (DL_FUNC)&r_discrete, 3},
    {"mist_ross", (DL_FUNC)&r_ross, 3},
    {"mist_auto", (DL_FUNC)&r_auto, 5},
    {"mist_batch", (DL_FUNC)&r_batch, 3},
    {"mist_test", (DL_FUNC)&r_test, 9},
    {"mist_pairs", (DL_FUNC)&r_pairs, 7},
    {"mist_version", (DL_FUNC)&r_version, 0},
    {NULL, NULL, 0},
};

/* Registers the routines above; only they can be called, and only through their R symbols. */
void attribute_visible R_init_mist(DllInfo *dll) {
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
