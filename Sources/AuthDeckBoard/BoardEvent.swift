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
  /// The store could not be read at all (a link, a mode others can read).
  case storeProblem(String)
  /// One session's new stored value, after a request changed it: no need to read the store.
  case sessionChanged(Session)
  /// One session left the store (forgotten).
  case sessionRemoved(SessionID)
  /// A browser login was started: its pending login is stored; `loopback` says whether the
  /// redirect will be caught here.
  case loginStarted(Session, loopback: LoopbackStatus)
  /// A device login (RFC 8628) was started: the session as stored, and the code the user is to
  /// enter, where, and until when. The runner polls; `.finished` or `.loginEnded` follows.
  case deviceLoginStarted(Session, DeviceLoginPrompt)
  /// The browser could not be started for a login that waits.
  case browserFailed(SessionID, reason: String)
  /// A request for this session finished (renewal, client credentials, a device login whose
  /// code was entered, or a login that could not start); a `.sessionChanged` with the outcome
  /// came first.
  case finished(SessionID, error: String?)
  /// A renewal was refused in a way only a login mends: the provider refused the refresh
  /// token (`invalid_grant`), or there was nothing to renew with. Keep-alive leaves the session
  /// alone until it has new tokens; the morning queue logs it in. A `.sessionChanged` with the
  /// session as stored may come first.
  case renewalRefused(SessionID, reason: String)
  /// Keep-alive's renewal came back: done (a `.sessionChanged` came first), or failed with
  /// `error` (tried again later). A refusal comes as `.renewalRefused` instead.
  case keptAlive(SessionID, error: String?)
  /// A redirect (pasted, or caught on loopback) was checked and exchanged, or refused
  /// (`error`); `id` is the session it matched, when it matched one.
  case redirectHandled(SessionID?, error: String?)
  /// A login ended without tokens: the provider refused its code (`invalid_grant`), so no
  /// paste can help, or a device login was denied or its code expired; a `.sessionChanged`
  /// without the pending login came first.
  case loginEnded(SessionID, reason: String)
  /// A log-out was done (or refused: `error`); `warning` says what went wrong at the provider
  /// (the revocation failed) when the local tokens went all the same.
  case loggedOut(SessionID, forgotten: Bool, error: String?, warning: String? = nil)
  /// The demo was opened: its providers and sessions replace the board's.
  case demoOpened(Configuration, [Session])
  /// Something to tell the user (copy done, …).
  case notice(String, isError: Bool)
}

/// Whether a login's redirect will be caught by a loopback listener of ours.
public enum LoopbackStatus: Equatable, Sendable {
  /// The redirect is not a loopback URL: the user pastes it.
  case notUsed
  case listening
  /// The redirect's port is held by another program (or another board): the user pastes.
  case portTaken(String)
}

/// What the board asks the world to do. Plain values: the runner performs them off the UI
/// thread and reports back with events.
public enum BoardEffect: Equatable, Sendable {
  case startLogin(SessionID)
  /// Ask for a device code, then poll until it is entered (RFC 8628).
  case startDeviceLogin(SessionID)
  case completeLogin(pasted: String)
  /// Renew now, whatever is left (`r`, the morning queue, a client-credentials login).
  case renew(SessionID)
  /// Keep-alive: renew unless more than `margin` is left once the session's lock is held
  /// (another process may have renewed it meanwhile).
  case keepAlive(SessionID, margin: TimeInterval)
  /// Tell the user, off the board: a desktop notification through the terminal and
  /// `notify-send`. Never a secret: ids, names and times.
  case notify(title: String, body: String)
  case copyToken(SessionID)
  case copyAuthorizeURL(SessionID)
  /// The device login's user code, to enter at its page.
  case copyUserCode(SessionID, String)
  case logout(SessionID, forget: Bool)
  case openDemo
  case quit
}
