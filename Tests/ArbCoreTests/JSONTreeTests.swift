import ArbCore
import Testing

@Suite struct JSONTreeTests {
    struct Inner: Codable, Equatable {
        var price: Fixed
        var note: String?
    }

    struct Outer: Codable, Equatable {
        var name: String
        var count: Int
        var small: UInt8
        var big: Int64
        var ratio: Double
        var flag: Bool
        var tags: [String]
        var inner: Inner
        var byKey: [String: Inner?]
        var nested: [[Int]]
        var missing: Int?
    }

    static let value = Outer(
        name: "a \"quoted\" name", count: -3, small: 200, big: 9_007_199_254_740_993, ratio: 0.125, flag: true,
        tags: ["x", "y"], inner: Inner(price: Fixed("1.50")!, note: nil),
        byKey: ["b": Inner(price: Fixed("-0.00000001")!, note: "n"), "a": nil], nested: [[1, 2], [], [3]], missing: nil)

    @Test func encodesToTheTreeItsKeysName() throws {
        let tree = try JSONTree.encode(Self.value)
        #expect(tree["name"] == "a \"quoted\" name" && tree["count"] == -3 && tree["small"] == 200)
        #expect(tree["big"] == .int(9_007_199_254_740_993) && tree["ratio"] == 0.125 && tree["flag"] == true)
        #expect(tree["tags"] == ["x", "y"] && tree["nested"] == [[1, 2], [], [3]])
        // Fixed writes its exact decimal; a nil optional is a null that is there.
        #expect(tree.at("inner.price") == "1.5" && tree["inner"]?.objectValue?["note"] == .null)
        #expect(tree["missing"] == .null && tree.objectValue?.keys.contains("missing") == true)
        #expect(tree.at("byKey.a") == .null && tree.at("byKey.b.price") == "-0.00000001")
        #expect(tree.rendered(pretty: false).hasPrefix(#"{"big":9007199254740993,"byKey":{"a":null,"b":{"note":"n","price":"-0.00000001"}}"#))
    }

    @Test func writtenStraightAsTheRendererWritesTheTree() throws {
        #expect(try JSONTree.renderedBytes(Self.value) == JSONTree.encode(Self.value).renderedBytes())
        struct Twice: Encodable {
            enum K: String, CodingKey { case b, a }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: .b)
                try c.encode([String: Int](), forKey: .a)
                try c.encode(2, forKey: .b)
            }
        }
        // Keys sorted, a key written twice keeps its last value, in both forms.
        #expect(String(decoding: try JSONTree.renderedBytes(Twice()), as: UTF8.self) == #"{"a":{},"b":2}"#)
        #expect(try JSONTree.encode(Twice()).rendered(pretty: false) == #"{"a":{},"b":2}"#)
    }

    /// Objects of one coding-keys type with different keys (a key written only sometimes), and dictionaries of
    /// different keys one after another: each written in its own sorted order, as the tree renderer writes them.
    @Test func objectsOfOneTypeWithOtherKeysAreSortedForTheirOwn() throws {
        struct Row: Encodable {
            enum K: String, CodingKey { case z, b, m, a }
            var withA: Bool
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(1, forKey: .z)
                try c.encode(2, forKey: .b)
                if withA { try c.encode(3, forKey: .a) }
                try c.encode(4, forKey: .m)
            }
        }
        struct Table: Encodable {
            var rows: [Row]
            var maps: [[String: Int]]
        }
        let table = Table(rows: [Row(withA: false), Row(withA: true), Row(withA: true), Row(withA: false)],
                          maps: [["y": 1, "x": 2], ["x": 3, "w": 4], ["y": 5, "x": 6]])
        let text = String(decoding: try JSONTree.renderedBytes(table), as: UTF8.self)
        #expect(text == #"{"maps":[{"x":2,"y":1},{"w":4,"x":3},{"x":6,"y":5}],"rows":[{"b":2,"m":4,"z":1},{"a":3,"b":2,"m":4,"z":1},{"a":3,"b":2,"m":4,"z":1},{"b":2,"m":4,"z":1}]}"#)
        #expect(text == (try JSONTree.encode(table).rendered(pretty: false)))
        // Keys that are prefixes of others, digits, case, and non-ASCII keys (sorted as strings): the tree
        // renderer's order for each.
        let keys = ["KRW-BTC", "KRW-BT", "KRW-BTC2", "BTCUSDT", "btc", "a10", "a9", "", "é", "ä", "z"]
        // Keys alike in their first eight bytes and told apart after them, or only by length.
        let long = ["AAVEUSDT", "AAVEUSDTX", "AAVEUSDS", "ABCDEFGHIJ", "ABCDEFGHIK", "ABCDEFGH", "ABCDEFG", "ABCDEFGHIJK"]
        var rng = SystemRandomNumberGenerator()
        let random = Set((0..<600).map { _ in String((0..<Int.random(in: 0...14, using: &rng)).map { _ in "AB1-".randomElement(using: &rng)! }) })
        for map in [Dictionary(uniqueKeysWithValues: keys.prefix(8).enumerated().map { ($1, $0) }),
                    Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }),
                    Dictionary(uniqueKeysWithValues: long.enumerated().map { ($1, $0) }),
                    Dictionary(uniqueKeysWithValues: random.enumerated().map { ($1, $0) })] {
            #expect(try JSONTree.renderedBytes(map) == JSONTree.encode(map).renderedBytes())
        }
    }

    @Test func everyIntegerWidthIsAJSONIntegerAndOneTooWideIsRefused() throws {
        struct Widths: Encodable {
            var i8: Int8 = -8, i16: Int16 = -16, i32: Int32 = -32, u: UInt = 7, u8: UInt8 = 8, u16: UInt16 = 16
            var u32: UInt32 = 32, u64: UInt64 = 64
        }
        #expect(String(decoding: try JSONTree.renderedBytes(Widths()), as: UTF8.self)
            == #"{"i16":-16,"i32":-32,"i8":-8,"u":7,"u16":16,"u32":32,"u64":64,"u8":8}"#)
        for tooWide in [Widths(u64: .max), Widths(u: .max)] {
            #expect(throws: EncodingError.self) { try JSONTree.renderedBytes(tooWide) }
        }
    }

    @Test func decodesBackToTheSameValue() throws {
        let tree = try JSONTree.encode(Self.value)
        #expect(try JSONTree.decode(Outer.self, from: tree) == Self.value)
        // Through text too: numbers come back as the parser reads them (2.0 as an integer).
        let reparsed = try JSONValue(parsing: tree.rendered())
        #expect(try JSONTree.decode(Outer.self, from: reparsed) == Self.value)
        var doubled = tree.objectValue!
        doubled["count"] = .double(-3.0)
        doubled["missing"] = nil
        #expect(try JSONTree.decode(Outer.self, from: .object(doubled)) == Self.value)
    }

    @Test func refusalsNameThePathAndTheType() throws {
        var tree = try JSONTree.encode(Self.value).objectValue!
        tree["small"] = 300
        #expect(throws: DecodingError.self) { try JSONTree.decode(Outer.self, from: .object(tree)) }
        tree["small"] = 1
        tree["inner"] = ["price": "1.5x"]
        do {
            _ = try JSONTree.decode(Outer.self, from: .object(tree))
            Issue.record("a bad decimal decoded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["inner", "price"])
        }
        tree["inner"] = ["note": "n"]
        do {
            _ = try JSONTree.decode(Outer.self, from: .object(tree))
            Issue.record("a missing key decoded")
        } catch let DecodingError.keyNotFound(key, context) {
            #expect(key.stringValue == "price" && context.codingPath.map(\.stringValue) == ["inner"])
        }
        tree["inner"] = ["price": "1"]
        tree["tags"] = ["x", 2]
        do {
            _ = try JSONTree.decode(Outer.self, from: .object(tree))
            Issue.record("a number decoded as a string")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["tags", "1"])
            #expect(context.debugDescription.contains("found integer"))
        }
    }

    @Test func aNonFiniteNumberComesBackAsNaN() throws {
        struct Gauge: Codable { var v: Double }
        let text = try JSONTree.encode(Gauge(v: .infinity)).rendered(pretty: false)
        #expect(text == #"{"v":null}"#)
        #expect(try JSONTree.decode(Gauge.self, from: JSONValue(parsing: text)).v.isNaN)
    }

    @Test func anIntegerTooWideForJSONIsRefused() {
        struct Wide: Encodable { var v: UInt64 }
        #expect(throws: EncodingError.self) { try JSONTree.encode(Wide(v: .max)) }
        #expect((try? JSONTree.encode(Wide(v: 7)))?["v"] == 7)
    }

    @Test func statsStoredBeforeRefusedLegsWereCountedStillRead() throws {
        let report = StatsReport.Trades(opened: 3, executed: 2, legsRejected: ["binance": ["no_book": 1]])
        var tree = try JSONTree.encode(report).objectValue!
        #expect(tree["legs_rejected"] == ["binance": ["no_book": 1]])
        tree["legs_rejected"] = nil
        #expect(try JSONTree.decode(StatsReport.Trades.self, from: .object(tree)) ==
                StatsReport.Trades(opened: 3, executed: 2, legsRejected: [:]))
    }

    @Test func balancesPutVenuesBesideReconciled() throws {
        let balances = StatsReport.Balances(venues: ["upbit": ["KRW": .init(initial: "1", final: "2", fees: "0")], "binance": [:]],
                                            reconciled: true)
        let tree = try JSONTree.encode(balances)
        #expect(tree == ["upbit": ["KRW": ["initial": "1", "final": "2", "fees": "0"]], "binance": [:], "reconciled": true])
        #expect(try JSONTree.decode(StatsReport.Balances.self, from: tree) == balances)
        // Market data counts are left out where there are none.
        #expect(try JSONTree.encode(StatsReport.MarketData(source: "synthetic")) == ["source": "synthetic"])
    }
}
