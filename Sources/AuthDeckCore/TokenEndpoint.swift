import Foundation

/// Builds token requests (RFC 6749 §4.1.3, §4.4, §6) and reads their answers (§5.1, §5.2).
public struct TokenEndpoint: Sendable {
  public let provider: Provider
  public let clientSecret: String?
  public let deadline: TimeInterval

  public init(provider: Provider, clientSecret: String?, deadline: TimeInterval = 30) {
    self.provider = provider
    self.clientSecret = clientSecret
    self.deadline = deadline
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

  private func request(_ grantFields: [(String, String)]) -> HTTPRequest {
    var fields = grantFields
    var headers = [
      ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
      ("User-Agent", "AuthDeck/1"),
    ]
    switch (provider.clientAuth, clientSecret) {
    case (.basic, let secret?):
      headers.append(
        ("Authorization", ClientSecretBasic.header(clientID: provider.clientID, clientSecret: secret)))
    case (.post, let secret?):
      fields += [("client_id", provider.clientID), ("client_secret", secret)]
    case (_, nil):
      fields.append(("client_id", provider.clientID))  // a public client names itself (§4.1.3)
    }
    return HTTPRequest(
      method: "POST", url: provider.tokenURL, headers: headers, body: Data(FormEncoding.encode(fields).utf8),
      caFile: provider.caFile, deadline: deadline)
  }

  /// The tokens in a response, with their real expiry. Everything that is not a proper
  /// token response is an error with a short, sanitized reason, and nothing is kept.
  public func tokens(from response: HTTPResponse, issuedAt: Date) throws(AuthDeckError) -> TokenSet {
    let who = provider.id
    let type = response.contentType.map { Sanitizer.inline($0, limit: 40) } ?? "no content type"
    if (300..<400).contains(response.status) {
      throw .provider(
        "\(who): the token endpoint redirected (HTTP \(response.status)); AuthDeck does not follow it")
    }
    let parsed = try? JSONValue.parse(Array(response.body))
    var object: JSONValue?  // only a JSON object counts as an answer
    if case .object? = parsed { object = parsed }
    if let object, let error = object["error"]?.string {
      var reason = Sanitizer.inline(error, limit: 60)
      if let description = object["error_description"]?.string, !description.isEmpty {
        reason += ": " + Sanitizer.inline(description, limit: 160)
      }
      if error == "invalid_grant" { throw .loginRequired("\(who): \(reason)") }
      throw .provider("\(who): \(reason)")
    }
    guard response.status == 200 else {
      if response.status == 503 || response.status == 502 || response.status == 504 {
        throw .provider(
          "\(who): the token endpoint is unavailable (HTTP \(response.status)); try again shortly")
      }
      throw .provider("\(who): the token endpoint answered HTTP \(response.status) (\(type)), not a token")
    }
    guard let object else {
      if type.lowercased().contains("html") {
        throw .provider("\(who): the token endpoint sent an HTML page, not JSON (a captive portal or proxy?)")
      }
      throw .provider("\(who): the token endpoint's answer is not JSON (\(type))")
    }
    guard let accessToken = object["access_token"]?.string, !accessToken.isEmpty else {
      throw .provider("\(who): the token response has no access_token")
    }
    // Some servers send expires_in as a string; both forms are accepted.
    let lifetime =
      object["expires_in"]?.number ?? object["expires_in"]?.string.flatMap(Double.init)
    // Above ten years a lifetime is not plausible, and dates that far out break clocks.
    guard let expiresIn = lifetime, expiresIn > 0, expiresIn <= 10 * 365 * 86_400 else {
      throw .provider("\(who): the token response has no valid expires_in, so its lifetime is unknown")
    }
    let tokenType = object["token_type"]?.string ?? "Bearer"
    return TokenSet(
      accessToken: accessToken, tokenType: tokenType, scope: object["scope"]?.string,
      refreshToken: object["refresh_token"]?.string, idToken: object["id_token"]?.string,
      issuedAt: issuedAt,
      expiresAt: Expiry.realExpiry(
        issuedAt: issuedAt, expiresIn: expiresIn, dailyCutoff: provider.dailyExpiry, accessToken: accessToken)
    )
  }
}
