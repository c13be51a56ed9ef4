import AuthDeckApp
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Testing

/// The agent's socket against hostile and clumsy callers: a request too long, too slow,
/// malformed, a caller that leaves, more callers than it takes at once. Its answers come from a
/// service whose configuration cannot be read, so nothing here reaches a provider.
@Suite("The agent's socket, against hostile callers")
struct AgentServerTests {
  final class Running: Sendable {
    let server: AgentServer
    let directory: String
    let finished = DispatchSemaphore(value: 0)

    init(timeout: TimeInterval = 0.3) throws {
      directory = makeTemporaryDirectory()
      let service = AgentService(
        service: { () throws(AuthDeckError) in throw .config("/nowhere/config.toml: cannot be read") },
        approver: Refusing())
      server = try AgentServer(path: directory + "/agent.sock", service: service, timeout: timeout)
      Thread.detachNewThread { [self] in
        server.run()
        finished.signal()
      }
    }

    /// Sends `text` (as is: no newline is added) and reads the answer's line.
    func exchange(_ text: String, close: Bool = false) throws -> String {
      let socket = try UnixSocket.connect(to: server.path)
      defer { socket.close() }
      _ = socket.write(text, deadline: Date().addingTimeInterval(5))
      switch socket.readLine(limit: 1 << 20, deadline: Date().addingTimeInterval(10)) {
      case .success(let line): return String(decoding: line, as: UTF8.self)
      case .failure(let failure): return "no answer: \(failure)"
      }
    }

    func stop() {
      server.stop()
      _ = finished.wait(timeout: .now() + 10)
      try? FileManager.default.removeItem(atPath: directory)
    }
  }

  func kind(_ line: String) -> String? {
    guard let value = try? JSONValue.parse(Array(line.utf8)) else { return nil }
    return value["error"]?["kind"]?.string
  }

  @Test("a request longer than the limit is refused unread to its end")
  func tooLong() throws {
    let agent = try Running()
    defer { agent.stop() }
    let answer = try agent.exchange(String(repeating: "x", count: AgentProtocol.requestLimit + 10))
    #expect(kind(answer) == "bad_request")
    #expect(answer.contains("at most \(AgentProtocol.requestLimit) bytes"))
  }

  @Test("a request that never ends is cut off at the timeout, with an answer")
  func tooSlow() throws {
    let agent = try Running(timeout: 0.3)
    defer { agent.stop() }
    let start = Date()
    let answer = try agent.exchange("{\"version\":1,\"op\":")
    #expect(kind(answer) == "bad_request" && answer.contains("no whole request within"), "\(answer)")
    #expect(Date().timeIntervalSince(start) < 5)
  }

  @Test(
    "malformed requests get an error each, and the agent goes on",
    arguments: [
      ("garbage\n", "bad_request"), ("{\"version\":2,\"op\":\"status\"}\n", "unsupported_version"),
      ("\u{0}\u{1}\u{2}\n", "bad_request"),
      ("{\"version\":1,\"op\":\"token\",\"id\":\"x\"}\n", "bad_request"),
    ])
  func malformed(text: String, expected: String) throws {
    let agent = try Running()
    defer { agent.stop() }
    #expect(kind(try agent.exchange(text)) == expected)
    // Still serving: a well-formed request reaches the service (whose configuration fails).
    let answer = try agent.exchange(AgentRequest.status.line)
    #expect(kind(answer) == "failed" && answer.contains("its configuration"), "\(answer)")
  }

  @Test("a caller that connects and leaves costs nothing; the next one is answered")
  func callerLeaves() throws {
    let agent = try Running()
    defer { agent.stop() }
    for _ in 0..<20 {
      let socket = try UnixSocket.connect(to: agent.server.path)
      _ = socket.write("{\"version\":1", deadline: Date().addingTimeInterval(1))
      socket.close()
    }
    #expect(kind(try agent.exchange(AgentRequest.status.line)) == "failed")
  }

  @Test("more callers at once than it takes: the rest are told it is busy, and it recovers")
  func busy() throws {
    let agent = try Running(timeout: 2)
    defer { agent.stop() }
    // Connections that say nothing hold their threads until the timeout.
    let idle = try (0..<40).map { _ in try UnixSocket.connect(to: agent.server.path) }
    let answers = idle.map { socket -> String in
      switch socket.readLine(limit: 4096, deadline: Date().addingTimeInterval(0.5)) {
      case .success(let line): return String(decoding: line, as: UTF8.self)
      case .failure: return ""
      }
    }
    #expect(answers.filter { kind($0) == "refused" }.count >= 40 - 32, "\(answers)")
    idle.forEach { $0.close() }
    // Once they are gone (each thread ends at its timeout), it answers again.
    var answer = ""
    #expect(
      waitUntil(timeout: 10) {
        answer = (try? agent.exchange(AgentRequest.status.line)) ?? ""
        return kind(answer) == "failed"
      }, "\(answer)")
  }

  @Test("its socket is 0600 from the start, and gone once it stops")
  func socketFile() throws {
    let agent = try Running()
    var status = stat()
    #expect(lstat(agent.server.path, &status) == 0)
    #expect(status.st_mode & 0o777 == 0o600)
    agent.server.stop()
    _ = agent.finished.wait(timeout: .now() + 10)
    #expect(!FileManager.default.fileExists(atPath: agent.server.path))
    try? FileManager.default.removeItem(atPath: agent.directory)
  }

  @Test("opening sockets leaves the umask alone: folders other threads make meanwhile keep their mode")
  func umaskUntouched() throws {
    let directory = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let listened = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      for index in 0..<300 {
        let path = directory + "/s\(index).sock"
        (try? UnixSocket.listen(at: path))?.close()
        unlink(path)
      }
      listened.signal()
    }
    var modes: Set<mode_t> = []
    for index in 0..<300 {
      let folder = directory + "/d\(index)"
      mkdir(folder, 0o700)
      var status = stat()
      lstat(folder, &status)
      modes.insert(status.st_mode & 0o777)
    }
    listened.wait()
    #expect(modes == [0o700])
  }

  @Test("a second agent on a live socket is refused; a socket left by a dead one is replaced")
  func secondAgent() throws {
    let agent = try Running()
    defer { agent.stop() }
    let service = AgentService(
      service: { () throws(AuthDeckError) in throw .other("x") }, approver: Refusing())
    #expect(throws: AuthDeckError.other("an agent already listens on \(agent.server.path)")) {
      try AgentServer(path: agent.server.path, service: service)
    }
    // A stale socket: bound, then its listener closed without removing the file.
    let stale = agent.directory + "/stale.sock"
    UnixSocket(fd: try UnixSocket.listen(at: stale).fd).close()
    let replacing = try AgentServer(path: stale, service: service)
    replacing.stop()
    replacing.run()
    #expect(!FileManager.default.fileExists(atPath: stale))
  }

  @Test("an agent that stops removes its own socket, never another agent's that replaced it")
  func removesOnlyItsOwnSocket() throws {
    let first = try Running()
    defer { try? FileManager.default.removeItem(atPath: first.directory) }
    unlink(first.server.path)
    let second = try AgentServer(
      path: first.server.path,
      service: AgentService(
        service: { () throws(AuthDeckError) in throw .other("x") }, approver: Refusing()))
    first.server.stop()
    _ = first.finished.wait(timeout: .now() + 10)
    #expect(FileManager.default.fileExists(atPath: second.path), "the second agent's socket stays")
    second.stop()
    second.run()
    #expect(!FileManager.default.fileExists(atPath: second.path), "and goes when that agent stops")
  }

  /// A stand-in agent that answers one request after `delay`, with a notice first when asked.
  func slowAgent(at path: String, notice: Bool, delay: TimeInterval) throws {
    let listener = try UnixSocket.listen(at: path)
    Thread.detachNewThread {
      defer { listener.close() }
      var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)]
      guard poll(&fds, 1, 10_000) == 1, let connection = listener.accept() else { return }
      _ = connection.readLine(limit: 1 << 16, deadline: Date().addingTimeInterval(5))
      let waiting = AgentNotice("waiting for svc's tokens to be allowed on the board", seconds: 5)
      if notice { connection.write(waiting.line, deadline: Date().addingTimeInterval(1)) }
      Thread.sleep(forTimeInterval: delay)  // the person deciding
      connection.write(AgentAnswer.ready.line, deadline: Date().addingTimeInterval(1))
      connection.closeAfterAnswer()
    }
  }

  @Test("a client told the answer waits for a person waits for it, past its usual timeout")
  func noticeExtendsTheWait() throws {
    let directory = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try slowAgent(at: directory + "/told.sock", notice: true, delay: 1)
    var notices: [AgentNotice] = []
    let client = AgentClient(path: directory + "/told.sock", timeout: 0.3)
    let answer = try client.ask(.wait([SessionID(provider: "svc", account: "bot")], timeout: 0)) {
      notices.append($0)
    }
    #expect(answer == .ready)
    #expect(notices.map(\.message) == ["waiting for svc's tokens to be allowed on the board"])

    try slowAgent(at: directory + "/silent.sock", notice: false, delay: 1)
    let silent = AgentClient(path: directory + "/silent.sock", timeout: 0.3)
    #expect(throws: AuthDeckError.self, "without a notice, the usual timeout") {
      try silent.ask(.wait([SessionID(provider: "svc", account: "bot")], timeout: 0)) { _ in }
    }
  }

  @Test("the default socket's folder is made 0700, and refused when others can enter it")
  func defaultFolder() throws {
    let runtime = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let path = AgentSocketPath.defaultPath(environment: ["XDG_RUNTIME_DIR": runtime])
    #expect(path == runtime + "/authdeck/agent.sock")
    try AgentSocketPath.prepareFolder(of: path, isDefault: true)
    var status = stat()
    #expect(lstat(runtime + "/authdeck", &status) == 0 && status.st_mode & 0o777 == 0o700)
    chmod(runtime + "/authdeck", 0o755)
    #expect(throws: AuthDeckError.self) { try AgentSocketPath.prepareFolder(of: path, isDefault: true) }
    #expect(AgentSocketPath.defaultPath(environment: [:]) == "/tmp/authdeck-\(getuid())/agent.sock")
  }
}

/// An approver with no board: every "confirm" caller is refused, unasked.
struct Refusing: AgentApprover {
  func known(provider: String, caller: AgentCaller) -> Bool? { nil }
  func ask(provider: String, caller: AgentCaller, hungUp: () -> Bool, waiting: () -> Void) -> Bool { false }
}
