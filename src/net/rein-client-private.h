/* rein-client-private.h: ReinClient's answer reading, for the fuzz target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-client.h"

G_BEGIN_DECLS

typedef enum
{
  REIN_CLIENT_CALL_REQUEST,
  REIN_CLIENT_CALL_NONCE,
  REIN_CLIENT_CALL_PUT,
  REIN_CLIENT_CALL_GET,
  REIN_CLIENT_CALL_QUERY,
  REIN_CLIENT_CALL_STATUS,
} ReinClientCallKind;

#define REIN_CLIENT_N_CALLS (REIN_CLIENT_CALL_STATUS + 1)

/* Reads @body (@len bytes) as the answer, to @self, of HTTP @status to a call of
 * @kind, exactly as the call does once the answer has arrived (a query's
 * list is "jobs"; a 429 is not retried). Returns whether the call would
 * succeed; its result is dropped. */
gboolean rein_client_read_answer (ReinClient *self,
                                  ReinClientCallKind kind,
                                  guint status,
                                  const guint8 *body,
                                  gsize len,
                                  GError **error);

G_END_DECLS
