import Foundation

/// What a successful token response left us with.
public struct TokenSet: Equatable, Sendable {
  public var accessToken: String
  public var tokenType: String
  public var scope: String?
  public var refreshToken: String?
  public var idToken: String?
  /// When the answer arrived, on the local clock.
  public var issuedAt: Date
  /// The real expiry (see `Expiry`), on the local clock; nil when nothing said when it ends.
  public var expiresAt: Date?
  /// When the refresh token dies (the answer's `refresh_expires_in`, else the provider's
  /// `refresh_lifetime`); nil when nothing says.
  public var refreshExpiresAt: Date?
  /// How far the local clock was ahead of the provider's when the answer came (negative:
  /// behind), in seconds; nil when the answer did not say.
  public var clockSkew: TimeInterval?

  public init(
    accessToken: String, tokenType: String = "Bearer", scope: String? = nil, refreshToken: String? = nil,
    idToken: String? = nil, issuedAt: Date, expiresAt: Date?, refreshExpiresAt: Date? = nil,
    clockSkew: TimeInterval? = nil
  ) {
    self.accessToken = accessToken
    self.tokenType = tokenType
    self.scope = scope
    self.refreshToken = refreshToken
    self.idToken = idToken
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
    self.refreshExpiresAt = refreshExpiresAt
    self.clockSkew = clockSkew
  }

  /// When the id token ends, on the local clock: its `exp` moved by the skew measured when it came.
  public var idTokenExpiresAt: Date? {
    guard let idToken, let exp = JWT.expiry(of: idToken) else { return nil }
    return exp.addingTimeInterval(clockSkew ?? 0)
  }

}

/// An authorization request that waits for its redirect. It holds the secrets that make
/// the redirect trustworthy (state, PKCE verifier), so it lives only in the 0600 store.
public struct PendingLogin: Equatable, Sendable {
  public var state: String
  public var codeVerifier: String?
  public var redirectURI: String
  public var authorizeURL: String
  public var issuer: String?
  /// The provider promised `iss` on every redirect (RFC 9207): a redirect without it is refused.
  public var issuerRequired = false
  public var startedAt: Date
  public var deadline: Date

  /// How long a login waits for its redirect: authorization codes live 5 minutes at Lime (and
  /// Cognito, and IdentityServer), so nobody should wait longer than that. Every "5 minutes"
  /// AuthDeck says comes from here.
  public static let lifetime: TimeInterval = 5 * 60

  public init(
    state: String, codeVerifier: String?, redirectURI: String, authorizeURL: String, issuer: String?,
    startedAt: Date
  ) {
    self.state = state
    self.codeVerifier = codeVerifier
    self.redirectURI = redirectURI
    self.authorizeURL = authorizeURL
    self.issuer = issuer
    self.startedAt = startedAt
    self.deadline = startedAt.addingTimeInterval(Self.lifetime)
  }

}

public enum SessionStatus: String, Sendable, Equatable, CaseIterable {
  case valid, expiring, expired, pending, none

  /// A session with less than this left is `expiring`, unless the configuration says otherwise.
  public static let defaultExpiringWithin: TimeInterval = 15 * 60
}

/// One account at one provider, as stored.
public struct Session: Equatable, Sendable {
  public var id: SessionID
  public var grant: Grant
  public var tokens: TokenSet?
  public var pending: PendingLogin?
  /// What the provider last refused about this session (its refresh token, a login), until new
  /// tokens replace it.
  public var refusal: Refusal?

  public init(
    id: SessionID, grant: Grant = .authorizationCode, tokens: TokenSet? = nil, pending: PendingLogin? = nil,
    refusal: Refusal? = nil
  ) {
    self.id = id
    self.grant = grant
    self.tokens = tokens
    self.pending = pending
    self.refusal = refusal
  }

  /// New tokens (a login, a renewal): they are valid, so a login that waited is no longer
  /// needed, and what the provider refused before applied to the old ones.
  public mutating func receive(_ tokens: TokenSet) {
    self.tokens = tokens
    pending = nil
    refusal = nil
  }

  /// A pending login counts only until its deadline.
  public func activePending(at now: Date) -> PendingLogin? {
    guard let pending, pending.deadline > now else { return nil }
    return pending
  }

  /// What the board and `list` show: the token's state, or `pending` while a login waits and no
  /// token is usable (a valid token with a login under way is `valid`, the login a fact beside it).
  public func status(at now: Date, expiringWithin: TimeInterval = SessionStatus.defaultExpiringWithin)
    -> SessionStatus
  {
    let token = tokenStatus(at: now, expiringWithin: expiringWithin)
    guard activePending(at: now) != nil, token == .none || token == .expired else { return token }
    return .pending
  }

  /// The token's own state, whatever login waits: valid, expiring, expired, or none.
  public func tokenStatus(at now: Date, expiringWithin: TimeInterval = SessionStatus.defaultExpiringWithin)
    -> SessionStatus
  {
    guard let tokens else { return .none }
    guard let expiresAt = tokens.expiresAt else { return .valid }
    if expiresAt <= now { return .expired }
    if expiresAt.timeIntervalSince(now) < expiringWithin { return .expiring }
    return .valid
  }

  /// Whether a new access token can be had without a person at `now`: client credentials, or a
  /// refresh token that has not reached its end. A refresh token the provider refused is
  /// dropped (see `Refusal`).
  public func refreshable(at now: Date) -> Bool {
    if grant == .clientCredentials { return true }
    guard let tokens, tokens.refreshToken != nil else { return false }
    return tokens.refreshExpiresAt.map { $0 > now } ?? true
  }

  /// The refresh token's end, while it has one to come.
  public func refreshEnds(after now: Date) -> Date? {
    guard grant != .clientCredentials, let end = tokens?.refreshExpiresAt, tokens?.refreshToken != nil,
      end > now
    else { return nil }
    return end
  }

  /// Whether only a person can make it usable: it holds no access token that is still valid,
  /// and nothing to renew one with. What `authdeck wait` waits for and `status` counts.
  public func needsLogin(at now: Date) -> Bool {
    guard !refreshable(at: now) else { return false }
    guard let tokens else { return true }
    return tokens.expiresAt.map { $0 <= now } ?? false
  }

  /// The same for a session that may never have been stored (nil): one of a client-credentials
  /// provider is fetched on first use, any other needs its first login.
  public static func needsLogin(_ stored: Session?, grant: Grant, at now: Date) -> Bool {
    stored?.needsLogin(at: now) ?? (grant != .clientCredentials)
  }

  /// Why it needs a login at `now`; nil when it does not. What the provider last refused is
  /// the reason when there is one; else the token has expired, or there is none.
  public func loginReason(at now: Date) -> LoginReason? {
    guard needsLogin(at: now) else { return nil }
    switch refusal {
    case let refusal? where refusal.kind == .refreshRefused: return .refreshRefused(refusal)
    case let refusal? where refusal.kind == .loginDenied: return .denied(refusal)
    case let refusal?: return .codeRefused(refusal)
    case nil:
      guard let tokens else { return .noToken }
      if tokens.refreshToken != nil, let end = tokens.refreshExpiresAt, end <= now {
        return .refreshExpired(at: end)
      }
      return tokens.expiresAt.map { .expired(at: $0) } ?? .noToken
    }
  }

  /// The same for a session that may never have been stored.
  public static func loginReason(_ stored: Session?, grant: Grant, at now: Date) -> LoginReason? {
    guard let stored else { return grant == .clientCredentials ? nil : .neverLoggedIn }
    return stored.loginReason(at: now)
  }
}

extension Array where Element == Session {
  /// The one order sessions are shown and listed in: by id (provider, then account).
  public func sortedByID() -> [Session] { sorted { $0.id < $1.id } }
}
