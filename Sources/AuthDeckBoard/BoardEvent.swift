import AuthDeckCore
import Foundation

/// Everything that can happen to the board: keys, time, and the results of effects. Results
/// carry typed reasons; the board words them (`BoardText`), with the key to press.
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
  case storeProblem(AuthDeckError)
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
  case browserFailed(SessionID, AuthDeckError)
  /// A request for this session finished (renewal, client credentials, a device login whose
  /// code was entered, or a login that could not start); a `.sessionChanged` with the outcome
  /// came first.
  case finished(SessionID, error: AuthDeckError?)
  /// A renewal was refused in a way only a login mends: the provider refused the refresh
  /// token (`invalid_grant`), or there was nothing to renew with. The session as stored came
  /// first (`.sessionChanged`): it carries the refusal, so nothing renews it again.
  case renewalRefused(LoginRequired)
  /// Keep-alive's renewal came back: done (a `.sessionChanged` came first), or failed with
  /// `error` (tried again later). A refusal comes as `.renewalRefused` instead.
  case keptAlive(SessionID, error: AuthDeckError?)
  /// A redirect (pasted, or caught on loopback) was checked and exchanged, or refused
  /// (`error`); `id` is the session it matched, when it matched one.
  case redirectHandled(SessionID?, error: AuthDeckError?)
  /// A login ended without tokens: the provider denied it or refused its code (no paste can
  /// help), or a device login was denied or its code expired; a `.sessionChanged` without the
  /// pending login came first.
  case loginEnded(SessionID, AuthDeckError)
  /// A login was cancelled (`error`: it could not be): its tokens are as they were.
  case loginCancelled(SessionID, error: AuthDeckError?)
  /// A log-out was done (`revocation` says what the provider did), or refused (`error`).
  case loggedOut(SessionID, forgotten: Bool, error: AuthDeckError?, revocation: Revocation = .revoked)
  /// Something was copied for a session (`result` says how, or that nothing took it), or there
  /// was nothing to copy (`result` nil).
  case copied(SessionID, CopiedItem, CopyResult?)
  /// The token service learned something about a provider a person should know.
  case providerNotice(ProviderNotice)
  /// A provider's discovery was tried when the board opened: `problem` says why it cannot be used.
  case providerChecked(String, problem: AuthDeckError?)
  /// The demo was opened: its providers and sessions replace the board's.
  case demoOpened(Configuration, [Session])
  /// Something to tell the user that no other event carries (the demo could not start, …).
  case notice(String, isError: Bool)
  /// The configuration file changed and was read again.
  case configurationChanged(Configuration)
  /// What `authdeck agent` handed out lately, and to whom (read from the store's agent folder).
  case agentServed([SessionID: AgentServed.Entry])
  /// The agent's questions without an answer (`agent = "confirm"`).
  case approvalsAsked([AgentApprovalRequest])
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
  /// The board's answer to the agent's question `number`.
  case answerApproval(String, allow: Bool)
  /// Esc on a waiting login: it ends, the tokens stay as they were.
  case cancelLogin(SessionID)
  case openDemo
  case quit
  /// Ctrl-Z: leave the screen and stop, as a shell's job (the run loop's own).
  case suspend
  /// Ctrl-L: redraw every cell (the run loop's own).
  case repaint
}
