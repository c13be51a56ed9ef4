import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The test servers are scripts that listen on 127.0.0.1 on a free port and say so with one line,
// "PORT <n>", on stdout: started here, waited for by that line (an event, not a sleep).

public enum ServerProcess {
  /// Tests/Support/NAME: this file is Tests/AuthDeckTestSupport/ServerProcess.swift.
  public static func supportScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Support/" + name).path
  }

  /// The package's root folder (where .build-python is).
  public static let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// Starts `argv` and returns it with the port it printed; a server that exits or says
  /// something else is killed, and the error carries what it printed.
  public static func start(_ argv: [String], environment: [String: String]? = nil, name: String) throws
    -> (child: ChildProcess, port: Int)
  {
    let child = try ChildProcess(argv, environment: environment)
    // The server prints "PORT <n>" once it listens; an early exit ends the pipe instead.
    child.stdout.wait(timeout: 30) { $0.hasSuffix("\n") }
    let line = child.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
      child.kill(SIGKILL)
      let result = child.wait(timeout: 5)
      throw TestServerError(message: "\(name) did not start: \(result)")
    }
    return (child, port)
  }
}

extension ServerProcess {
  /// What the person at a device login's verification page does with `userCode`, told to a
  /// test server's control endpoint `url` as {"user_code", "decision": "approve" | "deny"}.
  public static func decideDevice(_ userCode: String, approve: Bool, at url: String) throws {
    let body = String(
      decoding: try JSONSerialization.data(withJSONObject: [
        "user_code": userCode, "decision": approve ? "approve" : "deny",
      ]), as: UTF8.self)
    let answer = try Curl.request(url, method: "POST", body: body)
    try required(answer.status == 200, "the server knows no device login \(userCode): \(answer.body)")
  }
}

public struct TestServerError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }

  public init(message: String) { self.message = message }
}
