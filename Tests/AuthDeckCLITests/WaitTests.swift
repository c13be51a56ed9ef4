import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck wait ID…`: a bot that starts before the person logs in.
@Suite("authdeck wait")
struct WaitTests {
  @Test("wait, started before there is even a store, ends when another process logs in")
  func waitEndsWhenAnotherProcessLogsIn() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        #expect(!fileExists(box.storeRoot))
        let wait = try box.start(["wait", "lime/main", "--timeout", "2m"])
        defer { wait.kill(SIGKILL) }
        try #require(wait.stderr.wait(for: "waiting for lime/main"), "\(wait.stderr.text)")
        #expect(wait.process.isRunning)

        try CLITests.pasteLogin(box, server, "lime/main")
        let result = wait.wait(timeout: 60)
        #expect(result.status == 0 && !result.timedOut, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(
          result.stderr
            == "waiting for lime/main to be logged in (run: authdeck login lime/main, or log in on the board)\n"
        )
        #expect(Date().timeIntervalSince(wait.started) < 100, "woken by the login, not by its timeout")
      }
    }
  }

  @Test("wait gives up at its timeout with exit 3, naming what is still to log in")
  func waitGivesUpAtItsTimeout() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        try CLITests.storeExpired(box, "lime/old")
        let started = Date()
        let result = try box.run(["wait", "lime/old", "lime/new", "--timeout", "1s"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty)
        let last = result.stderrLines.last ?? ""
        #expect(
          last.hasPrefix("authdeck: timed out after 1s; still to log in: lime/old (expired "), "\(result)")
        #expect(last.hasSuffix(" (1h 0m ago)), lime/new (has never logged in)"), "\(result)")
        #expect(!result.stderr.contains(CLITests.staleToken))
        #expect(elapsed >= 1 && elapsed < 30, "\(elapsed)")
      }
    }
  }

  @Test("wait returns at once for sessions that need no person, and says nothing")
  func waitReturnsAtOnceForSessionsThatNeedNoPerson() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        try CLITests.logIn(box, server, "limio/ops", thenExpiringIn: -60)
        // limio/ops renews itself; svc/new fetches its first token on its own.
        let result = try box.run(["wait", "limio/ops", "svc/new", "--timeout", "10s"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "\(result)")
        #expect(try server.tokenRequests().count == 1, "wait itself sends nothing (the one is the login)")
      }
    }
  }

  @Test("an idle wait sleeps: it uses almost no CPU while it waits")
  func anIdleWaitSleeps() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        // `times` prints the CPU time of the shell's finished children on its second line.
        let result = try box.runShell(
          #""$0" wait lime/main --timeout 2s 2>/dev/null; echo "status $?"; times"#, [])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "status 3", "\(result)")
        let seconds = lines.last?.split(separator: " ").compactMap { field -> Double? in
          // "0m0.012000s": minutes and seconds
          guard let m = field.firstIndex(of: "m"), field.hasSuffix("s") else { return nil }
          return (Double(field[..<m]) ?? 0) * 60
            + (Double(field[field.index(after: m)..<field.index(before: field.endIndex)]) ?? 0)
        }
        let cpu = try #require(seconds).reduce(0, +)
        #expect(cpu < 0.5, "wait used \(cpu) s of CPU in 2 s: \(result.stdout)")
      }
    }
  }

  @Test("wait refuses an unknown provider and a bad timeout with exit 64, and waits for nothing")
  func waitRefusesAnUnknownProviderAndABadTimeout() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        let unknown = try box.run(["wait", "lime/main", "nope/x", "--timeout", "1h"])
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.stderrLines.count == 1)
        #expect(unknown.stderr.contains("unknown provider 'nope'"))

        let badTimeout = try box.run(["wait", "lime/main", "--timeout", "soon"])
        #expect(badTimeout.status == 64, "\(badTimeout)")
        #expect(badTimeout.stderr.contains("'soon'") && badTimeout.stderr.contains("--timeout"))

        let none = try box.run(["wait"])
        #expect(none.status == 64, "\(none)")
        #expect(!fileExists(box.storeRoot), "nothing stored")
      }
    }
  }
}
