/* bench-market.c: the Market tab with 100,000 jobs and 300,000 bids
 *
 * Builds (once, cached under the build folder) a rein-server database with
 * REIN_BENCH_JOBS jobs (default 100000) and three bids each, starts three
 * rein-servers on loopback on that one database (rein-server runs several
 * processes on one database), and measures:
 *
 * - refresh_s: a full refresh (jobs, then mediators) from the three
 *   servers into an empty store, every document validated, with the
 *   window open on the Market tab (opened and drawn first: building it is
 *   start-up, which launch_ms measures); max_stall_ms: the longest gap between
 *   two callbacks of a 1 ms main-loop timer meanwhile (the refresh's reload of
 *   the list included); refresh_again_s: a second refresh, nothing new.
 *   On stderr beside it, the same gap in a thread whose main loop runs
 *   nothing but such a timer: the machine's own stalls meanwhile.
 *   On stderr only, not a figure: the first refresh of a new context on the
 *   same store (the app started again), nothing new on the servers.
 * - Then, the servers stopped, this program runs itself again as the app
 *   would start (--ui STORE): launch_ms is from that process's main() to
 *   the first frame drawn after the market's jobs model holds every job
 *   and the list shows them, sorted and filtered (the store's index has
 *   them all: a ReinWindow on a ReinContext, as ReinApplication makes
 *   them, minus the GApplication); filter_p95_ms is the p95,
 *   over five rounds of typing a six-letter word one letter at a time
 *   (rein_market_view_set_search), of the time from a keystroke until the
 *   list is settled (search answered, filter and sort done),
 *   plus the time the next frame takes to lay out and draw it (each round
 *   starts on the list drawn with the search cleared);
 *   frame_p95_ms is the p95 of the frame clock's before-paint to
 *   after-paint time of the frame after each scroll step, over 400 steps
 *   spread over the whole list (each a jump: every row is bound anew);
 *   rss_mb is that process's VmRSS at the end.
 *
 * REIN_BENCH_SHOTS=1 also takes screenshots of the window in the middle of
 * the refresh, wide and narrow (its figures are not the bench's then);
 * REIN_BENCH_STALLS=1 prints each stall over a frame.
 *
 * Prints one line (and, on stderr, what it does). Run under Xvfb with
 * GSK_RENDERER=cairo, like the UI suites: meson test --benchmark --suite app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "app-test-util.h"
#include "client-test-util.h"
#include "market-data.h"
#include "rein-background.h"
#include "rein-test-util.h"
#include "rein-window.h"

#define BIDS_PER_JOB 3
#define N_SERVERS 3
#define FILTER_ROUNDS 5
#define SCROLL_STEPS 400
/* ReinApplication's wait for the session before its first window */
#define WINDOW_WAIT_MS 250
/* A fixed reader, so that the cached databases keep its account. */
#define READER_PHRASE                                                                           \
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "   \
  "about"

static gint64 process_start;

/* The main thread's CPU time, in ms: on a loaded machine, what the wall
 * clock says depends on the neighbours too. */
static gdouble
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static guint
bench_jobs (void)
{
  const gchar *env = g_getenv ("REIN_BENCH_JOBS");

  return env != NULL && *env != '\0' ? (guint) g_ascii_strtoull (env, NULL, 10) : 100000;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
p95 (GArray *values)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  return g_array_index (values, gdouble, MIN (values->len - 1, (values->len * 95 + 99) / 100 - 1));
}

static guint
rss_mb (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return (guint) (g_ascii_strtoull (line + 6, NULL, 10) / 1024);
}

static ReinStore *
open_store (const gchar *dir, ReinIdentity **out_identity)
{
  g_autoptr (GError) error = NULL;
  ReinStore *store = rein_store_open (dir, &error);
  g_autoptr (GListModel) identities = NULL;

  g_assert_no_error (error);
  identities = rein_store_list_identities (store, &error);
  g_assert_no_error (error);
  if (g_list_model_get_n_items (identities) == 0)
    {
      ReinIdentityParams params = { .name = "Reader", .contact = "reader@example.com" };

      *out_identity = rein_store_add_identity_from_mnemonic (store, &params, READER_PHRASE, NULL,
                                                             "pw", &error);
      g_assert_no_error (error);
      g_assert_true (rein_store_set_active_identity (store, *out_identity, &error));
    }
  else
    *out_identity = g_list_model_get_item (identities, 0);
  return store;
}

/* ---- The app's side: launch, filter, scroll (in a process of its own) ---- */

typedef struct
{
  gint64 before_paint;
  gint64 after_paint;
  guint paints;
} Frames;

static void
before_paint_cb (GdkFrameClock *clock, Frames *frames)
{
  frames->before_paint = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock, Frames *frames)
{
  frames->after_paint = g_get_monotonic_time ();
  frames->paints++;
}

/* Runs the main loop until the window has drawn a frame (@widget's
 * drawing is asked for, in case nothing changed). */
static void
wait_for_paint (GtkWidget *widget, Frames *frames)
{
  guint paints = frames->paints;

  gtk_widget_queue_draw (widget);
  while (frames->paints == paints)
    g_main_context_iteration (NULL, TRUE);
}

static void
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static int
run_ui (const gchar *store_dir, guint n_jobs)
{
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinContext) context = NULL;
  g_autoptr (GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) filter_cpu_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GListModel *jobs;
  ReinWindow *window;
  ReinMarketView *view;
  GdkFrameClock *clock;
  GtkAdjustment *adjustment;
  GtkWidget *list;
  Frames frames = { 0 };
  gdouble launch_ms;
  const gchar *word = market_data_word (0);

  gtk_init ();
  adw_init ();
  store = open_store (store_dir, &identity);
  context = rein_context_new (store);
  /* As ReinApplication does: the window once the session's first read is
   * in (the market's read starts then, while the window is built), or
   * after WINDOW_WAIT_MS. */
  {
    gboolean waited = FALSE;
    guint timeout = g_timeout_add_once (WINDOW_WAIT_MS, set_true, &waited);

    while (!rein_session_get_loaded (rein_context_get_session (context)) && !waited)
      g_main_context_iteration (NULL, TRUE);
    if (!waited)
      g_source_remove (timeout);
  }
  window = rein_window_new (NULL, context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  view = rein_window_get_market_view (window);
  jobs = rein_market_service_get_jobs (rein_context_get_market (context));
  list = app_test_child (view, "job_list");

  /* The first rows drawn (the newest, before the whole index is read):
   * on stderr, launch_ms stays the whole market's. */
  while (rein_market_view_get_searching (view)
         || g_list_model_get_n_items (rein_market_view_get_shown (view)) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_paint (GTK_WIDGET (window), &frames);
  g_printerr ("bench-market: first %u rows drawn in %.0f ms\n",
              g_list_model_get_n_items (rein_market_view_get_shown (view)),
              (g_get_monotonic_time () - process_start) / 1000.0);

  /* Launch: the first frame once every job is in the model, sorted and
   * filtered, its rows shown. */
  while (g_list_model_get_n_items (jobs) < n_jobs || rein_market_view_get_searching (view)
         || g_list_model_get_n_items (rein_market_view_get_shown (view)) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_paint (GTK_WIDGET (window), &frames);
  launch_ms = (g_get_monotonic_time () - process_start) / 1000.0;
  g_printerr ("bench-market: launched with %u jobs in %.0f ms\n", n_jobs, launch_ms);
  while (rein_market_view_get_searching (view))
    g_main_context_iteration (NULL, TRUE);
  app_test_iterate (200);

  /* Typing a word, one letter at a time, a few rounds. */
  for (guint round = 0; round < FILTER_ROUNDS; round++)
    {
      for (guint len = 1; len <= strlen (word); len++)
        {
          g_autofree gchar *prefix = g_strndup (word, len);
          gint64 start = g_get_monotonic_time ();
          gdouble cpu_start = thread_cpu_ms ();
          gdouble ms, cpu;

          rein_market_view_set_search (view, prefix);
          while (rein_market_view_get_searching (view))
            g_main_context_iteration (NULL, TRUE);
          ms = (g_get_monotonic_time () - start) / 1000.0;
          /* And the frame that shows the result (the rows rebound are
           * measured and drawn then): its work, not the wait for it. */
          wait_for_paint (list, &frames);
          ms += (frames.after_paint - frames.before_paint) / 1000.0;
          cpu = thread_cpu_ms () - cpu_start;
          g_array_append_val (filter_ms, ms);
          g_array_append_val (filter_cpu_ms, cpu);
          app_test_iterate (5);
        }
      g_printerr ("bench-market: \"%s\" shows %u jobs\n", word,
                  g_list_model_get_n_items (rein_market_view_get_shown (view)));
      /* The search cleared, and the list drawn so, as a user sees it
       * before typing again: the next round's first keystroke is not
       * billed for drawing this one. */
      rein_market_view_set_search (view, "");
      while (rein_market_view_get_searching (view))
        g_main_context_iteration (NULL, TRUE);
      wait_for_paint (list, &frames);
      app_test_iterate (5);
    }

  /* Scrolling the whole list. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  app_test_iterate (100);
  for (guint step = 0; step <= SCROLL_STEPS; step++)
    {
      gdouble range = gtk_adjustment_get_upper (adjustment)
                      - gtk_adjustment_get_page_size (adjustment);
      gdouble ms;

      gtk_adjustment_set_value (adjustment, range * step / SCROLL_STEPS);
      /* A frame even when the value did not change (the first step). */
      wait_for_paint (list, &frames);
      ms = (frames.after_paint - frames.before_paint) / 1000.0;
      g_array_append_val (frame_ms, ms);
    }
  g_printerr ("bench-market: scrolled to %.0f of %.0f px\n", gtk_adjustment_get_value (adjustment),
              gtk_adjustment_get_upper (adjustment));

  g_printerr ("bench-market: filter p95 %.1f ms of the main thread's CPU time\n",
              p95 (filter_cpu_ms));
  g_print ("launch_ms=%.0f filter_p95_ms=%.1f frame_p95_ms=%.1f rss_mb=%u\n", launch_ms,
           p95 (filter_ms), p95 (frame_ms), rss_mb ());
  app_test_destroy_window (GTK_WINDOW (window));
  return 0;
}

/* ---- The refresh (with the window open) ---- */

/* This process's CPU time (every thread; not the servers'), in s. */
static gdouble
process_cpu_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* This process's page faults so far (the allocator's growth shows in
 * them: steadier than its CPU time on a busy machine). */
static glong
process_page_faults (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

/* The CPU time of the thread that runs the main loop (this one), in s. */
static gdouble
main_thread_cpu_s (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

/* The main thread's CPU time in user space and in the kernel, in s. */
static void
main_thread_times (gdouble *user, gdouble *system)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  *user = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
  *system = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* rein_stall_tick(), and on stderr each stall over a frame (16 ms) with
 * its end's wall-clock time, to set beside G_MESSAGES_DEBUG's lines, and
 * the main thread's CPU time meanwhile: in user space, it ran code (ours,
 * GTK's); in the kernel, it was being switched to (on this VM, a wake-up
 * can take tens of ms there); neither, it waited (for a processor, a
 * lock). The kernel counts these by its tick (4 ms here): a rough split,
 * to tell where to point a profiler (perf record -t on the main thread). */
static gboolean
traced_stall_tick (gpointer data)
{
  static gdouble last_user, last_system;
  Stall *stall = data;
  gint64 last = stall->last;
  gdouble user, system;

  main_thread_times (&user, &system);
  rein_stall_tick (stall);
  if (last != 0 && stall->last - last > 16000)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree gchar *when = g_date_time_format (now, "%H:%M:%S.%f");

      g_printerr ("bench-market: a stall of %" G_GINT64_FORMAT " ms ended at %.12s "
                  "(the main thread: %.0f ms in user space, %.0f ms in the kernel)\n",
                  (stall->last - last) / 1000, when, (user - last_user) * 1000,
                  (system - last_system) * 1000);
    }
  last_user = user;
  last_system = system;
  return G_SOURCE_CONTINUE;
}

/* The control for max_stall_ms: a thread of its own, whose main loop does
 * nothing but a 1 ms timer. Its stalls are the machine's, not the
 * window's: on a VM, a vCPU the host runs something else on, or a disk
 * write that holds every vCPU up, stall it as much as the window. */
typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  Stall stall;
  guint over_frame; /* stalls of more than 16 ms */
} Control;

static gboolean
control_tick (gpointer data)
{
  Control *control = data;
  gint64 last = control->stall.last;

  rein_stall_tick (&control->stall);
  if (last != 0 && control->stall.last - last > 16000)
    control->over_frame++;
  return G_SOURCE_CONTINUE;
}

static gpointer
control_thread (gpointer data)
{
  Control *control = data;
  GSource *tick = g_timeout_source_new (1);

  g_source_set_callback (tick, control_tick, control, NULL);
  g_source_attach (tick, control->context);
  g_main_loop_run (control->loop);
  g_source_destroy (tick);
  g_source_unref (tick);
  return NULL;
}

static void
control_start (Control *control)
{
  control->context = g_main_context_new ();
  control->loop = g_main_loop_new (control->context, FALSE);
  control->thread = g_thread_new ("stall-control", control_thread, control);
}

static gboolean
control_quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
control_stop (Control *control)
{
  /* from inside its loop: a quit before the loop runs would be lost */
  g_main_context_invoke (control->context, control_quit, control->loop);
  g_thread_join (control->thread);
  g_main_loop_unref (control->loop);
  g_main_context_unref (control->context);
}

static void
count_layout (guint *layouts)
{
  (*layouts)++;
}

/* REIN_BENCH_SHOTS=1: screenshots of the window in the middle of the
 * refresh, wide at 100,000 documents read, then narrow at 200,000 (not
 * for the figures: a resize lays the window out again). */
typedef struct
{
  GtkWindow *window;
  guint taken;
  gboolean pending;
} Shots;

static void
shot_idle (gpointer data)
{
  Shots *shots = data;

  if (shots->taken == 0)
    {
      app_test_screenshot (GTK_WIDGET (shots->window), "market-24-refresh-count");
      gtk_window_set_default_size (shots->window, 360, 720);
    }
  else
    {
      app_test_screenshot (GTK_WIDGET (shots->window), "market-25-refresh-count-narrow");
      gtk_window_set_default_size (shots->window, 1000, 700);
    }
  shots->taken++;
  shots->pending = FALSE;
}

static void
shots_read_cb (ReinMarketService *market, GParamSpec *pspec, Shots *shots)
{
  guint read = rein_market_service_get_documents_read (market);

  if (shots->pending || shots->taken >= 2 || read < (shots->taken + 1) * 100000)
    return;
  shots->pending = TRUE;
  g_idle_add_once (shot_idle, shots);
}

static gdouble
timed_refresh (ReinContext *context, Stall *stall, ReinWindow **out_window)
{
  ReinMarketService *market = rein_context_get_market (context);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;
  gdouble cpu_start, main_cpu_start;
  glong faults_start;
  guint idle;
  guint layouts = 0;
  gulong layout_handler = 0, shots_handler = 0;
  Shots shots = { 0 };
  GdkFrameClock *window_clock = NULL;
  Control control = { 0 };

  /* The window first, on the Market tab, drawn: building it is the app's
   * start-up (launch_ms), not the refresh's, so the stall meter starts
   * once it is on screen. */
  if (out_window != NULL)
    {
      Frames frames = { 0 };
      GdkFrameClock *clock;
      gulong handler;

      start = g_get_monotonic_time ();
      *out_window = rein_window_new (NULL, context);
      gtk_window_set_default_size (GTK_WINDOW (*out_window), 1000, 700);
      gtk_window_present (GTK_WINDOW (*out_window));
      clock = gtk_widget_get_frame_clock (GTK_WIDGET (*out_window));
      handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
      wait_for_paint (GTK_WIDGET (*out_window), &frames);
      g_signal_handler_disconnect (clock, handler);
      g_printerr ("bench-market: the window opened and drew in %.0f ms, before the refresh\n",
                  (g_get_monotonic_time () - start) / 1000.0);
    }

  /* Layouts of the window meanwhile: on X11 each asks the display server
   * where the window is (round trips that wait for Xvfb, which on a busy
   * machine waits for a core). */
  if (out_window != NULL)
    {
      window_clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (*out_window)));
      layout_handler = g_signal_connect_swapped (window_clock, "layout", G_CALLBACK (count_layout),
                                                 &layouts);
      shots.window = GTK_WINDOW (*out_window);
      if (g_strcmp0 (g_getenv ("REIN_BENCH_SHOTS"), "1") == 0)
        shots_handler = g_signal_connect (market, "notify::documents-read",
                                          G_CALLBACK (shots_read_cb), &shots);
    }
  start = g_get_monotonic_time ();
  cpu_start = process_cpu_s ();
  main_cpu_start = main_thread_cpu_s ();
  faults_start = process_page_faults ();
  /* A 1 ms timer, not an idle: an idle callback keeps the main thread
   * spinning, and takes one of the two cores from the refresh. */
  idle = g_timeout_add (1, g_getenv ("REIN_BENCH_STALLS") != NULL ? traced_stall_tick
                                                                 : rein_stall_tick,
                        stall);
  control_start (&control);
  rein_market_service_refresh_async (market, NULL, wait_cb, &result);
  wait_for (&result);
  g_source_remove (idle);
  control_stop (&control);
  g_clear_signal_handler (&shots_handler, market);
  /* a shot already due is taken (it reads @shots, on this stack) */
  while (shots.pending)
    g_main_context_iteration (NULL, TRUE);
  if (window_clock != NULL)
    {
      g_signal_handler_disconnect (window_clock, layout_handler);
      g_object_unref (window_clock);
      g_printerr ("bench-market: the window was laid out %u times during the refresh\n", layouts);
    }
  g_assert_true (rein_market_service_refresh_finish (market, result, &error));
  g_assert_no_error (error);
  g_printerr ("bench-market: a refresh took %.1f s of this process's CPU time (%.2f s of it "
              "the main thread's, %ld page faults), the longest stall %.0f ms\n",
              process_cpu_s () - cpu_start, main_thread_cpu_s () - main_cpu_start,
              process_page_faults () - faults_start, stall->longest / 1000.0);
  g_printerr ("bench-market: meanwhile, a thread that ran nothing but a 1 ms timer stalled up "
              "to %.0f ms, %u times over 16 ms (the machine's stalls, not the window's)\n",
              control.stall.longest / 1000.0, control.over_frame);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The cached database of @n_jobs jobs, made when missing. */
static gchar *
market_database (guint n_jobs, ReinIdentity *reader)
{
  const gchar *cache = g_getenv ("REIN_BENCH_CACHE");
  g_autofree gchar *dir = g_strdup (cache != NULL ? cache : "bench-cache");
  g_autofree gchar *name = g_strdup_printf ("market-%u-%u.db", n_jobs, BIDS_PER_JOB);
  gchar *path = g_build_filename (dir, name, NULL);
  g_autofree gchar *partial = g_strconcat (path, ".partial", NULL);
  g_autoptr (GTimer) timer = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_remove (partial);
  timer = g_timer_new ();
  g_printerr ("bench-market: writing %u jobs and %u bids into %s (once)\n", n_jobs,
              n_jobs * BIDS_PER_JOB, path);
  market_data_write (partial, n_jobs, BIDS_PER_JOB, rein_identity_get_master_address (reader),
                     rein_identity_get_delegate_address (reader));
  g_assert_cmpint (g_rename (partial, path), ==, 0);
  g_printerr ("bench-market: written in %.0f s\n", g_timer_elapsed (timer, NULL));
  return path;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *database = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (ReinContext) context = NULL;
  g_autofree gchar *ui_line = NULL;
  g_autofree gchar *ui_err = NULL;
  const gchar *const server_args[] = { "--rate=0", "--max-connections=0", NULL };
  TestServer *servers[N_SERVERS];
  ReinMarketService *market;
  ReinWindow *window;
  Stall stall = { 0 };
  gdouble refresh_s, refresh_again_s;
  guint n_jobs = bench_jobs ();
  gint status = 0;

  process_start = g_get_monotonic_time ();
  /* As the app's main() does. */
  rein_background_tune_allocator ();
  rein_secret_set_scrypt_cost (10);
  if (argc == 3 && g_strcmp0 (argv[1], "--ui") == 0)
    return run_ui (argv[2], n_jobs);

  gtk_init ();
  adw_init ();
  dir = g_dir_make_tmp ("bench-market-XXXXXX", &error);
  g_assert_no_error (error);
  store = open_store (dir, &identity);
  database = market_database (n_jobs, identity);
  for (guint i = 0; i < N_SERVERS; i++)
    {
      servers[i] = test_server_start (database, server_args);
      rein_store_add_server (store, servers[i]->url, &error);
      g_assert_no_error (error);
    }

  context = rein_context_new (store);
  market = rein_context_get_market (context);
  while (!rein_session_get_loaded (rein_context_get_session (context))
         || !rein_market_service_get_loaded (market))
    g_main_context_iteration (NULL, TRUE);
  refresh_s = timed_refresh (context, &stall, &window);
  g_assert_cmpuint (g_list_model_get_n_items (rein_market_service_get_jobs (market)), ==, n_jobs);
  g_printerr ("bench-market: refreshed %u documents in %.1f s\n", n_jobs * (1 + BIDS_PER_JOB),
              refresh_s);
  {
    Stall again = { 0 };
    guint64 checks = rein_document_get_n_signature_checks ();

    refresh_again_s = timed_refresh (context, &again, NULL);
    g_printerr ("bench-market: again in %.1f s, %" G_GUINT64_FORMAT " signature checks, "
                "longest stall %" G_GINT64_FORMAT " ms\n",
                refresh_again_s, rein_document_get_n_signature_checks () - checks,
                again.longest / 1000);
  }
  app_test_destroy_window (GTK_WINDOW (window));
  g_clear_object (&context);
  /* The app started again on the same store, the servers unchanged: what
   * its first refresh costs (the reader's cursors and built jobs are the
   * context's, not the store's). Said on stderr; not one of the figures. */
  {
    Stall restart = { 0 };
    guint64 checks = rein_document_get_n_signature_checks ();
    gdouble restart_s;

    context = rein_context_new (store);
    while (!rein_session_get_loaded (rein_context_get_session (context))
           || !rein_market_service_get_loaded (rein_context_get_market (context)))
      g_main_context_iteration (NULL, TRUE);
    restart_s = timed_refresh (context, &restart, NULL);
    g_printerr ("bench-market: after a restart, the first refresh took %.1f s, %" G_GUINT64_FORMAT
                " signature checks, longest stall %" G_GINT64_FORMAT " ms\n",
                restart_s, rein_document_get_n_signature_checks () - checks,
                restart.longest / 1000);
    g_clear_object (&context);
  }
  /* What a market's refresh leaves in the process, once its jobs are let
   * go (in a worker, in the background, for a few seconds): until the
   * size fell and then held for two seconds, or 20 s. */
  {
    guint rss = rss_mb (), first = rss, held = 0;

    for (guint waited = 0; waited < 20 && held < 2; waited++)
      {
        guint last = rss;

        app_test_iterate (100);
        g_usleep (G_USEC_PER_SEC);
        rss = rss_mb ();
        held = rss < first && rss + rss / 100 >= last ? held + 1 : 0;
      }
    g_printerr ("bench-market: %u MB resident after the refreshes (%u MB before their jobs "
                "were let go)\n", rss, first);
  }
  for (guint i = 0; i < N_SERVERS; i++)
    {
      test_server_stop (servers[i]);
      test_server_free (servers[i]);
    }
  g_clear_object (&store);

  /* The app, started on the filled store (its refresh fails at once: the
   * servers are gone). */
  {
    const gchar *ui_argv[] = { argv[0], "--ui", dir, NULL };

    if (!g_spawn_sync (NULL, (gchar **) ui_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &ui_line,
                       &ui_err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("the app's part failed: %s\n%s", error->message, ui_err ? ui_err : "");
  }
  g_printerr ("%s", ui_err);
  g_strstrip (ui_line);
  g_print ("bench-market: jobs=%u %s refresh_s=%.1f refresh_again_s=%.1f max_stall_ms=%.0f\n",
           n_jobs, ui_line, refresh_s, refresh_again_s, stall.longest / 1000.0);
  /* REIN_BENCH_KEEP=1 keeps the filled store, to profile the app's part:
   * bench-market --ui DIR. */
  if (g_strcmp0 (g_getenv ("REIN_BENCH_KEEP"), "1") == 0)
    g_printerr ("bench-market: the store is kept in %s\n", dir);
  else
    rein_test_remove_tree (dir);
  return 0;
}
