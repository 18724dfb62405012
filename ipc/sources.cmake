# ipc/: the wire protocol. Pure codec + config, and the socket I/O.
# Compiled into a sanitizable library for the supervisor and tests; the
# worker image compiles the same sources itself (see worker/sources.cmake).
set(CAISSON_IPC_SOURCES
    ${CMAKE_SOURCE_DIR}/ipc/ipc_codec.c
    ${CMAKE_SOURCE_DIR}/ipc/ipc_config.c
    ${CMAKE_SOURCE_DIR}/ipc/ipc_io.c)
add_library(caisson_ipc STATIC ${CAISSON_IPC_SOURCES})
target_include_directories(caisson_ipc PUBLIC ${CAISSON_INCLUDE_DIRS})
target_compile_options(caisson_ipc PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson_ipc INTERFACE ${CAISSON_SAN_FLAGS})
