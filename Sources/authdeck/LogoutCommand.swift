import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct LogoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logout",
    abstract: "Revoke and drop the tokens of ID (and the session with --forget).",
    discussion: """
      When the provider has a revocation endpoint (revocation_url, or discovered from its issuer), \
      the refresh and access tokens are revoked there first (RFC 7009). The local tokens are \
      dropped whatever the provider says: if it cannot revoke them, a warning says so on stderr \
      and the exit status is still 0.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account.", completion: SessionCompletion.kind) var id: String
  @Flag(help: "Remove the session from the store, not only its tokens.") var forget = false
  @Flag(help: "Only drop the local copy; do not ask the provider to revoke the tokens.") var local = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      let via: Logout.Provider
      if local {
        via = .local(context.store)
      } else {
        do throws(AuthDeckError) {
          via = .service(try context.service())
        } catch {
          // A broken configuration must not keep tokens on disk: they are dropped, and the
          // warning says why they were not revoked.
          via = .unavailable(context.store, error)
        }
      }
      let revocation = try Logout.run(id, forget: forget, via: via, now: Date()).revocation
      Console.note(LogoutSummary.line(id, forgotten: forget, revocation: revocation))
      if let warning = revocation.warning { Console.error("\(id): \(warning)") }
    }
  }
}
