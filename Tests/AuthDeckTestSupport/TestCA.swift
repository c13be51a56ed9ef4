import Foundation

// A throwaway PKI for the tests that speak TLS (AuthDeck's own HTTPS, kubectl's): a CA and
// server certificates made with the openssl command line, in a directory the test removes.

public enum OpenSSL {
  /// The openssl command line tool (Debian package `openssl`).
  public static let path: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Runs `openssl ARGS` and requires it to succeed.
  public static func run(_ arguments: [String]) throws {
    let openssl = try required(
      path, "the openssl command line tool is missing: add the `openssl` package to scripts/setup")
    // No OPENSSL_CONF from the environment: every command gets our own config file.
    var environment = ProcessInfo.processInfo.environment
    environment["OPENSSL_CONF"] = nil
    let result = try ChildProcess.run([openssl] + arguments, environment: environment, timeout: 30)
    try required(
      result.status == 0 && !result.signaled, "openssl \(arguments.joined(separator: " ")): \(result)")
  }
}

/// A server certificate and its key, as PEM files.
public struct ServerCertificate: Sendable {
  public var certificate: String
  public var key: String
  /// The name a client must ask for (the certificate's only subjectAltName).
  public var host: String
}

/// A certificate authority made for one test, in a directory the test removes.
public struct TestCA: Sendable {
  public let directory: String
  public let name: String
  /// The CA certificate (PEM): what `ca_file` points at.
  public var certificate: String { "\(directory)/\(name).pem" }
  public var key: String { "\(directory)/\(name).key" }
  public var config: String { "\(directory)/\(name).cnf" }

  /// An EC P-256 CA valid for two days, with basicConstraints CA:TRUE and keyCertSign.
  public init(in directory: String, name: String = "ca") throws {
    self.directory = directory
    self.name = name
    try writeFile(
      "\(directory)/\(name).cnf",
      """
      [req]
      distinguished_name = dn
      prompt = no
      [dn]
      CN = AuthDeck Test CA \(name)
      [ca_ext]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash

      """)
    try OpenSSL.run([
      "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", key, "-out", certificate, "-days", "2", "-config", config, "-extensions", "ca_ext",
      "-subj", "/CN=AuthDeck Test CA \(name)",
    ])
  }

  /// A TLS server certificate signed by this CA whose only name is `subjectAltName`
  /// (`IP:127.0.0.1`, `DNS:example.com`).
  public func issue(_ leaf: String, subjectAltName: String) throws -> ServerCertificate {
    let host = String(subjectAltName.drop { $0 != ":" }.dropFirst())
    let base = "\(directory)/\(leaf)"
    try writeFile(
      base + ".cnf",
      """
      [req]
      distinguished_name = dn
      prompt = no
      [dn]
      CN = \(host)
      [leaf_ext]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = serverAuth
      subjectAltName = \(subjectAltName)
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid

      """)
    try OpenSSL.run([
      "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", base + ".key", "-out", base + ".csr", "-config", base + ".cnf", "-subj", "/CN=\(host)",
    ])
    try OpenSSL.run([
      "x509", "-req", "-in", base + ".csr", "-CA", certificate, "-CAkey", key,
      "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2", "-out", base + ".pem",
      "-extfile", base + ".cnf", "-extensions", "leaf_ext",
    ])
    return ServerCertificate(certificate: base + ".pem", key: base + ".key", host: host)
  }
}
