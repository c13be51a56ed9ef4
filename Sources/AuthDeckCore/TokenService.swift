import Foundation

/// Logins, code exchange, refresh and client credentials for every session, with the store
/// as the single source of truth. No terminal code; the network comes in as a transport.
public struct TokenService: Sendable {
  public let configuration: Configuration
  public let store: SessionStore
  let transport: any HTTPTransport
  let secrets: any SecretResolving
  let random: any RandomSource
  public var deadline: TimeInterval = 30
  /// A refreshable token this close to its end is renewed before it is handed out.
  public var refreshMargin: TimeInterval = 60

  public init(
    configuration: Configuration, store: SessionStore, transport: any HTTPTransport,
    secrets: any SecretResolving, random: any RandomSource = SystemRandom()
  ) {
    self.configuration = configuration
    self.store = store
    self.transport = transport
    self.secrets = secrets
    self.random = random
  }

  // MARK: Authorization code

  /// Starts a browser login: stores a pending login (creating the session if it is new)
  /// and returns it; its `authorizeURL` is what the browser opens.
  public func startLogin(_ id: SessionID, now: Date) throws(AuthDeckError) -> PendingLogin {
    try beginLogin(id, now: now, resuming: false).pending!
  }

  /// The session with a login that waits: the one already waiting (its redirect may be on its
  /// way, so it is reopened, not replaced), else a new one. One locked read of one file.
  public func resumeOrStartLogin(_ id: SessionID, now: Date) throws(AuthDeckError) -> Session {
    try beginLogin(id, now: now, resuming: true)
  }

  private func beginLogin(_ id: SessionID, now: Date, resuming: Bool) throws(AuthDeckError) -> Session {
    let provider = try configuration.provider(for: id)
    return try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      var updated = session ?? Session(id: id, grant: provider.grant)
      if !resuming || updated.activePending(at: now) == nil {
        updated.pending = try AuthorizationRequest.start(provider: provider, now: now, random: random)
      }
      session = updated
      return updated
    }
  }

  /// Finds the pending login a redirect belongs to, by its state, among all sessions.
  public func pendingSession(for redirect: Redirect, now: Date) throws(AuthDeckError) -> SessionID {
    guard let state = redirect.state, !state.isEmpty else {
      throw .redirect("the redirect has no state, so it cannot be matched to a login; nothing was sent")
    }
    let sessions = try store.loadAll().sessions
    for session in sessions {
      if let pending = session.activePending(at: now), constantTimeEquals(pending.state, state) {
        return session.id
      }
    }
    if sessions.contains(where: { $0.pending.map { constantTimeEquals($0.state, state) } ?? false }) {
      throw .redirect("that login's 5 minutes are up; start it again")
    }
    throw .redirect("this redirect's state matches no waiting login; nothing was sent")
  }

  /// Completes a login with a pasted or received redirect. A wrong, missing or replayed state
  /// sends nothing to the token endpoint; any failure keeps the pending login.
  @discardableResult
  /// `expecting` limits it to one session's login (`authdeck login ID` completes only ID).
  public func completeLogin(redirect: Redirect, now: Date, expecting: SessionID? = nil) throws(AuthDeckError)
    -> Session
  {
    let id = try pendingSession(for: redirect, now: now)
    if let expecting, id != expecting {
      throw .redirect("that redirect is for \(id)'s login, not \(expecting)'s; nothing was sent")
    }
    let provider = try configuration.provider(for: id)
    return try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      // Re-checked under the lock: another process may have completed it meanwhile.
      guard var current = session, let pending = current.activePending(at: now) else {
        throw .redirect("\(id) no longer waits for a login (completed elsewhere or expired)")
      }
      let code = try redirect.code(for: pending, sessionID: id)
      let endpoint = try endpoint(for: provider)
      let tokens = try endpoint.tokens(
        from: try transport.send(endpoint.codeExchange(code: code, pending: pending)), issuedAt: now)
      current.tokens = tokens
      current.pending = nil
      session = current
      return current
    }
  }

  // MARK: Tokens without a person

  /// A token that is valid now: the stored one, or a refreshed one when it is (nearly) expired
  /// and can be refreshed. Otherwise `.loginRequired` says when it expired and what to run.
  public func validToken(_ id: SessionID, now: Date) throws(AuthDeckError) -> TokenSet {
    try validToken(id, stored: try store.load(id), now: now)
  }

  /// The same, for a session the caller has just read (`stored`, nil when never stored), so
  /// that the file is read again only under the lock, when it must be renewed. With `minValid`,
  /// the token must last that long: it is renewed when it would not, and when even a renewed
  /// one would not (or it cannot be renewed), `.loginRequired` says how long it has.
  public func validToken(_ id: SessionID, stored: Session?, now: Date, minValid: TimeInterval = 0)
    throws(AuthDeckError) -> TokenSet
  {
    let margin = max(refreshMargin, minValid)
    guard let session = stored else {
      if try configuration.provider(for: id).grant == .clientCredentials {
        return try Self.lasting(
          renew(id, now: now, margin: margin).tokens!, id, minValid, now, renewable: true)
      }
      throw .loginRequired("\(id) has never logged in; run: authdeck login \(id)")
    }
    if let tokens = Self.usableToken(in: session, now: now, refreshMargin: margin, minValid: minValid) {
      return tokens
    }
    guard session.refreshable else {
      if let tokens = session.tokens, !session.needsLogin(at: now) {
        return try Self.lasting(tokens, id, minValid, now, renewable: false)
      }
      throw Self.loginRequired(session, now: now)
    }
    guard let tokens = try renew(id, now: now, margin: margin).tokens else {
      throw Self.loginRequired(session, now: now)
    }
    return try Self.lasting(tokens, id, minValid, now, renewable: true)
  }

  /// The stored token when it can be handed out as it is: the fast path of `authdeck token`,
  /// which needs neither the configuration nor the network. With `minValid`, only one that
  /// lasts at least that long (a token whose end is unknown lasts).
  public static func usableToken(
    in session: Session, now: Date, refreshMargin: TimeInterval = 60, minValid: TimeInterval = 0
  ) -> TokenSet? {
    guard let tokens = session.tokens,
      !needsRenewal(tokens, refreshable: session.refreshable, now: now, margin: refreshMargin),
      minValid <= 0 || (tokens.expiresAt.map { $0.timeIntervalSince(now) >= minValid } ?? true)
    else { return nil }
    return tokens
  }

  static func needsRenewal(_ tokens: TokenSet, refreshable: Bool, now: Date, margin: TimeInterval) -> Bool {
    guard let expiresAt = tokens.expiresAt else { return false }
    return expiresAt <= now || (refreshable && expiresAt.timeIntervalSince(now) < margin)
  }

  /// `tokens` when they last `minValid`; else how long they have, as a reason to log in.
  static func lasting(
    _ tokens: TokenSet, _ id: SessionID, _ minValid: TimeInterval, _ now: Date, renewable: Bool
  )
    throws(AuthDeckError) -> TokenSet
  {
    guard let expiresAt = tokens.expiresAt, expiresAt.timeIntervalSince(now) < minValid else { return tokens }
    let left = TimeFormat.roughDuration(max(0, Int(expiresAt.timeIntervalSince(now))))
    let why =
      renewable
      ? "even a renewed token does not last that long" : "a new login may last longer: authdeck login \(id)"
    throw .loginRequired(
      "\(id) is valid for \(left) more (until \(TimeFormat.local(expiresAt))), less than the "
        + "\(DurationText.format(minValid)) asked for; \(why)")
  }

  static func loginRequired(_ session: Session, now: Date) -> AuthDeckError {
    guard let expiresAt = session.tokens?.expiresAt else {
      return .loginRequired("\(session.id) has no token; run: authdeck login \(session.id)")
    }
    return .loginRequired(
      "\(session.id) expired \(TimeFormat.local(expiresAt)) (\(TimeFormat.ago(expiresAt, now: now))); run: authdeck login \(session.id)"
    )
  }

  /// The id token of a session's `tokens`, for `--id-token`: refused when there is none or it
  /// has expired (handing out a dead id token would only fail later, somewhere else).
  public static func idToken(of id: SessionID, in tokens: TokenSet, now: Date) throws(AuthDeckError) -> String
  {
    guard let idToken = tokens.idToken else {
      throw .loginRequired(
        "\(id) has no id token: the provider sent none (it usually needs scope \"openid\")")
    }
    if let expiry = JWT.expiry(of: idToken), expiry <= now {
      throw .loginRequired(
        "\(id)'s id token expired \(TimeFormat.ago(expiry, now: now)); log in again for a new one: authdeck login \(id)"
      )
    }
    return idToken
  }

  /// Refreshes with the refresh token, or fetches anew with client credentials. Under the
  /// session's lock, so one session is never refreshed twice at once; a rotated refresh token
  /// is on disk before anyone else can read the session.
  /// `margin`: renewed when less than that is left (default: `refreshMargin`).
  @discardableResult
  public func renew(_ id: SessionID, now: Date, force: Bool = false, margin: TimeInterval? = nil)
    throws(AuthDeckError) -> Session
  {
    let provider = try configuration.provider(for: id)
    return try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      var current = session ?? Session(id: id, grant: provider.grant)
      // Another process may have renewed it while we waited for the lock.
      if !force, let tokens = current.tokens,
        !Self.needsRenewal(tokens, refreshable: true, now: now, margin: margin ?? refreshMargin)
      {
        return current
      }
      let endpoint = try endpoint(for: provider)
      if provider.grant == .clientCredentials {
        current.tokens = try endpoint.tokens(
          from: try transport.send(endpoint.clientCredentials()), issuedAt: now)
      } else if let refreshToken = current.tokens?.refreshToken {
        var tokens: TokenSet
        do throws(AuthDeckError) {
          tokens = try endpoint.tokens(
            from: try transport.send(endpoint.refresh(refreshToken: refreshToken)), issuedAt: now)
        } catch {
          guard case .loginRequired(let reason) = error else { throw error }
          throw .loginRequired("\(reason); the refresh token was refused, log in again: authdeck login \(id)")
        }
        if tokens.refreshToken == nil { tokens.refreshToken = refreshToken }  // §6: the old one stays valid
        if tokens.idToken == nil { tokens.idToken = current.tokens?.idToken }
        current.tokens = tokens
      } else {
        throw Self.loginRequired(current, now: now)
      }
      current.pending = nil  // valid again: a login that waited is no longer needed
      session = current
      return current
    }
  }

  /// The client-credentials grant, for a session of a service provider.
  @discardableResult
  public func fetchClientCredentials(_ id: SessionID, now: Date) throws(AuthDeckError) -> Session {
    try renew(id, now: now, force: true)
  }

  /// Drops the tokens (and the pending login); with `forget`, the whole session.
  @discardableResult
  public func logout(_ id: SessionID, forget: Bool) throws(AuthDeckError) -> Session? {
    try Self.logout(id, forget: forget, store: store)
  }

  /// Logging out needs no provider, so it works even after a provider left the configuration.
  /// Returns what is stored afterwards (nil when forgotten).
  @discardableResult
  public static func logout(_ id: SessionID, forget: Bool, store: SessionStore) throws(AuthDeckError)
    -> Session?
  {
    try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session? in
      guard session != nil else { throw .usage("no session \(id); see: authdeck list") }
      if forget {
        session = nil
      } else {
        session?.tokens = nil
        session?.pending = nil
      }
      return session
    }
  }

  private func endpoint(for provider: Provider) throws(AuthDeckError) -> TokenEndpoint {
    TokenEndpoint(provider: provider, clientSecret: try secrets.secret(for: provider), deadline: deadline)
  }
}
