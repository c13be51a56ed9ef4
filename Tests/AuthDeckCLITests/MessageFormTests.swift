import AuthDeckTestSupport
import Foundation
import Testing

/// docs/scripting.md's rule for stderr: an error or a warning is one line starting `authdeck: `;
/// a progress note or an instruction for a person is a plain line (or block) of its own.
@Suite("Messages for people on stderr")
struct MessageFormTests {
  @Test("notes and instructions are plain lines: list's hint, logout's summary, wait's note, login's URL")
  func notesAndInstructionsArePlainLines() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server) + TestConfig.lime(server)) { box in
        let empty = try box.run(["list"])
        #expect(empty.status == 0, "\(empty)")
        #expect(empty.stderrLines == ["No sessions yet. Start one with: authdeck login PROVIDER/ACCOUNT"])

        #expect(try box.run(["login", "svc/bot"]).status == 0)
        let logout = try box.run(["logout", "--forget", "svc/bot"])
        #expect(logout.stderrLines == ["svc/bot: forgotten"], "\(logout)")

        let wait = try box.run(["wait", "lime/main", "--timeout", "1s"])
        #expect(wait.status == 3, "\(wait)")
        #expect(wait.stderrLines.first?.hasPrefix("waiting for lime/main to be logged in") == true, "\(wait)")
        #expect(wait.stderrLines.last?.hasPrefix("authdeck: timed out after 1s") == true, "\(wait)")

        let login = try box.run(["login", "lime/main"], input: "")
        #expect(
          login.stderrLines.first?.hasPrefix("Log in to lime/main (Lime Trading) within ") == true, "\(login)"
        )
        #expect(login.stderrLines.contains { $0.hasPrefix("  \(server.authorizeURL)?") }, "\(login)")
        #expect(
          login.stderrLines.contains { $0.hasPrefix("Paste the URL the browser was sent to") }, "\(login)")
        #expect(login.stderrLines.last?.hasPrefix("authdeck: no redirect URL was pasted") == true, "\(login)")
      }
    }
  }

  @Test("a browser that cannot be started is a warning: one line starting authdeck:")
  func aBrowserThatCannotBeStartedIsAWarning() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let login = try box.run(["login", "lime/main"], input: "", environment: ["BROWSER": "/bin/false"])
        let warning = login.stderrLines.filter { $0.contains("no browser could be started") }
        #expect(warning.count == 1, "\(login)")
        #expect(warning.first?.hasPrefix("authdeck: no browser could be started (") == true, "\(login)")
      }
    }
  }
}
