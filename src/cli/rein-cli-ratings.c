/* rein-cli-ratings.c: python-rein 0.3's ratings: "rein-cli rate" and
 * "rein-cli ratings"
 *
 * Ratings are read and checked by the client's service (rein-ratings.h):
 * they count only when signed by the rater they name, on a job that
 * really completed between the two, as that job's own documents show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rein-cli-context.h"
#include "rein-ratings.h"

typedef struct
{
  ReinStore *store;
  ReinSession *session;
  ReinIdentity *identity; /* a reference */
  ReinCliForm *form;
  ReinCliReader *reader;
  gchar *own_sin;
} Rater;

static void
rater_clear (Rater *r)
{
  g_clear_pointer (&r->reader, rein_cli_reader_free);
  g_clear_pointer (&r->form, rein_cli_form_free);
  g_clear_object (&r->identity);
  g_clear_object (&r->session);
  g_clear_object (&r->store);
  g_clear_pointer (&r->own_sin, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Rater, rater_clear)

static gboolean
rater_open (Rater *r, GError **error)
{
  ReinIdentity *identity;

  if ((r->form = rein_cli_load_form (error)) == NULL
      || (r->store = rein_cli_open_store (error)) == NULL)
    return FALSE;
  r->session = rein_cli_open_session (r->store);
  identity = rein_cli_session_identity (r->session, error);
  if (identity == NULL)
    return FALSE;
  r->identity = g_object_ref (identity);
  r->own_sin = rein_sin_from_address (rein_identity_get_master_address (identity));
  r->reader = rein_cli_reader_new (r->store, r->identity, error);
  return r->reader != NULL;
}

static int
rater_fail (Rater *r, const GError *error)
{
  if (r->reader != NULL)
    rein_cli_reader_print_warnings (r->reader);
  return rein_cli_fail (NULL, error);
}

static gpointer
copy_ref (gconstpointer object, gpointer user_data)
{
  return g_object_ref ((gpointer) object);
}

/* The party of @job whose SIN is @sin: its enrollment, or NULL. */
static ReinDocument *
party_of_sin (ReinJob *job, ReinDirectory *directory, const gchar *sin)
{
  const gchar *keys[] = { rein_job_get_creator_key (job), rein_job_get_worker_key (job),
                          rein_job_get_mediator_key (job) };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree gchar *party = rein_directory_dup_sin_of_key (directory, keys[i]);

      if (party != NULL && strcmp (party, sin) == 0)
        return rein_directory_lookup_public_key (directory, keys[i]);
    }
  return NULL;
}

/* ---- rein-cli ratings ---- */

/* The ratings of @sin, checked (rein-ratings.h), with the trust from my
 * point of view. */
static ReinRatingsReport *
load_ratings (Rater *r, const gchar *sin, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  ReinMarketReader *market = rein_cli_reader_get_market (r->reader);
  GError *local_error = NULL;
  ReinRatingsReport *report;

  rein_ratings_load_async (market, sin, r->own_sin, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  report = rein_ratings_load_finish (market, result, &local_error);
  if (report == NULL && local_error->domain == REIN_NET_ERROR)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_NETWORK, local_error->message);
      g_error_free (local_error);
    }
  else if (report == NULL)
    g_propagate_error (error, local_error);
  return report;
}

/* The SIN of @who: a SIN as it is, a master address's, else the one
 * enrollment whose User is @who (any case) among the store's, the
 * mediators' and python-rein 0.3's "get_user" answers. Sets @out_name to
 * the person as shown, when known. */
static gchar *
resolve_person (Rater *r, const gchar *who, gchar **out_name, GError **error)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) mediators = NULL;
  g_autoptr (GHashTable) sins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const gchar *params[] = { "search_input", who, NULL };
  ReinAddressType type;
  gchar *sin = NULL;

  if (rein_sin_is_valid (who))
    return g_strdup (who);
  if (rein_address_validate (who, NULL, &type, NULL, NULL) && type == REIN_ADDRESS_P2PKH)
    return rein_sin_from_address (who);

  stored = rein_store_list_enrollments (r->store, NULL);
  for (guint i = 0; stored != NULL && i < stored->len; i++)
    {
      ReinDocument *doc = rein_document_new_from_armored (g_ptr_array_index (stored, i), -1,
                                                          NULL);

      if (doc != NULL)
        g_ptr_array_add (candidates, doc);
    }
  /* Servers without these queries answer nothing: that is no error. */
  found = rein_cli_reader_query (r->reader, "get_user", params, NULL);
  if (found != NULL)
    g_ptr_array_extend (candidates, found, copy_ref, NULL);
  mediators = rein_cli_reader_load_mediators (r->reader, NULL);
  if (mediators != NULL)
    g_ptr_array_extend (candidates, mediators, copy_ref, NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (candidates, i);
      const gchar *user = rein_document_get_field (doc, REIN_LABEL_USER);
      const gchar *master = rein_document_get_field (doc, REIN_LABEL_MASTER_ADDRESS);

      if (rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_ENROLLMENT
          || user == NULL || master == NULL || g_ascii_strcasecmp (user, who) != 0
          || !rein_document_verify (doc, NULL))
        continue;
      if (g_hash_table_add (sins, rein_sin_from_address (master)) && out_name != NULL)
        {
          g_free (*out_name);
          *out_name = rein_person_format_enrollment (doc, NULL);
        }
    }
  if (g_hash_table_size (sins) == 1)
    {
      GHashTableIter iter;

      g_hash_table_iter_init (&iter, sins);
      g_hash_table_iter_next (&iter, (gpointer *) &sin, NULL);
      return g_strdup (sin);
    }
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
               g_hash_table_size (sins) == 0
                 ? _("nobody called “%s” was found: give their Secure Identity Number")
                 : _("several people are called “%s”: give the Secure Identity Number of the "
                     "one you mean"),
               who);
  return NULL;
}

static void
rating_to_json (JsonBuilder *builder, ReinRating *rating, const gchar *reason)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rating");
  json_builder_add_int_value (builder, rating->rating);
  rein_cli_json_string (builder, "user_sin", rating->rated_sin);
  rein_cli_json_string (builder, "rater_sin", rating->rater_sin);
  rein_cli_json_string (builder, "job_id", rating->job_id);
  rein_cli_json_string (builder, "comments", rating->comments);
  rein_cli_json_string (builder, "hash", rein_document_get_hash (rating->document));
  json_builder_set_member_name (builder, "counts");
  json_builder_add_boolean_value (builder, reason == NULL);
  rein_cli_json_string (builder, "reason", reason);
  json_builder_end_object (builder);
}

static void
print_rating (Rater *r, ReinRating *rating, ReinJob *job, const gchar *reason)
{
  ReinDirectory *directory = rein_cli_reader_get_directory (r->reader);
  ReinDocument *enrollment = job != NULL ? party_of_sin (job, directory, rating->rater_sin)
                                         : NULL;
  g_autofree gchar *rater = enrollment != NULL
                              ? rein_person_format_enrollment (enrollment, directory)
                              : g_strdup (rating->rater_sin);
  g_autofree gchar *comments = rein_person_clean_name (rating->comments);

  if (reason == NULL)
    rein_cli_print (_("  %u  by %s, job %s: %s"), rating->rating, rater, rating->job_id,
                    comments);
  else
    rein_cli_print (_("  (does not count: %s)  %u  by %s, job %s: %s"), reason, rating->rating,
                    rater, rating->job_id, comments);
}

static int
run_ratings (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Rater) r = { 0 };
  g_autofree gchar *name = NULL;
  g_autofree gchar *sin = NULL;
  g_autoptr (ReinRatingsReport) report = NULL;
  const gchar *shown;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  if (!rater_open (&r, &error))
    return rater_fail (&r, error);
  sin = resolve_person (&r, args[0], &name, &error);
  if (sin == NULL)
    return rater_fail (&r, error);
  report = load_ratings (&r, sin, &error);
  if (report == NULL)
    return rater_fail (&r, error);
  rein_cli_reader_print_warnings (r.reader);

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "sin", sin);
      rein_cli_json_string (builder, "name", name);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, report->summary.count);
      json_builder_set_member_name (builder, "average");
      if (report->summary.count > 0)
        json_builder_add_double_value (builder, report->summary.average);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "trust");
      if (report->trust >= 0)
        json_builder_add_double_value (builder, report->trust);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "trust_links");
      json_builder_add_int_value (builder, report->trust_links);
      json_builder_set_member_name (builder, "ratings");
      json_builder_begin_array (builder);
      for (guint i = 0; i < report->ratings->len; i++)
        rating_to_json (builder, g_ptr_array_index (report->ratings, i),
                        g_ptr_array_index (report->reasons, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (!rein_cli_write_json (root, FALSE, &error))
        return rein_cli_fail (NULL, error);
      return REIN_CLI_EXIT_OK;
    }

  shown = name != NULL ? name : sin;
  if (report->summary.count == 0)
    rein_cli_print (_("%s: no ratings that count"), shown);
  else
    rein_cli_print (g_dngettext (GETTEXT_PACKAGE, "%s: %.1f of 5, from %u rating",
                                 "%s: %.1f of 5, from %u ratings", report->summary.count),
                    shown, report->summary.average, report->summary.count);
  if (report->trust >= 0)
    rein_cli_print (g_dngettext (GETTEXT_PACKAGE, "Trust from your point of view: %.1f (%u link)",
                                 "Trust from your point of view: %.1f (%u links)",
                                 report->trust_links),
                    report->trust, report->trust_links);
  else
    rein_cli_print ("%s", _("Trust from your point of view: none (nobody you rated rated them)"));
  for (guint i = 0; i < report->ratings->len; i++)
    print_rating (&r, g_ptr_array_index (report->ratings, i),
                  g_ptr_array_index (report->jobs, i), g_ptr_array_index (report->reasons, i));
  return REIN_CLI_EXIT_OK;
}

/* ---- rein-cli rate ---- */

/* The party of @job other than me that @who (a name, a SIN or a role:
 * creator, worker, mediator) names: its SIN, and its enrollment. */
static gchar *
choose_rated (Rater *r, ReinJob *job, const gchar *who, ReinDocument **out_enrollment,
              GError **error)
{
  ReinDirectory *directory = rein_cli_reader_get_directory (r->reader);
  const gchar *roles[] = { "creator", "worker", "mediator" };
  const gchar *keys[] = { rein_job_get_creator_key (job), rein_job_get_worker_key (job),
                          rein_job_get_mediator_key (job) };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      ReinDocument *enrollment = keys[i] != NULL
                                   ? rein_directory_lookup_public_key (directory, keys[i])
                                   : NULL;
      g_autofree gchar *sin = rein_directory_dup_sin_of_key (directory, keys[i]);
      const gchar *user = enrollment != NULL ? rein_document_get_field (enrollment,
                                                                        REIN_LABEL_USER)
                                             : NULL;

      if (sin == NULL || strcmp (sin, r->own_sin) == 0)
        continue;
      if (g_ascii_strcasecmp (who, roles[i]) == 0 || strcmp (who, sin) == 0
          || (user != NULL && g_ascii_strcasecmp (who, user) == 0))
        {
          *out_enrollment = enrollment;
          return g_steal_pointer (&sin);
        }
    }
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
               _("“%s” is nobody you can rate on this job: give the name, the Secure Identity "
                 "Number or the role (creator, worker, mediator) of another of its parties"),
               who);
  return NULL;
}

static int
run_rate (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  gboolean no_push = FALSE;
  const GOptionEntry entries[] = {
    { "jobid", 'j', 0, G_OPTION_ARG_STRING, &job_id,
      N_("The job (else “Job ID” from the form, else asked)"), N_("ID") },
    { "no-push", 0, 0, G_OPTION_ARG_NONE, &no_push,
      N_("Keep the rating here; “rein-cli sync” puts it on the servers later"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Rater) r = { 0 };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree gchar *who = NULL;
  g_autofree gchar *value = NULL;
  g_autofree gchar *comments = NULL;
  g_autofree gchar *rated_sin = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *shown = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (ReinPublisher) publisher = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (ReinPublication) publication = NULL;
  ReinDocument *enrollment = NULL;
  ReinJob *job = NULL;
  guint64 rating = 0;
  const gchar *ids[2] = { NULL, NULL };
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!rater_open (&r, &error))
    return rater_fail (&r, error);
  if (job_id == NULL)
    job_id = rein_cli_ask (r.form, REIN_LABEL_JOB_ID, NULL, FALSE, NULL, &error);
  if (job_id == NULL || !rein_cli_check_job_id (job_id, &error))
    return rater_fail (&r, error);
  ids[0] = job_id;
  jobs = rein_cli_reader_load_jobs (r.reader, ids, &error);
  if (jobs == NULL)
    return rater_fail (&r, error);
  /* A copied job ID is several jobs: the one I took part in. */
  for (guint i = 0; i < jobs->len && job == NULL; i++)
    if (rein_job_get_role (g_ptr_array_index (jobs, i),
                           rein_identity_get_delegate_public_key (r.identity))
        != REIN_ROLE_NONE)
      job = g_ptr_array_index (jobs, i);
  if (job == NULL || (rein_job_get_state (job) != REIN_JOB_STATE_ACCEPTED
                      && rein_job_get_state (job) != REIN_JOB_STATE_RESOLVED))
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                   job == NULL ? _("you took no part in the job %s")
                               : _("the job %s did not complete: ratings come after"),
                   job_id);
      return rater_fail (&r, error);
    }

  who = rein_cli_ask (r.form, REIN_CLI_LABEL_RATED, _("Whom you rate: a name, a SIN or a role"),
                      FALSE, NULL, &error);
  if (who == NULL || (rated_sin = choose_rated (&r, job, who, &enrollment, &error)) == NULL)
    return rater_fail (&r, error);
  value = rein_cli_ask (r.form, REIN_LABEL_RATING, _("0 to 5"), FALSE, NULL, &error);
  if (value == NULL)
    return rater_fail (&r, error);
  if (!g_ascii_string_to_unsigned (g_strstrip (value), 10, 0, REIN_RATING_MAX, &rating, NULL))
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("the rating “%s” is not one of 0 to 5"), value);
      return rater_fail (&r, error);
    }
  comments = rein_cli_ask (r.form, REIN_LABEL_COMMENTS, NULL, FALSE, "", &error);
  if (comments == NULL)
    return rater_fail (&r, error);
  text = rein_rating_build ((guint) rating, rated_sin, rein_job_get_id (job), r.own_sin,
                            comments, &error);
  if (text == NULL)
    return rater_fail (&r, error);

  delegate = rein_cli_unlock_delegate (r.session, &error);
  if (delegate == NULL)
    return rater_fail (&r, error);
  publisher = rein_publisher_new (r.store);
  rein_publisher_publish_async (publisher, r.identity, delegate, job,
                                rein_cli_reader_get_directory (r.reader), text, !no_push, NULL,
                                rein_cli_async_cb, &result);
  g_clear_pointer (&delegate, rein_private_key_free);
  rein_cli_wait (&result);
  publication = rein_publisher_publish_finish (publisher, result, &error);
  if (publication == NULL)
    return rater_fail (&r, error);

  shown = rein_person_format_enrollment (enrollment, NULL);
  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "job_id", rein_job_get_id (job));
      rein_cli_json_string (builder, "type", "rating");
      rein_cli_json_string (builder, "hash", rein_document_get_hash (publication->document));
      rein_cli_json_string (builder, "user_sin", rated_sin);
      json_builder_set_member_name (builder, "rating");
      json_builder_add_int_value (builder, (gint64) rating);
      rein_cli_push_to_json (builder, publication->sync_results);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (!rein_cli_write_json (root, FALSE, &error))
        return rein_cli_fail (NULL, error);
    }
  else
    {
      rein_cli_print (_("Rated %s %u of 5 for the job %s."), shown, (guint) rating,
                      rein_job_get_id (job));
      if (!no_push)
        rein_cli_print (_("Put on %u of %u servers."), publication->n_servers_ok,
                        publication->sync_results != NULL ? publication->sync_results->len : 0);
    }
  if (publication->sync_error != NULL)
    {
      rein_cli_printerr (_("the rating is kept here, but could not be pushed: %s"),
                         publication->sync_error);
      return REIN_CLI_EXIT_NETWORK;
    }
  return REIN_CLI_EXIT_OK;
}

static const ReinCliCommand ratings_commands[] = {
  {
    .name = "rate",
    .parameter_string = N_("[--jobid ID]"),
    .summary = N_("Rate another party of a job that completed"),
    .description = N_("Form labels (--defaults FILE): Job ID, Rated user (the name, Secure\n"
                      "Identity Number or role of the one you rate), Rating (0 to 5),\n"
                      "Comments. A “Rein Rating” document, as python-rein 0.3 writes it; it\n"
                      "counts once the job completed (accepted or resolved) with both of you\n"
                      "in it."),
    .max_args = 0,
    .global_options = TRUE,
    .run = run_rate,
  },
  {
    .name = "ratings",
    .parameter_string = N_("NAME-OR-SIN"),
    .summary = N_("Show a person’s ratings and your trust in them"),
    .description = N_("Reads the person’s ratings from every server and counts only those\n"
                      "on a job that really completed between the rater and them, as the\n"
                      "job’s own documents show. The trust score is from your point of view:\n"
                      "your own rating of them weighs five, and a rating by someone you rated\n"
                      "counts as far as you rated the rater (Bitcoin OTC’s level 2)."),
    .min_args = 1,
    .max_args = 1,
    .global_options = TRUE,
    .run = run_ratings,
  },
  { NULL },
};

const ReinCliCommandGroup rein_cli_ratings_group = {
  .title = N_("Ratings (python-rein 0.3’s):"),
  .commands = ratings_commands,
};
