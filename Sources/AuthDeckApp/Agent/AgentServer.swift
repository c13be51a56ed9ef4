import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck agent`'s socket: it accepts connections, refuses any peer of another user
/// (SO_PEERCRED), and answers each in a thread of its own, so a slow renewal or a long `wait`
/// holds no one else up. A request has `AgentProtocol.requestLimit` bytes and
/// `AgentProtocol.timeout` seconds to arrive; anything malformed gets an error and the
/// connection closed.
public final class AgentServer: Sendable {
  public let path: String
  let listener: UnixSocket
  let service: AgentService
  let wake: WakePipe
  /// How long a request may take to arrive.
  let timeout: TimeInterval
  /// The socket file made here (device and inode): removed at the end only while it is still
  /// this one, not another agent's that replaced it meanwhile.
  let made: (device: UInt64, inode: UInt64)
  private let active = Atomic<Int>(0)
  private let stopped = Atomic<Bool>(false)
  /// Connections answered at once; more are told the agent is busy.
  static let connectionLimit = 32

  /// Listens at `path` (made by `AgentSocketPath`): a socket left by an agent that is gone is
  /// replaced; one a live agent answers on is not.
  public init(path: String, service: AgentService, timeout: TimeInterval = AgentProtocol.timeout)
    throws(AuthDeckError)
  {
    var status = stat()
    if lstat(path, &status) == 0 {
      guard status.st_mode & S_IFMT == S_IFSOCK else {
        throw .usage("\(path) exists and is not a socket; choose another --socket or remove it")
      }
      if let live = try? UnixSocket.connect(to: path) {
        live.close()
        throw .other("an agent already listens on \(path)")
      }
      unlink(path)
    }
    listener = try UnixSocket.listen(at: path)
    var madeStatus = stat()
    lstat(path, &madeStatus)
    made = (UInt64(madeStatus.st_dev), UInt64(madeStatus.st_ino))
    self.path = path
    self.service = service
    self.timeout = timeout
    wake = try WakePipe()
  }

  /// Serves until `stop()` (or, with `untilSignalled`, SIGTERM, SIGINT or SIGHUP), then removes
  /// the socket. `ready` is called once a signal would be handled.
  public func run(untilSignalled: Bool = false, ready: () -> Void = {}) {
    if untilSignalled { TerminationSignals.install(wakingUp: wake.writeEnd) }
    ready()
    defer {
      var status = stat()
      if lstat(path, &status) == 0, UInt64(status.st_dev) == made.device, UInt64(status.st_ino) == made.inode
      {
        unlink(path)
      }
      listener.close()
    }
    while !stopped.load(ordering: .sequentiallyConsistent)
      && !(untilSignalled && TerminationSignals.requested)
    {
      var fds = [
        pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0),
      ]
      guard poll(&fds, 2, -1) > 0 else { continue }
      if fds[1].revents != 0 { wake.drain() }
      guard fds[0].revents != 0, let connection = listener.accept() else { continue }
      guard active.wrappingAdd(1, ordering: .relaxed).newValue <= Self.connectionLimit else {
        active.wrappingSubtract(1, ordering: .relaxed)
        // Said and closed at once: the accept loop does not wait on a flood's callers.
        Self.refuse(connection, AgentFailure(.refused, "the agent is busy; try again"))
        connection.close()
        continue
      }
      let thread = Thread { [self] in
        answer(connection)
        active.wrappingSubtract(1, ordering: .relaxed)
      }
      thread.start()
    }
  }

  /// Ends `run` (from any thread).
  public func stop() {
    stopped.store(true, ordering: .sequentiallyConsistent)
    wake.wake()
  }

  /// One connection: who it is, its request, the answer.
  func answer(_ connection: UnixSocket) {
    defer { connection.closeAfterAnswer() }
    guard let peer = connection.peer else { return }
    guard peer.uid == getuid() else {
      Console.error(
        "agent: refused pid \(peer.pid) of user \(peer.uid): only this user's processes are served")
      Self.refuse(connection, AgentFailure(.refused, "the agent serves only the user it runs as"))
      return
    }
    let caller = AgentCaller(pid: peer.pid, program: peer.program, startTime: peer.startTime)
    let deadline = Date().addingTimeInterval(timeout)
    let answer: AgentAnswer
    switch connection.readLine(limit: AgentProtocol.requestLimit, deadline: deadline) {
    case .success(let line):
      do throws(AgentFailure) {
        let request = try AgentRequest.parse(line)
        answer = service.answer(
          request,
          from: AgentService.Connection(
            caller, hungUp: { connection.peerHungUp },
            notify: { connection.write($0.line, deadline: Date().addingTimeInterval(1)) }))
      } catch {
        answer = .failure(error)
      }
    case .failure(.tooLong):
      answer = .failure(
        AgentFailure(.badRequest, "a request is one line of at most \(AgentProtocol.requestLimit) bytes"))
    case .failure(.timedOut):
      answer = .failure(AgentFailure(.badRequest, "no whole request within \(DurationText.format(timeout))"))
    case .failure:
      return  // the caller left
    }
    connection.write(answer.line, deadline: Date().addingTimeInterval(AgentProtocol.timeout))
  }

  static func refuse(_ connection: UnixSocket, _ failure: AgentFailure) {
    connection.write(AgentAnswer.failure(failure).line, deadline: Date().addingTimeInterval(1))
  }
}

/// Where the agent's socket goes: `$XDG_RUNTIME_DIR/authdeck/agent.sock`, else
/// `/tmp/authdeck-UID/agent.sock`, in a folder of this user's alone (0700), made when missing
/// and refused when anyone else could reach into it.
public enum AgentSocketPath {
  public static func defaultPath(environment: [String: String]) -> String {
    let runtime = environment["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil }
    return (runtime.map { $0 + "/authdeck" } ?? "/tmp/authdeck-\(getuid())") + "/agent.sock"
  }

  /// A `--socket` as given: relative to the working folder, made absolute (clients elsewhere
  /// must find it by the name the agent says).
  public static func chosen(_ path: String) throws(AuthDeckError) -> String {
    guard !path.isEmpty else { throw .usage("--socket needs a path, e.g. --socket ~/.authdeck-agent.sock") }
    guard !path.hasPrefix("/") else { return path }
    return FileManager.default.currentDirectoryPath + "/" + path
  }

  /// Makes the default socket's folder (0700), or checks it: a folder, this user's, no one
  /// else's to enter. A `--socket` elsewhere is the user's choice; its folder must exist.
  public static func prepareFolder(of path: String, isDefault: Bool) throws(AuthDeckError) {
    let folder = (path as NSString).deletingLastPathComponent
    if isDefault, mkdir(folder, 0o700) != 0, errno != EEXIST {
      throw .other("cannot make \(folder): \(String(cString: strerror(errno)))")
    }
    var status = stat()
    guard lstat(folder, &status) == 0 else {
      throw .usage("\(folder) does not exist; make it first, or choose another --socket")
    }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw .usage("\(folder) is not a folder; choose another --socket")
    }
    if isDefault {
      guard status.st_uid == getuid(), status.st_mode & 0o077 == 0 else {
        throw .other("\(folder) must be yours and closed to others (chmod 700) to hold the agent's socket")
      }
    }
  }
}
