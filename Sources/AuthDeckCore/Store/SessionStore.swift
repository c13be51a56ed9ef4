import Foundation
import Synchronization

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
    defaultRoot { environment[$0] }
  }

  /// The same with a variable lookup: `authdeck token`'s fast path reads three variables with
  /// getenv rather than build a dictionary of the whole environment (a measurable part of its
  /// start-up, see docs/performance.md).
  public static func defaultRoot(lookup: (String) -> String?) -> String {
    if let explicit = lookup("AUTHDECK_STORE"), explicit.hasPrefix("/") { return explicit }
    return XDG.directory("XDG_STATE_HOME", fallback: ".local/state", lookup: lookup) + "/authdeck"
  }

  /// Where the session files are (what `authdeck wait` watches).
  public var sessionsDirectory: String { root + "/sessions" }
  var locksDirectory: String { root + "/locks" }

  func path(of id: SessionID) -> String { sessionsDirectory + "/" + StoreFileName.encode(id) + ".json" }

  /// Reads one session; nil when it was never stored. The fast path of `authdeck token`.
  public func load(_ id: SessionID) throws(AuthDeckError) -> Session? {
    try files.checkDirectory(root, create: false)
    try files.checkDirectory(sessionsDirectory, create: false)
    return try read(path: path(of: id), expected: id)
  }

  /// The ids of every stored session, sorted, from the file names alone: no file is read.
  /// Lets the board draw its first screen before it has read 10,000 files.
  public func storedIDs() throws(AuthDeckError) -> [SessionID] {
    try files.checkDirectory(root, create: false)
    try files.checkDirectory(sessionsDirectory, create: false)
    return try sessionFileNames().compactMap { name in
      StoreFileName.decode(String(name.dropLast(5)))
    }.sorted()
  }

  /// The session files' names (`*.json`, no temp files); none when the folder does not exist
  /// yet. A folder that cannot be listed (EACCES, EMFILE) is an error, never an empty store.
  private func sessionFileNames() throws(AuthDeckError) -> [String] {
    guard let directory = opendir(sessionsDirectory) else {
      if errno == ENOENT { return [] }
      throw .store("cannot list \(sessionsDirectory): \(String(cString: strerror(errno)))")
    }
    defer { closedir(directory) }
    var names: [String] = []
    while true {
      errno = 0
      guard let entry = readdir(directory) else {
        if errno != 0 {
          throw .store("cannot list \(sessionsDirectory): \(String(cString: strerror(errno)))")
        }
        return names
      }
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name.hasSuffix(".json") && !name.hasPrefix(".") { names.append(name) }
    }
  }

  /// Every readable session, sorted, plus one message per file that was moved aside (corrupt,
  /// another version) or could not be read now; `unread` counts the latter (a refused mode, no
  /// descriptor left): their sessions are in the store but not in the list.
  public func loadAll() throws(AuthDeckError) -> (sessions: [Session], problems: [String], unread: Int) {
    try files.checkDirectory(root, create: false)
    try files.checkDirectory(sessionsDirectory, create: false)
    let files = try sessionFileNames()
    guard !files.isEmpty else { return ([], [], 0) }
    let directory = open(sessionsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directory >= 0 else { throw .store("\(sessionsDirectory): \(String(cString: strerror(errno)))") }
    defer { close(directory) }
    // The board opens on every session: read them on all cores, each file relative to the
    // open folder (no path walk per file).
    let chunks = max(1, min(files.count / 256, ProcessInfo.processInfo.activeProcessorCount * 2))
    let results = ChunkResults(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      var sessions: [Session] = []
      var problems: [String] = []
      var unread = 0
      for index in stride(from: chunk, to: files.count, by: chunks) {
        do throws(AuthDeckError) {
          if let session = try read(
            path: sessionsDirectory + "/" + files[index], expected: nil, directory: directory)
          {
            sessions.append(session)
          }
        } catch {
          problems.append(error.description)
          // A file moved aside is gone; any other failure left a session unread.
          if fileExists(sessionsDirectory + "/" + files[index]) { unread += 1 }
        }
      }
      results.set(chunk, sessions, problems, unread)
    }
    return (results.sessions.sortedByID(), results.problems, results.unread)
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
    var movedAside: AuthDeckError?
    do throws(AuthDeckError) {
      session = try read(path: path, expected: id)
    } catch {
      // Only a file that read() moved aside (corrupt, another version) is replaced; a file
      // refused for its mode or a link stays untouched and the refusal reaches the user.
      var info = stat()
      guard lstat(path, &info) != 0 && errno == ENOENT else { throw error }
      session = nil
      movedAside = error
    }
    let before = session
    let result: Result
    do throws(AuthDeckError) { result = try change(&session) } catch {
      // A change that needed the session (a log-out) says what became of its file.
      if case .unknownSession = error, let movedAside { throw movedAside }
      throw error
    }
    if session != before {
      if let session {
        try files.writeAtomically(path: path, data: encode(session), label: id.description)
      } else if unlink(path) != 0 && errno != ENOENT {
        throw .store("could not remove \(id): \(String(cString: strerror(errno)))")
      }
    }
    return result
  }

  private func read(path: String, expected: SessionID?, directory: Int32 = AT_FDCWD) throws(AuthDeckError)
    -> Session?
  {
    let name = directory == AT_FDCWD ? path : String(path[path.index(after: path.lastIndex(of: "/")!)...])
    guard let bytes = try files.readPrivateFile(path, name: name, directory: directory) else { return nil }
    var label: String { expected?.description ?? (path as NSString).lastPathComponent }  // only for messages
    let session: Session
    do throws(SessionCoding.Failure) {
      session = try SessionCoding.decode(bytes)
    } catch {
      let what =
        error.foreignVersion.map { "stored by another AuthDeck version (schema \($0))" }
        ?? "the stored session was unreadable"
      throw .store("\(label): \(what); \(files.moveAside(path))")
    }
    if let expected, session.id != expected {
      throw .store("\(label): the stored file names another session; \(files.moveAside(path))")
    }
    return session
  }

  private func encode(_ session: Session) -> Data { Data(SessionCoding.encode(session).utf8) }
}

/// Whether anything is at `path` (a link is not followed).
private func fileExists(_ path: String) -> Bool {
  var info = stat()
  return lstat(path, &info) == 0
}

/// Per-chunk results of a parallel load, each chunk writing only its own slot.
private final class ChunkResults: Sendable {
  private let slots: Mutex<[([Session], [String], Int)]>

  init(count: Int) { slots = Mutex(Array(repeating: ([], [], 0), count: count)) }

  func set(_ chunk: Int, _ sessions: [Session], _ problems: [String], _ unread: Int) {
    slots.withLock { $0[chunk] = (sessions, problems, unread) }
  }

  var sessions: [Session] { slots.withLock { $0.flatMap(\.0) } }
  var problems: [String] { slots.withLock { $0.flatMap(\.1) } }
  var unread: Int { slots.withLock { $0.reduce(0) { $0 + $1.2 } } }
}

/// File names for session ids: ASCII specials, `%` and a leading dot are percent-escaped,
/// so `lime/main` is `lime%2Fmain` and no id can name a path outside the folder.
public enum StoreFileName {
  static func isPlain(_ scalar: Unicode.Scalar, at index: Int) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
      || scalar == "-" || scalar == "_" || scalar == "@" || (scalar == "." && index > 0) || !scalar.isASCII
  }

  /// The byte length of `encode(id)`, without building it.
  public static func encodedLength(_ id: SessionID) -> Int {
    var length = 0
    for (index, scalar) in id.description.unicodeScalars.enumerated() {
      length += isPlain(scalar, at: index) ? UTF8.width(scalar) : 3
    }
    return length
  }

  /// The id a file name (without `.json`) stands for; nil for names `encode` never makes.
  public static func decode(_ name: String) -> SessionID? {
    var bytes: [UInt8] = []
    var iterator = Array(name.utf8).makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next(), let low = iterator.next(),
        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
      else { return nil }
      bytes.append(value)
    }
    guard let text = String(validating: bytes, as: UTF8.self), let id = SessionID(stored: text),
      encode(id) == name
    else { return nil }
    return id
  }

  public static func encode(_ id: SessionID) -> String {
    var out = ""
    for (index, scalar) in id.description.unicodeScalars.enumerated() {
      if isPlain(scalar, at: index) {
        out.unicodeScalars.append(scalar)
      } else {
        let hex = Array("0123456789ABCDEF")  // by hand: String(format:) costs a runtime cast on the fast path
        out += "%" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 15)])
      }
    }
    return out
  }
}
