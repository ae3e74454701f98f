import Foundation
import Incidents

/// The one check every command that writes files runs before reading anything.
public enum OutputPaths {
    /// Refuses any output that is an input, or that another output also names. Two paths name the same
    /// file when they resolve to the same absolute path (symlinks of the folders and of the file itself
    /// followed) or, for files that exist, when they have the same (device, inode): a symlink or hard
    /// link to the input counts as the input. nil entries are skipped.
    /// - Throws: `OutputFileError.sameAsInput` or `.sameOutput`.
    public static func checkDistinct(inputs: [String?], outputs: [String?]) throws {
        let ins = inputs.compactMap { $0 }.map { ($0, FileIdentity($0)) }
        var seen: [(String, FileIdentity)] = []
        for o in outputs.compactMap({ $0 }) {
            let id = FileIdentity(o)
            if let hit = ins.first(where: { $0.1.same(as: id) }) { throw OutputFileError.sameAsInput(output: o, input: hit.0) }
            if let hit = seen.first(where: { $0.1.same(as: id) }) { throw OutputFileError.sameOutput(first: hit.0, second: o) }
            seen.append((o, id))
        }
    }

    private struct FileIdentity {
        let path: String
        let node: (dev: UInt64, ino: UInt64)?

        init(_ p: String) {
            var st = stat()
            node = stat(p, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : nil
            path = FileIdentity.resolve(p)
        }

        func same(as other: FileIdentity) -> Bool {
            if let a = node, let b = other.node, a.dev == b.dev && a.ino == b.ino { return true }
            return path == other.path
        }

        /// realpath of the file, or of its folder plus the name when the file does not exist yet.
        static func resolve(_ p: String) -> String {
            let absolute = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
            if let r = realpath(absolute, nil) { defer { free(r) }; return String(cString: r) }
            let ns = absolute as NSString
            let dir = ns.deletingLastPathComponent, name = ns.lastPathComponent
            if let r = realpath(dir, nil) { defer { free(r) }; return String(cString: r) + "/" + name }
            return (absolute as NSString).standardizingPath
        }
    }
}
