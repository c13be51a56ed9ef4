import AuthDeckCore

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
  /// What the terminal can show; every span passes it on the way in.
  public let glyphs: Glyphs

  public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
    self.width = width
    self.height = height
    self.glyphs = glyphs
    self.lines = Array(repeating: [], count: height)
  }

  /// Sets line `row`, made inert and showable (`Glyphs.shown`) and cut to the width. Every
  /// line of the board goes through here: nothing reaches the terminal around it.
  mutating func put(_ row: Int, _ spans: [Span]) {
    guard row >= 0 && row < height else { return }
    let shown = spans.map { span in
      var span = span
      span.text = glyphs.shown(span.text)
      return span
    }
    lines[row] = DisplayWidth.fit(shown, width)
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
    lhs.width == rhs.width && lhs.height == rhs.height && lhs.glyphs == rhs.glyphs && lhs.lines == rhs.lines
      && lhs.cursor?.row == rhs.cursor?.row && lhs.cursor?.column == rhs.cursor?.column
  }
}

extension DisplayWidth {
  /// Spans cut to `width` columns.
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
