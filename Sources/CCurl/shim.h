#ifndef BATON_CCURL_SHIM_H
#define BATON_CCURL_SHIM_H

/*
 * libcurl for Swift.
 *
 * Swift cannot call C variadic functions, so curl_easy_setopt, curl_easy_getinfo and
 * curl_multi_setopt are reached through the typed `static inline` wrappers below, one per
 * argument type that libcurl documents for an option. Nothing else in the package sees a
 * C type: the `Curl` target is the only importer of this module.
 */

#include <curl/curl.h>

/* CURL_GLOBAL_ALL is a macro expression Swift does not import. */
static const long BATON_CURL_GLOBAL_ALL = CURL_GLOBAL_ALL;

/* ---- curl_easy_setopt ------------------------------------------------------------ */

/* CURLOPTTYPE_LONG and CURLOPTTYPE_VALUES options (flags, timeouts in ms, …). */
static inline CURLcode baton_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPTTYPE_STRINGPOINT options: libcurl copies the string (except COPYPOSTFIELDS' data,
   see baton_curl_easy_setopt_pointer). */
static inline CURLcode baton_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPTTYPE_OBJECTPOINT / CBPOINT options: user data pointers, error buffer, post data. */
static inline CURLcode baton_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPTTYPE_OFF_T options (sizes that may exceed 2 GiB). */
static inline CURLcode baton_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPTTYPE_SLISTPOINT options (HTTPHEADER, MAIL_RCPT, …). libcurl does not copy the
   list: it must outlive the transfer. */
static inline CURLcode baton_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPT_WRITEFUNCTION */
static inline CURLcode baton_curl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/* CURLOPT_HEADERFUNCTION (same signature as the write callback). */
static inline CURLcode baton_curl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

/* CURLOPT_READFUNCTION */
static inline CURLcode baton_curl_easy_setopt_read_callback(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

/* CURLOPT_SEEKFUNCTION (lets libcurl rewind an upload, e.g. to resend it). */
static inline CURLcode baton_curl_easy_setopt_seek_callback(CURL *handle, curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}

/* ---- curl_easy_getinfo ----------------------------------------------------------- */

static inline CURLcode baton_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* The string belongs to the handle: copy it before the handle is cleaned up. */
static inline CURLcode baton_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode baton_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode baton_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* CURLINFO_COOKIELIST, CURLINFO_SSL_ENGINES: the caller frees the list with
   curl_slist_free_all. */
static inline CURLcode baton_curl_easy_getinfo_slist(CURL *handle, CURLINFO info, struct curl_slist **value) {
    return curl_easy_getinfo(handle, info, value);
}

/* ---- curl_multi_setopt ----------------------------------------------------------- */

static inline CURLMcode baton_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLMcode baton_curl_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value) {
    return curl_multi_setopt(handle, option, value);
}

/* ---- CURLMsg --------------------------------------------------------------------- */

/* The result of a finished transfer lives in an anonymous union; read it here so Swift
   does not depend on how the union is imported. */
static inline CURLcode baton_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

static inline int baton_curl_msg_is_done(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE;
}

/* ---- Thread names ---------------------------------------------------------------- */

/* Names the calling thread (Linux keeps 15 bytes). Foundation's Thread.name cannot be
   relied on for this: on Linux it only reaches the OS when set after the creating thread
   has recorded the new thread's handle, which races with the thread's own start. */
#include <pthread.h>
#if defined(__linux__)
extern int pthread_setname_np(pthread_t thread, const char *name);
static inline void baton_set_current_thread_name(const char *name) {
    (void)pthread_setname_np(pthread_self(), name);
}
#elif defined(__APPLE__)
static inline void baton_set_current_thread_name(const char *name) {
    (void)pthread_setname_np(name);
}
#else
static inline void baton_set_current_thread_name(const char *name) { (void)name; }
#endif

#endif
