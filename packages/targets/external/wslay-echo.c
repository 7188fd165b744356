/*
 * wslay-echo: a WebSocket echo server on the wslay C library (Debian's libwslay-dev), used as
 * an external matrix target by @wsmatrix/targets.
 *
 * wslay only does framing (its event API); everything around it is ours: the TCP accept loop,
 * one forked child per connection, and the HTTP/1.1 opening handshake (with a self-contained
 * SHA-1 and base64 for Sec-WebSocket-Accept, so no crypto package is needed). The handshake
 * answers are therefore this file's, not wslay's; frames, UTF-8, ping/pong and the close
 * handshake are wslay's.
 *
 *   wslay-echo --host 127.0.0.1 --port 9001 [--max-message BYTES]
 *
 * Build: cc -O2 -o wslay-echo wslay-echo.c -lwslay
 */
#define _GNU_SOURCE
#include <wslay/wslay.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_REQUEST_HEAD 8192
#define HANDSHAKE_TIMEOUT_S 10
#define LINGER_AFTER_CLOSE_MS 2000
static const char WS_GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* ---- SHA-1 (FIPS 180-4), one-shot: the only input is key + GUID ---- */

static uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_compress(uint32_t h[5], const uint8_t block[64]) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
           (uint32_t)block[4 * i + 2] << 8 | (uint32_t)block[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
    else { f = b ^ c ^ d; k = 0xCA62C1D6; }
    uint32_t t = rol32(a, 5) + f + e + k + w[i];
    e = d; d = c; c = rol32(b, 30); b = a; a = t;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

/* Returns 0, or -1 if out of memory. */
static int sha1(const uint8_t *data, size_t len, uint8_t out[20]) {
  size_t padded = (len + 8) / 64 * 64 + 64; /* room for 0x80 and the 64-bit length */
  uint8_t *buf = calloc(padded, 1);
  if (!buf) return -1;
  memcpy(buf, data, len);
  buf[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) buf[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  for (size_t off = 0; off < padded; off += 64) sha1_compress(h, buf + off);
  free(buf);
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8);
    out[4 * i + 3] = (uint8_t)h[i];
  }
  return 0;
}

/* ---- base64 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out must hold 4 * ceil(len / 3) + 1 bytes. */
static void base64_encode(const uint8_t *in, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < len) v |= in[i + 2];
    out[o++] = B64[(v >> 18) & 63];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = i + 1 < len ? B64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? B64[v & 63] : '=';
  }
  out[o] = '\0';
}

/* A Sec-WebSocket-Key must be the base64 of 16 bytes: 22 alphabet characters then "==". */
static int valid_client_key(const char *key, size_t len) {
  if (len != 24 || key[22] != '=' || key[23] != '=') return 0;
  for (size_t i = 0; i < 22; i++)
    if (!strchr(B64, key[i]) || key[i] == '\0') return 0;
  /* the last character before the padding carries 4 unused bits, which must be zero */
  return (strchr(B64, key[21]) - B64) % 16 == 0;
}

/* ---- HTTP opening handshake ---- */

struct request {
  char method[16];
  char version[16];
  int has_host, upgrade_websocket, connection_upgrade;
  const char *key;
  size_t key_len;
  const char *ws_version;
  size_t ws_version_len;
};

/* Case-insensitive search for `token` in a comma-separated header value. */
static int has_token(const char *value, size_t len, const char *token) {
  size_t tlen = strlen(token), i = 0;
  while (i < len) {
    while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) i++;
    size_t start = i;
    while (i < len && value[i] != ',') i++;
    size_t end = i;
    while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t')) end--;
    if (end - start == tlen && strncasecmp(value + start, token, tlen) == 0) return 1;
  }
  return 0;
}

/* Parses the request head in place (head is NUL-terminated, lines end in CRLF). */
static int parse_request(char *head, struct request *req) {
  memset(req, 0, sizeof *req);
  char *line_end = strstr(head, "\r\n");
  if (!line_end) return -1;
  *line_end = '\0';
  /* request line: METHOD SP request-target SP HTTP-version */
  char *sp1 = strchr(head, ' '), *sp2 = strrchr(head, ' ');
  if (!sp1 || sp1 == sp2) return -1;
  snprintf(req->method, sizeof req->method, "%.*s", (int)(sp1 - head), head);
  snprintf(req->version, sizeof req->version, "%s", sp2 + 1);
  for (char *line = line_end + 2; *line; ) {
    char *end = strstr(line, "\r\n");
    if (!end) break;
    char *colon = memchr(line, ':', (size_t)(end - line));
    if (colon) {
      size_t name_len = (size_t)(colon - line);
      const char *value = colon + 1;
      while (value < end && (*value == ' ' || *value == '\t')) value++;
      const char *value_end = end;
      while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) value_end--;
      size_t value_len = (size_t)(value_end - value);
#define IS(name) (name_len == sizeof(name) - 1 && strncasecmp(line, name, name_len) == 0)
      if (IS("Host")) req->has_host = 1;
      else if (IS("Upgrade")) req->upgrade_websocket |= has_token(value, value_len, "websocket");
      else if (IS("Connection")) req->connection_upgrade |= has_token(value, value_len, "upgrade");
      else if (IS("Sec-WebSocket-Key")) { req->key = value; req->key_len = value_len; }
      else if (IS("Sec-WebSocket-Version")) { req->ws_version = value; req->ws_version_len = value_len; }
#undef IS
    }
    line = end + 2;
  }
  return 0;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static void reject(int fd, const char *status, const char *extra_headers) {
  char response[512];
  int n = snprintf(response, sizeof response,
                   "HTTP/1.1 %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                   extra_headers);
  write_all(fd, response, (size_t)n);
}

/*
 * Reads the request head, answers it, and on success leaves any bytes that followed the head
 * (frames a client sent without waiting for the 101) in leftover. Returns 0 if upgraded.
 */
static int opening_handshake(int fd, uint8_t *leftover, size_t *leftover_len) {
  char head[MAX_REQUEST_HEAD + 1];
  size_t used = 0;
  char *end = NULL;
  while (!end) {
    if (used == MAX_REQUEST_HEAD) {
      reject(fd, "431 Request Header Fields Too Large", "");
      return -1;
    }
    ssize_t n = recv(fd, head + used, MAX_REQUEST_HEAD - used, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    used += (size_t)n;
    head[used] = '\0';
    end = strstr(head, "\r\n\r\n");
  }
  size_t head_len = (size_t)(end - head) + 4;
  *leftover_len = used - head_len;
  memcpy(leftover, head + head_len, *leftover_len);
  end[2] = '\0'; /* keep the CRLF that ends the last header line */

  struct request req;
  if (parse_request(head, &req) != 0) { reject(fd, "400 Bad Request", ""); return -1; }
  if (strcmp(req.method, "GET") != 0) { reject(fd, "405 Method Not Allowed", "Allow: GET\r\n"); return -1; }
  if (strcmp(req.version, "HTTP/1.1") != 0 || !req.has_host) { reject(fd, "400 Bad Request", ""); return -1; }
  if (!req.upgrade_websocket || !req.connection_upgrade) {
    reject(fd, "426 Upgrade Required", "Upgrade: websocket\r\n");
    return -1;
  }
  if (!req.ws_version || req.ws_version_len != 2 || strncmp(req.ws_version, "13", 2) != 0) {
    reject(fd, "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
    return -1;
  }
  if (!req.key || !valid_client_key(req.key, req.key_len)) { reject(fd, "400 Bad Request", ""); return -1; }

  char input[24 + sizeof WS_GUID];
  memcpy(input, req.key, 24);
  memcpy(input + 24, WS_GUID, sizeof WS_GUID - 1);
  uint8_t digest[20];
  if (sha1((const uint8_t *)input, 24 + sizeof WS_GUID - 1, digest) != 0) {
    reject(fd, "500 Internal Server Error", "");
    return -1;
  }
  char accept_key[29];
  base64_encode(digest, sizeof digest, accept_key);
  char response[256];
  int n = snprintf(response, sizeof response,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n",
                   accept_key);
  return write_all(fd, response, (size_t)n);
}

/* ---- the WebSocket session, driven by wslay's event API over a non-blocking socket ---- */

struct session {
  int fd;
  const uint8_t *leftover; /* bytes read with the request head, fed to wslay first */
  size_t leftover_len;
};

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user) {
  (void)flags;
  struct session *s = user;
  if (s->leftover_len > 0) {
    size_t n = len < s->leftover_len ? len : s->leftover_len;
    memcpy(buf, s->leftover, n);
    s->leftover += n;
    s->leftover_len -= n;
    return (ssize_t)n;
  }
  ssize_t n;
  do n = recv(s->fd, buf, len, 0); while (n < 0 && errno == EINTR);
  if (n < 0) {
    wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK ? WSLAY_ERR_WOULDBLOCK
                                                                        : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  if (n == 0) { /* the peer closed TCP */
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  return n;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user) {
  struct session *s = user;
  int sflags = MSG_NOSIGNAL | ((flags & WSLAY_MSG_MORE) ? MSG_MORE : 0);
  ssize_t n;
  do n = send(s->fd, data, len, sflags); while (n < 0 && errno == EINTR);
  if (n < 0) {
    wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK ? WSLAY_ERR_WOULDBLOCK
                                                                        : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  return n;
}

/* The echo: every complete text or binary message goes back as one message of the same type. */
static void on_message(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user) {
  (void)user;
  if (wslay_is_ctrl_frame(arg->opcode)) return; /* ping/pong/close are handled by wslay */
  struct wslay_event_msg reply = {arg->opcode, arg->msg, arg->msg_length};
  wslay_event_queue_msg(ctx, &reply); /* copies the payload */
}

/* Half-closes, then waits (bounded) for the peer's FIN so unread input does not turn into a RST. */
static void close_gracefully(int fd) {
  shutdown(fd, SHUT_WR);
  uint8_t sink[4096];
  struct pollfd p = {fd, POLLIN, 0};
  while (poll(&p, 1, LINGER_AFTER_CLOSE_MS) > 0) {
    ssize_t n = recv(fd, sink, sizeof sink, 0);
    if (n <= 0 && !(n < 0 && errno == EINTR)) break;
  }
  close(fd);
}

static void serve_connection(int fd, uint64_t max_message) {
  static uint8_t leftover[MAX_REQUEST_HEAD];
  size_t leftover_len = 0;
  alarm(HANDSHAKE_TIMEOUT_S); /* SIGALRM ends a child whose client never finishes the request */
  if (opening_handshake(fd, leftover, &leftover_len) != 0) {
    close_gracefully(fd);
    return;
  }
  alarm(0);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  struct session s = {fd, leftover, leftover_len};
  struct wslay_event_callbacks callbacks = {on_recv, on_send, NULL, NULL, NULL, NULL, on_message};
  wslay_event_context_ptr ctx;
  if (wslay_event_context_server_init(&ctx, &callbacks, &s) != 0) {
    close(fd);
    return;
  }
  wslay_event_config_set_max_recv_msg_length(ctx, max_message);

  while (wslay_event_want_read(ctx) || wslay_event_want_write(ctx)) {
    int want_read = wslay_event_want_read(ctx), want_write = wslay_event_want_write(ctx);
    struct pollfd p = {fd, (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0)), 0};
    int ready = s.leftover_len > 0 ? 1 : poll(&p, 1, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (s.leftover_len > 0) p.revents = POLLIN;
    if (p.revents & (POLLERR | POLLNVAL)) break;
    if ((p.revents & (POLLIN | POLLHUP)) && want_read && wslay_event_recv(ctx) != 0) break;
    if ((p.revents & POLLOUT) && wslay_event_send(ctx) != 0) break;
    if ((p.revents & POLLHUP) && !want_read && !(p.revents & POLLOUT)) break;
  }
  wslay_event_context_free(ctx);
  close_gracefully(fd);
}

/* ---- listening socket and accept loop ---- */

static int listen_on(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "wslay-echo: cannot resolve %s:%s: %s\n", host, port, gai_strerror(rc));
    return -1;
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  int one = 1;
  /* SO_REUSEADDR only (never SO_REUSEPORT): a port in use makes bind fail instead of sharing it */
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 512) != 0) {
    fprintf(stderr, "wslay-echo: cannot listen on %s:%s: %s\n", host, port, strerror(errno));
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  return fd;
}

static void usage(void) {
  fprintf(stderr, "usage: wslay-echo --host HOST --port PORT [--max-message BYTES]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *port = NULL;
  uint64_t max_message = 32u * 1024 * 1024;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--host") == 0) host = argv[++i];
    else if (strcmp(argv[i], "--port") == 0) port = argv[++i];
    else if (strcmp(argv[i], "--max-message") == 0) max_message = strtoull(argv[++i], NULL, 10);
    else usage();
  }
  if (!port || max_message == 0) usage();

  signal(SIGPIPE, SIG_IGN);
  /* children are never waited for: let the kernel reap them */
  struct sigaction reap = {0};
  reap.sa_handler = SIG_IGN;
  reap.sa_flags = SA_NOCLDWAIT;
  sigaction(SIGCHLD, &reap, NULL);

  int listener = listen_on(host, port);
  if (listener < 0) return 1;
  pid_t server_pid = getpid();
  fprintf(stderr, "wslay-echo: listening on %s:%s\n", host, port);

  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      perror("wslay-echo: accept");
      return 1;
    }
    pid_t pid = fork();
    if (pid == 0) {
#ifdef __linux__
      prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the server, even if it is SIGKILLed */
#endif
      if (getppid() != server_pid) _exit(0);
      close(listener);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      serve_connection(fd, max_message);
      _exit(0);
    }
    if (pid < 0) perror("wslay-echo: fork");
    close(fd);
  }
}
