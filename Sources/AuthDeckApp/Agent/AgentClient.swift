import AuthDeckCore
import AuthDeckNet
import Foundation

/// Who asked the agent: the process at the other end of the socket, as the kernel names it.
public struct AgentCaller: Sendable, Equatable {
  public var pid: Int32
  /// The program's name (`/proc/PID/comm`), when it could be read.
  public var program: String?
  /// When the process started (`/proc/PID/stat`), so that a pid used again is another caller.
  public var startTime: UInt64?
  /// Whether the request came over SSH: OpenSSH's `ssh` forwards a remote socket to this one
  /// (`ssh -R`), so the process connected here is the `ssh` client.
  public var forwarded: Bool { program == "ssh" }

  public init(pid: Int32, program: String?, startTime: UInt64? = nil) {
    self.pid = pid
    self.program = program
    self.startTime = startTime
  }

  /// "pid 4242 (curl)" or "ssh (pid 4242), forwarded".
  public var description: String {
    forwarded ? "a forwarded connection (ssh, pid \(pid))" : "pid \(pid)" + (program.map { " (\($0))" } ?? "")
  }
}

/// A client of the agent: the commands when `AUTHDECK_SOCK` names its socket.
public struct AgentClient: Sendable {
  public let path: String
  /// How long an answer other than `wait`'s may take, unless a notice says to wait longer.
  public let timeout: TimeInterval

  public init(path: String, timeout: TimeInterval = AgentProtocol.timeout) {
    self.path = path
    self.timeout = timeout
  }

  /// The agent `AUTHDECK_SOCK` names, if it names one.
  public static func named(by value: String?) -> AgentClient? {
    guard let value, !value.isEmpty else { return nil }
    return AgentClient(path: value)
  }

  /// The answer to `request`; what the agent refused comes back as `.agent(…)`. A notice the
  /// agent sends first (it waits for the board's approval) goes to `noticed`, and the answer is
  /// then waited for as long as the notice says.
  public func ask(_ request: AgentRequest, noticed: (AgentNotice) -> Void = Self.sayOnStderr)
    throws(AuthDeckError) -> AgentAnswer
  {
    let socket = try UnixSocket.connect(to: path)
    defer { socket.close() }
    var deadline = Date().addingTimeInterval(timeout)
    // An agent that refuses the caller answers at once and hangs up, perhaps before the
    // request is written: its answer is read even when the write failed.
    let written = Self.result(socket.write(request.line, deadline: deadline))
    if case .wait(_, let timeout) = request {
      deadline = Date().addingTimeInterval((timeout ?? AgentProtocol.longestWait) + self.timeout)
    }
    var rest: [UInt8] = []
    while true {
      switch socket.readLine(limit: AgentProtocol.answerLimit, deadline: deadline, rest: &rest) {
      case .success(let line):
        if let notice = AgentNotice.parse(line) {
          noticed(notice)
          deadline = max(deadline, Date().addingTimeInterval(notice.seconds + timeout))
          continue
        }
        let answer: AgentAnswer
        do throws(AgentFailure) { answer = try AgentAnswer.parse(line, to: request) } catch {
          throw .agent(error)
        }
        if case .failure(let failure) = answer { throw .agent(failure) }
        return answer
      case .failure(let failure):
        if case .write(let writeFailure) = written { throw unreachable(writeFailure) }
        throw unreachable(failure)
      }
    }
  }

  /// A notice as the commands show it: one line on stderr, as their other notes.
  public static func sayOnStderr(_ notice: AgentNotice) {
    Console.error("the agent: \(notice.message)")
  }

  private enum Outcome { case done, write(UnixSocket.Failure) }

  private static func result(_ result: Result<Void, UnixSocket.Failure>) -> Outcome {
    if case .failure(let failure) = result { return .write(failure) }
    return .done
  }

  private func unreachable(_ failure: UnixSocket.Failure) -> AuthDeckError {
    let why: String
    switch failure {
    case .closed: why = "it closed the connection without an answer"
    case .timedOut: why = "it did not answer in time"
    case .tooLong: why = "its answer is too long"
    case .system(let reason): why = reason
    }
    return .agent(AgentFailure(.unreachable, "the agent at \(path): \(why)"))
  }
}

extension AgentClient {
  /// A valid token of `id` from the agent.
  public func token(_ id: SessionID, minValid: TimeInterval = 0, idToken: Bool = false) throws(AuthDeckError)
    -> HandedToken
  {
    guard case .token(let handed) = try ask(.token(id, minValid: minValid, idToken: idToken)) else {
      throw .agent(AgentFailure(.unreachable, "the agent at \(path) answered something else"))
    }
    return handed
  }
}
