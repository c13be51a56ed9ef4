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
      let now = Date()
      // The fast path: one small file, no configuration, no network.
      if let session = try context.store.load(id),
        let tokens = TokenService.usableToken(in: session, now: now)
      {
        print(tokens.accessToken)
        return
      }
      let tokens = try context.service().validToken(id, now: now)
      print(tokens.accessToken)
    }
  }
}
