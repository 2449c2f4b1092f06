/* rein-cli-market.c: the market and the order flow: jobs, mediators,
 * status, post, bid, offer, deliver, accept, creatordispute, workerdispute,
 * resolve
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "rein-cli-context.h"
#include "rein-cli-payment.h"

#define MARKET_EXIT_STATUS \
  N_("Exit status: 0 on success, 2 on a usage error or bad input, 3 when the job’s\n" \
     "state or your role does not allow it, 4 when no server could be reached.")


/* ---- What every market command opens ---- */

typedef struct
{
  ReinStore *store;
  ReinSession *session;
  ReinIdentity *identity;
  ReinCliForm *form;
  ReinCliReader *reader;
  const gchar *own_key;
} Market;

static void
market_clear (Market *m)
{
  g_clear_pointer (&m->reader, rein_cli_reader_free);
  g_clear_pointer (&m->form, rein_cli_form_free);
  g_clear_object (&m->identity);
  g_clear_object (&m->session);
  g_clear_object (&m->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Market, market_clear)

static gboolean
market_open (Market *m, GError **error)
{
  m->form = rein_cli_load_form (error);
  if (m->form == NULL)
    return FALSE;
  m->store = rein_cli_open_store (error);
  if (m->store == NULL)
    return FALSE;
  m->session = rein_cli_open_session (m->store);
  m->identity = rein_cli_session_identity (m->session, error);
  if (m->identity == NULL)
    return FALSE;
  g_object_ref (m->identity);
  m->own_key = rein_identity_get_delegate_public_key (m->identity);
  m->reader = rein_cli_reader_new (m->store, m->identity, error);
  return m->reader != NULL;
}

static int
market_fail (Market *m, const gchar *context, const GError *error)
{
  if (m->reader != NULL)
    rein_cli_reader_print_warnings (m->reader);
  return rein_cli_fail (context, error);
}

static int
write_json (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (GError) error = NULL;

  if (!rein_cli_write_json (root, FALSE, &error))
    return rein_cli_fail (NULL, error);
  return REIN_CLI_EXIT_OK;
}

static const gchar *
field (ReinDocument *doc, const gchar *label)
{
  return doc != NULL ? rein_document_lookup (doc, label) : NULL;
}

/* What a listing prints for a value: a dash when there is none, never
 * "(null)". */
static const gchar *
shown (const gchar *value)
{
  return value != NULL && *value != '\0' ? value : "-";
}

static const gchar *
shown_field (ReinDocument *doc, const gchar *label)
{
  return shown (field (doc, label));
}

/* Category, or python-rein 0.3's Tags. */
static const gchar *
category (ReinDocument *posting)
{
  return posting != NULL ? rein_document_get_category (posting) : NULL;
}

/* ---- People ---- */

/* A person as rein-person.h shows them: the enrolled name of the key that
 * signed, with the fingerprint of its master (a name is not an identity). */
static gchar *
person (Market *m, const gchar *public_key, const gchar *master, const gchar *declared)
{
  return rein_person_format_party (rein_cli_reader_get_directory (m->reader), public_key, master,
                                   declared);
}

static gchar *
creator_person (Market *m, ReinJob *job)
{
  ReinDocument *posting = rein_job_get_posting (job);

  return person (m, rein_job_get_creator_key (job),
                 field (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS),
                 field (posting, REIN_LABEL_JOB_CREATOR));
}

static gchar *
mediator_person (Market *m, ReinJob *job)
{
  ReinDocument *posting = rein_job_get_posting (job);

  return person (m, rein_job_get_mediator_key (job),
                 field (posting, REIN_LABEL_MEDIATOR_MASTER_ADDRESS),
                 field (posting, REIN_LABEL_MEDIATOR));
}

static gchar *
worker_person (Market *m, ReinDocument *bid)
{
  return person (m, field (bid, REIN_LABEL_WORKER_PUBLIC_KEY),
                 field (bid, REIN_LABEL_WORKER_MASTER_ADDRESS), field (bid, REIN_LABEL_WORKER));
}

/* The fingerprint for --json, or NULL. */
static void
fingerprint_to_json (JsonBuilder *builder, const gchar *member, const gchar *master)
{
  g_autofree gchar *fingerprint = rein_person_fingerprint (master);

  rein_cli_json_string (builder, member, fingerprint);
}

/* ---- Describing jobs ---- */

static const struct
{
  ReinActions action;
  const gchar *name;
} action_names[] = {
  { REIN_ACTION_BID, "bid" },
  { REIN_ACTION_OFFER, "offer" },
  { REIN_ACTION_DELIVER, "deliver" },
  { REIN_ACTION_ACCEPT, "accept" },
  { REIN_ACTION_CREATOR_DISPUTE, "creatordispute" },
  { REIN_ACTION_WORKER_DISPUTE, "workerdispute" },
  { REIN_ACTION_RESOLVE, "resolve" },
};

static gchar *
actions_to_text (ReinActions actions)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (actions & action_names[i].action)
      {
        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, action_names[i].name);
      }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The offer, or NULL. */
static ReinDocument *
awarded_bid (ReinJob *job)
{
  return rein_job_get_offer (job);
}

/* The valid bid the offer awarded (it gives the worker's master), or
 * NULL. */
static ReinDocument *
winning_bid (ReinJob *job)
{
  GPtrArray *bids = rein_job_get_bids (job);
  const gchar *worker = rein_job_get_worker_key (job);

  for (guint i = 0; worker != NULL && i < bids->len; i++)
    if (rein_same_key (field (g_ptr_array_index (bids, i), REIN_LABEL_WORKER_PUBLIC_KEY), worker))
      return g_ptr_array_index (bids, i);
  return NULL;
}

static void
job_summary_to_json (JsonBuilder *builder, ReinJob *job, const gchar *own_key)
{
  ReinDocument *posting = rein_job_get_posting (job);
  ReinDocument *offer = awarded_bid (job);
  ReinActions actions = rein_job_get_actions (job, own_key);

  rein_cli_json_string (builder, "job_id", rein_job_get_id (job));
  rein_cli_json_string (builder, "job_name", rein_job_get_name (job));
  rein_cli_json_string (builder, "state", rein_job_state_to_name (rein_job_get_state (job)));
  rein_cli_json_string (builder, "state_text", rein_job_state_describe (rein_job_get_state (job)));
  rein_cli_json_string (builder, "role", rein_role_to_name (rein_job_get_role (job, own_key)));
  json_builder_set_member_name (builder, "actions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    if (actions & action_names[i].action)
      json_builder_add_string_value (builder, action_names[i].name);
  json_builder_end_array (builder);
  rein_cli_json_string (builder, "category", category (posting));
  rein_cli_json_string (builder, "description", field (posting, REIN_LABEL_DESCRIPTION));
  rein_cli_json_string (builder, "creator", field (posting, REIN_LABEL_JOB_CREATOR));
  fingerprint_to_json (builder, "creator_fingerprint",
                       field (posting, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS));
  rein_cli_json_string (builder, "mediator", field (posting, REIN_LABEL_MEDIATOR));
  fingerprint_to_json (builder, "mediator_fingerprint",
                       field (posting, REIN_LABEL_MEDIATOR_MASTER_ADDRESS));
  rein_cli_json_string (builder, "mediator_fee", field (posting, REIN_LABEL_MEDIATOR_FEE));
  rein_cli_json_string (builder, "worker", field (offer, REIN_LABEL_WORKER));
  fingerprint_to_json (builder, "worker_fingerprint",
                       field (winning_bid (job), REIN_LABEL_WORKER_MASTER_ADDRESS));
  rein_cli_json_string (builder, "bid_amount", field (offer, REIN_LABEL_BID_AMOUNT));
  json_builder_set_member_name (builder, "bids");
  json_builder_add_int_value (builder, rein_job_get_bids (job)->len);
}

static void
document_to_json (JsonBuilder *builder, ReinDocument *doc, gboolean valid, const gchar *reason)
{
  GPtrArray *fields = rein_document_get_fields (doc);

  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "type",
                        rein_document_type_to_name (rein_document_get_document_type (doc)));
  rein_cli_json_string (builder, "hash", rein_document_get_hash (doc));
  rein_cli_json_string (builder, "signer", rein_document_get_signer (doc));
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, valid);
  rein_cli_json_string (builder, "reason", reason);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const ReinField *f = g_ptr_array_index (fields, i);

      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, f->label);
      json_builder_add_string_value (builder, f->value);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* The escrow of an awarded job, computed here from the three keys. */
static ReinEscrow *
job_escrow (ReinJob *job, ReinNetwork network)
{
  if (rein_job_get_worker_key (job) == NULL)
    return NULL;
  return rein_escrow_new (rein_job_get_creator_key (job), rein_job_get_mediator_key (job),
                          rein_job_get_worker_key (job), network, NULL);
}

static gchar *
one_line (const gchar *text, guint max)
{
  g_autofree gchar *copy = g_strdup (text != NULL ? text : "");

  for (gchar *p = copy; *p != '\0'; p++)
    if (*p == '\n' || *p == '\t')
      *p = ' ';
  if (g_utf8_strlen (copy, -1) > max)
    {
      g_autofree gchar *cut = g_utf8_substring (copy, 0, max - 1);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&copy);
}

static void
print_job_details (Market *m, ReinJob *job, ReinNetwork network)
{
  const gchar *own_key = m->own_key;
  ReinDocument *posting = rein_job_get_posting (job);
  ReinDocument *offer = awarded_bid (job);
  g_autoptr (ReinEscrow) escrow = job_escrow (job, network);
  g_autofree gchar *actions = actions_to_text (rein_job_get_actions (job, own_key));
  GPtrArray *bids = rein_job_get_bids (job);

  rein_cli_print (_("Job:        %s (%s)"), rein_job_get_name (job) ? rein_job_get_name (job)
                                                                   : _("no valid posting"),
                  rein_job_get_id (job));
  rein_cli_print (_("State:      %s"), rein_job_state_describe (rein_job_get_state (job)));
  rein_cli_print (_("Your role:  %s"), rein_role_to_name (rein_job_get_role (job, own_key)));
  rein_cli_print (_("You may:    %s"), *actions != '\0' ? actions : _("nothing now"));
  if (posting != NULL)
    {
      g_autofree gchar *description = one_line (field (posting, REIN_LABEL_DESCRIPTION), 300);

      g_autofree gchar *creator = creator_person (m, job);
      g_autofree gchar *mediator = mediator_person (m, job);

      rein_cli_print (_("Category:   %s"), shown (category (posting)));
      rein_cli_print (_("Creator:    %s"), creator);
      rein_cli_print (_("Mediator:   %s, fee %s"), mediator,
                      shown_field (posting, REIN_LABEL_MEDIATOR_FEE));
      rein_cli_print (_("Description: %s"), description);
    }
  if (offer != NULL)
    {
      g_autofree gchar *worker = worker_person (m, winning_bid (job));

      rein_cli_print (_("Awarded to: %s for %s BTC"), worker,
                      shown_field (offer, REIN_LABEL_BID_AMOUNT));
    }
  if (escrow != NULL)
    {
      rein_cli_print (_("Primary escrow:  %s"), escrow->primary_address);
      rein_cli_print (_("Mediator escrow: %s"), escrow->mediator_address);
    }
  if (offer == NULL)
    for (guint i = 0; i < bids->len; i++)
      {
        ReinDocument *bid = g_ptr_array_index (bids, i);
        g_autofree gchar *description = one_line (field (bid, REIN_LABEL_DESCRIPTION), 60);
        g_autofree gchar *worker = worker_person (m, bid);

        rein_cli_print (_("Bid:        %s, %s BTC: %s"), worker,
                        shown_field (bid, REIN_LABEL_BID_AMOUNT), description);
      }
  rein_cli_print ("%s", _("Documents:"));
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      const gchar *reason = NULL;
      gboolean valid = FALSE;
      ReinDocument *doc = rein_job_get_entry (job, i, &valid, &reason);
      g_autofree gchar *short_hash = g_strndup (rein_document_get_hash (doc), 12);

      if (valid)
        rein_cli_print ("  %s %-15s %s  %s", _("valid  "),
                        rein_document_type_to_name (rein_document_get_document_type (doc)),
                        short_hash, rein_document_get_signer (doc));
      else
        rein_cli_print ("  %s %-15s %s  %s: %s", _("INVALID"),
                        rein_document_type_to_name (rein_document_get_document_type (doc)),
                        short_hash, rein_document_get_signer (doc), shown (reason));
    }
}

static void
job_details_to_json (JsonBuilder *builder, ReinJob *job, const gchar *own_key,
                     ReinNetwork network)
{
  g_autoptr (ReinEscrow) escrow = job_escrow (job, network);
  GPtrArray *bids = rein_job_get_bids (job);

  json_builder_begin_object (builder);
  job_summary_to_json (builder, job, own_key);
  rein_cli_json_string (builder, "creator_public_key", rein_job_get_creator_key (job));
  rein_cli_json_string (builder, "mediator_public_key", rein_job_get_mediator_key (job));
  rein_cli_json_string (builder, "worker_public_key", rein_job_get_worker_key (job));
  rein_cli_json_string (builder, "primary_escrow_address",
                        escrow ? escrow->primary_address : NULL);
  rein_cli_json_string (builder, "primary_escrow_redeem_script",
                        escrow ? escrow->primary_script_hex : NULL);
  rein_cli_json_string (builder, "mediator_escrow_address",
                        escrow ? escrow->mediator_address : NULL);
  rein_cli_json_string (builder, "mediator_escrow_redeem_script",
                        escrow ? escrow->mediator_script_hex : NULL);
  json_builder_set_member_name (builder, "valid_bids");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bids->len; i++)
    {
      ReinDocument *bid = g_ptr_array_index (bids, i);

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "hash", rein_document_get_hash (bid));
      rein_cli_json_string (builder, "worker", field (bid, REIN_LABEL_WORKER));
      fingerprint_to_json (builder, "worker_fingerprint",
                           field (bid, REIN_LABEL_WORKER_MASTER_ADDRESS));
      rein_cli_json_string (builder, "worker_public_key", field (bid, REIN_LABEL_WORKER_PUBLIC_KEY));
      rein_cli_json_string (builder, "bid_amount", field (bid, REIN_LABEL_BID_AMOUNT));
      rein_cli_json_string (builder, "description", field (bid, REIN_LABEL_DESCRIPTION));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "documents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rein_job_get_n_entries (job); i++)
    {
      const gchar *reason = NULL;
      gboolean valid = FALSE;
      ReinDocument *doc = rein_job_get_entry (job, i, &valid, &reason);

      document_to_json (builder, doc, valid, reason);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* ---- Choosing a job ---- */


/* The jobs with a valid posting on the market, in their real state (the
 * reader fetches the offers and what follows of the jobs with bids); with
 * @open_only, only those still open for bids. */
static GPtrArray *
load_open_jobs (Market *m, gboolean open_only, GError **error)
{
  g_autoptr (GPtrArray) jobs = rein_cli_reader_load_open_jobs (m->reader, error);
  GPtrArray *out;

  if (jobs == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < jobs->len; i++)
    {
      ReinJob *job = g_ptr_array_index (jobs, i);
      ReinJobState state = rein_job_get_state (job);

      if (state == REIN_JOB_STATE_NONE)
        continue;
      if (open_only && state != REIN_JOB_STATE_POSTED && state != REIN_JOB_STATE_BIDS)
        continue;
      g_ptr_array_add (out, g_object_ref (job));
    }
  return out;
}

/* Adds @job_id to @ids and @builder unless it is there already. The set
 * owns copies: g_hash_table_add() on a key already present would replace
 * the stored key with @job_id, which belongs to a document freed long
 * before the set is read again. */
static void
add_job_id (GHashTable *ids, GStrvBuilder *builder, const gchar *job_id)
{
  if (g_hash_table_contains (ids, job_id))
    return;
  g_hash_table_add (ids, g_strdup (job_id));
  g_strv_builder_add (builder, job_id);
}

/* The job IDs I take part in: from the store, and the jobs that name my key
 * as mediator ("review") or worker ("in-process") on the servers. */
static GStrv
my_job_ids (Market *m, GError **error)
{
  g_auto (GStrv) stored = rein_store_list_job_ids (m->store, rein_identity_get_id (m->identity),
                                                   error);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const gchar *queries[][2] = { { "review", "mediator" }, { "in-process", "worker" } };

  if (stored == NULL)
    return NULL;
  for (guint i = 0; stored[i] != NULL; i++)
    add_job_id (ids, builder, stored[i]);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      const gchar *params[3] = { queries[q][1], m->own_key, NULL };
      g_autoptr (GPtrArray) docs = rein_cli_reader_query (m->reader, queries[q][0], params, error);

      if (docs == NULL)
        return NULL;
      for (guint i = 0; i < docs->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (docs, i);
          const gchar *job_id = rein_document_get_field (doc, REIN_LABEL_JOB_ID);

          if (job_id != NULL && rein_cli_check_job_id (job_id, NULL))
            add_job_id (ids, builder, job_id);
        }
    }
  return g_strv_builder_end (builder);
}

static gchar *
describe_job_choice (ReinJob *job)
{
  ReinDocument *posting = rein_job_get_posting (job);
  g_autofree gchar *description = one_line (field (posting, REIN_LABEL_DESCRIPTION), 50);

  return g_strdup_printf ("%s  %s (%s) — %s", rein_job_get_id (job),
                          shown (rein_job_get_name (job)),
                          rein_job_state_describe (rein_job_get_state (job)), description);
}

/* Accepted or resolved: its payments are to be paid out. */
static gboolean
paying_out (ReinJob *job)
{
  ReinJobState state = rein_job_get_state (job);

  return state == REIN_JOB_STATE_ACCEPTED || state == REIN_JOB_STATE_RESOLVED;
}

/* The job to act on, checked: it exists and @action is allowed to me now
 * (0: it is being paid out). */
static ReinJob *
market_pick_job (Market *m, const gchar *option_job_id, ReinActions action, GError **error)
{
  const gchar *given = option_job_id != NULL ? option_job_id
                                             : rein_cli_form_get (m->form, REIN_LABEL_JOB_ID);
  g_autofree gchar *job_id = given != NULL ? g_strstrip (g_strdup (given)) : NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree gchar *refusal = NULL;
  ReinJob *job;

  if (job_id == NULL)
    {
      g_autoptr (GPtrArray) candidates = NULL;
      g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) allowed = g_ptr_array_new ();
      gint index;

      if (!rein_cli_interactive ())
        {
          g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                               _("which job? Give --jobid ID, a form line “Job ID: …”, or run "
                                 "in a terminal"));
          return NULL;
        }
      if (action == REIN_ACTION_BID)
        candidates = load_open_jobs (m, TRUE, error);
      else
        {
          g_auto (GStrv) ids = my_job_ids (m, error);

          candidates = ids ? rein_cli_reader_load_jobs (m->reader, (const gchar *const *) ids,
                                                         error)
                           : NULL;
        }
      if (candidates == NULL)
        return NULL;
      for (guint i = 0; i < candidates->len; i++)
        {
          ReinJob *candidate = g_ptr_array_index (candidates, i);

          if (action != 0 ? (rein_job_get_actions (candidate, m->own_key) & action) != 0
                          : paying_out (candidate))
            {
              g_ptr_array_add (allowed, candidate);
              g_ptr_array_add (choices, describe_job_choice (candidate));
            }
        }
      index = rein_cli_choose (_("job"), choices, error);
      if (index < 0)
        return NULL;
      return g_object_ref (g_ptr_array_index (allowed, index));
    }

  if (!rein_cli_check_job_id (job_id, error))
    return NULL;
  jobs = rein_cli_reader_load_jobs (m->reader, (const gchar *const[]){ job_id, NULL }, error);
  if (jobs == NULL)
    return NULL;
  if (jobs->len == 0)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("no job with ID %s is on the servers"), job_id);
      return NULL;
    }
  job = g_ptr_array_index (jobs, 0);
  refusal = action != 0 ? rein_job_explain_refusal (job, m->own_key, action) : NULL;
  if (refusal != NULL)
    {
      /* Say why the posting does not count, when it does not. */
      if (rein_job_get_posting (job) == NULL && rein_job_get_n_entries (job) > 0)
        {
          const gchar *reason = NULL;
          gboolean valid = FALSE;

          rein_job_get_entry (job, 0, &valid, &reason);
          if (reason != NULL)
            {
              gchar *longer = g_strdup_printf ("%s (%s)", refusal, reason);

              g_free (refusal);
              refusal = longer;
            }
        }
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED, refusal);
      return NULL;
    }
  return g_object_ref (job);
}

/* ---- Publishing ---- */

/* Publishes @text through the client's publisher (rein-publisher.h): the
 * one workflow the app uses too. */
static int
market_publish_with (Market *m,
                     ReinJob *job,
                     const gchar *text,
                     gboolean push,
                     const gchar *done,
                     ReinPrivateKey *unlocked)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) delegate = unlocked;
  g_autoptr (ReinPublisher) publisher = rein_publisher_new (m->store);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (ReinPublication) publication = NULL;
  GPtrArray *results;
  ReinDocument *doc;
  const gchar *job_id;
  ReinJobState state;
  guint pushed;

  if (delegate == NULL)
    delegate = rein_cli_unlock_delegate (m->session, &error);
  if (delegate == NULL)
    return market_fail (m, NULL, error);
  rein_publisher_publish_async (publisher, m->identity, delegate, job,
                                rein_cli_reader_get_directory (m->reader), text, push, NULL,
                                rein_cli_async_cb, &result);
  g_clear_pointer (&delegate, rein_private_key_free);
  rein_cli_wait (&result);
  publication = rein_publisher_publish_finish (publisher, result, &error);
  if (publication == NULL)
    return market_fail (m, NULL, error);
  rein_cli_reader_print_warnings (m->reader);

  doc = publication->document;
  job_id = publication->job_id;
  state = publication->state;
  results = publication->sync_results;
  pushed = publication->n_servers_ok;

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      int status;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "job_id", job_id);
      rein_cli_json_string (builder, "type",
                            rein_document_type_to_name (rein_document_get_document_type (doc)));
      rein_cli_json_string (builder, "hash", rein_document_get_hash (doc));
      rein_cli_json_string (builder, "state", rein_job_state_to_name (state));
      rein_cli_json_string (builder, "state_text", rein_job_state_describe (state));
      rein_cli_push_to_json (builder, results);
      json_builder_end_object (builder);
      status = write_json (builder);
      if (status != REIN_CLI_EXIT_OK)
        return status;
    }
  else
    {
      rein_cli_print ("%s", done);
      rein_cli_print (_("The job is now: %s."), rein_job_state_describe (state));
      if (push)
        rein_cli_print (_("Put on %u of %u servers."), pushed, results->len);
      else
        rein_cli_print ("%s", _("Kept here only: “rein-cli sync” puts it on the servers."));
    }

  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);

      if (r->error != NULL)
        rein_cli_warn ("%s", r->error);
    }
  if (publication->sync_error != NULL)
    {
      rein_cli_printerr (_("the document is kept here, but could not be pushed: %s"),
                         publication->sync_error);
      return REIN_CLI_EXIT_NETWORK;
    }
  if (push && pushed == 0 && results->len > 0)
    {
      rein_cli_printerr (_("no server took the document; it is kept here and “rein-cli sync” "
                           "tries again"));
      return REIN_CLI_EXIT_NETWORK;
    }
  return REIN_CLI_EXIT_OK;
}

static int
market_publish (Market *m, ReinJob *job, const gchar *text, gboolean push, const gchar *done)
{
  return market_publish_with (m, job, text, push, done, NULL);
}

/* ---- Inputs ---- */

static gchar *
ask_text (Market *m, const gchar *label, const gchar *hint, GError **error)
{
  g_autofree gchar *text = rein_cli_ask (m->form, label, hint, TRUE, NULL, error);

  if (text == NULL)
    return NULL;
  if (*g_strstrip (text) == '\0')
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT, _("“%s” is empty"),
                   label);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* ---- post ---- */

static gboolean
mediator_matches (ReinDocument *enrollment, const gchar *who)
{
  const gchar *user = field (enrollment, REIN_LABEL_USER);

  /* Keys and addresses in any spelling of the same key. */
  return (user != NULL && g_utf8_collate (user, who) == 0)
         || rein_same_key (field (enrollment, REIN_LABEL_MASTER_ADDRESS), who)
         || rein_same_key (field (enrollment, REIN_LABEL_MEDIATOR_PUBLIC_KEY), who)
         || rein_same_key (field (enrollment, REIN_LABEL_DELEGATE_ADDRESS), who);
}

static ReinDocument *
choose_mediator (Market *m, GPtrArray *mediators, GError **error)
{
  const gchar *given = rein_cli_form_get (m->form, REIN_LABEL_MEDIATOR);
  g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (g_free);
  ReinDocument *found = NULL;
  gint index;

  if (given != NULL)
    {
      g_autofree gchar *who = g_strstrip (g_strdup (given));

      for (guint i = 0; i < mediators->len; i++)
        if (mediator_matches (g_ptr_array_index (mediators, i), who))
          {
            if (found != NULL)
              {
                g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                             _("several mediators are called “%s”: give the master address"),
                             who);
                return NULL;
              }
            found = g_ptr_array_index (mediators, i);
          }
      if (found == NULL)
        g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                     _("no mediator “%s” (see “rein-cli mediators”; you cannot mediate your "
                       "own job)"), who);
      return found;
    }

  for (guint i = 0; i < mediators->len; i++)
    {
      ReinDocument *e = g_ptr_array_index (mediators, i);

      g_autofree gchar *who = rein_person_format_enrollment (
          e, rein_cli_reader_get_directory (m->reader));

      g_ptr_array_add (choices, g_strdup_printf ("%s, fee %s, %s (%s)", who,
                                                 shown_field (e, REIN_LABEL_MEDIATOR_FEE),
                                                 shown_field (e, REIN_LABEL_CONTACT),
                                                 shown_field (e, REIN_LABEL_MASTER_ADDRESS)));
    }
  if (mediators->len > 0 && !rein_cli_interactive ())
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("“Mediator” is missing: give it in a form file (a line “Mediator: "
                             "NAME or MASTER ADDRESS”) or run in a terminal"));
      return NULL;
    }
  index = rein_cli_choose (_("mediator"), choices, error);
  return index < 0 ? NULL : g_ptr_array_index (mediators, index);
}

static int
run_post (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean no_push = FALSE;
  const GOptionEntry entries[] = {
    { "no-push", 0, 0, G_OPTION_ARG_NONE, &no_push,
      N_("Keep the document here; “rein-cli sync” puts it on the servers later"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (GPtrArray) mediators = NULL;
  g_autofree gchar *name = NULL, *category = NULL, *description = NULL, *text = NULL;
  g_autofree gchar *job_id = NULL;
  ReinDocument *mediator;
  ReinJobParams params = { 0 };
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);

  if ((name = rein_cli_ask (m.form, REIN_LABEL_JOB_NAME, NULL, FALSE, NULL, &error)) == NULL
      || (category = rein_cli_ask (m.form, REIN_LABEL_CATEGORY, NULL, FALSE, NULL, &error))
           == NULL
      || (description = ask_text (&m, REIN_LABEL_DESCRIPTION, NULL, &error)) == NULL)
    return market_fail (&m, NULL, error);

  mediators = rein_cli_reader_load_mediators (m.reader, &error);
  if (mediators == NULL)
    return market_fail (&m, NULL, error);
  mediator = choose_mediator (&m, mediators, &error);
  if (mediator == NULL)
    return market_fail (&m, NULL, error);

  job_id = rein_job_id_generate ();
  params.job_id = job_id;
  params.job_name = g_strstrip (name);
  params.category = g_strstrip (category);
  params.description = description;
  params.creator = rein_identity_get_name (m.identity);
  params.creator_contact = rein_identity_get_contact (m.identity);
  params.creator_public_key = m.own_key;
  params.creator_master_address = rein_identity_get_master_address (m.identity);
  if (!rein_job_params_set_mediator (&params, mediator, &error))
    return market_fail (&m, NULL, error);
  text = rein_document_build_job_posting (&params, &error);
  if (text == NULL)
    return market_fail (&m, NULL, error);
  {
    g_autofree gchar *done = g_strdup_printf (_("Posted the job %s."), params.job_id);

    return market_publish (&m, NULL, text, !no_push, done);
  }
}

/* ---- bid ---- */

static const GOptionEntry *
action_entries (gchar **job_id, gboolean *no_push)
{
  static GOptionEntry entries[3];

  entries[0] = (GOptionEntry) { "jobid", 'j', 0, G_OPTION_ARG_STRING, job_id,
                                N_("The job (else “Job ID” from the form, else asked)"),
                                N_("ID") };
  entries[1] = (GOptionEntry) { "no-push", 0, 0, G_OPTION_ARG_NONE, no_push,
                                N_("Keep the document here; “rein-cli sync” puts it on the "
                                   "servers later"), NULL };
  entries[2] = (GOptionEntry) { NULL };
  return entries;
}

static int
run_bid (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  gboolean no_push = FALSE;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *description = NULL, *amount = NULL, *text = NULL;
  ReinBidParams params = { 0 };
  int status;

  if (!rein_cli_parse_options (command, action_entries (&job_id, &no_push), argc, argv, &args,
                               &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, REIN_ACTION_BID, &error);
  if (job == NULL)
    return market_fail (&m, "bid", error);

  if ((description = ask_text (&m, REIN_LABEL_DESCRIPTION,
                               _("Say how you would do the job, and when."), &error)) == NULL
      || (amount = rein_cli_ask (m.form, REIN_LABEL_BID_AMOUNT, NULL, FALSE, NULL, &error))
           == NULL)
    return market_fail (&m, NULL, error);

  params.worker = rein_identity_get_name (m.identity);
  params.worker_contact = rein_identity_get_contact (m.identity);
  params.worker_master_address = rein_identity_get_master_address (m.identity);
  params.worker_public_key = m.own_key;
  params.description = description;
  params.bid_amount = g_strstrip (amount);
  text = rein_document_build_bid (rein_job_get_posting (job), &params,
                                  rein_cli_identity_network (m.identity), &error);
  if (text == NULL)
    return market_fail (&m, NULL, error);
  {
    g_autofree gchar *done = g_strdup_printf (_("Bid on the job %s."), rein_job_get_id (job));

    return market_publish (&m, job, text, !no_push, done);
  }
}

/* ---- offer ---- */

static gboolean
bid_matches (ReinDocument *bid, const gchar *who)
{
  gsize len = strlen (who);

  /* Keys and addresses in any spelling of the same key. */
  if (g_strcmp0 (field (bid, REIN_LABEL_WORKER), who) == 0
      || rein_same_key (field (bid, REIN_LABEL_WORKER_MASTER_ADDRESS), who)
      || rein_same_key (field (bid, REIN_LABEL_WORKER_PUBLIC_KEY), who))
    return TRUE;
  /* The start of the bid's hash, as "status" shows it. */
  return len >= 8 && strspn (who, "0123456789abcdef") == len
         && g_str_has_prefix (rein_document_get_hash (bid), who);
}

static ReinDocument *
choose_bid (Market *m, ReinJob *job, GError **error)
{
  GPtrArray *bids = rein_job_get_bids (job);
  const gchar *given = rein_cli_form_get (m->form, REIN_CLI_LABEL_WORKER);
  g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (g_free);
  ReinDocument *found = NULL;
  gint index;

  if (given != NULL)
    {
      g_autofree gchar *who = g_strstrip (g_strdup (given));

      for (guint i = 0; i < bids->len; i++)
        if (bid_matches (g_ptr_array_index (bids, i), who))
          {
            if (found != NULL)
              {
                g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                             _("several bids match “%s”: give the start of the bid’s hash "
                               "(see “rein-cli status --jobid %s”)"),
                             who, rein_job_get_id (job));
                return NULL;
              }
            found = g_ptr_array_index (bids, i);
          }
      if (found == NULL)
        g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                     _("no valid bid on the job %s matches “%s”"), rein_job_get_id (job), who);
      return found;
    }

  for (guint i = 0; i < bids->len; i++)
    {
      ReinDocument *bid = g_ptr_array_index (bids, i);
      g_autofree gchar *description = one_line (field (bid, REIN_LABEL_DESCRIPTION), 50);
      g_autofree gchar *worker = worker_person (m, bid);

      g_ptr_array_add (choices, g_strdup_printf ("%s, %s BTC: %s", worker,
                                                 shown_field (bid, REIN_LABEL_BID_AMOUNT),
                                                 description));
    }
  if (!rein_cli_interactive ())
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("“Worker” is missing: give it in a form file (a line “Worker: NAME, "
                             "MASTER ADDRESS or BID HASH”) or run in a terminal"));
      return NULL;
    }
  index = rein_cli_choose (C_("noun", "bid"), choices, error);
  return index < 0 ? NULL : g_ptr_array_index (bids, index);
}

static int
run_offer (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  gboolean no_push = FALSE;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *text = NULL;
  ReinDocument *bid;
  int status;

  if (!rein_cli_parse_options (command, action_entries (&job_id, &no_push), argc, argv, &args,
                               &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, REIN_ACTION_OFFER, &error);
  if (job == NULL)
    return market_fail (&m, _("offer"), error);
  bid = choose_bid (&m, job, &error);
  if (bid == NULL)
    return market_fail (&m, NULL, error);
  text = rein_document_build_offer (bid, rein_cli_identity_network (m.identity), &error);
  if (text == NULL)
    return market_fail (&m, NULL, error);
  {
    g_autofree gchar *done = g_strdup_printf (_("Awarded the job %s."), rein_job_get_id (job));

    return market_publish (&m, job, text, !no_push, done);
  }
}

/* ---- deliver ---- */

static int
run_deliver (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  gboolean no_push = FALSE, legacy = FALSE;
  GOptionEntry entries[4] = { { NULL } };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *deliverables = NULL, *text = NULL;
  int status;

  memcpy (entries, action_entries (&job_id, &no_push), 2 * sizeof (GOptionEntry));
  entries[2] = (GOptionEntry) { "python-rein-payment", 0, 0, G_OPTION_ARG_NONE, &legacy,
                                N_("Also sign the payment out of the primary escrow that a "
                                   "python-rein 0.3 creator completes (it is printed)"), NULL };
  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, REIN_ACTION_DELIVER, &error);
  if (job == NULL)
    return market_fail (&m, _("deliver"), error);
  deliverables = ask_text (&m, REIN_LABEL_DELIVERABLES,
                           _("Describe the work, or where to get it. This is public, and the "
                             "mediator reads it in a dispute."),
                           &error);
  if (deliverables == NULL)
    return market_fail (&m, NULL, error);
  text = rein_document_build_delivery (rein_job_get_step_base (job, REIN_ACTION_DELIVER), deliverables, &error);
  if (text == NULL)
    return market_fail (&m, NULL, error);
  {
    g_autofree gchar *done = g_strdup_printf (_("Delivered on the job %s."), rein_job_get_id (job));
    g_autoptr (ReinPrivateKey) delegate = rein_cli_unlock_delegate (m.session, &error);
    g_autofree gchar *with_payment = NULL;

    if (delegate == NULL)
      return market_fail (&m, NULL, error);
    /* what a python-rein 0.3 creator needs to accept it, when asked for */
    with_payment = legacy ? rein_cli_add_legacy_delivery_fields (m.store, m.identity, job,
                                                                 delegate, text)
                          : g_strdup (text);
    return market_publish_with (&m, job, with_payment, !no_push, done,
                                g_steal_pointer (&delegate));
  }
}

/* ---- accept, resolve and payout: the payments out of the escrows ---- */

static GOptionEntry *
payment_entries (gchar **job_id, gboolean *no_push, ReinCliPayOptions *pay, gboolean files,
                 const GOptionEntry *more)
{
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  g_array_append_vals (entries, action_entries (job_id, no_push), no_push != NULL ? 2 : 1);
  rein_cli_pay_options_add_entries (pay, files, entries);
  for (; more != NULL && more->long_name != NULL; more++)
    g_array_append_vals (entries, more, 1);
  return (GOptionEntry *) g_array_free (g_steal_pointer (&entries), FALSE);
}

/* Builds (or reads) both payments of @kind, shows them, asks, signs them
 * and publishes the document @build makes with them. */
static int
sign_payments_and_publish (Market *m,
                           ReinJob *job,
                           ReinPayoutKind kind,
                           guint worker_percent,
                           const ReinCliPayOptions *pay,
                           const gchar *resolution,
                           gboolean push,
                           const gchar *done)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliPayments) payments = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL, *text = NULL, *legacy = NULL;
  int status;

  payments = rein_cli_payments_prepare (m->store, m->identity, job, kind, worker_percent, pay,
                                        &error);
  if (payments == NULL || !rein_cli_payments_confirm (payments, m->form, pay, &error))
    return market_fail (m, NULL, error);
  delegate = rein_cli_unlock_delegate (m->session, &error);
  if (delegate == NULL || !rein_cli_payments_sign (payments, delegate, &error))
    return market_fail (m, NULL, error);
  primary = rein_cli_payments_get_base64 (payments, TRUE);
  mediator = rein_cli_payments_get_base64 (payments, FALSE);
  if (resolution == NULL)
    text = rein_document_build_accept (rein_job_get_step_base (job, REIN_ACTION_ACCEPT),
                                       primary, mediator, &error);
  else
    text = rein_document_build_resolution (rein_job_get_step_base (job, REIN_ACTION_RESOLVE),
                                           resolution, primary, mediator, &error);
  if (text == NULL)
    return market_fail (m, NULL, error);
  legacy = rein_cli_payments_add_legacy_fields (payments, text);
  status = market_publish_with (m, job, legacy, push, done, g_steal_pointer (&delegate));
  /* published (or kept here for the next sync): the payments are out */
  if (status == REIN_CLI_EXIT_OK || status == REIN_CLI_EXIT_NETWORK)
    rein_cli_payments_record (payments);
  return status;
}

static int
run_accept (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  g_auto (ReinCliPayOptions) pay = { 0 };
  g_autofree GOptionEntry *entries = NULL;
  gboolean no_push = FALSE;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *done = NULL;
  int status;

  entries = payment_entries (&job_id, &no_push, &pay, TRUE, NULL);
  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, REIN_ACTION_ACCEPT, &error);
  if (job == NULL)
    return market_fail (&m, _("accept"), error);
  done = g_strdup_printf (_("Accepted the delivery on the job %s."), rein_job_get_id (job));
  return sign_payments_and_publish (&m, job, REIN_PAYOUT_ACCEPT, 0, &pay, NULL, !no_push, done);
}

/* --refund, --award or --split PERCENT: what the mediator decided. */
static gboolean
resolution_kind (gboolean refund, gboolean award, gint split, ReinPayoutKind *out_kind,
                 guint *out_percent, GError **error)
{
  guint given = (refund ? 1 : 0) + (award ? 1 : 0) + (split != G_MININT ? 1 : 0);

  if (split != G_MININT && (split < 0 || split > 100))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("--split is the worker's share in percent, from 0 to 100"));
      return FALSE;
    }
  if (given != 1)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("say what you decided: --refund (the creator gets the money back), "
                             "--award (the worker is paid) or --split PERCENT (the worker's "
                             "share)"));
      return FALSE;
    }
  *out_kind = refund ? REIN_PAYOUT_REFUND : award ? REIN_PAYOUT_AWARD : REIN_PAYOUT_SPLIT;
  *out_percent = split != G_MININT ? (guint) split : 0;
  return TRUE;
}

static int
run_resolve (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  g_auto (ReinCliPayOptions) pay = { 0 };
  gboolean refund = FALSE, award = FALSE;
  gint split = G_MININT; /* not given */
  const GOptionEntry decision[] = {
    { "refund", 0, 0, G_OPTION_ARG_NONE, &refund,
      N_("The primary escrow goes back to the job creator"), NULL },
    { "award", 0, 0, G_OPTION_ARG_NONE, &award, N_("The primary escrow pays the worker"), NULL },
    { "split", 0, 0, G_OPTION_ARG_INT, &split,
      N_("The worker gets PERCENT of the primary escrow, the creator the rest"),
      N_("PERCENT") },
    { NULL },
  };
  g_autofree GOptionEntry *entries = NULL;
  gboolean no_push = FALSE;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *resolution = NULL, *done = NULL;
  ReinPayoutKind kind;
  guint percent = 0;
  int status;

  entries = payment_entries (&job_id, &no_push, &pay, TRUE, decision);
  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!resolution_kind (refund, award, split, &kind, &percent, &error))
    return rein_cli_fail (NULL, error);
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, REIN_ACTION_RESOLVE, &error);
  if (job == NULL)
    return market_fail (&m, _("resolve"), error);
  if ((resolution = ask_text (&m, REIN_LABEL_RESOLUTION,
                              _("Say what you decided and why: refund, split or award."),
                              &error)) == NULL)
    return market_fail (&m, NULL, error);
  done = g_strdup_printf (_("Resolved the dispute on the job %s."), rein_job_get_id (job));
  return sign_payments_and_publish (&m, job, kind, percent, &pay, resolution, !no_push, done);
}

static int
run_payout (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  g_auto (ReinCliPayOptions) pay = { 0 };
  gboolean broadcast = FALSE;
  const GOptionEntry send[] = {
    { "broadcast", 'b', 0, G_OPTION_ARG_NONE, &broadcast,
      N_("Send each complete payment through the chain backend"), NULL },
    { NULL },
  };
  g_autofree GOptionEntry *entries = NULL;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  int status;

  entries = payment_entries (&job_id, NULL, &pay, FALSE, send);
  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, 0, &error);
  if (job == NULL)
    return market_fail (&m, _("payout"), error);
  status = rein_cli_payout (m.store, m.session, m.identity, m.form, job, broadcast, &pay);
  rein_cli_reader_print_warnings (m.reader);
  return status;
}

/* ---- disputes ---- */

static int
run_dispute (const ReinCliCommand *command, int argc, char **argv, ReinActions action)
{
  g_autofree gchar *job_id = NULL;
  gboolean no_push = FALSE;
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (ReinJob) job = NULL;
  g_autofree gchar *detail = NULL, *text = NULL;
  ReinDocumentType type;
  int status;

  if (!rein_cli_parse_options (command, action_entries (&job_id, &no_push), argc, argv, &args,
                               &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  job = market_pick_job (&m, job_id, action, &error);
  if (job == NULL)
    return market_fail (&m, command->name, error);
  detail = ask_text (&m, REIN_LABEL_DISPUTE_DETAIL,
                     _("Explain the dispute in as much detail as you can: the mediator decides "
                       "from it."),
                     &error);
  if (detail == NULL)
    return market_fail (&m, NULL, error);

  type = action == REIN_ACTION_WORKER_DISPUTE ? REIN_DOCUMENT_TYPE_WORKER_DISPUTE
                                              : REIN_DOCUMENT_TYPE_CREATOR_DISPUTE;
  text = rein_document_build_dispute (rein_job_get_step_base (job, action), type, detail, &error);
  if (text == NULL)
    return market_fail (&m, NULL, error);
  {
    g_autofree gchar *done = g_strdup_printf (_("Filed a dispute on the job %s."), rein_job_get_id (job));

    return market_publish (&m, job, text, !no_push, done);
  }
}

static int
run_creator_dispute (const ReinCliCommand *command, int argc, char **argv)
{
  return run_dispute (command, argc, argv, REIN_ACTION_CREATOR_DISPUTE);
}

static int
run_worker_dispute (const ReinCliCommand *command, int argc, char **argv)
{
  return run_dispute (command, argc, argv, REIN_ACTION_WORKER_DISPUTE);
}

/* ---- status ---- */

static int
run_status (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  const GOptionEntry entries[] = {
    { "jobid", 'j', 0, G_OPTION_ARG_STRING, &job_id,
      N_("Show one job: its state, your role and every document, with the reason when one "
         "is not valid"), N_("ID") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  ReinNetwork network;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  network = rein_cli_identity_network (m.identity);

  if (job_id != NULL)
    {
      g_strstrip (job_id);
      if (!rein_cli_check_job_id (job_id, &error))
        return market_fail (&m, NULL, error);
      jobs = rein_cli_reader_load_jobs (m.reader, (const gchar *const[]){ job_id, NULL },
                                        &error);
      if (jobs == NULL)
        return market_fail (&m, NULL, error);
      rein_cli_reader_print_warnings (m.reader);
      if (jobs->len == 0)
        {
          rein_cli_printerr (_("no job with ID %s is on the servers"), job_id);
          return REIN_CLI_EXIT_ERROR;
        }
      if (rein_cli_globals.json)
        {
          job_details_to_json (builder, g_ptr_array_index (jobs, 0), m.own_key, network);
          return write_json (builder);
        }
      print_job_details (&m, g_ptr_array_index (jobs, 0), network);
      return REIN_CLI_EXIT_OK;
    }

  {
    g_auto (GStrv) ids = my_job_ids (&m, &error);

    if (ids == NULL)
      return market_fail (&m, NULL, error);
    jobs = rein_cli_reader_load_jobs (m.reader, (const gchar *const *) ids, &error);
    if (jobs == NULL)
      return market_fail (&m, NULL, error);
  }
  rein_cli_reader_print_warnings (m.reader);

  if (rein_cli_globals.json)
    {
      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "identity", rein_identity_get_name (m.identity));
      json_builder_set_member_name (builder, "jobs");
      json_builder_begin_array (builder);
      for (guint i = 0; i < jobs->len; i++)
        {
          json_builder_begin_object (builder);
          job_summary_to_json (builder, g_ptr_array_index (jobs, i), m.own_key);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      return write_json (builder);
    }
  if (jobs->len == 0)
    rein_cli_print ("%s", _("You take part in no job yet."));
  for (guint i = 0; i < jobs->len; i++)
    {
      ReinJob *job = g_ptr_array_index (jobs, i);
      g_autofree gchar *actions = actions_to_text (rein_job_get_actions (job, m.own_key));

      rein_cli_print ("%s  %-8s  %-26s  %s%s%s%s", rein_job_get_id (job),
                      rein_role_to_name (rein_job_get_role (job, m.own_key)),
                      rein_job_state_describe (rein_job_get_state (job)),
                      rein_job_get_name (job) ? rein_job_get_name (job) : _("(no valid posting)"),
                      *actions != '\0' ? "  [" : "", actions, *actions != '\0' ? "]" : "");
    }
  return REIN_CLI_EXIT_OK;
}

/* ---- jobs ---- */

static int
run_jobs (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      N_("List every job on the market with its state, also those awarded or finished"),
      NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  jobs = load_open_jobs (&m, !all, &error);
  if (jobs == NULL)
    return market_fail (&m, NULL, error);
  rein_cli_reader_print_warnings (m.reader);

  if (rein_cli_globals.json)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "jobs");
      json_builder_begin_array (builder);
      for (guint i = 0; i < jobs->len; i++)
        {
          json_builder_begin_object (builder);
          job_summary_to_json (builder, g_ptr_array_index (jobs, i), m.own_key);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      return write_json (builder);
    }
  if (jobs->len == 0)
    rein_cli_print ("%s", all ? _("No jobs on the servers.") : _("No open jobs on the servers."));
  for (guint i = 0; i < jobs->len; i++)
    {
      ReinJob *job = g_ptr_array_index (jobs, i);
      ReinDocument *posting = rein_job_get_posting (job);
      g_autofree gchar *description = one_line (field (posting, REIN_LABEL_DESCRIPTION), 60);
      g_autofree gchar *state = NULL;
      g_autofree gchar *creator = creator_person (&m, job);
      guint n_bids = rein_job_get_bids (job)->len;

      /* Open jobs need no state: their bids say it. */
      if (all)
        state = g_strdup_printf (" (%s)", rein_job_state_describe (rein_job_get_state (job)));
      rein_cli_print ("%s  %s [%s] by %s%s, %u %s: %s", rein_job_get_id (job),
                      shown (rein_job_get_name (job)), shown (category (posting)),
                      creator, state ? state : "", n_bids,
                      g_dngettext (GETTEXT_PACKAGE, "bid", "bids", n_bids), description);
    }
  return REIN_CLI_EXIT_OK;
}

/* ---- mediators ---- */

static void
mediator_to_json (JsonBuilder *builder, ReinDocument *e, gboolean contested)
{
  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "name", field (e, REIN_LABEL_USER));
  fingerprint_to_json (builder, "fingerprint", field (e, REIN_LABEL_MASTER_ADDRESS));
  rein_cli_json_string (builder, "contact", field (e, REIN_LABEL_CONTACT));
  rein_cli_json_string (builder, "master_address", field (e, REIN_LABEL_MASTER_ADDRESS));
  rein_cli_json_string (builder, "public_key", field (e, REIN_LABEL_MEDIATOR_PUBLIC_KEY));
  rein_cli_json_string (builder, "fee", field (e, REIN_LABEL_MEDIATOR_FEE));
  json_builder_set_member_name (builder, "contested");
  json_builder_add_boolean_value (builder, contested);
  json_builder_end_object (builder);
}

static void
print_mediator (ReinDirectory *directory, ReinDocument *e)
{
  g_autofree gchar *who = rein_person_format_enrollment (e, directory);

  rein_cli_print ("%s  fee %s  %s  %s", who, shown_field (e, REIN_LABEL_MEDIATOR_FEE),
                  shown_field (e, REIN_LABEL_CONTACT), shown_field (e, REIN_LABEL_MASTER_ADDRESS));
}

static int
run_mediators (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Market) m = { 0 };
  g_autoptr (GPtrArray) mediators = NULL;
  g_autoptr (GPtrArray) contested = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  ReinDirectory *directory;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  if (!market_open (&m, &error))
    return market_fail (&m, NULL, error);
  mediators = rein_cli_reader_load_mediators (m.reader, &error);
  if (mediators == NULL)
    return market_fail (&m, NULL, error);
  rein_cli_reader_print_warnings (m.reader);
  directory = rein_cli_reader_get_directory (m.reader);
  /* Delegates that several masters claim: never offered, listed apart so
   * that nobody takes one of them for the real one. */
  contested = rein_directory_get_contested_mediators (directory);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mediators");
  json_builder_begin_array (builder);
  for (guint i = 0; i < mediators->len; i++)
    {
      mediator_to_json (builder, g_ptr_array_index (mediators, i), FALSE);
      if (!rein_cli_globals.json)
        print_mediator (directory, g_ptr_array_index (mediators, i));
    }
  json_builder_end_array (builder);
  if (mediators->len == 0 && !rein_cli_globals.json)
    rein_cli_print ("%s", _("No mediators on the servers (you cannot mediate your own jobs)."));
  json_builder_set_member_name (builder, "contested");
  json_builder_begin_array (builder);
  if (contested->len > 0 && !rein_cli_globals.json)
    rein_cli_print ("%s", _("Not offered: enrollments of several masters claim the same delegate "
                            "key, so none of them is known to be its owner:"));
  for (guint i = 0; i < contested->len; i++)
    {
      mediator_to_json (builder, g_ptr_array_index (contested, i), TRUE);
      if (!rein_cli_globals.json)
        print_mediator (directory, g_ptr_array_index (contested, i));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (rein_cli_globals.json)
    return write_json (builder);
  return REIN_CLI_EXIT_OK;
}

/* ---- The group ---- */

static const ReinCliCommand market_commands[] = {
  {
    .name = "jobs",
    .parameter_string = N_("[--all]"),
    .summary = N_("List the jobs open for bids on the servers"),
    .description = N_("Fetches job postings, bids and the offers that follow them from every\n"
                      "server and lists the jobs whose documents all check out (signatures,\n"
                      "enrollments, escrow) and that are still open for bids: an awarded job is\n"
                      "not. With --all, every such job, with its state."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_jobs,
  },
  {
    .name = "mediators",
    .summary = N_("List the mediators on the servers"),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_mediators,
  },
  {
    .name = "status",
    .parameter_string = N_("[--jobid ID]"),
    .summary = N_("Show the jobs you take part in, or one job in full"),
    .description = N_("Fetches the jobs’ documents from every server, validates them and shows\n"
                      "each job’s state, your role and what you may do now. With --jobid, also\n"
                      "the escrow addresses, the bids and every document, with the reason when\n"
                      "one does not count."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_status,
  },
  {
    .name = "post",
    .summary = N_("Post a job"),
    .description = N_("Form labels (--defaults FILE): Job name, Category, Description, Mediator\n"
                      "(the mediator’s name, master address or public key; see “rein-cli\n"
                      "mediators”). Prints the new job’s ID."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_post,
  },
  {
    .name = "bid",
    .summary = N_("Bid on a job"),
    .description = N_("Form labels (--defaults FILE): Job ID, Description, Bid amount (BTC).\n"
                      "The escrow addresses are computed from the three parties’ keys. You\n"
                      "cannot bid on your own job, nor on one you mediate."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_bid,
  },
  {
    .name = "offer",
    .summary = N_("Award your job to one of its bids"),
    .description = N_("Form labels (--defaults FILE): Job ID, Worker (the worker’s name, master\n"
                      "address or public key, or the start of the bid’s hash as “status\n"
                      "--jobid” shows it). Only the job’s creator can award it."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_offer,
  },
  {
    .name = "deliver",
    .summary = N_("Deliver the work of a job you won"),
    .description = N_("Form labels (--defaults FILE): Job ID, Deliverables."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_deliver,
  },
  {
    .name = "accept",
    .summary = N_("Accept the delivery on your job, and pay out of the escrows"),
    .description = N_("Builds both payments, the primary escrow to the worker and the mediator\n"
                      "escrow to the mediator, from what the chain backend says the escrows\n"
                      "hold (see “chain”), with the fee it estimates (--fee-target) or the rate\n"
                      "you give (--fee-rate); shows every input and output, the fee and its\n"
                      "rate, asks, signs them and publishes the accept. The worker and the\n"
                      "mediator then add their signatures and send them (“payout”).\n"
                      "With --primary-payment-file and --mediator-payment-file, payments made\n"
                      "elsewhere (PSBTs) are checked, shown and signed instead.\n"
                      "Form labels (--defaults FILE): Job ID, Sign the payments (yes)."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_accept,
  },
  {
    .name = "creatordispute",
    .summary = N_("Dispute the work on your job (job creator)"),
    .description = N_("Form labels (--defaults FILE): Job ID, Dispute detail."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_creator_dispute,
  },
  {
    .name = "workerdispute",
    .summary = N_("Dispute a job you won (worker)"),
    .description = N_("Form labels (--defaults FILE): Job ID, Dispute detail."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_worker_dispute,
  },
  {
    .name = "resolve",
    .summary = N_("Resolve a dispute on a job you mediate, and pay out of the escrows"),
    .description = N_("Say what you decided: --refund, --award or --split PERCENT (the worker's\n"
                      "share of the primary escrow). Builds both payments (the mediator escrow\n"
                      "pays your fee), shows them, asks, signs them and publishes the\n"
                      "resolution; the creator or the worker then adds the second signature\n"
                      "(“payout”). Payments made elsewhere: as for “accept”.\n"
                      "Only the job’s mediator can resolve.\n"
                      "Form labels (--defaults FILE): Job ID, Resolution, Sign the payments."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_resolve,
  },
  {
    .name = "payout",
    .summary = N_("Co-sign and send the payments of an accepted or resolved job"),
    .description = N_("For the other party of an accept or a resolution: checks each payment\n"
                      "against the job and the escrows' coins, shows it, asks, adds your\n"
                      "signature and, when it is complete, prints the transaction; with\n"
                      "--broadcast sends it through the chain backend and prints the txid.\n"
                      "Run again later to see the confirmations.\n"
                      "Form labels (--defaults FILE): Job ID, Sign the payments (yes)."),
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = MARKET_EXIT_STATUS,
    .run = run_payout,
  },
  { NULL },
};

const ReinCliCommandGroup rein_cli_market_group = {
  .title = N_("The market and your jobs:"),
  .commands = market_commands,
};
