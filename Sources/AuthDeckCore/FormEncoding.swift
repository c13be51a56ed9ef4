import Foundation

/// application/x-www-form-urlencoded, as the WHATWG URL standard and RFC 6749 appendix B define it.
/// URLComponents leaves `+` and `&` raw, which breaks secrets that contain them.
public enum FormEncoding {
  public static func encode(_ fields: [(String, String)]) -> String {
    fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
  }

  /// Escapes every byte except the unreserved set; a space becomes `+`.
  public static func escape(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "*"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      case UInt8(ascii: " "):
        out.append("+")
      default:
        out.append("%")
        out.append(hexDigit(byte >> 4))
        out.append(hexDigit(byte & 15))
      }
    }
    return out
  }

  /// Parses a query or form body. Returns nil when a percent escape is malformed
  /// or the result is not UTF-8.
  public static func decode(_ text: Substring) -> [(String, String)]? {
    var fields: [(String, String)] = []
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = unescape(parts[0]) else { return nil }
      let value = parts.count > 1 ? unescape(parts[1]) : ""
      guard let value else { return nil }
      fields.append((name, value))
    }
    return fields
  }

  public static func unescape(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
      switch byte {
      case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
      case UInt8(ascii: "%"):
        guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
          return nil
        }
        bytes.append(high << 4 | low)
      default: bytes.append(byte)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexDigit(_ n: UInt8) -> Character {
    Character(Unicode.Scalar(n < 10 ? n + 48 : n + 55))
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - 48
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - 87
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - 55
    default: return nil
    }
  }
}

/// RFC 6749 §2.3.1: form-encode id and secret, join with ':', base64. A space is written
/// `%20`, not `+`: a server that form-decodes and one that only percent-decodes (many
/// libraries do) then both read the same secret back.
public enum ClientSecretBasic {
  /// `raw`: id and secret as they are, for a server that does not decode them.
  public static func header(clientID: String, clientSecret: String, raw: Bool = false) -> String {
    let joined = raw ? clientID + ":" + clientSecret : encode(clientID) + ":" + encode(clientSecret)
    return "Basic " + Base64.encode(Array(joined.utf8))
  }

  /// Form-encoding, where `+` can only stand for a space (a real `+` is `%2B`).
  static func encode(_ text: String) -> String {
    FormEncoding.escape(text).replacingOccurrences(of: "+", with: "%20")
  }
}

public enum Base64 {
  public static func encode(_ bytes: [UInt8]) -> String {
    var text = Base64URL.encode(bytes)
      .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while text.utf8.count % 4 != 0 { text.append("=") }
    return text
  }
}
