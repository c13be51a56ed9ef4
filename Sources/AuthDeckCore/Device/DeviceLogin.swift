import Foundation

/// The device authorization grant (RFC 8628) for the token service: a code from the device
/// authorization endpoint, one poll of the token endpoint, and the tokens stored. The waiting
/// between polls is `DeviceLoginPoller`'s.
extension TokenService {
  /// Asks the provider for a device code (its endpoint discovered when the configuration leaves
  /// it out), and stores the session when it is new. The device code is kept by the caller only.
  public func startDeviceLogin(_ id: SessionID, now: Date) throws(AuthDeckError)
    -> (session: Session, authorization: DeviceAuthorization)
  {
    let provider = try configuration.provider(for: id)
    guard provider.grant == .deviceCode else {
      throw .usage("\(id.provider) does not log in with a device code (grant = \"device_code\")")
    }
    let authorization = try send(provider, to: .deviceAuthorization, now: now) {
      (current, secret) throws(AuthDeckError) in
      let endpoint = try ClientEndpoint.deviceAuthorization(
        of: current, clientSecret: secret, deadline: deadline)
      return (
        endpoint.deviceAuthorizationRequest(),
        { (response) throws(AuthDeckError) in
          try endpoint.deviceAuthorization(from: response, requestedAt: now)
        }
      )
    }
    let session = try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      if session == nil { session = Session(id: id, grant: provider.grant) }
      return session!
    }
    return (session, authorization)
  }

  /// Asks the token endpoint once whether the code has been entered. A provider that cannot be
  /// reached is an answer too (`.unreachable`): the polling backs off and goes on.
  public func pollDeviceLogin(_ id: SessionID, _ authorization: DeviceAuthorization, now: Date)
    -> DevicePolling.Answer
  {
    do throws(AuthDeckError) {
      let provider = try configuration.provider(for: id)
      return try send(provider, to: .token, now: now) { (current, secret) throws(AuthDeckError) in
        let endpoint = try TokenEndpoint(
          provider: current, clientSecret: secret, deadline: deadline)
        return (
          endpoint.deviceCodePoll(authorization.deviceCode),
          { response in endpoint.pollAnswer(from: response, issuedAt: now) }
        )
      }
    } catch {
      if case .network(let reason) = error { return .unreachable(reason) }
      return .failed(error)
    }
  }

  /// Stores what a device login brought; a browser login that waited is no longer needed.
  public func finishDeviceLogin(_ id: SessionID, tokens: TokenSet) throws(AuthDeckError) -> Session {
    let provider = try configuration.provider(for: id)
    return try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      var current = session ?? Session(id: id, grant: provider.grant)
      current.receive(tokens)
      session = current
      return current
    }
  }
}

/// Polls a device login until it ends: sleeps until the next poll `DevicePolling` names, asks
/// the token endpoint, and stores the tokens when they come. The clock and the sleep are handed
/// in, so tests run it without waiting; a sleep that returns false (cancelled) ends it quietly.
/// A sleep of no time is asked for before the tokens are stored: a login cancelled while its
/// last poll was under way (a log-out) stores nothing.
public struct DeviceLoginPoller: Sendable {
  public typealias Clock = @Sendable () -> Date
  /// Waits this many seconds; false when the wait was cancelled (the login is abandoned).
  public typealias Sleeper = @Sendable (TimeInterval) -> Bool

  let service: TokenService
  let clock: Clock
  let sleep: Sleeper

  public init(service: TokenService, clock: @escaping Clock = { Date() }, sleep: @escaping Sleeper) {
    self.service = service
    self.clock = clock
    self.sleep = sleep
  }

  /// The session with its tokens; nil when a sleep was cancelled. Throws how the login ended
  /// otherwise (denied, expired, refused), each with what to run.
  public func wait(_ id: SessionID, for authorization: DeviceAuthorization) throws(AuthDeckError) -> Session?
  {
    var polling = DevicePolling(authorization, for: id)
    var step = polling.first
    while true {
      switch step {
      case .poll(let at):
        let delay = at.timeIntervalSince(clock())
        if delay > 0, !sleep(delay) { return nil }
        step = polling.next(after: service.pollDeviceLogin(id, authorization, now: clock()), at: clock())
      case .loggedIn(let tokens):
        guard sleep(0) else { return nil }
        return try service.finishDeviceLogin(id, tokens: tokens)
      case .ended(let error):
        // What the provider said (a denial, a refused code) is kept with the session.
        if let refusal = error.loginRequired?.reason.refusal { _ = try? service.record(refusal, for: id) }
        throw error
      }
    }
  }
}
