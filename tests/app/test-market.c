/* test-market.c: the Market tab of the real window, in-process under Xvfb,
 * against a real rein-server on loopback: Bob's jobs after a refresh,
 * search, category, open only, sort, the detail pane, narrow and wide,
 * light and dark; a bid and a post made in the app reach the server and
 * Bob's rein-cli; forged documents never show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <adwaita.h>

#include "app-test-util.h"
#include "client-test-util.h"
#include "rein-bid-dialog.h"
#include "rein-job-row.h"
#include "rein-payout.h"
#include "rein-post-dialog.h"
#include "rein-review-page.h"
#include "rein-test-util.h"
#include "rein-window.h"

#define NARROW 360

typedef struct
{
  TestServer *server;
  Person alice; /* mediates */
  Person bob;   /* posts */
  Person you;   /* the app's */
  gchar *logo_id;
  gchar *manual_id;
  gchar *website_id;
  gchar *forged_id;
  ReinWindow *window;
  ReinMarketView *view;
} Fixture;

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done (@data) is TRUE; fails after 30 s. */
static void
wait_until (gboolean (*done) (gpointer data), gpointer data, const gchar *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  if (!done (data))
    g_error ("timed out waiting for %s", what);
}

static gboolean
market_idle (gpointer data)
{
  Fixture *f = data;
  ReinMarketService *market = rein_context_get_market (f->you.context);

  return rein_market_service_get_loaded (market) && !rein_market_service_get_refreshing (market)
         && !rein_market_view_get_searching (f->view);
}

static void
wait_market (Fixture *f)
{
  wait_until (market_idle, f, "the market");
  app_test_iterate (50);
}

/* A job whose name and description try to break a list: a right-to-left
 * override that would turn the rest of the row around, right-to-left
 * script, 7 KiB of text. Signed by Bob, valid. (Control characters never
 * get this far: no reader parses a document that has them.) */
static void
post_hostile_job (Fixture *f)
{
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autoptr (GString) description = g_string_new ("Start ");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) done = NULL;
  g_autofree gchar *text = NULL;
  ReinMarketService *bobs = market_of (&f->bob);
  GListModel *mediators = rein_market_service_get_mediators (bobs);
  g_autoptr (ReinDocument) alice = g_list_model_get_item (mediators, 0);

  while (description->len < 7000)
    g_string_append (description, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d wordwordwordwordword ");
  text = g_strdup_printf (
      "Rein Job\nJob name: \xe2\x80\xaeRed \xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa job\n"
      "Job ID: %s\nCategory: \xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa\nDescription: %s\n"
      "Mediator: %s\nMediator contact: %s\nMediator fee: %s\nMediator public key: %s\n"
      "Mediator master address: %s\nJob creator: Bob\nJob creator contact: bob@example.com\n"
      "Job creator public key: %s\nJob creator master address: %s",
      job_id, description->str, rein_document_get_field (alice, REIN_LABEL_USER),
      rein_document_get_field (alice, REIN_LABEL_CONTACT),
      rein_document_get_field (alice, REIN_LABEL_MEDIATOR_FEE),
      rein_document_get_field (alice, REIN_LABEL_MEDIATOR_PUBLIC_KEY),
      rein_document_get_field (alice, REIN_LABEL_MASTER_ADDRESS),
      rein_identity_get_delegate_public_key (f->bob.identity),
      rein_identity_get_master_address (f->bob.identity));
  done = publish (&f->bob, NULL, text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (done->n_servers_ok, ==, 1);
}

static gboolean
bobs_jobs_shown (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (rein_market_view_get_shown (f->view)) >= 3;
}

/* What the market view showed as a refresh read its pages. */
typedef struct
{
  ReinMarketView *view;
  gchar *status;     /* the status line, at the last count */
  gchar *count;      /* the count beside it, then */
  gchar *loading;    /* the loading page's count, then */
  gboolean icon;     /* the refresh's icon beside it */
  gboolean spinning; /* a spinner spun meanwhile */
} ReadSeen;

static void
read_seen_cb (ReinMarketService *market, GParamSpec *pspec, ReadSeen *seen)
{
  if (!rein_market_service_get_refreshing (market)
      || rein_market_service_get_documents_read (market) == 0)
    return;
  g_free (seen->status);
  seen->status = g_strdup (gtk_label_get_text (app_test_child (seen->view, "status_label")));
  g_free (seen->count);
  seen->count = gtk_widget_get_visible (app_test_child (seen->view, "status_count"))
                  ? g_strdup (gtk_inscription_get_text (app_test_child (seen->view, "status_count")))
                  : NULL;
  g_free (seen->loading);
  seen->loading = g_strdup (gtk_inscription_get_text (app_test_child (seen->view, "loading_count")));
  seen->icon = gtk_widget_get_visible (app_test_child (seen->view, "status_icon"));
  seen->spinning |= gtk_spinner_get_spinning (app_test_child (seen->view, "loading_spinner"));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  ReadSeen seen = { 0 };
  ReinMarketService *market;

  f->server = test_server_start (NULL, NULL);
  person_init (&f->alice, f->server, "Alice", TRUE);
  person_init (&f->bob, f->server, "Bob", FALSE);
  person_init (&f->you, f->server, "You", FALSE);
  f->logo_id = post_job (&f->bob, &f->alice, "Logo for a bakery", "Graphics",
                         "A round logo for Bob's Bakery, in two colours.");
  f->manual_id = post_job (&f->bob, &f->alice, "Translate a manual", "Writing",
                           "German to English.\nForty pages, by the end of the month.");
  f->website_id = post_job (&f->bob, &f->alice, "Fix my website", "Software",
                            "The bakery's order form loses orders.");
  f->forged_id = put_forged_posting (f->server, &f->bob, &f->alice, "Forged bakery job");
  market = rein_context_get_market (f->you.context);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->window = rein_window_new (NULL, f->you.context);
  f->view = rein_window_get_market_view (f->window);
  seen.view = f->view;
  g_signal_connect (market, "notify::documents-read", G_CALLBACK (read_seen_cb), &seen);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (f->window));
  app_test_wait_loaded (rein_context_get_session (f->you.context));
  /* The window refreshes the market once it has read the store. */
  wait_until (bobs_jobs_shown, f, "Bob's jobs");
  wait_market (f);
  g_signal_handlers_disconnect_by_func (market, read_seen_cb, &seen);
  /* That first refresh, into an empty index, showed the loading page: it
   * counted what it read, and its spinner stopped at the first count. */
  g_assert_nonnull (seen.loading);
  g_assert_true (g_str_has_suffix (seen.loading, " read"));
  g_assert_false (seen.spinning);
  /* and its count does not stay for a later wait */
  g_assert_cmpstr (gtk_inscription_get_text (app_test_child (f->view, "loading_count")), ==, "");
  g_free (seen.status);
  g_free (seen.count);
  g_free (seen.loading);
}

/* Nothing of @f's context is being read: a publication starts a refresh
 * of My Jobs (and a market refresh may follow), whose end is left to
 * come before the window goes. */
static gboolean
context_idle (gpointer data)
{
  Fixture *f = data;

  return !rein_my_jobs_get_refreshing (rein_context_get_my_jobs (f->you.context))
         && !rein_market_service_get_refreshing (rein_context_get_market (f->you.context));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  app_test_wait_until (context_idle, f, "the context's refreshes to end", 90);
  app_test_destroy_window (GTK_WINDOW (f->window));
  app_test_iterate (50);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  person_clear (&f->alice);
  person_clear (&f->bob);
  person_clear (&f->you);
  g_free (f->logo_id);
  g_free (f->manual_id);
  g_free (f->website_id);
  g_free (f->forged_id);
  test_server_stop (f->server);
  test_server_free (f->server);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar **) a, *(const gchar **) b);
}

/* The names shown, in alphabetical order (jobs first seen in the same
 * second have no order of their own). */
static gchar *
shown_names (Fixture *f)
{
  GListModel *shown = rein_market_view_get_shown (f->view);
  g_autoptr (GPtrArray) names = g_ptr_array_new_null_terminated (8, NULL, TRUE);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      g_ptr_array_add (names, (gpointer) rein_job_summary_get_name (s));
    }
  g_ptr_array_sort (names, compare_strings);
  return g_strjoinv ("|", (gchar **) names->pdata);
}

/* Once the market is idle, the names shown are @names (as shown_names()). */
static void
assert_shown (Fixture *f, const gchar *names)
{
  g_autofree gchar *all = NULL;

  wait_market (f);
  all = shown_names (f);
  g_test_message ("\"%s\" shows %s",
                  gtk_editable_get_text (GTK_EDITABLE (app_test_child (f->view, "search_entry"))),
                  all);
  g_assert_cmpstr (all, ==, names);
}

static guint
position_of (Fixture *f, const gchar *job_id)
{
  GListModel *shown = rein_market_view_get_shown (f->view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), job_id))
        return i;
    }
  g_error ("job %s is not shown", job_id);
  return 0;
}

static gboolean
contains (const gchar *haystack, const gchar *needle)
{
  return strstr (haystack, needle) != NULL;
}

/* The widget of @row of @type with CSS class @class. */
static gpointer
row_child (GtkWidget *row, GType type, const gchar *class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) && gtk_widget_has_css_class (child, class))
        return child;
      if ((found = row_child (child, type, class)) != NULL)
        return found;
    }
  return NULL;
}

/* A row of the list for @s (the hostile job): its name whole, with a
 * tooltip asked for when the pointer rests on it (not set at each bind),
 * and the line below it with its category and person isolated, led by the
 * mark of the row's direction. */
static void
check_row (ReinJobSummary *s)
{
  g_autoptr (ReinJobRow) row = g_object_ref_sink (rein_job_row_new ());
  g_autoptr (GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_autofree gchar *category = NULL;
  GtkLabel *name = row_child (GTK_WIDGET (row), GTK_TYPE_LABEL, "heading");
  /* a GtkInscription: laid out at the width it gets only */
  GtkInscription *meta = row_child (GTK_WIDGET (row), GTK_TYPE_INSCRIPTION, "caption");
  gboolean shown = TRUE;

  g_assert_nonnull (s);
  g_assert_nonnull (name);
  g_assert_nonnull (meta);
  g_signal_emit_by_name (name, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_assert_false (shown); /* no job yet */

  rein_job_row_set_summary (row, s);
  g_assert_cmpstr (gtk_label_get_text (name), ==, rein_job_summary_get_name (s));
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (name)));
  g_assert_true (gtk_widget_get_has_tooltip (GTK_WIDGET (name)));
  g_signal_emit_by_name (name, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_assert_true (shown);

  category = g_strconcat (REIN_PERSON_FSI, rein_job_summary_get_category (s), REIN_PERSON_PDI,
                          NULL);
  g_test_message ("meta: %s", gtk_inscription_get_text (meta));
  g_assert_true (g_str_has_prefix (gtk_inscription_get_text (meta), "\xe2\x80\x8e" /* LRM */));
  g_assert_true (contains (gtk_inscription_get_text (meta), category));
  g_assert_true (contains (gtk_inscription_get_text (meta), REIN_PERSON_FSI "Bob"));

  rein_job_row_set_summary (row, NULL);
  g_assert_cmpstr (gtk_label_get_text (name), ==, "");
  g_signal_emit_by_name (name, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_assert_false (shown);
}

/* ---- ReinJobList ---- */

typedef struct
{
  GPtrArray *mirror; /* what the signals said the list holds */
  guint changes;
} Mirror;

/* Follows @list's items-changed into the mirror, and checks that the list
 * holds just that at each signal. */
static void
mirror_changed_cb (GListModel *list, guint position, guint removed, guint added, Mirror *m)
{
  g_assert_cmpuint (position + removed, <=, m->mirror->len);
  g_ptr_array_remove_range (m->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (list, position + i);

      g_assert_nonnull (item);
      g_ptr_array_insert (m->mirror, position + i, item);
    }
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, m->mirror->len);
  for (guint i = 0; i < m->mirror->len; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (list, i);

      g_assert_true (item == m->mirror->pdata[i]);
    }
  m->changes++;
}

/* @n of @jobs picked by @pick (i: index, returns TRUE to keep). */
static GPtrArray *
pick_jobs (GPtrArray *jobs, gboolean (*pick) (guint i))
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < jobs->len; i++)
    if (pick (i))
      g_ptr_array_add (out, jobs->pdata[i]);
  return out;
}

static gboolean pick_all (guint i) { return TRUE; }
static gboolean pick_none (guint i) { return FALSE; }
static gboolean pick_odd (guint i) { return i % 2 == 1; }
static gboolean pick_tenth (guint i) { return i % 10 == 3; }
static gboolean pick_but_one (guint i) { return i != 500; }
static gboolean pick_ends (guint i) { return i < 5 || i >= 990; }

/* The rows shown: every change said is the change made, with the big
 * ones (rows removed and more than a screenful added) in two steps, and
 * nothing said when nothing changed. */
static void
test_job_list (void)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ReinJobList) list = rein_job_list_new ();
  Mirror m = { g_ptr_array_new (), 0 };
  /* each step, and how many changes it takes (G_MAXUINT: not checked) */
  static const struct
  {
    gboolean (*pick) (guint i);
    guint changes;
  } steps[] = {
    { pick_all, 1 },       /* rows added only */
    { pick_odd, 2 },       /* 999 rows out, 499 in: the first 64 with them */
    { pick_tenth, 2 },     /* 500 out, 100 in */
    { pick_ends, G_MAXUINT },
    { pick_none, 1 },
    { pick_all, 1 },
    { pick_but_one, 1 },   /* one row out */
    { pick_ends, 1 },      /* rows out only */
    { pick_all, 1 },       /* rows in only, between the ends */
    { pick_odd, 2 },
    { pick_odd, 0 },       /* the same rows: nothing said */
  };

  for (guint i = 0; i < 1000; i++)
    g_ptr_array_add (jobs, _rein_job_summary_new_read (NULL, i + 1, NULL, NULL, FALSE, NULL, NULL,
                                                       NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                                       REIN_JOB_STATE_POSTED, 0, NULL, 0));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == REIN_TYPE_JOB_SUMMARY);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));
  g_signal_connect (list, "items-changed", G_CALLBACK (mirror_changed_cb), &m);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      GPtrArray *want = pick_jobs (jobs, steps[i].pick);
      guint before = m.changes, n = want->len;

      rein_job_list_replace (list, want);
      g_test_message ("step %u: %u rows, %u changes", i, n, m.changes - before);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
      for (guint j = 0; j < n; j++)
        g_assert_true (m.mirror->pdata[j] == rein_job_list_get_items (list)->pdata[j]);
      if (steps[i].changes != G_MAXUINT)
        g_assert_cmpuint (m.changes - before, ==, steps[i].changes);
    }
  g_ptr_array_unref (m.mirror);
}

/* The click gesture on the job list. */
static GtkEventController *
list_click (Fixture *f)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (
      GTK_WIDGET (app_test_child (f->view, "job_list")));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c)
          && gtk_event_controller_get_propagation_phase (c) == GTK_PHASE_CAPTURE)
        return c; /* the widget holds it */
    }
  g_assert_not_reached ();
}

/* Runs the market view's own shortcut for @key + @mods, as a key press
 * that reached it would; whether it took the key. */
static gboolean
view_shortcut (Fixture *f, guint key, GdkModifierType mods)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->view));
  g_autoptr (GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (key, mods);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (c)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (c), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                 GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                 GTK_WIDGET (f->view),
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  g_assert_not_reached ();
}

static void
test_browse (Fixture *f, gconstpointer data)
{
  g_autofree gchar *all = shown_names (f);
  ReinMarketService *market = rein_context_get_market (f->you.context);
  ReadSeen seen = { .view = f->view };
  GtkLabel *name;

  /* Bob's three jobs, and the hostile one below; never the forgery. */
  post_hostile_job (f);
  /* Counts are told 250 ms apart at most: past the last refresh's (told
   * up to 250 ms after it ended), and 250 ms more, this refresh's first
   * count is told at once (the refresh is quicker than 250 ms). */
  app_test_iterate (600);
  g_signal_connect (market, "notify::documents-read", G_CALLBACK (read_seen_cb), &seen);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.refresh", NULL);
  app_test_iterate (20);
  wait_market (f);
  g_signal_handlers_disconnect_by_func (market, read_seen_cb, &seen);
  /* While it ran, the count of what it read, not a spinner (a new layout
   * every frame); once done, nothing. */
  g_test_message ("while refreshing: %s %s", seen.status, seen.count);
  g_assert_cmpstr (seen.status, ==, "Refreshing from your servers:");
  g_assert_nonnull (seen.count);
  g_assert_true (g_str_has_suffix (seen.count, " document read")
                 || g_str_has_suffix (seen.count, " documents read"));
  g_assert_true (seen.icon);
  g_assert_false (seen.spinning);
  g_assert_false (gtk_revealer_get_reveal_child (app_test_child (f->view, "status_revealer")));
  g_assert_false (gtk_widget_get_visible (app_test_child (f->view, "status_count")));
  g_free (seen.status);
  g_free (seen.count);
  g_free (seen.loading);
  g_free (all);
  all = shown_names (f);
  g_test_message ("shown: %s", all);
  g_assert_cmpstr (rein_market_view_get_state (f->view), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_view_get_shown (f->view)), ==, 4);
  g_assert_true (contains (all, "Logo for a bakery"));
  g_assert_true (contains (all, "Translate a manual"));
  g_assert_true (contains (all, "Fix my website"));
  g_assert_false (contains (all, "Forged"));
  app_test_screenshot (GTK_WIDGET (f->window), "market-01-wide");

  /* The metainfo's first screenshot: the market with a job chosen. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 640);
  rein_market_view_select (f->view, position_of (f, f->logo_id));
  app_test_iterate (300);
  g_object_unref (app_test_screenshot_in (GTK_WIDGET (f->window), "metainfo", "main"));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  app_test_iterate (300);

  /* search as you type, over name, description and category */
  rein_market_view_set_search (f->view, "bakery");
  wait_market (f);
  g_clear_pointer (&all, g_free);
  all = shown_names (f);
  g_assert_cmpstr (all, ==, "Fix my website|Logo for a bakery");
  rein_market_view_set_search (f->view, "forty pag");
  wait_market (f);
  g_clear_pointer (&all, g_free);
  all = shown_names (f);
  g_assert_cmpstr (all, ==, "Translate a manual");
  app_test_screenshot (GTK_WIDGET (f->window), "market-02-search");
  /* typing on narrows the rows, deleting widens them again, another
   * word replaces them (the filter re-checks only what may change, so a
   * wrong guess would leave rows out or in) */
  {
    static const struct
    {
      const gchar *text;
      const gchar *names;
    } typed[] = {
      { "f", "Fix my website|Logo for a bakery|Translate a manual" },
      { "fo", "Fix my website|Logo for a bakery|Translate a manual" },
      { "fort", "Translate a manual" },
      { "fo", "Fix my website|Logo for a bakery|Translate a manual" },
      { "fo ba", "Fix my website|Logo for a bakery" },
      { "fo b", "Fix my website|Logo for a bakery|Translate a manual" },
      { "ba", "Fix my website|Logo for a bakery" },
      { "", "Fix my website|Logo for a bakery|Red \xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa "
            "job|Translate a manual" },
      { "german", "Translate a manual" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
      {
        rein_market_view_set_search (f->view, typed[i].text);
        assert_shown (f, typed[i].names);
      }
    /* faster than the answers come: only the last one counts */
    rein_market_view_set_search (f->view, "f");
    rein_market_view_set_search (f->view, "fo");
    rein_market_view_set_search (f->view, "fort");
    assert_shown (f, "Translate a manual");
    rein_market_view_set_search (f->view, "for");
    rein_market_view_set_search (f->view, "f");
    assert_shown (f, "Fix my website|Logo for a bakery|Translate a manual");
  }

  rein_market_view_set_search (f->view, "nothing like this");
  wait_market (f);
  g_assert_cmpstr (rein_market_view_get_state (f->view), ==, "empty");
  app_test_screenshot (GTK_WIDGET (f->window), "market-03-no-match");
  rein_market_view_set_search (f->view, "");
  wait_market (f);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_view_get_shown (f->view)), ==, 4);

  /* category: the drop-down lists the market's categories (they came with
   * the refresh, after a first load of an empty index) */
  {
    GtkDropDown *categories = app_test_child (f->view, "category_dropdown");
    GListModel *items = gtk_drop_down_get_model (categories);
    g_autoptr (GString) listed = g_string_new (NULL);

    for (guint i = 0; i < g_list_model_get_n_items (items); i++)
      {
        g_autoptr (GtkStringObject) item = g_list_model_get_item (items, i);

        g_string_append_printf (listed, "%s|", gtk_string_object_get_string (item));
      }
    g_test_message ("categories: %s", listed->str);
    g_assert_true (contains (listed->str, "|Writing|"));
    g_assert_true (contains (listed->str, "|Graphics|"));
    g_assert_true (contains (listed->str, "|Software|"));
  }
  rein_market_view_set_category (f->view, "Writing");
  g_clear_pointer (&all, g_free);
  all = shown_names (f);
  g_assert_cmpstr (all, ==, "Translate a manual");
  rein_market_view_set_category (f->view, NULL);
  /* the list pane keeps its width beside the detail whatever category
   * the drop-down shows, a long one too (added to its list here) */
  {
    /* the search entry's line is the pane's first */
    GtkWidget *pane = gtk_widget_get_parent (
        gtk_widget_get_parent (app_test_child (f->view, "search_entry")));
    GtkDropDown *categories = app_test_child (f->view, "category_dropdown");
    GtkStringList *items = GTK_STRING_LIST (gtk_drop_down_get_model (categories));
    gint width = gtk_widget_get_width (pane);
    guint n;

    gtk_string_list_append (items, "Writing and translation of very long technical manuals");
    n = g_list_model_get_n_items (G_LIST_MODEL (items));
    g_test_message ("list pane: %d px", width);
    for (guint i = 0; i < n; i++)
      {
        gtk_drop_down_set_selected (categories, i);
        app_test_iterate (50);
        g_assert_cmpint (gtk_widget_get_width (pane), ==, width);
      }
    app_test_screenshot (GTK_WIDGET (f->window), "market-09-long-category");
    gtk_drop_down_set_selected (categories, 0);
    gtk_string_list_remove (items, n - 1);
    wait_market (f);
  }

  /* detail */
  rein_market_view_select (f->view, position_of (f, f->manual_id));
  app_test_iterate (50);
  name = app_test_child (f->view, "detail_name");
  g_assert_cmpstr (gtk_label_get_text (name), ==, "Translate a manual");
  g_assert_cmpstr (gtk_label_get_text (app_test_child (f->view, "detail_description")), ==,
                   "German to English.\nForty pages, by the end of the month.");
  g_assert_null (rein_market_view_get_bid_refusal (f->view));
  app_test_screenshot (GTK_WIDGET (f->window), "market-04-detail");

  /* the hostile job: one line in the list, the whole text in the detail */
  rein_market_view_set_search (f->view, "wordwordwordwordword");
  wait_market (f);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_view_get_shown (f->view)), ==, 1);
  rein_market_view_select (f->view, 0);
  app_test_iterate (50);
  g_assert_null (strstr (gtk_label_get_text (name), "\xe2\x80\xae"));
  g_assert_true (contains (gtk_label_get_text (name), "Red"));
  app_test_screenshot (GTK_WIDGET (f->window), "market-05-hostile");
  check_row (rein_market_view_get_selected (f->view));
  rein_market_view_set_search (f->view, "");
  wait_market (f);

  /* dark */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  app_test_screenshot (GTK_WIDGET (f->window), "market-06-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* narrow: the list alone, then the detail in its place */
  {
    int min = 0;
    AdwLeaflet *leaflet = app_test_child (f->view, "leaflet");

    rein_market_view_select (f->view, GTK_INVALID_LIST_POSITION);
    gtk_window_set_default_size (GTK_WINDOW (f->window), NARROW, 700);
    app_test_iterate (400);
    gtk_widget_measure (GTK_WIDGET (f->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL,
                        NULL);
    g_test_message ("the market needs %d px", min);
    g_assert_cmpint (min, <=, NARROW);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), <=, NARROW);
    g_assert_true (adw_leaflet_get_folded (leaflet));
    app_test_screenshot (GTK_WIDGET (f->window), "market-07-narrow-list");
    g_signal_emit_by_name (app_test_child (f->view, "job_list"), "activate",
                           position_of (f, f->logo_id));
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "detail");
    g_assert_cmpstr (gtk_label_get_text (name), ==, "Logo for a bakery");
    app_test_screenshot (GTK_WIDGET (f->window), "market-08-narrow-detail");
    gtk_widget_activate_action (GTK_WIDGET (f->view), "market.back", NULL);
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");

    /* a click beside the rows opens nothing, not even the job chosen */
    rein_market_view_select (f->view, position_of (f, f->logo_id));
    g_signal_emit_by_name (list_click (f), "released", 1, -5.0, -5.0);
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
    /* a click on a row opens its job: the list's click gesture sees it
     * first, the row then selects itself */
    g_signal_emit_by_name (list_click (f), "released", 1, 20.0, 20.0);
    rein_market_view_select (f->view, position_of (f, f->logo_id));
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "detail");
    /* Escape goes back; on the list, it is not taken */
    g_assert_true (view_shortcut (f, GDK_KEY_Escape, 0));
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
    g_assert_false (view_shortcut (f, GDK_KEY_Escape, 0));
    /* and Alt+Left */
    g_signal_emit_by_name (list_click (f), "released", 1, 20.0, 20.0);
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "detail");
    g_assert_true (view_shortcut (f, GDK_KEY_Left, GDK_ALT_MASK));
    app_test_iterate (400);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
  }
}

/* rein-cli, as Bob, in his data folder. */
static gchar *
bobs_cli (Fixture *f, const gchar *command)
{
  const gchar *cli = g_getenv ("REIN_CLI");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  gchar *out = NULL;

  g_assert_nonnull (cli);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "REIN_PASSWORD", "pw", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--data-dir", f->bob.dir, command,
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

static gboolean
bid_refused (gpointer view)
{
  return rein_market_view_get_bid_refusal (view) != NULL;
}

static gboolean
shows_cake (gpointer data)
{
  g_autofree gchar *names = shown_names (data);

  return contains (names, "Bake a wedding cake");
}

/* A button of the sign dialog's header bar (its template's, not the
 * subclass's). */
static GtkWidget *
sign_dialog_button (gpointer dialog, const gchar *id)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (dialog), REIN_TYPE_SIGN_DIALOG, id);

  g_assert_true (GTK_IS_WIDGET (button));
  return GTK_WIDGET (button);
}

/* My Jobs lists the logo job, with me as the worker. */
static gboolean
my_jobs_has_logo (gpointer data)
{
  Fixture *f = data;
  GListModel *jobs = rein_my_jobs_get_jobs (rein_context_get_my_jobs (f->you.context));

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (ReinMyJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (rein_my_job_get_job_id (job), f->logo_id) == 0)
        return rein_my_job_get_role (job) == REIN_ROLE_WORKER;
    }
  return FALSE;
}

/* Clicks the button of @ask's response labelled @label, as a user would
 * (the question closes itself then). */
static void
click_response (AdwMessageDialog *ask, const gchar *label)
{
  GtkWidget *button = app_test_find_by_type (GTK_WIDGET (ask), GTK_TYPE_BUTTON);

  while (button != NULL && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) != 0)
    {
      /* the buttons are siblings, in a box of their own */
      GtkWidget *next = gtk_widget_get_next_sibling (button);

      while (next != NULL && !GTK_IS_BUTTON (next))
        next = gtk_widget_get_next_sibling (next);
      button = next;
    }
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static void
test_bid_and_post (Fixture *f, gconstpointer data)
{
  ReinBidDialog *bid;
  ReinPostDialog *post;
  g_autofree gchar *status = NULL;
  g_autofree gchar *jobs = NULL;
  ReinMarketService *bobs;
  GListModel *bob_jobs;
  gboolean found = FALSE;

  /* A bid begun and thrown away: Escape asks, "Discard" closes it; an
   * empty form closes at once */
  {
    AdwMessageDialog *ask;

    rein_market_view_select (f->view, position_of (f, f->logo_id));
    app_test_iterate (50);
    gtk_widget_activate_action (GTK_WIDGET (f->view), "market.bid", NULL);
    app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "form");
    bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
    rein_bid_dialog_set_bid (bid, "", "0.2");
    gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.escape", NULL);
    app_test_iterate (50);
    ask = ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    g_assert_nonnull (ask);
    g_assert_cmpstr (adw_message_dialog_get_heading (ask), ==, "Discard This Bid?");
    click_response (ask, "_Discard");
    app_test_iterate (100);
    g_assert_null (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    g_assert_null (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));

    gtk_widget_activate_action (GTK_WIDGET (f->view), "market.bid", NULL);
    app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "form");
    bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
    gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.escape", NULL);
    app_test_iterate (100);
    g_assert_null (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    g_assert_null (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
  }

  /* A bid: the job read fresh, the amount exactly, the document shown */
  rein_market_view_select (f->view, position_of (f, f->logo_id));
  app_test_iterate (50);
  g_assert_null (rein_market_view_get_bid_refusal (f->view));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.bid", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "form");
  bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
  rein_bid_dialog_set_bid (bid, "Two drafts by Friday.\nA third if you want one.", "0.1");
  g_assert_null (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)));
  g_assert_false (contains (rein_bid_dialog_get_amount_hint (bid), "mediator"));
  rein_bid_dialog_set_bid (bid, "Two drafts.", "0.1.2");
  g_assert_nonnull (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)));
  /* why Review is off is on its tooltip */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (sign_dialog_button (bid, "next_button")), ==,
                   rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)));
  /* 2,100 backslashes are 4,200 bytes in the document: too long */
  {
    g_autofree gchar *slashes = g_strnfill (2100, '\\');

    rein_bid_dialog_set_bid (bid, slashes, "0.1");
    g_assert_true (g_str_has_prefix (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)),
                                     "Too long: 4200 bytes, at most 4000"));
    /* the text scrolls in its box, and what is wrong stays in sight */
    app_test_screenshot (GTK_WIDGET (bid), "market-36-bid-too-long");
  }
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "form"); /* refused */
  /* Less than an escrow payout's least fee and dust is refused; at that
   * least, Alice's 1.5% cannot be paid out, and the review says so */
  g_assert_cmpint (rein_payout_least_payable (TRUE), ==, 889);
  rein_bid_dialog_set_bid (bid, "Two drafts.", "0.00000888");
  g_assert_true (g_str_has_prefix (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)),
                                   "Ask for at least 0.00000889 BTC (889 satoshis): "));
  rein_bid_dialog_set_bid (bid, "Two drafts.", "0.00000889");
  g_assert_null (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)));
  /* the form says already what the review says at length: from what bid
   * on the mediator's fee could be paid out */
  {
    g_autofree gchar *from = rein_sign_dialog_format_amount (59300);

    g_test_message ("%s", rein_bid_dialog_get_amount_hint (bid));
    g_assert_true (contains (rein_bid_dialog_get_amount_hint (bid),
                             "the mediator’s fee could not be paid out"));
    g_assert_true (contains (rein_bid_dialog_get_amount_hint (bid), from));
    app_test_screenshot (GTK_WIDGET (bid), "market-33-bid-fee-note");
  }
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "review");
  {
    /* 1.5% of 889, to the nearest satoshi */
    g_autofree gchar *fee = rein_sign_dialog_format_amount (13);
    const gchar *warning = app_test_fact_of (GTK_WIDGET (bid),
                                             "Mediator’s fee too small to pay out");

    g_assert_cmpstr (app_test_fact_of (GTK_WIDGET (bid), "Mediator’s fee (1.5%)"), ==, fee);
    g_assert_nonnull (warning);
    g_autofree gchar *from = rein_sign_dialog_format_amount (59300); /* 1.5% of it: 890 */
    g_autofree gchar *advice = g_strdup_printf ("Ask for at least %s for the fee to be payable.",
                                                from);

    g_assert_true (g_str_has_prefix (warning, "On this bid the mediator’s fee is 0.00000013 BTC"));
    g_assert_true (g_str_has_suffix (warning, advice));
  }
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.escape", NULL);
  /* typed as people type it; the document says it as documents do */
  rein_bid_dialog_set_bid (bid, "Two drafts by Friday.\nA third if you want one.",
                           ".1000000000");
  g_assert_null (rein_sign_dialog_get_problem (REIN_SIGN_DIALOG (bid)));
  rein_bid_dialog_set_bid (bid, "Two drafts by Friday.\nA third if you want one.", "0.1");
  app_test_screenshot (GTK_WIDGET (bid), "market-10-bid-form");
  rein_bid_dialog_set_bid (bid, "Two drafts by Friday.\nA third if you want one.",
                           ".1000000000");
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "review");
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (bid)), "\nBid amount (BTC): 0.1\n"));
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (bid)),
                           "\nDescription: Two drafts by Friday.\\nA third if you want one.\n"));
  /* Escape goes back to the form as it was filled in (a Back button in
   * place of Cancel), and Review comes back to the same document */
  g_assert_true (gtk_widget_get_visible (sign_dialog_button (bid, "back_button")));
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.escape", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "form");
  g_assert_false (gtk_widget_get_visible (sign_dialog_button (bid, "back_button")));
  g_assert_true (gtk_widget_get_visible (sign_dialog_button (bid, "cancel_button")));
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (bid)), ==, "review");
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (bid)),
                           "\nDescription: Two drafts by Friday.\\nA third if you want one.\n"));
  /* the review names the job's people by enrollment and fingerprint */
  {
    g_autofree gchar *bob_fp = rein_person_fingerprint (
        rein_identity_get_master_address (f->bob.identity));
    g_autofree gchar *alice_fp = rein_person_fingerprint (
        rein_identity_get_master_address (f->alice.identity));
    g_autofree gchar *bob = g_strdup_printf (REIN_PERSON_FSI "Bob" REIN_PERSON_PDI " (%s)",
                                             bob_fp);
    g_autofree gchar *alice = g_strdup_printf (REIN_PERSON_FSI "Alice" REIN_PERSON_PDI " (%s)",
                                               alice_fp);

    g_assert_cmpstr (app_test_fact_of (GTK_WIDGET (bid), "Job creator"), ==, bob);
    g_assert_cmpstr (app_test_fact_of (GTK_WIDGET (bid), "Mediator"), ==, alice);
  }
  /* what the mediator's fee comes to, and what Bob would pay in all */
  {
    g_autofree gchar *fee = rein_sign_dialog_format_amount (150000);
    g_autofree gchar *total = rein_sign_dialog_format_amount (10150000);

    g_assert_cmpstr (app_test_fact_of (GTK_WIDGET (bid), "Mediator’s fee (1.5%)"), ==, fee);
    g_assert_cmpstr (app_test_fact_of (GTK_WIDGET (bid), "The job creator pays into escrow"), ==,
                     total);
    g_assert_null (app_test_fact_of (GTK_WIDGET (bid), "Mediator’s fee too small to pay out"));
  }
  app_test_screenshot (GTK_WIDGET (bid), "market-11-bid-review");
  g_object_unref (app_test_screenshot_in (GTK_WIDGET (bid), "metainfo", "bid"));
  /* a wrong password: said, nothing signed */
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (bid), "wrong");
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "review");
  {
    GtkWidget *page = app_test_find_by_type (GTK_WIDGET (bid), REIN_TYPE_REVIEW_PAGE);
    GtkLabel *error = app_test_child (page, "error_label");
    GtkAdjustment *scroll = gtk_scrolled_window_get_vadjustment (
        GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (page, GTK_TYPE_SCROLLED_WINDOW)));

    /* Said beside the password, where the user is. */
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
    g_test_message ("wrong password: %s", gtk_label_get_text (error));
    g_assert_cmpstr (gtk_label_get_text (error), !=, "");
    gtk_adjustment_set_value (scroll, gtk_adjustment_get_upper (scroll));
  }
  app_test_screenshot (GTK_WIDGET (bid), "market-12-bid-wrong-password");
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (bid), "pw");
  gtk_widget_activate_action (GTK_WIDGET (bid), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, NULL, NULL);
  /* the view learns of the bid once the market is read again: slow under
   * load */
  app_test_wait_until (bid_refused, f->view, "the view to know of the bid", 60);
  g_assert_nonnull (rein_market_view_get_bid_refusal (f->view)); /* "You have bid" */
  /* the outcome went to the window's toast, the action the view uses */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "win.toast", "s", "Test"));
  app_test_screenshot (GTK_WIDGET (f->window), "market-13-after-bid");
  /* My Jobs has it without being asked: a job I work on */
  app_test_wait_until (my_jobs_has_logo, f, "My Jobs to show the job bid on", 60);

  /* Bob sees it, in his market and with rein-cli */
  bobs = market_of (&f->bob);
  refresh (bobs);
  bob_jobs = rein_market_service_get_jobs (bobs);
  for (guint i = 0; i < g_list_model_get_n_items (bob_jobs); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (bob_jobs, i);

      if (g_str_equal (rein_job_summary_get_job_id (s), f->logo_id))
        {
          g_assert_cmpuint (rein_job_summary_get_n_bids (s), ==, 1);
          g_assert_true (rein_job_summary_has_bidder (
              s, rein_identity_get_delegate_public_key (f->you.identity)));
          found = TRUE;
        }
    }
  g_assert_true (found);
  status = bobs_cli (f, "status");
  g_test_message ("Bob's status:\n%s", status);
  g_assert_true (contains (status, f->logo_id));
  g_assert_true (contains (status, "bid(s) submitted"));

  /* Sorted by most bids, the job with the bid comes first. */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.refresh", NULL);
  app_test_iterate (20);
  wait_market (f);
  rein_market_view_set_sort (f->view, REIN_MARKET_SORT_MOST_BIDS);
  wait_market (f);
  /* the drop-down's button says its choice to a screen reader */
  {
    GtkWidget *button = gtk_widget_get_first_child (app_test_child (f->view, "sort_dropdown"));
    g_autofree gchar *wrong = NULL;

    while (button != NULL && !GTK_IS_TOGGLE_BUTTON (button))
      button = gtk_widget_get_next_sibling (button);
    g_assert_nonnull (button);
    wrong = gtk_test_accessible_check_property (GTK_ACCESSIBLE (button),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, "Sort: Most bids");
    g_assert_null (wrong);
  }
  {
    g_autoptr (ReinJobSummary) first = g_list_model_get_item (
        rein_market_view_get_shown (f->view), 0);

    g_assert_cmpstr (rein_job_summary_get_job_id (first), ==, f->logo_id);
    g_assert_cmpuint (rein_job_summary_get_n_bids (first), ==, 1);
  }
  rein_market_view_set_sort (f->view, REIN_MARKET_SORT_NEWEST);

  /* Bob awards the bid: the job is no longer open, and leaves the list
   * until "Open Only" is off, where it says "Awarded". */
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (ReinJob) job = NULL;
    g_autoptr (ReinPublication) offer = NULL;
    g_autofree gchar *text = NULL;
    GPtrArray *bids;

    rein_market_service_load_job_async (bobs, f->logo_id, NULL, NULL, wait_cb, &result);
    wait_for (&result);
    job = rein_market_service_load_job_finish (bobs, result, &error);
    g_assert_no_error (error);
    bids = rein_job_get_bids (job);
    g_assert_cmpuint (bids->len, ==, 1);
    text = rein_document_build_offer (g_ptr_array_index (bids, 0), REIN_NETWORK_MAINNET, &error);
    g_assert_no_error (error);
    offer = publish (&f->bob, job, text, &error);
    g_assert_no_error (error);
    g_assert_cmpint (offer->state, ==, REIN_JOB_STATE_AWARDED);
  }
  /* F5 reads the market again, as in My Jobs */
  g_assert_true (view_shortcut (f, GDK_KEY_F5, 0));
  app_test_iterate (20);
  wait_market (f);
  {
    g_autofree gchar *names = shown_names (f);

    g_assert_false (contains (names, "Logo for a bakery"));
  }
  rein_market_view_set_open_only (f->view, FALSE);
  wait_market (f);
  rein_market_view_select (f->view, position_of (f, f->logo_id));
  app_test_iterate (50);
  g_assert_cmpint (rein_job_summary_get_state (rein_market_view_get_selected (f->view)), ==,
                   REIN_JOB_STATE_AWARDED);
  g_assert_true (contains (rein_market_view_get_bid_refusal (f->view), "awarded"));
  app_test_screenshot (GTK_WIDGET (f->window), "market-17-awarded");
  rein_market_view_set_open_only (f->view, TRUE);
  wait_market (f);

  /* A post: the mediators found on the servers, never oneself */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.post", NULL);
  app_test_iterate (50);
  post = REIN_POST_DIALOG (app_test_find_toplevel (REIN_TYPE_POST_DIALOG));
  g_assert_nonnull (post);
  /* each suggested category is one Tab stop, its button */
  {
    GtkWidget *chips = app_test_find_by_type (GTK_WIDGET (post), GTK_TYPE_FLOW_BOX);
    guint n = 0;

    g_assert_nonnull (chips);
    for (GtkWidget *c = gtk_widget_get_first_child (chips); c; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_FLOW_BOX_CHILD (c))
        {
          g_assert_false (gtk_widget_get_focusable (c));
          g_assert_true (gtk_widget_get_focusable (gtk_flow_box_child_get_child (
              GTK_FLOW_BOX_CHILD (c))));
          n++;
        }
    g_assert_cmpuint (n, >, 0);
  }
  /* typing goes into the job's name at once, not into Cancel */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (post));
    GtkWidget *name_row = gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW);

    g_assert_nonnull (name_row);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (name_row)), ==,
                     "Job _Name");
  }
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_mediators (
                        rein_context_get_market (f->you.context))), ==, 1);
  rein_post_dialog_set_job (post, "Bake a wedding cake", "Baking",
                            "Three tiers.\nNo nuts, please.", 0);
  /* Escape with the form filled in asks before throwing it away: "Keep
   * Editing" keeps the dialog as it was */
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.escape", NULL);
  app_test_iterate (50);
  {
    AdwMessageDialog *ask = ADW_MESSAGE_DIALOG (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

    g_assert_nonnull (ask);
    g_assert_cmpstr (adw_message_dialog_get_heading (ask), ==, "Discard This Job?");
    app_test_screenshot (GTK_WIDGET (ask), "market-34-post-discard");
    click_response (ask, "_Keep Editing");
    app_test_iterate (50);
    g_assert_null (app_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    g_assert_true (REIN_POST_DIALOG (app_test_find_toplevel (REIN_TYPE_POST_DIALOG)) == post);
    g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (post)), ==, "form");
  }
  app_test_screenshot (GTK_WIDGET (post), "market-14-post-form");
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (post)), ==, "review");
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (post)), "\nJob name: Bake a wedding cake\n"));
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (post)), "\nMediator: Alice\n"));
  app_test_screenshot (GTK_WIDGET (post), "market-15-post-review");
  rein_sign_dialog_set_password (REIN_SIGN_DIALOG (post), "pw");
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.next", NULL);
  app_test_wait_page (REIN_TYPE_POST_DIALOG, NULL, NULL);
  /* the market takes the new job in off the main loop: slow under the
   * sanitizers on a loaded machine */
  app_test_wait_until (shows_cake, f, "the posted job in the market", 60);
  {
    g_autofree gchar *names = shown_names (f);

    g_assert_true (contains (names, "Bake a wedding cake"));
  }
  /* and it is the job chosen, its detail shown (not the one chosen
   * before, the logo job) */
  app_test_iterate (50);
  g_assert_nonnull (rein_market_view_get_selected (f->view));
  g_assert_cmpstr (rein_job_summary_get_name (rein_market_view_get_selected (f->view)), ==,
                   "Bake a wedding cake");
  jobs = bobs_cli (f, "jobs");
  g_test_message ("Bob's jobs:\n%s", jobs);
  g_assert_true (contains (jobs, "Bake a wedding cake"));
  app_test_screenshot (GTK_WIDGET (f->window), "market-16-after-post");
}

/* What Eve puts on the server: her own enrollment (as "Bоb", with a
 * Cyrillic "о"); an enrollment signed by her master that says "User:
 * Alice" with Alice's delegate and key, a lower fee and Eve's contact; a
 * job signed by Eve's key that says "Job creator: Bob", whose ID it
 * returns; and a valid job of hers, under her own look-alike name, whose
 * ID goes to @out_lookalike. */
static gchar *
put_impostors (Fixture *f, Identity *eve, gchar **out_lookalike)
{
  ReinIdentity *alice = f->alice.identity;
  ReinIdentity *bob = f->bob.identity;
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autofree gchar *own = identity_enrollment (eve, FALSE);
  g_autofree gchar *fake = g_strdup_printf (
      "Rein User Enrollment\nUser: %s\nContact: eve@example.com\nMaster signing address: %s\n"
      "Delegate signing address: %s\nWilling to mediate: True\nMediator public key: %s\n"
      "Mediator fee: 0.1%%",
      rein_identity_get_name (alice), eve->master_address,
      rein_identity_get_delegate_address (alice), rein_identity_get_delegate_public_key (alice));
  g_autofree gchar *posting = g_strdup_printf (
      "Rein Job\nJob name: Bob's real job\nJob ID: %s\nCategory: Graphics\nDescription: x\n"
      "Mediator: %s\nMediator contact: %s\nMediator fee: 1.5%%\n"
      "Mediator public key: %s\nMediator master address: %s\nJob creator: %s\n"
      "Job creator contact: eve@example.com\nJob creator public key: %s\n"
      "Job creator master address: %s",
      job_id, rein_identity_get_name (alice), rein_identity_get_contact (alice),
      rein_identity_get_delegate_public_key (alice), rein_identity_get_master_address (alice),
      rein_identity_get_name (bob), eve->public_key, eve->master_address);
  g_autofree gchar *lookalike_id = rein_job_id_generate ();
  g_autofree gchar *lookalike = g_strdup_printf (
      "Rein Job\nJob name: Cakes by Bob\nJob ID: %s\nCategory: Graphics\nDescription: x\n"
      "Mediator: %s\nMediator contact: %s\nMediator fee: 1.5%%\n"
      "Mediator public key: %s\nMediator master address: %s\nJob creator: %s\n"
      "Job creator contact: eve@example.com\nJob creator public key: %s\n"
      "Job creator master address: %s",
      lookalike_id, rein_identity_get_name (alice), rein_identity_get_contact (alice),
      rein_identity_get_delegate_public_key (alice), rein_identity_get_master_address (alice),
      eve->name, eve->public_key, eve->master_address);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) fake_doc = NULL;
  g_autofree gchar *signed_posting = identity_sign (eve, posting);
  g_autofree gchar *signed_lookalike = identity_sign (eve, lookalike);
  const gchar *values[4];

  fake_doc = rein_document_sign (fake, eve->master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  values[0] = own;
  values[1] = rein_document_get_armored (fake_doc);
  values[2] = signed_posting;
  values[3] = signed_lookalike;
  identity_register (eve, f->server);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree gchar *key = random_key ();
      g_autoptr (Answer) put = NULL;

      g_clear_pointer (&eve->nonce, g_free);
      put = identity_put (eve, f->server, key, values[i], FALSE);
      g_assert_cmpuint (put->status, ==, 201);
    }
  *out_lookalike = g_steal_pointer (&lookalike_id);
  return g_steal_pointer (&job_id);
}

/* Issue 10, item 10: names are not identities. Eve's job "by Bob" is not
 * shown; Bob's jobs show Bob with his fingerprint, and Eve's own job under
 * her look-alike name shows hers, with a warning; Alice's delegate, which
 * Eve's master also claims, is contested and the post dialog does not
 * offer it (only Mia, who nobody contests). */
static void
test_impostors (Fixture *f, gconstpointer data)
{
  g_autoptr (Identity) eve = identity_new ("B\xd0\xbe" "b"); /* CYRILLIC SMALL LETTER O */
  g_autofree gchar *lookalike_job = NULL;
  g_autofree gchar *eve_job = put_impostors (f, eve, &lookalike_job);
  g_autofree gchar *eve_fp = rein_person_fingerprint (eve->master_address);
  gboolean lookalike_shown = FALSE;
  g_autofree gchar *bob_fp = rein_person_fingerprint (
      rein_identity_get_master_address (f->bob.identity));
  g_autofree gchar *bob = g_strdup_printf (REIN_PERSON_FSI "Bob" REIN_PERSON_PDI " (%s)", bob_fp);
  g_autofree gchar *mia_fp = NULL;
  ReinMarketService *market = rein_context_get_market (f->you.context);
  GListModel *shown = rein_market_view_get_shown (f->view);
  GListModel *mediators;
  ReinPostDialog *post;
  Person mia;
  AdwActionRow *creator_row;

  person_init (&mia, f->server, "Mia", TRUE);
  mia_fp = rein_person_fingerprint (rein_identity_get_master_address (mia.identity));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.refresh", NULL);
  app_test_iterate (100);
  wait_market (f);

  g_assert_cmpuint (g_list_model_get_n_items (shown), >=, 3);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (ReinJobSummary) s = g_list_model_get_item (shown, i);

      g_assert_cmpstr (rein_job_summary_get_job_id (s), !=, eve_job);
      if (g_str_equal (rein_job_summary_get_job_id (s), lookalike_job))
        {
          /* Eve's own job: her fingerprint, and a warning on her name */
          g_assert_false (contains (rein_job_summary_get_creator (s), bob_fp));
          g_assert_true (contains (rein_job_summary_get_creator (s), eve_fp));
          g_assert_true (g_str_has_suffix (rein_job_summary_get_creator (s),
                                           REIN_PERSON_MIXED_SCRIPTS_MARK));
          lookalike_shown = TRUE;
          continue;
        }
      /* every other job here is Bob's: his name, isolated, with his
       * fingerprint */
      g_assert_cmpstr (rein_job_summary_get_creator (s), ==, bob);
      g_assert_true (contains (rein_job_summary_get_creator_contact (s), "Bob"));
    }
  g_assert_true (lookalike_shown);
  rein_market_view_select (f->view, position_of (f, f->logo_id));
  app_test_iterate (50);
  creator_row = app_test_child (f->view, "creator_row");
  g_assert_true (contains (adw_action_row_get_subtitle (creator_row), bob));
  app_test_screenshot (GTK_WIDGET (f->window), "market-30-fingerprints");

  /* the mediators: Mia only; Alice's delegate is contested */
  mediators = rein_market_service_get_mediators (market);
  g_assert_cmpuint (g_list_model_get_n_items (mediators), ==, 1);
  {
    g_autoptr (ReinDocument) only = g_list_model_get_item (mediators, 0);

    g_assert_cmpstr (rein_document_get_field (only, REIN_LABEL_USER), ==, "Mia");
  }
  g_assert_true (rein_directory_is_contested (
      rein_market_service_get_directory (market),
      rein_identity_get_delegate_public_key (f->alice.identity)));

  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.post", NULL);
  app_test_iterate (50);
  post = REIN_POST_DIALOG (app_test_find_toplevel (REIN_TYPE_POST_DIALOG));
  g_assert_nonnull (post);
  {
    AdwComboRow *chooser = ADW_COMBO_ROW (app_test_find_by_type (GTK_WIDGET (post),
                                                                 ADW_TYPE_COMBO_ROW));
    GListModel *offered = adw_combo_row_get_model (chooser);
    ReinDocument *chosen = adw_combo_row_get_selected_item (chooser);
    g_auto (GValue) shown_value = G_VALUE_INIT;
    g_autofree gchar *mia_shown = g_strdup_printf (REIN_PERSON_FSI "Mia" REIN_PERSON_PDI " (%s)",
                                             mia_fp);

    g_assert_cmpuint (g_list_model_get_n_items (offered), ==, 1);
    /* the chooser says who: the enrolled name and the fingerprint */
    g_assert_true (gtk_expression_evaluate (adw_combo_row_get_expression (chooser), chosen,
                                            &shown_value));
    g_assert_true (g_str_has_prefix (g_value_get_string (&shown_value), mia_shown));
    g_assert_nonnull (chosen);
    g_assert_false (rein_same_key (rein_document_get_field (chosen, REIN_LABEL_MEDIATOR_PUBLIC_KEY),
                                   rein_identity_get_delegate_public_key (f->alice.identity)));
    g_assert_cmpstr (rein_document_get_field (chosen, REIN_LABEL_USER), ==, "Mia");
  }
  rein_post_dialog_set_job (post, "Bake a wedding cake", "Baking", "Three tiers.", 0);
  app_test_screenshot (GTK_WIDGET (post), "market-31-post-mediator");
  gtk_widget_activate_action (GTK_WIDGET (post), "dialog.next", NULL);
  g_assert_cmpstr (rein_sign_dialog_get_page (REIN_SIGN_DIALOG (post)), ==, "review");
  g_assert_true (contains (rein_sign_dialog_get_document (REIN_SIGN_DIALOG (post)),
                           "\nMediator: Mia\n"));
  app_test_screenshot (GTK_WIDGET (post), "market-32-post-review");
  gtk_window_destroy (GTK_WINDOW (post));
  app_test_iterate (50);
  person_clear (&mia);
}

/* The rules of bidding, said before anyone types. */
static void
test_bid_refusals (Fixture *f, gconstpointer data)
{
  g_autofree gchar *cake_text = NULL;
  g_autofree gchar *cake_id = NULL;
  ReinWindow *bobs_window = rein_window_new (NULL, f->bob.context);
  ReinMarketView *view = rein_window_get_market_view (bobs_window);
  GListModel *shown = rein_market_view_get_shown (view);

  gtk_window_present (GTK_WINDOW (bobs_window));
  market_of (&f->bob);
  app_test_iterate (100);
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  rein_market_view_select (view, 0);
  app_test_iterate (50);
  g_assert_nonnull (rein_market_view_get_bid_refusal (view));
  g_assert_true (contains (rein_market_view_get_bid_refusal (view), "your job"));
  app_test_screenshot (GTK_WIDGET (bobs_window), "market-20-own-job");
  app_test_destroy_window (GTK_WINDOW (bobs_window));

  /* Offline: the job shown from the store, but a bid needs it as the
   * servers have it now; said in plain words, the servers' below */
  cake_text = post_job_text (&f->you, &f->alice, "Cake stand", "Baking", "One stand.", &cake_id);
  test_server_stop (f->server);
  rein_market_view_select (f->view, position_of (f, f->logo_id));
  app_test_iterate (50);
  g_assert_null (rein_market_view_get_bid_refusal (f->view));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "market.bid", NULL);
  app_test_wait_page (REIN_TYPE_BID_DIALOG, rein_sign_dialog_get_page, "error");
  {
    ReinBidDialog *bid = REIN_BID_DIALOG (app_test_find_toplevel (REIN_TYPE_BID_DIALOG));
    GtkWidget *page = GTK_WIDGET (
        gtk_widget_get_template_child (GTK_WIDGET (bid), REIN_TYPE_SIGN_DIALOG, "error_page"));
    GtkLabel *detail = GTK_LABEL (
        gtk_widget_get_template_child (GTK_WIDGET (bid), REIN_TYPE_SIGN_DIALOG, "error_detail"));

    g_assert_true (gtk_widget_get_mapped (page));
    g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==,
                     "No Server Sent the Job");
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail)));
    g_assert_nonnull (strstr (gtk_label_get_text (detail), "no server sent the market"));
    app_test_screenshot (GTK_WIDGET (bid), "market-22-bid-offline");
    app_test_destroy_window (GTK_WINDOW (bid));
  }


  /* A job posted offline: My Jobs shows it from the store, marked as not
   * sent yet, and says that no server answered */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ReinPublication) done = publish (&f->you, NULL, cake_text, &error);
    ReinMyJobsView *my_jobs = rein_window_get_my_jobs_view (f->window);
    GtkWidget *mark;

    g_assert_no_error (error);
    g_assert_cmpuint (done->n_servers_ok, ==, 0);
    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-view", "s", "my-jobs");
    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.refresh-my-jobs", NULL);
    app_test_iterate (50);
    app_test_wait_until (context_idle, f, "My Jobs", 30);
    app_test_iterate (100);
    g_assert_true (gtk_widget_get_visible (app_test_child (my_jobs, "offline_label")));
    mark = app_test_find_by_name (GTK_WIDGET (my_jobs), "unsent");
    g_assert_nonnull (mark);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (mark)), ==, "Not sent yet");
    g_assert_nonnull (gtk_widget_get_ancestor (mark, ADW_TYPE_ACTION_ROW));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                         gtk_widget_get_ancestor (mark, ADW_TYPE_ACTION_ROW))),
                     ==, "Cake stand");
    app_test_screenshot (GTK_WIDGET (f->window), "market-23-my-jobs-offline");
  }

  /* The market refreshed offline: the saved jobs stay, the line below
   * says so in plain words, the servers' own in its tooltip; a search
   * then (its answer sets the state again) leaves both as they are. */
  {
    ReinMarketService *market = rein_context_get_market (f->you.context);
    GtkWidget *status = app_test_child (f->view, "status_label");
    g_autofree gchar *tip = NULL;

    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-view", "s", "market");
    gtk_widget_activate_action (GTK_WIDGET (f->view), "market.refresh", NULL);
    app_test_iterate (20);
    wait_market (f);
    g_assert_nonnull (rein_market_service_get_error (market));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==,
                     "Showing saved jobs: your servers could not be read just now.");
    g_assert_cmpstr (gtk_widget_get_tooltip_text (status), ==,
                     rein_market_service_get_error (market));
    tip = g_strdup (gtk_widget_get_tooltip_text (status));
    g_assert_false (gtk_widget_get_visible (app_test_child (f->view, "status_count")));
    app_test_screenshot (GTK_WIDGET (f->window), "market-26-offline-status");
    rein_market_view_set_search (f->view, "logo");
    wait_market (f);
    g_assert_cmpuint (g_list_model_get_n_items (rein_market_view_get_shown (f->view)), ==, 1);
    g_assert_cmpstr (gtk_widget_get_tooltip_text (status), ==, tip);
    rein_market_view_set_search (f->view, "");
    wait_market (f);
  }
}

static gboolean
shows_error (gpointer data)
{
  return g_strcmp0 (rein_market_view_get_state (data), "error") == 0;
}

/* An identity whose only server does not answer, and no saved market:
 * the error page, with a way to try again. */
static void
test_unreachable (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-market-offline-XXXXXX", &error);
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  ReinIdentityParams params = { .name = "Offline", .contact = "o@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  g_autoptr (ReinContext) context = NULL;
  ReinWindow *window;
  ReinMarketView *view;

  g_object_unref (rein_store_add_identity_from_mnemonic (store, &params, phrase, NULL, "pw",
                                                         &error));
  rein_secure_free (phrase);
  g_assert_no_error (error);
  rein_store_add_server (store, "http://127.0.0.1:9/", &error);
  g_assert_no_error (error);
  context = rein_context_new (store);
  window = rein_window_new (NULL, context);
  view = rein_window_get_market_view (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (shows_error, view, "the error page");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (app_test_child (view, "error_page"))));
  g_assert_nonnull (adw_status_page_get_description (app_test_child (view, "error_page")));
  /* said once, on the page, not again below the list */
  g_assert_false (gtk_revealer_get_reveal_child (app_test_child (view, "status_revealer")));
  app_test_screenshot (GTK_WIDGET (window), "market-21-unreachable");
  app_test_destroy_window (GTK_WINDOW (window));
  app_test_iterate (50);
  g_clear_object (&context);
  g_clear_object (&store);
  rein_test_remove_tree (dir);
}

static void
clipboard_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gchar **) user_data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
}

/* A document with right-to-left text reads on screen in the order it is
 * signed: its escapes and the words around them stay where they are, the
 * right-to-left stretches in isolates of their own (a new user saw the
 * "\n" of a Hebrew and Arabic description move around); what is signed,
 * and what is copied, is the document without them. */
static void
test_review_bidi (void)
{
  const gchar *document = "Rein Job\n"
                          "Job name: Logo\n"
                          "Description: fonts.\\n\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\x94 x"
                          "\\n\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 123\\n\\nLast line.\n"
                          "Category: \xd7\x90\xd7\x91\n"
                          "Worker: Ren\\\xc3\xa9" "e\n";
  const gchar *shown_then = "Rein Job\n"
                            "Job name: Logo\n"
                            "Description: fonts.\\n\xe2\x81\xa8\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
                            "\xe2\x80\x94 x\xe2\x81\xa9\\n\xe2\x81\xa8\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8"
                            "\xd8\xa7 123\xe2\x81\xa9\\n\\nLast line.\n"
                            "Category: \xe2\x81\xa8\xd7\x90\xd7\x91\xe2\x81\xa9\n"
                            /* a raw backslash before a character of two bytes */
                            "Worker: Ren\\\xc3\xa9" "e\n";
  GtkWidget *window = gtk_window_new ();
  ReinReviewPage *page = g_object_new (REIN_TYPE_REVIEW_PAGE, NULL);
  g_autofree gchar *shown = NULL;
  g_autofree gchar *copied = NULL;
  GtkTextView *view;
  GtkTextIter start, end;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  rein_review_page_set_document (page, document);
  g_assert_cmpstr (rein_review_page_get_text (page), ==, document);
  shown = rein_review_page_dup_shown (page);
  g_assert_cmpstr (shown, ==, shown_then);
  app_test_screenshot (window, "market-35-review-bidi");

  /* all of it selected and copied: the document, as it is signed */
  view = GTK_TEXT_VIEW (app_test_find_by_type (GTK_WIDGET (page), GTK_TYPE_TEXT_VIEW));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  gtk_text_buffer_select_range (gtk_text_view_get_buffer (view), &start, &end);
  g_signal_emit_by_name (view, "copy-clipboard");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (view)), NULL,
                                 clipboard_read_cb, &copied);
  while (copied == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (copied, ==, document);
  app_test_destroy_window (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  rein_secret_set_scrypt_cost (10);
  g_test_add_func ("/app/market/job-list", test_job_list);
  g_test_add_func ("/app/market/review-bidi", test_review_bidi);
  g_test_add ("/app/market/browse", Fixture, NULL, fixture_setup, test_browse, fixture_teardown);
  g_test_add ("/app/market/bid-and-post", Fixture, NULL, fixture_setup, test_bid_and_post,
              fixture_teardown);
  g_test_add_func ("/app/market/unreachable", test_unreachable);
  g_test_add ("/app/market/impostors", Fixture, NULL, fixture_setup, test_impostors,
              fixture_teardown);
  g_test_add ("/app/market/bid-refusals", Fixture, NULL, fixture_setup, test_bid_refusals,
              fixture_teardown);
  return g_test_run ();
}
