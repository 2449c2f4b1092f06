/* payout-test-util.h: driving the payout dialog and panel, for the UI
 * suites that pay out of escrow (test-payout, test-job-page), and
 * reading QR codes (test-escrow-funding too)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "app-test-util.h"
#include "rein-payout-dialog.h"
#include "rein-payout-panel.h"

/* What zbarimg reads in the PNG at @path: exactly one code. */
static inline gchar *
zbar_decode (const gchar *path)
{
  const gchar *argv[] = { "zbarimg", "--raw", "-q", path, NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status;

  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("zbarimg read nothing in %s: %s", path, err);
  g_strchomp (out);
  g_assert_null (strchr (out, '\n'));
  return g_steal_pointer (&out);
}

static inline ReinPayoutDialog *
find_dialog (void)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();

  for (GList *w = windows; w != NULL; w = w->next)
    if (REIN_IS_PAYOUT_DIALOG (w->data) && gtk_widget_get_visible (w->data))
      return w->data;
  return NULL;
}

static inline AdwMessageDialog *
find_question (void)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();

  for (GList *w = windows; w != NULL; w = w->next)
    if (ADW_IS_MESSAGE_DIALOG (w->data) && gtk_widget_get_visible (w->data))
      return w->data;
  return NULL;
}

static inline gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static inline gboolean
question_shown (gpointer data)
{
  return find_question () != NULL;
}

static inline gboolean
dialog_on_review (gpointer data)
{
  ReinPayoutDialog *dialog = find_dialog ();

  if (dialog != NULL && g_strcmp0 (rein_payout_dialog_get_page (dialog), "error") == 0)
    g_error ("the payout dialog failed: %s", rein_payout_dialog_get_error (dialog));
  return dialog != NULL && g_strcmp0 (rein_payout_dialog_get_page (dialog), "review") == 0;
}

static inline gboolean
panel_loaded (gpointer data)
{
  return !rein_payout_panel_get_loading (data);
}

/* Review and co-sign from the panel (password "pw"), then say @send to
 * the last question; the panel is loaded again after. */
typedef struct
{
  ReinPayoutPanel *panel;
  ReinPayments *before;
} Reload;

static inline gboolean
panel_reloaded (gpointer data)
{
  Reload *reload = data;

  return rein_payout_panel_get_payments (reload->panel) != reload->before
         && !rein_payout_panel_get_loading (reload->panel);
}

static inline gboolean
dialog_gone (gpointer data)
{
  return find_dialog () == NULL;
}

static inline void
payout_test_cosign (ReinPayoutPanel *panel, gboolean send)
{
  ReinPayoutDialog *dialog;
  AdwMessageDialog *question;
  Reload reload = { panel, rein_payout_panel_get_payments (panel) };

  gtk_widget_activate_action (GTK_WIDGET (panel), "panel.cosign", NULL);
  app_test_wait_until (dialog_shown, NULL, "the co-sign dialog", 30);
  app_test_wait_until (dialog_on_review, NULL, "the payments to co-sign", 60);
  dialog = find_dialog ();
  rein_payout_dialog_set_confirmed (dialog, TRUE);
  rein_payout_dialog_set_password (dialog, "pw");
  rein_payout_dialog_sign (dialog);
  app_test_wait_until (question_shown, NULL, "the question before sending", 60);
  question = find_question ();
  /* nothing was sent before the answer */
  g_assert_cmpstr (rein_payout_dialog_get_page (dialog), ==, "review");
  adw_message_dialog_response (question, send ? "send" : "keep");
  app_test_wait_until (dialog_gone, NULL, "the co-sign dialog to close", 60);
  /* the panel looks again once the dialog is done */
  app_test_wait_until (panel_reloaded, &reload, "the panel after co-signing", 60);
}

