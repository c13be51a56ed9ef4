/// A small JSON reader and writer for the session files. Foundation's JSONDecoder works through
/// runtime casts whose first use scans every protocol conformance in the binary (several ms in a
/// static build); `authdeck token` reads one file and must start in about a millisecond.
public enum JSONValue: Equatable, Sendable {
  case object([String: JSONValue])
  case array([JSONValue])
  case string(String)
  case number(Double)
  case bool(Bool)
  case null

  public subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var number: Double? {
    if case .number(let n) = self { return n }
    return nil
  }

  public struct ParseError: Error, Equatable {}

  public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
    var parser = Parser(bytes: bytes)
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.index == bytes.count else { throw ParseError() }
    return value
  }

  /// Compact JSON with keys sorted, so equal values give equal bytes.
  public var serialized: String {
    var out = ""
    write(to: &out, indent: nil, level: 0)
    return out
  }

  /// The same, indented two spaces a level, for people (`authdeck list --json`).
  public var prettyPrinted: String {
    var out = ""
    write(to: &out, indent: "  ", level: 0)
    return out
  }

  /// An object whose members come in the order given (no dictionary built, no keys sorted): for
  /// a writer that emits thousands of objects of one shape (`list --json`). Keys are written as
  /// they are, so they must need no escape.
  public static func writeObject(
    _ members: [(key: String, value: JSONValue)], to out: inout String, indented: Bool, level: Int
  ) {
    let indent: String? = indented ? "  " : nil
    out += "{"
    for (i, member) in members.enumerated() {
      if i > 0 { out += "," }
      if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
      out += "\"" + member.key + (indent == nil ? "\":" : "\": ")
      member.value.write(to: &out, indent: indent, level: level + 1)
    }
    if let indent, !members.isEmpty { out += "\n" + String(repeating: indent, count: level) }
    out += "}"
  }

  private func write(to out: inout String, indent: String?, level: Int) {
    func newline(_ level: Int) {
      guard let indent else { return }
      out += "\n" + String(repeating: indent, count: level)
    }
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n):
      if n == n.rounded(), abs(n) < 1e15 { out += String(Int64(n)) } else { out += "\(n)" }
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        newline(level + 1)
        item.write(to: &out, indent: indent, level: level + 1)
      }
      if !items.isEmpty { newline(level) }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, key) in members.keys.sorted().enumerated() {
        if i > 0 { out += "," }
        newline(level + 1)
        Self.writeString(key, to: &out)
        out += indent == nil ? ":" : ": "
        members[key]!.write(to: &out, indent: indent, level: level + 1)
      }
      if !members.isEmpty { newline(level) }
      out += "}"
    }
  }

  private static func writeString(_ s: String, to out: inout String) {
    // Most strings need no escape: written whole, not a scalar at a time.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      out += "\""
      out += s
      out += "\""
      return
    }
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }

  private struct Parser {
    let bytes: [UInt8]
    var index = 0

    mutating func skipSpace() {
      while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func value(depth: Int) throws(ParseError) -> JSONValue {
      guard depth < 64 else { throw ParseError() }
      skipSpace()
      guard index < bytes.count else { throw ParseError() }
      switch bytes[index] {
      case UInt8(ascii: "{"):
        index += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .object(members)
        }
        while true {
          skipSpace()
          let key = try string()
          skipSpace()
          try expect(UInt8(ascii: ":"))
          members[key] = try value(depth: depth + 1)
          skipSpace()
          guard index < bytes.count else { throw ParseError() }
          if bytes[index] == UInt8(ascii: ",") {
            index += 1
            continue
          }
          try expect(UInt8(ascii: "}"))
          return .object(members)
        }
      case UInt8(ascii: "["):
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .array(items)
        }
        while true {
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard index < bytes.count else { throw ParseError() }
          if bytes[index] == UInt8(ascii: ",") {
            index += 1
            continue
          }
          try expect(UInt8(ascii: "]"))
          return .array(items)
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      default: return .number(try number())
      }
    }

    mutating func expect(_ byte: UInt8) throws(ParseError) {
      guard index < bytes.count, bytes[index] == byte else { throw ParseError() }
      index += 1
    }

    mutating func literal(_ word: String) throws(ParseError) {
      let expected = Array(word.utf8)
      guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected
      else {
        throw ParseError()
      }
      index += expected.count
    }

    mutating func number() throws(ParseError) -> Double {
      let start = index
      while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
          UInt8(ascii: "e"), UInt8(ascii: "E"):
          index += 1
        default:
          guard index > start, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self))
          else {
            throw ParseError()
          }
          return value
        }
      }
      guard index > start, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
        throw ParseError()
      }
      return value
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard index + 4 <= bytes.count,
        let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
      else { throw ParseError() }
      index += 4
      return v
    }

    mutating func string() throws(ParseError) -> String {
      try expect(UInt8(ascii: "\""))
      // Most strings have no escapes: take them in one slice.
      var end = index
      while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
        bytes[end] >= 0x20
      {
        end += 1
      }
      if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
        guard let text = String(validating: bytes[index..<end], as: UTF8.self) else { throw ParseError() }
        index = end + 1
        return text
      }
      var out = [UInt8]()
      while index < bytes.count {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""):
          guard let text = String(validating: out, as: UTF8.self) else { throw ParseError() }
          return text
        case UInt8(ascii: "\\"):
          guard index < bytes.count else { throw ParseError() }
          let escape = bytes[index]
          index += 1
          switch escape {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
              try expect(UInt8(ascii: "\\"))
              try expect(UInt8(ascii: "u"))
              let low = try hex4()
              guard (0xDC00..<0xE000).contains(low) else { throw ParseError() }
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw ParseError() }
            out += Array(String(unicode).utf8)
          default: throw ParseError()
          }
        default:
          guard byte >= 0x20 else { throw ParseError() }
          out.append(byte)
        }
      }
      throw ParseError()
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
}
