import Foundation
import Testing

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

  /// Tests/Support/oauth_test_server.py: this file is Tests/AuthDeckTestSupport/TestOAuthServer.swift,
  /// so two levels up is Tests/.
  public static let script: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Support/oauth_test_server.py").path

  public static let python: String =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

  public let shape: Shape
  public let port: Int
  private let child: ChildProcess

  public init(_ shape: Shape, codeLifetime: Double? = nil, expiresIn: String? = nil) throws {
    self.shape = shape
    var argv = [Self.python, Self.script, "--shape", shape.rawValue, "--port", "0"]
    if let codeLifetime { argv += ["--code-lifetime", String(codeLifetime)] }
    if let expiresIn { argv += ["--expires-in", expiresIn] }
    child = try ChildProcess(argv)
    // The server prints "PORT <n>" once it listens; an early exit ends the pipe instead.
    child.stdout.wait(timeout: 30) { $0.hasSuffix("\n") }
    let line = child.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
      child.kill(SIGKILL)
      let result = child.wait(timeout: 5)
      throw TestServerError(message: "oauth_test_server.py did not start: \(result)")
    }
    self.port = port
  }

  public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
  }

  public func stop() {
    child.kill(SIGTERM)
    child.wait(timeout: 10)
  }

  public var baseURL: String { "http://127.0.0.1:\(port)" }
  public var authorizeURL: String { baseURL + (shape == .lime ? "/connect/authorize" : "/oauth2/authorize") }
  public var tokenURL: String { baseURL + (shape == .lime ? "/connect/token" : "/oauth2/token") }

  // MARK: Control

  /// Makes the next `count` token requests fail the named way (see the server's FAULTS).
  public func inject(_ fault: String, count: Int = 1, seconds: Double? = nil) throws {
    var spec: [String: Any] = ["fault": fault, "count": count]
    if let seconds { spec["seconds"] = seconds }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let answer = try Curl.request(baseURL + "/_control/fault", method: "POST", body: body)
    try #require(answer.status == 200, "fault \(fault) refused: \(answer.body)")
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
  let server = try TestOAuthServer(shape, codeLifetime: codeLifetime, expiresIn: expiresIn)
  defer { server.stop() }
  return try body(server)
}

/// config.toml text for the test servers, with the secret taken from $AUTHDECK_TEST_SECRET.
public enum TestConfig {
  public static let secretVariable = "AUTHDECK_TEST_SECRET"
  public static let pastedRedirect = "https://app.example/callback"

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
    redirect_uri = "\(loopbackPort.map { "http://127.0.0.1:\($0)/callback" } ?? pastedRedirect)"

    [providers.svc]
    token_url = "\(server.tokenURL)"
    client_id = "\(TestOAuthServer.clientID)"
    client_secret_env = "\(secretVariable)"
    client_auth = "basic"
    grant = "client_credentials"

    """
  }
}
