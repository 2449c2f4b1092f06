/* rein-identity-page.c: one identity: its name here, its addresses and
 * SIN, a backup, and deleting it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-chain-settings.h"
#include "rein-document-builder.h"
#include "rein-identity-page.h"
#include "rein-password.h"
#include "rein-payout-dialog.h"

struct _ReinIdentityPage
{
  AdwWindow parent_instance;

  ReinSession *session;
  ReinIdentity *identity;
  GCancellable *cancellable;
  gboolean busy;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  AdwPreferencesGroup *about_group;
  AdwEntryRow *label_row;
  AdwActionRow *enrolled_row;
  AdwActionRow *contact_row;
  AdwActionRow *network_row;
  AdwActionRow *sin_row;
  AdwActionRow *master_row;
  AdwActionRow *delegate_row;
  AdwPasswordEntryRow *password_row;
  GtkSpinner *spinner;
  GtkLabel *backup_status;
  AdwActionRow *balance_row;
  AdwEntryRow *send_row;
  GtkWidget *send_button;
  gint64 balance;           /* satoshis at the delegate address, -1 unknown */
  gchar *own_address;       /* the delegate's P2PKH address, in the identity's network */
};

G_DEFINE_FINAL_TYPE (ReinIdentityPage, rein_identity_page, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (ReinIdentityPage *self, const gchar *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
set_busy (ReinIdentityPage *self, gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identity.backup", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identity.delete", !busy);
}

static void
set_status (ReinIdentityPage *self, const gchar *text, gboolean error)
{
  gtk_label_set_text (self->backup_status, text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->backup_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->backup_status), "error");
}

/* ---- copy ---- */

static void
copy_clicked_cb (GtkButton *button, ReinIdentityPage *self)
{
  AdwActionRow *row = g_object_get_data (G_OBJECT (button), "row");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          adw_action_row_get_subtitle (row));
  /* said, not just done */
  toast (self, _("Copied"));
}

static void
add_copy_button (ReinIdentityPage *self, AdwActionRow *row)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  g_autofree gchar *label = g_strdup_printf (_("Copy %s"),
                                             adw_preferences_row_get_title (
                                               ADW_PREFERENCES_ROW (row)));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data (G_OBJECT (button), "row", row);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  adw_action_row_add_suffix (row, button);
}

/* ---- backup ---- */

static void
backup_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinIdentityPage) self = user_data;
  g_autoptr (GError) error = NULL;
  GFile *file = g_object_get_data (G_OBJECT (self), "backup-file");

  if (!rein_session_export_backup_finish (REIN_SESSION (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (error)
    {
      set_status (self,
                  g_error_matches (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD)
                    ? _("Wrong password. Try again.")
                    : error->message,
                  TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  {
    g_autofree gchar *name = file ? g_file_get_parse_name (file) : NULL;
    g_autofree gchar *text = g_strdup_printf (_("Backup saved in %s"), name ? name : "");

    set_status (self, text, FALSE);
  }
}

void
rein_identity_page_save_backup_to (ReinIdentityPage *self, GFile *file)
{
  const gchar *password;

  g_return_if_fail (REIN_IS_IDENTITY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (self->busy)
    return;
  if (*password == '\0')
    {
      set_status (self, _("Enter your password first: the backup is sealed with it."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  set_busy (self, TRUE);
  set_status (self, _("Saving the backup…"), FALSE);
  g_object_set_data_full (G_OBJECT (self), "backup-file", g_object_ref (file), g_object_unref);
  rein_session_export_backup_async (self->session, self->identity, password, file,
                                    self->cancellable, backup_saved_cb, g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog *chooser, int response, ReinIdentityPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file)
        rein_identity_page_save_backup_to (self, file);
    }
  g_object_unref (chooser);
}

static void
backup_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinIdentityPage *self = REIN_IDENTITY_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autofree gchar *suggested = NULL;

  if (*gtk_editable_get_text (GTK_EDITABLE (self->password_row)) == '\0')
    {
      set_status (self, _("Enter your password first: the backup is sealed with it."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  chooser = gtk_file_chooser_native_new (_("Save Backup"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  suggested = g_strdup_printf ("%s.rein-backup.json", rein_identity_get_label (self->identity));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- rename ---- */

/* The title, and the row, say what this computer calls the identity. */
static void
update_label (ReinIdentityPage *self)
{
  const gchar *label = rein_identity_get_label (self->identity);

  adw_window_title_set_title (self->window_title, label);
  adw_preferences_group_set_title (self->about_group, label);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->label_row)), label) != 0)
    {
      /* what the store keeps, with no apply button for it: nothing to
       * apply */
      adw_entry_row_set_show_apply_button (self->label_row, FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->label_row), label);
      adw_entry_row_set_show_apply_button (self->label_row, TRUE);
    }
}

static void
renamed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinIdentityPage) self = user_data;
  g_autoptr (GError) error = NULL;

  set_busy (self, FALSE);
  if (!rein_session_rename_identity_finish (REIN_SESSION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->label_row), "error");
          /* the store's words are English: said here in the user's */
          if (g_error_matches (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS))
            toast (self, _("Another identity on this computer is already called that"));
          else if (g_error_matches (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID))
            toast (self, _("A name is one line of text, not empty and not too long"));
          else
            toast (self, _("The identity could not be renamed"));
        }
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->label_row), "error");
  update_label (self);
  toast (self, _("Renamed"));
}

void
rein_identity_page_rename (ReinIdentityPage *self, const gchar *label)
{
  g_return_if_fail (REIN_IS_IDENTITY_PAGE (self));
  g_return_if_fail (label != NULL);

  if (self->busy)
    return;
  set_busy (self, TRUE);
  rein_session_rename_identity_async (self->session, self->identity, label, self->cancellable,
                                      renamed_cb, g_object_ref (self));
}

static void
label_applied_cb (AdwEntryRow *row, ReinIdentityPage *self)
{
  rein_identity_page_rename (self, gtk_editable_get_text (GTK_EDITABLE (row)));
}

/* ---- delete ---- */

static void
deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinIdentityPage) self = user_data;
  g_autoptr (GError) error = NULL;

  set_busy (self, FALSE);
  if (!rein_session_delete_identity_finish (REIN_SESSION (source), result, &error))
    {
      toast (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_DELETED], 0, rein_identity_get_label (self->identity));
  gtk_window_close (GTK_WINDOW (self));
}

void
rein_identity_page_delete (ReinIdentityPage *self)
{
  g_return_if_fail (REIN_IS_IDENTITY_PAGE (self));

  if (self->busy)
    return;
  set_busy (self, TRUE);
  rein_session_delete_identity_async (self->session, self->identity, NULL, deleted_cb,
                                      g_object_ref (self));
}

static void
confirm_response_cb (AdwMessageDialog *dialog, const gchar *response, ReinIdentityPage *self)
{
  if (g_strcmp0 (response, "delete") == 0)
    rein_identity_page_delete (self);
  else if (g_strcmp0 (response, "backup") == 0)
    {
      set_status (self, _("Enter your password, then save the backup."), FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinIdentityPage *self = REIN_IDENTITY_PAGE (widget);
  g_autofree gchar *heading = g_strdup_printf (_("Delete “%s”?"),
                                               rein_identity_get_label (self->identity));
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                              _("Its keys are removed from this computer. "
                                                "Without a backup or its recovery phrase it "
                                                "cannot be restored, and its jobs and bids can "
                                                "no longer be signed."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "backup", _("Save a _Backup First"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "backup",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  /* Enter does the safe thing */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "backup");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the own address: its balance, and sending it on ---- */

static void
update_send (ReinIdentityPage *self)
{
  const gchar *to = gtk_editable_get_text (GTK_EDITABLE (self->send_row));
  gboolean active = rein_session_get_active_identity (self->session) == self->identity;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "identity.send",
                                 active && self->balance > 0 && to != NULL && *to != '\0');
  gtk_widget_set_tooltip_text (self->send_button,
                               active ? NULL : _("Switch to this identity to send from it"));
}

static void
coins_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinIdentityPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) coins = rein_chain_get_utxos_finish (REIN_CHAIN (source), result,
                                                             &error);
  gint64 confirmed = 0, unconfirmed = 0;
  g_autofree gchar *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (coins == NULL)
    {
      text = g_strdup_printf (_("Cannot be looked up: %s"), error->message);
      adw_action_row_set_subtitle (self->balance_row, text);
      return;
    }
  for (guint c = 0; c < coins->len; c++)
    {
      ReinUtxo *coin = g_ptr_array_index (coins, c);

      if (coin->confirmed)
        confirmed += coin->value;
      else
        unconfirmed += coin->value;
    }
  self->balance = confirmed + unconfirmed;
  {
    g_autofree gchar *amount = rein_payments_format_amount (confirmed);

    if (unconfirmed > 0)
      {
        g_autofree gchar *waiting = rein_payments_format_amount (unconfirmed);

        /* Translators: the balance, then what is not mined yet */
        text = g_strdup_printf (_("%s, and %s not confirmed yet"), amount, waiting);
      }
    else
      text = g_steal_pointer (&amount);
  }
  adw_action_row_set_subtitle (self->balance_row, text);
  update_send (self);
}

/* Looks up what the delegate address holds. */
void
rein_identity_page_refresh_balance (ReinIdentityPage *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChain) chain = NULL;

  g_return_if_fail (REIN_IS_IDENTITY_PAGE (self));

  self->balance = -1;
  update_send (self);
  chain = rein_chain_settings_open (rein_session_get_store (self->session),
                                    rein_identity_get_testnet (self->identity), &error);
  if (chain == NULL)
    {
      g_autofree gchar *text = g_strdup_printf (_("Choose a chain backend in Preferences: %s"),
                                                error->message);

      adw_action_row_set_subtitle (self->balance_row, text);
      return;
    }
  adw_action_row_set_subtitle (self->balance_row, _("Looking it up…"));
  rein_chain_get_utxos_async (chain, self->own_address, self->cancellable, coins_cb,
                              g_object_ref (self));
}

static void
balance_action (GtkWidget *widget, const char *name, GVariant *param)
{
  rein_identity_page_refresh_balance (REIN_IDENTITY_PAGE (widget));
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinIdentityPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *txid = rein_payout_dialog_spend_finish (result, &error);
  g_autofree gchar *text = NULL;

  if (txid == NULL)
    return; /* cancelled, or said in the dialog */
  text = g_strdup_printf (_("Sent in %s"), txid);
  toast (self, text);
  gtk_editable_set_text (GTK_EDITABLE (self->send_row), "");
  rein_identity_page_refresh_balance (self);
}

static void
send_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinIdentityPage *self = REIN_IDENTITY_PAGE (widget);

  rein_payout_dialog_spend_async (widget, self->session,
                                  gtk_editable_get_text (GTK_EDITABLE (self->send_row)),
                                  self->cancellable, sent_cb, g_object_ref (self));
}

/* ---- the object ---- */

static void
rein_identity_page_dispose (GObject *object)
{
  ReinIdentityPage *self = (ReinIdentityPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->identity);
  g_clear_pointer (&self->own_address, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_IDENTITY_PAGE);

  G_OBJECT_CLASS (rein_identity_page_parent_class)->dispose (object);
}

static void
rein_identity_page_class_init (ReinIdentityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_identity_page_dispose;

  signals[SIGNAL_DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                          1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-identity-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinIdentityPage, name)
  BIND (toast_overlay);
  BIND (window_title);
  BIND (about_group);
  BIND (label_row);
  BIND (enrolled_row);
  BIND (contact_row);
  BIND (network_row);
  BIND (sin_row);
  BIND (master_row);
  BIND (delegate_row);
  BIND (password_row);
  BIND (spinner);
  BIND (backup_status);
  BIND (balance_row);
  BIND (send_row);
  BIND (send_button);
#undef BIND
  gtk_widget_class_install_action (widget_class, "identity.balance", NULL, balance_action);
  gtk_widget_class_install_action (widget_class, "identity.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "identity.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "identity.delete", NULL, delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rein_identity_page_init (ReinIdentityPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  rein_password_row_tidy (self->password_row);
  add_copy_button (self, self->sin_row);
  add_copy_button (self, self->master_row);
  add_copy_button (self, self->delegate_row);
  self->balance = -1;
  g_signal_connect_swapped (self->send_row, "changed", G_CALLBACK (update_send), self);
  g_signal_connect (self->label_row, "apply", G_CALLBACK (label_applied_cb), self);
}

ReinIdentityPage *
rein_identity_page_new (GtkWindow *parent, ReinSession *session, ReinIdentity *identity)
{
  ReinIdentityPage *self;
  g_autofree gchar *sin = NULL;
  g_autofree gchar *enrolled = NULL;

  g_return_val_if_fail (REIN_IS_SESSION (session), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);

  self = g_object_new (REIN_TYPE_IDENTITY_PAGE, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->identity = g_object_ref (identity);
  sin = rein_sin_from_address (rein_identity_get_master_address (identity));
  update_label (self);
  g_signal_connect_object (identity, "notify::label", G_CALLBACK (update_label), self,
                           G_CONNECT_SWAPPED);
  enrolled = g_strdup_printf (_("%s — signed in your enrollment, so it stays as it is; "
                                "renaming changes only what this computer calls it"),
                              rein_identity_get_name (identity));
  adw_action_row_set_subtitle (self->enrolled_row, enrolled);
  adw_action_row_set_subtitle (self->contact_row, rein_identity_get_contact (identity));
  adw_action_row_set_subtitle (self->network_row,
                               rein_identity_get_testnet (identity)
                                 ? _("Testnet: for trying Rein out, with coins of no value")
                                 : _("Bitcoin"));
  adw_action_row_set_subtitle (self->sin_row, sin ? sin : "");
  adw_action_row_set_subtitle (self->master_row, rein_identity_get_master_address (identity));
  adw_action_row_set_subtitle (self->delegate_row,
                               rein_identity_get_delegate_address (identity));
  self->own_address = rein_address_convert (rein_identity_get_delegate_address (identity),
                                            rein_identity_get_testnet (identity)
                                              ? REIN_NETWORK_TESTNET
                                              : REIN_NETWORK_MAINNET,
                                            NULL);
  if (self->own_address == NULL)
    self->own_address = g_strdup (rein_identity_get_delegate_address (identity));
  rein_identity_page_refresh_balance (self);
  return self;
}
