import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

/// `agent = "confirm"`, the agent's side: a caller is served once the open board approves it for
/// the provider. The answer is kept for that caller (the same process: its pid and start time)
/// for `remembered`, a refusal too, so that a script's every call does not ask again. With no
/// board open, the caller is refused at once and nothing is kept: it may ask again later.
public final class BoardApproval: AgentApprover {
  let store: SessionStore
  private let decisions = Mutex<[String: (allowed: Bool, until: Date)]>([:])
  /// One question on the board at a time: callers that arrive together wait their turn.
  private let asking = Mutex<Void>(())
  public static let remembered: TimeInterval = 10 * 60

  public init(store: SessionStore) { self.store = store }

  public func known(provider: String, caller: AgentCaller) -> Bool? {
    decided(Self.key(provider, caller))
  }

  public func ask(provider: String, caller: AgentCaller, hungUp: () -> Bool, waiting: () -> Void) -> Bool {
    let key = Self.key(provider, caller)
    if let known = decided(key) { return known }
    guard AgentApprovals.isBoardOpen(store) else { return false }
    waiting()
    return asking.withLock { _ -> Bool in
      if let known = decided(key) { return known }
      // A caller that left while others were asked is not asked about.
      guard !hungUp(), AgentApprovals.isBoardOpen(store) else { return false }
      let now = Date()
      let number = "\(Int(now.timeIntervalSince1970))-\(caller.pid)-\(UInt32.random(in: 0...UInt32.max))"
      let watcher = FolderWatcher(folders: [AgentApprovals.folder(of: store)])
      watcher.arm()
      AgentApprovals.ask(
        AgentApprovalRequest(number: number, provider: provider, caller: caller.description, askedAt: now),
        in: store)
      defer { AgentApprovals.remove(number, in: store) }
      let deadline = now.addingTimeInterval(AgentApprovals.lifetime)
      while true {
        if let allowed = AgentApprovals.answer(of: number, in: store) {
          decisions.withLock { $0[key] = (allowed, Date().addingTimeInterval(Self.remembered)) }
          return allowed
        }
        let left = deadline.timeIntervalSinceNow
        // No answer in time, the board closed, or the caller left: refused, and not kept.
        if left <= 0 || hungUp() || !AgentApprovals.isBoardOpen(store) { return false }
        _ = watcher.wait(timeout: min(left, 1))
        watcher.arm()
      }
    }
  }

  /// The same process (pid and start time, so a pid used again is another caller) and provider.
  private static func key(_ provider: String, _ caller: AgentCaller) -> String {
    "\(provider) \(caller.pid) \(caller.startTime.map(String.init) ?? "?")"
  }

  private func decided(_ key: String) -> Bool? {
    decisions.withLock { decisions in
      guard let decision = decisions[key], decision.until > Date() else { return nil }
      return decision.allowed
    }
  }
}
