# supervisor/cli/: the caisson command, one file per subcommand.
add_executable(caisson
    ${CMAKE_SOURCE_DIR}/supervisor/cli/main.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cli_args.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/run_io.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_run.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_exec.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_profile.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_verify.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_fuzz.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/cmd_serve.c
    ${CMAKE_SOURCE_DIR}/supervisor/cli/interrupt.c)
target_compile_definitions(caisson PRIVATE CAISSON_VERSION="${PROJECT_VERSION}"
    CAISSON_LIBEXECDIR="${CAISSON_LIBEXECDIR}")
target_compile_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_options(caisson PRIVATE ${CAISSON_SAN_FLAGS})
target_link_libraries(caisson PRIVATE caisson_verify caisson_verify_fmt caisson_fuzz caisson_serve caisson_dep_cap)
# Third-party libraries as archives (CAISSON_STATIC_DEPS in CMakeLists.txt).
set_target_properties(caisson PROPERTIES CAISSON_STATIC_DEPS ${CAISSON_STATIC_DEPS})
set_target_properties(caisson PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
add_dependencies(caisson caisson-zygote caisson-probes)
install(TARGETS caisson DESTINATION ${CMAKE_INSTALL_BINDIR})
