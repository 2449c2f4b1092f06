/* rein-bid-dialog.c: bid on a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-bid-dialog.h"
#include "rein-publish-flow.h"
#include "rein-review-page.h"

/* A description longer than this would not fit a document. */
#define MAX_DESCRIPTION 4000

struct _ReinBidDialog
{
  AdwWindow parent_instance;

  ReinContext *context;
  ReinJobSummary *summary;
  ReinJob *job;
  GCancellable *cancellable;
  gchar *problem;
  gchar *document;
  gint64 satoshis;

  AdwWindowTitle *window_title;
  GtkButton *next_button;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkTextView *description_view;
  GtkEditable *amount_row;
  GtkLabel *amount_hint;
  ReinReviewPage *review_page;
  GtkSpinner *publishing_spinner;
};

G_DEFINE_FINAL_TYPE (ReinBidDialog, rein_bid_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_PUBLISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gchar *
description_text (ReinBidDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
set_page (ReinBidDialog *self, const gchar *page)
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

/* Checks the form; says what is wrong under the amount. */
static void
check_form (ReinBidDialog *self)
{
  g_autofree gchar *description = description_text (self);
  const gchar *amount = gtk_editable_get_text (self->amount_row);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *hint = NULL;

  g_clear_pointer (&self->problem, g_free);
  self->satoshis = 0;
  if (*amount != '\0' && !rein_amount_parse_btc (amount, &self->satoshis, &error))
    self->problem = g_strdup (error->message);
  else if (*amount == '\0')
    self->problem = g_strdup (_("Enter the amount you ask for, in BTC."));
  else if (*description == '\0')
    self->problem = g_strdup (_("Describe your offer."));
  else if (strlen (description) > MAX_DESCRIPTION)
    self->problem = g_strdup_printf (_("The description is too long (at most %d bytes)."),
                                     MAX_DESCRIPTION);

  if (self->satoshis > 0)
    hint = g_strdup_printf (_("%'" G_GINT64_FORMAT " satoshis. %s"), self->satoshis,
                            self->problem ? self->problem : "");
  gtk_label_set_text (self->amount_hint, hint ? hint : self->problem ? self->problem : "");
  if (self->problem && *amount != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
  set_page (self, gtk_stack_get_visible_child_name (self->stack));
}

/* A label's value in a document text ("Label: value" lines). */
static gchar *
text_field (const gchar *text, const gchar *label)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize len = strlen (label);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], label, len) == 0 && lines[i][len] == ':' && lines[i][len + 1] == ' ')
      return g_strdup (lines[i] + len + 2);
  return NULL;
}

static void
review (ReinBidDialog *self)
{
  ReinIdentity *identity = rein_market_service_get_identity (
      rein_context_get_market (self->context));
  g_autofree gchar *description = description_text (self);
  g_autofree gchar *amount = rein_amount_format_btc (self->satoshis);
  g_autofree gchar *shown_amount = NULL;
  g_autofree gchar *primary = NULL;
  g_autofree gchar *mediator = NULL;
  g_autoptr (GError) error = NULL;
  ReinBidParams params = { 0 };

  if (identity == NULL)
    return;
  params.worker = rein_identity_get_name (identity);
  params.worker_contact = rein_identity_get_contact (identity);
  params.worker_master_address = rein_identity_get_master_address (identity);
  params.worker_public_key = rein_identity_get_delegate_public_key (identity);
  params.description = description;
  params.bid_amount = amount;
  g_free (self->document);
  self->document = rein_document_build_bid (
      rein_job_get_posting (self->job), &params,
      rein_identity_get_testnet (identity) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET, &error);
  if (self->document == NULL)
    {
      g_free (self->problem);
      self->problem = g_strdup (error->message);
      gtk_label_set_text (self->amount_hint, error->message);
      return;
    }
  rein_review_page_set_text (self->review_page, self->document);
  shown_amount = g_strdup_printf (_("%s BTC (%'" G_GINT64_FORMAT " satoshis)"), amount,
                                  self->satoshis);
  rein_review_page_add_fact (self->review_page, _("You ask for"), shown_amount);
  primary = text_field (self->document, REIN_LABEL_PRIMARY_ESCROW_ADDRESS);
  mediator = text_field (self->document, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS);
  rein_review_page_add_fact (self->review_page, _("Primary escrow (the job’s price)"),
                             primary ? primary : "?");
  rein_review_page_add_fact (self->review_page, _("Mediator escrow (the mediator’s fee)"),
                             mediator ? mediator : "?");
  rein_review_page_set_locked (self->review_page,
                               rein_publish_flow_needs_password (self->context));
  set_page (self, "review");
  rein_review_page_focus (self->review_page);
}

static void
published_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinBidDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) publication = rein_publish_flow_finish (result, &error);

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
  {
    g_autofree gchar *message = rein_publish_flow_describe (publication, _("Bid"));

    g_signal_emit (self, signals[SIGNAL_PUBLISHED], 0, message);
  }
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
sign (ReinBidDialog *self)
{
  const gchar *password = rein_review_page_get_password (self->review_page);

  rein_review_page_set_error (self->review_page, NULL);
  set_page (self, "publishing");
  rein_publish_flow_async (self->context, password, self->job, self->document, self->cancellable,
                           published_cb, g_object_ref (self));
  rein_review_page_clear_password (self->review_page);
}

void
rein_bid_dialog_next (ReinBidDialog *self)
{
  const gchar *page;

  g_return_if_fail (REIN_IS_BID_DIALOG (self));
  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_str_equal (page, "form"))
    {
      check_form (self);
      if (self->problem == NULL)
        review (self);
    }
  else if (g_str_equal (page, "review"))
    sign (self);
}

static void
next_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_bid_dialog_next (REIN_BID_DIALOG (widget));
}

static void
job_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinBidDialog *self = user_data;
  g_autoptr (GError) error = NULL;
  ReinJob *job = rein_market_service_load_job_finish (REIN_MARKET_SERVICE (source), result,
                                                      &error);
  ReinIdentity *identity = rein_market_service_get_identity (REIN_MARKET_SERVICE (source));
  g_autofree gchar *refusal = NULL;

  if (job == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_status_page_set_title (self->error_page, _("The Job Could Not Be Read"));
          adw_status_page_set_description (self->error_page, error->message);
          set_page (self, "error");
        }
      g_object_unref (self);
      return;
    }
  self->job = job;
  /* The job as the servers have it now may have moved on. */
  refusal = identity ? rein_job_explain_refusal (job,
                                                 rein_identity_get_delegate_public_key (identity),
                                                 REIN_ACTION_BID)
                     : g_strdup (_("No identity is chosen"));
  if (refusal != NULL)
    {
      adw_status_page_set_description (self->error_page, refusal);
      set_page (self, "error");
    }
  else
    {
      set_page (self, "form");
      check_form (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->description_view));
    }
  g_object_unref (self);
}

static void
rein_bid_dialog_dispose (GObject *object)
{
  ReinBidDialog *self = (ReinBidDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->summary);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_BID_DIALOG);
  G_OBJECT_CLASS (rein_bid_dialog_parent_class)->dispose (object);
}

static void
rein_bid_dialog_finalize (GObject *object)
{
  ReinBidDialog *self = (ReinBidDialog *) object;

  g_free (self->problem);
  g_free (self->document);
  G_OBJECT_CLASS (rein_bid_dialog_parent_class)->finalize (object);
}

static void
rein_bid_dialog_class_init (ReinBidDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_bid_dialog_dispose;
  object_class->finalize = rein_bid_dialog_finalize;

  /**
   * ReinBidDialog::published:
   * @message: a sentence for a toast ("Your bid published on 2 of 2 servers")
   */
  signals[SIGNAL_PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            1, G_TYPE_STRING);

  g_type_ensure (REIN_TYPE_REVIEW_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-bid-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, description_view);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, amount_hint);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, review_page);
  gtk_widget_class_bind_template_child (widget_class, ReinBidDialog, publishing_spinner);

  gtk_widget_class_install_action (widget_class, "dialog.next", NULL, next_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rein_bid_dialog_init (ReinBidDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->description_view), "changed",
                            G_CALLBACK (check_form), self);
  g_signal_connect_swapped (self->amount_row, "changed", G_CALLBACK (check_form), self);
  g_signal_connect_swapped (self->amount_row, "entry-activated",
                            G_CALLBACK (rein_bid_dialog_next), self);
  set_page (self, "loading");
}

ReinBidDialog *
rein_bid_dialog_new (GtkWindow *parent, ReinContext *context, ReinJobSummary *summary)
{
  ReinBidDialog *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (REIN_IS_JOB_SUMMARY (summary), NULL);

  self = g_object_new (REIN_TYPE_BID_DIALOG, "transient-for", parent, NULL);
  self->context = g_object_ref (context);
  self->summary = g_object_ref (summary);
  adw_window_title_set_subtitle (self->window_title, rein_job_summary_get_name (summary));
  rein_market_service_load_job_async (rein_context_get_market (context),
                                      rein_job_summary_get_job_id (summary),
                                      rein_job_summary_get_creator_key (summary),
                                      self->cancellable, job_loaded_cb, g_object_ref (self));
  return self;
}

const gchar *
rein_bid_dialog_get_page (ReinBidDialog *self)
{
  g_return_val_if_fail (REIN_IS_BID_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
rein_bid_dialog_set_bid (ReinBidDialog *self, const gchar *description, const gchar *amount_btc)
{
  g_return_if_fail (REIN_IS_BID_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view), description, -1);
  gtk_editable_set_text (self->amount_row, amount_btc);
}

void
rein_bid_dialog_set_password (ReinBidDialog *self, const gchar *password)
{
  g_return_if_fail (REIN_IS_BID_DIALOG (self));
  rein_review_page_set_password (self->review_page, password);
}

const gchar *
rein_bid_dialog_get_document (ReinBidDialog *self)
{
  g_return_val_if_fail (REIN_IS_BID_DIALOG (self), NULL);
  return self->document;
}

const gchar *
rein_bid_dialog_get_problem (ReinBidDialog *self)
{
  g_return_val_if_fail (REIN_IS_BID_DIALOG (self), NULL);
  return self->problem;
}
