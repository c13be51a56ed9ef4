import AuthDeckCore

/// What the terminal can show: any character (a UTF-8 locale), or ASCII only (`LANG` unset, `C`,
/// a Latin-1 locale), where curses would drop ⏎ and every accented letter without a trace.
public enum Glyphs: Sendable, Equatable {
  case unicode, ascii

  /// The board's own marks in ASCII, each as wide as the glyph it replaces, so that columns
  /// laid out for the glyph still line up.
  private static let marks: [Unicode.Scalar: String] = [
    "▸": ">", "·": "-", "…": "~", "✗": "x", "—": "-", "–": "-", "↑": "^", "↓": "v", "’": "'", "\u{FFFD}": "?",
  ]

  /// Words for the glyphs of keys and messages, where the width is free (a message is cut at
  /// the screen's edge anyway; the footer measures the words).
  private static let words: [Unicode.Scalar: String] = [
    "⏎": "Enter", "⌫": "Backspace", "↑": "Up", "↓": "Down", "…": "...",
  ]

  /// A key label or a message as this terminal shows it: "press ⏎ to log in" is "press Enter to
  /// log in" on an ASCII terminal.
  public func words(_ text: String) -> String {
    guard self == .ascii, !Self.isPlain(text) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      if let word = Self.words[scalar] { out += word } else { out.unicodeScalars.append(scalar) }
    }
    return out
  }

  /// Text about to be drawn, as this terminal can show it, and inert: a control character, an
  /// escape or a bidi override (from a configuration, a server or a file) becomes a replacement
  /// mark here, whatever path brought it, and on an ASCII terminal every other non-ASCII
  /// character becomes `?` once per column it takes.
  public func shown(_ text: String) -> String {
    if Self.isPlain(text) { return text }  // nearly every span: one pass over its bytes
    var out = ""
    for scalar in text.unicodeScalars {
      let safe: Unicode.Scalar = Sanitizer.isUnsafe(scalar) ? "\u{FFFD}" : scalar
      guard self == .ascii, !safe.isASCII else {
        out.unicodeScalars.append(safe)
        continue
      }
      if safe == "⏎" {
        out += "Enter"
      } else if let mark = Self.marks[safe] {
        out += mark
      } else {
        out += String(repeating: "?", count: DisplayWidth.of(safe))
      }
    }
    return out
  }

  /// Printable ASCII only: nothing to replace.
  private static func isPlain(_ text: String) -> Bool {
    text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
  }
}
