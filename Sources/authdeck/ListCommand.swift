import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct List: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List every session with its status and expiry.")

  @OptionGroup var global: GlobalOptions
  @Flag(
    help:
      "Print a JSON array (no secrets): id, provider, account, status, issued_at, expires_at, refreshable.")
  var json = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let (sessions, problems) = try context.store.loadAll()
      problems.forEach { Console.error($0) }
      let threshold = (try? context.configuration().expiringWithin) ?? 15 * 60
      let now = Date()
      if json {
        Console.out(SessionListing.json(sessions, now: now, expiringWithin: threshold))
      } else if sessions.isEmpty {
        Console.note(SessionListing.empty)
      } else {
        Console.out(SessionListing.table(sessions, now: now, expiringWithin: threshold), terminator: "")
      }
    }
  }
}
