import ArgumentParser
import AuthDeckCore
import Foundation

/// Tab on a session id (`token`, `login`, `exec`, `wait`, `logout`, `kube-credential`): the
/// stored sessions, and `provider/` for every provider the configuration or the store names, for
/// the shell to match against what was typed. It reads the store's file names and the configuration's table names,
/// never a session file or a secret; what cannot be read offers nothing, silently: a message
/// would land in the middle of the command line being typed.
enum SessionCompletion {
  static let kind = CompletionKind.custom(candidates)

  /// `words`: the command line as the shell split it; `index`: the word being completed;
  /// `prefix`: what it holds before the cursor.
  @Sendable static func candidates(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    // After exec's `--` come COMMAND's words.
    guard !words.prefix(index).contains("--") else { return [] }
    let environment = ProcessInfo.processInfo.environment
    let store = SessionStore(root: SessionStore.defaultRoot(environment: environment))
    let stored = (try? store.storedIDs()) ?? []
    let configured = ConfigurationLoader.providerIDs(
      path: ConfigurationLocation.path(explicit: config(in: words), environment: environment))
    // `wait` and `exec` take several: a session already on the line is not offered again.
    let typed = Set(words.enumerated().filter { $0.offset != index }.map(\.element))
    let providers = Set(configured + stored.map(\.provider)).map { $0 + "/" }
    let sessions = stored.map(\.description).filter { !typed.contains($0) }
    return (providers + sessions).filter { $0.hasPrefix(prefix) }.sorted()
  }

  /// The `--config PATH` (or `--config=PATH`) of the command line being completed.
  static func config(in words: [String]) -> String? {
    for (index, word) in words.enumerated() {
      if word == "--config", index + 1 < words.count { return words[index + 1] }
      if word.hasPrefix("--config=") { return String(word.dropFirst("--config=".count)) }
    }
    return nil
  }
}
