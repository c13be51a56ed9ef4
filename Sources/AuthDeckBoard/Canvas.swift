/// What a cell means; the terminal maps meanings to colours (or to nothing with NO_COLOR).
public enum Style: Sendable, Equatable {
  case plain, title, dim, header, selected
  case valid, expiring, expired, pending, none, busy
  case error, info, key
  /// Part of a hyperlink (underlined).
  case link
}

public struct Span: Equatable, Sendable {
  public var text: String
  public var style: Style
  /// The URL this text links to: the terminal makes the span an OSC 8 hyperlink it can open.
  /// Only a URL of visible ASCII is ever linked (`Span.linkable`).
  public var link: String?

  public init(_ text: String, _ style: Style = .plain, link: String? = nil) {
    self.text = text
    self.style = style
    self.link = link.flatMap { Self.linkable($0) ? $0 : nil }
  }

  /// A URL that can go inside an escape sequence as it is: visible ASCII only, so nothing in it
  /// can end the sequence or start another.
  public static func linkable(_ url: String) -> Bool {
    !url.isEmpty && url.utf8.count <= 4096 && url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }
}

/// A rendered screen: exactly `height` lines, each at most `width` columns wide.
public struct Canvas: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public var lines: [[Span]]
  /// Where the terminal cursor should sit (a prompt's end); nil hides it.
  public var cursor: (row: Int, column: Int)?

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
    self.lines = Array(repeating: [], count: height)
  }

  /// Sets line `row`, cut to the width.
  mutating func put(_ row: Int, _ spans: [Span]) {
    guard row >= 0 && row < height else { return }
    lines[row] = DisplayWidth.fit(spans, width)
  }

  /// The screen as text, trailing spaces removed: what tests compare and what a person reads.
  public var text: String {
    lines.map { line in
      var text = line.map(\.text).joined()
      while text.hasSuffix(" ") { text.removeLast() }
      return text
    }.joined(separator: "\n")
  }

  public static func == (lhs: Canvas, rhs: Canvas) -> Bool {
    lhs.width == rhs.width && lhs.height == rhs.height && lhs.lines == rhs.lines
      && lhs.cursor?.row == rhs.cursor?.row && lhs.cursor?.column == rhs.cursor?.column
  }
}

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

  public static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }

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

  /// Left-aligned in exactly `width` columns.
  public static func pad(_ text: String, _ width: Int) -> String {
    let cut = truncate(text, width)
    return cut + String(repeating: " ", count: max(0, width - of(cut)))
  }

  static func fit(_ spans: [Span], _ width: Int) -> [Span] {
    var out: [Span] = []
    var used = 0
    for span in spans {
      let w = of(span.text)
      if used + w <= width {
        out.append(span)
        used += w
      } else {
        let room = width - used
        if room > 0 { out.append(Span(truncate(span.text, room), span.style, link: span.link)) }
        break
      }
    }
    return out
  }
}
