/* runtime/internal.h: what the runtime's files share with each other, not with modules. */
#ifndef APPY_INTERNAL_H
#define APPY_INTERNAL_H

#include "appy/runtime.h"

/* alloc.c */
APPY_API appy_hold *appy_frame_push(appy_frame *fr);  /* zeroed hold; NULL + MemoryError */
APPY_API void appy_frame_pop(appy_frame *fr);         /* drops the hold just pushed */
/* Points a at the C-contiguous buffer v of dtype dt, standing for obj. */
APPY_API void appy_fill_array(appy_array *a, const Py_buffer *v, appy_dtype dt, PyObject *obj);
/* Calls numpy.<fn>(*args, **kwargs); kwargs may be NULL. New reference or NULL. */
APPY_API PyObject *appy_numpy_call(const char *fn, PyObject *args, PyObject *kwargs);
/* isinstance(obj, numpy.<type>); 0 if NumPy cannot be imported. Never raises. */
APPY_API int appy_numpy_isinstance(PyObject *obj, const char *type);
/* Writes what a message calls obj's kind: "None", "list", "float32" (a NumPy scalar). */
APPY_API void appy_type_name(PyObject *obj, char *buf, size_t n);

/* args.c */
APPY_API const char *appy_article(const char *name);  /* "an int8", "a uint8" */

/* device.c */
typedef void (*appy_fn)(void);
/* dlsym of a function, without ISO C's object-to-function pointer cast: callers cast the
 * result to the function's own type. NULL if lib has no such symbol. */
APPY_API appy_fn appy_dlfunc(void *lib, const char *name);

/* gpuarray.c */
APPY_API void appy_release_shadow(appy_hold *h);   /* frees a GPU argument's stand-in */

#endif
