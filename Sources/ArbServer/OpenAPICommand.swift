import ArbEngine
import ArbHTTP
import ArgumentParser

/// `arbitrage openapi`: the control API's OpenAPI 3.1 document (what `openapi/openapi.yaml` holds).
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the control API's OpenAPI 3.1 document (YAML).")

    func run() throws {
        print(try YAMLText.render(OpenAPIDocument.build(version: BuildInfo.version)), terminator: "")
    }
}
