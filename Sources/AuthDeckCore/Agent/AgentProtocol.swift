import Foundation

/// The agent's protocol (docs/scripting.md, "The agent protocol"): on a Unix stream socket, one
/// request per connection, one line of JSON each way, then the agent closes the connection.
/// Every message names its `version`; an agent answers a version it does not speak with
/// `unsupported_version`. Only access tokens, id tokens when asked, and their expiry cross it:
/// never a refresh token or a client secret.
public enum AgentProtocol {
  public static let version = 1
  /// The variable that names the agent's socket to a client.
  public static let socketVariable = "AUTHDECK_SOCK"
  /// The longest request an agent reads; a longer one is refused, unread.
  public static let requestLimit = 16 * 1024
  /// The longest answer a client reads (a status of thousands of sessions fits).
  public static let answerLimit = 8 * 1024 * 1024
  /// How long a request may take to arrive, and an answer other than `wait`'s.
  public static let timeout: TimeInterval = 10
  /// The longest a `wait` request may ask for.
  public static let longestWait: TimeInterval = 7 * 86_400
  /// The longest a notice may ask a client to wait on top of `timeout`.
  public static let longestNotice: TimeInterval = 10 * 60
}

/// What a client asks the agent.
public enum AgentRequest: Equatable, Sendable {
  /// `authdeck token`: a valid token, lasting `minValid`; the id token as well when asked.
  case token(SessionID, minValid: TimeInterval, idToken: Bool)
  /// `authdeck status`: the line, and the session objects, of the sessions the agent serves.
  case status
  /// `authdeck wait`: an answer once every session can be handed out, or at the timeout.
  case wait([SessionID], timeout: TimeInterval?)
  /// `authdeck git-credential get`: the credential for a host, when a served provider lists it.
  case git(host: String)

  public var operation: String {
    switch self {
    case .token: return "token"
    case .status: return "status"
    case .wait: return "wait"
    case .git: return "git"
    }
  }

  /// The request as sent: one line of JSON and a newline.
  public var line: String {
    var members: [String: JSONValue] = [
      "version": .number(Double(AgentProtocol.version)), "op": .string(operation),
    ]
    switch self {
    case .token(let id, let minValid, let idToken):
      members["id"] = .string(id.description)
      members["min_valid"] = .number(minValid)
      members["id_token"] = .bool(idToken)
    case .status:
      break
    case .wait(let ids, let timeout):
      members["ids"] = .array(ids.map { .string($0.description) })
      members["timeout"] = timeout.map(JSONValue.number) ?? .null
    case .git(let host):
      members["host"] = .string(host)
    }
    return JSONValue.object(members).serialized + "\n"
  }

  /// A request as read; anything malformed is a `badRequest` (or `unsupportedVersion`) that says
  /// what is wrong, never a crash.
  public static func parse(_ bytes: [UInt8]) throws(AgentFailure) -> AgentRequest {
    let value: JSONValue
    do throws(JSONValue.ParseError) { value = try JSONValue.parse(bytes) } catch {
      throw AgentFailure(.badRequest, "the request is not one line of JSON")
    }
    guard case .object = value else { throw AgentFailure(.badRequest, "the request is not a JSON object") }
    guard let version = value["version"]?.number else {
      throw AgentFailure(.badRequest, "the request names no version")
    }
    guard version == Double(AgentProtocol.version) else {
      let named = version == version.rounded() && abs(version) < 1e9 ? String(Int(version)) : String(version)
      throw AgentFailure(
        .unsupportedVersion,
        "this agent speaks version \(AgentProtocol.version) of the protocol, not \(named)")
    }
    switch value["op"]?.string {
    case "token":
      let minValid = try Self.seconds(value["min_valid"], named: "min_valid") ?? 0
      guard minValid >= 0, minValid <= AgentProtocol.longestWait else {
        throw AgentFailure(.badRequest, "min_valid must be a number of seconds from 0 to a week")
      }
      let idToken: Bool
      switch value["id_token"] {
      case nil, .null?: idToken = false
      case .bool(let flag)?: idToken = flag
      default: throw AgentFailure(.badRequest, "id_token must be true or false")
      }
      return .token(try id(value["id"]), minValid: minValid, idToken: idToken)
    case "status":
      return .status
    case "wait":
      guard case .array(let items)? = value["ids"], !items.isEmpty, items.count <= 100 else {
        throw AgentFailure(.badRequest, "wait needs ids: a list of 1 to 100 session ids")
      }
      var ids: [SessionID] = []
      for item in items { ids.append(try id(item)) }
      var timeout: TimeInterval?
      if let seconds = try Self.seconds(value["timeout"], named: "timeout") {
        guard seconds >= 0, seconds <= AgentProtocol.longestWait else {
          throw AgentFailure(.badRequest, "timeout must be a number of seconds from 0 to a week")
        }
        timeout = seconds
      }
      return .wait(ids, timeout: timeout)
    case "git":
      guard let host = value["host"]?.string, !host.isEmpty, host.count <= 255 else {
        throw AgentFailure(.badRequest, "git needs host: the host name git asks about")
      }
      return .git(host: host.lowercased())
    case let other?:
      throw AgentFailure(
        .badRequest, "unknown op '\(Sanitizer.inline(other, limit: 40))' (token, status, wait, git)")
    case nil:
      throw AgentFailure(.badRequest, "the request names no op")
    }
  }

  /// A number of seconds, or nil when the member is absent or null; anything else is refused
  /// rather than read as nothing.
  private static func seconds(_ value: JSONValue?, named name: String) throws(AgentFailure) -> TimeInterval? {
    switch value {
    case nil, .null?: return nil
    case .number(let seconds)?: return seconds
    default: throw AgentFailure(.badRequest, "\(name) must be a number of seconds")
    }
  }

  private static func id(_ value: JSONValue?) throws(AgentFailure) -> SessionID {
    guard let text = value?.string else { throw AgentFailure(.badRequest, "a session id is missing") }
    do throws(AuthDeckError) { return try SessionID(parsing: text) } catch {
      throw AgentFailure(.badRequest, error.description)
    }
  }
}

/// Why the agent could not answer, as it says it: a kind a program can act on, and a sentence
/// for a person (a fact; the client adds what to do).
public struct AgentFailure: Error, Equatable, Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    /// The session needs a person to log in, on the agent's side (`id` says which).
    case loginRequired = "login_required"
    /// The provider does not let the agent serve it (no `agent = true`), or the board refused.
    case notServed = "not_served"
    case unknownProvider = "unknown_provider"
    case badRequest = "bad_request"
    case unsupportedVersion = "unsupported_version"
    /// The agent refused the peer (another user) or is too busy to take the request.
    case refused
    /// The request was understood and failed (a network error, a provider's answer).
    case failed
    /// Said by a client: the socket could not be reached, or answered nonsense.
    case unreachable
  }

  public var kind: Kind
  public var message: String
  /// The session a login would mend.
  public var id: SessionID?

  public init(_ kind: Kind, _ message: String, id: SessionID? = nil) {
    self.kind = kind
    self.message = message
    self.id = id
  }

  public var exitCode: Int32 {
    switch kind {
    case .loginRequired: return AuthDeckError.loginNeededStatus
    case .badRequest, .unknownProvider: return AuthDeckError.usageStatus
    default: return AuthDeckError.failureStatus
    }
  }
}
