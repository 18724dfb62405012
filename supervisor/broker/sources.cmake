# supervisor/broker/: pools of workers on a libevent loop, the zygote
# channel, the seccomp listener, cgroups (caisson_sv), and libcaisson, the
# public embedding library (caisson.h) built on them.
caisson_static_library(caisson_sv
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_worker.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_pipe.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/bufcache.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/notify.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/cgroup.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/sv.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/zyg.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/setup.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/landlock.c)
target_compile_definitions(caisson_sv PRIVATE CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}")
target_link_libraries(caisson_sv PUBLIC caisson_policy caisson_elf caisson_ipc
    PkgConfig::LIBEVENT PkgConfig::SECCOMP)

# libcaisson: the embedding API (caisson.h) as a shared library exporting
# caisson_* only, with a pkg-config file.
add_library(caisson_lib SHARED ${CMAKE_SOURCE_DIR}/supervisor/broker/lib.c)
set_target_properties(caisson_lib PROPERTIES OUTPUT_NAME caisson VERSION ${PROJECT_VERSION} SOVERSION 0
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_compile_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS}
    -Wl,--version-script=${CMAKE_SOURCE_DIR}/supervisor/broker/libcaisson.map)
target_link_libraries(caisson_lib PRIVATE caisson_sv Threads::Threads)
target_include_directories(caisson_lib INTERFACE ${CMAKE_SOURCE_DIR}/supervisor/broker)
add_dependencies(caisson_lib caisson-zygote)
configure_file(${CMAKE_SOURCE_DIR}/supervisor/broker/caisson.pc.in ${CMAKE_BINARY_DIR}/caisson.pc @ONLY)
install(TARGETS caisson_lib LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/supervisor/broker/caisson.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/caisson.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
