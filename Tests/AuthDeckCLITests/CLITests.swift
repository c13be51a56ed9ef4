import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#endif

/// The real `authdeck` binary, as a user and their scripts meet it: log in by pasting or on
/// loopback, print tokens, list, log out, show providers, and refuse bad input with one line.
@Suite("authdeck on the command line")
struct CLITests {
  // MARK: Helpers

  /// The authorize URL that `login` printed on stderr.
  static func authorizeURL(in stderr: String, server: TestOAuthServer) -> String? {
    stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .first { $0.hasPrefix(server.authorizeURL + "?") }
  }

  static func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  /// A whole paste login: start it, wait for the prompt, let the server approve, paste.
  @discardableResult
  static func pasteLogin(_ box: CLISandbox, _ server: TestOAuthServer, _ id: String) throws -> ProcessResult {
    let login = try box.start(["login", id])
    try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
    let url = try #require(authorizeURL(in: login.stderr.text, server: server))
    login.send(try server.approve(url) + "\n")
    let result = login.wait(timeout: 30)
    try #require(result.status == 0, "\(result)")
    return result
  }

  /// Rewrites a stored session's expiry, the way time passing would.
  static func setExpiry(_ path: String, _ date: Date) throws {
    var object = try #require(StoreFormat.json(path))
    var session = try #require(object["session"] as? [String: Any])
    var tokens = try #require(session["tokens"] as? [String: Any])
    tokens["expires_at"] = date.timeIntervalSince1970
    session["tokens"] = tokens
    object["session"] = session
    try writeFile(path, try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
  }

  /// A browser login of `id` through the real binary, then its token's end moved to
  /// `expiresIn` seconds from now, the way time passing would. Returns the session file's path.
  @discardableResult
  static func logIn(
    _ box: CLISandbox, _ server: TestOAuthServer, _ id: String, thenExpiringIn expiresIn: TimeInterval
  ) throws -> String {
    try pasteLogin(box, server, id)
    let path = box.sessionPath(id)
    try setExpiry(path, Date().addingTimeInterval(expiresIn))
    return path
  }

  /// The access token of `storeExpired`'s sessions: it must never be shown.
  static let staleToken = "stale-token-123"

  /// `id` stored by hand with a token that expired an hour ago and no refresh token: only a
  /// login can help it.
  static func storeExpired(_ box: CLISandbox, _ id: String) throws {
    let now = Date()
    try StoreFormat.write(
      root: box.storeRoot, id: id, accessToken: staleToken, issuedAt: now.addingTimeInterval(-9 * 3600),
      expiresAt: now.addingTimeInterval(-3600))
  }

  /// The store's session files (locks aside) with their bytes.
  static func sessionFiles(_ box: CLISandbox) -> [String: Data] {
    snapshot(box.storeRoot).filter { !$0.key.hasPrefix("locks") }
  }

  // MARK: login

  @Test("a paste login shrugs off a garbage paste and another host, then succeeds")
  func aPasteLoginShrugsOffAGarbagePasteAndAnotherHostThenSucceeds() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let url = try #require(Self.authorizeURL(in: login.stderr.text, server: server))
        #expect(login.stderr.text.contains("within 5 minutes"))

        // The browser got exactly that URL, as its one argument.
        #expect(box.browserRecord("argc") == "1")
        #expect(box.browserRecord("url") == url)

        login.send("hello there\n")
        #expect(login.stderr.wait(for: "that is not a URL"), "\(login.stderr.text)")
        #expect(login.stderr.wait(for: "still waiting"))

        let landing = try server.approve(url)
        let state = try #require(try Redirect(pasted: landing).state)
        login.send("https://evil.example/callback?code=stolen&state=\(FormEncoding.escape(state))\n")
        #expect(login.stderr.wait(for: "that is not the redirect"), "\(login.stderr.text)")
        #expect(login.stderr.wait(timeout: 20) { Self.occurrences(of: "still waiting", in: $0) == 2 })
        #expect(try server.tokenRequests().isEmpty, "nothing was sent for the bad pastes")

        login.send("  " + landing + "  \n")
        let result = login.wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("lime/main: valid until "), "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1)
        let stored = StoreFormat.tokens(box.sessionPath("lime/main"))
        #expect(stored?["access_token"] as? String == (try server.issuedAccessTokens()).first)
        #expect(try server.tokenRequests().count == 1)
        #expect(mode(of: box.sessionPath("lime/main")) == 0o600)
        #expect(mode(of: box.storeRoot) == 0o700)
      }
    }
  }

  @Test("interrupting authdeck stops the client_secret_command it is waiting for, and all it started")
  func interruptingAuthdeckStopsTheSecretCommand() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let pidFile = box.home + "/secret-command.pid"
        let config = TestConfig.limio(server).replacingOccurrences(
          of: "client_secret_env = \"\(TestConfig.secretVariable)\"\nclient_auth = \"basic\"",
          with: "client_secret_command = \"sleep 300 & echo $! > \(pidFile); wait\"\nclient_auth = \"basic\"")
        try box.replaceConfig(config)
        // env --default-signal: the test runner may have been started with SIGINT ignored (a
        // background job), and AuthDeck rightly leaves an ignored SIGINT ignored.
        let token = try ChildProcess(
          ["/usr/bin/env", "--default-signal", box.binary, "token", "svc/a"], environment: box.environment)
        defer { token.kill(SIGKILL) }
        // The shell creates the file before echo writes to it: wait for the pid, not the file.
        let written = {
          (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { text in
            pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
          }
        }
        #expect(waitUntil(timeout: 20) { written() != nil })
        let pid = try #require(written())
        token.kill(SIGINT)
        let result = token.wait(timeout: 20)
        #expect(!result.timedOut && result.signaled && result.status == SIGINT, "\(result)")
        #expect(
          waitUntil(timeout: 10) { kill(pid, 0) != 0 || Self.isZombie(pid) }, "the command's sleep is gone")
      }
    }
  }

  static func isZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[close...].dropFirst(2).hasPrefix("Z")
  }

  @Test("a running authdeck leaves no core file and cannot be attached to")
  func aRunningAuthdeckLeavesNoCoreFile() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let limits = try String(contentsOfFile: "/proc/\(login.pid)/limits", encoding: .utf8)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
        #expect(
          core?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"])
        // A non-dumpable process's /proc files belong to root; for a root test the flag shows
        // in /proc/PID/status only indirectly, so the limit above is what is checked there.
        if geteuid() != 0 {
          var info = stat()
          #expect(stat("/proc/\(login.pid)/environ", &info) == 0 && info.st_uid == 0)
        }
      }
    }
  }

  @Test("the browser is not handed the client secret")

  func theBrowserIsNotHandedTheClientSecret() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main"])
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let environment = try #require(box.browserRecord("env"))
        login.closeInput()
        login.wait(timeout: 30)

        // security.md: no client secret in the browser's environment; the rest of it stays.
        #expect(!environment.contains(TestOAuthServer.clientSecret))
        #expect(!environment.contains(TestConfig.secretVariable + "="))
        #expect(environment.contains("HOME=\(box.home)"))
      }
    }
  }

  @Test("a loopback login is caught by the listener, which the browser does not inherit")
  func aLoopbackLoginIsCaughtByTheListener() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        // stdin is /dev/null: only the listener can finish it.
        let result = try box.run(["login", "lime/main"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("lime/main: valid until "), "\(result)")
        #expect(
          result.stderr.contains("Waiting for the browser to return to http://127.0.0.1:\(port)/callback"))
        #expect((box.browserRecord("page") ?? "").contains("Logged in"))
        // The browser does not inherit the listening socket (or it would hold the port after
        // AuthDeck is done), and its stdio is /dev/null.
        let descriptors = box.browserRecord("fds") ?? ""
        #expect(descriptors.contains("/dev/null"), "\(descriptors)")
        let listener = try #require(
          listeningSocketInode(port: port, table: box.browserRecord("tcp") ?? ""),
          "the listener was bound when the browser started")
        #expect(!descriptors.contains("socket:[\(listener)]"), "\(descriptors)")
        let stored = StoreFormat.tokens(box.sessionPath("lime/main"))
        #expect(stored?["access_token"] as? String == (try server.issuedAccessTokens()).first)
        let request = try #require(try server.tokenRequests().first)
        #expect(request.form["redirect_uri"] == "http://127.0.0.1:\(port)/callback")
      }
    }
  }

  @Test("a loopback login on IPv6 is caught too")

  func aLoopbackLoginOnIPv6IsCaughtToo() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      let config = TestConfig.lime(server, redirectURI: "http://[::1]:\(port)/callback")
      try withSandbox(config: config, browser: .follow()) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        let page = box.browserRecord("page") ?? ""
        #expect(page.contains("Logged in"), "\(page)")
        #expect(!page.contains("code="), "\(page)")
        if !page.contains("Logged in") { login.kill(SIGKILL) }  // it would wait its 5 minutes
        let result = login.wait(timeout: 20)
        #expect(result.status == 0, "\(result)")
      }
    }
  }

  @Test("a busy loopback port is reported, and pasting still works")
  func aBusyLoopbackPortIsReportedAndPastingStillWorks() throws {
    let squatter = try LoopbackSquatter()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: squatter.port)) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        #expect(login.stderr.text.contains("in use by another program, so the browser was not opened"))
        #expect(box.browserRecord("url", timeout: 1) == nil, "no browser sent to the squatter's port")
        let url = try #require(Self.authorizeURL(in: login.stderr.text, server: server))
        let landing = try server.approve(url)
        #expect(landing.hasPrefix("http://127.0.0.1:\(squatter.port)/callback?"))
        login.send(landing + "\n")
        let result = login.wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        #expect(StoreFormat.tokens(box.sessionPath("lime/main")) != nil)
      }
    }
  }

  @Test("a denied loopback login ends with the provider's reason, and waits no more anywhere (issue 14, 2)")
  func aDeniedLoopbackLoginEndsWithTheProvidersReason() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try server.inject("access_denied_authorize")
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let result = try box.run(["login", "lime/main"])
        #expect(result.status == 3, "\(result)")
        #expect(
          result.stderrLines.last == "authdeck: lime/main: the login was denied (access_denied: "
            + "User denied); run: authdeck login lime/main", "\(result)")
        #expect(result.stdout.isEmpty)
        #expect((box.browserRecord("page") ?? "").contains("Login not completed"))
        #expect(try server.tokenRequests().isEmpty)
        // At once, for every process: no login waits, and why a login is needed is the denial.
        let list = try box.run(["list", "--json"])
        let sessions = try #require(
          try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(sessions.first?["pending_until"] is NSNull, "\(list.stdout)")
        #expect(sessions.first?["login_reason"] as? String == "login_denied")
        #expect((sessions.first?["refusal"] as? [String: Any])?["error"] as? String == "access_denied")
        #expect(try box.run(["status"]).stdout == "lime ✗ · 1 to log in\n")
      }
    }
  }

  @Test("a misspelled command is named, with the one meant, not 'unexpected arguments' of the board")
  func misspelledCommand() throws {
    try withSandbox(config: "") { box in
      let result = try box.run(["tokn", "lime/main"])
      #expect(result.status == 64, "\(result)")
      #expect(
        result.stderr == "authdeck: unknown command 'tokn'; did you mean token? (see: authdeck --help)\n")
      #expect(
        try box.run(["frobnicate"]).stderr
          == "authdeck: unknown command 'frobnicate' (see: authdeck --help)\n")
      #expect(try box.run(["status"]).status == 0, "a real command is no concern of it")
    }
  }

  @Test("a --config file that does not exist is said (exit 78), not read as an empty configuration")
  func missingConfigFile() throws {
    try withSandbox(config: "") { box in
      let missing = box.directory + "/confg.toml"
      for command in [["providers"], ["login", "lime/main"], ["list"]] {
        let result = try box.run(command + ["--config", missing])
        #expect(result.status == 78, "\(command): \(result)")
        #expect(
          result.stderr.contains("\(missing): no such file (named by --config)"), "\(command): \(result)")
      }
    }
  }

  @Test("a redirect whose code the provider will not exchange for this client ends the login at once")
  func aWrongSecretEndsTheLogin() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let started = Date()
        let result = try box.run(
          ["login", "lime/main"], environment: [TestConfig.secretVariable: "wrong-secret"])
        #expect(result.status == 1, "\(result)")
        #expect(Date().timeIntervalSince(started) < 20, "not the five minutes of the login's window")
        #expect(result.stderr.contains("invalid_client"), "\(result.stderr)")
        #expect(!result.stderr.contains("still waiting"), "no paste could mend it")
        let list = try box.run(["list", "--json"])
        let sessions = try #require(
          try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(sessions.first?["pending_until"] is NSNull, "nothing waits: \(list.stdout)")
      }
    }
  }

  @Test("Ctrl-C during a login takes the waiting login back and ends by the signal")
  func anInterruptedLoginWaitsNoMore() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main", "--no-browser"])
        #expect(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        login.kill(SIGINT)
        let ended = login.wait(timeout: 20)
        #expect(ended.signaled && ended.status == SIGINT, "ended by it, as shells report as 130: \(ended)")
        let list = try box.run(["list", "--json"])
        let sessions = try #require(
          try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(sessions.allSatisfy { $0["pending_until"] is NSNull }, "nothing waits: \(list.stdout)")
      }
    }
  }

  // MARK: token

  @Test("token prints the token and a newline and nothing else")
  func tokenPrintsTheTokenAndANewlineAndNothingElse() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let login = try box.run(["login", "svc/bot"])
        #expect(login.status == 0, "\(login)")
        let issued = try #require(try server.issuedAccessTokens().last)

        let result = try box.run(["token", "svc/bot"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == issued + "\n")
        #expect(result.stderr.isEmpty)
        #expect(try server.tokenRequests().count == 1, "a valid token comes from the store, not the network")

        // The fast path needs neither the network nor even a readable configuration.
        try box.replaceConfig("this is [[ not toml")
        let offline = try box.run(["token", "svc/bot"])
        #expect(offline.status == 0, "\(offline)")
        #expect(offline.stdout == issued + "\n")
      }
    }
  }

  @Test("token fetches a service token on first use")

  func tokenFetchesAServiceTokenOnFirstUse() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let result = try box.run(["token", "svc/new"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == (try server.issuedAccessTokens().last ?? "?") + "\n")
        #expect(StoreFormat.json(box.sessionPath("svc/new")) != nil)
      }
    }
  }

  @Test("token for an expired Lime session says how to log in, and prints nothing")
  func tokenForAnExpiredLimeSessionSaysHowToLogInAndPrintsNothing() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        try Self.storeExpired(box, "lime/main")
        let before = Self.sessionFiles(box)

        let result = try box.run(["token", "lime/main"])
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains("lime/main: expired"))
        #expect(result.stderr.contains("authdeck login lime/main"))
        #expect(!result.stderr.contains(Self.staleToken))
        #expect(Self.sessionFiles(box) == before)
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("token for an expired Limio session refreshes it")

  func tokenForAnExpiredLimioSessionRefreshesIt() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let path = try Self.logIn(box, server, "limio/ops", thenExpiringIn: -60)
        let original = try #require(StoreFormat.tokens(path)?["refresh_token"] as? String)

        let result = try box.run(["token", "limio/ops"])
        #expect(result.status == 0, "\(result)")
        let issued = try #require(try server.issuedAccessTokens().last)
        #expect(result.stdout == issued + "\n")
        #expect(result.stderr.isEmpty)

        let refreshes = try server.tokenRequests().filter { $0.grantType == "refresh_token" }
        #expect(refreshes.map { $0.form["refresh_token"] } == [original])
        let stored = try #require(StoreFormat.tokens(path))
        #expect(stored["access_token"] as? String == issued)
        #expect(stored["refresh_token"] as? String != original)
        #expect((stored["expires_at"] as? Double ?? 0) > Date().timeIntervalSince1970 + 3000)
      }
    }
  }

  @Test("a redirect meant for another login does not complete this one")
  func aRedirectMeantForAnotherLoginDoesNotCompleteThisOne() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let first = try box.start(["login", "lime/a"])
        defer { first.kill(SIGKILL) }
        try #require(first.stderr.wait(for: "Paste the URL"), "\(first.stderr.text)")
        let second = try box.start(["login", "lime/b"])
        defer { second.kill(SIGKILL) }
        try #require(second.stderr.wait(for: "Paste the URL"), "\(second.stderr.text)")
        let secondURL = try #require(Self.authorizeURL(in: second.stderr.text, server: server))

        // The user pastes lime/b's redirect into the terminal that logs in lime/a.
        first.send(try server.approve(secondURL) + "\n")
        first.closeInput()
        let result = first.wait(timeout: 30)
        second.closeInput()
        second.wait(timeout: 30)

        #expect(
          result.status != 0 || StoreFormat.tokens(box.sessionPath("lime/a")) != nil,
          "exit 0 although lime/a is not logged in: \(result)")
      }
    }
  }

  @Test("an absurd expires_in crashes nothing, now or later")

  func anAbsurdExpiresInCrashesNothingNowOrLater() throws {
    // 10^20 seconds: finite and positive, and far more than Int can count.
    try withServer(.limio, expiresIn: "100000000000000000000") { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let login = try box.run(["login", "svc/bot"])
        let list = try box.run(["list"])
        let json = try box.run(["list", "--json"])
        #expect(!login.signaled && (login.status == 0 || login.stderrLines.count == 1), "\(login.status)")
        #expect(!list.signaled && list.status == 0, "list: \(list.status) signaled: \(list.signaled)")
        #expect(!json.signaled && json.status == 0, "\(json)")
        if let item = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?
          .first
        {
          #expect((item["expires_at"] as? String)?.isEmpty == false, "\(item)")
        }
      }
    }
  }

  // MARK: list, logout, providers

  @Test("list --json shows every session as the documented object, and no secret")
  func listJSONShowsEverySessionWithTheDocumentedFieldsAndNoSecret() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try Self.pasteLogin(box, server, "limio/ops")
        #expect(try box.run(["login", "svc/bot"]).status == 0)
        let abandoned = try box.run(["login", "limio/later"], input: "")  // no paste: stays pending
        #expect(abandoned.status != 0)
        #expect(abandoned.stderr.contains("stays pending"), "\(abandoned)")

        let result = try box.run(["list", "--json"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty)
        let array = try #require(
          try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["id"] as? String } == ["limio/later", "limio/ops", "svc/bot"])
        for item in array { #expect(Set(item.keys) == SessionObject.keys, "\(item.keys.sorted())") }
        #expect(array.map { $0["state"] as? String } == ["none", "valid", "valid"])
        #expect(array[0]["pending_until"] is String, "the login waits: a fact of its own")
        #expect(array.map { $0["refreshable"] as? Bool } == [false, true, true])
        #expect(array[1]["provider"] as? String == "limio")
        #expect(array[1]["account"] as? String == "ops")
        #expect((array[1]["expires_at"] as? String)?.hasSuffix("Z") == true)

        // No secret of any kind, anywhere in the output.
        var secrets = try server.issuedAccessTokens()
        for id in ["limio/ops", "svc/bot"] {
          let tokens = StoreFormat.tokens(box.sessionPath(id)) ?? [:]
          secrets += ["refresh_token", "id_token"].compactMap { tokens[$0] as? String }
        }
        let pending = (StoreFormat.json(box.sessionPath("limio/later"))?["session"] as? [String: Any])?[
          "pending"]
        let pendingFields = pending as? [String: Any] ?? [:]
        secrets += ["state", "code_verifier"].compactMap { pendingFields[$0] as? String }
        #expect(secrets.count >= 6)
        for secret in secrets + [TestOAuthServer.clientSecret] {
          #expect(!result.stdout.contains(secret))
        }
        for word in ["access_token", "refresh_token", "id_token", "code_verifier", "authorize_url"] {
          #expect(!result.stdout.contains(word), "\(word) in list --json")
        }
      }
    }
  }

  @Test("logout drops the tokens, and --forget removes the session")
  func logoutDropsTheTokensAndForgetRemovesTheSession() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/bot"]).status == 0)
        #expect(try box.run(["login", "svc/other"]).status == 0)
        let other = box.sessionFile("svc/other")

        let logout = try box.run(["logout", "svc/bot"])
        #expect(logout.status == 0, "\(logout)")
        #expect(logout.stderr.contains("svc/bot: logged out"))
        let kept = try #require(StoreFormat.json(box.sessionPath("svc/bot")))
        #expect((kept["session"] as? [String: Any])?["tokens"] == nil)
        #expect(
          !String(decoding: box.sessionFile("svc/bot") ?? Data(), as: UTF8.self).contains("access_token"))

        let forget = try box.run(["logout", "--forget", "svc/bot"])
        #expect(forget.status == 0, "\(forget)")
        #expect(forget.stderr.contains("svc/bot: forgotten"))
        #expect(!fileExists(box.sessionPath("svc/bot")))

        let again = try box.run(["logout", "svc/bot"])
        #expect(again.status == 64, "\(again)")
        #expect(again.stderrLines == ["authdeck: there is no session svc/bot; see: authdeck list"])

        #expect(box.sessionFile("svc/other") == other, "another session is never touched")
      }
    }
  }

  @Test("providers names where the secret comes from, but never the secret")
  func providersNamesWhereTheSecretComesFromButNeverTheSecret() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let result = try box.run(["providers"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("lime  (Lime Trading)"))
        #expect(result.stdout.contains("from $\(TestConfig.secretVariable)"))
        #expect(result.stdout.contains("client_secret_post"))
        #expect(result.stdout.contains("03:00 America/New_York"))
        #expect(!result.stdout.contains("s3cret") && !result.stderr.contains("s3cret"))
      }
    }
  }

  @Test("an inline secret is never shown, and is refused in a file others can read")
  func anInlineSecretIsNeverShownAndIsRefusedInAFileOthersCanRead() throws {
    try withServer(.lime) { server in
      let config = TestConfig.lime(server).replacingOccurrences(
        of: "client_secret_env = \"\(TestConfig.secretVariable)\"",
        with: "client_secret = \"inline-s3cret-value\"")
      try withSandbox(config: config) { box in
        let shown = try box.run(["providers"])
        #expect(shown.status == 0, "\(shown)")
        #expect(shown.stdout.contains("inline in the config file"))
        #expect(!shown.stdout.contains("inline-s3cret-value"))

        chmod(box.configPath, 0o644)
        let refused = try box.run(["providers"])
        #expect(refused.status == 78, "\(refused)")
        #expect(refused.stderrLines.count == 1)
        #expect(refused.stderr.contains("chmod 600 \(box.configPath)"))
        #expect(!refused.stderr.contains("inline-s3cret-value"))
      }
    }
  }

  // MARK: Bad input: one line, a non-zero exit, nothing changed

  struct BadInput: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var arguments: [String]
    /// Replaces the config file (the marker PORT becomes the server's port).
    var config: String? = nil
    var unsetSecret = false
    var status: Int32
    var mentions: [String]
  }

  static let badInputs: [BadInput] = [
    BadInput(
      testDescription: "unknown provider", arguments: ["login", "nope/main"], status: 64,
      mentions: ["unknown provider 'nope'", "[providers.nope]", "CONFIG"]),
    BadInput(
      testDescription: "id without a slash", arguments: ["token", "lime"], status: 64,
      mentions: ["'lime' is not a session id", "provider/account"]),
    BadInput(
      testDescription: "empty account", arguments: ["login", "lime/"], status: 64, mentions: ["account"]),
    BadInput(
      testDescription: "a slash in the account", arguments: ["login", "lime/a/b"], status: 64,
      mentions: ["the account in 'lime/a/b' must be", "no '/'"]),
    BadInput(
      testDescription: "a slash in the account, for a token", arguments: ["token", "lime/main/x"], status: 64,
      mentions: ["no '/'"]),
    BadInput(
      testDescription: "TOML syntax error", arguments: ["login", "lime/main"],
      config: "[providers.lime\nx = 1\n",
      status: 78, mentions: ["CONFIG:1:"]),
    BadInput(
      testDescription: "unknown key", arguments: ["login", "lime/main"],
      config:
        "[providers.lime]\npreset = \"lime\"\nclient_id = \"a\"\nredirect_uri = \"https://app.example/cb\"\nbogus = 1\n",
      status: 78, mentions: ["CONFIG: providers.lime.bogus: unknown key"]),
    BadInput(
      testDescription: "token_url over plain http to another host", arguments: ["login", "lime/main"],
      config:
        "[providers.lime]\ntoken_url = \"http://auth.example/token\"\nauthorize_url = \"https://auth.example/a\"\nclient_id = \"a\"\nredirect_uri = \"https://app.example/cb\"\n",
      status: 78, mentions: ["CONFIG: providers.lime.token_url", "https"]),
    BadInput(
      testDescription: "secret variable not set", arguments: ["login", "svc/bot"], unsetSecret: true,
      status: 78,
      mentions: ["\(TestConfig.secretVariable)", "client_secret_env"]),
  ]

  @Test("bad input gives one line, a non-zero exit, and changes nothing", arguments: badInputs)
  func badInputIsOneLineANonZeroExitAndNothingChanged(_ input: BadInput) throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server) + TestConfig.lime(server)) { box in
        #expect(try box.run(["login", "svc/keep"]).status == 0)
        if let config = input.config { try box.replaceConfig(config) }
        let before = Self.sessionFiles(box)
        let requests = try server.tokenRequests().count

        let result = try box.run(
          input.arguments, input: "", environment: input.unsetSecret ? [TestConfig.secretVariable: ""] : [:])
        #expect(result.status == input.status, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.hasPrefix("authdeck: "))
        for mention in input.mentions.map({ $0.replacingOccurrences(of: "CONFIG", with: box.configPath) }) {
          #expect(result.stderr.contains(mention), "expected '\(mention)' in: \(result.stderr)")
        }
        #expect(!result.stderr.contains("s3cret"))
        #expect(Self.sessionFiles(box) == before, "the store is unchanged")
        #expect(try server.tokenRequests().count == requests, "nothing was sent")
      }
    }
  }

  @Test("a pasted URL for another host is refused, and the login stays pending")
  func aPastedURLForAnotherHostIsRefusedAndTheLoginStaysPending() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let url = try #require(Self.authorizeURL(in: login.stderr.text, server: server))
        let landing = try server.approve(url)
        let hijacked = landing.replacingOccurrences(
          of: TestConfig.pastedRedirect, with: "https://evil.example/callback")
        #expect(hijacked != landing)
        login.send(hijacked + "\n")
        login.closeInput()

        let result = login.wait(timeout: 30)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(
          result.stderr.contains(
            "authdeck: that is not the redirect: it should start with \(TestConfig.pastedRedirect)"))
        #expect(result.stderrLines.last?.contains("lime/main stays pending until") == true, "\(result)")
        #expect(!result.stderr.contains("evil.example/callback?code"), "the paste is not echoed back")
        #expect(try server.tokenRequests().isEmpty)
        let session = StoreFormat.json(box.sessionPath("lime/main"))?["session"] as? [String: Any]
        #expect(session?["pending"] != nil)
        #expect(session?["tokens"] == nil)
      }
    }
  }

  @Test("an unreadable paste is refused without repeating its code")
  func anUnreadablePasteIsRefusedWithoutRepeatingItsCode() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let result = try box.run(
          ["login", "lime/main"], input: "https://[app.example/callback?code=SECRETCODE789&state=abc\n")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("is not a URL AuthDeck can read"), "\(result)")
        #expect(!result.stderr.contains("SECRETCODE789"), "security.md: no code in error messages")
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("token for an unknown provider names the missing provider")
  func tokenForAnUnknownProviderNamesTheMissingProvider() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let result = try box.run(["token", "nope/main"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("unknown provider 'nope'"), "\(result.stderr)")
      }
    }
  }
}
