import AuthDeckCore
import Foundation
import Synchronization

/// Who approves a caller of a provider with `agent = "confirm"`: the open board
/// (`BoardApproval`).
public protocol AgentApprover: Sendable {
  /// The answer already given to `caller` for `provider`, when one is kept; never asks.
  func known(provider: String, caller: AgentCaller) -> Bool?
  /// Asks and waits for the answer: false when refused, when no one can answer, or once
  /// `hungUp` says the caller has gone (its question is then withdrawn). `waiting` is called
  /// once someone can answer, before the wait.
  func ask(provider: String, caller: AgentCaller, hungUp: () -> Bool, waiting: () -> Void) -> Bool
}

/// What `authdeck agent` answers: for each request from its socket, what the command would do
/// here (`token`, `status`, `wait`, git's credential), for the providers that let it
/// (`agent = true`, or `"confirm"` once the board approved the caller). Renewals happen here,
/// with this machine's secrets: the caller gets an access token and its expiry, nothing more.
public final class AgentService: Sendable {
  /// The token service for the configuration as it is now (read again for each request, so an
  /// edited configuration is served without a restart).
  let service: @Sendable () throws(AuthDeckError) -> TokenService
  let approver: any AgentApprover
  private let served = Mutex<[SessionID: AgentServed.Entry]>([:])

  public init(
    service: @escaping @Sendable () throws(AuthDeckError) -> TokenService, approver: any AgentApprover
  ) {
    self.service = service
    self.approver = approver
  }

  /// One request's connection: who is at the other end, whether it has gone (a `wait` or a
  /// question stops then), and how to tell it, before the answer, that the answer waits for a
  /// person.
  public struct Connection {
    public var peer: AgentCaller
    public var hungUp: () -> Bool
    public var notify: (AgentNotice) -> Void

    public init(_ peer: AgentCaller, hungUp: @escaping () -> Bool, notify: @escaping (AgentNotice) -> Void) {
      self.peer = peer
      self.hungUp = hungUp
      self.notify = notify
    }
  }

  /// The answer to `request` from `caller`.
  public func answer(_ request: AgentRequest, from caller: Connection) -> AgentAnswer {
    do throws(AgentFailure) {
      switch request {
      case .token(let id, let minValid, let idToken):
        return .token(try token(id, minValid: minValid, idToken: idToken, for: caller))
      case .status:
        return try status(for: caller.peer)
      case .wait(let ids, let timeout):
        return try wait(for: ids, timeout: timeout, caller: caller)
      case .git(let host):
        return try git(host: host, for: caller)
      }
    } catch {
      return .failure(error)
    }
  }

  // MARK: The requests

  func token(_ id: SessionID, minValid: TimeInterval, idToken: Bool, for caller: Connection)
    throws(AgentFailure) -> HandedToken
  {
    let service = try Self.failing { () throws(AuthDeckError) in try self.service() }
    let provider = try served(id.provider, in: service.configuration, for: caller)
    let now = Date()
    return try Self.failing { () throws(AuthDeckError) in
      let stored = try service.store.load(id)
      var tokens = stored.flatMap { TokenService.usableToken(in: $0, now: now, minValid: minValid) }
      if tokens == nil { tokens = try service.validToken(id, stored: stored, now: now, minValid: minValid) }
      guard let tokens else { throw .other("no token") }
      let chosen = idToken ? try TokenService.idToken(of: id, in: tokens, now: now) : nil
      let session = try service.store.load(id) ?? stored ?? Session(id: id)
      let object = TokenOutput.object(
        session, tokens, idToken: chosen, expiringWithin: service.configuration.expiringWithin, now: now)
      record(id, for: caller.peer, at: now, in: service.store)
      return HandedToken(
        accessToken: tokens.accessToken, tokenType: tokens.tokenType, scope: tokens.scope,
        expiresAt: tokens.expiresAt, idToken: chosen, variable: provider.tokenVariable,
        object: .object(object))
    }
  }

  func status(for caller: AgentCaller) throws(AgentFailure) -> AgentAnswer {
    let service = try Self.failing { () throws(AuthDeckError) in try self.service() }
    let configuration = service.configuration
    let all = try Self.failing { () throws(AuthDeckError) in try service.store.loadAll().sessions }
    // Only what is served, and a "confirm" provider only once its caller is approved: a status
    // must not tell another machine more than a token request would. It never asks: a prompt
    // or tmux runs it every few seconds, and a question each time would be noise.
    let sessions = all.filter { session in
      guard let provider = configuration.provider(session.id.provider) else { return false }
      switch provider.agent {
      case .off: return false
      case .on: return true
      case .confirm: return approver.known(provider: provider.id, caller: caller) == true
      }
    }
    let now = Date()
    let objects = sessions.map {
      JSONValue.object(SessionJSON.object($0, now: now, expiringWithin: configuration.expiringWithin))
    }
    return .status(line: sessions.isEmpty ? "" : StatusLine.line(sessions, now: now), sessions: objects)
  }

  func wait(for ids: [SessionID], timeout: TimeInterval?, caller: Connection) throws(AgentFailure)
    -> AgentAnswer
  {
    let service = try Self.failing { () throws(AuthDeckError) in try self.service() }
    for id in ids { _ = try served(id.provider, in: service.configuration, for: caller) }
    let wait = try Self.failing { () throws(AuthDeckError) in
      try SessionWait(ids, store: service.store, configuration: service.configuration)
    }
    let start = Date()
    let deadline = start.addingTimeInterval(
      min(timeout ?? AgentProtocol.longestWait, AgentProtocol.longestWait))
    // In slices of a second, so that a caller who gave up (Ctrl-C, a closed ssh) is let go.
    while true {
      let slice = min(deadline, Date().addingTimeInterval(1))
      let missing = try Self.failing { () throws(AuthDeckError) in try wait.run(until: slice) { _ in } }
      if missing.isEmpty { return .ready }
      if Date() >= deadline {
        return .stillMissing(
          WaitText.timedOut(after: deadline.timeIntervalSince(start), missing: missing, now: Date()))
      }
      if caller.hungUp() { return .stillMissing("the caller left") }
    }
  }

  /// git's credential for `host` (https: the client checked the protocol), routed as
  /// `git-credential` routes it here, among the providers served to `caller`. Nothing for a
  /// host none of them lists; a note when the user can mend it.
  func git(host: String, for caller: Connection) throws(AgentFailure) -> AgentAnswer {
    let service = try Self.failing { () throws(AuthDeckError) in try self.service() }
    let providers = service.configuration.providers.filter {
      $0.agent == .on
        || ($0.agent == .confirm && $0.git?.hosts.contains(host) == true && approved($0.id, caller))
    }
    let route = try Self.failing { () throws(AuthDeckError) in
      try GitCredentialRoute.route(GitCredentialRequest(scheme: "https", host: host), providers: providers) {
        (provider) throws(AuthDeckError) in try service.store.storedIDs().filter { $0.provider == provider }
      }
    }
    guard case .session(let id, let username) = route else {
      return .git(nil, note: GitCredentialText.note(route))
    }
    do throws(AgentFailure) {
      let handed = try token(id, minValid: 0, idToken: false, for: caller)
      return .git(
        GitCredentialAnswer(username: username, password: handed.accessToken, expiresAt: handed.expiresAt),
        note: nil)
    } catch {
      guard error.kind == .loginRequired else { throw error }
      return .git(nil, note: CommandLineText.agentSaid(error))
    }
  }

  // MARK: Rules

  /// The provider, when the agent may serve it to `caller`; else why not.
  func served(_ id: String, in configuration: Configuration, for caller: Connection) throws(AgentFailure)
    -> Provider
  {
    guard let provider = configuration.provider(id) else {
      throw AgentFailure(.unknownProvider, "the agent knows no provider '\(Sanitizer.inline(id, limit: 60))'")
    }
    switch provider.agent {
    case .off:
      throw AgentFailure(
        .notServed, "the agent does not serve \(id) (its provider table has no agent = true)")
    case .on:
      return provider
    case .confirm:
      guard approved(id, caller) else {
        throw AgentFailure(
          .notServed, "\(id) is served once approved on the board, which refused or is not open")
      }
      return provider
    }
  }

  /// Whether `caller` may have `provider`'s tokens: the answer kept, else the board's, asked
  /// while the caller is told it waits for it.
  private func approved(_ provider: String, _ caller: Connection) -> Bool {
    if let known = approver.known(provider: provider, caller: caller.peer) { return known }
    return approver.ask(provider: provider, caller: caller.peer, hungUp: caller.hungUp) {
      caller.notify(
        AgentNotice(
          "waiting for \(provider)'s tokens to be allowed on the board", seconds: AgentApprovals.lifetime))
    }
  }

  private func record(_ id: SessionID, for caller: AgentCaller, at now: Date, in store: SessionStore) {
    let entry = AgentServed.Entry(at: now, forwarded: caller.forwarded, program: caller.program)
    let snapshot: [SessionID: AgentServed.Entry]? = served.withLock { served in
      // The file is the board's: once a second per session and caller kind is enough.
      if let last = served[id], last.forwarded == entry.forwarded, now.timeIntervalSince(last.at) < 1 {
        return nil
      }
      served[id] = entry
      return served
    }
    if let snapshot { AgentServed.write(snapshot, to: store) }
  }

  /// `body`'s value; its error as the agent says it.
  static func failing<T>(_ body: () throws(AuthDeckError) -> T) throws(AgentFailure) -> T {
    do throws(AuthDeckError) { return try body() } catch { throw failure(error) }
  }

  static func failure(_ error: AuthDeckError) -> AgentFailure {
    switch error {
    case .loginRequired(let required):
      // The id names the session a login would mend: none when a login would not (a token
      // that cannot last --min-valid, a provider that sends no id token).
      return AgentFailure(
        .loginRequired, required.description, id: required.reason.suggestsLogin ? required.id : nil)
    case .agent(let failure): return failure
    case .usage(let message): return AgentFailure(.badRequest, message)
    case .unknownSession(let id): return AgentFailure(.loginRequired, "\(id) has never logged in", id: id)
    case .config(let message): return AgentFailure(.failed, "its configuration: " + message)
    default: return AgentFailure(.failed, error.description)
    }
  }
}
