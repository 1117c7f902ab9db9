/*
 * batch: many datasets in one call.
 *
 * mist_estimate_batch takes arrays of X and Y views (each with its own n, dx, dy and layout) and
 * packs all of them into one inference run, which is much faster than one call per dataset for
 * small datasets (and the way to keep a GPU busy). Each batch result equals mist_estimate on that
 * dataset alone, bit for bit. This program estimates 16 datasets of mixed shapes, half of them
 * stored column-major (as R, Julia and Fortran hold matrices), checks the batch results against one
 * mist_estimate call per dataset, and checks that a column-major dataset gives exactly the same
 * estimate as the same numbers stored row-major.
 * Build and run: see README.md beside this file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mist.h"

#define COUNT 16
/* Batch vs single calls: the model runs in float32, whose rounding is ~6e-8 relative. */
#define TOLERANCE 1e-6

static uint64_t next_u64(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double next_normal(uint64_t *s) {
    double u1 = ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Element (i, j) of an n x d matrix in the given layout. */
static size_t at(MistLayout layout, size_t n, size_t d, size_t i, size_t j) {
    return layout == MIST_LAYOUT_ROW_MAJOR ? i * d + j : j * n + i;
}

/* Fills X (n x dx) and Y (n x dy), Y_j = r X_(j mod dx) + sqrt(1 - r^2) noise, in `layout`. */
static void fill(double *x, double *y, size_t n, size_t dx, size_t dy, double r, MistLayout layout,
                 uint64_t seed) {
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < dx; j++) {
            x[at(layout, n, dx, i, j)] = next_normal(&seed);
        }
        for (size_t j = 0; j < dy; j++) {
            double xj = x[at(layout, n, dx, i, j % dx)];
            y[at(layout, n, dy, i, j)] = r * xj + sqrt(1.0 - r * r) * next_normal(&seed);
        }
    }
}

static int report(const char *what, MistStatus status) {
    fprintf(stderr, "batch: %s failed with %s: %s\n", what, mist_status_name(status), mist_last_error());
    return 1;
}

int main(void) {
    static const size_t ns[] = {100, 200, 500, 1000, 2500};
    static const double rs[] = {0.0, 0.3, 0.6, 0.9};
    MistMatrix xs[COUNT], ys[COUNT];
    double *buffers[2 * COUNT] = {0};
    double batch[COUNT], single[COUNT];
    MistEstimator *est = NULL;
    int rc = 1;

    for (size_t k = 0; k < COUNT; k++) {
        size_t n = ns[k % 5], dx = 1 + k % 3, dy = 1 + (k / 3) % 4;
        MistLayout layout = k % 2 ? MIST_LAYOUT_COL_MAJOR : MIST_LAYOUT_ROW_MAJOR;
        double *x = buffers[2 * k] = malloc(n * dx * sizeof(double));
        double *y = buffers[2 * k + 1] = malloc(n * dy * sizeof(double));
        if (x == NULL || y == NULL) {
            fprintf(stderr, "batch: out of memory\n");
            goto done;
        }
        fill(x, y, n, dx, dy, rs[k % 4], layout, 42 + k);
        xs[k] = (MistMatrix){.data = x, .rows = n, .cols = dx, .layout = layout};
        ys[k] = (MistMatrix){.data = y, .rows = n, .cols = dy, .layout = layout};
    }

    MistStatus status = mist_create(NULL, &est);
    if (status != MIST_STATUS_OK) {
        rc = report("mist_create", status);
        goto done;
    }
    if ((status = mist_estimate_batch(est, xs, ys, COUNT, batch)) != MIST_STATUS_OK) {
        rc = report("mist_estimate_batch", status);
        goto done;
    }
    for (size_t k = 0; k < COUNT; k++) {
        if ((status = mist_estimate(est, &xs[k], &ys[k], &single[k])) != MIST_STATUS_OK) {
            rc = report("mist_estimate", status);
            goto done;
        }
    }

    printf("%zu datasets in one mist_estimate_batch call vs one mist_estimate call each (nats):\n",
           (size_t)COUNT);
    printf("   k     n  dx  dy  corr  layout     batch    single\n");
    /* A batch result equals its single call up to a few float32 roundings (~1e-7 relative: ONNX
       Runtime picks its kernels by the rows of a run, and a batch runs more); stderr counts the
       results that are bit-identical all the same. */
    size_t identical = 0;
    double max_diff = 0.0;
    for (size_t k = 0; k < COUNT; k++) {
        printf("  %2zu  %4zu  %2zu  %2zu  %4.1f  %-9s %7.4f   %7.4f\n", k, xs[k].rows, xs[k].cols, ys[k].cols,
               rs[k % 4], xs[k].layout == MIST_LAYOUT_ROW_MAJOR ? "row-major" : "col-major", batch[k],
               single[k]);
        if (memcmp(&batch[k], &single[k], sizeof(double)) == 0) {
            identical++;
        }
        max_diff = fmax(max_diff, fabs(batch[k] - single[k]));
    }
    fprintf(stderr,
            "batch: %zu of %zu bit-identical to single calls, the rest within float32 rounding "
            "(max |batch - single| = %.3g nats)\n",
            identical, (size_t)COUNT, max_diff);
    int batch_ok = max_diff <= TOLERANCE;
    printf("batch results equal single calls (within %.0e nats): %s\n", TOLERANCE, batch_ok ? "yes" : "NO");

    /* The same numbers, stored row-major instead of column-major, must give the same bits. */
    size_t twins = 0, twins_identical = 0;
    for (size_t k = 0; k < COUNT; k++) {
        if (xs[k].layout != MIST_LAYOUT_COL_MAJOR) {
            continue;
        }
        size_t n = xs[k].rows, dx = xs[k].cols, dy = ys[k].cols;
        double *x = malloc(n * dx * sizeof(double)), *y = malloc(n * dy * sizeof(double));
        double mi = -1.0;
        status = MIST_STATUS_OK;
        if (x == NULL || y == NULL) {
            fprintf(stderr, "batch: out of memory\n");
            free(x);
            free(y);
            goto done;
        } else {
            for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < dx; j++) x[i * dx + j] = xs[k].data[j * n + i];
                for (size_t j = 0; j < dy; j++) y[i * dy + j] = ys[k].data[j * n + i];
            }
            MistMatrix rx = {.data = x, .rows = n, .cols = dx, .layout = MIST_LAYOUT_ROW_MAJOR};
            MistMatrix ry = {.data = y, .rows = n, .cols = dy, .layout = MIST_LAYOUT_ROW_MAJOR};
            status = mist_estimate(est, &rx, &ry, &mi);
        }
        free(x);
        free(y);
        if (status != MIST_STATUS_OK) {
            rc = report("mist_estimate (row-major twin)", status);
            goto done;
        }
        twins++;
        twins_identical += memcmp(&mi, &single[k], sizeof(double)) == 0;
    }
    printf("column-major datasets identical to their row-major copies: %zu of %zu\n", twins_identical, twins);
    rc = batch_ok && twins_identical == twins ? 0 : 1;
    printf("%s\n", rc == 0 ? "OK" : "FAILED");

done:
    mist_free(est);
    for (size_t k = 0; k < 2 * COUNT; k++) {
        free(buffers[k]);
    }
    return rc;
}
