import Primitives
import Foundation
import Localization

/// Per-row validation settings shared (read-only) by all workers.
struct CSVContext {
    let delimiter: UInt8
    let headerCount: Int
    let lat: Int, lon: Int
    let time: Int?
    let id: Int?
    let latName: String, lonName: String
    let timeName: String?
    let rules: CoordinateRules
}

/// What the header of a file fixes for all its records.
struct CSVLayout {
    let header: [String]
    let cols: ResolvedColumns
    let ctx: CSVContext
}

/// Ids accepted so far in one file, split by hash into partitions that workers check in parallel.
/// Kept across the blocks of a streamed file so a repeat is found however far apart the two rows are.
final class SeenIds {
    var parts: [ByteRangeSet]
    init(partitions: Int, expected: Int) {
        parts = (0..<max(1, partitions)).map { _ in ByteRangeSet(expected: expected) }
    }
}

/// Output of one chunk, in record order. Rows here passed all per-row checks; duplicate ids are
/// resolved afterwards in file order.
private struct ChunkOutput {
    var starts: [Int] = [], ends: [Int] = []
    var lines: [Int32] = []
    var lat: [Double] = [], lon: [Double] = []
    var swapped: [Bool] = []
    var time: [Int64] = []
    var idStart: [Int] = [], idEnd: [Int] = []
    var idHash: [UInt64] = []
    var rejects: [RejectedRow] = []
    var dataRows = 0
    /// Where parsing stopped: the first record start at or after the chunk's nominal end, or the start
    /// of a record the data ended in (`stalled`).
    var end = 0
    /// Physical line of `end`.
    var endLine = 0
    /// The data ended inside the record at `end` and more may follow (not `final`): nothing after it was read.
    var stalled = false
}

enum CSVIncidents {
    /// Data bigger than this is split across cores.
    static let defaultParallelThreshold = 1 << 22

    static func read(utf8 buffer: [UInt8], encoding: String, source: String, options: ReadOptions,
                     parallelThreshold: Int = defaultParallelThreshold, maxWorkers: Int? = nil) throws -> ReadResult {
        let (layout, dataStart, firstDataLine) = try buffer.withUnsafeBufferPointer { buf in
            try header(buf, source: source, options: options)!
        }
        let workers = workerCount(bytes: buffer.count - dataStart, parallelThreshold: parallelThreshold, maxWorkers: maxWorkers)
        let seen = SeenIds(partitions: workers, expected: (buffer.count - dataStart) / (64 * workers) + 16)
        return try records(buffer, from: dataStart, firstLine: firstDataLine, layout: layout, seen: seen,
                           workers: workers, source: source, encoding: encoding, final: true).result
    }

    /// Threads for parsing `bytes` of records.
    static func workerCount(bytes: Int, parallelThreshold: Int = defaultParallelThreshold, maxWorkers: Int? = nil) -> Int {
        bytes >= parallelThreshold ? max(1, min(maxWorkers ?? ProcessInfo.processInfo.activeProcessorCount, 16)) : 1
    }

    /// Parses the header (the first non-blank line) and resolves the role columns.
    /// - Parameter final: `buf` ends the data; when false and the header record runs to its end, nil (read more).
    /// - Returns: the layout, the offset of the first data record and its physical line.
    static func header(_ buf: UnsafeBufferPointer<UInt8>, source: String,
                       options: ReadOptions, final: Bool = true) throws -> (CSVLayout, dataStart: Int, firstLine: Int)? {
        guard let base = buf.baseAddress, buf.count > 0 else { throw IncidentReadError.empty(path: source) }
        let n = buf.count
        var p = 0
        var line = 1
        while p < n {
            var q = p
            while q < n && (Byte.isBlank(base[q]) || base[q] == Byte.cr) { q += 1 }
            if q < n && base[q] == Byte.lf { p = q + 1; line += 1; continue }
            if q == n { p = n }
            break
        }
        guard p < n else { throw IncidentReadError.empty(path: source) }
        let delimiter = CSVText.detectDelimiter(base, p, n)
        let scanner = CSVScanner(delimiter: delimiter)
        let h = scanner.scanRecord(base, start: p, limit: n, final: final)
        if h.status == .needMore { return nil }
        let header = CSVText.splitFields(base, h.start, h.end, delimiter: delimiter).map { r -> String in
            CSVText.value(base, r.0, r.1).trimmingCharacters(in: .whitespaces)
        }
        let cols = try ColumnDetection.resolve(header: header, options: options, path: source)
        let ctx = CSVContext(delimiter: delimiter, headerCount: header.count, lat: cols.lat, lon: cols.lon,
                             time: cols.time, id: cols.id, latName: header[cols.lat], lonName: header[cols.lon],
                             timeName: cols.time.map { header[$0] }, rules: CoordinateRules(options))
        return (CSVLayout(header: header, cols: cols, ctx: ctx), h.next, line + 1 + h.innerNewlines)
    }

    /// Validates the records of `buffer[from...]` (the first one on physical line `firstLine`), split
    /// across `workers` threads. Ids already in `seen` (earlier in the file) and repeats within the
    /// buffer are rejected as duplicates; accepted ids are added to `seen`.
    ///
    /// - Parameter final: the buffer ends the data. When false, a record the buffer ends inside is left
    ///   unread (`consumed` is its start) for the caller to hand back with more data.
    /// - Returns: the result and the offset just past the last record read (always after an LF, or `from`,
    ///   unless `final`).
    /// - Throws: `IncidentReadError.inconsistent` when the reader's own count check fails: every physical
    ///   line read belongs to exactly one record, and every non-blank record is accepted or rejected.
    static func records(_ buffer: [UInt8], from dataStart: Int, firstLine: Int, layout: CSVLayout, seen: SeenIds,
                        workers: Int, source: String, encoding: String, final: Bool) throws -> (result: ReadResult, consumed: Int) {
        try buffer.withUnsafeBufferPointer { buf -> (result: ReadResult, consumed: Int) in
            let n = buf.count
            guard let base = buf.baseAddress, n > dataStart else {
                return (try merge([], base: nil, buffer: buffer, layout: layout, seen: seen, source: source, encoding: encoding), dataStart)
            }
            let guesses = splitPoints(base, from: dataStart, to: n, firstLine: firstLine, pieces: workers)
            var outputs = [ChunkOutput](repeating: ChunkOutput(), count: guesses.count - 1)
            let text = SharedReads(buf)
            outputs.withUnsafeMutableBufferPointer { ob in
                let chunkOut = DisjointWrites(ob)                 // chunk k writes slot k only
                ParallelWork.forEach(guesses.count - 1) { k in
                    chunkOut[k] = parseChunk(text.base, from: guesses[k].offset, to: guesses[k + 1].offset, limit: n,
                                             final: final, firstLine: guesses[k].line, ctx: layout.ctx)
                }
            }
            // Each chunk after the first started at a guessed record start; it stands only if the previous
            // chunk really ended there. Otherwise it is parsed again from where the previous one ended.
            var k = 0
            while k + 1 < outputs.count {
                if outputs[k].stalled { outputs.removeLast(outputs.count - k - 1); break }
                if outputs[k].end != guesses[k + 1].offset {
                    outputs[k + 1] = parseChunk(base, from: outputs[k].end, to: max(guesses[k + 2].offset, outputs[k].end), limit: n,
                                                final: final, firstLine: outputs[k].endLine, ctx: layout.ctx)
                }
                k += 1
            }
            let last = outputs[outputs.count - 1]
            let consumed = last.end
            // Conservation, checked on the reader's own counts: lines in = lines of records out.
            var lfs = countNewlines(base, dataStart, consumed, workers: workers)
            if consumed > dataStart && base[consumed - 1] != Byte.lf { lfs += 1 }  // last line without LF
            if last.endLine - firstLine != lfs {
                throw IncidentReadError.inconsistent(path: source, detail: tr("\(lfs) líneas leídas, \(last.endLine - firstLine) en registros",
                                                                                      "\(lfs) lines read, \(last.endLine - firstLine) in records"))
            }
            let result = try merge(outputs, base: base, buffer: buffer, layout: layout, seen: seen, source: source, encoding: encoding)
            return (result, consumed)
        }
    }

    /// Guessed record starts (offset, physical line) including both ends: each raw cut moves just past
    /// the next LF. A guess is right unless that LF is inside a quoted field; `records` checks every
    /// guess against the actual end of the chunk before it, so a wrong guess costs time, never rows.
    static func splitPoints(_ base: UnsafePointer<UInt8>, from: Int, to: Int, firstLine: Int,
                            pieces: Int) -> [(offset: Int, line: Int)] {
        if pieces <= 1 { return [(from, firstLine), (to, 0)] }
        let size = (to - from) / pieces
        var counts = [Int](repeating: 0, count: pieces)
        let text = SharedReads(UnsafeBufferPointer(start: base, count: to))
        counts.withUnsafeMutableBufferPointer { cb in
            let pieceLFs = DisjointWrites(cb)                     // piece k writes slot k only
            ParallelWork.forEach(pieces) { k in
                let s = from + k * size
                let e = k == pieces - 1 ? to : s + size
                pieceLFs[k] = countQuotesAndNewlines(text.base, s, e).lfs
            }
        }
        var result: [(offset: Int, line: Int)] = [(from, firstLine)]
        var lfs = 0
        for k in 1..<pieces {
            lfs += counts[k - 1]
            var i = from + k * size
            while i < to && base[i] != Byte.lf { i += 1 }
            if i >= to - 1 { break }
            let start = i + 1
            if start <= result[result.count - 1].offset { continue }
            result.append((start, firstLine + lfs + 1))
        }
        result.append((to, 0))
        return result
    }

    /// LF bytes in [s, e), counted on `workers` threads when the range is large.
    static func countNewlines(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, workers: Int) -> Int {
        let pieces = e - s >= 1 << 22 ? workers : 1
        if pieces <= 1 { return countQuotesAndNewlines(base, s, e).lfs }
        var counts = [Int](repeating: 0, count: pieces)
        let text = SharedReads(UnsafeBufferPointer(start: base, count: e))
        counts.withUnsafeMutableBufferPointer { cb in
            let pieceLFs = DisjointWrites(cb)                     // piece k writes slot k only
            ParallelWork.forEach(pieces) { k in
                pieceLFs[k] = countQuotesAndNewlines(text.base, s + (e - s) * k / pieces, s + (e - s) * (k + 1) / pieces).lfs
            }
        }
        return counts.reduce(0, +)
    }

    /// Counts `"` and LF bytes, 8 at a time (exact SWAR zero-byte test + popcount).
    static func countQuotesAndNewlines(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> (quotes: Int, lfs: Int) {
        @inline(__always) func zeroBytes(_ x: UInt64) -> Int {
            let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            let t = (x & low7) &+ low7
            return (~(t | x | low7)).nonzeroBitCount
        }
        var q = 0, l = 0
        var i = s
        let raw = UnsafeRawPointer(base)
        while i + 8 <= e {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            q &+= zeroBytes(w ^ 0x2222_2222_2222_2222)
            l &+= zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
            i += 8
        }
        while i < e {
            if base[i] == Byte.quote { q += 1 } else if base[i] == Byte.lf { l += 1 }
            i += 1
        }
        return (q, l)
    }

    /// Parses the records that start in [from, to) (the last may run past `to`, up to `limit`).
    private static func parseChunk(_ base: UnsafePointer<UInt8>, from: Int, to: Int, limit: Int, final: Bool,
                                   firstLine: Int, ctx: CSVContext) -> ChunkOutput {
        var out = ChunkOutput()
        let estimate = (to - from) / 64 + 16
        out.starts.reserveCapacity(estimate); out.ends.reserveCapacity(estimate); out.lines.reserveCapacity(estimate)
        out.lat.reserveCapacity(estimate); out.lon.reserveCapacity(estimate); out.swapped.reserveCapacity(estimate)
        out.time.reserveCapacity(estimate)
        if ctx.id != nil { out.idStart.reserveCapacity(estimate); out.idEnd.reserveCapacity(estimate); out.idHash.reserveCapacity(estimate) }
        let scanner = CSVScanner(delimiter: ctx.delimiter)
        var p = from
        var line = firstLine

        // Free functions (no closure capturing `out`, which would box it and add exclusivity checks per row).
        @inline(__always) func text(_ s: Int, _ e: Int) -> String {
            String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self)
        }
        func reject(_ list: inout [RejectedRow], _ r: ScannedRecord, _ recLine: Int, _ reason: RejectReason, _ field: String?, _ detail: String) {
            list.append(RejectedRow(line: recLine, reason: reason, field: field, detail: detail, text: text(r.start, r.end)))
        }

        while p < to {
            let r = scanner.scanRecord(base, start: p, limit: limit, final: final)
            if r.status == .needMore { out.stalled = true; break }
            let recLine = line
            line += 1 + r.innerNewlines
            p = r.next
            if r.fieldCount == 1 && r.status == .complete && CSVText.isBlank(base, r.start, r.end) { continue }
            out.dataRows += 1

            if r.status == .unterminated {
                reject(&out.rejects, r, recLine, .unterminatedQuote, nil,
                       tr("comillas sin cerrar: el registro se corta al final de la línea \(recLine + r.innerNewlines) y la lectura sigue en la siguiente",
                          "unterminated quote: the record is cut at the end of line \(recLine + r.innerNewlines) and reading resumes on the next"))
                continue
            }
            if r.fieldCount > ctx.headerCount {
                var extraContent = false
                for k in ctx.headerCount..<r.fieldCount {
                    let (s, e) = scanner.fieldRange(k, of: r)
                    if !CSVText.isBlank(base, s, e) { extraContent = true; break }
                }
                if extraContent {
                    reject(&out.rejects, r, recLine, .malformedRecord, nil, tr("\(r.fieldCount) campos, el encabezado tiene \(ctx.headerCount)",
                                                                                  "\(r.fieldCount) fields, header has \(ctx.headerCount)"))
                    continue
                }
            }

            // Coordinates.
            let (la0, la1) = scanner.fieldRange(ctx.lat, of: r)
            let (ls, le) = CSVText.valueRange(base, la0, la1)
            let (lo0, lo1) = scanner.fieldRange(ctx.lon, of: r)
            let (os, oe) = CSVText.valueRange(base, lo0, lo1)
            let latP = CoordinateParsing.parse(base, ls, le)
            let lonP = CoordinateParsing.parse(base, os, oe)
            guard case let .value(latV) = latP, case let .value(lonV) = lonP else {
                for bad in [NumberParse.missing, .nonNumeric, .nonFinite] {
                    let reason: RejectReason = bad == .missing ? .missingCoordinate : bad == .nonNumeric ? .nonNumericCoordinate : .nonFiniteCoordinate
                    if latP == bad { reject(&out.rejects, r, recLine, reason, ctx.latName, "\(ctx.latName)='\(text(ls, le))'"); break }
                    if lonP == bad { reject(&out.rejects, r, recLine, reason, ctx.lonName, "\(ctx.lonName)='\(text(os, oe))'"); break }
                }
                continue
            }
            let latV2: Double, lonV2: Double, wasSwapped: Bool
            switch ctx.rules.check(lat: latV, lon: lonV) {
            case let .accept(a, o, s):
                latV2 = a; lonV2 = o; wasSwapped = s
            case .nullIsland:
                reject(&out.rejects, r, recLine, .nullIsland, "\(ctx.latName),\(ctx.lonName)", "\(ctx.latName)='\(text(ls, le))', \(ctx.lonName)='\(text(os, oe))'")
                continue
            case .swapped:
                reject(&out.rejects, r, recLine, .swappedLatLon, "\(ctx.latName),\(ctx.lonName)", "\(ctx.latName)='\(text(ls, le))', \(ctx.lonName)='\(text(os, oe))'")
                continue
            case let .outOfRange(latBad):
                if latBad { reject(&out.rejects, r, recLine, .outOfRange, ctx.latName, "\(ctx.latName)='\(text(ls, le))'") } else {
                    reject(&out.rejects, r, recLine, .outOfRange, ctx.lonName, "\(ctx.lonName)='\(text(os, oe))'")
                }
                continue
            }

            // Date.
            var t = Int64.min
            if let tc = ctx.time {
                let (t0, t1) = scanner.fieldRange(tc, of: r)
                let (ts, te) = CSVText.valueRange(base, t0, t1)
                let name = ctx.timeName!
                if ts == te { reject(&out.rejects, r, recLine, .missingDate, name, "\(name)=''"); continue }
                guard let v = DateParser.parse(base, ts, te) else {
                    reject(&out.rejects, r, recLine, .unparseableDate, name, "\(name)='\(text(ts, te))'")
                    continue
                }
                t = v
            }

            if let ic = ctx.id {
                let (i0, i1) = scanner.fieldRange(ic, of: r)
                let (s, e) = CSVText.valueRange(base, i0, i1)
                out.idStart.append(s); out.idEnd.append(e)
                out.idHash.append(ByteRangeSet.hash(base, s, e))
            }
            out.starts.append(r.start); out.ends.append(r.end)
            out.lines.append(Int32(truncatingIfNeeded: recLine))
            out.lat.append(latV2); out.lon.append(lonV2); out.swapped.append(wasSwapped)
            out.time.append(t)
        }
        out.end = p; out.endLine = line
        return out
    }

    /// First-occurrence line for every candidate whose id was already seen earlier in file order
    /// (0 = not a duplicate). Ids are partitioned by hash across workers: each worker walks all
    /// candidates in file order but only handles its own partition of `seen`, so "first" stays file order.
    private static func findDuplicates(_ outputs: [ChunkOutput], base: UnsafePointer<UInt8>, count: Int, total: Int, seen: SeenIds) -> [Int32] {
        var dup = [Int32](repeating: 0, count: total)
        let w = seen.parts.count
        let text = SharedReads(UnsafeBufferPointer(start: base, count: count))
        dup.withUnsafeMutableBufferPointer { db in
            // Candidate g + j belongs to one hash partition, so exactly one worker may write dup[g + j];
            // worker `part` alone touches parts[part].
            let dupOut = DisjointWrites(db)
            seen.parts.withUnsafeMutableBufferPointer { parts in
                let partSets = DisjointWrites(parts)
                ParallelWork.forEach(w) { part in
                    var g = 0
                    for o in outputs {
                        o.idHash.withUnsafeBufferPointer { hashes in
                            for j in 0..<hashes.count {
                                let h = hashes[j]
                                if w == 1 || Int(h >> 48) % w == part {
                                    let s = o.idStart[j], e = o.idEnd[j]
                                    if e > s, let first = (partSets.base + part).pointee.insert(text.base, s, e, hash: h, line: o.lines[j]) {
                                        dupOut[g + j] = first
                                    }
                                }
                            }
                        }
                        g += o.idHash.count
                    }
                }
            }
        }
        return dup
    }

    /// Concatenates chunk outputs in file order, rejecting repeated ids (first occurrence kept).
    private static func merge(_ outputs: [ChunkOutput], base: UnsafePointer<UInt8>?, buffer: [UInt8], layout: CSVLayout,
                              seen: SeenIds, source: String, encoding: String) throws -> ReadResult {
        let header = layout.header, cols = layout.cols, ctx = layout.ctx
        var total = 0, dataRows = 0, rejectTotal = 0
        for o in outputs { total += o.lat.count; dataRows += o.dataRows; rejectTotal += o.rejects.count }
        var starts = [Int](), ends = [Int](), lines = [Int32](), lat = [Double](), lon = [Double](), swapped = [Bool](), time = [Int64]()
        var rejects = [RejectedRow]()
        rejects.reserveCapacity(rejectTotal)
        if outputs.count == 1 && ctx.id == nil {
            let o = outputs[0]
            starts = o.starts; ends = o.ends; lines = o.lines; lat = o.lat; lon = o.lon; swapped = o.swapped; time = o.time
            rejects = o.rejects
        } else {
            let dup = ctx.id != nil && base != nil ? findDuplicates(outputs, base: base!, count: buffer.count, total: total, seen: seen) : []
            var duplicates = [RejectedRow]()
            var g = 0
            for o in outputs {
                rejects.append(contentsOf: o.rejects)
                if ctx.id != nil {
                    let name = header[cols.id!]
                    for j in 0..<o.lat.count where dup[g + j] != 0 {
                        let s = o.idStart[j], e = o.idEnd[j]
                        let base = base!
                        let idText = String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self)
                        duplicates.append(RejectedRow(
                            line: Int(o.lines[j]), reason: .duplicateId, field: name,
                            detail: "\(name)='\(idText)' " + tr("(visto por primera vez en la línea \(dup[g + j]))", "(first seen on line \(dup[g + j]))"),
                            text: String(decoding: UnsafeBufferPointer(start: base + o.starts[j], count: o.ends[j] - o.starts[j]), as: UTF8.self)))
                    }
                }
                g += o.lat.count
            }
            // The kept rows of one column, in file order: runs between duplicates copied in bulk.
            let kept = total - duplicates.count, noDuplicates = duplicates.isEmpty, dupLines = dup
            @Sendable func gather<T: Sendable>(_ column: (ChunkOutput) -> [T]) -> [T] {
                var out = [T]()
                out.reserveCapacity(kept)
                var g = 0
                for o in outputs {
                    let c = column(o), n = c.count
                    if noDuplicates { out.append(contentsOf: c) } else {
                        var run = 0
                        for j in 0...n where j == n || dupLines[g + j] != 0 {
                            if j > run { out.append(contentsOf: c[run..<j]) }
                            run = j + 1
                        }
                    }
                    g += n
                }
                return out
            }
            // The columns are independent: each is copied by its own worker (a million rows × 7 columns) into
            // its own slot.
            let gathered = SharedBuffer<GatheredColumn?>(repeating: nil, count: 7)
            ParallelWork.forEach(7) { k in
                switch k {
                case 0: gathered[k] = .ints(gather { $0.starts })
                case 1: gathered[k] = .ints(gather { $0.ends })
                case 2: gathered[k] = .int32s(gather { $0.lines })
                case 3: gathered[k] = .doubles(gather { $0.lat })
                case 4: gathered[k] = .doubles(gather { $0.lon })
                case 5: gathered[k] = .bools(gather { $0.swapped })
                default: gathered[k] = .int64s(gather { $0.time })
                }
            }
            if case let .ints(v)? = gathered[0] { starts = v }
            if case let .ints(v)? = gathered[1] { ends = v }
            if case let .int32s(v)? = gathered[2] { lines = v }
            if case let .doubles(v)? = gathered[3] { lat = v }
            if case let .doubles(v)? = gathered[4] { lon = v }
            if case let .bools(v)? = gathered[5] { swapped = v }
            if case let .int64s(v)? = gathered[6] { time = v }
            if !duplicates.isEmpty {
                rejects.append(contentsOf: duplicates)
                rejects.sort { $0.line < $1.line }
            }
        }
        if dataRows != starts.count + rejects.count {
            throw IncidentReadError.inconsistent(path: source, detail: tr("\(dataRows) registros, \(starts.count) aceptados + \(rejects.count) rechazados",
                                                                              "\(dataRows) records, \(starts.count) accepted + \(rejects.count) rejected"))
        }
        let table = IncidentTable(
            source: source, format: .csv, encoding: encoding, delimiter: ctx.delimiter, header: header,
            latColumn: ctx.latName, lonColumn: ctx.lonName, timeColumn: ctx.timeName,
            categoryColumn: cols.category.map { header[$0] }, idColumn: cols.id.map { header[$0] },
            lines: lines, lon: lon, lat: lat, swapFixed: swapped, time: time, dataRows: dataRows,
            buffer: buffer, recordStart: starts, recordEnd: ends, categoryIndex: cols.category, idIndex: cols.id)
        return ReadResult(table: table, rejects: rejects)
    }
}

/// One column of the merged chunks, as the worker that gathered it hands it back.
private enum GatheredColumn: Sendable {
    case ints([Int]), int32s([Int32]), doubles([Double]), bools([Bool]), int64s([Int64])
}
