/* rein-sign-dialog.h: the steps every signing dialog takes
 *
 * A form (the subclass's), then the exact document with what matters in
 * it and the password when the keys are locked (ReinReviewPage), then
 * signing and publishing through the context's publisher
 * (rein-publish-flow.h). Nothing is signed before the user confirms the
 * review. Pages: "loading" and "error" (for a subclass that reads
 * something first), "form", "review", "publishing". Emits "published"
 * with a sentence for a toast, then closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"
#include "rein-publish-flow.h"
#include "rein-review-page.h"

G_BEGIN_DECLS

#define REIN_TYPE_SIGN_DIALOG (rein_sign_dialog_get_type ())
G_DECLARE_DERIVABLE_TYPE (ReinSignDialog, rein_sign_dialog, REIN, SIGN_DIALOG, AdwWindow)

struct _ReinSignDialogClass
{
  AdwWindowClass parent_class;

  /* What the form lacks, for the user (NULL: it can go on). */
  gchar *(*check) (ReinSignDialog *self);
  /* The document to sign, from the form; adds the facts that matter to
   * @review. */
  gchar *(*build) (ReinSignDialog *self, ReinReviewPage *review, GError **error);

  /* Optional: what must happen between the form and the review (the
   * payments of an accept or a resolution are built, reviewed and signed
   * first). The review follows when it succeeds; a failure is said above
   * the form; G_IO_ERROR_CANCELLED goes back to the form quietly. */
  void (*prepare_async) (ReinSignDialog *self,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  gboolean (*prepare_finish) (ReinSignDialog *self, GAsyncResult *result, GError **error);
  /* Optional: whether this dialog's document needs prepare_async() (when
   * not set, it always does when there is one). */
  gboolean (*needs_prepare) (ReinSignDialog *self);
  /* What the loading page says while it runs. */
  const gchar *preparing;

  /* What is published, for the toast ("Bid", "Job"). */
  const gchar *what;

  /* Optional: whether the form holds what the user typed, which closing
   * the dialog would throw away (then it asks first, in the words of
   * @discard_heading, "Discard This Bid?"). */
  gboolean (*is_filled) (ReinSignDialog *self);
  const gchar *discard_heading;
};

/* For tests and subclasses. */
const gchar *rein_sign_dialog_get_page (ReinSignDialog *self);
/* Goes on: from the form to the review, from the review to signing (the
 * "dialog.next" action). */
void rein_sign_dialog_next (ReinSignDialog *self);
/* From the review back to the form, as it was filled in (the "dialog.back"
 * action, and Escape on the review). */
void rein_sign_dialog_back (ReinSignDialog *self);
void rein_sign_dialog_set_password (ReinSignDialog *self, const gchar *password);
/* The text under review (NULL before). */
const gchar *rein_sign_dialog_get_document (ReinSignDialog *self);
/* What the form lacks (NULL when it can go on). */
const gchar *rein_sign_dialog_get_problem (ReinSignDialog *self);
/* What went wrong building or preparing the document (NULL: nothing). */
const gchar *rein_sign_dialog_get_failure (ReinSignDialog *self);

/* ---- for subclasses ---- */

ReinContext *rein_sign_dialog_get_context (ReinSignDialog *self);
/* Ends with the dialog. */
GCancellable *rein_sign_dialog_get_cancellable (ReinSignDialog *self);
void rein_sign_dialog_set_context (ReinSignDialog *self, ReinContext *context);
/* The job the document belongs to (NULL for a new posting). */
void rein_sign_dialog_set_job (ReinSignDialog *self, ReinJob *job);
ReinJob *rein_sign_dialog_get_job (ReinSignDialog *self);
/* What is published, when the class's word does not fit (static). */
void rein_sign_dialog_set_what (ReinSignDialog *self, const gchar *what);
void rein_sign_dialog_set_subtitle (ReinSignDialog *self, const gchar *subtitle);
/* What the reviewed document still needs from the delegate key when it is
 * signed (rein_publish_flow_complete_async()): @complete with @data, which
 * the dialog keeps (@ref, @unref) until it is set again; NULL: nothing. */
void rein_sign_dialog_set_completion (ReinSignDialog *self,
                                      ReinPublishFlowCompleteFunc complete,
                                      gpointer data,
                                      GBoxedCopyFunc ref,
                                      GDestroyNotify unref);
void rein_sign_dialog_set_form (ReinSignDialog *self, GtkWidget *form);
void rein_sign_dialog_set_loading (ReinSignDialog *self, const gchar *what);
void rein_sign_dialog_show_error (ReinSignDialog *self, const gchar *title,
                                  const gchar *description);
/* With @detail (what a server or the system said) below, smaller. */
void rein_sign_dialog_show_error_detail (ReinSignDialog *self,
                                         const gchar *title,
                                         const gchar *description,
                                         const gchar *detail);
void rein_sign_dialog_show_form (ReinSignDialog *self);
/* Asks the subclass's check() again; call it when the form changes. */
void rein_sign_dialog_form_changed (ReinSignDialog *self);

/* A label's value in an unsigned document text ("Label: value" lines),
 * or NULL. */
gchar *rein_text_field (const gchar *text, const gchar *label);
/* What the form says of a multi-line value longer than @max bytes as a
 * document writes it (a line break or a backslash takes two), or NULL. */
gchar *rein_sign_dialog_check_length (const gchar *value, gsize max);
/* @n as ngettext's count (it takes a gulong). */
gulong rein_plural_count (gint64 n);
/* "0.01 BTC (1,000,000 satoshis)", "0.00000001 BTC (1 satoshi)" */
gchar *rein_sign_dialog_format_amount (gint64 satoshis);

/* The text of a text view, without the blanks around it. */
gchar *rein_text_view_dup_text (GtkTextView *view);

G_END_DECLS
