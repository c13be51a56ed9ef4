import Foundation

/// What a successful token response left us with.
public struct TokenSet: Equatable, Sendable {
  public var accessToken: String
  public var tokenType: String
  public var scope: String?
  public var refreshToken: String?
  public var idToken: String?
  public var issuedAt: Date
  /// The real expiry (see `Expiry`); nil when nothing said when it ends.
  public var expiresAt: Date?

  public init(
    accessToken: String, tokenType: String = "Bearer", scope: String? = nil, refreshToken: String? = nil,
    idToken: String? = nil, issuedAt: Date, expiresAt: Date?
  ) {
    self.accessToken = accessToken
    self.tokenType = tokenType
    self.scope = scope
    self.refreshToken = refreshToken
    self.idToken = idToken
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
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

  /// Authorization codes live 5 minutes at Lime; nobody should wait longer than that.
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
}

/// One account at one provider, as stored.
public struct Session: Equatable, Sendable {
  public var id: SessionID
  public var grant: Grant
  public var tokens: TokenSet?
  public var pending: PendingLogin?

  public init(
    id: SessionID, grant: Grant = .authorizationCode, tokens: TokenSet? = nil, pending: PendingLogin? = nil
  ) {
    self.id = id
    self.grant = grant
    self.tokens = tokens
    self.pending = pending
  }

  /// A pending login counts only until its deadline.
  public func activePending(at now: Date) -> PendingLogin? {
    guard let pending, pending.deadline > now else { return nil }
    return pending
  }

  public func status(at now: Date, expiringWithin: TimeInterval = 15 * 60) -> SessionStatus {
    if activePending(at: now) != nil { return .pending }
    guard let tokens else { return .none }
    guard let expiresAt = tokens.expiresAt else { return .valid }
    if expiresAt <= now { return .expired }
    if expiresAt.timeIntervalSince(now) < expiringWithin { return .expiring }
    return .valid
  }

  /// Whether a new access token can be had without a person: a refresh token, or client credentials.
  public var refreshable: Bool { grant == .clientCredentials || tokens?.refreshToken != nil }

  /// Whether only a person can make it usable: it holds no access token that is still valid,
  /// and nothing to renew one with. What `authdeck wait` waits for and `status` counts.
  public func needsLogin(at now: Date) -> Bool {
    guard !refreshable else { return false }
    guard let tokens else { return true }
    return tokens.expiresAt.map { $0 <= now } ?? false
  }

  /// The same for a session that may never have been stored (nil): one of a client-credentials
  /// provider is fetched on first use, any other needs its first login.
  public static func needsLogin(_ stored: Session?, grant: Grant, at now: Date) -> Bool {
    stored?.needsLogin(at: now) ?? (grant != .clientCredentials)
  }
}

extension Array where Element == Session {
  /// The one order sessions are shown and listed in: by id (provider, then account).
  public func sortedByID() -> [Session] { sorted { $0.id < $1.id } }
}
