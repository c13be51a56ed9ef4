import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck login` for a device-code provider (RFC 8628), end to end: the real binary prints a
/// page and a code, the test enters that code at the test server as a person would on another
/// device (approving or denying it), and the login ends as the server decided.
@Suite("authdeck login with the device authorization grant")
struct DeviceLoginCLITests {
  /// A device-code provider known by its issuer: both endpoints and Basic from discovery.
  static func config(_ server: TestOAuthServer, publicClient: Bool = false) -> String {
    TestConfig.issuer(server, id: "tv", publicClient: publicClient, extra: "grant = \"device_code\"")
  }

  /// The user code the login printed (RFC 8628 §6.1's shape, as the test server makes them).
  static func userCode(in text: String) -> String? {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .first {
        $0.count == 9 && $0.dropFirst(4).hasPrefix("-") && $0.allSatisfy { $0.isUppercase || $0 == "-" }
      }
  }

  /// Runs `body` with `authdeck login tv/den ARGS` started against a fresh server and waiting,
  /// with the code it printed; the login is killed afterwards whatever happens. `first` runs
  /// before the login starts (to inject a fault).
  static func withWaitingLogin(
    options: TestOAuthServer.Options = .init(), publicClient: Bool = false, arguments: [String] = [],
    first: (TestOAuthServer) throws -> Void = { _ in },
    _ body: (TestOAuthServer, CLISandbox, ChildProcess, String) throws -> Void
  ) throws {
    try withServer(.limio, options: options) { server in
      try withSandbox(config: config(server, publicClient: publicClient)) { box in
        try first(server)
        let login = try box.start(["login", "tv/den"] + arguments)
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Waiting for the code to be entered"), "\(login.stderr.text)")
        let code = try #require(userCode(in: login.stderr.text), "no code in: \(login.stderr.text)")
        try body(server, box, login, code)
      }
    }
  }

  @Test("the page and the code are printed, the page opened; entering the code logs in and stores the tokens")
  func approvedFromAnotherDevice() throws {
    try Self.withWaitingLogin { server, box, login, code in
      let printed = login.stderr.text
      #expect(
        printed.contains("open this page on any device:\n\n  \(server.baseURL)/device\n"), "\(printed)")
      #expect(printed.contains("and enter the code:\n\n  \(code)\n"), "\(printed)")
      #expect(printed.contains("The code expires in 0:09:"), "\(printed)")
      #expect(box.browserRecord("url") == "\(server.baseURL)/device?user_code=\(code)")

      try server.decideDevice(code.lowercased(), approve: true)  // typed as a person might
      let result = login.wait(timeout: 30)
      #expect(result.status == 0, "\(result)")
      #expect(result.stdout.hasPrefix("tv/den: valid until "), "\(result)")
      let tokens = try #require(StoreFormat.tokens(box.sessionPath("tv/den")))
      #expect(tokens["access_token"] as? String == (try server.issuedAccessTokens().last))
      #expect(tokens["refresh_token"] != nil)
      let polls = try #require(try server.deviceLogins().first?.polls)
      #expect(polls.last == "ok")
      #expect(!polls.contains("slow_down"), "AuthDeck kept to the server's interval: \(polls)")
      let grant = try #require(try server.tokenRequests().last?.form["grant_type"])
      #expect(grant == "urn:ietf:params:oauth:grant-type:device_code")
      #expect(!result.stderr.contains(tokens["access_token"] as? String ?? "?"))
    }
  }

  @Test("a public client asks with its client_id alone; --no-browser opens nothing")
  func aPublicClientWithoutABrowser() throws {
    let options = TestOAuthServer.Options(publicClient: true)
    try Self.withWaitingLogin(options: options, publicClient: true, arguments: ["--no-browser"]) {
      server, box, login, code in
      try server.decideDevice(code, approve: true)
      let result = login.wait(timeout: 30)
      #expect(result.status == 0, "\(result)")
      #expect(!fileExists(box.browserLog + "/done"), "no browser was started")
      let request = try #require(try server.tokenRequests().last)
      #expect(request.form["client_id"] == TestOAuthServer.clientID)
      #expect(request.headers["authorization"] == nil)
    }
  }

  @Test("a denied code ends the login with status 3, a short reason and what to run; nothing is stored")
  func denied() throws {
    try Self.withWaitingLogin { server, box, login, code in
      try server.decideDevice(code, approve: false)
      let result = login.wait(timeout: 30)
      #expect(result.status == 3, "\(result)")
      #expect(
        result.stderr.contains(
          "authdeck: tv/den: the login was denied (access_denied: the user denied the request); "
            + "run: authdeck login tv/den"), "\(result)")
      #expect(StoreFormat.tokens(box.sessionPath("tv/den")) == nil)
      let refusal = (StoreFormat.json(box.sessionPath("tv/den"))?["session"] as? [String: Any])?["refusal"]
      #expect((refusal as? [String: Any])?["kind"] as? String == "login_denied", "kept with the session")
    }
  }

  @Test("a code nobody enters expires: status 3, and the server was not asked past its expiry")
  func expired() throws {
    try withServer(.limio, options: .init(deviceLifetime: 3)) { server in
      try withSandbox(config: Self.config(server)) { box in
        let started = Date()
        let result = try box.run(["login", "tv/den"])
        #expect(result.status == 3, "\(result)")
        #expect(
          result.stderr.contains(
            "authdeck: tv/den: the code was not entered in time; run: authdeck login tv/den"), "\(result)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try server.deviceLogins().first?.polls.contains("expired_token") == false)
      }
    }
  }

  @Test("the server's expired_token ends the login the same way")
  func expiredTokenFromTheServer() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        try server.inject("expired_token")
        let result = try box.run(["login", "tv/den"])
        #expect(result.status == 3, "\(result)")
        #expect(
          result.stderr.contains(
            "authdeck: tv/den: the code was not entered in time; run: authdeck login tv/den"), "\(result)")
      }
    }
  }

  @Test("slow_down is honoured: the next poll waits five seconds more")
  func slowDownIsHonoured() throws {
    try Self.withWaitingLogin(first: { try $0.inject("slow_down") }) { server, _, login, code in
      // The first poll is told slow_down; the next comes 1 + 5 seconds later, not after 1.
      #expect(waitUntil(timeout: 20) { (try? server.tokenRequests().count) == 1 })
      let toldAt = Date()
      try server.decideDevice(code, approve: true)
      let result = login.wait(timeout: 30)
      #expect(result.status == 0, "\(result)")
      #expect(Date().timeIntervalSince(toldAt) >= 5, "the poll after slow_down waited 6 s")
      #expect(try server.tokenRequests().count == 2)
    }
  }
}
