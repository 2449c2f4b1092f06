/* rein-payout-panel.c: where a job's payouts stand, on the job page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-payout-dialog.h"
#include "rein-payout-panel.h"

/* How often confirmations are looked at while a payment waits for them. */
#define FOLLOW_SECONDS 60
/* Followed until this many. */
#define FOLLOW_CONFIRMATIONS 6
/* A PSBT file larger than this is not a payment of a Rein job. */
#define MAX_PSBT_FILE (1024 * 1024)

struct _ReinPayoutPanel
{
  AdwBin parent_instance;

  ReinContext *context;
  ReinMyJob *my_job;
  ReinPayments *payments;
  GCancellable *cancellable;
  guint follow_id;
  gboolean loading;
  gboolean paid;
  gboolean disposed;
  gchar *state_text[2];
  gchar *summary;

  AdwPreferencesGroup *group;
  GtkSpinner *spinner;
  GtkWidget *paid_row;
  AdwActionRow *primary_row;
  GtkImage *primary_icon;
  GtkMenuButton *primary_menu;
  AdwActionRow *mediator_row;
  GtkImage *mediator_icon;
  GtkMenuButton *mediator_menu;
  GtkLabel *error_label;
  GtkWidget *cosign_button;
};

G_DEFINE_FINAL_TYPE (ReinPayoutPanel, rein_payout_panel, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_PAID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load (ReinPayoutPanel *self);

/* ---- showing ---- */

static void
set_loading (ReinPayoutPanel *self, gboolean loading)
{
  gtk_spinner_set_spinning (self->spinner, loading);
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
show_error (ReinPayoutPanel *self, const gchar *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
is_sent (ReinPaymentState state)
{
  return state == REIN_PAYMENT_STATE_BROADCAST || state == REIN_PAYMENT_STATE_PAID_ELSEWHERE;
}

static const gchar *
icon_of (ReinPaymentState state, gint64 confirmations)
{
  switch (state)
    {
    case REIN_PAYMENT_STATE_REFUSED:
      return "dialog-error-symbolic";
    case REIN_PAYMENT_STATE_TO_SIGN:
      return "document-edit-symbolic";
    case REIN_PAYMENT_STATE_BROADCAST:
    case REIN_PAYMENT_STATE_PAID_ELSEWHERE:
      return confirmations > 0 ? "emblem-ok-symbolic" : "content-loading-symbolic";
    case REIN_PAYMENT_STATE_COMPLETE:
      return "mail-send-symbolic";
    case REIN_PAYMENT_STATE_NONE:
    case REIN_PAYMENT_STATE_BUILT:
    case REIN_PAYMENT_STATE_WAITING:
    case REIN_PAYMENT_STATE_SIGNED:
    default:
      return "content-loading-symbolic";
    }
}

static gboolean
follow_cb (gpointer user_data)
{
  ReinPayoutPanel *self = user_data;

  self->follow_id = 0;
  load (self);
  return G_SOURCE_REMOVE;
}

static void
update (ReinPayoutPanel *self)
{
  gboolean paid = self->payments != NULL;
  gboolean refused = FALSE, to_sign = FALSE, complete = FALSE, follow = FALSE;

  for (guint e = 0; e < 2; e++)
    {
      gboolean primary = e == 0;
      AdwActionRow *row = primary ? self->primary_row : self->mediator_row;
      GtkImage *icon = primary ? self->primary_icon : self->mediator_icon;
      GtkWidget *menu = GTK_WIDGET (primary ? self->primary_menu : self->mediator_menu);
      ReinPaymentState state = REIN_PAYMENT_STATE_NONE;
      gint64 confirmations = -1;

      g_clear_pointer (&self->state_text[e], g_free);
      if (self->payments != NULL)
        {
          state = rein_payments_get_state (self->payments, primary);
          confirmations = rein_payments_get_confirmations (self->payments, primary);
          self->state_text[e] = rein_payout_describe_state (self->payments, primary);
        }
      adw_action_row_set_subtitle (row, self->state_text[e] != NULL ? self->state_text[e] : "");
      gtk_image_set_from_icon_name (icon, icon_of (state, confirmations));
      gtk_widget_set_visible (menu, self->payments != NULL);
      if (state == REIN_PAYMENT_STATE_REFUSED)
        gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

      paid = paid && is_sent (state) && confirmations > 0;
      follow = follow || (is_sent (state) && confirmations < FOLLOW_CONFIRMATIONS);
      refused = refused || state == REIN_PAYMENT_STATE_REFUSED;
      to_sign = to_sign || state == REIN_PAYMENT_STATE_TO_SIGN;
      complete = complete || state == REIN_PAYMENT_STATE_COMPLETE;
    }

  g_free (self->summary);
  if (self->payments == NULL)
    self->summary = NULL;
  else if (paid)
    self->summary = g_strdup (_("Both payments are made and confirmed."));
  else if (refused)
    self->summary = g_strdup (_("A payment does not do what the job calls for: it is not "
                                "signed here."));
  else if (to_sign)
    self->summary = g_strdup (_("Your signature completes a payment: review and co-sign it."));
  else if (complete)
    self->summary = g_strdup (_("A payment has every signature and waits to be sent."));
  else if (follow)
    self->summary = g_strdup (_("Sent: waiting for confirmations."));
  else
    self->summary = g_strdup (_("Waiting for another signature."));
  adw_preferences_group_set_description (self->group, self->summary);
  gtk_widget_set_visible (self->paid_row, paid);
  gtk_widget_set_visible (self->cosign_button, to_sign || complete);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.cosign",
                                 (to_sign || complete) && !self->loading);

  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (follow && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->follow_id = g_timeout_add_seconds (FOLLOW_SECONDS, follow_cb, self);
  if (self->paid != paid)
    {
      self->paid = paid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAID]);
    }
}

/* ---- looking at the chain ---- */

static void
recorded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutPanel) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rein_payments_record_finish (REIN_PAYMENTS (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("The payments were not recorded: %s", error->message);
    }
  if (REIN_PAYMENTS (source) != self->payments)
    return;
  set_loading (self, FALSE);
  update (self);
}

static void
opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutPanel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayments) payments = rein_payments_open_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (payments == NULL)
    {
      set_loading (self, FALSE);
      show_error (self, error->message);
      update (self);
      return;
    }
  g_set_object (&self->payments, payments);
  update (self);
  /* the confirmations of what was sent, and a record of what is done */
  rein_payments_record_async (payments, self->cancellable, recorded_cb, g_object_ref (self));
}

static gboolean
has_payments (ReinJob *job)
{
  return job != NULL && (rein_job_get_document (job, REIN_DOCUMENT_TYPE_RESOLUTION) != NULL
                         || rein_job_get_document (job, REIN_DOCUMENT_TYPE_ACCEPT) != NULL);
}

/* The fee cap of the preferences is read (in a worker): open the
 * payments with it. */
static void
prefs_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutPanel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChainPrefs) prefs = rein_chain_settings_load_finish (result, &error);
  ReinSession *session;
  ReinIdentity *identity;
  g_autoptr (ReinChain) chain = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
    return;
  session = rein_context_get_session (self->context);
  identity = rein_session_get_active_identity (session);
  if (prefs == NULL || identity == NULL || self->my_job == NULL)
    {
      set_loading (self, FALSE);
      if (error != NULL)
        show_error (self, error->message);
      update (self);
      return;
    }
  chain = rein_chain_settings_open (rein_context_get_store (self->context),
                                    rein_identity_get_testnet (identity), &error);
  if (chain == NULL)
    {
      g_autofree gchar *message = g_strdup_printf (_("Choose a chain backend in Preferences: %s"),
                                                   error->message);

      set_loading (self, FALSE);
      show_error (self, message);
      return;
    }
  rein_payments_open_async (rein_context_get_store (self->context), identity, chain,
                            rein_my_job_get_job (self->my_job), prefs->fee_cap,
                            self->cancellable, opened_cb, g_object_ref (self));
}

static void
load (ReinPayoutPanel *self)
{
  ReinSession *session = rein_context_get_session (self->context);
  ReinIdentity *identity = rein_session_get_active_identity (session);
  ReinJob *job = self->my_job != NULL ? rein_my_job_get_job (self->my_job) : NULL;

  g_clear_handle_id (&self->follow_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  show_error (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), has_payments (job));
  if (!has_payments (job) || identity == NULL)
    {
      g_clear_object (&self->payments);
      set_loading (self, FALSE);
      update (self);
      return;
    }
  set_loading (self, TRUE);
  update (self);
  rein_chain_settings_load_async (rein_context_get_store (self->context), self->cancellable,
                                  prefs_loaded_cb, g_object_ref (self));
}

/* ---- co-signing and sending ---- */

static void
cosigned_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutPanel) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayments) payments = rein_payout_dialog_cosign_finish (result, &error);

  if (self->disposed)
    return;
  if (payments == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, error->message);
  load (self);
}

static void
cosign_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);

  if (self->my_job == NULL)
    return;
  rein_payout_dialog_cosign_async (widget, self->context, rein_my_job_get_job (self->my_job),
                                   NULL, cosigned_cb, g_object_ref (self));
}

static void
refresh_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  load (REIN_PAYOUT_PANEL (widget));
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinPayoutPanel) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rein_payments_broadcast_finish (REIN_PAYMENTS (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
    }
  update (self);
  rein_payments_record_async (REIN_PAYMENTS (source), self->cancellable, recorded_cb,
                              g_object_ref (self));
}

static void
send_response_cb (AdwMessageDialog *dialog, const gchar *response, gpointer user_data)
{
  ReinPayoutPanel *self = user_data;

  if (g_strcmp0 (response, "send") != 0 || self->payments == NULL)
    return;
  set_loading (self, TRUE);
  rein_payments_broadcast_async (self->payments, self->cancellable, sent_cb,
                                 g_object_ref (self));
}

/* A payment signed elsewhere came back complete: send it, once asked. */
static void
ask_to_send (ReinPayoutPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Send the Payment?"),
                                              _("It has every signature now. Once sent, a "
                                                "payment cannot be taken back."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep for Later"),
                                    "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- export and import ---- */

static void
copy_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);
  g_autofree gchar *base64 = NULL;

  if (self->payments == NULL)
    return;
  base64 = rein_payments_get_base64 (self->payments, g_variant_get_boolean (parameter));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), base64);
}

static void
show_qr_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);
  gboolean primary = g_variant_get_boolean (parameter);
  g_autofree gchar *base64 = NULL;
  g_autoptr (ReinQr) qr = NULL;
  g_autoptr (GBytes) png = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *window, *box, *header, *picture;

  if (self->payments == NULL)
    return;
  base64 = rein_payments_get_base64 (self->payments, primary);
  if ((qr = rein_qr_encode (base64, &error)) == NULL
      || (png = rein_qr_to_png (qr, 4, &error)) == NULL
      || (texture = gdk_texture_new_from_bytes (png, &error)) == NULL)
    {
      g_autofree gchar *message = g_strdup_printf (_("This payment does not fit in a QR code "
                                                     "(%s): copy it or save it as a file."),
                                                   error->message);

      show_error (self, message);
      return;
    }
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), primary ? _("Primary Payment") : _("Mediator Payment"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_widget_set_margin_top (picture, 12);
  gtk_widget_set_margin_bottom (picture, 12);
  gtk_widget_set_margin_start (picture, 12);
  gtk_widget_set_margin_end (picture, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The payment as a QR code (PSBT, base64)"), -1);
  gtk_box_append (GTK_BOX (box), picture);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayoutPanel *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->disposed)
        show_error (self, error->message);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
rein_payout_panel_save_psbt_async (ReinPayoutPanel *self,
                                   gboolean primary,
                                   GFile *file,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_return_if_fail (REIN_IS_PAYOUT_PANEL (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payout_panel_save_psbt_async);
  if (self->payments == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "%s",
                               _("The payments are not loaded yet"));
      return;
    }
  bytes = rein_psbt_serialize (rein_payments_get_psbt (self->payments, primary));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       cancellable, saved_cb, g_steal_pointer (&task));
}

gboolean
rein_payout_panel_save_psbt_finish (ReinPayoutPanel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_response_cb (GtkNativeDialog *chooser, gint response, gpointer user_data)
{
  ReinPayoutPanel *self = user_data;
  gboolean primary = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "primary"));
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    rein_payout_panel_save_psbt_async (self, primary, file, self->cancellable, NULL, NULL);
  g_object_unref (chooser);
  g_object_unref (self);
}

static GtkFileChooserNative *
new_chooser (ReinPayoutPanel *self, const gchar *title, GtkFileChooserAction action,
             const gchar *accept)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         action, accept, NULL);
  gtk_file_filter_set_name (filter, _("Partially signed transactions (PSBT)"));
  gtk_file_filter_add_pattern (filter, "*.psbt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  return chooser;
}

static void
save_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);
  gboolean primary = g_variant_get_boolean (parameter);
  GtkFileChooserNative *chooser;
  g_autofree gchar *name = NULL;

  if (self->payments == NULL)
    return;
  chooser = new_chooser (self, _("Save the Payment"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"));
  name = g_strdup_printf ("%s-%s.psbt", rein_job_get_id (rein_payments_get_job (self->payments)),
                          primary ? "primary" : "mediator");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "primary", GINT_TO_POINTER (primary));
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

gboolean
rein_payout_panel_import (ReinPayoutPanel *self, gboolean primary, GBytes *data, GError **error)
{
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len = 0;
  const guint8 *bytes;

  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  bytes = g_bytes_get_data (data, &len);
  if (self->payments == NULL)
    g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                         _("The payments are not loaded yet"));
  else if (len > MAX_PSBT_FILE)
    g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("This file is too large to be a payment"));
  else if ((psbt = rein_payments_parse_psbt (bytes, len, &local_error)) != NULL)
    rein_payments_import (self->payments, primary, psbt, &local_error);
  if (local_error != NULL)
    {
      g_autofree gchar *message = g_strdup_printf (_("The PSBT was not taken in: %s"),
                                                   local_error->message);

      show_error (self, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  show_error (self, NULL);
  update (self);
  if (rein_payments_get_state (self->payments, primary) == REIN_PAYMENT_STATE_COMPLETE)
    ask_to_send (self);
  return TRUE;
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayoutPanel *self = g_task_get_source_object (task);
  gboolean primary = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->disposed)
        show_error (self, error->message);
      g_task_return_error (task, error);
      return;
    }
  if (self->disposed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The job was closed"));
      return;
    }
  if (!rein_payout_panel_import (self, primary, bytes, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
opened_file_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayoutPanel *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (GFileInputStream) stream = g_file_read_finish (G_FILE (source), result, &error);
  GCancellable *cancellable;

  if (stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->disposed)
        show_error (self, error->message);
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  /* one byte more than allowed: a larger file is refused, not cut */
  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), MAX_PSBT_FILE + 1,
                                   G_PRIORITY_DEFAULT, cancellable, read_cb,
                                   g_steal_pointer (&task));
}

void
rein_payout_panel_open_psbt_async (ReinPayoutPanel *self,
                                   gboolean primary,
                                   GFile *file,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (REIN_IS_PAYOUT_PANEL (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payout_panel_open_psbt_async);
  g_task_set_task_data (task, GINT_TO_POINTER (primary), NULL);
  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, opened_file_cb, task);
}

gboolean
rein_payout_panel_open_psbt_finish (ReinPayoutPanel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
open_response_cb (GtkNativeDialog *chooser, gint response, gpointer user_data)
{
  ReinPayoutPanel *self = user_data;
  gboolean primary = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "primary"));
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && !self->disposed
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    rein_payout_panel_open_psbt_async (self, primary, file, self->cancellable, NULL, NULL);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
open_action (GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);
  GtkFileChooserNative *chooser;

  if (self->payments == NULL)
    return;
  chooser = new_chooser (self, _("Open a Signed Payment"), GTK_FILE_CHOOSER_ACTION_OPEN,
                         _("_Open"));
  g_object_set_data (G_OBJECT (chooser), "primary",
                     GINT_TO_POINTER (g_variant_get_boolean (parameter)));
  g_signal_connect (chooser, "response", G_CALLBACK (open_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static GMenuModel *
escrow_menu (gboolean primary)
{
  GMenu *menu = g_menu_new ();
  const struct
  {
    const gchar *label;
    const gchar *action;
  } items[] = {
    { N_("_Copy PSBT"), "panel.copy-psbt" },
    { N_("Show as _QR Code"), "panel.show-qr" },
    { N_("_Save PSBT…"), "panel.save-psbt" },
    { N_("_Open Signed PSBT…"), "panel.open-psbt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, items[i].action,
                                               g_variant_new_boolean (primary));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* ---- the class ---- */

static void
rein_payout_panel_map (GtkWidget *widget)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);

  GTK_WIDGET_CLASS (rein_payout_panel_parent_class)->map (widget);
  /* confirmations are followed while the panel is seen */
  if (self->payments != NULL && !self->loading)
    update (self);
}

static void
rein_payout_panel_unmap (GtkWidget *widget)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (widget);

  g_clear_handle_id (&self->follow_id, g_source_remove);
  GTK_WIDGET_CLASS (rein_payout_panel_parent_class)->unmap (widget);
}

static void
rein_payout_panel_get_property (GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_PAID:
      g_value_set_boolean (value, self->paid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rein_payout_panel_dispose (GObject *object)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (object);

  self->disposed = TRUE;
  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), REIN_TYPE_PAYOUT_PANEL);
  G_OBJECT_CLASS (rein_payout_panel_parent_class)->dispose (object);
}

static void
rein_payout_panel_finalize (GObject *object)
{
  ReinPayoutPanel *self = REIN_PAYOUT_PANEL (object);

  g_clear_object (&self->context);
  g_clear_object (&self->my_job);
  g_clear_object (&self->payments);
  g_clear_object (&self->cancellable);
  g_free (self->state_text[0]);
  g_free (self->state_text[1]);
  g_free (self->summary);
  G_OBJECT_CLASS (rein_payout_panel_parent_class)->finalize (object);
}

static void
rein_payout_panel_class_init (ReinPayoutPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = rein_payout_panel_get_property;
  object_class->dispose = rein_payout_panel_dispose;
  object_class->finalize = rein_payout_panel_finalize;
  widget_class->map = rein_payout_panel_map;
  widget_class->unmap = rein_payout_panel_unmap;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAID] = g_param_spec_boolean ("paid", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                  | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-payout-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, group);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, paid_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, primary_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, primary_icon);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, mediator_row);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, mediator_icon);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, mediator_menu);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, ReinPayoutPanel, cosign_button);

  gtk_widget_class_install_action (widget_class, "panel.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "panel.cosign", NULL, cosign_action);
  gtk_widget_class_install_action (widget_class, "panel.copy-psbt", "b", copy_action);
  gtk_widget_class_install_action (widget_class, "panel.show-qr", "b", show_qr_action);
  gtk_widget_class_install_action (widget_class, "panel.save-psbt", "b", save_action);
  gtk_widget_class_install_action (widget_class, "panel.open-psbt", "b", open_action);
}

static void
rein_payout_panel_init (ReinPayoutPanel *self)
{
  g_autoptr (GMenuModel) primary = escrow_menu (TRUE);
  g_autoptr (GMenuModel) mediator = escrow_menu (FALSE);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_menu_button_set_menu_model (self->primary_menu, primary);
  gtk_menu_button_set_menu_model (self->mediator_menu, mediator);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  update (self);
}

GtkWidget *
rein_payout_panel_new (ReinContext *context)
{
  ReinPayoutPanel *self;

  g_return_val_if_fail (REIN_IS_CONTEXT (context), NULL);

  self = g_object_new (REIN_TYPE_PAYOUT_PANEL, NULL);
  self->context = g_object_ref (context);
  return GTK_WIDGET (self);
}

void
rein_payout_panel_set_job (ReinPayoutPanel *self, ReinMyJob *job)
{
  g_return_if_fail (REIN_IS_PAYOUT_PANEL (self));
  g_return_if_fail (job == NULL || REIN_IS_MY_JOB (job));

  if (job != self->my_job || job == NULL)
    g_clear_object (&self->payments);
  g_set_object (&self->my_job, job);
  load (self);
}

void
rein_payout_panel_refresh (ReinPayoutPanel *self)
{
  g_return_if_fail (REIN_IS_PAYOUT_PANEL (self));
  load (self);
}

gboolean
rein_payout_panel_get_loading (ReinPayoutPanel *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), FALSE);
  return self->loading;
}

gboolean
rein_payout_panel_get_paid (ReinPayoutPanel *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), FALSE);
  return self->paid;
}

ReinPayments *
rein_payout_panel_get_payments (ReinPayoutPanel *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), NULL);
  return self->payments;
}

const gchar *
rein_payout_panel_get_state_text (ReinPayoutPanel *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), NULL);
  return self->state_text[primary ? 0 : 1];
}

const gchar *
rein_payout_panel_get_summary (ReinPayoutPanel *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), NULL);
  return self->summary;
}

const gchar *
rein_payout_panel_get_error (ReinPayoutPanel *self)
{
  g_return_val_if_fail (REIN_IS_PAYOUT_PANEL (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
           ? gtk_label_get_text (self->error_label)
           : NULL;
}
