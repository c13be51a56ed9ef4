import AuthDeckCore
import Foundation

/// Everything that can happen to the board: keys, time, and the results of effects.
public enum BoardEvent: Equatable, Sendable {
  case key(Key)
  /// A bracketed paste from the terminal.
  case pasted(String)
  case tick(Date)
  /// The list area's height changed (resize).
  case resized(pageSize: Int)
  /// The store was read again (another process may have changed it).
  case reloaded([Session], problems: [String])
  /// Only the ids and the first screen of sessions are known yet; a `.reloaded` follows.
  case partiallyLoaded([Session])
  /// A login was started: the pending login is stored, the browser asked to open.
  case loginStarted(SessionID)
  /// A request for this session finished; the store already holds the outcome.
  case finished(SessionID, error: String?)
  /// A paste was checked and exchanged, or refused (`error`); `id` is the session it matched.
  case pasteHandled(SessionID?, error: String?)
  /// Something to tell the user (copy done, browser failed, …).
  case notice(String, isError: Bool)
}

/// What the board asks the world to do. Plain values: the run loop performs them and
/// reports back with events.
public enum BoardEffect: Equatable, Sendable {
  case startLogin(SessionID)
  case completeLogin(pasted: String)
  case renew(SessionID)
  case copyToken(SessionID)
  case copyAuthorizeURL(SessionID)
  case logout(SessionID, forget: Bool)
  case openDemo
  case quit
}
