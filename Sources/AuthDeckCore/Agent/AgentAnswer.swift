import Foundation

/// A token as the agent hands it out: what `token`, `exec` and `kube-credential` print or pass on.
/// Never a refresh token.
public struct HandedToken: Equatable, Sendable {
  public var accessToken: String
  public var tokenType: String
  public var scope: String?
  public var expiresAt: Date?
  /// The id token, when it was asked for.
  public var idToken: String?
  /// The provider's `token_env`, the variable `exec` hands it over in.
  public var variable: String?
  /// `authdeck token --json`'s object for it (the session object with the token added).
  public var object: JSONValue

  public init(
    accessToken: String, tokenType: String, scope: String?, expiresAt: Date?, idToken: String?,
    variable: String?, object: JSONValue
  ) {
    self.accessToken = accessToken
    self.tokenType = tokenType
    self.scope = scope
    self.expiresAt = expiresAt
    self.idToken = idToken
    self.variable = variable
    self.object = object
  }

  /// The tokens as a `TokenSet` for what prints one (no refresh token: there is none here).
  public func tokens(issuedAt: Date) -> TokenSet {
    TokenSet(
      accessToken: accessToken, tokenType: tokenType, scope: scope, idToken: idToken, issuedAt: issuedAt,
      expiresAt: expiresAt)
  }
}

/// What the agent answers.
public enum AgentAnswer: Equatable, Sendable {
  case token(HandedToken)
  /// `status`'s line (empty with no session served) and the session objects.
  case status(line: String, sessions: [JSONValue])
  /// `wait`: every session can be handed out.
  case ready
  /// `wait`: the timeout came first; the sentence says which sessions still need a login.
  case stillMissing(String)
  /// `git`: the credential, or none (a host no served provider lists), with a note for the
  /// person when the host is known but cannot be served now.
  case git(GitCredentialAnswer?, note: String?)
  case failure(AgentFailure)

  /// The answer as sent: one line of JSON and a newline.
  public var line: String {
    var members: [String: JSONValue] = ["version": .number(Double(AgentProtocol.version)), "ok": .bool(true)]
    switch self {
    case .token(let handed):
      members["token"] = .string(handed.accessToken)
      members["type"] = .string(handed.tokenType)
      members["scope"] = handed.scope.map(JSONValue.string) ?? .null
      members["expires_at"] = handed.expiresAt.map { .number($0.timeIntervalSince1970) } ?? .null
      members["id_token"] = handed.idToken.map(JSONValue.string) ?? .null
      members["token_env"] = handed.variable.map(JSONValue.string) ?? .null
      members["session"] = handed.object
    case .status(let line, let sessions):
      members["line"] = .string(line)
      members["sessions"] = .array(sessions)
    case .ready:
      members["ready"] = .bool(true)
    case .stillMissing(let sentence):
      members["ready"] = .bool(false)
      members["message"] = .string(sentence)
    case .git(let credential, let note):
      if let credential {
        members["username"] = .string(credential.username)
        members["password"] = .string(credential.password)
        members["expires_at"] = credential.expiresAt.map { .number($0.timeIntervalSince1970) } ?? .null
      }
      members["note"] = note.map(JSONValue.string) ?? .null
    case .failure(let failure):
      members["ok"] = .bool(false)
      members["error"] = .object([
        "kind": .string(failure.kind.rawValue), "message": .string(failure.message),
        "id": failure.id.map { .string($0.description) } ?? .null,
      ])
    }
    return JSONValue.object(members).serialized + "\n"
  }

  /// The answer to `request`, as read by a client. Nonsense is `unreachable`: whatever sits on
  /// the socket is not an agent this client understands.
  public static func parse(_ bytes: [UInt8], to request: AgentRequest) throws(AgentFailure) -> AgentAnswer {
    let value: JSONValue
    do throws(JSONValue.ParseError) { value = try JSONValue.parse(bytes) } catch {
      throw AgentFailure(.unreachable, "the agent's answer is not JSON")
    }
    guard value["version"]?.number == Double(AgentProtocol.version) else {
      throw AgentFailure(.unreachable, "the agent speaks another version of the protocol")
    }
    if case .bool(false)? = value["ok"] {
      let error = value["error"]
      let kind = error?["kind"]?.string.flatMap(AgentFailure.Kind.init(rawValue:)) ?? .failed
      let message = Sanitizer.inline(error?["message"]?.string ?? "the agent refused", limit: 400)
      let id = error?["id"]?.string.flatMap { SessionID(stored: $0) }
      return .failure(AgentFailure(kind, message, id: id))
    }
    func string(_ key: String) -> String? { value[key]?.string }
    func date(_ key: String) -> Date? { value[key]?.number.map(Date.init(timeIntervalSince1970:)) }
    switch request {
    case .token:
      guard let token = string("token"), let type = string("type"), let object = value["session"] else {
        throw AgentFailure(.unreachable, "the agent's answer holds no token")
      }
      return .token(
        HandedToken(
          accessToken: token, tokenType: type, scope: string("scope"), expiresAt: date("expires_at"),
          idToken: string("id_token"), variable: string("token_env"), object: object))
    case .status:
      guard let line = string("line"), case .array(let sessions)? = value["sessions"] else {
        throw AgentFailure(.unreachable, "the agent's answer holds no status")
      }
      return .status(line: line, sessions: sessions)
    case .wait:
      guard case .bool(let ready)? = value["ready"] else {
        throw AgentFailure(.unreachable, "the agent's answer does not say whether the sessions are ready")
      }
      return ready ? .ready : .stillMissing(Sanitizer.inline(string("message") ?? "", limit: 400))
    case .git:
      let note = string("note").map { Sanitizer.inline($0, limit: 400) }
      guard let username = string("username"), let password = string("password") else {
        return .git(nil, note: note)
      }
      return .git(
        GitCredentialAnswer(username: username, password: password, expiresAt: date("expires_at")), note: note
      )
    }
  }
}
