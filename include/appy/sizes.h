/* appy/sizes.h: the sizes of the GPU kernels that the translator and appy/group.h share.
 *
 * appy-translate (plan.c) decides from them which kernel a loop gets and how much shared
 * memory it takes; the generated kernels and appy/group.h's helpers run with them. Plain C
 * constants, no OpenMP: the translator includes this header too. Why each has its value
 * is told in appy/group.h, next to the kernels that use it. */
#ifndef APPY_SIZES_H
#define APPY_SIZES_H

#define APPY_LOOP_THREADS 256         /* threads per block of a plain loop kernel */
#define APPY_RED_THREADS 256          /* ... of a reduction kernel */
#define APPY_PRIV_BYTES (24 * 1024)   /* a loop block's copies of the arrays it scatters into */

#define APPY_TILE_THREADS 256         /* threads per block of a tiled nest */
#define APPY_TILE_RI 4                /* a thread's elements across i ... */
#define APPY_TILE_RJ 4                /* ... and across j */
#define APPY_TILE_U (APPY_TILE_RI * APPY_TILE_RJ)
#define APPY_TILE_I 64                /* a tile's iterations across i: 2 warps of 32 rows ... */
#define APPY_TILE_J 64                /* ... and across j: 4 of 16 columns */
#define APPY_TILE_K 16                /* the most steps of k per chunk */
#define APPY_TILE_PAD 4               /* elements a panel's row is padded by (bank conflicts) */
#define APPY_TILE_SHARED (40 * 1024)  /* shared memory for a tiled kernel's panels */

#endif
