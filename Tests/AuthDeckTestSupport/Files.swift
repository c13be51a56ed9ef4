import AuthDeckCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Files and stores, for the tests that look at what a process left on disk: existence without
// following links, directory listings, whole-store snapshots, bounded polling, and session
// files in the store's on-disk format.

// MARK: Files

public func fileExists(_ path: String) -> Bool {
  var info = stat()
  return lstat(path, &info) == 0
}

/// Names in a directory, sorted, dot files included.
public func entries(_ directory: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

/// Every regular file under `root` (dot files included) with its bytes, keyed by relative path:
/// a before/after picture of a whole store.
public func snapshot(_ root: String) -> [String: Data] {
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
public func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while !condition() {
    if Date() >= deadline { return false }
    usleep(10_000)
  }
  return true
}

// MARK: The store's on-disk format

public enum StoreFormat {
  /// The file of a session inside a store root (`lime/main` is `sessions/lime%2Fmain.json`).
  public static func path(root: String, id: String) -> String {
    root + "/sessions/" + StoreFileName.encode(try! SessionID(parsing: id)) + ".json"
  }

  /// A session file written by hand, in the format SessionStore uses (schema 1, dates as
  /// seconds since 1970), with 0700 folders and a 0600 file. A nil `expiresAt`: its end is unknown.
  public static func write(
    root: String, id: String, grant: String = "authorization_code", accessToken: String,
    refreshToken: String? = nil, issuedAt: Date, expiresAt: Date?
  ) throws {
    for directory in [root, root + "/sessions"] {
      mkdir(directory, 0o700)
      chmod(directory, 0o700)
    }
    var tokens: [String: Any] = [
      "access_token": accessToken, "token_type": "Bearer", "issued_at": issuedAt.timeIntervalSince1970,
    ]
    if let expiresAt { tokens["expires_at"] = expiresAt.timeIntervalSince1970 }
    if let refreshToken { tokens["refresh_token"] = refreshToken }
    let object: [String: Any] = ["version": 1, "session": ["id": id, "grant": grant, "tokens": tokens]]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try writeFile(path(root: root, id: id), data)
  }

  /// The parsed JSON of a session file, or nil when it is missing or not JSON.
  public static func json(_ path: String) -> [String: Any]? {
    guard let data = readBytes(path) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
  }

  public static func tokens(_ path: String) -> [String: Any]? {
    (json(path)?["session"] as? [String: Any])?["tokens"] as? [String: Any]
  }
}

/// The session object of `list --json`, `status --json` and `token --json` (docs/scripting.md).
public enum SessionObject {
  public static let keys: Set<String> = [
    "version", "id", "provider", "account", "state", "needs_login", "login_reason", "refreshable",
    "refresh_expires_at", "issued_at", "expires_at", "expires_in", "pending_until", "refusal",
  ]
}
