import Foundation

/// One of the provider's endpoints that the client authenticates at (token, revocation):
/// form POSTs with the client's authentication (RFC 6749 §2.3.1), HTTP Basic or the secret in
/// the body as the provider takes it; a public client (no secret) names itself with client_id
/// in the body.
public struct ClientEndpoint: Sendable {
  public let provider: Provider
  public let url: URL
  public let clientSecret: String?
  public let deadline: TimeInterval

  /// Refuses a provider that does not have the endpoint (`key` names the setting that gives it).
  init(
    _ endpoint: Provider.Endpoint, of provider: Provider, key: String, clientSecret: String?,
    deadline: TimeInterval
  ) throws(AuthDeckError) {
    guard let url = provider.url(for: endpoint) else {
      throw .config("\(provider.id): no \(endpoint.rawValue) endpoint (set \(key), or issuer to discover it)")
    }
    self.provider = provider
    self.url = url
    self.clientSecret = clientSecret
    self.deadline = deadline
  }

  func post(_ fields: [(String, String)]) -> HTTPRequest {
    var fields = fields
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
      method: "POST", url: url, headers: headers, body: Data(FormEncoding.encode(fields).utf8),
      caFile: provider.caFile, deadline: deadline)
  }
}

/// What an endpoint's answer says when it is not what was asked for: an RFC 6749 §5.2 error
/// body, or a redirect. Every piece that came from the server is sanitized.
enum EndpointAnswer {
  /// `error: error_description` from a JSON object, with a hint where one helps; nil when the
  /// object carries no `error`.
  static func error(in object: JSONValue?, provider: Provider) -> (code: String, reason: String)? {
    guard let object, let error = object["error"]?.string else { return nil }
    var reason = Sanitizer.inline(error, limit: 60)
    if let description = object["error_description"]?.string, !description.isEmpty {
      reason += ": " + Sanitizer.inline(description, limit: 160)
    }
    if error == "invalid_client" && provider.clientAuth == .basic && !provider.isPublicClient {
      reason += " (if the secret is right, the provider may want it in the body: client_auth = \"post\")"
    }
    return (error, reason)
  }

  /// A 3xx is not followed (a token request must not be replayed elsewhere); the message says
  /// where it pointed, since a token_url with or without a trailing slash is the usual cause.
  static func redirected(_ response: HTTPResponse, endpoint: String, key: String, provider: Provider)
    -> AuthDeckError
  {
    let target = response.location.map { " to \(Sanitizer.inline($0, limit: 120))" } ?? ""
    return .provider(
      "\(provider.id): the \(endpoint) redirected (HTTP \(response.status))\(target); AuthDeck does not follow it: "
        + "check \(key) (a trailing slash is a common cause)")
  }
}
