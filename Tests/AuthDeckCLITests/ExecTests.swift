import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck exec ID… -- COMMAND`: the real binary hands valid tokens to a real child, which
/// prints what it was given.
@Suite("authdeck exec")
struct ExecTests {
  /// `env`'s output as a dictionary.
  static func variables(_ output: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in output.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      result[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return result
  }

  /// The limio and svc providers, svc with `token_env` when given.
  static func config(_ server: TestOAuthServer, svcTokenEnv: String? = nil) -> String {
    let config = TestConfig.limio(server)
    guard let svcTokenEnv else { return config }
    return config.replacingOccurrences(
      of: "grant = \"client_credentials\"",
      with: "grant = \"client_credentials\"\ntoken_env = \"\(svcTokenEnv)\"")
  }

  @Test("COMMAND gets the token and its expiry, and neither a client secret nor AuthDeck's own variables")
  func commandGetsTheTokenAndItsExpiryAndNoSecret() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        let result = try box.run(
          ["exec", "svc/bot", "--", "env"], environment: ["AUTHDECK_PRIVATE_THING": "private-value"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        let child = Self.variables(result.stdout)
        let stored = try #require(StoreFormat.tokens(box.sessionPath("svc/bot")))
        #expect(child["AUTHDECK_TOKEN"] == stored["access_token"] as? String)
        #expect(child["AUTHDECK_TOKEN"] == (try server.issuedAccessTokens()).last)
        let expiresAt = try #require(stored["expires_at"] as? Double)
        #expect(child["AUTHDECK_TOKEN_EXPIRES_AT"] == String(Int(expiresAt)))

        // security.md: no client secret reaches a child, by name or by value.
        #expect(child[TestConfig.secretVariable] == nil)
        #expect(!result.stdout.contains(TestOAuthServer.clientSecret))
        #expect(child["AUTHDECK_PRIVATE_THING"] == nil)
        // The rest of the environment stays, including where the store is.
        #expect(child["HOME"] == box.home)
        #expect(child["AUTHDECK_STORE"] == box.storeRoot)
        #expect(child["AUTHDECK_TOKEN_ID_TOKEN"] == nil)
      }
    }
  }

  @Test("COMMAND's exit status is exec's, and a signal that kills COMMAND kills exec the same way")
  func commandsExitStatusIsExecs() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        let seven = try box.run(["exec", "svc/bot", "--", "sh", "-c", "exit 7"])
        #expect(seven.status == 7 && !seven.signaled, "\(seven)")

        let killed = try box.run(["exec", "svc/bot", "--", "sh", "-c", "kill -TERM $$"])
        #expect(killed.signaled && killed.status == SIGTERM, "\(killed)")

        // A shell running exec sees what it sees of any killed command: 128 + the signal.
        let inShell = try box.runShell(#""$0" exec svc/bot -- sh -c 'kill -USR1 $$'; echo "status $?""#, [])
        #expect(inShell.stdout == "status \(128 + SIGUSR1)\n", "\(inShell)")

        // exec becomes COMMAND: the same process.
        let child = try box.start(["exec", "svc/bot", "--", "sh", "-c", "echo $$"])
        let same = child.wait(timeout: 60)
        #expect(same.stdout == "\(child.pid)\n", "\(same)")
      }
    }
  }

  static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

  @Test("a signal sent to exec reaches COMMAND", arguments: forwarded)
  func aSignalSentToExecReachesCommand(signal: Int32) throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        #expect(try box.run(["login", "svc/bot"]).status == 0)
        // env --default-signal: the test runner may have been started with SIGINT ignored,
        // and a shell cannot trap a signal that was ignored when it started.
        let script = "trap 'echo caught; exit 42' \(signal); echo ready; while :; do sleep 0.05; done"
        let child = try ChildProcess(
          ["/usr/bin/env", "--default-signal", box.binary, "exec", "svc/bot", "--", "sh", "-c", script],
          environment: box.environment)
        defer { child.kill(SIGKILL) }
        try #require(child.stdout.wait(for: "ready"), "\(child.stdout.text) \(child.stderr.text)")
        child.kill(signal)
        let result = child.wait(timeout: 30)
        #expect(result.status == 42 && !result.signaled, "\(result)")
        #expect(result.stdout == "ready\ncaught\n")
      }
    }
  }

  @Test("an expired session is refreshed before COMMAND starts, and COMMAND gets the new token")
  func anExpiredSessionIsRefreshedBeforeCommandStarts() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        let path = try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: -60)
        let old = try #require(StoreFormat.tokens(path)?["access_token"] as? String)

        let result = try box.run(["exec", "limio/ops", "--", "env"])
        #expect(result.status == 0, "\(result)")
        let token = Self.variables(result.stdout)["AUTHDECK_TOKEN"]
        #expect(token != old)
        #expect(token == (try server.issuedAccessTokens()).last)
        #expect(try server.tokenRequests().filter { $0.grantType == "refresh_token" }.count == 1)
      }
    }
  }

  @Test("a session that needs a login stops exec with the login hint, and COMMAND never starts")
  func aSessionThatNeedsALoginStopsExec() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        try CLITests.storeExpired(box, "lime/main")
        let marker = box.directory + "/started"
        let result = try box.run(["exec", "lime/main", "--", "touch", marker])
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains("lime/main: expired"))
        #expect(result.stderr.contains("authdeck login lime/main"))
        #expect(!result.stderr.contains(CLITests.staleToken))
        #expect(!fileExists(marker), "COMMAND was not started")
      }
    }
  }

  @Test("a session never logged in stops exec with exit 3 and the login to run, as docs/scripting.md says")
  func aSessionNeverLoggedInStopsExec() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        let result = try box.run(["exec", "limio/nosuch", "--", "true"])
        #expect(result.status == 3, "\(result)")
        #expect(
          result.stderrLines == [
            "authdeck: limio/nosuch: has never logged in; run: authdeck login limio/nosuch"
          ],
          "\(result)")
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("several sessions: token_env names them, and two of one provider add their account")
  func severalSessionsTokenEnvNamesThem() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, svcTokenEnv: "BOT_TOKEN")) { box in
        #expect(try box.run(["providers"]).stdout.contains("  token_env    BOT_TOKEN (authdeck exec)\n"))
        let one = try box.run(["exec", "svc/a", "--", "env"])
        #expect(one.status == 0, "\(one)")
        let single = Self.variables(one.stdout)
        #expect(
          single["BOT_TOKEN"] != nil && single["BOT_TOKEN_EXPIRES_AT"] != nil
            && single["AUTHDECK_TOKEN"] == nil)

        try CLITests.pasteLogin(box, server, "limio/ops")
        let many = try box.run(["exec", "svc/a", "svc/b", "limio/ops", "svc/a", "--", "env"])
        #expect(many.status == 0, "\(many)")
        let child = Self.variables(many.stdout)
        for name in ["BOT_TOKEN_A", "BOT_TOKEN_B", "LIMIO_TOKEN"] {
          #expect(
            child[name] != nil && child[name + "_EXPIRES_AT"] != nil, "\(name) in \(child.keys.sorted())")
        }
        #expect(
          child["BOT_TOKEN_A"] == StoreFormat.tokens(box.sessionPath("svc/a"))?["access_token"] as? String)
        #expect(
          child["LIMIO_TOKEN"] == StoreFormat.tokens(box.sessionPath("limio/ops"))?["access_token"] as? String
        )
        #expect(child["BOT_TOKEN"] == nil && child["AUTHDECK_TOKEN"] == nil)
      }
    }
  }

  @Test("a nested exec hands COMMAND its own tokens only, none the outer exec handed over")
  func aNestedExecHandsItsOwnTokensOnly() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        // The inner exec starts without the client secret (withheld from every child): its
        // session has a token already.
        #expect(try box.run(["exec", "svc/c", "--", "true"]).status == 0)
        let result = try box.run(["exec", "svc/a", "svc/b", "--", box.binary, "exec", "svc/c", "--", "env"])
        #expect(result.status == 0, "\(result)")
        let child = Self.variables(result.stdout)
        #expect(
          child["AUTHDECK_TOKEN"] == StoreFormat.tokens(box.sessionPath("svc/c"))?["access_token"] as? String)
        let outer = ["SVC_TOKEN_A", "SVC_TOKEN_A_EXPIRES_AT", "SVC_TOKEN_B", "SVC_TOKEN_B_EXPIRES_AT"]
        #expect(outer.allSatisfy { child[$0] == nil }, "\(child.keys.sorted())")
        #expect(child["AUTHDECK_HANDED"] == "AUTHDECK_TOKEN,AUTHDECK_TOKEN_EXPIRES_AT")
        #expect(child["AUTHDECK_STORE"] == box.storeRoot)
      }
    }
  }

  @Test("--id-token adds NAME_ID_TOKEN, and a session without one stops exec with exit 3")
  func idTokenAddsNAMEIDTOKEN() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        try CLITests.pasteLogin(box, server, "limio/ops")
        let result = try box.run(["exec", "--id-token", "limio/ops", "--", "env"])
        #expect(result.status == 0, "\(result)")
        let idToken = try #require(StoreFormat.tokens(box.sessionPath("limio/ops"))?["id_token"] as? String)
        #expect(Self.variables(result.stdout)["AUTHDECK_TOKEN_ID_TOKEN"] == idToken)

        let none = try box.run(["exec", "svc/bot", "--id-token", "--", "true"])
        #expect(none.status == 3, "\(none)")
        #expect(none.stderr.contains("svc/bot: has no id token"), "\(none)")
      }
    }
  }

  // MARK: Bad input: a short message, the status scripts expect, nothing started or stored

  struct BadInput: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var arguments: [String]
    var svcTokenEnv: String? = nil
    var status: Int32
    var mentions: [String]
  }

  static let badInputs: [BadInput] = [
    BadInput(
      testDescription: "nothing after --", arguments: ["exec", "svc/bot", "--"], status: 64,
      mentions: ["nothing to run", "authdeck exec svc/bot -- env"]),
    BadInput(
      testDescription: "no -- at all", arguments: ["exec", "svc/bot", "env"], status: 64,
      mentions: ["nothing to run"]),
    BadInput(
      testDescription: "no session", arguments: ["exec", "--", "env"], status: 64,
      mentions: ["name at least one session"]),
    BadInput(
      testDescription: "unknown provider", arguments: ["exec", "nope/bot", "--", "env"], status: 64,
      mentions: ["unknown provider 'nope'"]),
    BadInput(
      testDescription: "not a session id", arguments: ["exec", "svcbot", "--", "env"], status: 64,
      mentions: ["'svcbot' is not a session id"]),
    BadInput(
      testDescription: "token_env that is no variable name", arguments: ["exec", "svc/bot", "--", "env"],
      svcTokenEnv: "BOT-TOKEN", status: 78, mentions: ["providers.svc.token_env", "BOT-TOKEN"]),
    BadInput(
      testDescription: "two sessions for one variable",
      arguments: ["exec", "svc/a.b", "svc/a-b", "--", "env"],
      status: 64, mentions: ["svc/a.b and svc/a-b", "SVC_TOKEN_A_B"]),
    BadInput(
      testDescription: "command not found",
      arguments: ["exec", "svc/bot", "--", "no-such-command-here", "x"],
      status: 127, mentions: ["no-such-command-here: command not found"]),
    BadInput(
      testDescription: "command not executable", arguments: ["exec", "svc/bot", "--", "CONFIG"], status: 126,
      mentions: ["permission denied"]),
    BadInput(
      testDescription: "command is a directory", arguments: ["exec", "svc/bot", "--", "/tmp"], status: 126,
      mentions: ["/tmp: is a directory"]),
    BadInput(
      testDescription: "bad duration", arguments: ["exec", "svc/bot", "--min-valid", "2x", "--", "env"],
      status: 64, mentions: ["'2x'", "--min-valid", "90s"]),
  ]

  @Test(
    "bad input is refused with a short message, and nothing is started, sent or stored", arguments: badInputs)
  func badInputIsRefused(_ input: BadInput) throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server, svcTokenEnv: input.svcTokenEnv)) { box in
        let before = CLITests.sessionFiles(box)
        let arguments = input.arguments.map { $0 == "CONFIG" ? box.configPath : $0 }
        let result = try box.run(arguments)
        #expect(result.status == input.status && !result.signaled, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderrLines.count <= 4, "\(result)")
        for mention in input.mentions {
          #expect(result.stderr.contains(mention), "expected '\(mention)' in: \(result.stderr)")
        }
        #expect(!result.stderr.contains("s3cret"))
        #expect(CLITests.sessionFiles(box) == before, "nothing stored")
        #expect(try server.tokenRequests().isEmpty, "nothing sent")
      }
    }
  }
}
