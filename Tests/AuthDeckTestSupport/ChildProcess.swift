import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Child processes for the tests: the OAuth test server, curl, and the real authdeck binary.
// Output is collected by a reading thread, so a test can wait for a line to appear (an
// event) instead of sleeping, and waiting for an exit has a bound as a safety net only.

/// Everything a pipe delivered so far, and a way to wait for more.
public final class OutputCollector: @unchecked Sendable {
  private let condition = NSCondition()
  private var buffer = Data()
  private var ended = false
  private let pipe: Pipe

  public init(_ pipe: Pipe) {
    self.pipe = pipe
    let fd = pipe.fileHandleForReading.fileDescriptor
    Thread.detachNewThread { [self] in
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        condition.lock()
        if n > 0 { buffer.append(contentsOf: chunk[0..<n]) } else { ended = true }
        condition.broadcast()
        condition.unlock()
        if n <= 0 { break }
      }
    }
  }

  public var data: Data {
    condition.lock()
    defer { condition.unlock() }
    return buffer
  }

  public var text: String { String(decoding: data, as: UTF8.self) }

  /// Waits until `predicate` holds for the text so far, the pipe ends, or the timeout passes.
  @discardableResult
  public func wait(timeout: TimeInterval, until predicate: (String) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    condition.lock()
    defer { condition.unlock() }
    while true {
      if predicate(String(decoding: buffer, as: UTF8.self)) { return true }
      if ended || !condition.wait(until: deadline) {
        return predicate(String(decoding: buffer, as: UTF8.self))
      }
    }
  }

  /// Waits for the text to contain `needle`.
  @discardableResult
  public func wait(for needle: String, timeout: TimeInterval = 20) -> Bool {
    wait(timeout: timeout) { $0.contains(needle) }
  }

  /// Waits for end of file (every writer closed the pipe).
  @discardableResult
  public func waitForEnd(timeout: TimeInterval) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    condition.lock()
    defer { condition.unlock() }
    while !ended {
      if !condition.wait(until: deadline) { return ended }
    }
    return true
  }
}

public struct ProcessResult: Sendable, CustomStringConvertible {
  public var status: Int32
  /// True when the process died of a signal; `status` is then the signal number.
  public var signaled: Bool
  public var stdout: String
  public var stderr: String
  public var timedOut: Bool

  public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }

  public var description: String {
    "exit \(signaled ? "signal " : "")\(status)\(timedOut ? " (timed out)" : "")\nstdout: \(stdout)\nstderr: \(stderr)"
  }
}

/// A running child with its stdout and stderr collected. stdin is /dev/null, fixed text, or a pipe.
public final class ChildProcess: @unchecked Sendable {
  public enum Input {
    case null
    case text(String)
    case pipe
  }

  private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

  public let process = Process()
  public let stdout: OutputCollector
  public let stderr: OutputCollector
  private let input: Pipe?
  private let exited = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var result: ProcessResult?
  public let started = Date()

  /// Starts `argv` (a path, or a name looked up on PATH) with exactly `environment`
  /// (nil: this process's environment).
  public init(_ argv: [String], environment: [String: String]? = nil, input: Input = .null) throws {
    _ = Self.ignoreSIGPIPE
    if argv[0].contains("/") {
      process.executableURL = URL(fileURLWithPath: argv[0])
      process.arguments = Array(argv.dropFirst())
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = argv
    }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    switch input {
    case .null:
      process.standardInput = FileHandle.nullDevice
      self.input = nil
    case .text, .pipe:
      let pipe = Pipe()
      process.standardInput = pipe
      self.input = pipe
    }
    // Close-on-exec on our ends, so that children other tests start meanwhile do not
    // inherit them (Foundation's spawn dup2s the child's end to 0/1/2, which clears the flag).
    for pipe in [out, err] + (self.input.map { [$0] } ?? []) {
      for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
        _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
      }
    }
    stdout = OutputCollector(out)
    stderr = OutputCollector(err)
    process.terminationHandler = { [exited] _ in exited.signal() }
    // Test threads (dispatch workers) block most signals, and a spawned child inherits the
    // mask: the server would never see SIGTERM. Spawn with an empty mask, then restore ours.
    var empty = sigset_t()
    var previous = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &previous)
    do {
      try process.run()
    } catch {
      pthread_sigmask(SIG_SETMASK, &previous, nil)
      throw error
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    if case .text(let text) = input {
      send(text)
      closeInput()
    }
  }

  public var pid: pid_t { process.processIdentifier }

  /// Writes to the child's stdin (ignored when the child has gone).
  public func send(_ text: String) {
    try? input?.fileHandleForWriting.write(contentsOf: Data(text.utf8))
  }

  public func closeInput() {
    try? input?.fileHandleForWriting.close()
  }

  public func kill(_ signal: Int32) {
    lock.lock()
    defer { lock.unlock() }
    // Only while it runs: once reaped, its pid could belong to someone else.
    if result == nil && process.isRunning { _ = Glibc.kill(pid, signal) }
  }

  /// Waits for the exit (killing the child after `timeout`, a safety net) and returns what it printed.
  @discardableResult
  public func wait(timeout: TimeInterval = 60) -> ProcessResult {
    lock.lock()
    if let result {
      lock.unlock()
      return result
    }
    lock.unlock()
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
      timedOut = true
      _ = Glibc.kill(pid, SIGKILL)
      exited.wait()
    }
    process.waitUntilExit()  // returns at once: the termination handler already ran
    closeInput()
    // The pipes end when the child and anything it started have closed them.
    stdout.waitForEnd(timeout: 5)
    stderr.waitForEnd(timeout: 5)
    let finished = ProcessResult(
      status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
      stdout: stdout.text, stderr: stderr.text, timedOut: timedOut)
    lock.lock()
    result = finished
    lock.unlock()
    return finished
  }

  /// Runs `argv` to completion.
  public static func run(
    _ argv: [String], environment: [String: String]? = nil, input: String? = nil, timeout: TimeInterval = 60
  ) throws -> ProcessResult {
    let child = try ChildProcess(argv, environment: environment, input: input.map { .text($0) } ?? .null)
    return child.wait(timeout: timeout)
  }
}

// MARK: curl, the independent HTTP client of the tests

public enum Curl {
  /// Where an authorize URL redirects to, without following it: what a browser would be sent to.
  public static func redirectTarget(of url: String) throws -> String {
    let result = try ChildProcess.run(
      ["curl", "-s", "--noproxy", "*", "-o", "/dev/null", "-w", "%{redirect_url}", url], timeout: 20)
    try required(result.status == 0, "curl failed: \(result)")
    return result.stdout
  }

  /// GET (or POST with a body), returning the status line's code, the headers and the body.
  public static func request(
    _ url: String, method: String = "GET", body: String? = nil, contentType: String = "application/json"
  ) throws -> (status: Int, headers: String, body: String) {
    var argv = ["curl", "-s", "--noproxy", "*", "-D", "/dev/stderr", "-X", method, url]
    if let body { argv += ["-H", "Content-Type: \(contentType)", "--data-binary", body] }
    let result = try ChildProcess.run(argv, timeout: 20)
    try required(result.status == 0, "curl failed: \(result)")
    let statusLine = result.stderr.split(separator: "\r\n").first ?? ""
    let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return (status, result.stderr, result.stdout)
  }
}
