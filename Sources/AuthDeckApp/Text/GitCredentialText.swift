import AuthDeckCore

/// What `authdeck git-credential get` says on stderr when it answers git nothing that the user
/// can mend: the fact, then the login to run or the key to set. Git goes on to its next helper.
public enum GitCredentialText {
  /// One line, or nil when there is nothing to say (`.notOurs`, `.session`).
  public static func note(_ route: GitCredentialRoute) -> String? {
    switch route {
    case .notOurs, .session: return nil
    case .noSession(let provider, let host):
      return "no \(provider) session to answer git for \(host); run: authdeck login \(provider)/ACCOUNT"
    case .severalSessions(let provider, let host, let sessions):
      return "\(provider) has \(sessions.count) sessions (\(listed(sessions))) and git asks for \(host): "
        + "set git_account in [providers.\(provider)] to the one git gets"
    case .sharedHost(let host, let providers):
      return "\(host) is in git_hosts of \(providers.joined(separator: " and ")): keep it in one provider's"
    }
  }

  /// The first few sessions, so that the line stays one line.
  static func listed(_ sessions: [SessionID]) -> String {
    let shown = sessions.prefix(3).map(\.description).joined(separator: ", ")
    return sessions.count > 3 ? shown + ", …" : shown
  }
}
