import Foundation

/// What a discovery document says about a provider (RFC 8414 §2, OpenID Connect Discovery
/// §3): the endpoints, and the PKCE and client authentication methods it supports. Parsing
/// only; fetching and caching are `EndpointResolver`'s and `DiscoveryCache`'s.
public struct ProviderMetadata: Sendable, Equatable {
  public var issuer: String
  public var authorizationEndpoint: URL?
  public var tokenEndpoint: URL?
  public var revocationEndpoint: URL?
  public var deviceAuthorizationEndpoint: URL?
  /// nil when the document does not say.
  public var codeChallengeMethods: [String]?
  /// nil when the document does not say (RFC 8414: then client_secret_basic is the default).
  public var tokenEndpointAuthMethods: [String]?
  /// `authorization_response_iss_parameter_supported` (RFC 9207): every redirect carries `iss`.
  public var sendsIssuer = false

  /// The document's member for each endpoint.
  static let members: [(name: String, endpoint: Provider.Endpoint)] = [
    ("authorization_endpoint", .authorize), ("token_endpoint", .token),
    ("revocation_endpoint", .revocation), ("device_authorization_endpoint", .deviceAuthorization),
  ]

  public func url(for endpoint: Provider.Endpoint) -> URL? {
    switch endpoint {
    case .authorize: return authorizationEndpoint
    case .token: return tokenEndpoint
    case .revocation: return revocationEndpoint
    case .deviceAuthorization: return deviceAuthorizationEndpoint
    }
  }

  /// Where the document may be, in the order to try: OpenID Connect's (appended to the
  /// issuer's path), then RFC 8414's (inserted between the host and the issuer's path, §3.1).
  public static func wellKnownURLs(issuer: String) -> [URL] {
    var trimmed = issuer
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let components = URLComponents(string: trimmed), let scheme = components.scheme,
      let host = components.host
    else { return [] }
    let bare = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    let authority = bare + (components.port.map { ":\($0)" } ?? "")
    let path = components.percentEncodedPath
    return [
      URL(string: trimmed + "/.well-known/openid-configuration"),
      URL(string: "\(scheme)://\(authority)/.well-known/oauth-authorization-server\(path)"),
    ].compactMap { $0 }
  }

  /// Reads a document. Its `issuer` must be exactly `expectedIssuer` (RFC 8414 §3.3), and every
  /// endpoint https (or http on a loopback address); otherwise it is refused, naming what is wrong.
  public static func parse(_ bytes: [UInt8], expectedIssuer: String) throws(AuthDeckError)
    -> ProviderMetadata
  {
    guard let document = try? JSONValue.parse(bytes), case .object = document else {
      throw .provider("the discovery document is not a JSON object")
    }
    guard let issuer = document["issuer"]?.string else {
      throw .provider("the discovery document names no issuer")
    }
    guard issuer == expectedIssuer else {
      throw .provider(
        "the discovery document is for issuer \(Sanitizer.inline(issuer, limit: 120)), "
          + "not the configured \(Sanitizer.inline(expectedIssuer, limit: 120)); refusing it")
    }
    var metadata = ProviderMetadata(issuer: issuer)
    for (name, endpoint) in members {
      guard let value = document[name] else { continue }
      guard let text = value.string, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
        url.host != nil, scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(url.host))
      else {
        throw .provider(
          "the discovery document's \(name) is not an https URL; refusing it")
      }
      metadata.set(url, for: endpoint)
    }
    metadata.codeChallengeMethods = strings(document["code_challenge_methods_supported"])
    metadata.tokenEndpointAuthMethods = strings(document["token_endpoint_auth_methods_supported"])
    metadata.sendsIssuer = document["authorization_response_iss_parameter_supported"] == .bool(true)
    return metadata
  }

  public init(
    issuer: String, authorizationEndpoint: URL? = nil, tokenEndpoint: URL? = nil,
    revocationEndpoint: URL? = nil,
    deviceAuthorizationEndpoint: URL? = nil, codeChallengeMethods: [String]? = nil,
    tokenEndpointAuthMethods: [String]? = nil
  ) {
    self.issuer = issuer
    self.authorizationEndpoint = authorizationEndpoint
    self.tokenEndpoint = tokenEndpoint
    self.revocationEndpoint = revocationEndpoint
    self.deviceAuthorizationEndpoint = deviceAuthorizationEndpoint
    self.codeChallengeMethods = codeChallengeMethods
    self.tokenEndpointAuthMethods = tokenEndpointAuthMethods
  }

  mutating func set(_ url: URL, for endpoint: Provider.Endpoint) {
    switch endpoint {
    case .authorize: authorizationEndpoint = url
    case .token: tokenEndpoint = url
    case .revocation: revocationEndpoint = url
    case .deviceAuthorization: deviceAuthorizationEndpoint = url
    }
  }

  /// The client authentication to use when the configuration does not say: client_secret_basic
  /// when listed (or nothing is listed: RFC 8414's default), else client_secret_post when listed.
  public var preferredClientAuth: ClientAuth? {
    guard let methods = tokenEndpointAuthMethods else { return .basic }
    if methods.contains("client_secret_basic") { return .basic }
    if methods.contains("client_secret_post") { return .post }
    return nil
  }

  private static func strings(_ value: JSONValue?) -> [String]? {
    guard case .array(let items)? = value else { return nil }
    return items.compactMap(\.string)
  }
}
