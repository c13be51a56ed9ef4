import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Tests/Support/oauth_test_server.py as a Swift object: started on a free port for one test,
// asked about what it saw through its /_control/ endpoints, stopped at the end of the scope.

/// One token request as the server logged it.
public struct LoggedTokenRequest: Decodable, Sendable {
  public var path: String
  public var method: String
  public var headers: [String: String]
  /// The raw form body, exactly as sent.
  public var body: String
  /// The body as Python's parse_qsl decoded it (`+` is a space, %-escapes decoded).
  public var form: [String: String]

  public var grantType: String? { form["grant_type"] }
}

public final class TestOAuthServer: @unchecked Sendable {
  public enum Shape: String, Sendable {
    /// /connect/*, client_secret_post, no refresh token, expires_in 28800.
    case lime
    /// /oauth2/*, client_secret_basic, rotating refresh tokens, client credentials, expires_in 3600.
    case limio
  }

  public static let clientID = "test-client"
  public static let clientSecret = "s3cret: +%&=é"

  public static let script = ServerProcess.supportScript("oauth_test_server.py")

  public static let python: String =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

  /// How the server is started beyond its shape.
  public struct Options: Sendable {
    public var codeLifetime: Double?
    public var expiresIn: String?
    /// The client secret the server expects (default `clientSecret`).
    public var clientSecret: String?
    /// No secret: client_id in the body, PKCE required.
    public var publicClient = false
    /// "both", "oidc", "oauth" or "none": which discovery documents are served.
    public var discovery = "both"
    /// The issuer's path, e.g. "/realms/acme".
    public var issuerPath = ""
    /// The documents name another issuer.
    public var wrongIssuer = false
    /// Seconds a device code lives, and between device polls (RFC 8628 `expires_in`, `interval`).
    public var deviceLifetime = 600
    public var deviceInterval = 1
    /// Seconds the server's clock is ahead of the machine's (its Date header, iat and exp).
    public var clockOffset: Double = 0
    /// Access tokens are JWTs with the server's iat and exp.
    public var jwtAccess = false
    /// Answers carry no expires_in.
    public var noExpiresIn = false
    /// Answers with a refresh token say it lives this long (Keycloak's refresh_expires_in).
    public var refreshExpiresIn: Int?
    /// HTTP Basic credentials are compared undecoded (django-oidc-provider, older Spring Security).
    public var basicRaw = false

    public init(
      codeLifetime: Double? = nil, expiresIn: String? = nil, clientSecret: String? = nil,
      publicClient: Bool = false,
      discovery: String = "both", issuerPath: String = "", wrongIssuer: Bool = false,
      deviceLifetime: Int = 600,
      deviceInterval: Int = 1
    ) {
      self.codeLifetime = codeLifetime
      self.expiresIn = expiresIn
      self.clientSecret = clientSecret
      self.publicClient = publicClient
      self.discovery = discovery
      self.issuerPath = issuerPath
      self.wrongIssuer = wrongIssuer
      self.deviceLifetime = deviceLifetime
      self.deviceInterval = deviceInterval
    }
  }

  public let shape: Shape
  public let port: Int
  public let options: Options
  private let child: ChildProcess

  public convenience init(_ shape: Shape, codeLifetime: Double? = nil, expiresIn: String? = nil) throws {
    try self.init(shape, options: Options(codeLifetime: codeLifetime, expiresIn: expiresIn))
  }

  public init(_ shape: Shape, options: Options) throws {
    self.shape = shape
    self.options = options
    var argv = [Self.python, Self.script, "--shape", shape.rawValue, "--port", "0"]
    if let codeLifetime = options.codeLifetime { argv += ["--code-lifetime", String(codeLifetime)] }
    if let expiresIn = options.expiresIn { argv += ["--expires-in", expiresIn] }
    if let secret = options.clientSecret { argv += ["--client-secret", secret] }
    if options.publicClient { argv.append("--public-client") }
    argv += ["--discovery", options.discovery, "--issuer-path", options.issuerPath]
    if options.wrongIssuer { argv.append("--wrong-issuer") }
    argv += [
      "--device-lifetime", String(options.deviceLifetime), "--device-interval",
      String(options.deviceInterval), "--clock-offset", String(options.clockOffset),
    ]
    if options.jwtAccess { argv.append("--jwt-access") }
    if options.noExpiresIn { argv.append("--no-expires-in") }
    if let refreshExpiresIn = options.refreshExpiresIn {
      argv += ["--refresh-expires-in", String(refreshExpiresIn)]
    }
    if options.basicRaw { argv.append("--basic-raw") }
    (child, port) = try ServerProcess.start(argv, name: "oauth_test_server.py")
  }

  public func stop() {
    child.kill(SIGTERM)
    child.wait(timeout: 10)
  }

  public var baseURL: String { "http://127.0.0.1:\(port)" }
  public var authorizeURL: String { baseURL + (shape == .lime ? "/connect/authorize" : "/oauth2/authorize") }
  public var tokenURL: String { baseURL + (shape == .lime ? "/connect/token" : "/oauth2/token") }
  public var revocationURL: String { baseURL + (shape == .lime ? "/connect/revocation" : "/oauth2/revoke") }
  public var deviceAuthorizationURL: String {
    baseURL + (shape == .lime ? "/connect/deviceauthorization" : "/oauth2/device")
  }
  /// The issuer its discovery documents should name (they name another with `wrongIssuer`).
  public var issuer: String { baseURL + options.issuerPath }

  // MARK: Control

  /// Makes the next `count` requests to `endpoint` ("token", "revoke"; "authorize" for
  /// access_denied_authorize) fail the named way (see the server's FAULTS). `location` is where
  /// a "redirect" fault points.
  public func inject(
    _ fault: String, count: Int = 1, seconds: Double? = nil, endpoint: String? = nil, location: String? = nil
  ) throws {
    var spec: [String: Any] = ["fault": fault, "count": count]
    if let seconds { spec["seconds"] = seconds }
    if let endpoint { spec["endpoint"] = endpoint }
    if let location { spec["location"] = location }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let answer = try Curl.request(baseURL + "/_control/fault", method: "POST", body: body)
    try required(answer.status == 200, "fault \(fault) refused: \(answer.body)")
  }

  /// Every token request so far, oldest first.
  public func tokenRequests() throws -> [LoggedTokenRequest] {
    let answer = try Curl.request(baseURL + "/_control/requests")
    return try JSONDecoder().decode([LoggedTokenRequest].self, from: Data(answer.body.utf8))
  }

  /// Every access token issued so far, oldest first.
  public func issuedAccessTokens() throws -> [String] {
    let answer = try Curl.request(baseURL + "/_control/issued")
    return try JSONDecoder().decode([String].self, from: Data(answer.body.utf8))
  }

  /// Every revocation so far, oldest first: the token and its type hint.
  public func revoked() throws -> [(token: String, hint: String?)] {
    let answer = try Curl.request(baseURL + "/_control/revoked")
    let list = try required(
      try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]],
      "not a list of revocations: \(answer.body)")
    return list.map { ($0["token"] as? String ?? "", $0["hint"] as? String) }
  }

  /// The path of every discovery document fetched so far.
  public func discoveryFetches() throws -> [String] {
    let answer = try Curl.request(baseURL + "/_control/discovery")
    return try JSONDecoder().decode([String].self, from: Data(answer.body.utf8))
  }

  /// One device login as the server sees it: its code, what the test decided, and the answer
  /// to each poll so far.
  public struct DeviceLogin: Decodable, Sendable {
    public var userCode: String
    public var decision: String?
    public var interval: Int
    public var polls: [String]

    enum CodingKeys: String, CodingKey {
      case userCode = "user_code"
      case decision, interval, polls
    }
  }

  /// Every device login so far, oldest first.
  public func deviceLogins() throws -> [DeviceLogin] {
    let answer = try Curl.request(baseURL + "/_control/device")
    return try JSONDecoder().decode([DeviceLogin].self, from: Data(answer.body.utf8))
  }

  /// What the person at the verification page does with `userCode`: approve or deny the login.
  public func decideDevice(_ userCode: String, approve: Bool) throws {
    try ServerProcess.decideDevice(userCode, approve: approve, at: baseURL + "/_control/device")
  }

  /// What the browser would be sent to after the (auto-approving) authorize page.
  public func approve(_ authorizeURL: String) throws -> String {
    try Curl.redirectTarget(of: authorizeURL)
  }
}

/// Runs `body` with a fresh server of its own, stopped afterwards whatever happens.
public func withServer<T>(
  _ shape: TestOAuthServer.Shape, codeLifetime: Double? = nil, expiresIn: String? = nil,
  _ body: (TestOAuthServer) throws -> T
) throws -> T {
  try withServer(shape, options: .init(codeLifetime: codeLifetime, expiresIn: expiresIn), body)
}

public func withServer<T>(
  _ shape: TestOAuthServer.Shape, options: TestOAuthServer.Options, _ body: (TestOAuthServer) throws -> T
) throws -> T {
  let server = try TestOAuthServer(shape, options: options)
  defer { server.stop() }
  return try body(server)
}

/// config.toml text for the test servers, with the secret taken from $AUTHDECK_TEST_SECRET.
public enum TestConfig {
  public static let secretVariable = "AUTHDECK_TEST_SECRET"
  public static let pastedRedirect = "https://app.example/callback"
  /// Limio's: two providers may not share a redirect (the mix-up defence refuses it).
  public static let limioPastedRedirect = "https://app.example/limio-callback"

  /// `lime`: the lime preset pointed at the server; the redirect is pasted (or caught on
  /// `loopbackPort` when given, or is `redirectURI`).
  /// `clientAuth` overrides the preset's (to use a limio-shaped server, "basic").
  public static func lime(
    _ server: TestOAuthServer, id: String = "lime", loopbackPort: UInt16? = nil, redirectURI: String? = nil,
    clientAuth: String? = nil
  ) -> String {
    """
    [providers.\(id)]
    preset = "lime"\(clientAuth.map { "\nclient_auth = \"\($0)\"" } ?? "")
    authorize_url = "\(server.authorizeURL)"
    token_url = "\(server.tokenURL)"
    client_id = "\(TestOAuthServer.clientID)"
    client_secret_env = "\(secretVariable)"
    redirect_uri = "\(redirectURI ?? loopbackPort.map { "http://127.0.0.1:\($0)/callback" } ?? pastedRedirect)"

    """
  }

  /// A provider by its issuer alone: endpoints and client authentication from discovery, the
  /// redirect a loopback port chosen at login unless `redirectURI` is given; `publicClient`: no secret.
  public static func issuer(
    _ server: TestOAuthServer, id: String = "idp", publicClient: Bool = false, redirectURI: String? = nil,
    extra: String = ""
  ) -> String {
    """
    [providers.\(id)]
    issuer = "\(server.issuer)"
    client_id = "\(TestOAuthServer.clientID)"
    \(publicClient ? "" : "client_secret_env = \"\(secretVariable)\"")
    \(redirectURI.map { "redirect_uri = \"\($0)\"" } ?? "")
    \(extra)

    """
  }

  /// `limio` (browser login with refresh tokens, HTTP Basic) and `svc` (client credentials).
  public static func limio(_ server: TestOAuthServer, loopbackPort: UInt16? = nil) -> String {
    """
    [providers.limio]
    preset = "limio"
    tenant = "acme"
    authorize_url = "\(server.authorizeURL)"
    token_url = "\(server.tokenURL)"
    client_id = "\(TestOAuthServer.clientID)"
    client_secret_env = "\(secretVariable)"
    redirect_uri = "\(loopbackPort.map { "http://127.0.0.1:\($0)/callback" } ?? limioPastedRedirect)"

    [providers.svc]
    token_url = "\(server.tokenURL)"
    client_id = "\(TestOAuthServer.clientID)"
    client_secret_env = "\(secretVariable)"
    client_auth = "basic"
    grant = "client_credentials"

    """
  }
}
