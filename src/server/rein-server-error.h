/* rein-server-error.h: the error domain of rein-server, and its HTTP statuses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_SERVER_ERROR (rein_server_error_quark ())

typedef enum
{
  REIN_SERVER_ERROR_INVALID,        /* 400: malformed request */
  REIN_SERVER_ERROR_BAD_DOCUMENT,   /* 400: value is not a validly signed document */
  REIN_SERVER_ERROR_BAD_NONCE,      /* 401 */
  REIN_SERVER_ERROR_BAD_SIGNATURE,  /* 401 */
  REIN_SERVER_ERROR_WRONG_DELEGATE, /* 401: put not signed by the registered delegate */
  REIN_SERVER_ERROR_USER_NOT_FOUND, /* 403 */
  REIN_SERVER_ERROR_NO_SPACE,       /* 403 */
  REIN_SERVER_ERROR_NO_ACCOUNT,     /* 403: querying without a bucket */
  REIN_SERVER_ERROR_NOT_FOUND,      /* 404 */
  REIN_SERVER_ERROR_KEY_TAKEN,      /* 409: key placed by another owner */
  REIN_SERVER_ERROR_TOO_LARGE,      /* 413 */
  REIN_SERVER_ERROR_URI_TOO_LONG,   /* 414 */
  REIN_SERVER_ERROR_RATE_LIMITED,   /* 429 */
  REIN_SERVER_ERROR_DATABASE,       /* 500 */
  REIN_SERVER_ERROR_UNAVAILABLE,    /* 503: shutting down */
} ReinServerError;

GQuark rein_server_error_quark (void);

/* All a client learns of the server's own failures (HTTP 500): a
 * database's error text may name its host, user or schema, which are not
 * the client's to know. The detail goes to the log. */
#define REIN_SERVER_INTERNAL_ERROR_MESSAGE \
  "Internal server error (the server's log has the details)"

/* The HTTP status that answers @error (500 for foreign domains). */
guint rein_server_error_to_status (const GError *error);

/* The reason phrase of an HTTP status. */
const gchar *rein_server_status_phrase (guint status);

G_END_DECLS
