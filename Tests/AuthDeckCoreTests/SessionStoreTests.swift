import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Serialized: one test changes the process umask.
@Suite("Session store on disk", .serialized)
struct SessionStoreTests {
  static let main = SessionID(provider: "lime", account: "main")
  static let work = SessionID(provider: "lime", account: "work")
  static let ops = SessionID(provider: "limio", account: "ops@acme.example")

  static func session(_ id: SessionID, token: String = "at", refresh: String? = "rt") -> Session {
    Session(
      id: id,
      tokens: TokenSet(
        accessToken: token, scope: "openid", refreshToken: refresh, issuedAt: utc(2026, 6, 1, 12),
        expiresAt: utc(2026, 6, 1, 13)))
  }

  /// A store whose root (…/state/authdeck) does not exist yet, in a temp dir removed afterwards.
  func withStore<T>(_ body: (SessionStore, String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
      let root = directory + "/state/authdeck"
      return try body(SessionStore(root: root), root)
    }
  }

  func save(_ store: SessionStore, _ session: Session) throws(AuthDeckError) {
    try store.update(session.id) { (stored: inout Session?) throws(AuthDeckError) in stored = session }
  }

  func entries(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }

  func identity(_ path: String) -> [Int] {
    var info = stat()
    guard lstat(path, &info) == 0 else { return [] }
    return [Int(info.st_ino), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_size)]
  }

  // MARK: Round trip

  @Test("saved sessions load back, and reading never creates the store")

  func savedSessionsLoadBack() throws {
    try withStore { store, root in
      #expect(try store.load(Self.main) == nil)
      #expect(!FileManager.default.fileExists(atPath: root), "reading must not create the store")

      let session = Self.session(Self.main)
      try save(store, session)
      #expect(try store.load(Self.main) == session)
      #expect(try store.load(Self.work) == nil)

      try save(store, Self.session(Self.ops))
      let all = try store.loadAll()
      #expect(all.sessions.map(\.id) == [Self.main, Self.ops])
      #expect(all.problems.isEmpty)
      #expect(entries(root + "/sessions") == ["lime%2Fmain.json", "limio%2Fops@acme.example.json"])
    }
  }

  @Test("an update sees the stored value and returns its result")
  func updateReturnsItsResultAndSeesTheStoredValue() throws {
    try withStore { store, _ in
      try save(store, Self.session(Self.main, token: "first"))
      let seen = try store.update(Self.main) { (stored: inout Session?) throws(AuthDeckError) -> String? in
        let token = stored?.tokens?.accessToken
        stored?.tokens?.accessToken = "second"
        return token
      }
      #expect(seen == "first")
      #expect(try store.load(Self.main)?.tokens?.accessToken == "second")
    }
  }

  @Test("an update to nil removes the session")

  func updateToNilRemovesTheSession() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      try store.update(Self.main) { (stored: inout Session?) throws(AuthDeckError) in stored = nil }
      #expect(try store.load(Self.main) == nil)
      #expect(entries(root + "/sessions").isEmpty)
    }
  }

  @Test("a change that throws writes nothing")

  func aThrowingChangeWritesNothing() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      let path = root + "/sessions/lime%2Fmain.json"
      let before = readBytes(path)
      let error = thrownError { () throws(AuthDeckError) in
        try store.update(Self.main) { (stored: inout Session?) throws(AuthDeckError) in
          stored?.tokens = nil
          throw .other("changed my mind")
        }
      }
      #expect(error == .other("changed my mind"))
      #expect(readBytes(path) == before)
    }
  }

  @Test("an unchanged session is not rewritten")

  func anUnchangedSessionIsNotRewritten() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      let path = root + "/sessions/lime%2Fmain.json"
      let before = identity(path)
      try store.update(Self.main) { (_: inout Session?) throws(AuthDeckError) in }
      #expect(identity(path) == before)
      try save(store, Self.session(Self.main, token: "new"))
      #expect(identity(path) != before)
    }
  }

  @Test("no temporary files are left behind")

  func noTemporaryFilesAreLeftBehind() throws {
    try withStore { store, root in
      for i in 0..<5 { try save(store, Self.session(Self.main, token: "t\(i)")) }
      #expect(entries(root + "/sessions") == ["lime%2Fmain.json"])
    }
  }

  // MARK: Modes

  @Test("files are 0600 and folders 0700, even with a umask of zero")
  func filesAre0600AndDirectories0700EvenWithUmaskZero() throws {
    let saved = umask(0)
    defer { umask(saved) }
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      #expect(mode(of: (root as NSString).deletingLastPathComponent) == 0o700)  // created parent
      #expect(mode(of: root) == 0o700)
      #expect(mode(of: root + "/sessions") == 0o700)
      #expect(mode(of: root + "/locks") == 0o700)
      #expect(mode(of: root + "/sessions/lime%2Fmain.json") == 0o600)
      for lock in entries(root + "/locks") {
        #expect(mode(of: root + "/locks/" + lock) == 0o600, "\(lock)")
      }
      // A rewrite keeps 0600.
      try save(store, Self.session(Self.main, token: "again"))
      #expect(mode(of: root + "/sessions/lime%2Fmain.json") == 0o600)
    }
  }

  @Test("a session file others can read is refused, naming the chmod, and left as it is")
  func aSessionFileOthersCanReadIsRefusedNamingTheChmod() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      let path = root + "/sessions/lime%2Fmain.json"
      #expect(chmod(path, 0o644) == 0)
      let before = readBytes(path)

      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("chmod 600 \(path)"))

      let all = try store.loadAll()
      #expect(all.sessions.isEmpty)
      #expect(all.problems.count == 1)
      #expect(all.problems.first?.contains("chmod 600") == true)
      // Neither "fixed" nor moved aside behind the user's back.
      #expect(mode(of: path) == 0o644)
      #expect(readBytes(path) == before)
      #expect(entries(root + "/sessions") == ["lime%2Fmain.json"])
    }
  }

  /// Known bug: SessionStore.update swallows every read error, not only a moved-aside corrupt file.
  @Test("an update of a session file others can read is refused too")
  func anUpdateOfASessionFileOthersCanReadIsRefusedToo() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      let path = root + "/sessions/lime%2Fmain.json"
      #expect(chmod(path, 0o644) == 0)
      let before = readBytes(path)
      let error = thrownError { () throws(AuthDeckError) in
        try store.update(Self.main) { (stored: inout Session?) throws(AuthDeckError) in
          var session = stored ?? Session(id: Self.main)
          session.pending = PendingLogin(
            state: "s", codeVerifier: nil, redirectURI: "http://127.0.0.1:1/cb", authorizeURL: "",
            issuer: nil,
            startedAt: utc(2026, 6, 1, 12))
          stored = session
        }
      }
      #expect(error?.kind == "store")
      #expect(readBytes(path) == before)
    }
  }

  @Test("a sessions folder that is a symbolic link is refused")

  func aSymlinkedSessionsDirectoryIsRefused() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/authdeck"
      let elsewhere = directory + "/elsewhere"
      #expect(mkdir(root, 0o700) == 0 && chmod(root, 0o700) == 0)
      #expect(mkdir(elsewhere, 0o700) == 0 && chmod(elsewhere, 0o700) == 0)
      #expect(symlink(elsewhere, root + "/sessions") == 0)
      let store = SessionStore(root: root)

      for error in [
        thrownError { () throws(AuthDeckError) in try store.load(Self.main) },
        thrownError { () throws(AuthDeckError) in try store.loadAll() },
        thrownError { () throws(AuthDeckError) in try save(store, Self.session(Self.main)) },
      ] {
        #expect(error?.kind == "store")
        #expect(error?.description.contains("symbolic link") == true, "\(String(describing: error))")
      }
      #expect(entries(elsewhere).isEmpty, "nothing may be written through the link")
    }
  }

  @Test("a store root that is a symbolic link is refused")

  func aSymlinkedStoreRootIsRefused() throws {
    try withTemporaryDirectory { directory in
      let elsewhere = directory + "/elsewhere"
      #expect(mkdir(elsewhere, 0o700) == 0 && chmod(elsewhere, 0o700) == 0)
      #expect(symlink(elsewhere, directory + "/authdeck") == 0)
      let store = SessionStore(root: directory + "/authdeck")
      let error = thrownError { () throws(AuthDeckError) in try save(store, Self.session(Self.main)) }
      #expect(error?.kind == "store")
      #expect(error?.description.contains("symbolic link") == true)
      #expect(entries(elsewhere).isEmpty)
    }
  }

  @Test("a session file that is a symbolic link is not followed")

  func aSymlinkedSessionFileIsNotFollowed() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      let target = root + "/sessions/lime%2Fwork.json"
      #expect(symlink(target, root + "/sessions/lime%2Fmain.json") == 0)
      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("symbolic link"))
    }
  }

  @Test("a store folder others can enter is refused, naming the chmod")
  func aStoreDirectoryOthersCanEnterIsRefused() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      #expect(chmod(root + "/sessions", 0o755) == 0)
      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("chmod 700 \(root)/sessions"))
    }
  }

  // MARK: Bad files are moved aside, kept and reported

  @Test("a garbage file is moved aside and reported once, while the others still load")
  func aGarbageFileIsMovedAsideAndReportedWhileOthersStillLoad() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      try save(store, Self.session(Self.work))
      let sessions = root + "/sessions"
      let garbage = "{ this is not json \u{1B}[31m"
      try writeFile(sessions + "/lime%2Fbroken.json", garbage)

      let all = try store.loadAll()
      #expect(all.sessions.map(\.id) == [Self.main, Self.work])
      #expect(all.problems.count == 1)
      let problem = try #require(all.problems.first)
      #expect(problem.contains("lime%2Fbroken.json"))
      #expect(problem.contains("moved aside"))

      let names = entries(sessions)
      #expect(!names.contains("lime%2Fbroken.json"))
      let aside = try #require(names.first { $0.hasPrefix("lime%2Fbroken.json.bad-") })
      #expect(mode(of: sessions + "/" + aside) == 0o600)
      #expect(readBytes(sessions + "/" + aside) == Data(garbage.utf8), "the bad file is kept as it was")

      // Reported once; the next listing is clean.
      let again = try store.loadAll()
      #expect(again.problems.isEmpty)
      #expect(again.sessions.count == 2)
    }
  }

  @Test("loading a garbage session by its ID reports it and moves it aside")
  func loadingAGarbageSessionByIdReportsAndMovesItAside() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      let sessions = root + "/sessions"
      try writeFile(sessions + "/lime%2Fmain.json", "")
      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("lime/main"))
      #expect(error.description.contains("moved aside"))
      #expect(entries(sessions).contains { $0.hasPrefix("lime%2Fmain.json.bad-") })
      #expect(try store.load(Self.work) == Self.session(Self.work))
    }
  }

  /// Known bug: moveAside names the copy `<name>.bad-<unix seconds>`, and rename(2) replaces an
  /// existing file, so a second bad file within the same second destroys the first one.
  @Test("two bad files moved aside in the same second are both kept")
  func twoBadFilesInOneSecondAreBothKept() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      let sessions = root + "/sessions"
      try writeFile(sessions + "/lime%2Fmain.json", "first garbage")
      _ = thrownError { () throws(AuthDeckError) in try store.load(Self.main) }
      try writeFile(sessions + "/lime%2Fmain.json", "second garbage")
      _ = thrownError { () throws(AuthDeckError) in try store.load(Self.main) }
      let kept = entries(sessions).filter { $0.hasPrefix("lime%2Fmain.json.bad-") }
        .compactMap { readBytes(sessions + "/" + $0) }.map { String(decoding: $0, as: UTF8.self) }.sorted()
      #expect(kept == ["first garbage", "second garbage"])
    }
  }

  @Test("a file from a future schema is moved aside, not overwritten")
  func aFutureSchemaVersionIsMovedAsideNotOverwritten() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      let sessions = root + "/sessions"
      let future = #"{"version":2,"session":{"id":"lime/main","grant":"authorization_code","shiny":true}}"#
      try writeFile(sessions + "/lime%2Fmain.json", future)

      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("schema 2"))
      let aside = try #require(entries(sessions).first { $0.hasPrefix("lime%2Fmain.json.bad-") })
      #expect(readBytes(sessions + "/" + aside) == Data(future.utf8))
      #expect(mode(of: sessions + "/" + aside) == 0o600)
      #expect(try store.load(Self.main) == nil)
    }
  }

  @Test("a file from a future schema is reported when loading all")

  func aFutureSchemaIsReportedByLoadAll() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      try writeFile(root + "/sessions/lime%2Fmain.json", #"{"version":99}"#)
      let all = try store.loadAll()
      #expect(all.sessions.map(\.id) == [Self.work])
      #expect(all.problems.count == 1)
      #expect(all.problems.first?.contains("schema 99") == true)
    }
  }

  @Test("a file that names another session is moved aside")

  func aFileThatNamesAnotherSessionIsMovedAside() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.work))
      let sessions = root + "/sessions"
      let workBytes = try #require(readBytes(sessions + "/lime%2Fwork.json"))
      try writeFile(sessions + "/lime%2Fmain.json", String(decoding: workBytes, as: UTF8.self))
      let error = try #require(thrownError { () throws(AuthDeckError) in try store.load(Self.main) })
      #expect(error.kind == "store")
      #expect(error.description.contains("another session"))
      #expect(!entries(sessions).contains("lime%2Fmain.json"))
    }
  }

  @Test("updating one session leaves the others byte for byte the same")
  func updatingOneSessionLeavesTheOthersByteIdentical() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main, token: "main-1"))
      try save(store, Self.session(Self.work, token: "work-1"))
      try save(store, Self.session(Self.ops, token: "ops-1"))
      let sessions = root + "/sessions"
      let others = ["lime%2Fmain.json", "limio%2Fops@acme.example.json"].map { sessions + "/" + $0 }
      let bytes = others.map(readBytes)
      let identities = others.map(identity)

      try save(store, Self.session(Self.work, token: "work-2"))
      try store.update(Self.work) { (stored: inout Session?) throws(AuthDeckError) in stored = nil }
      try save(store, Self.session(Self.work, token: "work-3"))

      #expect(others.map(readBytes) == bytes)
      #expect(others.map(identity) == identities)
      #expect(try store.load(Self.work)?.tokens?.accessToken == "work-3")
    }
  }

  @Test("the stored file is JSON with a schema version and the session's ID")
  func theStoredFileIsVersionedJSONWithoutSurprises() throws {
    try withStore { store, root in
      try save(store, Self.session(Self.main))
      let data = try #require(readBytes(root + "/sessions/lime%2Fmain.json"))
      let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(object["version"] as? Int == SessionStore.schemaVersion)
      let session = try #require(object["session"] as? [String: Any])
      #expect(session["id"] as? String == "lime/main")
    }
  }

  @Test("the default store follows AUTHDECK_STORE, XDG_STATE_HOME and HOME")
  func defaultRootFollowsTheEnvironment() {
    #expect(SessionStore.defaultRoot(environment: ["AUTHDECK_STORE": "/s"]) == "/s")
    #expect(SessionStore.defaultRoot(environment: ["XDG_STATE_HOME": "/st", "HOME": "/h"]) == "/st/authdeck")
    #expect(SessionStore.defaultRoot(environment: ["HOME": "/h"]) == "/h/.local/state/authdeck")
    #expect(
      SessionStore.defaultRoot(environment: ["AUTHDECK_STORE": "rel", "HOME": "/h"])
        == "/h/.local/state/authdeck")
  }

  // MARK: File names

  static let awkwardIDs: [SessionID] = [
    SessionID(provider: "lime", account: "main"),
    SessionID(provider: "lime", account: ".."),
    SessionID(provider: "lime", account: "."),
    SessionID(provider: "lime", account: ".hidden"),
    SessionID(provider: "lime", account: "a/b"),
    SessionID(provider: "lime", account: "a%2Fb"),
    SessionID(provider: "lime", account: "a%252Fb"),
    SessionID(provider: "lime", account: "../../etc/passwd"),
    SessionID(provider: "lime", account: "with space"),
    SessionID(provider: "lime", account: "ops@acme.example"),
    SessionID(provider: "lime", account: "ünïcødé"),
    SessionID(provider: "lime", account: "日本"),
    SessionID(provider: "lime", account: "\\back\\slash"),
    SessionID(provider: "lime", account: "a:b*c?d\"e<f>g|h"),
    SessionID(provider: "lime_x", account: "main"),
    SessionID(provider: "lime-x", account: "main"),
    SessionID(provider: "lime", account: "x/main"),
    SessionID(provider: "LIME", account: "main"),
  ]

  @Test(
    "a session's file name is never empty, hidden or a path, and has no control characters",
    arguments: awkwardIDs)
  func fileNamesStayInsideTheFolder(id: SessionID) {
    let name = StoreFileName.encode(id)
    #expect(!name.isEmpty)
    #expect(!name.contains("/"))
    #expect(!name.contains("\\"))
    #expect(!name.hasPrefix("."))
    #expect(!name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
  }

  @Test("distinct session IDs get distinct file names")

  func distinctIdsGetDistinctNames() {
    let names = Self.awkwardIDs.map(StoreFileName.encode)
    #expect(Set(names).count == Self.awkwardIDs.count)
    #expect(StoreFileName.encode(SessionID(provider: "lime", account: "main")) == "lime%2Fmain")
  }

  @Test("awkward session IDs round-trip through the store", arguments: awkwardIDs)
  func awkwardIdsRoundTripThroughTheStore(id: SessionID) throws {
    try withStore { store, root in
      try save(store, Self.session(id))
      #expect(try store.load(id) == Self.session(id))
      #expect(entries(root + "/sessions") == [StoreFileName.encode(id) + ".json"])
      #expect(try store.loadAll().sessions.map(\.id) == [id])
    }
  }

  /// Every id that parses fits in a file name (with the temp file's suffix); longer ones are refused.
  @Test("every session ID that parses fits in a file name, temp file included")
  func everyAcceptedIdFitsInAFileName() throws {
    let tooLong = thrownError { () throws(AuthDeckError) in
      _ = try SessionID(parsing: "lime/" + String(repeating: "%", count: 100))
    }
    #expect(tooLong?.kind == "usage")
    let id = try SessionID(parsing: "lime/" + String(repeating: "%", count: 60))
    try withStore { store, _ in
      // The temp file adds "." + ".<pid>.<random>.tmp" (up to ~27 bytes) to the name.
      #expect(StoreFileName.encode(id).utf8.count + ".json".utf8.count + 27 <= 255)
      let error = thrownError { () throws(AuthDeckError) in try save(store, Self.session(id)) }
      #expect(error == nil, "\(String(describing: error))")
    }
  }
}

@Suite("Session IDs from file names")
struct StoreFileNameDecodingTests {
  @Test(
    "decoding a file name gives back the session ID it was made from",
    arguments: [
      "lime/main", "limio/ops@acme.com", "lime/.hidden", "lime/a%b c", "acme/été 東京", "x/-_.@",
    ])
  func decodeUndoesEncode(text: String) throws {
    let id = try SessionID(parsing: text)
    #expect(StoreFileName.decode(StoreFileName.encode(id)) == id)
  }

  @Test("a session an older AuthDeck stored with a '/' in its account decodes, to be logged out")
  func oldSlashAccountDecodes() {
    let id = SessionID(provider: "lime", account: "a/b%c")
    #expect(StoreFileName.decode(StoreFileName.encode(id)) == id)
  }

  @Test(
    "a file name that encoding never makes decodes to nothing",
    arguments: ["lime", "lime%2", "lime%2Fmain%ZZ", "%2Fmain", "lime%2F", ".lime%2Fmain", "lime/main"])
  func namesEncodeNeverMakesAreRefused(name: String) {
    #expect(StoreFileName.decode(name) == nil)
  }

  @Test("the stored IDs are listed from file names alone, without reading the files")
  func storedIDsListsSessionsWithoutReadingThem() throws {
    try withTemporaryDirectory { root in
      let store = SessionStore(root: root + "/store")
      for text in ["lime/b", "acme/a", "lime/a"] {
        let id = try SessionID(parsing: text)
        try store.update(id) { (session: inout Session?) throws(AuthDeckError) in session = Session(id: id) }
      }
      try writeFile(root + "/store/sessions/lime%2Fgarbled.json", "not json")
      try writeFile(root + "/store/sessions/.lime%2Fx.json.1.2.tmp", "{}")
      #expect(try store.storedIDs().map(\.description) == ["acme/a", "lime/a", "lime/b", "lime/garbled"])
    }
  }
}
