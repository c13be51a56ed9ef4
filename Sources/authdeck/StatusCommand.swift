import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Status: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "One short line for a shell prompt or tmux: time left per provider, ✗ where a login is needed.",
    discussion: """
      e.g. `lime 7:50 · acme ✗ · limio ✓ · 1 to log in`. Reads only the store: no configuration, \
      no network, never a secret. Prints nothing when there are no sessions.
      """)

  @Flag(
    help: """
      Print a JSON array, one object per session: id, provider, account, state, needs_login, \
      refreshable, expires_at (RFC 3339) and remaining (seconds); null when the end is unknown.
      """)
  var json = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let store = SessionStore(
        root: SessionStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
      let (sessions, problems) = try store.loadAll()
      problems.forEach { Terminal.error($0) }
      let now = Date()
      if json {
        print(StatusLine.json(sessions, now: now))
      } else if !sessions.isEmpty {
        print(StatusLine.line(sessions, now: now))
      }
    }
  }
}
