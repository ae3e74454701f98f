import CGEOS

/// Errors raised by the GEOS wrapper: the library's own message, or a domain reason.
public enum GEOSError: Error, Hashable, Sendable, CustomStringConvertible {
    case library(operation: String, message: String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .library(op, msg): return "GEOS \(op) failed: \(msg)"
        case let .invalidInput(msg): return "invalid geometry input: \(msg)"
        }
    }
}

/// Owns one `GEOSContextHandle_t` and collects its error messages.
/// Not thread-safe: batch work keeps one context per thread.
final class GEOSContext {
    let handle: GEOSContextHandle_t
    private(set) var lastError: String?

    init() {
        guard let h = GEOS_init_r() else { fatalError("GEOS_init_r returned NULL (out of memory)") }
        handle = h
        // The handler is a capture-free C function; `self` travels as userdata.
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        _ = GEOSContext_setErrorMessageHandler_r(h, { message, userdata in
            guard let userdata, let message else { return }
            let ctx = Unmanaged<GEOSContext>.fromOpaque(userdata).takeUnretainedValue()
            ctx.lastError = String(cString: message)
        }, userdata)
    }

    deinit { GEOS_finish_r(handle) }

    /// The error for a failed call, with GEOS's last message.
    func error(_ operation: String) -> GEOSError {
        defer { lastError = nil }
        return .library(operation: operation, message: lastError ?? "unknown error")
    }

    /// Library version, e.g. "3.11.1-CAPI-1.17.1".
    static var version: String { String(cString: GEOSversion()) }
}

/// Version of the linked GEOS library.
public var geosVersion: String { GEOSContext.version }
