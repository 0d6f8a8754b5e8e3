import ArbTestSupport
import Foundation
import MicroHTTPD
import Testing

@Suite(.serialized) struct HTTPServerTests {
    /// Echoes what it received as text lines.
    static func echo(_ r: HTTPRequest) -> HTTPResponse {
        let text = """
        method=\(r.method)
        path=\(r.path)
        query=\(r.query.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        x-test=\(r.header("X-Test") ?? "-")
        bytes=\(r.body.count)
        sum=\(r.body.reduce(0) { $0 &+ Int($1) })
        """
        return HTTPResponse(status: r.path == "/missing" ? 404 : 200, headers: [("Content-Type", "text/plain"), ("X-Reply", "yes")],
                            body: Array(text.utf8))
    }

    func withServer(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                    _ body: (HTTPServer) throws -> Void) throws {
        var c = HTTPServer.Configuration()
        c.port = 0
        configure(&c)
        let server = HTTPServer(configuration: c, handler: Self.echo)
        try server.start()
        defer { server.stop() }
        #expect(server.port != 0)
        try body(server)
    }

    @Test func servesRequestsOnAPortFromTheOS() throws {
        try withServer { server in
            let r = try RawClient.request(port: server.port, "GET", "/a/b?x=1&y=hello%20world", headers: ["X-Test": "t"])
            #expect(r.status == 200)
            #expect(r.headers["x-reply"] == "yes" && r.headers["content-type"] == "text/plain")
            #expect(r.body.contains("method=GET") && r.body.contains("path=/a/b"))
            #expect(r.body.contains("query=x:1,y:hello world") && r.body.contains("x-test=t"))
            #expect(try RawClient.request(port: server.port, "DELETE", "/missing").status == 404)
        }
    }

    @Test func accumulatesBodiesUpToTheCap() throws {
        try withServer({ $0.maxBodyBytes = 300_000 }) { server in
            let body = (0..<250_000).map { UInt8($0 % 251) }
            let r = try RawClient.request(port: server.port, "POST", "/upload", body: body)
            #expect(r.status == 200)
            #expect(r.body.contains("bytes=250000") && r.body.contains("sum=\(body.reduce(0) { $0 &+ Int($1) })"))
        }
    }

    @Test func refusesOversizedBodies() throws {
        try withServer({ $0.maxBodyBytes = 1_000 }) { server in
            // Declared too large: refused before the body is read.
            let declared = try RawClient.request(port: server.port, "POST", "/upload", body: [UInt8](repeating: 65, count: 5_000))
            #expect(declared.status == 413 && declared.headers["content-type"] == "application/problem+json")
            // Chunked, no length: refused once it passes the cap.
            let client = try RawClient(port: server.port)
            defer { client.close() }
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<3 { client.send("200\r\n" + String(repeating: "B", count: 512) + "\r\n") }
            client.send("0\r\n\r\n")
            #expect(RawClient.parse(client.readAll()).status == 413)
            // The server is fine afterwards.
            #expect(try RawClient.request(port: server.port, "GET", "/").status == 200)
        }
    }

    @Test func oversizedBodiesSentWholeGetTheirAnswer() throws {
        // A client that writes its whole body before reading (no `Expect: 100-continue`), as urllib does: every
        // one of 20 in a row sends all of it without a broken pipe or a reset, then reads its 413.
        try withServer({ $0.maxBodyBytes = 1 << 20 }) { server in
            let body = [UInt8](repeating: 0x7b, count: 2 << 20)
            var outcomes: [String] = []
            for _ in 0..<20 {
                let client = try RawClient(port: server.port)
                defer { client.close() }
                let head = "POST /campaigns HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n"
                let sent = client.send(Array(head.utf8) + body)
                let status = RawClient.parse(client.readAll()).status
                outcomes.append("sent=\(sent) status=\(status)")
            }
            #expect(outcomes == Array(repeating: "sent=true status=413", count: 20))
        }
    }

    @Test func oversizedBodiesPastTheDiscardBoundCloseTheConnection() throws {
        try withServer({ $0.maxBodyBytes = 1_000; $0.maxDiscardedBodyBytes = 100_000 }) { server in
            // Declared past the bound: answered at once, nothing is read.
            let declared = try RawClient.request(port: server.port, "POST", "/upload", body: [UInt8](repeating: 65, count: 200_000))
            #expect(declared.status == 413)
            // Chunked past the bound: the connection is closed without an answer.
            let client = try RawClient(port: server.port)
            defer { client.close() }
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<300 { client.send("400\r\n" + String(repeating: "B", count: 1024) + "\r\n") }
            #expect(RawClient.parse(client.readAll()).status == 0)
            #expect(try RawClient.request(port: server.port, "GET", "/").status == 200)
        }
    }

    @Test func aClientWaitingForContinueIsRefusedBeforeSending() throws {
        try withServer({ $0.maxBodyBytes = 1_000 }) { server in
            let client = try RawClient(port: server.port)
            defer { client.close() }
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            // No body is sent: the answer comes anyway.
            let r = RawClient.parse(client.readAll())
            #expect(r.status == 413 && r.body.contains("larger than 1000 bytes"))
        }
    }

    @Test func idleConnectionsDoNotBlockOthersAndTimeOut() throws {
        try withServer({ $0.connectionTimeoutSeconds = 1 }) { server in
            let idle = try (0..<200).map { _ in try RawClient(port: server.port) }
            defer { idle.forEach { $0.close() } }
            for _ in 0..<5 { #expect(try RawClient.request(port: server.port, "GET", "/").status == 200) }
            // Idle sockets are closed by the server after the connection timeout.
            #expect(idle.prefix(10).allSatisfy { $0.isClosed(within: 5) })
        }
    }

    @Test func concurrentClientsAllGetAnswers() throws {
        try withServer { server in
            let port = server.port
            let ok = ManagedAtomicCounter()
            DispatchQueue.concurrentPerform(iterations: 64) { i in
                if let r = try? RawClient.request(port: port, "GET", "/n?i=\(i)"), r.status == 200, r.body.contains("i:\(i)") {
                    ok.increment()
                }
            }
            #expect(ok.value == 64)
        }
    }

    @Test func stopClosesTheListener() throws {
        var c = HTTPServer.Configuration()
        c.port = 0
        let token = "server-\(UInt64.random(in: 0 ... .max))"
        let server = HTTPServer(configuration: c) { _ in HTTPResponse(status: 200, body: Array(token.utf8)) }
        try server.start()
        let port = server.port
        #expect(try RawClient.request(port: port, "GET", "/").body == token)
        server.stop()
        // Tests run in parallel: another server may take the freed port at once, so the check is that this
        // server no longer answers on it (the connection is refused, or someone else answers).
        let after = try? RawClient.request(port: port, "GET", "/")
        #expect(after?.body != token)
    }

    @Test func aBusyPortIsAClearError() throws {
        try withServer { server in
            var c = HTTPServer.Configuration()
            c.port = server.port
            let second = HTTPServer(configuration: c, handler: Self.echo)
            #expect(throws: HTTPServerError.self) { try second.start() }
            var bad = HTTPServer.Configuration()
            bad.host = "not-an-address"
            #expect(throws: HTTPServerError.self) { try HTTPServer(configuration: bad, handler: Self.echo).start() }
        }
    }
}

/// A thread-safe counter for tests.
final class ManagedAtomicCounter: @unchecked Sendable {
    // Guarded by `lock`.
    private var count = 0
    private let lock = NSLock()
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
