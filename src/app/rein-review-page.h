/* rein-review-page.h: the exact document, shown before it is signed
 *
 * Nothing is signed that the user has not seen: this page shows the text
 * to be signed, byte for byte, the facts that matter in it (amounts,
 * escrow addresses, who), and asks for the password when the keys are
 * locked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define REIN_TYPE_REVIEW_PAGE (rein_review_page_get_type ())
G_DECLARE_FINAL_TYPE (ReinReviewPage, rein_review_page, REIN, REVIEW_PAGE, AdwBin)

/* Empties the page: no text, no facts, no error. */
void rein_review_page_set_text (ReinReviewPage *self, const gchar *text);
/* The text to sign, keeping the facts added since set_text(). */
void rein_review_page_set_document (ReinReviewPage *self, const gchar *text);
const gchar *rein_review_page_get_text (ReinReviewPage *self);
/* The text the page shows: the document, with direction isolates around
 * its right-to-left stretches (for tests). */
gchar *rein_review_page_dup_shown (ReinReviewPage *self);
/* Facts shown above the text (title: value); cleared by set_text(). */
void rein_review_page_add_fact (ReinReviewPage *self, const gchar *title, const gchar *value);
/* A fact the signer must not miss, marked as a warning. */
void rein_review_page_add_warning (ReinReviewPage *self, const gchar *title, const gchar *value);
void rein_review_page_set_locked (ReinReviewPage *self, gboolean locked);
const gchar *rein_review_page_get_password (ReinReviewPage *self);
void rein_review_page_clear_password (ReinReviewPage *self);
/* For tests and the keyboard-less: types the password. */
void rein_review_page_set_password (ReinReviewPage *self, const gchar *password);
/* NULL hides it. */
void rein_review_page_set_error (ReinReviewPage *self, const gchar *error);
/* Focuses the password entry when locked. */
void rein_review_page_focus (ReinReviewPage *self);

G_END_DECLS
