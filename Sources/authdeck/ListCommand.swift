import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List every session with its status and expiry.",
    discussion: """
      Reads the store, and the configuration for when a token counts as expiring. A configuration \
      that cannot be read is reported after the list, with exit status 78.
      """)

  @OptionGroup var global: GlobalOptions
  @Flag(
    help: """
      Print a JSON array of session objects (id, state, needs_login, login_reason, refreshable, \
      expires_at, expires_in, ...); never a secret.
      """)
  var json = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let (sessions, problems, unread) = try context.store.loadAll()
      problems.forEach { Console.error($0) }
      let configuration = context.configurationResult()
      let threshold = (try? configuration.get())?.expiringWithin ?? SessionStatus.defaultExpiringWithin
      let now = Date()
      if json {
        Console.out(SessionJSON.array(sessions, now: now, expiringWithin: threshold))
      } else if !sessions.isEmpty {
        Console.out(SessionListing.table(sessions, now: now, expiringWithin: threshold), terminator: "")
      } else if case .failure(let error) = configuration {
        Console.error(SessionListing.emptyWithBrokenConfiguration(error))
        Foundation.exit(error.exitCode)
      } else if unread == 0 {
        Console.note(SessionListing.empty)
      }
      if case .failure(let error) = configuration { throw error }
      // A session file that could not be read leaves the list incomplete: said above, and failed.
      if unread > 0 { Foundation.exit(AuthDeckError.failureStatus) }
    }
  }
}
