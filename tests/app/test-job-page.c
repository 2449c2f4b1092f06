/* test-job-page.c: the job page of My Jobs against a real rein-server
 *
 * A creator (Carol), a worker (Walt) and a mediator (Mia), each with a
 * data folder of their own, take jobs through the order flow in the app:
 * the job posted and bid on through the Market's dialogs, then each step
 * taken on the job page (a step dialog: form, the exact
 * document, password, publish), and each role's page is read after every
 * step: the state, whom it waits for, the steps offered (and only those),
 * the bids, the timeline. Forged steps put on the server by someone with a
 * valid enrollment never move the job and show in its timeline as not
 * counting, with the reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "app-test-util.h"
#include "chain-fixture.h"
#include "client-test-util.h"
#include "payout-test-util.h"
#include "rein-application.h"
#include "rein-bid-dialog.h"
#include "rein-post-dialog.h"
#include "rein-preferences.h"
#include "rein-settings.h"
#include "rein-step-dialog.h"
#include "rein-window.h"

typedef struct
{
  TestServer *server;
  TestChain *chain;
  Person mia;     /* mediator */
  Person carol;   /* creator */
  Person walt;    /* worker */
  Person mallory; /* enrolled, takes no part */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = test_server_start (NULL, NULL);
  f->chain = test_chain_start ("mainnet");
  /* every data folder's chain backend */
  g_setenv ("REIN_CHAIN_URL", f->chain->url, TRUE);
  person_init (&f->mia, f->server, "Mia", TRUE);
  person_init (&f->carol, f->server, "Carol", FALSE);
  person_init (&f->walt, f->server, "Walt", FALSE);
  person_init (&f->mallory, f->server, "Mallory", FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->mia);
  person_clear (&f->carol);
  person_clear (&f->walt);
  person_clear (&f->mallory);
  test_server_stop (f->server);
  test_server_free (f->server);
  test_chain_stop (f->chain);
  g_unsetenv ("REIN_CHAIN_URL");
}

/* ---- a notification server ---- */

/* A notification server on the test's private session bus
 * (org.freedesktop.Notifications, what GLib's "freedesktop" backend
 * talks to): it counts what it is asked to show. */
typedef struct
{
  GDBusConnection *bus;
  guint object_id;
  guint name_id;
  gboolean owned;
  GPtrArray *shown; /* "summary|body" */
  guint32 last_id;
} FakeNotifications;

static const gchar fdo_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "</method>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "</interface></node>";

static void
fdo_method_call (GDBusConnection *connection, const gchar *sender, const gchar *path,
                 const gchar *interface, const gchar *method, GVariant *parameters,
                 GDBusMethodInvocation *invocation, gpointer user_data)
{
  FakeNotifications *fake = user_data;

  if (g_str_equal (method, "Notify"))
    {
      const gchar *summary = NULL, *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (fake->shown, g_strdup_printf ("%s|%s", summary, body));
      g_test_message ("notification: %s — %s", summary, body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++fake->last_id));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const gchar *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "fake", "rein", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
fdo_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  ((FakeNotifications *) user_data)->owned = TRUE;
}

static gboolean
fdo_owned (gpointer data)
{
  return ((FakeNotifications *) data)->owned;
}

static void
fake_notifications_start (FakeNotifications *fake)
{
  static const GDBusInterfaceVTable vtable = { fdo_method_call, NULL, NULL, { 0 } };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (fdo_xml, &error);

  g_assert_no_error (error);
  fake->shown = g_ptr_array_new_with_free_func (g_free);
  fake->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  fake->object_id = g_dbus_connection_register_object (fake->bus, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable, fake, NULL,
                                                       &error);
  g_assert_no_error (error);
  fake->name_id = g_bus_own_name_on_connection (fake->bus, "org.freedesktop.Notifications",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, fdo_acquired_cb,
                                                NULL, fake, NULL);
  app_test_wait_until (fdo_owned, fake, "the notification server's name", 30);
}

static void
fake_notifications_stop (FakeNotifications *fake)
{
  g_bus_unown_name (fake->name_id);
  g_dbus_connection_unregister_object (fake->bus, fake->object_id);
  g_clear_object (&fake->bus);
  g_clear_pointer (&fake->shown, g_ptr_array_unref);
}

/* How many notifications said @text ("summary|body"). */
static guint
count_shown (FakeNotifications *fake, const gchar *text)
{
  guint n = 0;

  for (guint i = 0; i < fake->shown->len; i++)
    n += g_str_equal (g_ptr_array_index (fake->shown, i), text);
  return n;
}

/* The app the job tests' windows belong to (so that they send
 * notifications), or NULL. */
static GtkApplication *screen_app;

/* The test's one app, registered on the session bus (a second app of
 * the same ID could not export itself on that bus while the first one's
 * objects are there). */
static ReinApplication *
shared_app (void)
{
  static ReinApplication *app;
  g_autoptr (GError) error = NULL;

  if (app != NULL)
    return app;
  app = rein_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

static void
screen_app_start (FakeNotifications *fake)
{
  g_autoptr (GSettings) settings = rein_settings_new_if_installed ();

  g_assert_nonnull (settings);
  g_settings_set_boolean (settings, "notifications", TRUE);
  fake_notifications_start (fake);
  screen_app = GTK_APPLICATION (shared_app ());
}

static void
screen_app_stop (FakeNotifications *fake)
{
  screen_app = NULL;
  fake_notifications_stop (fake);
}

/* ---- one person's window, on one job's page ---- */

typedef struct
{
  ReinWindow *window;
  ReinJobPage *page;
  Person *person;
  const gchar *status; /* waited for */
} Screen;

static gboolean
page_ready (gpointer data)
{
  Screen *s = data;

  return rein_job_page_get_job (s->page) != NULL && rein_job_page_get_timeline (s->page) != NULL
         && (s->status == NULL || g_strcmp0 (rein_job_page_get_status (s->page), s->status) == 0);
}

/* Waits until the page shows @status and its timeline. */
static void
wait_status (Screen *s, const gchar *status)
{
  s->status = status;
  app_test_wait_until (page_ready, s, status != NULL ? status : "the job page", 90);
  s->status = NULL;
  app_test_iterate (100);
  g_test_message ("page: %s", rein_job_page_get_status (s->page));
}

static void
screen_open (Screen *s, Person *p, const gchar *job_id, gint width)
{
  s->person = p;
  s->window = rein_window_new (screen_app, p->context);
  gtk_window_set_default_size (GTK_WINDOW (s->window), width, 820);
  gtk_window_present (GTK_WINDOW (s->window));
  app_test_wait_loaded (rein_context_get_session (p->context));
  /* as a notification's action does: My Jobs, on that job, once read */
  rein_window_show_job (s->window, job_id);
  s->page = rein_my_jobs_view_get_job_page (rein_window_get_my_jobs_view (s->window));
  wait_status (s, NULL);
}

typedef struct
{
  GtkListBox *list;
  const gchar *job_id;
} RowWait;

static GtkListBoxRow *
row_of (RowWait *w)
{
  GtkListBoxRow *row;

  for (gint i = 0; (row = gtk_list_box_get_row_at_index (w->list, i)) != NULL; i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "job-id"), w->job_id) == 0)
      return row;
  return NULL;
}

static gboolean
has_row (gpointer data)
{
  return row_of (data) != NULL;
}

/* As screen_open(), but the job is opened as a user does: My Jobs, then
 * its row under @role activated. */
static void
screen_open_from_list (Screen *s, Person *p, const gchar *job_id, ReinRole role)
{
  ReinMyJobsView *view;
  RowWait w = { NULL, job_id };

  s->person = p;
  s->window = rein_window_new (screen_app, p->context);
  gtk_window_set_default_size (GTK_WINDOW (s->window), 1000, 820);
  gtk_window_present (GTK_WINDOW (s->window));
  app_test_wait_loaded (rein_context_get_session (p->context));
  rein_window_show_my_jobs (s->window);
  view = rein_window_get_my_jobs_view (s->window);
  s->page = rein_my_jobs_view_get_job_page (view);
  gtk_widget_activate_action (GTK_WIDGET (view), "my-jobs.refresh", NULL);
  w.list = rein_my_jobs_view_get_list (view, role);
  app_test_wait_until (has_row, &w, "the job's row in My Jobs", 90);
  g_assert_null (rein_job_page_get_job (s->page));
  g_signal_emit_by_name (w.list, "row-activated", row_of (&w));
  wait_status (s, NULL);
  g_assert_cmpstr (rein_my_job_get_job_id (rein_job_page_get_job (s->page)), ==, job_id);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (app_test_child (view, "leaflet")), ==,
                   "job");
}

static void
screen_close (Screen *s)
{
  app_test_destroy_window (GTK_WINDOW (s->window));
  app_test_iterate (50);
}

static void
text_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gchar **text = user_data;
  g_autoptr (GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
text_read (gpointer data)
{
  return *(gchar **) data != NULL;
}

static gboolean timeline_shown (gpointer data);

/* "job.copy" on the first entry (the posting): its armored text is what
 * the clipboard then holds. */
static void
assert_copies (Screen *s)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (s->page));
  g_autofree gchar *text = NULL;
  ReinDocument *posting;

  /* (a refresh may be reading it again, as in assert_oldest_first()) */
  app_test_wait_until (timeline_shown, s->page, "the timeline", 90);
  posting = rein_timeline_entry_get_document (
      g_ptr_array_index (rein_job_page_get_timeline (s->page), 0));

  gdk_clipboard_set_text (clipboard, "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s->page), "job.copy", "s",
                                             rein_document_get_hash (posting)));
  gdk_clipboard_read_text_async (clipboard, NULL, text_read_cb, &text);
  app_test_wait_until (text_read, &text, "the clipboard", 10);
  g_assert_cmpstr (text, ==, rein_document_get_armored (posting));
  g_assert_true (g_str_has_prefix (text, REIN_ARMOR_HEADER));
}

/* Reads My Jobs again, as a sync does, and waits for the page to say
 * @status; checks the steps it offers, and takes screenshots @shot (wide,
 * and narrow when @narrow). */
/* The timeline is oldest first: by when each document was first seen,
 * and (these jobs' steps all counting) in the order of the flow, the
 * posting first. */
static gboolean
timeline_shown (gpointer data)
{
  return rein_job_page_get_timeline (data) != NULL;
}

static void
assert_oldest_first (Screen *s)
{
  GPtrArray *timeline;

  /* (a refresh may be reading it again) */
  app_test_wait_until (timeline_shown, s->page, "the timeline", 90);
  timeline = rein_job_page_get_timeline (s->page);
  g_assert_cmpuint (timeline->len, >, 0);
  g_assert_cmpint (rein_document_get_document_type (rein_timeline_entry_get_document (
                       g_ptr_array_index (timeline, 0))), ==, REIN_DOCUMENT_TYPE_JOB_POSTING);
  for (guint i = 1; i < timeline->len; i++)
    {
      ReinTimelineEntry *before = g_ptr_array_index (timeline, i - 1);
      ReinTimelineEntry *e = g_ptr_array_index (timeline, i);

      g_assert_true (rein_timeline_entry_get_counts (e));
      g_assert_cmpint (rein_timeline_entry_get_first_seen (before), <=,
                       rein_timeline_entry_get_first_seen (e));
      g_assert_cmpint (rein_document_get_document_type (rein_timeline_entry_get_document (before)),
                       <=, rein_document_get_document_type (rein_timeline_entry_get_document (e)));
    }
}

static void
check_page (Screen *s, const gchar *status, ReinActions offered, const gchar *shot,
            gboolean narrow)
{
  gtk_widget_activate_action (GTK_WIDGET (rein_window_get_my_jobs_view (s->window)),
                              "my-jobs.refresh", NULL);
  wait_status (s, status);
  g_assert_cmpint (rein_job_page_get_offered (s->page), ==, offered);
  assert_oldest_first (s);
  if (shot == NULL)
    return;
  app_test_wait_until (panel_loaded, rein_job_page_get_payout_panel (s->page),
                       "the payout panel", 90);
  app_test_screenshot (GTK_WIDGET (s->window), shot);
  /* (a window of its own only for the picture: not when none is drawn) */
  if (narrow && g_getenv ("REIN_TEST_NO_SCREENSHOTS") == NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("%s-narrow", shot);
      Screen small = { 0 };

      /* a window of its own: a shown window keeps its size under Xvfb */
      screen_open (&small, s->person, rein_my_job_get_job_id (rein_job_page_get_job (s->page)),
                   360);
      wait_status (&small, status);
      app_test_wait_until (panel_loaded, rein_job_page_get_payout_panel (small.page),
                           "the payout panel", 90);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (small.window)), <=, 360);
      app_test_screenshot (GTK_WIDGET (small.window), name);
      screen_close (&small);
    }
}

/* Takes a step on @s's page: @action (with @target), the form filled in
 * with @text, the document under review checked to start with @title,
 * signed with the password; then waits for the page to say @after. */
static void
take_step (Screen *s, const gchar *action, const gchar *target, const gchar *text,
           const gchar *title, const gchar *after, const gchar *shot)
{
  ReinStepDialog *dialog;
  const gchar *document;

  if (target != NULL)
    gtk_widget_activate_action (GTK_WIDGET (s->page), action, "s", target);
  else
    gtk_widget_activate_action (GTK_WIDGET (s->page), action, NULL);
  app_test_wait_page (REIN_TYPE_STEP_DIALOG, rein_sign_dialog_get_page, "form");
  dialog = REIN_STEP_DIALOG (app_test_find_toplevel (REIN_TYPE_STEP_DIALOG));
  if (text != NULL)
    {
      /* nothing goes on without the text the step needs */
      g_assert_nonnull (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (dialog)));
      rein_step_dialog_set_text (dialog, text);
    }
  g_assert_null (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (dialog)));
  if (shot != NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("%s-form", shot);

      app_test_screenshot (GTK_WIDGET (dialog), name);
    }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (dialog)), ==, "review");
  document = rein_sign_dialog_get_document (REIN_SIGN_DIALOG (dialog));
  g_assert_true (g_str_has_prefix (document, title));
  if (shot != NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("%s-review", shot);

      app_test_screenshot (GTK_WIDGET (dialog), name);
    }
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (dialog), "pw");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_STEP_DIALOG, NULL, NULL);
  /* the page follows its job through the refresh that follows */
  wait_status (s, after);
}

static gboolean
has_bids (gpointer data)
{
  Screen *s = data;
  g_auto (GStrv) hashes = rein_job_page_dup_bid_hashes (s->page);

  return hashes[0] != NULL;
}

static gchar *
only_bid (Screen *s)
{
  g_auto (GStrv) hashes = NULL;

  app_test_wait_until (has_bids, s, "the bids", 90);
  hashes = rein_job_page_dup_bid_hashes (s->page);
  g_assert_cmpuint (g_strv_length (hashes), ==, 1);
  return g_strdup (hashes[0]);
}

/* Pays what is due into both escrows of @job_id on the test chain, and
 * mines it. */
static void
fund_escrows (Fixture *f, const gchar *job_id)
{
  g_autoptr (ReinJob) job = load_job (&f->carol, job_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrowStatus) terms = rein_escrow_status_new (job, FALSE, &error);

  g_assert_no_error (error);
  g_free (test_chain_fund (f->chain, terms->primary.address, terms->primary.due, 0));
  g_free (test_chain_fund (f->chain, terms->mediator.address, terms->mediator.due, 0));
  test_chain_mine (f->chain, 1);
}

static gboolean
step_on_review (gpointer data)
{
  GtkWindow *dialog = app_test_find_toplevel (REIN_TYPE_STEP_DIALOG);

  return dialog != NULL
         && g_strcmp0 (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (dialog)), "review") == 0;
}

/* Accept or resolve on @s's page: the step's form (@text, and for a
 * resolution @kind and @percent), then the payments built, reviewed and
 * signed in the payout dialog, then the document (@title) reviewed,
 * signed and published; waits for the page to say @after. */
static void
take_paying_step (Screen *s, const gchar *action, const gchar *text, ReinPayoutKind kind,
                  guint percent, const gchar *title, const gchar *after, const gchar *shot)
{
  ReinStepDialog *dialog;
  ReinPayoutDialog *payout;

  gtk_widget_activate_action (GTK_WIDGET (s->page), action, NULL);
  app_test_wait_page (REIN_TYPE_STEP_DIALOG, rein_sign_dialog_get_page, "form");
  dialog = REIN_STEP_DIALOG (app_test_find_toplevel (REIN_TYPE_STEP_DIALOG));
  if (text != NULL)
    rein_step_dialog_set_text (dialog, text);
  if (kind != REIN_PAYOUT_ACCEPT)
    rein_step_dialog_set_payout (dialog, kind, percent);
  if (shot != NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("%s-form", shot);

      app_test_screenshot (GTK_WIDGET (dialog), name);
    }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  /* the payments first: nothing signed before the tick and the password */
  app_test_wait_until (dialog_on_review, NULL, "the payments to review", 90);
  payout = find_dialog ();
  if (kind == REIN_PAYOUT_SPLIT)
    g_assert_cmpuint (rein_payments_get_worker_percent (rein_payout_dialog_get_payments (payout)),
                      ==, percent);
  rein_payout_dialog_set_confirmed (payout, TRUE);
  rein_payout_dialog_set_password (payout, "pw");
  rein_payout_dialog_sign (payout);
  /* then the document that carries them */
  app_test_wait_until (step_on_review, NULL, "the document with the payments", 90);
  g_assert_null (find_dialog ());
  g_assert_true (g_str_has_prefix (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (dialog)),
                                   title));
  g_assert_nonnull (strstr (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (dialog)),
                            "\nSigned primary payment: cHNidP8"));
  if (shot != NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("%s-review", shot);

      app_test_screenshot (GTK_WIDGET (dialog), name);
    }
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (dialog), "pw");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_STEP_DIALOG, NULL, NULL);
  wait_status (s, after);
}

static gboolean
panel_ready (gpointer data)
{
  ReinPayoutPanel *panel = data;

  return !rein_payout_panel_get_loading (panel) && rein_payout_panel_get_payments (panel) != NULL;
}

/* @s's payout panel, loaded: co-signs and sends (password "pw"). */
static ReinPayoutPanel *
cosign (Screen *s)
{
  ReinPayoutPanel *panel = rein_job_page_get_payout_panel (s->page);

  app_test_wait_until (panel_ready, panel, "the payout panel", 90);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel)));
  payout_test_cosign (panel, TRUE);
  return panel;
}

/* The payments of @panel are both sent, and once mined, paid. */
static void
assert_paid (Fixture *f, ReinPayoutPanel *panel)
{
  ReinPayments *payments = rein_payout_panel_get_payments (panel);
  g_autofree gchar *sent = test_chain_dup_broadcasts (f->chain);

  for (gint primary = 0; primary < 2; primary++)
    {
      const gchar *txid = rein_payments_get_txid (payments, primary);

      g_assert_nonnull (txid);
      /* the backend took it: VerifyScript accepted every input */
      g_assert_nonnull (strstr (sent, txid));
    }
  test_chain_mine (f->chain, 1);
  rein_payout_panel_refresh (panel);
  app_test_wait_until (panel_loaded, panel, "the payout panel", 90);
  g_assert_true (rein_payout_panel_get_paid (panel));
}

/* The three people's windows, each on the page of @job_id. */
typedef struct
{
  Screen carol;
  Screen walt;
  Screen mia;
} Screens;

static void
screens_open (Screens *s, Fixture *f, const gchar *job_id)
{
  screen_open (&s->carol, &f->carol, job_id, 1000);
  screen_open (&s->walt, &f->walt, job_id, 1000);
  screen_open (&s->mia, &f->mia, job_id, 1000);
}

static void
screens_close (Screens *s)
{
  screen_close (&s->carol);
  screen_close (&s->walt);
  screen_close (&s->mia);
}

/* ---- posting and bidding through the Market ---- */

typedef struct
{
  ReinWindow *window;
  const gchar *job_id;      /* waited for in the market */
  guint n_mediators;        /* waited for */
} MarketWait;

static gboolean
market_ready (gpointer data)
{
  MarketWait *w = data;
  ReinContext *context = rein_window_get_context (w->window);
  ReinMarketService *market = rein_context_get_market (context);
  GListModel *shown = rein_market_view_get_shown (rein_window_get_market_view (w->window));

  if (!rein_market_service_get_loaded (market) || rein_market_service_get_refreshing (market)
      || rein_market_view_get_searching (rein_window_get_market_view (w->window))
      || g_list_model_get_n_items (rein_market_service_get_mediators (market)) < w->n_mediators)
    return FALSE;
  for (guint i = 0; w->job_id != NULL && i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), w->job_id))
        return TRUE;
    }
  return w->job_id == NULL;
}

/* A window of @p's on the Market, read with what @w waits for. */
static ReinWindow *
market_open (Person *p, MarketWait *w)
{
  w->window = rein_window_new (NULL, p->context);
  gtk_window_set_default_size (GTK_WINDOW (w->window), 1000, 820);
  gtk_window_present (GTK_WINDOW (w->window));
  app_test_wait_loaded (rein_context_get_session (p->context));
  app_test_wait_until (market_ready, w, "the market", 90);
  return w->window;
}

/* A ReinMyJobs is not being read. */
static gboolean
my_jobs_idle (gpointer data)
{
  return !rein_my_jobs_get_refreshing (data);
}

/* @p posts a job through the Market's post dialog, with the first
 * mediator it offers (Mia: the only one); returns the job's ID, as @p's
 * market reads it after. */
static gchar *
app_post_job (Person *p, const gchar *name, const gchar *category, const gchar *description)
{
  MarketWait w = { NULL, NULL, 1 };
  ReinWindow *window = market_open (p, &w);
  ReinPostDialog *post;
  ReinMarketService *market = rein_context_get_market (p->context);
  GListModel *jobs;
  gchar *job_id = NULL;

  gtk_widget_activate_action (GTK_WIDGET (rein_window_get_market_view (window)), "market.post",
                              NULL);
  app_test_wait_page (REIN_TYPE_POST_DIALOG, rein_sign_dialog_get_page, "form");
  post = REIN_POST_DIALOG (app_test_find_toplevel (REIN_TYPE_POST_DIALOG));
  rein_post_dialog_set_job (post, name, category, description, 0);
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (post)), ==, "review");
  g_assert_nonnull (strstr (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (post)),
                            "\nMediator: Mia\n"));
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (post), "pw");
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_POST_DIALOG, NULL, NULL);
  /* the window refreshes My Jobs after a publication: done before what
   * follows is told */
  app_test_wait_until (my_jobs_idle, rein_context_get_my_jobs (p->context),
                       "My Jobs to be read again", 60);
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);

  refresh (market);
  jobs = rein_market_service_get_jobs (market);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_job_summary_get_name (s), name) == 0
          && rein_same_key (rein_job_summary_get_creator_key (s),
                            rein_identity_get_delegate_public_key (p->identity)))
        {
          g_assert_null (job_id); /* posted once */
          job_id = g_strdup (rein_job_summary_get_job_id (s));
        }
    }
  g_assert_nonnull (job_id);
  return job_id;
}

/* @p bids @amount (BTC) on @job_id through the Market's bid dialog. */
static void
app_place_bid (Person *p, const gchar *job_id, const gchar *description, const gchar *amount)
{
  MarketWait w = { NULL, job_id, 0 };
  ReinWindow *window;
  ReinMarketView *view;
  GListModel *shown;
  ReinBidDialog *bid;
  g_autofree gchar *line = g_strdup_printf ("\nBid amount (BTC): %s\n", amount);

  refresh (rein_context_get_market (p->context));
  window = market_open (p, &w);
  view = rein_window_get_market_view (window);
  shown = rein_market_view_get_shown (view);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), job_id))
        rein_market_view_select (view, i);
    }
  app_test_iterate (50);
  g_assert_cmpstr (rein_job_summary_get_job_id (rein_market_view_get_selected (view)), ==,
                   job_id);
  gtk_widget_activate_action (GTK_WIDGET (view), "market.bid", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "form");
  bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
  rein_bid_dialog_set_bid (bid, description, amount);
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "review");
  g_assert_nonnull (strstr (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (bid)), line));
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (bid), "pw");
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, NULL, NULL);
  /* the window refreshes My Jobs after a publication: done before what
   * follows is told */
  app_test_wait_until (my_jobs_idle, rein_context_get_my_jobs (p->context),
                       "My Jobs to be read again", 60);
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
}

/* ---- what My Jobs tells each person ---- */

typedef struct
{
  ReinMyJobs *service;
  GArray *events; /* ReinMyJobEvent */
  gulong handler;
} EventLog;

static void
event_logged_cb (ReinMyJobs *service, ReinMyJob *job, gint event, gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, event);
}

static void
event_log_start (EventLog *log, Person *p)
{
  log->service = rein_context_get_my_jobs (p->context);
  log->events = g_array_new (FALSE, FALSE, sizeof (gint));
  log->handler = g_signal_connect (log->service, "attention", G_CALLBACK (event_logged_cb),
                                   log->events);
}

/* How often @event was told. */
static guint
event_log_count (EventLog *log, ReinMyJobEvent event)
{
  guint n = 0;

  for (guint i = 0; i < log->events->len; i++)
    n += g_array_index (log->events, gint, i) == (gint) event;
  return n;
}

/* Checks that @log told exactly @expected (the count of each event, in
 * ReinMyJobEvent order), and stops it. */
static void
event_log_check (EventLog *log, const guint expected[6], const gchar *who)
{
  for (guint e = REIN_MY_JOB_EVENT_BID; e <= REIN_MY_JOB_EVENT_ACCEPTED; e++)
    {
      g_test_message ("%s: event %u told %u time(s)", who, e, event_log_count (log, e));
      g_assert_cmpuint (event_log_count (log, e), ==, expected[e]);
    }
  g_signal_handler_disconnect (log->service, log->handler);
  g_array_unref (log->events);
}

/* ---- job 1: post, bid, award, deliver (accept: escrow tests) ---- */

static void
test_award_and_deliver (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = NULL;
  g_autofree gchar *bid = NULL;
  Screens s = { 0 };
  EventLog carol, walt, mia;
  /* each told once: Carol the bid and the delivery; Walt the award and
   * the acceptance */
  static const guint carol_told[6] = { [REIN_MY_JOB_EVENT_BID] = 1,
                                       [REIN_MY_JOB_EVENT_DELIVERED] = 1 };
  static const guint walt_told[6] = { [REIN_MY_JOB_EVENT_AWARDED] = 1,
                                      [REIN_MY_JOB_EVENT_ACCEPTED] = 1 };
  static const guint mia_told[6] = { 0 };
  FakeNotifications fake = { 0 };

  screen_app_start (&fake);
  job_id = app_post_job (&f->carol, "Logo for a bakery", "Design", "A round logo.");
  event_log_start (&carol, &f->carol);
  event_log_start (&walt, &f->walt);
  event_log_start (&mia, &f->mia);

  /* posted, no bids yet: nothing for the creator or the mediator to do;
   * Carol opens it from her list */
  screen_open_from_list (&s.carol, &f->carol, job_id, REIN_ROLE_CREATOR);
  screen_open (&s.mia, &f->mia, job_id, 1000);
  check_page (&s.carol, "posted — waiting for bids", 0, "job-page-09-creator-posted", TRUE);
  check_page (&s.mia, "posted — waiting for bids", 0, "job-page-09-mediator-posted", TRUE);
  {
    g_auto (GStrv) bids = rein_job_page_dup_bid_hashes (s.carol.page);

    g_assert_null (bids[0]);
  }

  /* the copy button puts the posting's signed text on the clipboard */
  assert_copies (&s.carol);

  app_place_bid (&f->walt, job_id, "Two drafts by Friday.", "0.05");
  screen_open (&s.walt, &f->walt, job_id, 1000);

  /* bids: only the creator may award; everyone sees whose turn it is */
  check_page (&s.carol, "bid(s) submitted — waiting for you to award a bid", REIN_ACTION_OFFER,
              "job-page-10-creator-bids", TRUE);
  check_page (&s.walt, "bid(s) submitted — waiting for Carol to award a bid", 0,
              "job-page-11-worker-bid", TRUE);
  check_page (&s.mia, "bid(s) submitted — waiting for Carol to award a bid", 0,
              "job-page-11-mediator-bids", TRUE);

  /* Carol awards Walt's bid */
  bid = only_bid (&s.carol);
  take_step (&s.carol, "job.award", bid, NULL, "Rein Offer\n",
             "job awarded — waiting for Walt to deliver", "job-page-12-award");
  fund_escrows (f, job_id);
  check_page (&s.carol, "job awarded — waiting for Walt to deliver", REIN_ACTION_CREATOR_DISPUTE,
              "job-page-13-creator-awarded", TRUE);
  check_page (&s.walt, "job awarded — waiting for you to deliver",
              REIN_ACTION_DELIVER | REIN_ACTION_WORKER_DISPUTE, "job-page-14-worker-awarded",
              TRUE);
  check_page (&s.mia, "job awarded — waiting for Walt to deliver", 0,
              "job-page-15-mediator-awarded", TRUE);

  /* Walt delivers, in several lines; Carol's page moves on by itself
   * with the automatic sync's timer (her keys are locked: it only reads) */
  take_step (&s.walt, "job.deliver", NULL,
             "Logo files: https://example.com/logo.zip\nThree sizes, SVG and PNG.",
             "Rein Delivery\n", "deliverables submitted — waiting for Carol to accept the delivery",
             "job-page-16-deliver");
  rein_session_set_auto_sync_interval (rein_context_get_session (f->carol.context), 1);
  wait_status (&s.carol,
               "deliverables submitted — waiting for you to accept or dispute the delivery");
  rein_session_set_auto_sync_interval (rein_context_get_session (f->carol.context), 0);
  check_page (&s.carol,
              "deliverables submitted — waiting for you to accept or dispute the delivery",
              REIN_ACTION_ACCEPT | REIN_ACTION_CREATOR_DISPUTE, "job-page-17-creator-delivered",
              TRUE);
  check_page (&s.walt, "deliverables submitted — waiting for Carol to accept the delivery",
              REIN_ACTION_WORKER_DISPUTE, "job-page-18-worker-delivered", TRUE);
  check_page (&s.mia, "deliverables submitted — waiting for Carol to accept the delivery", 0,
              "job-page-18-mediator-delivered", TRUE);

  /* Carol accepts: the payments to Walt and Mia, reviewed and signed, go
   * in the acceptance */
  take_paying_step (&s.carol, "job.accept", NULL, REIN_PAYOUT_ACCEPT, 100,
                    "Rein Accept Delivery\n", "complete, work accepted",
                    "job-page-19-accept");
  /* Walt's signature completes the primary payment, Mia's hers */
  /* (the worker may still dispute what the acceptance pays) */
  check_page (&s.walt, "complete, work accepted", REIN_ACTION_WORKER_DISPUTE, NULL, FALSE);
  cosign (&s.walt);
  check_page (&s.mia, "complete, work accepted", 0, NULL, FALSE);
  assert_paid (f, cosign (&s.mia));
  rein_payout_panel_refresh (rein_job_page_get_payout_panel (s.walt.page));
  app_test_wait_until (panel_loaded, rein_job_page_get_payout_panel (s.walt.page),
                       "Walt's payout panel", 90);
  g_assert_true (rein_payout_panel_get_paid (rein_job_page_get_payout_panel (s.walt.page)));
  check_page (&s.walt, "complete, work accepted", REIN_ACTION_WORKER_DISPUTE,
              "job-page-19-worker-paid", TRUE);
  check_page (&s.carol, "complete, work accepted", 0, "job-page-19-creator-paid", TRUE);
  check_page (&s.mia, "complete, work accepted", 0, "job-page-19-mediator-paid", TRUE);
  screens_close (&s);
  event_log_check (&carol, carol_told, "Carol");
  event_log_check (&walt, walt_told, "Walt");
  event_log_check (&mia, mia_told, "Mia");
  /* and as notifications, once each */
  app_test_iterate (300);
  g_assert_cmpuint (count_shown (&fake, "A new bid on your job|Logo for a bakery"), ==, 1);
  g_assert_cmpuint (count_shown (&fake, "Your bid was accepted|Logo for a bakery"), ==, 1);
  g_assert_cmpuint (count_shown (&fake, "The work on your job was delivered|Logo for a bakery"),
                    ==, 1);
  g_assert_cmpuint (count_shown (&fake, "Your work was accepted|Logo for a bakery"), ==, 1);
  screen_app_stop (&fake);
}

/* ---- job 2: post, bid, award, deliver, both disputes ---- */

static void
test_disputes (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = NULL;
  g_autofree gchar *bid = NULL;
  Screens s = { 0 };
  EventLog carol, walt, mia;
  /* each told once: Carol the bid (her My Jobs was read when she posted,
   * before it), the delivery, Walt's dispute and the resolution; Walt the
   * award, Carol's dispute and the resolution; Mia each dispute */
  static const guint carol_told[6] = { [REIN_MY_JOB_EVENT_BID] = 1,
                                       [REIN_MY_JOB_EVENT_DELIVERED] = 1,
                                       [REIN_MY_JOB_EVENT_DISPUTED] = 1,
                                       [REIN_MY_JOB_EVENT_RESOLVED] = 1 };
  static const guint walt_told[6] = { [REIN_MY_JOB_EVENT_AWARDED] = 1,
                                      [REIN_MY_JOB_EVENT_DISPUTED] = 1,
                                      [REIN_MY_JOB_EVENT_RESOLVED] = 1 };
  static const guint mia_told[6] = { [REIN_MY_JOB_EVENT_DISPUTED] = 2 };
  FakeNotifications fake = { 0 };

  screen_app_start (&fake);
  job_id = app_post_job (&f->carol, "Website copy", "Writing", "Five pages of copy.");
  app_place_bid (&f->walt, job_id, "Five pages in a week.", "0.02");
  event_log_start (&carol, &f->carol);
  event_log_start (&walt, &f->walt);
  event_log_start (&mia, &f->mia);
  screens_open (&s, f, job_id);
  bid = only_bid (&s.carol);
  take_step (&s.carol, "job.award", bid, NULL, "Rein Offer\n",
             "job awarded — waiting for Walt to deliver", NULL);
  fund_escrows (f, job_id);
  check_page (&s.mia, "job awarded — waiting for Walt to deliver", 0, NULL, FALSE);
  check_page (&s.walt, "job awarded — waiting for you to deliver",
              REIN_ACTION_DELIVER | REIN_ACTION_WORKER_DISPUTE, NULL, FALSE);
  take_step (&s.walt, "job.deliver", NULL, "Five pages, in the shared folder.", "Rein Delivery\n",
             "deliverables submitted — waiting for Carol to accept the delivery", NULL);
  check_page (&s.mia, "deliverables submitted — waiting for Carol to accept the delivery", 0,
              NULL, FALSE);

  /* Carol disputes the delivery */
  check_page (&s.carol,
              "deliverables submitted — waiting for you to accept or dispute the delivery",
              REIN_ACTION_ACCEPT | REIN_ACTION_CREATOR_DISPUTE, NULL, FALSE);
  take_step (&s.carol, "job.dispute", NULL,
             "Two of the five pages are missing.\nThe rest is fine.", "Rein Dispute Delivery\n",
             "disputed by job creator — waiting for Mia to resolve the dispute",
             "job-page-20-creator-dispute");
  check_page (&s.mia, "disputed by job creator — waiting for you to resolve the dispute",
              REIN_ACTION_RESOLVE, "job-page-21-mediator-dispute", TRUE);
  check_page (&s.carol, "disputed by job creator — waiting for Mia to resolve the dispute", 0,
              "job-page-21-creator-dispute", TRUE);

  /* Walt disputes too: the mediator hears both sides */
  check_page (&s.walt, "disputed by job creator — waiting for Mia to resolve the dispute",
              REIN_ACTION_WORKER_DISPUTE, "job-page-21-worker-dispute", TRUE);
  take_step (&s.walt, "job.dispute", NULL, "All five pages are in the folder, see page-4.txt.",
             "Rein Dispute Offer\n", "disputed by worker — waiting for Mia to resolve the dispute",
             "job-page-22-worker-dispute");
  check_page (&s.carol, "disputed by worker — waiting for Mia to resolve the dispute", 0,
              "job-page-23-creator-both-disputes", TRUE);
  check_page (&s.walt, "disputed by worker — waiting for Mia to resolve the dispute", 0,
              "job-page-23-worker-both-disputes", TRUE);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  check_page (&s.mia, "disputed by worker — waiting for you to resolve the dispute",
              REIN_ACTION_RESOLVE, "job-page-24-mediator-both-disputes-dark", TRUE);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* Mia resolves with a split: 60% to Walt, 40% back to Carol */
  take_paying_step (&s.mia, "job.resolve", "All five pages came, two of them late: Walt gets 60%.",
                    REIN_PAYOUT_SPLIT, 60, "Rein Dispute Resolution\n",
                    "complete, dispute resolved", "job-page-25-resolve");
  /* Carol's signature completes both payments */
  check_page (&s.carol, "complete, dispute resolved", 0, NULL, FALSE);
  assert_paid (f, cosign (&s.carol));
  check_page (&s.carol, "complete, dispute resolved", 0, "job-page-26-creator-paid", TRUE);
  check_page (&s.walt, "complete, dispute resolved", 0, "job-page-26-worker-paid", TRUE);
  check_page (&s.mia, "complete, dispute resolved", 0, "job-page-26-mediator-paid", TRUE);
  screens_close (&s);
  event_log_check (&carol, carol_told, "Carol");
  event_log_check (&walt, walt_told, "Walt");
  event_log_check (&mia, mia_told, "Mia");
  /* and as notifications, once each: the resolution to Carol and Walt,
   * the disputes to Mia (both), Walt (Carol's) and Carol (Walt's) */
  app_test_iterate (300);
  g_assert_cmpuint (count_shown (&fake, "The work on your job was delivered|Website copy"), ==, 1);
  g_assert_cmpuint (count_shown (&fake, "A job was disputed|Website copy"), ==, 4);
  g_assert_cmpuint (count_shown (&fake, "The mediator resolved a dispute|Website copy"), ==, 2);
  screen_app_stop (&fake);
}

/* ---- forged steps ---- */

/* The entry of the document with @hash in @timeline. */
static ReinTimelineEntry *
entry_of (GPtrArray *timeline, const gchar *hash)
{
  for (guint i = 0; timeline != NULL && i < timeline->len; i++)
    {
      ReinTimelineEntry *e = g_ptr_array_index (timeline, i);

      if (g_str_equal (rein_document_get_hash (rein_timeline_entry_get_document (e)), hash))
        return e;
    }
  return NULL;
}

/* Expands the expander rows below @root titled @title whose subtitle has
 * @who; TRUE when there was one. */
static gboolean
expand_row (GtkWidget *root, const gchar *title, const gchar *who)
{
  gboolean found = FALSE;

  if (ADW_IS_EXPANDER_ROW (root)
      && g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title)
      && strstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (root)), who) != NULL)
    {
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (root), TRUE);
      return TRUE;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    found |= expand_row (c, title, who);
  return found;
}

typedef struct
{
  Screen *screen;
  GPtrArray *hashes;
} ShowsAll;

/* The page's timeline has every document of @data's hashes. */
static gboolean
shows_all (gpointer data)
{
  ShowsAll *w = data;
  GPtrArray *timeline = rein_job_page_get_timeline (w->screen->page);

  for (guint i = 0; i < w->hashes->len; i++)
    if (entry_of (timeline, g_ptr_array_index (w->hashes, i)) == NULL)
      return FALSE;
  return timeline != NULL;
}

/* Scrolls the page below @root to its end. */
static void
scroll_to_end (GtkWidget *root)
{
  GtkWidget *row = app_test_find_by_type (root, ADW_TYPE_EXPANDER_ROW);
  GtkAdjustment *scroll = gtk_scrolled_window_get_vadjustment (
      GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW)));

  gtk_adjustment_set_value (scroll, gtk_adjustment_get_upper (scroll));
  app_test_iterate (400);
}

static void
test_forged (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = NULL;
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (ReinPublication) pub = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) forged = g_ptr_array_new_with_free_func (g_free);
  ReinBidParams params = { 0 };
  ReinDocument *walts_bid;
  g_autofree gchar *text = NULL, *offer = NULL;
  g_autoptr (GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) timeline = NULL;
  Screen s = { 0 };
  ShowsAll w = { &s, hashes };
  /* the reason of each forged step, in the order they are made below.
   * (Mallory's offer and delivery may also be turned down for coming
   * second to Carol's and Walt's: the reader asks whether the step was
   * taken already before it looks at the signer, and which of two
   * documents first seen in the same second it reads first varies.) */
  static const gchar *const reasons[] = {
    "the primary escrow script is not the one the three keys make",
    "only the job creator can award the job|the job was awarded already",
    "only the worker who won the job can deliver|the work was delivered already",
    "only the job creator can file this dispute",
    "only the job creator can accept the delivery",
  };

  job_id = post_job (&f->carol, &f->mia, "Flyer", "Design", "An A5 flyer.");
  place_bid (&f->walt, job_id, "0.03");
  job = load_job (&f->carol, job_id);
  walts_bid = rein_job_get_document (job, REIN_DOCUMENT_TYPE_BID);
  g_assert_nonnull (walts_bid);

  /* a bid whose escrow was built for other keys: Mallory's bid, with the
   * escrow of Walt's */
  params.worker = "Mallory";
  params.worker_contact = "mallory@example.com";
  params.worker_master_address = rein_identity_get_master_address (f->mallory.identity);
  params.worker_public_key = rein_identity_get_delegate_public_key (f->mallory.identity);
  params.description = "Cheaper.";
  params.bid_amount = "0.01";
  text = rein_document_build_bid (rein_job_get_posting (job), &params, REIN_NETWORK_MAINNET,
                                  &error);
  g_assert_no_error (error);
  {
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        const gchar *labels[] = { REIN_LABEL_PRIMARY_ESCROW_ADDRESS,
                                  REIN_LABEL_PRIMARY_REDEEM_SCRIPT };

        for (guint l = 0; l < G_N_ELEMENTS (labels); l++)
          if (g_str_has_prefix (lines[i], labels[l]))
            {
              g_free (lines[i]);
              lines[i] = g_strdup_printf ("%s: %s", labels[l],
                                          rein_document_lookup (walts_bid, labels[l]));
            }
      }
    g_free (text);
    text = g_strjoinv ("\n", lines);
  }
  g_ptr_array_add (forged, g_strdup (text));

  /* an offer not signed by the creator */
  offer = rein_document_build_offer (walts_bid, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_ptr_array_add (forged, g_strdup (offer));

  for (guint i = 0; i < forged->len; i++)
    put_unchecked (&f->mallory, g_ptr_array_index (forged, i));

  /* Carol awards Walt (for real) */
  pub = publish (&f->carol, job, offer, &error);
  g_assert_no_error (error);
  g_clear_object (&job);
  job = load_job (&f->carol, job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_AWARDED);

  /* a delivery by a worker who was not awarded */
  g_free (text);
  text = rein_document_build_delivery (rein_job_get_offer (job), "Here it is.", &error);
  g_assert_no_error (error);
  g_ptr_array_add (forged, g_strdup (text));
  /* a dispute by an outsider */
  g_free (text);
  text = rein_document_build_dispute (rein_job_get_offer (job), REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
                                      "I want my money back.", &error);
  g_assert_no_error (error);
  g_ptr_array_add (forged, g_strdup (text));

  for (guint i = 2; i < forged->len; i++)
    put_unchecked (&f->mallory, g_ptr_array_index (forged, i));

  /* Walt delivers (for real), and Mallory accepts it */
  g_clear_pointer (&pub, rein_publication_free);
  g_free (text);
  text = rein_document_build_delivery (rein_job_get_offer (job), "The flyer, as a PDF.", &error);
  g_assert_no_error (error);
  pub = publish (&f->walt, job, text, &error);
  g_assert_no_error (error);
  g_clear_object (&job);
  job = load_job (&f->carol, job_id);
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_DELIVERED);
  g_free (text);
  text = rein_document_build_accept (rein_job_get_document (job, REIN_DOCUMENT_TYPE_DELIVERY),
                                     "cHNidP8BAAoCAAAAAAAAAAAAAA==",
                                     "cHNidP8BAAoCAAAAAAAAAAAAAA==", &error);
  g_assert_no_error (error);
  g_ptr_array_add (forged, g_strdup (text));
  put_unchecked (&f->mallory, text);

  /* Carol's page: still delivered, every forged step in the timeline,
   * marked as not counting, with its reason */
  screen_open (&s, &f->carol, job_id, 1000);
  wait_status (&s, "deliverables submitted — waiting for you to accept or dispute the delivery");
  g_assert_cmpint (rein_job_page_get_offered (s.page), ==,
                   REIN_ACTION_ACCEPT | REIN_ACTION_CREATOR_DISPUTE);
  for (guint i = 0; i < forged->len; i++)
    {
      ReinDocument *doc = rein_document_sign (g_ptr_array_index (forged, i), NULL, f->mallory.key,
                                              REIN_NETWORK_MAINNET, &error);

      g_assert_no_error (error);
      g_ptr_array_add (hashes, g_strdup (rein_document_get_hash (doc)));
      g_object_unref (doc);
    }
  app_test_wait_until (shows_all, &w, "the forged documents", 90);
  timeline = g_ptr_array_ref (rein_job_page_get_timeline (s.page));
  {
    g_auto (GStrv) bids = rein_job_page_dup_bid_hashes (s.page);

    g_assert_cmpuint (g_strv_length (bids), ==, 1); /* Walt's only */
  }
  for (guint i = 0; i < hashes->len; i++)
    {
      ReinTimelineEntry *e = entry_of (timeline, g_ptr_array_index (hashes, i));
      g_auto (GStrv) allowed = g_strsplit (reasons[i], "|", -1);

      g_assert_nonnull (e);
      g_assert_false (rein_timeline_entry_get_counts (e));
      g_assert_nonnull (rein_timeline_entry_get_reason (e));
      if (!g_strv_contains ((const gchar *const *) allowed, rein_timeline_entry_get_reason (e)))
        g_error ("forged step %u: \"%s\" is not \"%s\"", i, rein_timeline_entry_get_reason (e),
                 reasons[i]);
      g_assert_true (strstr (rein_timeline_entry_get_writer (e), "Mallory") != NULL);
      g_test_message ("%s by Mallory: %s", rein_timeline_entry_get_what (e),
                      rein_timeline_entry_get_reason (e));
    }
  /* the real steps count */
  for (guint i = 0; i < timeline->len; i++)
    {
      ReinTimelineEntry *e = g_ptr_array_index (timeline, i);

      if (strstr (rein_timeline_entry_get_writer (e), "Mallory") == NULL)
        g_assert_true (rein_timeline_entry_get_counts (e));
    }
  /* a forged entry opened, for the screenshot */
  {
    GtkWidget *list = GTK_WIDGET (s.page);
    gboolean found = expand_row (GTK_WIDGET (s.page), "Delivery accepted", "Mallory");

    g_assert_true (found);
    app_test_iterate (800); /* the row opens */
    /* the last entry, at the bottom */
    scroll_to_end (list);
  }
  app_test_screenshot (GTK_WIDGET (s.window), "job-page-30-forged");
  g_assert_cmpuint (hashes->len, ==, G_N_ELEMENTS (reasons));
  /* and narrow */
  if (g_getenv ("REIN_TEST_NO_SCREENSHOTS") == NULL)
    {
      Screen small = { 0 };

      screen_open (&small, &f->carol, job_id, 360);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (small.window)), <=, 360);
      g_assert_true (expand_row (GTK_WIDGET (small.page), "Delivery accepted", "Mallory"));
      app_test_iterate (800);
      scroll_to_end (GTK_WIDGET (small.page));
      app_test_screenshot (GTK_WIDGET (small.window), "job-page-30-forged-narrow");
      screen_close (&small);
    }
  screen_close (&s);
}

/* ---- notifications ---- */

typedef struct
{
  FakeNotifications *fake;
  guint n;
} ShownWait;

static gboolean
shown_n (gpointer data)
{
  ShownWait *w = data;

  return w->fake->shown->len >= w->n;
}

/* A refresh of My Jobs (as after a sync), run to its end. */
static void
refresh_my_jobs (ReinWindow *window, Person *p)
{
  ReinMyJobs *my_jobs = rein_context_get_my_jobs (p->context);

  gtk_widget_activate_action (GTK_WIDGET (rein_window_get_my_jobs_view (window)),
                              "my-jobs.refresh", NULL);
  g_assert_true (rein_my_jobs_get_refreshing (my_jobs));
  app_test_wait_until (my_jobs_idle, my_jobs, "My Jobs", 90);
  app_test_iterate (300); /* the notification's D-Bus call */
}

static gboolean
shows_job (gpointer data)
{
  ReinJobPage *page = data;

  return rein_job_page_get_job (page) != NULL && rein_job_page_get_timeline (page) != NULL;
}

static gboolean
switch_off (gpointer data)
{
  return !gtk_switch_get_active (data);
}

static gboolean
switch_on (gpointer data)
{
  return gtk_switch_get_active (data);
}

/* A window of @p's in @app, its jobs read once. */
static ReinWindow *
app_window_open (ReinApplication *app, Person *p)
{
  ReinWindow *window = rein_window_new (GTK_APPLICATION (app), p->context);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (p->context));
  refresh_my_jobs (window, p);
  return window;
}

static void
refresh_all (ReinWindow *carol, ReinWindow *walt, ReinWindow *mia, Fixture *f)
{
  refresh_my_jobs (carol, &f->carol);
  refresh_my_jobs (walt, &f->walt);
  refresh_my_jobs (mia, &f->mia);
}

/* Waits for the @n-th notification, which must say @expected, and checks
 * that there are no more. */
static void
expect_shown (FakeNotifications *fake, guint n, const gchar *expected)
{
  ShownWait wait = { fake, n };

  app_test_wait_until (shown_n, &wait, expected, 30);
  g_assert_cmpuint (fake->shown->len, ==, n);
  g_assert_cmpstr (g_ptr_array_index (fake->shown, n - 1), ==, expected);
}

/* The bid of @job by @worker. */
static ReinDocument *
bid_of (ReinJob *job, const gchar *worker)
{
  GPtrArray *bids = rein_job_get_bids (job);

  for (guint i = 0; i < bids->len; i++)
    if (g_strcmp0 (rein_document_get_field (g_ptr_array_index (bids, i), REIN_LABEL_WORKER),
                   worker) == 0)
      return g_ptr_array_index (bids, i);
  g_error ("no bid by %s", worker);
  return NULL;
}

/* Publishes *@text (freed) as @p. */
static void
publish_step (Person *p, ReinJob *job, gchar **text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = publish (p, job, *text, &error);

  g_assert_no_error (error);
  g_clear_pointer (text, g_free);
}

static void
test_notifications (Fixture *f, gconstpointer data)
{
  FakeNotifications fake = { 0 };
  ReinApplication *app;
  g_autoptr (GSettings) settings = rein_settings_new_if_installed ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job_id = NULL;
  ReinWindow *window;
  ReinJobPage *page;
  ShownWait wait = { &fake, 1 };
  Person xena = { 0 };
  ReinPreferences *prefs;
  GtkSwitch *toggle;
  AdwActionRow *row;
  ReinWindow *walt, *mia;
  g_autoptr (ReinJob) job = NULL;
  gchar *text = NULL;

  g_assert_nonnull (settings);
  g_settings_set_boolean (settings, "notifications", TRUE);
  fake_notifications_start (&fake);
  app = shared_app ();

  job_id = post_job (&f->carol, &f->mia, "Logo for a bakery", "Design", "A round logo.");
  window = rein_window_new (GTK_APPLICATION (app), f->carol.context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_loaded (rein_context_get_session (f->carol.context));
  refresh_my_jobs (window, &f->carol);
  g_assert_cmpuint (fake.shown->len, ==, 0); /* posting my own job is no news */

  /* a bid on my job: one notification, however often My Jobs is read */
  place_bid (&f->walt, job_id, "0.05");
  refresh_my_jobs (window, &f->carol);
  app_test_wait_until (shown_n, &wait, "the notification", 30);
  g_assert_cmpstr (g_ptr_array_index (fake.shown, 0), ==,
                   "A new bid on your job|Logo for a bakery");
  refresh_my_jobs (window, &f->carol);
  refresh_my_jobs (window, &f->carol);
  g_assert_cmpuint (fake.shown->len, ==, 1);

  /* clicking it opens the job */
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (
                       app_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK))),
                   ==, "market");
  g_dbus_connection_emit_signal (fake.bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", fake.last_id, "default"), &error);
  g_assert_no_error (error);
  page = rein_my_jobs_view_get_job_page (rein_window_get_my_jobs_view (window));
  app_test_wait_until (shows_job, page, "the job from the notification", 30);
  g_assert_cmpstr (rein_my_job_get_job_id (rein_job_page_get_job (page)), ==, job_id);

  /* another bid: one more */
  place_bid (&f->mallory, job_id, "0.04");
  refresh_my_jobs (window, &f->carol);
  wait.n = 2;
  app_test_wait_until (shown_n, &wait, "the second notification", 30);
  refresh_my_jobs (window, &f->carol);
  g_assert_cmpuint (fake.shown->len, ==, 2);

  /* turned off with the switch in the preferences: none (a third
   * bidder's bid is news, not shown) */
  person_init (&xena, f->server, "Xena", FALSE);
  prefs = rein_preferences_new (GTK_WINDOW (window), rein_context_get_session (f->carol.context));
  gtk_window_present (GTK_WINDOW (prefs));
  app_test_iterate (100);
  toggle = app_test_child (prefs, "notifications_switch");
  row = ADW_ACTION_ROW (gtk_widget_get_ancestor (GTK_WIDGET (toggle), ADW_TYPE_ACTION_ROW));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "_Notifications");
  g_assert_true (gtk_switch_get_active (toggle));
  /* a click on the row flips its switch (once its animation is done) */
  adw_action_row_activate (row);
  app_test_wait_until (switch_off, toggle, "the switch to turn off", 10);
  g_assert_false (g_settings_get_boolean (settings, "notifications"));
  app_test_screenshot (GTK_WIDGET (prefs), "preferences-notifications-off");
  place_bid (&xena, job_id, "0.03");
  refresh_my_jobs (window, &f->carol);
  app_test_iterate (500);
  g_assert_cmpuint (fake.shown->len, ==, 2);
  /* and on again */
  adw_action_row_activate (row);
  app_test_wait_until (switch_on, toggle, "the switch to turn on", 10);
  g_assert_true (g_settings_get_boolean (settings, "notifications"));
  app_test_destroy_window (GTK_WINDOW (prefs));
  person_clear (&xena);

  /* Walt and Mia, in windows of the same app: nothing for them yet */
  walt = app_window_open (app, &f->walt);
  mia = app_window_open (app, &f->mia);
  g_assert_cmpuint (fake.shown->len, ==, 2);

  /* Carol awards Walt's bid: Walt is told, once */
  job = load_job (&f->carol, job_id);
  text = rein_document_build_offer (bid_of (job, "Walt"), REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  publish_step (&f->carol, job, &text);
  g_clear_object (&job);
  refresh_all (window, walt, mia, f);
  expect_shown (&fake, 3, "Your bid was accepted|Logo for a bakery");
  refresh_all (window, walt, mia, f);
  g_assert_cmpuint (fake.shown->len, ==, 3);

  /* Walt delivers: Carol is told, once */
  job = load_job (&f->walt, job_id);
  text = rein_document_build_delivery (rein_job_get_offer (job), "logo.svg", &error);
  g_assert_no_error (error);
  publish_step (&f->walt, job, &text);
  g_clear_object (&job);
  refresh_all (window, walt, mia, f);
  expect_shown (&fake, 4, "The work on your job was delivered|Logo for a bakery");
  refresh_all (window, walt, mia, f);
  g_assert_cmpuint (fake.shown->len, ==, 4);

  /* Walt disputes: Carol and Mia are told, once each */
  job = load_job (&f->walt, job_id);
  text = rein_document_build_dispute (rein_job_get_offer (job), REIN_DOCUMENT_TYPE_WORKER_DISPUTE,
                                      "The logo is round, as asked.", &error);
  g_assert_no_error (error);
  publish_step (&f->walt, job, &text);
  g_clear_object (&job);
  refresh_all (window, walt, mia, f);
  expect_shown (&fake, 6, "A job was disputed|Logo for a bakery");
  g_assert_cmpstr (g_ptr_array_index (fake.shown, 4), ==, "A job was disputed|Logo for a bakery");
  refresh_all (window, walt, mia, f);
  g_assert_cmpuint (fake.shown->len, ==, 6);

  app_test_destroy_window (GTK_WINDOW (walt));
  app_test_destroy_window (GTK_WINDOW (mia));
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  fake_notifications_stop (&fake);
}

int
main (int argc, char *argv[])
{
  /* GLib's notifications go to the test's own server */
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);

  g_test_add ("/app/job-page/job-1-accept", Fixture, NULL, fixture_setup,
              test_award_and_deliver, fixture_teardown);
  g_test_add ("/app/job-page/job-2-resolve", Fixture, NULL, fixture_setup, test_disputes,
              fixture_teardown);
  g_test_add ("/app/job-page/forged", Fixture, NULL, fixture_setup, test_forged,
              fixture_teardown);
  g_test_add ("/app/job-page/notifications", Fixture, NULL, fixture_setup, test_notifications,
              fixture_teardown);
  return g_test_run ();
}
