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

#include "rein-context.h"
#include "rein-market-reader.h"

G_BEGIN_DECLS

/* Ratings taken per query, and jobs checked per load, at most. */
#define REIN_RATINGS_MAX 1000
#define REIN_RATINGS_MAX_JOBS 500
/* Raters whose enrollment is looked up ("get_user", one query each) per
 * load, at most, and the enrollments taken from each answer (their
 * signatures are checked in the worker). */
#define REIN_RATINGS_MAX_SIGNERS 20
#define REIN_RATINGS_MAX_SIGNER_ENROLLMENTS 5

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

/* ---- The ratings of the people a view shows ---- */

/* A cache of the ratings of people by SIN, shared by the views of one
 * context (rein_ratings_cache_get()): each SIN wanted is read once with
 * rein_ratings_load_async(), one at a time, with a reader of the cache's
 * own (on the session's servers), from the point of view of the market
 * service's identity. When that identity changes, what was read is
 * forgotten (the trust was its own) and "changed" is emitted; "changed" is
 * also emitted each time a SIN has been read. At most
 * REIN_RATINGS_CACHE_MAX_WANTED SINs wait to be read: a view asks again
 * for what it still shows on "changed". */
#define REIN_RATINGS_CACHE_MAX_WANTED 64

#define REIN_TYPE_RATINGS_CACHE (rein_ratings_cache_get_type ())
G_DECLARE_FINAL_TYPE (ReinRatingsCache, rein_ratings_cache, REIN, RATINGS_CACHE, GObject)

/* The cache of @context's views (made at the first call, kept with the
 * context). */
ReinRatingsCache *rein_ratings_cache_get (ReinContext *context);

/* Asks for @sin's ratings unless they are read or on their way. */
void rein_ratings_cache_want (ReinRatingsCache *self, const gchar *sin);

/* What was read of @sin, for a person's row: "rated 4.5 by 3" or "no
 * ratings" (also when no server answered), or, with @with_trust, that and
 * the trust from my point of view ("rated 4.5 by 3 · trust 4.2", "· no
 * trust link"). NULL while not read. Valid until "changed". */
const gchar *rein_ratings_cache_lookup (ReinRatingsCache *self,
                                        const gchar *sin,
                                        gboolean with_trust);

G_END_DECLS
