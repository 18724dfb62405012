# supervisor/broker/: pools of workers on a libevent loop, the zygote
# channel, the seccomp listener, cgroups (caisson_sv), and libcaisson, the
# public embedding library (caisson.h) built on them.
caisson_static_library(caisson_sv
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_worker.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_pipe.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_regions.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/pool_idle.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/bufcache.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/notify.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/notify_serve.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/wlog.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/cgroup.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/cg_stale.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/hostlim.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/sv.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/zyg.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/libexec.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/setup.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/setup_exec.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/notify_exec.c
    ${CMAKE_SOURCE_DIR}/supervisor/broker/landlock.c)
target_compile_definitions(caisson_sv PRIVATE CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}"
    CAISSON_BIN_TO_LIBEXEC="${CAISSON_BIN_TO_LIBEXEC}" CAISSON_LIB_TO_LIBEXEC="${CAISSON_LIB_TO_LIBEXEC}")
target_include_directories(caisson_sv PRIVATE ${CAISSON_GEN_DIR})
add_dependencies(caisson_sv caisson_zygote_sonames)
target_link_libraries(caisson_sv PUBLIC caisson_policy caisson_elf caisson_ipc
    caisson_dep_event caisson_dep_seccomp)

# libcaisson: the embedding API (caisson.h) as a shared library exporting
# caisson_* only, with a pkg-config file. SOVERSION 1 since struct
# caisson_stats grew (0.2.0): a binary built against 0 must not load it.
add_library(caisson_lib SHARED ${CMAKE_SOURCE_DIR}/supervisor/broker/lib.c)
set_target_properties(caisson_lib PROPERTIES OUTPUT_NAME caisson VERSION ${PROJECT_VERSION} SOVERSION 1
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_compile_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS}
    -Wl,--version-script=${CMAKE_SOURCE_DIR}/supervisor/broker/libcaisson.map)
target_link_libraries(caisson_lib PRIVATE caisson_sv Threads::Threads)
target_include_directories(caisson_lib INTERFACE ${CMAKE_SOURCE_DIR}/supervisor/broker)
add_dependencies(caisson_lib caisson-zygote)
# caisson.pc is relocatable: its prefix is ${pcfiledir} and the path back
# from the pc directory, so it is right under whatever prefix the tree is
# installed (configure-time prefix, `cmake --install --prefix`, DESTDIR, or
# the tree moved afterwards), like the program and library themselves.
# Absolute install dirs outside the prefix are written as they are.
set(CAISSON_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE ${CAISSON_PC_DIR})
  set(CAISSON_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
else()
  file(RELATIVE_PATH CAISSON_PC_UP /p/${CAISSON_PC_DIR} /p)
  string(REGEX REPLACE "/$" "" CAISSON_PC_UP ${CAISSON_PC_UP})
  set(CAISSON_PC_PREFIX "\${pcfiledir}/${CAISSON_PC_UP}")
endif()
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE ${CMAKE_INSTALL_${d}})
    set(CAISSON_PC_${d} ${CMAKE_INSTALL_${d}})
  else()
    set(CAISSON_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
  endif()
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/supervisor/broker/caisson.pc.in ${CMAKE_BINARY_DIR}/caisson.pc @ONLY)
install(TARGETS caisson_lib LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/supervisor/broker/caisson.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/caisson.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
