import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import Foundation

struct KubeCredential: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kube-credential",
    abstract: "Print a Kubernetes ExecCredential with ID's access token, for kubectl's exec plugin.",
    discussion: """
      Prints one JSON object on stdout: apiVersion client.authentication.k8s.io/v1, or v1beta1 \
      when KUBERNETES_EXEC_INFO asks for it, with status.token and status.expirationTimestamp \
      (absent when the provider gave no lifetime). The token is refreshed first when it must be \
      and can be, as token does. When a login is needed: exit 3 with the login to run on \
      stderr, which kubectl shows. Only when KUBERNETES_EXEC_INFO says spec.interactive and \
      stdin and stderr are a terminal does it log in itself. A malformed KUBERNETES_EXEC_INFO \
      or another apiVersion: exit 64.

      In a kubeconfig: users[].user.exec with apiVersion client.authentication.k8s.io/v1, \
      command authdeck, args [kube-credential, ID] and interactiveMode IfAvailable.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account (e.g. lime/main).", completion: SessionCompletion.kind)
  var id: String

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let context = Context(options: global)
      let request = try ExecCredential.Request(execInfo: context.environment[ExecCredential.infoVariable])
      let tokens: TokenSet
      do throws(AuthDeckError) {
        tokens = try context.validToken(id, minValid: 0)
      } catch {
        guard request.interactive, error.loginRequired?.reason.suggestsLogin == true,
          isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1
        else { throw error }
        _ = try Login.logIn(id, context: context, openBrowser: true)
        tokens = try context.validToken(id, minValid: 0)
      }
      Console.out(ExecCredential.json(tokens, version: request.apiVersion))
    }
  }
}
