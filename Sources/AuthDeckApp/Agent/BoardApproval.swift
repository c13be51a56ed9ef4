import AuthDeckCore
import Foundation

/// `agent = "confirm"`: a caller is served once the open board approves it. Until the board can
/// ask, every such caller is refused.
public enum BoardApproval {
  public static func ask(provider: String, caller: AgentCaller, store: SessionStore) -> Bool {
    false
  }
}
