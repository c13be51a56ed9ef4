import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Redirects caught on loopback for one `authdeck login`, handed from the listener's thread to
/// the waiter, with a pipe that wakes the waiter's poll.
public final class RedirectOutcomes: Sendable {
  private let outcomes = Mutex<[RedirectOutcome]>([])
  private let pipe: WakePipe
  var readEnd: Int32 { pipe.readEnd }

  public init() throws(AuthDeckError) { pipe = try WakePipe() }

  deinit { pipe.close() }

  func offer(_ outcome: RedirectOutcome) {
    outcomes.withLock { $0.append(outcome) }
    pipe.wake()
  }

  func take() -> [RedirectOutcome] {
    pipe.drain()
    return outcomes.withLock { taken in
      defer { taken = [] }
      return taken
    }
  }
}

/// `authdeck login`'s wait, until the login's deadline, for whichever comes first: the redirect
/// caught on loopback, a redirect pasted on `input` (stdin), or the store saying the login ended
/// elsewhere (another login of the session took over, it was logged out, or completed). A bad
/// paste is reported and waited past; what the provider says (a denial, a refused code) ends it.
public struct LoginWaiter {
  /// What the waiter has to say: a problem (`isError`), or a note on what to do next.
  public typealias Report = @Sendable (_ text: String, _ isError: Bool) -> Void

  let service: TokenService
  let sessionID: SessionID
  let pending: PendingLogin
  let redirects: RedirectOutcomes
  let listening: Bool
  let input: Int32
  /// Readable once SIGINT, SIGTERM or SIGHUP came (`TerminationSignals`): the wait ends.
  let interrupt: Int32?
  let report: Report

  public init(
    service: TokenService, sessionID: SessionID, pending: PendingLogin, redirects: RedirectOutcomes,
    listening: Bool, input: Int32 = 0, interrupt: Int32? = nil, report: @escaping Report
  ) {
    self.service = service
    self.sessionID = sessionID
    self.pending = pending
    self.redirects = redirects
    self.listening = listening
    self.input = input
    self.interrupt = interrupt
    self.report = report
  }

  public func wait() throws(AuthDeckError) -> Session {
    let store = FolderWatcher(folders: [service.store.sessionsDirectory])
    var stdinOpen = true
    var line = [UInt8]()
    while true {
      store.arm()  // before looking: a write after the look still wakes the poll below
      if let session = try lookAtStore() { return session }
      let remaining = pending.deadline.timeIntervalSinceNow
      guard remaining > 0 else {
        throw .loginRequired(LoginRequired(sessionID, .timedOut(device: false), at: Date()))
      }
      var fds = [pollfd(fd: redirects.readEnd, events: Int16(POLLIN), revents: 0)]
      if let watched = store.descriptor { fds.append(pollfd(fd: watched, events: Int16(POLLIN), revents: 0)) }
      if let interrupt { fds.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
      let stdinIndex = fds.count
      if stdinOpen { fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
      // Without inotify the store is looked at once a second.
      let wait = min(remaining, store.descriptor == nil ? 1 : 3600)
      guard poll(&fds, nfds_t(fds.count), Int32(wait * 1000) + 1) > 0 else { continue }
      store.drain()
      if interrupt != nil && TerminationSignals.requested {
        throw .other("the login was interrupted; nothing was stored")
      }
      for outcome in redirects.take() {
        if let session = try settle(outcome) { return session }
      }
      guard stdinOpen, fds.count > stdinIndex, fds[stdinIndex].revents != 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 16 * 1024)
      let n = read(input, &buffer, buffer.count)
      if n <= 0 {
        stdinOpen = false
        // A last line without its newline (`printf %s URL | authdeck login ID`) still counts.
        let rest = String(decoding: line, as: UTF8.self)
        line = []
        if !rest.allSatisfy(\.isWhitespace), let session = try paste(rest) { return session }
        if !listening {
          throw .redirect(
            "no redirect URL was pasted; \(sessionID) stays pending until \(TimeFormat.local(pending.deadline))"
          )
        }
        continue
      }
      line += buffer[0..<n]
      while let newline = line.firstIndex(of: 10) {
        let text = String(decoding: line[..<newline], as: UTF8.self)
        line.removeSubrange(...newline)
        guard !text.allSatisfy(\.isWhitespace) else { continue }
        if let session = try paste(text) { return session }
      }
    }
  }

  private func paste(_ text: String) throws(AuthDeckError) -> Session? {
    try settle(RedirectCompletion.complete(pasted: text, service: service, expecting: sessionID, now: Date()))
  }

  /// The session when `outcome` completed the login; nil when the redirect was refused and the
  /// login still waits (said, with what to do). Throws when the provider ended the login, or
  /// when no paste can mend the refusal (the client's own credentials or configuration).
  private func settle(_ outcome: RedirectOutcome) throws(AuthDeckError) -> Session? {
    switch outcome {
    case .loggedIn(let session):
      return session
    case .ended(_, let required):
      throw .loginRequired(required)
    case .refused(_, let error):
      switch error {
      case .redirect, .network: break  // another paste, or the provider back up, can mend it
      default: throw error
      }
      report(error.description, true)
      report("The login is still waiting: paste the redirect URL again, or press Ctrl-D to stop.", false)
      return nil
    }
  }

  /// What the store says of this login: nil while it waits; the session when it was completed
  /// (here or elsewhere); throws when it ended elsewhere (replaced, logged out, forgotten).
  private func lookAtStore() throws(AuthDeckError) -> Session? {
    let stored = try service.store.load(sessionID)
    switch LoginFate.of(login: pending.state, startedAt: pending.startedAt, in: stored, now: Date()) {
    case .waiting: return nil
    case .loggedIn(let session): return session
    case .ended(.timedOut): return nil  // said by the deadline check, with its own words
    case .ended(let reason): throw .loginRequired(LoginRequired(sessionID, reason, at: Date()))
    }
  }
}
