import Foundation

/// Logins, code exchange, refresh and client credentials for every session, with the store
/// as the single source of truth. No terminal code; the network comes in as a transport.
public struct TokenService: Sendable {
  public let configuration: Configuration
  public let store: SessionStore
  let transport: any HTTPTransport
  let secrets: any SecretResolving
  let random: any RandomSource
  public var deadline: TimeInterval = 30 {
    didSet { discovery.deadline = deadline }
  }
  /// A refreshable token this close to its end is renewed before it is handed out.
  public static let defaultRefreshMargin: TimeInterval = 60
  public var refreshMargin: TimeInterval = defaultRefreshMargin
  /// The endpoints of providers that name an issuer, discovered when first needed and cached
  /// in the state folder (`<store>/discovery/`).
  public var discovery: EndpointResolver
  /// Told what a person should know about a provider, as it is learned (a clock that is off,
  /// credentials it wants raw); each front end says it its way, once.
  public var notices: (@Sendable (ProviderNotice) -> Void)?

  public init(
    configuration: Configuration, store: SessionStore, transport: any HTTPTransport,
    secrets: any SecretResolving, random: any RandomSource = SystemRandom()
  ) {
    self.configuration = configuration
    self.store = store
    self.transport = transport
    self.secrets = secrets
    self.random = random
    self.discovery = EndpointResolver(cache: DiscoveryCache(root: store.root), transport: transport)
  }

  // MARK: Authorization code

  /// Starts a browser login: stores a pending login (creating the session if it is new)
  /// and returns it; its `authorizeURL` is what the browser opens. `redirectURI` is the
  /// loopback redirect chosen for this login when the provider configures none.
  public func startLogin(_ id: SessionID, now: Date, redirectURI: URL? = nil) throws(AuthDeckError)
    -> PendingLogin
  {
    try beginLogin(id, now: now, resuming: false, redirectURI: redirectURI).pending!
  }

  /// The session with a login that waits: the one already waiting (its redirect may be on its
  /// way, so it is reopened, not replaced), else a new one. One locked read of one file.
  public func resumeOrStartLogin(_ id: SessionID, now: Date, redirectURI: URL? = nil) throws(AuthDeckError)
    -> Session
  {
    try beginLogin(id, now: now, resuming: true, redirectURI: redirectURI)
  }

  /// Either of the two: the session as stored, with its pending login.
  public func beginLogin(_ id: SessionID, now: Date, resuming: Bool, redirectURI: URL?) throws(AuthDeckError)
    -> Session
  {
    let provider = try configuration.provider(for: id)
    return try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session in
      var updated = session ?? Session(id: id, grant: provider.grant)
      if !resuming || updated.activePending(at: now) == nil {
        updated.pending = try AuthorizationRequest.start(
          provider: try discovery.resolve(provider, for: [.authorize], now: now), redirectURI: redirectURI,
          now: now, random: random)
      }
      session = updated
      return updated
    }
  }

  /// Ends the login that waits for `id` (Esc on the board) and keeps its tokens as they were;
  /// with `onlyState`, only when the waiting login is that one (not another that replaced it).
  /// Returns the session as stored, and the state of the login it ended (nil: none).
  public func cancelLogin(_ id: SessionID, onlyState: String? = nil) throws(AuthDeckError)
    -> (session: Session?, state: String?)
  {
    try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> (Session?, String?) in
      guard let state = session?.pending?.state, onlyState == nil || onlyState == state else {
        return (session, nil)
      }
      session?.pending = nil
      return (session, state)
    }
  }

  /// Reads the client secret of `id`'s provider once and forgets it, holding no session's lock
  /// meanwhile: a login checks it before the browser opens, so that a variable that is not
  /// set or a `client_secret_command` that fails or hangs is said before the person logs in,
  /// not after, when the code exchange would fail. A public client has nothing to check.
  public func checkClientSecret(for id: SessionID) throws(AuthDeckError) {
    let provider = try configuration.provider(for: id)
    do throws(AuthDeckError) {
      _ = try secrets.secret(for: provider)
    } catch {
      throw error.adding("no login was started, and nothing was stored")
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
      throw .redirect("that login's \(TimeFormat.minutes(PendingLogin.lifetime)) are up; start it again")
    }
    throw .redirect("this redirect's state matches no waiting login; nothing was sent")
  }

  /// Completes a login with a pasted or received redirect. A wrong, missing or replayed state
  /// sends nothing to the token endpoint. `expecting` limits it to one session's login
  /// (`authdeck login ID` completes only ID).
  @discardableResult
  public func completeLogin(redirect: Redirect, now: Date, expecting: SessionID? = nil) throws(AuthDeckError)
    -> Session
  {
    let id = try pendingSession(for: redirect, now: now)
    if let expecting, id != expecting {
      throw .redirect("that redirect is for \(id)'s login, not \(expecting)'s; nothing was sent")
    }
    return try completeLogin(id, redirect: redirect, now: now)
  }

  /// The same, for the login of `id` (as `pendingSession(for:now:)` found it). A bad redirect
  /// keeps the pending login (`.redirect`). What the provider says ends it: a refusal of the
  /// login itself (an error redirect) or of its code (`invalid_grant`: spent, expired, or issued
  /// for another client) is stored with the session, the waiting state goes, and
  /// `.loginRequired` says why: no paste can help then.
  @discardableResult
  public func completeLogin(_ id: SessionID, redirect: Redirect, now: Date) throws(AuthDeckError) -> Session {
    let provider = try configuration.provider(for: id)
    let outcome = try store.update(id) {
      (session: inout Session?) throws(AuthDeckError) -> Result<Session, AuthDeckError> in
      // Re-checked under the lock: another process may have completed it meanwhile.
      guard var current = session, let pending = current.activePending(at: now) else {
        throw .redirect("that login no longer waits (completed elsewhere, replaced or expired)")
      }
      let reason: LoginReason
      switch try redirect.answer(for: pending, sessionID: id) {
      case .refused(let said):
        reason = .denied(Refusal(.loginDenied, said: said, at: now))
      case .code(let code):
        do throws(AuthDeckError) {
          current.receive(try tokens(provider, now: now) { $0.codeExchange(code: code, pending: pending) })
          session = current
          return .success(current)
        } catch {
          guard case .grantRefused(_, let said) = error else { throw error }
          reason = .codeRefused(Refusal(.codeRefused, said: said, at: now))
        }
      }
      current.pending = nil
      current.refusal = reason.refusal
      session = current
      return .failure(.loginRequired(LoginRequired(id, reason, at: now)))
    }
    return try outcome.get()
  }

  /// Keeps what a provider said about `id` (a device login's denial, a refused code) with the
  /// session, when it is stored; a refused refresh token is dropped with it. Returns the session
  /// as stored.
  @discardableResult
  public func record(_ refusal: Refusal, for id: SessionID) throws(AuthDeckError) -> Session? {
    try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session? in
      session?.refusal = refusal
      if refusal.kind == .refreshRefused { session?.tokens?.refreshToken = nil }
      return session
    }
  }

  // MARK: Tokens without a person

  /// A token that is valid now: the stored one, or a refreshed one when it is (nearly) expired
  /// and can be refreshed. Otherwise `.loginRequired` says why not.
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
      throw .loginRequired(LoginRequired(id, .neverLoggedIn, at: now))
    }
    if let tokens = Self.usableToken(in: session, now: now, refreshMargin: margin, minValid: minValid) {
      return tokens
    }
    guard session.refreshable(at: now) else {
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
    in session: Session, now: Date, refreshMargin: TimeInterval = defaultRefreshMargin,
    minValid: TimeInterval = 0
  ) -> TokenSet? {
    guard let tokens = session.tokens,
      !needsRenewal(tokens, refreshable: session.refreshable(at: now), now: now, margin: refreshMargin),
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
    // A new token lasts as this one did at most: when that is less than asked, a login would
    // not help either (a provider whose tokens live 8 h, asked for 9 h).
    let noNewOneLasts = renewable || expiresAt.timeIntervalSince(tokens.issuedAt) < minValid
    throw .loginRequired(
      LoginRequired(id, .tooShort(validUntil: expiresAt, asked: minValid, renewable: noNewOneLasts), at: now))
  }

  /// Why `session` cannot be handed out or renewed without a person.
  static func loginRequired(_ session: Session, now: Date) -> AuthDeckError {
    let reason = session.loginReason(at: now) ?? (session.tokens == nil ? .noToken : .notRenewable)
    return .loginRequired(LoginRequired(session.id, reason, at: now))
  }

  /// The id token of a session's `tokens`, for `--id-token`: refused when there is none or it
  /// has expired (handing out a dead id token would only fail later, somewhere else).
  public static func idToken(of id: SessionID, in tokens: TokenSet, now: Date) throws(AuthDeckError) -> String
  {
    guard let idToken = tokens.idToken else {
      throw .loginRequired(LoginRequired(id, .noIDToken, at: now))
    }
    if let expiry = tokens.idTokenExpiresAt, expiry <= now {
      throw .loginRequired(LoginRequired(id, .idTokenExpired(at: expiry), at: now))
    }
    return idToken
  }

  /// Refreshes with the refresh token, or fetches anew with client credentials. Under the
  /// session's lock, so one session is never refreshed twice at once; a rotated refresh token
  /// is on disk before anyone else can read the session. A refresh token the provider refuses
  /// (`invalid_grant`) is dropped and the refusal stored, so that no process sends it again.
  /// `margin`: renewed when less than that is left (default: `refreshMargin`).
  @discardableResult
  public func renew(_ id: SessionID, now: Date, force: Bool = false, margin: TimeInterval? = nil)
    throws(AuthDeckError) -> Session
  {
    let provider = try configuration.provider(for: id)
    let outcome = try store.update(id) {
      (session: inout Session?) throws(AuthDeckError) -> Result<Session, AuthDeckError> in
      var current = session ?? Session(id: id, grant: provider.grant)
      // Another process may have renewed it while we waited for the lock.
      if !force, let tokens = current.tokens,
        !Self.needsRenewal(tokens, refreshable: true, now: now, margin: margin ?? refreshMargin)
      {
        return .success(current)
      }
      if provider.grant == .clientCredentials {
        current.receive(try tokens(provider, now: now) { $0.clientCredentials() })
      } else if current.tokens?.refreshToken != nil, !current.refreshable(at: now),
        let end = current.tokens?.refreshExpiresAt
      {
        // Past its end: not sent, the provider would only refuse it.
        return .failure(.loginRequired(LoginRequired(id, .refreshExpired(at: end), at: now)))
      } else if let refreshToken = current.tokens?.refreshToken {
        var tokens: TokenSet
        do throws(AuthDeckError) {
          tokens = try self.tokens(provider, now: now) { $0.refresh(refreshToken: refreshToken) }
        } catch {
          guard case .grantRefused(_, let said) = error else { throw error }
          let refusal = Refusal(.refreshRefused, said: said, at: now)
          current.tokens?.refreshToken = nil
          current.refusal = refusal
          session = current
          return .failure(.loginRequired(LoginRequired(id, .refreshRefused(refusal), at: now)))
        }
        if tokens.refreshToken == nil {  // §6: the old one stays valid, with the end it had
          tokens.refreshToken = refreshToken
          tokens.refreshExpiresAt = tokens.refreshExpiresAt ?? current.tokens?.refreshExpiresAt
        }
        if tokens.idToken == nil { tokens.idToken = current.tokens?.idToken }
        current.receive(tokens)
      } else {
        return .failure(Self.loginRequired(current, now: now))
      }
      session = current
      return .success(current)
    }
    return try outcome.get()
  }

  /// The client-credentials grant, for a session of a service provider.
  @discardableResult
  public func fetchClientCredentials(_ id: SessionID, now: Date) throws(AuthDeckError) -> Session {
    try renew(id, now: now, force: true)
  }

  // MARK: Log out

  /// Revokes the tokens at the provider when it has a revocation endpoint (RFC 7009), then
  /// drops them (and the pending login); with `forget`, the whole session. The local copy
  /// goes whatever the provider says; the result says what happened there.
  public func logout(_ id: SessionID, forget: Bool, now: Date) throws(AuthDeckError)
    -> (session: Session?, revocation: Revocation)
  {
    guard let provider = configuration.provider(id.provider) else {
      return (try Self.logout(id, forget: forget, store: store), .notOffered)
    }
    var revocation = Revocation.nothingToRevoke
    let session = try Self.logout(id, forget: forget, store: store) { tokens in
      revocation = revoke(tokens, of: provider, now: now)
    }
    return (session, revocation)
  }

  /// Logging out needs no provider, so it works even after a provider left the configuration.
  /// Returns what is stored afterwards (nil when forgotten). `revoking` sees the tokens under
  /// the session's lock before they go, so no refresh can replace them meanwhile.
  @discardableResult
  public static func logout(
    _ id: SessionID, forget: Bool, store: SessionStore, revoking: (TokenSet) -> Void = { _ in }
  ) throws(AuthDeckError) -> Session? {
    try store.update(id) { (session: inout Session?) throws(AuthDeckError) -> Session? in
      guard let stored = session else { throw .unknownSession(id) }
      if let tokens = stored.tokens { revoking(tokens) }
      if forget {
        session = nil
      } else {
        session?.tokens = nil
        session?.pending = nil
      }
      return session
    }
  }

  /// The refresh token first (revoking it ends the grant at most providers), then the access
  /// token; the first failure is the answer.
  private func revoke(_ tokens: TokenSet, of provider: Provider, now: Date) -> Revocation {
    let resolved: Provider
    do throws(AuthDeckError) {
      resolved = try discovery.resolve(provider, for: [.revocation], now: now)
    } catch {
      return .failed(error.description)
    }
    guard resolved.revocationURL != nil else { return .notOffered }
    let hinted = [(tokens.refreshToken, "refresh_token"), (tokens.accessToken, "access_token")]
    for case (let token?, let hint) in hinted {
      do throws(AuthDeckError) {
        try send(provider, to: .revocation, now: now) { (current, secret) throws(AuthDeckError) in
          let endpoint = try ClientEndpoint.revocation(
            of: current, clientSecret: secret, deadline: min(deadline, 10))
          return (endpoint.revocationRequest(token: token, hint: hint), endpoint.checkRevocation)
        }
      } catch {
        return .failed(error.description)
      }
    }
    return .revoked
  }

  // MARK: Requests

  /// A token request built by `make`, sent to the provider's token endpoint, its answer read.
  private func tokens(_ provider: Provider, now: Date, _ make: (TokenEndpoint) -> HTTPRequest)
    throws(AuthDeckError) -> TokenSet
  {
    try send(provider, to: .token, now: now) { (current, secret) throws(AuthDeckError) in
      let endpoint = try TokenEndpoint(
        provider: current, clientSecret: secret, deadline: deadline)
      return (
        make(endpoint),
        { (response) throws(AuthDeckError) in
          let tokens = try endpoint.tokens(from: response, issuedAt: now)
          if let skew = tokens.clockSkew, abs(skew) >= Expiry.noticeableSkew {
            notices?(.clockSkew(provider: provider.id, seconds: skew))
          }
          return tokens
        }
      )
    }
  }

  /// Sends what `prepare` builds for the provider (its endpoints discovered when the
  /// configuration leaves them out, the client secret read once) and reads the answer.
  /// - When a discovered endpoint cannot be reached or is not there (3xx, 404, 405, 410), the
  ///   discovery document is fetched again once, and the request is sent again only if it names
  ///   another endpoint.
  /// - When the provider refuses HTTP Basic credentials (`invalid_client`) whose form-encoded
  ///   and raw forms differ, they are sent raw once (servers that do not decode them, against
  ///   RFC 6749 §2.3.1); if that is taken, the provider is remembered as one that wants them raw,
  ///   and `notices` is told. Nothing is retried for another error, nor with another secret.
  func send<T>(
    _ provider: Provider, to endpoint: Provider.Endpoint, now: Date,
    _ prepare: (Provider, String?) throws(AuthDeckError) -> (
      HTTPRequest, (HTTPResponse) throws(AuthDeckError) -> T
    )
  ) throws(AuthDeckError) -> T {
    do throws(AuthDeckError) {
      return try sendUnnamed(provider, to: endpoint, now: now, prepare)
    } catch {
      // "limio: could not reach 127.0.0.1: …", as the provider's other errors start.
      guard case .network(let message) = error, !message.hasPrefix(provider.id + ":") else { throw error }
      throw .network("\(provider.id): \(message)")
    }
  }

  private func sendUnnamed<T>(
    _ provider: Provider, to endpoint: Provider.Endpoint, now: Date,
    _ prepare: (Provider, String?) throws(AuthDeckError) -> (
      HTTPRequest, (HTTPResponse) throws(AuthDeckError) -> T
    )
  ) throws(AuthDeckError) -> T {
    var resolved = try discovery.resolve(provider, for: [endpoint], now: now)
    resolved.basicCredentials = discovery.cache.quirks(provider.id).basicCredentials
    let secret = try secrets.secret(for: resolved)
    let (request, read) = try prepare(resolved, secret)
    let answer = sendCapturing(request)
    if resolved.sources[endpoint] == .discovery, Self.suggestsMovedEndpoint(answer),
      let fresh = try? discovery.resolve(provider, for: [endpoint], now: now, fresh: true),
      fresh.url(for: endpoint) != resolved.url(for: endpoint)
    {
      let (retry, readRetry) = try prepare(fresh, secret)
      return try readRetry(try transport.send(retry))
    }
    if resolved.clientAuth == .basic, resolved.basicCredentials == .formEncoded, Self.refusesClient(answer) {
      var raw = resolved
      raw.basicCredentials = .raw
      let (rawRequest, readRaw) = try prepare(raw, secret)
      if rawRequest.header("Authorization") != request.header("Authorization") {
        let result = try readRaw(try transport.send(rawRequest))
        try discovery.cache.saveQuirks(ProviderQuirks(basicCredentials: .raw), for: provider.id)
        notices?(.rawBasicCredentials(provider: provider.id))
        return result
      }
    }
    return try read(try answer.get())
  }

  private func sendCapturing(_ request: HTTPRequest) -> Result<HTTPResponse, AuthDeckError> {
    do throws(AuthDeckError) {
      return .success(try transport.send(request))
    } catch {
      return .failure(error)
    }
  }

  /// An RFC 6749 §5.2 `invalid_client` answer: the client's credentials were refused.
  static func refusesClient(_ answer: Result<HTTPResponse, AuthDeckError>) -> Bool {
    guard case .success(let response) = answer, [400, 401].contains(response.status),
      let object = try? JSONValue.parse(Array(response.body))
    else { return false }
    return object["error"]?.string == "invalid_client"
  }

  /// An answer that says the endpoint is not (or no longer) where discovery said.
  static func suggestsMovedEndpoint(_ answer: Result<HTTPResponse, AuthDeckError>) -> Bool {
    switch answer {
    case .failure(.network): return true
    case .success(let response):
      return (300..<400).contains(response.status) || [404, 405, 410].contains(response.status)
    case .failure: return false
    }
  }
}
