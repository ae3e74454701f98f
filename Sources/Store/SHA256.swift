import Crypto

/// SHA-256 as the store uses it: hex text for source files, raw 32 bytes for record content hashes.
enum SHA256Digest {
    /// Lower-case hex of a digest.
    static func hex(of digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the 32 raw digest bytes of `bytes` at `destination`.
    @inline(__always)
    static func write(_ bytes: UnsafeRawBufferPointer, to destination: UnsafeMutablePointer<UInt8>) {
        // `withUnsafeBytes` copies the digest without building an iterator array (one allocation
        // fewer per record).
        SHA256.hash(data: bytes).withUnsafeBytes { d in
            destination.update(from: d.bindMemory(to: UInt8.self).baseAddress!, count: d.count)
        }
    }
}

/// SHA-256 of a source file fed piece by piece as it is read (`sources.sha256`).
public final class SourceHasher {
    private var hasher = SHA256()
    public init() {}
    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    /// Lower-case hex digest; the hasher must not be used afterwards.
    public func finalizeHex() -> String { SHA256Digest.hex(of: hasher.finalize()) }
}
