import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd, with no knowledge of what it serves: requests in, responses out.
///
/// libmicrohttpd runs its own threads (a pool of polling threads on epoll); `handler` is called on them, one
/// request at a time per thread, once the whole body has arrived. Bodies are capped (`maxBodyBytes`, 413), and
/// connections are limited in number (per process and per client address), in memory and in idle time.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        /// Address to bind: IPv4 (`127.0.0.1`, `0.0.0.0`) or IPv6 (`::1`).
        public var host = "127.0.0.1"
        /// 0 = any free port (read it back from `port` after `start`).
        public var port: UInt16 = 8080
        public var maxBodyBytes = 1 << 20
        /// An oversized body is read and dropped up to this many bytes, so a client that sends its whole body
        /// before reading (no `Expect: 100-continue`) gets the 413 instead of a reset connection; past it the
        /// connection is closed.
        public var maxDiscardedBodyBytes = 64 << 20
        public var connectionLimit: UInt32 = 1024
        public var perClientConnectionLimit: UInt32 = 512
        /// Per-connection buffer for the request line and headers.
        public var connectionMemoryBytes = 64 * 1024
        /// Idle connections are closed after this long.
        public var connectionTimeoutSeconds: UInt32 = 15
        /// Polling threads (libmicrohttpd's thread pool).
        public var threads: UInt32 = 2
        public var listenBacklog: UInt32 = 1024

        public init() {}
    }

    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    public let configuration: Configuration
    let handler: Handler
    /// The daemon's address while running (0 when stopped): a pointer is not `Sendable`, its bits are.
    private let daemon = Mutex<UInt>(0)
    private let boundPort = Atomic<UInt16>(0)

    public init(configuration: Configuration, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The port bound once started.
    public var port: UInt16 { boundPort.load(ordering: .relaxed) }

    /// Connections open now.
    public var currentConnections: Int {
        daemon.withLock { d in OpaquePointer(bitPattern: d).map { Int(cmhd_current_connections($0)) } ?? 0 }
    }

    /// Binds and starts serving. The server must stay referenced until `stop()` returns.
    public func start() throws(HTTPServerError) {
        let c = configuration
        var flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ITC.rawValue)
        var storage = sockaddr_storage()
        let isIPv6 = c.host.contains(":")
        if isIPv6 {
            flags |= UInt32(MHD_USE_IPv6.rawValue)
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = c.port.bigEndian
            guard inet_pton(AF_INET6, c.host, &addr.sin6_addr) == 1 else { throw HTTPServerError("not an IPv6 address: \(c.host)") }
            withUnsafeBytes(of: addr) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = c.port.bigEndian
            guard inet_pton(AF_INET, c.host, &addr.sin_addr) == 1 else { throw HTTPServerError("not an IPv4 address: \(c.host)") }
            withUnsafeBytes(of: addr) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started: OpaquePointer? = withUnsafePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                cmhd_start(flags, c.port, address, HTTPServer.access, context, HTTPServer.completed, nil,
                           c.connectionLimit, c.perClientConnectionLimit, c.connectionMemoryBytes,
                           c.connectionTimeoutSeconds, c.threads > 1 ? c.threads : 0, c.listenBacklog)
            }
        }
        guard let started else {
            throw HTTPServerError("cannot listen on \(c.host):\(c.port) (address in use, not local, or no permission)")
        }
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(started)))
        daemon.withLock { $0 = bits }
        boundPort.store(cmhd_bound_port(started), ordering: .relaxed)
    }

    /// Stops accepting, finishes the requests in progress and joins libmicrohttpd's threads.
    public func stop() {
        let bits = daemon.withLock { d -> UInt in defer { d = 0 }; return d }
        guard let d = OpaquePointer(bitPattern: bits) else { return }
        let listener = MHD_quiesce_daemon(d)
        MHD_stop_daemon(d)
        if listener >= 0 { close(listener) }
    }

    deinit { stop() }
}

/// A request's body as it arrives, owned by libmicrohttpd's per-request slot between calls.
final class RequestState {
    var body: [UInt8] = []
    /// Over the cap: the rest is read and dropped, and the answer is 413.
    var tooLarge = false
    var discarded = 0

    init(tooLarge: Bool = false) { self.tooLarge = tooLarge }
}

extension HTTPServer {
    /// libmicrohttpd's access handler: called once after the headers, once per body chunk, then once more.
    static let access: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, slot in
        guard let cls, let connection, let slot, let uploadSize else { return cmhd_no() }
        let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
        let limit = server.configuration.maxBodyBytes
        guard let raw = slot.pointee else {
            // First call: headers only. A declared oversized body is refused at once when the client waits for
            // `100 Continue` (it never sends the body); otherwise it is read and dropped, up to a bound, because
            // closing on a client still sending resets its socket before it reads the 413.
            var tooLarge = false
            if let length = cmhd_header(connection, "Content-Length").map({ String(cString: $0) }),
               let declared = Int(length), declared > limit {
                let expects = cmhd_header(connection, "Expect").map { String(cString: $0).lowercased() } == "100-continue"
                if expects || declared > server.configuration.maxDiscardedBodyBytes {
                    return queue(connection, server.tooLarge(limit))
                }
                tooLarge = true
            }
            slot.pointee = Unmanaged.passRetained(RequestState(tooLarge: tooLarge)).toOpaque()
            return cmhd_yes()
        }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if !state.tooLarge, let uploadData {
                if state.body.count + uploadSize.pointee > limit {
                    state.tooLarge = true
                    state.discarded = state.body.count
                    state.body = []
                } else {
                    uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                        state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
                    }
                }
            }
            if state.tooLarge {
                state.discarded += uploadSize.pointee
                // libmicrohttpd takes no response while a body is arriving: past the bound, close.
                if state.discarded > server.configuration.maxDiscardedBodyBytes { return cmhd_no() }
            }
            uploadSize.pointee = 0
            return cmhd_yes()
        }
        if state.tooLarge { return queue(connection, server.tooLarge(limit)) }
        var request = HTTPRequest(method: method.map { String(cString: $0) } ?? "GET",
                                  path: url.map { String(cString: $0) } ?? "/", body: state.body)
        let fields = FieldCollector()
        let collector = Unmanaged.passUnretained(fields).toOpaque()
        _ = cmhd_iterate_headers(connection, FieldCollector.collect, collector)
        request.headers = fields.values
        fields.values = [:]
        fields.lowercase = false
        _ = cmhd_iterate_query(connection, FieldCollector.collect, collector)
        request.query = fields.values
        return queue(connection, server.handler(request))
    }

    /// Frees a request's state whatever way it ended.
    static let completed: MHD_RequestCompletedCallback = { _, _, slot, _ in
        guard let slot, let raw = slot.pointee else { return }
        Unmanaged<RequestState>.fromOpaque(raw).release()
        slot.pointee = nil
    }

    func tooLarge(_ limit: Int) -> HTTPResponse {
        HTTPResponse(status: 413, contentType: "application/problem+json", body: """
        {"type":"about:blank","title":"Payload Too Large","status":413,"detail":"request body is larger than \(limit) bytes"}
        """)
    }

    static func queue(_ connection: OpaquePointer, _ response: HTTPResponse) -> MHD_Result {
        let r: OpaquePointer? = response.body.withUnsafeBytes { cmhd_response_copy($0.count, $0.baseAddress) }
        guard let r else { return cmhd_no() }
        defer { MHD_destroy_response(r) }
        for (name, value) in response.headers { _ = MHD_add_response_header(r, name, value) }
        return MHD_queue_response(connection, UInt32(response.status), r)
    }
}

/// Gathers a connection's key/value pairs through libmicrohttpd's iterator.
final class FieldCollector {
    var values: [String: String] = [:]
    var lowercase = true

    static let collect: MHD_KeyValueIterator = { cls, _, key, value in
        guard let cls, let key else { return cmhd_yes() }
        let collector = Unmanaged<FieldCollector>.fromOpaque(cls).takeUnretainedValue()
        let name = String(cString: key)
        collector.values[collector.lowercase ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
        return cmhd_yes()
    }
}
