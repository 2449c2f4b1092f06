/* rein-rating.c: python-rein 0.3's ratings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-rating.h"

#include <string.h>

#include "rein-bitcoin.h"
#include "rein-document-builder.h"
#include "rein-labels.h"

gboolean
rein_sin_is_valid (const gchar *sin)
{
  g_autofree guint8 *payload = NULL;
  gsize len = 0;

  if (sin == NULL || strlen (sin) > 64)
    return FALSE;
  payload = rein_base58check_decode (sin, &len, NULL);
  return payload != NULL && len == 2 + REIN_HASH160_LEN && payload[0] == 0x0f
         && payload[1] == 0x02;
}

static gboolean
check_values (guint rating,
              const gchar *rated_sin,
              const gchar *job_id,
              const gchar *rater_sin,
              const gchar *comments,
              GError **error)
{
  const gchar *bad = NULL;

  if (rating > REIN_RATING_MAX)
    bad = "the rating is not one of 0 to 5";
  else if (!rein_sin_is_valid (rated_sin))
    bad = "the rated user's SIN is not a Secure Identity Number";
  else if (!rein_sin_is_valid (rater_sin))
    bad = "the rater's SIN is not a Secure Identity Number";
  else if (!rein_job_id_is_valid (job_id))
    bad = "the job ID is not one";
  else if (strcmp (rated_sin, rater_sin) == 0)
    bad = "nobody may rate themselves";
  else if (strlen (comments) > REIN_RATING_MAX_COMMENTS)
    bad = "the comments are too long";
  else if (strchr (comments, '\n') != NULL || strchr (comments, '\r') != NULL)
    bad = "the comments are more than one line";
  if (bad == NULL)
    return TRUE;
  g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE, "Rating: %s", bad);
  return FALSE;
}

gchar *
rein_rating_build (guint rating,
                   const gchar *rated_sin,
                   const gchar *job_id,
                   const gchar *rater_sin,
                   const gchar *comments,
                   GError **error)
{
  g_autoptr (GPtrArray) fields = NULL;
  g_autofree gchar *number = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (comments == NULL)
    comments = "";
  if (!check_values (rating, rated_sin, job_id, rater_sin, comments, error))
    return NULL;
  number = g_strdup_printf ("%u", rating);
  fields = rein_fields_new ();
  rein_fields_add (fields, REIN_LABEL_RATING, number);
  rein_fields_add (fields, REIN_LABEL_RATED_SIN, rated_sin);
  rein_fields_add (fields, REIN_LABEL_RATING_JOB_ID, job_id);
  rein_fields_add (fields, REIN_LABEL_RATER_SIN, rater_sin);
  rein_fields_add (fields, REIN_LABEL_COMMENTS, comments);
  return rein_document_text_build (rein_document_type_to_title (REIN_DOCUMENT_TYPE_RATING),
                                   fields, error);
}

ReinRating *
rein_rating_new_from_document (ReinDocument *document, GError **error)
{
  const gchar *labels[] = { REIN_LABEL_RATING, REIN_LABEL_RATED_SIN, REIN_LABEL_RATING_JOB_ID,
                            REIN_LABEL_RATER_SIN };
  const gchar *number;
  const gchar *comments;
  g_autoptr (ReinRating) rating = NULL;
  guint64 value = 0;

  g_return_val_if_fail (REIN_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (rein_document_get_document_type (document) != REIN_DOCUMENT_TYPE_RATING)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE,
                           "The document is not a rating");
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (rein_document_get_field (document, labels[i]) == NULL)
      {
        g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                     "The rating has no “%s”", labels[i]);
        return NULL;
      }
  number = rein_document_get_field (document, REIN_LABEL_RATING);
  /* One digit, as python-rein writes it: no sign, no spaces. */
  if (strlen (number) != 1 || !g_ascii_string_to_unsigned (number, 10, 0, REIN_RATING_MAX,
                                                           &value, NULL))
    value = G_MAXUINT;
  comments = rein_document_get_field (document, REIN_LABEL_COMMENTS);
  rating = g_new0 (ReinRating, 1);
  rating->rating = (guint) MIN (value, G_MAXUINT);
  rating->rated_sin = g_strdup (rein_document_get_field (document, REIN_LABEL_RATED_SIN));
  rating->job_id = g_strdup (rein_document_get_field (document, REIN_LABEL_RATING_JOB_ID));
  rating->rater_sin = g_strdup (rein_document_get_field (document, REIN_LABEL_RATER_SIN));
  rating->comments = g_strdup (comments != NULL ? comments : "");
  if (!check_values (rating->rating, rating->rated_sin, rating->job_id, rating->rater_sin,
                     rating->comments, error))
    return NULL;
  rating->document = g_object_ref (document);
  return g_steal_pointer (&rating);
}

void
rein_rating_free (ReinRating *rating)
{
  if (rating == NULL)
    return;
  g_free (rating->rated_sin);
  g_free (rating->job_id);
  g_free (rating->rater_sin);
  g_free (rating->comments);
  g_clear_object (&rating->document);
  g_free (rating);
}

gchar *
rein_directory_dup_sin_of_key (ReinDirectory *directory, const gchar *public_key_hex)
{
  ReinDocument *enrollment;
  const gchar *master;

  g_return_val_if_fail (directory != NULL, NULL);

  if (public_key_hex == NULL)
    return NULL;
  enrollment = rein_directory_lookup_public_key (directory, public_key_hex);
  master = enrollment != NULL ? rein_document_get_field (enrollment, REIN_LABEL_MASTER_ADDRESS)
                              : NULL;
  return master != NULL ? rein_sin_from_address (master) : NULL;
}

gboolean
rein_rating_check (ReinRating *rating, ReinJob *job, ReinDirectory *directory, GError **error)
{
  const gchar *keys[3];
  ReinDocument *rater;
  const gchar *master;
  g_autofree gchar *signer_sin = NULL;
  gboolean rater_took_part = FALSE, rated_took_part = FALSE;
  ReinJobState state;

  g_return_val_if_fail (rating != NULL, FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!rein_document_verify (rating->document, error))
    return FALSE;
  rater = rein_directory_lookup_delegate (directory, rein_document_get_signer (rating->document));
  master = rater != NULL ? rein_document_get_field (rater, REIN_LABEL_MASTER_ADDRESS) : NULL;
  signer_sin = master != NULL ? rein_sin_from_address (master) : NULL;
  if (signer_sin == NULL)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "its signer has no valid enrollment");
      return FALSE;
    }
  if (strcmp (signer_sin, rating->rater_sin) != 0)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "its signer is not the rater it names");
      return FALSE;
    }
  if (job == NULL || g_strcmp0 (rein_job_get_id (job), rating->job_id) != 0)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "the job it names was not found");
      return FALSE;
    }
  state = rein_job_get_state (job);
  if (state != REIN_JOB_STATE_ACCEPTED && state != REIN_JOB_STATE_RESOLVED)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "the job it names did not complete");
      return FALSE;
    }
  keys[0] = rein_job_get_creator_key (job);
  keys[1] = rein_job_get_worker_key (job);
  keys[2] = rein_job_get_mediator_key (job);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree gchar *sin = rein_directory_dup_sin_of_key (directory, keys[i]);

      if (sin == NULL)
        continue;
      if (strcmp (sin, rating->rater_sin) == 0)
        rater_took_part = TRUE;
      else if (strcmp (sin, rating->rated_sin) == 0)
        rated_took_part = TRUE;
    }
  if (!rater_took_part || !rated_took_part)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           rater_took_part
                               ? "the one rated was not the job's creator, worker or mediator"
                               : "the rater was not the job's creator, worker or mediator");
      return FALSE;
    }
  return TRUE;
}

/* The last rating of each (rater, rated, job) or, when @per_job is FALSE,
 * of each (rater, rated), in @ratings' order. */
static GHashTable *
last_ratings (GPtrArray *ratings, gboolean per_job)
{
  GHashTable *last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; ratings != NULL && i < ratings->len; i++)
    {
      ReinRating *rating = g_ptr_array_index (ratings, i);

      g_hash_table_replace (last,
                            g_strjoin ("/", rating->rater_sin, rating->rated_sin,
                                       per_job ? rating->job_id : "", NULL),
                            rating);
    }
  return last;
}

void
rein_rating_summarize (GPtrArray *ratings, const gchar *rated_sin, ReinRatingSummary *out)
{
  g_autoptr (GHashTable) last = last_ratings (ratings, TRUE);
  GHashTableIter iter;
  gpointer value;
  guint sum = 0;

  g_return_if_fail (rated_sin != NULL);
  g_return_if_fail (out != NULL);

  out->count = 0;
  g_hash_table_iter_init (&iter, last);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ReinRating *rating = value;

      if (strcmp (rating->rated_sin, rated_sin) != 0)
        continue;
      sum += rating->rating;
      out->count++;
    }
  out->average = out->count > 0 ? (gdouble) sum / out->count : 0.0;
}

#define OWN_WEIGHT 5

gdouble
rein_rating_trust (GPtrArray *ratings,
                   const gchar *my_sin,
                   const gchar *rated_sin,
                   guint *out_count)
{
  g_autoptr (GHashTable) last = last_ratings (ratings, FALSE);
  GHashTableIter iter;
  gpointer value;
  guint sum = 0, weight = 0, links = 0;

  g_return_val_if_fail (my_sin != NULL && rated_sin != NULL, -1);

  g_hash_table_iter_init (&iter, last);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ReinRating *rating = value;
      g_autofree gchar *mine_key = NULL;
      ReinRating *mine;

      if (strcmp (rating->rated_sin, rated_sin) != 0)
        continue;
      if (strcmp (rating->rater_sin, my_sin) == 0)
        {
          sum += OWN_WEIGHT * rating->rating;
          weight += OWN_WEIGHT;
          links++;
          continue;
        }
      /* Someone I rated: as far as I trust them. */
      mine_key = g_strjoin ("/", my_sin, rating->rater_sin, "", NULL);
      mine = g_hash_table_lookup (last, mine_key);
      if (mine == NULL)
        continue;
      sum += MIN (mine->rating, rating->rating);
      weight++;
      links++;
    }
  if (out_count != NULL)
    *out_count = links;
  return weight > 0 ? (gdouble) sum / weight : -1;
}
