import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck kube-credential ID` as kubectl runs it: a kubeconfig whose user is an exec plugin
/// running the real binary, and an HTTPS API on 127.0.0.1 (Tests/Support/bearer_api_server.py)
/// that answers only the bearer token the OAuth test server issued last.
@Suite("kubectl's exec credential plugin: authdeck kube-credential")
struct KubectlTests {
  static let kubectl = "/usr/bin/kubectl"
  static let path = "/apis/authdeck.test/v1/ping"
  static let answer = #"{"path": "/apis/authdeck.test/v1/ping", "answer": "hello"}"#

  /// The API, with a certificate for IP:127.0.0.1 from a CA made for the test.
  final class KubeAPI: @unchecked Sendable {
    static let script = ServerProcess.supportScript("bearer_api_server.py")

    let port: Int
    let ca: TestCA
    private let child: ChildProcess

    init(in directory: String, acceptingTokensOf server: TestOAuthServer) throws {
      ca = try TestCA(in: directory)
      let leaf = try ca.issue("api", subjectAltName: "IP:127.0.0.1")
      (child, port) = try ServerProcess.start(
        [
          TestOAuthServer.python, Self.script, "--port", "0", "--tls-cert", leaf.certificate, "--tls-key",
          leaf.key, "--issued-by", server.baseURL,
        ], name: "bearer_api_server.py")
    }

    /// Stops the API and returns its log: `GET PATH STATUS`, one line a request.
    @discardableResult
    func stop() -> [String] {
      child.kill(SIGTERM)
      return child.wait(timeout: 10).stderrLines
    }
  }

  static func withKubeAPI<T>(_ server: TestOAuthServer, _ body: (KubeAPI) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
      let api = try KubeAPI(in: directory, acceptingTokensOf: server)
      defer { api.stop() }
      return try body(api)
    }
  }

  /// A kubeconfig as a user writes one: the cluster, and a user whose credentials come from
  /// `authdeck kube-credential ID`, told where the configuration and the store are.
  static func kubeconfig(_ box: CLISandbox, _ api: KubeAPI, id: String, apiVersion: String = "v1") throws
    -> String
  {
    let path = box.directory + "/kubeconfig-\(apiVersion)"
    try writeFile(
      path,
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: test
        cluster:
          server: https://127.0.0.1:\(api.port)
          certificate-authority: \(api.ca.certificate)
      users:
      - name: authdeck
        user:
          exec:
            apiVersion: client.authentication.k8s.io/\(apiVersion)
            command: \(box.binary)
            args: [kube-credential, \(id)]
            interactiveMode: Never
            env:
            - name: AUTHDECK_CONFIG
              value: \(box.configPath)
            - name: AUTHDECK_STORE
              value: \(box.storeRoot)
      contexts:
      - name: test
        context: {cluster: test, user: authdeck}
      current-context: test

      """)
    return path
  }

  /// `kubectl get --raw PATH`, with the sandbox's HOME and secret but not its AUTHDECK_CONFIG
  /// or AUTHDECK_STORE: the kubeconfig's `env` must carry them.
  static func kubectl(_ box: CLISandbox, _ kubeconfig: String) throws -> ProcessResult {
    var environment = box.environment
    environment["AUTHDECK_CONFIG"] = nil
    environment["AUTHDECK_STORE"] = nil
    return try ChildProcess.run(
      [kubectl, "--kubeconfig", kubeconfig, "get", "--raw", path], environment: environment, timeout: 60)
  }

  @Test("kubectl reaches the API with the client-credentials token authdeck fetched (v1), and reuses it")
  func kubectlReachesTheAPIWithAFetchedToken() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try Self.withKubeAPI(server) { api in
          let config = try Self.kubeconfig(box, api, id: "svc/x")
          let first = try Self.kubectl(box, config)
          #expect(first.status == 0, "\(first)")
          #expect(first.stdout == Self.answer, "\(first)")
          let issued = try server.issuedAccessTokens()
          #expect(issued.count == 1)
          #expect(StoreFormat.tokens(box.sessionPath("svc/x"))?["access_token"] as? String == issued.first)

          // A second kubectl gets the stored token: nothing is fetched while it is valid.
          let second = try Self.kubectl(box, config)
          #expect(second.status == 0 && second.stdout == Self.answer, "\(second)")
          #expect(try server.issuedAccessTokens() == issued)
          #expect(api.stop().allSatisfy { $0.hasSuffix(" 200") })
        }
      }
    }
  }

  @Test("with exec apiVersion v1beta1, an expired session is refreshed first and kubectl gets the new token")
  func v1beta1AndAnExpiredSessionIsRefreshedFirst() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let path = try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: -60)
        let stale = try #require(StoreFormat.tokens(path)?["access_token"] as? String)
        try Self.withKubeAPI(server) { api in
          let result = try Self.kubectl(
            box, try Self.kubeconfig(box, api, id: "limio/ops", apiVersion: "v1beta1"))
          #expect(result.status == 0, "\(result)")
          #expect(result.stdout == Self.answer, "\(result)")
          #expect(try server.tokenRequests().filter { $0.grantType == "refresh_token" }.count == 1)
          let renewed = StoreFormat.tokens(path)?["access_token"] as? String
          let newest = try server.issuedAccessTokens().last
          #expect(renewed != stale && renewed == newest)
        }
      }
    }
  }

  @Test("a session that needs a login fails kubectl, which shows authdeck's line naming the login")
  func aSessionThatNeedsALoginFailsKubectl() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try CLITests.storeExpired(box, "limio/ops")
        try Self.withKubeAPI(server) { api in
          let result = try Self.kubectl(box, try Self.kubeconfig(box, api, id: "limio/ops"))
          #expect(result.status != 0, "\(result)")
          #expect(result.stdout.isEmpty, "\(result)")
          #expect(
            result.stderrLines.contains {
              $0.hasPrefix("authdeck: limio/ops: expired") && $0.hasSuffix("; run: authdeck login limio/ops")
            }, "\(result)")
          #expect(!result.stderr.contains(CLITests.staleToken))
          #expect(try server.tokenRequests().isEmpty)
          #expect(!api.stop().contains { $0.hasSuffix(" 200") })
        }
      }
    }
  }

  // MARK: Without kubectl: what KUBERNETES_EXEC_INFO asks

  static let v1beta1Info =
    #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}"#

  @Test(
    "the ExecCredential is one JSON object: the version asked for, the token and its expiry, nothing else")
  func theExecCredentialIsOneJSONObject() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let result = try box.run(
          ["kube-credential", "svc/x"], environment: ["KUBERNETES_EXEC_INFO": Self.v1beta1Info])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        let object = try #require(
          try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["apiVersion", "kind", "status"])
        #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
        #expect(object["kind"] as? String == "ExecCredential")
        let status = try #require(object["status"] as? [String: Any])
        #expect(Set(status.keys) == ["token", "expirationTimestamp"])
        #expect(status["token"] as? String == (try server.issuedAccessTokens()).last)
        let stored = try #require(StoreFormat.tokens(box.sessionPath("svc/x"))?["expires_at"] as? Double)
        let formatter = ISO8601DateFormatter()
        let said = try #require(formatter.date(from: status["expirationTimestamp"] as? String ?? ""))
        #expect(said.timeIntervalSince1970 == stored.rounded(.down))
        #expect(result.stdout.hasSuffix("}\n"))
      }
    }
  }

  @Test(
    "a malformed KUBERNETES_EXEC_INFO or an apiVersion not spoken is bad usage (64), and no token is fetched",
    arguments: [
      ("{not json", "authdeck: KUBERNETES_EXEC_INFO is not JSON"),
      (
        #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}"#,
        "authdeck: KUBERNETES_EXEC_INFO asks for apiVersion 'client.authentication.k8s.io/v1alpha1'; "
          + "authdeck speaks client.authentication.k8s.io/v1 and client.authentication.k8s.io/v1beta1"
      ),
    ])
  func aMalformedExecInfoIsBadUsage(info: String, message: String) throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let result = try box.run(["kube-credential", "svc/x"], environment: ["KUBERNETES_EXEC_INFO": info])
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == [message], "\(result)")
        #expect(try server.tokenRequests().isEmpty)
      }
    }
  }

  @Test("spec.interactive without a terminal starts no login: exit 3, no browser, nothing stored")
  func interactiveWithoutATerminalStartsNoLogin() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let info =
          #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#
        let result = try box.run(
          ["kube-credential", "lime/main"], environment: ["KUBERNETES_EXEC_INFO": info])
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(
          result.stderrLines == ["authdeck: lime/main: has never logged in; run: authdeck login lime/main"])
        #expect(!fileExists(box.browserLog + "/argc"), "no browser was started")
        #expect(!fileExists(box.sessionPath("lime/main")), "no login was stored")
      }
    }
  }

  /// `authdeck kube-credential lime/main` on a terminal of its own for stdin, stdout and stderr
  /// (script(1)), as kubectl passes its own; what the terminal showed is stdout.
  static func onATerminal(_ box: CLISandbox, interactive: Bool) throws -> ProcessResult {
    let info =
      #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":\#(interactive)}}"#
    return try ChildProcess.run(
      ["/usr/bin/script", "-qefc", "'\(box.binary)' kube-credential lime/main", "/dev/null"],
      environment: box.environment.merging(["KUBERNETES_EXEC_INFO": info, "SHELL": "/bin/sh"]) { $1 },
      timeout: 60)
  }

  @Test(
    "spec.interactive with a terminal logs in (the browser, the loopback redirect), then prints the credential"
  )
  func interactiveWithATerminalLogsIn() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let result = try Self.onATerminal(box, interactive: true)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Waiting for the browser to return to"), "\(result)")
        let line = try #require(result.stdout.split(whereSeparator: \.isNewline).last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let status = try #require(object["status"] as? [String: Any])
        let stored = StoreFormat.tokens(box.sessionPath("lime/main"))?["access_token"] as? String
        #expect(status["token"] as? String == (try server.issuedAccessTokens()).last)
        #expect(status["token"] as? String == stored)
      }
    }
  }

  @Test("a terminal without spec.interactive starts no login either")
  func aTerminalWithoutInteractiveStartsNoLogin() throws {
    let port = freeLoopbackPort()
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server, loopbackPort: port), browser: .follow()) { box in
        let result = try Self.onATerminal(box, interactive: false)
        #expect(result.status == 3, "\(result)")
        #expect(
          result.stdout.contains("authdeck: lime/main: has never logged in; run: authdeck login lime/main"))
        #expect(!fileExists(box.browserLog + "/argc"), "no browser was started")
        #expect(!fileExists(box.sessionPath("lime/main")), "no login was stored")
      }
    }
  }
}
