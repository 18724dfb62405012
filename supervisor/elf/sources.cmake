# The plugin ELF reader (pure) and dependency resolver (reads files).
caisson_static_library(caisson_elf
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_parse.c
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_resolve.c
    ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_trust.c)

# The sonames the built zygote has loaded, as a generated header
# (elf/zygote_sonames.h under CAISSON_GEN_DIR, for supervisor/broker/setup.c): resolving them took a
# one-shot run ~0.3 ms, twice the plugin's own resolution.
add_executable(caisson-sonames-gen ${CMAKE_SOURCE_DIR}/supervisor/elf/elf_sonames_gen.c)
target_link_libraries(caisson-sonames-gen PRIVATE caisson_elf)
set(CAISSON_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_command(OUTPUT ${CAISSON_GEN_DIR}/elf/zygote_sonames.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CAISSON_GEN_DIR}/elf
    COMMAND caisson-sonames-gen $<TARGET_FILE:caisson-zygote> ${CAISSON_GEN_DIR}/elf/zygote_sonames.h
    DEPENDS caisson-sonames-gen caisson-zygote
    COMMENT "Listing the sonames caisson-zygote loads")
add_custom_target(caisson_zygote_sonames DEPENDS ${CAISSON_GEN_DIR}/elf/zygote_sonames.h)
