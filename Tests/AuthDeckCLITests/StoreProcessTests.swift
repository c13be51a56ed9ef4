import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#endif

/// The session store under real processes: many at once, killed mid-write, a full disk,
/// and a store that others could read or that is a link. Serialized: these tests start
/// dozens of processes and the machine has two cores.
@Suite("Session store with real processes", .serialized)
struct StoreProcessTests {
  /// Every session file parses, is schema 1, names the session its file is named for, and is 0600.
  static func checkEverySessionIsWhole(_ box: CLISandbox, _ context: String) {
    for name in entries(box.sessions) where !name.hasPrefix(".") {
      let path = box.sessions + "/" + name
      guard let object = StoreFormat.json(path) else {
        Issue.record(
          "\(context): \(name) is not JSON: \(String(decoding: readBytes(path) ?? Data(), as: UTF8.self))")
        continue
      }
      #expect(object["version"] as? Int == 1, "\(context): \(name)")
      let id = (object["session"] as? [String: Any])?["id"] as? String ?? "?"
      #expect(StoreFormat.path(root: box.storeRoot, id: id) == path, "\(context): \(name) holds \(id)")
      #expect(mode(of: path) == 0o600, "\(context): \(name)")
    }
  }

  // MARK: Two (or fourteen) processes at once

  @Test("many processes at once lose nothing, and rotate the refresh token once")
  func manyProcessesAtOnceLoseNothingAndRotateTheRefreshTokenOnce() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let path = try CLITests.logIn(box, server, "limio/x", thenExpiringIn: -60)
        let original = try #require(StoreFormat.tokens(path)?["refresh_token"] as? String)

        // Eight service logins and six `token` calls on the one expired session, interleaved.
        var children: [ChildProcess] = []
        for index in 0..<8 {
          children.append(
            try ChildProcess([box.binary, "login", "svc/a\(index)"], environment: box.environment))
          if index < 6 {
            children.append(try ChildProcess([box.binary, "token", "limio/x"], environment: box.environment))
          }
        }
        let results = children.map { $0.wait(timeout: 60) }
        for result in results { #expect(result.status == 0 && !result.signaled, "\(result)") }

        // Every token call printed the same, refreshed token: one refresh, done once.
        let tokenOutputs = Set(results.filter { !$0.stdout.contains("valid until") }.map(\.stdout))
        let refreshes = try server.tokenRequests().filter { $0.grantType == "refresh_token" }
        #expect(
          refreshes.map { $0.form["refresh_token"] } == [original], "the refresh token is used exactly once")
        let stored = try #require(StoreFormat.tokens(path))
        #expect(tokenOutputs == [(stored["access_token"] as? String ?? "?") + "\n"])
        #expect(stored["refresh_token"] as? String != original)

        // Every session is there and whole.
        Self.checkEverySessionIsWhole(box, "after the crowd")
        for index in 0..<8 {
          #expect(StoreFormat.tokens(box.sessionPath("svc/a\(index)")) != nil, "svc/a\(index)")
        }
        let list = try box.run(["list", "--json"])
        #expect(list.status == 0 && list.stderr.isEmpty, "\(list)")
        let listed = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.count == 9)
      }
    }
  }

  // MARK: kill -9

  @Test("killing writers at random moments never leaves a half-written session")
  func killingWritersAtRandomMomentsNeverLeavesAHalfWrittenSession() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        // Three sessions to overwrite, and how long one write takes.
        var durations: [TimeInterval] = []
        for index in 0..<3 {
          let started = Date()
          #expect(try box.run(["login", "svc/k\(index)"]).status == 0)
          durations.append(Date().timeIntervalSince(started))
        }
        let typical = durations.sorted()[1]
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        var round = 0

        // Twenty writers killed with SIGKILL at a random moment (some finish first; they don't count).
        while killed < 20 && round < 100 {
          let id = "svc/k\(round % 3)"
          let arguments = round % 5 == 4 ? ["logout", id] : ["login", id]
          let child = try ChildProcess([box.binary] + arguments, environment: box.environment)
          // A random moment within the time a whole write takes (the point is the randomness).
          usleep(UInt32.random(in: 0...UInt32(typical * 1_000_000), using: &generator))
          child.kill(SIGKILL)
          if child.wait(timeout: 30).signaled { killed += 1 }
          Self.checkEverySessionIsWhole(box, "round \(round)")
          round += 1
        }
        #expect(killed == 20, "only \(killed) of \(round) writers were killed before they finished")

        let list = try box.run(["list"])
        #expect(list.status == 0, "\(list)")
        #expect(!list.stderr.contains("moved aside"), "\(list)")
        #expect(!entries(box.sessions).contains { $0.contains(".bad-") })

        // A writer killed between its temp file and the rename leaves that temp file behind;
        // it holds tokens, so it must at least be private.
        for name in entries(box.sessions) where name.hasPrefix(".") {
          #expect(mode(of: box.sessions + "/" + name) == 0o600, "\(name)")
        }
        // And the store still works, locks included.
        #expect(try box.run(["login", "svc/k0"]).status == 0)
        #expect(try box.run(["token", "svc/k1"]).status == 0)
      }
    }
  }

  // MARK: A lock holder that dies

  @Test("a writer killed while holding the lock releases it to the next")
  func aWriterKilledWhileHoldingTheLockReleasesItToTheNext() throws {
    try withServer(.lime) { server in
      try withSandbox(config: TestConfig.lime(server)) { box in
        try server.inject("slow", seconds: 20)
        let login = try box.start(["login", "lime/main"])
        defer { login.kill(SIGKILL) }
        try #require(login.stderr.wait(for: "Paste the URL"), "\(login.stderr.text)")
        let url = try #require(CLITests.authorizeURL(in: login.stderr.text, server: server))
        login.send(try server.approve(url) + "\n")

        // The code exchange has reached the (slow) server: the login holds the session's lock.
        #expect(waitUntil(timeout: 20) { (try? server.tokenRequests().count) == 1 })
        let logout = try ChildProcess([box.binary, "logout", "lime/main"], environment: box.environment)
        let queued = waitUntil(timeout: 20) {
          let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
          return locks.split(separator: "\n").contains { $0.contains("->") && $0.contains(" \(logout.pid) ") }
        }
        #expect(queued, "logout waits for the lock")

        login.kill(SIGKILL)
        let result = logout.wait(timeout: 10)
        #expect(result.status == 0 && !result.timedOut, "\(result)")
        #expect(result.stderr.contains("lime/main: logged out"))
        let session = StoreFormat.json(box.sessionPath("lime/main"))?["session"] as? [String: Any]
        #expect(session != nil && session?["pending"] == nil && session?["tokens"] == nil)
      }
    }
  }

  // MARK: A full disk

  @Test("a full disk keeps the previous version, and says so")
  func aFullDiskKeepsThePreviousVersionAndSaysSo() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let before = try #require(box.sessionFile("svc/a"))
        let names = entries(box.sessions)

        // No file may grow past 0 bytes; SIGXFSZ is ignored so that write(2) fails with EFBIG.
        let result = try box.runShell("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"", ["login", "svc/a"])
        #expect(result.status == 1 && !result.signaled, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains("could not save svc/a"), "\(result)")
        #expect(result.stderr.contains("previous version is kept"), "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(box.sessionFile("svc/a") == before, "the old file is byte for byte the same")
        #expect(entries(box.sessions) == names, "no temp file left behind")
        #expect(try server.tokenRequests().count == 2, "the token was fetched, only saving failed")
      }
    }
  }

  // MARK: Modes and links (OpenSSH's rule)

  @Test("a session file others can read is refused, with the chmod to run")
  func aSessionFileOthersCanReadIsRefusedWithTheChmodToRun() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let path = box.sessionPath("svc/a")
        chmod(path, 0o644)
        let before = try #require(box.sessionFile("svc/a"))

        let token = try box.run(["token", "svc/a"])
        #expect(token.status == 1, "\(token)")
        #expect(token.stdout.isEmpty, "no token from a file others could read")
        #expect(
          token.stderrLines == [
            "authdeck: \(path) is accessible by others (mode 644); run: chmod 600 \(path)"
          ])

        let login = try box.run(["login", "svc/a"])
        #expect(login.status == 1, "\(login)")
        #expect(login.stderr.contains("chmod 600 \(path)"))

        let list = try box.run(["list"])
        #expect(list.stderr.contains("chmod 600 \(path)"), "\(list)")

        #expect(box.sessionFile("svc/a") == before)
        #expect(mode(of: path) == 0o644, "AuthDeck names the chmod; it does not run it")
      }
    }
  }

  @Test("a session file that is a FIFO is refused at once by token, list and logout, without hanging")
  func aSessionFileThatIsAFIFOIsRefusedAtOnce() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let path = box.sessionPath("svc/a")
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)

        // ChildProcess's timeout (60 s) would report a hang as a failure, not wait forever.
        for arguments in [["token", "svc/a"], ["logout", "svc/a"]] {
          let result = try box.run(arguments)
          #expect(result.status == 1 && !result.signaled, "\(arguments): \(result)")
          #expect(result.stderr.contains("\(path) is not a regular file"), "\(arguments): \(result)")
        }
        let list = try box.run(["list"])
        #expect(list.stderr.contains("is not a regular file"), "\(list)")
      }
    }
  }

  @Test("a session file larger than 1 MiB is refused without being read")
  func aSessionFileLargerThanOneMiBIsRefused() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let path = box.sessionPath("svc/a")
        #expect(truncate(path, 2 << 20) == 0)

        let token = try box.run(["token", "svc/a"])
        #expect(token.status == 1, "\(token)")
        #expect(token.stdout.isEmpty)
        #expect(
          token.stderrLines == ["authdeck: \(path) is 2097152 bytes, larger than any session; move it away"])
      }
    }
  }

  @Test("a session file owned by another user is refused on the fast path, with the chown to run")
  func aSessionFileOwnedByAnotherUserIsRefused() throws {
    // Only root can give a file away; elsewhere this case cannot be set up.
    guard geteuid() == 0 else { return }
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let path = box.sessionPath("svc/a")
        #expect(chown(path, 65534, 65534) == 0)

        let token = try box.run(["token", "svc/a"])
        #expect(token.status == 1, "\(token)")
        #expect(token.stdout.isEmpty, "a token another user could have written is not handed out")
        #expect(
          token.stderrLines == ["authdeck: \(path) belongs to another user (uid 65534); run: chown 0 \(path)"]
        )
      }
    }
  }

  @Test("a store folder others can read is refused, with the chmod to run")
  func aStoreFolderOthersCanReadIsRefusedWithTheChmodToRun() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        chmod(box.sessions, 0o755)
        let before = CLITests.sessionFiles(box)

        for arguments in [["token", "svc/a"], ["login", "svc/b"], ["list"]] {
          let result = try box.run(arguments)
          #expect(result.status == 1, "\(arguments): \(result)")
          #expect(result.stderr.contains("run: chmod 700 \(box.sessions)"), "\(arguments): \(result)")
        }
        #expect(CLITests.sessionFiles(box) == before)
      }
    }
  }

  @Test("a store that is a symbolic link is refused")

  func aStoreThatIsASymlinkIsRefused() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        let elsewhere = box.directory + "/elsewhere"
        mkdir(elsewhere, 0o700)
        #expect(symlink(elsewhere, box.storeRoot) == 0)

        let result = try box.run(["login", "svc/a"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("symbolic link"), "\(result)")
        #expect(entries(elsewhere).isEmpty, "nothing was written through the link")
      }
    }
  }

  @Test("a session file that is a symbolic link is refused, and its target left untouched")
  func aSessionFileThatIsASymlinkIsRefusedAndItsTargetUntouched() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/other"]).status == 0)
        let target = box.directory + "/precious.txt"
        try writeFile(target, Data("precious\n".utf8))
        #expect(symlink(target, box.sessionPath("svc/a")) == 0)

        let token = try box.run(["token", "svc/a"])
        #expect(token.status == 1, "\(token)")
        #expect(token.stderr.contains("symbolic link"), "\(token)")
        let login = try box.run(["login", "svc/a"])
        #expect(login.status == 1, "\(login)")
        #expect(login.stderr.contains("symbolic link"), "\(login)")

        #expect(readBytes(target) == Data("precious\n".utf8))
        #expect(mode(of: target) == 0o600)
      }
    }
  }

  @Test("a corrupt session is moved aside, kept private, and reported")
  func aCorruptSessionIsMovedAsideKeptPrivateAndReported() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let garbage = Data("{\"version\": 1, \"session\": {\"id\": \"svc/a\", \"gra".utf8)
        try writeFile(box.sessionPath("svc/a"), garbage)

        let list = try box.run(["list"])
        #expect(list.status == 0, "\(list)")
        #expect(list.stderr.contains("moved aside to"), "\(list)")
        let aside = entries(box.sessions).filter { $0.contains(".bad-") }
        try #require(aside.count == 1, "\(entries(box.sessions))")
        #expect(readBytes(box.sessions + "/" + aside[0]) == garbage, "the corrupt bytes are kept")
        #expect(mode(of: box.sessions + "/" + aside[0]) == 0o600)

        // And the session can be logged in again.
        #expect(try box.run(["login", "svc/a"]).status == 0)
        #expect(StoreFormat.tokens(box.sessionPath("svc/a")) != nil)
      }
    }
  }

  @Test("token and logout on a corrupt session say it was moved aside, as the other commands do")
  func corruptSessionSaidByTokenAndLogout() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/a"]).status == 0)
        let garbage = Data("{\"version\": 1, \"session\": {\"id\": \"svc/a\", \"gra".utf8)
        for command in [["token", "svc/a"], ["logout", "svc/a"]] {
          try writeFile(box.sessionPath("svc/a"), garbage)
          let result = try box.run(command)
          #expect(result.status == 1, "\(command): \(result)")
          #expect(
            result.stderr.contains("svc/a: the stored session was unreadable; moved aside to"),
            "not 'never logged in' nor 'no session': \(command): \(result.stderr)")
        }
      }
    }
  }

  @Test("a session file from another version is moved aside, whatever number it claims")
  func aSessionFileFromAnotherVersionIsMovedAsideWhateverNumberItClaims() throws {
    try withServer(.limio) { server in
      try withSandbox(config: TestConfig.limio(server)) { box in
        #expect(try box.run(["login", "svc/ok"]).status == 0)
        let future = Data(#"{"version":2,"session":{}}"#.utf8)
        let absurd = Data(#"{"version":1e20,"session":{}}"#.utf8)
        try writeFile(box.sessionPath("svc/future"), future)
        try writeFile(box.sessionPath("svc/absurd"), absurd)

        let list = try box.run(["list"])
        #expect(!list.signaled && list.status == 0, "\(list)")
        #expect(list.stderr.contains("schema 2"), "\(list)")
        #expect(list.stderrLines.filter { $0.contains("moved aside") }.count == 2, "\(list)")
        #expect(entries(box.sessions).filter { $0.contains(".bad-") }.count == 2, "\(entries(box.sessions))")
        #expect(list.stdout.contains("svc/ok"), "the good session is still listed")
      }
    }
  }
}
