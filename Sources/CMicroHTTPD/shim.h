// The libmicrohttpd C API as Swift can call it. Only what Swift cannot reach directly is wrapped here, each
// shim prefixed `cmhd_` with the reason it exists; everything else is called as is from MicroHTTPD.
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

// MHD_start_daemon is variadic, which Swift cannot call: one fixed signature for the options we use.
// `thread_pool_size` > 1 starts a pool of polling threads (internal polling thread mode only).
static inline struct MHD_Daemon *cmhd_start(unsigned int flags, uint16_t port, const struct sockaddr *address,
                                            MHD_AccessHandlerCallback handler, void *handler_cls,
                                            MHD_RequestCompletedCallback completed, void *completed_cls,
                                            unsigned int connection_limit, unsigned int per_ip_limit,
                                            size_t memory_limit, unsigned int timeout_seconds,
                                            unsigned int thread_pool_size, unsigned int backlog) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, backlog,
                            MHD_OPTION_END);
}

// MHD_get_daemon_info is variadic too: the port the daemon bound (for port 0).
static inline uint16_t cmhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

// Connections open now (variadic MHD_get_daemon_info).
static inline unsigned int cmhd_current_connections(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

// MHD_Result is a closed enum whose Swift spelling is not stable across importers: name its two values.
static inline enum MHD_Result cmhd_yes(void) { return MHD_YES; }
static inline enum MHD_Result cmhd_no(void) { return MHD_NO; }
static inline int cmhd_is_yes(enum MHD_Result r) { return r == MHD_YES; }

// A response that copies Swift-owned bytes at once (0.9.75 has no MHD_create_response_from_buffer_copy).
static inline struct MHD_Response *cmhd_response_copy(size_t size, const void *data) {
    return MHD_create_response_from_buffer(size, (void *)data, MHD_RESPMEM_MUST_COPY);
}

// MHD_ValueKind is a closed enum: pass the kinds we read as plain flags.
static inline int cmhd_iterate_headers(struct MHD_Connection *c, MHD_KeyValueIterator it, void *cls) {
    return MHD_get_connection_values(c, MHD_HEADER_KIND, it, cls);
}
static inline int cmhd_iterate_query(struct MHD_Connection *c, MHD_KeyValueIterator it, void *cls) {
    return MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, it, cls);
}
static inline const char *cmhd_header(struct MHD_Connection *c, const char *name) {
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

#endif
