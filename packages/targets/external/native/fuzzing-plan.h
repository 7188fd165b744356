/*
 * What the two native client drivers share about Autobahn's fuzzingserver: the base URL they are given,
 * the agent as a query value, and the case plan they play (wsmatrix's /getCasePlan answer, or every case
 * from 1 to /getCaseCount's answer one at a time).
 *
 * Written as C that also compiles as C++, so the Beast driver builds it in the same compiler run.
 */
#ifndef WSMATRIX_NATIVE_FUZZING_PLAN_H
#define WSMATRIX_NATIVE_FUZZING_PLAN_H

#include <stddef.h>

/* ws://HOST[:PORT][/PREFIX]: the host without brackets, the port (80 when none), the prefix without a final /. */
struct base_url {
  char host[256];
  int port;
  char prefix[1024];
};

/* 0, or -1 when `url` is not a ws:// URL. */
int base_url_parse(const char *url, struct base_url *out);

/* `value` percent-encoded for a query (all but A-Z a-z 0-9 - . _ ~); free() the result; null when out of memory. */
char *query_encode(const char *value);

struct plan_phase {
  int *cases;
  size_t case_count;
  int concurrency; /* at least 1 */
};

struct case_plan {
  struct plan_phase *phases;
  size_t phase_count;
  size_t case_total;
};

/* The JSON {"phases":[{"cases":[1,2],"concurrency":2},...]}; 0, or -1 when it is not one. */
int case_plan_parse(const char *json, struct case_plan *out);
/* Cases 1..count, one at a time; 0, or -1 when count < 1 or out of memory. */
int case_plan_sequential(long count, struct case_plan *out);
void case_plan_free(struct case_plan *plan);

#endif
