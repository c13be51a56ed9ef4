import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

// Issue 14: whatever one process learned about a session, every command says the same.

@Suite("One truth about a session, across commands and processes")
struct OneTruthTests {
  @Test("a refused refresh token is known to status, wait and list, and never sent again (item 1)")
  func aRefusedRefreshTokenIsKnownEverywhere() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try CLITests.pasteLogin(box, server, "limio/ops")
        try CLITests.setExpiry(box.sessionPath("limio/ops"), Date().addingTimeInterval(-60))
        try server.inject("invalid_grant")

        let token = try box.run(["token", "limio/ops"])
        #expect(token.status == 3, "\(token)")
        #expect(
          token.stderrLines == [
            "authdeck: limio/ops: the provider refused its refresh token (invalid_grant: injected invalid_grant); "
              + "run: authdeck login limio/ops"
          ], "\(token)")
        let requests = try server.tokenRequests().count

        #expect(try box.run(["status"]).stdout == "limio ✗ · 1 to log in\n")
        let json = try box.run(["status", "--json"])
        let object = try #require(
          (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(object["needs_login"] as? Bool == true && object["refreshable"] as? Bool == false)
        #expect(object["login_reason"] as? String == "refresh_refused")
        #expect((object["refusal"] as? [String: Any])?["error"] as? String == "invalid_grant")

        let wait = try box.run(["wait", "limio/ops", "--timeout", "1s"])
        #expect(wait.status == 3, "a bot doing `wait && exec` must not spin: \(wait)")
        let list = try box.run(["list"])
        #expect(list.stdout.split(separator: "\n").last?.hasSuffix("  no") == true, "REFRESH no: \(list)")

        let again = try box.run(["token", "limio/ops"])
        #expect(again.status == 3)
        #expect(try server.tokenRequests().count == requests, "the refused refresh token is never sent again")

        // A new login replaces what the provider said, everywhere.
        try CLITests.pasteLogin(box, server, "limio/ops")
        #expect(try box.run(["status"]).stdout == "limio ✓\n")
        #expect(try box.run(["token", "limio/ops"]).status == 0)
      }
    }
  }

  @Test("a login replaced by another login of the session ends within seconds and says so (item 3)")
  func aSupersededLoginEnds() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let first = try box.start(["login", "lime/main"])
        defer { first.kill(SIGKILL) }
        try #require(first.stderr.wait(for: "Paste the URL"), "\(first.stderr.text)")
        let second = try box.start(["login", "lime/main"])
        defer { second.kill(SIGKILL) }
        try #require(second.stderr.wait(for: "Paste the URL"), "\(second.stderr.text)")
        let started = Date()
        let ended = first.wait(timeout: 20)
        #expect(Date().timeIntervalSince(started) < 3, "within a second or two, not the login's 5 minutes")
        #expect(ended.status == 3, "\(ended)")
        #expect(
          ended.stderrLines.last
            == "authdeck: lime/main: another login of this session took over; this one has ended",
          "\(ended)")
        // The second one goes on, and completes.
        let url = try #require(CLITests.authorizeURL(in: second.stderr.text, server: server))
        second.send(try server.approve(url) + "\n")
        #expect(second.wait(timeout: 30).status == 0)
      }
    }
  }

  @Test("list with a broken configuration says so and exits 78, instead of a hint that fails (item 5)")
  func listWithABrokenConfiguration() throws {
    try withSandbox(config: "[providers.lime\nclient_id = 1\n") { box in
      let empty = try box.run(["list"])
      #expect(empty.status == 78, "\(empty)")
      #expect(!empty.stderr.contains("Start one with"), "\(empty)")
      #expect(empty.stderr.contains("No sessions yet, and the configuration cannot be read"), "\(empty)")
      #expect(empty.stderr.contains(box.configPath), "\(empty)")

      try CLITests.storeExpired(box, "lime/main")
      let listed = try box.run(["list"])
      #expect(listed.status == 78, "\(listed)")
      #expect(listed.stdout.contains("lime/main"), "the store is listed all the same: \(listed)")
      #expect(listed.stderrLines.last?.hasPrefix("authdeck: " + box.configPath) == true, "\(listed)")
    }
  }

  @Test("a session file that cannot be read is a failure, not an empty store (item 5)")
  func anUnreadableSessionIsAFailure() throws {
    try withSandbox(config: "") { box in
      try CLITests.storeExpired(box, "lime/main")
      // Out of descriptors when the file is opened (EMFILE): one descriptor left, the folder's.
      for command in ["list", "status"] {
        let result = try box.runShell("ulimit -n 4; exec \"$0\" \(command)", [])
        #expect(result.status == 1, "\(result)")
        #expect(!result.stderr.contains("No sessions yet"), "\(result)")
        #expect(result.stderr.contains("lime%2Fmain.json: Too many open files"), "\(result)")
      }
    }
  }
}
