import AuthDeckCore
import AuthDeckNet
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `authdeck login`'s wait: for the redirect from the loopback listener and from pasted lines
/// on `input` (stdin), whichever comes first, until the login's deadline. A bad paste is
/// reported through `report` and waited past; a code the provider refused (the login has
/// ended) or a refused login on loopback ends the wait at once.
public final class LoginWaiter: @unchecked Sendable {
  /// What the waiter has to say: a problem (`isError`), or a note on what to do next.
  public typealias Report = @Sendable (_ text: String, _ isError: Bool) -> Void

  let service: TokenService
  let sessionID: SessionID
  let pending: PendingLogin
  let listener: LoopbackHTTPServer?
  let input: Int32
  let report: Report
  private let lock = NSLock()
  private var outcome: Result<Session, AuthDeckError>?
  private let wake: [Int32]

  public init(
    service: TokenService, sessionID: SessionID, pending: PendingLogin, listener: LoopbackHTTPServer?,
    input: Int32 = 0, report: @escaping Report
  ) {
    self.service = service
    self.sessionID = sessionID
    self.pending = pending
    self.listener = listener
    self.input = input
    self.report = report
    var ends: [Int32] = [0, 0]
    pipe(&ends)
    self.wake = ends
  }

  deinit {
    close(wake[0])
    close(wake[1])
  }

  public func wait() throws(AuthDeckError) -> Session {
    if let listener {
      Thread.detachNewThread { [self] in
        listener.serve(until: pending.deadline) { request in self.handle(request) }
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
      }
    }
    defer { listener?.stop() }
    var stdinOpen = true
    var line = [UInt8]()
    while true {
      if let outcome = finished() { return try outcome.get() }
      let remaining = pending.deadline.timeIntervalSinceNow
      guard remaining > 0 else {
        throw .loginRequired(
          "the 5 minutes for \(sessionID)'s login are up; run: authdeck login \(sessionID)")
      }
      var fds = [pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
      if stdinOpen { fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
      let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 3600) * 1000) + 1)
      guard ready > 0 else { continue }
      if fds[0].revents != 0, let outcome = finished() { return try outcome.get() }
      guard stdinOpen, fds.count > 1, fds[1].revents != 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 16 * 1024)
      let n = read(input, &buffer, buffer.count)
      if n <= 0 {
        stdinOpen = false
        // A last line without its newline (`printf %s URL | authdeck login ID`) still counts.
        let rest = String(decoding: line, as: UTF8.self)
        line = []
        if !rest.allSatisfy(\.isWhitespace), let session = try paste(rest) { return session }
        if listener == nil {
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

  /// The session when the paste completed the login; nil when it was refused and the login
  /// still waits. Throws when the login has ended (the provider refused its code).
  private func paste(_ text: String) throws(AuthDeckError) -> Session? {
    do throws(AuthDeckError) {
      let redirect = try Redirect(pasted: text)
      let session = try service.completeLogin(redirect: redirect, now: Date(), expecting: sessionID)
      finish(.success(session))
      return session
    } catch {
      if Self.endsLogin(error, onLoopback: false) {
        finish(.failure(error))
        throw error
      }
      report(error.description, true)
      report("The login is still waiting: paste the redirect URL again, or press Ctrl-D to stop.", false)
      return nil
    }
  }

  /// The loopback listener's handler: completes the login, or answers why not and keeps
  /// listening (a provider's refusal ends it).
  private func handle(_ request: ServerRequest) -> (ServerResponse, stop: Bool) {
    guard let redirectURI = URL(string: pending.redirectURI) else {
      return (.text(404, "Not found\n"), false)
    }
    let (response, outcome) = LoopbackRedirect.handle(request, redirectURI: redirectURI) {
      (redirect) throws(AuthDeckError) in
      try service.completeLogin(redirect: redirect, now: Date(), expecting: sessionID)
    }
    switch outcome {
    case .success(let session)?:
      finish(.success(session))
      return (response, true)
    case .failure(let error)?:
      guard Self.endsLogin(error, onLoopback: true) else {
        report(error.description, true)
        return (response, false)
      }
      finish(.failure(error))  // reported once, by whoever runs the login
      return (response, true)
    case nil:
      return (response, false)
    }
  }

  /// A code the token endpoint refused ends the login (no paste can help); on loopback, so does
  /// the provider's refusal of the login itself (the browser came back with an error).
  static func endsLogin(_ error: AuthDeckError, onLoopback: Bool) -> Bool {
    switch error {
    case .loginRequired: return true
    case .provider: return onLoopback
    default: return false
    }
  }

  private func finish(_ result: Result<Session, AuthDeckError>) {
    lock.lock()
    if outcome == nil { outcome = result }
    lock.unlock()
  }

  private func finished() -> Result<Session, AuthDeckError>? {
    lock.lock()
    defer { lock.unlock() }
    return outcome
  }
}
