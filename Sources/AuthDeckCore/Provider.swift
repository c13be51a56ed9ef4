import Foundation

/// How the client proves who it is at the token endpoint (RFC 6749 §2.3.1).
public enum ClientAuth: String, Sendable, Equatable, CaseIterable {
  /// client_id and client_secret in the form body (client_secret_post).
  case post
  /// HTTP Basic with the form-encoded id and secret (client_secret_basic).
  case basic
}

public enum Grant: String, Sendable, Equatable, CaseIterable {
  case authorizationCode = "authorization_code"
  case clientCredentials = "client_credentials"
  /// The device authorization grant (RFC 8628): a code the user enters on another device.
  case deviceCode = "device_code"
}

/// Where the client secret comes from. The secret itself is only read when a request needs it.
public enum SecretSource: Sendable, Equatable {
  case environment(String)
  case command(String)
  case inline(String)
  case none
}

/// One `[providers.ID]` table, with its preset applied and every value checked. A provider
/// with an `issuer` may leave endpoints out: `EndpointResolver` fills them in from discovery.
public struct Provider: Sendable, Equatable {
  /// The endpoints a provider can have (RFC 6749, RFC 7009, RFC 8628).
  public enum Endpoint: String, Sendable, CaseIterable {
    case authorize, token, revocation, deviceAuthorization

    /// As messages name it: "device authorization".
    public var name: String { self == .deviceAuthorization ? "device authorization" : rawValue }
  }

  /// Where a value came from, for `authdeck providers`.
  public enum Source: String, Sendable {
    case preset, config, discovery
  }

  public var id: String
  /// The configuration file it was read from (`ConfigurationLoader.parse` sets it); nil for a
  /// provider made in code (the demo's).
  public var configurationFile: String?
  public var name: String
  public var authorizeURL: URL?
  /// Nil only for a provider with an issuer whose discovery has not been applied yet.
  public var tokenURL: URL?
  public var revocationURL: URL?
  public var deviceAuthorizationURL: URL?
  /// Where each endpoint that is known came from.
  public var sources: [Endpoint: Source] = [:]
  public var clientID: String
  public var secret: SecretSource
  public var clientAuth: ClientAuth
  /// Where `clientAuth` came from; nil when nothing chose it (then it is client_secret_post,
  /// or what discovery lists).
  public var clientAuthSource: Source?
  /// The registered redirect; nil: a loopback redirect on a port chosen at each login.
  public var redirectURI: URL?
  public var scope: String?
  public var pkce: Bool
  public var grant: Grant
  public var dailyExpiry: DailyCutoff?
  public var caFile: String?
  /// The `issuer` key, when the provider's issuer identifier is known. Its endpoints that the
  /// configuration leaves out are discovered from it (RFC 8414, OpenID Connect Discovery).
  public var configuredIssuer: String?
  /// `token_env`: the variable `authdeck exec` hands the access token over in (see `TokenVariables`).
  public var tokenVariable: String?
  /// `client_secret_timeout`: how long `client_secret_command` may run (nil: the default, 30 s).
  public var secretTimeout: TimeInterval?
  /// `keep_alive`: while the board is open, its sessions that can be renewed are renewed
  /// shortly before they end.
  public var keepAlive = true
  /// `notify_before`: how long before its daily cutoff, and before a session that cannot be
  /// renewed ends, the board notifies; nil (`notify = false`): never.
  public var notifyBefore: TimeInterval? = Provider.defaultNotifyBefore
  public static let defaultNotifyBefore: TimeInterval = 15 * 60
  /// `refresh_lifetime`: how long a refresh token lives when the token answer does not say
  /// (`refresh_expires_in`); nil: as long as the provider honours it.
  public var refreshLifetime: TimeInterval?
  /// `refresh_notify_before`: how long before a refresh token dies the board says a browser
  /// login will be needed; nil (`notify = false`): never.
  public var refreshNotifyBefore: TimeInterval? = Provider.defaultRefreshNotifyBefore
  public static let defaultRefreshNotifyBefore: TimeInterval = 86_400
  /// How HTTP Basic credentials are written: form-encoded first (RFC 6749 §2.3.1), raw for a
  /// provider that answered `invalid_client` to that and took them raw (remembered with its
  /// discovery cache, `ProviderQuirks`).
  public var basicCredentials: BasicCredentials = .formEncoded
  /// The provider says every redirect carries `iss` (RFC 9207, from discovery): one without
  /// it is refused.
  public var sendsIssuer = false
  /// `agent`: whether `authdeck agent` serves this provider's tokens, and how.
  public var agent = AgentAccess.off
  /// `git_hosts` and the rest: the hosts `authdeck git-credential` answers for; nil: none.
  public var git: GitCredentialSettings?
  /// The issuer to expect in `iss` on the redirect (RFC 9207): the configured one, else the
  /// authorize URL's origin (scheme, host, port), which is then compared origin to origin.
  public var issuer: String? {
    if let configuredIssuer { return configuredIssuer }
    guard let url = authorizeURL, let scheme = url.scheme, let host = url.host else { return nil }
    return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
  }

  /// Endpoints given here count as configured (`.config`); a nil `clientAuth` is the default.
  public init(
    id: String, name: String? = nil, authorizeURL: URL?, tokenURL: URL?, revocationURL: URL? = nil,
    deviceAuthorizationURL: URL? = nil, clientID: String, secret: SecretSource = .none,
    clientAuth: ClientAuth? = nil, redirectURI: URL?, scope: String? = nil, pkce: Bool = true,
    grant: Grant = .authorizationCode, dailyExpiry: DailyCutoff? = nil, caFile: String? = nil,
    issuer: String? = nil, tokenVariable: String? = nil
  ) {
    self.configuredIssuer = issuer
    self.tokenVariable = tokenVariable
    self.id = id
    self.name = name ?? id
    self.clientID = clientID
    self.secret = secret
    self.clientAuth = clientAuth ?? .post
    self.clientAuthSource = clientAuth == nil ? nil : .config
    self.redirectURI = redirectURI
    self.scope = scope
    self.pkce = pkce
    self.grant = grant
    self.dailyExpiry = dailyExpiry
    self.caFile = caFile
    setURL(authorizeURL, for: .authorize, source: .config)
    setURL(tokenURL, for: .token, source: .config)
    setURL(revocationURL, for: .revocation, source: .config)
    setURL(deviceAuthorizationURL, for: .deviceAuthorization, source: .config)
  }

  public func url(for endpoint: Endpoint) -> URL? {
    switch endpoint {
    case .authorize: return authorizeURL
    case .token: return tokenURL
    case .revocation: return revocationURL
    case .deviceAuthorization: return deviceAuthorizationURL
    }
  }

  /// Sets an endpoint with where it came from; nil leaves it (and its source) unset.
  public mutating func setURL(_ url: URL?, for endpoint: Endpoint, source: Source) {
    switch endpoint {
    case .authorize: authorizeURL = url
    case .token: tokenURL = url
    case .revocation: revocationURL = url
    case .deviceAuthorization: deviceAuthorizationURL = url
    }
    sources[endpoint] = url == nil ? nil : source
  }

  /// `PATH: providers.ID.KEY: message`, the shape of every error about one of its keys.
  public func keyError(_ key: String, _ message: String) -> AuthDeckError {
    Self.keyError(path: configurationFile, id: id, key: key, message)
  }

  /// The same for a provider still being read; without a file, `providers.ID.KEY: message`.
  public static func keyError(path: String?, id: String, key: String, _ message: String) -> AuthDeckError {
    .config((path.map { "\($0): " } ?? "") + "providers.\(id).\(key): \(message)")
  }

  /// Whether the client has a secret; without one it is a public client (PKCE, client_id in the body).
  public var isPublicClient: Bool { secret == .none }

  /// The redirect is caught by a listener of our own: a loopback address (or `localhost`)
  /// over http, or no redirect_uri at all (a port is chosen at each login).
  public var usesLoopbackRedirect: Bool {
    guard let redirectURI else { return grant == .authorizationCode }
    return Loopback.isListenable(redirectURI)
  }

  /// The host shown for the provider: its authorize (or token) endpoint's, else its issuer's.
  public var host: String {
    let url = grant == .clientCredentials ? tokenURL : authorizeURL ?? tokenURL
    return url?.host ?? configuredIssuer.flatMap { URL(string: $0)?.host } ?? ""
  }

  /// One line for `authdeck providers` and the board's group header.
  public var expiryRule: String {
    if grant == .clientCredentials { return "client credentials" }
    if grant == .deviceCode { return "device login, expires_in" }
    if let dailyExpiry { return "expires daily \(dailyExpiry.shortDescription)" }
    return "expires_in"
  }
}
