/*
 * estimate_csv: estimate the mutual information I(X; Y), in nats, of a CSV file.
 *
 *     estimate_csv FILE.csv DIM_X DIM_Y
 *
 * The first line of the file is a header and is skipped; every other line holds DIM_X + DIM_Y
 * numbers: the X columns first, then the Y columns (the BMI layout, e.g. X0,X1,Y0,Y1).
 *
 * The learned model runs through mist_create(NULL, ...), i.e. the model embedded in libmist on the
 * CPU; the classical KSG (k = 5) and Gaussian estimators run through the same library for
 * comparison. Build and run: see README.md beside this file.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mist.h"

/* A growing array of doubles. */
typedef struct {
    double *data;
    size_t len, cap;
} Vec;

static int vec_push(Vec *v, double value) {
    if (v->len == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1024;
        double *data = realloc(v->data, cap * sizeof *data);
        if (data == NULL) {
            return -1;
        }
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = value;
    return 0;
}

/* Prints the status and the library's message for the failed call `what`; returns 1. */
static int report(const char *what, MistStatus status) {
    fprintf(stderr, "estimate_csv: %s failed with %s: %s\n", what, mist_status_name(status),
            mist_last_error());
    return 1;
}

/* Parses a positive dimension from a command-line argument; 0 on error. */
static size_t parse_dim(const char *s) {
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || value == 0) {
        return 0;
    }
    return (size_t)value;
}

/* Reads the rows of `path` into row-major X (n x dx) and Y (n x dy); returns n, or 0 on error. */
static size_t read_csv(const char *path, size_t dx, size_t dy, Vec *x, Vec *y) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "estimate_csv: cannot open %s: %s\n", path, strerror(errno));
        return 0;
    }
    char *line = NULL;
    size_t line_cap = 0;
    size_t n = 0, line_no = 0;
    int ok = 1;
    while (ok && getline(&line, &line_cap, f) != -1) {
        if (++line_no == 1) {
            continue; /* the header */
        }
        if (line[strspn(line, " \t\r\n")] == '\0') {
            continue; /* a blank line, e.g. at the end of the file */
        }
        char *p = line;
        for (size_t col = 0; ok && col < dx + dy; col++) {
            char *end = NULL;
            double value = strtod(p, &end);
            if (end == p) {
                fprintf(stderr, "estimate_csv: %s:%zu: column %zu is not a number\n", path, line_no,
                        col + 1);
                ok = 0;
                break;
            }
            ok = vec_push(col < dx ? x : y, value) == 0;
            p = end + strspn(end, " \t");
            int last = col + 1 == dx + dy;
            if (!last && *p != ',') {
                fprintf(stderr, "estimate_csv: %s:%zu: expected %zu columns, found %zu\n", path,
                        line_no, dx + dy, col + 1);
                ok = 0;
            } else if (last && p[strspn(p, "\r\n")] != '\0') {
                fprintf(stderr, "estimate_csv: %s:%zu: more than %zu columns\n", path, line_no,
                        dx + dy);
                ok = 0;
            }
            p++;
        }
        n++;
    }
    free(line);
    fclose(f);
    return ok ? n : 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE.csv DIM_X DIM_Y\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t dx = parse_dim(argv[2]), dy = parse_dim(argv[3]);
    if (dx == 0 || dy == 0) {
        fprintf(stderr, "estimate_csv: DIM_X and DIM_Y must be positive integers\n");
        return 2;
    }

    Vec xs = {0}, ys = {0};
    size_t n = read_csv(path, dx, dy, &xs, &ys);
    if (n == 0) {
        free(xs.data);
        free(ys.data);
        return 2;
    }
    /* Views of our own buffers: libmist reads them in place. */
    MistMatrix x = {.data = xs.data, .rows = n, .cols = dx, .layout = MIST_LAYOUT_ROW_MAJOR};
    MistMatrix y = {.data = ys.data, .rows = n, .cols = dy, .layout = MIST_LAYOUT_ROW_MAJOR};

    const char *name = strrchr(path, '/');
    printf("libmist %s\n", mist_version());
    printf("dataset: %s (n = %zu rows, dx = %zu, dy = %zu)\n", name ? name + 1 : path, n, dx, dy);

    int rc = 0;
    MistEstimator *est = NULL;
    MistStatus status = mist_create(NULL, &est); /* NULL: embedded model, CPU, default threads */
    if (status != MIST_STATUS_OK) {
        rc = report("mist_create", status);
        goto done;
    }

    double mi_model = 0.0, mi_ksg = 0.0, mi_gauss = 0.0;
    if ((status = mist_estimate(est, &x, &y, &mi_model)) != MIST_STATUS_OK) {
        rc = report("mist_estimate", status);
        goto done;
    }
    if ((status = mist_ksg(&x, &y, 5, &mi_ksg)) != MIST_STATUS_OK) {
        rc = report("mist_ksg", status);
        goto done;
    }
    if ((status = mist_gaussian(&x, &y, &mi_gauss)) != MIST_STATUS_OK) {
        rc = report("mist_gaussian", status);
        goto done;
    }
    /* The model computes in float32: 4 decimals are stable across CPUs; the baselines use f64. */
    printf("mist (learned model): %.4f nats\n", mi_model);
    printf("KSG (k = 5):          %.6f nats\n", mi_ksg);
    printf("Gaussian:             %.6f nats\n", mi_gauss);

done:
    mist_free(est);
    free(xs.data);
    free(ys.data);
    return rc;
}
