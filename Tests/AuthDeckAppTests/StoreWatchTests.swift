import AuthDeckBoard
import AuthDeckCore
import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckApp

#if canImport(Glibc)
  import Glibc
#endif

/// The board's look at the store from outside, when the store cannot be read.
@Suite("The store watch")
struct StoreWatchTests {
  @Test("a store that cannot be read is read again at every look, until mended (chmod moves no mtime)")
  func readAgainUntilMended() throws {
    let root = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = SessionStore(root: root)
    let id = SessionID(provider: "lime", account: "main")
    try store.update(id) { (session: inout Session?) throws(AuthDeckError) in session = Session(id: id) }
    chmod(store.sessionsDirectory, 0o755)  // the mistake: others may look in

    let watch = StoreWatch()
    let sink = CollectingSink()
    let first = watch.firstFrameEvents(store: store, grant: { _ in .authorizationCode }, rows: 20, sink: sink)
    guard case .storeProblem? = first.first else {
      Issue.record("the first read should fail: \(first)")
      return
    }
    watch.check(store, sink: sink) { _ in }
    sink.wait { if case .storeProblem = $0 { return true } else { return false } }

    chmod(store.sessionsDirectory, 0o700)
    watch.check(store, sink: sink) { _ in }
    let reloaded = sink.wait {
      if case .reloaded(let sessions, _) = $0 { return sessions.map(\.id) == [id] } else { return false }
    }
    #expect(reloaded != nil, "read again once mended, though the folder's mtime never moved")
  }
}
