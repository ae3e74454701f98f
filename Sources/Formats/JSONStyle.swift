import Foundation

/// The one JSON style of Atalaya's machine-readable outputs (stdout and files alike): snake_case keys,
/// sorted, numbers as numbers, `null` for missing (types encode their optionals with `encode`, not
/// `encodeIfPresent`), and a top-level `schema_version` documented in `schemas/`.
public enum JSONStyle {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }

    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }
}
