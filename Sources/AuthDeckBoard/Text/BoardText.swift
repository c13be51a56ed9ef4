import AuthDeckCore
import Foundation

/// How the board words the typed outcomes it is told: the fact, then the key to press. The
/// command line words the same reasons with the command to run (`CommandLineText`).
enum BoardText {
  /// A message: what happened, and the key that mends it (see `BoardState.Message`).
  struct Said: Equatable {
    var text: String
    var action: String?

    init(_ text: String, action: String? = nil) {
      self.text = text
      self.action = action
    }

    /// More of what happened.
    func and(_ more: String) -> Said { Said(text + "; " + more, action: action) }

    /// The key to press, unless one is named already.
    func with(action: String) -> Said { Said(text, action: self.action ?? action) }
  }

  /// "lime/main: expired 08:00 (2h ago)", and "press ⏎ to log in".
  static func loginNeeded(_ required: LoginRequired) -> Said {
    guard required.reason.suggestsLogin else { return Said(required.description) }
    return Said(required.description, action: KeyBindings.hint(.login, "to log in"))
  }

  /// A failure of something done for `id`: the id first, then what happened.
  static func failure(_ id: SessionID, _ error: AuthDeckError) -> Said {
    if case .loginRequired(let required) = error { return loginNeeded(required) }
    return Said("\(id): \(error.description)")
  }

  /// What a copy says: what was copied, how, and what failed.
  static func copied(_ id: SessionID, _ item: CopiedItem, _ result: CopyResult?, now: Date) -> (
    String, isError: Bool
  ) {
    guard let result else {
      switch item {
      case .token: return ("\(id) has no valid token to copy; " + KeyBindings.hint(.login, "to log in"), true)
      case .loginURL: return ("\(id) has no login waiting; " + KeyBindings.hint(.login, "to start one"), true)
      case .userCode:
        return ("\(id) has no device login waiting; " + KeyBindings.hint(.login, "to start one"), true)
      }
    }
    guard result.copied else { return ("\(id): nothing was copied (\(result.summary))", true) }
    switch item {
    case .token(let until):
      let validity = until.map { ", valid \(TimeFormat.countdown($0.timeIntervalSince(now))) more" } ?? ""
      return ("copied \(id)'s access token\(validity) (\(result.summary))", !result.failures.isEmpty)
    case .loginURL:
      return (
        "copied \(id)'s login URL (\(result.summary)); open it in any browser", !result.failures.isEmpty
      )
    case .userCode:
      return ("copied \(id)'s code (\(result.summary)); enter it at its page", !result.failures.isEmpty)
    }
  }

  /// A provider that cannot be used (its discovery failed): what happened, and that its logins
  /// will fail until the configuration is fixed.
  static func providerUnusable(_ problem: AuthDeckError, id: String) -> String {
    problem.description + "; its logins fail until then"
  }

  /// What a log-out says: done, and what the provider did not do.
  static func loggedOut(_ id: SessionID, forgotten: Bool, revocation: Revocation) -> (String, isError: Bool) {
    let done = forgotten ? "\(id) forgotten" : "\(id) logged out"
    guard let warning = revocation.warning else { return (done, false) }
    return ("\(done) here, but \(warning)", true)
  }
}
