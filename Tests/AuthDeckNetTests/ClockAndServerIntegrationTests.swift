import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

/// Issue 15 against real servers: the project's own (whose clock, lifetimes and Basic reading
/// can be set) and Authlib's.
@Suite("Clocks and servers as they are, over HTTP")
struct ClockAndServerIntegrationTests {
  static let svc = SessionID(provider: "svc", account: "bot")
  static let limio = SessionID(provider: "limio", account: "ops")

  func withService<T>(
    _ options: TestOAuthServer.Options, extra: String = "",
    _ body: (TestOAuthServer, TokenService, NoticeRecorder) throws -> T
  ) throws -> T {
    try withServer(.limio, options: options) { server in
      try withTemporaryDirectory { directory in
        let configuration = try ConfigurationLoader.parse(
          TestConfig.limio(server) + extra, path: directory + "/config.toml")
        var service = TokenService(
          configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
          transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: TestOAuthServer.clientSecret], withholding: []))
        let notices = NoticeRecorder()
        service.notices = { notices.add($0) }
        return try body(server, service, notices)
      }
    }
  }

  @Test(
    "a provider whose clock is hours off: a JWT-only token is valid for its life on arrival, the skew told",
    arguments: [-7_200.0, 10_800.0])
  func skewedProvider(offset: Double) throws {
    var options = TestOAuthServer.Options()
    (options.clockOffset, options.jwtAccess, options.noExpiresIn) = (offset, true, true)
    try withService(options) { _, service, notices in
      let arrived = Date()
      let tokens = try service.validToken(Self.svc, stored: nil, now: arrived)
      let left = try #require(tokens.expiresAt).timeIntervalSince(arrived)
      #expect((3_590...3_610).contains(left), "an hour from its arrival, not \(left) s")
      let skew = try #require(tokens.clockSkew)
      #expect(abs(skew + offset) < 5, "the local clock is \(-offset) s ahead; measured \(skew)")
      #expect(notices.all.count == 1)
      guard case .clockSkew("svc", let told)? = notices.all.first else {
        Issue.record("no skew told: \(notices.all)")
        return
      }
      #expect(abs(told - skew) < 1)
    }
  }

  @Test("a clock within a minute of the provider's is not worth a word")
  func smallSkewIsQuiet() throws {
    var options = TestOAuthServer.Options()
    options.clockOffset = 30
    try withService(options) { _, service, notices in
      _ = try service.validToken(Self.svc, stored: nil, now: Date())
      #expect(notices.all.isEmpty)
    }
  }

  @Test("refresh_expires_in is kept with the session; past it, nothing is sent")
  func refreshExpiresIn() throws {
    var options = TestOAuthServer.Options()
    options.refreshExpiresIn = 600
    try withService(options) { server, service, _ in
      let pending = try service.startLogin(Self.limio, now: Date())
      let landing = try server.approve(pending.authorizeURL)
      let session = try service.completeLogin(redirect: try Redirect(pasted: landing), now: Date())
      let end = try #require(session.tokens?.refreshExpiresAt)
      #expect(abs(end.timeIntervalSinceNow - 600) < 10)
      let requests = try server.tokenRequests().count
      let later = end.addingTimeInterval(7_200)
      let error = thrownError { () throws(AuthDeckError) in try service.validToken(Self.limio, now: later) }
      guard case .refreshExpired(let at)? = error?.loginReason else {
        Issue.record("expected a refresh token past its end, got \(String(describing: error))")
        return
      }
      #expect(abs(at.timeIntervalSince(end)) < 0.001)
      #expect(try server.tokenRequests().count == requests, "a refresh token past its end is not sent")
    }
  }

  @Test("refresh_lifetime gives the end when the answer does not")
  func configuredRefreshLifetime() throws {
    try withServer(.limio) { server in
      try withTemporaryDirectory { directory in
        let text = TestConfig.limio(server).replacingOccurrences(
          of: "tenant = \"acme\"", with: "tenant = \"acme\"\nrefresh_lifetime = \"30d\"")
        let service = TokenService(
          configuration: try ConfigurationLoader.parse(text, path: directory + "/config.toml"),
          store: SessionStore(root: directory + "/authdeck"), transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: TestOAuthServer.clientSecret], withholding: []))
        let pending = try service.startLogin(Self.limio, now: Date())
        let session = try service.completeLogin(
          redirect: try Redirect(pasted: try server.approve(pending.authorizeURL)), now: Date())
        let end = try #require(session.tokens?.refreshExpiresAt)
        #expect(abs(end.timeIntervalSinceNow - 30 * 86_400) < 10)
      }
    }
  }

  @Test("a server that reads Basic raw: refused form-encoded, taken raw, remembered, told once")
  func rawBasicServer() throws {
    var options = TestOAuthServer.Options()
    options.basicRaw = true
    try withService(options) { server, service, notices in
      _ = try service.validToken(Self.svc, stored: nil, now: Date())
      let first = try server.tokenRequests()
      #expect(first.count == 2, "one refused, one taken raw")
      #expect(notices.all == [.rawBasicCredentials(provider: "svc")])
      #expect(service.discovery.cache.quirks("svc").basicCredentials == .raw)
      _ = try service.renew(Self.svc, now: Date(), force: true)
      #expect(try server.tokenRequests().count == 3, "raw at once from then on")
    }
  }

  @Test("Authlib: refresh_expires_in kept; its Basic decoding takes the form-encoded secret at once")
  func authlib() throws {
    try withAuthlib(refreshExpiresIn: 900) { server in
      try withTemporaryDirectory { directory in
        let configuration = try ConfigurationLoader.parse(
          TestConfig.authlib(server), path: directory + "/config.toml")
        let service = TokenService(
          configuration: configuration, store: SessionStore(root: directory + "/authdeck"),
          transport: CurlTransport(),
          secrets: SecretResolver(
            environment: [TestConfig.secretVariable: AuthlibServer.secret], withholding: []))
        let id = SessionID(provider: "authlib", account: "me")
        let pending = try service.startLogin(id, now: Date())
        let session = try service.completeLogin(
          redirect: try Redirect(pasted: try Curl.redirectTarget(of: pending.authorizeURL)), now: Date())
        let end = try #require(session.tokens?.refreshExpiresAt)
        #expect(abs(end.timeIntervalSinceNow - 900) < 10)
        #expect(service.discovery.cache.quirks("authlib").basicCredentials == .formEncoded)
        let skew = try #require(session.tokens?.clockSkew, "Werkzeug sends Date")
        #expect(abs(skew) < 5)
      }
    }
  }
}
