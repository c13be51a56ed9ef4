#include "authdeck_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// libcurl is loaded on first use: linking it costs every process about 3.7 ms,
// and `authdeck token` must start faster than that.
static struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_perform)(CURL *);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  int loaded;
} lib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_libcurl(void) {
  void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!handle) handle = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
  if (!handle) return;
#define SYM(field, name) *(void **)(&lib.field) = dlsym(handle, name); if (!lib.field) return;
  SYM(global_init, "curl_global_init")
  SYM(easy_init, "curl_easy_init")
  SYM(easy_setopt, "curl_easy_setopt")
  SYM(easy_perform, "curl_easy_perform")
  SYM(easy_getinfo, "curl_easy_getinfo")
  SYM(easy_cleanup, "curl_easy_cleanup")
  SYM(easy_strerror, "curl_easy_strerror")
  SYM(slist_append, "curl_slist_append")
  SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
  if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return;
  lib.loaded = 1;
}

typedef struct {
  char *data;
  size_t length;
  size_t capacity;
  size_t limit;
  int overflowed;
} body_buffer;

static size_t collect_body(char *chunk, size_t size, size_t count, void *context) {
  body_buffer *buffer = context;
  size_t n = size * count;
  if (buffer->length + n > buffer->limit) {
    buffer->overflowed = 1;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  if (buffer->length + n + 1 > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 4096;
    while (capacity < buffer->length + n + 1) capacity *= 2;
    char *grown = realloc(buffer->data, capacity);
    if (!grown) return 0;
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->length, chunk, n);
  buffer->length += n;
  buffer->data[buffer->length] = 0;
  return n;
}

// Keeps the Date header's value (RFC 9110 §6.6.1): the server's clock, which tells AuthDeck how
// far off the local one is. Every other header is ignored. A status line starts a new response
// (after a proxy's CONNECT answer): only the last response's Date counts.
static size_t collect_date(char *line, size_t size, size_t count, void *context) {
  char **date = context;
  size_t n = size * count;
  if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
    free(*date);
    *date = NULL;
  } else if (n > 5 && n < 128 && strncasecmp(line, "date:", 5) == 0 && *date == NULL) {
    size_t start = 5, end = n;
    while (start < end && (line[start] == ' ' || line[start] == '\t')) start++;
    while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ')) end--;
    *date = strndup(line + start, end - start);
  }
  return n;
}

static int classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return AD_HTTP_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED: return AD_HTTP_TOO_LARGE;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return AD_HTTP_CONNECT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE: return AD_HTTP_TLS;
    default: return AD_HTTP_OTHER;
  }
}

void ad_http_perform(const ad_http_request *request, ad_http_response *response) {
  memset(response, 0, sizeof(*response));
  pthread_once(&load_once, load_libcurl);
  if (!lib.loaded) {
    response->error_kind = AD_HTTP_UNAVAILABLE;
    snprintf(response->error_message, sizeof(response->error_message),
             "libcurl could not be loaded (install libcurl4)");
    return;
  }
  CURL *curl = lib.easy_init();
  if (!curl) {
    response->error_kind = AD_HTTP_OTHER;
    snprintf(response->error_message, sizeof(response->error_message), "curl_easy_init failed");
    return;
  }
  struct curl_slist *headers = NULL;
  for (size_t i = 0; i < request->header_count; i++)
    headers = lib.slist_append(headers, request->headers[i]);
  body_buffer buffer = {0};
  buffer.limit = request->max_body_bytes;

  char curl_error[CURL_ERROR_SIZE] = {0};
  lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  lib.easy_setopt(curl, CURLOPT_URL, request->url);
  // Plain http is only ever allowed to loopback: it must never travel through a proxy,
  // which may be on another machine and would see the secret in clear text.
  if (strncmp(request->url, "http://", 7) == 0) lib.easy_setopt(curl, CURLOPT_NOPROXY, "*");
  lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, request->timeout_ms);
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
  lib.easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)request->max_body_bytes);
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
  char *date = NULL;
  lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_date);
  lib.easy_setopt(curl, CURLOPT_HEADERDATA, &date);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (request->ca_file) {
    // An extra root on top of the system's, not instead of them.
    lib.easy_setopt(curl, CURLOPT_CAINFO, request->ca_file);
    lib.easy_setopt(curl, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  if (strcmp(request->method, "POST") == 0) {
    lib.easy_setopt(curl, CURLOPT_POST, 1L);
    lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
    lib.easy_setopt(curl, CURLOPT_POSTFIELDS, request->body ? request->body : "");
  }

  CURLcode code = lib.easy_perform(curl);
  if (code == CURLE_OK) {
    lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
    char *content_type = NULL;
    lib.easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type) response->content_type = strdup(content_type);
    char *location = NULL;  // the redirect libcurl would have followed, resolved to an absolute URL
    lib.easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    if (location) response->location = strdup(location);
    response->body = buffer.data;
    response->body_length = buffer.length;
    buffer.data = NULL;
    response->date = date;
    date = NULL;
  } else {
    long connect_code = 0;
    lib.easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    response->error_kind = buffer.overflowed ? AD_HTTP_TOO_LARGE : classify(code);
    if (code == CURLE_COULDNT_RESOLVE_PROXY || (connect_code != 0 && connect_code != 200))
      response->error_kind = AD_HTTP_PROXY;
    // libcurl's own detail ("CONNECT tunnel failed, response 403") says more than strerror.
    snprintf(response->error_message, sizeof(response->error_message), "%s",
             curl_error[0] ? curl_error : lib.easy_strerror(code));
  }
  free(buffer.data);
  free(date);
  lib.slist_free_all(headers);
  lib.easy_cleanup(curl);
}

void ad_http_response_free(ad_http_response *response) {
  free(response->body);
  free(response->content_type);
  free(response->location);
  free(response->date);
  response->date = NULL;
  response->body = NULL;
  response->content_type = NULL;
  response->location = NULL;
}
