@_exported import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#endif

// Small helpers shared by the integration tests: error kinds, temp dirs, file bytes, modes.

// MARK: Temp dirs and files

func fileExists(_ path: String) -> Bool {
  var info = stat()
  return lstat(path, &info) == 0
}

/// Names in a directory, sorted, dot files included.
func entries(_ directory: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

/// Every regular file under `root` (dot files included) with its bytes, keyed by relative path:
/// a before/after picture of a whole store.
func snapshot(_ root: String) -> [String: Data] {
  var result: [String: Data] = [:]
  guard let enumerator = FileManager.default.enumerator(atPath: root) else { return result }
  while let relative = enumerator.nextObject() as? String {
    let path = root + "/" + relative
    var info = stat()
    guard lstat(path, &info) == 0 else { continue }
    if info.st_mode & S_IFMT == S_IFREG {
      result[relative] = readBytes(path) ?? Data()
    } else if info.st_mode & S_IFMT == S_IFLNK {
      result[relative] = Data("-> link".utf8)
    }
  }
  return result
}

/// Polls a condition that has no event to wait on (a file another process writes), with a bound.
@discardableResult
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while !condition() {
    if Date() >= deadline { return false }
    usleep(10_000)
  }
  return true
}

// MARK: The store's on-disk format

enum StoreFormat {
  /// The file of a session inside a store root (`lime/main` is `sessions/lime%2Fmain.json`).
  static func path(root: String, id: String) -> String {
    root + "/sessions/" + StoreFileName.encode(try! SessionID(parsing: id)) + ".json"
  }

  /// A session file written by hand, in the format SessionStore uses (schema 1, dates as
  /// seconds since 1970), with 0700 folders and a 0600 file.
  static func write(
    root: String, id: String, grant: String = "authorization_code", accessToken: String,
    refreshToken: String? = nil, issuedAt: Date, expiresAt: Date
  ) throws {
    for directory in [root, root + "/sessions"] {
      mkdir(directory, 0o700)
      chmod(directory, 0o700)
    }
    var tokens: [String: Any] = [
      "access_token": accessToken, "token_type": "Bearer", "issued_at": issuedAt.timeIntervalSince1970,
      "expires_at": expiresAt.timeIntervalSince1970,
    ]
    if let refreshToken { tokens["refresh_token"] = refreshToken }
    let object: [String: Any] = ["version": 1, "session": ["id": id, "grant": grant, "tokens": tokens]]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try writeFile(path(root: root, id: id), data)
  }

  /// The parsed JSON of a session file, or nil when it is missing or not JSON.
  static func json(_ path: String) -> [String: Any]? {
    guard let data = readBytes(path) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
  }

  static func tokens(_ path: String) -> [String: Any]? {
    (json(path)?["session"] as? [String: Any])?["tokens"] as? [String: Any]
  }
}

// MARK: Ports

/// A loopback port that was free a moment ago (bound to port 0, then released).
func freeLoopbackPort() -> UInt16 {
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
