import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Sessions on disk: one 0600 JSON file per session in a 0700 directory.
///
/// One file per session keeps `authdeck token` to a single small read, and makes
/// "two processes never lose each other's updates" hold by construction: a writer replaces
/// only its own session's file, under that session's flock, after re-reading it.
public struct SessionStore: Sendable {
  public static let schemaVersion = 1
  /// The store directory (…/authdeck); sessions live in its `sessions/` folder.
  public let root: String
  private let files: StoreFiles

  public init(root: String) {
    self.root = root
    self.files = StoreFiles(root: root)
  }

  public static func defaultRoot(environment: [String: String]) -> String {
    if let explicit = environment["AUTHDECK_STORE"], explicit.hasPrefix("/") { return explicit }
    return XDG.directory("XDG_STATE_HOME", fallback: ".local/state", environment: environment) + "/authdeck"
  }

  var sessionsDirectory: String { root + "/sessions" }
  var locksDirectory: String { root + "/locks" }

  func path(of id: SessionID) -> String { sessionsDirectory + "/" + StoreFileName.encode(id) + ".json" }

  /// Reads one session; nil when it was never stored. The fast path of `authdeck token`.
  public func load(_ id: SessionID) throws(AuthDeckError) -> Session? {
    try files.checkDirectory(root, create: false)
    try files.checkDirectory(sessionsDirectory, create: false)
    return try read(path: path(of: id), expected: id)
  }

  /// Every readable session, sorted, plus one message per file that had to be moved aside.
  public func loadAll() throws(AuthDeckError) -> (sessions: [Session], problems: [String]) {
    try files.checkDirectory(root, create: false)
    try files.checkDirectory(sessionsDirectory, create: false)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: sessionsDirectory) else {
      return ([], [])
    }
    var sessions: [Session] = []
    var problems: [String] = []
    for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
      do throws(AuthDeckError) {
        if let session = try read(path: sessionsDirectory + "/" + name, expected: nil) { sessions.append(session) }
      } catch {
        problems.append(error.description)
      }
    }
    return (sessions.sorted { $0.id < $1.id }, problems)
  }

  /// Read-modify-write of one session under its lock. `change` sees the current stored value
  /// (re-read after the lock is taken) and sets the new one; nil removes the session.
  /// Other sessions' files are never touched.
  @discardableResult
  public func update<Result>(
    _ id: SessionID, _ change: (inout Session?) throws(AuthDeckError) -> Result
  ) throws(AuthDeckError) -> Result {
    try files.checkDirectory(root, create: true)
    try files.checkDirectory(sessionsDirectory, create: true)
    try files.checkDirectory(locksDirectory, create: true)
    let lock = try files.lock(locksDirectory + "/" + StoreFileName.encode(id) + ".lock")
    defer { lock.release() }
    let path = path(of: id)
    var session: Session?
    do throws(AuthDeckError) {
      session = try read(path: path, expected: id)
    } catch {
      // Only a file that read() moved aside (corrupt, another version) is replaced; a file
      // refused for its mode or a link stays untouched and the refusal reaches the user.
      var info = stat()
      guard lstat(path, &info) != 0 && errno == ENOENT else { throw error }
      session = nil
    }
    let before = session
    let result = try change(&session)
    if session != before {
      if let session {
        try files.writeAtomically(path: path, data: encode(session), label: id.description)
      } else if unlink(path) != 0 && errno != ENOENT {
        throw .store("could not remove \(id): \(String(cString: strerror(errno)))")
      }
    }
    return result
  }

  private func read(path: String, expected: SessionID?) throws(AuthDeckError) -> Session? {
    guard let data = try files.readPrivateFile(path) else { return nil }
    let label = expected?.description ?? (path as NSString).lastPathComponent
    let session: Session
    do throws(SessionCoding.Failure) {
      session = try SessionCoding.decode(Array(data))
    } catch {
      let aside = files.moveAside(path)
      if let version = error.foreignVersion {
        throw .store("\(label): stored by another AuthDeck version (schema \(version)); moved aside to \(aside)")
      }
      throw .store("\(label): the stored session was unreadable; moved aside to \(aside)")
    }
    if let expected, session.id != expected {
      let aside = files.moveAside(path)
      throw .store("\(label): the stored file names another session; moved aside to \(aside)")
    }
    return session
  }

  private func encode(_ session: Session) -> Data { Data(SessionCoding.encode(session).utf8) }
}

/// File names for session ids: ASCII specials, `%` and a leading dot are percent-escaped,
/// so `lime/main` is `lime%2Fmain` and no id can name a path outside the folder.
public enum StoreFileName {
  public static func encode(_ id: SessionID) -> String {
    var out = ""
    for (index, scalar) in id.description.unicodeScalars.enumerated() {
      let plain =
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        || scalar == "-" || scalar == "_" || scalar == "@" || (scalar == "." && index > 0) || !scalar.isASCII
      if plain {
        out.unicodeScalars.append(scalar)
      } else {
        let hex = Array("0123456789ABCDEF")  // by hand: String(format:) costs a runtime cast on the fast path
        out += "%" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 15)])
      }
    }
    return out
  }
}
