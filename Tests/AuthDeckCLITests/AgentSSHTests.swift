import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// OpenSSH's own sshd (Debian's openssh-server, which scripts/setup --tests installs), started on
/// 127.0.0.1 with throwaway keys, and OpenSSH's ssh forwarding the agent's socket to "a server":
/// an environment with no configuration, store or secret, where only `AUTHDECK_SOCK` names the
/// forwarded socket.
@Suite("The agent over SSH: ssh -R forwards its socket, and a server's programs get tokens")
struct AgentSSHTests {
  final class SSHServer {
    let directory = makeTemporaryDirectory()
    let port = freeLoopbackPort()
    var user: String { String(cString: getpwuid(getuid())!.pointee.pw_name) }

    init() throws {
      for key in ["host_key", "client_key"] {
        let made = try ChildProcess.run(
          [
            "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "authdeck-test", "-f", directory + "/" + key,
          ],
          timeout: 30)
        try #require(made.status == 0, "\(made)")
      }
      try FileManager.default.copyItem(
        atPath: directory + "/client_key.pub", toPath: directory + "/authorized_keys")
      let config = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(directory)/host_key
        PidFile \(directory)/sshd.pid
        AuthorizedKeysFile \(directory)/authorized_keys
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        StrictModes no
        UsePAM no
        AllowStreamLocalForwarding yes
        StreamLocalBindUnlink yes
        StreamLocalBindMask 0177
        LogLevel ERROR

        """
      try writeFile(directory + "/sshd_config", Data(config.utf8))
      // Debian's sshd, run as root, wants its privilege-separation folder.
      if getuid() == 0 { mkdir("/run/sshd", 0o755) }
      // Daemonized (not -D): a listener that is not this test process's child, whose exits
      // Foundation's child reaping would otherwise have to get through (it missed curl's).
      let started = try ChildProcess.run(
        ["/usr/sbin/sshd", "-f", directory + "/sshd_config", "-E", directory + "/sshd.log"], timeout: 30)
      try #require(started.status == 0, "sshd did not start: \(started)")
      let listening = waitUntil(timeout: 20) { Self.accepts(self.port) }
      let log = readBytes(directory + "/sshd.log").map { String(decoding: $0, as: UTF8.self) } ?? ""
      try #require(listening, "sshd did not listen: \(log)")
    }

    static func accepts(_ port: UInt16) -> Bool {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      defer { close(fd) }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = port.bigEndian
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
      }
    }

    /// Runs `command` on "the server" (this machine, through sshd) with the agent's socket
    /// forwarded to `remoteSocket`, as `ssh -R` does.
    func run(_ command: String, forwarding agentSocket: String, to remoteSocket: String) throws
      -> ProcessResult
    {
      try ChildProcess.run(
        [
          "ssh", "-F", "/dev/null", "-i", directory + "/client_key", "-p", String(port),
          "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
          "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes", "-o", "LogLevel=ERROR",
          "-R", remoteSocket + ":" + agentSocket, user + "@127.0.0.1", command,
        ], timeout: 60)
    }

    deinit {
      if let text = readBytes(directory + "/sshd.pid").map({ String(decoding: $0, as: UTF8.self) }),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        kill(pid, SIGTERM)
      }
      try? FileManager.default.removeItem(atPath: directory)
    }
  }

  @Test("token, exec and wait on the server, and an expired session renewed by the agent at home")
  func forwarded() throws {
    let ssh = try SSHServer()
    try AgentCLITests.withAgent { box, server, agent in
      let path = try CLITests.logIn(box, server, "limio/main", thenExpiringIn: -60)
      let before = try #require(StoreFormat.tokens(path)?["access_token"] as? String)
      let remoteSocket = ssh.directory + "/forwarded.sock"
      let serverHome = ssh.directory + "/server-home"
      mkdir(serverHome, 0o700)
      // The server's shell: nothing of AuthDeck's but the binary and the forwarded socket.
      let shell = "env -i HOME=\(serverHome) PATH=/usr/bin:/bin AUTHDECK_SOCK=\(remoteSocket) \(box.binary)"
      let script = """
        \(shell) token limio/main && \
        \(shell) exec svc/bot -- sh -c 'test -n "$AUTHDECK_TOKEN" && echo exec-ok' && \
        \(shell) wait limio/main svc/bot --timeout 10s && echo wait-ok && \
        \(shell) status
        """
      let result = try ssh.run(script, forwarding: agent.socket, to: remoteSocket)
      #expect(result.status == 0, "\(result)")
      let lines = result.stdout.split(separator: "\n").map(String.init)
      #expect(lines.count == 4, "\(result)")
      let renewed = try #require(lines.first)
      #expect(renewed != before, "renewed at home, with the agent's refresh token")
      #expect(StoreFormat.tokens(path)?["access_token"] as? String == renewed)
      #expect(lines.dropFirst().first == "exec-ok" && lines.dropFirst(2).first == "wait-ok")
      #expect(lines.last?.hasPrefix("limio ") == true, "\(lines)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: serverHome).isEmpty, "nothing stored there")
      // The agent knows the request came over ssh: the board shows it so.
      let served = try #require(StoreFormat.json(box.storeRoot + "/agent/served.json"))
      let entry = try #require((served["served"] as? [String: Any])?["limio/main"] as? [String: Any])
      #expect(entry["forwarded"] as? Bool == true, "\(served)")
    }
  }

  @Test("a provider the agent does not serve stays refused over ssh")
  func refusedOverSSH() throws {
    let ssh = try SSHServer()
    try AgentCLITests.withAgent { box, server, agent in
      let remoteSocket = ssh.directory + "/forwarded.sock"
      let result = try ssh.run(
        "env -i PATH=/usr/bin:/bin AUTHDECK_SOCK=\(remoteSocket) \(box.binary) token lime/main",
        forwarding: agent.socket, to: remoteSocket)
      #expect(result.status == 1, "\(result)")
      #expect(result.stderr.contains("the agent does not serve lime"), "\(result.stderr)")
    }
  }
}
