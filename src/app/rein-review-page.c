/* rein-review-page.c: the exact document, shown before it is signed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-review-page.h"
#include "rein-password.h"
#include "rein-person.h"

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

static void copy_clipboard_cb (GtkTextView *view, ReinReviewPage *self);

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
  gtk_text_buffer_create_tag (buffer, "shown-only", NULL);
  g_signal_connect (self->text_view, "copy-clipboard", G_CALLBACK (copy_clipboard_cb), self);
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

/* Whether @c is written right to left (Hebrew, Arabic and the other
 * scripts of the Unicode ranges that are). */
static gboolean
is_right_to_left (gunichar c)
{
  return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF)
         || (c >= 0xFE70 && c <= 0xFEFF) || (c >= 0x10800 && c <= 0x10FFF)
         || (c >= 0x1E800 && c <= 0x1EFFF);
}

static gboolean
has_right_to_left (const gchar *text, gsize len)
{
  for (const gchar *p = text; p < text + len; p = g_utf8_next_char (p))
    if (is_right_to_left (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* @len bytes of @text at the end of @buffer, in an isolate of their own
 * when they hold right-to-left text (see add_line()). */
static void
add_piece (GtkTextBuffer *buffer, const gchar *text, gsize len)
{
  GtkTextIter end;
  gboolean isolate = has_right_to_left (text, len);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (isolate)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, REIN_PERSON_FSI, -1, "exact",
                                              "shown-only", NULL);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, (gint) len, "exact", NULL);
  if (isolate)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, REIN_PERSON_PDI, -1, "exact",
                                              "shown-only", NULL);
}

/* A line of the document. A value with right-to-left text drew the
 * characters around it into its direction: the escapes of a multi-line
 * value ("\n") and the words beside them were shown out of their order,
 * and the document did not read as it is signed. So the label, each
 * stretch of a value between two escapes, and each escape are shown
 * apart: the stretches that hold right-to-left text in direction
 * isolates, which the text around them takes as one neutral character.
 * The isolates are for the eye only (tagged "shown-only"): they are not
 * in the document, nor in what Copy puts on the clipboard (the primary
 * selection, pasted with the middle button, is GTK's, and holds them). */
static void
add_line (GtkTextBuffer *buffer, const gchar *line, gsize len)
{
  const gchar *end = line + len;
  const gchar *label_end = g_strstr_len (line, (gssize) len, ": ");
  const gchar *p = line, *piece = line;

  if (label_end != NULL)
    {
      add_piece (buffer, line, (gsize) (label_end + 2 - line));
      p = piece = label_end + 2;
    }
  while (p < end)
    {
      if (*p == '\\' && p + 1 < end)
        {
          /* the backslash and the whole character after it (a value of
           * one line may hold a raw backslash before any character) */
          const gchar *next = g_utf8_next_char (p + 1);

          if (p > piece)
            add_piece (buffer, piece, (gsize) (p - piece));
          add_piece (buffer, p, (gsize) (MIN (next, end) - p));
          p = MIN (next, end);
          piece = p;
          continue;
        }
      p++;
    }
  if (p > piece)
    add_piece (buffer, piece, (gsize) (p - piece));
}

void
rein_review_page_set_document (ReinReviewPage *self, const gchar *text)
{
  GtkTextBuffer *buffer;
  const gchar *line;

  g_return_if_fail (REIN_IS_REVIEW_PAGE (self));

  g_free (self->text);
  self->text = g_strdup (text);
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, "", -1);
  for (line = text; line != NULL && *line != '\0';)
    {
      const gchar *nl = strchr (line, '\n');
      gsize len = nl != NULL ? (gsize) (nl - line) : strlen (line);
      GtkTextIter end;

      add_line (buffer, line, len);
      if (nl == NULL)
        break;
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert_with_tags_by_name (buffer, &end, "\n", 1, "exact", NULL);
      line = nl + 1;
    }
}

/* What is copied from the document is the document: the isolates shown
 * around right-to-left text are left out. */
static void
copy_clipboard_cb (GtkTextView *view, ReinReviewPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTag *shown_only = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                                      "shown-only");
  g_autoptr (GString) copied = g_string_new (NULL);
  GtkTextIter start, end;

  g_signal_stop_emission_by_name (view, "copy-clipboard");
  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    return;
  for (GtkTextIter i = start; gtk_text_iter_compare (&i, &end) < 0; gtk_text_iter_forward_char (&i))
    if (!gtk_text_iter_has_tag (&i, shown_only))
      g_string_append_unichar (copied, gtk_text_iter_get_char (&i));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (view)), copied->str);
}

/* The text the page shows (isolates included), for tests. */
gchar *
rein_review_page_dup_shown (ReinReviewPage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (REIN_IS_REVIEW_PAGE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
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
