// MPI from the system (Debian: libopenmpi-dev; include and library paths from pkg-config's
// ompi-c). Built only with the package trait MPI (`swift build --traits MPI`).
// mpi.h's handles are macros over addresses of globals, which Swift cannot import: these
// functions return them.
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
