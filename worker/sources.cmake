# worker/: the caisson-zygote image every worker is cloned from, and the
# worker lockdown and runtime that run in each clone. Never sanitized with
# ASan (see CMakeLists.txt); exports only the plugin ABI to plugins, and the SanitizerCoverage
# runtime to libFuzzer harnesses (wk_cov.c).
add_executable(caisson-zygote
    ${CMAKE_SOURCE_DIR}/worker/zygote.c
    ${CMAKE_SOURCE_DIR}/worker/zy_reap.c
    ${CMAKE_SOURCE_DIR}/worker/wk_lockdown.c
    ${CMAKE_SOURCE_DIR}/worker/wk_userns.c
    ${CMAKE_SOURCE_DIR}/worker/wk_keyring.c
    ${CMAKE_SOURCE_DIR}/worker/wk_mount.c
    ${CMAKE_SOURCE_DIR}/worker/wk_caps.c
    ${CMAKE_SOURCE_DIR}/worker/wk_rlimit.c
    ${CMAKE_SOURCE_DIR}/worker/wk_fds.c
    ${CMAKE_SOURCE_DIR}/worker/wk_landlock.c
    ${CMAKE_SOURCE_DIR}/worker/wk_seccomp.c
    ${CMAKE_SOURCE_DIR}/worker/wk_runtime.c
    ${CMAKE_SOURCE_DIR}/worker/wk_exec.c
    ${CMAKE_SOURCE_DIR}/worker/wk_cov.c
    ${CAISSON_IPC_SOURCES})
target_include_directories(caisson-zygote PRIVATE ${CAISSON_INCLUDE_DIRS})
target_compile_options(caisson-zygote PRIVATE ${CAISSON_WORKER_SAN_FLAGS})
target_link_options(caisson-zygote PRIVATE ${CAISSON_WORKER_SAN_FLAGS}
    -Wl,--dynamic-list=${CMAKE_SOURCE_DIR}/worker/exports.list)
target_link_libraries(caisson-zygote PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(caisson-zygote PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
install(TARGETS caisson-zygote DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/caisson)
install(FILES ${CMAKE_SOURCE_DIR}/worker/caisson_plugin.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
include(${CMAKE_SOURCE_DIR}/worker/probes/probes.cmake)
