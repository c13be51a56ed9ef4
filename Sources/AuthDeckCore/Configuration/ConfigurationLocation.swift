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
    if let value = environment[variable], value.hasPrefix("/") { return value }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/" + fallback
  }
}
