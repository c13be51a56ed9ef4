#ifndef AUTHDECK_HTTP_H
#define AUTHDECK_HTTP_H
#include <stddef.h>

// One HTTP exchange through libcurl, with the limits AuthDeck needs and nothing else:
// no redirects, http/https only, a total deadline, a capped body, an extra trust root.
typedef struct {
  const char *method;           // "GET" or "POST"
  const char *url;
  const char *const *headers;   // "Name: value" lines
  size_t header_count;
  const char *body;             // may be NULL
  size_t body_length;
  const char *ca_file;          // extra PEM trust root, or NULL
  long timeout_ms;              // total deadline
  long connect_timeout_ms;
  size_t max_body_bytes;        // larger bodies are refused without being kept
} ad_http_request;

typedef struct {
  long status;
  char *body;                   // malloc'd, free with ad_http_response_free
  size_t body_length;
  char *content_type;           // malloc'd or NULL
  char *location;               // where a 3xx points (not followed), malloc'd or NULL
  char *date;                   // the Date header's value (the server's clock), malloc'd or NULL
  int error_kind;               // AD_HTTP_OK or one of the kinds below
  char error_message[256];      // libcurl's own words, never contains the request body
} ad_http_response;

enum {
  AD_HTTP_OK = 0,
  AD_HTTP_UNAVAILABLE = 1,      // libcurl could not be loaded
  AD_HTTP_TIMEOUT = 2,
  AD_HTTP_TOO_LARGE = 3,
  AD_HTTP_CONNECT = 4,
  AD_HTTP_TLS = 5,
  AD_HTTP_OTHER = 6,
  AD_HTTP_PROXY = 7,            // the proxy refused or could not be reached
};

void ad_http_perform(const ad_http_request *request, ad_http_response *response);
void ad_http_response_free(ad_http_response *response);
#endif
