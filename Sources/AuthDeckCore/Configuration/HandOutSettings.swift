/// `agent`: whether `authdeck agent` hands this provider's tokens out on its socket. As
/// ssh-agent serves only the keys added to it, nothing is served unless the provider says so.
public enum AgentAccess: String, Sendable, Equatable, CaseIterable {
  /// Not served (the default).
  case off
  /// Served to any process of this user that reaches the socket (a forwarded one included).
  case on
  /// Served once the open board approves each new client; refused when no board is open.
  case confirm
}

/// `git_hosts`, `git_username`, `git_account`: the hosts `authdeck git-credential` answers git
/// for with this provider's token, the user name it gives, and which session serves them.
public struct GitCredentialSettings: Sendable, Equatable {
  /// Host names as git names them (`git.example.com`, or `git.example.com:8443` with a port).
  public var hosts: [String]
  /// The user name git is given with the token (`oauth2` unless said otherwise).
  public var username: String
  /// The account whose token is given; nil: the provider's only session.
  public var account: String?

  public static let defaultUsername = "oauth2"

  public init(hosts: [String], username: String = Self.defaultUsername, account: String? = nil) {
    self.hosts = hosts
    self.username = username
    self.account = account
  }
}
