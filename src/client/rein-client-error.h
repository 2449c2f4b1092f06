/* rein-client-error.h: the error domain of the client services
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_CLIENT_ERROR (rein_client_error_quark ())

typedef enum
{
  /* The new document would not count (its reason is in the message). */
  REIN_CLIENT_ERROR_INVALID_DOCUMENT,
  /* The job's state or the user's role does not allow it. */
  REIN_CLIENT_ERROR_REFUSED,
  /* No server took the document (it is kept, and the next sync retries). */
  REIN_CLIENT_ERROR_NOT_PUSHED,
  /* Bad input from the user (an amount, an empty field). */
  REIN_CLIENT_ERROR_INVALID_INPUT,
  /* An escrow holds less than is due: nothing is paid out of it yet. */
  REIN_CLIENT_ERROR_UNFUNDED,
  /* An escrow's coins are not mined yet (rein-payments.h). */
  REIN_CLIENT_ERROR_UNCONFIRMED,
  /* No chain backend is set for the identity's network. */
  REIN_CLIENT_ERROR_NO_BACKEND,
} ReinClientError;

GQuark rein_client_error_quark (void);

G_END_DECLS
