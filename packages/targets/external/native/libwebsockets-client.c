/*
 * libwebsockets-client: Autobahn fuzzingserver driver for the libwebsockets client (Debian's
 * libwebsockets-dev), run by @wsmatrix/targets as
 *
 *   libwebsockets-client BASE_URL AGENT [--plan]
 *
 * the way lws's own scripts/autobahn-test-client.sh drives its echo client: one /runCase connection after
 * the other, each echoing every message with its type until it closes, then /updateReports. The count comes
 * from /getCaseCount first. With --plan the driver asks wsmatrix's /getCasePlan instead (an extension
 * Autobahn does not have) and plays its phases one after the other, at most `concurrency` cases of a phase
 * open at once. All connections share one lws context and its event loop; client settings are lws's
 * defaults (no extensions offered).
 *
 * Build: cc -O2 -o libwebsockets-client libwebsockets-client.c message.c fuzzing-plan.c -lwebsockets
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzing-plan.h"
#include "message.h"

enum connection_kind { CONNECTION_ASK, CONNECTION_CASE, CONNECTION_REPORT };

struct connection {
  struct connection *next; /* every connection, freed at exit: lws may call back until it destroys a wsi */
  enum connection_kind kind;
  int case_number;
  int ended;
  struct message_assembly incoming;
  struct message_queue outgoing;
  struct message *written; /* kept until the next writeable callback (see libwebsockets-echo.c) */
  struct message *answer;  /* CONNECTION_ASK: the text it got */
};

enum driver_stage { STAGE_ASKING, STAGE_PLAYING, STAGE_REPORTING, STAGE_DONE, STAGE_FAILED };

struct driver {
  enum driver_stage stage;
  int planned;
  struct base_url base;
  char *agent; /* query-encoded */
  struct lws_context *context;
  struct case_plan plan;
  size_t phase;      /* index of the phase being played */
  size_t next_case;  /* index in that phase of the next case to open */
  size_t open_cases; /* connections of the phase not yet ended */
  int report_wanted; /* set by the event loop's callbacks; the main loop opens the connection */
  struct connection *connections;
};

static struct driver driver;

static void fail(const char *line) {
  if (driver.stage == STAGE_FAILED) return;
  fprintf(stderr, "%s\n", line);
  driver.stage = STAGE_FAILED;
}

static struct message *message_new(int binary) { return message_create(binary, LWS_PRE); }

static void connection_release(struct connection *c) {
  message_assembly_reset(&c->incoming);
  message_queue_clear(&c->outgoing);
  message_free(c->written);
  c->written = NULL;
}

static int open_connection(enum connection_kind kind, int case_number, const char *path) {
  struct connection *c = calloc(1, sizeof *c);
  if (!c) return -1;
  c->kind = kind;
  c->case_number = case_number;
  c->next = driver.connections;
  driver.connections = c;

  struct lws_client_connect_info info;
  memset(&info, 0, sizeof info);
  info.context = driver.context;
  info.address = driver.base.host;
  info.port = driver.base.port;
  info.path = path;
  info.host = driver.base.host;
  info.userdata = c;
  /* A failure lws already reported through LWS_CALLBACK_CLIENT_CONNECTION_ERROR has been handled there. */
  if (!lws_client_connect_via_info(&info) && !c->ended) {
    c->ended = 1;
    return -1;
  }
  return 0;
}

static void open_case(int n) {
  char path[1400];
  printf("Running test case %d/%zu\n", n, driver.plan.case_total);
  fflush(stdout);
  snprintf(path, sizeof path, "%s/runCase?case=%d&agent=%s", driver.base.prefix, n, driver.agent);
  driver.open_cases++;
  if (open_connection(CONNECTION_CASE, n, path) != 0) {
    fprintf(stderr, "case %d: could not start the connection\n", n);
    driver.open_cases--;
  }
}

/* Opens cases until the phase's concurrency is reached; moves to the next phase, then to the report. */
static void play(void) {
  while (driver.stage == STAGE_PLAYING) {
    if (driver.phase == driver.plan.phase_count) {
      driver.stage = STAGE_REPORTING;
      driver.report_wanted = 1;
      return;
    }
    struct plan_phase *phase = &driver.plan.phases[driver.phase];
    if (driver.next_case < phase->case_count && driver.open_cases < (size_t)phase->concurrency) {
      open_case(phase->cases[driver.next_case++]);
    } else if (driver.next_case == phase->case_count && driver.open_cases == 0) {
      driver.phase++;
      driver.next_case = 0;
    } else {
      return;
    }
  }
}

static void asked(struct connection *c) {
  char line[1500];
  const char *answer = c->answer ? (const char *)c->answer->data + c->answer->headroom : NULL;
  int parsed = -1;
  if (answer) {
    if (driver.planned) parsed = case_plan_parse(answer, &driver.plan);
    else parsed = case_plan_sequential(strtol(answer, NULL, 10), &driver.plan);
  }
  if (parsed != 0) {
    snprintf(line, sizeof line, "no %s from ws://%s:%d%s/%s", driver.planned ? "case plan" : "case count",
             driver.base.host, driver.base.port, driver.base.prefix, driver.planned ? "getCasePlan" : "getCaseCount");
    fail(line);
    return;
  }
  driver.stage = STAGE_PLAYING;
}

/* A connection closed or never opened: the driver moves on. */
static void connection_ended(struct connection *c, const char *error) {
  if (c->ended) return;
  c->ended = 1;
  if (driver.stage == STAGE_DONE || driver.stage == STAGE_FAILED) {
    connection_release(c); /* the driver is finishing; lws_context_destroy() ends what is left */
    return;
  }
  switch (c->kind) {
  case CONNECTION_ASK:
    asked(c);
    break;
  case CONNECTION_CASE:
    /* A case may end in an error on purpose (an invalid frame or handshake): on to the next. */
    if (error) fprintf(stderr, "case %d: %s\n", c->case_number, error);
    driver.open_cases--;
    break;
  case CONNECTION_REPORT:
    if (error) {
      char line[600];
      snprintf(line, sizeof line, "/updateReports failed: %s", error);
      fail(line);
    } else if (driver.stage == STAGE_REPORTING) {
      driver.stage = STAGE_DONE;
    }
    break;
  }
  connection_release(c);
}

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct connection *c = user;
  if (!c) return 0;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_RECEIVE: {
    struct message *done = NULL;
    if (message_assembly_add(&c->incoming, lws_frame_is_binary(wsi), in, len, lws_is_final_fragment(wsi),
                             message_new, &done) != 0)
      return -1;
    if (!done) return 0;
    if (c->kind == CONNECTION_CASE) {
      message_queue_push(&c->outgoing, done);
      lws_callback_on_writable(wsi);
    } else if (c->kind == CONNECTION_ASK && !c->answer) {
      c->answer = done;
      if (message_append(done, "", 1) != 0) return -1; /* NUL-terminated, for the parsers */
    } else {
      message_free(done);
    }
    return 0;
  }
  case LWS_CALLBACK_CLIENT_WRITEABLE: {
    message_free(c->written);
    c->written = message_queue_pop(&c->outgoing);
    if (!c->written) return 0;
    struct message *m = c->written;
    if (lws_write(wsi, m->data + m->headroom, m->length, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0)
      return -1;
    if (c->outgoing.head) lws_callback_on_writable(wsi);
    return 0;
  }
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    connection_ended(c, in && len ? (const char *)in : "connection error");
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED:
    connection_ended(c, NULL);
    return 0;
  case LWS_CALLBACK_WSI_DESTROY:
    /* The last word on a wsi; a connection that never got CLOSED or CONNECTION_ERROR ends here. */
    connection_ended(c, "connection lost");
    return 0;
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {
    {"fuzzingserver-client", client_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int usage(const char *problem) {
  fprintf(stderr, "libwebsockets-client: %s (usage: libwebsockets-client BASE_URL AGENT [--plan])\n", problem);
  return 2;
}

int main(int argc, char **argv) {
  int args = argc - 1;
  driver.planned = args > 0 && !strcmp(argv[argc - 1], "--plan");
  if (driver.planned) args--;
  if (args != 2) return usage("expected BASE_URL and AGENT");
  if (base_url_parse(argv[1], &driver.base) != 0) return usage("BASE_URL must be ws://HOST:PORT");
  driver.agent = query_encode(argv[2]);
  if (!driver.agent) return 1;

  signal(SIGPIPE, SIG_IGN);
  lws_set_log_level(LLL_ERR, NULL);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  driver.context = lws_create_context(&info);
  if (!driver.context) {
    fprintf(stderr, "libwebsockets-client: lws_create_context failed\n");
    return 1;
  }

  char path[1100];
  snprintf(path, sizeof path, "%s/%s", driver.base.prefix, driver.planned ? "getCasePlan" : "getCaseCount");
  driver.stage = STAGE_ASKING;
  if (open_connection(CONNECTION_ASK, 0, path) != 0) fail("libwebsockets-client: could not connect");

  /* Connections are opened here, between service passes, rather than from inside lws callbacks. */
  while (driver.stage != STAGE_DONE && driver.stage != STAGE_FAILED) {
    if (lws_service(driver.context, 0) < 0) fail("libwebsockets-client: the lws event loop failed");
    if (driver.stage == STAGE_PLAYING) play();
    if (driver.stage == STAGE_REPORTING && driver.report_wanted) {
      driver.report_wanted = 0;
      snprintf(path, sizeof path, "%s/updateReports?agent=%s", driver.base.prefix, driver.agent);
      if (open_connection(CONNECTION_REPORT, 0, path) != 0) fail("/updateReports failed: could not connect");
    }
  }
  int ok = driver.stage == STAGE_DONE;
  if (ok) {
    printf("Ran %zu test cases (libwebsockets %s)\n", driver.plan.case_total, lws_get_library_version());
    fflush(stdout);
  }
  lws_context_destroy(driver.context);
  for (struct connection *c = driver.connections, *next; c; c = next) {
    next = c->next;
    connection_release(c);
    message_free(c->answer);
    free(c);
  }
  case_plan_free(&driver.plan);
  free(driver.agent);
  return ok ? 0 : 1;
}
