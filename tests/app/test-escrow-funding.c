/* test-escrow-funding.c: the escrow cards of an awarded job
 * (rein-escrow-funding.h), in a test window of their own, against a real
 * rein-server and the test chain server: the cards follow the chain's
 * data (unfunded, partly, funded, confirmed), the QR codes on screen and
 * saved decode to exactly the payment request, the copy buttons fill the
 * clipboard, the creator and the worker are told what to do, and each
 * escrow's notification is sent once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <string.h>

#include "app-test-util.h"
#include "rein-bid-dialog.h"
#include "escrow-test-util.h"
#include "payout-test-util.h"
#include "rein-chain-settings.h"
#include "rein-escrow-funding.h"
#include "rein-preferences.h"
#include "rein-test-util.h"


/* ---- a notification server on the private session bus ---- */

static const gchar notifications_xml[] =
    "<node><interface name='org.gtk.Notifications'>"
    "<method name='AddNotification'><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    "<method name='RemoveNotification'><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/></method>"
    "</interface></node>";

typedef struct
{
  GDBusConnection *connection;
  guint registration;
  GPtrArray *sent; /* "ID: title" */
} Notifications;

static void
notifications_method_cb (GDBusConnection *connection, const gchar *sender, const gchar *path,
                         const gchar *interface, const gchar *method, GVariant *parameters,
                         GDBusMethodInvocation *invocation, gpointer user_data)
{
  Notifications *n = user_data;

  if (g_str_equal (method, "AddNotification"))
    {
      const gchar *id;
      g_autoptr (GVariant) notification = NULL;
      const gchar *title = NULL;
      const gchar *action = NULL;
      g_autoptr (GVariant) target = NULL;

      g_variant_get (parameters, "(&s&s@a{sv})", NULL, &id, &notification);
      g_variant_lookup (notification, "title", "&s", &title);
      /* clicking it opens the job */
      g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
      g_assert_cmpstr (action, ==, "app.show-job");
      target = g_variant_lookup_value (notification, "default-action-target", G_VARIANT_TYPE_STRING);
      g_assert_nonnull (target);
      g_assert_true (g_str_has_prefix (id, "escrow-funded-"));
      g_assert_true (g_str_has_prefix (id + strlen ("escrow-funded-"),
                                       g_variant_get_string (target, NULL)));
      g_ptr_array_add (n->sent, g_strdup_printf ("%s: %s", id, title != NULL ? title : ""));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Owns org.gtk.Notifications on a connection of its own, so that GLib
 * sends the app's notifications to it. The suite runs on a private
 * session bus (build-aux/test.sh): without one the notifications could
 * not be counted, and the test fails rather than pass unchecked. */
static gboolean
notifications_start (Notifications *n)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autofree gchar *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GDBusNodeInfo) info = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  n->sent = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (address);
  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  n->connection = g_dbus_connection_new_for_address_sync (
      address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  n->registration = g_dbus_connection_register_object (n->connection, "/org/gtk/Notifications",
                                                       info->interfaces[0], &vtable, n, NULL,
                                                       &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (n->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.gtk.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
notifications_stop (Notifications *n)
{
  if (n->connection != NULL)
    {
      g_dbus_connection_unregister_object (n->connection, n->registration);
      g_dbus_connection_close_sync (n->connection, NULL, NULL);
      g_clear_object (&n->connection);
    }
  g_clear_pointer (&n->sent, g_ptr_array_unref);
}

/* ---- the fixture ---- */

typedef struct
{
  EscrowWorld w;
  gchar *tmp;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  escrow_world_init (&f->w, 2);
  f->tmp = g_dir_make_tmp ("rein-escrow-funding-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  escrow_world_clear (&f->w);
  rein_test_remove_tree (f->tmp);
  g_free (f->tmp);
}

/* @p's row in My Jobs for @job_id, after a refresh of the market and of
 * My Jobs. */
static ReinMyJob *
my_job_of (Person *p, const gchar *job_id)
{
  ReinMyJobs *service = rein_context_get_my_jobs (p->context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GListModel *jobs;

  refresh (market_of (p));
  rein_my_jobs_refresh_async (service, NULL, wait_cb, &result);
  wait_for (&result);
  g_assert_true (rein_my_jobs_refresh_finish (service, result, &error));
  g_assert_no_error (error);
  jobs = rein_my_jobs_get_jobs (service);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_my_job_get_job_id (job), job_id) == 0)
        return g_steal_pointer (&job);
    }
  g_assert_not_reached ();
}

typedef struct
{
  GtkWindow *window;
  GtkWidget *content; /* the page in the scrolled window, with its background */
  ReinEscrowFunding *funding;
  guint refreshed;
} Page;

static void
refreshed_cb (ReinEscrowWatch *watch, Page *page)
{
  page->refreshed++;
}

/* @p's cards for the awarded job @job_id, in a window of their own. */
static void
page_open_job (Page *page, Person *p, const gchar *job_id)
{
  g_autoptr (ReinMyJob) job = my_job_of (p, job_id);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  page->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (page->window, 900, 1000);
  page->funding = REIN_ESCROW_FUNDING (rein_escrow_funding_new (p->context));
  gtk_widget_set_margin_top (GTK_WIDGET (page->funding), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (page->funding), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (page->funding), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (page->funding), 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 860);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (page->funding));
  page->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (page->content, "background");
  gtk_box_append (GTK_BOX (page->content), clamp);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), page->content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_window_set_child (page->window, scrolled);
  gtk_window_present (page->window);
  rein_escrow_funding_set_job (page->funding, job);
  g_assert_true (rein_escrow_funding_get_job (page->funding) == job);
  g_assert_nonnull (rein_escrow_funding_get_watch (page->funding));
  rein_escrow_watch_set_interval (rein_escrow_funding_get_watch (page->funding), 0);
  g_signal_connect (rein_escrow_funding_get_watch (page->funding), "refreshed",
                    G_CALLBACK (refreshed_cb), page);
}

/* The same for the world's job. */
static void
page_open (Page *page, Fixture *f, Person *p)
{
  page_open_job (page, p, rein_job_get_id (f->w.job));
}

static gboolean
refreshed_since (gpointer data)
{
  Page *page = data;

  return page->refreshed > 0;
}

/* Looks up again (the first lookup starts by itself) and waits. */
static void
page_refresh (Page *page, gboolean first)
{
  ReinEscrowWatch *watch = rein_escrow_funding_get_watch (page->funding);

  /* the first lookup may have ended while another page was opened */
  if (first && rein_escrow_watch_get_looked_up (watch))
    return;
  page->refreshed = 0;
  if (!first)
    rein_escrow_watch_refresh (watch);
  app_test_wait_until (refreshed_since, page, "a lookup of the escrows", 60);
  g_assert_null (rein_escrow_watch_get_error (watch));
  app_test_iterate (50);
}

static void
page_close (Page *page)
{
  gpointer watch = rein_escrow_funding_get_watch (page->funding);

  /* nothing else keeps the watch */
  g_object_add_weak_pointer (watch, &watch);
  rein_escrow_funding_set_job (page->funding, NULL);
  g_assert_null (rein_escrow_funding_get_watch (page->funding));
  g_assert_null (watch);
  app_test_destroy_window (page->window);
}

static const gchar *
card_text (Page *page, ReinEscrowKind kind, const gchar *name)
{
  GtkWidget *label = app_test_find_by_name (rein_escrow_funding_get_card (page->funding, kind), name);

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
assert_card (Page *page, ReinEscrowKind kind, const gchar *pill, const gchar *status)
{
  g_assert_cmpstr (card_text (page, kind, "status"), ==, pill);
  g_assert_cmpstr (card_text (page, kind, "status-detail"), ==, status);
}

static const gchar *
address_of (Page *page, ReinEscrowKind kind)
{
  const ReinEscrowStatus *status = rein_escrow_watch_get_status (
      rein_escrow_funding_get_watch (page->funding));

  return kind == REIN_ESCROW_PRIMARY ? status->primary.address : status->mediator.address;
}

/* The payment request, written out by hand: BIP21 with the amount in BTC
 * and the label percent-encoded. */
static gchar *
expected_uri (Page *page, ReinEscrowKind kind, const gchar *amount)
{
  return g_strdup_printf ("bitcoin:%s?amount=%s&label=%s%%20Logo%%20for%%20a%%20bakery",
                          address_of (page, kind), amount,
                          kind == REIN_ESCROW_PRIMARY ? "Rein%20escrow%3A"
                                                      : "Rein%20mediator%20fee%3A");
}

/* The card's QR code as it is on screen, decoded. */
static gchar *
decode_screen (Page *page, ReinEscrowKind kind, const gchar *name)
{
  GtkWidget *qr = app_test_find_by_name (rein_escrow_funding_get_card (page->funding, kind), "qr");
  const gchar *env = g_getenv ("REIN_SCREENSHOT_DIR");
  g_autofree gchar *path = NULL;

  g_assert_nonnull (qr);
  g_assert_true (gtk_widget_get_visible (qr));
  g_object_unref (app_test_screenshot_in (qr, "escrow-qr", name));
  path = g_strdup_printf ("%s/escrow-qr/%s.png", env ? env : "screenshots", name);
  return zbar_decode (path);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The QR code saved as a PNG, decoded. */
static gchar *
decode_saved (Page *page, Fixture *f, ReinEscrowKind kind)
{
  g_autofree gchar *path = g_build_filename (f->tmp, kind == REIN_ESCROW_PRIMARY ? "primary.png"
                                                                                 : "mediator.png",
                                             NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_escrow_funding_save_qr_async (page->funding, kind, file, NULL, saved_cb, &result);
  wait_for (&result);
  g_assert_true (rein_escrow_funding_save_qr_finish (page->funding, result, &error));
  g_assert_no_error (error);
  return zbar_decode (path);
}

/* Both codes, on screen and saved, are exactly these requests. */
static void
assert_requests (Page *page, Fixture *f, const gchar *primary_amount,
                 const gchar *mediator_amount, const gchar *name)
{
  for (ReinEscrowKind kind = REIN_ESCROW_PRIMARY; kind <= REIN_ESCROW_MEDIATOR; kind++)
    {
      const gchar *amount = kind == REIN_ESCROW_PRIMARY ? primary_amount : mediator_amount;
      g_autofree gchar *expected = expected_uri (page, kind, amount);
      g_autofree gchar *shot = g_strdup_printf ("%s-%s", name,
                                                kind == REIN_ESCROW_PRIMARY ? "primary"
                                                                            : "mediator");
      g_autofree gchar *on_screen = decode_screen (page, kind, shot);
      g_autofree gchar *saved = decode_saved (page, f, kind);

      g_assert_cmpstr (rein_escrow_funding_get_uri (page->funding, kind), ==, expected);
      g_assert_cmpstr (on_screen, ==, expected);
      g_assert_cmpstr (saved, ==, expected);
    }
}

static void
read_text_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* What the clipboard holds after @action ("escrow.copy-address") on the
 * card of @kind. */
static gchar *
copy (Page *page, const gchar *action, const gchar *kind)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (page->funding));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gchar *text;

  gdk_clipboard_set_text (clipboard, "something else");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page->funding), action, "s", kind));
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &result);
  wait_for (&result);
  text = gdk_clipboard_read_text_finish (clipboard, result, &error);
  g_assert_no_error (error);
  return text;
}

/* Wide and narrow (360 px), light and dark; the primary code stays
 * readable in every one of them. */
static void
shoot (Page *page, const gchar *state, const gchar *primary_uri)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  for (guint dark = 0; dark < 2; dark++)
    for (guint narrow = 0; narrow < 2; narrow++)
      {
        g_autofree gchar *name = g_strdup_printf ("escrow-funding-%s-%s-%s", state,
                                                  narrow ? "narrow" : "wide",
                                                  dark ? "dark" : "light");
        gint width = narrow ? 360 : 900;

        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
        gtk_window_set_default_size (page->window, width, 1000);
        for (guint i = 0; i < 100 && gtk_widget_get_width (GTK_WIDGET (page->window)) != width; i++)
          app_test_iterate (50);
        g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (page->window)), ==, width);
        /* the whole page, both cards, as it scrolls in the window */
        app_test_screenshot (page->content, name);
        if (primary_uri != NULL)
          {
            g_autofree gchar *read = decode_screen (page, REIN_ESCROW_PRIMARY, name);

            g_assert_cmpstr (read, ==, primary_uri);
          }
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (page->window, 900, 1000);
  app_test_iterate (100);
}

static gboolean
has_prefix (const gchar *text, const gchar *prefix)
{
  return text != NULL && g_str_has_prefix (text, prefix);
}

static void
fund (Fixture *f, Page *page, ReinEscrowKind kind, gint64 value, guint confirmations)
{
  g_free (test_chain_fund (f->w.chain, address_of (page, kind), value, confirmations));
}

static void
test_cards (Fixture *f, gconstpointer data)
{
  Notifications notifications = { 0 };
  gboolean bus = notifications_start (&notifications);
  Page carol = { 0 }, walt = { 0 };
  g_autofree gchar *copied = NULL;
  g_autofree gchar *primary_uri = NULL;

  page_open (&carol, f, &f->w.carol);
  page_open (&walt, f, &f->w.walt);
  page_refresh (&carol, TRUE);
  page_refresh (&walt, TRUE);

  /* unfunded: all of it is asked for */
  assert_card (&carol, REIN_ESCROW_PRIMARY, "Unfunded", "Nothing has been paid in yet.");
  assert_card (&carol, REIN_ESCROW_MEDIATOR, "Unfunded", "Nothing has been paid in yet.");
  g_assert_cmpstr (card_text (&carol, REIN_ESCROW_PRIMARY, "due"), ==, "0.01 BTC");
  g_assert_cmpstr (card_text (&carol, REIN_ESCROW_MEDIATOR, "due"), ==, "0.00015 BTC");
  g_assert_nonnull (strstr (card_text (&carol, REIN_ESCROW_MEDIATOR, "due-detail"), "1.5%"));
  g_assert_cmpstr (card_text (&carol, REIN_ESCROW_PRIMARY, "address"), ==,
                   address_of (&carol, REIN_ESCROW_PRIMARY));
  g_assert_true (has_prefix (card_text (&carol, REIN_ESCROW_PRIMARY, "badge"),
                             "The address matches the script"));
  /* the script shows when its expander opens */
  gtk_expander_set_expanded (GTK_EXPANDER (app_test_find_by_type (
                                 rein_escrow_funding_get_card (carol.funding, REIN_ESCROW_PRIMARY),
                                 GTK_TYPE_EXPANDER)),
                             TRUE);
  g_assert_cmpstr (card_text (&carol, REIN_ESCROW_PRIMARY, "script"), ==,
                   rein_escrow_watch_get_status (rein_escrow_funding_get_watch (carol.funding))
                       ->primary.redeem_script_hex);
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (carol.funding),
                             "Fund both escrows"));
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (walt.funding),
                             "Wait before you start: Carol has not funded"));
  /* the worker sees the same addresses */
  g_assert_cmpstr (address_of (&walt, REIN_ESCROW_PRIMARY), ==,
                   address_of (&carol, REIN_ESCROW_PRIMARY));
  assert_requests (&carol, f, "0.01", "0.00015", "unfunded");

  /* copy: the address and the request */
  copied = copy (&carol, "escrow.copy-address", "primary");
  g_assert_cmpstr (copied, ==, address_of (&carol, REIN_ESCROW_PRIMARY));
  g_clear_pointer (&copied, g_free);
  copied = copy (&carol, "escrow.copy-uri", "mediator");
  g_assert_cmpstr (copied, ==, rein_escrow_funding_get_uri (carol.funding, REIN_ESCROW_MEDIATOR));
  g_assert_true (g_str_has_prefix (copied, "bitcoin:"));
  g_clear_pointer (&copied, g_free);

  primary_uri = expected_uri (&carol, REIN_ESCROW_PRIMARY, "0.01");
  shoot (&carol, "unfunded", primary_uri);

  /* partly: the request asks for what is missing */
  fund (f, &carol, REIN_ESCROW_PRIMARY, 400000, 0);
  page_refresh (&carol, FALSE);
  assert_card (&carol, REIN_ESCROW_PRIMARY, "Partly funded",
               "0.006 BTC (600000 sat) missing");
  assert_card (&carol, REIN_ESCROW_MEDIATOR, "Unfunded", "Nothing has been paid in yet.");
  assert_requests (&carol, f, "0.006", "0.00015", "partly");
  g_clear_pointer (&primary_uri, g_free);
  primary_uri = expected_uri (&carol, REIN_ESCROW_PRIMARY, "0.006");
  shoot (&carol, "partly", primary_uri);

  /* the backend fails: said, and what was known stays */
  test_chain_set_mode (f->w.chain, "error500");
  carol.refreshed = 0;
  rein_escrow_watch_refresh (rein_escrow_funding_get_watch (carol.funding));
  app_test_wait_until (refreshed_since, &carol, "a failed lookup", 60);
  {
    GtkWidget *error_label = app_test_child (carol.funding, "error_label");

    g_assert_true (gtk_widget_get_visible (error_label));
    g_assert_true (has_prefix (gtk_label_get_text (GTK_LABEL (error_label)),
                               "Could not check the escrows: "));
    assert_card (&carol, REIN_ESCROW_PRIMARY, "Partly funded", "0.006 BTC (600000 sat) missing");
    app_test_screenshot (carol.content, "escrow-funding-backend-error");
    test_chain_set_mode (f->w.chain, "normal");
    page_refresh (&carol, FALSE);
    g_assert_false (gtk_widget_get_visible (error_label));
  }

  /* funded, not confirmed enough: nothing more is asked */
  fund (f, &carol, REIN_ESCROW_PRIMARY, 600000, 0);
  fund (f, &carol, REIN_ESCROW_MEDIATOR, ESCROW_FEE, 0);
  test_chain_mine (f->w.chain, 1);
  page_refresh (&carol, FALSE);
  assert_card (&carol, REIN_ESCROW_PRIMARY, "Funded, unconfirmed",
               "Funded: 1 of 2 confirmations");
  assert_card (&carol, REIN_ESCROW_MEDIATOR, "Funded, unconfirmed",
               "Funded: 1 of 2 confirmations");
  g_assert_null (rein_escrow_funding_get_uri (carol.funding, REIN_ESCROW_PRIMARY));
  g_assert_false (gtk_widget_get_visible (
      app_test_find_by_name (rein_escrow_funding_get_card (carol.funding, REIN_ESCROW_PRIMARY), "qr")));
  g_assert_true (gtk_widget_get_visible (
      app_test_find_by_name (rein_escrow_funding_get_card (carol.funding, REIN_ESCROW_PRIMARY), "paid")));
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (carol.funding),
                             "Fund both escrows"));
  if (bus)
    g_assert_cmpuint (notifications.sent->len, ==, 0);

  /* confirmed: both are told, each escrow's notification once */
  test_chain_mine (f->w.chain, 1);
  page_refresh (&carol, FALSE);
  page_refresh (&walt, FALSE);
  assert_card (&carol, REIN_ESCROW_PRIMARY, "Funded", "Funded, 2 confirmations");
  assert_card (&carol, REIN_ESCROW_MEDIATOR, "Funded", "Funded, 2 confirmations");
  assert_card (&walt, REIN_ESCROW_PRIMARY, "Funded", "Funded, 2 confirmations");
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (carol.funding),
                             "Both escrows are funded. Walt can start"));
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (walt.funding), "Safe to start"));
  shoot (&carol, "funded", NULL);
  shoot (&walt, "funded-worker", NULL);
  test_chain_mine (f->w.chain, 1);
  page_refresh (&carol, FALSE);
  assert_card (&carol, REIN_ESCROW_PRIMARY, "Funded", "Funded, 3 confirmations");
  /* the cards send no notification of their own: the context's watches
   * do (/app/escrow-funding/notified-closed) */
  app_test_iterate (200);
  if (bus)
    g_assert_cmpuint (notifications.sent->len, ==, 0);

  page_close (&carol);
  page_close (&walt);
  notifications_stop (&notifications);
}

/* Walt is awarded a second job by Carol with Mia: its escrow addresses
 * are the first job's. Funded for the first, they look funded for the
 * second too: the page says they are shared, and neither job is safe to
 * start. */
static void
test_shared (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinJob) second = award_job (&f->w.carol, &f->w.walt, &f->w.mia, "Menu cards",
                                          ESCROW_BID);
  Page first = { 0 }, walt = { 0 };
  const gchar *advice;

  page_open (&first, f, &f->w.walt);
  page_refresh (&first, TRUE);
  fund (f, &first, REIN_ESCROW_PRIMARY, ESCROW_DUE, 3);
  fund (f, &first, REIN_ESCROW_MEDIATOR, ESCROW_FEE, 3);
  page_open_job (&walt, &f->w.walt, rein_job_get_id (second));
  page_refresh (&walt, TRUE);
  g_assert_cmpstr (address_of (&walt, REIN_ESCROW_PRIMARY), ==,
                   address_of (&first, REIN_ESCROW_PRIMARY));
  assert_card (&walt, REIN_ESCROW_PRIMARY, "Shared", "Funded, 3 confirmations");
  assert_card (&walt, REIN_ESCROW_MEDIATOR, "Shared", "Funded, 3 confirmations");
  advice = rein_escrow_funding_get_advice (walt.funding);
  g_assert_true (has_prefix (advice, "These escrow addresses are also those of “" ESCROW_JOB_NAME
                                     "”"));
  g_assert_nonnull (strstr (advice, "Do not count on this funding"));
  g_assert_false (rein_escrow_watch_get_safe_to_start (rein_escrow_funding_get_watch (walt.funding)));
  shoot (&walt, "shared", NULL);
  /* and the first job's page names the second */
  page_refresh (&first, FALSE);
  g_assert_true (has_prefix (rein_escrow_funding_get_advice (first.funding),
                             "These escrow addresses are also those of “Menu cards”"));
  page_close (&walt);
  page_close (&first);
}

/* Walt bids on a second job of Carol's with Mia while his first is not
 * done: the bid's review warns that its escrow addresses are the first
 * job's. On a job of another creator, no warning. */
static void
test_bid_shared (Fixture *f, gconstpointer data)
{
  g_autofree gchar *second = post_job (&f->w.carol, &f->w.mia, "Menu cards", "Design",
                                       "Two cards.");
  Person max = { 0 };
  g_autofree gchar *others = NULL;
  const gchar *job_ids[2] = { second, NULL };
  g_autoptr (ReinMyJob) first = my_job_of (&f->w.walt, rein_job_get_id (f->w.job));

  g_assert_cmpint (rein_my_job_get_state (first), ==, REIN_JOB_STATE_AWARDED);
  /* another mediator: other escrow addresses */
  person_init (&max, f->w.server, "Max", TRUE);
  others = post_job (&f->w.carol, &max, "Flyer", "Design", "One flyer.");
  job_ids[1] = others;
  refresh (market_of (&f->w.walt));
  for (guint j = 0; j < G_N_ELEMENTS (job_ids); j++)
    {
      GListModel *jobs = rein_market_service_get_jobs (market_of (&f->w.walt));
      g_autoptr (ReinJobSummary) summary = NULL;
      ReinBidDialog *bid;
      const gchar *warning;

      for (guint i = 0; i < g_list_model_get_n_items (jobs) && summary == NULL; i++)
        {
          g_autoptr (ReinJobSummary) s = g_list_model_get_item (jobs, i);

          if (g_str_equal (rein_job_summary_get_job_id (s), job_ids[j]))
            summary = g_steal_pointer (&s);
        }
      g_assert_nonnull (summary);
      gtk_window_present (GTK_WINDOW (rein_bid_dialog_new (NULL, f->w.walt.context, summary)));
      app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "form");
      bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
      rein_bid_dialog_set_bid (bid, "Both by Monday.", "0.02");
      gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
      g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "review");
      warning = app_test_fact_of (GTK_WIDGET (bid), "Shared escrow");
      if (j == 0)
        {
          g_assert_true (has_prefix (warning, "These are also the escrow addresses of “"
                                              ESCROW_JOB_NAME "”: the same three people are "
                                              "on both jobs."));
          app_test_screenshot (GTK_WIDGET (bid), "escrow-funding-bid-shared");
        }
      else
        g_assert_null (warning);
      app_test_destroy_window (GTK_WINDOW (bid));
      app_test_iterate (50);
    }
  person_clear (&max);
}

/* Carol's escrow cards of @job_id: none, and the widget says there is no
 * escrow yet. */
static void
assert_no_escrow (Fixture *f, const gchar *job_id)
{
  g_autoptr (ReinMyJob) job = my_job_of (&f->w.carol, job_id);
  GtkWidget *funding = rein_escrow_funding_new (f->w.carol.context);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkLabel *empty;

  gtk_window_set_child (window, funding);
  gtk_window_present (window);
  rein_escrow_funding_set_job (REIN_ESCROW_FUNDING (funding), job);
  g_assert_null (rein_escrow_funding_get_watch (REIN_ESCROW_FUNDING (funding)));
  g_assert_null (rein_escrow_funding_get_card (REIN_ESCROW_FUNDING (funding), REIN_ESCROW_PRIMARY));
  empty = app_test_child (funding, "empty_label");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (empty)));
  g_assert_true (has_prefix (gtk_label_get_text (empty), "No escrow yet"));
  app_test_destroy_window (window);
}

/* A job without an award has no escrow: the widget says so. */
static void
test_not_awarded (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->w.carol, &f->w.mia, "Not yet", "Design", "Later.");

  assert_no_escrow (f, job_id);
}

/* ---- preferences ---- */

static gboolean
sensitive (gpointer widget)
{
  return gtk_widget_get_sensitive (widget);
}

typedef struct
{
  ReinStore *store;
  const gchar *what;
  gint64 expected;
} Stored;

static gboolean
stored (gpointer data)
{
  Stored *s = data;
  g_autofree gchar *url = NULL;

  if (g_str_equal (s->what, "confirmations"))
    return rein_chain_settings_get_confirmations (s->store) == (guint) s->expected;
  if (g_str_equal (s->what, "fee-target"))
    return rein_chain_settings_get_fee_target (s->store) == (guint) s->expected;
  if (g_str_equal (s->what, "fee-cap"))
    return rein_chain_settings_get_fee_cap (s->store) == s->expected;
  if (g_str_equal (s->what, "network"))
    return rein_chain_settings_get_network (s->store, TRUE) == (ReinChainNetwork) s->expected;
  url = rein_chain_settings_dup_url (s->store, REIN_CHAIN_NETWORK_MAINNET, NULL);
  return g_strcmp0 (url, "http://127.0.0.1:1/api/") == 0;
}

static void
wait_stored (ReinStore *store, const gchar *what, gint64 expected)
{
  Stored s = { store, what, expected };

  app_test_wait_until (stored, &s, what, 30);
}

/* The Payments page of the preferences, once it has read the settings. */
static ReinPreferences *
preferences_open (Fixture *f)
{
  ReinPreferences *prefs = rein_preferences_new (NULL, rein_context_get_session (f->w.carol.context));

  gtk_window_present (GTK_WINDOW (prefs));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           app_test_child (prefs, "payments_page"));
  app_test_wait_until (sensitive, app_test_child (prefs, "payments_page"), "the chain settings",
                       30);
  return prefs;
}

static void
test_preferences (Fixture *f, gconstpointer data)
{
  ReinStore *store = f->w.carol.store;
  ReinPreferences *prefs = preferences_open (f);
  AdwEntryRow *mainnet = app_test_child (prefs, "mainnet_url_row");
  GtkLabel *status = app_test_child (prefs, "chain_status");
  g_autofree gchar *url = NULL;

  /* what the fixture stored */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mainnet)), ==, f->w.chain->url);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (app_test_child (prefs, "confirmations_spin")),
                   ==, 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (app_test_child (prefs, "fee_target_spin")),
                   ==, REIN_CHAIN_FEE_TARGET_DEFAULT);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (app_test_child (prefs, "fee_cap_spin")), ==,
                   0);
  g_assert_cmpuint (adw_combo_row_get_selected (app_test_child (prefs, "test_network_row")), ==, 0);
  app_test_screenshot (GTK_WIDGET (prefs), "preferences-payments");

  /* each change is written */
  gtk_spin_button_set_value (app_test_child (prefs, "confirmations_spin"), 4);
  wait_stored (store, "confirmations", 4);
  gtk_spin_button_set_value (app_test_child (prefs, "fee_target_spin"), 3);
  wait_stored (store, "fee-target", 3);
  gtk_spin_button_set_value (app_test_child (prefs, "fee_cap_spin"), 5000);
  wait_stored (store, "fee-cap", 5000);

  /* not a backend's address: said, and nothing written */
  gtk_editable_set_text (GTK_EDITABLE (mainnet), "ftp://example.com/");
  g_signal_emit_by_name (mainnet, "apply");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "ftp://example.com/"));
  app_test_iterate (200);
  url = rein_chain_settings_dup_url (store, REIN_CHAIN_NETWORK_MAINNET, NULL);
  g_assert_cmpstr (url, ==, f->w.chain->url);

  /* a good one, kept as the client writes it */
  gtk_editable_set_text (GTK_EDITABLE (mainnet), " http://127.0.0.1:1/api ");
  g_signal_emit_by_name (mainnet, "apply");
  wait_stored (store, "url", 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mainnet)), ==, "http://127.0.0.1:1/api/");

  /* the test network: signet, with no backend of its own yet */
  adw_combo_row_set_selected (app_test_child (prefs, "test_network_row"), 1);
  wait_stored (store, "network", REIN_CHAIN_NETWORK_SIGNET);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (app_test_child (prefs, "test_url_row"))),
                   ==, "");
  app_test_iterate (200);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  app_test_destroy_window (GTK_WINDOW (prefs));

  /* opened again: what was saved */
  prefs = preferences_open (f);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (app_test_child (prefs, "confirmations_spin")),
                   ==, 4);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (app_test_child (prefs, "fee_cap_spin")), ==,
                   5000);
  g_assert_cmpuint (adw_combo_row_get_selected (app_test_child (prefs, "test_network_row")), ==, 1);
  app_test_destroy_window (GTK_WINDOW (prefs));
}

static void
count_funded_cb (ReinEscrowWatches *watches, ReinMyJob *job, ReinEscrowKind kind, guint *funded)
{
  funded[kind]++;
}

static void
count_refreshed_cb (ReinEscrowWatch *watch, guint *refreshed)
{
  (*refreshed)++;
}

static gboolean
is_positive (gpointer data)
{
  return *(guint *) data > 0;
}

/* No page of the job is open: the context's watches of my awarded jobs
 * (fed by My Jobs) see both escrows funded and say so once each, with a
 * notification that opens the job; a job found funded is not watched
 * again. */
static void
test_notified_closed (Fixture *f, gconstpointer data)
{
  Notifications notifications = { 0 };
  gboolean bus = notifications_start (&notifications);
  ReinEscrowWatches *watches = rein_context_get_escrow_watches (f->w.carol.context);
  const gchar *job_id = rein_job_get_id (f->w.job);
  g_autoptr (ReinMyJob) job = NULL;
  g_autoptr (ReinMyJob) again = NULL;
  ReinEscrowWatch *watch;
  guint funded[2] = { 0, 0 };
  guint refreshed = 0;
  const ReinEscrowStatus *status;

  g_assert_null (app_test_find_toplevel (GTK_TYPE_WINDOW));
  rein_escrow_watches_set_interval (watches, 0);
  g_signal_connect (watches, "funded", G_CALLBACK (count_funded_cb), funded);
  job = my_job_of (&f->w.carol, job_id);
  /* not enabled yet: nothing is watched */
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  rein_escrow_funding_notify_all (f->w.carol.context, g_application_get_default ());
  /* once per context, however many windows ask */
  rein_escrow_funding_notify_all (f->w.carol.context, g_application_get_default ());
  watch = rein_escrow_watches_get_watch (watches, job_id);
  g_assert_nonnull (watch);
  g_signal_connect (watch, "refreshed", G_CALLBACK (count_refreshed_cb), &refreshed);
  app_test_wait_until (is_positive, &refreshed, "the first lookup", 60);
  g_assert_cmpint (rein_escrow_watch_get_funding (watch, REIN_ESCROW_PRIMARY), ==,
                   REIN_FUNDING_UNFUNDED);

  /* funded and confirmed (2 required) while no page is open */
  status = rein_escrow_watch_get_status (watch);
  g_free (test_chain_fund (f->w.chain, status->primary.address, ESCROW_DUE, 0));
  g_free (test_chain_fund (f->w.chain, status->mediator.address, ESCROW_FEE, 0));
  test_chain_mine (f->w.chain, 2);
  refreshed = 0;
  rein_escrow_watches_refresh (watches);
  app_test_wait_until (is_positive, &refreshed, "the lookup of the funded escrows", 60);
  g_assert_cmpuint (funded[REIN_ESCROW_PRIMARY], ==, 1);
  g_assert_cmpuint (funded[REIN_ESCROW_MEDIATOR], ==, 1);
  /* both funded: the job is not watched any more */
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  if (bus)
    {
      g_autofree gchar *primary = g_strdup_printf ("escrow-funded-%s-primary: The primary escrow "
                                                   "is funded", job_id);
      g_autofree gchar *mediator = g_strdup_printf ("escrow-funded-%s-mediator: The mediator "
                                                    "escrow is funded", job_id);

      /* the messages may still be on their way */
      for (guint i = 0; i < 100 && notifications.sent->len < 2; i++)
        app_test_iterate (20);
      g_assert_cmpuint (notifications.sent->len, ==, 2);
      g_assert_true (g_ptr_array_find_with_equal_func (notifications.sent, primary, g_str_equal,
                                                       NULL));
      g_assert_true (g_ptr_array_find_with_equal_func (notifications.sent, mediator, g_str_equal,
                                                       NULL));
    }
  else
    g_test_message ("no session bus: the notifications were not checked");

  /* My Jobs refreshed, another block: nothing more is said */
  again = my_job_of (&f->w.carol, job_id);
  g_assert_null (rein_escrow_watches_get_watch (watches, job_id));
  test_chain_mine (f->w.chain, 1);
  rein_escrow_watches_refresh (watches);
  app_test_iterate (500);
  g_assert_cmpuint (funded[REIN_ESCROW_PRIMARY], ==, 1);
  g_assert_cmpuint (funded[REIN_ESCROW_MEDIATOR], ==, 1);
  if (bus)
    g_assert_cmpuint (notifications.sent->len, ==, 2);
  g_signal_handlers_disconnect_by_data (watches, funded);
  notifications_stop (&notifications);
}

/* The value of the line of @text that starts with @label. */
static gchar *
field_of (const gchar *text, const gchar *label)
{
  const gchar *start = strstr (text, label);
  const gchar *end;

  g_assert_nonnull (start);
  start += strlen (label);
  end = strchr (start, '\n');
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

/* An offer whose primary escrow address is not the one the job's keys
 * make, put on the server unchecked (as a forger would): the reader does
 * not let it award the job, so no card asks anyone to pay into it. (The
 * cards' own warning badge for such an offer cannot be reached through
 * the reader: it stays as a second guard.) */
static void
test_forged_offer (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job_id = post_job (&f->w.carol, &f->w.mia, "Poster", "Design",
                                       "A poster.");
  g_autoptr (ReinJob) job = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *offer = NULL;
  g_autofree gchar *primary = NULL, *mediator = NULL;
  g_autofree gchar *line = NULL, *forged_line = NULL;
  g_auto (GStrv) parts = NULL;
  g_autofree gchar *forged = NULL;

  place_bid (&f->w.walt, job_id, "0.02");
  job = load_job (&f->w.carol, job_id);
  offer = rein_document_build_offer (g_ptr_array_index (rein_job_get_bids (job), 0),
                                     REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  g_clear_object (&job);
  /* the primary escrow address of the offer: the mediator escrow's */
  primary = field_of (offer, "Primary escrow address: ");
  mediator = field_of (offer, "Mediator escrow address: ");
  g_assert_cmpstr (primary, !=, mediator);
  line = g_strdup_printf ("Primary escrow address: %s\n", primary);
  forged_line = g_strdup_printf ("Primary escrow address: %s\n", mediator);
  parts = g_strsplit (offer, line, -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  forged = g_strjoinv (forged_line, parts);
  put_unchecked (&f->w.carol, forged);

  assert_no_escrow (f, job_id);
  job = load_job (&f->w.carol, job_id);
  g_assert_null (rein_job_get_offer (job));
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_BIDS);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GApplication) app = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  /* amounts as the C locale writes them */
  setlocale (LC_NUMERIC, "C");

  /* notifications need a registered application */
  app = g_application_new ("org.reinproject.Rein.TestEscrowFunding", G_APPLICATION_NON_UNIQUE);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    {
      g_assert_true (g_application_register (app, NULL, &error));
      g_assert_no_error (error);
    }
  g_application_set_default (app);

  g_test_add ("/app/escrow-funding/cards", Fixture, NULL, fixture_setup, test_cards,
              fixture_teardown);
  g_test_add ("/app/escrow-funding/shared", Fixture, NULL, fixture_setup, test_shared,
              fixture_teardown);
  g_test_add ("/app/escrow-funding/bid-shared", Fixture, NULL, fixture_setup, test_bid_shared,
              fixture_teardown);
  g_test_add ("/app/escrow-funding/preferences", Fixture, NULL, fixture_setup, test_preferences,
              fixture_teardown);
  g_test_add ("/app/escrow-funding/notified-closed", Fixture, NULL, fixture_setup,
              test_notified_closed, fixture_teardown);
  g_test_add ("/app/escrow-funding/forged-offer", Fixture, NULL, fixture_setup, test_forged_offer,
              fixture_teardown);
  g_test_add ("/app/escrow-funding/not-awarded", Fixture, NULL, fixture_setup, test_not_awarded,
              fixture_teardown);
  status = g_test_run ();
  g_application_set_default (NULL);
  return status;
}
