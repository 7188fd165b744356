#include "message.h"

#include <stdlib.h>
#include <string.h>

enum { FIRST_CAPACITY = 4096 };

struct message *message_create(int binary, size_t headroom) {
  struct message *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->data = malloc(headroom + FIRST_CAPACITY);
  if (!m->data) {
    free(m);
    return NULL;
  }
  m->binary = binary;
  m->headroom = headroom;
  m->capacity = FIRST_CAPACITY;
  return m;
}

void message_free(struct message *m) {
  if (!m) return;
  free(m->data);
  free(m);
}

/* Doubles the capacity until `extra` more bytes fit. */
static int message_reserve(struct message *m, size_t extra) {
  if (m->capacity - m->length >= extra) return 0;
  size_t capacity = m->capacity;
  while (capacity - m->length < extra) {
    if (capacity > ((size_t)-1 - m->headroom) / 2) return -1;
    capacity *= 2;
  }
  unsigned char *data = realloc(m->data, m->headroom + capacity);
  if (!data) return -1;
  m->data = data;
  m->capacity = capacity;
  return 0;
}

int message_append(struct message *m, const void *bytes, size_t length) {
  if (length == 0) return 0;
  if (message_reserve(m, length) != 0) return -1;
  memcpy(m->data + m->headroom + m->length, bytes, length);
  m->length += length;
  return 0;
}

int message_assembly_add(struct message_assembly *a, int binary, const void *piece, size_t length, int final,
                         struct message *(*create)(int binary), struct message **done) {
  *done = NULL;
  switch (a->state) {
  case ASSEMBLY_BETWEEN_MESSAGES:
    a->current = create(binary);
    if (!a->current) return -1;
    a->state = ASSEMBLY_IN_MESSAGE;
    break;
  case ASSEMBLY_IN_MESSAGE:
    break;
  }
  if (message_append(a->current, piece, length) != 0) {
    message_assembly_reset(a);
    return -1;
  }
  if (final) {
    *done = a->current;
    a->current = NULL;
    a->state = ASSEMBLY_BETWEEN_MESSAGES;
  }
  return 0;
}

void message_assembly_reset(struct message_assembly *a) {
  message_free(a->current);
  a->current = NULL;
  a->state = ASSEMBLY_BETWEEN_MESSAGES;
}

void message_queue_push(struct message_queue *q, struct message *m) {
  m->next = NULL;
  if (q->tail) q->tail->next = m;
  else q->head = m;
  q->tail = m;
}

struct message *message_queue_pop(struct message_queue *q) {
  struct message *m = q->head;
  if (!m) return NULL;
  q->head = m->next;
  if (!q->head) q->tail = NULL;
  m->next = NULL;
  return m;
}

void message_queue_clear(struct message_queue *q) {
  for (struct message *m = message_queue_pop(q); m; m = message_queue_pop(q)) message_free(m);
}
