import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct GitCredential: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "git-credential",
    abstract: "Answer git's credential helper requests with access tokens (get, store, erase).",
    discussion: """
      git runs it with the request's key=value lines on stdin, up to an empty line. For get, \
      when protocol is https (http only to 127.0.0.1 or ::1) and host is in a provider's \
      git_hosts, it prints username= (git_username, default oauth2), password= (the access \
      token, refreshed first when it must be and can be, as token does) and \
      password_expiry_utc= (Unix seconds; absent when unknown). The session is the provider's \
      git_account, else its only one. Otherwise it prints nothing and exits 0, so git asks its \
      next helper or you; when the fix is yours (a login to run, git_account to set) one line \
      on stderr says it. store and erase read the request and change nothing. An unknown \
      action, or a request line that is not key=value, exits 64.

      Set it up for each host (and list the host in git_hosts):
        git config --global credential.https://HOST.helper '!authdeck git-credential'
      """)

  enum Action: String, CaseIterable {
    case get, store, erase
  }

  @OptionGroup var global: GlobalOptions
  @Argument(
    help: ArgumentHelp("What git asks: get, store or erase.", valueName: "action"),
    completion: .list(Action.allCases.map(\.rawValue)))
  var action: String

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      guard let action = Action(rawValue: action) else {
        throw .usage(
          "git-credential: unknown action '\(Sanitizer.inline(action, limit: 40))'; git asks get, store or erase"
        )
      }
      let input = try Self.readRequest()
      guard action == .get else { return }  // git's store and erase: AuthDeck's sessions are its own
      let context = Context(options: global)
      if let agent = context.agent {
        let request = try GitCredentialRequest(parsing: input)
        guard request.isSafeForTokens, let host = request.host,
          case .git(let answer, let note) = try agent.ask(.git(host: host))
        else { return }
        if let note { Console.error(note) }
        if let answer { Console.out(answer.text, terminator: "") }
        return
      }
      let route = try GitCredentialRoute.route(
        try GitCredentialRequest(parsing: input), providers: try context.configuration().providers
      ) { (provider) throws(AuthDeckError) in try context.store.storedIDs().filter { $0.provider == provider }
      }
      guard case .session(let id, let username) = route else {
        if let note = GitCredentialText.note(route) { Console.error(note) }
        return
      }
      do throws(AuthDeckError) {
        let tokens = try context.validToken(id, minValid: 0)
        Console.out(GitCredentialAnswer(username: username, tokens: tokens).text, terminator: "")
      } catch {
        // Nothing for git, which falls back to its next helper or the person; the login to run for them.
        guard error.loginRequired != nil else { throw error }
        Console.error(CommandLineText.message(error))
      }
    }
  }

  /// git's lines on stdin, up to the empty line that ends them or the end of input.
  static func readRequest() throws(AuthDeckError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while !GitCredentialRequest.isComplete(bytes) {
      let count = read(STDIN_FILENO, &chunk, chunk.count)
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      bytes += chunk[..<count]
      guard bytes.count <= GitCredentialRequest.sizeLimit else {
        throw .usage("git's request is longer than \(GitCredentialRequest.sizeLimit / 1024) KiB")
      }
    }
    return bytes
  }
}
