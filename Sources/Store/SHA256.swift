/// SHA-256 (FIPS 180-4), pure Swift, for the content hashes of records and source files.
///
/// Not a general crypto API: a reusable hasher (one per thread) that allocates its scratch once,
/// so hashing a million short records costs no allocation per record.
/// Checked against the FIPS 180-4 examples ("abc", the 448-bit message, a million "a") in the tests.
final class SHA256Hasher {
    private var h0: UInt32 = 0, h1: UInt32 = 0, h2: UInt32 = 0, h3: UInt32 = 0
    private var h4: UInt32 = 0, h5: UInt32 = 0, h6: UInt32 = 0, h7: UInt32 = 0
    private let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    private let k = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    private let block = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    private var blockUsed = 0
    private var totalBytes: UInt64 = 0

    init() {
        for i in 0..<64 { k[i] = SHA256Hasher.roundConstants[i] }
        reset()
    }

    deinit {
        w.deallocate(); k.deallocate(); block.deallocate()
    }

    func reset() {
        h0 = 0x6a09e667; h1 = 0xbb67ae85; h2 = 0x3c6ef372; h3 = 0xa54ff53a
        h4 = 0x510e527f; h5 = 0x9b05688c; h6 = 0x1f83d9ab; h7 = 0x5be0cd19
        blockUsed = 0
        totalBytes = 0
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var n = bytes.count
        totalBytes &+= UInt64(n)
        if blockUsed > 0 {
            let take = min(64 - blockUsed, n)
            (block + blockUsed).update(from: p, count: take)
            blockUsed += take; p += take; n -= take
            if blockUsed == 64 { compress(UnsafePointer(block)); blockUsed = 0 }
        }
        while n >= 64 {
            compress(p)
            p += 64; n -= 64
        }
        if n > 0 {
            block.update(from: p, count: n)
            blockUsed = n
        }
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads, finishes and writes the 32-byte digest to `out`. Call `reset()` before reusing.
    func finalize(into out: UnsafeMutablePointer<UInt8>) {
        let bitLength = totalBytes &* 8
        block[blockUsed] = 0x80
        blockUsed += 1
        if blockUsed > 56 {
            (block + blockUsed).initialize(repeating: 0, count: 64 - blockUsed)
            compress(UnsafePointer(block))
            blockUsed = 0
        }
        (block + blockUsed).initialize(repeating: 0, count: 56 - blockUsed)
        for i in 0..<8 { block[56 + i] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(i))) }
        compress(UnsafePointer(block))
        blockUsed = 0
        func put(_ h: UInt32, _ j: Int) {
            out[4 * j] = UInt8(truncatingIfNeeded: h >> 24)
            out[4 * j + 1] = UInt8(truncatingIfNeeded: h >> 16)
            out[4 * j + 2] = UInt8(truncatingIfNeeded: h >> 8)
            out[4 * j + 3] = UInt8(truncatingIfNeeded: h)
        }
        put(h0, 0); put(h1, 1); put(h2, 2); put(h3, 3); put(h4, 4); put(h5, 5); put(h6, 6); put(h7, 7)
    }

    /// Finishes and appends the digest as 64 lowercase hex digits.
    func finalizeHex(into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { d in
            finalize(into: d.baseAddress!)
            for i in 0..<32 {
                out.append(SHA256Hasher.hexDigits[Int(d[i] >> 4)])
                out.append(SHA256Hasher.hexDigits[Int(d[i] & 0x0f)])
            }
        }
    }

    func finalizeHex() -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        finalizeHex(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One-shot hex digest.
    static func hex(_ bytes: [UInt8]) -> String {
        let h = SHA256Hasher()
        h.update(bytes)
        return h.finalizeHex()
    }

    @inline(__always)
    private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    private func compress(_ p: UnsafePointer<UInt8>) {
        for i in 0..<16 {
            let b = p + 4 * i
            w[i] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        }
        for i in 16..<64 {
            let x = w[i - 15], y = w[i - 2]
            let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
            let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        for i in 0..<64 {
            let S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ S1 &+ ch &+ k[i] &+ w[i]
            let S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = S0 &+ maj
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
        h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
