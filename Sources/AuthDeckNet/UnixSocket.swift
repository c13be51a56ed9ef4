import AuthDeckCore
import CProcess
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A Unix stream socket: the agent's listening one, its connections, and a client's. Every
/// descriptor is close-on-exec (no child inherits one). Reads and writes take a deadline, so a
/// peer that stalls cannot hold anyone forever.
public struct UnixSocket: Sendable {
  public let fd: Int32

  public init(fd: Int32) { self.fd = fd }

  /// The process at the other end, as the kernel says (SO_PEERCRED): nothing the peer can forge.
  public struct Peer: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
      self.pid = pid
      self.uid = uid
      self.gid = gid
    }

    /// When the peer's process started, in clock ticks since boot (`/proc/PID/stat`, field 22).
    public var startTime: UInt64? {
      guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
      else { return nil }
      // After the command's closing parenthesis: field 3 onwards; the start time is field 22.
      let fields = text[text.index(after: close)...].split(separator: " ")
      return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// The peer's program name (`/proc/PID/comm`), when it can be read.
    public var program: String? {
      guard let text = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
      return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  public enum Failure: Error, Equatable {
    case tooLong
    case timedOut
    case closed
    case system(String)
  }

  static let pathLimit = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

  private static func address(_ path: String) throws(AuthDeckError) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count <= pathLimit else {
      throw .usage("the socket path \(path) is longer than \(pathLimit) bytes; choose a shorter one")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (index, byte) in bytes.enumerated() { buffer[index] = byte }
    }
    return address
  }

  private static func socket() throws(AuthDeckError) -> Int32 {
    let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw .other("cannot create a socket: \(String(cString: strerror(errno)))") }
    return fd
  }

  /// A listening socket at `path`, mode 0600 before anyone can connect: it is made 0600 between
  /// bind and listen, while a connect is still refused. (Not by setting the umask around bind:
  /// the umask is the whole process's, and files other threads make meanwhile would get it.)
  public static func listen(at path: String) throws(AuthDeckError) -> UnixSocket {
    var address = try address(path)
    let fd = try socket()
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard bound == 0 else {
      let reason = String(cString: strerror(errno))
      Glibc.close(fd)
      throw .other("cannot listen on \(path): \(reason)")
    }
    guard chmod(path, 0o600) == 0, Glibc.listen(fd, 64) == 0 else {
      let reason = String(cString: strerror(errno))
      Glibc.close(fd)
      unlink(path)
      throw .other("cannot listen on \(path): \(reason)")
    }
    return UnixSocket(fd: fd)
  }

  /// A connection to the socket at `path`.
  public static func connect(to path: String) throws(AuthDeckError) -> UnixSocket {
    var address = try address(path)
    let fd = try socket()
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0 else {
      var reason = String(cString: strerror(errno))
      Glibc.close(fd)
      var status = stat()
      if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFSOCK {
        reason = "it is not a socket, but a " + (status.st_mode & S_IFMT == S_IFDIR ? "folder" : "file")
      }
      throw .agent(AgentFailure(.unreachable, "cannot reach the agent at \(path): \(reason)"))
    }
    return UnixSocket(fd: fd)
  }

  /// The next connection, close-on-exec from the start; nil when none is waiting.
  public func accept() -> UnixSocket? {
    let connection = authdeck_accept_cloexec(fd)
    return connection >= 0 ? UnixSocket(fd: connection) : nil
  }

  public var peer: Peer? {
    var (pid, uid, gid): (Int32, UInt32, UInt32) = (0, 0, 0)
    guard authdeck_peer_credentials(fd, &pid, &uid, &gid) == 0 else { return nil }
    return Peer(pid: pid, uid: uid, gid: gid)
  }

  /// Bytes up to a newline (not included), at most `limit` of them, by `deadline`. What was
  /// read past the newline is dropped: for a peer that sends one line.
  public func readLine(limit: Int, deadline: Date) -> Result<[UInt8], Failure> {
    var rest: [UInt8] = []
    return readLine(limit: limit, deadline: deadline, rest: &rest)
  }

  /// The same for a peer that sends several lines: `rest` holds what was read past the newline,
  /// and the next call starts from it.
  public func readLine(limit: Int, deadline: Date, rest: inout [UInt8]) -> Result<[UInt8], Failure> {
    var line = rest
    rest = []
    if let newline = line.firstIndex(of: 0x0A) {
      rest = Array(line[(newline + 1)...])
      line.removeSubrange(newline...)
      return line.count <= limit ? .success(line) : .failure(.tooLong)
    }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      if line.count > limit { return .failure(.tooLong) }
      switch wait(for: Int16(POLLIN), until: deadline) {
      case .failure(let failure): return .failure(failure)
      case .success: break
      }
      let count = Glibc.read(fd, &buffer, buffer.count)
      if count < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return .failure(.system(String(cString: strerror(errno))))
      }
      if count == 0 { return .failure(.closed) }
      if let newline = buffer[..<count].firstIndex(of: 0x0A) {
        line += buffer[..<newline]
        rest = Array(buffer[(newline + 1)..<count])
        return line.count <= limit ? .success(line) : .failure(.tooLong)
      }
      line += buffer[..<count]
    }
  }

  /// Writes all of `text`, by `deadline`.
  @discardableResult
  public func write(_ text: String, deadline: Date) -> Result<Void, Failure> {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      if case .failure(let failure) = wait(for: Int16(POLLOUT), until: deadline) { return .failure(failure) }
      let written = bytes[offset...].withUnsafeBytes {
        send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if written < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return .failure(.system(String(cString: strerror(errno))))
      }
      offset += written
    }
    return .success(())
  }

  /// Whether the peer hung up, without reading what it may still send.
  public var peerHungUp: Bool {
    let hangUp = Int16(authdeck_pollrdhup())
    var poller = pollfd(fd: fd, events: hangUp, revents: 0)
    return poll(&poller, 1, 0) > 0 && poller.revents & (hangUp | Int16(POLLHUP | POLLERR)) != 0
  }

  private func wait(for events: Int16, until deadline: Date) -> Result<Void, Failure> {
    while true {
      let left = deadline.timeIntervalSinceNow
      if left <= 0 { return .failure(.timedOut) }
      var poller = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&poller, 1, Int32(min(left * 1000, Double(Int32.max)).rounded(.up)))
      if ready > 0 { return .success(()) }
      if ready < 0, errno != EINTR { return .failure(.system(String(cString: strerror(errno)))) }
    }
  }

  public func close() { _ = Glibc.close(fd) }

  /// Closes after an answer: what the peer sent and was not read (a refused caller's request)
  /// is read and dropped first, for a short while, since closing with unread data resets the
  /// connection and the peer could lose the answer.
  public func closeAfterAnswer() {
    shutdown(fd, Int32(SHUT_WR))
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = Date().addingTimeInterval(0.2)
    var dropped = 0
    while dropped < 64 * 1024, case .success = wait(for: Int16(POLLIN), until: deadline) {
      let count = Glibc.read(fd, &buffer, buffer.count)
      if count <= 0 { break }
      dropped += count
    }
    close()
  }
}
