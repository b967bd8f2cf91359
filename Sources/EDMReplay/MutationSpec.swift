import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// Which faults `MutatingModule` injects on the module's side, and how often.
///
/// Every fault has a probability per module output chunk (one write of the module model).
/// The CLI syntax is a comma-separated list of `fault=probability[:parameter]` (or
/// `fault:parameter=probability`, the same) and presets:
///
///     drop=0.02,duplicate=0.01,corrupt=0.01,delay=0.05:200ms,split=0.1,garbage=0.02,reboot=0.005,dps-error=0.1
///     default                 the mix above, with seeded delays
///     all,reboot=0            every fault at 0.05, then reboots switched off
///
/// Parameters: `delay=p:200ms` (also `s`, `us`; without one, each delay is seeded from
/// 1 to 1000 ms), `split=p:N` (at most N pieces, default 4), `garbage=p:N` (at most N bytes,
/// default 16), `dps-error=p:CODE` (always this errorCode; without one, 500001, 429001 or
/// 401002, seeded). Presets set every fault; later tokens override them. Naming one fault
/// twice is an error, as it is most likely a typo.
public struct MutationSpec: Hashable, Sendable, CustomStringConvertible {
    /// The faults, in the order they are decided for each chunk.
    public enum Fault: String, Hashable, Sendable, CaseIterable {
        /// The module reboots instead of writing the chunk: boot noise, `+STARTUP`, then silence.
        case reboot
        /// The chunk never arrives.
        case drop
        /// A data event carrying a DPS body carries a DPS error object instead.
        case dpsError = "dps-error"
        /// One byte of the chunk is changed.
        case corrupt
        /// The chunk and everything after it arrive later.
        case delay
        /// Garbage bytes arrive just before the chunk.
        case garbage
        /// The chunk arrives in several reads at the same time.
        case split
        /// The chunk arrives twice.
        case duplicate

        package var takesParameter: Bool { self == .delay || self == .split || self == .garbage || self == .dpsError }
    }

    /// A spec the parser refused, naming the token at fault.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var token: String
        public var reason: String
        public var description: String { "bad fault spec token \"\(token)\": \(reason)" }
    }

    /// Indexed by `Fault.allCases` (an array, not a dictionary: its order is fixed).
    private var rates = [Double](repeating: 0, count: Fault.allCases.count)
    /// Fixed delay; nil draws each delay from `seededDelay`.
    public var delayAmount: Duration?
    public var maxSplitPieces = 4
    public var maxGarbageBytes = 16
    /// Fixed DPS errorCode; nil draws one of `dpsErrorCodes`.
    public var dpsErrorCode: Int?

    /// The range a seeded delay is drawn from, in milliseconds.
    public static let seededDelay = 1...1000
    /// Server error (retry), throttled (retry), unauthorized (final).
    public static let dpsErrorCodes = [500001, 429001, 401002]

    /// No faults at all.
    public init() {}

    public subscript(fault: Fault) -> Double {
        get { rates[Fault.allCases.firstIndex(of: fault)!] }
        set { rates[Fault.allCases.firstIndex(of: fault)!] = newValue }
    }

    /// Whether any fault can happen.
    public var isEmpty: Bool { rates.allSatisfy { $0 == 0 } }

    /// A light mix of every fault, with seeded delays (`default`).
    public static var `default`: MutationSpec {
        var s = MutationSpec()
        for (fault, p) in [(Fault.drop, 0.02), (.duplicate, 0.01), (.corrupt, 0.01), (.delay, 0.05), (.split, 0.1),
                           (.garbage, 0.02), (.reboot, 0.005), (.dpsError, 0.1)] { s[fault] = p }
        return s
    }

    /// Every fault at 0.05 (`all`).
    public static var all: MutationSpec {
        var s = MutationSpec()
        for fault in Fault.allCases { s[fault] = 0.05 }
        return s
    }

    public init(parsing text: String) throws(ParseError) {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard !(tokens.count == 1 && tokens[0].isEmpty) else { throw ParseError(token: "",
            reason: "the spec is empty; try \"default\"") }
        var named: [Fault] = []
        for token in tokens {
            func bad(_ reason: String) -> ParseError { ParseError(token: token, reason: reason) }
            switch token {
            case "": throw bad("empty token (a stray comma?)")
            case "default": self = .default; continue
            case "all": self = .all; continue
            case "none": self = MutationSpec(); continue
            default: break
            }
            var kv = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            // `delay:200ms=0.1` is `delay=0.1:200ms` written parameter first.
            if let colon = kv[0].firstIndex(of: ":") {
                guard kv.count == 2, !kv[1].contains(":") else {
                    throw bad("give the parameter once: \(kv[0])=PROBABILITY or FAULT=PROBABILITY:PARAMETER")
                }
                kv = [String(kv[0][..<colon]), kv[1] + kv[0][colon...]]
            }
            guard let fault = Fault(rawValue: kv[0]) else {
                throw bad(
                    "unknown fault \"\(kv[0])\"; known: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")), "
                        + "or the presets default, all, none"
                )
            }
            guard kv.count == 2 else { throw bad("expected \(fault.rawValue)=PROBABILITY") }
            guard !named.contains(fault) else { throw bad("\(fault.rawValue) is given twice") }
            named.append(fault)
            let parts = kv[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let p = Double(parts[0]), (0...1).contains(p) else {
                throw bad("the probability \"\(parts[0])\" is not a number from 0 to 1")
            }
            self[fault] = p
            guard parts.count == 2 else { continue }
            guard fault.takesParameter else { throw bad("\(fault.rawValue) takes no parameter") }
            let parameter = parts[1]
            switch fault {
            case .delay:
                guard let amount = Self.duration(parameter) else {
                    throw bad("the delay \"\(parameter)\" is not a positive duration such as 200ms or 1.5s")
                }
                delayAmount = amount
            case .split:
                guard let n = Int(parameter), n >= 2 else {
                    throw bad("split's parameter is the most pieces, at least 2")
                }
                maxSplitPieces = n
            case .garbage:
                guard let n = Int(parameter), (1...4096).contains(n) else {
                    throw bad("garbage's parameter is the most bytes, 1 to 4096")
                }
                maxGarbageBytes = n
            default:
                guard let code = Int(parameter), (400_000...599_999).contains(code) else {
                    throw bad("dps-error's parameter is a DPS errorCode such as 429001")
                }
                dpsErrorCode = code
            }
        }
    }

    /// The canonical spelling, faults in a fixed order, zero ones left out (`none` if all are).
    public var description: String {
        let parts = Fault.allCases.filter { self[$0] > 0 }.map { fault -> String in
            var text = "\(fault.rawValue)=\(self[fault])"
            switch fault {
            case .delay: if let delayAmount { text += ":" + Self.durationText(delayAmount) }
            case .split: if maxSplitPieces != 4 { text += ":\(maxSplitPieces)" }
            case .garbage: if maxGarbageBytes != 16 { text += ":\(maxGarbageBytes)" }
            case .dpsError: if let dpsErrorCode { text += ":\(dpsErrorCode)" }
            default: break
            }
            return text
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }

    /// `200ms`, `1.5s`, `500us` as whole microseconds; nil unless positive.
    package static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, micros: Double)] = [("ms", 1000), ("us", 1), ("s", 1_000_000)]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
              let value = Double(text.dropLast(unit.suffix.count)), value.isFinite, value > 0 else { return nil }
        let micros = (value * unit.micros).rounded()
        guard micros >= 1, micros < 1e12 else { return nil }
        return .microseconds(Int64(micros))
    }

    package static func durationText(_ d: Duration) -> String {
        let us = d.wholeMicroseconds
        return us % 1000 == 0 ? "\(us / 1000)ms" : "\(us)us"
    }
}

extension Substring {
    /// Without leading and trailing spaces (no Foundation in the core).
    package var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
