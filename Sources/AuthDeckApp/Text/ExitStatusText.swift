import AuthDeckCore

/// The exit statuses every command uses, as `authdeck --help` and docs/scripting.md state them.
public enum ExitStatusText {
  /// Each status (as written) and what it means, short enough for the man page: a row is one
  /// line of `man authdeck` at 80 columns (`width`).
  public static let rows: [(status: String, meaning: String)] = [
    ("0", "success"),
    (code(AuthDeckError.failureStatus), "failure: network, the provider's answer, the store, the agent"),
    (code(AuthDeckError.loginNeededStatus), "login needed; no id token; below --min-valid; wait timed out"),
    (code(AuthDeckError.usageStatus), "bad usage: an option, a duration, a session id, unknown provider"),
    (code(AuthDeckError.configurationStatus), "bad configuration (the message names file, provider and key)"),
    ("126", "exec: COMMAND was found but cannot be run"),
    ("127", "exec: COMMAND was not found"),
    ("128+N", "killed by signal N: 130 for Ctrl-C (the board and agent exit 0)"),
    ("other", "exec: COMMAND's own status (authdeck becomes COMMAND)"),
  ]

  /// The longest row: `man` at 80 columns sets text 5 columns in and 2 short of the edge, and
  /// the man page's rows are lines of their own, not wrapped to fit.
  public static let width = 73

  public static var table: String {
    "Exit status:\n" + rows.map { "  " + $0.status.padding(6) + $0.meaning }.joined(separator: "\n")
  }

  static func code(_ status: Int32) -> String { String(status) }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(1, width - count))
  }
}
