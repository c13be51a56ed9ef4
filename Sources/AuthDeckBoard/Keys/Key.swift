/// A key press, as the board understands it. The terminal target turns curses codes into these.
public enum Key: Hashable, Sendable {
  case character(Character)
  case control(Character)  // Ctrl-U is .control("u")
  case up, down, left, right, pageUp, pageDown, home, end
  case enter, escape, backspace, delete, tab

  /// How the key is written in the footer and the help.
  public var label: String {
    switch self {
    case .character(" "): return "space"
    case .character(let c): return String(c)
    case .control(let c): return "^" + c.uppercased()
    case .up: return "↑"
    case .down: return "↓"
    case .left: return "←"
    case .right: return "→"
    case .delete: return "Del"
    case .pageUp: return "PgUp"
    case .pageDown: return "PgDn"
    case .home: return "Home"
    case .end: return "End"
    case .enter: return "⏎"
    case .escape: return "Esc"
    case .backspace: return "⌫"
    case .tab: return "Tab"
    }
  }
}
