/* rein-post-dialog.c: post a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-post-dialog.h"
#include "rein-publish-flow.h"
#include "rein-review-page.h"

#define MAX_NAME 200
#define MAX_CATEGORY 100
#define MAX_DESCRIPTION 4000
#define MAX_SUGGESTIONS 8

struct _ReinPostDialog
{
  AdwWindow parent_instance;

  ReinContext *context;
  GCancellable *cancellable;
  gchar *problem;
  gchar *document;
  gchar *job_id;

  GtkButton *next_button;
  GtkStack *stack;
  GtkEditable *name_row;
  GtkEditable *category_row;
  GtkFlowBox *category_suggestions;
  GtkTextView *description_view;
  AdwComboRow *mediator_row;
  GtkWidget *no_mediators_box;
  GtkLabel *no_mediators_label;
  GtkLabel *problem_label;
  ReinReviewPage *review_page;
  GtkSpinner *publishing_spinner;
};

G_DEFINE_FINAL_TYPE (ReinPostDialog, rein_post_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_PUBLISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static ReinMarketService *
market (ReinPostDialog *self)
{
  return rein_context_get_market (self->context);
}

static gchar *
description_text (ReinPostDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static ReinDocument *
chosen_mediator (ReinPostDialog *self)
{
  return adw_combo_row_get_selected_item (self->mediator_row);
}

static void
set_page (ReinPostDialog *self, const gchar *page)
{
  gboolean form = g_str_equal (page, "form");
  gboolean review = g_str_equal (page, "review");

  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->publishing_spinner, g_str_equal (page, "publishing"));
  gtk_button_set_label (self->next_button, review ? _("_Sign and Publish") : _("_Review"));
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), form || review);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.next",
                                 review || (form && self->problem == NULL));
}

static void
check_form (ReinPostDialog *self)
{
  g_autofree gchar *name = g_strstrip (g_strdup (gtk_editable_get_text (self->name_row)));
  g_autofree gchar *category = g_strstrip (g_strdup (gtk_editable_get_text (self->category_row)));
  g_autofree gchar *description = description_text (self);

  g_clear_pointer (&self->problem, g_free);
  if (*name == '\0')
    self->problem = g_strdup (_("Give the job a name."));
  else if (strlen (name) > MAX_NAME)
    self->problem = g_strdup_printf (_("The name is too long (at most %d bytes)."), MAX_NAME);
  else if (*category == '\0')
    self->problem = g_strdup (_("Choose or type a category."));
  else if (strlen (category) > MAX_CATEGORY)
    self->problem = g_strdup_printf (_("The category is too long (at most %d bytes)."),
                                     MAX_CATEGORY);
  else if (*description == '\0')
    self->problem = g_strdup (_("Describe the job."));
  else if (strlen (description) > MAX_DESCRIPTION)
    self->problem = g_strdup_printf (_("The description is too long (at most %d bytes)."),
                                     MAX_DESCRIPTION);
  else if (chosen_mediator (self) == NULL)
    self->problem = g_strdup (_("Choose a mediator."));
  gtk_label_set_text (self->problem_label, self->problem ? self->problem : "");
  set_page (self, gtk_stack_get_visible_child_name (self->stack));
}

static void
review (ReinPostDialog *self)
{
  ReinIdentity *identity = rein_market_service_get_identity (market (self));
  ReinDocument *mediator = chosen_mediator (self);
  g_autofree gchar *name = g_strstrip (g_strdup (gtk_editable_get_text (self->name_row)));
  g_autofree gchar *category = g_strstrip (g_strdup (gtk_editable_get_text (self->category_row)));
  g_autofree gchar *description = description_text (self);
  g_autofree gchar *who = NULL;
  g_autoptr (GError) error = NULL;
  ReinJobParams params = { 0 };

  if (identity == NULL || mediator == NULL)
    return;
  if (self->job_id == NULL)
    self->job_id = rein_job_id_generate ();
  params.job_id = self->job_id;
  params.job_name = name;
  params.category = category;
  params.description = description;
  params.creator = rein_identity_get_name (identity);
  params.creator_contact = rein_identity_get_contact (identity);
  params.creator_public_key = rein_identity_get_delegate_public_key (identity);
  params.creator_master_address = rein_identity_get_master_address (identity);
  g_free (self->document);
  self->document = NULL;
  if (rein_job_params_set_mediator (&params, mediator, &error))
    self->document = rein_document_build_job_posting (&params, &error);
  if (self->document == NULL)
    {
      g_free (self->problem);
      self->problem = g_strdup (error->message);
      gtk_label_set_text (self->problem_label, error->message);
      return;
    }
  rein_review_page_set_text (self->review_page, self->document);
  who = g_strdup_printf (_("%s, fee %s, %s"), params.mediator, params.mediator_fee,
                         params.mediator_contact);
  rein_review_page_add_fact (self->review_page, _("Mediator"), who);
  rein_review_page_add_fact (self->review_page, _("Job ID"), self->job_id);
  rein_review_page_set_locked (self->review_page,
                               rein_publish_flow_needs_password (self->context));
  set_page (self, "review");
  rein_review_page_focus (self->review_page);
}

static void
published_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinPostDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) publication = rein_publish_flow_finish (result, &error);
  g_autofree gchar *message = NULL;

  if (publication == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          rein_review_page_set_error (self->review_page, error->message);
          set_page (self, "review");
          rein_review_page_focus (self->review_page);
        }
      g_object_unref (self);
      return;
    }
  message = rein_publish_flow_describe (publication, _("Job"));
  g_signal_emit (self, signals[SIGNAL_PUBLISHED], 0, message);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

void
rein_post_dialog_next (ReinPostDialog *self)
{
  const gchar *page;

  g_return_if_fail (REIN_IS_POST_DIALOG (self));
  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_str_equal (page, "form"))
    {
      check_form (self);
      if (self->problem == NULL)
        review (self);
    }
  else if (g_str_equal (page, "review"))
    {
      rein_review_page_set_error (self->review_page, NULL);
      set_page (self, "publishing");
      rein_publish_flow_async (self->context, rein_review_page_get_password (self->review_page),
                               NULL, self->document, self->cancellable, published_cb,
                               g_object_ref (self));
      rein_review_page_clear_password (self->review_page);
    }
}

static void
next_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_post_dialog_next (REIN_POST_DIALOG (widget));
}

/* ---- mediators ---- */

static gchar *
describe_mediator (ReinDocument *enrollment, gpointer user_data)
{
  const gchar *user = rein_document_get_field (enrollment, REIN_LABEL_USER);
  const gchar *fee = rein_document_get_field (enrollment, REIN_LABEL_MEDIATOR_FEE);
  const gchar *contact = rein_document_get_field (enrollment, REIN_LABEL_CONTACT);

  /* TRANSLATORS: a mediator: name, fee, contact */
  return g_strdup_printf (_("%s — fee %s — %s"), user ? user : "?", fee ? fee : "?",
                          contact ? contact : "");
}

static void
mediators_changed_cb (ReinPostDialog *self)
{
  guint n = g_list_model_get_n_items (rein_market_service_get_mediators (market (self)));

  gtk_widget_set_visible (self->no_mediators_box, n == 0);
  check_form (self);
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
  rein_market_service_refresh_async (market (self), self->cancellable, mediators_found_cb,
                                     g_object_ref (self));
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

      gtk_widget_add_css_class (button, "pill");
      gtk_widget_add_css_class (button, "small");
      g_signal_connect (button, "clicked", G_CALLBACK (suggestion_clicked_cb), self);
      gtk_flow_box_append (self->category_suggestions, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->category_suggestions),
                          categories != NULL && categories[0] != NULL);
}

/* ---- the object ---- */

static void
rein_post_dialog_dispose (GObject *object)
{
  ReinPostDialog *self = (ReinPostDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (rein_market_service_get_mediators (market (self)), self);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_POST_DIALOG);
  G_OBJECT_CLASS (rein_post_dialog_parent_class)->dispose (object);
}

static void
rein_post_dialog_finalize (GObject *object)
{
  ReinPostDialog *self = (ReinPostDialog *) object;

  g_free (self->problem);
  g_free (self->document);
  g_free (self->job_id);
  G_OBJECT_CLASS (rein_post_dialog_parent_class)->finalize (object);
}

static void
rein_post_dialog_class_init (ReinPostDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_post_dialog_dispose;
  object_class->finalize = rein_post_dialog_finalize;

  /**
   * ReinPostDialog::published:
   * @message: a sentence for a toast
   */
  signals[SIGNAL_PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            1, G_TYPE_STRING);

  g_type_ensure (REIN_TYPE_REVIEW_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-post-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinPostDialog, name)
  BIND (next_button);
  BIND (stack);
  BIND (name_row);
  BIND (category_row);
  BIND (category_suggestions);
  BIND (description_view);
  BIND (mediator_row);
  BIND (no_mediators_box);
  BIND (no_mediators_label);
  BIND (problem_label);
  BIND (review_page);
  BIND (publishing_spinner);
#undef BIND

  gtk_widget_class_install_action (widget_class, "dialog.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "dialog.find-mediators", NULL,
                                   find_mediators_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rein_post_dialog_init (ReinPostDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->description_view), "changed",
                            G_CALLBACK (check_form), self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (check_form), self);
  g_signal_connect_swapped (self->category_row, "changed", G_CALLBACK (check_form), self);
  g_signal_connect_swapped (self->mediator_row, "notify::selected", G_CALLBACK (check_form), self);
}

ReinPostDialog *
rein_post_dialog_new (GtkWindow *parent, ReinContext *context)
{
  ReinPostDialog *self;
  GListModel *mediators;
  g_autoptr (GtkExpression) expression = NULL;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_new (REIN_TYPE_POST_DIALOG, "transient-for", parent, NULL);
  self->context = g_object_ref (context);
  mediators = rein_market_service_get_mediators (market (self));
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (describe_mediator), NULL, NULL);
  adw_combo_row_set_expression (self->mediator_row, expression);
  adw_combo_row_set_model (self->mediator_row, mediators);
  g_signal_connect_swapped (mediators, "items-changed", G_CALLBACK (mediators_changed_cb), self);
  fill_suggestions (self);
  set_page (self, "form");
  mediators_changed_cb (self);
  /* Mediators come with a refresh: look for them at once when none is
   * known yet. */
  if (g_list_model_get_n_items (mediators) == 0)
    find_mediators_action (GTK_WIDGET (self), NULL, NULL);
  return self;
}

const gchar *
rein_post_dialog_get_page (ReinPostDialog *self)
{
  g_return_val_if_fail (REIN_IS_POST_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
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

void
rein_post_dialog_set_password (ReinPostDialog *self, const gchar *password)
{
  g_return_if_fail (REIN_IS_POST_DIALOG (self));
  rein_review_page_set_password (self->review_page, password);
}

const gchar *
rein_post_dialog_get_document (ReinPostDialog *self)
{
  g_return_val_if_fail (REIN_IS_POST_DIALOG (self), NULL);
  return self->document;
}

const gchar *
rein_post_dialog_get_problem (ReinPostDialog *self)
{
  g_return_val_if_fail (REIN_IS_POST_DIALOG (self), NULL);
  return self->problem;
}
