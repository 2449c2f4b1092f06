/* client-test-util.c: people with a data folder of their own, on a real
 * rein-server, for the client and app suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "client-test-util.h"
#include "rein-test-util.h"


/* Runs the default main context until *@slot is set. */
void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Puts @p's documents on its first server, which must take them all. */
static void
sync_person (Person *p)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinSync) sync = rein_sync_new (p->store);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) synced = NULL;

  rein_sync_run_async (sync, p->identity, p->key, NULL, wait_cb, &result);
  wait_for (&result);
  synced = rein_sync_run_finish (sync, result, &error);
  g_assert_no_error (error);
  g_assert_null (((ReinSyncResult *) g_ptr_array_index (synced, 0))->error);
}

void
put_unchecked (Person *p, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) doc = rein_document_sign (
      text, NULL, p->key,
      rein_identity_get_testnet (p->identity) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET,
      &error);

  g_assert_no_error (error);
  g_assert_cmpint (rein_store_add_document (p->store, doc, rein_identity_get_id (p->identity), 0,
                                            &error), >, 0);
  g_assert_no_error (error);
  sync_person (p);
}

void
person_init (Person *p, TestServer *server, const gchar *name, gboolean mediator)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", name);
  ReinIdentityParams params = { .name = name, .contact = contact, .will_mediate = mediator,
                                .mediator_fee_percent = 1.5 };
  gchar *phrase = rein_bip39_generate (128);

  p->dir = g_dir_make_tmp ("rein-services-XXXXXX", &error);
  g_assert_no_error (error);
  p->store = rein_store_open (p->dir, &error);
  g_assert_no_error (error);
  p->identity = rein_store_add_identity_from_mnemonic (p->store, &params, phrase, NULL, "pw",
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
  g_assert_true (rein_store_set_active_identity (p->store, p->identity, &error));
  p->key = rein_store_unlock_delegate_key (p->store, p->identity, "pw", &error);
  g_assert_no_error (error);
  rein_store_add_server (p->store, server->url, &error);
  g_assert_no_error (error);

  /* The enrollment goes to the server (the sync registers us). */
  sync_person (p);
  p->context = rein_context_new (p->store);
}

void
person_clear (Person *p)
{
  g_clear_object (&p->context);
  g_clear_object (&p->identity);
  g_clear_pointer (&p->key, rein_private_key_free);
  g_clear_object (&p->store);
  rein_test_remove_tree (p->dir);
  g_free (p->dir);
}

/* The market of @p, once the session has chosen the identity and the
 * index is read. */
ReinMarketService *
market_of (Person *p)
{
  ReinMarketService *market = rein_context_get_market (p->context);
  ReinSession *session = rein_context_get_session (p->context);

  while (!rein_session_get_loaded (session) || !rein_market_service_get_loaded (market))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (rein_market_service_get_identity (market));
  g_assert_cmpstr (rein_identity_get_name (rein_market_service_get_identity (market)), ==,
                   rein_identity_get_name (p->identity));
  return market;
}

void
refresh (ReinMarketService *market)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_market_service_refresh_async (market, NULL, wait_cb, &result);
  g_assert_true (rein_market_service_get_refreshing (market));
  wait_for (&result);
  g_assert_true (rein_market_service_refresh_finish (market, result, &error));
  g_assert_no_error (error);
  g_assert_false (rein_market_service_get_refreshing (market));
  g_assert_null (rein_market_service_get_error (market));
}

ReinPublication *
publish (Person *p, ReinJob *job, const gchar *text, GError **error)
{
  ReinMarketService *market = rein_context_get_market (p->context);
  g_autoptr (GAsyncResult) result = NULL;

  rein_publisher_publish_async (rein_context_get_publisher (p->context), p->identity, p->key, job,
                                rein_market_service_get_directory (market), text, TRUE, NULL,
                                wait_cb, &result);
  wait_for (&result);
  return rein_publisher_publish_finish (rein_context_get_publisher (p->context), result, error);
}

ReinJob *
load_job (Person *p, const gchar *job_id)
{
  ReinMarketService *market = market_of (p);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  ReinJob *job;

  rein_market_service_load_job_async (market, job_id, NULL, NULL, wait_cb, &result);
  wait_for (&result);
  job = rein_market_service_load_job_finish (market, result, &error);
  g_assert_no_error (error);
  return job;
}

void
place_bid (Person *worker, const gchar *job_id, const gchar *amount)
{
  g_autoptr (ReinJob) job = load_job (worker, job_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;
  g_autofree gchar *text = NULL;
  ReinBidParams params = {
    .worker = rein_identity_get_name (worker->identity),
    .worker_contact = rein_identity_get_contact (worker->identity),
    .worker_master_address = rein_identity_get_master_address (worker->identity),
    .worker_public_key = rein_identity_get_delegate_public_key (worker->identity),
    .description = "Two drafts by Friday.",
    .bid_amount = amount,
  };

  text = rein_document_build_bid (rein_job_get_posting (job), &params, REIN_NETWORK_MAINNET,
                                  &error);
  g_assert_no_error (error);
  done = publish (worker, job, text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (done->state, ==, REIN_JOB_STATE_BIDS);
}

gchar *
post_job_text (Person *creator, Person *mediator, const gchar *name, const gchar *category,
               const gchar *description, gchar **out_job_id)
{
  ReinMarketService *market = market_of (creator);
  GListModel *mediators;
  g_autoptr (ReinDocument) mia = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job_id = rein_job_id_generate ();
  gchar *text;
  ReinJobParams params = { 0 };

  refresh (market);
  mediators = rein_market_service_get_mediators (market);
  for (guint i = 0; mia == NULL && i < g_list_model_get_n_items (mediators); i++)
    {
      g_autoptr (ReinDocument) e = g_list_model_get_item (mediators, i);

      if (rein_same_key (rein_document_get_field (e, REIN_LABEL_MEDIATOR_PUBLIC_KEY),
                         rein_identity_get_delegate_public_key (mediator->identity)))
        mia = g_steal_pointer (&e);
    }
  g_assert_nonnull (mia);

  params.job_id = job_id;
  params.job_name = name;
  params.category = category;
  params.description = description;
  params.creator = rein_identity_get_name (creator->identity);
  params.creator_contact = rein_identity_get_contact (creator->identity);
  params.creator_public_key = rein_identity_get_delegate_public_key (creator->identity);
  params.creator_master_address = rein_identity_get_master_address (creator->identity);
  g_assert_true (rein_job_params_set_mediator (&params, mia, &error));
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  *out_job_id = g_steal_pointer (&job_id);
  return text;
}

gchar *
post_job (Person *creator, Person *mediator, const gchar *name, const gchar *category,
          const gchar *description)
{
  g_autofree gchar *job_id = NULL;
  g_autofree gchar *text = post_job_text (creator, mediator, name, category, description,
                                          &job_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = publish (creator, NULL, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (done);
  g_assert_cmpstr (done->job_id, ==, job_id);
  g_assert_cmpint (done->state, ==, REIN_JOB_STATE_POSTED);
  g_assert_cmpint (done->role, ==, REIN_ROLE_CREATOR);
  g_assert_true (done->pushed);
  g_assert_cmpuint (done->n_servers_ok, ==, 1);
  g_assert_null (done->sync_error);
  return g_steal_pointer (&job_id);
}


gchar *
put_forged_posting (TestServer *server, Person *creator, Person *mediator, const gchar *name)
{
  Identity *mallory = identity_new ("Mallory");
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autofree gchar *text = g_strdup_printf (
      "Rein Job\nJob name: %s\nJob ID: %s\nCategory: Design\nDescription: x\n"
      "Mediator: %s\nMediator contact: %s\nMediator fee: 1.5%%\n"
      "Mediator public key: %s\nMediator master address: %s\nJob creator: %s\n"
      "Job creator contact: %s\nJob creator public key: %s\n"
      "Job creator master address: %s",
      name, job_id, rein_identity_get_name (mediator->identity),
      rein_identity_get_contact (mediator->identity),
      rein_identity_get_delegate_public_key (mediator->identity),
      rein_identity_get_master_address (mediator->identity),
      rein_identity_get_name (creator->identity), rein_identity_get_contact (creator->identity),
      rein_identity_get_delegate_public_key (creator->identity),
      rein_identity_get_master_address (creator->identity));
  g_autofree gchar *key = random_key ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) doc = NULL;
  g_autoptr (Answer) put = NULL;

  identity_register (mallory, server);
  doc = rein_document_sign (text, NULL, mallory->delegate, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  put = identity_put (mallory, server, key, rein_document_get_armored (doc), FALSE);
  g_assert_cmpuint (put->status, ==, 201);
  identity_free (mallory);
  return g_steal_pointer (&job_id);
}

ReinJob *
award_job (Person *creator, Person *worker, Person *mediator, const gchar *name,
           const gchar *amount)
{
  g_autofree gchar *job_id = post_job (creator, mediator, name, "Design", "A round logo.");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;
  g_autofree gchar *offer = NULL;

  place_bid (worker, job_id, amount);
  job = load_job (creator, job_id);
  g_assert_cmpuint (rein_job_get_bids (job)->len, ==, 1);
  offer = rein_document_build_offer (g_ptr_array_index (rein_job_get_bids (job), 0),
                                     REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  done = publish (creator, job, offer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (done->state, ==, REIN_JOB_STATE_AWARDED);
  g_clear_object (&job);
  job = load_job (creator, job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);
  return g_steal_pointer (&job);
}
