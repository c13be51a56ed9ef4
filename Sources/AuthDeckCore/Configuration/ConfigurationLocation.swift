import Foundation

/// Where the configuration lives: --config, then AUTHDECK_CONFIG, then the XDG default.
public enum ConfigurationLocation {
  public static func path(explicit: String?, environment: [String: String]) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    if let fromEnvironment = environment["AUTHDECK_CONFIG"], !fromEnvironment.isEmpty {
      return fromEnvironment
    }
    return XDG.directory("XDG_CONFIG_HOME", fallback: ".config", environment: environment)
      + "/authdeck/config.toml"
  }
}

public enum XDG {
  static func directory(_ variable: String, fallback: String, environment: [String: String]) -> String {
    directory(variable, fallback: fallback) { environment[$0] }
  }

  /// The same with a variable lookup, for callers that have no dictionary of the environment.
  static func directory(_ variable: String, fallback: String, lookup: (String) -> String?) -> String {
    if let value = lookup(variable), value.hasPrefix("/") { return value }
    let home = lookup("HOME") ?? NSHomeDirectory()
    return home + "/" + fallback
  }
}
