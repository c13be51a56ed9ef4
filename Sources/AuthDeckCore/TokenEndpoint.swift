import Foundation

/// Builds token requests (RFC 6749 §4.1.3, §4.4, §6) and reads their answers (§5.1, §5.2).
public struct TokenEndpoint: Sendable {
  let client: ClientEndpoint
  public var provider: Provider { client.provider }

  /// Refuses a provider whose token endpoint is not known (an issuer's discovery not applied).
  public init(provider: Provider, clientSecret: String?, deadline: TimeInterval = 30) throws(AuthDeckError) {
    client = try ClientEndpoint(
      .token, of: provider, key: "token_url", clientSecret: clientSecret, deadline: deadline)
  }

  public func codeExchange(code: String, pending: PendingLogin) -> HTTPRequest {
    var fields = [
      ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", pending.redirectURI),
    ]
    if let verifier = pending.codeVerifier { fields.append(("code_verifier", verifier)) }
    return request(fields)
  }

  public func refresh(refreshToken: String) -> HTTPRequest {
    var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
    if let scope = provider.scope { fields.append(("scope", scope)) }
    return request(fields)
  }

  public func clientCredentials() -> HTTPRequest {
    var fields = [("grant_type", "client_credentials")]
    if let scope = provider.scope { fields.append(("scope", scope)) }
    return request(fields)
  }

  private func request(_ grantFields: [(String, String)]) -> HTTPRequest { client.post(grantFields) }

  /// The tokens in a response, with their real expiry. Everything that is not a proper
  /// token response is an error with a short, sanitized reason, and nothing is kept.
  public func tokens(from response: HTTPResponse, issuedAt: Date) throws(AuthDeckError) -> TokenSet {
    let who = provider.id
    let object = try EndpointAnswer.object(
      response, endpoint: "token endpoint", key: "token_url", provider: provider
    ) { said, reason in
      said.code == "invalid_grant" ? .grantRefused(provider: who, said) : .provider("\(who): \(reason)")
    }
    guard let accessToken = object["access_token"]?.string, !accessToken.isEmpty else {
      throw .provider("\(who): the token response has no access_token")
    }
    // RFC 6749 §5.1 only recommends expires_in: without it the JWT's exp or the daily cutoff
    // tells the expiry, else the lifetime is unknown. Some servers send it as a string.
    var expiresIn: TimeInterval?
    if let value = object["expires_in"], value != .null {
      guard let lifetime = EndpointAnswer.seconds(value) else {
        throw .provider("\(who): the token response's expires_in is not a valid lifetime")
      }
      expiresIn = lifetime
    }
    // A token is printed by `authdeck token`, put in headers and environments: one that is not a
    // plain run of visible ASCII (RFC 6750 b64token, RFC 6749 VSCHAR less the space) could carry
    // an escape sequence to a terminal or split a header. Refused whole, never cleaned up.
    for (field, value) in [
      ("access_token", accessToken), ("refresh_token", object["refresh_token"]?.string),
      ("id_token", object["id_token"]?.string),
    ] {
      if let value, !Self.isPlainToken(value) {
        throw .provider(
          "\(who): the token response's \(field) has characters no token has; nothing was stored")
      }
    }
    let tokenType = object["token_type"]?.string ?? "Bearer"
    let refreshToken = object["refresh_token"]?.string
    return TokenSet(
      accessToken: accessToken, tokenType: tokenType, scope: object["scope"]?.string,
      refreshToken: refreshToken, idToken: object["id_token"]?.string,
      issuedAt: issuedAt,
      expiresAt: Expiry.realExpiry(
        issuedAt: issuedAt, expiresIn: expiresIn, dailyCutoff: provider.dailyExpiry, accessToken: accessToken,
        providerTime: response.date),
      refreshExpiresAt: refreshLifetime(in: object, hasRefreshToken: refreshToken != nil)
        .map { issuedAt.addingTimeInterval($0) },
      clockSkew: Expiry.clockSkew(issuedAt: issuedAt, providerTime: response.date, accessToken: accessToken))
  }

  /// How long the refresh token lives, from the answer's arrival: `refresh_expires_in`
  /// (Keycloak; `0` there means it does not expire) even for a refresh token that was kept,
  /// else the provider's `refresh_lifetime` for one just issued.
  func refreshLifetime(in object: JSONValue, hasRefreshToken: Bool) -> TimeInterval? {
    if let value = object["refresh_expires_in"], value != .null { return EndpointAnswer.seconds(value) }
    return hasRefreshToken ? provider.refreshLifetime : nil
  }

  /// Visible ASCII only (0x21-0x7E), and not empty.
  static func isPlainToken(_ value: String) -> Bool {
    !value.isEmpty && value.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
  }
}
