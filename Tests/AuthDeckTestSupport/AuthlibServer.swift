import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Tests/Support/authlib_server.py as a Swift object: an authorization server built on Authlib
// (pinned in Tests/Support/authlib-requirements.txt, installed into .build-python by
// scripts/setup), started on a free port for one test and stopped at the end of the scope.

public final class AuthlibServer: @unchecked Sendable {
  /// client_secret_basic, client_secret_post, and a public client (no secret).
  public static let basicClient = "basic-client"
  public static let postClient = "post-client"
  public static let publicClient = "public-client"
  /// The confidential clients' secret: a space, `+`, `/`, `=`, `:`, `%`, `&`, an escape-looking
  /// `%2F` (decoded twice it would turn into `/`) and a non-ASCII letter.
  public static let secret = "s3 cr+t/=:%&%2F é"
  /// A redirect that is pasted (not loopback), registered for every client.
  public static let pastedRedirect = "https://app.example/callback"

  public static let script = ServerProcess.supportScript("authlib_server.py")
  /// Where scripts/setup installs Authlib and Flask (on PYTHONPATH for the server only).
  public static let packages = ServerProcess.packageRoot + "/.build-python"

  public let port: Int
  private let child: ChildProcess

  /// `deviceInterval`: the seconds between device polls the server asks for;
  /// `refreshExpiresIn`: answers with a refresh token say it lives that long (Keycloak's member).
  public init(deviceInterval: Int = 1, refreshExpiresIn: Int? = nil) throws {
    guard FileManager.default.fileExists(atPath: Self.packages + "/authlib") else {
      throw TestServerError(
        message:
          "Authlib is not installed in \(Self.packages): run scripts/setup (it installs the pinned versions)")
    }
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONPATH"] = Self.packages
    // The interpreter scripts/setup installed for: python3 on PATH.
    (child, port) = try ServerProcess.start(
      [
        "python3", Self.script, "--port", "0", "--secret", Self.secret, "--device-interval",
        String(deviceInterval),
      ] + (refreshExpiresIn.map { ["--refresh-expires-in", String($0)] } ?? []), environment: environment,
      name: "authlib_server.py")
  }

  public func stop() {
    child.kill(SIGTERM)
    child.wait(timeout: 10)
  }

  public var issuer: String { "http://127.0.0.1:\(port)" }

  /// The protected resource's answer to `accessToken`: 200, or 401 once it is revoked.
  public func resourceStatus(_ accessToken: String) throws -> Int {
    try curl("/api/me", header: "Authorization: Bearer \(accessToken)").status
  }

  /// Whether RFC 7662 introspection calls `token` active, asked by the client it was issued to,
  /// authenticating as that client is registered.
  public func isActive(_ token: String, client: String) throws -> Bool {
    var form = [("token", token)]
    var header: String?
    switch client {
    case Self.basicClient:
      let pair = Self.formEscape(client) + ":" + Self.formEscape(Self.secret)
      header = "Authorization: Basic " + Data(pair.utf8).base64EncodedString()
    case Self.postClient: form += [("client_id", client), ("client_secret", Self.secret)]
    default: form.append(("client_id", client))
    }
    let answer = try curl("/oauth/introspect", header: header, form: form)
    let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
    return try required(object?["active"] as? Bool, "not an introspection answer: \(answer.body)")
  }

  /// A request that curl reads from its stdin (`-K -`), so that no token or secret is in its
  /// argv: a GET, or a form POST when `form` is given.
  private func curl(_ path: String, header: String? = nil, form: [(String, String)]? = nil) throws
    -> (status: Int, body: String)
  {
    var config = [
      "url = \"\(issuer + path)\"", "noproxy = \"*\"", "silent", "write-out = \"\\n%{http_code}\"",
    ]
    if let header { config.append("header = \"\(header)\"") }
    if let form {
      config.append(
        "data = \"" + form.map { "\($0.0)=\(Self.formEscape($0.1))" }.joined(separator: "&") + "\"")
    }
    let result = try ChildProcess.run(
      ["curl", "-K", "-"], input: config.joined(separator: "\n") + "\n", timeout: 20)
    try required(result.status == 0, "curl failed: \(result)")
    let status = result.stdout.split(separator: "\n").last.flatMap { Int($0) } ?? 0
    return (status, String(result.stdout.dropLast(String(status).count)))
  }

  /// What the person at the verification page does with `userCode`.
  public func decideDevice(_ userCode: String, approve: Bool) throws {
    try ServerProcess.decideDevice(userCode, approve: approve, at: issuer + "/_test/device")
  }

  static func formEscape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}

/// Runs `body` with a fresh Authlib server of its own, stopped afterwards whatever happens.
public func withAuthlib<T>(
  deviceInterval: Int = 1, refreshExpiresIn: Int? = nil, _ body: (AuthlibServer) throws -> T
) throws -> T {
  let server = try AuthlibServer(deviceInterval: deviceInterval, refreshExpiresIn: refreshExpiresIn)
  defer { server.stop() }
  return try body(server)
}

extension TestConfig {
  /// A provider at the Authlib server by its issuer alone, as `client` (basic, post or public);
  /// the secret from $AUTHDECK_TEST_SECRET, the redirect pasted unless `redirectURI` is given
  /// (nil: a loopback port chosen at each login).
  public static func authlib(
    _ server: AuthlibServer, id: String = "authlib", client: String = AuthlibServer.basicClient,
    redirectURI: String? = AuthlibServer.pastedRedirect, extra: String = ""
  ) -> String {
    let secret = client == AuthlibServer.publicClient ? "" : "client_secret_env = \"\(secretVariable)\""
    return """
      [providers.\(id)]
      issuer = "\(server.issuer)"
      client_id = "\(client)"
      \(secret)
      \(redirectURI.map { "redirect_uri = \"\($0)\"" } ?? "")
      \(extra)

      """
  }
}
