/*
 * threads: one estimator handle shared by many threads.
 *
 *     threads [THREADS [CALLS_PER_THREAD]]      (default 8 threads x 200 calls)
 *
 * libmist handles are thread-safe: any number of threads may call mist_estimate and
 * mist_quantiles on the same MistEstimator at once, and the results do not depend on how many
 * threads call. This program computes a single-threaded reference for a few datasets, then has
 * every thread estimate them again and again, and checks that every result is bit-identical to the
 * reference. Build and run: see README.md beside this file (link with -pthread).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mist.h"

#define N_DATASETS 4
#define MAX_THREADS 64

typedef struct {
    size_t n, dx, dy;
    double *x, *y;
    MistMatrix mx, my;
    double ref_point;   /* single-threaded reference */
    double ref_q[3];
} Dataset;

static const double TAUS[3] = {0.05, 0.5, 0.95};

typedef struct {
    const MistEstimator *est;
    Dataset *datasets;
    size_t index, calls;
    size_t identical, different, errors; /* results */
} Worker;

/* splitmix64: a fixed-seed generator for the data. */
static uint64_t next_u64(uint64_t *s) {
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

/* Y_j = 0.6 X_(j mod dx) + 0.8 noise: dependent data of any shape. */
static int make_dataset(Dataset *d, size_t n, size_t dx, size_t dy, uint64_t seed) {
    d->n = n, d->dx = dx, d->dy = dy;
    d->x = malloc(n * dx * sizeof(double));
    d->y = malloc(n * dy * sizeof(double));
    if (d->x == NULL || d->y == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < dx; j++) {
            d->x[i * dx + j] = next_normal(&seed);
        }
        for (size_t j = 0; j < dy; j++) {
            d->y[i * dy + j] = 0.6 * d->x[i * dx + j % dx] + 0.8 * next_normal(&seed);
        }
    }
    d->mx = (MistMatrix){.data = d->x, .rows = n, .cols = dx, .layout = MIST_LAYOUT_ROW_MAJOR};
    d->my = (MistMatrix){.data = d->y, .rows = n, .cols = dy, .layout = MIST_LAYOUT_ROW_MAJOR};
    return 0;
}

static int same_bits(const double *a, const double *b, size_t len) {
    return memcmp(a, b, len * sizeof(double)) == 0;
}

static void *work(void *arg) {
    Worker *w = arg;
    for (size_t j = 0; j < w->calls; j++) {
        Dataset *d = &w->datasets[(w->index + j) % N_DATASETS];
        double point, q[3];
        if (j % 10 == 9) { /* every tenth call asks for quantiles instead */
            if (mist_quantiles(w->est, &d->mx, &d->my, TAUS, 3, q) != MIST_STATUS_OK) {
                fprintf(stderr, "threads: worker %zu: %s\n", w->index, mist_last_error());
                w->errors++;
            } else if (same_bits(q, d->ref_q, 3)) {
                w->identical++;
            } else {
                w->different++;
            }
        } else {
            if (mist_estimate(w->est, &d->mx, &d->my, &point) != MIST_STATUS_OK) {
                fprintf(stderr, "threads: worker %zu: %s\n", w->index, mist_last_error());
                w->errors++;
            } else if (same_bits(&point, &d->ref_point, 1)) {
                w->identical++;
            } else {
                w->different++;
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    size_t n_threads = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
    size_t calls = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
    if (n_threads == 0 || n_threads > MAX_THREADS || calls == 0) {
        fprintf(stderr, "usage: %s [THREADS (1..%d) [CALLS_PER_THREAD]]\n", argv[0], MAX_THREADS);
        return 2;
    }

    static const size_t shapes[N_DATASETS][3] = {{100, 1, 1}, {250, 2, 3}, {500, 4, 4}, {1000, 3, 1}};
    Dataset datasets[N_DATASETS] = {0};
    MistEstimator *est = NULL;
    int rc = 1;
    for (size_t k = 0; k < N_DATASETS; k++) {
        if (make_dataset(&datasets[k], shapes[k][0], shapes[k][1], shapes[k][2], 1000 + k) != 0) {
            fprintf(stderr, "threads: out of memory\n");
            goto done;
        }
    }

    MistStatus status = mist_create(NULL, &est);
    if (status != MIST_STATUS_OK) {
        fprintf(stderr, "threads: mist_create: %s: %s\n", mist_status_name(status), mist_last_error());
        goto done;
    }

    printf("single-threaded reference:\n");
    for (size_t k = 0; k < N_DATASETS; k++) {
        Dataset *d = &datasets[k];
        if ((status = mist_estimate(est, &d->mx, &d->my, &d->ref_point)) != MIST_STATUS_OK ||
            (status = mist_quantiles(est, &d->mx, &d->my, TAUS, 3, d->ref_q)) != MIST_STATUS_OK) {
            fprintf(stderr, "threads: reference: %s: %s\n", mist_status_name(status), mist_last_error());
            goto done;
        }
        printf("  dataset %zu (n = %4zu, dx = %zu, dy = %zu): point %.4f, q05/q50/q95 %.4f/%.4f/%.4f nats\n",
               k, d->n, d->dx, d->dy, d->ref_point, d->ref_q[0], d->ref_q[1], d->ref_q[2]);
    }

    Worker workers[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    size_t started = 0;
    for (size_t t = 0; t < n_threads; t++) {
        workers[t] = (Worker){.est = est, .datasets = datasets, .index = t, .calls = calls};
        if (pthread_create(&ids[t], NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "threads: pthread_create failed\n");
            break;
        }
        started++;
    }
    size_t identical = 0, different = 0, errors = 0;
    for (size_t t = 0; t < started; t++) {
        pthread_join(ids[t], NULL);
        identical += workers[t].identical;
        different += workers[t].different;
        errors += workers[t].errors;
    }

    printf("%zu threads x %zu calls on one handle (every 10th a quantile call): %zu results\n",
           started, calls, identical + different + errors);
    printf("  bit-identical to the reference: %zu\n", identical);
    printf("  different: %zu\n", different);
    printf("  errors: %zu\n", errors);
    int ok = started == n_threads && different == 0 && errors == 0;
    printf("%s\n", ok ? "OK: all results identical" : "FAILED");
    rc = ok ? 0 : 1;

done:
    mist_free(est);
    for (size_t k = 0; k < N_DATASETS; k++) {
        free(datasets[k].x);
        free(datasets[k].y);
    }
    return rc;
}
