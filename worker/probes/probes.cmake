# worker/probes/: caisson-probes.so, the containment probes `caisson verify`
# runs inside workers of the profile under test. Built like a third-party
# plugin (the ABI header and libc only), placed beside the caisson binary
# where cmd_verify looks for it first, and installed with the zygote.
add_library(caisson-probes MODULE
    ${CMAKE_SOURCE_DIR}/worker/probes/caisson_probes.c
    ${CMAKE_SOURCE_DIR}/worker/probes/probes_fs.c
    ${CMAKE_SOURCE_DIR}/worker/probes/probes_data.c
    ${CMAKE_SOURCE_DIR}/worker/probes/probes_net.c
    ${CMAKE_SOURCE_DIR}/worker/probes/probes_sys.c
    ${CMAKE_SOURCE_DIR}/worker/probes/probes_bombs.c)
set_target_properties(caisson-probes PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_include_directories(caisson-probes PRIVATE ${CMAKE_SOURCE_DIR}/worker ${CMAKE_SOURCE_DIR}/worker/probes)
install(TARGETS caisson-probes LIBRARY DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/caisson)
