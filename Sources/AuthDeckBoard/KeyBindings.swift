/// What a key does on the list. Each binding carries its keys and its help text together,
/// so the footer, the help screen and the dispatch are one table and cannot disagree.
public enum Command: Sendable, Equatable {
  case moveUp, moveDown, pageUp, pageDown, top, bottom
  case filter, login, paste, copyURL, copyToken, refresh, newSession, delete, morningQueue
  case help, quit
}

public struct KeyBinding: Sendable {
  public let keys: [Key]
  public let command: Command
  /// Short words for the footer; nil keeps the binding out of the footer (still in help).
  public let footer: String?
  public let help: String

  public var keyLabel: String { keys.map(\.label).joined(separator: "/") }
}

public enum KeyBindings {
  public static let list: [KeyBinding] = [
    KeyBinding(keys: [.up, .character("k")], command: .moveUp, footer: nil, help: "move up"),
    KeyBinding(keys: [.down, .character("j")], command: .moveDown, footer: nil, help: "move down"),
    KeyBinding(keys: [.pageUp], command: .pageUp, footer: nil, help: "page up"),
    KeyBinding(keys: [.pageDown], command: .pageDown, footer: nil, help: "page down"),
    KeyBinding(keys: [.character("g"), .home], command: .top, footer: nil, help: "first session"),
    KeyBinding(keys: [.character("G"), .end], command: .bottom, footer: nil, help: "last session"),
    KeyBinding(
      keys: [.enter, .character("l")], command: .login, footer: "login",
      help: "log in the selected session (opens the browser)"),
    KeyBinding(
      keys: [.character("p")], command: .paste, footer: "paste",
      help: "paste a redirect URL to finish a login"),
    KeyBinding(
      keys: [.character("c")], command: .copyToken, footer: "copy",
      help: "copy the selected access token to the clipboard"),
    KeyBinding(
      keys: [.character("u")], command: .copyURL, footer: nil,
      help: "copy the pending login's authorize URL (log in from another machine)"),
    KeyBinding(
      keys: [.character("r")], command: .refresh, footer: "refresh",
      help: "refresh the token (refresh token or client credentials)"),
    KeyBinding(
      keys: [.character("L")], command: .morningQueue, footer: "login all",
      help: "log in every expired or empty session, one after another"),
    KeyBinding(
      keys: [.character("n")], command: .newSession, footer: "new", help: "new session (provider/account)"),
    KeyBinding(
      keys: [.character("d")], command: .delete, footer: nil, help: "log out or forget the selected session"),
    KeyBinding(
      keys: [.character("/")], command: .filter, footer: "filter", help: "filter sessions by id as you type"),
    KeyBinding(keys: [.character("?")], command: .help, footer: "help", help: "show this help"),
    KeyBinding(keys: [.character("q"), .control("c")], command: .quit, footer: "quit", help: "quit"),
  ]

  public static func command(for key: Key) -> Command? {
    list.first { $0.keys.contains(key) }?.command
  }
}

/// The keys of a prompt (filter, paste, new session) and of the other modes, for their footers.
public enum PromptKeys {
  public static let prompt: [(String, String)] = [("⏎", "submit"), ("Esc", "cancel"), ("^U", "clear")]
  public static let filter: [(String, String)] = [("⏎", "keep"), ("Esc", "clear"), ("^U", "clear text")]
  public static let confirm: [(String, String)] = [("y", "log out"), ("f", "forget"), ("n/Esc", "cancel")]
  public static let help: [(String, String)] = [("Esc/?/q", "close")]
  public static let firstRun: [(String, String)] = [("D", "open the demo"), ("q", "quit")]
}
