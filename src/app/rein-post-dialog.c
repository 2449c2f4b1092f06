/* rein-post-dialog.c: post a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-post-dialog.h"
#include "rein-ratings.h"

#define MAX_NAME 200
#define MAX_CATEGORY 100
#define MAX_DESCRIPTION 4000
#define MAX_SUGGESTIONS 8

struct _ReinPostDialog
{
  ReinSignDialog parent_instance;

  gchar *job_id; /* one per dialog: a second review signs the same job */

  GtkEditable *name_row;
  GtkEditable *category_row;
  GtkFlowBox *category_suggestions;
  GtkTextView *description_view;
  AdwComboRow *mediator_row;
  GtkWidget *no_mediators_box;
  GtkLabel *no_mediators_label;
  GtkLabel *problem_label;
  ReinRatingsCache *ratings; /* the context's: each mediator's ratings */
};

G_DEFINE_FINAL_TYPE (ReinPostDialog, rein_post_dialog, REIN_TYPE_SIGN_DIALOG)

static ReinMarketService *
market (ReinPostDialog *self)
{
  return rein_context_get_market (rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self)));
}

static gchar *
entry_text (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

/* Says what the form lacks; NULL when it can go on. */
static gchar *
problem_of (ReinPostDialog *self)
{
  g_autofree gchar *name = entry_text (self->name_row);
  g_autofree gchar *category = entry_text (self->category_row);
  g_autofree gchar *description = rein_text_view_dup_text (self->description_view);
  gchar *problem;

  if (*name == '\0')
    return g_strdup (_("Give the job a name."));
  if (strlen (name) > MAX_NAME)
    return g_strdup_printf (_("The name is too long (at most %d bytes)."), MAX_NAME);
  if (*category == '\0')
    return g_strdup (_("Choose or type a category."));
  if (strlen (category) > MAX_CATEGORY)
    return g_strdup_printf (_("The category is too long (at most %d bytes)."), MAX_CATEGORY);
  if (*description == '\0')
    return g_strdup (_("Describe the job."));
  if ((problem = rein_sign_dialog_check_length (description, MAX_DESCRIPTION)) != NULL)
    return problem;
  if (adw_combo_row_get_selected_item (self->mediator_row) == NULL)
    return g_strdup (_("Choose a mediator."));
  return NULL;
}

static gchar *
check (ReinSignDialog *dialog)
{
  ReinPostDialog *self = REIN_POST_DIALOG (dialog);
  gchar *problem = problem_of (self);

  gtk_label_set_text (self->problem_label, problem ? problem : "");
  return problem;
}

static gchar *
build (ReinSignDialog *dialog, ReinReviewPage *review, GError **error)
{
  ReinPostDialog *self = REIN_POST_DIALOG (dialog);
  ReinIdentity *me = rein_market_service_get_identity (market (self));
  ReinDocument *mediator = adw_combo_row_get_selected_item (self->mediator_row);
  g_autofree gchar *name = entry_text (self->name_row);
  g_autofree gchar *category = entry_text (self->category_row);
  g_autofree gchar *description = rein_text_view_dup_text (self->description_view);
  g_autofree gchar *who = NULL;
  g_autofree gchar *person = NULL;
  ReinJobParams params = { 0 };
  gchar *text;

  if (me == NULL || mediator == NULL)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("Choose an identity and a mediator first"));
      return NULL;
    }
  if (self->job_id == NULL)
    self->job_id = rein_job_id_generate ();
  params.job_id = self->job_id;
  params.job_name = name;
  params.category = category;
  params.description = description;
  params.creator = rein_identity_get_name (me);
  params.creator_contact = rein_identity_get_contact (me);
  params.creator_public_key = rein_identity_get_delegate_public_key (me);
  params.creator_master_address = rein_identity_get_master_address (me);
  if (!rein_job_params_set_mediator (&params, mediator, error)
      || (text = rein_document_build_job_posting (&params, error)) == NULL)
    {
      gtk_label_set_text (self->problem_label, (*error)->message);
      return NULL;
    }
  person = rein_person_format_enrollment (mediator,
                                          rein_market_service_get_directory (market (self)));
  who = g_strdup_printf (_("%s, fee %s, %s"), person, params.mediator_fee,
                         params.mediator_contact);
  rein_review_page_add_fact (review, _("Mediator"), who);
  rein_review_page_add_fact (review, _("Job ID"), self->job_id);
  return text;
}

/* ---- mediators ---- */

/* A mediator as rein-person.h shows people: the enrolled name, isolated,
 * with the master's fingerprint, and their ratings and my trust in them
 * once read (@cache). The list holds no contested delegate
 * (rein_directory_get_mediators()). */
static gchar *
describe_mediator (ReinDocument *enrollment, ReinRatingsCache *cache)
{
  g_autofree gchar *who = NULL;
  g_autofree gchar *sin = NULL;
  const gchar *fee;
  const gchar *contact;
  const gchar *master;
  const gchar *ratings = NULL;

  if (enrollment == NULL)
    return NULL;
  who = rein_person_format_enrollment (enrollment, NULL);
  fee = rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_FEE);
  contact = rein_document_get_field (enrollment, REIN_LABEL_CONTACT);
  master = rein_document_get_field (enrollment, REIN_LABEL_MASTER_ADDRESS);
  sin = master != NULL ? rein_sin_from_address (master) : NULL;
  if (cache != NULL && sin != NULL)
    {
      ratings = rein_ratings_cache_lookup (cache, sin, TRUE);
      if (ratings == NULL)
        rein_ratings_cache_want (cache, sin);
    }
  if (ratings == NULL)
    /* TRANSLATORS: a mediator: name and fingerprint, fee, contact */
    return g_strdup_printf (_("%s — fee %s — %s"), who, fee ? fee : "?", contact ? contact : "");
  /* TRANSLATORS: a mediator: name and fingerprint, fee, contact, and on
   * a line of its own "rated 4.5 by 3 · trust 4.2" */
  return g_strdup_printf (_("%s — fee %s — %s\n%s"), who, fee ? fee : "?",
                          contact ? contact : "", ratings);
}

static void
set_mediator_expression (ReinPostDialog *self)
{
  g_autoptr (GtkExpression) expression = NULL;

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (describe_mediator), self->ratings, NULL);
  adw_combo_row_set_expression (self->mediator_row, expression);
}

/* Ratings were read: the mediators are described again, the choice
 * kept. */
static void
ratings_changed_cb (ReinPostDialog *self)
{
  GListModel *mediators = adw_combo_row_get_model (self->mediator_row);
  guint selected = adw_combo_row_get_selected (self->mediator_row);

  if (mediators == NULL)
    return;
  g_object_ref (mediators);
  set_mediator_expression (self);
  adw_combo_row_set_model (self->mediator_row, NULL);
  adw_combo_row_set_model (self->mediator_row, mediators);
  adw_combo_row_set_selected (self->mediator_row, selected);
  g_object_unref (mediators);
}

static void
mediators_changed_cb (ReinPostDialog *self)
{
  guint n = g_list_model_get_n_items (rein_market_service_get_mediators (market (self)));

  gtk_widget_set_visible (self->no_mediators_box, n == 0);
  rein_sign_dialog_form_changed (REIN_SIGN_DIALOG (self));
}

static void
mediators_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinPostDialog *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rein_market_service_refresh_finish (REIN_MARKET_SERVICE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->no_mediators_label, error->message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.find-mediators", TRUE);
  g_object_unref (self);
}

static void
find_mediators_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinPostDialog *self = REIN_POST_DIALOG (widget);

  gtk_widget_action_set_enabled (widget, "dialog.find-mediators", FALSE);
  gtk_label_set_text (self->no_mediators_label, _("Looking on your servers…"));
  rein_market_service_refresh_async (market (self),
                                     rein_sign_dialog_get_cancellable (REIN_SIGN_DIALOG (self)),
                                     mediators_found_cb, g_object_ref (self));
}

/* ---- categories ---- */

static void
suggestion_clicked_cb (GtkButton *button, ReinPostDialog *self)
{
  gtk_editable_set_text (self->category_row, gtk_button_get_label (button));
  gtk_widget_grab_focus (GTK_WIDGET (self->description_view));
}

static void
fill_suggestions (ReinPostDialog *self)
{
  const gchar *const *categories = rein_market_service_get_categories (market (self));

  for (guint i = 0; categories != NULL && categories[i] != NULL && i < MAX_SUGGESTIONS; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (categories[i]);

      g_signal_connect (button, "clicked", G_CALLBACK (suggestion_clicked_cb), self);
      gtk_flow_box_append (self->category_suggestions, button);
      /* one Tab stop a category, the button's (not the box's child too) */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->category_suggestions),
                          categories != NULL && categories[0] != NULL);
}

/* ---- the object ---- */

static void
rein_post_dialog_dispose (GObject *object)
{
  ReinPostDialog *self = (ReinPostDialog *) object;
  ReinContext *context = rein_sign_dialog_get_context (REIN_SIGN_DIALOG (self));

  if (context != NULL)
    g_signal_handlers_disconnect_by_data (rein_market_service_get_mediators (market (self)), self);
  if (self->ratings != NULL)
    g_signal_handlers_disconnect_by_data (self->ratings, self);
  g_clear_object (&self->ratings);
  G_OBJECT_CLASS (rein_post_dialog_parent_class)->dispose (object);
}

static void
rein_post_dialog_finalize (GObject *object)
{
  g_free (REIN_POST_DIALOG (object)->job_id);
  G_OBJECT_CLASS (rein_post_dialog_parent_class)->finalize (object);
}

static gboolean
is_filled (ReinSignDialog *dialog)
{
  ReinPostDialog *self = REIN_POST_DIALOG (dialog);

  return *gtk_editable_get_text (self->name_row) != '\0'
         || *gtk_editable_get_text (self->category_row) != '\0'
         || gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (self->description_view)) > 0;
}

static void
rein_post_dialog_class_init (ReinPostDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ReinSignDialogClass *sign_class = REIN_SIGN_DIALOG_CLASS (klass);

  object_class->dispose = rein_post_dialog_dispose;
  object_class->finalize = rein_post_dialog_finalize;
  sign_class->check = check;
  sign_class->build = build;
  sign_class->what = _("Job");
  sign_class->is_filled = is_filled;
  sign_class->discard_heading = _("Discard This Job?");
  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "dialog.find-mediators", NULL,
                                   find_mediators_action);
}

static void
rein_post_dialog_init (ReinPostDialog *self)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource (
      "/org/reinproject/Rein/rein-post-form.ui");

#define GET(type, name) self->name = type (gtk_builder_get_object (builder, #name))
  GET (GTK_EDITABLE, name_row);
  GET (GTK_EDITABLE, category_row);
  GET (GTK_FLOW_BOX, category_suggestions);
  GET (GTK_TEXT_VIEW, description_view);
  GET (ADW_COMBO_ROW, mediator_row);
  GET (GTK_WIDGET, no_mediators_box);
  GET (GTK_LABEL, no_mediators_label);
  GET (GTK_LABEL, problem_label);
#undef GET
  rein_sign_dialog_set_form (REIN_SIGN_DIALOG (self),
                             GTK_WIDGET (gtk_builder_get_object (builder, "form")));
  gtk_window_set_title (GTK_WINDOW (self), _("Post a Job"));
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->description_view), "changed",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (rein_sign_dialog_form_changed),
                            self);
  g_signal_connect_swapped (self->category_row, "changed",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
  g_signal_connect_swapped (self->mediator_row, "notify::selected",
                            G_CALLBACK (rein_sign_dialog_form_changed), self);
}

ReinPostDialog *
rein_post_dialog_new (GtkWindow *parent, ReinContext *context)
{
  ReinPostDialog *self;
  GListModel *mediators;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_new (REIN_TYPE_POST_DIALOG, "transient-for", parent, NULL);
  rein_sign_dialog_set_context (REIN_SIGN_DIALOG (self), context);
  mediators = rein_market_service_get_mediators (market (self));
  self->ratings = g_object_ref (rein_ratings_cache_get (context));
  g_signal_connect_swapped (self->ratings, "changed", G_CALLBACK (ratings_changed_cb), self);
  set_mediator_expression (self);
  adw_combo_row_set_model (self->mediator_row, mediators);
  g_signal_connect_swapped (mediators, "items-changed", G_CALLBACK (mediators_changed_cb), self);
  fill_suggestions (self);
  rein_sign_dialog_show_form (REIN_SIGN_DIALOG (self));
  /* what one types first is the job's name (not the header's Cancel) */
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  mediators_changed_cb (self);
  /* Mediators come with a refresh: look for them at once when none is
   * known yet. */
  if (g_list_model_get_n_items (mediators) == 0)
    find_mediators_action (GTK_WIDGET (self), NULL, NULL);
  return self;
}

void
rein_post_dialog_set_job (ReinPostDialog *self,
                          const gchar *name,
                          const gchar *category,
                          const gchar *description,
                          guint mediator_position)
{
  g_return_if_fail (REIN_IS_POST_DIALOG (self));
  gtk_editable_set_text (self->name_row, name);
  gtk_editable_set_text (self->category_row, category);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view), description, -1);
  adw_combo_row_set_selected (self->mediator_row, mediator_position);
}

gchar *
rein_post_dialog_describe_mediator (ReinPostDialog *self, guint position)
{
  GListModel *mediators;
  g_autoptr (GObject) item = NULL;
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (REIN_IS_POST_DIALOG (self), NULL);

  mediators = adw_combo_row_get_model (self->mediator_row);
  item = mediators != NULL ? g_list_model_get_item (mediators, position) : NULL;
  if (item == NULL
      || !gtk_expression_evaluate (adw_combo_row_get_expression (self->mediator_row), item,
                                   &value))
    return NULL;
  return g_value_dup_string (&value);
}
