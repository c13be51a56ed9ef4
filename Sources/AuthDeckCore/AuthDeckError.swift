/// Every failure a user can meet, each with one short line meant for them.
/// The text never carries a secret; anything that came from a server or a paste is sanitized.
/// It says what happened, not which command to run or key to press: each front end adds that
/// (the command line in `CommandLineText`, the board in `BoardText`).
public enum AuthDeckError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The command line or an id was wrong.
  case usage(String)
  /// No session has this id.
  case unknownSession(SessionID)
  /// The configuration file is wrong; the message names the file, the provider and the key.
  case config(String)
  /// The session store refused to be used or could not be written.
  case store(String)
  /// A pasted or received redirect was refused; the pending login is kept.
  case redirect(String)
  /// The provider answered with an error or something that is not a token response.
  case provider(String)
  /// The token endpoint refused a grant (`invalid_grant`): a refresh token or a code that is
  /// spent, expired or revoked. The token service turns it into `.loginRequired` with the
  /// session it was for; `provider` is the provider's id.
  case grantRefused(provider: String, ProviderError)
  /// The network failed: timeout, refused connection, TLS.
  case network(String)
  /// The session needs a new login, and why.
  case loginRequired(LoginRequired)
  /// The agent (`AUTHDECK_SOCK`) could not hand out what was asked, or could not be reached.
  case agent(AgentFailure)
  /// Something that is not in the user's hands.
  case other(String)

  public var description: String {
    switch self {
    case .usage(let m), .config(let m), .store(let m), .redirect(let m), .provider(let m),
      .network(let m), .other(let m):
      return m
    case .grantRefused(let provider, let said): return "\(provider): \(said.text)"
    case .loginRequired(let required): return required.description
    case .unknownSession(let id): return "there is no session \(id)"
    case .agent(let failure): return failure.message
    }
  }

  /// The same kind of error, its message followed by `note` ("…; note"). A login that is
  /// needed is a typed fact and stays as it is.
  public func adding(_ note: String) -> AuthDeckError {
    let text = "\(description); \(note)"
    switch self {
    case .usage, .unknownSession: return .usage(text)
    case .config: return .config(text)
    case .store: return .store(text)
    case .redirect: return .redirect(text)
    case .provider, .grantRefused: return .provider(text)
    case .network: return .network(text)
    case .loginRequired: return self
    case .agent(var failure):
      failure.message = text
      return .agent(failure)
    case .other: return .other(text)
    }
  }

  /// The exit statuses of the command line (docs/scripting.md).
  public static let failureStatus: Int32 = 1
  public static let loginNeededStatus: Int32 = 3
  public static let usageStatus: Int32 = 64
  public static let configurationStatus: Int32 = 78

  /// The process exit status the command line uses for this error.
  public var exitCode: Int32 {
    switch self {
    case .usage, .unknownSession: return Self.usageStatus
    case .config: return Self.configurationStatus
    case .loginRequired, .grantRefused: return Self.loginNeededStatus
    case .agent(let failure): return failure.exitCode
    default: return Self.failureStatus
    }
  }

  /// The login needed, when that is what this error says.
  public var loginRequired: LoginRequired? {
    if case .loginRequired(let required) = self { return required }
    return nil
  }
}
