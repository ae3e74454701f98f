import Crypto
import Foundation
import Primitives

/// A folder of prepared layers (validated, repaired, projected, indexed) that later runs read
/// instead of parsing GeoJSON again. Correctness never depends on it: a missing, unreadable,
/// foreign, truncated or corrupt entry is ignored and rebuilt; a folder that cannot be created or
/// written means no cache, silently.
///
/// Where: `$ATALAYA_CACHE_DIR`, else `$XDG_CACHE_HOME/atalaya`, else `~/.cache/atalaya`;
/// `ATALAYA_CACHE=off` disables it.
///
/// One file per entry, named by the SHA-256 of its key text (`<64 hex>.layer`). The key text names
/// everything that changes the entry: the cache format, Atalaya's, GEOS's and PROJ's versions, the
/// entry kind, the SHA-256 of the layer file's bytes, the CRS, the id and name fields, and for
/// indexes the raster cell and the features indexed. Any change gives another file name, so a
/// stale entry is never read (it is just left behind).
///
/// File format (every integer in the machine's byte order, little-endian on the platforms
/// Atalaya builds for; anything else fails the magic/version check and is rebuilt):
///
///     offset  size  field
///     0       8     magic "ATLYLAYR"
///     8       4     format version (`LayerCache.formatVersion`)
///     12      4     entry kind (`LayerCache.Kind`)
///     16      32    SHA-256 of the key text: the entry answers this key and no other
///     48      8     payload length in bytes
///     56      8     checksum of the payload (`LayerCache.checksum`)
///     64      …     payload (`CacheWriter`/`CacheReader`; per kind in `LayerSet`)
///
/// A file is accepted only when all of these hold and its size is exactly 64 + payload length;
/// its decoder then checks that counts and indexes are consistent, so even a payload that passed
/// the checksum by chance cannot make a lookup go out of bounds.
/// Entries are written to a temporary file in the same folder and renamed over the name: two
/// processes building the same entry both succeed (the last rename wins, both files are whole), and
/// a reader sees either no file or a complete one. Not fsync'ed: a crash can at worst leave an entry
/// that fails its checksum, which is then rebuilt.
public struct LayerCache: Sendable {
    public let directory: String

    /// Bump whenever what an entry holds, or how the code that builds it computes it, changes.
    static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("ATLYLAYR".utf8)
    static let headerSize = 64

    enum Kind: UInt32 {
        case polygons = 1, points = 2, locator = 3, nearest = 4, summary = 5, fileDigest = 6, extent = 7, projection = 8, mask = 9
    }

    /// The folder, created if missing; nil when it cannot be created or written.
    public init?(directory: String) {
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) {
            guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
        } else if !isDir.boolValue { return nil }
        guard access(directory, W_OK | X_OK) == 0 else { return nil }
        self.directory = directory
    }

    /// The cache the environment asks for (see the type's comment), or nil.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> LayerCache? {
        if let v = env["ATALAYA_CACHE"]?.lowercased(), ["off", "0", "no", "false"].contains(v) { return nil }
        return directory(env).flatMap { LayerCache(directory: $0) }
    }

    /// Where the cache lives for this environment (nil: no home to put it in).
    public static func directory(_ env: [String: String]) -> String? {
        if let d = env["ATALAYA_CACHE_DIR"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/atalaya" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/atalaya" }
        return nil
    }

    /// What an entry answers: its kind and the text naming its inputs.
    struct Key: Sendable {
        let kind: Kind
        let text: String
        let digest: [UInt8]

        init(kind: Kind, fields: [(String, String)]) {
            self.kind = kind
            // Each field with its length: no two field lists give the same text.
            var t = Self.versions + " kind=\(kind.rawValue)"
            for (name, value) in fields { t += "\n\(name)=\(value.utf8.count):\(value)" }
            text = t
            digest = Array(SHA256.hash(data: Array(t.utf8)))
        }

        var fileName: String { hex(digest) + ".layer" }

        /// What every key starts with: the versions whose change invalidates every entry.
        static let versions = "atalaya-layer-cache format=\(LayerCache.formatVersion) atalaya=\(AtalayaVersion.current) "
            + "geos=\(geosVersion) proj=\(Projection.version)"
    }

    func path(_ key: Key) -> String { directory + "/" + key.fileName }

    /// Decodes the entry stored for `key`; nil when there is none, it fails any check of the
    /// header or checksum, or `decode` finds it inconsistent (or does not read it to the end).
    func load<T>(_ key: Key, _ decode: (inout CacheReader) throws -> T) -> T? {
        loadMapped(key) { r, _ in try decode(&r) }
    }

    /// `load` for decoders that keep views into the file: `decode` gets the mapping, which stays
    /// mapped as long as something holds it.
    func loadMapped<T>(_ key: Key, _ decode: (inout CacheReader, MappedFile) throws -> T) -> T? {
        guard let file = MappedFile(path: path(key)) else { return nil }
        let b = file.bytes
        guard b.count >= Self.headerSize else { return nil }
        var r = CacheReader(b)
        guard let magic = try? r.elements(UInt8.self, count: 8), magic == Self.magic,
              (try? r.u32()) == Self.formatVersion, (try? r.u32()) == key.kind.rawValue,
              let keyDigest = try? r.elements(UInt8.self, count: 32), keyDigest == key.digest,
              let length = try? r.u64(), length == UInt64(b.count - Self.headerSize),
              let sum = try? r.u64() else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: b[Self.headerSize...])
        guard Self.checksum(payload) == sum else { return nil }
        var p = CacheReader(payload)
        guard let value = try? decode(&p, file), p.atEnd else { return nil }
        return value
    }

    /// Writes the entry atomically; a failure (full disk, read-only folder) only means no entry.
    func store(_ key: Key, payload: [UInt8]) {
        var w = CacheWriter(reservingCapacity: Self.headerSize + payload.count)
        for b in Self.magic { w.u8(b) }
        w.u32(Self.formatVersion)
        w.u32(key.kind.rawValue)
        for b in key.digest { w.u8(b) }
        w.u64(UInt64(payload.count))
        payload.withUnsafeBytes { w.u64(Self.checksum($0)) }
        var bytes = w.bytes
        bytes.append(contentsOf: payload)
        Self.writeAtomically(bytes, to: path(key), directory: directory)
    }

    /// A 64-bit checksum against truncated or damaged entries (not against tampering: the cache is
    /// the user's own folder). Four independent lanes of `h = (h ^ word) × odd constant` — each step a
    /// bijection of `h`, so changing any single word always changes the result — mixed at the end
    /// with the length. Several times faster than SHA-256 (which cost a warm run more than its
    /// layers' decoding), and the payloads are megabytes.
    static func checksum(_ b: UnsafeRawBufferPointer) -> UInt64 {
        let m: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h0: UInt64 = 0x243F_6A88_85A3_08D3, h1: UInt64 = 0x1319_8A2E_0370_7344
        var h2: UInt64 = 0xA409_3822_299F_31D0, h3: UInt64 = 0x082E_FA98_EC4E_6C89
        let n = b.count
        var i = 0
        while i + 32 <= n {
            h0 = (h0 ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* m
            h1 = (h1 ^ b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* m
            h2 = (h2 ^ b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* m
            h3 = (h3 ^ b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* m
            i += 32
        }
        var tail: UInt64 = 0
        while i < n { tail = (tail << 8) | UInt64(b[i]); i += 1 }
        func mix(_ x: UInt64) -> UInt64 {   // MurmurHash3's 64-bit finaliser
            var z = x
            z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
            z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
            return z ^ (z >> 33)
        }
        var h = mix(h0 ^ UInt64(n))
        for x in [h1, h2, h3, tail] { h = mix(h ^ x) &+ x }
        return h
    }

    // MARK: Files

    /// The whole file, or nil when it cannot be opened or read.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 0 else { return nil }
        let size = Int(st.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buf.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            failed = done != size
            initialized = done
        }
        return failed ? nil : bytes
    }

    /// Temporary file in the same folder (so the rename stays on one file system), then rename.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) {
        var template = Array((directory + "/.tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return }
        let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = true
        bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = write(fd, b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false; break }
                done += n
            }
        }
        if close(fd) != 0 { ok = false }
        if !ok || rename(temp, path) != 0 { unlink(temp) }
    }
}

/// Lower-case hexadecimal of bytes (cache file names, digests in key texts).
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
    return String(decoding: out, as: UTF8.self)
}

/// What identifies a file's current bytes cheaply: device, inode, size, modification and change
/// times (nanoseconds). Used only to reuse a content hash (`FileDigests`), never as the cache key.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64, inode: UInt64, size: Int64
    let mtimeSec: Int64, mtimeNsec: Int64, ctimeSec: Int64, ctimeNsec: Int64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        #if os(Linux)
        mtimeSec = Int64(st.st_mtim.tv_sec); mtimeNsec = Int64(st.st_mtim.tv_nsec)
        ctimeSec = Int64(st.st_ctim.tv_sec); ctimeNsec = Int64(st.st_ctim.tv_nsec)
        #else
        mtimeSec = Int64(st.st_mtimespec.tv_sec); mtimeNsec = Int64(st.st_mtimespec.tv_nsec)
        ctimeSec = Int64(st.st_ctimespec.tv_sec); ctimeNsec = Int64(st.st_ctimespec.tv_nsec)
        #endif
    }

    init(device: UInt64, inode: UInt64, size: Int64, mtimeSec: Int64, mtimeNsec: Int64, ctimeSec: Int64, ctimeNsec: Int64) {
        self.device = device; self.inode = inode; self.size = size
        self.mtimeSec = mtimeSec; self.mtimeNsec = mtimeNsec; self.ctimeSec = ctimeSec; self.ctimeNsec = ctimeNsec
    }

    /// Whether a hash taken now may be reused while the identity is unchanged. File times come from
    /// a coarse kernel clock (a few ms), so a file rewritten twice within one tick, same size and
    /// inode, keeps its identity: as git does for its index ("racy clean"), a file changed in the
    /// last two seconds is hashed again every time instead.
    var settled: Bool {
        let now = Int64(Date().timeIntervalSince1970)
        return max(mtimeSec, ctimeSec) < now - 2
    }

    func encode(_ w: inout CacheWriter) {
        w.u64(device); w.u64(inode); w.raw(size); w.raw(mtimeSec); w.raw(mtimeNsec); w.raw(ctimeSec); w.raw(ctimeNsec)
    }

    static func decode(_ r: inout CacheReader) throws -> FileIdentity {
        FileIdentity(device: try r.u64(), inode: try r.u64(), size: try r.raw(Int64.self),
                     mtimeSec: try r.raw(Int64.self), mtimeNsec: try r.raw(Int64.self),
                     ctimeSec: try r.raw(Int64.self), ctimeNsec: try r.raw(Int64.self))
    }
}

/// A cache file mapped read-only, unmapped when the last holder lets go. Entries are only ever
/// replaced by rename (a new inode), never rewritten in place, so the mapped bytes cannot change
/// under a reader; only someone truncating a cache file by hand while a run reads it could fault.
///
/// `@unchecked Sendable`: immutable after `init`; the mapping lives until `deinit`.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    /// nil when the file cannot be opened or mapped (an empty file maps to no bytes).
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 0 else { return nil }
        let size = Int(st.st_size)
        if size == 0 { bytes = UnsafeRawBufferPointer(start: nil, count: 0); return }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
