import ArbCore
import ArbEngine
import ArbLive
import ArbMarketData
import ArgumentParser
import Foundation

/// `arbitrage config validate|defaults|schema|docs`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a campaign config, or print the defaults, the JSON Schema or the reference.",
        subcommands: [Validate.self, Defaults.self, Schema.self, Docs.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a YAML or JSON config file and resolve its universe (a replay's files are read, a live listing fetched); exit 2 naming each bad field.")

        @Argument(help: "Config file (YAML, or JSON when it ends in .json).")
        var file: String

        func run() async throws {
            do {
                let config = try ConfigLoader.load(path: file)
                let sources = StandardSourceFactory(live: LiveSourceFactory(hub: LiveHub()))
                try await sources.prepare(config: config)
                let campaign = try Campaign(config: config, sources: sources)
                print("ok: \(campaign.members.count) route(s), \(config.session.clock.rawValue) clock, \(config.session.maxRuntimeSeconds) s")
            } catch {
                ConfigFailure.report(error)
                throw ExitCode(2)
            }
        }
    }

    struct Defaults: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the config with every default, as JSON.")

        func run() {
            print(ConfigValidator().defaults.rendered())
        }
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the config's JSON Schema (2020-12).")

        func run() {
            print(JSONSchemaExport.document().rendered())
        }
    }

    struct Docs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the config reference (docs/config.md).")

        func run() {
            print(ConfigReference.markdown(), terminator: "")
        }
    }
}

/// Prints config errors on stderr, one field per line.
enum ConfigFailure {
    static func report(_ error: ConfigError) {
        FileHandle.standardError.write(Data("config error:\n".utf8))
        for issue in error.issues {
            FileHandle.standardError.write(Data("  \(issue.field): \(issue.message)\n".utf8))
        }
    }
}
