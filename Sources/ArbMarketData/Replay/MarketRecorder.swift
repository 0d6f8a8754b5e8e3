#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore
import CZlib

/// Writes lines to a file, buffered, gzip-compressed when asked.
public final class LineFileWriter {
    public let path: String
    private let fd: Int32
    private let gzip: Bool
    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var compressed = [UInt8](repeating: 0, count: 1 << 16)
    private var closed = false
    /// Bytes written to the file so far.
    public private(set) var bytesWritten = 0

    public init(path: String, gzip: Bool) throws(MarketFileError) {
        self.path = path
        self.gzip = gzip
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MarketFileError(path: path, String(cString: strerror(errno))) }
        self.fd = fd
        pending.reserveCapacity(1 << 17)
        if gzip && arb_deflate_init_gzip(&stream, 6) != Z_OK {
            throw MarketFileError(path: path, "cannot start gzip compression")
        }
    }

    deinit {
        if gzip { deflateEnd(&stream) }
        close(fd)
    }

    /// Appends one line (its newline added).
    public func write(line: String) throws(MarketFileError) {
        pending.append(contentsOf: line.utf8)
        pending.append(0x0a)
        if pending.count >= 1 << 16 { try flush(finish: false) }
    }

    /// Appends one line built in place by `body` (its newline added).
    public func write(_ body: (inout [UInt8]) -> Void) throws(MarketFileError) {
        body(&pending)
        pending.append(0x0a)
        if pending.count >= 1 << 16 { try flush(finish: false) }
    }

    /// Writes what is buffered, ends the gzip stream, and syncs the file.
    public func finish() throws(MarketFileError) {
        guard !closed else { return }
        closed = true
        try flush(finish: true)
        if fsync(fd) != 0 { throw MarketFileError(path: path, String(cString: strerror(errno))) }
    }

    private func flush(finish: Bool) throws(MarketFileError) {
        if gzip {
            try deflatePending(finish: finish)
        } else {
            try writeAll(pending[...])
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func deflatePending(finish: Bool) throws(MarketFileError) {
        var status = Z_OK
        var input = pending
        var failure: MarketFileError?
        input.withUnsafeMutableBytes { inBytes in
            stream.next_in = inBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(inBytes.count)
            repeat {
                let produced: Int = compressed.withUnsafeMutableBytes { out in
                    stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    status = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status != Z_STREAM_ERROR else { failure = MarketFileError(path: path, "gzip compression failed"); return }
                do throws(MarketFileError) { try writeAll(compressed[0..<produced]) } catch { failure = error; return }
            } while stream.avail_out == 0 || (finish && status != Z_STREAM_END)
        }
        if let failure { throw failure }
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>) throws(MarketFileError) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + (offset - bytes.startIndex), bytes.endIndex - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MarketFileError(path: path, String(cString: strerror(errno)))
            }
            offset += n
            bytesWritten += n
        }
    }
}

/// Records a source's stream as JSONL (`MarketJSONL`): after each book the source writes into the store, the
/// book as stored.
public struct MarketRecorder {
    public let names: MarketMap
    public let writer: LineFileWriter
    /// Books written.
    public private(set) var books = 0

    /// Opens `path` (gzip when it ends in `.gz`) and writes the header.
    public init(path: String, names: MarketMap, source: String, extra: [(String, String)]) throws(MarketFileError) {
        self.names = names
        writer = try LineFileWriter(path: path, gzip: path.hasSuffix(".gz"))
        let markets = names.readMarkets.map { (venue: names.keys[$0].venue, symbol: names.keys[$0].symbol) }
        try writer.write(line: MarketJSONL.header(source: source, markets: markets, extra: extra))
    }

    /// Writes market `market`'s newest book from `store`.
    public mutating func record(market: Int, from store: SnapshotStore) throws(MarketFileError) {
        let snapshot = store.read(market)
        let name = names.keys[market]
        let event = MarketEvent(venue: name.venue, symbol: name.symbol, timeNs: snapshot.receiveTimeNs,
                                exchangeTimeNs: snapshot.exchangeTimeNs, bids: snapshot.bids, asks: snapshot.asks)
        try writer.write { MarketJSONL.appendBook(event, to: &$0) }
        books += 1
    }

    /// Writes the end mark and closes the file.
    public func finish(endNs: Int64) throws(MarketFileError) {
        try writer.write(line: MarketJSONL.end(timeNs: endNs))
        try writer.finish()
    }
}
