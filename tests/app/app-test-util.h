/* app-test-util.h: helpers shared by the UI suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

/* Runs the main loop for @ms milliseconds without blocking. */
static inline void
app_test_iterate (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* The first widget of @type at or below @root, or NULL. */
static inline GtkWidget *
app_test_find_by_type (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = app_test_find_by_type (c, type);

      if (found)
        return found;
    }
  return NULL;
}

/* The first widget named @name (gtk_widget_set_name()) at or below
 * @root, or NULL. */
static inline GtkWidget *
app_test_find_by_name (GtkWidget *root, const gchar *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = app_test_find_by_name (c, name);

      if (found)
        return found;
    }
  return NULL;
}

/* A template child of @widget by its id in the .ui. */
static inline gpointer
app_test_child (gpointer widget, const gchar *id)
{
  GObject *obj = gtk_widget_get_template_child (GTK_WIDGET (widget), G_OBJECT_TYPE (widget), id);

  g_assert_nonnull (obj);
  return obj;
}

/* Drops the focus first: GTK 4.8 warns when a window is destroyed while
 * an entry in it has the focus. */
static inline void
app_test_destroy_window (GtkWindow *window)
{
  gtk_window_set_focus (window, NULL);
  app_test_iterate (20);
  gtk_window_destroy (window);
}

static inline gboolean
app_test_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done (@data) says so; fails the test, naming
 * @what, after @seconds. */
static inline void
app_test_wait_until (gboolean (*done) (gpointer data), gpointer data, const gchar *what,
                     guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, app_test_wake_cb, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  if (!done (data))
    g_error ("timed out waiting for %s", what);
}

/* Runs the main loop until @session (a ReinSession) has read the store, as
 * its "loaded" property says; fails the test after 30 s. */
static inline void
app_test_wait_loaded (gpointer session)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, app_test_wake_cb, NULL);
  gboolean loaded = FALSE;

  for (;;)
    {
      g_object_get (session, "loaded", &loaded, NULL);
      if (loaded || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  if (!loaded)
    g_error ("timed out waiting for the session to read the store");
}

/* Renders @widget as it is on screen and saves it as
 * $REIN_SCREENSHOT_DIR/@subdir/@name.png ("screenshots" when unset; @subdir
 * may be ""). Returns the texture, for tests that look at the pixels. */
static inline GdkTexture *
app_test_screenshot_in (GtkWidget *widget, const gchar *subdir, const gchar *name)
{
  const gchar *env = g_getenv ("REIN_SCREENSHOT_DIR");
  g_autofree gchar *dir = g_build_filename (env ? env : "screenshots", subdir, NULL);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autofree gchar *path = NULL;
  GskRenderer *renderer;
  GdkTexture *texture;
  int width, height;

  app_test_iterate (200);
  /* A widget that has not been allocated or drawn yet (a dialog just
   * presented, a page just shown, a slow sanitizer build on a busy
   * machine) has no size or snapshots to nothing: give it up to 30 s. */
  for (gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;;)
    {
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      if ((width <= 0 || height <= 0) && g_get_monotonic_time () <= end)
        {
          app_test_iterate (100);
          continue;
        }
      g_assert_cmpint (width, >, 0);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node != NULL || g_get_monotonic_time () > end)
        break;
      app_test_iterate (100);
    }
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return texture;
}

/* app_test_screenshot_in() into the screenshot folder itself. */
static inline void
app_test_screenshot (GtkWidget *widget, const gchar *name)
{
  /* The sanitizer build checks the code, not the looks: with
   * REIN_TEST_NO_SCREENSHOTS the pictures for people are not drawn, which
   * saves it minutes (tests that read pixels use app_test_screenshot_in()). */
  if (g_getenv ("REIN_TEST_NO_SCREENSHOTS") != NULL)
    {
      app_test_iterate (100);
      g_assert_true (gtk_widget_get_mapped (widget));
      return;
    }
  g_object_unref (app_test_screenshot_in (widget, "", name));
}

/* The visible toplevel window of @type, or NULL. */
static inline GtkWindow *
app_test_find_toplevel (GType type)
{
  GListModel *list = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (list, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

typedef struct
{
  GType type;
  const gchar *(*get_page) (gpointer dialog);
  const gchar *page;
} AppTestPageWait;

static inline gboolean
app_test_page_reached (gpointer data)
{
  AppTestPageWait *w = data;
  GtkWindow *dialog = app_test_find_toplevel (w->type);

  if (w->page == NULL)
    return dialog == NULL;
  return dialog != NULL && g_strcmp0 (w->get_page (dialog), w->page) == 0;
}

/* Waits until the dialog of @type shows @page (as @get_page says), or
 * with @page NULL until no dialog of @type is shown. */
static inline void
app_test_wait_page (GType type, gpointer get_page, const gchar *page)
{
  AppTestPageWait w = { type, (const gchar *(*) (gpointer)) get_page, page };

  app_test_wait_until (app_test_page_reached, &w, page ? page : "the dialog to close", 90);
}

/* The subtitle of the AdwActionRow titled @title below @root (a review's
 * fact), or NULL. */
static inline const gchar *
app_test_fact_of (GtkWidget *root, const gchar *title)
{
  if (ADW_IS_ACTION_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return adw_action_row_get_subtitle (ADW_ACTION_ROW (root));
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      const gchar *found = app_test_fact_of (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}
