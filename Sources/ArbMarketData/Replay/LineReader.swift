#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CZlib

/// An error opening or reading a market-data file, naming it.
public struct MarketFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Reads a file line by line, plain or gzip (told apart by the gzip magic bytes, not the name), without an
/// allocation per line: each line is lent to the caller as bytes, without its `\n` (and `\r`).
///
/// Owned by one reader at a time (a replay source moves between tasks but is never shared).
public final class LineReader: @unchecked Sendable {
    public let path: String
    /// Number of the line last returned (1-based).
    public private(set) var lineNumber = 0
    /// Bytes read from the file so far (compressed bytes for gzip).
    public private(set) var fileBytesRead = 0

    private let fd: Int32
    private let gzip: Bool
    private var stream = z_stream()
    private var raw: [UInt8]
    private var rawStart = 0, rawEnd = 0
    private var buffer: [UInt8]
    private var start = 0, end = 0
    private var eof = false
    private var inflateDone = false

    /// Lines longer than this are cut into pieces (and then fail to parse): a guard against a file with no line
    /// ends at all.
    public static let maxLineBytes = 1 << 20

    public init(path: String) throws(MarketFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MarketFileError(path: path, String(cString: strerror(errno))) }
        self.fd = fd
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw MarketFileError(path: path, "is a directory")
        }
        var raw = [UInt8](repeating: 0, count: 1 << 16)
        buffer = [UInt8](repeating: 0, count: 1 << 17)
        // Sniff the gzip magic.
        let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        self.raw = raw
        if n < 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw MarketFileError(path: path, message)
        }
        rawEnd = n
        fileBytesRead = n
        gzip = n >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
        if gzip {
            guard arb_inflate_init_gzip(&stream) == Z_OK else {
                // Fully initialized: deinit closes the file.
                throw MarketFileError(path: path, "cannot start gzip decompression")
            }
        } else {
            // Plain: the sniffed bytes are the first data.
            buffer.replaceSubrange(0..<n, with: raw[0..<n])
            end = n
            rawEnd = 0
        }
    }

    deinit {
        if gzip { inflateEnd(&stream) }
        close(fd)
    }

    /// Calls `body` with the next line; nil at the end of the file. Throws on a read or gzip error.
    public func nextLine<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        while true {
            if let newline = findNewline() {
                var lineEnd = newline
                if lineEnd > start && buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                let lineStart = start
                start = newline + 1
                lineNumber += 1
                return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
            }
            if end - start >= Self.maxLineBytes {
                // No line end within the limit: hand out what there is as one (bad) line.
                let lineStart = start
                start = end
                lineNumber += 1
                return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<end])) }
            }
            if eof {
                guard start < end else { return nil }
                let lineStart = start
                start = end
                lineNumber += 1
                return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<end])) }
            }
            try fill()
        }
    }

    /// Skips `count` lines (a resume continuing where a checkpoint left off).
    public func skipLines(_ count: Int) throws {
        for _ in 0..<count where try nextLine({ _ in () }) == nil { return }
    }

    private func findNewline() -> Int? {
        buffer.withUnsafeBytes { bytes -> Int? in
            guard start < end, let base = bytes.baseAddress else { return nil }
            guard let hit = memchr(base + start, 10, end - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Moves the unread tail to the front, grows the buffer if a line needs it, and reads more.
    private func fill() throws {
        if start > 0 {
            let tail = end - start
            if tail > 0 { buffer.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<end])) } }
            start = 0
            end = tail
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        if gzip { try inflateMore() } else { try readPlain() }
    }

    private func readPlain() throws {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + end, $0.count - end) }
        if n < 0 { throw MarketFileError(path: path, String(cString: strerror(errno))) }
        if n == 0 { eof = true }
        end += n
        fileBytesRead += n
    }

    private func inflateMore() throws {
        if inflateDone {
            // A gzip file may hold several members back to back; go on while input remains.
            if try rawStart == rawEnd && !readRaw() { eof = true; return }
            inflateReset(&stream)
            inflateDone = false
        }
        if try rawStart == rawEnd && !readRaw() {
            throw MarketFileError(path: path, "gzip data ends early (truncated file)")
        }
        let status: Int32 = raw.withUnsafeMutableBytes { rawBytes in
            buffer.withUnsafeMutableBytes { out in
                stream.next_in = rawBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + rawStart
                stream.avail_in = uInt(rawEnd - rawStart)
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self) + end
                stream.avail_out = uInt(out.count - end)
                let status = inflate(&stream, Z_NO_FLUSH)
                rawStart = rawEnd - Int(stream.avail_in)
                end = out.count - Int(stream.avail_out)
                return status
            }
        }
        switch status {
        case Z_OK, Z_BUF_ERROR: break
        case Z_STREAM_END: inflateDone = true
        default: throw MarketFileError(path: path, "corrupt gzip data (zlib error \(status))")
        }
    }

    /// Reads more compressed input; false at the end of the file.
    private func readRaw() throws -> Bool {
        let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw MarketFileError(path: path, String(cString: strerror(errno))) }
        rawStart = 0
        rawEnd = n
        fileBytesRead += n
        return n > 0
    }
}
