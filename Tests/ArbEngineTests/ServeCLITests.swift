import ArbCore
import ArbStore
import ArbTestSupport
import Foundation
import Testing

extension CampaignSuites {
@Suite struct ServeCLITests {
    @Test func sigtermStopsRunningCampaignsAndExitsZero() async throws {
        let serve = try await offPool { try ServeProcess.start() }
        #expect(serve.port != 0, "\(serve.log)")
        let port = serve.port
        let body = Array(#"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "session": {"max_runtime_seconds": 120}}"#.utf8)
        let created = try await offPool {
            try RawClient.request(port: port, "POST", "/campaigns", headers: ["Content-Type": "application/json"], body: body)
        }
        #expect(created.status == 201)
        try await Task.sleep(for: .milliseconds(300))
        let status = try await offPool { serve.terminate() }
        #expect(status == 0)
        #expect(serve.log.contains("shutting down") && serve.log.contains("status=stopped") && serve.log.contains("stopped"))
    }

    @Test func flagsComeFromTheEnvironmentAndBadValuesAreNamed() async throws {
        let tokenFile = try temporaryFile("token", "  tok-123\n")
        let serve = try await offPool {
            try ServeProcess.start([], environment: ["ARBITRAGE_API_TOKEN_FILE": tokenFile, "ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS": "2"])
        }
        let port = serve.port
        let anonymous = try await offPool { try RawClient.request(port: port, "POST", "/campaigns") }
        #expect(anonymous.status == 401)
        let authorized = try await offPool {
            try RawClient.request(port: port, "POST", "/universe/preview", headers: ["Authorization": "Bearer tok-123"])
        }
        #expect(authorized.status == 200)
        #expect(serve.log.contains("max_concurrent_campaigns=2") && serve.log.contains("auth=bearer token"))
        #expect(!serve.log.contains("tok-123"))
        #expect(try await offPool { serve.terminate() } == 0)

        let (badEnv, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", NSTemporaryDirectory()],
                                                environment: ["ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS": "lots"])
        #expect(badEnv == 2 && err.contains("ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS"))
        let (badFile, _, fileErr) = try await runCLI(["serve", "--api-token-file", "/nonexistent/token", "--data-dir", NSTemporaryDirectory()])
        #expect(badFile == 2 && fileErr.contains("--api-token-file"))
    }

    @Test func theDataDirectoryIsCheckedAtStartAndByReadiness() async throws {
        let (status, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", "/etc/hostname/data"])
        #expect(status == 2 && err.contains("--data-dir"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arb-ready-\(UUID().uuidString)").path
        let serve = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let port = serve.port
        #expect(FileManager.default.fileExists(atPath: dir))
        #expect(try await offPool { try RawClient.request(port: port, "GET", "/readyz") }.status == 200)
        try FileManager.default.removeItem(atPath: dir)
        let unready = try await offPool { try RawClient.request(port: port, "GET", "/readyz") }
        #expect(unready.status == 503 && unready.body.contains("not writable"))
        #expect(try await offPool { try RawClient.request(port: port, "GET", "/healthz") }.status == 200)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(try await offPool { try RawClient.request(port: port, "GET", "/readyz") }.status == 200)
        #expect(try await offPool { serve.terminate() } == 0)
    }

    @Test func killedMidCampaignItsRecordsSurviveAndItIsInterrupted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arb-kill-\(UUID().uuidString)").path
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        var port = first.port
        let body = Array(#"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -30}, "multi_symbol_risk_guard": {"cooldown_seconds": 0}, "market_data": {"updates_per_second": 20}, "session": {"max_runtime_seconds": 60}}"#.utf8)
        let created = try await offPool { [port] in
            try RawClient.request(port: port, "POST", "/campaigns", headers: ["Content-Type": "application/json"], body: body)
        }
        let id = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(created.body.utf8))["id"]?.stringValue)
        var listed: [String] = []
        for _ in 0..<100 where listed.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            let page = try await offPool { [port] in try RawClient.request(port: port, "GET", "/campaigns/\(id)/trades?limit=1000") }
            listed = (try JSONDecoder().decode(JSONValue.self, from: Data(page.body.utf8))["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        }
        #expect(!listed.isEmpty)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        let second = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        port = second.port
        let record = try await offPool { [port] in try RawClient.request(port: port, "GET", "/campaigns/\(id)") }
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(record.body.utf8))["status"] == "interrupted")
        let after = try await offPool { [port] in try RawClient.request(port: port, "GET", "/campaigns/\(id)/trades?limit=1000") }
        let ids = (try JSONDecoder().decode(JSONValue.self, from: Data(after.body.utf8))["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        #expect(Set(listed).isSubset(of: Set(ids)) && Set(ids).count == ids.count)
        #expect(second.log.contains("interrupted"))
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try await SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func aBusyPortIsAClearFailure() async throws {
        let first = try await offPool { try ServeProcess.start() }
        let (status, _, err) = try await runCLI(["serve", "--port", "\(first.port)", "--data-dir", NSTemporaryDirectory()])
        #expect(status == 1 && err.contains("cannot listen"))
        #expect(try await offPool { first.terminate() } == 0)
    }
}
}
