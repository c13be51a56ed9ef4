import AuthDeckCore
import AuthDeckNet

enum CurlTransportFactory {
  static func make() -> any HTTPTransport { CurlTransport() }
}
