import ArgumentParser
import AuthDeckCore
import Foundation

struct Board: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Open the session board (the default).")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    Terminal.error("the board is not built yet; use: authdeck list")
    throw ExitCode(1)
  }
}
