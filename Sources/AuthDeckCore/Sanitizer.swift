/// Makes text from servers, pastes and files safe to show on a terminal: no control characters,
/// no escape sequences, no bidi overrides, bounded length.
public enum Sanitizer {
  /// One line of at most `limit` characters; everything unsafe becomes inert.
  public static func inline(_ text: String, limit: Int = 200) -> String {
    var out = ""
    var count = 0
    var previousWasSpace = false
    for scalar in text.unicodeScalars {
      let safe: Unicode.Scalar
      if isUnsafe(scalar) {
        // Whitespace-like controls fold into one space; the rest show as a replacement mark.
        if scalar == "\n" || scalar == "\r" || scalar == "\t" {
          safe = " "
        } else {
          safe = "\u{FFFD}"
        }
      } else {
        safe = scalar
      }
      if safe == " " {
        if previousWasSpace { continue }
        previousWasSpace = true
      } else {
        previousWasSpace = false
      }
      if count == limit {
        out.append("…")
        break
      }
      out.unicodeScalars.append(safe)
      count += 1
    }
    return out.trimmingSpaces()
  }

  /// Text of any length and many lines, made inert for a terminal: line feeds and tabs stay,
  /// every other unsafe character becomes U+FFFD. Plain printable ASCII (nearly everything a
  /// command prints) is returned as it is after one pass over its bytes.
  public static func printable(_ text: String) -> String {
    let plain = text.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }
    if plain { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      out.append(scalar == "\n" || scalar == "\t" || !isUnsafe(scalar) ? scalar : "\u{FFFD}")
    }
    return String(out)
  }

  public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }  // C0, DEL, C1 (incl. CSI 0x9B)
    if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
      || v == 0x061C
    {
      return true  // bidi embeddings, overrides and isolates
    }
    if v == 0xFEFF || (0xFFF9...0xFFFB).contains(v) { return true }
    return false
  }
}

extension String {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while scalars.first == " " { scalars.removeFirst() }
    while scalars.last == " " { scalars.removeLast() }
    return String(scalars)
  }
}
