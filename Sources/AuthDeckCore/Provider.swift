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
}

/// Where the client secret comes from. The secret itself is only read when a request needs it.
public enum SecretSource: Sendable, Equatable {
  case environment(String)
  case command(String)
  case inline(String)
  case none
}

/// One `[providers.ID]` table, with its preset applied and every value checked.
public struct Provider: Sendable, Equatable {
  public var id: String
  public var name: String
  public var authorizeURL: URL?
  public var tokenURL: URL
  public var clientID: String
  public var secret: SecretSource
  public var clientAuth: ClientAuth
  public var redirectURI: URL?
  public var scope: String?
  public var pkce: Bool
  public var grant: Grant
  public var dailyExpiry: DailyCutoff?
  public var caFile: String?
  /// The `issuer` key, when the provider's issuer identifier is known.
  public var configuredIssuer: String?
  /// `token_env`: the variable `authdeck exec` hands the access token over in (see `TokenVariables`).
  public var tokenVariable: String?
  /// The issuer to expect in `iss` on the redirect (RFC 9207): the configured one, else the
  /// authorize URL's origin (scheme, host, port), which is then compared origin to origin.
  public var issuer: String? {
    if let configuredIssuer { return configuredIssuer }
    guard let url = authorizeURL, let scheme = url.scheme, let host = url.host else { return nil }
    return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
  }

  public init(
    id: String, name: String? = nil, authorizeURL: URL?, tokenURL: URL, clientID: String,
    secret: SecretSource = .none, clientAuth: ClientAuth = .post, redirectURI: URL?, scope: String? = nil,
    pkce: Bool = true, grant: Grant = .authorizationCode, dailyExpiry: DailyCutoff? = nil,
    caFile: String? = nil, issuer: String? = nil, tokenVariable: String? = nil
  ) {
    self.configuredIssuer = issuer
    self.tokenVariable = tokenVariable
    self.id = id
    self.name = name ?? id
    self.authorizeURL = authorizeURL
    self.tokenURL = tokenURL
    self.clientID = clientID
    self.secret = secret
    self.clientAuth = clientAuth
    self.redirectURI = redirectURI
    self.scope = scope
    self.pkce = pkce
    self.grant = grant
    self.dailyExpiry = dailyExpiry
    self.caFile = caFile
  }

  /// The redirect is caught by a listener of our own when it points at a loopback address over http.
  public var usesLoopbackRedirect: Bool {
    guard let redirectURI, redirectURI.scheme == "http" else { return false }
    return Loopback.isLoopbackHost(redirectURI.host)
  }

  /// One line for `authdeck providers` and the board's group header.
  public var expiryRule: String {
    if grant == .clientCredentials { return "client credentials" }
    if let dailyExpiry { return "expires daily \(dailyExpiry.shortDescription)" }
    return "expires_in"
  }
}

public enum Loopback {
  /// `http://127.0.0.1:8765` or `http://[::1]:8765` for a redirect URI: where a request that
  /// reached the listener came from, to rebuild the full redirect URL from its target.
  public static func origin(of redirectURI: URL) -> String {
    let host = redirectURI.host ?? "127.0.0.1"
    let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    return "http://\(bracketed):\(redirectURI.port ?? 80)"
  }

  /// True for 127.0.0.0/8, ::1 and "localhost"-free literal addresses only:
  /// `127.0.0.1.evil.example` is a name, not an address.
  public static func isLoopbackHost(_ host: String?) -> Bool {
    guard var host else { return false }
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    let octets = parts.compactMap { part -> Int? in
      guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber) else {
        return nil
      }
      return Int(part).flatMap { $0 <= 255 ? $0 : nil }
    }
    return octets.count == 4 && octets[0] == 127
  }
}
