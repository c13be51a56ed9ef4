import ArgumentParser
import AuthDeckCore
import Foundation

struct Logout: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Drop the tokens of ID (and the session with --forget).")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account.") var id: String
  @Flag(help: "Remove the session from the store, not only its tokens.") var forget = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      try TokenService.logout(id, forget: forget, store: context.store)
      Terminal.note(forget ? "\(id): forgotten" : "\(id): logged out (tokens dropped)")
    }
  }
}
