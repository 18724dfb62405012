# supervisor/: profiles and policy (caisson_policy), the ELF resolver
# (caisson_elf), the supervisor core (caisson_sv), the machine-readable
# verify writers (caisson_verify_fmt) and the caisson CLI.
include(${CMAKE_SOURCE_DIR}/supervisor/policy.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/elf.cmake)

caisson_static_library(caisson_sv
    ${CMAKE_SOURCE_DIR}/supervisor/pool.c
    ${CMAKE_SOURCE_DIR}/supervisor/pool_worker.c
    ${CMAKE_SOURCE_DIR}/supervisor/pool_pipe.c
    ${CMAKE_SOURCE_DIR}/supervisor/bufcache.c
    ${CMAKE_SOURCE_DIR}/supervisor/notify.c
    ${CMAKE_SOURCE_DIR}/supervisor/cgroup.c
    ${CMAKE_SOURCE_DIR}/supervisor/sv.c
    ${CMAKE_SOURCE_DIR}/supervisor/zyg.c
    ${CMAKE_SOURCE_DIR}/supervisor/sysfmt.c
    ${CMAKE_SOURCE_DIR}/supervisor/setup.c)
target_compile_definitions(caisson_sv PRIVATE CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}")
target_link_libraries(caisson_sv PUBLIC caisson_policy caisson_elf caisson_ipc
    PkgConfig::LIBEVENT PkgConfig::SECCOMP)

# JSON and OSCAL writers of a vf_report (verify.h). They call
# vf_report_passed, which the program linking them provides (verify.c).
caisson_static_library(caisson_verify_fmt
    ${CMAKE_SOURCE_DIR}/supervisor/json.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_fmt.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_json.c
    ${CMAKE_SOURCE_DIR}/supervisor/oscal.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_oscal.c)
target_link_libraries(caisson_verify_fmt PUBLIC caisson_policy)

# `caisson verify`: the evidence collector and its text writer; the probe
# table is shared with worker/probes (caisson-probes.so).
caisson_static_library(caisson_verify
    ${CMAKE_SOURCE_DIR}/supervisor/verify.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_collect.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_attest.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_attest_fs.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_bpf.c
    ${CMAKE_SOURCE_DIR}/supervisor/verify_probes.c)
target_include_directories(caisson_verify PRIVATE ${CMAKE_SOURCE_DIR}/worker/probes)
target_compile_definitions(caisson_verify PRIVATE CAISSON_VERSION="${PROJECT_VERSION}")
target_link_libraries(caisson_verify PUBLIC caisson_sv)

add_executable(caisson
    ${CMAKE_SOURCE_DIR}/supervisor/main.c
    ${CMAKE_SOURCE_DIR}/supervisor/cmd_run.c
    ${CMAKE_SOURCE_DIR}/supervisor/cmd_profile.c
    ${CMAKE_SOURCE_DIR}/supervisor/cmd_verify.c)
target_compile_definitions(caisson PRIVATE CAISSON_VERSION="${PROJECT_VERSION}"
    CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}")
target_compile_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_libraries(caisson PRIVATE caisson_verify caisson_verify_fmt)
set_target_properties(caisson PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
add_dependencies(caisson caisson-zygote caisson-probes)
install(TARGETS caisson DESTINATION ${CMAKE_INSTALL_BINDIR})

# libcaisson: the embedding API (caisson.h) as a shared library exporting
# caisson_* only, with a pkg-config file.
add_library(caisson_lib SHARED ${CMAKE_SOURCE_DIR}/supervisor/lib.c)
set_target_properties(caisson_lib PROPERTIES OUTPUT_NAME caisson VERSION ${PROJECT_VERSION} SOVERSION 0
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_compile_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson_lib PRIVATE ${CAISSON_SAN_FLAGS}
    -Wl,--version-script=${CMAKE_SOURCE_DIR}/supervisor/libcaisson.map)
target_link_libraries(caisson_lib PRIVATE caisson_sv Threads::Threads)
target_include_directories(caisson_lib INTERFACE ${CMAKE_SOURCE_DIR}/supervisor)
add_dependencies(caisson_lib caisson-zygote)
configure_file(${CMAKE_SOURCE_DIR}/supervisor/caisson.pc.in ${CMAKE_BINARY_DIR}/caisson.pc @ONLY)
install(TARGETS caisson_lib LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/supervisor/caisson.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/caisson.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
