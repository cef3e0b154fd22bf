#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
/* OpenBLAS's own cblas.h (Debian's libopenblas-dev): cblas_sgemm, cblas_sgemv, openblas_set_num_threads. */
#include <cblas.h>
#endif
