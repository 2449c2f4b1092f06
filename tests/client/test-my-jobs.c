/* test-my-jobs.c: My Jobs' service (rein-my-jobs.h) against a real
 * rein-server: a creator, a worker and a mediator, each with a data
 * folder of their own, see the same job from their role, with what it
 * waits for, whether it needs them, and what is new
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "client-test-util.h"
#include "rein-test-util.h"

typedef struct
{
  TestServer *server;
  Person mia;   /* mediator */
  Person carol; /* creator */
  Person walt;  /* worker */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = test_server_start (NULL, NULL);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  test_server_stop (f->server);
  test_server_free (f->server);
}

static void
attention_cb (ReinMyJobs *service, ReinMyJob *job, gint event, gpointer user_data)
{
  GArray *events = user_data;

  g_array_append_val (events, event);
}

/* @p's jobs after a market refresh and a refresh of My Jobs; the events
 * it raised in @events (cleared first). */
static GListModel *
my_jobs_of (Person *p, GArray *events)
{
  ReinMyJobs *service = rein_context_get_my_jobs (p->context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gulong handler;

  refresh (market_of (p));
  g_array_set_size (events, 0);
  handler = g_signal_connect (service, "attention", G_CALLBACK (attention_cb), events);
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  g_assert_true (rein_my_jobs_get_refreshing (service));
  wait_for (&result);
  g_assert_true (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_no_error (error);
  g_assert_false (rein_my_jobs_get_refreshing (service));
  g_signal_handler_disconnect (service, handler);
  return rein_my_jobs_get_jobs (service);
}

/* The one job @p has; checks its role, state, whether it needs @p and
 * its waiting text. */
static ReinMyJob *
assert_one (GListModel *jobs, const gchar *job_id, ReinRole role, ReinJobState state,
            gboolean needs_me, const gchar *waiting)
{
  ReinMyJob *job;
  ReinRole bound_role;
  gboolean bound_needs;

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  job = g_list_model_get_item (jobs, 0);
  g_assert_cmpstr (rein_my_job_get_job_id (job), ==, job_id);
  g_assert_cmpstr (rein_my_job_get_name (job), ==, "Logo for a bakery");
  g_assert_cmpint (rein_my_job_get_role (job), ==, role);
  g_assert_cmpint (rein_my_job_get_state (job), ==, state);
  g_assert_cmpint (rein_my_job_get_needs_me (job), ==, needs_me);
  g_assert_cmpstr (rein_my_job_get_waiting_text (job), ==, waiting);
  /* what views bind to */
  g_object_get (job, "role", &bound_role, "needs-me", &bound_needs, NULL);
  g_assert_cmpint (bound_role, ==, role);
  g_assert_cmpint (bound_needs, ==, needs_me);
  return job;
}

static void
assert_events (GArray *events, gint expected /* -1: none */)
{
  if (expected < 0)
    {
      g_assert_cmpuint (events->len, ==, 0);
      return;
    }
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (g_array_index (events, gint, 0), ==, expected);
}

static void
step (Person *p, ReinJob *job, gchar *text /* owned */)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;

  g_assert_nonnull (text);
  done = publish (p, job, text, &error);
  g_assert_no_error (error);
  g_free (text);
}

static void
test_three_roles (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design",
                                     "A round logo.");
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinJob) job = NULL;
  GListModel *jobs;

  /* posted: nobody's turn but the bidders' */
  jobs = my_jobs_of (&f->carol, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_CREATOR, REIN_JOB_STATE_POSTED, FALSE,
                              "waiting for bids"));
  assert_events (events, -1);
  jobs = my_jobs_of (&f->mia, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_MEDIATOR, REIN_JOB_STATE_POSTED, FALSE,
                              "waiting for bids"));
  /* Walt has no part in it yet */
  jobs = my_jobs_of (&f->walt, events);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 0);

  /* Walt bids: Carol's turn, and she is told */
  place_bid (&f->walt, job_id, "0.05");
  jobs = my_jobs_of (&f->walt, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_WORKER, REIN_JOB_STATE_BIDS, FALSE,
                              "waiting for Carol to award a bid"));
  jobs = my_jobs_of (&f->carol, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_CREATOR, REIN_JOB_STATE_BIDS, TRUE,
                              "waiting for you to award a bid"));
  assert_events (events, REIN_MY_JOB_EVENT_BID);
  /* nothing new, nothing said */
  jobs = my_jobs_of (&f->carol, events);
  assert_events (events, -1);

  /* Carol awards it: Walt's turn */
  job = load_job (&f->carol, job_id);
  step (&f->carol, job,
        rein_document_build_offer (g_ptr_array_index (rein_job_get_bids (job), 0),
                                   REIN_NETWORK_MAINNET, &error));
  g_clear_object (&job);
  jobs = my_jobs_of (&f->walt, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_WORKER, REIN_JOB_STATE_AWARDED, TRUE,
                              "waiting for you to deliver"));
  assert_events (events, REIN_MY_JOB_EVENT_AWARDED);
  jobs = my_jobs_of (&f->carol, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_CREATOR, REIN_JOB_STATE_AWARDED, FALSE,
                              "waiting for Walt to deliver"));
  assert_events (events, -1);

  /* Carol disputes: the mediator's turn, and she is told */
  job = load_job (&f->carol, job_id);
  step (&f->carol, job,
        rein_document_build_dispute (rein_job_get_offer (job), REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
                                     "Nothing after three weeks.", &error));
  g_clear_object (&job);
  jobs = my_jobs_of (&f->mia, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_MEDIATOR, REIN_JOB_STATE_CREATOR_DISPUTE,
                              TRUE, "waiting for you to resolve the dispute"));
  assert_events (events, REIN_MY_JOB_EVENT_DISPUTED);
  jobs = my_jobs_of (&f->walt, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_WORKER, REIN_JOB_STATE_CREATOR_DISPUTE,
                              FALSE, "waiting for Mia to resolve the dispute"));
  assert_events (events, REIN_MY_JOB_EVENT_DISPUTED);
  /* told once */
  jobs = my_jobs_of (&f->mia, events);
  assert_events (events, -1);
  jobs = my_jobs_of (&f->walt, events);
  assert_events (events, -1);

  /* Walt disputes too: Carol and Mia are told, once */
  job = load_job (&f->walt, job_id);
  step (&f->walt, job,
        rein_document_build_dispute (rein_job_get_offer (job), REIN_DOCUMENT_TYPE_WORKER_DISPUTE, "I sent it twice.",
                                     &error));
  g_clear_object (&job);
  jobs = my_jobs_of (&f->carol, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_CREATOR, REIN_JOB_STATE_WORKER_DISPUTE,
                              FALSE, "waiting for Mia to resolve the dispute"));
  assert_events (events, REIN_MY_JOB_EVENT_DISPUTED);
  jobs = my_jobs_of (&f->carol, events);
  assert_events (events, -1);
  jobs = my_jobs_of (&f->mia, events);
  assert_events (events, REIN_MY_JOB_EVENT_DISPUTED);
  jobs = my_jobs_of (&f->mia, events);
  assert_events (events, -1);
  jobs = my_jobs_of (&f->walt, events);
  assert_events (events, -1); /* his own */

  /* the orders were recorded: a new run starts from them, and says
   * nothing about what was seen before */
  {
    g_autoptr (ReinContext) again = rein_context_new (f->mia.store);
    Person later = f->mia;

    later.context = again;
    jobs = my_jobs_of (&later, events);
    g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
    assert_events (events, -1);
  }
}

/* Walt delivers: Carol is told, once. (Accepting and resolving take
 * payments from funded escrows: the job page's tests check that those
 * are told once.) */
static void
test_delivery (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinJob) job = award_job (&f->carol, &f->walt, &f->mia, "Logo for a bakery", "0.05");
  g_autofree gchar *job_id = g_strdup (rein_job_get_id (job));
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr (GError) error = NULL;
  GListModel *jobs;

  /* what each was told so far */
  my_jobs_of (&f->carol, events);
  my_jobs_of (&f->walt, events);

  step (&f->walt, job,
        rein_document_build_delivery (rein_job_get_offer (job), "logo.svg\nlogo.png", &error));
  g_clear_object (&job);
  jobs = my_jobs_of (&f->carol, events);
  g_object_unref (assert_one (jobs, job_id, REIN_ROLE_CREATOR, REIN_JOB_STATE_DELIVERED, TRUE,
                              "waiting for you to accept or dispute the delivery"));
  assert_events (events, REIN_MY_JOB_EVENT_DELIVERED);
  jobs = my_jobs_of (&f->carol, events);
  assert_events (events, -1);
  jobs = my_jobs_of (&f->walt, events);
  assert_events (events, -1); /* his own */

  jobs = my_jobs_of (&f->mia, events);
  assert_events (events, -1); /* nothing for the mediator to do */
}

/* A second bid that comes while the app is closed is told at the next
 * start: what was told lives in the store, not only in memory. */
static void
test_bids_seen_kept (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design",
                                     "A round logo.");
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  Person xena = { 0 };

  my_jobs_of (&f->carol, events);
  place_bid (&f->walt, job_id, "0.05");
  my_jobs_of (&f->carol, events);
  assert_events (events, REIN_MY_JOB_EVENT_BID);

  /* the app closes; Xena bids; it starts again */
  person_init (&xena, f->server, "Xena", FALSE);
  place_bid (&xena, job_id, "0.04");
  person_clear (&xena);
  {
    g_autoptr (ReinContext) again = rein_context_new (f->carol.store);
    Person later = f->carol;

    later.context = again;
    my_jobs_of (&later, events);
    assert_events (events, REIN_MY_JOB_EVENT_BID);
    my_jobs_of (&later, events);
    assert_events (events, -1);
  }
}

typedef struct
{
  ReinStore *store;
  gint64 identity_id;
  const gchar *job_id;
} SeenWait;

/* The order of @w's job is recorded as told in the "bids" state. */
static gboolean
recorded_bids (SeenWait *w)
{
  g_autoptr (GPtrArray) orders = rein_store_list_orders (w->store, w->identity_id, NULL);

  for (guint i = 0; orders != NULL && i < orders->len; i++)
    {
      ReinStoredOrder *o = g_ptr_array_index (orders, i);

      if (g_str_equal (o->job_id, w->job_id))
        return g_str_has_prefix (o->seen_state != NULL ? o->seen_state : "", "bids");
    }
  return FALSE;
}

/* A refresh cancelled (by the next one) once it has recorded the bid as
 * told still tells it; the next one does not tell it again. */
/* Starts a refresh of @service and runs the main loop one dispatch at a
 * time until its worker has recorded the bid as told (@w), before the
 * refresh is heard back (*@first stays NULL). */
static void
refresh_until_recorded (ReinMyJobs *service, SeenWait *w, GAsyncResult **first)
{
  gboolean caught = FALSE;

  rein_my_jobs_refresh_async (service, NULL, wait_cb, first);
  /* after each dispatch, a moment for a worker to record (the main loop,
   * which would hear back from it, does not run) */
  while (*first == NULL && !caught)
    {
      g_main_context_iteration (NULL, TRUE);
      for (guint i = 0; i < 50 && !caught; i++)
        {
          caught = recorded_bids (w);
          if (!caught)
            g_usleep (1000);
        }
    }
  g_assert_true (caught);
  g_assert_null (*first);
}

/* Carol's job with Walt's bid, and a refresh of Carol's My Jobs that has
 * recorded the bid as told and is not yet heard back (*@first NULL); from
 * then on her "attention" events go to @events (*@handler). Returns the
 * job's ID. */
static gchar *
refresh_recorded_bid (Fixture *f, GArray *events, GAsyncResult **first, gulong *handler)
{
  gchar *job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design", "A round logo.");
  ReinMyJobs *service = rein_context_get_my_jobs (f->carol.context);
  SeenWait w = { f->carol.store, rein_identity_get_id (f->carol.identity), job_id };

  my_jobs_of (&f->carol, events);
  place_bid (&f->walt, job_id, "0.05");
  refresh (market_of (&f->carol));
  g_array_set_size (events, 0);
  *handler = g_signal_connect (service, "attention", G_CALLBACK (attention_cb), events);
  refresh_until_recorded (service, &w, first);
  return job_id;
}

/* A refresh that recorded an event, cancelled by a switch of identity
 * before it is heard back, does not tell the event: the window now shows
 * another identity, which would tell it as its own. */
static void
test_switched_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  ReinMyJobs *service = rein_context_get_my_jobs (f->carol.context);
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GError) error = NULL;
  gulong handler;
  g_autofree gchar *job_id = refresh_recorded_bid (f, events, &first, &handler);

  rein_my_jobs_set_identity (service, NULL);
  wait_for (&first);
  g_assert_false (rein_my_jobs_refresh_finish (service, first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_signal_handler_disconnect (service, handler);
  g_assert_cmpuint (events->len, ==, 0);
}

static void
test_cancelled_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  ReinMyJobs *service = rein_context_get_my_jobs (f->carol.context);
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  gulong handler;
  g_autofree gchar *job_id = refresh_recorded_bid (f, events, &first, &handler);

  /* recorded as told, not yet heard back: a newer refresh cancels it */
  g_assert_cmpuint (events->len, ==, 0);
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &second);
  wait_for (&first);
  g_assert_false (rein_my_jobs_refresh_finish (service, first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  wait_for (&second);
  g_assert_true (rein_my_jobs_refresh_finish (service, second, &error));
  g_assert_no_error (error);
  g_signal_handler_disconnect (service, handler);
  /* told once, by the refresh that recorded it */
  assert_events (events, REIN_MY_JOB_EVENT_BID);
  g_object_unref (assert_one (rein_my_jobs_get_jobs (service), job_id, REIN_ROLE_CREATOR,
                              REIN_JOB_STATE_BIDS, TRUE, "waiting for you to award a bid"));
}

static void
count_step (const gchar *step, gpointer user_data)
{
  /* the hook is the process's: set, then its data, one after the other */
  if (user_data != NULL && g_str_equal (step, "check_page_step"))
    g_atomic_int_inc ((gint *) user_data);
}

/* My Jobs reads all of an identity's jobs in one read of the market
 * service (a page of "by_job_id" a server for a few hundred jobs), not a
 * read a job: an identity with hundreds of jobs made hundreds of round
 * trips to every server, one after the other. */
static void
test_one_read (Fixture *f, gconstpointer data)
{
  ReinMyJobs *service = rein_context_get_my_jobs (f->carol.context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gint pages = 0;

  for (guint i = 0; i < 6; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("Shelf number %u", i);

      g_ptr_array_add (ids, post_job (&f->carol, &f->mia, name, "Carpentry", "Oak, oiled."));
    }
  refresh (market_of (&f->carol));
  rein_market_reader_set_step_hook (count_step, &pages);
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  rein_market_reader_set_step_hook (NULL, NULL);
  g_assert_true (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_no_error (error);
  /* one page of answers checked, where a read a job made six */
  g_assert_cmpint (g_atomic_int_get (&pages), ==, 1);

  /* An order named by something that is no job ID fails alone: the six
   * are read as before. */
  g_assert_true (rein_store_set_order (f->carol.store, "not a job id!",
                                       rein_identity_get_id (f->carol.identity), "creator",
                                       "posted", &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_nonnull (strstr (error->message, "1 job could not be read"));
  g_assert_nonnull (strstr (error->message, "not a job id!"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_my_jobs_get_jobs (service)), ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (rein_my_jobs_get_jobs (service)), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (rein_my_jobs_get_jobs (service), i);
      guint index;

      g_assert_true (g_ptr_array_find_with_equal_func (ids, rein_my_job_get_job_id (job),
                                                       g_str_equal, &index));
      g_assert_cmpint (rein_my_job_get_role (job), ==, REIN_ROLE_CREATOR);
      g_assert_cmpint (rein_my_job_get_state (job), ==, REIN_JOB_STATE_POSTED);
      g_ptr_array_remove_index (ids, index);
    }
  g_assert_cmpuint (ids->len, ==, 0);
}

/* Switching identity empties the list; a refresh without one fails. */
static void
test_no_identity (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMyJobs) service = rein_my_jobs_new (f->carol.store,
                                                     rein_context_get_market (f->carol.context));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (rein_my_jobs_get_jobs (service)), ==, 0);
}

/* A job posted while no server takes it is marked as on no server yet;
 * one a server took is not. With every server out of reach, My Jobs
 * shows both as the store has them, and says so. */
static void
test_unsent (Fixture *f, gconstpointer data)
{
  g_autofree gchar *sent_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design",
                                        "A round logo.");
  g_autofree gchar *unsent_id = NULL;
  g_autofree gchar *text = post_job_text (&f->carol, &f->mia, "Menu cards", "Design",
                                          "Two cards.", &unsent_id);
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (gint));
  ReinMyJobs *service = rein_context_get_my_jobs (f->carol.context);
  g_autoptr (ReinPublication) done = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GListModel *jobs;
  guint seen = 0;

  /* online: the one job, sent */
  jobs = my_jobs_of (&f->carol, events);
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  {
    g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, 0);
    gboolean bound = TRUE;

    g_assert_false (rein_my_job_get_unsent (job));
    g_object_get (job, "unsent", &bound, NULL);
    g_assert_false (bound);
  }

  test_server_stop (f->server);
  done = publish (&f->carol, NULL, text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (done->n_servers_ok, ==, 0);
  /* the app started again, offline: nothing in the model to keep */
  g_clear_object (&f->carol.context);
  f->carol.context = rein_context_new (f->carol.store);
  service = rein_context_get_my_jobs (f->carol.context);
  while (!rein_market_service_get_loaded (market_of (&f->carol)))
    g_main_context_iteration (NULL, TRUE);
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_false (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (error->message, "No server sent your jobs: they are shown "
                                                   "as this computer last had them ("));
  jobs = rein_my_jobs_get_jobs (service);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, i);
      gboolean unsent = g_str_equal (rein_my_job_get_job_id (job), unsent_id);

      g_assert_true (unsent || g_str_equal (rein_my_job_get_job_id (job), sent_id));
      g_assert_cmpint (rein_my_job_get_unsent (job), ==, unsent);
      g_assert_cmpint (rein_my_job_get_role (job), ==, REIN_ROLE_CREATOR);
      g_assert_cmpint (rein_my_job_get_state (job), ==, REIN_JOB_STATE_POSTED);
      seen++;
    }
  g_assert_cmpuint (seen, ==, 2);
  /* a bid is not made on what this computer has: the servers are asked */
  g_clear_error (&error);
  g_clear_object (&result);
  rein_market_service_load_job_async (market_of (&f->carol), sent_id, NULL, NULL, wait_cb,
                                      &result);
  wait_for (&result);
  g_assert_null (rein_market_service_load_job_finish (market_of (&f->carol), result, &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add ("/client/my-jobs/three-roles", Fixture, NULL, fixture_setup, test_three_roles,
              fixture_teardown);
  g_test_add ("/client/my-jobs/delivery", Fixture, NULL, fixture_setup, test_delivery,
              fixture_teardown);
  g_test_add ("/client/my-jobs/bids-seen-kept", Fixture, NULL, fixture_setup,
              test_bids_seen_kept, fixture_teardown);
  g_test_add ("/client/my-jobs/switched-refresh", Fixture, NULL, fixture_setup,
              test_switched_refresh, fixture_teardown);
  g_test_add ("/client/my-jobs/cancelled-refresh", Fixture, NULL, fixture_setup,
              test_cancelled_refresh, fixture_teardown);
  g_test_add ("/client/my-jobs/one-read", Fixture, NULL, fixture_setup, test_one_read,
              fixture_teardown);
  g_test_add ("/client/my-jobs/unsent", Fixture, NULL, fixture_setup, test_unsent,
              fixture_teardown);
  g_test_add ("/client/my-jobs/no-identity", Fixture, NULL, fixture_setup, test_no_identity,
              fixture_teardown);
  return g_test_run ();
}
