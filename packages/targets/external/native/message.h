/*
 * Messages assembled from the pieces a WebSocket library delivers, and a queue of them waiting to be
 * echoed: shared by the libwebsockets echo server and client driver (libwebsockets hands a message over
 * frame by frame and, within a frame, in chunks of its receive buffer).
 */
#ifndef WSMATRIX_NATIVE_MESSAGE_H
#define WSMATRIX_NATIVE_MESSAGE_H

#include <stddef.h>

struct message {
  struct message *next;
  int binary;
  /* Bytes kept free before the payload (a library may write a frame header there). */
  size_t headroom;
  size_t length;
  size_t capacity; /* of the payload, after the headroom */
  unsigned char *data; /* headroom + capacity bytes */
};

/* Null when out of memory. */
struct message *message_create(int binary, size_t headroom);
void message_free(struct message *m);
/* Appends bytes to the payload, growing it; 0, or -1 when out of memory. */
int message_append(struct message *m, const void *bytes, size_t length);

enum assembly_state { ASSEMBLY_BETWEEN_MESSAGES, ASSEMBLY_IN_MESSAGE };

struct message_assembly {
  enum assembly_state state;
  struct message *current; /* set in ASSEMBLY_IN_MESSAGE */
};

/*
 * Adds one delivered piece. The first piece of a message creates it (with `create`, taking the type
 * from `binary`); the final one hands the whole message to *done and goes back to between messages.
 * Returns 0, or -1 when out of memory (the assembly is then reset).
 */
int message_assembly_add(struct message_assembly *a, int binary, const void *piece, size_t length, int final,
                         struct message *(*create)(int binary), struct message **done);
void message_assembly_reset(struct message_assembly *a);

struct message_queue {
  struct message *head;
  struct message *tail;
};

void message_queue_push(struct message_queue *q, struct message *m);
/* The oldest message, or null when the queue is empty. */
struct message *message_queue_pop(struct message_queue *q);
void message_queue_clear(struct message_queue *q);

#endif
