import Foundation

/// A new, empty directory under the system's temporary directory, named `<prefix>-<uuid>`.
public func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
