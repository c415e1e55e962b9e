/* fakecuda.c: a stand-in for the CUDA driver (libcuda.so.1), for the copy tests of
 * clang-host modules (tests/e2e/test_copies.py), whose device memory is host memory.
 *
 * Preloaded as libcuda.so.1, it is what runtime/copy.c finds with dlopen(RTLD_NOLOAD), so
 * the staged copies take their driver path on a machine without a GPU: pinned buffers,
 * a context pushed on each lane's thread, a stream per lane, events. It has the driver's
 * habits that the lanes must respect: a transfer runs later, in the stream's own thread,
 * after a random delay (a buffer refilled before its transfer ended corrupts the copy),
 * and a call that needs a context fails without one current. At exit it prints a line
 * to stderr: "fakecuda: A async copies, E errors, L leaked", which the test reads (an
 * error: a call without a current context, an unknown handle, a stream destroyed with
 * work in it; leaked: pinned buffers, streams and events still there). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OK = 0, INVALID_VALUE = 1, INVALID_CONTEXT = 201, POINTER_ATTRIBUTE_CONTEXT = 1 };

static char context;   /* the one context: its address is the handle */
static __thread int depth;   /* pushes of it on this thread */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long copies, errors, live;   /* guarded by lock */

static int fail(int code)
{
  pthread_mutex_lock(&lock);
  errors++;
  pthread_mutex_unlock(&lock);
  return code;
}

static void count(long *what, long by)
{
  pthread_mutex_lock(&lock);
  *what += by;
  pthread_mutex_unlock(&lock);
}

typedef struct event {
  pthread_mutex_t m;
  pthread_cond_t c;
  unsigned long recorded, reached;
} event;

typedef struct op {
  struct op *next;
  void *dst;
  const void *src;
  size_t len;
  event *ev;        /* an event to mark reached (no copy), or NULL */
  unsigned long n;  /* the record it marks */
} op;

typedef struct stream {
  pthread_mutex_t m;
  pthread_cond_t c;
  op *head, *tail;
  int stop;
  pthread_t thread;
} stream;

static void *worker(void *arg)
{
  stream *s = arg;
  unsigned seed = (unsigned)(size_t)s;
  pthread_mutex_lock(&s->m);
  for (;;) {
    while (!s->head && !s->stop)
      pthread_cond_wait(&s->c, &s->m);
    if (!s->head)
      break;
    op *o = s->head;
    pthread_mutex_unlock(&s->m);
    if (o->ev) {
      pthread_mutex_lock(&o->ev->m);
      o->ev->reached = o->n;
      pthread_cond_broadcast(&o->ev->c);
      pthread_mutex_unlock(&o->ev->m);
    } else {
      usleep(rand_r(&seed) % 300);   /* the bus takes its time */
      memcpy(o->dst, o->src, o->len);
    }
    pthread_mutex_lock(&s->m);
    s->head = o->next;   /* taken off only once done: StreamSynchronize waits for it */
    if (!s->head)
      s->tail = NULL;
    pthread_cond_broadcast(&s->c);
    free(o);
  }
  pthread_mutex_unlock(&s->m);
  return NULL;
}

static int enqueue(stream *s, op *o)
{
  if (!s || !o)
    return fail(INVALID_VALUE);
  if (!depth)
    return fail(INVALID_CONTEXT);
  pthread_mutex_lock(&s->m);
  if (s->tail)
    s->tail->next = o;
  else
    s->head = o;
  s->tail = o;
  pthread_cond_broadcast(&s->c);
  pthread_mutex_unlock(&s->m);
  return OK;
}

int cuInit(unsigned flags)
{
  (void)flags;
  return OK;
}

int cuPointerGetAttribute(void *data, int attribute, unsigned long long ptr)
{
  if (attribute != POINTER_ATTRIBUTE_CONTEXT || !ptr)
    return INVALID_VALUE;   /* not an error of the caller's: it asks of any pointer */
  *(void **)data = &context;
  return OK;
}

int cuCtxPushCurrent_v2(void *ctx)
{
  if (ctx != &context)
    return fail(INVALID_CONTEXT);
  depth++;
  return OK;
}

int cuCtxPopCurrent_v2(void **ctx)
{
  if (!depth)
    return fail(INVALID_CONTEXT);
  depth--;
  if (ctx)
    *ctx = &context;
  return OK;
}

int cuMemHostAlloc(void **p, size_t bytes, unsigned flags)
{
  (void)flags;
  if (!depth)
    return fail(INVALID_CONTEXT);
  if (!(*p = malloc(bytes)))
    return 2;   /* CUDA_ERROR_OUT_OF_MEMORY */
  count(&live, 1);
  return OK;
}

int cuMemFreeHost(void *p)
{
  free(p);
  count(&live, -1);
  return OK;
}

int cuMemHostRegister_v2(void *p, size_t bytes, unsigned flags)
{
  (void)p, (void)bytes, (void)flags;
  if (!depth)
    return fail(INVALID_CONTEXT);
  count(&live, 1);
  return OK;
}

int cuMemHostUnregister(void *p)
{
  (void)p;
  if (!depth)
    return fail(INVALID_CONTEXT);
  count(&live, -1);
  return OK;
}

int cuStreamCreate(void **out, unsigned flags)
{
  (void)flags;
  if (!depth)
    return fail(INVALID_CONTEXT);
  stream *s = calloc(1, sizeof *s);
  if (!s)
    return 2;
  pthread_mutex_init(&s->m, NULL);
  pthread_cond_init(&s->c, NULL);
  if (pthread_create(&s->thread, NULL, worker, s) != 0) {
    free(s);
    return 2;
  }
  count(&live, 1);
  *out = s;
  return OK;
}

int cuStreamSynchronize(void *h)
{
  stream *s = h;
  if (!s)
    return fail(INVALID_VALUE);
  pthread_mutex_lock(&s->m);
  while (s->head)
    pthread_cond_wait(&s->c, &s->m);
  pthread_mutex_unlock(&s->m);
  return OK;
}

int cuStreamDestroy_v2(void *h)
{
  stream *s = h;
  if (!s)
    return fail(INVALID_VALUE);
  pthread_mutex_lock(&s->m);
  if (s->head)
    fail(INVALID_VALUE);   /* the lanes wait for their transfers before this */
  s->stop = 1;
  pthread_cond_broadcast(&s->c);
  pthread_mutex_unlock(&s->m);
  pthread_join(s->thread, NULL);
  free(s);
  count(&live, -1);
  return OK;
}

int cuEventCreate(void **out, unsigned flags)
{
  (void)flags;
  if (!depth)
    return fail(INVALID_CONTEXT);
  event *e = calloc(1, sizeof *e);
  if (!e)
    return 2;
  pthread_mutex_init(&e->m, NULL);
  pthread_cond_init(&e->c, NULL);
  count(&live, 1);
  *out = e;
  return OK;
}

int cuEventDestroy_v2(void *h)
{
  if (!h)
    return fail(INVALID_VALUE);
  free(h);
  count(&live, -1);
  return OK;
}

int cuEventRecord(void *h, void *st)
{
  event *e = h;
  op *o = calloc(1, sizeof *o);
  if (!e || !o) {
    free(o);
    return fail(INVALID_VALUE);
  }
  pthread_mutex_lock(&e->m);
  o->ev = e;
  o->n = ++e->recorded;
  pthread_mutex_unlock(&e->m);
  int rc = enqueue(st, o);
  if (rc != OK)
    free(o);
  return rc;
}

int cuEventSynchronize(void *h)
{
  event *e = h;
  if (!e)
    return fail(INVALID_VALUE);
  pthread_mutex_lock(&e->m);
  while (e->reached < e->recorded)
    pthread_cond_wait(&e->c, &e->m);
  pthread_mutex_unlock(&e->m);
  return OK;
}

static int copy(void *dst, const void *src, size_t len, void *st)
{
  op *o = calloc(1, sizeof *o);
  if (!o)
    return 2;
  o->dst = dst;
  o->src = src;
  o->len = len;
  int rc = enqueue(st, o);
  if (rc != OK)
    free(o);
  else
    count(&copies, 1);
  return rc;
}

int cuMemcpyHtoDAsync_v2(unsigned long long dst, const void *src, size_t len, void *st)
{
  return copy((void *)(size_t)dst, src, len, st);
}

int cuMemcpyDtoHAsync_v2(void *dst, unsigned long long src, size_t len, void *st)
{
  return copy(dst, (const void *)(size_t)src, len, st);
}

__attribute__((destructor)) static void report(void)
{
  fprintf(stderr, "fakecuda: %ld async copies, %ld errors, %ld leaked\n", copies, errors,
          live);
}
