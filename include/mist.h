/*
 * mist.h: the C interface of libmist, a learned estimator of mutual information I(X;Y).
 *
 * UNITS. Every mutual-information value (estimates, quantiles, baselines) is in nats (natural
 * logarithm); divide by ln 2 = 0.6931... for bits.
 *
 * DATA. X and Y are MistMatrix views of the caller's memory: n rows (samples) by dx or dy columns
 * (dimensions), row-major (C, NumPy) or column-major (R, Julia, Fortran), read in place without a
 * copy. Values must be finite doubles, of any scale (every estimator is invariant to the scale and
 * offset of each column).
 *
 * DEGENERATE, DISCRETE AND ROUNDED DATA. A constant column carries no information and is left
 * out (MI is exactly unchanged); when X or Y has no column that varies, MI and every quantile are
 * 0. A column with 2 to 10 distinct values, each repeated on average (at least 2 rows per value),
 * is discrete: categories, counts or scores with few levels. The learned model refuses it with
 * MIST_STATUS_DISCRETE_DATA naming the column. A column with more distinct values is continuous
 * or a rounded measurement: its ties are broken in a random order seeded by options.seed (a
 * dequantisation: MI is unchanged). The baselines accept discrete data: KSG counts the ties of a
 * discrete column exactly (Gao et al. 2017) and breaks those of a rounded column with seeded noise
 * below the rounding step.
 *
 * WHAT TO REPORT. mist_estimate gives the point estimate, trained to minimise the squared error;
 * it always lies within the model's own 90% interval [q0.05, q0.95] (and is at least 0).
 * mist_quantiles gives quantiles of the model's distribution of the true MI given data like these,
 * calibrated on held-out synthetic data. Report the point estimate with the interval
 * [q0.05, q0.95]; the median q0.5 can differ from the point estimate. Both are symmetric:
 * (X, Y) and (Y, X) give the same bits.
 *
 * ERRORS. Every fallible function returns a MistStatus (MIST_STATUS_OK = 0; the values are fixed)
 * and writes its outputs only on success. After a failure, mist_last_error() (or
 * mist_last_error_copy) gives a message for the calling thread naming the bad argument and its
 * value, e.g. "X[3, 1] = NaN is not finite" or "dx = 40 is above the model's maximum of 32".
 * Model files are read only when they are regular files of at most 256 MiB, and an ONNX Runtime
 * library file whose segments run past its end (a truncated copy) is refused before it is mapped.
 * Every pointer argument is checked for NULL. No Rust panic crosses this interface (a caught one
 * returns MIST_STATUS_PANIC), and loading failures (model, ONNX Runtime, CUDA) return a status;
 * they never abort or hang the process.
 *
 * THREAD SAFETY. One MistEstimator handle may be used from any number of threads at once. Calls
 * run concurrently up to options.threads of them (each in its own ONNX Runtime session on one
 * thread; a call alone on its handle may use several: docs/c-abi.md, "Threading"); further calls
 * wait for a free session. Results are deterministic: the same input,
 * options and seed give bit-identical results, whatever the number of calling threads. Only
 * mist_free must not overlap other calls on the same handle. The last error is per thread; all
 * other functions are thread-safe too.
 *
 * ONNX RUNTIME. libmist runs its model with ONNX Runtime (API 1.31 or newer), loaded at the first
 * successful mist_create, once per process, from the first of:
 *   1. options->onnxruntime_path;
 *   2. the environment variable MIST_ORT_LIB;
 *   3. libonnxruntime.so in the folder of libmist itself (of the executable, when libmist is
 *      linked statically);
 *   4. vendor/onnxruntime/lib/libonnxruntime.so of the source tree libmist was built in
 *      (filled by scripts/setup-onnxruntime).
 * A path given in 1 or 2 that fails to load is an error (MIST_STATUS_RUNTIME_LOAD), without
 * trying further; 3 and 4 are tried only when the file exists. A bare file name (no '/') is
 * searched by the dynamic loader (LD_LIBRARY_PATH, system folders). Later handles share the loaded
 * library; naming a different onnxruntime_path after it is loaded is an error. ONNX Runtime writes a
 * device id and a telemetry database under ~/.cache/Microsoft/DeveloperTools unless the process
 * environment has ORT_DISABLE_TELEMETRY=1: set it before the first mist_create (docs/c-abi.md,
 * "Files"); libmist itself writes no file.
 *
 * MODEL. By default, the model embedded in libmist (options NULL, or options->model_path NULL);
 * mist_max_dx, mist_max_dy, mist_min_n and mist_max_n give its limits. A dataset with more rows
 * than mist_max_n is read as chunks of mist_max_n rows (overlapping a little, together holding every
 * row) from a seeded shuffle (options->seed); the chunks run as one batch. The model's head then answers every dataset, one chunk or several,
 * from the chunks' estimates and from features of all the rows (KSG and Gaussian estimates;
 * docs/onnx-contract.md), so that the estimate and its interval keep improving with n and do not
 * jump at mist_max_n. A model file without a head averages the chunks' estimates (and each
 * quantile). Nothing is truncated.
 *
 * Typical use:
 *   MistEstimator *est = NULL;
 *   if (mist_create(NULL, &est) != MIST_STATUS_OK) { fprintf(stderr, "%s\n", mist_last_error()); ... }
 *   MistMatrix x = { xdata, n, dx, MIST_LAYOUT_ROW_MAJOR }, y = { ydata, n, dy, MIST_LAYOUT_ROW_MAJOR };
 *   double mi, taus[3] = { 0.05, 0.5, 0.95 }, q[3];
 *   mist_estimate(est, &x, &y, &mi);
 *   mist_quantiles(est, &x, &y, taus, 3, q);   (a 90% interval [q[0], q[2]] and the median q[1])
 *   mist_estimate_with_quantiles(est, &x, &y, taus, 3, &mi, q);   (both from one model run)
 *   mist_free(est);
 */

#ifndef MIST_H
#define MIST_H

/*
 * Generated by cbindgen from src/ffi/ (see build.rs); do not edit by hand.
 * The test header_is_up_to_date fails when this file and the generated one differ;
 * `MIST_UPDATE_HEADER=1 cargo build --release -p mist` rewrites it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version of this header; mist_version() gives the library's at run time. */
#define MIST_VERSION_MAJOR 0
#define MIST_VERSION_MINOR 1
#define MIST_VERSION_PATCH 0
#define MIST_VERSION "0.1.0"

/**
 * The result of every fallible function. The numeric values are fixed and never reused.
 *
 * On any value other than `MIST_STATUS_OK`, `mist_last_error()` gives a message naming the bad
 * argument and its value.
 */
typedef enum MistStatus {
  /**
   * Success; the outputs were written.
   */
  MIST_STATUS_OK = 0,
  /**
   * A required pointer argument is NULL (the message names it).
   */
  MIST_STATUS_NULL_POINTER = 1,
  /**
   * An argument is out of its range: quantile levels outside (0, 1), `n_taus` = 0, `k` = 0, an
   * unknown layout or device value, a negative device id, a misaligned data pointer.
   */
  MIST_STATUS_INVALID_ARGUMENT = 2,
  /**
   * NaN or ±Inf in x or y (the message names the matrix, row, column and value).
   */
  MIST_STATUS_NON_FINITE = 3,
  /**
   * n is below the estimator's minimum.
   */
  MIST_STATUS_TOO_FEW_ROWS = 4,
  /**
   * dx or dy is 0 or above the model's maximum.
   */
  MIST_STATUS_BAD_DIMENSION = 5,
  /**
   * x and y have different numbers of rows.
   */
  MIST_STATUS_LENGTH_MISMATCH = 6,
  /**
   * A column of x or y looks discrete: it takes 2 to 10 distinct values, each repeated on average
   * (at least 2 rows per value). The learned model answers continuous data and rounded
   * measurements (more than 10 distinct values per column), not categories or counts with few
   * levels; the message names the column. The baselines accept such data (`mist_ksg` counts ties
   * of a discrete column exactly).
   */
  MIST_STATUS_DISCRETE_DATA = 7,
  /**
   * The model file is missing, unreadable or not a valid ONNX model.
   */
  MIST_STATUS_MODEL_LOAD = 10,
  /**
   * The model's metadata (`mist.format` and the rest) is not what this library understands.
   */
  MIST_STATUS_MODEL_UNSUPPORTED = 11,
  /**
   * The ONNX Runtime library is missing, not loadable, of the wrong version, or this process
   * already loaded it from another path.
   */
  MIST_STATUS_RUNTIME_LOAD = 12,
  /**
   * CUDA was requested but is not available, and `cuda_fallback_to_cpu` is false.
   */
  MIST_STATUS_DEVICE_UNAVAILABLE = 13,
  /**
   * ONNX Runtime failed while running the model.
   */
  MIST_STATUS_INFERENCE = 14,
  /**
   * The buffer given to `mist_last_error_copy` is too small.
   */
  MIST_STATUS_BUFFER_TOO_SMALL = 15,
  /**
   * A Rust panic was caught at the boundary: a bug in libmist; please report it.
   */
  MIST_STATUS_PANIC = 99,
} MistStatus;

/**
 * How the elements of a matrix are laid out in memory.
 */
typedef enum MistLayout {
  /**
   * Row after row: element (i, j) at `data[i * cols + j]` (C, NumPy's default).
   */
  MIST_LAYOUT_ROW_MAJOR = 0,
  /**
   * Column after column: element (i, j) at `data[j * rows + i]` (R, Julia, Fortran).
   */
  MIST_LAYOUT_COL_MAJOR = 1,
} MistLayout;

/**
 * Where the model runs.
 */
typedef enum MistDevice {
  /**
   * The CPU.
   */
  MIST_DEVICE_CPU = 0,
  /**
   * An NVIDIA GPU through ONNX Runtime's CUDA execution provider (libmist built with the `cuda`
   * feature, a CUDA build of ONNX Runtime and its CUDA libraries).
   */
  MIST_DEVICE_CUDA = 1,
} MistDevice;

/**
 * The estimates of a contingency table's MI that `mist_discrete` computes.
 */
typedef enum MistTableMethod {
  /**
   * The plug-in estimate: the MI of the observed cell frequencies.
   */
  MIST_TABLE_METHOD_PLUGIN = 0,
  /**
   * The plug-in estimate with the Miller–Madow correction of each entropy.
   */
  MIST_TABLE_METHOD_MILLER_MADOW = 1,
  /**
   * The James–Stein shrinkage estimate (Hausser & Strimmer 2009), as `infotheo`'s `shrink`.
   */
  MIST_TABLE_METHOD_SHRINK = 2,
  /**
   * The NSB estimate (Nemenman, Shafee & Bialek 2002): the lowest error of the four on tables
   * with few rows per cell.
   */
  MIST_TABLE_METHOD_NSB = 3,
} MistTableMethod;

/**
 * What the caller says of a column (`mist_estimate_auto`).
 */
typedef enum MistKind {
  /**
   * Let the data say: discrete when it takes 2 to 10 distinct values, each repeated on average
   * (see DEGENERATE, DISCRETE AND ROUNDED DATA at the top).
   */
  MIST_KIND_DETECT = 0,
  /**
   * Continuous, or a rounded measurement.
   */
  MIST_KIND_CONTINUOUS = 1,
  /**
   * Categories or counts: equal values are one category.
   */
  MIST_KIND_DISCRETE = 2,
} MistKind;

/**
 * An estimator of I(X;Y).
 */
typedef enum MistMethod {
  /**
   * The learned model (`mist_estimate`): every varying column continuous.
   */
  MIST_METHOD_MODEL = 0,
  /**
   * The James–Stein shrinkage estimate of the contingency table (`mist_discrete`).
   */
  MIST_METHOD_SHRINK = 1,
  /**
   * Ross's estimator (`mist_ross`; k = 3 under auto): one side discrete, the other continuous.
   */
  MIST_METHOD_ROSS = 2,
  /**
   * KSG (`mist_ksg`; k = 5 under auto): a side mixing discrete and continuous columns.
   */
  MIST_METHOD_KSG = 3,
  /**
   * The Gaussian estimator (`mist_gaussian`).
   */
  MIST_METHOD_GAUSSIAN = 4,
  /**
   * The Gaussian-copula estimator (`mist_gcmi`).
   */
  MIST_METHOD_GCMI = 5,
  /**
   * The contingency table's plug-in estimate with the Miller–Madow correction (`mist_discrete`).
   */
  MIST_METHOD_MILLER_MADOW = 6,
  /**
   * The contingency table's plug-in estimate (`mist_discrete`).
   */
  MIST_METHOD_PLUGIN = 7,
  /**
   * Asked for only, never an answer: the estimator that fits the columns' kinds, as
   * `mist_estimate_auto` picks it.
   */
  MIST_METHOD_AUTO = 8,
  /**
   * The contingency table's NSB estimate (`mist_discrete`): every varying column discrete.
   */
  MIST_METHOD_NSB = 9,
} MistMethod;

/**
 * An estimator handle: the learned model with a pool of ONNX Runtime sessions. Opaque; made by
 * `mist_create`, released by `mist_free`, usable from many threads at once.
 */
typedef struct MistEstimator MistEstimator;

/**
 * A `rows × cols` matrix of doubles in the caller's memory: rows are samples, columns are
 * dimensions. libmist reads it in place (no copy is needed on the caller's side) and never writes
 * it. `data` may be NULL only when `rows * cols` is 0; it must be aligned for double.
 */
typedef struct MistMatrix {
  /**
   * The first element.
   */
  const double *data;
  /**
   * Number of rows (samples, n).
   */
  size_t rows;
  /**
   * Number of columns (dimensions, dx or dy).
   */
  size_t cols;
  /**
   * MIST_LAYOUT_ROW_MAJOR or MIST_LAYOUT_COL_MAJOR.
   */
  enum MistLayout layout;
} MistMatrix;

/**
 * Options of `mist_create`. Fill it with `mist_options_default(&options, sizeof options)` first,
 * then change fields, so that code keeps working when fields are added.
 */
typedef struct MistOptions {
  /**
   * Size of the struct in bytes as the caller's header declares it, set by
   * `mist_options_default`. New fields are added at the end; `mist_create` takes the defaults for
   * the fields beyond this size.
   */
  size_t size;
  /**
   * Path of a `.onnx` model exported by the MIST trainer; NULL: the default model embedded in
   * libmist.
   */
  const char *model_path;
  /**
   * Path of the ONNX Runtime library; NULL: the search order at the top of this header.
   */
  const char *onnxruntime_path;
  /**
   * MIST_DEVICE_CPU (default) or MIST_DEVICE_CUDA.
   */
  enum MistDevice device;
  /**
   * CUDA device ordinal (with MIST_DEVICE_CUDA); default 0.
   */
  int32_t device_id;
  /**
   * With MIST_DEVICE_CUDA: when CUDA is not available, run on the CPU instead of failing with
   * MIST_STATUS_DEVICE_UNAVAILABLE. Default false.
   */
  bool cuda_fallback_to_cpu;
  /**
   * Most threads the handle's model runs use at once; 0 (default): the number of CPUs. Calls in
   * flight take one each (further calls wait); how a call alone on the handle uses more is in
   * docs/c-abi.md, "Threading".
   */
  size_t threads;
  /**
   * Seed of the row shuffle that splits datasets with more rows than the model's maximum into
   * chunks; default 0. Equal inputs, options and seed give bit-identical results.
   */
  uint64_t seed;
} MistOptions;

/**
 * A permutation test's answer (`mist_test`).
 */
typedef struct MistTestResult {
  /**
   * The estimate of I(X;Y) on the data, nats.
   */
  double estimate;
  /**
   * The p-value `(1 + #{permutations whose estimate ≥ estimate}) / (1 + permutations)`: never
   * below `1 / (1 + permutations)`.
   */
  double p_value;
  /**
   * The number of permutations, B.
   */
  size_t permutations;
  /**
   * The MistMethod that answered (under MIST_METHOD_AUTO, the one picked for the data).
   */
  int method;
} MistTestResult;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * Estimates I(X;Y) in nats with the estimator that fits the kinds of the columns, and says which
 * answered: every varying column continuous, the learned model of `est` (as `mist_estimate`);
 * every one discrete, `mist_discrete` with NSB; one side discrete and the other continuous,
 * `mist_ross` with k = 3 (the discrete side as its `x`); a side of both kinds, `mist_ksg` with
 * k = 5. `x_kinds` (NULL: all MIST_KIND_DETECT) holds one MistKind per column of `x`, `y_kinds`
 * likewise. On success `*out_mi` holds the estimate and `*out_method` a MistMethod.
 *
 * Errors: those of the estimator that answers; MIST_STATUS_INVALID_ARGUMENT for a kind outside
 * MistKind. Nothing is written on failure.
 *
 * # Safety
 * `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
 * `y_kinds` NULL or readable for `x->cols` and `y->cols` ints; the outputs NULL or writable.
 */
enum MistStatus mist_estimate_auto(const struct MistEstimator *est,
                                   const struct MistMatrix *x,
                                   const struct MistMatrix *y,
                                   const int *x_kinds,
                                   const int *y_kinds,
                                   double *out_mi,
                                   int *out_method);

/**
 * The Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimate of I(X;Y) in nats (algorithm 1,
 * max-norm, columns z-scored; clipped at 0). Needs `k` ≥ 1 and n > k. Exact ties (discrete data)
 * are counted as in Gao et al. (2017). Cost about O(n log n) with k-d trees when dx + dy ≤ 8 and
 * n is large enough (1,500 rows up to dx + dy = 4, 3,000 to 7,000 in 5 to 8; 100,000 rows,
 * dx = dy = 2: under 2 s on two cores), O(n²) otherwise; runs on all CPUs.
 *
 * Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (`k` = 0 or SIZE_MAX, layout),
 * MIST_STATUS_BAD_DIMENSION, MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS,
 * MIST_STATUS_NON_FINITE. `*out_mi` is written only on success.
 *
 * # Safety
 * `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
 */
enum MistStatus mist_ksg(const struct MistMatrix *x,
                         const struct MistMatrix *y,
                         size_t k,
                         double *out_mi);

/**
 * The Gaussian (canonical-correlation) estimate of I(X;Y) in nats: exact for jointly Gaussian data
 * up to sampling error, blind to non-linear dependence. Needs n ≥ 3.
 *
 * Errors: as `mist_ksg` (without `k`). `*out_mi` is written only on success.
 *
 * # Safety
 * `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
 */
enum MistStatus mist_gaussian(const struct MistMatrix *x,
                              const struct MistMatrix *y,
                              double *out_mi);

/**
 * The Gaussian-copula estimate of I(X;Y) in nats (GCMI, Ince et al. 2017): each column replaced by
 * its normal scores (ties broken in a fixed random order), then the Gaussian MI of their sample
 * covariance with the finite-sample bias correction, clipped at 0. Exact up to sampling error for
 * any Gaussian copula, invariant to monotone transforms of each column, and cheap: one sort per
 * column and a (dx + dy)² covariance. Needs n ≥ dx + dy + 2 (constant columns not counted) and
 * n ≥ 4.
 *
 * Errors: as `mist_gaussian`. `*out_mi` is written only on success.
 *
 * # Safety
 * `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
 */
enum MistStatus mist_gcmi(const struct MistMatrix *x, const struct MistMatrix *y, double *out_mi);

/**
 * The MI in nats of two discrete samples from their contingency table: each row of `x` (and of `y`)
 * is one category, rows with equal values in every column (to the bit) being the same category, so
 * values are codes of any kind and several columns form one joint category. `method` is a
 * MistTableMethod (MIST_TABLE_METHOD_NSB for tables with few rows per cell). Clipped at 0;
 * symmetric in `x` and `y`. Needs n ≥ 2.
 *
 * Errors: as `mist_gaussian`, and MIST_STATUS_INVALID_ARGUMENT for a `method` outside
 * MistTableMethod. `*out_mi` is written only on success.
 *
 * # Safety
 * `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
 */
enum MistStatus mist_discrete(const struct MistMatrix *x,
                              const struct MistMatrix *y,
                              int method,
                              double *out_mi);

/**
 * Ross's (2014) nearest-neighbour MI in nats between a discrete `x` (each row one category, as in
 * `mist_discrete`) and a continuous `y`, with `k` neighbours (scikit-learn's
 * `mutual_info_classif` uses 3): the estimator for a class against measurements. Distances are
 * max-norm over `y`'s standardised columns; rows of a category seen once are left out. Clipped at
 * 0. Needs `k` ≥ 1 and n > k; cost O(n² dy).
 *
 * Errors: as `mist_ksg`. `*out_mi` is written only on success.
 *
 * # Safety
 * `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
 */
enum MistStatus mist_ross(const struct MistMatrix *x,
                          const struct MistMatrix *y,
                          size_t k,
                          double *out_mi);

/**
 * Creates an estimator handle in `*out`.
 *
 * `options` may be NULL: the default model embedded in libmist, on the CPU, with ONNX Runtime found
 * by the search order and one session per CPU. The handle is thread-safe: use it from any number of
 * threads at once, then release it with `mist_free`.
 *
 * Errors: MIST_STATUS_NULL_POINTER (`out`), MIST_STATUS_INVALID_ARGUMENT (an option's value),
 * MIST_STATUS_MODEL_LOAD, MIST_STATUS_MODEL_UNSUPPORTED, MIST_STATUS_RUNTIME_LOAD,
 * MIST_STATUS_DEVICE_UNAVAILABLE. `*out` is written only on success.
 *
 * # Safety
 * `options` must be NULL or point to a MistOptions; `out` must be NULL or valid for writing.
 */
enum MistStatus mist_create(const struct MistOptions *options, struct MistEstimator **out);

/**
 * Releases a handle from `mist_create`. NULL is a no-op. No call on the handle may be running or
 * follow.
 *
 * # Safety
 * `est` must be NULL or a handle from `mist_create` not yet freed.
 */
void mist_free(struct MistEstimator *est);

/**
 * Estimates I(X;Y) in nats from n paired samples: `x` is n × dx, `y` is n × dy (rows are samples).
 *
 * Datasets with more rows than the model's maximum (`mist_max_n`) are split into chunks by a
 * seeded shuffle (options.seed); the chunks run as one batch and the model's large-n head answers
 * from them and from all the rows (see MODEL at the top).
 * Constant columns are left out (all constant in X or Y: MI 0); see DEGENERATE AND DISCRETE DATA
 * at the top for ties.
 *
 * Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (layout), MIST_STATUS_BAD_DIMENSION,
 * MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS, MIST_STATUS_NON_FINITE,
 * MIST_STATUS_DISCRETE_DATA, MIST_STATUS_INFERENCE. `*out_mi` is written only on success.
 *
 * # Safety
 * `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `out_mi` NULL or
 * writable.
 */
enum MistStatus mist_estimate(const struct MistEstimator *est,
                              const struct MistMatrix *x,
                              const struct MistMatrix *y,
                              double *out_mi);

/**
 * Quantiles of I(X;Y) in nats: `out[i]` is the `taus[i]`-quantile of MI given the data, for
 * `n_taus` levels in the open interval (0, 1), e.g. {0.05, 0.5, 0.95} for the median and a 90%
 * interval. The values are monotone in tau (so `out` is sorted ascending when `taus` is).
 *
 * Errors: those of `mist_estimate`, and MIST_STATUS_INVALID_ARGUMENT for `n_taus` = 0 or a level
 * outside (0, 1). `out` (n_taus doubles) is written only on success.
 *
 * # Safety
 * As `mist_estimate`; `taus` must hold `n_taus` doubles and `out` room for `n_taus` doubles.
 */
enum MistStatus mist_quantiles(const struct MistEstimator *est,
                               const struct MistMatrix *x,
                               const struct MistMatrix *y,
                               const double *taus,
                               size_t n_taus,
                               double *out);

/**
 * The point estimate and the quantiles at `taus` from one run of the model, for the cost of one
 * `mist_estimate`: `*out_mi` is what `mist_estimate` gives and `out_q` (n_taus doubles) what
 * `mist_quantiles` gives for the same data, bit for bit.
 *
 * Errors: those of `mist_quantiles`. `*out_mi` and `out_q` are written only on success.
 *
 * # Safety
 * As `mist_quantiles`; `out_mi` must be NULL or writable, `out_q` room for `n_taus` doubles.
 */
enum MistStatus mist_estimate_with_quantiles(const struct MistEstimator *est,
                                             const struct MistMatrix *x,
                                             const struct MistMatrix *y,
                                             const double *taus,
                                             size_t n_taus,
                                             double *out_mi,
                                             double *out_q);

/**
 * Point estimates (nats) of `count` datasets in one call: dataset i is `xs[i]`, `ys[i]`, its
 * estimate goes to `out_mi[i]`. Datasets whose (chunk) row counts are equal share inference runs.
 * Each result equals `mist_estimate` on that dataset alone up to float rounding (about 1e-7
 * relative: ONNX Runtime's kernels depend on the batch size); the same batch gives the same bits.
 *
 * Errors: those of `mist_estimate`; the message of a bad dataset starts with `dataset i:` (or names
 * `xs[i]`). `out_mi` is written only on success, for all datasets at once; `count` = 0 succeeds
 * and writes nothing.
 *
 * # Safety
 * `xs` and `ys` must point to `count` MistMatrix each, `out_mi` to room for `count` doubles.
 */
enum MistStatus mist_estimate_batch(const struct MistEstimator *est,
                                    const struct MistMatrix *xs,
                                    const struct MistMatrix *ys,
                                    size_t count,
                                    double *out_mi);

/**
 * The largest dx the handle's model accepts; 0 when `est` is NULL.
 *
 * # Safety
 * `est` must be NULL or a live handle.
 */
size_t mist_max_dx(const struct MistEstimator *est);

/**
 * The largest dy the handle's model accepts; 0 when `est` is NULL.
 *
 * # Safety
 * `est` must be NULL or a live handle.
 */
size_t mist_max_dy(const struct MistEstimator *est);

/**
 * The fewest rows the handle's model accepts (smaller n gives MIST_STATUS_TOO_FEW_ROWS); 0 when
 * `est` is NULL.
 *
 * # Safety
 * `est` must be NULL or a live handle.
 */
size_t mist_min_n(const struct MistEstimator *est);

/**
 * The most rows the handle's model takes in one piece; larger datasets are split into chunks.
 * 0 when `est` is NULL.
 *
 * # Safety
 * `est` must be NULL or a live handle.
 */
size_t mist_max_n(const struct MistEstimator *est);

/**
 * Tests X and Y for independence: the estimate of I(X;Y) by `method` (a MistMethod; `k`: the
 * neighbours of KSG and Ross, 0 for 5 and 3) on the data, and on `permutations` row permutations
 * of Y drawn from `seed`; writes the estimate, the p-value and B to `*out`. The p-value is exact for
 * any estimator and n (under independence every pairing of rows is as likely as the observed one).
 * MIST_METHOD_AUTO picks its estimator once, on the data (`x_kinds`, `y_kinds` as for
 * `mist_estimate_auto`), and every permutation runs that one. The same arguments and handle seed
 * give the same answer. Permutations run as batches on the handle's threads: the cost is about
 * `permutations + 1` estimates, in blocks of at most 32 MiB of permuted Y.
 *
 * Errors: those of the estimator on the data; MIST_STATUS_INVALID_ARGUMENT for `permutations` = 0
 * or above 10,000,000,
 * a `method` outside MistMethod or a kind outside MistKind. Nothing is written on failure.
 *
 * # Safety
 * `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
 * `y_kinds` NULL or readable for `x->cols` and `y->cols` ints; `out` NULL or writable.
 */
enum MistStatus mist_test(const struct MistEstimator *est,
                          const struct MistMatrix *x,
                          const struct MistMatrix *y,
                          const int *x_kinds,
                          const int *y_kinds,
                          int method,
                          size_t k,
                          size_t permutations,
                          uint64_t seed,
                          struct MistTestResult *out);

/**
 * Fills the first `size` bytes of `*out` (pass `sizeof *out`) with the defaults: `size` (at most
 * this library's `sizeof(MistOptions)`), embedded model, ONNX Runtime found by the search order,
 * CPU, device 0, no CUDA fallback, threads = number of CPUs, seed 0. Writes nothing past `size`
 * bytes, so a program built against an older, smaller struct is safe. Does nothing when `out` is
 * NULL or not aligned, or `size` is too small to hold the `size` field.
 *
 * # Safety
 * `out` must be NULL or valid for writing `size` bytes.
 */
void mist_options_default(struct MistOptions *out, size_t size);

/**
 * MI (nats) of `count` pairs of columns of `data` (rows are samples): pair p is columns
 * `pairs[2p]` and `pairs[2p + 1]`, counted from 0, and its estimate goes to `out_mi[p]`, by
 * `method` (a MistMethod; `k`: the neighbours of KSG and Ross, 0 for 5 and 3). MIST_METHOD_AUTO
 * picks per pair from the two columns' `kinds` (NULL: detect each; else one MistKind per column).
 * `out_method` (NULL: not wanted) receives the MistMethod that answered each pair. `out_q05` and
 * `out_q95`, both NULL or both given, receive the model's 5% and 95% quantiles where the model
 * answered and NaN where another estimator did. Each answer equals the single call on that
 * pair's two columns (the model's up to float rounding, as `mist_estimate_batch`); the model's
 * pairs run as batches, the others side by side, on the handle's threads.
 *
 * Errors: those of the estimator, the message starting `dataset p:` for pair p;
 * MIST_STATUS_INVALID_ARGUMENT for a column index out of range, a `method` outside MistMethod, a
 * kind outside MistKind, or one of `out_q05` and `out_q95` without the other. The outputs are
 * written only on success; `count` = 0 succeeds and writes nothing.
 *
 * # Safety
 * `est` must be NULL or a live handle; `data` NULL or a valid MistMatrix view; `kinds` NULL or
 * readable for `data->cols` ints; `pairs` readable for `2 * count` size_t; each output NULL (where
 * allowed) or writable for `count` values.
 */
enum MistStatus mist_pairs(const struct MistEstimator *est,
                           const struct MistMatrix *data,
                           const int *kinds_of,
                           const size_t *pairs_at,
                           size_t count,
                           int method,
                           size_t k,
                           double *out_mi,
                           double *out_q05,
                           double *out_q95,
                           int *out_method);

/**
 * The message of the last failed call on the calling thread, or "" if the last call succeeded
 * (or none was made).
 *
 * Each function returning MistStatus (except `mist_last_error_copy`) resets it on entry and sets
 * it on failure. The string belongs to libmist and stays valid until the next call of a mist_*
 * function on this thread; copy it to keep it. Never NULL.
 */
const char *mist_last_error(void);

/**
 * Copies the calling thread's last error message, NUL-terminated, into `buf` of `len` bytes.
 *
 * `*needed` (when `needed` is not NULL) receives the size the message needs, NUL included; it is
 * written on `MIST_STATUS_OK` and on `MIST_STATUS_BUFFER_TOO_SMALL`, so `len = 0` (with `buf` NULL)
 * asks for the size. `buf` is written only on success. Does not change the last error.
 *
 * # Safety
 * `buf` must be NULL or point to `len` writable bytes; `needed` must be NULL or valid for writing.
 */
enum MistStatus mist_last_error_copy(char *buf, size_t len, size_t *needed);

/**
 * The C name of a status value, e.g. "MIST_STATUS_NULL_POINTER"; "MIST_STATUS_UNKNOWN" for a
 * value that is not a MistStatus. Static; never NULL.
 */
const char *mist_status_name(int status);

/**
 * The version of libmist, e.g. "0.1.0" (equal to MIST_VERSION of the header it was built with).
 * Static; never NULL.
 */
const char *mist_version(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* MIST_H */
