/* rein-document.h: a Rein document (PROTOCOL.md sections 2 and 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib-object.h>

#include "rein-bitcoin.h"

G_BEGIN_DECLS

/* The limit on a whole armored document, and so on its signed text too.
 * Inputs of exactly this many bytes are accepted, one more is refused. */
#define REIN_DOCUMENT_MAX_SIZE 8192

/* How many signed messages may wrap one another below the outermost one:
 * a document whose text wraps a message that wraps ... more than this many
 * levels deep is refused. */
#define REIN_DOCUMENT_MAX_NESTING 4

#define REIN_ARMOR_HEADER "-----BEGIN BITCOIN SIGNED MESSAGE-----"
#define REIN_ARMOR_SIGNATURE "-----BEGIN SIGNATURE-----"
#define REIN_ARMOR_FOOTER "-----END BITCOIN SIGNED MESSAGE-----"

#define REIN_MARKET_ERROR (rein_market_error_quark ())

typedef enum
{
  REIN_MARKET_ERROR_NOT_ARMORED,    /* armor lines missing or malformed */
  REIN_MARKET_ERROR_TOO_LARGE,      /* over REIN_DOCUMENT_MAX_SIZE */
  REIN_MARKET_ERROR_MALFORMED,      /* bad title, bad field line, bad UTF-8, NUL */
  REIN_MARKET_ERROR_UNKNOWN_TYPE,   /* title is not a Rein document title */
  REIN_MARKET_ERROR_BAD_SIGNATURE,  /* signature does not verify */
  REIN_MARKET_ERROR_WRONG_SIGNER,   /* e.g. enrollment not signed by its master */
  REIN_MARKET_ERROR_MISSING_FIELD,  /* a required field is absent */
  REIN_MARKET_ERROR_INCONSISTENT,   /* chain validation; builder given the wrong step */
  REIN_MARKET_ERROR_INVALID_VALUE,  /* a builder value is not acceptable (bad key, address) */
} ReinMarketError;

GQuark rein_market_error_quark (void);

typedef enum
{
  REIN_DOCUMENT_TYPE_UNKNOWN,
  REIN_DOCUMENT_TYPE_ENROLLMENT,
  REIN_DOCUMENT_TYPE_JOB_POSTING,
  REIN_DOCUMENT_TYPE_BID,
  REIN_DOCUMENT_TYPE_OFFER,
  REIN_DOCUMENT_TYPE_DELIVERY,
  REIN_DOCUMENT_TYPE_ACCEPT,
  REIN_DOCUMENT_TYPE_CREATOR_DISPUTE,
  REIN_DOCUMENT_TYPE_WORKER_DISPUTE,
  REIN_DOCUMENT_TYPE_RESOLUTION,
  /* python-rein 0.3's: "Rein Accept Resolution", "Rein Rating" (see
   * rein-rating.h) */
  REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION,
  REIN_DOCUMENT_TYPE_RATING,
} ReinDocumentType;

#define REIN_DOCUMENT_TYPE_LAST REIN_DOCUMENT_TYPE_RATING

typedef enum
{
  REIN_VERIFICATION_UNCHECKED,
  REIN_VERIFICATION_VALID,
  REIN_VERIFICATION_INVALID,
} ReinVerification;

/* GEnum types, for properties and list models. */
#define REIN_TYPE_DOCUMENT_TYPE (rein_document_type_get_type ())
GType rein_document_type_get_type (void);
#define REIN_TYPE_VERIFICATION (rein_verification_get_type ())
GType rein_verification_get_type (void);

/* "Rein Job" -> REIN_DOCUMENT_TYPE_JOB_POSTING, etc. Exact match; anything
 * else (and NULL) is REIN_DOCUMENT_TYPE_UNKNOWN. "Rein Accept", python-rein
 * 0.3's other title of an accept, is REIN_DOCUMENT_TYPE_ACCEPT too. */
ReinDocumentType rein_document_type_from_title (const gchar *title);
/* NULL for REIN_DOCUMENT_TYPE_UNKNOWN and out of range values. */
const gchar *rein_document_type_to_title (ReinDocumentType type);
/* Protocol names: "enrollment", "job_posting", "bid", ... ("unknown") */
const gchar *rein_document_type_to_name (ReinDocumentType type);
ReinDocumentType rein_document_type_from_name (const gchar *name);

/* ---- Fields: ordered label/value pairs ---- */

/* A field and its two strings are one allocation, freed by
 * rein_field_free(): the strings may be changed in place, not replaced. */
typedef struct
{
  gchar *label;
  gchar *value; /* decoded: "\n" escapes turned into newlines for free text */
} ReinField;

ReinField *rein_field_new (const gchar *label, const gchar *value);
ReinField *rein_field_copy (const ReinField *field);
void rein_field_free (ReinField *field);
/* A GPtrArray that frees its ReinFields. */
GPtrArray *rein_fields_new (void);
/* Appends a copy of @label and @value. */
void rein_fields_add (GPtrArray *fields, const gchar *label, const gchar *value);
/* The value of the first field called @label, or NULL. */
const gchar *rein_fields_lookup (GPtrArray *fields, const gchar *label);

/* Labels whose values may hold several lines (escaped on the wire):
 * Description, Deliverables, Dispute detail, Resolution. */
gboolean rein_field_label_is_multiline (const gchar *label);
/* "\n" -> "\\n", "\\" -> "\\\\" ; and back. Writing also turns "\r\n" and a
 * lone "\r" into a newline. Reading is lenient: a backslash followed by
 * anything else (old clients wrote raw backslashes) stays as it is. */
gchar *rein_field_escape (const gchar *value);
gchar *rein_field_unescape (const gchar *value);

/* Splits a document body into its title and fields (GPtrArray of ReinField,
 * freed with the array). Keeps unknown labels and their order. Lines end with "\n" (or "\r\n"); every line
 * after the title is "Label: value" (the label ends at the first ": ", a
 * bare "Label:" is an empty value). Refuses NUL bytes, invalid UTF-8,
 * control characters other than tab, empty lines and texts over
 * REIN_DOCUMENT_MAX_SIZE. The title is not checked here. Either out pointer
 * may be NULL. */
gboolean rein_document_text_parse (const gchar *text,
                                   gsize len,
                                   gchar **out_title,
                                   GPtrArray **out_fields,
                                   GError **error);
/* Builds "Title\nLabel: value\n..." with no trailing newline, escaping the
 * multi-line labels. Fails (REIN_MARKET_ERROR_MALFORMED) on a label that is
 * empty or holds ": " or a newline, a single-line value with a newline,
 * control characters, and (REIN_MARKET_ERROR_TOO_LARGE) on a result over
 * REIN_DOCUMENT_MAX_SIZE. */
gchar *rein_document_text_build (const gchar *title, GPtrArray *fields, GError **error);

/* ---- Armor ---- */

/* Splits an armored document. The text is the bytes between the header line
 * and the "-----BEGIN SIGNATURE-----" line (the first one), without the line
 * break before it; "\r\n" line breaks are accepted and turned into "\n" in
 * the text. Blank lines before the header and after the footer, and spaces
 * or tabs ending the header, signature, address and footer lines, are not
 * part of the armor (PROTOCOL.md section 2); nothing else may follow the
 * footer. The signature must be canonical base64 of 65 bytes. Any out
 * pointer may be NULL. */
gboolean rein_armor_parse (const gchar *armored,
                           gsize len,
                           gchar **out_text,
                           gchar **out_address,
                           gchar **out_signature,
                           GError **error);
/* The armored form, with no trailing newline. */
gchar *rein_armor_build (const gchar *text, const gchar *address, const gchar *signature);

/* ---- ReinDocumentField: one label/value pair as a GObject ---- */

/* Read-only "label" and "value" properties, for list views. */
#define REIN_TYPE_DOCUMENT_FIELD (rein_document_field_get_type ())
G_DECLARE_FINAL_TYPE (ReinDocumentField, rein_document_field, REIN, DOCUMENT_FIELD, GObject)

ReinDocumentField *rein_document_field_new (const gchar *label, const gchar *value);
const gchar *rein_document_field_get_label (ReinDocumentField *self);
const gchar *rein_document_field_get_value (ReinDocumentField *self);

/* ---- ReinDocument ---- */

/* Properties (all read-only): "document-type", "title", "text", "armored",
 * "signer", "signature", "hash", "verification", "verification-error",
 * "fields", a GListModel of ReinDocumentField in document order, and
 * "wrapped", see rein_document_get_wrapped(). */

#define REIN_TYPE_DOCUMENT (rein_document_get_type ())
G_DECLARE_FINAL_TYPE (ReinDocument, rein_document, REIN, DOCUMENT, GObject)

/* Parses an armored document (no verification yet). @len may be -1.
 * Fails with REIN_MARKET_ERROR_UNKNOWN_TYPE when the title is not one of
 * the nine Rein titles: this is what the market, jobs, the store and the
 * server read, and none of them has a use for anything else. */
ReinDocument *rein_document_new_from_armored (const gchar *armored, gssize len, GError **error);
/* For tools that verify any signed message (rein-cli verify): like
 * rein_document_new_from_armored(), but a text whose first line is not a
 * Rein title is a REIN_DOCUMENT_TYPE_UNKNOWN document instead of an error.
 * Its "Label: value" lines are its fields (the first line too: the earliest
 * enrollments had no title), other lines are only text, and its title is
 * the first line when that is not a label line, else NULL. When its text
 * wraps a dash-escaped armored message (an attestation), that message is
 * unescaped and parsed in turn, see rein_document_get_wrapped(); more than
 * REIN_DOCUMENT_MAX_NESTING levels, or a wrapped message that does not
 * parse, fail the whole document. A text with a Rein title is read as
 * strictly as rein_document_new_from_armored() reads it. */
ReinDocument *rein_document_new_from_armored_any (const gchar *armored,
                                                  gssize len,
                                                  GError **error);
/* Signs @text with @key, wraps it in armor and verifies the result (so an
 * enrollment signed by a key other than its master fails here with
 * REIN_MARKET_ERROR_WRONG_SIGNER). The signer address is in @network's
 * format. The returned document is already REIN_VERIFICATION_VALID. */
ReinDocument *rein_document_new_signed (const gchar *text,
                                        const ReinPrivateKey *key,
                                        ReinNetwork network,
                                        GError **error);

/* Signature check plus the signer rule for enrollments (the Master signing
 * address must be the signer, mainnet and testnet formats of the same key
 * hash being equal). Caches its result in the verification state (and the
 * error message): a second call does no work. */
gboolean rein_document_verify (ReinDocument *self, GError **error);

/* Sets the result of rein_document_verify() known from an earlier check of
 * the same document (same hash, so the same armored text): @verification
 * VALID or INVALID, with the REIN_MARKET_ERROR @code and @message of an
 * invalid one. Only for results this program computed and kept itself
 * (the store's), never for anything a server says. What it sets is the
 * signature check alone, which depends on nothing but the text: whether
 * the signer is enrolled is decided again by every validation. Does
 * nothing on a document already checked. */
void rein_document_restore_verification (ReinDocument *self,
                                         ReinVerification verification,
                                         gint code,
                                         const gchar *message);
/* The REIN_MARKET_ERROR code of an invalid document's check (0 otherwise). */
gint rein_document_get_verification_code (ReinDocument *self);

/* How many signature checks rein_document_verify() ran in this process
 * (not those answered from a document's cached result): for tests and
 * benchmarks that count the work a refresh does. Thread-safe. */
guint64 rein_document_get_n_signature_checks (void);

ReinDocumentType rein_document_get_document_type (ReinDocument *self);
const gchar *rein_document_get_title (ReinDocument *self);
const gchar *rein_document_get_text (ReinDocument *self);     /* signed body */
const gchar *rein_document_get_armored (ReinDocument *self);
const gchar *rein_document_get_signer (ReinDocument *self);   /* address */
const gchar *rein_document_get_signature (ReinDocument *self);
const gchar *rein_document_get_hash (ReinDocument *self);     /* sha256 hex of armored */
GPtrArray *rein_document_get_fields (ReinDocument *self);     /* of ReinField, owned */
/* The first label @self gives twice, or NULL. Readers disagree on such a
 * document: this client takes a label's first value, python-rein (which
 * reads the fields into a dict) its last. */
const gchar *rein_document_find_repeated_label (ReinDocument *self);
/* The same fields as a GListModel of ReinDocumentField (built on first use,
 * then shared; never changes). Owned by @self. */
GListModel *rein_document_get_field_model (ReinDocument *self);
/* First field with this label, or NULL. */
const gchar *rein_document_get_field (ReinDocument *self, const gchar *label);
/* Looks up the first of several labels (new and old names). */
const gchar *rein_document_get_field_any (ReinDocument *self, const gchar *const *labels);
/* Looks up a current label (REIN_LABEL_*, see rein-labels.h) under its own
 * name first, then under the names older clients used for it. */
const gchar *rein_document_lookup (ReinDocument *self, const gchar *label);
/* A job posting's category: its Category, else its Tags (python-rein 0.3
 * writes those instead), else NULL. */
const gchar *rein_document_get_category (ReinDocument *self);
/* The signed message wrapped in this unknown-type document's text (only
 * rein_document_new_from_armored_any() finds them), or NULL. It is verified
 * on its own: rein_document_verify() checks one signature. Owned by @self. */
ReinDocument *rein_document_get_wrapped (ReinDocument *self);
ReinVerification rein_document_get_verification (ReinDocument *self);
const gchar *rein_document_get_verification_error (ReinDocument *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinField, rein_field_free)

G_END_DECLS
