/* rein-review-page.c: the exact document, shown before it is signed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-review-page.h"
#include "rein-password.h"

struct _ReinReviewPage
{
  AdwBin parent_instance;

  gchar *text;
  GPtrArray *fact_rows;

  AdwPreferencesGroup *facts_group;
  GtkTextView *text_view;
  GtkWidget *password_group;
  GtkEditable *password_row;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (ReinReviewPage, rein_review_page, ADW_TYPE_BIN)

static void
rein_review_page_dispose (GObject *object)
{
  ReinReviewPage *self = (ReinReviewPage *) object;

  g_clear_pointer (&self->fact_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_REVIEW_PAGE);
  G_OBJECT_CLASS (rein_review_page_parent_class)->dispose (object);
}

static void
rein_review_page_finalize (GObject *object)
{
  g_free (REIN_REVIEW_PAGE (object)->text);
  G_OBJECT_CLASS (rein_review_page_parent_class)->finalize (object);
}

static void
rein_review_page_class_init (ReinReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_review_page_dispose;
  object_class->finalize = rein_review_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinReviewPage, facts_group);
  gtk_widget_class_bind_template_child (widget_class, ReinReviewPage, text_view);
  gtk_widget_class_bind_template_child (widget_class, ReinReviewPage, password_group);
  gtk_widget_class_bind_template_child (widget_class, ReinReviewPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ReinReviewPage, error_label);
}

/* Enter in the password field signs, as the dialog's main button does. */
static void
password_activated_cb (ReinReviewPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.next", NULL);
}

static void
rein_review_page_init (ReinReviewPage *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The exact text: where a long line wraps, Pango must not add a hyphen
   * that is not in the document. */
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_create_tag (buffer, "exact", "insert-hyphens", FALSE, NULL);
  rein_password_row_tidy (ADW_PASSWORD_ENTRY_ROW (self->password_row));
  g_signal_connect_swapped (self->password_row, "entry-activated",
                            G_CALLBACK (password_activated_cb), self);
  self->fact_rows = g_ptr_array_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->facts_group), FALSE);
}

void
rein_review_page_set_text (ReinReviewPage *self, const gchar *text)
{
  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));

  rein_review_page_set_document (self, text);
  for (guint i = 0; i < self->fact_rows->len; i++)
    adw_preferences_group_remove (self->facts_group, g_ptr_array_index (self->fact_rows, i));
  g_ptr_array_set_size (self->fact_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->facts_group), FALSE);
  rein_review_page_set_error (self, NULL);
}

void
rein_review_page_set_document (ReinReviewPage *self, const gchar *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;

  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));

  g_free (self->text);
  self->text = g_strdup (text);
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, "", -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &start, text ? text : "", -1, "exact", NULL);
}

const gchar *
rein_review_page_get_text (ReinReviewPage *self)
{
  g_return_val_if_fail (REIN_IS_REVIEW_PAGE (self), NULL);
  return self->text;
}

void
rein_review_page_add_fact (ReinReviewPage *self, const gchar *title, const gchar *value)
{
  GtkWidget *row;

  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (self->facts_group, row);
  g_ptr_array_add (self->fact_rows, row);
  gtk_widget_set_visible (GTK_WIDGET (self->facts_group), TRUE);
}

void
rein_review_page_add_warning (ReinReviewPage *self, const gchar *title, const gchar *value)
{
  GtkWidget *icon;
  GtkWidget *row;

  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));

  rein_review_page_add_fact (self, title, value);
  row = g_ptr_array_index (self->fact_rows, self->fact_rows->len - 1);
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, "warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Warning"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "warning");
}

void
rein_review_page_set_locked (ReinReviewPage *self, gboolean locked)
{
  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));
  gtk_widget_set_visible (self->password_group, locked);
}

const gchar *
rein_review_page_get_password (ReinReviewPage *self)
{
  g_return_val_if_fail (REIN_IS_REVIEW_PAGE (self), NULL);
  return gtk_editable_get_text (self->password_row);
}

void
rein_review_page_clear_password (ReinReviewPage *self)
{
  rein_review_page_set_password (self, "");
}

void
rein_review_page_set_password (ReinReviewPage *self, const gchar *password)
{
  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));
  gtk_editable_set_text (self->password_row, password ? password : "");
}

void
rein_review_page_set_error (ReinReviewPage *self, const gchar *error)
{
  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));
  gtk_label_set_text (self->error_label, error ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
}

void
rein_review_page_focus (ReinReviewPage *self)
{
  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));
  if (gtk_widget_get_visible (self->password_group))
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}
