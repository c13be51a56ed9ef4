import Foundation

/// Terminal columns of text: wide East Asian characters and emoji take two, combining marks none.
public enum DisplayWidth {
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if v == 0x200B { return 0 }
    if scalar.properties.isEmojiPresentation { return 2 }  // as glibc's wcwidth, which curses uses
    let wide: [ClosedRange<UInt32>] = [
      0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
      0x1F680...0x1F6FF, 0x1F7E0...0x1F7FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x3FFFD,
    ]
    return wide.contains { $0.contains(v) } ? 2 : 1
  }

  /// Printable ASCII (nearly every cell of a table) is one column a byte, counted without a
  /// look at each character's Unicode properties.
  public static func of(_ text: String) -> Int {
    let plain = text.utf8.withContiguousStorageIfAvailable { bytes in
      bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? bytes.count : nil
    }
    if let plain, let count = plain { return count }
    return text.unicodeScalars.reduce(0) { $0 + of($1) }
  }

  /// Text cut into lines of at most `width` columns, every character kept (a URL shown whole).
  public static func wrap(_ text: String, _ width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var line = ""
    var used = 0
    for character in text {
      let w = of(String(character))
      if used + w > width, !line.isEmpty {
        lines.append(line)
        line = ""
        used = 0
      }
      line.append(character)
      used += w
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }

  /// Text in at most `lines` lines of at most `width` columns, broken between words where it
  /// can be (a word longer than a line is broken where it must); the last line ends with "…"
  /// when something did not fit.
  public static func wrapWords(_ text: String, _ width: Int, lines limit: Int) -> [String] {
    guard width > 0, limit > 0 else { return [] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
      let joined = line.isEmpty ? word : line + " " + word
      if of(joined) <= width {
        line = joined
        continue
      }
      if !line.isEmpty { lines.append(line) }
      var pieces = wrap(word, width)
      line = pieces.popLast() ?? ""
      lines += pieces
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    guard lines.count > limit else { return lines }
    var kept = Array(lines.prefix(limit))
    kept[limit - 1] = truncate(kept[limit - 1] + "…", width)
    return kept
  }

  /// Cuts text to `width` columns, ending with "…" when something was cut.
  public static func truncate(_ text: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    if of(text) <= width { return text }
    var out = ""
    var used = 0
    for character in text {
      let w = of(String(character))
      if used + w > width - 1 { break }
      out.append(character)
      used += w
    }
    return out + "…"
  }

  /// Keeps the end of text in `width` columns, starting with "…" when something was cut (a
  /// prompt's text before its cursor).
  public static func truncateLeading(_ text: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    if of(text) <= width { return text }
    var tail = ""
    var used = 0
    for character in text.reversed() {
      let w = of(String(character))
      if used + w > width - 1 { break }
      tail.insert(character, at: tail.startIndex)
      used += w
    }
    return "…" + tail
  }

  /// Left-aligned in exactly `width` columns.
  public static func pad(_ text: String, _ width: Int) -> String {
    let cut = truncate(text, width)
    return cut + String(repeating: " ", count: max(0, width - of(cut)))
  }
}
