#include "fuzzing-plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int base_url_parse(const char *url, struct base_url *out) {
  const char *scheme = "ws://";
  if (strncmp(url, scheme, strlen(scheme)) != 0) return -1;
  const char *p = url + strlen(scheme);
  const char *host_end;
  const char *after_host;
  if (*p == '[') {
    host_end = strchr(p, ']');
    if (!host_end) return -1;
    p++;
    after_host = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/");
    after_host = host_end;
  }
  size_t host_length = (size_t)(host_end - p);
  if (host_length == 0 || host_length >= sizeof out->host) return -1;
  memcpy(out->host, p, host_length);
  out->host[host_length] = '\0';
  out->port = 80;
  p = after_host;
  if (*p == ':') {
    char *end;
    long port = strtol(p + 1, &end, 10);
    if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/')) return -1;
    out->port = (int)port;
    p = end;
  } else if (*p && *p != '/') {
    return -1;
  }
  size_t prefix_length = strlen(p);
  while (prefix_length > 0 && p[prefix_length - 1] == '/') prefix_length--;
  if (prefix_length >= sizeof out->prefix) return -1;
  memcpy(out->prefix, p, prefix_length);
  out->prefix[prefix_length] = '\0';
  return 0;
}

char *query_encode(const char *value) {
  static const char hex[] = "0123456789ABCDEF";
  char *out = (char *)malloc(strlen(value) * 3 + 1);
  if (!out) return NULL;
  char *o = out;
  for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
    if (isalnum(*v) || *v == '-' || *v == '.' || *v == '_' || *v == '~') {
      *o++ = (char)*v;
    } else {
      *o++ = '%';
      *o++ = hex[*v >> 4];
      *o++ = hex[*v & 15];
    }
  }
  *o = '\0';
  return out;
}

/* ---- a small JSON reader: just enough to take the plan out, skipping anything else ---- */

struct reader {
  const char *p;
};

static void skip_space(struct reader *r) {
  while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r') r->p++;
}

static int expect_char(struct reader *r, char c) {
  skip_space(r);
  if (*r->p != c) return -1;
  r->p++;
  return 0;
}

/* Reads a string; copies it into `key` (truncated) when `key` is not null. */
static int read_string(struct reader *r, char *key, size_t key_size) {
  if (expect_char(r, '"') != 0) return -1;
  size_t n = 0;
  while (*r->p != '"') {
    if (!*r->p) return -1;
    if (*r->p == '\\' && r->p[1]) r->p++;
    if (key && n + 1 < key_size) key[n++] = *r->p;
    r->p++;
  }
  r->p++;
  if (key) key[n] = '\0';
  return 0;
}

static int read_integer(struct reader *r, long *value) {
  skip_space(r);
  char *end;
  *value = strtol(r->p, &end, 10);
  if (end == r->p || *end == '.' || *end == 'e' || *end == 'E') return -1;
  r->p = end;
  return 0;
}

static int skip_value(struct reader *r, int depth);

/* Calls `member` for each key of an object (the reader then at its value), or skips the values. */
static int read_object(struct reader *r, int (*member)(struct reader *, const char *key, void *), void *context,
                       int depth) {
  if (expect_char(r, '{') != 0) return -1;
  skip_space(r);
  if (*r->p == '}') {
    r->p++;
    return 0;
  }
  for (;;) {
    char key[32];
    if (read_string(r, key, sizeof key) != 0 || expect_char(r, ':') != 0) return -1;
    int result = member ? member(r, key, context) : 1;
    if (result < 0) return -1;
    if (result > 0 && skip_value(r, depth + 1) != 0) return -1; /* a member of no interest */
    skip_space(r);
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    return expect_char(r, '}');
  }
}

/* Calls `element` for each element of an array. */
static int read_array(struct reader *r, int (*element)(struct reader *, void *), void *context) {
  if (expect_char(r, '[') != 0) return -1;
  skip_space(r);
  if (*r->p == ']') {
    r->p++;
    return 0;
  }
  for (;;) {
    if (element(r, context) != 0) return -1;
    skip_space(r);
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    return expect_char(r, ']');
  }
}

struct skip_context {
  int depth;
};

static int skip_element(struct reader *r, void *context) {
  return skip_value(r, ((struct skip_context *)context)->depth);
}

static int skip_value(struct reader *r, int depth) {
  if (depth > 32) return -1;
  skip_space(r);
  struct skip_context inner = {depth + 1};
  switch (*r->p) {
  case '{':
    return read_object(r, NULL, NULL, depth + 1);
  case '[':
    return read_array(r, skip_element, &inner);
  case '"':
    return read_string(r, NULL, 0);
  default:
    if (!strncmp(r->p, "true", 4) || !strncmp(r->p, "null", 4)) {
      r->p += 4;
      return 0;
    }
    if (!strncmp(r->p, "false", 5)) {
      r->p += 5;
      return 0;
    }
    char *end;
    strtod(r->p, &end);
    if (end == r->p) return -1;
    r->p = end;
    return 0;
  }
}

static int append_case(struct reader *r, void *context) {
  struct plan_phase *phase = (struct plan_phase *)context;
  long n;
  if (read_integer(r, &n) != 0 || n < 1 || n > 1000000) return -1;
  int *cases = (int *)realloc(phase->cases, (phase->case_count + 1) * sizeof *cases);
  if (!cases) return -1;
  cases[phase->case_count++] = (int)n;
  phase->cases = cases;
  return 0;
}

static int phase_member(struct reader *r, const char *key, void *context) {
  struct plan_phase *phase = (struct plan_phase *)context;
  if (!strcmp(key, "cases")) return read_array(r, append_case, phase);
  if (!strcmp(key, "concurrency")) {
    long n;
    if (read_integer(r, &n) != 0) return -1;
    phase->concurrency = n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
    return 0;
  }
  return 1;
}

static int append_phase(struct reader *r, void *context) {
  struct case_plan *plan = (struct case_plan *)context;
  struct plan_phase *phases = (struct plan_phase *)realloc(plan->phases, (plan->phase_count + 1) * sizeof *phases);
  if (!phases) return -1;
  plan->phases = phases;
  struct plan_phase *phase = &phases[plan->phase_count++];
  memset(phase, 0, sizeof *phase);
  phase->concurrency = 1;
  if (read_object(r, phase_member, phase, 1) != 0) return -1;
  plan->case_total += phase->case_count;
  return 0;
}

static int plan_member(struct reader *r, const char *key, void *context) {
  if (!strcmp(key, "phases")) return read_array(r, append_phase, context);
  return 1;
}

int case_plan_parse(const char *json, struct case_plan *out) {
  memset(out, 0, sizeof *out);
  struct reader r = {json};
  if (read_object(&r, plan_member, out, 0) != 0 || out->case_total == 0) {
    case_plan_free(out);
    return -1;
  }
  skip_space(&r);
  if (*r.p) {
    case_plan_free(out);
    return -1;
  }
  return 0;
}

int case_plan_sequential(long count, struct case_plan *out) {
  memset(out, 0, sizeof *out);
  if (count < 1 || count > 1000000) return -1;
  out->phases = (struct plan_phase *)calloc(1, sizeof *out->phases);
  if (!out->phases) return -1;
  out->phase_count = 1;
  struct plan_phase *phase = &out->phases[0];
  phase->cases = (int *)malloc((size_t)count * sizeof *phase->cases);
  if (!phase->cases) {
    case_plan_free(out);
    return -1;
  }
  for (long n = 1; n <= count; n++) phase->cases[n - 1] = (int)n;
  phase->case_count = (size_t)count;
  phase->concurrency = 1;
  out->case_total = (size_t)count;
  return 0;
}

void case_plan_free(struct case_plan *plan) {
  for (size_t i = 0; i < plan->phase_count; i++) free(plan->phases[i].cases);
  free(plan->phases);
  memset(plan, 0, sizeof *plan);
}
