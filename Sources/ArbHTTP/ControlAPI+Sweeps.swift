import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// Sweeps: created from a sweep object, listed, read with their ranking, their runs paged, deleted.
    static func registerSweeps(_ r: inout Router, sweeps: any SweepOperations) {
        r.add("POST", "/sweeps") { request, _ in
            withBody(request) { body in
                return respond(status: 201) {
                    let sweep = try await sweeps.createSweep(body)
                    return (sweep, [("Location", "/sweeps/\(sweep["id"]?.stringValue ?? "")")])
                }
            }
        }
        r.add("GET", "/sweeps") { request, _ in
            answer {
                let q = try Query(request)
                let page = try sweeps.listSweeps(limit: try q.limit(), cursor: q.string("cursor"))
                return (ListBody(page.items, next: page.nextCursor), [])
            }
        }
        r.add("GET", "/sweeps/{sweepId}") { _, p in
            answer { (try sweeps.sweep(id: p["sweepId"]), []) }
        }
        r.add("DELETE", "/sweeps/{sweepId}") { _, p in
            respond(status: 204) {
                try await sweeps.deleteSweep(id: p["sweepId"])
                return (nil as JSONValue?, [])
            }
        }
        r.add("GET", "/sweeps/{sweepId}/runs") { request, p in
            answer {
                let q = try Query(request)
                let page = try sweeps.sweepRuns(id: p["sweepId"], limit: try q.limit(), cursor: q.string("cursor"))
                return (ListBody(page.items, next: page.nextCursor), [])
            }
        }
        r.add("GET", "/sweeps/{sweepId}/runs/{run}/stats") { _, p in
            answer {
                guard let run = Int(p["run"]), run >= 1 else {
                    throw ServiceError.invalid(ConfigError(field: "run", "expected a run number from 1, got \(p["run"])"))
                }
                return (try sweeps.sweepRunStats(id: p["sweepId"], run: run), [])
            }
        }
    }
}
