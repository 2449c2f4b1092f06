/* rein-welcome.c: the four ways to an identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gcrypt.h>
#include <glib/gi18n.h>

#include "rein-password.h"
#include "rein-welcome.h"
#include "rein-job-row.h"

typedef enum
{
  MODE_NONE,
  MODE_CREATE,
  MODE_RESTORE,
  MODE_KEYS,
  MODE_BACKUP,
} Mode;

static const gchar *const create_pages[] = { "details", "phrase", "confirm", "password", NULL };
/* "found" when the servers hold the identity's enrollment, else "details"
 * (page_skipped()). */
static const gchar *const restore_pages[] = { "restore", "found", "details", "password", NULL };
static const gchar *const keys_pages[] = { "keys", "details", "sign", "password", NULL };
static const gchar *const backup_pages[] = { "backup", NULL };

#define MIN_PASSWORD_LEN 8

struct _ReinWelcome
{
  AdwBin parent_instance;

  ReinSession *session;
  GCancellable *cancellable;
  Mode mode;
  guint page_index;
  gboolean busy;
  gboolean can_cancel;
  gchar *phrase;         /* secure memory, CREATE only */
  guint confirm_index[3];
  GFile *backup_file;
  /* restore: the identity's enrollments found on the servers (newest
   * first), and the one chosen (-1: new details) */
  GPtrArray *found;
  gint chosen;
  GCancellable *lookup_cancellable;
  GtkFileChooserNative *chooser;

  GtkStack *stack;
  GtkWidget *action_bar;
  GtkWidget *back_button;
  GtkWidget *next_button;
  GtkSpinner *spinner;
  AdwEntryRow *name_row;
  AdwEntryRow *contact_row;
  GtkSwitch *mediate_switch;
  GtkSpinButton *fee_spin;
  GtkSwitch *testnet_switch;
  GtkLabel *details_error;
  GtkLabel *lookup_note;
  GtkListBox *found_list;
  GtkGrid *phrase_grid;
  GtkGrid *phrase_grid_narrow;
  AdwEntryRow *confirm_row1;
  AdwEntryRow *confirm_row2;
  AdwEntryRow *confirm_row3;
  GtkLabel *confirm_error;
  GtkTextView *restore_view;
  GtkLabel *suggestions_label;
  GtkLabel *restore_status;
  AdwPasswordEntryRow *passphrase_row;
  AdwEntryRow *master_row;
  AdwPasswordEntryRow *wif_row;
  GtkLabel *keys_error;
  GtkTextView *enrollment_view;
  GtkTextView *signed_view;
  GtkLabel *sign_status;
  AdwActionRow *backup_file_row;
  AdwStatusPage *choose_page;
  AdwPasswordEntryRow *backup_password_row;
  GtkLabel *backup_error;
  AdwPasswordEntryRow *password_row;
  AdwPasswordEntryRow *password2_row;
  GtkLevelBar *strength_bar;
  GtkLabel *strength_label;
  GtkLabel *password_error;
};

G_DEFINE_FINAL_TYPE (ReinWelcome, rein_welcome, ADW_TYPE_BIN)

enum
{
  SIGNAL_IDENTITY_ADDED,
  SIGNAL_CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const gchar *const *
mode_pages (Mode mode)
{
  switch (mode)
    {
    case MODE_CREATE:
      return create_pages;
    case MODE_RESTORE:
      return restore_pages;
    case MODE_KEYS:
      return keys_pages;
    case MODE_BACKUP:
      return backup_pages;
    case MODE_NONE:
    default:
      return NULL;
    }
}

gboolean
rein_welcome_get_busy (ReinWelcome *self)
{
  g_return_val_if_fail (REIN_IS_WELCOME (self), FALSE);
  return self->busy;
}

const gchar *
rein_welcome_get_page (ReinWelcome *self)
{
  g_return_val_if_fail (REIN_IS_WELCOME (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static const gchar *
editable_text (gpointer editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

static gchar *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
is_blank (const gchar *text)
{
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static void
set_error (GtkLabel *label, const gchar *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Why a pasted signed message was refused, in the user's language: the
 * market library's messages are English and technical. */
static const gchar *
signed_message_reason (const GError *error)
{
  if (error == NULL)
    return _("it could not be read");
  if (error->domain == REIN_MARKET_ERROR)
    switch (error->code)
      {
      case REIN_MARKET_ERROR_NOT_ARMORED:
        return _("the “BEGIN” and “END” lines are missing or changed");
      case REIN_MARKET_ERROR_TOO_LARGE:
        return _("it is too large");
      case REIN_MARKET_ERROR_BAD_SIGNATURE:
      case REIN_MARKET_ERROR_WRONG_SIGNER:
        return _("the signature does not match the text and the address");
      default:
        return _("its lines are not in the expected form");
      }
  if (error->domain == REIN_BITCOIN_ERROR)
    return _("the signature does not match the text and the address");
  return error->message;
}

/* The message for an identity that could not be added, in the user's
 * language. The store's own messages are English (they also go to logs
 * and the command line); the codes say enough for the user. Errors from
 * GIO and the BIP39 code are already translated. */
static gchar *
add_error_text (ReinWelcome *self, const GError *error)
{
  gboolean backup = self->mode == MODE_BACKUP;

  if (error->domain != REIN_STORE_ERROR)
    return g_strdup (error->message);
  switch (error->code)
    {
    case REIN_STORE_ERROR_WRONG_PASSWORD:
      return g_strdup (_("The password does not open this backup."));
    case REIN_STORE_ERROR_EXISTS:
      if (backup)
        return g_strdup (_("The identity in this backup is here already."));
      return g_strdup_printf (_("An identity named “%s” exists already: choose another name."),
                              editable_text (self->name_row));
    case REIN_STORE_ERROR_INVALID:
      if (backup)
        return g_strdup (_("This file is not a Rein or python-rein backup (JSON), or it is "
                           "damaged."));
      if (self->mode == MODE_KEYS)
        return g_strdup (_("The keys or the signed enrollment are not valid."));
      return g_strdup (_("The identity's details are not valid."));
    case REIN_STORE_ERROR_CORRUPT:
      return g_strdup (backup ? _("The keys in this backup are damaged.")
                              : _("Rein's data is damaged."));
    case REIN_STORE_ERROR_TOO_NEW:
      return g_strdup (_("Rein's data was written by a newer version of Rein."));
    case REIN_STORE_ERROR_DATABASE:
    default:
      return g_strdup (_("Rein could not save the identity in its data folder."));
    }
}

/* The master address as typed, without surrounding spaces. */
static gchar *
typed_master (ReinWelcome *self)
{
  return g_strstrip (g_strdup (editable_text (self->master_row)));
}

static void
fill_params (ReinWelcome *self, ReinIdentityParams *params)
{
  params->name = editable_text (self->name_row);
  params->contact = editable_text (self->contact_row);
  params->will_mediate = gtk_switch_get_active (self->mediate_switch);
  params->mediator_fee_percent = gtk_spin_button_get_value (self->fee_spin);
  params->testnet = gtk_switch_get_active (self->testnet_switch);
}

/* ---- validation of each page, as the user types ---- */

static gboolean
validate_details (ReinWelcome *self)
{
  const gchar *name = editable_text (self->name_row);
  const gchar *contact = editable_text (self->contact_row);

  gboolean hint = is_blank (name) || is_blank (contact);

  /* red for an error; dim for a hint */
  gtk_widget_remove_css_class (GTK_WIDGET (self->details_error), hint ? "error" : "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->details_error), hint ? "dim-label" : "error");
  if (g_utf8_strlen (name, -1) > 100 || g_utf8_strlen (contact, -1) > 200)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->details_error), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->details_error), "error");
      set_error (self->details_error, _("The name or contact is too long."));
      return FALSE;
    }
  /* Continue stays off until both are there: say why */
  set_error (self->details_error,
             !hint                 ? NULL
             : !is_blank (contact) ? _("A name is needed to continue: others see it in "
                                       "everything you sign.")
             : !is_blank (name)    ? _("A contact is needed too (an email address, for "
                                       "instance): it is how the people you work with reach "
                                       "you.")
                                   : _("A name and a contact (an email address, for "
                                       "instance) are needed to continue."));
  return !is_blank (name) && !is_blank (contact);
}

static gboolean
validate_confirm (ReinWelcome *self)
{
  AdwEntryRow *rows[] = { self->confirm_row1, self->confirm_row2, self->confirm_row3 };
  g_auto (GStrv) words = NULL;
  gboolean all = TRUE;

  if (self->phrase == NULL)
    return FALSE;
  words = g_strsplit (self->phrase, " ", -1);
  set_error (self->confirm_error, NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *typed = g_strstrip (g_strdup (editable_text (rows[i])));
      const gchar *want = words[self->confirm_index[i]];

      gboolean match, long_enough;

      for (gchar *c = typed; *c; c++)
        *c = g_ascii_tolower (*c);
      match = g_strcmp0 (typed, want) == 0;
      long_enough = strlen (typed) >= strlen (want);
      rein_memwipe (typed, strlen (typed));
      if (match)
        {
          gtk_widget_remove_css_class (GTK_WIDGET (rows[i]), "error");
          continue;
        }
      all = FALSE;
      /* a mistake is shown once the word is as long as the right one */
      if (long_enough)
        {
          g_autofree gchar *msg = g_strdup_printf (_("Word %u does not match your phrase."),
                                                   self->confirm_index[i] + 1);

          gtk_widget_add_css_class (GTK_WIDGET (rows[i]), "error");
          set_error (self->confirm_error, msg);
        }
    }
  for (guint i = 0; words[i]; i++)
    rein_memwipe (words[i], strlen (words[i]));
  return all;
}

/* The phrase as typed: a copy to wipe after use (rein_memwipe). GTK's text
 * buffer keeps the words in ordinary memory while they are on screen, as an
 * entry's layout did; they leave it when the flow ends (reset). */
static gchar *
restore_text (ReinWelcome *self)
{
  return text_view_text (self->restore_view);
}

static void
wipe_free (gchar *text)
{
  if (text != NULL)
    rein_memwipe (text, strlen (text));
  g_free (text);
}

/* Lower case, one space between words, in secure memory: what BIP39 and
 * the store take. */
static gchar *
restore_phrase (ReinWelcome *self)
{
  gchar *text = restore_text (self);
  gsize len = strlen (text);
  gchar *phrase;
  gsize out = 0;

  /* our secure pool (kept out of core dumps), not libgcrypt's default */
  rein_crypto_init ();
  phrase = gcry_malloc_secure (len + 1);
  if (phrase == NULL)
    g_error ("Out of secure memory");
  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isspace (text[i]))
        {
          if (out > 0 && phrase[out - 1] != ' ')
            phrase[out++] = ' ';
          continue;
        }
      phrase[out++] = g_ascii_tolower (text[i]);
    }
  if (out > 0 && phrase[out - 1] == ' ')
    out--;
  phrase[out] = '\0';
  wipe_free (text);
  return phrase;
}

static gboolean
validate_restore (ReinWelcome *self)
{
  gchar *text = restore_phrase (self);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  guint n = 0;

  for (guint i = 0; words[i]; i++)
    {
      if (*words[i])
        n++;
      rein_memwipe (words[i], strlen (words[i]));
    }
  if (n == 0)
    {
      rein_secure_free (text);
      gtk_label_set_text (self->restore_status, "");
      return FALSE;
    }
  if (rein_bip39_validate (text, &error))
    {
      g_autofree gchar *msg = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%u word, checksum correct.",
                       "%u words, checksum correct.", n), n);

      rein_secure_free (text);

      gtk_label_set_text (self->restore_status, msg);
      gtk_widget_remove_css_class (GTK_WIDGET (self->restore_status), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->restore_status), "success");
      return TRUE;
    }
  rein_secure_free (text);
  gtk_label_set_text (self->restore_status, error->message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->restore_status), "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->restore_status), "error");
  return FALSE;
}

static gboolean
validate_keys (ReinWelcome *self)
{
  g_autofree gchar *master = typed_master (self);
  const gchar *wif = editable_text (self->wif_row);
  g_autoptr (GError) error = NULL;
  ReinNetwork network;
  ReinAddressType type;

  set_error (self->keys_error, NULL);
  if (*master == '\0' || *wif == '\0')
    return FALSE;
  if (!rein_address_validate (master, &network, &type, NULL, &error)
      || type != REIN_ADDRESS_P2PKH)
    {
      set_error (self->keys_error, _("The master address is not a valid Bitcoin address."));
      return FALSE;
    }
  /* the network follows the master address */
  gtk_switch_set_active (self->testnet_switch, network == REIN_NETWORK_TESTNET);
  {
    g_autoptr (ReinPrivateKey) key = rein_private_key_new_from_wif (wif, NULL, &error);

    if (key == NULL)
      {
        set_error (self->keys_error, _("The delegate key is not a valid WIF private key."));
        return FALSE;
      }
  }
  return TRUE;
}

static gchar *
expected_enrollment (ReinWelcome *self, GError **error)
{
  ReinIdentityParams params;
  g_autofree gchar *master = typed_master (self);

  fill_params (self, &params);
  return rein_store_enrollment_text_for_keys (&params, master, editable_text (self->wif_row),
                                              error);
}

static gboolean
validate_sign (ReinWelcome *self)
{
  g_autofree gchar *pasted = text_view_text (self->signed_view);
  g_autofree gchar *expected = NULL;
  g_autoptr (ReinDocument) doc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *master = typed_master (self);
  g_autofree gchar *reason = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->sign_status), "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->sign_status), "error");
  if (is_blank (pasted))
    {
      gtk_label_set_text (self->sign_status, "");
      return FALSE;
    }
  expected = expected_enrollment (self, &error);
  doc = rein_document_new_from_armored (pasted, -1, expected ? &error : NULL);
  if (expected == NULL || doc == NULL)
    reason = g_strdup_printf (_("This is not a signed message: %s."),
                              signed_message_reason (error));
  else if (g_strcmp0 (rein_document_get_text (doc), expected) != 0)
    reason = g_strdup (_("The signed text differs from the enrollment above. Sign it exactly "
                         "as shown."));
  else if (!rein_same_key (rein_document_get_signer (doc), master))
    reason = g_strdup_printf (_("It was signed by %s, not by your master address."),
                              rein_document_get_signer (doc));
  else if (!rein_document_verify (doc, &error))
    reason = g_strdup_printf (_("The signature is not valid: %s."),
                              signed_message_reason (error));

  if (reason != NULL)
    {
      gtk_label_set_text (self->sign_status, reason);
      return FALSE;
    }
  gtk_label_set_text (self->sign_status, _("Signature verified: signed by your master address."));
  gtk_widget_remove_css_class (GTK_WIDGET (self->sign_status), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->sign_status), "success");
  return TRUE;
}

static gboolean
validate_backup (ReinWelcome *self)
{
  return self->backup_file != NULL && *editable_text (self->backup_password_row) != '\0';
}

/* A rough strength estimate: length and character classes. */
static guint
password_strength (const gchar *password)
{
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  glong len = g_utf8_strlen (password, -1);
  guint classes, score;

  for (const gchar *p = password; *p; p++)
    {
      if (g_ascii_islower (*p))
        lower = TRUE;
      else if (g_ascii_isupper (*p))
        upper = TRUE;
      else if (g_ascii_isdigit (*p))
        digit = TRUE;
      else
        other = TRUE;
    }
  classes = lower + upper + digit + other;
  if (len < MIN_PASSWORD_LEN)
    return len > 0 ? 1 : 0;
  score = 1 + (len >= 12) + (len >= 16) + (classes >= 3);
  return MIN (score, 4);
}

static gboolean
validate_password (ReinWelcome *self)
{
  const gchar *p1 = editable_text (self->password_row);
  const gchar *p2 = editable_text (self->password2_row);
  guint strength = password_strength (p1);
  static const gchar *const hints[] = {
    "", N_("Too short: use at least 8 characters"), N_("Weak: longer is better"),
    N_("Fair"), N_("Good"), N_("Strong"),
  };

  gtk_level_bar_set_value (self->strength_bar, strength);
  gtk_label_set_text (self->strength_label, _(hints[*p1 ? strength + 1 : 0]));
  if (*p1 && g_utf8_strlen (p1, -1) < MIN_PASSWORD_LEN)
    gtk_label_set_text (self->strength_label, _(hints[1]));
  set_error (self->password_error, NULL);
  if (*p2 && strcmp (p1, p2) != 0)
    {
      set_error (self->password_error, _("The passwords do not match."));
      return FALSE;
    }
  return g_utf8_strlen (p1, -1) >= MIN_PASSWORD_LEN && strcmp (p1, p2) == 0;
}

static gboolean
page_valid (ReinWelcome *self)
{
  const gchar *page = rein_welcome_get_page (self);

  if (g_strcmp0 (page, "details") == 0)
    return validate_details (self);
  if (g_strcmp0 (page, "phrase") == 0 || g_strcmp0 (page, "found") == 0)
    return TRUE;
  if (g_strcmp0 (page, "confirm") == 0)
    return validate_confirm (self);
  if (g_strcmp0 (page, "restore") == 0)
    return validate_restore (self);
  if (g_strcmp0 (page, "keys") == 0)
    return validate_keys (self);
  if (g_strcmp0 (page, "sign") == 0)
    return validate_sign (self);
  if (g_strcmp0 (page, "backup") == 0)
    return validate_backup (self);
  if (g_strcmp0 (page, "password") == 0)
    return validate_password (self);
  return FALSE;
}

static void
update_actions (ReinWelcome *self)
{
  gboolean choosing = self->mode == MODE_NONE;
  const gchar *const *pages = mode_pages (self->mode);
  gboolean last = pages && pages[self->page_index + 1] == NULL;

  gboolean looking = self->lookup_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "welcome.next",
                                 !choosing && !self->busy && !looking && page_valid (self));
  /* Back stops a lookup */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "welcome.back",
                                 !self->busy && (!choosing || self->can_cancel));
  gtk_widget_set_visible (self->next_button, !choosing);
  gtk_widget_set_visible (self->action_bar, !choosing || self->can_cancel);
  gtk_button_set_label (GTK_BUTTON (self->back_button), choosing ? _("C_ancel") : _("_Back"));
  gtk_button_set_label (GTK_BUTTON (self->next_button),
                        !last                         ? _("C_ontinue")
                        : self->mode == MODE_CREATE  ? _("_Create Identity")
                        : self->mode == MODE_RESTORE ? _("_Restore Identity")
                                                     : _("_Import Identity"));
  /* the phrase being looked up stays as it is */
  gtk_text_view_set_editable (self->restore_view, !looking);
  gtk_spinner_set_spinning (self->spinner, self->busy || looking);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy || looking);
}

static void
changed_cb (ReinWelcome *self)
{
  update_actions (self);
}

/* ---- pages ---- */

/* The words leave the widget tree (and the accessibility tree) as soon as
 * they are not needed on screen. */
static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))))
    gtk_grid_remove (grid, child);
}

static void
clear_phrase_grid (ReinWelcome *self)
{
  clear_grid (self->phrase_grid);
  clear_grid (self->phrase_grid_narrow);
}

/* The words in @columns columns, numbered, in reading order. */
static void
fill_grid (GtkGrid *grid, gchar **words, guint columns)
{
  guint n = g_strv_length (words);

  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *text = g_strdup_printf ("%2u. %s", i + 1, words[i]);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_add_css_class (label, "title-4");
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, i < columns ? 12 : 0);
      gtk_widget_set_margin_bottom (label, i / columns == (n - 1) / columns ? 12 : 0);
      gtk_grid_attach (grid, label, i % columns, i / columns, 1, 1);
      rein_memwipe (text, strlen (text));
    }
}

/* Three columns where there is room, two on a phone: the squeezer around
 * the grids shows the widest that fits. */
static void
fill_phrase_grid (ReinWelcome *self)
{
  g_auto (GStrv) words = g_strsplit (self->phrase, " ", -1);

  clear_phrase_grid (self);
  fill_grid (self->phrase_grid, words, 3);
  fill_grid (self->phrase_grid_narrow, words, 2);
  for (guint i = 0; words[i]; i++)
    rein_memwipe (words[i], strlen (words[i]));
}

static void
pick_confirm_words (ReinWelcome *self)
{
  AdwEntryRow *rows[] = { self->confirm_row1, self->confirm_row2, self->confirm_row3 };
  guint chosen = 0;

  /* three distinct positions, in order */
  while (chosen < 3)
    {
      guint pos = g_random_int_range (0, 12);
      gboolean taken = FALSE;

      for (guint i = 0; i < chosen; i++)
        taken |= self->confirm_index[i] == pos;
      if (!taken)
        self->confirm_index[chosen++] = pos;
    }
  for (guint i = 0; i < 3; i++)
    for (guint j = i + 1; j < 3; j++)
      if (self->confirm_index[j] < self->confirm_index[i])
        {
          guint t = self->confirm_index[i];

          self->confirm_index[i] = self->confirm_index[j];
          self->confirm_index[j] = t;
        }
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *title = g_strdup_printf (_("Word %u"), self->confirm_index[i] + 1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows[i]), title);
      gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
    }
}

static GtkWidget *
first_focus_for (ReinWelcome *self, const gchar *page)
{
  if (g_strcmp0 (page, "details") == 0)
    return GTK_WIDGET (self->name_row);
  if (g_strcmp0 (page, "confirm") == 0)
    return GTK_WIDGET (self->confirm_row1);
  if (g_strcmp0 (page, "restore") == 0)
    return GTK_WIDGET (self->restore_view);
  if (g_strcmp0 (page, "keys") == 0)
    return GTK_WIDGET (self->master_row);
  if (g_strcmp0 (page, "sign") == 0)
    return GTK_WIDGET (self->signed_view);
  if (g_strcmp0 (page, "backup") == 0)
    return GTK_WIDGET (self->backup_file_row);
  if (g_strcmp0 (page, "password") == 0)
    return GTK_WIDGET (self->password_row);
  return self->next_button;
}

static void
show_page (ReinWelcome *self, const gchar *page)
{
  if (g_strcmp0 (page, "phrase") == 0 && self->phrase == NULL)
    {
      self->phrase = rein_bip39_generate (128);
      fill_phrase_grid (self);
      pick_confirm_words (self);
    }
  if (g_strcmp0 (page, "sign") == 0)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *text = expected_enrollment (self, &error);

      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->enrollment_view),
                                text ? text : error->message, -1);
    }
  if (g_strcmp0 (page, "password") == 0)
    clear_phrase_grid (self);
  /* keys mode: the network comes from the master address */
  gtk_widget_set_sensitive (GTK_WIDGET (self->testnet_switch), self->mode != MODE_KEYS);
  gtk_stack_set_visible_child_name (self->stack, page);
  update_actions (self);
  gtk_widget_grab_focus (first_focus_for (self, page));
}

/* ---- restore: the enrollment on the servers ---- */

static void
stop_lookup (ReinWelcome *self)
{
  if (self->lookup_cancellable == NULL)
    return;
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
}

static void
clear_found (ReinWelcome *self)
{
  GtkWidget *child;

  g_clear_pointer (&self->found, g_ptr_array_unref);
  self->chosen = -1;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->found_list))))
    gtk_list_box_remove (self->found_list, child);
}

/* Pages of the restore flow that do not apply: "found" when nothing was
 * found, "details" when a found enrollment was chosen. */
static gboolean
page_skipped (ReinWelcome *self, const gchar *page)
{
  if (self->mode != MODE_RESTORE)
    return FALSE;
  if (g_strcmp0 (page, "found") == 0)
    return self->found == NULL || self->found->len == 0;
  if (g_strcmp0 (page, "details") == 0)
    return self->chosen >= 0;
  return FALSE;
}

/* The details of @enrollment in the details page, where the last page
 * reads them (and where "Enter New Details" starts from). */
static void
fill_details_from (ReinWelcome *self, ReinDocument *enrollment)
{
  ReinIdentityParams params;

  if (!rein_enrollment_to_params (enrollment, &params))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), params.name);
  gtk_editable_set_text (GTK_EDITABLE (self->contact_row), params.contact);
  gtk_switch_set_active (self->mediate_switch, params.will_mediate);
  gtk_spin_button_set_value (self->fee_spin, params.mediator_fee_percent);
  gtk_switch_set_active (self->testnet_switch, params.testnet);
}

static void
found_toggled_cb (GtkCheckButton *check, ReinWelcome *self)
{
  if (!gtk_check_button_get_active (check))
    return;
  self->chosen = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check), "index"));
  if (self->chosen >= 0)
    fill_details_from (self, self->found->pdata[self->chosen]);
  update_actions (self);
}

static GtkWidget *
found_row_new (const gchar *title, const gchar *subtitle, gint index, GtkCheckButton *group,
               ReinWelcome *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
  g_object_set_data (G_OBJECT (check), "index", GINT_TO_POINTER (index));
  g_signal_connect (check, "toggled", G_CALLBACK (found_toggled_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_list_box_append (self->found_list, row);
  return check;
}

/* One row per enrollment found (its name, contact, role and network), the
 * newest chosen, then "Enter New Details". */
static void
fill_found (ReinWelcome *self)
{
  GtkCheckButton *first = NULL;

  for (guint i = 0; i < self->found->len; i++)
    {
      ReinDocument *enrollment = self->found->pdata[i];
      ReinIdentityParams params;
      g_autoptr (GString) subtitle = g_string_new (NULL);
      GtkWidget *check;

      if (!rein_enrollment_to_params (enrollment, &params))
        continue;
      g_string_append (subtitle, params.contact);
      if (params.will_mediate)
        {
          g_autofree gchar *fee = rein_mediator_fee_format (params.mediator_fee_percent);

          g_string_append (subtitle, " · ");
          g_string_append_printf (subtitle, _("Mediator, fee %s"), fee);
        }
      if (params.testnet)
        {
          g_string_append (subtitle, " · ");
          g_string_append (subtitle, _("Testnet"));
        }
      check = found_row_new (params.name, subtitle->str, (gint) i, first, self);
      if (first == NULL)
        first = GTK_CHECK_BUTTON (check);
    }
  /* A new enrollment does not replace the first everywhere: whoever read
   * that one keeps it, and a reader may show either. */
  found_row_new (_("Enter New Details"),
                 _("Another name or contact, signed as a new enrollment. What is found above "
                   "stays on the servers: people who read it may still see those details."),
                 -1, first, self);
  if (first != NULL)
    gtk_check_button_set_active (first, TRUE);
}

static void
show_lookup_note (ReinWelcome *self, guint asked, guint failed)
{
  g_autofree gchar *text = NULL;

  if (asked == 0)
    text = g_strdup (_("No servers are set up yet, so Rein could not look for this "
                       "identity's enrollment: enter its name and contact."));
  else if (failed == asked)
    text = g_strdup_printf (ngettext ("The server did not answer, so Rein could not look for "
                                      "this identity's enrollment: enter its name and contact.",
                                      "None of the %u servers answered, so Rein could not look "
                                      "for this identity's enrollment: enter its name and "
                                      "contact.",
                                      asked),
                            asked);
  else if (failed > 0)
    text = g_strdup_printf (ngettext ("No enrollment of this identity was found (%u of %u "
                                      "server did not answer): enter its name and contact.",
                                      "No enrollment of this identity was found (%u of %u "
                                      "servers did not answer): enter its name and contact.",
                                      asked),
                            failed, asked);
  else
    text = g_strdup_printf (ngettext ("The server holds no enrollment of this identity: enter "
                                      "its name and contact.",
                                      "None of the %u servers holds an enrollment of this "
                                      "identity: enter its name and contact.",
                                      asked),
                            asked);
  gtk_label_set_text (self->lookup_note, text);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_note), TRUE);
}

/* The next page of the flow from @index in @step (+1, -1), skipping what
 * does not apply; -1 before the first, the length after the last. */
static gint
step_page (ReinWelcome *self, gint index, gint step)
{
  const gchar *const *pages = mode_pages (self->mode);
  gint n = (gint) g_strv_length ((gchar **) pages);

  for (index += step; index >= 0 && index < n && page_skipped (self, pages[index]);
       index += step)
    ;
  return index;
}

static void
lookup_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinWelcome *self = user_data;
  g_autoptr (GError) error = NULL;
  guint asked = 0, failed = 0;
  g_autoptr (GPtrArray) found = rein_session_find_enrollments_finish (REIN_SESSION (source),
                                                                      result, &asked, &failed,
                                                                      &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->lookup_cancellable);
  if (found == NULL)
    {
      gtk_label_set_text (self->restore_status, error->message);
      update_actions (self);
      g_object_unref (self);
      return;
    }
  clear_found (self);
  self->found = g_steal_pointer (&found);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_note), FALSE);
  if (self->found->len > 0)
    fill_found (self);
  else
    show_lookup_note (self, asked, failed);
  self->page_index = (guint) step_page (self, (gint) self->page_index, 1);
  show_page (self, mode_pages (self->mode)[self->page_index]);
  g_object_unref (self);
}

/* After the phrase: ask the servers (the store's, and the suggested ones)
 * for the identity's enrollment before asking the user. FALSE when there
 * is none to ask. */
static gboolean
start_lookup (ReinWelcome *self)
{
  const gchar *env = g_getenv ("REIN_SUGGESTED_SERVERS");
  g_auto (GStrv) suggested = g_strsplit_set (env != NULL ? env : "", " ,", 16);
  guint n = g_list_model_get_n_items (rein_session_get_servers (self->session));
  gchar *phrase;

  for (guint i = 0; suggested[i] != NULL; i++)
    n += *suggested[i] != '\0';
  if (n == 0)
    return FALSE;
  phrase = restore_phrase (self);
  stop_lookup (self);
  self->lookup_cancellable = g_cancellable_new ();
  gtk_label_set_text (self->restore_status, _("Looking for this identity on the servers…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->restore_status), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->restore_status), "error");
  rein_session_find_enrollments_async (self->session, phrase,
                                       editable_text (self->passphrase_row),
                                       (const gchar *const *) suggested,
                                       self->lookup_cancellable, lookup_done_cb,
                                       g_object_ref (self));
  rein_secure_free (phrase);
  update_actions (self);
  return TRUE;
}

static void
clear_editable (gpointer editable)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), "");
}

void
rein_welcome_reset (ReinWelcome *self)
{
  g_return_if_fail (REIN_IS_WELCOME (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->busy = FALSE;
  self->mode = MODE_NONE;
  self->page_index = 0;
  g_clear_pointer (&self->phrase, rein_secure_free);
  clear_phrase_grid (self);
  g_clear_object (&self->backup_file);
  adw_action_row_set_subtitle (self->backup_file_row, _("No file chosen"));
  stop_lookup (self);
  clear_found (self);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_note), FALSE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->restore_view), "", -1);
  for (gpointer *e = (gpointer[]){ self->name_row, self->contact_row, self->confirm_row1,
                                   self->confirm_row2, self->confirm_row3,
                                   self->passphrase_row, self->master_row, self->wif_row,
                                   self->backup_password_row, self->password_row,
                                   self->password2_row, NULL };
       *e; e++)
    clear_editable (*e);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->signed_view), "", -1);
  gtk_switch_set_active (self->mediate_switch, FALSE);
  gtk_switch_set_active (self->testnet_switch, FALSE);
  for (GtkLabel **l = (GtkLabel *[]){ self->details_error, self->confirm_error,
                                      self->keys_error, self->backup_error,
                                      self->password_error, NULL };
       *l; l++)
    set_error (*l, NULL);
  show_page (self, "choose");
}

void
rein_welcome_set_can_cancel (ReinWelcome *self, gboolean can_cancel)
{
  g_return_if_fail (REIN_IS_WELCOME (self));
  self->can_cancel = can_cancel;
  /* a second identity is not a first welcome */
  adw_status_page_set_title (self->choose_page, can_cancel ? _("Add Another Identity")
                                                           : _("Welcome to Rein"));
  adw_status_page_set_description (self->choose_page,
                                   can_cancel
                                     ? _("Each identity has its own keys, name and jobs. "
                                         "You can switch between them at any time.")
                                     : _("A market for freelance work paid in Bitcoin, with no "
                                         "one in the middle. First, an identity: it signs "
                                         "everything you post."));
  update_actions (self);
}

static void
start_mode (ReinWelcome *self, Mode mode)
{
  rein_welcome_reset (self);
  self->mode = mode;
  self->page_index = 0;
  show_page (self, mode_pages (mode)[0]);
}

static void
added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReinWelcome *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) identity = rein_session_add_identity_finish (REIN_SESSION (source),
                                                                        result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  self->busy = FALSE;
  if (identity == NULL)
    {
      g_autofree gchar *text = add_error_text (self, error);

      set_error (self->mode == MODE_BACKUP ? self->backup_error : self->password_error, text);
      update_actions (self);
      g_object_unref (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_IDENTITY_ADDED], 0, identity);
  rein_welcome_reset (self);
  g_object_unref (self);
}

static void
finish (ReinWelcome *self)
{
  ReinIdentityParams params;

  fill_params (self, &params);
  self->busy = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  update_actions (self);

  switch (self->mode)
    {
    case MODE_CREATE:
      rein_session_add_identity_from_mnemonic_async (self->session, &params, self->phrase, NULL,
                                                     editable_text (self->password_row),
                                                     self->cancellable, added_cb,
                                                     g_object_ref (self));
      break;
    case MODE_RESTORE:
      {
        /* Normalise case and spacing before deriving. */
        gchar *phrase = restore_phrase (self);

        rein_session_add_identity_from_mnemonic_async (
            self->session, &params, phrase, editable_text (self->passphrase_row),
            editable_text (self->password_row), self->cancellable, added_cb,
            g_object_ref (self));
        rein_secure_free (phrase);
        break;
      }
    case MODE_KEYS:
      {
        g_autofree gchar *signed_text = text_view_text (self->signed_view);
        g_autofree gchar *master = typed_master (self);

        rein_session_add_identity_from_keys_async (
            self->session, &params, master,
            editable_text (self->wif_row), signed_text, editable_text (self->password_row),
            self->cancellable, added_cb, g_object_ref (self));
        break;
      }
    case MODE_BACKUP:
      rein_session_import_backup_async (self->session, self->backup_file,
                                        editable_text (self->backup_password_row),
                                        self->cancellable, added_cb, g_object_ref (self));
      break;
    case MODE_NONE:
      g_assert_not_reached ();
    }
}

/* ---- actions ---- */

static void
next_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);
  const gchar *const *pages = mode_pages (self->mode);

  gint next;

  if (pages == NULL || self->busy || self->lookup_cancellable != NULL || !page_valid (self))
    return;
  if (self->mode == MODE_RESTORE && g_strcmp0 (pages[self->page_index], "restore") == 0)
    {
      if (start_lookup (self))
        return;
      /* no server to ask */
      clear_found (self);
      show_lookup_note (self, 0, 0);
    }
  next = step_page (self, (gint) self->page_index, 1);
  if (pages[next] == NULL)
    {
      finish (self);
      return;
    }
  self->page_index = (guint) next;
  show_page (self, pages[self->page_index]);
}

static void
back_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);
  const gchar *const *pages = mode_pages (self->mode);

  if (self->busy)
    return;
  if (pages == NULL)
    {
      if (self->can_cancel)
        g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
      return;
    }
  if (self->lookup_cancellable != NULL)
    {
      /* stops looking; the phrase stays */
      stop_lookup (self);
      gtk_label_set_text (self->restore_status, "");
      update_actions (self);
      return;
    }
  if (step_page (self, (gint) self->page_index, -1) < 0)
    {
      rein_welcome_reset (self);
      return;
    }
  self->page_index = (guint) step_page (self, (gint) self->page_index, -1);
  show_page (self, pages[self->page_index]);
}

static void
mode_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);

  if (g_str_equal (name, "welcome.create"))
    start_mode (self, MODE_CREATE);
  else if (g_str_equal (name, "welcome.restore"))
    start_mode (self, MODE_RESTORE);
  else if (g_str_equal (name, "welcome.import-keys"))
    start_mode (self, MODE_KEYS);
  else
    start_mode (self, MODE_BACKUP);
}

static void
copy_enrollment_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);
  g_autofree gchar *text = text_view_text (self->enrollment_view);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  /* said, not just done (the window shows it) */
  gtk_widget_activate_action (widget, "win.toast", "s", _("Enrollment copied"));
}

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, ReinWelcome *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree gchar *name = g_file_get_basename (file);

      g_set_object (&self->backup_file, file);
      adw_action_row_set_subtitle (self->backup_file_row, name);
      set_error (self->backup_error, NULL);
      gtk_widget_grab_focus (GTK_WIDGET (self->backup_password_row));
    }
  g_clear_object (&self->chooser);
  update_actions (self);
}

static void
choose_file_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr (GtkFileFilter) json = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser)
    return;
  /* GtkFileChooserNative goes through the portal inside a Flatpak. */
  self->chooser = gtk_file_chooser_native_new (_("Choose a Backup File"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (json, _("Backups (JSON)"));
  gtk_file_filter_add_mime_type (json, "application/json");
  gtk_file_filter_add_pattern (json, "*.json");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), json);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* For tests and the keyboard: a file chosen by other means. */
static void
set_backup_file_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ReinWelcome *self = REIN_WELCOME (widget);
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  g_autofree gchar *base = g_file_get_basename (file);

  g_set_object (&self->backup_file, file);
  adw_action_row_set_subtitle (self->backup_file_row, base);
  update_actions (self);
}

/* ---- word completion ---- */

/* The word being typed: after the last space or line break. */
static const gchar *
last_word (const gchar *text)
{
  const gchar *word = text;

  for (const gchar *p = text; *p; p++)
    if (g_ascii_isspace (*p))
      word = p + 1;
  return word;
}

static void
restore_changed_cb (ReinWelcome *self)
{
  gchar *text = restore_text (self);
  const gchar *word = last_word (text);
  g_autoptr (GPtrArray) matches = NULL;
  g_autoptr (GString) suggestions = NULL;

  if (*word == '\0')
    gtk_label_set_text (self->suggestions_label, "");
  else
    {
      matches = rein_bip39_complete (word, 6);
      suggestions = g_string_new (NULL);
      if (matches->len == 0)
        g_string_append (suggestions, _("No BIP39 word starts like this"));
      /* a complete word needs no suggestion (of only itself) */
      else if (matches->len > 1 || g_ascii_strcasecmp (matches->pdata[0], word) != 0)
        {
          for (guint i = 0; i < matches->len && i < 5; i++)
            g_string_append_printf (suggestions, "%s%s", i ? ", " : "",
                                    (const gchar *) matches->pdata[i]);
          if (matches->len > 5)
            g_string_append (suggestions, ", …");
        }
      gtk_label_set_text (self->suggestions_label, suggestions->str);
    }
  wipe_free (text);
  update_actions (self);
}

/* Tab completes the word being typed when only one word starts like it;
 * else it moves the focus on, as everywhere. Enter continues (the phrase
 * needs no line breaks; pasted ones count as spaces). */
static gboolean
restore_key_pressed_cb (GtkEventControllerKey *controller,
                        guint keyval,
                        guint keycode,
                        GdkModifierType state,
                        ReinWelcome *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->restore_view);
  gchar *text;
  const gchar *word;
  g_autoptr (GPtrArray) matches = NULL;
  GtkTextIter end;
  gboolean completed = FALSE;

  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
      && !(state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "welcome.next", NULL);
      return TRUE;
    }
  if (keyval != GDK_KEY_Tab || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)))
    return FALSE;
  text = restore_text (self);
  word = last_word (text);
  if (*word != '\0' && rein_bip39_word_index (word) < 0)
    {
      matches = rein_bip39_complete (word, 2);
      if (matches->len == 1)
        {
          const gchar *full = matches->pdata[0];

          /* the rest of the word and a space, at the end */
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_insert (buffer, &end, full + strlen (word), -1);
          gtk_text_buffer_insert (buffer, &end, " ", 1);
          gtk_text_buffer_place_cursor (buffer, &end);
          completed = TRUE;
        }
    }
  wipe_free (text);
  return completed; /* nothing to complete: Tab moves the focus on */
}

static void
entry_activated_cb (ReinWelcome *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "welcome.next", NULL);
}

/* ---- life cycle ---- */

static void
rein_welcome_dispose (GObject *object)
{
  ReinWelcome *self = (ReinWelcome *) object;

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_lookup (self);
  g_clear_pointer (&self->found, g_ptr_array_unref);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->phrase, rein_secure_free);
  g_clear_object (&self->backup_file);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (object), REIN_TYPE_WELCOME);

  G_OBJECT_CLASS (rein_welcome_parent_class)->dispose (object);
}

static void
rein_welcome_class_init (ReinWelcomeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rein_welcome_dispose;

  signals[SIGNAL_IDENTITY_ADDED] = g_signal_new ("identity-added", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, REIN_TYPE_IDENTITY);
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/reinproject/Rein/rein-welcome.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ReinWelcome, name)
  BIND (stack);
  BIND (action_bar);
  BIND (back_button);
  BIND (next_button);
  BIND (spinner);
  BIND (name_row);
  BIND (contact_row);
  BIND (mediate_switch);
  BIND (fee_spin);
  BIND (testnet_switch);
  BIND (details_error);
  BIND (lookup_note);
  BIND (found_list);
  BIND (phrase_grid);
  BIND (phrase_grid_narrow);
  BIND (confirm_row1);
  BIND (confirm_row2);
  BIND (confirm_row3);
  BIND (confirm_error);
  BIND (restore_view);
  BIND (suggestions_label);
  BIND (restore_status);
  BIND (passphrase_row);
  BIND (master_row);
  BIND (wif_row);
  BIND (keys_error);
  BIND (enrollment_view);
  BIND (signed_view);
  BIND (sign_status);
  BIND (backup_file_row);
  BIND (choose_page);
  BIND (backup_password_row);
  BIND (backup_error);
  BIND (password_row);
  BIND (password2_row);
  BIND (strength_bar);
  BIND (strength_label);
  BIND (password_error);
#undef BIND

  gtk_widget_class_install_action (widget_class, "welcome.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "welcome.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "welcome.create", NULL, mode_action);
  gtk_widget_class_install_action (widget_class, "welcome.restore", NULL, mode_action);
  gtk_widget_class_install_action (widget_class, "welcome.import-keys", NULL, mode_action);
  gtk_widget_class_install_action (widget_class, "welcome.import-backup", NULL, mode_action);
  gtk_widget_class_install_action (widget_class, "welcome.copy-enrollment", NULL,
                                   copy_enrollment_action);
  gtk_widget_class_install_action (widget_class, "welcome.choose-file", NULL,
                                   choose_file_action);
  gtk_widget_class_install_action (widget_class, "welcome.set-backup-file", "s",
                                   set_backup_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "welcome.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "welcome.back",
                                       NULL);
}

static void
rein_welcome_init (ReinWelcome *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  rein_widget_name_mnemonic_buttons (GTK_WIDGET (self));
  for (AdwPasswordEntryRow **p = (AdwPasswordEntryRow *[]){ self->passphrase_row, self->wif_row,
                                                            self->backup_password_row,
                                                            self->password_row,
                                                            self->password2_row, NULL };
       *p; p++)
    rein_password_row_tidy (*p);

  for (gpointer *e = (gpointer[]){ self->name_row, self->contact_row, self->confirm_row1,
                                   self->confirm_row2, self->confirm_row3, self->master_row,
                                   self->wif_row, self->backup_password_row,
                                   self->password_row, self->password2_row,
                                   self->passphrase_row, NULL };
       *e; e++)
    {
      g_signal_connect_swapped (*e, "changed", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (*e, "entry-activated", G_CALLBACK (entry_activated_cb), self);
    }
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->restore_view), "changed",
                            G_CALLBACK (restore_changed_cb), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->signed_view), "changed",
                            G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->testnet_switch, "notify::active", G_CALLBACK (changed_cb),
                            self);

  /* The phrase wraps on screen instead of scrolling sideways; no undo
   * history keeps copies of it. */
  gtk_text_buffer_set_enable_undo (gtk_text_view_get_buffer (self->restore_view), FALSE);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (restore_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->restore_view), keys);
}

ReinWelcome *
rein_welcome_new (ReinSession *session)
{
  ReinWelcome *self;

  g_return_val_if_fail (REIN_IS_SESSION (session), NULL);

  self = g_object_new (REIN_TYPE_WELCOME, NULL);
  self->session = g_object_ref (session);
  self->chosen = -1;
  rein_welcome_reset (self);
  return self;
}
