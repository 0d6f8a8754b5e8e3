/// The opaque cursors of every listing: `c` and 12 hex digits encoding a position (an index, or a row
/// sequence). Every string of that shape is a cursor; past the end it gives an empty page.
public enum Cursor {
    /// Scrambles positions so cursors read as tokens, not counts.
    static let mask: UInt64 = 0x5A3C_96E1_0F27

    public static func encode(_ position: Int) -> String {
        let hex = String(UInt64(position) ^ mask, radix: 16)
        return "c" + String(repeating: "0", count: Swift.max(0, 12 - hex.count)) + hex
    }

    public static func position(_ cursor: String) throws(StoreError) -> Int {
        guard cursor.utf8.count == 13, cursor.hasPrefix("c"), let bits = UInt64(cursor.dropFirst(), radix: 16),
              cursor.dropFirst().allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { throw StoreError(.invalidCursor, "invalid cursor") }
        return Int(bits ^ mask)
    }
}
