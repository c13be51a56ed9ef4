import Foundation

public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  public var url: URL
  public var headers: [(String, String)]
  public var body: Data
  /// An extra trust root (PEM) for this provider.
  public var caFile: String?
  /// The whole exchange must finish within this, not merely stay active.
  public var deadline: TimeInterval
  public var maxBodyBytes: Int

  public init(
    method: String, url: URL, headers: [(String, String)] = [], body: Data = Data(), caFile: String? = nil,
    deadline: TimeInterval = 30, maxBodyBytes: Int = 1 << 20
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.caFile = caFile
    self.deadline = deadline
    self.maxBodyBytes = maxBodyBytes
  }

  /// The value of the header `name` (compared without case), when the request has it.
  public func header(_ name: String) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
  }

  public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
    lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.caFile == rhs.caFile
      && lhs.headers.map { "\($0.0): \($0.1)" } == rhs.headers.map { "\($0.0): \($0.1)" }
  }
}

public struct HTTPResponse: Sendable, Equatable {
  public var status: Int
  public var contentType: String?
  public var body: Data
  /// Where a 3xx points (its Location, resolved against the request's URL); never followed.
  public var location: String?
  /// The server's clock when it answered (its Date header), when it sent one that reads.
  public var date: Date?

  public init(status: Int, contentType: String?, body: Data, location: String? = nil, date: Date? = nil) {
    self.status = status
    self.contentType = contentType
    self.body = body
    self.location = location
    self.date = date
  }
}

/// The network, as the token service sees it. The executable passes libcurl; nothing in
/// the core knows how bytes travel.
public protocol HTTPTransport: Sendable {
  /// Throws `.network` for failures below HTTP (timeout, refused, TLS, body too large).
  func send(_ request: HTTPRequest) throws(AuthDeckError) -> HTTPResponse
}
