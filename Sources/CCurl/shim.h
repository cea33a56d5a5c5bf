#ifndef BATON_CCURL_SHIM_H
#define BATON_CCURL_SHIM_H
#include <curl/curl.h>
#endif
