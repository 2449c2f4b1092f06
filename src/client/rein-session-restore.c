/* rein-session-restore.c: a restored identity's enrollment, found on the servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recovery phrase gives the keys, not the name and contact: those are in
 * the identity's enrollment, which its master key signed and which sync
 * put on the servers. So before asking the user again, the servers are
 * asked for it: the "enrollments" query (our server's extension, PROTOCOL.md
 * section 6) of the master address, on mainnet and testnet. Nothing is
 * registered for this: a server where the identity has no account holds
 * none of its documents, and says so ("Account required"), which counts as
 * an answer with nothing found.
 */
#include "config.h"

#include <string.h>

#include "rein-session.h"

/* Each server: a short wait, a small answer. */
#define LOOKUP_TIMEOUT_SECONDS 10
#define LOOKUP_DEADLINE_SECONDS 20
#define LOOKUP_MAX_ANSWER (1024 * 1024)
#define LOOKUP_MAX_SERVERS 32

typedef struct
{
  gchar *phrase;     /* secure memory */
  gchar *passphrase; /* secure memory, or NULL */
  GStrv extra_urls;
  /* filled by the worker */
  GPtrArray *found;  /* of ReinDocument */
  guint asked;
  guint failed;
} Lookup;

static void
lookup_free (Lookup *l)
{
  rein_secure_free (l->phrase);
  rein_secure_free (l->passphrase);
  g_strfreev (l->extra_urls);
  g_clear_pointer (&l->found, g_ptr_array_unref);
  g_free (l);
}

/* The worker's own loop: the calls of one server's queries, all servers
 * at once. */
typedef struct
{
  GMainContext *context;
  guint pending;
  GPtrArray *answers; /* of GPtrArray of armored strings, in server order */
  gboolean *failed;   /* per server: no usable answer */
  guint n_servers;
} Round;

typedef struct
{
  Round *round;
  guint server;
  guint slot; /* into answers: server * 2 + (testnet ? 1 : 0) */
} Call;

/* A slot of a query that got no answer stays NULL. */
static void
answer_free (gpointer values)
{
  if (values != NULL)
    g_ptr_array_unref (values);
}

static void
query_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (GError) error = NULL;
  GPtrArray *values = rein_client_query_finish (REIN_CLIENT (source), result, &error);

  if (values != NULL)
    g_ptr_array_index (call->round->answers, call->slot) = values;
  /* An answer that refuses (no account here: nothing of ours) still
   * answered; silence or garbage did not. */
  else if (!g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED))
    {
      g_debug ("Looking for an enrollment: %s", error->message);
      call->round->failed[call->server] = TRUE;
    }
  call->round->pending--;
  g_main_context_wakeup (call->round->context);
  g_free (call);
}

/* The servers listed in the store, then @extra (the suggested ones), each
 * once. */
static GPtrArray *
lookup_urls (ReinStore *store, const gchar *const *extra)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) listed = rein_store_list_servers (store, NULL, &error);
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);

  if (error != NULL)
    g_debug ("Looking for an enrollment: %s", error->message);
  for (guint pass = 0; pass < 2; pass++)
    {
      const gchar *const *list = pass == 0 ? (const gchar *const *) listed : extra;

      for (guint i = 0; list != NULL && list[i] != NULL && urls->len < LOOKUP_MAX_SERVERS; i++)
        {
          g_autofree gchar *url = rein_server_url_normalize (list[i]);
          gboolean seen = FALSE;

          if (url == NULL || *url == '\0')
            continue;
          for (guint j = 0; j < urls->len && !seen; j++)
            seen = strcmp (urls->pdata[j], url) == 0;
          if (!seen)
            g_ptr_array_add (urls, g_steal_pointer (&url));
        }
    }
  return urls;
}

/* @armored is this identity's enrollment: signed by its master key, naming
 * that master and its delegate. */
static ReinDocument *
check_enrollment (const gchar *armored, const gchar *master, const gchar *delegate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) document = rein_document_new_from_armored (armored, -1, &error);

  if (document == NULL
      || rein_document_get_document_type (document) != REIN_DOCUMENT_TYPE_ENROLLMENT
      || !rein_same_key (rein_document_get_signer (document), master)
      || !rein_same_key (rein_document_get_field (document, REIN_LABEL_MASTER_ADDRESS), master)
      || !rein_same_key (rein_document_get_field (document, REIN_LABEL_DELEGATE_ADDRESS),
                         delegate)
      || !rein_document_verify (document, &error))
    return NULL;
  return g_steal_pointer (&document);
}

static void
lookup_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinSession *self = source;
  Lookup *l = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (GPtrArray) urls = NULL;
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gchar *master_address = NULL;
  g_autofree gchar *testnet_master = NULL;
  g_autofree gchar *delegate_address = NULL;
  Round round = { 0 };

  if (!rein_identity_keys_from_mnemonic (l->phrase, l->passphrase, &master, &delegate, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Only the public parts are needed from here on. */
  master_address = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  testnet_master = rein_private_key_get_address (master, REIN_NETWORK_TESTNET);
  delegate_address = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_clear_pointer (&master, rein_private_key_free);
  g_clear_pointer (&delegate, rein_private_key_free);

  urls = lookup_urls (rein_session_get_store (self), (const gchar *const *) l->extra_urls);
  l->found = g_ptr_array_new_with_free_func (g_object_unref);
  l->asked = urls->len;
  if (urls->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  round.context = g_main_context_new ();
  round.n_servers = urls->len;
  round.failed = g_new0 (gboolean, urls->len);
  round.answers = g_ptr_array_new_full (urls->len * 2, answer_free);
  g_ptr_array_set_size (round.answers, urls->len * 2);
  g_main_context_push_thread_default (round.context);
  for (guint i = 0; i < urls->len; i++)
    {
      g_autoptr (GError) client_error = NULL;
      ReinClient *client = rein_client_new (urls->pdata[i], &client_error);

      if (client == NULL)
        {
          round.failed[i] = TRUE;
          continue;
        }
      rein_client_set_timeout (client, LOOKUP_TIMEOUT_SECONDS);
      rein_client_set_deadline (client, LOOKUP_DEADLINE_SECONDS);
      rein_client_set_max_answer (client, LOOKUP_MAX_ANSWER);
      g_ptr_array_add (clients, client);
      for (guint net = 0; net < 2; net++)
        {
          const gchar *owner = net == 0 ? master_address : testnet_master;
          const gchar *params[] = { "addresses", owner, NULL };
          Call *call = g_new0 (Call, 1);

          call->round = &round;
          call->server = i;
          call->slot = i * 2 + net;
          round.pending++;
          rein_client_query_async (client, owner, "enrollments", net == 1, params, cancellable,
                                   query_done_cb, call);
        }
    }
  while (round.pending > 0)
    g_main_context_iteration (round.context, TRUE);
  /* the clients' sessions belong to this context: gone before it */
  g_ptr_array_set_size (clients, 0);
  while (g_main_context_pending (round.context))
    g_main_context_iteration (round.context, FALSE);
  g_main_context_pop_thread_default (round.context);

  /* Servers answer oldest first: the newest of each is its last. Kept
   * newest first, each text once. */
  for (guint slot = 0; slot < round.answers->len; slot++)
    {
      GPtrArray *values = g_ptr_array_index (round.answers, slot);

      for (guint j = 0; values != NULL && j < values->len; j++)
        {
          const gchar *armored = values->pdata[values->len - 1 - j];
          ReinDocument *document;

          if (g_hash_table_contains (seen, armored))
            continue;
          document = check_enrollment (armored, master_address, delegate_address);
          if (document == NULL)
            continue;
          g_hash_table_add (seen, (gpointer) armored);
          g_ptr_array_add (l->found, document);
        }
    }
  for (guint i = 0; i < urls->len; i++)
    l->failed += round.failed[i];

  g_ptr_array_unref (round.answers);
  g_free (round.failed);
  g_main_context_unref (round.context);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
rein_session_find_enrollments_async (ReinSession *self,
                                     const gchar *phrase,
                                     const gchar *passphrase,
                                     const gchar *const *extra_urls,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Lookup *l;

  g_return_if_fail (REIN_IS_SESSION (self));
  g_return_if_fail (phrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_session_find_enrollments_async);
  l = g_new0 (Lookup, 1);
  l->phrase = rein_secure_strdup (phrase);
  l->passphrase = passphrase != NULL && *passphrase != '\0' ? rein_secure_strdup (passphrase)
                                                              : NULL;
  l->extra_urls = g_strdupv ((gchar **) extra_urls);
  g_task_set_task_data (task, l, (GDestroyNotify) lookup_free);
  g_task_run_in_thread (task, lookup_thread);
}

GPtrArray *
rein_session_find_enrollments_finish (ReinSession *self,
                                      GAsyncResult *result,
                                      guint *out_asked,
                                      guint *out_failed,
                                      GError **error)
{
  Lookup *l;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  l = g_task_get_task_data (G_TASK (result));
  if (out_asked != NULL)
    *out_asked = l->asked;
  if (out_failed != NULL)
    *out_failed = l->failed;
  return g_ptr_array_ref (l->found);
}

gboolean
rein_enrollment_to_params (ReinDocument *enrollment, ReinIdentityParams *params)
{
  const gchar *fee;

  g_return_val_if_fail (REIN_IS_DOCUMENT (enrollment), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  params->name = rein_document_get_field (enrollment, REIN_LABEL_USER);
  params->contact = rein_document_get_field (enrollment, REIN_LABEL_CONTACT);
  if (params->name == NULL || params->contact == NULL)
    return FALSE;
  params->will_mediate = g_strcmp0 (rein_document_get_field (enrollment,
                                                             REIN_LABEL_WILLING_TO_MEDIATE),
                                    "True") == 0;
  params->testnet = g_strcmp0 (rein_document_get_field (enrollment, REIN_LABEL_TESTNET),
                               "True") == 0;
  fee = rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_FEE);
  params->mediator_fee_percent = fee != NULL ? g_ascii_strtod (fee, NULL) : 1.0;
  if (!(params->mediator_fee_percent >= 0 && params->mediator_fee_percent <= 100))
    params->mediator_fee_percent = 1.0;
  return TRUE;
}
