/* rein-enrollment-lookup.h: finding signers' enrollments on any Causeway
 *
 * rein-server answers the "enrollments" query (addresses=A,B,...: the
 * enrollments naming those addresses), our extension; the original
 * Causeway does not have it: the last version answers a query it does not
 * know with an empty list, earlier ones with an HTML 500 page. Every
 * Causeway that python-rein 0.3 talks to answers "get_user"
 * (search_input: a SIN, a master or delegate address, a name or contact),
 * and every one answers "mediators". So the market reader asks
 * "enrollments" first, as a fast path, and asks "get_user" for each
 * address still unknown, one query per address, and "mediators", of the
 * servers that did not show they have "enrollments" (see
 * ReinEnrollmentServers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-market.h"

G_BEGIN_DECLS

/* At most this many "get_user" queries per refresh (each server answers
 * one address per query). */
#define REIN_ENROLLMENT_LOOKUP_MAX_USERS 100

/* What the reader learned about each server's "enrollments" query: a
 * server that answered it with documents has it; one that answered it
 * with an error (HTML, "Unknown query", a refusal) has not, and is not
 * asked it again. An empty answer says nothing (no enrollment matched, or
 * an original Causeway's empty list for a query it does not know). */
typedef enum
{
  REIN_ENROLLMENTS_UNKNOWN,
  REIN_ENROLLMENTS_ANSWERED,
  REIN_ENROLLMENTS_MISSING,
} ReinEnrollmentsSupport;

typedef struct _ReinEnrollmentServers ReinEnrollmentServers;

ReinEnrollmentServers *rein_enrollment_servers_new (void);
void rein_enrollment_servers_free (ReinEnrollmentServers *servers);
ReinEnrollmentsSupport rein_enrollment_servers_get (ReinEnrollmentServers *servers,
                                                    const gchar *url);
/* Records what @url's answer to "enrollments" showed: @failed (an error
 * answer) or, when it answered, @received documents. */
void rein_enrollment_servers_record (ReinEnrollmentServers *servers,
                                     const gchar *url,
                                     gboolean failed,
                                     guint received);
/* The URLs of @urls that are not known to lack (@want_missing FALSE) or
 * to have (@want_missing TRUE) the "enrollments" query. */
GStrv rein_enrollment_servers_filter (ReinEnrollmentServers *servers,
                                      const gchar *const *urls,
                                      gboolean want_missing);

/* The addresses of @addresses (gchar *) that no enrollment among @docs
 * (ReinDocument) names as its delegate or master signing address. Only
 * reads the documents' fields: whether those enrollments are valid is
 * decided when they are added to a directory. */
GPtrArray *rein_enrollment_lookup_unfound (GPtrArray *addresses, GPtrArray *docs);

G_END_DECLS
