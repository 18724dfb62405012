# supervisor/serve/: caisson serve, the daemon (pools from a config, HTTP on
# a UNIX socket with evhttp, peer-credential authorisation, metrics, JSON logs).
caisson_static_library(caisson_serve
    ${CMAKE_SOURCE_DIR}/supervisor/serve/serve.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_config.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_config_keys.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_ids.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_listen.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_pools.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_reload.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_systemd.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_reap.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_peer.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_http.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_args.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_reply.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_conn.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_api.c
    ${CMAKE_SOURCE_DIR}/supervisor/serve/srv_log.c)
# libsystemd: its header only; srv_systemd.c loads the library with dlopen.
target_include_directories(caisson_serve PRIVATE ${SYSTEMD_INCLUDE_DIRS})
target_link_libraries(caisson_serve PUBLIC caisson_sv caisson_dep_inih PkgConfig::JANSSON caisson_dep_event
                      ${CMAKE_DL_LIBS})
