import Foundation

/// The language of everything a person reads: help, progress, errors, reports and table headers.
/// Spanish is the users' language and the default; English with `--lang en` (the CLI sets
/// `ATALAYA_LANG` before anything else runs), `ATALAYA_LANG=en`, or a `LANG`/`LC_ALL` starting with `en`.
/// Machine-readable keys, flags and code stay English whatever the language.
public enum Lang: String, Sendable, CaseIterable {
    case es, en

    /// Decided once per process, on first use (a `static let` is initialised lazily and thread-safely).
    public static let current: Lang = resolve(ProcessInfo.processInfo.environment)

    /// `ATALAYA_LANG` wins; then `LC_ALL`, then `LANG` (POSIX precedence); Spanish otherwise.
    public static func resolve(_ env: [String: String]) -> Lang {
        if let v = env["ATALAYA_LANG"], let l = Lang(rawValue: v.lowercased()) { return l }
        for key in ["LC_ALL", "LANG"] {
            if let v = env[key], !v.isEmpty { return v.lowercased().hasPrefix("en") ? .en : .es }
        }
        return .es
    }
}

/// The text in the current language: `tr("casos", "cases")`.
@inline(__always)
public func tr(_ es: String, _ en: String) -> String { Lang.current == .en ? en : es }
