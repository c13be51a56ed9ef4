import AuthDeckCore
import AuthDeckNet
import Foundation

/// `authdeck wait`: sleeps on the store until every named session can be handed out without a
/// person (see `Session.needsLogin`), or until a deadline.
///
/// Only a store write (a login, here or in another process) turns a session that needs a login
/// into one that does not; time only goes the other way. So the watcher's folders are the only
/// thing to wake for, besides the deadline: no timer for expiries, no polling.
public struct SessionWait {
  /// A session still to log in: what is stored for it, and why it needs a login.
  public typealias Missing = (id: SessionID, stored: Session?, reason: LoginReason)

  let store: SessionStore
  let ids: [SessionID]
  let grants: [SessionID: Grant]

  /// Refuses an id whose provider is not configured (`.usage`), before any waiting.
  public init(_ ids: [SessionID], store: SessionStore, configuration: Configuration) throws(AuthDeckError) {
    var grants: [SessionID: Grant] = [:]
    for id in ids { grants[id] = try configuration.provider(for: id).grant }
    self.store = store
    self.ids = ids
    self.grants = grants
  }

  /// The sessions that still need a login at `now`, with what is stored for each.
  public func missing(now: Date) throws(AuthDeckError) -> [Missing] {
    var missing: [Missing] = []
    for id in ids {
      let stored = try store.load(id)
      if let reason = Session.loginReason(stored, grant: grants[id]!, at: now) {
        missing.append((id, stored, reason))
      }
    }
    return missing
  }

  /// Waits; returns nothing once every session is ready, or those still missing at `deadline`.
  /// `waiting` is called once, when there is something to wait for.
  public func run(until deadline: Date?, waiting: ([Missing]) -> Void) throws(AuthDeckError) -> [Missing] {
    let watcher = FolderWatcher(folders: [store.root, store.sessionsDirectory])
    var announced = false
    while true {
      watcher.arm()  // before looking: a write after the look still wakes the wait below
      let now = Date()
      let missing = try missing(now: now)
      if missing.isEmpty { return [] }
      if let deadline, now >= deadline { return missing }
      if !announced {
        waiting(missing)
        announced = true
      }
      _ = watcher.wait(timeout: deadline.map { $0.timeIntervalSince(now) })
    }
  }
}
