import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct AgentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agent",
    abstract: "Serve tokens on a Unix socket, to AUTHDECK_SOCK clients here or over ssh -R.",
    discussion: """
      Runs in the foreground until SIGTERM or Ctrl-C. Only providers with agent = true (or \
      "confirm": approved on the open board) are served, and only to processes of this user. \
      Clients (authdeck token, exec, wait, status, kube-credential, git-credential with \
      AUTHDECK_SOCK set to the socket) get access tokens and their expiry, never a refresh \
      token or a secret; renewals happen here. Over ssh: ssh -R REMOTE_PATH:SOCKET, and \
      AUTHDECK_SOCK=REMOTE_PATH on the other side. Whoever is root there can use the \
      forwarded socket while the connection lasts.
      """)

  @OptionGroup var global: GlobalOptions
  @Option(help: "The socket (default: $XDG_RUNTIME_DIR/authdeck/agent.sock).")
  var socket: String?

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let context = Context(options: global)
      let configuration = try context.configuration()
      let path =
        try socket.map(AgentSocketPath.chosen)
        ?? AgentSocketPath.defaultPath(environment: context.environment)
      try AgentSocketPath.prepareFolder(of: path, isDefault: socket == nil)
      let service = AgentService(
        service: { () throws(AuthDeckError) in try context.service() },
        approver: BoardApproval(store: context.store))
      let server = try AgentServer(path: path, service: service)
      let served = configuration.providers.filter { $0.agent != .off }.map(\.id)
      // Said now rather than at a client's first renewal, on another machine perhaps.
      for provider in configuration.providers where provider.agent != .off {
        if case .environment(let name) = provider.secret, (context.environment[name] ?? "").isEmpty {
          Console.error(
            "agent: \(provider.id)'s client_secret_env \(name) is not set here: its renewals will fail; "
              + "start the agent where \(name) is set")
        }
      }
      server.run(untilSignalled: true) {
        Console.note(
          served.isEmpty
            ? "authdeck: agent: no provider has agent = true yet, so nothing is served; listening on \(path)"
            : "authdeck agent: serving \(served.joined(separator: ", ")) on \(path)\n"
              + "use it with: export AUTHDECK_SOCK=\(path)")
      }
    }
  }
}
