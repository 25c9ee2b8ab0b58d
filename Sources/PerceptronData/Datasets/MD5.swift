import Perceptron
/// MD5 (RFC 1321), used only to check downloaded dataset files against their
/// published checksums; not for anything security-related.
///
/// Each 64-byte block updates the state (a, b, c, d) in 64 steps:
/// ```
/// a ← b + ((a + F(b, c, d) + M[g] + K[i]) <<< s[i]),  then (a, b, c, d) ← (d, a, b, c)
/// F = (b ∧ c) ∨ (¬b ∧ d), (d ∧ b) ∨ (¬d ∧ c), b ⊕ c ⊕ d, c ⊕ (b ∨ ¬d) in rounds 1–4
/// K[i] = ⌊2³² · |sin(i + 1)|⌋
/// ```
struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296).rounded(.down)))
    }

    /// The hex digest of `bytes`.
    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalize().map { String(format: "%02x", $0) }.joined()
    }

    mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        length &+= UInt64(bytes.count)
        var start = bytes.startIndex
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            let end = bytes.index(start, offsetBy: take)
            pending.append(contentsOf: bytes[start..<end])
            start = end
            if pending.count == 64 {
                pending.withUnsafeBytes { processBlock($0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let remaining = bytes[start...]
        let handled = remaining.withContiguousStorageIfAvailable { buffer -> Int in
            var offset = 0
            while buffer.count - offset >= 64 {
                processBlock(UnsafeRawPointer(buffer.baseAddress! + offset))
                offset += 64
            }
            pending.append(contentsOf: buffer[offset...])
            return buffer.count
        }
        if handled == nil {
            for byte in remaining {
                pending.append(byte)
                if pending.count == 64 {
                    pending.withUnsafeBytes { processBlock($0.baseAddress!) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (56 - Int((length + 1) % 64) + 64) % 64
        tail.append(contentsOf: repeatElement(0, count: padding))
        for k in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }
        let savedLength = length
        update(tail)
        length = savedLength
        precondition(pending.isEmpty, "MD5 padding must end on a block boundary")
        var out: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3] {
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))) }
        }
        return out
    }

    private mutating func processBlock(_ block: UnsafeRawPointer) {
        state = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<16 { m[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            var (a, b, c, d) = state
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ Self.constants[i] &+ m[g]
                a = d
                d = c
                c = b
                let s = Self.shifts[i]
                b = b &+ ((f << s) | (f >> (32 - s)))
            }
            return (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
    }
}

import Foundation
