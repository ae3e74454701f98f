import Foundation
import Localization

/// Why a simulation could not be calibrated, run or written.
///
/// Calibration-table problems name the file, the 1-based line and the 1-based column (with its header name).
public enum SimulationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The calibration file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The calibration file has no header line.
    case emptyFile(path: String)
    /// A column the model needs is absent from the header (line 1).
    case missingColumn(path: String, line: Int, column: String)
    /// A data row has a different number of fields than the header.
    case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
    /// A quoted field is not closed before the end of the file.
    case unterminatedQuote(path: String, line: Int, column: Int)
    /// A count cell is not a finite, non-negative number.
    case badNumber(path: String, line: Int, column: Int, name: String, value: String)
    /// A row has an empty UPZ code (`CMIUUPLA`).
    case emptyUPZCode(path: String, line: Int, column: Int)
    /// The same UPZ code appears on two rows.
    case duplicateUPZ(path: String, line: Int, column: Int, code: String, firstLine: Int)
    /// Calibration years must be 2000–2099 (columns use two digits), non-empty, without repeats.
    case invalidYears([Int])
    /// A parameter is outside its domain.
    case invalidParameter(name: String, value: String, reason: String)
    /// After dropping UPZ without polygon, no (UPZ, category) cell has a positive weight.
    case noCalibrationWeight(path: String, unmatched: [String])
    /// Rejection sampling found no point inside a UPZ (degenerate polygon).
    case samplingFailed(upz: String, attempts: Int)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return tr("\(path): no se puede leer la tabla de calibración: \(reason)", "\(path): cannot read the calibration table: \(reason)")
        case let .emptyFile(path):
            return tr("\(path): la tabla de calibración está vacía (sin encabezado)", "\(path): the calibration table is empty (no header line)")
        case let .missingColumn(path, line, column):
            return tr("\(path):\(line): falta la columna \"\(column)\" en el encabezado", "\(path):\(line): missing column \"\(column)\" in the header")
        case let .wrongFieldCount(path, line, expected, found):
            return tr("\(path):\(line): \(found) campos, el encabezado tiene \(expected)", "\(path):\(line): \(found) fields, the header has \(expected)")
        case let .unterminatedQuote(path, line, column):
            return tr("\(path):\(line):\(column): campo entre comillas sin cerrar antes del fin del archivo", "\(path):\(line):\(column): quoted field not closed before the end of the file")
        case let .badNumber(path, line, column, name, value):
            return tr("\(path):\(line):\(column) (\(name)): \"\(value)\" no es un conteo no negativo", "\(path):\(line):\(column) (\(name)): \"\(value)\" is not a non-negative count")
        case let .emptyUPZCode(path, line, column):
            return tr("\(path):\(line):\(column) (CMIUUPLA): código de UPZ vacío", "\(path):\(line):\(column) (CMIUUPLA): empty UPZ code")
        case let .duplicateUPZ(path, line, column, code, firstLine):
            return tr("\(path):\(line):\(column) (CMIUUPLA): la UPZ \(code) ya aparece en la línea \(firstLine)", "\(path):\(line):\(column) (CMIUUPLA): UPZ \(code) already appears on line \(firstLine)")
        case let .invalidYears(years):
            return tr("años de calibración \(years): se necesitan uno o más años distintos en 2000–2099", "calibration years \(years): need one or more distinct years in 2000–2099")
        case let .invalidParameter(name, value, reason):
            return "\(name) = \(value): \(reason)"
        case let .noCalibrationWeight(path, unmatched):
            let tail = unmatched.isEmpty ? "" : tr(" (UPZ sin polígono, descartadas: ", " (UPZ without polygon, dropped: ") + unmatched.joined(separator: ", ") + ")"
            return tr("\(path): ninguna UPZ con polígono tiene un conteo positivo\(tail)", "\(path): no UPZ with a polygon has a positive count\(tail)")
        case let .samplingFailed(upz, attempts):
            return tr("ningún punto dentro de la UPZ \(upz) tras \(attempts) intentos (¿polígono degenerado?)", "no point inside UPZ \(upz) after \(attempts) attempts (degenerate polygon?)")
        }
    }
}
