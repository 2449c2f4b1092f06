/* rein-sign-dialog.c: the steps every signing dialog takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rein-publish-flow.h"
#include "rein-sign-dialog.h"
#include "rein-job-row.h"

typedef struct
{
  ReinContext *context;
  ReinIdentity *signer; /* the identity the document under review names */
  ReinJob *job;
  GCancellable *cancellable;
  gchar *problem;
  const gchar *what; /* overrides the class's */
  gchar *document;
  /* what the document still needs from the key when it is signed */
  ReinPublishFlowCompleteFunc complete;
  gpointer complete_data;
  GBoxedCopyFunc complete_ref;
  GDestroyNotify complete_destroy;

  AdwWindowTitle *window_title;
  GtkWidget *cancel_button;
  GtkWidget *back_button;
  GtkButton *next_button;
  GtkStack *stack;
  GtkSpinner *loading_spinner;
  GtkLabel *loading_label;
  AdwStatusPage *error_page;
  GtkLabel *error_detail;
  AdwBin *form_bin;
  GtkLabel *failure_label;
  ReinReviewPage *review_page;
  GtkSpinner *publishing_spinner;
  gboolean may_close; /* published, or what was typed is to be discarded */
} ReinSignDialogPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (ReinSignDialog, rein_sign_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_PUBLISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define PRIV(self) ((ReinSignDialogPrivate *) rein_sign_dialog_get_instance_private (self))

gchar *
rein_text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

gchar *
rein_text_field (const gchar *text, const gchar *label)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize len = strlen (label);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], label, len) == 0 && lines[i][len] == ':' && lines[i][len + 1] == ' ')
      return g_strdup (lines[i] + len + 2);
  return NULL;
}

gchar *
rein_sign_dialog_check_length (const gchar *value, gsize max)
{
  g_autofree gchar *escaped = rein_field_escape (value);
  gsize len = strlen (escaped);

  if (len <= max)
    return NULL;
  /* Translators: "Too long: 4200 bytes, at most 4000 …" */
  return g_strdup_printf (_("Too long: %lu bytes, at most %lu (as the document writes it: a "
                            "line break or a backslash takes two)."),
                          (gulong) len, (gulong) max);
}

gulong
rein_plural_count (gint64 n)
{
  /* what ngettext needs to choose the form, in a gulong of any size */
  return n > 1000000 ? 1000000 + (gulong) (n % 1000000) : (gulong) MAX (n, 0);
}

gchar *
rein_sign_dialog_format_amount (gint64 satoshis)
{
  g_autofree gchar *btc = rein_amount_format_btc (satoshis);
  g_autofree gchar *sat = g_strdup_printf ("%'" G_GINT64_FORMAT, satoshis);

  /* Translators: "0.01 BTC (1,000,000 satoshis)" */
  return g_strdup_printf (g_dngettext (NULL, "%s BTC (%s satoshi)", "%s BTC (%s satoshis)",
                                       rein_plural_count (satoshis)),
                          btc, sat);
}

static void
set_page (ReinSignDialog *self, const gchar *page)
{
  ReinSignDialogPrivate *priv = PRIV (self);
  gboolean form = g_str_equal (page, "form");
  gboolean review = g_str_equal (page, "review");

  gtk_stack_set_visible_child_name (priv->stack, page);
  gtk_spinner_set_spinning (priv->loading_spinner, g_str_equal (page, "loading"));
  gtk_spinner_set_spinning (priv->publishing_spinner, g_str_equal (page, "publishing"));
  gtk_button_set_label (priv->next_button, review ? _("_Sign and Publish") : _("_Review"));
  gtk_widget_set_visible (GTK_WIDGET (priv->next_button), form || review);
  /* the review goes back to the form as it was filled in */
  gtk_widget_set_visible (priv->cancel_button, !review);
  gtk_widget_set_visible (priv->back_button, review);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.back", review);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.next",
                                 review || (form && priv->problem == NULL));
  /* why Review cannot be pressed, where the pointer is */
  gtk_widget_set_tooltip_text (GTK_WIDGET (priv->next_button),
                               form && priv->problem != NULL ? priv->problem : NULL);
}

/* What went wrong after the form was filled in (building the document or
 * preparing it), above the form; NULL hides it. */
static void
set_failure (ReinSignDialog *self, const gchar *failure)
{
  ReinSignDialogPrivate *priv = PRIV (self);

  gtk_label_set_text (priv->failure_label, failure ? failure : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->failure_label), failure != NULL);
  /* it is above the form: in sight, whatever was scrolled to */
  if (failure != NULL)
    {
      GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (priv->failure_label),
                                                     GTK_TYPE_SCROLLED_WINDOW);

      if (scrolled != NULL)
        gtk_adjustment_set_value (
            gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), 0);
    }
}

void
rein_sign_dialog_form_changed (ReinSignDialog *self)
{
  ReinSignDialogPrivate *priv;

  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  priv = PRIV (self);
  g_free (priv->problem);
  priv->problem = REIN_SIGN_DIALOG_GET_CLASS (self)->check (self);
  set_page (self, gtk_stack_get_visible_child_name (priv->stack));
}

static void
review (ReinSignDialog *self)
{
  ReinSignDialogPrivate *priv = PRIV (self);
  g_autoptr (GError) error = NULL;
  gchar *document;

  rein_review_page_set_text (priv->review_page, NULL);
  g_set_object (&priv->signer,
                rein_market_service_get_identity (rein_context_get_market (priv->context)));
  document = REIN_SIGN_DIALOG_GET_CLASS (self)->build (self, priv->review_page, &error);
  if (document == NULL)
    {
      /* What the builders refuse is said above the form. */
      set_failure (self, error->message);
      set_page (self, "form");
      return;
    }
  g_free (priv->document);
  priv->document = document;
  rein_review_page_set_document (priv->review_page, document);
  rein_review_page_set_locked (priv->review_page, rein_publish_flow_needs_password (priv->context));
  set_page (self, "review");
  rein_review_page_focus (priv->review_page);
}

static void
published_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinSignDialog *self = user_data;
  ReinSignDialogPrivate *priv = PRIV (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPublication) publication = rein_publish_flow_finish (result, &error);
  g_autofree gchar *message = NULL;

  if (publication == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          rein_review_page_set_error (priv->review_page, error->message);
          /* The keys may have locked meanwhile: ask for the password then. */
          rein_review_page_set_locked (priv->review_page,
                                       rein_publish_flow_needs_password (priv->context));
          set_page (self, "review");
          rein_review_page_focus (priv->review_page);
        }
      g_object_unref (self);
      return;
    }
  message = rein_publish_flow_describe (publication, priv->what != NULL
                                                        ? priv->what
                                                        : REIN_SIGN_DIALOG_GET_CLASS (self)->what);
  g_signal_emit (self, signals[SIGNAL_PUBLISHED], 0, message);
  priv->may_close = TRUE;
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
sign (ReinSignDialog *self)
{
  ReinSignDialogPrivate *priv = PRIV (self);

  rein_review_page_set_error (priv->review_page, NULL);
  if (priv->signer == NULL)
    return;
  set_page (self, "publishing");
  /* the flow owns a reference to what completes the document */
  rein_publish_flow_complete_async (priv->context, priv->signer,
                                    rein_review_page_get_password (priv->review_page),
                                    priv->job, priv->document, priv->complete,
                                    priv->complete_data != NULL
                                      ? priv->complete_ref (priv->complete_data)
                                      : NULL,
                                    priv->complete_destroy, priv->cancellable, published_cb,
                                    g_object_ref (self));
  rein_review_page_clear_password (priv->review_page);
}

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinSignDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (REIN_SIGN_DIALOG_GET_CLASS (self)->prepare_finish (self, result, &error))
    {
      review (self);
      return;
    }
  if (g_cancellable_is_cancelled (PRIV (self)->cancellable))
    return; /* the dialog is closing */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_failure (self, error->message);
  rein_sign_dialog_show_form (self);
}

void
rein_sign_dialog_next (ReinSignDialog *self)
{
  ReinSignDialogClass *klass;
  const gchar *page;

  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));

  klass = REIN_SIGN_DIALOG_GET_CLASS (self);
  page = gtk_stack_get_visible_child_name (PRIV (self)->stack);
  if (g_str_equal (page, "form"))
    {
      rein_sign_dialog_form_changed (self);
      if (PRIV (self)->problem != NULL)
        return;
      set_failure (self, NULL);
      if (klass->prepare_async != NULL
          && (klass->needs_prepare == NULL || klass->needs_prepare (self)))
        {
          rein_sign_dialog_set_loading (self, klass->preparing ? klass->preparing : "");
          klass->prepare_async (self, PRIV (self)->cancellable, prepared_cb,
                                g_object_ref (self));
        }
      else
        review (self);
    }
  else if (g_str_equal (page, "review"))
    sign (self);
}

static void
next_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_sign_dialog_next (REIN_SIGN_DIALOG (widget));
}

void
rein_sign_dialog_back (ReinSignDialog *self)
{
  ReinSignDialogPrivate *priv;

  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));

  priv = PRIV (self);
  if (!g_str_equal (gtk_stack_get_visible_child_name (priv->stack), "review"))
    return;
  rein_review_page_clear_password (priv->review_page);
  rein_review_page_set_error (priv->review_page, NULL);
  rein_sign_dialog_show_form (self);
  gtk_widget_child_focus (GTK_WIDGET (priv->form_bin), GTK_DIR_TAB_FORWARD);
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_sign_dialog_back (REIN_SIGN_DIALOG (widget));
}

/* Escape: from the review back to the form; else the dialog closes. */
static void
escape_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinSignDialog *self = REIN_SIGN_DIALOG (widget);

  if (g_str_equal (gtk_stack_get_visible_child_name (PRIV (self)->stack), "review"))
    rein_sign_dialog_back (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
close_idle (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
discard_response_cb (AdwMessageDialog *dialog, const gchar *response, ReinSignDialog *self)
{
  if (!g_str_equal (response, "discard"))
    return;
  PRIV (self)->may_close = TRUE;
  /* once the question has closed (its button closes it after this) */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_idle, g_object_ref (self), g_object_unref);
}

/* Closing (Cancel, Escape, the window's close button) with a form filled
 * in asks first: it would throw away what was typed, with nothing to
 * bring it back. */
static gboolean
rein_sign_dialog_close_request (GtkWindow *window)
{
  ReinSignDialog *self = REIN_SIGN_DIALOG (window);
  ReinSignDialogClass *klass = REIN_SIGN_DIALOG_GET_CLASS (self);
  ReinSignDialogPrivate *priv = PRIV (self);
  const gchar *page = gtk_stack_get_visible_child_name (priv->stack);
  AdwMessageDialog *ask;

  if (priv->may_close || klass->is_filled == NULL || g_str_equal (page, "publishing")
      || (!g_str_equal (page, "form") && !g_str_equal (page, "review"))
      || !klass->is_filled (self))
    return GTK_WINDOW_CLASS (rein_sign_dialog_parent_class)->close_request (window);
  ask = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      window, klass->discard_heading != NULL ? klass->discard_heading : _("Discard?"),
      _("What you have written here will be lost.")));
  adw_message_dialog_add_responses (ask, "cancel", _("_Keep Editing"), "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ask, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ask, "cancel");
  adw_message_dialog_set_close_response (ask, "cancel");
  g_signal_connect_object (ask, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (ask));
  return TRUE;
}

static void
rein_sign_dialog_dispose (GObject *object)
{
  ReinSignDialogPrivate *priv = PRIV (REIN_SIGN_DIALOG (object));

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->context);
  g_clear_object (&priv->signer);
  g_clear_object (&priv->job);
  /* No gtk_widget_dispose_template(): GTK 4.8 looks the template up on the
   * instance's class, and the subclasses have none. AdwWindow's dispose
   * takes the content, and with it every template child. */
  G_OBJECT_CLASS (rein_sign_dialog_parent_class)->dispose (object);
}

static void
rein_sign_dialog_finalize (GObject *object)
{
  ReinSignDialogPrivate *priv = PRIV (REIN_SIGN_DIALOG (object));

  g_free (priv->problem);
  g_free (priv->document);
  rein_sign_dialog_set_completion (REIN_SIGN_DIALOG (object), NULL, NULL, NULL, NULL);
  G_OBJECT_CLASS (rein_sign_dialog_parent_class)->finalize (object);
}

static gchar *
default_check (ReinSignDialog *self)
{
  return NULL;
}

static void
rein_sign_dialog_class_init (ReinSignDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_sign_dialog_dispose;
  object_class->finalize = rein_sign_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = rein_sign_dialog_close_request;
  klass->check = default_check;
  klass->what = "";

  /**
   * ReinSignDialog::published:
   * @message: a sentence for a toast ("Bid published on 2 of 2 servers")
   */
  signals[SIGNAL_PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            1, G_TYPE_STRING);

  g_type_ensure (REIN_TYPE_REVIEW_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-sign-dialog.ui");
#define BIND(name) \
  gtk_widget_class_bind_template_child_private (widget_class, ReinSignDialog, name)
  BIND (window_title);
  BIND (cancel_button);
  BIND (back_button);
  BIND (next_button);
  BIND (stack);
  BIND (loading_spinner);
  BIND (loading_label);
  BIND (error_page);
  BIND (error_detail);
  BIND (form_bin);
  BIND (failure_label);
  BIND (review_page);
  BIND (publishing_spinner);
#undef BIND

  gtk_widget_class_install_action (widget_class, "dialog.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "dialog.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "dialog.escape", NULL, escape_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.escape", NULL);
}

static void
rein_sign_dialog_init (ReinSignDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  PRIV (self)->cancellable = g_cancellable_new ();
  set_page (self, "form");
}

/* ---- for tests ---- */

const gchar *
rein_sign_dialog_get_page (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (PRIV (self)->stack);
}

void
rein_sign_dialog_set_password (ReinSignDialog *self, const gchar *password)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  rein_review_page_set_password (PRIV (self)->review_page, password);
}

const gchar *
rein_sign_dialog_get_document (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return PRIV (self)->document;
}

const gchar *
rein_sign_dialog_get_problem (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return PRIV (self)->problem;
}

const gchar *
rein_sign_dialog_get_failure (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (PRIV (self)->failure_label)))
    return NULL;
  return gtk_label_get_text (PRIV (self)->failure_label);
}

/* ---- for subclasses ---- */

ReinContext *
rein_sign_dialog_get_context (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return PRIV (self)->context;
}

GCancellable *
rein_sign_dialog_get_cancellable (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return PRIV (self)->cancellable;
}

void
rein_sign_dialog_set_context (ReinSignDialog *self, ReinContext *context)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  g_set_object (&PRIV (self)->context, context);
}

void
rein_sign_dialog_set_job (ReinSignDialog *self, ReinJob *job)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  g_set_object (&PRIV (self)->job, job);
}

ReinJob *
rein_sign_dialog_get_job (ReinSignDialog *self)
{
  g_return_val_if_fail (REIN_IS_SIGN_DIALOG (self), NULL);
  return PRIV (self)->job;
}

void
rein_sign_dialog_set_what (ReinSignDialog *self, const gchar *what)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  PRIV (self)->what = what;
}

void
rein_sign_dialog_set_completion (ReinSignDialog *self,
                                 ReinPublishFlowCompleteFunc complete,
                                 gpointer data,
                                 GBoxedCopyFunc ref,
                                 GDestroyNotify unref)
{
  ReinSignDialogPrivate *priv;

  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  g_return_if_fail (data == NULL || (ref != NULL && unref != NULL));

  priv = PRIV (self);
  if (priv->complete_data != NULL)
    priv->complete_destroy (priv->complete_data);
  priv->complete = complete;
  priv->complete_data = data;
  priv->complete_ref = ref;
  priv->complete_destroy = unref;
}

void
rein_sign_dialog_set_subtitle (ReinSignDialog *self, const gchar *subtitle)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  adw_window_title_set_subtitle (PRIV (self)->window_title, subtitle);
}

void
rein_sign_dialog_set_form (ReinSignDialog *self, GtkWidget *form)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  adw_bin_set_child (PRIV (self)->form_bin, form);
  rein_widget_name_mnemonic_buttons (form);
}

void
rein_sign_dialog_set_loading (ReinSignDialog *self, const gchar *what)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  gtk_label_set_text (PRIV (self)->loading_label, what);
  set_page (self, "loading");
}

void
rein_sign_dialog_show_error (ReinSignDialog *self, const gchar *title, const gchar *description)
{
  rein_sign_dialog_show_error_detail (self, title, description, NULL);
}

void
rein_sign_dialog_show_error_detail (ReinSignDialog *self,
                                    const gchar *title,
                                    const gchar *description,
                                    const gchar *detail)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  adw_status_page_set_title (PRIV (self)->error_page, title);
  adw_status_page_set_description (PRIV (self)->error_page, description);
  gtk_label_set_text (PRIV (self)->error_detail, detail ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (PRIV (self)->error_detail), detail != NULL);
  set_page (self, "error");
}

void
rein_sign_dialog_show_form (ReinSignDialog *self)
{
  g_return_if_fail (REIN_IS_SIGN_DIALOG (self));
  set_page (self, "form");
  rein_sign_dialog_form_changed (self);
}
