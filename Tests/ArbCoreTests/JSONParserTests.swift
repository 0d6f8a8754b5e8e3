import ArbCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    @Test func readsWhatFoundationReads() throws {
        let texts = [
            #"{"a": 1, "b": [true, false, null], "c": {"d": "x\"y\\z\/", "e": -0.5e-3}, "f": 12345678901234}"#,
            #"[1, 2.5, -3, 1e3, 0, -0, 9223372036854775807, 9223372036854775808, 1.7976931348623157e308]"#,
            #""\u00e9\ud83d\ude00 tab\t nl\n \u0000""#,
            " \n\t{\"nested\": [[[[{\"k\": [\"v\"]}]]]]} \r\n",
            "\"plain ascii and 한글 and emoji 😀\"",
            "{}", "[]", "0", "true", "null",
        ]
        for text in texts {
            let ours = try JSONValue(parsing: text)
            let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(ours == theirs, "\(text)")
        }
        #expect(try JSONValue(parsing: "12") == .int(12))
        #expect(try JSONValue(parsing: "12.0") == .double(12))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue(parsing: #""\ud83d\ude00""#) == .string("😀"))
    }

    /// A campaign record read back from the JSON its `Encodable` conformance writes is the record written.
    @Test func campaignRecordsReadBackFromTheirStoredJSON() throws {
        var record = CampaignRecord(id: "c0123456789abcdef", name: "é \"q\"", status: .completed, stopReason: .runtime,
                                    error: nil, config: ["universe": ["top_n": 3], "fees": ["upbit_taker_bps": 5.5]],
                                    createdAtNs: 1_700_000_000_000_000_001, startedAtNs: 1_700_000_000_000_000_002,
                                    finishedAtNs: nil)
        record.checkpoint = CheckpointInfo(sequence: 7, timeNs: 42, savedAtNs: 43)
        let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(try CampaignRecord(storedJSON: text) == record)
        #expect(throws: JSONParseError.self) { try CampaignRecord(storedJSON: #"{"id": "c1", "status": "nonsense", "createdAtNs": 1, "config": {}}"#) }
        #expect(throws: JSONParseError.self) { try CampaignRecord(storedJSON: #"{"id": "c1", "status": "running", "createdAtNs": 1}"#) }
    }

    @Test func rendersIntegersEscapesAndIndentation() {
        #expect(JSONValue.int(.min).rendered() == "-9223372036854775808")
        #expect(JSONValue.int(.max).rendered() == "9223372036854775807")
        #expect(JSONValue.int(0).rendered() == "0")
        #expect(JSONValue.double(-3).rendered() == "-3")
        #expect(JSONValue.double(0.1).rendered() == "0.1")
        #expect(JSONValue.double(.nan).rendered() == "null")
        #expect(JSONValue.string("q\"b\\n\n\u{01}\u{1f}é😀").rendered() == #""q\"b\\n\n\u0001\u001fé😀""#)
        // Escapes at both ends of a string and none at all: the runs between escapes are copied whole.
        #expect(JSONValue.string("\tKRW-BTC\r").rendered() == #""\tKRW-BTC\r""#)
        #expect(JSONValue.string("upbit:KRW-BTC|binance:BTCUSDT").rendered() == #""upbit:KRW-BTC|binance:BTCUSDT""#)
        #expect(JSONValue.string("").rendered() == #""""#)
        let tree: JSONValue = ["b": [1, ["c": nil]], "a": true]
        #expect(tree.rendered(pretty: false) == #"{"a":true,"b":[1,{"c":null}]}"#)
        #expect(tree.rendered() == "{\n  \"a\": true,\n  \"b\": [\n    1,\n    {\n      \"c\": null\n    }\n  ]\n}")
        #expect(tree.renderedBytes() == Array(tree.rendered(pretty: false).utf8))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "{1: 2}", "[1] x", "1e999", "NaN",
        "'a'", "[\"\\ud800\\u0041\"]",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: ok)) != nil)
    }

    /// Random trees rendered and read back; random byte strings never crash it.
    @Test func roundTripsRenderedTreesAndSurvivesGarbage() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return seed
        }
        let chars: [Character] = ["a", "é", "\"", "\\", "\n", "\u{01}", "😀", "z", "{", "}", "[", "]", ",", ":"]
        func tree(_ depth: Int) -> JSONValue {
            switch next() % (depth > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(next() % 2 == 0)
            case 2: return .int(Int64(bitPattern: next()) >> Int64(next() % 60))
            case 3: return .double(Double(Int64(bitPattern: next()) % 1_000_000) / 1_024)
            case 4: return .string(String((0..<Int(next() % 8)).map { _ in chars[Int(next() % UInt64(chars.count))] }))
            case 5: return .array((0..<Int(next() % 4)).map { _ in tree(depth + 1) })
            default: return .object(Dictionary((0..<Int(next() % 4)).map { i in ("k\(i)\(next() % 10)", tree(depth + 1)) }, uniquingKeysWith: { a, _ in a }))
            }
        }
        for _ in 0..<500 {
            let value = tree(0)
            for pretty in [true, false] {
                let back = try JSONValue(parsing: value.rendered(pretty: pretty))
                #expect(back.rendered(pretty: false) == value.rendered(pretty: false))
            }
        }
        for _ in 0..<2_000 {
            let bytes = (0..<Int(next() % 40)).map { _ in UInt8(truncatingIfNeeded: next()) }
            _ = try? JSONValue(parsing: bytes)
            let mutated = Array("{\"a\":[1,2.5,\"x\",{\"b\":null}]}".utf8).map { next() % 9 == 0 ? UInt8(truncatingIfNeeded: next()) : $0 }
            _ = try? JSONValue(parsing: mutated)
        }
    }
}

@Suite struct Base64Tests {
    @Test func encodesAndDecodesAsFoundationDoes() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        for length in 0..<70 {
            let bytes = (0..<length).map { _ -> UInt8 in
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
                return UInt8(truncatingIfNeeded: seed)
            }
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(Base64.decode(text) == bytes)
        }
        for bad in ["abc", "ab!d", "a===", "====x", "é123"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }
}
