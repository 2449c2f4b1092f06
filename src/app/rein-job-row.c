/* rein-job-row.c: one job in the market list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-job-row.h"

#include "rein-market.h"

struct _ReinJobRow
{
  AdwBin parent_instance;

  ReinJobSummary *summary;

  GtkLabel *name_label;
  GtkLabel *state_label;
  GtkInscription *meta_label;
  GtkLabel *bids_label;
  GtkLabel *fee_label;
};

G_DEFINE_FINAL_TYPE (ReinJobRow, rein_job_row, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gchar *
rein_format_age (gint64 when, gint64 now)
{
  gint64 seconds = MAX (0, now - when);
  guint n;

  if (when <= 0)
    return g_strdup ("");
  if (seconds < 60)
    return g_strdup (_("just now"));
  if (seconds < 3600)
    {
      n = (guint) (seconds / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute ago",
                                           "%u minutes ago", n), n);
    }
  if (seconds < 86400)
    {
      n = (guint) (seconds / 3600);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour ago",
                                           "%u hours ago", n), n);
    }
  n = (guint) MIN (seconds / 86400, G_MAXUINT);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day ago",
                                       "%u days ago", n), n);
}

gchar *
rein_bidi_isolate (const gchar *text)
{
  return g_strconcat (REIN_PERSON_FSI, text, REIN_PERSON_PDI, NULL);
}

void
rein_widget_set_tooltip (GtkWidget *widget, const gchar *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/* GTK 4.8 names a button with a label after both its "label" property
 * (which it sets to the text with its underscore) and the label inside it
 * that labels it: the property goes, and the inner label's words stay. */
static void
name_after_label (GtkButton *button)
{
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

void
rein_widget_name_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root))
      && gtk_button_get_label (GTK_BUTTON (root)) != NULL
      && g_object_get_data (G_OBJECT (root), "rein-named-after-label") == NULL)
    {
      name_after_label (GTK_BUTTON (root));
      g_signal_connect (root, "notify::label", G_CALLBACK (name_after_label), NULL);
      g_signal_connect (root, "notify::use-underline", G_CALLBACK (name_after_label), NULL);
      g_object_set_data (G_OBJECT (root), "rein-named-after-label", GINT_TO_POINTER (TRUE));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    rein_widget_name_mnemonic_buttons (child);
}

gchar *
rein_bidi_line (GtkWidget *widget, gchar *line)
{
  g_autofree gchar *owned = line;
  const gchar *mark = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL
                        ? "\xe2\x80\x8f"  /* U+200F RIGHT-TO-LEFT MARK */
                        : "\xe2\x80\x8e"; /* U+200E LEFT-TO-RIGHT MARK */

  return g_strconcat (mark, owned, NULL);
}

const gchar *
rein_job_state_badge (ReinJobState state)
{
  switch (state)
    {
    case REIN_JOB_STATE_POSTED:
      return _("Open");
    case REIN_JOB_STATE_BIDS:
      return _("Open");
    case REIN_JOB_STATE_AWARDED:
      return _("Awarded");
    case REIN_JOB_STATE_DELIVERED:
      return _("Delivered");
    case REIN_JOB_STATE_CREATOR_DISPUTE:
    case REIN_JOB_STATE_WORKER_DISPUTE:
      return _("Disputed");
    case REIN_JOB_STATE_ACCEPTED:
    case REIN_JOB_STATE_RESOLVED:
      return _("Complete");
    case REIN_JOB_STATE_NONE:
    default:
      return _("Not valid");
    }
}

static void
update (ReinJobRow *self)
{
  ReinJobSummary *s = self->summary;
  g_autofree gchar *shown_category = NULL;
  g_autofree gchar *creator = NULL;
  g_autofree gchar *age = NULL;
  g_autofree gchar *meta = NULL;
  g_autofree gchar *bids = NULL;
  g_autofree gchar *fee = NULL;
  g_autofree gchar *accessible = NULL;
  const gchar *category;
  gboolean open;

  if (s == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_inscription_set_text (self->meta_label, "");
      gtk_label_set_text (self->bids_label, "");
      gtk_label_set_text (self->fee_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);
      return;
    }
  category = rein_job_summary_get_category (s);
  open = rein_job_summary_get_open (s);
  age = rein_format_age (rein_job_summary_get_first_seen (s), g_get_real_time () / G_USEC_PER_SEC);
  /* each part isolated: a right-to-left category does not turn the line */
  shown_category = rein_bidi_isolate (*category ? category : _("No category"));
  creator = rein_bidi_isolate (*rein_job_summary_get_creator (s) ? rein_job_summary_get_creator (s)
                                                                 : _("Unknown"));
  /* TRANSLATORS: category · who posted it · when it was first seen */
  meta = rein_bidi_line (GTK_WIDGET (self),
                         g_strdup_printf (_("%s · %s · %s"), shown_category, creator, age));
  bids = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bid", "%u bids",
                                       rein_job_summary_get_n_bids (s)),
                          rein_job_summary_get_n_bids (s));
  fee = *rein_job_summary_get_mediator_fee (s)
          ? g_strdup_printf (_("fee %s"), rein_job_summary_get_mediator_fee (s))
          : g_strdup ("");
  gtk_label_set_text (self->name_label, rein_job_summary_get_name (s));
  gtk_inscription_set_text (self->meta_label, meta);
  gtk_label_set_text (self->bids_label, bids);
  gtk_label_set_text (self->fee_label, fee);
  gtk_label_set_text (self->state_label, rein_job_state_badge (rein_job_summary_get_state (s)));
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), !open);

  /* A screen reader says the row as one line, the job's name first. */
  accessible = g_strdup_printf ("%s, %s, %s%s%s", rein_job_summary_get_name (s), meta, bids,
                                open ? "" : ", ",
                                open ? "" : rein_job_state_badge (rein_job_summary_get_state (s)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

/* The job's whole name, asked for when the pointer rests on it: setting
 * a tooltip on every bind would ask the display where the pointer is,
 * a round trip per row shown. */
static gboolean
query_name_tooltip_cb (ReinJobRow *self, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  if (self->summary == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, rein_job_summary_get_name (self->summary));
  return TRUE;
}

void
rein_job_row_update_age (ReinJobRow *self)
{
  g_return_if_fail (REIN_IS_JOB_ROW (self));
  update (self);
}

void
rein_job_row_set_summary (ReinJobRow *self, ReinJobSummary *summary)
{
  g_return_if_fail (REIN_IS_JOB_ROW (self));
  g_return_if_fail (summary == NULL || REIN_IS_JOB_SUMMARY (summary));

  if (!g_set_object (&self->summary, summary))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

ReinJobSummary *
rein_job_row_get_summary (ReinJobRow *self)
{
  g_return_val_if_fail (REIN_IS_JOB_ROW (self), NULL);
  return self->summary;
}

static void
rein_job_row_dispose (GObject *object)
{
  ReinJobRow *self = (ReinJobRow *) object;

  g_clear_object (&self->summary);
  G_OBJECT_CLASS (rein_job_row_parent_class)->dispose (object);
}

static void
rein_job_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReinJobRow *self = REIN_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_SUMMARY:
      g_value_set_object (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_job_row_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  ReinJobRow *self = REIN_JOB_ROW (object);

  switch (prop_id)
    {
    case PROP_SUMMARY:
      rein_job_row_set_summary (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_job_row_class_init (ReinJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rein_job_row_dispose;
  object_class->get_property = rein_job_row_get_property;
  object_class->set_property = rein_job_row_set_property;

  properties[PROP_SUMMARY] =
    g_param_spec_object ("summary", NULL, NULL, REIN_TYPE_JOB_SUMMARY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

}

static GtkLabel *
row_label (gfloat xalign, const gchar *const *classes)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  for (guint i = 0; classes[i] != NULL; i++)
    gtk_widget_add_css_class (label, classes[i]);
  return GTK_LABEL (label);
}

/* A line of text cut to fit: a GtkInscription, whose size comes from its
 * font, not from its text. A GtkLabel lays its text out to measure it, then
 * again at the width it gets: on every row bound, twice, and the line
 * below the name is the longest text of a row. */
static GtkInscription *
line_label (const gchar *const *classes)
{
  GtkInscription *line = GTK_INSCRIPTION (gtk_inscription_new (NULL));

  gtk_inscription_set_text_overflow (line, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_lines (line, 1);
  gtk_inscription_set_nat_lines (line, 1);
  gtk_inscription_set_xalign (line, 0);
  for (guint i = 0; classes[i] != NULL; i++)
    gtk_widget_add_css_class (GTK_WIDGET (line), classes[i]);
  return line;
}

/* Built in code, not from a template: a list makes a row for each one
 * it shows, and GTK 4.8 parses a template's XML for each. */
static void
rein_job_row_init (ReinJobRow *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *figures = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

  gtk_widget_set_margin_top (row, 9);
  gtk_widget_set_margin_bottom (row, 9);
  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (figures, GTK_ALIGN_CENTER);

  /* a label: the state's badge follows the name's text */
  self->name_label = row_label (0, (const gchar *const[]){ "heading", NULL });
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (self->name_label, TRUE);
  self->state_label = row_label (0.5, (const gchar *const[]){ "job-state-badge", NULL });
  gtk_widget_set_valign (GTK_WIDGET (self->state_label), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);
  self->meta_label = line_label ((const gchar *const[]){ "dim-label", "caption", NULL });
  self->bids_label = row_label (1, (const gchar *const[]){ "numeric", NULL });
  self->fee_label = row_label (1, (const gchar *const[]){ "dim-label", "caption", "numeric",
                                                          NULL });

  gtk_box_append (GTK_BOX (title), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (title), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->meta_label));
  gtk_box_append (GTK_BOX (figures), GTK_WIDGET (self->bids_label));
  gtk_box_append (GTK_BOX (figures), GTK_WIDGET (self->fee_label));
  gtk_box_append (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), figures);
  adw_bin_set_child (ADW_BIN (self), row);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->name_label), TRUE);
  g_signal_connect_swapped (self->name_label, "query-tooltip",
                            G_CALLBACK (query_name_tooltip_cb), self);
}

ReinJobRow *
rein_job_row_new (void)
{
  return g_object_new (REIN_TYPE_JOB_ROW, NULL);
}

/* ---- ReinJobList: the rows shown, a list model over an array ---- */

struct _ReinJobList
{
  GObject parent_instance;

  GPtrArray *items; /* ReinJobSummary, borrowed */
};

static GType
rein_job_list_get_item_type (GListModel *model)
{
  return REIN_TYPE_JOB_SUMMARY;
}

static guint
rein_job_list_get_n_items (GListModel *model)
{
  return REIN_JOB_LIST (model)->items->len;
}

static gpointer
rein_job_list_get_item (GListModel *model, guint position)
{
  ReinJobList *self = REIN_JOB_LIST (model);

  return position < self->items->len ? g_object_ref (g_ptr_array_index (self->items, position))
                                     : NULL;
}

static void
rein_job_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = rein_job_list_get_item_type;
  iface->get_n_items = rein_job_list_get_n_items;
  iface->get_item = rein_job_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ReinJobList, rein_job_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      rein_job_list_model_init))

static void
rein_job_list_finalize (GObject *object)
{
  g_ptr_array_unref (REIN_JOB_LIST (object)->items);
  G_OBJECT_CLASS (rein_job_list_parent_class)->finalize (object);
}

static void
rein_job_list_class_init (ReinJobListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_job_list_finalize;
}

static void
rein_job_list_init (ReinJobList *self)
{
  self->items = g_ptr_array_new ();
}

ReinJobList *
rein_job_list_new (void)
{
  return g_object_new (REIN_TYPE_JOB_LIST, NULL);
}

GPtrArray *
rein_job_list_get_items (ReinJobList *self)
{
  g_return_val_if_fail (REIN_IS_JOB_LIST (self), NULL);
  return self->items;
}

/* At most this many rows come in the change that removes rows: the rest
 * come in a second one. GTK 4.8's list item manager, when the row its view
 * is anchored to is removed, looks for it among every row added (a
 * g_list_model_get_item() each: 40-60 ms for 100,000); a one-column grid
 * view binds 33 rows, so the first 64 are all it needs at once. */
#define ROWS_WITH_REMOVAL 64

void
rein_job_list_replace (ReinJobList *self, GPtrArray *items)
{
  g_autoptr (GPtrArray) old = NULL;
  guint prefix = 0, suffix = 0, removed, added;

  g_return_if_fail (REIN_IS_JOB_LIST (self));
  g_return_if_fail (items != NULL);

  old = self->items;

  while (prefix < old->len && prefix < items->len
         && old->pdata[prefix] == items->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < items->len - prefix
         && old->pdata[old->len - 1 - suffix] == items->pdata[items->len - 1 - suffix])
    suffix++;
  removed = old->len - prefix - suffix;
  added = items->len - prefix - suffix;
  if (removed > 0 && added > ROWS_WITH_REMOVAL)
    {
      /* First the old rows out and the first new ones in, then the rest. */
      GPtrArray *first = g_ptr_array_sized_new (prefix + ROWS_WITH_REMOVAL + suffix);

      g_ptr_array_set_size (first, prefix + ROWS_WITH_REMOVAL + suffix);
      memcpy (first->pdata, items->pdata, (prefix + ROWS_WITH_REMOVAL) * sizeof (gpointer));
      memcpy (first->pdata + prefix + ROWS_WITH_REMOVAL, old->pdata + old->len - suffix,
              suffix * sizeof (gpointer));
      self->items = first;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, ROWS_WITH_REMOVAL);
      self->items = items;
      g_ptr_array_unref (first);
      prefix += ROWS_WITH_REMOVAL;
      removed = 0;
      added -= ROWS_WITH_REMOVAL;
    }
  self->items = items;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);
}
