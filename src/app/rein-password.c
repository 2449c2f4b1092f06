/* rein-password.c: password rows that do not reveal by accident
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-password.h"

/* The row shows its pencil again when its state changes: it stays hidden.
 * The reveal toggle is a plain GtkButton in libadwaita 1.2 (a
 * GtkToggleButton later): no button of the row takes the focus, so that
 * Tab from the password goes to the next field, never to the eye, and
 * Enter cannot reveal the password. It can still be clicked. */
static void
keep_hidden_cb (GtkWidget *widget)
{
  if (gtk_widget_get_visible (widget))
    gtk_widget_set_visible (widget, FALSE);
}

static void
tidy (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    gtk_widget_set_focusable (widget, FALSE);
  else if (GTK_IS_IMAGE (widget)
           && g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)),
                         "document-edit-symbolic") == 0)
    {
      gtk_widget_set_visible (widget, FALSE);
      g_signal_connect (widget, "notify::visible", G_CALLBACK (keep_hidden_cb), NULL);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    tidy (c);
}

void
rein_password_row_tidy (AdwPasswordEntryRow *row)
{
  g_return_if_fail (ADW_IS_PASSWORD_ENTRY_ROW (row));
  tidy (GTK_WIDGET (row));
}
