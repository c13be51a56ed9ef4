import AuthDeckCore
import AuthDeckNet
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Waits for a login's redirect from the loopback listener and from pasted lines on stdin,
/// whichever comes first, until the login's deadline. A bad paste is reported and waited past.
final class LoginWaiter: @unchecked Sendable {
  let service: TokenService
  let sessionID: SessionID
  let pending: PendingLogin
  let listener: LoopbackHTTPServer?
  private let lock = NSLock()
  private var outcome: Result<Session, AuthDeckError>?
  private let wake: [Int32]

  init(service: TokenService, sessionID: SessionID, pending: PendingLogin, listener: LoopbackHTTPServer?) {
    self.service = service
    self.sessionID = sessionID
    self.pending = pending
    self.listener = listener
    var ends: [Int32] = [0, 0]
    pipe(&ends)
    self.wake = ends
  }

  deinit {
    close(wake[0])
    close(wake[1])
  }

  func wait() throws(AuthDeckError) -> Session {
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
      if stdinOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
      let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 3600) * 1000) + 1)
      guard ready > 0 else { continue }
      if fds[0].revents != 0, let outcome = finished() { return try outcome.get() }
      guard stdinOpen, fds.count > 1, fds[1].revents != 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 16 * 1024)
      let n = read(0, &buffer, buffer.count)
      if n <= 0 {
        stdinOpen = false
        // A last line without its newline (`printf %s URL | authdeck login ID`) still counts.
        let rest = String(decoding: line, as: UTF8.self)
        line = []
        if !rest.allSatisfy(\.isWhitespace), let session = paste(rest) { return session }
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
        if let session = paste(text) { return session }
      }
    }
  }

  private func paste(_ text: String) -> Session? {
    do throws(AuthDeckError) {
      let redirect = try Redirect(pasted: text)
      let session = try service.completeLogin(redirect: redirect, now: Date(), expecting: sessionID)
      finish(.success(session))
      return session
    } catch {
      Terminal.error(error.description)
      Terminal.note("The login is still waiting: paste the redirect URL again, or press Ctrl-D to stop.")
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
      Terminal.error(error.description)
      guard case .provider = error else { return (response, false) }
      finish(.failure(error))
      return (response, true)
    case nil:
      return (response, false)
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
