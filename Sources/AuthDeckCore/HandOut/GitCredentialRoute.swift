/// Which session answers git for a request: the provider whose `git_hosts` lists the host, then
/// its `git_account`, else its only session. Every case but `.session` answers git nothing, so
/// git asks its next helper or the person; the front end says why when it is the user's to mend.
public enum GitCredentialRoute: Equatable, Sendable {
  /// Not a host of any provider, or not a protocol a token may travel by: nothing to say.
  case notOurs
  /// `id` answers, under `username`.
  case session(SessionID, username: String)
  /// The provider has no session to answer with.
  case noSession(provider: String, host: String)
  /// The provider has several sessions and no `git_account` chooses one.
  case severalSessions(provider: String, host: String, [SessionID])
  /// More than one provider lists the host.
  case sharedHost(host: String, providers: [String])

  /// `sessions` gives the stored sessions of a provider; it is asked only when the provider
  /// names no `git_account`.
  public static func route(
    _ request: GitCredentialRequest, providers: [Provider],
    sessions: (String) throws(AuthDeckError) -> [SessionID]
  ) throws(AuthDeckError) -> GitCredentialRoute {
    guard request.isSafeForTokens, let host = request.host else { return .notOurs }
    let listing = providers.filter { $0.git?.hosts.contains(host) == true }
    guard let provider = listing.first, let git = provider.git else { return .notOurs }
    guard listing.count == 1 else { return .sharedHost(host: host, providers: listing.map(\.id)) }
    if let account = git.account {
      return .session(SessionID(provider: provider.id, account: account), username: git.username)
    }
    let stored = try sessions(provider.id).sorted()
    switch stored.count {
    case 0: return .noSession(provider: provider.id, host: host)
    case 1: return .session(stored[0], username: git.username)
    default: return .severalSessions(provider: provider.id, host: host, stored)
    }
  }
}
