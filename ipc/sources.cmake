# ipc/: the wire protocol. Pure codec + config, and the socket I/O.
# Compiled into a sanitizable library for the supervisor and tests; the
# worker image compiles the same sources itself (see worker/sources.cmake).
set(CAISSON_IPC_SOURCES
    ${CMAKE_SOURCE_DIR}/ipc/ipc_codec.c
    ${CMAKE_SOURCE_DIR}/ipc/ipc_config.c
    ${CMAKE_SOURCE_DIR}/ipc/ipc_argv.c
    ${CMAKE_SOURCE_DIR}/ipc/ipc_io.c)
caisson_static_library(caisson_ipc ${CAISSON_IPC_SOURCES})
