import Foundation

/// Token revocation (RFC 7009): a form POST of one token with its type hint, with the same
/// client authentication as the token endpoint.
extension ClientEndpoint {
  /// The provider's revocation endpoint; refused when it has none.
  public static func revocation(of provider: Provider, clientSecret: String?, deadline: TimeInterval = 10)
    throws(AuthDeckError) -> ClientEndpoint
  {
    try ClientEndpoint(
      .revocation, of: provider, key: "revocation_url", clientSecret: clientSecret, deadline: deadline)
  }

  /// `hint` is `refresh_token` or `access_token` (§2.1).
  public func revocationRequest(token: String, hint: String) -> HTTPRequest {
    post([("token", token), ("token_type_hint", hint)])
  }

  /// Returns when the token is revoked (a 200, also for a token the server no longer knows,
  /// §2.2) or the server does not revoke tokens of that kind (`unsupported_token_type`, §2.2.1:
  /// Cognito revokes refresh tokens only). Anything else is an error with its reason.
  public func checkRevocation(_ response: HTTPResponse) throws(AuthDeckError) {
    if response.status == 200 { return }
    if (300..<400).contains(response.status) {
      throw EndpointAnswer.redirected(
        response, endpoint: "revocation endpoint", key: "revocation_url", provider: provider)
    }
    let body = try? JSONValue.parse(Array(response.body))
    if case let (said, reason)? = EndpointAnswer.error(in: body, provider: provider) {
      if said.code == "unsupported_token_type" { return }
      throw .provider("\(provider.id): \(reason)")
    }
    throw .provider("\(provider.id): the revocation endpoint answered HTTP \(response.status)")
  }
}

/// What happened at the provider when a session was logged out.
public enum Revocation: Equatable, Sendable {
  /// The provider has no revocation endpoint (or is no longer configured): only the local copy went.
  case notOffered
  /// Nothing was stored to revoke.
  case nothingToRevoke
  /// The provider revoked the tokens (or does not revoke tokens of that kind).
  case revoked
  /// The provider could not be reached or refused; the reason, for one line.
  case failed(String)
}

extension Revocation {
  /// Why the provider may still honour the tokens; nil when nothing went wrong there.
  public var warning: String? {
    guard case .failed(let reason) = self else { return nil }
    return "the provider did not revoke the tokens (\(reason)); they stay valid there until they expire"
  }
}
