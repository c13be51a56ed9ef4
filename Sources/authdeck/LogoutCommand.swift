import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct Logout: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Revoke and drop the tokens of ID (and the session with --forget).",
    discussion: """
      When the provider has a revocation endpoint (revocation_url, or discovered from its issuer), \
      the refresh and access tokens are revoked there first (RFC 7009). The local tokens are \
      dropped whatever the provider says: if it cannot revoke them, a warning says so on stderr \
      and the exit status is still 0.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account.") var id: String
  @Flag(help: "Remove the session from the store, not only its tokens.") var forget = false
  @Flag(help: "Only drop the local copy; do not ask the provider to revoke the tokens.") var local = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      var revocation = Revocation.notOffered
      if local {
        try TokenService.logout(id, forget: forget, store: context.store)
      } else {
        let service: TokenService
        do throws(AuthDeckError) {
          service = try context.service()
        } catch {
          // A broken configuration must not keep tokens on disk: drop them, and say why they were not revoked.
          try TokenService.logout(id, forget: forget, store: context.store)
          revocation = .failed(error.description)
          report(id, revocation)
          return
        }
        revocation = try service.logout(id, forget: forget, now: Date()).revocation
      }
      report(id, revocation)
    }
  }

  private func report(_ id: SessionID, _ revocation: Revocation) {
    Console.note(LogoutSummary.line(id, forgotten: forget, revocation: revocation))
    if let warning = LogoutSummary.warning(revocation) { Console.error("\(id): \(warning)") }
  }
}
