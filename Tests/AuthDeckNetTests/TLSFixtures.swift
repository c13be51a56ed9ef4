import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

// The TLS side of the integration tests: the OAuth test server speaking HTTPS with a certificate
// of a throwaway CA (`TestCA`, in AuthDeckTestSupport), and a CONNECT proxy
// (Tests/Support/connect_proxy.py). Everything listens on 127.0.0.1 only.

// MARK: The OAuth test server over HTTPS

/// Tests/Support/oauth_test_server.py with --tls-cert: the same server as TestOAuthServer,
/// spoken to over https. Its control endpoints are reached with curl, trusting `controlCA`
/// and asking for the certificate's own name (resolved to 127.0.0.1, never looked up).
final class TLSTestServer: @unchecked Sendable {
  let shape: TestOAuthServer.Shape
  let port: Int
  let serverCertificate: ServerCertificate
  let controlCA: String
  private let child: ChildProcess

  init(_ shape: TestOAuthServer.Shape, certificate: ServerCertificate, controlCA: String) throws {
    self.shape = shape
    self.serverCertificate = certificate
    self.controlCA = controlCA
    (child, port) = try ServerProcess.start(
      [
        TestOAuthServer.python, TestOAuthServer.script, "--shape", shape.rawValue, "--port", "0",
        "--tls-cert", certificate.certificate, "--tls-key", certificate.key,
      ], name: "oauth_test_server.py --tls-cert")
  }

  func stop() {
    child.kill(SIGTERM)
    child.wait(timeout: 10)
  }

  var tokenPath: String { shape == .lime ? "/connect/token" : "/oauth2/token" }
  /// What AuthDeck is configured with: always the address, whatever the certificate says.
  var tokenURL: String { "https://127.0.0.1:\(port)\(tokenPath)" }

  typealias ControlAnswer = (status: Int, body: String)

  /// A request to the server with curl, verifying its certificate against `controlCA`.
  func control(_ path: String, method: String = "GET", body: String? = nil) throws -> ControlAnswer {
    let host = serverCertificate.host
    let authority = host.contains(":") ? "[\(host)]" : host
    var argv = [
      "curl", "-s", "--noproxy", "*", "--cacert", controlCA, "-w", "\n%{http_code}", "-X", method,
    ]
    if host != "127.0.0.1" { argv += ["--resolve", "\(host):\(port):127.0.0.1"] }
    if let body { argv += ["-H", "Content-Type: application/json", "--data-binary", body] }
    argv.append("https://\(authority):\(port)\(path)")
    let result = try ChildProcess.run(argv, timeout: 20)
    try #require(result.status == 0, "curl \(path) over TLS failed: \(result)")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
  }

  func inject(_ fault: String, count: Int = 1, chunked: Bool? = nil) throws {
    var spec: [String: Any] = ["fault": fault, "count": count]
    if let chunked { spec["chunked"] = chunked }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let answer = try control("/_control/fault", method: "POST", body: body)
    try #require(answer.status == 200, "fault \(fault) refused: \(answer.body)")
  }

  func tokenRequests() throws -> [LoggedTokenRequest] {
    try JSONDecoder().decode([LoggedTokenRequest].self, from: Data(control("/_control/requests").body.utf8))
  }

  func issuedAccessTokens() throws -> [String] {
    try JSONDecoder().decode([String].self, from: Data(control("/_control/issued").body.utf8))
  }
}

/// Runs `body` with an HTTPS OAuth server of its own, stopped afterwards whatever happens.
func withTLSServer<T>(
  _ shape: TestOAuthServer.Shape = .limio, certificate: ServerCertificate, controlCA: String,
  _ body: (TLSTestServer) throws -> T
) throws -> T {
  let server = try TLSTestServer(shape, certificate: certificate, controlCA: controlCA)
  defer { server.stop() }
  return try body(server)
}

// MARK: A CONNECT proxy

/// Tests/Support/connect_proxy.py: tunnels CONNECT to 127.0.0.1 only and logs every request
/// on stderr (`CONNECT 127.0.0.1:PORT`, `REFUSED CONNECT host:port`) before answering it.
final class ConnectProxy: @unchecked Sendable {
  static let script = ServerProcess.supportScript("connect_proxy.py")

  let port: Int
  private let child: ChildProcess

  init(refuseAll: Bool = false) throws {
    (child, port) = try ServerProcess.start(
      [TestOAuthServer.python, Self.script, "--port", "0"] + (refuseAll ? ["--refuse-all"] : []),
      name: "connect_proxy.py")
  }

  /// For HTTPS_PROXY.
  var url: String { "http://127.0.0.1:\(port)" }

  /// Stops the proxy (if it still runs) and returns every line it logged. A request is logged
  /// before it is answered, so once a client is done, its requests are all here.
  @discardableResult
  func stop() -> [String] {
    child.kill(SIGTERM)
    let result = child.wait(timeout: 10)
    return result.stderrLines
  }
}

/// Runs `body` with a proxy of its own, stopped afterwards whatever happens.
func withProxy<T>(refuseAll: Bool = false, _ body: (ConnectProxy) throws -> T) throws -> T {
  let proxy = try ConnectProxy(refuseAll: refuseAll)
  defer { proxy.stop() }
  return try body(proxy)
}
