import AuthDeckBoard
import AuthDeckCore
import Foundation

/// What the runner tells the board about providers, besides the effects it performs.
extension EffectRunner {
  /// The service, its notices told to the board.
  static func telling(_ sink: any EventSink, _ service: TokenService) -> TokenService {
    var service = service
    service.notices = { sink.post(.providerNotice($0)) }
    return service
  }

  /// Tries the discovery of every provider that names an issuer (its cached document while it
  /// is fresh), off the loop, so that one that cannot be used is marked before anyone logs in.
  public func checkProviders() {
    let service = current.service
    for provider in service.configuration.providers where provider.configuredIssuer != nil {
      work.async { [sink] in
        do throws(AuthDeckError) {
          _ = try service.discovery.metadata(for: provider, now: Date())
          sink.post(.providerChecked(provider.id, problem: nil))
        } catch {
          sink.post(.providerChecked(provider.id, problem: error))
        }
      }
    }
  }
}
