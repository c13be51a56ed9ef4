/// Every failure a user can meet, each with one short line meant for them.
/// The text never carries a secret; anything that came from a server or a paste is sanitized.
public enum AuthDeckError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The command line or an id was wrong.
  case usage(String)
  /// The configuration file is wrong; the message names the file, the provider and the key.
  case config(String)
  /// The session store refused to be used or could not be written.
  case store(String)
  /// A pasted or received redirect was refused; the pending login is kept.
  case redirect(String)
  /// The provider answered with an error or something that is not a token response.
  case provider(String)
  /// The network failed: timeout, refused connection, TLS.
  case network(String)
  /// The session needs a new login (expired without a way to refresh, or invalid_grant).
  case loginRequired(String)
  /// Something that is not in the user's hands.
  case other(String)

  public var description: String {
    switch self {
    case .usage(let m), .config(let m), .store(let m), .redirect(let m), .provider(let m),
      .network(let m), .loginRequired(let m), .other(let m):
      return m
    }
  }

  /// The same kind of error, its message followed by `note` ("…; note").
  public func adding(_ note: String) -> AuthDeckError {
    let text = "\(description); \(note)"
    switch self {
    case .usage: return .usage(text)
    case .config: return .config(text)
    case .store: return .store(text)
    case .redirect: return .redirect(text)
    case .provider: return .provider(text)
    case .network: return .network(text)
    case .loginRequired: return .loginRequired(text)
    case .other: return .other(text)
    }
  }

  /// The process exit status the command line uses for this error.
  public var exitCode: Int32 {
    switch self {
    case .usage: return 64
    case .config: return 78
    case .loginRequired: return 3
    default: return 1
    }
  }
}
