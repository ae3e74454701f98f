import ArgumentParser
import Engine
import Foundation
import Localization
import Primitives
import Synchronization

/// Where layers come from and which CRS computations use.
struct GeodataOptions: ParsableArguments {
    @Option(name: .customLong("geodata"), help: ArgumentHelp(
        "Folder searched first for the manifest and layer files (before $ATALAYA_GEODATA, ./geodata, ../shared/geodata).",
        valueName: "dir"))
    var geodataDirectory: String?

    @Option(name: .customLong("work-crs"), help: ArgumentHelp(tr("CRS métrico usado en todos los cálculos.", "Metric CRS used for all computation."), valueName: "crs"))
    var workCRS: String = WorkingCRS.default

    var layerSource: LayerSource { LayerSource(directory: geodataDirectory, workCRS: workCRS) }
}

/// Progress and counts on stderr (stdout stays for results).
enum Log {
    /// Set by each command's `run()` (--quiet); read from any thread, hence atomic.
    static var quiet: Bool {
        get { quietFlag.load(ordering: .relaxed) }
        set { quietFlag.store(newValue, ordering: .relaxed) }
    }
    private static let quietFlag = Atomic<Bool>(false)
    static func info(_ s: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
    static func warn(_ s: String) { FileHandle.standardError.write(Data((tr("aviso: ", "warning: ") + s + "\n").utf8)) }
    /// A progress line rewritten in place on a terminal (silent when stderr is not a terminal).
    static func progress(_ s: String) {
        guard !quiet, isatty(2) != 0 else { return }
        FileHandle.standardError.write(Data(("\r" + s + "\u{1B}[K").utf8))
    }
    static func progressDone() { if !quiet, isatty(2) != 0 { FileHandle.standardError.write(Data("\n".utf8)) } }
}

extension Log {
    /// The Engine's messages go to stderr like the CLI's own.
    static var engine: EngineLog {
        EngineLog(info: { Log.info($0) }, warn: { Log.warn($0) }, progress: { Log.progress($0) }, progressDone: { Log.progressDone() })
    }
}

/// Runs an Engine job; a request the user must correct is a usage error (exit 64), as ArgumentParser's own.
func engine<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as RequestError { throw ValidationError(e.description) }
}
