import ArbCore
import ArbEngine
import ArbTesting
import ArbHTTP
import ArbMarketData
import ArbMetrics
import ArbTestSupport
import Foundation
import Testing

extension HTTPSuites {
@Suite struct OpenAPITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theFileIsTheGeneratedDocument() throws {
        let file = try String(contentsOf: Self.repo.appendingPathComponent("openapi/openapi.yaml"), encoding: .utf8)
        let generated = try YAMLText.render(OpenAPIDocument.build(version: BuildInfo.version))
        #expect(file == generated, "openapi/openapi.yaml is stale: run `arbitrage openapi > openapi/openapi.yaml`")
        // And it reads back to the same document.
        let parsed = try ConfigLoader.yaml(file, path: "openapi.yaml")
        #expect(parsed.rendered(pretty: false) == OpenAPIDocument.build(version: BuildInfo.version).rendered(pretty: false))
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
        let manager = CampaignManager(store: InMemoryCampaignStore(), sources: SyntheticSourceFactory())
        let exposition = MetricsExposition(service: ServiceMetrics(version: "x"), manager: manager)
        var options = ControlAPI.Options(version: "x")
        options.metrics = { await exposition.render() }
        options.sweeps = SweepManager(store: InMemorySweepStore(), makeSources: { SyntheticSourceFactory() })
        let api = ControlAPI(manager: manager, options: options)
        let documented = OpenAPIDocument.operations(OpenAPIDocument.build(version: "x"))
        #expect(api.router.operations == documented)
        #expect(OpenAPIDocument.sweepObjectives == SweepSpec.Objective.allCases.map(\.rawValue))
    }

    @Test func theConfigSchemaIsTheOneTheServiceValidatesWith() {
        let document = OpenAPIDocument.build(version: "x")
        #expect(document.at("components.schemas.CampaignConfig") == JSONSchemaExport.object(CampaignSchema.root))
        #expect(document.at("components.schemas.CampaignChanges.properties.strategy.properties.entry_threshold_bps.minimum")?.doubleValue == -10_000)
    }

    @Test func theServiceServesIt() async throws {
        let s = try Service()
        let port = s.port
        let r = try await offPool { try RawClient.request(port: port, "GET", "/openapi.yaml") }
        #expect(r.status == 200 && r.headers["content-type"] == "application/yaml")
        #expect(r.body.hasPrefix("components:") && r.body.contains("openapi: \"3.1.0\""))
    }
}
}
