import ArbCore
import ArbStore
import ArbTestSupport
import Foundation
import Testing

extension CampaignSuites {
@Suite struct ServeCLITests {
    @Test func flagsComeFromTheEnvironmentAndBadValuesAreNamed() async throws {
        let tokenFile = try temporaryFile("token", "  tok-123\n")
        let serve = try await offPool {
            try ServeProcess.start([], environment: ["ARBITRAGE_API_TOKEN_FILE": tokenFile, "ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS": "2",
                                                     "ARBITRAGE_REST_SHARE": "0.25"])
        }
        let port = serve.port
        let anonymous = try await offPool { try RawClient.request(port: port, "POST", "/campaigns") }
        #expect(anonymous.status == 401)
        let authorized = try await offPool {
            try RawClient.request(port: port, "POST", "/universe/preview", headers: ["Authorization": "Bearer tok-123"])
        }
        #expect(authorized.status == 200)
        #expect(serve.log.contains("max_concurrent_campaigns=2") && serve.log.contains("auth=bearer token"))
        #expect(serve.log.contains("rest_share=0.25"))
        #expect(!serve.log.contains("tok-123"))
        #expect(try await offPool { serve.terminate() } == 0)

        let (badEnv, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", NSTemporaryDirectory()],
                                                environment: ["ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS": "lots"])
        #expect(badEnv == 2 && err.contains("ARBITRAGE_MAX_CONCURRENT_CAMPAIGNS"))
        let (badFile, _, fileErr) = try await runCLI(["serve", "--api-token-file", "/nonexistent/token", "--data-dir", NSTemporaryDirectory()])
        #expect(badFile == 2 && fileErr.contains("--api-token-file"))
        // The REST share: a fraction of the venues' limits, in (0, 1], for serve, run and record alike.
        let (badShare, _, shareErr) = try await runCLI(["serve", "--port", "0", "--rest-share", "1.5", "--data-dir", NSTemporaryDirectory()])
        #expect(badShare == 2 && shareErr.contains("--rest-share") && shareErr.contains("(0, 1]"), "\(shareErr)")
        let config = try temporaryFile("run.yaml", "session: {max_runtime_seconds: 1}\n")
        let (badRun, _, runErr) = try await runCLI(["run", config], environment: ["ARBITRAGE_REST_SHARE": "half"])
        #expect(badRun == 2 && runErr.contains("ARBITRAGE_REST_SHARE") && runErr.contains("not a number"), "\(runErr)")
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

    @Test func aBusyPortIsAClearFailure() async throws {
        let first = try await offPool { try ServeProcess.start() }
        let (status, _, err) = try await runCLI(["serve", "--port", "\(first.port)", "--data-dir", NSTemporaryDirectory()])
        #expect(status == 1 && err.contains("cannot listen"))
        #expect(try await offPool { first.terminate() } == 0)
    }
}
}
