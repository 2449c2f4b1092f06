/* rein-server-error.c: the error domain of rein-server, and its HTTP statuses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-server-error.h"

#include <libsoup/soup.h>

G_DEFINE_QUARK (rein-server-error-quark, rein_server_error)

guint
rein_server_error_to_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, 500);

  if (error->domain != REIN_SERVER_ERROR)
    return 500;

  switch ((ReinServerError) error->code)
    {
    case REIN_SERVER_ERROR_INVALID:
    case REIN_SERVER_ERROR_BAD_DOCUMENT:
      return 400;
    case REIN_SERVER_ERROR_BAD_NONCE:
    case REIN_SERVER_ERROR_BAD_SIGNATURE:
    case REIN_SERVER_ERROR_WRONG_DELEGATE:
      return 401;
    case REIN_SERVER_ERROR_USER_NOT_FOUND:
    case REIN_SERVER_ERROR_NO_SPACE:
    case REIN_SERVER_ERROR_NO_ACCOUNT:
      return 403;
    case REIN_SERVER_ERROR_NOT_FOUND:
      return 404;
    case REIN_SERVER_ERROR_KEY_TAKEN:
      return 409;
    case REIN_SERVER_ERROR_TOO_LARGE:
      return 413;
    case REIN_SERVER_ERROR_URI_TOO_LONG:
      return 414;
    case REIN_SERVER_ERROR_RATE_LIMITED:
      return 429;
    case REIN_SERVER_ERROR_UNAVAILABLE:
      return 503;
    case REIN_SERVER_ERROR_DATABASE:
    default:
      return 500;
    }
}

const gchar *
rein_server_status_phrase (guint status)
{
  /* libsoup 3.2 knows no phrase for 429. */
  if (status == 429)
    return "Too Many Requests";
  return soup_status_get_phrase (status);
}
