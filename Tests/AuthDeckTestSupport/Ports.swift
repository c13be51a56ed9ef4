import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Loopback ports for the tests: one that is free, one that is held, and which socket listens
// on a port according to a /proc/net/tcp table.

/// A loopback port that was free a moment ago (bound to port 0, then released).
public func freeLoopbackPort() -> UInt16 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = 0
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
  _ = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
  }
  return UInt16(bigEndian: address.sin_port)
}

/// A socket that listens on 127.0.0.1, on a port of its own, and does nothing else: it holds the
/// port, so that a listener that wants it finds it taken. Closed when released.
public final class LoopbackSquatter: @unchecked Sendable {
  public let port: UInt16
  private let fd: Int32

  public init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard fd >= 0, bound == 0, listen(fd, 8) == 0 else {
      let reason = String(cString: strerror(errno))
      if fd >= 0 { close(fd) }
      throw SquatterError(message: "cannot listen on 127.0.0.1: \(reason)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    self.fd = fd
    port = UInt16(bigEndian: address.sin_port)
  }

  deinit { close(fd) }

  struct SquatterError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }
}

/// The inode of the socket listening on `port` in a /proc/net/tcp table.
public func listeningSocketInode(port: UInt16, table: String) -> String? {
  let suffix = String(format: ":%04X", port)
  for line in table.split(separator: "\n").dropFirst() {
    let fields = line.split(separator: " ")
    if fields.count > 9, fields[1].hasSuffix(suffix), fields[3] == "0A" { return String(fields[9]) }
  }
  return nil
}

/// Whether this machine has an IPv6 loopback to bind (some containers have none).
public let hasIPv6Loopback: Bool = {
  let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
  guard fd >= 0 else { return false }
  defer { close(fd) }
  var address = sockaddr_in6()
  address.sin6_family = sa_family_t(AF_INET6)
  inet_pton(AF_INET6, "::1", &address.sin6_addr)
  return withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
    }
  }
}()
