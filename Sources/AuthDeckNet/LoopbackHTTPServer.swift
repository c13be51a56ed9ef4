import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

public struct ServerRequest: Sendable, Equatable {
  public var method: String
  public var target: String
  public var headers: [String: String]
  public var body: Data

  public var path: String { String(target.prefix { $0 != "?" }) }
  public var query: Substring {
    guard let mark = target.firstIndex(of: "?") else { return "" }
    return target[target.index(after: mark)...]
  }
}

public struct ServerResponse: Sendable {
  public var status: Int
  public var headers: [(String, String)]
  public var body: Data

  public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  public static func text(_ status: Int, _ text: String) -> ServerResponse {
    ServerResponse(
      status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data(text.utf8))
  }

  public static func html(_ status: Int, _ html: String) -> ServerResponse {
    ServerResponse(
      status: status,
      headers: [
        ("Content-Type", "text/html; charset=utf-8"), ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
      ], body: Data(html.utf8))
  }

  public static func json(_ status: Int, _ object: [String: JSONValue]) -> ServerResponse {
    let body = Data(JSONValue.object(object).serialized.utf8)
    return ServerResponse(
      status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
      body: body)
  }
}

/// A small HTTP/1.1 server bound to loopback addresses only, `Connection: close`. It serves the
/// loopback redirect (RFC 8252 §7.3) and the demo provider.
///
/// Connections are read side by side in one poll loop, each with 2 s to send its request, so
/// one that dawdles (or a dozen) cannot hold up the browser's redirect; the handler is called on
/// the serving thread, one request at a time.
public final class LoopbackHTTPServer: Sendable {
  public let port: UInt16
  private let sockets: [Int32]
  private let wake: WakePipe

  /// Binds now, so a busy port is reported before the browser opens. `host` must be a loopback address.
  public convenience init(host: String = "127.0.0.1", port: UInt16) throws(AuthDeckError) {
    try self.init(hosts: [host], port: port)
  }

  /// Listens where `redirect` points: its address, or for `localhost` both 127.0.0.1 and ::1 on
  /// the same port (a browser may resolve the name to either). Without IPv6 on the machine,
  /// `localhost` is 127.0.0.1 alone; a ::1 port held by another program is refused.
  public convenience init(redirect: URL) throws(AuthDeckError) {
    try self.init(
      hosts: Loopback.listenAddresses(for: redirect), port: UInt16(redirect.port ?? 80),
      ipv6Optional: redirect.host?.lowercased() == "localhost")
  }

  /// The first host decides the port (0: any free one); the others take the same port.
  init(hosts: [String], port: UInt16, ipv6Optional: Bool = false) throws(AuthDeckError) {
    var sockets: [Int32] = []
    var boundPort = port
    for host in hosts {
      guard Loopback.isLoopbackHost(host) else {
        sockets.forEach { close($0) }
        throw .usage("refusing to listen on \(host): loopback only")
      }
      switch Self.listen(on: host, port: boundPort) {
      case .success(let (fd, actual)):
        sockets.append(fd)
        boundPort = actual
      case .failure(let problem):
        let unavailable = problem.code == EADDRNOTAVAIL || problem.code == EAFNOSUPPORT
        if ipv6Optional && host.contains(":") && unavailable && !sockets.isEmpty { continue }
        sockets.forEach { close($0) }
        throw problem.error
      }
    }
    let wake: WakePipe
    do throws(AuthDeckError) {
      wake = try WakePipe()
    } catch {
      sockets.forEach { close($0) }
      throw error
    }
    self.sockets = sockets
    self.port = boundPort
    self.wake = wake
  }

  struct ListenFailure: Error {
    var code: Int32
    var error: AuthDeckError
  }

  /// One listening socket on `host` (an IPv4 or IPv6 literal) and the port it got.
  private static func listen(on host: String, port: UInt16) -> Result<(Int32, UInt16), ListenFailure> {
    let ipv6 = host.contains(":")
    let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    let address = ipv6 ? "[\(bare)]:\(port)" : "\(host):\(port)"
    let fd = Glibc.socket(
      ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else {
      let problem = errno
      return .failure(
        ListenFailure(
          code: problem, error: .network("cannot open a socket: \(String(cString: strerror(problem)))")))
    }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var storage = sockaddr_storage()
    let length: Int
    if ipv6 {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_port = port.bigEndian
      inet_pton(AF_INET6, bare, &address.sin6_addr)
      withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
      length = MemoryLayout<sockaddr_in6>.size
    } else {
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = port.bigEndian
      inet_pton(AF_INET, host, &address.sin_addr)
      withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
      length = MemoryLayout<sockaddr_in>.size
    }
    let bound = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
    }
    guard bound == 0, Glibc.listen(fd, 8) == 0 else {
      let problem = errno
      close(fd)
      if problem == EADDRINUSE {
        return .failure(
          ListenFailure(code: problem, error: .network("\(address) is in use by another program")))
      }
      return .failure(
        ListenFailure(
          code: problem, error: .network("cannot listen on \(address): \(String(cString: strerror(problem)))")
        ))
    }
    var actual = sockaddr_storage()
    var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
    withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &actualLength) }
    }
    // sin_port and sin6_port sit at the same offset, right after the family.
    let boundPort = withUnsafePointer(to: &actual) { pointer -> UInt16 in
      pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
    }
    return .success((fd, boundPort))
  }

  deinit {
    sockets.forEach { close($0) }
    wake.close()
  }

  /// Makes `serve` return soon, from any thread.
  public func stop() {
    wake.wake()
  }

  /// How long a connection has to send its whole request.
  static let requestDeadline: TimeInterval = 2
  /// Connections read at once; past this, the oldest is dropped for the newest.
  static let maximumConnections = 32

  /// A connection whose request is still arriving.
  private struct Connection {
    let fd: Int32
    let deadline: Date
    var bytes: [UInt8] = []
  }

  /// Serves until the handler says stop, `stop()` is called, or the deadline passes.
  /// Returns true when the handler asked to stop.
  @discardableResult
  public func serve(until deadline: Date? = nil, _ handler: (ServerRequest) -> (ServerResponse, stop: Bool))
    -> Bool
  {
    var connections: [Connection] = []
    defer { connections.forEach { close($0.fd) } }
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let now = Date()
      if let deadline, deadline <= now { return false }
      // Requests that took too long are dropped unanswered.
      connections.removeAll { connection in
        guard connection.deadline <= now else { return false }
        close(connection.fd)
        return true
      }
      var fds = [pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)]
      fds += sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
      let wakeAt = ([deadline] + connections.map(\.deadline)).compactMap { $0 }.min()
      let timeout = wakeAt.map { Int32(max(1, min(1_000_000, $0.timeIntervalSince(now) * 1000 + 1))) } ?? -1
      let ready = poll(&fds, nfds_t(fds.count), timeout)
      if ready < 0 && errno == EINTR { continue }
      if fds[0].revents != 0 {
        wake.drain()  // so that a later `serve` (the same listener, another login) sleeps again
        return false
      }
      guard ready > 0 else { continue }
      for entry in fds.dropFirst().prefix(sockets.count) where entry.revents != 0 {
        let client = accept(entry.fd, nil, nil)
        guard client >= 0 else { continue }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        if connections.count >= Self.maximumConnections { close(connections.removeFirst().fd) }
        connections.append(Connection(fd: client, deadline: Date().addingTimeInterval(Self.requestDeadline)))
      }
      let readable = Set(fds.dropFirst(1 + sockets.count).filter { $0.revents != 0 }.map(\.fd))
      var index = 0
      while index < connections.count {
        guard readable.contains(connections[index].fd) else {
          index += 1
          continue
        }
        let fd = connections[index].fd
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && (errno == EAGAIN || errno == EINTR) {
          index += 1
          continue
        }
        if n > 0 { connections[index].bytes += chunk[0..<n] }
        switch HTTPRequestParser.parse(connections[index].bytes) {
        case .incomplete where n > 0:
          index += 1
          continue
        case .incomplete, .invalid:
          // Half-closed before a whole request, or not HTTP: a 400, then the next.
          Self.respond(.text(400, "Bad request\n"), to: fd)
        case .complete(let request):
          let (response, shouldStop) = handler(request)
          Self.respond(response, to: fd)
          if shouldStop { return true }
        }
        close(fd)
        connections.remove(at: index)
      }
    }
  }

  private static func respond(_ response: ServerResponse, to fd: Int32) {
    var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
    for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
    head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
    let bytes = Array(head.utf8) + Array(response.body)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if n <= 0 { return }
      offset += n
    }
  }

  private static func reasonPhrase(_ status: Int) -> String {
    [
      200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
      405: "Method Not Allowed",
    ][
      status] ?? "Status"
  }
}

extension LoopbackHTTPServer {
  /// For a provider without a redirect_uri: a listener on a free 127.0.0.1 port, and the
  /// redirect that names it (RFC 8252 §7.3 lets the port vary from login to login).
  public static func onFreePort() throws(AuthDeckError) -> (server: LoopbackHTTPServer, redirect: URL) {
    let server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0)
    return (server, Loopback.ephemeralRedirect(port: server.port))
  }
}
