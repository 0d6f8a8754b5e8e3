import ArbCore
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

        let (badEnv, _, err) = try await runCLI(["serve", "--port", "0"], environment: ["ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS": "lots"])
        #expect(badEnv == 2 && err.contains("ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS"))
        let (badFile, _, fileErr) = try await runCLI(["serve", "--api-token-file", "/nonexistent/token"])
        #expect(badFile == 2 && fileErr.contains("--api-token-file"))
    }

    @Test func aBusyPortIsAClearFailure() async throws {
        let first = try await offPool { try ServeProcess.start() }
        let (status, _, err) = try await runCLI(["serve", "--port", "\(first.port)"])
        #expect(status == 1 && err.contains("cannot listen"))
        #expect(try await offPool { first.terminate() } == 0)
    }
}
}
