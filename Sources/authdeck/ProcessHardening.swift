import CProcess

/// What ssh-agent and gpg-agent do at start-up: a crash leaves no core file, and no other
/// process of the user's can attach to this one, so neither the client secret nor a token
/// ends up on disk or is read out of memory.
enum ProcessHardening {
  static func apply() { _ = authdeck_disable_core_dumps() }
}
