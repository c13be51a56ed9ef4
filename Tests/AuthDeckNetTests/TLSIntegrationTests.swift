import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

/// libcurl over TLS against the real (test) OAuth server on 127.0.0.1, with certificates from a
/// CA made for each test: `ca_file` is honoured, certificates are verified (chain and name),
/// and redirects and the body cap behave over TLS as they do over plain http.
@Suite("TLS against a real OAuth server")
struct TLSIntegrationTests {
  static let svc = SessionID(provider: "svc", account: "bot")

  /// A client-credentials service like limio's (HTTP Basic), built directly: the configuration
  /// loader would take any https host, so the test sets the 127.0.0.1 address itself.
  struct Harness {
    let server: TLSTestServer
    let service: TokenService
    let root: String

    var store: SessionStore { service.store }
    var sessionPath: String { StoreFormat.path(root: root, id: TLSIntegrationTests.svc.description) }

    func fetch() -> Result<Session, AuthDeckError> {
      do throws(AuthDeckError) {
        return .success(try service.fetchClientCredentials(TLSIntegrationTests.svc, now: Date()))
      } catch {
        return .failure(error)
      }
    }

    /// The error of a fetch that must fail.
    func failedFetch() -> AuthDeckError? {
      thrownError { () throws(AuthDeckError) in
        try service.fetchClientCredentials(TLSIntegrationTests.svc, now: Date())
      }
    }

    /// Nothing reached the token endpoint (so no secret left) and nothing is in the store.
    func expectNothingSentOrStored(_ comment: Comment? = nil) throws {
      #expect(try server.tokenRequests().isEmpty, comment)
      #expect(try server.issuedAccessTokens().isEmpty, comment)
      #expect(try store.load(TLSIntegrationTests.svc) == nil, comment)
      #expect(!fileExists(sessionPath), comment)
    }
  }

  /// A fresh CA, a certificate named `subjectAltName` signed by `signer` (default: that CA),
  /// an HTTPS server presenting it, and a token service trusting `caFile` (default: that CA).
  func withTLSService<T>(
    subjectAltName: String = "IP:127.0.0.1", signedByAnotherCA: Bool = false,
    caFile: ((TestCA) -> String?) = { $0.certificate }, deadline: TimeInterval = 10,
    _ body: (Harness, TestCA) throws -> T
  ) throws -> T {
    try withTemporaryDirectory { directory in
      let ca = try TestCA(in: directory, name: "ca")
      let signer = signedByAnotherCA ? try TestCA(in: directory, name: "other-ca") : ca
      let certificate = try signer.issue("server", subjectAltName: subjectAltName)
      return try withTLSServer(.limio, certificate: certificate, controlCA: signer.certificate) { server in
        let provider = Provider(
          id: "svc", name: "Limio acme (service)", authorizeURL: nil,
          tokenURL: URL(string: server.tokenURL)!, clientID: TestOAuthServer.clientID,
          secret: .environment(TestConfig.secretVariable), clientAuth: .basic, redirectURI: nil,
          grant: .clientCredentials, caFile: caFile(ca))
        let root = directory + "/authdeck"
        var service = TokenService(
          configuration: Configuration(providers: [provider], path: directory + "/config.toml"),
          store: SessionStore(root: root), transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: TestOAuthServer.clientSecret], withholding: []),
          random: SystemRandom())
        service.deadline = deadline
        return try body(Harness(server: server, service: service, root: root), ca)
      }
    }
  }

  // MARK: ca_file and certificate verification

  @Test("with ca_file, a client-credentials fetch succeeds over HTTPS")
  func withCAFileAClientCredentialsFetchSucceedsOverHTTPS() throws {
    try withTLSService { h, _ in
      #expect(h.server.tokenURL.hasPrefix("https://127.0.0.1:"))
      let session = try h.fetch().get()

      let requests = try h.server.tokenRequests()
      try #require(requests.count == 1)
      #expect(requests[0].path == "/oauth2/token")
      #expect(requests[0].grantType == "client_credentials")
      #expect(requests[0].headers["authorization"]?.hasPrefix("Basic ") == true)
      let token = try #require(session.tokens?.accessToken)
      #expect(try h.server.issuedAccessTokens() == [token])
      let stored = try #require(try h.store.load(Self.svc))
      #expect(stored.tokens?.accessToken == token)
      #expect(mode(of: h.sessionPath) == 0o600)
    }
  }

  @Test("without ca_file, the server is refused with a hint, and nothing is sent or stored")
  func withoutCAFileTheServerIsRefusedWithAHintAndNothingIsStored() throws {
    try withTLSService(caFile: { _ in nil }) { h, _ in
      let error = try #require(h.failedFetch())
      #expect(error.kind == "network", "\(error)")
      #expect(error.description.contains("TLS"), "\(error)")
      #expect(error.description.contains("ca_file"), "\(error)")
      #expect(error.description.contains("127.0.0.1"), "\(error)")
      #expect(!error.description.contains("s3cret"))
      try h.expectNothingSentOrStored("\(error)")
    }
  }

  @Test("a certificate for another host is refused, even from the CA in ca_file")
  func aCertificateForAnotherHostIsRefusedEvenWithTheRightCA() throws {
    // Signed by the CA in ca_file, valid, but for example.com only: the name must match too.
    // (The control requests reach it as example.com, so the certificate itself is fine.)
    try withTLSService(subjectAltName: "DNS:example.com") { h, _ in
      #expect(h.server.serverCertificate.host == "example.com")
      let error = try #require(h.failedFetch())
      #expect(error.kind == "network", "\(error)")
      #expect(error.description.contains("TLS"), "\(error)")
      try h.expectNothingSentOrStored("\(error)")
    }
  }

  @Test("a certificate from another CA is refused")

  func aCertificateFromAnotherCAIsRefused() throws {
    // ca_file adds one root; it is not a switch that turns verification off.
    try withTLSService(signedByAnotherCA: true) { h, ca in
      #expect(h.service.configuration.provider("svc")?.caFile == ca.certificate)
      let error = try #require(h.failedFetch())
      #expect(error.kind == "network", "\(error)")
      #expect(error.description.contains("TLS"), "\(error)")
      try h.expectNothingSentOrStored("\(error)")
    }
  }

  // MARK: The same limits over TLS

  @Test("a redirect over TLS is not followed")

  func aRedirectOverTLSIsNotFollowed() throws {
    try withTLSService(deadline: 5) { h, _ in
      _ = try h.fetch().get()
      let before = try #require(readBytes(h.sessionPath))
      // A 302 to http://127.0.0.1:1, where nothing listens: followed, it would be a network
      // error ("could not reach"); a provider error naming the redirect proves it stopped.
      try h.server.inject("redirect")

      let error = try #require(h.failedFetch())
      #expect(error.kind == "provider", "\(error)")
      #expect(error.description.contains("redirected (HTTP 302)"), "\(error)")
      #expect(readBytes(h.sessionPath) == before, "the stored token is kept byte for byte")
      #expect(try h.server.tokenRequests().count == 2)
    }
  }

  @Test("a body over the 1 MiB cap is refused over TLS, chunked or not", arguments: [false, true])
  func aBodyOverTheCapIsRefusedOverTLS(chunked: Bool) throws {
    try withTLSService(deadline: 5) { h, _ in
      _ = try h.fetch().get()
      let before = try #require(readBytes(h.sessionPath))
      // 2 MiB of valid token JSON, with a Content-Length or chunked: only the 1 MiB cap stops it.
      try h.server.inject("oversized", chunked: chunked)

      let started = Date()
      let error = try #require(h.failedFetch())
      #expect(error.kind == "network", "\(error)")
      #expect(error.description.contains("more than 1024 KiB"), "\(error)")
      #expect(Date().timeIntervalSince(started) < 5)
      #expect(readBytes(h.sessionPath) == before)
      #expect(try h.server.tokenRequests().count == 2)
      #expect(try h.server.issuedAccessTokens().count == 1, "the oversized answer issued nothing")
    }
  }
}

/// The real `authdeck` binary behind a CONNECT proxy: libcurl reads HTTPS_PROXY (or
/// https_proxy) and NO_PROXY from the environment, which only a child process can be given.
@Suite("authdeck behind an HTTPS proxy")
struct ProxyCLITests {
  /// A limio-shaped client-credentials provider at the HTTPS server, trusting the test CA.
  static func config(_ server: TLSTestServer, caFile: String) -> String {
    """
    [providers.svc]
    preset = "limio"
    tenant = "acme"
    token_url = "\(server.tokenURL)"
    client_id = "\(TestOAuthServer.clientID)"
    client_secret_env = "\(TestConfig.secretVariable)"
    grant = "client_credentials"
    ca_file = "\(caFile)"

    """
  }

  /// An HTTPS server with a certificate for 127.0.0.1 from a fresh CA, a proxy, and a sandbox
  /// whose configuration points at the server; all stopped and removed afterwards.
  func withProxiedSetup<T>(
    refuseAll: Bool = false, _ body: (TLSTestServer, ConnectProxy, CLISandbox) throws -> T
  ) throws -> T {
    try withTemporaryDirectory { directory in
      let ca = try TestCA(in: directory)
      let certificate = try ca.issue("server", subjectAltName: "IP:127.0.0.1")
      return try withTLSServer(.limio, certificate: certificate, controlCA: ca.certificate) { server in
        try withProxy(refuseAll: refuseAll) { proxy in
          try withSandbox(config: Self.config(server, caFile: ca.certificate)) { box in
            try body(server, proxy, box)
          }
        }
      }
    }
  }

  /// A login that must have worked: it says so, and the store holds the token the server issued.
  func expectLoggedIn(_ result: ProcessResult, _ server: TLSTestServer, _ box: CLISandbox) throws {
    try #require(result.status == 0 && !result.signaled, "\(result)")
    #expect(result.stdout.hasPrefix("svc/bot: valid until"), "\(result)")
    let issued = try server.issuedAccessTokens()
    #expect(issued.count == 1)
    let stored = StoreFormat.tokens(box.sessionPath("svc/bot"))?["access_token"] as? String
    #expect(stored != nil && stored == issued.first)
    #expect(try server.tokenRequests().first?.grantType == "client_credentials")
  }

  @Test("a login goes through the proxy named in the environment", arguments: ["HTTPS_PROXY", "https_proxy"])
  func aLoginGoesThroughTheProxyNamedInTheEnvironment(variable: String) throws {
    try withProxiedSetup { server, proxy, box in
      #expect(box.environment.keys.allSatisfy { !$0.lowercased().hasSuffix("_proxy") })
      let result = try box.run(["login", "svc/bot"], environment: [variable: proxy.url])
      try expectLoggedIn(result, server, box)

      // libcurl does not skip the proxy for 127.0.0.1 on its own: the one tunnel went through it.
      let log = proxy.stop()
      #expect(log.filter { $0.hasPrefix("CONNECT ") } == ["CONNECT 127.0.0.1:\(server.port)"], "\(log)")
      #expect(!log.contains { $0.hasPrefix("REFUSED") }, "\(log)")
    }
  }

  @Test("NO_PROXY for 127.0.0.1 goes direct", arguments: ["NO_PROXY", "no_proxy"])
  func noProxyFor127001GoesDirect(variable: String) throws {
    try withProxiedSetup { server, proxy, box in
      let result = try box.run(
        ["login", "svc/bot"], environment: ["HTTPS_PROXY": proxy.url, variable: "127.0.0.1"])
      try expectLoggedIn(result, server, box)
      let log = proxy.stop()
      #expect(log.isEmpty, "the proxy saw \(log)")
    }
  }

  @Test("a proxy that refuses the tunnel fails the login, without going direct")
  func aProxyThatRefusesTheTunnelFailsTheLoginWithoutGoingDirect() throws {
    try withProxiedSetup(refuseAll: true) { server, proxy, box in
      let result = try box.run(["login", "svc/bot"], environment: ["HTTPS_PROXY": proxy.url])
      #expect(result.status == 1 && !result.signaled, "\(result)")
      #expect(result.stdout.isEmpty, "\(result)")
      #expect(result.stderrLines.count == 1, "\(result)")
      #expect(result.stderr.hasPrefix("authdeck: "), "\(result)")
      #expect(result.stderr.contains("127.0.0.1"), "\(result)")
      #expect(result.stderr.contains("proxy") && result.stderr.contains("403"), "names the proxy: \(result)")

      let log = proxy.stop()
      #expect(log == ["REFUSED CONNECT 127.0.0.1:\(server.port)"], "\(log)")
      #expect(try server.tokenRequests().isEmpty, "nothing reached the server around the proxy")
      #expect(box.sessionFile("svc/bot") == nil)
    }
  }

  @Test("plain HTTP to a loopback provider never goes through a proxy")
  func plainHTTPToALoopbackProviderNeverGoesThroughAProxy() throws {
    // Plain http is allowed only because it stays on this machine; through a proxy (often on
    // another machine) the request, HTTP Basic secret included, would travel in clear text.
    try withServer(.limio) { server in
      try withProxy { proxy in
        try withSandbox(config: TestConfig.limio(server)) { box in
          let result = try box.run(["login", "svc/bot"], environment: ["http_proxy": proxy.url])
          let log = proxy.stop()
          #expect(log.isEmpty, "the proxy saw \(log)")
          #expect(result.status == 0, "\(result)")
        }
      }
    }
  }

  @Test("the test proxy tunnels to loopback only")

  func theTestProxyTunnelsToLoopbackOnly() throws {
    // The proxy's own guard: any other target is answered 403 without a connection attempt.
    try withProxy { proxy in
      for target in ["https://example.com/", "https://192.0.2.1:8443/"] {
        let result = try ChildProcess.run(
          ["curl", "-s", "-o", "/dev/null", "-w", "%{http_connect}", "--proxy", proxy.url, target],
          environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: 20)
        #expect(result.stdout == "403", "\(target): \(result)")
        #expect(result.status != 0, "\(target): \(result)")
      }
      let log = proxy.stop()
      #expect(log == ["REFUSED CONNECT example.com:443", "REFUSED CONNECT 192.0.2.1:8443"], "\(log)")
    }
  }
}
