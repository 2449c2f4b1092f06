/* rein-unlock-dialog.c: asks for the password when a signing action needs
 * the keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rein-password.h"
#include "rein-settings.h"
#include "rein-unlock-dialog.h"
#include "rein-job-row.h"

struct _ReinUnlockDialog
{
  AdwWindow parent_instance;

  ReinSession *session;
  GCancellable *cancellable;
  gboolean busy;
  GSettings *settings;

  AdwPreferencesGroup *group;
  GtkCheckButton *once_check;
  GtkCheckButton *keep_check;
  AdwPasswordEntryRow *password_row;
  GtkSpinner *spinner;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (ReinUnlockDialog, rein_unlock_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_UNLOCKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update (ReinUnlockDialog *self)
{
  const gchar *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.unlock",
                                 !self->busy && *password != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  /* Not insensitive: that would take the focus from the entry (and GTK 4.8
   * warns); read-only while the password is checked. */
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !self->busy);
}

static void
unlocked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ReinUnlockDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) key = rein_session_unlock_finish (REIN_SESSION (source), result,
                                                               &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  if (key == NULL)
    {
      gtk_label_set_text (self->error_label,
                          g_error_matches (error, REIN_STORE_ERROR,
                                           REIN_STORE_ERROR_WRONG_PASSWORD)
                            ? _("Wrong password. Try again.")
                            : error->message);
      update (self);
      gtk_editable_select_region (GTK_EDITABLE (self->password_row), 0, -1);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_UNLOCKED], 0, key);
  gtk_window_close (GTK_WINDOW (self));
}

static void
unlock_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinUnlockDialog *self = REIN_UNLOCK_DIALOG (widget);
  const gchar *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->busy || *password == '\0')
    return;
  self->busy = TRUE;
  gtk_label_set_text (self->error_label, "");
  update (self);
  /* the choice is remembered for the next time the keys are asked for */
  if (self->settings)
    g_settings_set_boolean (self->settings, "keep-keys-unlocked",
                            rein_unlock_dialog_get_keep_unlocked (self));
  rein_session_unlock_async (self->session, password,
                             rein_unlock_dialog_get_keep_unlocked (self), self->cancellable,
                             unlocked_cb, g_object_ref (self));
}

static void
rein_unlock_dialog_dispose (GObject *object)
{
  ReinUnlockDialog *self = (ReinUnlockDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_UNLOCK_DIALOG);

  G_OBJECT_CLASS (rein_unlock_dialog_parent_class)->dispose (object);
}

static void
rein_unlock_dialog_class_init (ReinUnlockDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_unlock_dialog_dispose;

  /**
   * ReinUnlockDialog::unlocked:
   * @key: (type gpointer): the delegate key, valid during the emission
   */
  signals[SIGNAL_UNLOCKED] = g_signal_new ("unlocked", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-unlock-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, group);
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, once_check);
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, keep_check);
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ReinUnlockDialog, error_label);
  gtk_widget_class_install_action (widget_class, "unlock.unlock", NULL, unlock_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
entry_activated_cb (ReinUnlockDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "unlock.unlock", NULL);
}

static void
rein_unlock_dialog_init (ReinUnlockDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  rein_password_row_tidy (self->password_row);
  self->settings = rein_settings_new_if_installed ();
  rein_unlock_dialog_set_keep_unlocked (self, self->settings
                                                && g_settings_get_boolean (self->settings,
                                                                           "keep-keys-unlocked"));
  g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->password_row, "entry-activated",
                            G_CALLBACK (entry_activated_cb), self);
  update (self);
}

ReinUnlockDialog *
rein_unlock_dialog_new (GtkWindow *parent, ReinSession *session, const gchar *reason)
{
  ReinUnlockDialog *self;
  ReinIdentity *identity;

  g_return_val_if_fail (REIN_IS_SESSION (session), NULL);

  self = g_object_new (REIN_TYPE_UNLOCK_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  identity = rein_session_get_active_identity (session);
  if (identity)
    {
      g_autofree gchar *title = g_strdup_printf (_("Unlock %s"), rein_identity_get_label (identity));

      adw_preferences_group_set_title (self->group, title);
    }
  adw_preferences_group_set_description (self->group, reason);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  return self;
}

void
rein_unlock_dialog_set_keep_unlocked (ReinUnlockDialog *self, gboolean keep)
{
  g_return_if_fail (REIN_IS_UNLOCK_DIALOG (self));
  gtk_check_button_set_active (keep ? self->keep_check : self->once_check, TRUE);
}

gboolean
rein_unlock_dialog_get_keep_unlocked (ReinUnlockDialog *self)
{
  g_return_val_if_fail (REIN_IS_UNLOCK_DIALOG (self), FALSE);
  return gtk_check_button_get_active (self->keep_check);
}
