import ArgumentParser
import AuthDeckCore
import Foundation

struct Token: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a valid access token for ID, refreshing it if it can.",
    discussion: """
      Prints the token and a newline, nothing else. Exit status 3 means a login is needed; \
      the reason and the command to run are on stderr.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account (e.g. lime/main).") var id: String

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      TokenPrinter.print(id, stored: try context.store.load(id), context: context)
    }
  }
}

/// The token, renewed first when it must be: one read before, one under the lock.
enum TokenPrinter {
  static func print(_ id: SessionID, stored: Session?, context: Context) {
    do throws(AuthDeckError) {
      let tokens = try context.service().validToken(id, stored: stored, now: Date())
      Swift.print(tokens.accessToken)
    } catch {
      Terminal.error(error.description)
      exit(error.exitCode)
    }
  }
}
