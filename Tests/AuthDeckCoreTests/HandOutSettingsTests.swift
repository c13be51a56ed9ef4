import AuthDeckTestSupport
import Testing

@testable import AuthDeckCore

@Suite("Configuration: what the agent serves, and the hosts git asks about")
struct HandOutSettingsTests {
  static let path = "/home/u/.config/authdeck/config.toml"

  func provider(_ keys: String) throws(AuthDeckError) -> Provider {
    let text = """
      [providers.forge]
      authorize_url = "https://id.example/authorize"
      token_url = "https://id.example/token"
      client_id = "c"
      \(keys)
      """
    return try ConfigurationLoader.parse(text, path: Self.path, readableByOthers: false).providers[0]
  }

  @Test("by default the agent serves nothing and git gets nothing")
  func defaults() throws {
    let forge = try provider("")
    #expect(forge.agent == .off)
    #expect(forge.git == nil)
  }

  @Test(
    "agent = true, false or \"confirm\"",
    arguments: [("true", AgentAccess.on), ("false", .off), ("\"confirm\"", .confirm)])
  func agent(text: String, access: AgentAccess) throws {
    #expect(try provider("agent = \(text)").agent == access)
  }

  @Test("git_hosts with the user name and account, hosts compared as git sends them (lower case)")
  func git() throws {
    let forge = try provider(
      #"git_hosts = ["Git.Example.com", "git.example.com:8443"]"#
        + "\ngit_username = \"x-token\"\ngit_account = \"ci\"")
    #expect(
      forge.git
        == GitCredentialSettings(
          hosts: ["git.example.com", "git.example.com:8443"], username: "x-token", account: "ci"))
    #expect(try provider(#"git_hosts = ["git.example.com"]"#).git?.username == "oauth2")
  }

  @Test(
    "a mistake names the file, the provider and the key",
    arguments: [
      ("agent = \"yes\"", "providers.forge.agent: must be true, false or \"confirm\""),
      ("git_hosts = \"git.example.com\"", "providers.forge.git_hosts: must be a list of host names"),
      ("git_hosts = []", "providers.forge.git_hosts: must be a list of host names"),
      (
        #"git_hosts = ["https://git.example.com/"]"#,
        "providers.forge.git_hosts: 'https://git.example.com/' is not a host name"
      ),
      ("git_username = \"x\"", "providers.forge.git_username: applies to git_hosts, which is not set"),
      (
        #"git_hosts = ["g.example"]"# + "\ngit_account = \"a/b\"",
        "providers.forge.git_account: must be an account name"
      ),
    ])
  func mistakes(keys: String, message: String) throws {
    let error = try #require(thrownError { () throws(AuthDeckError) in try provider(keys) })
    #expect(error.exitCode == 78)
    #expect(error.description.hasPrefix(Self.path + ": " + message), "\(error.description)")
  }
}
