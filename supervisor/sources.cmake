# supervisor/: everything that runs in the supervisor's process, one folder
# per subsystem, listed bottom-up; each folder may use only those above it
# in this list (and ipc/). See supervisor/README.md.
include(${CMAKE_SOURCE_DIR}/supervisor/policy/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/elf/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/broker/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/evidence/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/fuzz/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/serve/sources.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/cli/sources.cmake)
