/* rein-ratings.h: a person's ratings from every server, checked
 *
 * python-rein 0.3's ratings (rein-rating.h) of one person are read with
 * its "get_user_ratings" query (dest = their SIN), together with mine
 * (source = my SIN: the trust score weighs theirs by them); the jobs they
 * name are fetched and validated, and each rating counts only when
 * rein_rating_check() says so. The queries and the refresh of the jobs go
 * through @reader (its jobs model is replaced: give a reader of its own,
 * not the market's); the checks run in a worker, on a copy of the
 * reader's enrollments. The enrollments of raters the reader does not
 * know (who took no part in any job it read) are asked for with
 * "get_user" by their signing address, so that an outsider's rating is
 * refused for what is wrong with it, not for want of its signer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market-reader.h"

G_BEGIN_DECLS

/* Ratings taken per query, and jobs checked per load, at most. */
#define REIN_RATINGS_MAX 1000
#define REIN_RATINGS_MAX_JOBS 500
/* Raters whose enrollment is looked up ("get_user", one query each) per
 * load, at most, and the enrollments taken from each answer. */
#define REIN_RATINGS_MAX_SIGNERS 20

typedef struct
{
  gchar *sin;
  ReinRatingSummary summary; /* of those that count */
  gdouble trust;             /* from my point of view; -1: no link */
  guint trust_links;
  GPtrArray *ratings;        /* ReinRating of the person */
  GPtrArray *reasons;        /* beside each: NULL when it counts, else why not */
  GPtrArray *jobs;           /* beside each: the ReinJob it names, or NULL */
} ReinRatingsReport;

void rein_ratings_report_free (ReinRatingsReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinRatingsReport, rein_ratings_report_free)

/* Loads the ratings of @sin, with the trust from @own_sin's point of view
 * (NULL: none). Fails as @reader's queries fail (no server answered), or
 * with G_IO_ERROR_CANCELLED. */
void rein_ratings_load_async (ReinMarketReader *reader,
                              const gchar *sin,
                              const gchar *own_sin,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
ReinRatingsReport *rein_ratings_load_finish (ReinMarketReader *reader,
                                             GAsyncResult *result,
                                             GError **error);

G_END_DECLS
