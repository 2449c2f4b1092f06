/* rein-rating.h: python-rein 0.3's ratings
 *
 * After a job completes, its creator, worker and mediator may rate each
 * other: a "Rein Rating" document, signed by the rater's delegate key:
 *
 *   Rein Rating
 *   Rating: 4                (0 to 5)
 *   User msin: Tf...         (the SIN of the one rated, PROTOCOL.md 2)
 *   Job id: k3v9x0q2m8z1c7b5n4a6
 *   Rater msin: Tf...        (the rater's SIN)
 *   Comments: Quick and clear (python-rein keeps it under 100 characters)
 *
 * A rating counts (rein_rating_check()) only when its signer is the
 * delegate of the enrollment whose SIN is "Rater msin", and the job it
 * names really completed (accepted or resolved, validated from the job's
 * own documents) with both the rater and the one rated taking part in it,
 * as two different people. One rating per rater per job and person: the
 * later one (by document order given) stands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-document.h"
#include "rein-job.h"

G_BEGIN_DECLS

#define REIN_LABEL_RATING "Rating"
#define REIN_LABEL_RATED_SIN "User msin"
#define REIN_LABEL_RATING_JOB_ID "Job id"
#define REIN_LABEL_RATER_SIN "Rater msin"
#define REIN_LABEL_COMMENTS "Comments"

#define REIN_RATING_MAX 5
/* Longer comments are refused (python-rein writes under 100). */
#define REIN_RATING_MAX_COMMENTS 1000

typedef struct
{
  guint rating;      /* 0 to REIN_RATING_MAX */
  gchar *rated_sin;  /* "User msin" */
  gchar *job_id;
  gchar *rater_sin;
  gchar *comments;   /* "" when none */
  ReinDocument *document;
} ReinRating;

/* TRUE for a Secure Identity Number: base58check of 0x0F 0x02 and 20
 * bytes. */
gboolean rein_sin_is_valid (const gchar *sin);

/* The text of a rating (unsigned), fields in python-rein 0.3's order.
 * Fails with REIN_MARKET_ERROR_INVALID_VALUE for a rating above 5, a SIN
 * or job ID that is not one, comments too long or of several lines, or a
 * rater rating themselves. */
gchar *rein_rating_build (guint rating,
                          const gchar *rated_sin,
                          const gchar *job_id,
                          const gchar *rater_sin,
                          const gchar *comments,
                          GError **error);

/* Reads a rating document's fields (not its signature: see
 * rein_rating_check()). Fails with REIN_MARKET_ERROR_UNKNOWN_TYPE for
 * another type, REIN_MARKET_ERROR_MISSING_FIELD or
 * REIN_MARKET_ERROR_INVALID_VALUE. */
ReinRating *rein_rating_new_from_document (ReinDocument *document, GError **error);
void rein_rating_free (ReinRating *rating);

/* Whether @rating counts: its signature verifies, its signer is the
 * delegate of the rater's enrollment in @directory (whose SIN is the
 * rating's "Rater msin"), and @job (validated with @directory, of the
 * rating's job ID) completed with the rater and the one rated both taking
 * part in it. Fails with REIN_MARKET_ERROR_INCONSISTENT saying why. */
gboolean rein_rating_check (ReinRating *rating,
                            ReinJob *job,
                            ReinDirectory *directory,
                            GError **error);

/* The SIN of the enrollment that names @public_key_hex (its delegate
 * key), or NULL. */
gchar *rein_directory_dup_sin_of_key (ReinDirectory *directory, const gchar *public_key_hex);

/* What the ratings that count say of one person. */
typedef struct
{
  guint count;
  gdouble average; /* 0 when count is 0 */
} ReinRatingSummary;

/* Sums up the ratings of @rated_sin among @ratings (ReinRating, those
 * that count), one per rater and job: the last one of each stands. */
void rein_rating_summarize (GPtrArray *ratings, const gchar *rated_sin, ReinRatingSummary *out);

/* Bitcoin OTC's level-2 trust, as python-rein 0.3 computes it from my
 * point of view (@my_sin): the average over my own rating of @rated_sin
 * (weight 5: counted five times) and the ratings of @rated_sin by those I
 * rated, each capped by my rating of that rater. Ratings are the last per
 * rater and rated (any job). Sets *@out_count to the number of ratings
 * that went in; returns -1 when none did. */
gdouble rein_rating_trust (GPtrArray *ratings,
                           const gchar *my_sin,
                           const gchar *rated_sin,
                           guint *out_count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinRating, rein_rating_free)

G_END_DECLS
