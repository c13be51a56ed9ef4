import AuthDeckCore
import Foundation

/// Desktop notifications: through the terminal (the board's screen writes a bell and OSC 9 /
/// OSC 777, which kitty, WezTerm, iTerm2, foot and others show), and with `notify-send` when it
/// is on PATH. An argument vector, no shell; the child starts without the client-secret
/// variables; title and body are made inert and short first (they hold ids, names and times).
public struct SystemNotifier: NotificationSending {
  public static let titleLimit = 80
  public static let bodyLimit = 200

  let environment: ChildEnvironment
  /// Writes the notification to the terminal; nil where there is no terminal to write to.
  let terminal: (@Sendable (_ title: String, _ body: String) -> Void)?

  public init(
    environment: ChildEnvironment, terminal: (@Sendable (_ title: String, _ body: String) -> Void)?
  ) {
    self.environment = environment
    self.terminal = terminal
  }

  public func notify(title: String, body: String) {
    let title = Sanitizer.inline(title, limit: Self.titleLimit)
    let body = Sanitizer.inline(body, limit: Self.bodyLimit)
    terminal?(title, body)
    guard let program = Spawn.findExecutable("notify-send", path: environment["PATH"]) else { return }
    try? Spawn.detached(Self.notifySend(program, title: title, body: body), environment: environment)
  }

  /// `notify-send --app-name=AuthDeck -- "AuthDeck: TITLE" BODY`: `--` so that nothing in the
  /// text is taken for an option.
  static func notifySend(_ program: String, title: String, body: String) -> [String] {
    [program, "--app-name=AuthDeck", "--", "AuthDeck: " + title, body]
  }
}
