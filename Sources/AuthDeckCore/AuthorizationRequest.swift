import Foundation

/// Builds the URL the browser opens and the pending login that will check its answer.
public enum AuthorizationRequest {
  /// `random` supplies 32 bytes for state and 32 for the PKCE verifier (RFC 7636 §4.1).
  /// `redirectURI` is the one chosen for this login when the provider configures none.
  public static func start(
    provider: Provider, redirectURI chosen: URL? = nil, now: Date, random: any RandomSource
  ) throws(AuthDeckError) -> PendingLogin {
    guard provider.grant == .authorizationCode else {
      throw .usage("\(provider.id) uses client credentials: there is no browser login")
    }
    guard let authorizeURL = provider.authorizeURL else {
      throw .config("\(provider.id): no authorize endpoint (set authorize_url, or issuer to discover it)")
    }
    guard let redirectURI = provider.redirectURI ?? chosen else {
      throw .usage("\(provider.id) has no redirect_uri: a login needs a loopback listener to choose one")
    }
    let state = Base64URL.encode(random.bytes(32))
    let pkce = provider.pkce ? PKCE(randomBytes: random.bytes(32)) : nil
    var fields: [(String, String)] = [
      ("response_type", "code"), ("client_id", provider.clientID),
      ("redirect_uri", redirectURI.absoluteString),
      ("state", state),
    ]
    if let scope = provider.scope { fields.append(("scope", scope)) }
    if let pkce { fields += [("code_challenge", pkce.challenge), ("code_challenge_method", PKCE.method)] }
    let base = authorizeURL.absoluteString
    let separator = authorizeURL.query == nil ? "?" : "&"
    var pending = PendingLogin(
      state: state, codeVerifier: pkce?.verifier, redirectURI: redirectURI.absoluteString,
      authorizeURL: base + separator + FormEncoding.encode(fields), issuer: provider.issuer, startedAt: now)
    pending.issuerRequired = provider.sendsIssuer
    return pending
  }
}
