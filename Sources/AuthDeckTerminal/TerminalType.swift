import Foundation

/// Whether curses can draw on `TERM` here, decided before it tries (it would print its own
/// "Error opening terminal" and exit). A terminal whose entry this host lacks (xterm-kitty,
/// xterm-ghostty, foot, alacritty, wezterm: common over SSH from a newer terminal) is drawn as
/// xterm-256color, which each of them understands; anything else is refused with what to do.
public enum TerminalType {
  public enum Resolution: Equatable, Sendable {
    case known
    /// Draw as `to` instead, and say so.
    case fallback(from: String, to: String)
    case unknown(String)
  }

  /// Terminals that speak xterm's language well enough for the board.
  static let xtermLike = ["xterm", "kitty", "ghostty", "foot", "alacritty", "wezterm", "contour", "rio"]

  public static func resolve(_ term: String, environment: [String: String]) -> Resolution {
    resolve(term) { exists($0, environment: environment) }
  }

  static func resolve(_ term: String, exists: (String) -> Bool) -> Resolution {
    if exists(term) { return .known }
    let family = term.split(separator: "-").first.map(String.init) ?? term
    if xtermLike.contains(family) || xtermLike.contains(where: { term.hasPrefix("xterm-" + $0) }) {
      for fallback in ["xterm-256color", "xterm"] where exists(fallback) {
        return .fallback(from: term, to: fallback)
      }
    }
    return .unknown(
      "the terminal type '\(term)' has no terminfo entry here: run with TERM=xterm-256color, "
        + "or install its entry (Debian: ncurses-term, kitty-terminfo)")
  }

  /// Where ncurses looks for an entry (terminfo(5)): $TERMINFO, ~/.terminfo, $TERMINFO_DIRS
  /// (an empty part stands for the system's), then the system's folders; each by the name's
  /// first letter, or its code in hex.
  static func exists(_ name: String, environment: [String: String]) -> Bool {
    guard let first = name.utf8.first, !name.contains("/") else { return false }
    let system = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
    var folders: [String] = []
    if let own = environment["TERMINFO"], !own.isEmpty { folders.append(own) }
    if let home = environment["HOME"], !home.isEmpty { folders.append(home + "/.terminfo") }
    if let dirs = environment["TERMINFO_DIRS"] {
      for part in dirs.split(separator: ":", omittingEmptySubsequences: false) {
        folders += part.isEmpty ? system : [String(part)]
      }
    }
    folders += system
    let letter = String(UnicodeScalar(first))
    let hex = String(format: "%02x", first)
    return folders.contains { folder in
      FileManager.default.fileExists(atPath: "\(folder)/\(letter)/\(name)")
        || FileManager.default.fileExists(atPath: "\(folder)/\(hex)/\(name)")
    }
  }
}
