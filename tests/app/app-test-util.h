/* app-test-util.h: helpers shared by the UI suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

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
