import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck agent` and its clients, all the real binary: the agent in a sandbox with the
/// configuration, the store and the secret; its clients in an environment with none of them,
/// only `AUTHDECK_SOCK`.
@Suite("The agent: tokens for a shell with no configuration, store or secret")
struct AgentCLITests {
  /// The test server's providers, limio and svc served by the agent, lime not.
  static func config(_ server: TestOAuthServer) -> String {
    TestConfig.limio(server)
      .replacingOccurrences(of: "[providers.limio]\n", with: "[providers.limio]\nagent = true\n")
      .replacingOccurrences(
        of: "[providers.svc]\n", with: "[providers.svc]\nagent = true\ngit_hosts = [\"git.example.com\"]\n")
      + TestConfig.lime(server)
  }

  /// The test server's providers, svc served once the board allows each caller.
  static func confirming(_ server: TestOAuthServer) -> String {
    TestConfig.limio(server).replacingOccurrences(
      of: "[providers.svc]\n", with: "[providers.svc]\nagent = \"confirm\"\n")
  }

  /// A running agent and the environment of a shell that has only its socket.
  struct Agent {
    let process: ChildProcess
    let socket: String
    let bare: [String: String]
    let bareHome: String
  }

  /// An agent on the test server's providers (`configuration`: `config` unless given).
  static func withAgent<T>(
    configuration: ((TestOAuthServer) -> String)? = nil,
    _ body: (CLISandbox, TestOAuthServer, Agent) throws -> T
  ) throws -> T {
    try withServer(.limio) { server in
      try withSandbox(config: (configuration ?? config)(server)) { box in
        let socket = box.directory + "/agent.sock"
        let process = try box.start(["agent", "--socket", socket])
        defer {
          process.kill(SIGTERM)
          process.wait()
        }
        try #require(process.stderr.wait(for: "serving"), "\(process.stderr.text)")
        let home = box.directory + "/bare-home"
        mkdir(home, 0o700)
        let bare = ["AUTHDECK_SOCK": socket, "HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        return try body(box, server, Agent(process: process, socket: socket, bare: bare, bareHome: home))
      }
    }
  }

  static func run(_ box: CLISandbox, _ agent: Agent, _ arguments: [String]) throws -> ProcessResult {
    try ChildProcess.run([box.binary] + arguments, environment: agent.bare, timeout: 60)
  }

  @Test("token, its --header and --json, exec, wait and status work with only AUTHDECK_SOCK")
  func everythingThroughTheSocket() throws {
    try Self.withAgent { box, server, agent in
      let token = try Self.run(box, agent, ["token", "svc/bot"])
      #expect(token.status == 0, "\(token)")
      let value = token.stdout.trimmingCharacters(in: .newlines)
      #expect(
        try server.tokenRequests().last?.form["grant_type"] == "client_credentials", "renewed by the agent")
      #expect(
        try Self.run(box, agent, ["token", "svc/bot"]).stdout == token.stdout, "the agent's store keeps it")
      #expect(
        try Self.run(box, agent, ["token", "svc/bot", "--header"]).stdout
          == "Authorization: Bearer \(value)\n")
      let json = try Self.run(box, agent, ["token", "svc/bot", "--json"])
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
      #expect(object["token"] as? String == value && object["id"] as? String == "svc/bot")
      #expect(Set(object.keys).isSuperset(of: SessionObject.keys))
      #expect(!json.stdout.contains("refresh_token"))

      let exec = try Self.run(
        box, agent, ["exec", "svc/bot", "--", "sh", "-c", "echo \"$AUTHDECK_TOKEN $AUTHDECK_HANDED\""])
      #expect(exec.status == 0, "\(exec)")
      #expect(exec.stdout.hasPrefix(value + " AUTHDECK_TOKEN"), "\(exec.stdout)")
      // COMMAND keeps the agent: a bot that asks authdeck again (to renew) reaches it.
      let nested = try Self.run(box, agent, ["exec", "svc/bot", "--", box.binary, "token", "svc/bot"])
      #expect(nested.status == 0 && nested.stdout == token.stdout, "\(nested)")

      let wait = try Self.run(box, agent, ["wait", "svc/bot", "--timeout", "5s"])
      #expect(wait.status == 0, "\(wait)")
      let status = try Self.run(box, agent, ["status"])
      #expect(status.stdout.hasPrefix("svc "), "only what it serves: \(status.stdout)")
      let statusJSON = try Self.run(box, agent, ["status", "--json"])
      #expect(
        statusJSON.stdout.contains("\"id\" : \"svc/bot\"")
          || statusJSON.stdout.contains("\"id\": \"svc/bot\""))

      // Nothing of AuthDeck's was made on the client's side.
      #expect(try FileManager.default.contentsOfDirectory(atPath: agent.bareHome).isEmpty)
    }
  }

  @Test("kubectl's and git's helpers answer through the agent, with nothing of their own")
  func kubectlAndGit() throws {
    try Self.withAgent { box, server, agent in
      let token = try Self.run(box, agent, ["token", "svc/bot"]).stdout.trimmingCharacters(in: .newlines)
      let kube = try Self.run(box, agent, ["kube-credential", "svc/bot"])
      #expect(kube.status == 0, "\(kube)")
      let credential = try #require(
        try JSONSerialization.jsonObject(with: Data(kube.stdout.utf8)) as? [String: Any])
      #expect((credential["status"] as? [String: Any])?["token"] as? String == token)
      #expect(credential["apiVersion"] as? String == "client.authentication.k8s.io/v1")

      let git = try ChildProcess.run(
        [box.binary, "git-credential", "get"], environment: agent.bare,
        input: "protocol=https\nhost=git.example.com\n\n", timeout: 30)
      #expect(git.status == 0, "\(git)")
      #expect(
        git.stdout.hasPrefix("username=oauth2\npassword=\(token)\npassword_expiry_utc="), "\(git.stdout)")
      let other = try ChildProcess.run(
        [box.binary, "git-credential", "get"], environment: agent.bare,
        input: "protocol=https\nhost=elsewhere.example\n\n", timeout: 30)
      #expect(other.status == 0 && other.stdout.isEmpty && other.stderr.isEmpty, "\(other)")
      let plain = try ChildProcess.run(
        [box.binary, "git-credential", "get"], environment: agent.bare,
        input: "protocol=http\nhost=git.example.com\n\n", timeout: 30)
      #expect(plain.stdout.isEmpty, "no token over plain http")
    }
  }

  @Test("an expired session with a refresh token comes back renewed, by the agent's refresh")
  func renewedByTheAgent() throws {
    try Self.withAgent { box, server, agent in
      let path = try CLITests.logIn(box, server, "limio/main", thenExpiringIn: -60)
      let before = try #require(StoreFormat.tokens(path)?["access_token"] as? String)
      let refreshes = try server.tokenRequests().filter { $0.form["grant_type"] == "refresh_token" }.count
      let token = try Self.run(box, agent, ["token", "limio/main"])
      #expect(token.status == 0, "\(token)")
      #expect(token.stdout != before + "\n")
      #expect(
        try server.tokenRequests().filter { $0.form["grant_type"] == "refresh_token" }.count == refreshes + 1)
      #expect(
        StoreFormat.tokens(path)?["access_token"] as? String == token.stdout.trimmingCharacters(in: .newlines)
      )
    }
  }

  @Test("a provider without agent = true is refused through the socket, and says how to allow it")
  func notServed() throws {
    try Self.withAgent { box, server, agent in
      try StoreFormat.write(
        root: box.storeRoot, id: "lime/main", accessToken: "lime-token-not-to-leave", issuedAt: Date(),
        expiresAt: Date().addingTimeInterval(3600))
      let result = try Self.run(box, agent, ["token", "lime/main"])
      #expect(result.status == 1)
      #expect(
        result.stderr == "authdeck: the agent does not serve lime (its provider table has no agent = true)\n")
      #expect(!result.stdout.contains("lime-token"))
      #expect(!(try Self.run(box, agent, ["status"])).stdout.contains("lime"), "nor shown in its status")
    }
  }

  @Test("a session that needs a login: exit 3, naming the login and where to run it")
  func loginNeeded() throws {
    try Self.withAgent { box, server, agent in
      let result = try Self.run(box, agent, ["token", "limio/never"])
      #expect(result.status == 3, "\(result)")
      #expect(
        result.stderr.contains("run authdeck login limio/never where the agent runs"), "\(result.stderr)")
      // A login would not help: nothing says to run one.
      let tooLong = try Self.run(box, agent, ["token", "svc/bot", "--min-valid", "2h"])
      #expect(tooLong.status == 3, "\(tooLong)")
      #expect(
        tooLong.stderr.contains("2h") && !tooLong.stderr.contains("authdeck login"), "\(tooLong.stderr)")
      let unknown = try Self.run(box, agent, ["token", "nosuch/x"])
      #expect(unknown.stderr == "authdeck: the agent knows no provider 'nosuch'\n", "\(unknown.stderr)")
      let exec = try Self.run(box, agent, ["exec", "limio/never", "--", "true"])
      #expect(exec.status == 3)
      let wait = try Self.run(box, agent, ["wait", "limio/never", "--timeout", "1s"])
      #expect(wait.status == 3 && wait.stderr.contains("limio/never"), "\(wait)")
    }
  }

  @Test("with no agent at the socket, one line says so")
  func noAgent() throws {
    try withSandbox(config: "") { box in
      let result = try ChildProcess.run(
        [box.binary, "token", "svc/bot"], environment: ["AUTHDECK_SOCK": box.directory + "/none.sock"],
        timeout: 30)
      #expect(result.status == 1)
      #expect(result.stderrLines.count == 1)
      #expect(result.stderr.contains("cannot reach the agent at \(box.directory)/none.sock"))
      #expect(result.stderr.contains("is authdeck agent running"))
    }
  }

  @Test("a process of another user is refused, even when the socket's mode would let it in")
  func anotherUser() throws {
    guard getuid() == 0 else { return }  // switching user needs root (CI runs as root)
    try Self.withAgent { box, server, agent in
      // The user's mistake the check is for: a socket others can reach.
      chmod(box.directory, 0o755)
      chmod(agent.socket, 0o666)
      let binary = box.directory + "/authdeck-copy"
      try FileManager.default.copyItem(atPath: box.binary, toPath: binary)
      chmod(binary, 0o755)
      let result = try ChildProcess.run(
        ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "token", "svc/bot"],
        environment: ["AUTHDECK_SOCK": agent.socket, "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"],
        timeout: 30)
      #expect(result.status == 1, "\(result)")
      #expect(result.stderr.contains("serves only the user it runs as"), "\(result.stderr)")
      #expect(agent.process.stderr.wait(for: "refused pid"), "the agent says it refused")
    }
  }

  @Test(
    "agent = \"confirm\": refused with no board open; served once the board allows that caller, who alone")
  func confirm() throws {
    try Self.withAgent(configuration: Self.confirming) { box, server, agent in
      let bare = ["AUTHDECK_SOCK": agent.socket, "PATH": "/usr/bin:/bin"]
      let alone = try ChildProcess.run([box.binary, "token", "svc/bot"], environment: bare, timeout: 30)
      #expect(alone.status == 1)
      #expect(
        alone.stderr.contains("svc is served once approved on the board, which refused or is not open"))

      // A board: it holds the lock, and answers what the agent asks.
      let store = SessionStore(root: box.storeRoot)
      let lock = try #require(AgentApprovals.holdBoardLock(store))
      defer { close(lock) }
      let asking = try ChildProcess(
        ["/bin/sh", "-c", "exec \"$0\" token svc/bot", box.binary], environment: bare)
      var asked: [AgentApprovalRequest] = []
      #expect(
        waitUntil(timeout: 20) {
          asked = AgentApprovals.pending(in: store, now: Date())
          return !asked.isEmpty
        })
      let request = try #require(asked.first)
      #expect(request.provider == "svc" && request.caller == "pid \(asking.pid) (authdeck)", "\(request)")
      AgentApprovals.answer(request.number, allow: true, in: store)
      let allowed = asking.wait(timeout: 30)
      #expect(allowed.status == 0 && !allowed.stdout.isEmpty, "\(allowed)")
      #expect(AgentApprovals.pending(in: store, now: Date()).isEmpty, "the question is gone")

      // Another process is another caller: asked again; refused this time.
      let other = try ChildProcess([box.binary, "token", "svc/bot"], environment: bare)
      #expect(waitUntil(timeout: 20) { !AgentApprovals.pending(in: store, now: Date()).isEmpty })
      for pending in AgentApprovals.pending(in: store, now: Date()) {
        AgentApprovals.answer(pending.number, allow: false, in: store)
      }
      let refused = other.wait(timeout: 30)
      #expect(refused.status == 1 && refused.stdout.isEmpty, "\(refused)")
    }
  }

  @Test(
    "with a board open: status never asks it; a waiting caller is told so; a caller that leaves is not asked about"
  )
  func confirmWithBoard() throws {
    try Self.withAgent(configuration: Self.confirming) { box, server, agent in
      let bare = ["AUTHDECK_SOCK": agent.socket, "PATH": "/usr/bin:/bin"]
      let store = SessionStore(root: box.storeRoot)
      let lock = try #require(AgentApprovals.holdBoardLock(store))
      defer { close(lock) }
      let status = try ChildProcess.run([box.binary, "status"], environment: bare, timeout: 30)
      #expect(status.status == 0 && !status.stdout.contains("svc"), "\(status)")
      #expect(AgentApprovals.pending(in: store, now: Date()).isEmpty, "status asked nothing")

      let asking = try ChildProcess([box.binary, "token", "svc/bot"], environment: bare)
      #expect(
        asking.stderr.wait(for: "waiting for svc's tokens to be allowed on the board"),
        "\(asking.stderr.text)")
      #expect(waitUntil(timeout: 10) { !AgentApprovals.pending(in: store, now: Date()).isEmpty })
      asking.kill(SIGKILL)
      _ = asking.wait(timeout: 10)
      #expect(
        waitUntil(timeout: 10) { AgentApprovals.pending(in: store, now: Date()).isEmpty },
        "the question of a caller that left is withdrawn")
    }
  }

  @Test("an agent started without a served provider's secret says so at once")
  func secretMissing() throws {
    try withServer(.limio) { server in
      try withSandbox(config: Self.config(server)) { box in
        box.environment[TestConfig.secretVariable] = nil
        let process = try box.start(["agent", "--socket", box.directory + "/agent.sock"])
        defer {
          process.kill(SIGTERM)
          process.wait()
        }
        #expect(
          process.stderr.wait(for: "client_secret_env \(TestConfig.secretVariable) is not set here"),
          "\(process.stderr.text)")
        #expect(process.stderr.wait(for: "serving"), "it serves all the same")
      }
    }
  }

  @Test("SIGTERM ends the agent and removes its socket")
  func terminate() throws {
    try Self.withAgent { box, server, agent in
      agent.process.kill(SIGTERM)
      #expect(agent.process.wait(timeout: 10).status == 0)
      #expect(!FileManager.default.fileExists(atPath: agent.socket))
    }
  }
}
