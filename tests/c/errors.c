/*
 * errors: every MistStatus that a C caller can provoke, with its message.
 *
 *     errors MODEL.onnx      (the default model file, models/mist-default.onnx)
 *
 * For each bad call it checks the returned status, that the output was left untouched, and that
 * mist_last_error() names the problem (case-insensitive words). The ONNX Runtime loading failures
 * run in forked children, before this process loads the runtime itself. Prints one line per check
 * and a final "N passed, N failed"; exits 1 if any check failed.
 *
 * Not provokable from C by design: MIST_STATUS_INFERENCE (ONNX Runtime failing on a valid model
 * and valid input) and MIST_STATUS_PANIC (a bug in libmist).
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mist.h"

static int n_passed = 0, n_failed = 0;

#define SENTINEL 12345.0

/* Case-insensitive substring search. */
static int contains(const char *hay, const char *needle, size_t needle_len) {
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < needle_len && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == needle_len) {
            return 1;
        }
    }
    return needle_len == 0;
}

/*
 * `words`: comma-separated words that must all appear in `msg`; each may list alternatives
 * separated by '|', e.g. "null,out_mi|out". Returns the first missing word, or NULL.
 */
static const char *missing_word(const char *msg, const char *words) {
    static char missing[128];
    const char *w = words;
    while (*w) {
        size_t len = strcspn(w, ",");
        int found = 0;
        for (const char *alt = w; alt < w + len;) {
            size_t alt_len = strcspn(alt, "|,");
            if (alt + alt_len > w + len) {
                alt_len = (size_t)(w + len - alt);
            }
            found |= contains(msg, alt, alt_len);
            alt += alt_len + 1;
        }
        if (!found) {
            snprintf(missing, sizeof missing, "%.*s", (int)len, w);
            return missing;
        }
        w += len + (w[len] == ',');
    }
    return NULL;
}

/* Checks one call's status, that its output is untouched, and its message. */
static void expect_status(const char *name, MistStatus got, MistStatus want, int output_untouched,
                          const char *words) {
    char msg[2048]; /* copied first: the message is valid only until the next mist_* call */
    snprintf(msg, sizeof msg, "%s", mist_last_error());
    const char *missing = want == MIST_STATUS_OK ? NULL : missing_word(msg, words);
    if (got == want && output_untouched && missing == NULL) {
        n_passed++;
        printf("ok    %-44s %s\n", name, mist_status_name(got));
    } else {
        n_failed++;
        printf("FAIL  %-44s got %s, want %s", name, mist_status_name(got), mist_status_name(want));
        if (!output_untouched) {
            printf("; the output was written");
        }
        if (missing != NULL) {
            printf("; message lacks \"%s\"", missing);
        }
        printf("\n");
    }
    if (want != MIST_STATUS_OK) {
        printf("      message: %s\n", msg);
    }
}

/*
 * expect(name, call, want, untouched, words): runs `call`, THEN evaluates `untouched` (a function's
 * arguments are evaluated in no fixed order, so the call must be sequenced before the check).
 */
#define expect(name, call, want, untouched, words)                                                     \
    do {                                                                                               \
        MistStatus got_ = (call);                                                                      \
        expect_status((name), got_, (want), (untouched), (words));                                     \
    } while (0)

static void expect_true(const char *name, int condition) {
    if (condition) {
        n_passed++;
        printf("ok    %s\n", name);
    } else {
        n_failed++;
        printf("FAIL  %s\n", name);
    }
}

/* ---- ONNX Runtime loading failures, each in a child process with a fresh library state ---- */

/* In a child: mist_create with `ort_path`; the parent checks the status and the message. */
static void expect_runtime_load_failure(const char *name, const char *ort_path, const char *words) {
    int fds[2];
    if (pipe(fds) != 0) {
        expect_true(name, 0);
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        MistOptions options;
        mist_options_default(&options, sizeof options);
        options.onnxruntime_path = ort_path;
        MistEstimator *est = NULL;
        MistStatus status = mist_create(&options, &est);
        const char *msg = mist_last_error();
        int32_t code = (int32_t)status;
        if (write(fds[1], &code, sizeof code) != (ssize_t)sizeof code ||
            write(fds[1], msg, strlen(msg)) < 0) {
            _exit(3);
        }
        mist_free(est);
        _exit(est == NULL ? 0 : 4);
    }
    close(fds[1]);
    int32_t code = -1;
    char msg[2048] = {0};
    ssize_t got = read(fds[0], &code, sizeof code);
    size_t len = 0;
    ssize_t r;
    while (got == (ssize_t)sizeof code && len + 1 < sizeof msg && (r = read(fds[0], msg + len, sizeof msg - 1 - len)) > 0) {
        len += (size_t)r;
    }
    close(fds[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    int child_ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
    const char *missing = missing_word(msg, words);
    if (child_ok && code == MIST_STATUS_RUNTIME_LOAD && missing == NULL) {
        n_passed++;
        printf("ok    %-44s %s\n", name, mist_status_name(MIST_STATUS_RUNTIME_LOAD));
    } else {
        n_failed++;
        printf("FAIL  %-44s got status %d (child exit %d), want %s", name, code,
               WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus),
               mist_status_name(MIST_STATUS_RUNTIME_LOAD));
        if (missing != NULL) {
            printf("; message lacks \"%s\"", missing);
        }
        printf("\n");
    }
    printf("      message: %s\n", msg);
}

/* ---- model files ---- */

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    unsigned char *data = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? 2 * cap : 1 << 20;
            unsigned char *grown = realloc(data, cap);
            if (grown == NULL) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t r = fread(data + *len, 1, cap - *len, f);
        *len += r;
        if (r == 0) {
            break;
        }
    }
    fclose(f);
    return data;
}

static int write_file(const char *path, const unsigned char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* mist_create with a model file; expects failure `want` with `words` in the message. */
static void expect_model_failure(const char *name, const char *model_path, MistStatus want, const char *words) {
    MistOptions options;
    mist_options_default(&options, sizeof options);
    options.model_path = model_path;
    MistEstimator *sentinel = (MistEstimator *)&n_passed; /* any non-NULL address: must stay */
    MistEstimator *est = sentinel;
    MistStatus status = mist_create(&options, &est);
    expect(name, status, want, est == sentinel, words);
    if (est != sentinel) {
        mist_free(est);
    }
}

/* ---- data ---- */

#define N 200
#define D 2

static double xs[N * D], ys[N * D];

static MistMatrix mat(const double *data, size_t rows, size_t cols) {
    return (MistMatrix){.data = data, .rows = rows, .cols = cols, .layout = MIST_LAYOUT_ROW_MAJOR};
}

static void fill_data(void) {
    uint64_t s = 7;
    for (size_t i = 0; i < N * D; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
        double u = (double)(s >> 11) / 9007199254740992.0;
        xs[i] = u;
        ys[i] = 0.5 * u + 0.25 * (double)((s >> 3) % 1000) / 1000.0;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL.onnx   (the default model, models/mist-default.onnx)\n", argv[0]);
        return 2;
    }
    const char *model_path = argv[1];
    fill_data();
    char tmpdir[] = "/tmp/mist-errors-XXXXXX";
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }

    /* Static functions that need no runtime. */
    expect_true("mist_version() == MIST_VERSION", strcmp(mist_version(), MIST_VERSION) == 0);
    expect_true("mist_status_name(MIST_STATUS_OK)", strcmp(mist_status_name(MIST_STATUS_OK), "MIST_STATUS_OK") == 0);
    expect_true("mist_status_name(MIST_STATUS_BUFFER_TOO_SMALL)",
                strcmp(mist_status_name(MIST_STATUS_BUFFER_TOO_SMALL), "MIST_STATUS_BUFFER_TOO_SMALL") == 0);
    expect_true("mist_status_name(42) == \"MIST_STATUS_UNKNOWN\"",
                strcmp(mist_status_name((MistStatus)42), "MIST_STATUS_UNKNOWN") == 0);
    mist_free(NULL);
    mist_options_default(NULL, sizeof(MistOptions));
    expect_true("mist_free(NULL), mist_options_default(NULL, ...) are no-ops", 1);

    /* MIST_STATUS_RUNTIME_LOAD: before this process loads ONNX Runtime (children start fresh). */
    char not_a_lib[4096 + 32];
    snprintf(not_a_lib, sizeof not_a_lib, "%s/libonnxruntime.so", tmpdir);
    const unsigned char junk[] = "this is not a shared library\n";
    write_file(not_a_lib, junk, sizeof junk - 1);
    expect_runtime_load_failure("runtime: library file missing", "/nonexistent/libonnxruntime.so",
                                "/nonexistent/libonnxruntime.so");
    expect_runtime_load_failure("runtime: file is not a shared library", not_a_lib, "libonnxruntime.so");
    expect_runtime_load_failure("runtime: a library that is not ONNX Runtime", "libm.so.6", "libm.so.6");

    /* A working handle for everything else: the embedded model. */
    MistEstimator *est = NULL;
    MistStatus status = mist_create(NULL, &est);
    expect("mist_create(NULL options)", status, MIST_STATUS_OK, est != NULL, "");
    if (est == NULL) {
        printf("%d passed, %d failed\n", n_passed, n_failed + 1);
        return 1;
    }
    size_t max_dx = mist_max_dx(est), max_dy = mist_max_dy(est), min_n = mist_min_n(est);
    printf("      model limits: dx <= %zu, dy <= %zu, n >= %zu, chunks above n = %zu\n", max_dx, max_dy, min_n,
           mist_max_n(est));
    if (min_n < 2 || min_n > N) {
        printf("FAIL  min_n = %zu: this test needs 2 <= min_n <= %d\n", min_n, N);
        n_failed++;
        min_n = 2;
    }

    MistMatrix x = mat(xs, N, D), y = mat(ys, N, D);
    double out = SENTINEL;
    double q[3] = {SENTINEL, SENTINEL, SENTINEL};
    const double taus[3] = {0.05, 0.5, 0.95};
#define UNTOUCHED (out == SENTINEL)
#define Q_UNTOUCHED (q[0] == SENTINEL && q[1] == SENTINEL && q[2] == SENTINEL)

    /* Sanity: valid input works; constant columns carry no information (MI exactly 0). */
    expect("estimate: valid input", mist_estimate(est, &x, &y, &out), MIST_STATUS_OK, isfinite(out), "");
    static double constant[N * D];
    MistMatrix xc = mat(constant, N, D);
    out = SENTINEL;
    expect("estimate: constant X gives 0", mist_estimate(est, &xc, &y, &out), MIST_STATUS_OK, out == 0.0, "");
    out = SENTINEL;

    /* MIST_STATUS_DISCRETE_DATA: binary X (one value on half the rows); the baselines accept it. */
    static double binary[N * D];
    for (size_t i = 0; i < N * D; i++) binary[i] = (double)((i / D) % 2);
    MistMatrix xbin = mat(binary, N, D);
    expect("estimate: binary X", mist_estimate(est, &xbin, &y, &out), MIST_STATUS_DISCRETE_DATA, UNTOUCHED,
           "X[:,discrete");
    expect("ksg: binary X is accepted", mist_ksg(&xbin, &y, 5, &out), MIST_STATUS_OK, isfinite(out), "");
    out = SENTINEL;

    /* MIST_STATUS_NULL_POINTER */
    expect("create: out = NULL", mist_create(NULL, NULL), MIST_STATUS_NULL_POINTER, 1, "null,out");
    expect("estimate: est = NULL", mist_estimate(NULL, &x, &y, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,est");
    expect("estimate: x = NULL", mist_estimate(est, NULL, &y, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,x");
    expect("estimate: y = NULL", mist_estimate(est, &x, NULL, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,y");
    expect("estimate: out_mi = NULL", mist_estimate(est, &x, &y, NULL), MIST_STATUS_NULL_POINTER, 1, "null,out");
    MistMatrix x_null = mat(NULL, N, D);
    expect("estimate: x.data = NULL", mist_estimate(est, &x_null, &y, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED,
           "null,data");
    expect("quantiles: taus = NULL", mist_quantiles(est, &x, &y, NULL, 3, q), MIST_STATUS_NULL_POINTER, Q_UNTOUCHED,
           "null,taus");
    expect("quantiles: out = NULL", mist_quantiles(est, &x, &y, taus, 3, NULL), MIST_STATUS_NULL_POINTER, 1,
           "null,out");
    expect("both: out_mi = NULL", mist_estimate_with_quantiles(est, &x, &y, taus, 3, NULL, q),
           MIST_STATUS_NULL_POINTER, Q_UNTOUCHED, "null,out_mi");
    expect("both: out_q = NULL", mist_estimate_with_quantiles(est, &x, &y, taus, 3, &out, NULL),
           MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,out_q");
    expect("batch: xs = NULL", mist_estimate_batch(est, NULL, &y, 1, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED,
           "null,xs");
    expect("ksg: x = NULL", mist_ksg(NULL, &y, 5, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,x");
    expect("gaussian: out_mi = NULL", mist_gaussian(&x, &y, NULL), MIST_STATUS_NULL_POINTER, 1, "null,out");
    expect("gcmi: x = NULL", mist_gcmi(NULL, &y, &out), MIST_STATUS_NULL_POINTER, UNTOUCHED, "null,x");

    /* MIST_STATUS_NON_FINITE: the message names the matrix, the cell and the value. */
    static double bad[N * D];
    memcpy(bad, xs, sizeof bad);
    bad[17 * D + 1] = NAN;
    MistMatrix xb = mat(bad, N, D);
    expect("estimate: NaN in x", mist_estimate(est, &xb, &y, &out), MIST_STATUS_NON_FINITE, UNTOUCHED,
           "nan,17,x");
    expect("gaussian: NaN in x", mist_gaussian(&xb, &y, &out), MIST_STATUS_NON_FINITE, UNTOUCHED, "nan");
    expect("gcmi: NaN in x", mist_gcmi(&xb, &y, &out), MIST_STATUS_NON_FINITE, UNTOUCHED, "nan");
    bad[17 * D + 1] = xs[17 * D + 1];
    bad[42 * D + 0] = INFINITY;
    expect("estimate: +Inf in y", mist_estimate(est, &x, &xb, &out), MIST_STATUS_NON_FINITE, UNTOUCHED,
           "inf,42,y");
    bad[42 * D + 0] = -INFINITY;
    expect("ksg: -Inf in x", mist_ksg(&xb, &y, 5, &out), MIST_STATUS_NON_FINITE, UNTOUCHED, "inf");
    expect("quantiles: -Inf in x", mist_quantiles(est, &xb, &y, taus, 3, q), MIST_STATUS_NON_FINITE, Q_UNTOUCHED,
           "inf");
    /* Column-major: element (row 42, col 0) is data[0 * N + 42]. */
    bad[42 * D + 0] = xs[42 * D + 0];
    bad[0 * N + 42] = NAN;
    MistMatrix xcol = {.data = bad, .rows = N, .cols = D, .layout = MIST_LAYOUT_COL_MAJOR};
    expect("estimate: NaN in column-major x, row 42", mist_estimate(est, &xcol, &y, &out), MIST_STATUS_NON_FINITE,
           UNTOUCHED, "nan,42");

    /* MIST_STATUS_TOO_FEW_ROWS */
    MistMatrix x1 = mat(xs, min_n - 1, D), y1 = mat(ys, min_n - 1, D);
    char few[64];
    snprintf(few, sizeof few, "%zu,%zu,row|n", min_n - 1, min_n);
    expect("estimate: n = min_n - 1", mist_estimate(est, &x1, &y1, &out), MIST_STATUS_TOO_FEW_ROWS, UNTOUCHED, few);
    MistMatrix x0 = mat(xs, 0, D), y0 = mat(ys, 0, D);
    expect("estimate: n = 0", mist_estimate(est, &x0, &y0, &out), MIST_STATUS_TOO_FEW_ROWS, UNTOUCHED, "0,row|n");
    MistMatrix x5 = mat(xs, 5, D), y5 = mat(ys, 5, D);
    expect("ksg: n = 5 with k = 5", mist_ksg(&x5, &y5, 5, &out), MIST_STATUS_TOO_FEW_ROWS, UNTOUCHED, "5,row|n");
    expect("gcmi: n = 5 with dx + dy = 4", mist_gcmi(&x5, &y5, &out), MIST_STATUS_TOO_FEW_ROWS, UNTOUCHED,
           "5,6,gaussian-copula");

    /* MIST_STATUS_BAD_DIMENSION */
    MistMatrix xd0 = mat(xs, N, 0), yd0 = mat(ys, N, 0);
    expect("estimate: dx = 0", mist_estimate(est, &xd0, &y, &out), MIST_STATUS_BAD_DIMENSION, UNTOUCHED, "dx,0");
    expect("estimate: dy = 0", mist_estimate(est, &x, &yd0, &out), MIST_STATUS_BAD_DIMENSION, UNTOUCHED, "dy,0");
    expect("gaussian: dx = 0", mist_gaussian(&xd0, &y, &out), MIST_STATUS_BAD_DIMENSION, UNTOUCHED, "dx");
    double *wide = calloc(N * (max_dx + max_dy + 2), sizeof(double));
    if (wide != NULL) {
        char words[64];
        MistMatrix xw = mat(wide, N, max_dx + 1), yw = mat(wide, N, max_dy + 1);
        snprintf(words, sizeof words, "dx,%zu", max_dx + 1);
        expect("estimate: dx = max_dx + 1", mist_estimate(est, &xw, &y, &out), MIST_STATUS_BAD_DIMENSION, UNTOUCHED,
               words);
        snprintf(words, sizeof words, "dy,%zu", max_dy + 1);
        expect("estimate: dy = max_dy + 1", mist_estimate(est, &x, &yw, &out), MIST_STATUS_BAD_DIMENSION, UNTOUCHED,
               words);
        free(wide);
    }

    /* MIST_STATUS_LENGTH_MISMATCH: the message gives both row counts. */
    MistMatrix y150 = mat(ys, 150, D);
    expect("estimate: 200 rows of x, 150 of y", mist_estimate(est, &x, &y150, &out), MIST_STATUS_LENGTH_MISMATCH,
           UNTOUCHED, "200,150");
    expect("ksg: 200 rows of x, 150 of y", mist_ksg(&x, &y150, 5, &out), MIST_STATUS_LENGTH_MISMATCH, UNTOUCHED,
           "200,150");
    MistMatrix xs2[2] = {x, x}, ys2[2] = {y, y150};
    double outs2[2] = {SENTINEL, SENTINEL};
    expect("batch: dataset 1 has 200 vs 150 rows", mist_estimate_batch(est, xs2, ys2, 2, outs2),
           MIST_STATUS_LENGTH_MISMATCH, outs2[0] == SENTINEL && outs2[1] == SENTINEL, "1,200,150");

    /* MIST_STATUS_INVALID_ARGUMENT */
    const double tau_one[2] = {0.5, 1.0}, tau_zero[1] = {0.0}, tau_neg[1] = {-0.25}, tau_nan[1] = {NAN};
    expect("quantiles: tau = 1.0", mist_quantiles(est, &x, &y, tau_one, 2, q), MIST_STATUS_INVALID_ARGUMENT,
           Q_UNTOUCHED, "tau,1");
    expect("quantiles: tau = 0.0", mist_quantiles(est, &x, &y, tau_zero, 1, q), MIST_STATUS_INVALID_ARGUMENT,
           Q_UNTOUCHED, "tau,0");
    expect("quantiles: tau = -0.25", mist_quantiles(est, &x, &y, tau_neg, 1, q), MIST_STATUS_INVALID_ARGUMENT,
           Q_UNTOUCHED, "tau,-0.25");
    expect("quantiles: tau = NaN", mist_quantiles(est, &x, &y, tau_nan, 1, q), MIST_STATUS_INVALID_ARGUMENT,
           Q_UNTOUCHED, "tau,nan");
    expect("quantiles: n_taus = 0", mist_quantiles(est, &x, &y, taus, 0, q), MIST_STATUS_INVALID_ARGUMENT,
           Q_UNTOUCHED, "n_taus");
    expect("both: tau = 1.0", mist_estimate_with_quantiles(est, &x, &y, tau_one, 2, &out, q),
           MIST_STATUS_INVALID_ARGUMENT, out == SENTINEL && Q_UNTOUCHED, "tau,1");
    expect("ksg: k = 0", mist_ksg(&x, &y, 0, &out), MIST_STATUS_INVALID_ARGUMENT, UNTOUCHED, "k,0");
    expect("ksg: k = SIZE_MAX", mist_ksg(&x, &y, SIZE_MAX, &out), MIST_STATUS_INVALID_ARGUMENT, UNTOUCHED,
           "k,18446744073709551615");
    MistMatrix x_layout = x;
    x_layout.layout = (MistLayout)7;
    expect("estimate: layout = 7", mist_estimate(est, &x_layout, &y, &out), MIST_STATUS_INVALID_ARGUMENT, UNTOUCHED,
           "layout,7");
    {
        MistOptions options;
        mist_options_default(&options, sizeof options);
        options.device = (MistDevice)9;
        MistEstimator *e = NULL;
        expect("create: device = 9", mist_create(&options, &e), MIST_STATUS_INVALID_ARGUMENT, e == NULL, "device,9");
        mist_free(e);
    }

    {
        MistOptions options;
        mist_options_default(&options, sizeof options);
        options.device = MIST_DEVICE_CUDA;
        options.device_id = -1;
        MistEstimator *e = NULL;
        expect("create: CUDA device_id = -1", mist_create(&options, &e), MIST_STATUS_INVALID_ARGUMENT, e == NULL,
               "device_id,-1");
        mist_free(e);
    }

    /* MIST_STATUS_DEVICE_UNAVAILABLE (on a machine or build without CUDA) */
    {
        MistOptions options;
        mist_options_default(&options, sizeof options);
        options.device = MIST_DEVICE_CUDA;
        options.cuda_fallback_to_cpu = false;
        MistEstimator *e = NULL;
        status = mist_create(&options, &e);
        if (status == MIST_STATUS_OK) {
            printf("skip  create: CUDA without fallback            (CUDA is available here)\n");
        } else {
            expect("create: CUDA without fallback", status, MIST_STATUS_DEVICE_UNAVAILABLE, e == NULL, "cuda");
        }
        mist_free(e);
        e = NULL;
        options.cuda_fallback_to_cpu = true;
        expect("create: CUDA with fallback to CPU", mist_create(&options, &e), MIST_STATUS_OK, e != NULL, "");
        mist_free(e);
    }

    /* MIST_STATUS_MODEL_LOAD and MIST_STATUS_MODEL_UNSUPPORTED */
    expect_model_failure("create: model_path = /dev/zero (endless)", "/dev/zero", MIST_STATUS_MODEL_LOAD,
                         "regular file");
    expect_model_failure("create: model file missing", "/nonexistent/model.onnx", MIST_STATUS_MODEL_LOAD,
                         "model,/nonexistent/model.onnx");
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/garbage.onnx", tmpdir);
    const unsigned char garbage[] = "\x08\x07garbage, not a protobuf \xff\xff\xff\xff";
    write_file(path, garbage, sizeof garbage - 1);
    expect_model_failure("create: corrupt model file (garbage)", path, MIST_STATUS_MODEL_LOAD, "model");
    size_t model_len = 0;
    unsigned char *model = read_file(model_path, &model_len);
    expect_true("the default model file is readable", model != NULL && model_len > 0);
    if (model != NULL) {
        snprintf(path, sizeof path, "%s/truncated.onnx", tmpdir);
        write_file(path, model, model_len / 2);
        expect_model_failure("create: corrupt model file (truncated)", path, MIST_STATUS_MODEL_LOAD, "model");

        /* metadata_props entry {key: "mist.format", value: "1"}: patch the value to "7". */
        const char key[] = "mist.format\x12\x01";
        size_t key_len = sizeof key - 1;
        unsigned char *hit = NULL;
        for (size_t i = 0; i + key_len < model_len; i++) {
            if (memcmp(model + i, key, key_len) == 0) {
                hit = model + i + key_len;
            }
        }
        expect_true("the default model declares mist.format = \"1\"", hit != NULL && *hit == '1');
        if (hit != NULL) {
            *hit = '7';
            snprintf(path, sizeof path, "%s/format7.onnx", tmpdir);
            write_file(path, model, model_len);
            expect_model_failure("create: model with mist.format = 7", path, MIST_STATUS_MODEL_UNSUPPORTED,
                                 "mist.format,7");
        }
        free(model);
    }

    /* A second ONNX Runtime library path after the first was loaded. */
    {
        MistOptions options;
        mist_options_default(&options, sizeof options);
        options.onnxruntime_path = not_a_lib;
        MistEstimator *e = NULL;
        expect("create: a different runtime path after the first", mist_create(&options, &e),
               MIST_STATUS_RUNTIME_LOAD, e == NULL, "libonnxruntime.so");
        mist_free(e);
    }

    /*
     * MIST_STATUS_BUFFER_TOO_SMALL: mist_last_error_copy after a failure. It does not change the last
     * error, so the message still names the original problem (the row counts) and a retry with
     * `needed` bytes gets it whole.
     */
    {
        mist_estimate(est, &x, &y150, &out); /* "X has 200 rows but Y has 150 ..." */
        char expected[2048];
        snprintf(expected, sizeof expected, "%s", mist_last_error());
        size_t needed = 0;
        status = mist_last_error_copy(NULL, 0, &needed);
        expect("last_error_copy: size query (NULL, 0)", status, MIST_STATUS_BUFFER_TOO_SMALL,
               needed == strlen(expected) + 1, "200,150");
        char small[8] = "unused";
        needed = 0;
        status = mist_last_error_copy(small, sizeof small, &needed);
        expect("last_error_copy: 8-byte buffer", status, MIST_STATUS_BUFFER_TOO_SMALL,
               strcmp(small, "unused") == 0 && needed == strlen(expected) + 1, "200,150");
        char *big = malloc(needed > 0 ? needed : 1);
        size_t needed2 = 0;
        status = big ? mist_last_error_copy(big, needed, &needed2) : MIST_STATUS_NULL_POINTER;
        expect_true("last_error_copy: a retry with `needed` bytes copies the whole message",
                    status == MIST_STATUS_OK && strcmp(big, expected) == 0 && needed2 == needed);
        free(big);
        /* A success resets the last error. */
        double ok = SENTINEL;
        status = mist_gaussian(&x, &y, &ok);
        expect_true("a successful call resets mist_last_error() to \"\"",
                    status == MIST_STATUS_OK && mist_last_error()[0] == '\0');
    }

    mist_free(est);
    remove(not_a_lib);
    snprintf(path, sizeof path, "%s/garbage.onnx", tmpdir);
    remove(path);
    snprintf(path, sizeof path, "%s/truncated.onnx", tmpdir);
    remove(path);
    snprintf(path, sizeof path, "%s/format7.onnx", tmpdir);
    remove(path);
    rmdir(tmpdir);

    printf("not provokable from C: MIST_STATUS_INFERENCE, MIST_STATUS_PANIC\n");
    printf("%d passed, %d failed\n", n_passed, n_failed);
    return n_failed == 0 ? 0 : 1;
}
