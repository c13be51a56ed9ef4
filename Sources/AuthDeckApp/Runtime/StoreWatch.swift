import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

/// The board's view of the store from outside: the first frame's read, and a look once a second
/// at the sessions folder's mtime, which another process's write moves. Reads run one after
/// another off the loop, so results arrive in the order they were read.
final class StoreWatch: Sendable {
  private let stamp = Mutex<FileStamp?>(nil)
  /// Whether the last read failed (a folder others can enter, EACCES): read again at every look,
  /// since mending it (chmod) does not move the mtime; the problem stays said until then.
  private let failing = Atomic<Bool>(false)
  private let agentStamp = Mutex<[FileStamp?]>([])
  private let reads = DispatchQueue(label: "authdeck.store-reads")

  /// The events that fill the board before its first frame: the one read done before the loop
  /// runs. A large store is drawn from its file names plus the first screen of sessions, and the
  /// rest is read in the background (a `.reloaded` follows through `sink`).
  func firstFrameEvents(store: SessionStore, grant: (SessionID) -> Grant, rows: Int, sink: any EventSink)
    -> [BoardEvent]
  {
    remember(store)
    let ids: [SessionID]
    do throws(AuthDeckError) { ids = try store.storedIDs() } catch {
      failing.store(true, ordering: .relaxed)
      return [.storeProblem(error)]
    }
    guard ids.count > 500 else { return [read(store).event] }
    let firstScreen = Set(ids.prefix(max(rows, 50)))
    let sessions = ids.map { id in
      var stored: Session?
      if firstScreen.contains(id) {
        do throws(AuthDeckError) { stored = try store.load(id) } catch { stored = nil }
      }
      return stored ?? Session(id: id, grant: grant(id))
    }
    reads.async { [self] in sink.post(read(store).event) }
    return [.partiallyLoaded(sessions)]
  }

  /// When another process changed the store (the folder's mtime moved), it is read again, off
  /// the loop; `changed` sees the sessions first (the runner lets go of logins that no longer wait).
  func check(_ store: SessionStore, sink: any EventSink, changed: @escaping @Sendable ([Session]) -> Void) {
    reads.async { [self] in
      let now = FolderWatcher.stamp(of: store.sessionsDirectory)
      let moved = stamp.withLock { old -> Bool in
        defer { old = now }
        return now != old
      }
      guard moved || failing.load(ordering: .relaxed) else { return }
      let (event, sessions) = read(store)
      if let sessions { changed(sessions) }
      sink.post(event)
    }
  }

  /// What the agent wrote in the store's agent folder (what it served), read when the folder's
  /// mtime moved: the agent replaces its file by a rename there.
  func checkAgent(_ store: SessionStore, sink: any EventSink) {
    reads.async { [self] in
      let now = [
        FolderWatcher.stamp(of: AgentServed.folder(of: store)),
        FolderWatcher.stamp(of: AgentApprovals.folder(of: store)),
      ]
      let moved = agentStamp.withLock { old -> Bool in
        defer { old = now }
        return now != old
      }
      guard moved, now[0] != nil else { return }
      sink.post([
        .agentServed(AgentServed.read(from: store)),
        .approvalsAsked(AgentApprovals.pending(in: store, now: Date())),
      ])
    }
  }

  /// A new store (the demo's): its stamp, so that it is not read again at once.
  func remember(_ store: SessionStore) {
    stamp.withLock { $0 = FolderWatcher.stamp(of: store.sessionsDirectory) }
  }

  /// Every session, or the store's problem; whether it failed is kept for the next look.
  private func read(_ store: SessionStore) -> (event: BoardEvent, sessions: [Session]?) {
    do throws(AuthDeckError) {
      let (sessions, problems, _) = try store.loadAll()
      failing.store(false, ordering: .relaxed)
      return (.reloaded(sessions, problems: problems), sessions)
    } catch {
      failing.store(true, ordering: .relaxed)
      return (.storeProblem(error), nil)
    }
  }

}
