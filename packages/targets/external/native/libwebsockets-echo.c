/*
 * libwebsockets-echo: a WebSocket echo server on libwebsockets (Debian's libwebsockets-dev), used as an
 * external matrix target by @wsmatrix/targets.
 *
 * One lws context, one vhost listening on HOST:PORT, one protocol whose callback echoes every message
 * with its type; lws_service() runs the event loop with its defaults. Everything else (the handshake,
 * frames, ping/pong, the close handshake, permessage-deflate with --deflate) is lws's.
 *
 *   libwebsockets-echo --host 127.0.0.1 --port 9001 [--deflate]
 *
 * Build: cc -O2 -o libwebsockets-echo libwebsockets-echo.c -lwebsockets
 */
#include <libwebsockets.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "message.h"

/* lws_write() needs LWS_PRE writable bytes before the payload for the frame header. */
static struct message *message_new(int binary) { return message_create(binary, LWS_PRE); }

struct session {
  struct message_assembly incoming;
  struct message_queue outgoing;
  /*
   * The message last handed to lws_write(). permessage-deflate keeps compressing from this buffer
   * on later POLLOUTs and calls us back as writeable only once it is done, so it is freed then.
   */
  struct message *written;
};

static void session_release(struct session *s) {
  message_assembly_reset(&s->incoming);
  message_queue_clear(&s->outgoing);
  message_free(s->written);
  s->written = NULL;
}

static int echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct session *s = user;
  switch (reason) {
  case LWS_CALLBACK_RECEIVE: {
    /* lws hands a message over in pieces (frames, and chunks of its rx buffer); echo it once whole. */
    struct message *done = NULL;
    if (message_assembly_add(&s->incoming, lws_frame_is_binary(wsi), in, len, lws_is_final_fragment(wsi),
                             message_new, &done) != 0)
      return -1; /* out of memory: lws closes the connection */
    if (done) {
      message_queue_push(&s->outgoing, done);
      lws_callback_on_writable(wsi);
    }
    return 0;
  }
  case LWS_CALLBACK_SERVER_WRITEABLE: {
    message_free(s->written);
    s->written = message_queue_pop(&s->outgoing);
    if (!s->written) return 0;
    struct message *m = s->written;
    if (lws_write(wsi, m->data + m->headroom, m->length, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0)
      return -1;
    if (s->outgoing.head) lws_callback_on_writable(wsi);
    return 0;
  }
  case LWS_CALLBACK_CLOSED:
    session_release(s);
    return 0;
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {
    /* The first protocol serves upgrades that name no subprotocol, whatever their path. */
    {"echo", echo_callback, sizeof(struct session), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* lws's own permessage-deflate extension; the offer string is only sent by clients. */
static const struct lws_extension deflate_extensions[] = {
    {"permessage-deflate", lws_extension_callback_pm_deflate, "permessage-deflate"},
    {NULL, NULL, NULL},
};

/*
 * Why lws could not listen: it logs bind errors as numbers only, and the matrix retries another port
 * when a server says "Address already in use". Binding a socket of our own finds out.
 */
static const char *listen_problem(const char *host, long port) {
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return "lws_create_context failed";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return strerror(errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int bound = bind(fd, (struct sockaddr *)&address, sizeof address);
  const char *problem = bound == 0 ? "lws_create_context failed" : strerror(errno);
  close(fd);
  return problem;
}

static int usage(const char *problem) {
  fprintf(stderr, "libwebsockets-echo: %s (usage: libwebsockets-echo --host HOST --port PORT [--deflate])\n",
          problem);
  return 2;
}

int main(int argc, char **argv) {
  const char *host = NULL;
  long port = -1;
  int deflate = 0;
  for (int i = 1; i < argc; i++) {
    int takes_value = !strcmp(argv[i], "--host") || !strcmp(argv[i], "--port");
    if (takes_value && i + 1 == argc)
      return usage(!strcmp(argv[i], "--host") ? "--host needs a value" : "--port needs a value");
    if (!strcmp(argv[i], "--host")) {
      host = argv[++i];
    } else if (!strcmp(argv[i], "--port")) {
      char *end;
      port = strtol(argv[++i], &end, 10);
      if (*end || port < 1 || port > 65535) return usage("--port must be 1-65535");
    } else if (!strcmp(argv[i], "--deflate")) {
      deflate = 1;
    } else {
      return usage("unknown argument");
    }
  }
  if (!host || port < 0) return usage("--host and --port are required");

  signal(SIGPIPE, SIG_IGN);
  /* lws logs warnings and notices by default; a matrix target prints fatal errors only. */
  lws_set_log_level(LLL_ERR, NULL);

  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.iface = host;
  info.port = (int)port;
  info.protocols = protocols;
  if (deflate) info.extensions = deflate_extensions;
  /*
   * With IPv6 on (lws's default), lws 4.1 reads an IPv4 address given as iface into the wrong field of
   * its IPv6 socket address and listens on every interface; an IPv4 host gets an IPv4 socket.
   */
  struct in_addr ipv4;
  if (inet_pton(AF_INET, host, &ipv4) == 1) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;

  struct lws_context *context = lws_create_context(&info);
  if (!context) {
    fprintf(stderr, "libwebsockets-echo: cannot listen on %s:%ld: %s\n", host, port, listen_problem(host, port));
    return 1;
  }
  while (lws_service(context, 0) >= 0) {
  }
  lws_context_destroy(context);
  return 1;
}
