import AuthDeckCore
import Foundation

/// `agent = "confirm"`: the agent's questions, asked one at a time on the status line when the
/// list is in view, with a notification (the board may be behind another window). One not
/// answered within `AgentApprovals.lifetime` is dropped: the agent has refused it by then.
extension BoardState {
  mutating func askApproval() -> [BoardEffect] {
    approvals.removeAll { now.timeIntervalSince($0.askedAt) >= AgentApprovals.lifetime }
    if case .approve(let asked) = mode, !approvals.contains(asked) {
      mode = .list
      say("\(asked.caller)'s request for \(asked.provider)'s tokens timed out: refused")
    }
    guard mode == .list, let next = approvals.first else { return [] }
    mode = .approve(next)
    message = nil
    return [
      .notify(title: "AuthDeck: the agent asks", body: "\(next.caller) asks for \(next.provider)'s tokens")
    ]
  }
}
