import Foundation

/// One session as `authdeck exec` hands it over: its variables and what goes in them.
public struct HandedSession: Sendable {
  public var variables: TokenVariables
  public var tokens: TokenSet
  /// The id token, when it was asked for (`--id-token`).
  public var idToken: String?

  public init(variables: TokenVariables, tokens: TokenSet, idToken: String? = nil) {
    self.variables = variables
    self.tokens = tokens
    self.idToken = idToken
  }
}

/// The environment a child process starts with: this process's, less every variable that holds a
/// client secret (every provider's `client_secret_env`). Made once, where the configuration is
/// known, and the only thing a spawn takes: no child can be given the whole environment by a
/// forgotten argument or a default.
public struct ChildEnvironment: Sendable, Equatable {
  public let variables: [String: String]

  public init(inherited: [String: String], withholding secrets: Set<String>) {
    variables = inherited.filter { !secrets.contains($0.key) }
  }

  /// No variables at all (a child that needs none, the demo's secret resolver).
  public static let empty = ChildEnvironment(inherited: [:], withholding: [])

  public subscript(name: String) -> String? { variables[name] }

  /// AuthDeck's variables a child may keep: where the configuration, the store and the agent
  /// are, so that it can run `authdeck` itself (a bot that renews through a forwarded agent), and
  /// what an `exec` handed over (`handedVariable`). Every other `AUTHDECK_*` variable is withheld.
  public static let keptOwnVariables: Set<String> = [
    "AUTHDECK_CONFIG", "AUTHDECK_STORE", AgentProtocol.socketVariable, handedVariable,
  ]

  /// The names an `exec` handed its COMMAND, comma-separated: a nested `exec` drops them, so that
  /// its COMMAND never gets an outer session's token under another name (`LIME_TOKEN` beside
  /// its own `AUTHDECK_TOKEN`).
  public static let handedVariable = "AUTHDECK_HANDED"

  /// What `authdeck exec` gives COMMAND: these variables without AuthDeck's own, without the
  /// names an outer `exec` handed over and without any stale value of the names handed over now
  /// (an expiry that is unknown is absent, not left from an outer `exec`); then each session's
  /// token, its expiry as a Unix time when known, its id token when given, and the list of
  /// those names.
  public func handing(_ sessions: [HandedSession]) -> [String: String] {
    let outer = (variables[Self.handedVariable] ?? "").split(separator: ",").map(String.init)
    let stale = Set(outer).subtracting(Self.keptOwnVariables).union(
      sessions.flatMap { [$0.variables.token, $0.variables.expiresAt, $0.variables.idToken] })
    var environment = variables.filter { name, _ in
      !stale.contains(name) && (!name.hasPrefix("AUTHDECK_") || Self.keptOwnVariables.contains(name))
    }
    var handed: [String] = []
    func hand(_ name: String, _ value: String) {
      environment[name] = value
      handed.append(name)
    }
    for session in sessions {
      hand(session.variables.token, session.tokens.accessToken)
      if let expiresAt = session.tokens.expiresAt {
        hand(
          session.variables.expiresAt,
          String(Int64(min(max(expiresAt.timeIntervalSince1970.rounded(.down), 0), 1e15))))
      }
      if let idToken = session.idToken { hand(session.variables.idToken, idToken) }
    }
    environment[Self.handedVariable] = handed.joined(separator: ",")
    return environment
  }
}

extension TokenService {
  /// Each session made valid (renewed when it must be, lasting `minValid`), with its id token
  /// when `idTokens`; and one failure for each session that could not be, in the same order.
  public func handOver(_ sessions: [TokenVariables], now: Date, minValid: TimeInterval, idTokens: Bool)
    -> (handed: [HandedSession], failures: [AuthDeckError])
  {
    var handed: [HandedSession] = []
    var failures: [AuthDeckError] = []
    for variables in sessions {
      do throws(AuthDeckError) {
        let tokens = try validToken(
          variables.id, stored: try store.load(variables.id), now: now, minValid: minValid)
        let idToken = idTokens ? try Self.idToken(of: variables.id, in: tokens, now: now) : nil
        handed.append(HandedSession(variables: variables, tokens: tokens, idToken: idToken))
      } catch {
        failures.append(error)
      }
    }
    return (handed, failures)
  }
}
