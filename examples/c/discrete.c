/*
 * discrete: MI of categories, and of a category against a measurement.
 *
 * Discrete columns are doubles holding codes: equal values are one category. The program draws a
 * class C (3 levels, equally likely), a noisy copy D of it (kept with probability 0.7, else another
 * level at random) and a measurement Y | C = c ~ N(c, 1), 2,000 rows each, then prints:
 *   - the three estimates of the contingency table of C and D (mist_discrete), with the exact MI;
 *   - Ross's estimate of C against Y (mist_ross, k = 3), with the MI by numerical integration;
 *   - which estimator mist_estimate_auto picks for (C, D), (Y, C) and (Y, Y + noise).
 * Build and run: see README.md beside this file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "mist.h"

#define N 2000
#define LEVELS 3

static uint64_t next_u64(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double next_uniform(uint64_t *s) { return ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0; }

static double next_normal(uint64_t *s) {
    double u1 = next_uniform(s), u2 = next_uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* MI of C and D: D = C with probability 0.7, else each other level with probability 0.15. */
static double table_truth(void) {
    double keep = 0.7, other = 0.15;
    return log(LEVELS) + keep * log(keep) + 2.0 * other * log(other);
}

/* MI of C and Y: H(Y) - H(Y | C), the mixture's entropy by the midpoint rule. */
static double class_truth(void) {
    double h = 0.0, step = 1e-3;
    for (double y = -10.0; y < 12.0; y += step) {
        double p = 0.0;
        for (int c = 0; c < LEVELS; c++) {
            p += exp(-0.5 * (y + 0.5 * step - c) * (y + 0.5 * step - c)) / (LEVELS * sqrt(6.283185307179586));
        }
        h -= p > 0.0 ? p * log(p) * step : 0.0;
    }
    return h - 0.5 * log(6.283185307179586 * exp(1.0));
}

static int failed(const char *what, MistStatus status) {
    fprintf(stderr, "discrete: %s failed with %s: %s\n", what, mist_status_name(status), mist_last_error());
    return 1;
}

int main(void) {
    static double c[N], d[N], y[N], y2[N];
    uint64_t seed = 2017;
    for (size_t i = 0; i < N; i++) {
        c[i] = (double)(next_u64(&seed) % LEVELS);
        double u = next_uniform(&seed);
        d[i] = u < 0.7 ? c[i] : fmod(c[i] + (u < 0.85 ? 1.0 : 2.0), LEVELS);
        y[i] = c[i] + next_normal(&seed);
        y2[i] = y[i] + next_normal(&seed);
    }
    MistMatrix mc = {c, N, 1, MIST_LAYOUT_ROW_MAJOR}, md = {d, N, 1, MIST_LAYOUT_ROW_MAJOR};
    MistMatrix my = {y, N, 1, MIST_LAYOUT_ROW_MAJOR}, my2 = {y2, N, 1, MIST_LAYOUT_ROW_MAJOR};

    printf("class C and its noisy copy D, %d rows, 3 x 3 table; true MI %.4f nats\n", N, table_truth());
    const char *names[] = {"plug-in", "Miller-Madow", "shrinkage", "NSB"};
    for (int method = MIST_TABLE_METHOD_PLUGIN; method <= MIST_TABLE_METHOD_NSB; method++) {
        double mi;
        MistStatus status = mist_discrete(&mc, &md, method, &mi);
        if (status != MIST_STATUS_OK) return failed("mist_discrete", status);
        printf("  %-13s %.4f nats\n", names[method], mi);
    }

    double ross;
    MistStatus status = mist_ross(&mc, &my, 3, &ross);
    if (status != MIST_STATUS_OK) return failed("mist_ross", status);
    printf("class C and Y | C = c ~ N(c, 1): true MI %.4f nats, Ross (k = 3) %.4f nats\n", class_truth(), ross);

    MistEstimator *est = NULL;
    status = mist_create(NULL, &est);
    if (status != MIST_STATUS_OK) return failed("mist_create", status);
    const char *methods[] = {"the learned model", "shrinkage", "Ross", "KSG", "Gaussian", "GCMI",
                             "Miller-Madow", "plug-in", "auto", "NSB"};
    const MistMatrix *pairs[3][2] = {{&mc, &md}, {&my, &mc}, {&my, &my2}};
    const char *labels[] = {"C, D", "Y, C", "Y, Y + noise"};
    for (int p = 0; p < 3; p++) {
        double mi;
        int method;
        status = mist_estimate_auto(est, pairs[p][0], pairs[p][1], NULL, NULL, &mi, &method);
        if (status != MIST_STATUS_OK) {
            mist_free(est);
            return failed("mist_estimate_auto", status);
        }
        printf("auto on (%s): %s\n", labels[p], methods[method]);
    }
    mist_free(est);
    return 0;
}
