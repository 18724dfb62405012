# supervisor/: profiles and policy (caisson_policy), the ELF resolver
# (caisson_elf), the supervisor core (caisson_sv) and the caisson CLI.
include(${CMAKE_SOURCE_DIR}/supervisor/policy.cmake)
include(${CMAKE_SOURCE_DIR}/supervisor/elf.cmake)

add_library(caisson_sv STATIC
    ${CMAKE_SOURCE_DIR}/supervisor/sv.c
    ${CMAKE_SOURCE_DIR}/supervisor/zyg.c
    ${CMAKE_SOURCE_DIR}/supervisor/sysfmt.c
    ${CMAKE_SOURCE_DIR}/supervisor/setup.c)
target_include_directories(caisson_sv PUBLIC ${CAISSON_INCLUDE_DIRS})
target_compile_definitions(caisson_sv PRIVATE CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}")
target_compile_options(caisson_sv PRIVATE ${CAISSON_SAN_FLAGS})
target_link_libraries(caisson_sv PUBLIC caisson_policy caisson_elf caisson_ipc
    PkgConfig::LIBEVENT PkgConfig::SECCOMP)

add_executable(caisson
    ${CMAKE_SOURCE_DIR}/supervisor/main.c
    ${CMAKE_SOURCE_DIR}/supervisor/cmd_run.c
    ${CMAKE_SOURCE_DIR}/supervisor/cmd_profile.c)
target_compile_definitions(caisson PRIVATE CAISSON_VERSION="${PROJECT_VERSION}")
target_compile_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_libraries(caisson PRIVATE caisson_sv)
set_target_properties(caisson PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
add_dependencies(caisson caisson-zygote)
install(TARGETS caisson DESTINATION ${CMAKE_INSTALL_BINDIR})
